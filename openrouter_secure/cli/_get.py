"""``openrouter-secure get REF``: check that a reference resolves, without showing it."""

from __future__ import annotations

import argparse
import re
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
    from .._exceptions import OpenRouterSecureError
    from .._registry import resolve

    try:
        secret = resolve(args.ref, cache=False)
    except OpenRouterSecureError as exc:
        # A reference that does not resolve may be a pasted value (``get env://<key>``):
        # its path is echoed only when it reads as a name.
        print(
            f"openrouter-secure: error: {hide_implausible_path(str(exc), args.ref)}",
            file=sys.stderr,
        )
        return 2
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


_NAME_SEGMENT = re.compile(r"[A-Za-z0-9._@:-]{1,64}")
_CASE_SWITCH = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])"
)


def plausible_name(segment: str) -> bool:
    """Whether a reference path segment reads as a name (``OPENROUTER_API_KEY``,
    ``openrouter-secure``, ``prod/db``) rather than a value: short, of name characters,
    few case or letter/digit switches, and not a credential by the reference rules or
    the Sanitizer."""
    from .._refs import looks_like_a_credential
    from .._sanitize._sanitizer import default_sanitizer

    if not _NAME_SEGMENT.fullmatch(segment):
        return False
    words = [w for w in re.split(r"[._@:-]+", segment) if w]
    return (
        all(len(_CASE_SWITCH.findall(w)) < 4 for w in words)
        and not looks_like_a_credential(segment)
        and not default_sanitizer().find(segment)
    )


def hide_implausible_path(message: str, ref: str) -> str:
    """``message`` with every path segment of ``ref`` that is not a plausible name (and the
    reference text holding it) replaced by a note of its length."""
    from urllib.parse import unquote

    _, sep, rest = ref.partition("://")
    path = rest.split("?", 1)[0].split("#", 1)[0] if sep else ref
    hidden = [seg for seg in {*path.split("/"), *unquote(path).split("/")} if seg]
    hidden = [seg for seg in hidden if not plausible_name(seg)]
    if not sep and ref:
        hidden.append(ref)
    for text in sorted({ref, *hidden} if hidden else set(), key=len, reverse=True):
        message = message.replace(text, f"<{len(text)} characters, not shown>")
    return message


def secret_fingerprint(text: str) -> str:
    from .._sanitize._fingerprint import fingerprint

    return fingerprint(text)
