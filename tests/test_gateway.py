"""``openrouter-secure gateway`` end to end: the SDK's client over stdio to the gateway,
in front of real third-party servers (``server-everything`` and ``server-filesystem``
from npm, run with node; ``mcp-server-time`` from PyPI; a Python server that leaks its
key everywhere). Each test drives one session through many checks (a session costs
about a second)."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

import anyio
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CreateMessageResult,
    ElicitResult,
    ListRootsResult,
    PromptReference,
    ResourceTemplateReference,
    Root,
    TextContent,
)

from openrouter_secure.mcp import RATE_LIMITED, TOOL_DENIED
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.gateway_servers import (
    GATEWAY,
    NpmServers,
    child_env,
    events,
    gateway_client,
    npm_servers,
    read_audit,
    write_policy,
)
from tests.services import free_port, service_missing, wait_for

__all__ = ["npm_servers"]

# The SDK warns that ping, logging and resources/subscribe are gone in its newest
# protocol version; server-everything still offers them, and they must pass through.
pytestmark = pytest.mark.filterwarnings("ignore:.*2026-07-28")

ROOT = Path(__file__).resolve().parent.parent

#: What the policy lets through of server-everything; every other tool is refused.
ALLOWED_TOOLS = [
    "echo",
    "get-annotated-message",
    "get-resource-links",
    "get-resource-reference",
    "get-structured-content",
    "get-sum",
    "get-tiny-image",
    "toggle-simulated-logging",
    "toggle-subscriber-updates",
    "trigger-long-running-operation",
    "trigger-sampling-request",
    "trigger-elicitation-request",
    "get-roots-list",
]
#: Refused by policy: get-env prints the environment, gzip-file-as-resource fetches a
#: URL, simulate-research-query and the -async tools need client-side tasks (the
#: server offers the latter only to clients that have them; called anyway, refused).
DENIED_TOOLS = [
    "get-env",
    "gzip-file-as-resource",
    "simulate-research-query",
    "trigger-sampling-request-async",
    "trigger-elicitation-request-async",
    "trigger-url-elicitation",
]


@pytest.fixture
def time_server(tmp_path: Path) -> tuple[Path, str]:
    """A policy allowing ``get_current_time`` of the ``time`` server, and that server's
    executable (mcp-server-time, from PyPI)."""
    exe = shutil.which("mcp-server-time", path=str(Path(sys.executable).parent))
    if exe is None:
        service_missing("mcp-server-time is in the test dependency group; pip install it")
    return write_policy(tmp_path / "p.json", "time", allowedTools=["get_current_time"]), exe


def initialize(client: str) -> dict[str, Any]:
    """The ``initialize`` request (id 1) of a host named ``client``, as raw JSON-RPC."""
    params = {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": client, "version": "1"},
    }
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}


def wait_listening(port: int, what: str, timeout: float = 30) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""

    def listening() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, timeout, what)


def run_gateway(
    args: list[str], *, env: dict[str, str] | None = None, **options: Any
) -> subprocess.CompletedProcess[str]:
    """``openrouter-secure gateway ARGS`` run to its end (60 s at most), its output
    captured as text; ``env`` defaults to :func:`child_env`."""
    return subprocess.run(
        [*GATEWAY, *args],
        capture_output=True,
        text=True,
        env=child_env() if env is None else env,
        timeout=60,
        **options,
    )


@contextlib.contextmanager
def http_gateway(
    tmp_path: Path, policy: Path, upstream: list[str], *, env: str, source: str, token: str
) -> Iterator[str]:
    """``gateway --transport http`` on a free port, hosts let in by the bearer ``token``,
    relaying to ``upstream`` started with ``--env env`` (``NAME=env://ORS_GW_SRC``, which
    holds ``source``); audit log ``audit.jsonl`` and stderr ``stderr.txt`` in
    ``tmp_path``. Yields the URL once the gateway listens; stops it after."""
    port = free_port()
    command = [*GATEWAY, "--policy", str(policy), "--audit", str(tmp_path / "audit.jsonl")]
    command += ["--transport", "http", "--port", str(port)]
    command += ["--http-token", "env://ORS_GW_HTTP_TOKEN", "--env", env, "--", *upstream]
    with (tmp_path / "stderr.txt").open("w") as err:
        gateway = subprocess.Popen(
            command,
            env=child_env(ORS_GW_SRC=source, ORS_GW_HTTP_TOKEN=token),
            stdout=err,
            stderr=err,
        )
    try:
        wait_listening(port, "the gateway's HTTP listener")
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        gateway.terminate()
        gateway.wait(timeout=15)


def everything_policy(tmp_path: Path) -> Path:
    return write_policy(
        tmp_path / "policy.json",
        "everything",
        allowedTools=[*ALLOWED_TOOLS, "prompt:simple-prompt", "prompt:completable-prompt"],
        allowedToolsGlob=[
            "resource:demo://resource/static/**",
            "resource:demo://resource/dynamic/text/**",
        ],
    )


async def sampling(context: Any, params: Any) -> CreateMessageResult:
    return CreateMessageResult(
        role="assistant", content=TextContent(type="text", text="sampled"), model="test-model"
    )


async def elicitation(context: Any, params: Any) -> ElicitResult:
    return ElicitResult(action="decline")


async def roots(context: Any) -> ListRootsResult:
    return ListRootsResult(roots=[Root(uri="file:///tmp/ors-root", name="root")])  # type: ignore[arg-type]


@pytest.mark.service("npm")
def test_every_server_everything_feature_passes_or_is_refused(
    npm_servers: NpmServers, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    errlog = tmp_path / "stderr.txt"
    logs: list[Any] = []
    progress: list[float] = []
    args = [
        "--policy",
        str(everything_policy(tmp_path)),
        "--audit",
        str(audit),
        "--",
        npm_servers.node,
        str(npm_servers.everything),
        "stdio",
    ]

    async def on_log(params: Any) -> None:
        logs.append(params)

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(done)

    async def main() -> None:
        async with gateway_client(
            args,
            errlog,
            child_env(),
            sampling_callback=sampling,
            elicitation_callback=elicitation,
            list_roots_callback=roots,
            logging_callback=on_log,
        ) as client:
            await client.send_ping()
            listed = {t.name for t in (await client.list_tools()).tools}
            assert listed == set(ALLOWED_TOOLS)
            for name in DENIED_TOOLS:
                with pytest.raises(MCPError) as e:
                    await client.call_tool(name, {})
                assert e.value.error.code == TOOL_DENIED

            echo = await client.call_tool("echo", {"message": "hello"})
            assert echo.content[0].text == "Echo: hello"  # type: ignore[union-attr]
            total = await client.call_tool("get-sum", {"a": 2, "b": 3})
            assert "5" in total.content[0].text  # type: ignore[union-attr]
            image = await client.call_tool("get-tiny-image", {})
            blobs = [c for c in image.content if c.type == "image"]
            assert base64.b64decode(blobs[0].data).startswith(b"\x89PNG")  # type: ignore[union-attr]
            structured = await client.call_tool("get-structured-content", {"location": "Chicago"})
            assert structured.structured_content is not None
            assert "temperature" in structured.structured_content
            annotated = await client.call_tool("get-annotated-message", {"messageType": "error"})
            assert annotated.content
            links = await client.call_tool("get-resource-links", {"count": 2})
            assert any(c.type == "resource_link" for c in links.content)
            ref = await client.call_tool("get-resource-reference", {"resourceId": 2})
            assert any(c.type == "resource" for c in ref.content)
            long = await client.call_tool(
                "trigger-long-running-operation",
                {"duration": 0.3, "steps": 3},
                progress_callback=on_progress,
            )
            assert long.content
            assert progress  # progress notifications came through
            sampled = await client.call_tool("trigger-sampling-request", {"prompt": "hi"})
            assert "sampled" in json.dumps(sampled.model_dump(mode="json"))
            elicited = await client.call_tool("trigger-elicitation-request", {})
            assert "decline" in json.dumps(elicited.model_dump(mode="json")).lower()
            listed_roots = await client.call_tool("get-roots-list", {})
            assert "ors-root" in json.dumps(listed_roots.model_dump(mode="json"))

            await client.set_logging_level("debug")
            await client.call_tool("toggle-simulated-logging", {})
            with anyio.fail_after(10):
                while not logs:
                    await anyio.sleep(0.05)
            await client.call_tool("toggle-simulated-logging", {})

            prompts = {p.name for p in (await client.list_prompts()).prompts}
            assert prompts == {"simple-prompt", "completable-prompt"}
            simple = await client.get_prompt("simple-prompt")
            assert simple.messages
            with pytest.raises(MCPError) as e:
                await client.get_prompt("args-prompt", {"city": "Paris"})
            assert e.value.error.code == TOOL_DENIED
            completion = await client.complete(
                PromptReference(type="ref/prompt", name="completable-prompt"),
                {"name": "department", "value": "E"},
            )
            assert completion.completion.values
            with pytest.raises(MCPError):
                await client.complete(
                    PromptReference(type="ref/prompt", name="resource-prompt"),
                    {"name": "resourceType", "value": "T"},
                )

            resources = [str(r.uri) for r in (await client.list_resources()).resources]
            assert resources
            assert all(u.startswith("demo://resource/static/") for u in resources)
            doc = await client.read_resource(resources[0])
            assert doc.contents
            templates = [
                t.uri_template for t in (await client.list_resource_templates()).resource_templates
            ]
            assert templates == ["demo://resource/dynamic/text/{resourceId}"]
            dynamic = await client.read_resource("demo://resource/dynamic/text/1")
            assert dynamic.contents
            with pytest.raises(MCPError) as e:
                await client.read_resource("demo://resource/dynamic/blob/1")
            assert e.value.error.code == TOOL_DENIED
            # an encoded '/' or '.' could be decoded by the upstream: refused
            with pytest.raises(MCPError):
                await client.read_resource("demo://resource/static/document/%2E%2E%2Fsecret")
            with pytest.raises(MCPError):
                await client.read_resource("demo://resource/static/../dynamic/blob/1")
            await client.subscribe_resource(resources[0])
            await client.unsubscribe_resource(resources[0])
            with pytest.raises(MCPError):
                await client.subscribe_resource("demo://resource/dynamic/blob/1")
            with pytest.raises(MCPError):
                await client.complete(
                    ResourceTemplateReference(
                        type="ref/resource", uri="demo://resource/dynamic/blob/{resourceId}"
                    ),
                    {"name": "resourceId", "value": "1"},
                )

    anyio.run(main)

    async def upstream_tools() -> set[str]:
        from mcp import Client, StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(
            command=npm_servers.node, args=[str(npm_servers.everything), "stdio"]
        )
        with (tmp_path / "direct.txt").open("w") as err:
            async with Client(
                stdio_client(params, err),
                sampling_callback=sampling,
                elicitation_callback=elicitation,
                list_roots_callback=roots,
            ) as direct:
                return {t.name for t in (await direct.list_tools()).tools}

    # every tool the server offers (to a client with these capabilities) is covered:
    # exercised through the gateway, or refused by its policy
    offered = anyio.run(upstream_tools)
    assert set(ALLOWED_TOOLS) <= offered
    assert offered - set(ALLOWED_TOOLS) <= set(DENIED_TOOLS)
    seen = list(events(audit))
    denied = {f.get("tool") for e, f in seen if e == "tool.denied"}
    assert denied == set(DENIED_TOOLS)
    assert ("tool.finished", "echo") in {(e, f.get("tool")) for e, f in seen}
    assert any(e == "prompt.denied" for e, _ in seen)
    assert any(e == "resource.denied" for e, _ in seen)
    from openrouter_secure.audit import verify_audit_file

    assert verify_audit_file(audit).ok


@pytest.mark.service("npm")
def test_no_leak_from_a_node_server(npm_servers: NpmServers, tmp_path: Path) -> None:
    """The key the upstream holds (in its environment, from a reference) appears
    nowhere the host or the audit log sees, even when a tool prints the environment
    and the host sends the key as an argument."""
    canary = make_canary()
    audit = tmp_path / "audit.jsonl"
    errlog = tmp_path / "stderr.txt"
    policy = write_policy(tmp_path / "p.json", "everything", allowedTools=["echo", "get-env"])
    args = [
        "--policy",
        str(policy),
        "--audit",
        str(audit),
        "--env",
        "UPSTREAM_KEY=env://ORS_GW_SRC",
    ]
    args += ["--", npm_servers.node, str(npm_servers.everything), "stdio"]
    seen: list[Any] = []

    async def main() -> None:
        async with gateway_client(args, errlog, child_env(ORS_GW_SRC=canary)) as client:
            env = await client.call_tool("get-env", {})
            text = env.content[0].text  # type: ignore[union-attr]
            assert "UPSTREAM_KEY" in text  # the key reached the upstream...
            seen.append(env.model_dump(mode="json"))
            seen.append((await client.call_tool("echo", {"message": canary})).model_dump())
            seen.append((await client.list_tools()).model_dump())
            for bad in ({"a": canary}, {"nope": canary, "message": 3}):
                # invalid arguments: an error result or a JSON-RPC error, both checked
                try:
                    failed = await client.call_tool("get-sum" if "a" in bad else "echo", bad)
                    assert failed.is_error
                    seen.append(failed.model_dump(mode="json"))
                except MCPError as exc:
                    seen.append(repr(exc))

    anyio.run(main)
    assert_no_leak(canary, json.dumps(seen, default=str), errlog.read_text(), audit.read_text())


def test_no_leak_from_a_python_server(tmp_path: Path) -> None:
    """Results, structured content (values and keys), errors, log notifications,
    progress, resources, prompts and stderr of a leaky Python server, all masked."""
    canary = make_canary()
    audit = tmp_path / "audit.jsonl"
    errlog = tmp_path / "stderr.txt"
    policy = write_policy(
        tmp_path / "p.json",
        "leaky",
        allowedTools=[
            "leak",
            "fail",
            "rpc_error",
            "prompt:leaky_prompt",
            "resource:leaky://config",
        ],
    )
    server = str(ROOT / "tests" / "gateway_leaky_server.py")
    args = ["--policy", str(policy), "--audit", str(audit), "--env", "LEAKY_KEY=env://ORS_GW_SRC"]
    args += ["--", sys.executable, server]
    seen: list[Any] = []

    async def on_log(params: Any) -> None:
        seen.append(params.model_dump(mode="json"))

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        seen.append(message)

    async def main() -> None:
        async with gateway_client(
            args, errlog, child_env(ORS_GW_SRC=canary), logging_callback=on_log
        ) as client:
            result = await client.call_tool("leak", {"note": canary}, progress_callback=on_progress)
            assert result.structured_content is not None
            seen.append(result.model_dump(mode="json"))
            failed = await client.call_tool("fail", {})
            seen.append(failed.model_dump(mode="json"))
            with pytest.raises(MCPError) as e:
                await client.call_tool("rpc_error", {})
            assert "backend refused" in e.value.error.message
            seen.append(e.value.error.model_dump(mode="json"))
            seen.append((await client.read_resource("leaky://config")).model_dump(mode="json"))
            seen.append((await client.get_prompt("leaky_prompt")).model_dump(mode="json"))
            await anyio.sleep(0.2)

    anyio.run(main)
    assert len(seen) >= 5
    log = errlog.read_text()
    assert "using key" in log  # stderr came through, sanitized
    assert_no_leak(canary, json.dumps(seen, default=str), log, audit.read_text())


@pytest.mark.service("npm")
def test_filesystem_server_with_confined_paths(npm_servers: NpmServers, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "note.txt").write_text("inside")
    (tmp_path / "outside.txt").write_text("content beyond the root")
    policy = write_policy(
        tmp_path / "p.json",
        "filesystem",
        allowedTools=["read_text_file", "list_directory", "list_allowed_directories"],
    )
    audit = tmp_path / "audit.jsonl"
    args = ["--policy", str(policy), "--audit", str(audit), "--allowed-root", str(data)]
    args += ["--", npm_servers.node, str(npm_servers.filesystem), str(tmp_path)]

    async def main() -> None:
        async with gateway_client(args, tmp_path / "stderr.txt", child_env()) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert names == {"read_text_file", "list_directory", "list_allowed_directories"}
            ok = await client.call_tool("read_text_file", {"path": str(data / "note.txt")})
            assert ok.content[0].text == "inside"  # type: ignore[union-attr]
            # the upstream allows tmp_path; the gateway confines to data/
            out = await client.call_tool(
                "read_text_file", {"path": str(data / ".." / "outside.txt")}
            )
            assert out.is_error
            assert "beyond the root" not in out.content[0].text  # type: ignore[union-attr]
            with pytest.raises(MCPError):
                await client.call_tool("write_file", {"path": str(data / "x"), "content": "x"})

    anyio.run(main)
    assert not (data / "x").exists()
    assert any(e == "tool.path_refused" for e, _ in events(audit))


def test_python_server_from_pypi_and_rate_limits(
    time_server: tuple[Path, str], tmp_path: Path
) -> None:
    policy, exe = time_server
    args = ["--policy", str(policy), "--rate-limit", "2/minute", "--", exe]

    async def main() -> None:
        async with gateway_client(args, tmp_path / "stderr.txt", child_env()) as client:
            assert [t.name for t in (await client.list_tools()).tools] == ["get_current_time"]
            for _ in range(2):
                now = await client.call_tool("get_current_time", {"timezone": "UTC"})
                assert "UTC" in now.content[0].text  # type: ignore[union-attr]
            with pytest.raises(MCPError) as e:
                await client.call_tool("get_current_time", {"timezone": "UTC"})
            assert e.value.error.code == RATE_LIMITED
            with pytest.raises(MCPError) as e:
                await client.call_tool("convert_time", {})
            assert e.value.error.code == TOOL_DENIED

    anyio.run(main)


def test_observe_mode_refuses_nothing_and_records_everything(
    time_server: tuple[Path, str], tmp_path: Path
) -> None:
    policy, exe = time_server
    audit = tmp_path / "audit.jsonl"
    args = ["--policy", str(policy), "--audit", str(audit), "--observe", "--", exe]

    async def main() -> None:
        async with gateway_client(args, tmp_path / "stderr.txt", child_env()) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert names == {"get_current_time", "convert_time"}
            converted = await client.call_tool(
                "convert_time",
                {"source_timezone": "UTC", "time": "12:00", "target_timezone": "UTC"},
            )
            assert not converted.is_error

    anyio.run(main)
    records = read_audit(audit)
    denied = [r for r in records if r["event"] == "tool.denied"]
    assert denied
    assert denied[0]["fields"]["tool"] == "convert_time"
    assert denied[0]["fields"]["observed"] is True
    assert any(r["event"] == "tool.list_filtered" for r in records)


def test_unresolvable_reference_starts_no_upstream(tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "p.json", "x", allowedTools=["a"])
    marker = tmp_path / "started"
    touch = ["--", "touch", str(marker)]
    proc = run_gateway(["--policy", str(policy), "--env", "K=env://ORS_GW_MISSING", *touch])
    assert proc.returncode == 2
    assert "K (env://ORS_GW_MISSING)" in proc.stderr
    assert not marker.exists()


def test_a_server_name_the_policy_lacks_is_refused(tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "p.json", "git", allowedTools=["a"])
    proc = run_gateway(["--policy", str(policy), "--server-name", "mcp-git", "--", "true"])
    assert proc.returncode == 2
    assert "'mcp-git'" in proc.stderr
    assert "'git'" in proc.stderr


def test_a_credential_in_the_upstream_urls_path_stays_out_of_the_log(tmp_path: Path) -> None:
    """Hosted servers hand out URLs with the credential in the path: httpx's and the
    SDK's log lines (``--log-level DEBUG``) name that URL."""
    import secrets as pysecrets

    token, path_token = pysecrets.token_urlsafe(24), pysecrets.token_urlsafe(24)
    port = free_port()
    with (tmp_path / "server.txt").open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "gateway_leaky_server.py"),
                "http",
                str(port),
                f"/s/{path_token}/mcp",
            ],
            env=child_env(LEAKY_KEY=make_canary(), LEAKY_TOKEN=token),
            stdout=log,
            stderr=log,
        )
    try:
        wait_listening(port, "the leaky HTTP server", 20)
        policy = write_policy(tmp_path / "p.json", "leaky", allowedTools=["leak"])
        errlog = tmp_path / "stderr.txt"
        args = ["--policy", str(policy), "--log-level", "DEBUG"]
        args += ["--url", f"http://127.0.0.1:{port}/s/{path_token}/mcp"]
        args += ["--bearer-token", "env://ORS_GW_TOKEN"]

        async def main() -> None:
            async with gateway_client(args, errlog, child_env(ORS_GW_TOKEN=token)) as client:
                assert [t.name for t in (await client.list_tools()).tools] == ["leak"]

        anyio.run(main)
        logged = errlog.read_text()
        assert "HTTP Request" in logged
        assert_no_leak([path_token, token], logged)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_http_upstream_with_a_bearer_token_and_no_leak(tmp_path: Path) -> None:
    """``--url`` relays to a streamable-HTTP server, sending the token a reference
    resolves to; what the server leaks is masked as on stdio."""
    import secrets as pysecrets

    canary = make_canary()
    token = pysecrets.token_urlsafe(24)
    port = free_port()
    server_log = tmp_path / "server.txt"
    with server_log.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "gateway_leaky_server.py"), "http", str(port)],
            env=child_env(LEAKY_KEY=canary, LEAKY_TOKEN=token),
            stdout=log,
            stderr=log,
        )
    try:
        wait_listening(port, "the leaky HTTP server", 20)
        policy = write_policy(tmp_path / "p.json", "leaky", allowedTools=["leak", "rpc_error"])
        audit = tmp_path / "audit.jsonl"
        errlog = tmp_path / "stderr.txt"
        args = ["--policy", str(policy), "--audit", str(audit)]
        args += ["--url", f"http://127.0.0.1:{port}/mcp", "--bearer-token", "env://ORS_GW_TOKEN"]
        seen: list[Any] = []

        async def main() -> None:
            env = child_env(ORS_GW_TOKEN=token)
            async with gateway_client(args, errlog, env) as client:
                names = [t.name for t in (await client.list_tools()).tools]
                assert sorted(names) == ["leak", "rpc_error"]
                result = await client.call_tool("leak", {"note": "x"})
                seen.append(result.model_dump(mode="json"))
                with pytest.raises(MCPError) as e:
                    await client.call_tool("rpc_error", {})
                seen.append(e.value.error.model_dump(mode="json"))
                with pytest.raises(MCPError):
                    await client.call_tool("fail", {})

        anyio.run(main)
        assert "MASKED" in json.dumps(seen)
        assert_no_leak([canary, token], json.dumps(seen), errlog.read_text(), audit.read_text())
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_http_host_side_with_token_origin_checks_and_no_leak(tmp_path: Path) -> None:
    """``--transport http``: the host reaches the gateway over streamable HTTP behind a
    bearer token (401 without it, 403 for a foreign Origin); each session gets its own
    upstream; what the upstream leaks is masked."""
    import secrets as pysecrets

    import httpx
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    canary = make_canary()
    token = pysecrets.token_urlsafe(24)
    policy = write_policy(tmp_path / "p.json", "leaky", allowedTools=["leak", "fail"])
    audit = tmp_path / "audit.jsonl"
    errlog = tmp_path / "stderr.txt"
    upstream = [sys.executable, str(ROOT / "tests" / "gateway_leaky_server.py")]
    seen: list[Any] = []
    env = "LEAKY_KEY=env://ORS_GW_SRC"
    with http_gateway(tmp_path, policy, upstream, env=env, source=canary, token=token) as url:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        accept = {"accept": "application/json, text/event-stream"}
        assert httpx.post(url, json=body, headers=accept).status_code == 401
        foreign = {**accept, "authorization": f"Bearer {token}", "origin": "http://evil.example"}
        assert httpx.post(url, json=body, headers=foreign).status_code == 403
        time.sleep(0.5)
        assert "starting with" not in errlog.read_text()  # no upstream was started

        async def main() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                create_mcp_http_client(headers=headers) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                names = sorted(t.name for t in (await client.list_tools()).tools)
                assert names == ["fail", "leak"]
                seen.append((await client.call_tool("leak", {"note": "n"})).model_dump(mode="json"))
                seen.append((await client.call_tool("fail", {})).model_dump(mode="json"))
                with pytest.raises(MCPError) as e:
                    await client.call_tool("rpc_error", {})
                assert e.value.error.code == TOOL_DENIED

        anyio.run(main)
    assert "MASKED" in json.dumps(seen)
    assert_no_leak([canary, token], json.dumps(seen), errlog.read_text(), audit.read_text())
    clients = {f["client"] for _, f in events(audit)}
    assert len(clients) == 1
    assert next(iter(clients)).startswith("session:")


