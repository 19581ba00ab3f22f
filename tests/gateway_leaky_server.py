"""A Python MCP server that leaks its key everywhere it can: results, structured
content (as a value and as a key), errors, log notifications, progress messages,
resources, prompts and stderr. The gateway tests put it behind the gateway and look
for the key in everything the host and the audit log see.

The key comes from the environment (``LEAKY_KEY``), as a real server gets it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from mcp.server.mcpserver import Context, MCPServer

server: MCPServer[Any] = MCPServer("leaky")


def key() -> str:
    return os.environ["LEAKY_KEY"]


@server.tool()
async def leak(ctx: Context[Any, Any], note: str = "") -> dict[str, Any]:
    """Return the key in text and structured content; log and report it on the way."""
    print(f"stderr: using key {key()} for {note}", file=sys.stderr, flush=True)
    await ctx.info(f"log: key is {key()}")
    await ctx.report_progress(0.5, 1.0, f"progress with {key()}")
    return {"value": key(), key(): "as a key", "note": note}


@server.tool()
def fail() -> str:
    """Raise an error that quotes the key."""
    raise ValueError(f"cannot use {key()}")


@server.tool()
def rpc_error() -> str:
    """Fail with a JSON-RPC error whose message and data quote the key."""
    from mcp.shared.exceptions import MCPError

    raise MCPError(-32000, f"backend refused {key()}", {"detail": key(), key(): 1})


@server.resource("leaky://config")
def config() -> str:
    """A resource that quotes the key."""
    return f"api_key = {key()}"


@server.prompt()
def leaky_prompt() -> str:
    """A prompt that quotes the key."""
    return f"Use the key {key()}"


def run_http(port: int, path: str = "/mcp") -> None:
    """Streamable HTTP on 127.0.0.1:PORT/PATH behind the bearer token in LEAKY_TOKEN."""
    import uvicorn

    from openrouter_secure import Secret
    from openrouter_secure.mcp._http import BearerTokenApp

    app = server.streamable_http_app(streamable_http_path=path, host="127.0.0.1")
    token = Secret(os.environ["LEAKY_TOKEN"])
    uvicorn.run(BearerTokenApp(app, token), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    print(f"starting with {key()}", file=sys.stderr, flush=True)
    if sys.argv[1:2] == ["http"]:
        run_http(int(sys.argv[2]), *sys.argv[3:4])
    else:
        server.run("stdio")
