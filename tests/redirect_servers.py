"""Loopback HTTP servers that record what reaches them and may answer with a redirect.

``loopback_http(location)`` starts one on a free 127.0.0.1 port: with ``location`` it
answers every request ``307`` to ``location`` + the request path, without it ``404``.
``server.seen`` lists ``(method, path, headers, body)`` of every request it got, so a
test can prove that nothing (no token, no body) reached a redirect's target.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = ["Recorded", "loopback_http", "url_of"]

Recorded = tuple[str, str, dict[str, str], bytes]


class _Recorder(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, dict(self.headers), body))  # type: ignore[attr-defined]
        location = self.server.location  # type: ignore[attr-defined]
        if location:
            self.send_response(307)
            self.send_header("Location", location + self.path)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        pass


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def loopback_http() -> Iterator[Callable[..., ThreadingHTTPServer]]:
    servers: list[ThreadingHTTPServer] = []

    def start(location: str | None = None) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        server.seen = []  # type: ignore[attr-defined]
        server.location = location  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
