"""Secured MCP servers as real subprocesses over stdio, driven by the SDK's own client.

Each session costs about 0.6 s, so each test drives one session through many checks.
The subprocess's stderr (its whole log) is captured to a file and searched for
canaries, along with every result and the audit log it wrote.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

import httpx
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

from openrouter_secure.mcp import RATE_LIMITED, TOOL_DENIED
from openrouter_secure.testing import (
    OpenRouterTestServer,
    StoredKey,
    assert_no_leak,
    make_canary,
)
from tests.services import free_port, service_missing, wait_for

ROOT = Path(__file__).resolve().parent.parent
SERVE = [sys.executable, "-m", "openrouter_secure.cli", "serve"]


def params(args: list[str], env: dict[str, str]) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=args,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=str(ROOT),
    )


def audit_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_a_secured_third_party_server_over_stdio(tmp_path: Path) -> None:
    canary = make_canary()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("note A")
    (tmp_path / "secret.txt").write_text("TOP-SECRET-CONTENT")
    os.symlink(tmp_path / "secret.txt", notes / "link.md")
    audit = tmp_path / "audit.jsonl"
    env = {
        "ORS_TEST_CANARY": canary,
        "ORS_TEST_NOTES": str(notes),
        "ORS_TEST_AUDIT": str(audit),
    }
    stderr_path = tmp_path / "stderr.log"
    outputs: list[object] = []
    with stderr_path.open("w") as errlog:
        transport = stdio_client(params([str(ROOT / "tests" / "mcp_stdio_app.py")], env), errlog)
        async with Client(transport) as client:
            listed = {t.name for t in (await client.list_tools()).tools}
            with pytest.raises(MCPError) as denied:
                await client.call_tool("delete_all", {})
            leaked = await client.call_tool("leak", {})
            crashed = await client.call_tool("crash", {})
            ok = await client.call_tool("read_note", {"path": "a.md"})
            attacks = [
                await client.call_tool("read_note", {"path": p})
                for p in ("../secret.txt", str(tmp_path / "secret.txt"), "link.md")
            ]
            with pytest.raises(MCPError) as limited:
                await client.call_tool("read_note", {"path": "a.md"})
            outputs += [leaked, crashed, ok, *attacks, denied.value, limited.value]

    assert listed == {"read_note", "leak", "crash"}
    assert denied.value.code == TOOL_DENIED
    assert "key=" in leaked.content[0].text  # type: ignore[union-attr]
    assert crashed.is_error is True
    assert crashed.content[0].text == "Error executing tool crash"  # type: ignore[union-attr]
    assert ok.content[0].text == "note A"  # type: ignore[union-attr]
    for attack in attacks:
        assert attack.is_error is True
        assert "resolves outside" in attack.content[0].text  # type: ignore[union-attr]
        assert "TOP-SECRET-CONTENT" not in attack.content[0].text  # type: ignore[union-attr]
    assert limited.value.code == RATE_LIMITED
    assert limited.value.data["retry_after"] > 0

    log = stderr_path.read_text()
    assert "upstream rejected" in log  # the crash's detail is in the server log...
    assert_no_leak(canary, log, audit.read_text(), *(repr(o) for o in outputs))  # ...masked

    events = [(r["event"], r["fields"]["tool"]) for r in audit_records(audit)]
    assert ("tool.denied", "delete_all") in events
    assert ("tool.allowed", "leak") in events
    assert ("tool.error", "crash") in events
    assert ("tool.rate_limited", "read_note") in events


async def test_openrouter_secure_serve_over_stdio(
    tmp_path: Path, openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    config = {
        "mcpServers": {
            "openrouter": {"allowedToolsGlob": ["*"], "deniedTools": ["benchmark_models"]}
        },
        "openrouter": {
            "apiKey": "${secret:env://ORS_TEST_SERVE_KEY}",
            "baseUrl": openrouter_server.base_url,
            "allowInsecureLoopback": True,
        },
        "serve": {"auditLog": str(tmp_path / "audit.jsonl"), "rateLimit": "100/minute"},
    }
    path = tmp_path / "serve.json"
    path.write_text(json.dumps(config))
    path.chmod(0o600)
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as errlog:
        transport = stdio_client(
            params(
                [
                    "-m",
                    "openrouter_secure.cli",
                    "serve",
                    "--config",
                    str(path),
                    "--log-level",
                    "INFO",
                ],
                {"ORS_TEST_SERVE_KEY": openrouter_key.key},
            ),
            errlog,
        )
        async with Client(transport) as client:
            listed = {t.name for t in (await client.list_tools()).tools}
            chat = await client.call_tool(
                "chat_with_model", {"model": "openai/gpt-4o-mini", "prompt": "Hello there"}
            )
            usage = await client.call_tool("track_usage", {})

    assert listed == {"chat_with_model", "list_models", "get_generation", "track_usage"}
    assert chat.structured_content is not None
    assert chat.structured_content["content"] == openrouter_server.reply
    assert usage.structured_content is not None
    assert usage.structured_content["session"]["requests"] == 1
    log = stderr_path.read_text()
    audit = (tmp_path / "audit.jsonl").read_text()
    assert_no_leak(openrouter_key.key, log, audit, repr(chat), repr(usage))
    assert "Hello there" not in audit  # argument shape only
    chat_record = next(
        r
        for r in audit_records(tmp_path / "audit.jsonl")
        if r["fields"]["tool"] == "chat_with_model" and r["event"] == "tool.allowed"
    )
    # Every argument's shape, content-named ones included (never their content).
    shape = chat_record["fields"]["argument_shape"]
    assert sorted(shape) == ["model: str[18]", f"prompt: str[{len('Hello there')}]"]


@pytest.fixture
def http_serve(
    tmp_path: Path, openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> Any:
    token = secrets.token_urlsafe(32)
    port = free_port()
    config = {
        "mcpServers": {"openrouter": {"allowedTools": ["list_models", "track_usage"]}},
        "openrouter": {
            "apiKey": "env://ORS_TEST_SERVE_KEY",
            "baseUrl": openrouter_server.base_url,
            "allowInsecureLoopback": True,
        },
        "serve": {
            "http": {"port": port, "bearerToken": "env://ORS_TEST_BEARER"},
            "auditLog": str(tmp_path / "audit.jsonl"),
        },
    }
    path = tmp_path / "serve.json"
    path.write_text(json.dumps(config))
    path.chmod(0o600)
    stderr_path = tmp_path / "stderr.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ORS_TEST_SERVE_KEY": openrouter_key.key,
        "ORS_TEST_BEARER": token,
    }
    with stderr_path.open("w") as errlog:
        proc = subprocess.Popen(
            [*SERVE, "--config", str(path), "--transport", "http"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errlog,
        )
    try:

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True

        try:
            wait_for(listening, timeout=30, what="openrouter-secure serve --transport http")
        except TimeoutError:
            service_missing(f"serve --transport http did not start: {stderr_path.read_text()}")
        yield f"http://127.0.0.1:{port}/mcp", token, stderr_path
    finally:
        proc.terminate()
        proc.wait(10)


async def test_serve_over_http_requires_the_bearer_token(
    http_serve: Any, openrouter_key: StoredKey
) -> None:
    url, token, stderr_path = http_serve
    async with httpx.AsyncClient() as plain:
        anonymous = await plain.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        wrong = await plain.post(
            url,
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers={"Authorization": "Bearer " + token[:-1] + "x"},
        )
    assert anonymous.status_code == 401
    assert wrong.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")

    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with http, Client(streamable_http_client(url, http_client=http)) as client:
        listed = {t.name for t in (await client.list_tools()).tools}
        models = await client.call_tool("list_models", {"limit": 1})
    assert listed == {"list_models", "track_usage"}
    assert models.is_error is False
    audit = stderr_path.parent / "audit.jsonl"
    assert_no_leak(
        [openrouter_key.key, token], stderr_path.read_text(), repr(models), audit.read_text()
    )
    clients = {r["fields"]["client"] for r in audit_records(audit)}
    # The SDK's client speaks the stateless 2026 protocol: no session, so the peer address.
    assert clients == {"http:127.0.0.1"}


def _serve_config(tmp_path: Path, base_url: str) -> Path:
    """A serve config reading the key from ``env://OPENROUTER_API_KEY`` (the default)."""
    config = {
        "mcpServers": {"openrouter": {"allowedTools": ["chat_with_model"]}},
        "openrouter": {
            "apiKey": "env://OPENROUTER_API_KEY",
            "baseUrl": base_url,
            "allowInsecureLoopback": True,
        },
    }
    path = tmp_path / "serve.json"
    path.write_text(json.dumps(config))
    path.chmod(0o600)
    return path


