"""The gateway's host side over streamable HTTP: each HTTP session gets its own
upstream and its own :class:`~._gateway.Gateway` state (rate limits count per
session), behind the same bearer-token check as ``serve`` (:class:`~._http.BearerTokenApp`)
and the SDK's DNS-rebinding (Host and Origin) checks on loopback.

Built on the SDK's ``StreamableHTTPServerTransport``: a request without an
``mcp-session-id`` header opens a session (and starts its upstream); later requests
are routed to it by that header; ``DELETE`` ends it.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import anyio
from mcp.server.streamable_http import StreamableHTTPServerTransport
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from mcp.shared.message import ServerMessageMetadata, SessionMessage
from mcp_types import jsonrpc_message_adapter
from starlette.requests import Request

from ._gateway import Channel, Gateway
from ._gateway_io import next_message, relay

__all__ = ["GatewayHttpApp", "TransportChannel"]

log = logging.getLogger("openrouter_secure.mcp.gateway")

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class TransportChannel:
    """The SDK transport's message streams as a gateway :class:`~._gateway.Channel`.

    What the upstream sends the host on its own (progress, log messages, sampling and
    elicitation requests) is tied to the host request it belongs to, so the transport
    sends it on that request's stream rather than only on the session's GET stream
    (which a host need not open): progress by its ``progressToken``, anything else
    when exactly one host request is in flight."""

    def __init__(self, read: Any, write: Any) -> None:
        self._read = read
        self._write = write
        self._open: dict[Any, Any] = {}  # host request id -> its progressToken

    async def receive(self) -> Any:
        message = await next_message(self._read, "the host")
        if isinstance(message, dict) and "method" in message and "id" in message:
            params = message.get("params")
            meta = params.get("_meta") if isinstance(params, dict) else None
            token = meta.get("progressToken") if isinstance(meta, dict) else None
            self._open[message["id"]] = token
        return message

    def _related(self, message: Mapping[str, Any]) -> Any:
        if "method" not in message:  # a response: its own id routes it
            self._open.pop(message.get("id"), None)
            return None
        params = message.get("params")
        token = params.get("progressToken") if isinstance(params, dict) else None
        if token is not None:
            for request_id, wanted in self._open.items():
                if wanted == token:
                    return request_id
        if len(self._open) == 1:
            return next(iter(self._open))
        return None

    async def send(self, message: Any) -> None:
        parsed = jsonrpc_message_adapter.validate_python(dict(message), by_name=False)
        related = self._related(message)
        metadata = None if related is None else ServerMessageMetadata(related_request_id=related)
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            await self._write.send(SessionMessage(parsed, metadata=metadata))


Upstream = Any  # ProcessUpstream | HttpUpstream, started by ``open_upstream``


class GatewayHttpApp:
    """An ASGI app serving the gateway on ``path``; run it with its :meth:`lifespan`.

    ``new_gateway(session_id)`` builds the per-session gateway; ``open_upstream()`` is
    an async context manager yielding a started upstream channel. At most
    ``max_sessions`` run at once (more get 503); a session with no request in flight
    for ``idle_timeout`` seconds is ended and its upstream stopped.
    """

    def __init__(
        self,
        *,
        new_gateway: Callable[[str], Gateway],
        open_upstream: Callable[[], contextlib.AbstractAsyncContextManager[Channel]],
        host: str = "127.0.0.1",
        path: str = "/mcp",
        max_sessions: int = 32,
        idle_timeout: float = 300.0,
    ) -> None:
        self._new_gateway = new_gateway
        self._open_upstream = open_upstream
        self._path = path
        self._max_sessions = max_sessions
        self._idle_timeout = idle_timeout
        self._security = (
            TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
            )
            if host in _LOOPBACK
            else None
        )
        self._sessions: dict[str, StreamableHTTPServerTransport] = {}
        self._tg: anyio.abc.TaskGroup | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Any = None) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tg:
            self._tg = tg
            try:
                yield
            finally:
                tg.cancel_scope.cancel()

    async def _run_session(
        self,
        sid: str,
        transport: StreamableHTTPServerTransport,
        *,
        task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        try:
            async with transport.connect() as (read, write), self._open_upstream() as upstream:
                task_status.started()
                # The transport cancels idle_scope once no request has been in flight
                # for idle_timeout seconds: an abandoned session frees its upstream.
                with transport.idle_scope or anyio.CancelScope():
                    await relay(self._new_gateway(sid), TransportChannel(read, write), upstream)
        except Exception:
            log.exception("gateway session failed")
        finally:
            self._sessions.pop(sid, None)
            with anyio.CancelScope(shield=True):
                await transport.terminate()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan_protocol(receive, send)
            return
        if scope["type"] != "http" or scope.get("path", "").rstrip("/") != self._path.rstrip("/"):
            await _plain(send, 404, b"not found")
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        sid = headers.get("mcp-session-id")
        if sid is not None:
            transport = self._sessions.get(sid)
            if transport is None:
                await _plain(send, 404, b"unknown session")
                return
            await transport.handle_request(scope, receive, send)
            return
        if scope.get("method") != "POST":
            await _plain(send, 400, b"a new session starts with a POST")
            return
        if self._tg is None:
            raise RuntimeError("GatewayHttpApp needs its lifespan running")
        # Host, Origin and Content-Type are checked before a session (and its upstream
        # process) is started, not only by the transport afterwards.
        refusal = await TransportSecurityMiddleware(self._security).validate_request(
            Request(scope, receive), is_post=True
        )
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if len(self._sessions) >= self._max_sessions:
            await _plain(send, 503, b"too many sessions")
            return
        sid = secrets.token_hex(16)
        transport = StreamableHTTPServerTransport(
            sid, security_settings=self._security, idle_timeout=self._idle_timeout
        )
        self._sessions[sid] = transport
        await self._tg.start(lambda **kw: self._run_session(sid, transport, **kw))
        await transport.handle_request(scope, receive, send)

    async def _lifespan_protocol(self, receive: Any, send: Any) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":
            return
        async with self.lifespan():
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
        await send({"type": "lifespan.shutdown.complete"})


async def _plain(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": body})
