"""``openrouter-secure get REF``: check that a reference resolves, without showing it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._output import print_json


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "get",
        help="resolve a secret reference and print it masked, with its length and fingerprint",
    )
    parser.add_argument(
        "ref", metavar="REF", help="a secret reference, e.g. env://OPENROUTER_API_KEY"
    )
    parser.add_argument(
        "--reveal",
        action="store_true",
        help="print the clear value (only to a terminal or pipe you control)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .._registry import resolve
    from .._sanitize._sanitizer import mask_value

    secret = resolve(args.ref, cache=False)
    with secret:
        if args.reveal:
            sys.stdout.write(secret.reveal() + "\n")
            return 0
        text = secret.reveal() if secret else ""
        info = {
            "ref": args.ref,
            "masked": mask_value(text),
            "length": len(text),
            "fingerprint": secret_fingerprint(text),
        }
        if args.json:
            print_json(info)
        else:
            for key, value in info.items():
                print(f"{key:<12} {value}")
    return 0


def secret_fingerprint(text: str) -> str:
    from .._sanitize._fingerprint import fingerprint

    return fingerprint(text)
