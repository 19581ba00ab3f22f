"""``openrouter-secure serve``: run the OpenRouter MCP server (stdio, or HTTP with a token)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from ._options import add_log_level, setup_logging

log = logging.getLogger("openrouter_secure.mcp")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="run the OpenRouter MCP server (tools: chat, models, generation cost, usage)",
        description=(
            "Run an MCP server exposing OpenRouter through a key it resolves from a secret "
            "reference. Logs go to stderr (stdout is the MCP channel on stdio)."
        ),
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (JSON, TOML or YAML; refused if it holds a secret)",
    )
    parser.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default="stdio",
        help="stdio (default) or streamable HTTP (needs serve.http.bearerToken)",
    )
    parser.add_argument("--host", help="HTTP: address to bind (default from config, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="HTTP: port (default from config, 8765)")
    add_log_level(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    setup_logging(args.log_level)
    from ..mcp import build_server
    from ..mcp._server import resolve_own_environment
    from ..mcp._server_config import load_settings

    # Before the config is read: its key reference may name a variable the host
    # passed as ${secret:REF}.
    filled = resolve_own_environment()
    if filled:
        log.info("resolved secret references in the environment: %s", ", ".join(filled))
    settings = load_settings(args.config)
    if args.host or args.port is not None:
        http = dataclasses.replace(
            settings.http,
            host=args.host or settings.http.host,
            port=settings.http.port if args.port is None else args.port,
        )
        settings = dataclasses.replace(settings, http=http)
    server = build_server(settings)
    if args.transport == "http":
        from ..mcp._http import run_http

        run_http(server, settings)
    else:
        server.run("stdio")
    return 0
