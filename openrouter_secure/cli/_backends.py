"""``openrouter-secure backends``: which secret backends can run here (and why not), and
which can store a key."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from ._output import print_json, print_table


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "backends",
        help="list secret backends: which can run here (and why not), which can store a key",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .._registry import available_backends

    rows = available_backends()
    if args.json:
        print_json([asdict(r) for r in rows])
    else:
        print_table(
            ["BACKEND", "AVAILABLE", "WRITES", "SOURCE", "DETAIL"],
            [
                [
                    f"{r.name}://",
                    "yes" if r.available else "no",
                    "yes" if r.writable else "no",
                    r.source,
                    r.reason,
                ]
                for r in rows
            ],
        )
    return 0
