"""The gateway's transports: the host on stdio, the upstream as a child process on
stdio (started like ``openrouter-secure run``) or a streamable-HTTP URL.

Messages are newline-delimited JSON on stdio, as the MCP stdio transport defines.
The child's stderr goes through :class:`~openrouter_secure.launch.LineSanitizer` to
this process's stderr. Imports the ``mcp`` SDK for the HTTP transport only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import anyio

from .._exceptions import ConfigurationError
from .._secret import Secret
from ..launch._env import ResolvedEnvironment
from ..launch._stream import LineSanitizer
from ._gateway import Channel, Gateway

__all__ = [
    "HttpUpstream",
    "ProcessUpstream",
    "StdioHost",
    "open_process_upstream",
    "relay",
    "serve_stdio",
]

log = logging.getLogger("openrouter_secure.mcp.gateway")

#: The longest message accepted on stdio (a large embedded resource fits).
MAX_MESSAGE = 64 * 1024 * 1024


def _encode(message: Any) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        # Parsers disagree on which duplicate wins: the gateway could decide on one
        # tool name and the upstream run the other.
        raise ValueError("duplicate key")
    return out


def _decode(line: bytes, strict: bool = False) -> Any:
    line = line.strip()
    if not line:
        return None
    try:
        return json.loads(line, object_pairs_hook=_unique) if strict else json.loads(line)
    except ValueError:
        return _INVALID


_INVALID = object()
_PARSE_ERROR = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}


def _feed_from_file(
    loop: asyncio.AbstractEventLoop, reader: asyncio.StreamReader, source: Any
) -> None:
    with source:
        while chunk := source.read(1 << 16):
            loop.call_soon_threadsafe(reader.feed_data, chunk)
    loop.call_soon_threadsafe(reader.feed_eof)


class StdioHost:
    """The host's side: this process's stdin and stdout."""

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._lock = anyio.Lock()
        self._out = sys.stdout.buffer

    async def _open(self) -> asyncio.StreamReader:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=MAX_MESSAGE)
        source = os.fdopen(os.dup(0), "rb", 0)
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), source)
        except (ValueError, OSError):
            # stdin is a regular file (``< requests.jsonl``): no event-loop pipe for it,
            # so a thread reads it into the same reader.
            loop.run_in_executor(None, _feed_from_file, loop, reader, source)
        return reader

    async def receive(self) -> Any:
        if self._reader is None:
            self._reader = await self._open()
        while True:
            line = await self._reader.readline()
            if not line:
                return None
            message = _decode(line, strict=True)
            if message is _INVALID:
                await self.send(_PARSE_ERROR)
                continue
            if message is not None:
                return message

    async def send(self, message: Mapping[str, Any]) -> None:
        async with self._lock:
            self._out.write(_encode(message))
            self._out.flush()


class ProcessUpstream:
    """The upstream server as a child process speaking MCP on its stdin and stdout."""

    def __init__(self, command: Sequence[str], environment: ResolvedEnvironment) -> None:
        if not command:
            raise ConfigurationError("no upstream command; put it after '--' (or use --url)")
        self.command = list(command)
        self.environment = environment
        self._process: anyio.abc.Process | None = None
        self._buffer = b""
        self._lock = anyio.Lock()
        self.stderr_done = anyio.Event()

    async def start(self, task_group: anyio.abc.TaskGroup) -> None:
        """Start the child and the task that sanitizes its stderr."""
        await self.spawn()
        task_group.start_soon(self.pump_stderr)

    async def spawn(self) -> None:
        """Start the child; raises :class:`ConfigurationError` if it cannot start."""
        try:
            self._process = await anyio.open_process(
                self.command, env=self.environment.child_env(), stderr=-1
            )
        except FileNotFoundError:
            error = ConfigurationError(f"upstream command not found: {self.command[0]!r}")
            error.exit_code = 127  # type: ignore[attr-defined]  # as run and shells say
            raise error from None
        except PermissionError:
            error = ConfigurationError(f"upstream command not executable: {self.command[0]!r}")
            error.exit_code = 126  # type: ignore[attr-defined]
            raise error from None

    async def pump_stderr(self) -> None:
        """Copy the child's stderr to this process's, sanitized, until it closes."""
        assert self._process is not None
        assert self._process.stderr is not None
        lines = LineSanitizer(fragments_of=self.environment.known_values())
        out = sys.stderr.buffer
        with contextlib.suppress(anyio.EndOfStream, anyio.ClosedResourceError, OSError):
            async for chunk in self._process.stderr:
                data = lines.feed(chunk)
                if data:
                    out.write(data)
                    out.flush()
        with contextlib.suppress(OSError, ValueError):
            out.write(lines.flush())
            out.flush()
        self.stderr_done.set()

    async def receive(self) -> Any:
        assert self._process is not None
        assert self._process.stdout is not None
        while True:
            cut = self._buffer.find(b"\n")
            if cut >= 0:
                line, self._buffer = self._buffer[:cut], self._buffer[cut + 1 :]
                message = _decode(line)
                if message is _INVALID:
                    log.warning("the upstream wrote a line that is not JSON; dropped")
                    continue
                if message is not None:
                    return message
                continue
            if len(self._buffer) > MAX_MESSAGE:
                raise ConfigurationError("the upstream sent a message larger than 64 MiB")
            try:
                self._buffer += await self._process.stdout.receive(1 << 20)
            except (anyio.EndOfStream, anyio.ClosedResourceError):
                return None

    async def send(self, message: Mapping[str, Any]) -> None:
        assert self._process is not None
        assert self._process.stdin is not None
        async with self._lock:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                await self._process.stdin.send(_encode(message))

    async def aclose(self) -> int | None:
        """Close the child's stdin, give it 2 s to exit, then terminate it."""
        process = self._process
        if process is None:
            return None
        with contextlib.suppress(Exception):
            if process.stdin is not None:
                await process.stdin.aclose()
        with anyio.move_on_after(2):
            return await process.wait()
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with anyio.move_on_after(2):
            return await process.wait()
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        return await process.wait()


