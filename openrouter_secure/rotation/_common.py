"""What every rotation step shares: the API clients, events, errors, key records.

Kept apart from the steps themselves (:mod:`._rotate`, :mod:`._finish`) so each
module stays one concern. Nothing here ever holds a key in a message,
event or log line: only store references and key hashes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from .. import _events
from .._client._auth import OriginPolicy
from .._client._sync import RedactingClient
from .._client._types import ApiKey, KeyInfo
from .._exceptions import ConfigurationError, KeyRotationError
from .._secret import Secret
from ._protocols import ManagementClient, ManagementKey
from ._state import parse_iso

__all__ = [
    "RotationApi",
    "RotationResult",
    "emit_step",
    "failure",
    "find_old",
    "make_api",
    "result_from_state",
]

log = logging.getLogger("openrouter_secure.rotation")
_PROBE_TIMEOUT = 10.0


@dataclass(frozen=True)
class RotationResult:
    """Where a rotation stands. Hashes identify keys to the management API; no key here."""

    store: str
    old_hash: str
    new_hash: str
    new_name: str
    rotated_at: datetime
    disable_at: datetime
    delete_at: datetime
    old_disabled: bool
    old_deleted: bool
    state_path: Path

    @property
    def finished(self) -> bool:
        return self.old_deleted


class _SharedTransport(httpx.BaseTransport):
    """One connection pool (and one TLS context) for every client of a rotation.

    Building a TLS context costs tens of milliseconds; a rotation makes a client per
    key it checks. Closing one of those clients must not close the shared pool: the
    :class:`RotationApi` that owns it closes it at the end.
    """

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Closed by :meth:`RotationApi.close`, not by each client."""


def _client(
    key: ManagementKey, base_url: str, allow_insecure_loopback: bool, transport: _SharedTransport
) -> RedactingClient:
    return RedactingClient(
        api_key=key,
        base_url=base_url,
        allow_insecure_loopback=allow_insecure_loopback,
        transport=transport,
    )


@dataclass
class RotationApi:
    """The clients a rotation needs: management, and one per key being checked.

    ``owned`` is the management client this rotation built (and closes); ``None`` when
    the caller passed one in.
    """

    management: ManagementClient
    owned: RedactingClient | None
    base_url: str
    allow_insecure_loopback: bool
    transport: _SharedTransport

    def key_info(self, key: Secret) -> KeyInfo:
        """``GET /key`` with ``key`` itself (the key being replaced, or the new one)."""
        with _client(key, self.base_url, self.allow_insecure_loopback, self.transport) as client:
            return client.key_info()

    def authenticates(self, key: Secret) -> bool | None:
        """Whether OpenRouter accepts ``key`` on ``GET /key`` (None: the answer tells neither).

        Asked of a key the rotation has just retired, whose refusal is expected: sent
        without the client's 401 handling, so the refusal raises no ``auth.failed``
        event (an alert) and no warning. The origin policy is the clients' own.
        """
        url = httpx.URL(self.base_url.rstrip("/") + "/key")
        OriginPolicy(self.base_url, allow_insecure_loopback=self.allow_insecure_loopback).check(url)
        try:
            with httpx.Client(
                transport=self.transport, timeout=_PROBE_TIMEOUT, trust_env=False
            ) as http:
                status = http.get(
                    url, headers={"Authorization": "Bearer " + key.reveal()}
                ).status_code
        except httpx.HTTPError:
            return None
        if status in (401, 403):
            return False
        return True if 200 <= status < 300 else None

    def close(self) -> None:
        if self.owned is not None:
            self.owned.close()
        self.transport.inner.close()


def make_api(
    management_key: ManagementKey | None,
    client: ManagementClient | None,
    base_url: str,
    allow_insecure_loopback: bool,
) -> RotationApi:
    """Clients for ``base_url``; ``client`` (if given) is the caller's management client."""
    transport = _SharedTransport()
    owned: RedactingClient | None = None
    if client is None:
        try:
            if management_key is None:
                raise ConfigurationError(
                    "pass management_key= (a secret reference or a Secret) or client="
                )
            client = owned = _client(management_key, base_url, allow_insecure_loopback, transport)
        except BaseException:
            transport.inner.close()
            raise
    return RotationApi(client, owned, base_url, allow_insecure_loopback, transport)


def emit_step(event: str, **fields: Any) -> None:
    _events.emit(event, **fields)
    log.info("%s %s", event, " ".join(f"{k}={v}" for k, v in fields.items()))


def failure(
    store: str,
    step: str,
    message: str,
    exc: BaseException | None = None,
    rolled_back: tuple[str, ...] = (),
    old_hash: str | None = None,
    new_hash: str | None = None,
    *,
    announce: bool = True,
) -> KeyRotationError:
    """The error for a failed step; emits ``key.rotation_failed`` unless ``announce=False``
    (a dry run reports, it does not fail a rotation)."""
    reason = f": {type(exc).__name__}: {exc}" if exc is not None else ""
    if announce:
        _events.emit(
            "key.rotation_failed",
            store=store,
            step=step,
            error=type(exc).__name__ if exc is not None else "KeyRotationError",
            rolled_back=list(rolled_back),
        )
    undone = f" Rolled back: {'; '.join(rolled_back)}." if rolled_back else ""
    return KeyRotationError(
        f"key rotation of {store} failed at step {step!r}: {message}{reason}.{undone}",
        step=step,
        rolled_back=rolled_back,
        old_hash=old_hash,
        new_hash=new_hash,
    )


def find_old(
    api: RotationApi,
    old_key: Secret,
    label: str,
    explicit: str | None = None,
    remembered: str | None = None,
) -> ApiKey:
    """The listed record of the key at the store (see the module doc of ``_rotate``).

    ``explicit`` (the caller's ``old_hash=``) must name a listed key with the stored
    key's label; ``remembered`` (from the state file) is used when it still does, and
    otherwise the label decides.
    """
    records = api.management.list_keys()
    for hint in (explicit, remembered):
        if not hint:
            continue
        named = [r for r in records if r.hash == hint and r.label == label]
        if named:
            return named[0]
        if hint == explicit:
            raise LookupError(
                "old_hash names no listed key with the stored key's label; check the hash "
                "in OpenRouter's key settings"
            )
    matches = [r for r in records if r.label == label and not r.disabled]
    if len(matches) > 1:
        # Labels show only a few characters; OpenRouter-style hashes are SHA-256 of the key.
        digest = hashlib.sha256(old_key.reveal().encode()).hexdigest()
        matches = [r for r in matches if r.hash == digest] or matches
    if len(matches) != 1:
        found = "no listed key" if not matches else f"{len(matches)} listed keys"
        raise LookupError(
            f"{found} matches the stored key's label; pass old_hash= (the hash shown for "
            "it in OpenRouter's key settings) to say which key to replace"
        )
    return matches[0]


def result_from_state(store: str, entry: dict[str, Any], path: Path) -> RotationResult:
    pending = entry.get("pending") or {}
    return RotationResult(
        store=store,
        old_hash=pending.get("old_hash", ""),
        new_hash=pending.get("new_hash", entry.get("hash", "")),
        new_name=pending.get("name", ""),
        rotated_at=parse_iso(pending.get("rotated_at") or entry.get("rotated_at"))
        or datetime.now(timezone.utc),
        disable_at=parse_iso(pending.get("disable_at")) or datetime.now(timezone.utc),
        delete_at=parse_iso(pending.get("delete_at")) or datetime.now(timezone.utc),
        old_disabled=bool(pending.get("disabled", True)),
        old_deleted=bool(pending.get("deleted", not pending)),
        state_path=path,
    )
