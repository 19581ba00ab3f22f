"""``openrouter-secure audit verify FILE``: check an audit log's hash chain.

Exit 0 when the chain holds, 1 when it is broken (the first bad line is printed as
``FILE:LINE: reason``), 2 on usage errors.
"""

from __future__ import annotations

import argparse
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
        help="the digest of the last record you expect (AuditLog.head.digest); "
        "catches lines cut from the end",
    )
    verify.add_argument(
        "--key-ref",
        metavar="REF",
        help="secret reference of the HMAC key the log was written with",
    )
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from ..audit._verify import verify_audit_file

    key = None
    if args.key_ref:
        from .._registry import resolve

        key = resolve(args.key_ref, cache=False)
    result = verify_audit_file(
        args.file, rotated=not args.no_rotated, key=key, expect_head=args.expect_head
    )
    if args.json:
        print_json(
            {
                "ok": result.ok,
                "file": result.file,
                "first_bad_line": result.first_bad_line,
                "reason": result.reason,
                "count": result.count,
                "last_seq": result.last_seq,
                "head": result.head,
                "from_genesis": result.from_genesis,
            }
        )
    elif result.ok:
        start = "from genesis" if result.from_genesis else "from a rotation anchor"
        print(f"ok: {result.count} records verified {start}; head {result.head}")
    else:
        print(f"{result.file}:{result.first_bad_line}: {result.reason}")
        print(f"{result.count} records verified before it")
    return 0 if result.ok else 1
