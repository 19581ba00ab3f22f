"""Every field of every MCP result is sanitized by one walk: tool results of every
content type, prompt messages, resource contents, completions and errors, through the
SDK's in-process client (nothing patched). Each test plants canaries in the fields the
text-only sanitizing used to leave alone and searches the whole answer for them."""

from __future__ import annotations

import base64
from typing import Any

import pytest

pytest.importorskip("mcp")

import mcp_types as t
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.prompts.base import UserMessage
from mcp.shared.exceptions import MCPError

from openrouter_secure._sanitize._sanitizer import default_sanitizer
from openrouter_secure.mcp import TOOL_DENIED, secure
from openrouter_secure.testing import assert_no_leak, make_canary


def every_block(key: str) -> list[Any]:
    """One content block of each kind, with ``key`` in every text field and in ``_meta``."""
    meta = {key: key, "note": key}
    return [
        t.TextContent(text=f"text {key}", _meta=meta),
        t.ResourceLink(
            uri=f"file:///tmp/{key}", name=key, description=f"see {key}", title=key, _meta=meta
        ),
        t.ImageContent(
            data=base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\xff").decode(),
            mime_type="image/png",
            annotations=t.Annotations(audience=["user"]),
            _meta=meta,
        ),
        t.EmbeddedResource(
            resource=t.TextResourceContents(uri=f"mem://{key}", text=key, _meta=meta),
            _meta=meta,
        ),
        t.EmbeddedResource(
            resource=t.BlobResourceContents(
                uri=f"mem://{key}/blob",
                blob=base64.b64encode(f"plain text {key}".encode()).decode(),
                mime_type="application/octet-stream",
            )
        ),
    ]


def build(key: str) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("results")

    @server.tool()
    def everything() -> t.CallToolResult:
        return t.CallToolResult(
            content=every_block(key),
            structured_content={key: {"nested": [key, {key: 1}]}, "plain": key},
            _meta={key: key, "trace": key},
        )

    @server.prompt()
    def briefing() -> list[UserMessage]:
        return [UserMessage(block) for block in every_block(key)]

    @server.resource("mem://doc", mime_type="text/plain")
    def doc() -> str:
        return f"doc {key}"

    @server.resource("mem://bin", mime_type="application/octet-stream")
    def binary() -> bytes:
        return f"binary holding {key}".encode()

    @server.tool()
    def refuse() -> str:
        raise MCPError(-32000, f"refused {key}", {key: key, "why": key})

    return server


async def test_every_field_of_a_tool_result_is_sanitized() -> None:
    key = make_canary()
    server = secure(build(key))
    async with Client(server) as client:
        result = await client.call_tool("everything", {})
    wire = result.model_dump_json(by_alias=True)
    assert_no_leak(key, wire, base64.b64decode(result.content[4].resource.blob).decode())  # type: ignore[union-attr]
    # The media itself is passed byte-exact.
    image = result.content[2]
    assert isinstance(image, t.ImageContent)
    assert base64.b64decode(image.data) == b"\x89PNG\r\n\x1a\n\x00\xff"


async def test_every_field_of_a_prompt_is_sanitized() -> None:
    key = make_canary()
    server = secure(build(key))
    async with Client(server) as client:
        result = await client.get_prompt("briefing")
    assert [m.content.type for m in result.messages] == [
        "text", "resource_link", "image", "resource", "resource"
    ]  # fmt: skip
    assert_no_leak(key, result.model_dump_json(by_alias=True))


async def test_text_and_text_in_binary_resource_contents_are_sanitized() -> None:
    key = make_canary()
    server = secure(build(key))
    async with Client(server) as client:
        text = await client.read_resource("mem://doc")
        blob = await client.read_resource("mem://bin")
    decoded = base64.b64decode(blob.contents[0].blob).decode()  # type: ignore[union-attr]
    assert decoded.startswith("binary holding ")
    assert_no_leak(key, text.model_dump_json(by_alias=True), decoded)


async def test_an_error_raised_by_a_tool_is_sanitized_data_included() -> None:
    key = make_canary()
    server = secure(build(key))
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.call_tool("refuse", {})
    assert caught.value.data is not None
    assert_no_leak(key, caught.value.message, repr(caught.value.data))


def test_the_walk_is_generic_over_mappings_models_and_dataclasses() -> None:
    from mcp.server.lowlevel.helper_types import ReadResourceContents

    from openrouter_secure.mcp._results import sanitize_result

    key = make_canary()
    s = default_sanitizer()
    contents = ReadResourceContents(content=key, mime_type="text/plain", meta={key: key})
    wire = {"result": {key: [key, (key,)], "x": t.TextContent(text=key)}}
    assert_no_leak(key, repr(sanitize_result(contents, s)), repr(sanitize_result(wire, s)))


# -- completion/complete --------------------------------------------------------------


def completing(key: str) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("docs")

    @server.prompt()
    def summarize(topic: str) -> str:
        return f"Summarize {topic}."

    @server.prompt()
    def secret_dump(topic: str) -> str:
        return "dump"

    @server.resource("docs://private/{name}")
    def private(name: str) -> str:
        return name

    @server.completion()
    async def complete(ref: Any, argument: Any, context: Any) -> t.Completion:
        return t.Completion(values=[f"{argument.value}-{key}", "plain"], total=2)

    return server


COMPLETION_POLICY = {"docs": {"allowedTools": ["prompt:summarize"], "default": "deny"}}


