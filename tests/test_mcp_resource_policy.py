"""The resource policy decides on what the resource function receives, not on the raw
URI a client sent: percent-encoding cannot reach a denied resource or leave an allowed
namespace. Real ``MCPServer``s, the SDK's in-process client, and property tests that
compare the guard's decision with the policy's decision on the value the function
actually received (from an unsecured twin server)."""

from __future__ import annotations

import asyncio
import re
import string
from typing import Any

import pytest

pytest.importorskip("mcp")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError

from openrouter_secure.config._policy import ToolPolicy
from openrouter_secure.mcp import TOOL_DENIED, secure
from openrouter_secure.mcp._secure import guard_of


def files_server(received: list[str] | None = None) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("files")

    @server.resource("files://{name}")
    def read(name: str) -> str:
        if received is not None:
            received.append(name)
        return f"contents of {name}"

    return server


DENY_SECRET = {"files": {"default": "allow", "denyToolsGlob": ["resource:files://secret*"]}}
ALLOW_PUBLIC = {"files": {"allowedToolsGlob": ["resource:files://public-*"], "default": "deny"}}


@pytest.mark.parametrize("uri", ["files://%73ecret", "files://%73%65%63%72%65%74-plans"])
async def test_a_percent_encoded_name_cannot_reach_a_denied_resource(uri: str) -> None:
    received: list[str] = []
    server = secure(files_server(received), policy=DENY_SECRET)
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
        assert (await client.read_resource("files://notes")).contents
    assert caught.value.code == TOOL_DENIED
    assert received == ["notes"]


async def test_an_encoded_traversal_cannot_leave_an_allowed_namespace() -> None:
    received: list[str] = []
    server = secure(files_server(received), policy=ALLOW_PUBLIC)
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.read_resource("files://public-%2E%2E%2Fsecret")
        assert (await client.read_resource("files://public-readme")).contents
    assert caught.value.code == TOOL_DENIED
    assert received == ["public-readme"]


DOT_SEGMENT = r"(?:^|[/\\])\.{1,2}(?:[/\\]|$)"
DOCS_PUBLIC = {"docs": {"allowedToolsGlob": ["resource:docs://public/**"], "default": "deny"}}


@pytest.mark.parametrize(
    "uri",
    [
        "docs://public%2F..%2Fprivate.txt",
        "docs://public%2f%2E%2E%2fprivate.txt",
        "docs://public%5C..%5Cprivate.txt",
        "docs://public%2F.%2F..%2Fprivate.txt",
    ],
)
async def test_a_dot_segment_made_by_decoding_is_refused(uri: str) -> None:
    # The function joins what it receives into a file path: public/../private.txt.
    received: list[str] = []
    server: MCPServer[Any] = MCPServer("docs")

    @server.resource("docs://{path}")
    def read(path: str) -> str:
        received.append(path)
        return "doc"

    secure(server, policy=DOCS_PUBLIC)
    guard = guard_of(server)
    assert guard is not None
    assert guard.decide(uri, "resource").rule == "deny:ambiguous-uri"
    async with Client(server) as client:
        with pytest.raises(MCPError):
            await client.read_resource(uri)
        assert (await client.read_resource("docs://public%2Fa.txt")).contents
    assert received == ["public/a.txt"]


async def test_a_dot_segment_is_refused_through_a_fastmcp_path_template() -> None:
    fastmcp = pytest.importorskip("fastmcp")
    received: list[str] = []
    server = fastmcp.FastMCP("docs")

    @server.resource("docs://{path*}")
    def read(path: str) -> str:
        received.append(path)
        return "doc"

    secure(server, policy=DOCS_PUBLIC)
    async with fastmcp.Client(server) as client:
        for uri in ("docs://public/..%2Fprivate.txt", "docs://public/a%2F..%2F..%2Fprivate.txt"):
            with pytest.raises(Exception, match=r"denied|not allowed|refused"):
                await client.read_resource(uri)
        assert await client.read_resource("docs://public/a.txt")
    assert received == ["public/a.txt"]


async def test_a_double_encoded_name_is_refused_as_ambiguous() -> None:
    # The function would receive "%73ecret": if it decodes once more it reads "secret".
    received: list[str] = []
    server = secure(files_server(received), policy=DENY_SECRET)
    guard = guard_of(server)
    assert guard is not None
    assert guard.decide("files://%2573ecret", "resource").rule == "deny:ambiguous-uri"
    async with Client(server) as client:
        with pytest.raises(MCPError):
            await client.read_resource("files://%2573ecret")
    assert received == []


