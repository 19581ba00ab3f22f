"""One policy, two enforcement points: the same requests sent to a server secured
in-process with ``secure()`` and to the same server behind ``openrouter-secure
gateway`` (a real subprocess over stdio) must leave the same audit records: the same
events in the same order, with the same fields and the same decisions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

import anyio
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import PromptReference

from openrouter_secure.audit._log import AuditLog
from openrouter_secure.config._policy import ToolPolicy
from openrouter_secure.limits._ratelimit import RateLimiter
from openrouter_secure.mcp import secure
from openrouter_secure.mcp._secure import guard_of
from tests.gateway_parity_server import build
from tests.gateway_servers import child_env, gateway_client, read_audit

ROOT = Path(__file__).resolve().parent.parent

RULES: dict[str, Any] = {
    "allowedTools": ["read_note", "broken", "prompt:hello", "resource:notes://public"],
    "allowedToolsGlob": ["admin_*", "resource:notes://docs/*"],
    "deniedTools": ["admin_reset"],
    "default": "deny",
}
LIMIT = "1/minute"
# Differ by nature between two runs, not by decision.
_VARYING = {"duration_ms", "retry_after"}


async def drive(client: Any) -> None:
    """The same requests, whichever end enforces the policy."""
    await client.list_tools()
    await client.list_resources()
    await client.list_resource_templates()
    await client.call_tool("read_note", {"name": "a", "options": {"deep": [1, "x"]}})
    for _ in range(3):  # folded: one record, then one with repeated=2
        with pytest.raises(MCPError):
            await client.call_tool("admin_reset", {})
    await client.call_tool("admin_status", {})
    with pytest.raises(MCPError):
        await client.call_tool("admin_status", {})  # over its limit
    await client.call_tool("broken", {})
    await client.get_prompt("hello", {"name": "b"})
    with pytest.raises(MCPError):
        await client.get_prompt("debug_dump")
    await client.read_resource("notes://public")
    await client.read_resource("notes://docs/intro")
    with pytest.raises(MCPError):
        await client.read_resource("notes://private")
    with pytest.raises(MCPError):
        await client.complete(
            PromptReference(type="ref/prompt", name="debug_dump"), {"name": "x", "value": "y"}
        )


def shapes(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Each record's event and fields, without the values that vary between runs."""
    out = []
    for record in read_audit(path):
        fields = record["fields"]
        kept = {k: ("<varies>" if k in _VARYING else v) for k, v in fields.items()}
        out.append((record["event"], kept))
    return out


def test_secure_and_the_gateway_write_the_same_records(tmp_path: Path) -> None:
    inproc_log = tmp_path / "inproc.jsonl"
    server = secure(
        build(),
        policy=ToolPolicy.from_config({"notes": RULES}),
        limiter={"admin_status": RateLimiter(LIMIT)},
        audit=AuditLog(inproc_log),
    )

    async def in_process() -> None:
        async with Client(server) as client:
            await drive(client)
        guard_of(server).repeats.flush()  # what exit does

    anyio.run(in_process)

    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {"mcpServers": {"notes": RULES}, "serve": {"toolRateLimits": {"admin_status": LIMIT}}}
        )
    )
    policy.chmod(0o600)
    gateway_log = tmp_path / "gateway.jsonl"
    args = ["--policy", str(policy), "--audit", str(gateway_log), "--"]
    args += [sys.executable, str(ROOT / "tests" / "gateway_parity_server.py")]

    async def through_gateway() -> None:
        async with gateway_client(args, tmp_path / "stderr.log", child_env()) as client:
            await drive(client)

    anyio.run(through_gateway)  # the gateway writes its folded counts as it exits

    inproc, gateway = shapes(inproc_log), shapes(gateway_log)
    assert [e for e, _ in inproc] == [e for e, _ in gateway]
    for (event, mine), (_, theirs) in zip(inproc, gateway, strict=True):
        assert mine == theirs, event
    seen = {e for e, _ in inproc}
    assert {"tool.allowed", "tool.denied", "tool.rate_limited", "tool.finished"} <= seen
    assert {"prompt.denied", "resource.allowed", "resource.denied"} <= seen
    assert any(f.get("repeated") == 2 for _, f in inproc)
