"""``openrouter-secure run``: start a command with secrets in its environment only."""

from __future__ import annotations

import argparse
from typing import Any


def add_launch_arguments(parser: argparse.ArgumentParser) -> None:
    """``--env``, ``--env-file`` and the command: shared by ``run`` and ``gateway``."""
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=REF",
        help="set NAME in the command's environment to the secret REF (repeatable)",
    )
    parser.add_argument(
        "--env-file",
        metavar="FILE",
        help="a dotenv-style file of NAME=REF lines (references only, never values)",
    )


def command_of(args: argparse.Namespace) -> list[str]:
    """The command after the options, without a leading ``--``."""
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    return command


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
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from .._exceptions import ConfigurationError
    from ..launch import run as launch_run

    try:
        return launch_run(
            command_of(args),
            env=args.env,
            env_file=args.env_file,
            sanitize_stdout=args.sanitize_stdout,
        )
    except ConfigurationError as exc:
        code = getattr(exc, "exit_code", None)
        if code is None:
            raise
        print(f"openrouter-secure: error: {exc}", file=sys.stderr)
        return int(code)
