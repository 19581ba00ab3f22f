"""``secure(server)`` on prompts and resources: the policy, rate limits, sanitizing and
auditing that tools get, through the SDK's in-process client (nothing patched)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError

from openrouter_secure._secret import Secret
from openrouter_secure.audit._log import AuditLog
from openrouter_secure.limits._ratelimit import RateLimiter
from openrouter_secure.mcp import RATE_LIMITED, TOOL_DENIED, secure
from openrouter_secure.mcp._guard import FIELD
from openrouter_secure.mcp._secure import guard_of
from openrouter_secure.testing import LeakCheck, make_canary
from tests.mcp_audit import events, fields

POLICY = {
    "docs": {
        "allowedTools": ["search", "prompt:summarize", "resource:docs://readme"],
        "allowedToolsGlob": ["resource:docs://public/*"],
        "default": "deny",
    }
}


def build_server(secret: str = "") -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("docs")

    @server.tool()
    def search(query: str) -> str:
        return f"found {query}"

    @server.prompt()
    def summarize(topic: str) -> str:
        return f"Summarize {topic}."

    @server.prompt()
    def debug_dump() -> str:
        return "dump everything"

    @server.prompt()
    def broken() -> str:
        raise RuntimeError(f"prompt store refused key {secret}")

    @server.resource("docs://readme")
    def readme() -> str:
        return "read me"

    @server.resource("docs://admin")
    def admin() -> str:
        return "admin notes"

    @server.resource("docs://broken")
    def broken_resource() -> str:
        raise RuntimeError(f"storage refused key {secret}")

    @server.resource("docs://public/{name}")
    def public(name: str) -> str:
        return f"public {name}"

    @server.resource("docs://private/{name}")
    def private(name: str) -> str:
        return f"private {name}"

    return server


def named(path: Path, event: str) -> list[dict[str, Any]]:
    return [fields(r) for r in events(path, event)]


# -- policy ---------------------------------------------------------------------------


async def test_denied_prompts_are_hidden_from_the_listing() -> None:
    server = secure(build_server(), policy=POLICY)
    async with Client(server) as client:
        listed = {p.name for p in (await client.list_prompts()).prompts}
    assert listed == {"summarize"}


async def test_denied_resources_and_templates_are_hidden_from_the_listings() -> None:
    server = secure(build_server(), policy=POLICY)
    async with Client(server) as client:
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        templates = {
            t.uri_template for t in (await client.list_resource_templates()).resource_templates
        }
    assert resources == {"docs://readme"}
    assert templates == {"docs://public/{name}"}


async def test_a_denied_prompt_is_refused_by_name_and_audited(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build_server(), policy=POLICY, audit=audit)
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("debug_dump")
    assert caught.value.code == TOOL_DENIED
    assert caught.value.data == {"prompt_name": "debug_dump", "reason": "denied"}
    [denied] = named(audit_path, "prompt.denied")
    assert (denied["prompt_name"], denied["rule"]) == ("debug_dump", "default:deny")


async def test_an_allowed_prompt_is_served_and_audited(audit: AuditLog, audit_path: Path) -> None:
    server = secure(build_server(), policy=POLICY, audit=audit)
    async with Client(server) as client:
        result = await client.get_prompt("summarize", {"topic": "the plan"})
    assert result.messages[0].content.text == "Summarize the plan."  # type: ignore[union-attr]
    [allowed] = named(audit_path, "prompt.allowed")
    assert allowed["rule"] == "allow:exact:prompt:summarize"
    assert allowed["argument_shape"] == ["topic: str[8]"]


async def test_a_template_read_is_decided_on_the_concrete_uri(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build_server(), policy=POLICY, audit=audit)
    async with Client(server) as client:
        public = await client.read_resource("docs://public/intro")
        with pytest.raises(MCPError) as caught:
            await client.read_resource("docs://private/intro")
    assert public.contents[0].text == "public intro"  # type: ignore[union-attr]
    assert caught.value.code == TOOL_DENIED
    assert caught.value.data == {"resource": "docs://private/intro", "reason": "denied"}
    [denied] = named(audit_path, "resource.denied")
    assert denied["resource"] == "docs://private/intro"


async def test_a_policy_naming_only_tools_exposes_no_prompt_or_resource() -> None:
    policy = {"docs": {"allowedTools": ["search"], "default": "deny"}}
    server = secure(build_server(), policy=policy)
    async with Client(server) as client:
        assert (await client.list_prompts()).prompts == []
        assert (await client.list_resources()).resources == []
        with pytest.raises(MCPError):
            await client.read_resource("docs://readme")
        assert (await client.call_tool("search", {"query": "x"})).is_error is False


async def test_programmatic_reads_and_prompts_are_decided_too() -> None:
    # get_prompt() and read_resource() are the layer under the middleware.
    server = secure(build_server(), policy=POLICY)
    with pytest.raises(MCPError) as prompt:
        await server.get_prompt("debug_dump")
    with pytest.raises(MCPError) as resource:
        await server.read_resource("docs://admin")
    assert (prompt.value.code, resource.value.code) == (TOOL_DENIED, TOOL_DENIED)


# -- rate limits ----------------------------------------------------------------------


async def test_a_prompt_limit_refuses_with_retry_after_and_leaves_tools_alone() -> None:
    server = secure(build_server(), limiter={"prompt:*": RateLimiter("1/minute")})
    async with Client(server) as client:
        await client.get_prompt("summarize", {"topic": "a"})
        with pytest.raises(MCPError) as caught:
            await client.get_prompt("summarize", {"topic": "b"})
        for _ in range(3):
            assert (await client.call_tool("search", {"query": "x"})).is_error is False
    assert caught.value.code == RATE_LIMITED
    assert caught.value.data["prompt_name"] == "summarize"
    assert caught.value.data["retry_after"] > 0


async def test_a_read_is_counted_once() -> None:
    # The middleware admits it and the read_resource layer must not count it again.
    server = secure(build_server(), limiter=RateLimiter("2/minute"))
    async with Client(server) as client:
        await client.read_resource("docs://readme")
        await client.read_resource("docs://readme")
        with pytest.raises(MCPError) as caught:
            await client.read_resource("docs://readme")
    assert caught.value.code == RATE_LIMITED


async def test_uris_from_a_template_share_one_bucket() -> None:
    # Otherwise a client could dodge the limit with a fresh URI per read.
    server = secure(build_server(), limiter={"resource:*": RateLimiter("1/minute")})
    async with Client(server) as client:
        await client.read_resource("docs://public/a")
        with pytest.raises(MCPError) as caught:
            await client.read_resource("docs://public/b")
        assert (await client.read_resource("docs://readme")).contents  # its own bucket
    assert caught.value.code == RATE_LIMITED


# -- failures -------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), [("prompt", "broken"), ("resource", "docs://broken")])
async def test_a_failing_prompt_or_resource_leaks_its_key_to_no_log_answer_or_audit_record(
    audit: AuditLog, audit_path: Path, kind: str, name: str
) -> None:
    canary = make_canary()
    Secret(canary)
    server = secure(build_server(canary), audit=audit)
    with LeakCheck(canary) as leaks:
        async with Client(server) as client:
            request = client.get_prompt if kind == "prompt" else client.read_resource
            with pytest.raises(MCPError) as caught:
                await request(name)
    leaks.check(str(caught.value), repr(caught.value.data), audit_path.read_text())
    [error] = named(audit_path, f"{kind}.error")
    assert (error[FIELD[kind]], error["error"]) == (name, "RuntimeError")
    assert any(
        r.name == "openrouter_secure.mcp" and r.levelno == logging.ERROR for r in leaks.records
    )


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("nothing", None, "Unknown prompt: nothing"),
        ("summarize", None, "Missing required arguments"),
    ],
)
async def test_a_refused_prompt_keeps_the_sdks_message_without_an_error_record(
    audit: AuditLog, audit_path: Path, name: str, arguments: Any, message: str
) -> None:
    # The client's mistake, not the server's failure: no traceback, no prompt.error.
    server = secure(build_server(), audit=audit)
    with LeakCheck() as leaks, pytest.raises(MCPError, match=message):
        await server.get_prompt(name, arguments)
    assert named(audit_path, "prompt.error") == []
    assert not [r for r in leaks.records if r.name == "openrouter_secure.mcp"]


async def test_an_unknown_resource_keeps_the_not_found_error() -> None:
    server = secure(build_server())
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource("docs://missing")
    assert "docs://missing" in caught.value.message


def test_an_input_required_answer_from_a_resource_passes_unchanged() -> None:
    # A pydantic model iterates over its fields; it must not be taken for contents.
    from mcp_types import InputRequiredResult

    server = secure(build_server())
    answer = InputRequiredResult(input_requests={}, request_state="state")
    guard = guard_of(server)
    assert guard is not None
    assert guard.clean_contents(answer) is answer


@pytest.mark.parametrize("extra", ["", ", input_type=str] and more"])
async def test_a_bad_prompt_argument_is_not_logged(
    caplog: pytest.LogCaptureFixture, extra: str
) -> None:
    # The model put the user's text into the wrong argument: pydantic quotes it.
    text = "PIN 4417 note " + make_canary()[-8:] + extra
    server: MCPServer[Any] = MCPServer("s")

    @server.prompt()
    def review(line_count: int) -> str:
        return "review"

    secure(server, policy={"s": {"allowedTools": ["prompt:review"]}})
    with caplog.at_level(logging.DEBUG):
        async with Client(server) as client:
            with pytest.raises(MCPError):
                await client.get_prompt("review", {"line_count": text})
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "int_parsing" in logged
    assert text[:20] not in logged
