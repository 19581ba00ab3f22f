"""Finishing a rotation (disable, then delete the old key) and key-age reporting.

:func:`finish_rotation` is what ``openrouter-secure rotate --finish`` and a cron job
call after :func:`~openrouter_secure.rotation.rotate_key`. :func:`key_age` and
:func:`rotation_due` tell ``doctor`` (or a monitoring job) how old the key at a store
is: from the state file when this library rotated it, else from the management API's
``created_at`` for the key (found by label, as for a rotation).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .._client._types import ApiKey
from .._exceptions import (
    KeyRotationError,
    NotFoundError,
    OpenRouterSecureError,
)
from .._net import DEFAULT_BASE_URL
from .._refs import SecretRef, as_ref
from .._registry import resolve
from .._secret import Secret
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

log = logging.getLogger("openrouter_secure.rotation")
# Tries of the old key after it is reported disabled or deleted (0.25 s, then 0.5 s apart).
_CONFIRM_ATTEMPTS = 3


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
    old_key: Secret | None = None,
) -> RotationResult | None:
    """:func:`finish_rotation` for a caller that holds the state lock and the clients.

    ``old_key`` (the key being retired, when the caller still holds it: a rotation with
    no grace period) is tried once the old key is reported disabled or deleted; a key
    that still authenticates is neither, and the step fails.
    """
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
        _disable_old(api, name, ids, old_key)
        pending["disabled"] = True
        emit_step("key.rotation.disabled", store=name, old_hash=old_hash)
    if pending["disabled"] and delete_due:
        try:
            _delete_old(api, name, ids, old_key)
        except KeyRotationError:
            state.save_entry(name, {**entry, "pending": pending})
            raise
        pending["deleted"] = True
        emit_step("key.rotation.deleted", store=name, old_hash=old_hash)
    result = result_from_state(name, {**entry, "pending": pending}, state.path)
    state.save_entry(name, {**entry, "pending": None if pending["deleted"] else pending})
    return result


def _disable_old(api: RotationApi, name: str, ids: dict[str, Any], old_key: Secret | None) -> None:
    """``PATCH disabled: true`` and make sure it took; raises the step's error if not.

    OpenRouter answers the PATCH with the key's record: an answer that names another key
    or still says ``disabled: false`` means the key is enabled (an API change, a proxy
    that dropped the body, a key the account may not modify). An answer without the
    field is checked against the listing instead.
    """
    old_hash = ids["old_hash"]
    try:
        answer: object = api.management.update_key(old_hash, disabled=True)
    except NotFoundError:
        # Gone already (deleted by hand): nothing left to disable, unless it is listed.
        if _listed(api, name, "disable", ids) is not None:
            raise failure(
                name,
                "disable",
                "OpenRouter answered that the old key does not exist, but still lists it",
                **ids,
            ) from None
        answer = None
    except OpenRouterSecureError as exc:
        raise failure(
            name, "disable", "OpenRouter did not disable the old key", exc, **ids
        ) from None
    if answer is not None:
        if not isinstance(answer, ApiKey):  # a custom client that returns nothing useful
            answer = ApiKey(old_hash, "", "", False, None, None, 0.0, raw={"hash": old_hash})
        if answer.hash and answer.hash != old_hash:
            raise failure(
                name,
                "disable",
                f"OpenRouter answered the disable with another key's record ({answer.hash}); "
                "the old key may still be enabled",
                **ids,
            )
        # A record built by a custom client has no raw payload: its field is the answer.
        stated = answer.raw.get("disabled") if answer.raw else answer.disabled
        if stated is None:
            stated = _listed_disabled(api, name, "disable", ids)
        if stated is not True:
            raise failure(
                name,
                "disable",
                "OpenRouter answered the disable but reports the old key still enabled; "
                "check the key in OpenRouter's key settings and run the finish again",
                **ids,
            )
    _refuse_if_it_works(api, name, "disable", ids, old_key)


def _delete_old(api: RotationApi, name: str, ids: dict[str, Any], old_key: Secret | None) -> None:
    """``DELETE`` the old key and make sure it is gone: not listed, and (when held) refused."""
    old_hash = ids["old_hash"]
    try:
        deleted = api.management.delete_key(old_hash)
    except NotFoundError:
        deleted = True
    except OpenRouterSecureError as exc:
        raise failure(name, "delete", "OpenRouter did not delete the old key", exc, **ids) from None
    if deleted is False:
        raise failure(
            name, "delete", "OpenRouter answered that it did not delete the old key", **ids
        )
    if _listed(api, name, "delete", ids) is not None:
        raise failure(
            name,
            "delete",
            "OpenRouter answered the delete but still lists the old key; run the finish again",
            **ids,
        )
    _refuse_if_it_works(api, name, "delete", ids, old_key)


def _listed(api: RotationApi, name: str, step: str, ids: dict[str, Any]) -> ApiKey | None:
    """The old key's record in ``GET /keys`` now (None: not listed)."""
    try:
        records = api.management.list_keys()
    except OpenRouterSecureError as exc:
        raise failure(name, step, "cannot list the keys to confirm the step", exc, **ids) from None
    return next((r for r in records if r.hash == ids["old_hash"]), None)


def _listed_disabled(api: RotationApi, name: str, step: str, ids: dict[str, Any]) -> bool:
    record = _listed(api, name, step, ids)
    return record is not None and record.disabled


def _refuse_if_it_works(
    api: RotationApi, name: str, step: str, ids: dict[str, Any], old_key: Secret | None
) -> None:
    """Fail ``step`` when ``old_key`` still authenticates after a few short waits.

    The waits allow for a change that takes a moment to reach every OpenRouter front
    end. An answer that is neither a success nor a refusal (a timeout, a 5xx) proves
    nothing either way; the management API's answer stands then.
    """
    if old_key is None:
        return
    for attempt in range(1, _CONFIRM_ATTEMPTS + 1):
        works = api.authenticates(old_key)
        if works is None:
            log.warning("rotation of %s: could not re-test the old key after %s", name, step)
            return
        if not works:
            return
        if attempt < _CONFIRM_ATTEMPTS:
            time.sleep(0.25 * attempt)
    done = "disabled" if step == "disable" else "deleted"
    raise failure(
        name,
        step,
        f"OpenRouter reports the old key {done} but it still authenticates; the rotation "
        "stays pending: run the finish again later",
        **ids,
    )


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
