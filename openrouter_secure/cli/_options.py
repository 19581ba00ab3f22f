"""Options several subcommands share, each defined once with what it does.

- Launching a command with secrets (``run``, ``gateway``): ``--env``, ``--env-file``,
  the command after ``--`` (:func:`add_launch_arguments`, :func:`command_of`), and the
  exit code when the command cannot be started (:func:`launch_exit_code`).
- Logging of a long-running server (``serve``, ``gateway``): ``--log-level``
  (:func:`add_log_level`), to stderr with log redaction installed
  (:func:`setup_logging`).

Light on purpose: ``run`` imports it on its fast path, so anything heavier is
imported inside the function that needs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

__all__ = [
    "add_launch_arguments",
    "add_log_level",
    "command_of",
    "launch_exit_code",
    "setup_logging",
]


def add_launch_arguments(parser: argparse.ArgumentParser) -> None:
    """``--env``, ``--env-file`` and the command after the options."""
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
    # The only positional: argparse lists it after every option, wherever it is added.
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")


def command_of(args: argparse.Namespace) -> list[str]:
    """The command after the options, without a leading ``--``."""
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    return command


def launch_exit_code(launch: Callable[[], int]) -> int:
    """``launch()``'s exit code. A :class:`~openrouter_secure.ConfigurationError` that
    carries an ``exit_code`` (the command was not found: 127, or cannot be executed:
    126, as shells say) is printed as an error and its code returned; any other
    propagates (``main`` prints it and exits 2)."""
    from .._exceptions import ConfigurationError

    try:
        return launch()
    except ConfigurationError as exc:
        code = getattr(exc, "exit_code", None)
        if code is None:
            raise
        print(f"openrouter-secure: error: {exc}", file=sys.stderr)
        return int(code)


def add_log_level(parser: argparse.ArgumentParser) -> None:
    """``--log-level`` (default WARNING), for :func:`setup_logging`."""
    parser.add_argument(
        "--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )


def setup_logging(level: str) -> None:
    """Log at ``level`` to stderr (on stdio, stdout carries the protocol), through the
    process's log redaction."""
    import logging

    logging.basicConfig(stream=sys.stderr, level=level, format="%(levelname)s %(name)s %(message)s")
    from .._sanitize._logging import install_log_redaction

    install_log_redaction()
