"""The default client key never trusts what a client may choose: on stateless streamable
HTTP a fresh ``Mcp-Session-Id`` header per request must not buy a fresh rate-limit
bucket. A real ``MCPServer`` behind uvicorn on 127.0.0.1, driven with raw JSON-RPC."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

pytest.importorskip("mcp")
uvicorn = pytest.importorskip("uvicorn")

from mcp.server.mcpserver import MCPServer  # noqa: E402

from openrouter_secure.limits import RateLimiter  # noqa: E402
from openrouter_secure.mcp import secure  # noqa: E402

HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "mcp-protocol-version": "2025-06-18",
}
CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "expensive", "arguments": {}},
}


@pytest.fixture
def stateless() -> Iterator[tuple[str, dict[str, int]]]:
    runs = {"n": 0}
    server: MCPServer[Any] = MCPServer("s")

    @server.tool()
    def expensive() -> str:
        runs["n"] += 1
        return "ok"

    secure(server, policy={"s": {"allowedTools": ["expensive"]}}, limiter=RateLimiter("3/minute"))
    app = server.streamable_http_app(stateless_http=True, json_response=True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not http.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/mcp", runs
    finally:
        http.should_exit = True
        thread.join(10)


def test_a_forged_session_header_does_not_buy_a_fresh_bucket(
    stateless: tuple[str, dict[str, int]],
) -> None:
    url, runs = stateless
    with httpx.Client(trust_env=False, timeout=10) as client:
        for _ in range(10):
            forged = {**HEADERS, "mcp-session-id": secrets.token_hex(8)}
            client.post(url, headers=forged, json=CALL)
    assert runs["n"] == 3