class HttpUpstream:
    """The upstream server at a streamable-HTTP URL (the SDK's client transport), with
    ``Authorization: Bearer`` from a secret when given."""

    def __init__(self, url: str, token: Secret | None = None) -> None:
        self.url = url
        self.token = token
        self._read: Any = None
        self._write: Any = None

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[HttpUpstream]:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        headers = {} if self.token is None else {"Authorization": f"Bearer {self.token.reveal()}"}
        async with (
            create_mcp_http_client(headers=headers) as client,
            streamable_http_client(self.url, http_client=client) as streams,
        ):
            self._read, self._write = streams[0], streams[1]
            yield self

    async def receive(self) -> Any:
        return await next_message(self._read, "the upstream")

    async def send(self, message: Mapping[str, Any]) -> None:
        from mcp.shared.message import SessionMessage
        from mcp_types import jsonrpc_message_adapter

        parsed = jsonrpc_message_adapter.validate_python(dict(message), by_name=False)
        await self._write.send(SessionMessage(parsed))


async def next_message(stream: Any, peer: str) -> Any:
    """The next JSON-RPC message of an SDK transport's read stream, as decoded JSON
    (``None`` once it has closed); an invalid one is logged (its type only) and
    skipped. ``peer`` names the sender in that log line."""
    while True:
        try:
            item = await stream.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            return None
        if isinstance(item, Exception):
            log.warning("%s sent an invalid message: %s", peer, type(item).__name__)
            continue
        return item.message.model_dump(by_alias=True, mode="json", exclude_unset=True)


async def relay(gateway: Gateway, host: Channel, upstream: Channel, *, drain: float = 5.0) -> None:
    """Relay until either side closes (when the host closes, answers to its requests
    still in flight get up to ``drain`` seconds)."""

    async def host_to_upstream(scope: anyio.CancelScope) -> None:
        while (message := await host.receive()) is not None:
            # A batch (older protocol versions) is decided message by message.
            for item in message if isinstance(message, list) and message else [message]:
                await gateway.from_host(item, upstream.send, host.send)
        # The host closed its side: answers still owed to it get a moment to arrive.
        with anyio.move_on_after(drain):
            while gateway.pending:
                await anyio.sleep(0.01)
        scope.cancel()

    async def upstream_to_host(scope: anyio.CancelScope) -> None:
        while (message := await upstream.receive()) is not None:
            for item in message if isinstance(message, list) and message else [message]:
                clean = gateway.from_upstream(item)
                if clean is not None:
                    await host.send(clean)
        scope.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(host_to_upstream, tg.cancel_scope)
        tg.start_soon(upstream_to_host, tg.cancel_scope)


def _leaf(exc: BaseException) -> BaseException:
    """The first exception inside (nested) exception groups."""
    while isinstance(getattr(exc, "exceptions", None), (list, tuple)) and exc.exceptions:  # type: ignore[attr-defined]
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    return exc


async def serve_stdio(gateway: Gateway, upstream: ProcessUpstream | HttpUpstream) -> int:
    """Serve the host on stdio until it closes stdin or the upstream exits; returns
    the exit code (the child's, or 0)."""
    host = StdioHost()
    if isinstance(upstream, HttpUpstream):
        try:
            async with upstream.connect():
                await relay(gateway, host, upstream)
        except Exception as exc:  # noqa: BLE001 - reported as one clear error
            cause = _leaf(exc)
            raise ConfigurationError(
                f"the upstream at {upstream.url} failed: {type(cause).__name__}: {cause}; "
                "check --url (and --bearer-token)"
            ) from None
        return 0
    await upstream.spawn()  # outside the task group: a failure is one plain error
    async with anyio.create_task_group() as tg:
        tg.start_soon(upstream.pump_stderr)
        try:
            await relay(gateway, host, upstream)
        finally:
            with anyio.CancelScope(shield=True):
                code = await upstream.aclose()
                # The child's last stderr lines (a grandchild may hold the pipe open).
                with anyio.move_on_after(1):
                    await upstream.stderr_done.wait()
        tg.cancel_scope.cancel()
    return 0 if code is None else (128 - code if code < 0 else code)


@contextlib.asynccontextmanager
async def open_process_upstream(
    command: Sequence[str], environment: ResolvedEnvironment
) -> AsyncIterator[ProcessUpstream]:
    """A started :class:`ProcessUpstream`, closed (and its stderr drained) on exit."""
    upstream = ProcessUpstream(command, environment)
    await upstream.spawn()
    async with anyio.create_task_group() as tg:
        tg.start_soon(upstream.pump_stderr)
        try:
            yield upstream
        finally:
            with anyio.CancelScope(shield=True):
                await upstream.aclose()
                with anyio.move_on_after(1):
                    await upstream.stderr_done.wait()
            tg.cancel_scope.cancel()
