"""Zero-downtime rotation of an OpenRouter API key through the key-management API.

:func:`rotate_key` replaces the key held at a store reference (``keyring://``,
``aws://``, ``vault://``, ... anything whose backend has ``put``):

1. **preflight**: the store's backend can write; the management key is one; the
   stored key works and is not a management key; its hash is known (see below); no
   earlier rotation of this store is still pending;
2. **create** a key (``POST /keys``) named like the old one with its limit (or
   ``name_prefix`` / ``limit``), optional ``expires_at``;
3. **verify** it with ``GET /key`` (retried briefly: a new key can take a moment to
   work), refusing a management key;
4. **state**: record the rotation (hashes only) in the 0600 state file;
5. **store** it with the backend's ``put`` and read it back;
6. **refresh** this process's cache, so clients built on the reference use the new key
   at once (other processes pick it up at their cache expiry, or at once on a 401);
7. after ``grace_period`` the old key is **disabled** (``PATCH disabled: true``), after
   ``delete_after`` **deleted**: by :func:`finish_rotation` (``rotate --finish``), run
   later from cron or a deploy step. ``grace_period=0`` does it in the same call.

If a step fails, what was done is undone so the store holds exactly one working key:
a created key that is not stored is deleted; a half-done store write is reverted to
the previous value (and only once the store provably holds the old value is the new
key deleted). Every step emits an event (``key.rotation.<step>``, then ``key.rotated``
or ``key.rotation_failed``) for the audit log, with store reference and key hashes;
never a key.

**Finding the old key's hash.** ``GET /key`` with the old key gives its label (the
masked key, e.g. ``sk-or-v1-ab...xyz``), and ``GET /keys`` lists hashes with labels.
The hash is taken, in order, from ``old_hash=``, from the state file (the key this
library stored last time), or from the one listed key whose label matches. An
ambiguous or missing match stops the rotation before anything is created.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .._client._types import ApiKey, KeyInfo
from .._exceptions import (
    AuthenticationError,
    KeyRotationError,
    NotFoundError,
    OpenRouterSecureError,
    UnsupportedOperationError,
)
from .._net import DEFAULT_BASE_URL
from .._provider import SecretProvider
from .._refs import SecretRef, as_ref
from .._registry import get_provider, refresh, resolve
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
from ._state import RotationState, iso

__all__ = [
    "DEFAULT_DELETE_AFTER",
    "DEFAULT_GRACE_PERIOD",
    "RotationPlan",
    "RotationResult",
    "plan_rotation",
    "rotate_key",
]

log = logging.getLogger("openrouter_secure.rotation")

# Longer than the default cache TTL (300 s) with room to spare, so every process
# reading the reference has refetched before the old key stops working.
DEFAULT_GRACE_PERIOD = timedelta(hours=1)
DEFAULT_DELETE_AFTER = timedelta(days=7)
_ROTATED_SUFFIX = re.compile(r"\s*\(rotated [^)]*\)$")
_VERIFY_ATTEMPTS = 3


def _check_writable(provider: SecretProvider, ref: SecretRef) -> None:
    if not provider.supports("put"):
        raise _env_error(ref) if ref.backend == "env" else provider.unsupported("put", ref)


def _env_error(ref: SecretRef) -> OpenRouterSecureError:
    return UnsupportedOperationError(
        f"env:// cannot be written ({ref}), so a key held there cannot be rotated in "
        "place: store it in a backend with put() (keyring://, aws://, azure://, gcp://, "
        "vault://) and point your application at that reference",
        ref=ref,
    )


def _new_name(old_name: str | None, prefix: str | None, now: datetime) -> str:
    base = prefix if prefix is not None else _ROTATED_SUFFIX.sub("", old_name or "") or "api key"
    # The random tag makes the name unique, so cleaning up by name never touches a key
    # made by another rotation (of another store) in the same minute.
    return f"{base} (rotated {now:%Y-%m-%d %H:%M}Z {secrets.token_hex(3)})"


def _payload_for(ref: SecretRef, new_key: Secret) -> tuple[SecretRef, str]:
    """What to ``put`` where: the key itself, or the whole JSON object with ``#field`` set."""
    if ref.field is None:
        return ref, new_key.reveal()
    whole = ref.with_field(None)
    with resolve(whole, cache=False) as current:
        data = json.loads(current.reveal())
    data[ref.field] = new_key.reveal()
    return whole, json.dumps(data, separators=(",", ":"))