@pytest.mark.service("redis")
def test_rate_limits_in_redis_are_shared_by_gateway_processes(
    redis_url: str, time_server: tuple[Path, str], tmp_path: Path
) -> None:
    policy, exe = time_server
    args = ["--policy", str(policy), "--rate-limit", "3/minute"]
    args += ["--rate-limit-storage", redis_url, "--", exe]
    arguments = {"timezone": "UTC"}

    async def session(calls: int) -> list[int]:
        outcomes = []
        async with gateway_client(args, tmp_path / "stderr.txt", child_env()) as client:
            for _ in range(calls):
                try:
                    await client.call_tool("get_current_time", arguments)
                    outcomes.append(0)
                except MCPError as exc:
                    outcomes.append(exc.error.code)
        return outcomes

    assert anyio.run(session, 2) == [0, 0]
    # another gateway process, the same client key: one call left in the shared budget
    assert anyio.run(session, 2) == [0, RATE_LIMITED]


def test_the_gateway_exits_with_the_upstreams_code_and_sanitizes_its_stderr(
    tmp_path: Path,
) -> None:
    canary = make_canary()
    policy = write_policy(tmp_path / "p.json", "x", allowedTools=["a"])
    crash = "import os, sys; print('dying with ' + os.environ['K'], file=sys.stderr); sys.exit(3)"
    upstream = ["--", sys.executable, "-c", crash]
    proc = run_gateway(
        ["--policy", str(policy), "--env", "K=env://ORS_GW_SRC", *upstream],
        env=child_env(ORS_GW_SRC=canary),
    )
    assert proc.returncode == 3
    assert "dying with" in proc.stderr
    assert_no_leak(canary, proc.stderr, proc.stdout)


