"""A small Python MCP server run two ways by ``tests/test_gateway_parity.py``: secured
in-process with ``secure()``, and plain behind ``openrouter-secure gateway``."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError


def build() -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("notes")

    @server.tool()
    def read_note(name: str) -> str:
        """Read a note."""
        return f"note {name}"

    @server.tool()
    def admin_reset() -> str:
        """Refused by the policy."""
        return "reset"

    @server.tool()
    def admin_status() -> str:
        """Allowed by a glob, rate limited."""
        return "ok"

    @server.tool()
    def broken() -> str:
        """Reports a failure (an error result)."""
        raise ToolError("broken on purpose")

    @server.prompt()
    def hello(name: str = "you") -> str:
        """Allowed."""
        return f"Hello {name}"

    @server.prompt()
    def debug_dump() -> str:
        """Refused by the policy."""
        return "dump"

    @server.resource("notes://public")
    def public() -> str:
        return "public"

    @server.resource("notes://private")
    def private() -> str:
        return "private"

    @server.resource("notes://docs/{name}")
    def doc(name: str) -> str:
        return f"doc {name}"

    return server


if __name__ == "__main__":
    build().run("stdio")
