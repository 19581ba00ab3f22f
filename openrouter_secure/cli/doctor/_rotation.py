"""The doctor's ``key-rotation`` check: key age and unfinished rotations, offline.

Reads the rotation state file (``$OPENROUTER_SECURE_ROTATION_STATE``, else
``$XDG_STATE_HOME/openrouter-secure/rotation.json``), which holds per store reference
the hash of the current key, when it was rotated and any pending rotation; never a
key. For each store it says how old the key is (:func:`~._rotation_finish.rotation_due`,
answered from the state file, so no network call) and where a pending rotation stands:

* within the grace period: ``info``;
* the old key still enabled after ``disable_at``: ``warning`` for the first day (a
  daily cron job may not have run yet), then ``error``: a key that was meant to be
  retired still works;
* disabled but not deleted more than a day after ``delete_at``: ``warning``;
* intent recorded but the store never written, more than an hour ago: ``error`` (the
  process was killed mid-rotation; ``--finish`` undoes it).

With ``online=True`` and ``OPENROUTER_MANAGEMENT_KEY`` set, the management API
(``GET /keys``, the key's ``created_at``) answers for a store the state file has no
rotation time for, and for ``env://OPENROUTER_API_KEY`` when the state file does not
list it: this resolves those keys (it never prints them).

Findings name the store reference and at most the first 12 hex digits of a key hash.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..._exceptions import OpenRouterSecureError
from ...rotation._state import STATE_ENV, RotationState, parse_iso
from ._report import DoctorFinding

__all__ = ["DEFAULT_MAX_KEY_AGE_DAYS", "rotation_findings", "state_path"]

DEFAULT_MAX_KEY_AGE_DAYS = 90.0
CHECK = "key-rotation"
MANAGEMENT_ENV = "OPENROUTER_MANAGEMENT_KEY"
API_KEY_STORE = "env://OPENROUTER_API_KEY"
#: How long past a deadline before an unfinished step is an error (or a warning).
OVERDUE_SLACK = timedelta(days=1)
#: How long a rotation may sit between recording its intent and writing the store.
IN_FLIGHT = timedelta(hours=1)


def state_path(environ: Mapping[str, str], home: Path) -> Path:
    """Where the rotation state file is for ``environ`` (the rule of ``default_state_path``)."""
    env = environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    base = environ.get("XDG_STATE_HOME") or str(home / ".local" / "state")
    return Path(base) / "openrouter-secure" / "rotation.json"


def _short(key_hash: Any) -> str:
    return str(key_hash)[:12] if key_hash else "?"


def _days(delta: timedelta) -> str:
    """``23 days``, or ``6 hours`` under a day (so a fresh finding never says ``0 days``)."""
    seconds = delta.total_seconds()
    amount, unit = (seconds / 86400, "day") if seconds >= 86400 else (seconds / 3600, "hour")
    return f"{amount:.0f} {unit}{'' if round(amount) == 1 else 's'}"


def rotation_findings(
    environ: Mapping[str, str],
    home: Path,
    *,
    max_age_days: float = DEFAULT_MAX_KEY_AGE_DAYS,
    online: bool = False,
    base_url: str | None = None,
    now: datetime | None = None,
) -> tuple[list[DoctorFinding], list[dict[str, Any]]]:
    """The ``key-rotation`` findings and one JSON summary per store checked.

    No state file (and nothing asked online): nothing, no rotation was ever recorded.
    """
    from ...rotation._finish import rotation_due

    path = state_path(environ, home)
    now = now or datetime.now(timezone.utc)
    api: dict[str, Any] = {}
    if online and environ.get(MANAGEMENT_ENV):
        api = {"management_key": f"env://{MANAGEMENT_ENV}"}
        if base_url:
            api["base_url"] = base_url
            api["allow_insecure_loopback"] = base_url.startswith("http://")
    stores: dict[str, Any] = {}
    if path.is_file():
        try:
            stores = RotationState(path).load()["stores"]
        except OpenRouterSecureError as exc:
            finding = DoctorFinding(CHECK, "warning", str(exc), str(path), rule="state-unreadable")
            return [finding], []
    findings: list[DoctorFinding] = []
    summaries: list[dict[str, Any]] = []
    if api and environ.get("OPENROUTER_API_KEY") and API_KEY_STORE not in stores:
        findings.append(_api_key_age(max_age_days, now, api, summaries))
    for store in sorted(stores):
        entry = stores[store] if isinstance(stores[store], dict) else {}
        pending = entry.get("pending")
        try:
            due = rotation_due(store, max_age_days=max_age_days, state_path=path, now=now, **api)
            state, pending_finding = "none", None
            if isinstance(pending, dict) and not pending.get("deleted"):
                pending_finding, state = _pending_finding(store, pending, path, now)
        except (OpenRouterSecureError, ValueError, TypeError, KeyError) as exc:
            findings.append(
                DoctorFinding(
                    CHECK,
                    "warning",
                    f"cannot read this store's rotation record ({type(exc).__name__})",
                    str(path),
                    store,
                    "state-unreadable",
                    f"openrouter-secure rotate --store {shlex.quote(store)} --status",
                )
            )
            continue
        findings.append(_age_finding(store, due, max_age_days, entry, path, asked=bool(api)))
        if pending_finding is not None:
            findings.append(pending_finding)
        summaries.append(
            {
                "store": store,
                "key_hash": _short(entry["hash"]) if entry.get("hash") else None,
                "age_days": None if due.age is None else round(due.age.total_seconds() / 86400, 1),
                "max_age_days": max_age_days,
                "due": due.due,
                "source": due.source,
                "pending": state,
            }
        )
    return findings, summaries


def _api_key_age(
    max_age_days: float, now: datetime, api: dict[str, Any], summaries: list[dict[str, Any]]
) -> DoctorFinding:
    """``OPENROUTER_API_KEY``'s age from the management API (``--online``)."""
    from ...rotation._finish import rotation_due

    try:
        due = rotation_due(API_KEY_STORE, max_age_days=max_age_days, now=now, **api)
    except OpenRouterSecureError as exc:
        return DoctorFinding(
            CHECK,
            "info",
            f"could not ask OpenRouter for the key's age ({type(exc).__name__})",
            None,
            API_KEY_STORE,
            "key-age",
        )
    summaries.append(
        {
            "store": API_KEY_STORE,
            "key_hash": None,
            "age_days": None if due.age is None else round(due.age.total_seconds() / 86400, 1),
            "max_age_days": max_age_days,
            "due": due.due,
            "source": due.source,
            "pending": "none",
        }
    )
    return _age_finding(API_KEY_STORE, due, max_age_days, {}, None, asked=True)