@pytest.mark.service("npm")
def test_http_host_side_in_front_of_a_node_server_leaks_nothing(
    npm_servers: NpmServers, tmp_path: Path
) -> None:
    import secrets as pysecrets

    import httpx
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    canary = make_canary()
    token = pysecrets.token_urlsafe(24)
    allowed = ["echo", "get-env", "trigger-sampling-request", "trigger-long-running-operation"]
    policy = write_policy(tmp_path / "p.json", "everything", allowedTools=allowed)
    audit = tmp_path / "audit.jsonl"
    errlog = tmp_path / "stderr.txt"
    upstream = [npm_servers.node, str(npm_servers.everything), "stdio"]
    seen: list[Any] = []
    env = "UPSTREAM_KEY=env://ORS_GW_SRC"
    with http_gateway(tmp_path, policy, upstream, env=env, source=canary, token=token) as url:

        async def main() -> None:
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                create_mcp_http_client(headers=headers) as http,
                Client(
                    streamable_http_client(url, http_client=http), sampling_callback=sampling
                ) as client,
            ):
                env = await client.call_tool("get-env", {})
                assert "UPSTREAM_KEY" in env.content[0].text  # type: ignore[union-attr]
                seen.append(env.model_dump(mode="json"))
                echo = await client.call_tool("echo", {"message": canary})
                seen.append(echo.model_dump(mode="json"))
                # a request from the upstream to the host, during a call, over HTTP
                with anyio.fail_after(20):
                    sampled = await client.call_tool("trigger-sampling-request", {"prompt": "x"})
                assert "sampled" in json.dumps(sampled.model_dump(mode="json"))
                progress: list[float] = []

                async def on_progress(done: float, total: float | None, msg: str | None) -> None:
                    progress.append(done)

                with anyio.fail_after(20):
                    await client.call_tool(
                        "trigger-long-running-operation",
                        {"duration": 0.3, "steps": 3},
                        progress_callback=on_progress,
                    )
                assert progress

        anyio.run(main)
        # A host that never opens the session's GET stream still gets the progress of
        # its call, on the call's own stream.
        raw = {
            "authorization": f"Bearer {token}",
            "accept": "application/json, text/event-stream",
            "content-type": "application/json",
        }
        init = initialize("raw")
        with httpx.Client(timeout=30) as http:
            opened = http.post(url, json=init, headers=raw)
            session = {**raw, "mcp-session-id": opened.headers["mcp-session-id"]}
            http.post(
                url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=session
            )
            call = {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "tools/call",
                "params": {
                    "name": "trigger-long-running-operation",
                    "arguments": {"duration": 0.3, "steps": 3},
                    "_meta": {"progressToken": "p-1"},
                },
            }
            stream = http.post(url, json=call, headers=session).text
        assert "notifications/progress" in stream
        assert '"id":2' in stream.replace(" ", "")
    assert_no_leak([canary, token], json.dumps(seen), errlog.read_text(), audit.read_text())


