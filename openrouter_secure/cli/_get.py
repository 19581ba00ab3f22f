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
        description="Resolve REF and show that it works without showing it: the mask keeps "
        "only a known key format's public prefix (sk-o...), the length is exact only for "
        f"values of {EXACT_LENGTH_FROM} characters or more (a range below), and the "
        "fingerprint is an HMAC that tells two values apart without revealing either.",
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


#: Shorter values (PINs, passwords) show a length range: an exact length narrows a guess.
EXACT_LENGTH_FROM = 32
_RANGES = ((1, 7), (8, 15), (16, 31))


def shown_length(n: int) -> int | str:
    """``n`` when it is at least :data:`EXACT_LENGTH_FROM`, else its range (``"8-15"``)."""
    if n >= EXACT_LENGTH_FROM or n == 0:
        return n
    low, high = next(r for r in _RANGES if r[0] <= n <= r[1])
    return f"{low}-{high}"


def shown_mask(text: str) -> str:
    """The mask the Sanitizer would print for ``text`` alone: a known key format keeps its
    public prefix (``sk-o...***MASKED***``); any other value is masked whole."""
    from .._sanitize._sanitizer import MASK, default_sanitizer, mask_value

    with_prefix = mask_value(text)
    return with_prefix if default_sanitizer().sanitize(text) == with_prefix else MASK


def run(args: argparse.Namespace) -> int:
    from .._registry import resolve

    secret = resolve(args.ref, cache=False)
    with secret:
        if args.reveal:
            sys.stdout.write(secret.reveal() + "\n")
            return 0
        text = secret.reveal() if secret else ""
        info = {
            "ref": args.ref,
            "masked": shown_mask(text),
            "length": shown_length(len(text)),
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
