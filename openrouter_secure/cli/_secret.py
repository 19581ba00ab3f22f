"""``openrouter-secure secret set|delete|list``: store, remove and list secrets in any
backend that can, without a value ever passing through the command line.

``set`` reads the value from a prompt that does not echo (asked twice) or, when stdin
is not a terminal, from stdin (``pass show x | openrouter-secure secret set REF``): never
from an argument, where it would land in shell history and ``ps``. ``list`` prints
names and metadata only.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from typing import Any

from .._exceptions import ConfigurationError, UnsupportedOperationError
from .._refs import SecretRef
from ._output import print_json, print_table

# A secret is short; a megabyte on stdin is a wrong pipe (a log, a file), not a key.
MAX_VALUE = 1 << 20
_BARE = re.compile(r"(?P<scheme>[a-z][a-z0-9_-]{0,31})://(?:\?(?P<query>[^#]*))?")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "secret",
        help="store, delete or list secrets in a backend (values never on the command line)",
        description="Store, delete or list secrets. `secret set` reads the value from a "
        "prompt that does not echo, or from stdin when it is not a terminal: never from the "
        "command line. `secret list` prints names and metadata, never values.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    put = actions.add_parser(
        "set",
        help="store a secret: prompted without echo, or read from stdin when piped",
    )
    put.add_argument("ref", metavar="REF", help="where to store it, e.g. keyring://app/api_key")
    # Caught here rather than by argparse, whose "unrecognized arguments" would echo it.
    put.add_argument("value_in_argv", nargs="*", help=argparse.SUPPRESS)
    put.set_defaults(handler=run_set)

    delete = actions.add_parser("delete", help="delete a secret (asks first on a terminal)")
    delete.add_argument("ref", metavar="REF", help="the secret to delete")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(handler=run_delete)

    listing = actions.add_parser(
        "list", help="list secrets under a prefix: names and metadata, never values"
    )
    listing.add_argument(
        "prefix",
        metavar="BACKEND://PREFIX",
        nargs="?",
        help="e.g. aws://prod/, vault://secret/app/, dotenv://.env, file:///run/secrets/ "
        "(without it: the backends that can list)",
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)


def _read_value(ref: SecretRef) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(f"Value for {ref} (not shown): ")
        if first and getpass.getpass("Again, to confirm: ") != first:
            raise ConfigurationError("the two entries differ; nothing was stored")
        value = first
    else:
        value = sys.stdin.read(MAX_VALUE + 1) if sys.stdin is not None else ""
        if len(value) > MAX_VALUE:
            raise ConfigurationError(
                f"refusing to store more than {MAX_VALUE} characters at {ref}: stdin is "
                "not a secret (is the right command piped in?); nothing was stored"
            )
        # `echo KEY |` and files end with a line break that is not part of the key.
        value = value[:-2] if value.endswith("\r\n") else value.removesuffix("\n")
    if not value:
        raise ConfigurationError(
            f"refusing to store an empty secret at {ref}; type the value at the prompt "
            "or pipe it on stdin"
        )
    return value


def _names_value(value: str, *texts: str) -> bool:
    """Whether ``value`` appears in any of ``texts`` (as typed or URL-decoded)."""
    from urllib.parse import unquote

    return len(value) >= 4 and any(value in t or value in unquote(t) for t in texts)


def _writable(ref: SecretRef, operation: str) -> Any:
    from .._registry import get_provider

    provider = get_provider(ref.backend)
    if not provider.supports(operation):  # type: ignore[arg-type]
        raise UnsupportedOperationError(
            f"the {ref.backend}:// backend cannot {operation} secrets ({ref}); "
            "`openrouter-secure backends` shows which backends can store a key",
            ref=ref,
        )
    return provider


def run_set(args: argparse.Namespace) -> int:
    from .._registry import invalidate
    from .._secret import Secret
    from ._get import secret_fingerprint

    if args.value_in_argv:
        raise ConfigurationError(
            "secret set takes the value from a prompt or stdin, never from the command line "
            "(where shell history and ps keep it); nothing was stored. If that was the key, "
            "clear it from your shell history and rotate it"
        )
    ref = SecretRef.parse(args.ref)
    provider = _writable(ref, "put")
    type(provider).check_params(ref)  # before asking for the value, not after
    with Secret(_read_value(ref)) as secret:
        if _names_value(secret.reveal(), args.ref, str(ref)):
            # Typed as the name too: every message that shows the reference (this
            # one's "stored ...", a backend's error) would print the value.
            raise ConfigurationError(
                "the value is part of the reference given (it was typed as the "
                "secret's name too); nothing was stored. Choose a name such as "
                "keyring://myapp/api_key, and if that was the key, clear it from your "
                "shell history and rotate it"
            )
        version = provider.put(ref, secret)
        fingerprint = secret_fingerprint(secret.reveal())
    invalidate(ref)
    suffix = f" (version {version})" if version else ""
    print(f"stored {ref}{suffix}; fingerprint {fingerprint}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from .._registry import invalidate

    ref = SecretRef.parse(args.ref)
    provider = _writable(ref, "delete")
    if not args.yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise ConfigurationError(
                f"refusing to delete {ref} without a terminal to ask: add --yes"
            )
        answer = input(f"Delete {ref}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    provider.delete(ref)
    invalidate(ref)
    print(f"deleted {ref}")
    return 0


def _prefix(text: str) -> SecretRef:
    """``BACKEND://PREFIX``; unlike a reference, the prefix may be empty (``aws://``)."""
    bare = _BARE.fullmatch(text.strip())
    if bare is None:
        return SecretRef.parse(text)
    query = bare["query"]
    if query is None:
        return SecretRef(bare["scheme"], "")
    parsed = SecretRef.parse(f"{bare['scheme']}://-?{query}")
    return SecretRef(parsed.backend, "", parsed.params)


def run_list(args: argparse.Namespace) -> int:
    from .._registry import available_backends, get_provider

    if args.prefix is None:
        rows = [
            [f"{b.name}://", b.reason or "available"]
            for b in available_backends()
            if b.available and _lists(b.name)
        ]
        print_table(["BACKEND", "DETAIL"], rows)
        print("\nlist one with: openrouter-secure secret list BACKEND://PREFIX")
        return 0
    prefix = _prefix(args.prefix)
    provider = get_provider(prefix.backend)
    if not provider.supports("list_secrets"):
        raise UnsupportedOperationError(
            f"the {prefix.backend}:// backend cannot list its secrets", ref=prefix
        )
    from .._sanitize._sanitizer import default_sanitizer

    # Descriptions are free text someone typed into a console: scanned like any output.
    scrub = default_sanitizer().sanitize
    entries = provider.list_secrets(prefix)
    if args.json:
        print_json(
            [
                {
                    "ref": str(e.ref),
                    "updated": e.updated.isoformat() if e.updated else None,
                    "description": scrub(e.description),
                }
                for e in entries
            ]
        )
        return 0
    print_table(
        ["REF", "UPDATED", "DESCRIPTION"],
        [
            [
                str(e.ref),
                e.updated.strftime("%Y-%m-%d %H:%M:%S") if e.updated else "",
                scrub(e.description),
            ]
            for e in entries
        ],
    )
    return 0


def _lists(name: str) -> bool:
    from .._registry import get_provider

    try:
        return get_provider(name).supports("list_secrets")
    except Exception:  # noqa: BLE001 - a backend that cannot load cannot list
        return False
