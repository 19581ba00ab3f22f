"""``completion/complete`` is counted by the limiter like every request, and its
refusals (and those of names a client invents) fold in the audit log like other
denials. A real ``MCPServer`` and the SDK's in-process client; the audit log is read
back from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client, types
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError

from openrouter_secure.audit._log import AuditLog
from openrouter_secure.limits import RateLimiter
from openrouter_secure.mcp import RATE_LIMITED, secure
from tests.mcp_audit import events, fields, read_audit


def completing_server(runs: dict[str, int]) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("s")

    @server.prompt()
    def summarize(topic: str) -> str:
        return "p"

    @server.resource("docs://{name}")
    def doc(name: str) -> str:
        return "d"

    @server.completion()
    async def complete(ref: Any, argument: Any, context: Any) -> types.Completion:
        runs["n"] += 1
        return types.Completion(values=["a"])

    return server


def prompt_ref(name: str) -> types.PromptReference:
    return types.PromptReference(type="ref/prompt", name=name)


async def test_completions_are_counted_by_the_limiter() -> None:
    runs = {"n": 0}
    server = completing_server(runs)
    secure(
        server,
        policy={"s": {"allowedTools": ["prompt:summarize"]}},
        limiter=RateLimiter("3/minute"),
    )
    codes = []
    async with Client(server) as client:
        for _ in range(6):
            try:
                await client.complete(prompt_ref("summarize"), {"name": "topic", "value": "x"})
            except MCPError as exc:
                codes.append(exc.code)
        # Completing did not use up the prompt's own calls.
        assert (await client.get_prompt("summarize", {"topic": "x"})).messages
        for _ in range(6):
            with pytest.raises(MCPError) as caught:
                await client.complete(prompt_ref("denied"), {"name": "a", "value": "b"})
            codes.append(caught.value.code)
    assert runs["n"] == 3
    assert codes.count(RATE_LIMITED) == 3 + 3


async def test_refused_completions_fold_by_client_and_rule(
    audit: AuditLog, audit_path: Path
) -> None:
    server = completing_server({"n": 0})
    secure(server, policy={"s": {"allowedTools": ["prompt:summarize"]}}, audit=audit)
    async with Client(server) as client:
        for i in range(50):
            with pytest.raises(MCPError):
                await client.complete(prompt_ref(f"invented-{i}"), {"name": "a", "value": "b"})
            ref = types.ResourceTemplateReference(type="ref/resource", uri=f"x://{i}")
            with pytest.raises(MCPError):
                await client.complete(ref, {"name": "name", "value": "b"})
    records = read_audit(audit_path)
    assert len(records) <= 2
    [denied] = [fields(r) for r in events(audit_path, "prompt.denied")]
    assert denied["method"] == "completion/complete"


async def test_rate_limited_invented_names_fold(audit: AuditLog, audit_path: Path) -> None:
    server = completing_server({"n": 0})
    secure(
        server,
        policy={"s": {"allowedToolsGlob": ["*", "resource:docs://**"]}},
        limiter=RateLimiter("2/minute"),
        audit=audit,
    )
    codes = []
    async with Client(server) as client:
        for i in range(40):
            try:
                await client.call_tool(f"made-up-{i}", {})
            except MCPError as exc:
                codes.append(exc.code)
    assert set(codes) == {RATE_LIMITED}
    assert len(events(audit_path, "tool.rate_limited")) == 1
