"""``openrouter-secure gateway``: an MCP gateway applying a policy, rate limits, an
audit log and sanitizing in front of any MCP server."""

from __future__ import annotations

import argparse
from typing import Any

from ._options import (
    add_launch_arguments,
    add_log_level,
    command_of,
    launch_exit_code,
    setup_logging,
)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "gateway",
        help="put a tool policy, rate limits, an audit log and sanitizing in front of any "
        "MCP server",
        description=(
            "Speak MCP to the host on stdio and relay it to one upstream server: COMMAND "
            "(started like 'openrouter-secure run': secrets resolved into its environment) "
            "or --url. Tools, prompts and resources the policy denies are hidden and "
            "refused; results, errors and logs are sanitized; decisions are audited."
        ),
    )
    parser.add_argument(
        "--policy",
        metavar="FILE",
        required=True,
        help="config file with the policy under mcpServers (and serve.rateLimit, "
        "serve.auditLog, ...), the file 'serve' and secure() read",
    )
    parser.add_argument(
        "--server-name",
        metavar="NAME",
        help="the server's name in the policy (default: the policy's only server)",
    )
    parser.add_argument("--audit", metavar="FILE", help="append audit records to FILE (JSONL)")
    add_launch_arguments(parser)
    parser.add_argument(
        "--observe",
        action="store_true",
        help="refuse nothing: record every decision as it would be made",
    )
    parser.add_argument(
        "--allowed-root",
        action="append",
        metavar="DIR",
        help="confine path-named tool arguments and file:// resources to DIR (repeatable)",
    )
    parser.add_argument("--rate-limit", metavar="LIMIT", help="per tool and client, e.g. 30/minute")
    parser.add_argument(
        "--rate-limit-storage",
        metavar="URL",
        help="memory:// (default) or redis://... (or a secret reference holding the URL)",
    )
    parser.add_argument(
        "--url", metavar="URL", help="a streamable-HTTP upstream instead of COMMAND"
    )
    parser.add_argument(
        "--bearer-token",
        metavar="REF",
        help="with --url: a secret reference to the token sent to the upstream",
    )
    parser.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default="stdio",
        help="how the host reaches the gateway: stdio (default) or streamable HTTP "
        "(one upstream per session, behind a bearer token)",
    )
    parser.add_argument("--host", help="HTTP: address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="HTTP: port (default 8765)")
    parser.add_argument(
        "--http-token",
        metavar="REF",
        help="HTTP: a secret reference to the bearer token hosts must send "
        "(default: serve.http.bearerToken in the policy file)",
    )
    add_log_level(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup_logging(args.log_level)
    from ..mcp._gateway_cli import build_and_serve

    return launch_exit_code(
        lambda: build_and_serve(
            policy_file=args.policy,
            server_name=args.server_name,
            audit=args.audit,
            env=args.env,
            env_file=args.env_file,
            observe=args.observe,
            allowed_roots=args.allowed_root,
            rate_limit=args.rate_limit,
            rate_limit_storage=args.rate_limit_storage,
            url=args.url,
            bearer_token=args.bearer_token,
            command=command_of(args),
            transport=args.transport,
            host=args.host,
            port=args.port,
            http_token=args.http_token,
        )
    )