def test_requests_from_a_file_are_answered_before_the_gateway_exits(
    time_server: tuple[Path, str], tmp_path: Path
) -> None:
    """stdin may be a regular file (a script's requests): the gateway reads it, and
    waits for the answers owed before it exits."""
    policy, exe = time_server
    init = initialize("script")
    denied = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "rm"}}
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps(init) + "\n" + json.dumps(denied) + "\n")
    with requests.open("rb") as stdin:
        proc = run_gateway(["--policy", str(policy), "--", exe], stdin=stdin)
    answers = {m["id"]: m for m in map(json.loads, proc.stdout.splitlines())}
    assert answers[1]["result"]["serverInfo"]["name"] == "mcp-time"
    assert answers[2]["error"]["code"] == TOOL_DENIED


def test_an_unreachable_http_upstream_is_one_clear_error(tmp_path: Path) -> None:
    import secrets as pysecrets

    password = pysecrets.token_urlsafe(16)
    token = pysecrets.token_urlsafe(24)
    policy = write_policy(tmp_path / "p.json", "x", allowedTools=["a"])
    url = f"http://user:{password}@127.0.0.1:{free_port()}/mcp"
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    proc = run_gateway(
        ["--policy", str(policy), "--url", url, "--bearer-token", "env://ORS_GW_T"],
        input=json.dumps(init) + "\n",
        env=child_env(ORS_GW_T=token),
    )
    assert proc.returncode == 2
    assert "ConnectError" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert_no_leak([password, token], proc.stderr, proc.stdout)