@pytest.mark.parametrize(
    "ref",
    [
        t.PromptReference(name="secret_dump"),
        t.ResourceTemplateReference(uri="docs://private/{name}"),
    ],
    ids=["prompt", "resource-template"],
)
async def test_completion_for_a_denied_item_is_refused(ref: Any) -> None:
    server = secure(completing(make_canary()), policy=COMPLETION_POLICY)
    async with Client(server) as client:
        with pytest.raises(MCPError) as caught:
            await client.complete(ref, {"name": "topic", "value": "a"})
    assert caught.value.code == TOOL_DENIED
    assert caught.value.data["reason"] == "denied"  # type: ignore[index]


async def test_completion_for_an_allowed_prompt_is_sanitized() -> None:
    key = make_canary()
    server = secure(completing(key), policy=COMPLETION_POLICY)
    async with Client(server) as client:
        result = await client.complete(
            t.PromptReference(name="summarize"), {"name": "topic", "value": "a"}
        )
    assert result.completion.values[1] == "plain"
    assert_no_leak(key, result.model_dump_json(by_alias=True))


# -- fuzz ---------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CANARY = make_canary()
_LEAF = st.one_of(
    st.just(CANARY),
    # Spaced: the rules' own edge cases are the Sanitizer's tests; this one is the walk's.
    st.builds(lambda a, b: f"{a} {CANARY} {b}", st.text(max_size=5), st.text(max_size=5)),
    st.text(max_size=8),
    st.integers(),
    st.none(),
)
_KEY = st.one_of(st.just(CANARY), st.text(min_size=1, max_size=6))
_TREE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_KEY, inner, max_size=4),
        st.builds(lambda v: t.TextContent(text=str(v), _meta={"v": v}), inner),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(tree=_TREE, meta=st.dictionaries(_KEY, _LEAF, max_size=3))
def test_no_canary_survives_the_walk_anywhere_in_a_result(tree: Any, meta: dict[str, Any]) -> None:
    from openrouter_secure.mcp._results import sanitize_result

    s = default_sanitizer()
    result = t.CallToolResult(
        content=[t.TextContent(text=str(tree), _meta=meta)],
        structured_content={"data": tree, **meta},
        _meta={"tree": tree},
    )
    wire = result.model_dump(mode="json", by_alias=True)
    assert_no_leak(
        CANARY,
        repr(sanitize_result(tree, s)),
        sanitize_result(result, s).model_dump_json(by_alias=True),
        repr(sanitize_result(wire, s)),
    )


def test_binary_bytes_that_are_not_utf8_are_checked_byte_for_byte() -> None:
    from openrouter_secure.mcp._results import sanitize_result

    key = make_canary()
    raw = b"\x89PNG\r\n\x1a\n\xff" + f"tEXt api {key}".encode() + b"\xfe\x00"
    image = t.ImageContent(type="image", data=base64.b64encode(raw).decode(), mime_type="image/png")
    clean = sanitize_result(t.CallToolResult(content=[image]), default_sanitizer())
    block = clean.content[0]
    assert isinstance(block, t.ImageContent)
    decoded = base64.b64decode(block.data)
    assert key.encode() not in decoded
    assert decoded.startswith(b"\x89PNG\r\n\x1a\n\xff")


def test_base64_under_data_outside_a_media_block_is_checked_decoded() -> None:
    from openrouter_secure.mcp._results import sanitize_result

    key = make_canary()
    wire = {"error": {"code": 1, "data": base64.b64encode(f"detail {key}".encode()).decode()}}
    clean = sanitize_result(wire, default_sanitizer())
    assert_no_leak(key, base64.b64decode(clean["error"]["data"]).decode())


@pytest.mark.parametrize("cut", [5, 20, 40, 60])
async def test_a_key_split_across_text_blocks_is_masked(cut: int) -> None:
    key = make_canary()
    text = f"# config\nOPENROUTER_API_KEY={key}\nmore text"
    at = text.index(key) + cut
    server: MCPServer[Any] = MCPServer("pager")

    @server.tool()
    def page() -> list[t.TextContent]:
        return [t.TextContent(type="text", text=part) for part in (text[:at], text[at:])]

    secure(server)
    async with Client(server) as client:
        result = await client.call_tool("page", {})
    blocks = [b.text for b in result.content if isinstance(b, t.TextContent)]
    assert len(blocks) == 2
    joined = "".join(blocks)
    assert_no_leak(key, joined)
    assert joined.startswith("# config\n")
    assert joined.endswith("\nmore text")


def test_keys_in_adjacent_text_blocks_stay_masked_when_the_blocks_are_joined() -> None:
    # Joined, the two keys are glued end to start: the second no longer stands apart.
    first, second = make_canary(), make_canary()
    blocks = [{"type": "text", "text": t} for t in ("0", first, second)]
    assert_no_leak([first, second], repr(secure_walk(blocks)))


def test_text_blocks_that_hold_no_split_secret_are_left_as_they_were() -> None:
    # Sentences, not single words: a word another test held as a secret stays masked.
    blocks = [
        {"type": "text", "text": "the first part of the page"},
        {"type": "text", "text": "and then the rest of it"},
    ]
    assert secure_walk(blocks) == blocks


def secure_walk(value: Any) -> Any:
    from openrouter_secure.mcp._results import sanitize_result

    return sanitize_result(value, default_sanitizer())
