"""Streamable HTTP for ``openrouter-secure serve --transport http``, behind a bearer token.

The token comes from a secret reference (``serve.http.bearerToken``); it is compared
in constant time, and a request without it gets ``401`` before the MCP layer sees
anything. HTTP is refused without a token: an MCP endpoint holding an OpenRouter key
must not be open to whoever can reach the port. The server speaks plain HTTP and
expects TLS to be terminated in front of it (a reverse proxy) for anything beyond
127.0.0.1; the SDK's DNS-rebinding protection stays on for loopback hosts.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .._exceptions import ConfigurationError
from .._secret import Secret
from ._server_config import ServeSettings

__all__ = ["BearerTokenApp", "http_app", "run_http"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BearerTokenApp:
    """ASGI middleware: pass HTTP requests that carry ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: Secret) -> None:
        if not token or len(token.reveal()) < 16:
            raise ConfigurationError(
                "serve.http.bearerToken: the token must be at least 16 characters "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        self._app = app
        self._expected = b"bearer " + token.reveal().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self._app(scope, receive, send)
            return
        given = b""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"authorization":
                given = bytes(value)
                break
        # Scheme is case-insensitive (RFC 9110); the token itself is compared exactly.
        candidate = given[:7].lower() + given[7:]
        if not hmac.compare_digest(candidate, self._expected):
            body = json.dumps({"error": "unauthorized", "detail": "a bearer token is required"})
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="openrouter-secure"'),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body.encode()})
            return
        await self._app(scope, receive, send)


def http_app(server: Any, settings: ServeSettings) -> BearerTokenApp:
    """The server's streamable HTTP app wrapped in the bearer-token check."""
    from .._registry import resolve

    if settings.http.bearer_token is None:
        raise ConfigurationError(
            "the HTTP transport needs serve.http.bearerToken, a secret reference to the "
            "token clients must send (e.g. env://MCP_BEARER_TOKEN); use --transport stdio "
            "for a local client"
        )
    token = resolve(settings.http.bearer_token, cache=False)
    app = server.streamable_http_app(
        streamable_http_path=settings.http.path, host=settings.http.host
    )
    return BearerTokenApp(app, token)


def run_http(server: Any, settings: ServeSettings) -> None:  # pragma: no cover - subprocess
    """Serve until interrupted (uvicorn, installed with the ``mcp`` SDK)."""
    import uvicorn

    app = http_app(server, settings)
    uvicorn.run(app, host=settings.http.host, port=settings.http.port, log_level="warning")
