"""Everything a secured server sends its client is sanitized, not only results: log
messages (``notifications/message``), progress messages, and the requests it sends
(sampling, elicitation), on ``MCPServer`` and on fastmcp. Real in-process clients
receive them; a planted key and a known ``Secret`` value must reach none of them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client, types
from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel

from openrouter_secure import Secret
from openrouter_secure.mcp import secure
from openrouter_secure.testing import make_canary

try:
    import fastmcp
except ImportError:  # pragma: no cover - the extra is installed in CI
    fastmcp = None  # type: ignore[assignment]


class Confirm(BaseModel):
    ok: bool = True


@pytest.fixture
def planted() -> Iterator[tuple[str, str]]:
    key = make_canary()
    known = secrets.token_urlsafe(18)
    held = Secret(known)
    try:
        yield key, known
    finally:
        held.wipe()


def leaks(seen: list[str], values: tuple[str, str]) -> list[str]:
    return [text for text in seen for value in values if value in text]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_log_and_progress_messages_are_sanitized(planted: tuple[str, str]) -> None:
    key, known = planted
    server: MCPServer[Any] = MCPServer("s")

    @server.tool()
    async def work(ctx: Context) -> str:
        await ctx.debug(f"using key {key}")
        await ctx.log("info", {"db_password": known, key: "as a key"}, logger_name=known)
        await ctx.report_progress(0.5, 1.0, message=f"auth with {key} / {known}")
        return "done"

    secure(server, policy={"s": {"allowedTools": ["work"]}})
    seen: list[str] = []

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        seen.append(params.model_dump_json())

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(str(message))

    async with Client(server, logging_callback=on_log, log_level="debug") as client:
        await client.call_tool("work", {}, progress_callback=on_progress)
    assert len(seen) == 3
    assert leaks(seen, planted) == []
    assert "using key" in seen[0]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_sampling_and_elicitation_requests_are_sanitized(
    planted: tuple[str, str],
) -> None:
    key, known = planted
    server: MCPServer[Any] = MCPServer("s")

    @server.tool()
    async def work(ctx: Context) -> str:
        text = f"OPENROUTER_API_KEY={key}\ndb password {known}"
        message = types.SamplingMessage(
            role="user", content=types.TextContent(type="text", text=text)
        )
        await ctx.session.create_message([message], max_tokens=16)
        await ctx.elicit(message=f"Proceed with {key} and {known}?", schema=Confirm)
        return "done"

    secure(server, policy={"s": {"allowedTools": ["work"]}})
    seen: list[str] = []

    async def on_sampling(
        ctx: Any, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult:
        seen.append(params.model_dump_json())
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(type="text", text="x"), model="m"
        )

    async def on_elicit(ctx: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        seen.append(params.model_dump_json())
        return types.ElicitResult(action="decline")

    async with Client(
        server, sampling_callback=on_sampling, elicitation_callback=on_elicit, mode="legacy"
    ) as client:
        result = await client.call_tool("work", {})
    assert not result.is_error
    assert len(seen) == 2
    assert leaks(seen, planted) == []


@pytest.mark.skipif(fastmcp is None, reason="fastmcp is not installed")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_fastmcp_log_and_progress_messages_are_sanitized(
    planted: tuple[str, str],
) -> None:
    key, known = planted
    server = fastmcp.FastMCP("f")

    @server.tool
    async def work(ctx: fastmcp.Context) -> str:
        await ctx.info(f"using key {key} / {known}")
        await ctx.report_progress(0.5, 1.0, message=f"auth with {key} / {known}")
        return "done"

    secure(server, policy={"f": {"allowedTools": ["work"]}})
    seen: list[str] = []

    async def on_log(message: Any) -> None:
        seen.append(repr(message))

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(str(message))

    async with fastmcp.Client(server, log_handler=on_log, progress_handler=on_progress) as c:
        await c.call_tool("work", {})
    assert len(seen) == 2
    assert leaks(seen, planted) == []
