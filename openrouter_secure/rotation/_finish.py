"""Finishing a rotation (disable, then delete the old key) and key-age reporting.

:func:`finish_rotation` is what ``openrouter-secure rotate --finish`` and a cron job
call after :func:`~openrouter_secure.rotation.rotate_key`. :func:`key_age` and
:func:`rotation_due` tell ``doctor`` (or a monitoring job) how old the key at a store
is: from the state file when this library rotated it, else from the management API's
``created_at`` for the key (found by label, as for a rotation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .._exceptions import NotFoundError, OpenRouterSecureError
from .._net import DEFAULT_BASE_URL
from .._refs import SecretRef, as_ref
from .._registry import resolve
from ._common import (
    RotationApi,
    RotationResult,
    emit_step,
    failure,
    find_old,
    make_api,
    result_from_state,
)
from ._protocols import ManagementClient, ManagementKey
from ._state import RotationState, parse_iso

__all__ = ["RotationDue", "finish_locked", "finish_rotation", "key_age", "rotation_due"]


def finish_rotation(
    store: str | SecretRef,
    management_key: ManagementKey | None,
    *,
    client: ManagementClient | None = None,
    force: bool = False,
    delete: bool | None = None,
    state_path: str | Path | None = None,
    base_url: str = DEFAULT_BASE_URL,
    allow_insecure_loopback: bool = False,
    now: datetime | None = None,
) -> RotationResult | None:
    """Disable, then delete, the old key of a pending rotation of ``store``, when due.

    The old key is disabled once its grace period has passed (or now, with
    ``force=True``) and deleted once ``delete_after`` has passed (``delete=True``: now;
    ``delete=False``: not in this call). Before touching it, checks that the store
    holds the *new* key, so a store that was rolled back by hand is never cut off.
    A rotation that stopped before the store was written (the process was killed) is
    undone instead: its new key is deleted and the store keeps the old one. Returns
    ``None`` when nothing is (or remains) pending.
    """
    ref = as_ref(store)
    state = RotationState(state_path)
    api = make_api(management_key, client, base_url, allow_insecure_loopback)
    try:
        with state.locked():
            return finish_locked(api, state, ref, force=force, delete=delete, now=now)
    finally:
        api.close()


def finish_locked(
    api: RotationApi,
    state: RotationState,
    ref: SecretRef,
    *,
    force: bool,
    delete: bool | None,
    now: datetime | None = None,
) -> RotationResult | None:
    """:func:`finish_rotation` for a caller that holds the state lock and the clients."""
    name = str(ref)
    entry = state.entry(name)
    pending = entry.get("pending")
    if not pending:
        return None
    now = now or datetime.now(timezone.utc)
    old_hash, new_hash = pending["old_hash"], pending["new_hash"]
    ids = {"old_hash": old_hash, "new_hash": new_hash}
    try:
        with resolve(ref, cache=False) as current:
            label = api.key_info(current).label
        listed = {r.hash: r for r in api.management.list_keys()}
    except OpenRouterSecureError as exc:
        raise failure(
            name, "disable", "cannot confirm the store holds the new key", exc, **ids
        ) from None
    held = listed.get(new_hash)
    previous = listed.get(old_hash)
    if not pending.get("stored") and previous is not None and previous.label == label:
        # A rotation that stopped (process killed) between recording its intent and
        # writing the store: the store still holds the old key. Undo it.
        _abandon(api, state, name, entry, new_hash)
        return None
    if held is None or held.label != label:
        raise failure(
            name,
            "disable",
            "the store does not hold the rotated key (was it "
            "changed by hand?); the old key stays enabled",
            **ids,
        )
    disable_due = force or now >= (parse_iso(pending["disable_at"]) or now)
    delete_due = delete is True or (
        delete is None and now >= (parse_iso(pending["delete_at"]) or now)
    )
    if not pending["disabled"] and (disable_due or delete_due):
        try:
            if old_hash in listed:
                api.management.update_key(old_hash, disabled=True)
        except NotFoundError:
            pass
        except OpenRouterSecureError as exc:
            raise failure(
                name, "disable", "OpenRouter did not disable the old key", exc, **ids
            ) from None
        pending["disabled"] = True
        emit_step("key.rotation.disabled", store=name, old_hash=old_hash)
    if pending["disabled"] and delete_due:
        try:
            api.management.delete_key(old_hash)
        except NotFoundError:
            pass
        except OpenRouterSecureError as exc:
            state.save_entry(name, {**entry, "pending": pending})
            raise failure(
                name, "delete", "OpenRouter did not delete the old key", exc, **ids
            ) from None
        pending["deleted"] = True
        emit_step("key.rotation.deleted", store=name, old_hash=old_hash)
    result = result_from_state(name, {**entry, "pending": pending}, state.path)
    state.save_entry(name, {**entry, "pending": None if pending["deleted"] else pending})
    return result


def _abandon(
    api: RotationApi, state: RotationState, name: str, entry: dict[str, Any], new_hash: str
) -> None:
    try:
        api.management.delete_key(new_hash)
    except NotFoundError:
        pass
    except OpenRouterSecureError as exc:
        raise failure(
            name,
            "delete",
            "cannot delete the key of an unfinished rotation",
            exc,
            new_hash=new_hash,
        ) from None
    emit_step(
        "key.rotation.rolled_back",
        store=name,
        action="abandoned unfinished rotation",
        new_hash=new_hash,
    )
    rest = {k: v for k, v in entry.items() if k != "pending"}
    state.save_entry(name, rest or None)


@dataclass(frozen=True)
class RotationDue:
    """Whether the key at ``store`` should be rotated. Truthy when it should.

    ``source`` says where the age came from (``state``, ``api`` or ``unknown``);
    ``pending`` is True while an earlier rotation still waits for :func:`finish_rotation`.
    """

    store: str
    due: bool
    age: timedelta | None
    max_age: timedelta
    source: str
    pending: bool
    reason: str

    def __bool__(self) -> bool:
        return self.due


def _age_from_api(api: RotationApi, ref: SecretRef, now: datetime) -> timedelta | None:
    with resolve(ref, cache=False) as key:
        record = find_old(api, key, api.key_info(key).label, None)
    created = parse_iso(record.created_at)
    return None if created is None else now - created


def key_age(
    store: str | SecretRef,
    *,
    management_key: ManagementKey | None = None,
    client: ManagementClient | None = None,
    state_path: str | Path | None = None,
    base_url: str = DEFAULT_BASE_URL,
    allow_insecure_loopback: bool = False,
    now: datetime | None = None,
) -> tuple[timedelta | None, str]:
    """How old the key at ``store`` is, and where that came from (``state``/``api``/``unknown``).

    The state file answers without any network call when this library rotated the
    key; otherwise a management key (or ``client``) lets the API answer.
    """
    ref = as_ref(store)
    now = now or datetime.now(timezone.utc)
    rotated = parse_iso(RotationState(state_path).entry(str(ref)).get("rotated_at"))
    if rotated is not None:
        return now - rotated, "state"
    if management_key is None and client is None:
        return None, "unknown"
    api = make_api(management_key, client, base_url, allow_insecure_loopback)
    try:
        return _age_from_api(api, ref, now), "api"
    except (OpenRouterSecureError, LookupError):
        return None, "unknown"
    finally:
        api.close()


def rotation_due(
    store: str | SecretRef,
    *,
    max_age_days: float = 90,
    management_key: ManagementKey | None = None,
    client: ManagementClient | None = None,
    state_path: str | Path | None = None,
    base_url: str = DEFAULT_BASE_URL,
    allow_insecure_loopback: bool = False,
    now: datetime | None = None,
) -> RotationDue:
    """Whether the key at ``store`` is older than ``max_age_days`` (see :func:`key_age`)."""
    ref = as_ref(store)
    max_age = timedelta(days=max_age_days)
    pending = bool(RotationState(state_path).entry(str(ref)).get("pending"))
    age, source = key_age(
        ref,
        management_key=management_key,
        client=client,
        state_path=state_path,
        base_url=base_url,
        allow_insecure_loopback=allow_insecure_loopback,
        now=now,
    )
    if age is None:
        reason = "age unknown: no rotation recorded and the management API could not tell"
        due = False
    else:
        due = age > max_age
        reason = f"key is {age.days} days old (limit {max_age_days:g})"
    if pending:
        reason += "; a rotation is pending: run openrouter-secure rotate --finish"
    return RotationDue(str(ref), due, age, max_age, source, pending, reason)
