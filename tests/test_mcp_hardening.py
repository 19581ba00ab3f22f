"""``secure()`` hardened: log redaction for the process, a warning for a policy that
does not name the server, refused calls counted and folded in the audit log, each
call's outcome and duration audited, argument shapes for every argument, a crash
logged once, and the server classes it accepts (MCPServer and fastmcp) and refuses.

Real servers, the SDK's in-process client, the audit log file read back."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError

from openrouter_secure import ConfigurationError, remove_log_redaction
from openrouter_secure.audit._log import AuditLog
from openrouter_secure.limits._ratelimit import RateLimiter
from openrouter_secure.mcp import RATE_LIMITED, TOOL_DENIED, secure
from openrouter_secure.mcp._secure import guard_of
from openrouter_secure.testing import LeakCheck, assert_no_leak, make_canary
from tests.mcp_audit import events, fields


def build(secret: str = "") -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("notes")

    @server.tool()
    def echo(message: str, prompt: str, options: dict[str, Any] | None = None) -> str:
        return "ok"

    @server.tool()
    def broken() -> str:
        raise RuntimeError(f"backend refused key {secret}")

    @server.tool()
    def admin() -> str:
        return "admin"

    return server


POLICY = {"notes": {"allowedTools": ["echo", "broken"], "default": "deny"}}


@pytest.fixture
def clean_logging() -> Iterator[None]:
    yield
    remove_log_redaction()


def recorded(path: Path, event: str) -> list[dict[str, Any]]:
    return [fields(r) for r in events(path, event)]


# -- log redaction ------------------------------------------------------------------------


async def test_secure_redacts_a_dependencys_debug_log(clean_logging: None) -> None:
    # A dependency logging the command line it runs, with a key in it, at DEBUG.
    key = make_canary()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    dependency = logging.getLogger("git.cmd")
    dependency.addHandler(handler)
    dependency.setLevel(logging.DEBUG)
    try:
        secure(build(), policy=POLICY)
        dependency.debug("Popen(['git', 'log', '--since=%s'])", key)
    finally:
        dependency.removeHandler(handler)
    assert "Popen" in stream.getvalue()
    assert_no_leak(key, stream.getvalue())


async def test_a_handler_added_after_secure_is_covered_once_the_server_runs(
    clean_logging: None,
) -> None:
    key = make_canary()
    server = secure(build(), policy=POLICY)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)  # e.g. logging.basicConfig() in main()
    try:
        async with Client(server) as client:
            await client.list_tools()
        logging.getLogger("some.dependency").warning("token %s", key)
    finally:
        logging.getLogger().removeHandler(handler)
    assert "token" in stream.getvalue()
    assert_no_leak(key, stream.getvalue())


def test_without_log_redaction_secure_says_how_to_install_it() -> None:
    with pytest.warns(UserWarning, match=r"install_log_redaction\(\)"):
        secure(build(), policy=POLICY, log_redaction=False)


# -- the policy's server name ---------------------------------------------------------


def test_a_policy_without_the_servers_name_warns_naming_both() -> None:
    policy = {"mcpServers": {"git": {"allowedTools": ["log"]}, "time": {"default": "allow"}}}
    with pytest.warns(UserWarning, match="no entry for the server name") as caught:
        secure(build(), policy=policy, server_name="mcp-git")
    # Only this warning: another one (log redaction installed elsewhere) may come too.
    [message] = [str(w.message) for w in caught if "no entry" in str(w.message)]
    assert "'mcp-git'" in message
    assert "'git', 'time'" in message


def test_a_policy_with_the_servers_name_does_not_warn(recwarn: pytest.WarningsRecorder) -> None:
    secure(build(), policy=POLICY)
    assert not [w for w in recwarn if "no entry" in str(w.message)]


# -- refused calls ----------------------------------------------------------------------


async def test_denied_calls_count_toward_the_rate_limit() -> None:
    pytest.importorskip("limits")
    server = secure(build(), policy=POLICY, limiter=RateLimiter("3/minute"))
    codes = []
    async with Client(server) as client:
        for _ in range(5):
            with pytest.raises(MCPError) as caught:
                await client.call_tool("admin", {})
            codes.append(caught.value.code)
    assert codes == [TOOL_DENIED] * 3 + [RATE_LIMITED] * 2


async def test_repeated_identical_denials_are_folded_in_the_audit_log(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build(), policy=POLICY, audit=audit)
    async with Client(server) as client:
        for _ in range(50):
            with pytest.raises(MCPError):
                await client.call_tool("admin", {})
        with pytest.raises(MCPError):
            await client.call_tool("other", {})
    assert len(recorded(audit_path, "tool.denied")) == 2
    guard = guard_of(server)
    assert guard is not None
    guard.repeats.flush()
    denied = recorded(audit_path, "tool.denied")
    assert [(d["tool"], d.get("repeated")) for d in denied] == [
        ("admin", None),
        ("other", None),
        ("admin", 49),
    ]


def test_a_folded_count_is_written_when_its_window_has_passed() -> None:
    from openrouter_secure.mcp._records import RepeatFolder

    now = [0.0]
    written: list[tuple[str, dict[str, Any]]] = []
    folder = RepeatFolder(
        lambda event, **f: written.append((event, f)), window=10, clock=lambda: now[0]
    )
    for _ in range(5):
        folder.record("tool.denied", ("a",), tool="a")
    now[0] = 11.0
    folder.tick()
    folder.record("tool.denied", ("a",), tool="a")
    assert written == [
        ("tool.denied", {"tool": "a"}),
        ("tool.denied", {"tool": "a", "repeated": 4}),
        ("tool.denied", {"tool": "a"}),
    ]


def test_the_folder_holds_a_bounded_number_of_keys() -> None:
    from openrouter_secure.mcp._records import RepeatFolder

    written: list[tuple[str, dict[str, Any]]] = []
    folder = RepeatFolder(lambda event, **f: written.append((event, f)), max_keys=4)
    for i in range(100):
        folder.record("tool.denied", (str(i),), tool=str(i))
        folder.record("tool.denied", (str(i),), tool=str(i))
    assert len(folder._pending) <= 4
    assert sum(f.get("repeated", 0) for _, f in written) == 96  # the rest are pending


# -- outcomes ---------------------------------------------------------------------------


async def test_each_call_records_its_outcome_and_duration(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build(), audit=audit)  # no policy: an unknown name is allowed
    async with Client(server) as client:
        await client.call_tool("echo", {"message": "hello", "prompt": "hi"})
        assert (await client.call_tool("broken", {})).is_error
        assert (await client.call_tool("nothing", {})).is_error
    finished = recorded(audit_path, "tool.finished")
    assert [(f["tool"], f["outcome"]) for f in finished] == [
        ("echo", "completed"),
        ("broken", "failed"),
        ("nothing", "unknown"),
    ]
    assert all(isinstance(f["duration_ms"], float) and f["duration_ms"] >= 0 for f in finished)


async def test_a_programmatic_call_records_its_outcome_once(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build(), audit=audit)
    await server.call_tool("echo", {"message": "a", "prompt": "b"})
    assert [f["outcome"] for f in recorded(audit_path, "tool.finished")] == ["completed"]


async def test_every_argument_has_its_shape_content_named_ones_too(
    audit: AuditLog, audit_path: Path
) -> None:
    server = secure(build(), policy=POLICY, audit=audit)
    arguments = {"message": "hello", "prompt": "hi!", "options": {"text": "abcd", "n": 2}}
    async with Client(server) as client:
        await client.call_tool("echo", arguments)
    [allowed] = recorded(audit_path, "tool.allowed")
    assert allowed["argument_shape"] == [
        "message: str[5]",
        "prompt: str[3]",
        "options.text: str[4]",
        "options.n: int",
    ]
    assert "hello" not in audit_path.read_text()


# -- crashes ----------------------------------------------------------------------------


async def test_a_tool_crash_is_logged_once_sanitized(audit: AuditLog, audit_path: Path) -> None:
    key = make_canary()
    server = secure(build(key), policy=POLICY, audit=audit)
    with LeakCheck(key) as leaks:
        async with Client(server) as client:
            result = await client.call_tool("broken", {})
    assert result.is_error
    tracebacks = [r for r in leaks.records if "Traceback" in r.getMessage() or r.exc_info]
    assert len(tracebacks) == 1
    assert tracebacks[0].name == "openrouter_secure.mcp"
    assert recorded(audit_path, "tool.error")[0]["error"] == "RuntimeError"


# -- server classes ---------------------------------------------------------------------


def test_a_low_level_server_is_refused_naming_its_class_and_the_gateway() -> None:
    server: Server[Any] = Server("raw")
    with pytest.raises(ConfigurationError) as caught:
        secure(server)  # type: ignore[type-var]
    message = str(caught.value)
    assert "mcp.server.lowlevel.server.Server" in message
    assert "MCPServer" in message
    assert "fastmcp" in message
    assert "openrouter-secure gateway" in message


def fastmcp_server(key: str) -> Any:
    fastmcp = pytest.importorskip("fastmcp")
    server = fastmcp.FastMCP("fm")

    @server.tool
    def lookup(query: str) -> dict[str, str]:
        return {key: f"value {key}", "query": query}

    @server.tool
    def admin() -> str:
        return "admin"

    @server.prompt
    def summarize(topic: str) -> str:
        return f"Summarize {topic} with {key}"

    @server.prompt
    def debug_dump() -> str:
        return "dump"

    @server.resource("files://{name}")
    def read(name: str) -> str:
        return f"file {name}: {key}"

    return server


FASTMCP_POLICY = {
    "fm": {
        "allowedTools": ["lookup", "prompt:summarize"],
        "allowedToolsGlob": ["resource:files://public-*"],
        "default": "deny",
    }
}


@pytest.mark.parametrize("kind", ["MCPServer", "FastMCP"])
def test_either_kind_of_server_gets_a_guard_with_the_settings_given(
    kind: str, tmp_path: Path
) -> None:
    from openrouter_secure import Sanitizer
    from openrouter_secure.mcp._types import default_identify

    sanitizer = Sanitizer()
    server = build() if kind == "MCPServer" else fastmcp_server(make_canary())
    policy = {"named": {"allowedTools": ["echo"], "default": "deny"}}
    secure(
        server,
        policy=policy,
        sanitizer=sanitizer,
        server_name="named",
        log_arguments=True,
        allowed_roots=[tmp_path],
    )
    guard = guard_of(server)
    assert guard is not None
    assert guard.policy is not None
    assert guard.policy.has_server("named")  # type: ignore[attr-defined]
    settings = (guard.server_name, guard.sanitizer, guard.log_arguments, guard.identify)
    assert settings == ("named", sanitizer, True, default_identify)
    assert guard.allowed_roots == [str(tmp_path.resolve())]


async def test_a_fastmcp_server_is_secured_through_its_middleware(
    audit: AuditLog, audit_path: Path
) -> None:
    key = make_canary()
    server = secure(fastmcp_server(key), policy=FASTMCP_POLICY, audit=audit)
    # The SDK's own client, connected in-process to fastmcp's low-level server.
    async with Client(server._mcp_server) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        result = await client.call_tool("lookup", {"query": "q"})
        prompt = await client.get_prompt("summarize", {"topic": "t"})
        resource = await client.read_resource("files://public-a")
        refused = []
        for call in (
            client.call_tool("admin", {}),
            client.get_prompt("debug_dump"),
            client.read_resource("files://public-%2E%2E%2Fsecret"),
        ):
            with pytest.raises(MCPError) as caught:
                await call
            refused.append(caught.value.code)
    assert tools == {"lookup"}
    assert prompts == {"summarize"}
    assert refused == [TOOL_DENIED] * 3
    assert result.structured_content == {
        "sk-o...***MASKED***": "value sk-o...***MASKED***",
        "query": "q",
    }
    assert_no_leak(
        key,
        result.model_dump_json(),
        prompt.model_dump_json(),
        resource.model_dump_json(),
        audit_path.read_text(),
    )
    assert [f["outcome"] for f in recorded(audit_path, "tool.finished")] == ["completed"]
    assert recorded(audit_path, "tool.denied")[0]["tool"] == "admin"


# -- an unsupported SDK -----------------------------------------------------------------


def test_importing_with_mcp_1_names_the_version_the_range_and_the_gateway(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    # A real mcp 1.x, first on sys.path of a fresh interpreter (its other dependencies
    # are the venv's own).
    target = tmp_path / "mcp1"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         "mcp>=1.20,<2", "httpx-sse>=0.4"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if install.returncode != 0:
        from tests.services import service_missing

        service_missing(f"cannot install mcp 1.x from the package index: {install.stderr[-300:]}")
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(target)!r})\n"
        "import mcp, importlib.metadata as m\n"
        "print('VERSION', m.version('mcp'))\n"
        "import openrouter_secure\n"
        "try:\n"
        "    import openrouter_secure.mcp\n"
        "except openrouter_secure.MissingDependencyError as e:\n"
        "    print('ERROR', e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    version = out.stdout.split("VERSION ", 1)[1].split()[0]
    assert version.startswith("1.")
    error = out.stdout.split("ERROR ", 1)[1]
    assert f"mcp {version} is installed" in error
    assert "mcp>=2.3,<3" in error
    assert "openrouter-secure gateway" in error
    assert "could not import" not in error


async def test_a_fastmcp_completion_for_a_denied_prompt_is_refused() -> None:
    import mcp_types as t

    server = fastmcp_server(make_canary())

    @server.completion
    async def complete(ref: Any, argument: Any, context: Any) -> list[str]:
        return ["a", "b"]

    secure(server, policy=FASTMCP_POLICY)
    async with Client(server._mcp_server) as client:
        with pytest.raises(MCPError) as caught:
            await client.complete(t.PromptReference(name="debug_dump"), {"name": "x", "value": ""})
        allowed = await client.complete(
            t.PromptReference(name="summarize"), {"name": "topic", "value": ""}
        )
    assert caught.value.code == TOOL_DENIED
    assert allowed.completion.values == ["a", "b"]


async def test_fastmcp_tool_arguments_are_confined(tmp_path: Path) -> None:
    fastmcp = pytest.importorskip("fastmcp")
    root = tmp_path / "root"
    root.mkdir()
    (root / "a.txt").write_text("inside")
    secret = make_canary()
    (tmp_path / "outside.txt").write_text(secret)
    server = fastmcp.FastMCP("fm")
    seen: list[str] = []

    @server.tool
    def read(path: str) -> str:
        seen.append(path)
        return Path(path).read_text()

    secure(server, allowed_roots=[root])
    async with Client(server._mcp_server) as client:
        inside = await client.call_tool("read", {"path": "a.txt"})
        outside = await client.call_tool("read", {"path": str(tmp_path / "outside.txt")})
    assert inside.content[0].text == "inside"  # type: ignore[union-attr]
    assert seen == [str((root / "a.txt").resolve())]
    assert outside.is_error
    assert "argument 'path'" in outside.content[0].text  # type: ignore[union-attr]
    assert_no_leak(secret, outside.model_dump_json())


async def test_denials_of_invented_names_are_folded_too(audit: AuditLog, audit_path: Path) -> None:
    server = secure(build(), policy=POLICY, audit=audit)
    async with Client(server) as client:
        for i in range(30):
            with pytest.raises(MCPError):
                await client.call_tool(f"invented_{i}", {})
    guard = guard_of(server)
    assert guard is not None
    guard.repeats.flush()
    denied = recorded(audit_path, "tool.denied")
    assert [(d["tool"], d.get("repeated")) for d in denied] == [
        ("invented_0", None),
        ("invented_29", 29),
    ]
