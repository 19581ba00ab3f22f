"""The ``openrouter-secure`` command.

Each subcommand is a module in this package exposing ``register(subparsers)``, which
adds its parser and sets ``handler`` to a function taking the parsed arguments and
returning the exit code. Heavy imports happen inside the handlers, so ``--help`` and
unrelated commands stay fast and work without optional extras.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._exceptions import OpenRouterSecureError
from .._version import __version__
from ._parser import SafeArgumentParser

__all__ = ["main"]

# Order is the order of `--help`.
COMMANDS = (
    "_doctor",
    "_backends",
    "_get",
    "_benchmark",
    "_rotate",
    "_audit",
    "_serve",
    "_baseline",
    "_run",
    "_gateway",
    "_secret",
    "_sanitize",
    "_completion",
)


# Commands whose start-up matters (a launcher, a pipe filter): when the first word
# names one of them, only its parser is built. Its help, usage and errors are the same
# as in the whole tree (a subcommand's parser knows nothing of its siblings).
_FAST = {"run": "_run", "sanitize": "_sanitize"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (``only``: a module of :data:`COMMANDS`) the top level with
    that one subcommand."""
    # Every subcommand's parser is of this class too (add_subparsers passes it on).
    parser = SafeArgumentParser(
        prog="openrouter-secure",
        description="Keep LLM API keys and prompts out of configs, logs and saved results.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_FAST.get(words[0]) if words else None)
    args = parser.parse_args(words)
    try:
        code: int = args.handler(args)
    except OpenRouterSecureError as exc:
        # Messages are scrubbed when errors are built; print only the message.
        print(f"openrouter-secure: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
