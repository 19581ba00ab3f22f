"""``openrouter-secure rotate``: rotate the OpenRouter key held at a store reference.

Four modes: rotate (create, verify, store the new key; the old one stays enabled
for the grace period), ``--dry-run`` (every check, no change), ``--finish``
(disable the old key once the grace period has passed, delete it once
``--delete-after`` has; run it from cron), and ``--status`` (the key's age and
whether a rotation is due or pending). Keys are never printed.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from typing import Any

from .._net import DEFAULT_BASE_URL
from ._output import print_json

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``1h``, ``7d`` or plain seconds."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 30m, 1h, 7d)")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "rotate",
        help="rotate an OpenRouter API key with zero downtime (or finish / check a rotation)",
        description=(__doc__ or "").replace("``", ""),
        allow_abbrev=False,
    )
    parser.add_argument(
        "--store",
        required=True,
        metavar="REF",
        help="where the key lives, e.g. keyring://openrouter/api_key or aws://prod/openrouter",
    )
    parser.add_argument(
        "--management-key",
        default="env://OPENROUTER_MANAGEMENT_KEY",
        metavar="REF",
        help="reference of an OpenRouter management key (default env://OPENROUTER_MANAGEMENT_KEY)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--finish", action="store_true", help="disable/delete the old key when due")
    mode.add_argument("--status", action="store_true", help="show key age and pending rotation")
    mode.add_argument(
        "--dry-run",
        action="store_true",
        help="run every check and show what would be done; change nothing",
    )
    parser.add_argument(
        "--grace",
        type=duration,
        default=timedelta(hours=1),
        metavar="DURATION",
        help="how long the old key keeps working (default 1h; 0 disables it at once)",
    )
    parser.add_argument(
        "--delete-after",
        type=duration,
        default=timedelta(days=7),
        metavar="DURATION",
        help="when the old key is deleted (default 7d)",
    )
    parser.add_argument("--now", action="store_true", help="with --finish: disable now")
    parser.add_argument("--delete", action="store_true", help="with --finish: also delete now")
    parser.add_argument("--name-prefix", help="name of the new key (default: the old key's)")
    parser.add_argument("--limit", type=float, help="credit limit (default: the old key's)")
    parser.add_argument("--expires-at", metavar="ISO8601", help="expiry of the new key")
    parser.add_argument("--old-hash", help="hash of the key being replaced, if not found by label")
    parser.add_argument("--state-file", metavar="PATH", help="rotation state file (hashes only)")
    parser.add_argument("--max-age-days", type=float, default=90, help="with --status (90)")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL")
    parser.add_argument(
        "--allow-insecure-loopback",
        action="store_true",
        help="allow http:// to a loopback host: 127.x.x.x, ::1, localhost (test servers only)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def _show(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(info, sys.stdout)
        return
    for key, value in info.items():
        print(f"{key:<14} {value}")


def run(args: argparse.Namespace) -> int:
    from ..rotation._finish import finish_rotation, rotation_due
    from ..rotation._rotate import plan_rotation, rotate_key

    common: dict[str, Any] = {
        "state_path": args.state_file,
        "base_url": args.base_url,
        "allow_insecure_loopback": args.allow_insecure_loopback,
    }
    if args.status:
        due = rotation_due(
            args.store,
            max_age_days=args.max_age_days,
            management_key=args.management_key,
            **common,
        )
        _show(
            {
                "store": due.store,
                "age_days": None if due.age is None else round(due.age.total_seconds() / 86400, 1),
                "source": due.source,
                "due": due.due,
                "pending": due.pending,
                "reason": due.reason,
            },
            args.json,
        )
        return 1 if due.due else 0
    if args.dry_run:
        plan = plan_rotation(
            args.store,
            args.management_key,
            name_prefix=args.name_prefix,
            limit=args.limit,
            old_hash=args.old_hash,
            **common,
        )
        _show(
            {
                "store": plan.store,
                "old_hash": plan.old_hash,
                "old_name": plan.old_name,
                "new_name": plan.new_name,
                "limit": plan.limit,
                "dry_run": True,
            },
            args.json,
        )
        return 0
    if args.finish:
        result = finish_rotation(
            args.store,
            args.management_key,
            force=args.now,
            delete=True if args.delete else None,
            **common,
        )
        if result is None:
            _show({"store": args.store, "pending": False, "reason": "nothing to finish"}, args.json)
            return 0
    else:
        result = rotate_key(
            args.store,
            args.management_key,
            grace_period=args.grace,
            delete_after=max(args.delete_after, args.grace),
            name_prefix=args.name_prefix,
            limit=args.limit,
            expires_at=args.expires_at,
            old_hash=args.old_hash,
            **common,
        )
    _show(
        {
            "store": result.store,
            "new_hash": result.new_hash,
            "old_hash": result.old_hash,
            "old_disabled": result.old_disabled,
            "old_deleted": result.old_deleted,
            "disable_at": result.disable_at.isoformat(),
            "delete_at": result.delete_at.isoformat(),
            "state_file": str(result.state_path),
        },
        args.json,
    )
    return 0