def test_an_ambiguous_value_the_sdk_would_refuse_anyway_is_refused() -> None:
    guard = guard_of(secure(files_server(), policy={"files": {"default": "allow"}}))
    assert guard is not None
    assert guard.decide("files://%2f%25aa", "resource").rule == "deny:ambiguous-uri"


# -- properties -------------------------------------------------------------------------

# What a resource name may hold, separators and the escape character included.
NAME_CHARS = string.ascii_lowercase[:6] + "-._/%~ " + "é"
UNRESERVED = set(string.ascii_letters + string.digits + "-._~")


@st.composite
def encodings(draw: st.DrawFn, name: str) -> str:
    """One of the ways a client can send ``name`` in a URI: any character
    percent-encoded (either hex case, UTF-8 bytes) or, if unreserved, literal."""
    out = []
    for ch in name:
        if ch in UNRESERVED and draw(st.booleans()):
            out.append(ch)
            continue
        upper = draw(st.booleans())
        for byte in ch.encode("utf-8"):
            out.append(f"%{byte:02X}" if upper else f"%{byte:02x}")
    return "".join(out)


names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=12)
globs = st.sampled_from(
    [
        "resource:files://secret*",
        "resource:files://public-*",
        "resource:files://**",
        "resource:files://*",
        "resource:files://a*",
        "resource:files://*.txt",
    ]
)
policies = st.fixed_dictionaries(
    {
        "denyToolsGlob": st.lists(globs, max_size=2),
        "allowedToolsGlob": st.lists(globs, max_size=2),
        "default": st.sampled_from(["deny", "allow"]),
    }
)


def received_by_the_function(uri: str) -> str | None:
    """What an unsecured server hands its function for ``uri`` (None: not read)."""
    received: list[str] = []
    try:
        asyncio.run(files_server(received).read_resource(uri, None))
    except Exception:  # the SDK refused the URI itself (traversal, not found)
        return None
    return received[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=names, block=policies)
def test_the_decision_is_the_policys_decision_on_what_the_function_receives(
    data: st.DataObject, name: str, block: dict[str, Any]
) -> None:
    uri = "files://" + data.draw(encodings(name))
    policy = ToolPolicy.from_config({"files": block})
    guard = guard_of(secure(files_server(), policy=policy))
    assert guard is not None
    decision = guard.decide(uri, "resource")
    received = received_by_the_function(uri)
    if decision.rule == "deny:ambiguous-uri":
        # Refused, whatever the SDK would do (it may refuse the value itself too).
        assert not decision.allowed
        assert received is None or "%" in received or re.search(DOT_SEGMENT, received)
        return
    if received is None:
        return  # the SDK refuses to read it whatever the policy says
    expected = policy.check("files", f"resource:files://{received}")
    assert decision.allowed == expected.allowed, (uri, received, decision, expected)


tool_names = st.text(alphabet=string.ascii_lowercase[:4] + "_./:", min_size=1, max_size=10)
tool_globs = st.sampled_from(["*", "**", "a*", "*_*", "a.**", "?", "[ab]*", "prompt:*"])


@settings(max_examples=300, deadline=None)
@given(
    name=tool_names,
    deny_glob=tool_globs,
    allow=st.lists(tool_globs, max_size=3),
    default=st.sampled_from(["deny", "allow"]),
)
def test_deny_always_beats_allow(name: str, deny_glob: str, allow: list[str], default: str) -> None:
    block = {
        "allowedTools": [name],
        "allowedToolsGlob": [*allow, deny_glob],
        "denyToolsGlob": [deny_glob],
        "default": default,
    }
    policy = ToolPolicy.from_config({"s": block})
    if policy.check("s", name).allowed:
        # Only when the deny glob does not cover the name.
        from openrouter_secure.config._policy import Glob

        assert not Glob(deny_glob).match(name)
    exact = ToolPolicy.from_config({"s": {**block, "deniedTools": [name]}})
    assert not exact.check("s", name).allowed


@settings(max_examples=200, deadline=None)
@given(name=st.text(alphabet=string.ascii_lowercase + "_-./", min_size=1, max_size=12))
def test_a_tool_glob_never_admits_a_prompt_or_a_resource(name: str) -> None:
    policy = ToolPolicy.from_config({"s": {"allowedToolsGlob": ["*", "**", "?*"]}})
    assert not policy.check("s", f"prompt:{name}").allowed
    assert not policy.check("s", f"resource:{name}").allowed
