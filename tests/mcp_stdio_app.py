"""A third-party MCP server secured with openrouter-secure, run over stdio by test_mcp_stdio.

Reads its canary, audit log path and notes directory from the environment (the test
makes them at run time), so nothing secret-shaped is in the repository.
"""

from __future__ import annotations

import os
from typing import Any

from mcp.server.mcpserver import MCPServer

from openrouter_secure import Secret
from openrouter_secure.audit._log import AuditLog
from openrouter_secure.limits._ratelimit import RateLimiter
from openrouter_secure.mcp import confine_path, secure

CANARY = os.environ["ORS_TEST_CANARY"]
Secret(CANARY)  # as a real server would hold its key: registered with the sanitizer

server: MCPServer[Any] = MCPServer("notes")


@server.tool()
def read_note(path: str) -> str:
    """Read a note inside the notes directory."""
    return confine_path(path, [os.environ["ORS_TEST_NOTES"]]).read_text()


@server.tool()
def leak() -> str:
    """Returns the server's key by mistake."""
    return f"debug: key={CANARY}"


@server.tool()
def crash() -> str:
    """Fails with the key in the message."""
    raise RuntimeError(f"upstream rejected {CANARY}")


@server.tool()
def delete_all() -> str:
    """Must never run."""
    raise AssertionError("delete_all ran although the policy denies it")


secure(
    server,
    policy={"notes": {"allowedTools": ["read_note", "leak", "crash"], "default": "deny"}},
    limiter={"read_note": RateLimiter("4/minute")},
    audit=AuditLog(os.environ["ORS_TEST_AUDIT"]),
)

if __name__ == "__main__":
    server.run("stdio")
