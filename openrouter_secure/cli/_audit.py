"""``openrouter-secure audit verify FILE``: check an audit log's hash chain.

Exit 0 when the chain holds, 1 when it is broken (the first bad line is printed as
``FILE:LINE: reason``) or its beginning is missing without the log's own
``backup_count`` explaining it (``--from-genesis``: missing at all), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from ._output import print_json


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "audit", help="work with audit logs written by AuditLog"
    )
    actions = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="verify an audit log's hash chain; exit 1 and print the first bad line if broken",
    )
    verify.add_argument("file", metavar="FILE", help="the audit log (JSON lines)")
    verify.add_argument(
        "--no-rotated",
        action="store_true",
        help="verify FILE alone, not its rotated files FILE.<seq> before it",
    )
    verify.add_argument(
        "--expect-head",
        metavar="DIGEST",
        type=_digest,
        help="the digest of the last record you expect (AuditLog.head.digest); "
        "catches lines cut from the end",
    )
    verify.add_argument(
        "--key-ref",
        metavar="REF",
        help="secret reference of the HMAC key the log was written with",
    )
    verify.add_argument(
        "--from-genesis",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="require the chain from its first record (exit 1 if older rotated files are "
        "gone); --no-from-genesis accepts a missing beginning. Default: exit 1 only when "
        "the log's own backup_count does not explain it",
    )
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(handler=run_verify)


def _digest(text: str) -> str:
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        # argparse prefixes "argument --expect-head: "; the value is not repeated.
        raise argparse.ArgumentTypeError(
            "must be the 64 hex digits of a record's hash (AuditLog.head.digest)"
        )
    return text.lower()


def run_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .._exceptions import ConfigurationError
    from .._sanitize._sanitizer import default_sanitizer
    from ..audit._verify import MISSING_START, verify_audit_file

    # A missing FILE is a usage error (exit 2), reported without the path as typed.
    if not Path(args.file).is_file():
        raise ConfigurationError(
            "audit verify: FILE does not exist or is not a regular file; check the path"
        )

    key = None
    if args.key_ref:
        from .._registry import resolve

        key = resolve(args.key_ref, cache=False)
    result = verify_audit_file(
        args.file,
        rotated=not args.no_rotated,
        key=key,
        expect_head=args.expect_head,
        from_genesis=args.from_genesis,
    )
    # The path is shown as the Sanitizer would log it: a key typed into it is masked.
    shown_file = default_sanitizer().sanitize(str(result.file))
    if args.json:
        print_json(
            {
                "ok": result.ok,
                "file": shown_file,
                "first_bad_line": result.first_bad_line,
                "reason": result.reason,
                "count": result.count,
                "last_seq": result.last_seq,
                "head": result.head,
                "from_genesis": result.from_genesis,
                "first_seq": result.first_seq,
                "history": result.history,
            }
        )
    elif result.ok:
        print(f"ok: {result.count} records verified {_start(result)}; head {result.head}")
    else:
        print(f"{shown_file}:{result.first_bad_line}: {result.reason}")
        if result.reason.startswith(MISSING_START):
            print(f"the {result.count} records from there on verify; head {result.head}")
        else:
            print(f"{result.count} records verified before it")
    return 0 if result.ok else 1


def _start(result: Any) -> str:
    """Where the verified chain starts and what came before it, in words."""
    if result.from_genesis:
        return "from genesis"
    anchor = f"from a rotation anchor at seq {result.first_seq}"
    before = f"records 1 to {result.first_seq - 1}"
    if result.history == "pruned":
        return f"{anchor} ({before} were in rotated files the log's backup_count deleted)"
    if result.history == "missing":
        return f"{anchor}; WARNING: {before} are MISSING (the log's writer kept them)"
    return (
        f"{anchor}; WARNING: {before} are not in these files and cannot be checked "
        "(pass --from-genesis to require them)"
    )