def test_a_missing_upstream_command_is_127(tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "p.json", "x", allowedTools=["a"])
    proc = run_gateway(["--policy", str(policy), "--", "/nonexistent/ors-server"], input="")
    assert proc.returncode == 127
    assert "upstream command not found" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.service("npm")
def test_a_request_id_still_in_flight_is_refused_end_to_end(
    time_server: tuple[Path, str], tmp_path: Path
) -> None:
    """A host that reuses the id of a call in flight for a listing gets an error for
    the listing, and exactly one answer under that id (the call's)."""
    policy, exe = time_server
    init = initialize("script")
    params = {"name": "get_current_time", "arguments": {"timezone": "UTC"}}
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params}
    listing = {"jsonrpc": "2.0", "id": 7, "method": "tools/list"}
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(json.dumps(m) for m in (init, call, listing)) + "\n")
    with requests.open("rb") as stdin:
        proc = run_gateway(["--policy", str(policy), "--", exe], stdin=stdin)
    answers = [m for m in map(json.loads, proc.stdout.splitlines()) if m.get("id") == 7]
    assert len(answers) == 2
    refused = [m for m in answers if "error" in m]
    assert [m["error"]["message"] for m in refused] == ["Invalid Request: id already in use"]
    assert not any("tools" in (m.get("result") or {}) for m in answers)