def _age_finding(
    store: str,
    due: Any,
    max_age_days: float,
    entry: Mapping[str, Any],
    path: Path | None,
    *,
    asked: bool,
) -> DoctorFinding:
    key = f"key {_short(entry.get('hash'))}" if entry.get("hash") else "the key"
    file = None if path is None else str(path)
    if due.age is None:
        return DoctorFinding(
            CHECK,
            "info",
            f"age of {key} unknown: no completed rotation recorded"
            + (
                ", and OpenRouter's key list did not tell"
                if asked
                else f" (doctor --online with {MANAGEMENT_ENV} set asks OpenRouter)"
            ),
            file,
            store,
            "key-age",
        )
    if due.due:
        return DoctorFinding(
            CHECK,
            "warning",
            f"{key} is {_days(due.age)} old, over the {max_age_days:g}-day limit",
            file,
            store,
            "rotation-due",
            f"openrouter-secure rotate --store {shlex.quote(store)}",
        )
    left = due.max_age - due.age
    return DoctorFinding(
        CHECK,
        "info",
        f"{key} is {_days(due.age)} old; rotation due in {_days(left)}",
        str(path),
        store,
        "key-age",
    )


def _pending_finding(
    store: str, pending: Mapping[str, Any], path: Path, now: datetime
) -> tuple[DoctorFinding, str]:
    """The finding for a pending rotation and its state: ``in-progress``, ``grace``,
    ``finish-due``, ``unfinished``, ``interrupted``, ``disabled`` or ``delete-overdue``."""
    old, new = _short(pending.get("old_hash")), _short(pending.get("new_hash"))
    finish = f"openrouter-secure rotate --store {shlex.quote(store)} --finish"
    where = (str(path), store)

    def made(severity: str, message: str, rule: str, fix: str | None = finish) -> DoctorFinding:
        return DoctorFinding(CHECK, severity, message, *where, rule, fix)

    started = parse_iso(pending.get("rotated_at")) or now
    if not pending.get("stored"):
        if now - started < IN_FLIGHT:
            return made("info", "a rotation is in progress", "rotation-pending", None), (
                "in-progress"
            )
        message = (
            f"a rotation started {_days(now - started)} ago never wrote the store "
            f"(interrupted); its new key {new} may exist unused"
        )
        return made("error", message, "rotation-interrupted"), "interrupted"
    if not pending.get("disabled"):
        disable_at = parse_iso(pending.get("disable_at")) or now
        if now < disable_at:
            message = (
                f"rotated to key {new}; the old key {old} stays enabled for the grace "
                f"period ({_days(disable_at - now)} left)"
            )
            return made("info", message, "rotation-pending", None), "grace"
        late = now - disable_at
        message = f"the old key {old} is still enabled {_days(late)} after its grace period"
        if late < OVERDUE_SLACK:
            return made("warning", message, "rotation-finish-due"), "finish-due"
        return made("error", message, "rotation-unfinished"), "unfinished"
    delete_at = parse_iso(pending.get("delete_at")) or now
    if now < delete_at + OVERDUE_SLACK:
        message = f"the old key {old} is disabled; it is deleted after {delete_at:%Y-%m-%d}"
        return made("info", message, "rotation-pending", None), "disabled"
    message = f"the old key {old} is disabled but not deleted ({_days(now - delete_at)} late)"
    return made("warning", message, "rotation-delete-due"), "delete-overdue"
