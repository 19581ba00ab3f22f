"""``openrouter-secure run``: start a command with secrets in its environment only."""

from __future__ import annotations

import argparse
from typing import Any

from ._options import add_launch_arguments, command_of, launch_exit_code


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "run",
        help="run a command with secrets resolved into its environment, its stderr sanitized",
        description=(
            "Resolve secret references (--env NAME=REF, --env-file, and ${secret:REF} "
            "values already in the environment) and run COMMAND with the values in its "
            "environment only. stdin and stdout pass through untouched (an MCP stdio "
            "channel works); stderr is sanitized line by line. Exits with the command's "
            "code (128+N when a signal N killed it); 2 when a reference cannot be "
            "resolved, and then the command is not started."
        ),
    )
    add_launch_arguments(parser)
    parser.add_argument(
        "--sanitize-stdout",
        action="store_true",
        help="sanitize stdout too (not for MCP servers: their stdout is the protocol)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..launch import run as launch_run

    return launch_exit_code(
        lambda: launch_run(
            command_of(args),
            env=args.env,
            env_file=args.env_file,
            sanitize_stdout=args.sanitize_stdout,
        )
    )
