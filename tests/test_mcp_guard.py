"""``openrouter_secure.mcp.secure``: a real ``MCPServer`` driven by the SDK's in-process client.

Every test talks MCP through ``mcp.Client(server)`` (the SDK's own client and
dispatcher; nothing is patched) and reads the audit log file the run wrote.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError

from openrouter_secure._exceptions import UnsafePathError
from openrouter_secure._secret import Secret
from openrouter_secure.audit._log import AuditLog
from openrouter_secure.config._policy import ToolPolicy
from openrouter_secure.limits._ratelimit import RateLimiter
from openrouter_secure.mcp import (
    RATE_LIMITED,
    TOOL_DENIED,
    ClientIdentity,
    argument_shape,
    confine_path,
    secure,
)
from openrouter_secure.mcp._types import is_path_argument, shape_list
from openrouter_secure.testing import LeakCheck, assert_no_leak, make_canary
from tests.mcp_audit import events, fields, read_audit


def build_server(secret_value: str = "") -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("notes")

    @server.tool()
    def read_note(name: str) -> str:
        """Read a note."""
        return f"note {name}"

    @server.tool()
    def admin_reset() -> str:
        """Dangerous."""
        return "reset"

    @server.tool()
    def admin_status() -> str:
        """Harmless admin tool."""
        return "ok"

    @server.tool()
    def leaky() -> dict[str, str]:
        """Returns a secret by mistake."""
        return {"value": f"the key is {secret_value}"}

    @server.tool()
    def crash() -> str:
        raise RuntimeError(f"backend refused key {secret_value}")

    return server


POLICY = {
    "notes": {
        "allowedTools": ["read_note", "leaky", "crash"],
        "allowedToolsGlob": ["admin_*"],
        "deniedTools": ["admin_reset"],
        "default": "deny",
    }
}


def make_policy(config: dict[str, Any]) -> ToolPolicy:
    return ToolPolicy.from_config(config)


def make_limiter(per_minute: int) -> RateLimiter:
    return RateLimiter(f"{per_minute}/minute")


async def names(client: Client) -> set[str]:
    return {t.name for t in (await client.list_tools()).tools}


# -- policy ---------------------------------------------------------------------------


async def test_denied_tools_are_hidden_from_the_listing(audit: AuditLog) -> None:
    server = secure(build_server(), policy=make_policy(POLICY), audit=audit)
    async with Client(server) as client:
        listed = await names(client)
    assert "admin_reset" not in listed
    assert {"read_note", "leaky", "crash"} <= listed


async def test_an_exact_deny_beats_an_allow_glob_and_unlisted_tools_get_the_default(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build_server(), policy=make_policy(POLICY), audit=audit)

    @server.tool()
    def unlisted() -> str:
        return "?"

    async with Client(server) as client:
        listed = await names(client)
        assert (await client.call_tool("admin_status", {})).is_error is False
        for name in ("admin_reset", "unlisted"):
            with pytest.raises(MCPError):
                await client.call_tool(name, {})
    assert "admin_status" in listed
    assert not {"admin_reset", "unlisted"} & listed
    rules = {
        fields(r)["tool"]: fields(r)["rule"]
        for r in read_audit(audit_path)
        if r["event"] in ("tool.allowed", "tool.denied")
    }
    assert rules == {
        "admin_status": "allow:glob:admin_*",
        "admin_reset": "deny:exact:admin_reset",
        "unlisted": "default:deny",
    }


async def test_a_server_the_policy_does_not_name_exposes_nothing() -> None:
    with pytest.warns(UserWarning, match="no entry for the server name 'other'"):
        server = secure(build_server(), policy=make_policy(POLICY), server_name="other")
    async with Client(server) as client:
        assert await names(client) == set()
        with pytest.raises(MCPError):
            await client.call_tool("read_note", {"name": "a"})


async def test_a_policy_mapping_is_accepted() -> None:
    server = secure(build_server(), policy=POLICY)
    async with Client(server) as client:
        assert "admin_reset" not in await names(client)


async def test_calling_a_hidden_tool_by_name_is_refused_and_audited(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build_server(), policy=make_policy(POLICY), audit=audit)
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.call_tool("admin_reset", {})
    assert caught.value.code == TOOL_DENIED
    assert caught.value.data["reason"] == "denied"
    denied = [fields(r) for r in events(audit_path, "tool.denied")]
    assert len(denied) == 1
    assert denied[0]["tool"] == "admin_reset"
    assert denied[0]["server"] == "notes"
    assert denied[0]["rule"] == "deny:exact:admin_reset"


async def test_a_programmatic_call_is_refused_too(audit: AuditLog) -> None:
    # call_tool() is the layer under the middleware: it must decide on its own.
    server = secure(build_server(), policy=make_policy(POLICY), audit=audit)
    with pytest.raises(MCPError) as caught:
        await server.call_tool("admin_reset", {})
    assert caught.value.code == TOOL_DENIED


def test_the_wrapped_tool_function_refuses_when_called_directly(audit: AuditLog) -> None:
    server = secure(build_server(), policy=make_policy(POLICY), audit=audit)
    tool = server._tool_manager.get_tool("admin_reset")
    assert tool is not None
    with pytest.raises(MCPError):
        tool.fn()


async def test_tools_registered_after_secure_are_guarded(audit: AuditLog) -> None:
    server = secure(build_server(), policy=make_policy(POLICY), audit=audit)

    @server.tool()
    def drop_all() -> str:
        return "dropped"

    async with Client(server) as client:
        assert "drop_all" not in await names(client)
        with pytest.raises(MCPError) as caught:
            await client.call_tool("drop_all", {})
    assert caught.value.code == TOOL_DENIED


async def test_allowed_calls_are_audited_with_the_argument_shape_only(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build_server(), policy=make_policy(POLICY), audit=audit)
    private = "my private diary entry"
    async with Client(server) as client:
        result = await client.call_tool("read_note", {"name": private})
    assert result.is_error is False
    allowed = [fields(r) for r in events(audit_path, "tool.allowed")]
    assert allowed[-1]["tool"] == "read_note"
    assert allowed[-1]["argument_shape"] == [f"name: str[{len(private)}]"]
    assert allowed[-1]["client"] == "local"
    assert private not in audit_path.read_text()


async def test_log_arguments_records_content_sanitized(audit: AuditLog, audit_path: Path) -> None:
    canary = make_canary()
    Secret(canary)  # registers the value with the known-secrets registry
    server = secure(build_server(), audit=audit, log_arguments=True)
    async with Client(server) as client:
        await client.call_tool("read_note", {"name": f"note-{canary}"})
    text = audit_path.read_text()
    assert "note-" in text
    assert_no_leak(canary, text)


def test_secure_twice_is_refused() -> None:
    server = secure(build_server())
    with pytest.raises(Exception, match="already secured"):
        secure(server)


def test_argument_shape_describes_types_and_lengths() -> None:
    shape = argument_shape(
        {"a": "xyz", "n": 3, "f": 1.5, "ok": True, "l": [1, 2], "d": {"k": None}}
    )
    assert shape == {
        "a": "str[3]",
        "n": "int",
        "f": "float",
        "ok": "bool",
        "l": "list[2]",
        "d": {"k": "NoneType"},
    }


@pytest.mark.parametrize(
    "arguments",
    [
        {"prompt": {"{text}": 1}},
        {"prompt": {"word": "x"}},
        {"user_message": {"nested": {"word": 1}}},
        {"entries": {"{text}": "fr"}},
        {"{text}": 1},
    ],
    ids=["text-key-under-prompt", "word-key-under-prompt", "nested", "text-key", "top"],
)
def test_argument_shape_never_writes_key_text(arguments: dict[str, Any]) -> None:
    # A client may use text as a key; "word" stands for one that looks like a name.
    text = "summarise the record of patient " + make_canary()[-12:]
    filled = eval(repr(arguments).replace("{text}", text))  # noqa: S307 - test data
    lines = shape_list(filled)
    assert text not in repr(lines)
    assert "word" not in repr(lines)
    assert all("str[" in line or "int" in line for line in lines)


# -- rate limits ----------------------------------------------------------------------


async def test_rate_limit_refuses_with_retry_after(audit: AuditLog, audit_path: Path) -> None:
    server = secure(build_server(), limiter=make_limiter(2), audit=audit)
    async with Client(server) as client:
        for _ in range(2):
            assert (await client.call_tool("read_note", {"name": "a"})).is_error is False
        with pytest.raises(MCPError) as caught:
            await client.call_tool("read_note", {"name": "a"})
    assert caught.value.code == RATE_LIMITED
    assert caught.value.data["reason"] == "rate_limited"
    assert caught.value.data["retry_after"] > 0
    assert "retry after" in caught.value.message
    limited = [fields(r) for r in events(audit_path, "tool.rate_limited")]
    assert limited
    assert limited[0]["tool"] == "read_note"


async def test_each_call_is_counted_once() -> None:
    # Middleware and call_tool both guard; the admission must be counted once.
    server = secure(build_server(), limiter=make_limiter(3))
    async with Client(server) as client:
        for _ in range(3):
            assert (await client.call_tool("read_note", {"name": "a"})).is_error is False
        with pytest.raises(MCPError):
            await client.call_tool("read_note", {"name": "a"})


async def test_rate_limits_are_per_tool() -> None:
    server = secure(build_server(), limiter=make_limiter(1))
    async with Client(server) as client:
        await client.call_tool("read_note", {"name": "a"})
        with pytest.raises(MCPError):
            await client.call_tool("read_note", {"name": "a"})
        assert (await client.call_tool("admin_status", {})).is_error is False


async def test_rate_limits_are_per_client() -> None:
    # Two clients, told apart by the identify hook (the default keys on the
    # authenticated principal or the HTTP session; see test_mcp_stdio for transports).
    who = {"value": "alice"}
    server = secure(
        build_server(),
        limiter=make_limiter(1),
        identify=lambda ctx: ClientIdentity(who["value"]),
    )
    async with Client(server) as client:
        await client.call_tool("read_note", {"name": "a"})
        with pytest.raises(MCPError):
            await client.call_tool("read_note", {"name": "a"})
        who["value"] = "bob"
        assert (await client.call_tool("read_note", {"name": "a"})).is_error is False


async def test_a_limiter_per_tool_glob() -> None:
    strict, loose = make_limiter(1), make_limiter(100)
    server = secure(build_server(), limiter={"read_*": strict, "*": loose})
    async with Client(server) as client:
        await client.call_tool("read_note", {"name": "a"})
        with pytest.raises(MCPError):
            await client.call_tool("read_note", {"name": "a"})
        for _ in range(3):
            assert (await client.call_tool("admin_status", {})).is_error is False


# -- sanitizing -----------------------------------------------------------------------


async def test_a_returned_key_is_masked_in_text_and_structured_content() -> None:
    canary = make_canary()
    Secret(canary)
    server = secure(build_server(canary))
    with LeakCheck(canary) as leaks:
        async with Client(server) as client:
            result = await client.call_tool("leaky", {})
    assert result.is_error is False
    assert result.structured_content is not None
    assert "the key is" in result.structured_content["value"]
    leaks.check(result, result.model_dump_json())


async def test_a_crash_with_a_key_in_its_message_reaches_the_client_generic(
    audit: AuditLog, audit_path: Path
) -> None:
    canary = make_canary()
    Secret(canary)
    server = secure(build_server(canary), audit=audit)
    with LeakCheck(canary) as leaks:
        async with Client(server) as client:
            result = await client.call_tool("crash", {})
    assert result.is_error is True
    assert result.content[0].text == "Error executing tool crash"  # type: ignore[union-attr]
    # The detail reached the log, sanitized.
    assert any("backend refused key" in text for text in leaks.texts)
    leaks.check(result.model_dump_json(), audit_path.read_text())
    assert [fields(r)["error"] for r in events(audit_path, "tool.error")] == ["RuntimeError"]


async def test_a_tool_error_with_a_key_is_shown_masked() -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    canary = make_canary()
    Secret(canary)
    server: MCPServer[Any] = MCPServer("t")

    @server.tool()
    def refuse() -> str:
        raise ToolError(f"upstream said no to {canary}")

    secure(server)
    with LeakCheck(canary) as leaks:
        async with Client(server) as client:
            result = await client.call_tool("refuse", {})
    assert result.is_error is True
    assert "upstream said no" in result.content[0].text  # type: ignore[union-attr]
    leaks.check(result.model_dump_json())


async def test_an_async_tool_is_guarded_and_sanitized() -> None:
    canary = make_canary()
    Secret(canary)
    server: MCPServer[Any] = MCPServer("t")

    @server.tool()
    async def fetch() -> str:
        return f"token={canary}"

    secure(server, policy=make_policy({"allowedTools": ["fetch"]}))
    async with Client(server) as client:
        result = await client.call_tool("fetch", {})
    assert_no_leak(canary, result.model_dump_json())
    assert "token=" in result.content[0].text  # type: ignore[union-attr]


# -- path confinement ---------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "root"
    (base / "sub").mkdir(parents=True)
    (base / "sub" / "a.txt").write_text("hello")
    (tmp_path / "outside.txt").write_text("private")
    return base


def test_confine_accepts_paths_inside(root: Path) -> None:
    assert confine_path("sub/a.txt", root) == (root / "sub" / "a.txt").resolve()
    assert confine_path(str(root / "sub"), [root]) == (root / "sub").resolve()
    assert confine_path("sub/new-file.txt", root).name == "new-file.txt"
    assert confine_path("sub/../sub/a.txt", root) == (root / "sub" / "a.txt").resolve()


@pytest.mark.parametrize(
    "attack",
    ["../outside.txt", "sub/../../outside.txt", "/etc/passwd", "", "sub/\x00a"],
)
def test_confine_refuses_escapes(root: Path, attack: str) -> None:
    with pytest.raises(UnsafePathError) as caught:
        confine_path(attack, root)
    if attack:
        assert attack not in str(caught.value)


def test_confine_refuses_a_symlink_that_points_outside(root: Path) -> None:
    os.symlink(root.parent / "outside.txt", root / "sub" / "link.txt")
    os.symlink(root.parent, root / "escape")
    with pytest.raises(UnsafePathError):
        confine_path("sub/link.txt", root)
    with pytest.raises(UnsafePathError):
        confine_path("escape/outside.txt", root)


def test_confine_follows_a_symlink_that_stays_inside(root: Path) -> None:
    os.symlink(root / "sub" / "a.txt", root / "alias.txt")
    assert confine_path("alias.txt", root) == (root / "sub" / "a.txt").resolve()


def test_confine_checks_every_root(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assert confine_path(str(other / "x"), [root, other]) == (other / "x").resolve()


async def test_a_tool_refusing_a_path_tells_the_client_why(root: Path) -> None:
    server: MCPServer[Any] = MCPServer("files")

    @server.tool()
    def read_file(path: str) -> str:
        return confine_path(path, [root]).read_text()

    secure(server)
    async with Client(server) as client:
        ok = await client.call_tool("read_file", {"path": "sub/a.txt"})
        bad = await client.call_tool("read_file", {"path": "../outside.txt"})
    assert ok.content[0].text == "hello"  # type: ignore[union-attr]
    assert bad.is_error is True
    assert "resolves outside" in bad.content[0].text  # type: ignore[union-attr]
    assert "private" not in bad.model_dump_json()


def test_importing_without_the_sdk_names_the_extra(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['mcp'] = None\n"
        "import openrouter_secure\n"
        "try:\n"
        "    import openrouter_secure.mcp\n"
        "except openrouter_secure.MissingDependencyError as e:\n"
        "    print('MISSING', e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert 'pip install "openrouter-secure[mcp]"' in out.stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("path", True),
        ("file_path", True),
        ("outputDir", True),
        ("source_paths", True),
        ("filename", True),
        ("xpath_query", False),
        ("profile", False),
        ("model", False),
    ],
)
def test_path_arguments_are_recognised_by_name(name: str, expected: bool) -> None:
    assert is_path_argument(name) is expected


async def test_allowed_roots_confine_path_arguments_before_the_tool_runs(
    root: Path, audit: AuditLog, audit_path: Path
) -> None:
    seen: list[str] = []
    server: MCPServer[Any] = MCPServer("files")

    @server.tool()
    def read_file(path: str) -> str:
        seen.append(path)
        return Path(path).read_text()

    secure(server, allowed_roots=[root], audit=audit)
    async with Client(server) as client:
        ok = await client.call_tool("read_file", {"path": "sub/a.txt"})
        escapes = [
            await client.call_tool("read_file", {"path": p})
            for p in ("../outside.txt", str(root.parent / "outside.txt"))
        ]
    assert ok.content[0].text == "hello"  # type: ignore[union-attr]
    # The tool got the resolved path, not one relative to the server's working directory.
    assert seen == [str((root / "sub" / "a.txt").resolve())]
    for result in escapes:
        assert result.is_error is True
        assert "argument 'path'" in result.content[0].text  # type: ignore[union-attr]
    assert len(events(audit_path, "tool.path_refused")) == 2


async def test_the_docs_example_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first Python block of docs/mcp.md, run as written in an empty directory.
    text = (Path(__file__).resolve().parent.parent / "docs" / "mcp.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert len([line for line in code.splitlines() if line.strip()]) <= 13
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(code, "docs/mcp.md", "exec"), namespace)  # noqa: S102 - our own docs
    (tmp_path / "notes" / "today.md").write_text("buy milk")
    (tmp_path / "private.txt").write_text("PRIVATE-CONTENT")
    async with Client(namespace["server"]) as client:
        ok = await client.call_tool("read_note", {"path": "today.md"})
        escape = await client.call_tool("read_note", {"path": "../private.txt"})
    assert ok.content[0].text == "buy milk"  # type: ignore[union-attr]
    assert escape.is_error is True
    assert "PRIVATE-CONTENT" not in escape.model_dump_json()


async def test_an_unregistered_openrouter_key_in_a_result_is_masked_by_the_rules() -> None:
    # Not wrapped in a Secret: only the sanitizer's detection rules can catch it.
    canary = make_canary()
    server = secure(build_server(canary))
    async with Client(server) as client:
        result = await client.call_tool("leaky", {})
    assert_no_leak(canary, result.model_dump_json())


async def test_invalid_arguments_are_logged_by_field_name_only() -> None:
    private = "the text of a private message the user typed"
    server = secure(build_server())
    with LeakCheck() as leaks:
        async with Client(server) as client:
            result = await client.call_tool("read_note", {"name": [private]})
    assert result.is_error is True
    assert any("rejected arguments" in text for text in leaks.texts)
    assert_no_leak(private, *leaks.texts)


class _BrokenPolicy:
    def check(self, server: str, tool: str) -> Any:
        raise RuntimeError("policy store unreachable")


class _BrokenLimiter:
    async def ahit(self, key: str) -> Any:
        raise ConnectionError("limiter storage down")


async def test_a_failing_policy_denies(audit: AuditLog, audit_path: Path) -> None:
    server = secure(build_server(), policy=_BrokenPolicy(), audit=audit)
    async with Client(server) as client:
        assert await names(client) == set()
        with pytest.raises(MCPError) as caught:
            await client.call_tool("read_note", {"name": "a"})
    assert caught.value.code == TOOL_DENIED
    assert fields(events(audit_path, "tool.denied")[0])["rule"] == "deny:policy-error"


async def test_a_failing_limiter_refuses() -> None:
    server = secure(build_server(), limiter=_BrokenLimiter())
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.call_tool("read_note", {"name": "a"})
    assert caught.value.code == RATE_LIMITED
    assert caught.value.data["retry_after"] > 0
    assert "storage down" not in caught.value.message


async def test_resources_and_prompts_are_sanitized_too() -> None:
    canary = make_canary()
    Secret(canary)
    server: MCPServer[Any] = MCPServer("t")

    @server.resource("config://app")
    def app_config() -> str:
        return f"api_key={canary}"

    @server.prompt()
    def debug_prompt() -> str:
        return f"use the key {canary}"

    secure(server)
    async with Client(server) as client:
        resource = await client.read_resource("config://app")
        prompt = await client.get_prompt("debug_prompt")
    assert "api_key=" in resource.contents[0].text  # type: ignore[union-attr]
    assert "use the key" in prompt.messages[0].content.text  # type: ignore[union-attr]
    assert_no_leak(canary, resource.model_dump_json(), prompt.model_dump_json())