def _store_holds(ref: SecretRef, expected: Secret) -> bool | None:
    """Whether the store now holds ``expected`` (None: it cannot be read)."""
    try:
        with resolve(ref, cache=False) as current:
            return bool(current == expected)
    except OpenRouterSecureError:
        return None


def _verify(api: RotationApi, new_key: Secret) -> KeyInfo:
    for attempt in range(1, _VERIFY_ATTEMPTS + 1):
        try:
            return api.key_info(new_key)
        except AuthenticationError:
            if attempt == _VERIFY_ATTEMPTS:
                raise
            time.sleep(0.25 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def rotate_key(
    store: str | SecretRef,
    management_key: ManagementKey | None,
    *,
    client: ManagementClient | None = None,
    grace_period: timedelta = DEFAULT_GRACE_PERIOD,
    delete_after: timedelta = DEFAULT_DELETE_AFTER,
    name_prefix: str | None = None,
    limit: float | None = None,
    expires_at: datetime | str | None = None,
    old_hash: str | None = None,
    state_path: str | Path | None = None,
    base_url: str = DEFAULT_BASE_URL,
    allow_insecure_loopback: bool = False,
) -> RotationResult:
    """Rotate the OpenRouter key held at ``store``; see the module docstring.

    ``management_key`` is a reference (or :class:`~openrouter_secure.Secret`) to an
    OpenRouter management key; ``client`` an already-built management client (then
    ``management_key`` is unused and may be ``None``): a
    :class:`~openrouter_secure.RedactingClient` on a management key, or anything that
    fits :class:`~openrouter_secure.rotation.ManagementClient`. ``base_url`` and
    ``allow_insecure_loopback`` configure the clients that check the old and new keys. Raises
    :class:`~openrouter_secure.KeyRotationError` naming the failed step and what was
    rolled back.
    """
    ref = as_ref(store)
    name = str(ref)
    if delete_after < grace_period:
        raise ValueError("delete_after must be at least grace_period")
    state = RotationState(state_path)
    emit_step("key.rotation.started", store=name)
    try:
        api = make_api(management_key, client, base_url, allow_insecure_loopback)
    except OpenRouterSecureError as exc:
        raise failure(name, "preflight", "could not build the management client", exc) from None
    try:
        with state.locked():
            return _rotate(
                api,
                state,
                ref,
                grace_period=grace_period,
                delete_after=delete_after,
                name_prefix=name_prefix,
                limit=limit,
                expires_at=expires_at,
                old_hash=old_hash,
            )
    except KeyRotationError:
        raise
    except (OSError, OpenRouterSecureError) as exc:
        # The state file's directory or lock could not be used: nothing was done yet.
        raise failure(name, "preflight", f"cannot use {state.path}", exc) from None
    finally:
        api.close()


@dataclass(frozen=True)
class RotationPlan:
    """What :func:`rotate_key` would do (from :func:`plan_rotation`); nothing was changed."""

    store: str
    old_hash: str
    old_name: str
    new_name: str
    limit: float | None


def plan_rotation(
    store: str | SecretRef,
    management_key: ManagementKey | None,
    *,
    client: ManagementClient | None = None,
    name_prefix: str | None = None,
    limit: float | None = None,
    old_hash: str | None = None,
    state_path: str | Path | None = None,
    base_url: str = DEFAULT_BASE_URL,
    allow_insecure_loopback: bool = False,
) -> RotationPlan:
    """Run every preflight check of :func:`rotate_key` and say what it would do.

    Read-only (``rotate --dry-run``): the store is read, the keys are listed, nothing
    is created or written. Raises :class:`~openrouter_secure.KeyRotationError` (step
    ``preflight``) when a rotation would be refused, without announcing a failure.
    """
    ref = as_ref(store)
    state = RotationState(state_path)
    api = make_api(management_key, client, base_url, allow_insecure_loopback)
    try:
        _, old = _preflight(api, state, ref, old_hash, announce=False)
    finally:
        api.close()
    new_name = _new_name(old.name, name_prefix, datetime.now(timezone.utc))
    return RotationPlan(
        str(ref), old.hash, old.name, new_name, limit if limit is not None else old.limit
    )


def _preflight(
    api: RotationApi,
    state: RotationState,
    ref: SecretRef,
    old_hash: str | None,
    announce: bool = True,
) -> tuple[Secret, ApiKey]:
    name = str(ref)
    try:
        _check_writable(get_provider(ref.backend), ref)
        entry = state.entry(name)
        if entry.get("pending"):
            raise KeyRotationError(
                f"a rotation of {name} is still pending (old key {entry['pending']['old_hash']} "
                "not yet deleted); finish it first with finish_rotation() / "
                "openrouter-secure rotate --finish",
                step="preflight",
            )
        if not api.management.key_info().is_management_key:
            raise KeyRotationError(
                "management_key is not an OpenRouter management key; create one under "
                "Settings > Management keys and pass its reference",
                step="preflight",
            )
        old_key = resolve(ref, cache=False)
        info = api.key_info(old_key)
        if info.is_management_key:
            raise KeyRotationError(
                f"{name} holds a management key; rotate_key rotates API keys used for completions",
                step="preflight",
            )
        record = find_old(api, old_key, info.label, old_hash, entry.get("hash"))
    except KeyRotationError as exc:
        raise failure(name, "preflight", exc.message.rstrip("."), announce=announce) from None
    except (OpenRouterSecureError, LookupError) as exc:
        message = "the current setup does not allow a rotation"
        raise failure(name, "preflight", message, exc, announce=announce) from None
    if record.limit is None:
        # The listing may leave the limit out; GET /key with the key itself has it.
        record = dataclasses.replace(record, limit=info.limit)
    return old_key, record


def _rotate(
    api: RotationApi,
    state: RotationState,
    ref: SecretRef,
    *,
    grace_period: timedelta,
    delete_after: timedelta,
    name_prefix: str | None,
    limit: float | None,
    expires_at: datetime | str | None,
    old_hash: str | None,
) -> RotationResult:
    name = str(ref)
    old_key, old = _preflight(api, state, ref, old_hash)
    now = datetime.now(timezone.utc)
    new_name = _new_name(old.name, name_prefix, now)
    expiry = iso(expires_at) if isinstance(expires_at, datetime) else expires_at
    # -- create -------------------------------------------------------------------------
    try:
        created = api.management.create_key(
            new_name, limit=limit if limit is not None else old.limit, expires_at=expiry
        )
    except OpenRouterSecureError as exc:
        undone = _delete_orphans(api, name, new_name)
        raise failure(name, "create", "OpenRouter did not create the key", exc, undone) from None
    new_key, new_hash = created.key, created.hash
    ids: dict[str, Any] = {"old_hash": old.hash, "new_hash": new_hash}
    emit_step("key.rotation.created", store=name, new_hash=new_hash)

    def undo_create(step: str, message: str, exc: BaseException | None) -> KeyRotationError:
        undone = _delete_new(api, name, new_hash)
        if not undone:
            message += f" (and the new key {new_hash} could not be deleted: delete it by hand)"
        return failure(name, step, message, exc, undone, **ids)

    # -- verify ---------------------------------------------------------------------------
    try:
        info = _verify(api, new_key)
    except OpenRouterSecureError as exc:
        raise undo_create("verify", "the new key does not work", exc) from None
    if info.is_management_key:
        raise undo_create("verify", "OpenRouter returned a management key", None)
    emit_step("key.rotation.verified", store=name, new_hash=new_hash)
    _delete_orphans(api, name, new_name, keep=new_hash)
    # -- state (intent first: a crash after this point leaves a record to finish from) -----
    disable_at, delete_at = now + grace_period, now + delete_after
    pending = {
        **ids,
        "name": new_name,
        "rotated_at": iso(now),
        "disable_at": iso(disable_at),
        "delete_at": iso(delete_at),
        "disabled": False,
        "deleted": False,
        "stored": False,
    }
    previous: dict[str, Any] = {}
    try:
        previous = state.entry(name)
        state.save_entry(name, {**previous, "pending": pending})
    except (OSError, OpenRouterSecureError) as exc:
        raise undo_create("state", f"cannot write {state.path}", exc) from None
    # -- store ------------------------------------------------------------------------------
    try:
        target, payload = _payload_for(ref, new_key)
        get_provider(ref.backend).put(target, payload)
        if _store_holds(ref, new_key) is not True:
            raise KeyRotationError("reading the store back did not give the new key", step="store")
    except Exception as exc:  # noqa: BLE001 - any failure here must be rolled back
        raise _undo_store(api, state, ref, old_key, previous, new_hash, ids, exc) from None
    emit_step("key.rotation.stored", store=name, new_hash=new_hash)
    # -- refresh -----------------------------------------------------------------------------
    try:
        refresh(ref)
        emit_step("key.rotation.refreshed", store=name)
    except OpenRouterSecureError as exc:
        # The store holds the new key (read back above); the cache expires on its own.
        log.warning("rotation of %s: cache refresh failed (%s)", name, type(exc).__name__)
    pending["stored"] = True
    entry = {"hash": new_hash, "rotated_at": iso(now), "pending": pending}
    try:
        state.save_entry(name, entry)
    except OSError as exc:
        log.error(
            "rotation of %s done, but %s could not be updated (%s): finish by hand: disable "
            "and delete key %s",
            name,
            state.path,
            type(exc).__name__,
            old.hash,
        )
    emit_step("key.rotated", store=name, **ids)
    result = result_from_state(name, entry, state.path)
    if grace_period <= timedelta(0):
        from ._finish import finish_locked

        finished = finish_locked(
            api, state, ref, force=True, delete=delete_after <= timedelta(0), old_key=old_key
        )
        return finished or result
    return result


def _delete_new(
    api: RotationApi, store: str, new_hash: str, action: str = "deleted new key"
) -> tuple[str, ...]:
    try:
        api.management.delete_key(new_hash)
    except NotFoundError:
        return ("new key already gone",)
    except OpenRouterSecureError as exc:
        log.error(
            "could not delete the new key %s during rollback (%s): delete it by hand",
            new_hash,
            type(exc).__name__,
        )
        return ()
    emit_step("key.rotation.rolled_back", store=store, action=action, new_hash=new_hash)
    return (action,)


def _delete_orphans(
    api: RotationApi, store: str, new_name: str, keep: str | None = None
) -> tuple[str, ...]:
    """Delete keys named ``new_name`` other than ``keep``: made by a create whose answer
    was lost, or twice by a create that was retried after the server had acted."""
    try:
        orphans = [
            r.hash for r in api.management.list_keys() if r.name == new_name and r.hash != keep
        ]
    except OpenRouterSecureError:
        return ()
    undone: tuple[str, ...] = ()
    for orphan in orphans:
        undone += _delete_new(api, store, orphan, "deleted stray key")
    return undone


def _undo_store(
    api: RotationApi,
    state: RotationState,
    ref: SecretRef,
    old_key: Secret,
    previous: dict[str, Any],
    new_hash: str,
    ids: dict[str, Any],
    exc: BaseException,
) -> KeyRotationError:
    """Put the old value back if needed; delete the new key only once that is proven."""
    name = str(ref)
    undone: list[str] = []
    holds_old = _store_holds(ref, old_key)
    if holds_old is not True:
        try:
            target, payload = _payload_for(ref, old_key)
            get_provider(ref.backend).put(target, payload)
        except Exception as restore_exc:  # noqa: BLE001 - reported below, never raised
            log.error(
                "rotation of %s: restoring the previous value failed (%s)",
                name,
                type(restore_exc).__name__,
            )
        holds_old = _store_holds(ref, old_key)
        if holds_old:
            undone.append("restored previous value")
            emit_step(
                "key.rotation.rolled_back",
                store=name,
                action="restored previous value",
                new_hash="",
            )
    if holds_old:
        undone += _delete_new(api, name, new_hash)
        try:
            state.save_entry(name, previous or None)
        except OSError:
            log.error("rotation of %s: could not clear the pending state", name)
        try:
            refresh(ref)
        except OpenRouterSecureError:
            log.warning("rotation of %s: cache refresh after rollback failed", name)
        message = "writing the new key to the store failed"
    else:
        # The store holds neither key provably: keep both keys alive, say so.
        message = (
            "writing the new key to the store failed and the previous value could not be "
            f"restored; both keys stay enabled: check {name} and, once it holds a working "
            f"key, delete the other (old {ids['old_hash']}, new {new_hash})"
        )
    return failure(name, "store", message, exc, tuple(undone), **ids)
