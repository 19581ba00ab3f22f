"""The guard without a server: what a proxy in front of any MCP server (the gateway)
calls with plain names, URIs, argument dicts and wire-form results. Real policy,
limiter, audit log file and sanitizer; no SDK server object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp.shared.exceptions import MCPError

from openrouter_secure._sanitize._sanitizer import default_sanitizer
from openrouter_secure.audit._log import AuditLog
from openrouter_secure.config._policy import ToolPolicy
from openrouter_secure.mcp import TOOL_DENIED, ClientIdentity, Guard
from openrouter_secure.mcp._resources import resource_target
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.mcp_audit import events, fields

POLICY = ToolPolicy.from_config(
    {
        "up": {
            "allowedTools": ["echo"],
            "allowedToolsGlob": ["resource:files://public-*"],
            "default": "deny",
        }
    }
)
TEMPLATES = ["files://{name}"]


def proxy_guard(audit: AuditLog | None = None, observe: bool = False) -> Guard:
    return Guard(
        server_name="up",
        policy=POLICY,
        limiter=None,
        audit=audit,
        sanitizer=default_sanitizer(),
        log_arguments=False,
        identify=lambda ctx: ClientIdentity("local"),
        known_names=lambda kind: {"echo", "admin"} if kind == "tool" else set(),
        resolve_resource=lambda uri: resource_target(uri, TEMPLATES),
        observe=observe,
    )


async def test_a_proxy_decides_sanitizes_and_records_with_plain_values(
    audit: AuditLog, audit_path: Path
) -> None:
    key = make_canary()
    guard = proxy_guard(audit)
    client = ClientIdentity("stdio", "host/1.0")
    await guard.admit_client("echo", {"prompt": "hi"}, client)
    with pytest.raises(MCPError) as denied:
        await guard.admit_client("admin", {}, client)
    with pytest.raises(MCPError):
        await guard.admit_client("files://public-%2E%2E%2Fsecret", None, client, "resource")
    wire: dict[str, Any] = {
        "content": [{"type": "resource_link", "uri": f"file:///{key}", "name": key}],
        "structuredContent": {key: key},
        "_meta": {"trace": key},
    }
    clean = guard.clean(wire)
    guard.finished("tool", "echo", client.key, "completed", 0.0)
    assert denied.value.code == TOOL_DENIED
    assert_no_leak(key, repr(clean), audit_path.read_text())
    assert [fields(r)["tool"] for r in events(audit_path, "tool.denied")] == ["admin"]
    assert fields(events(audit_path, "tool.finished")[0])["outcome"] == "completed"


async def test_observe_mode_records_refusals_and_refuses_nothing(
    audit: AuditLog, audit_path: Path
) -> None:
    guard = proxy_guard(audit, observe=True)
    await guard.admit_client("admin", {}, ClientIdentity("local"))
    [denied] = [fields(r) for r in events(audit_path, "tool.denied")]
    assert denied["observed"] is True
    assert denied["rule"] == "default:deny"