async def test_serve_resolves_a_secret_placeholder_in_its_own_environment(
    tmp_path: Path, openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    # What `doctor --fix` writes into a host config: the host passes the placeholder
    # as it is, and serve resolves it at start-up.
    path = _serve_config(tmp_path, openrouter_server.base_url)
    env = {
        "OPENROUTER_API_KEY": "${secret:env://ORS_TEST_SERVE_SOURCE}",
        "ORS_TEST_SERVE_SOURCE": openrouter_key.key,
    }
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as errlog:
        transport = stdio_client(
            params(["-m", "openrouter_secure.cli", "serve", "--config", str(path)], env), errlog
        )
        async with Client(transport) as client:
            chat = await client.call_tool(
                "chat_with_model", {"model": "openai/gpt-4o-mini", "prompt": "Hello there"}
            )
    assert not chat.is_error, chat
    assert chat.structured_content is not None
    assert chat.structured_content["content"] == openrouter_server.reply
    assert_no_leak(openrouter_key.key, stderr_path.read_text(), repr(chat))


def test_serve_names_the_variable_and_reference_it_cannot_resolve(tmp_path: Path) -> None:
    path = _serve_config(tmp_path, "http://127.0.0.1:9")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OPENROUTER_API_KEY": "${secret:env://ORS_TEST_SERVE_MISSING}",
    }
    env.pop("ORS_TEST_SERVE_MISSING", None)
    proc = subprocess.run(
        [*SERVE, "--config", str(path)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "OPENROUTER_API_KEY" in proc.stderr
    assert "env://ORS_TEST_SERVE_MISSING" in proc.stderr
