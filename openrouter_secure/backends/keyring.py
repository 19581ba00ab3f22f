"""``keyring://SERVICE/USERNAME``: the OS keychain through the ``keyring`` library.

macOS Keychain, Windows Credential Locker, and the Secret Service on Linux (GNOME
Keyring, KWallet). A locked Linux keychain can block forever waiting for an unlock
prompt nobody sees, so every call runs in a daemon thread bounded by ``timeout``
seconds (default 5, ``?timeout=`` per reference or ``OPENROUTER_SECURE_KEYRING_TIMEOUT``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from .._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    SecretNotFoundError,
    UnsupportedOperationError,
)
from .._provider import Availability, SecretEntry, SecretProvider, select_field
from .._refs import SecretRef
from .._secret import Secret

__all__ = ["KeyringProvider"]

T = TypeVar("T")
DEFAULT_TIMEOUT = 5.0


def _bounded(call: Callable[[], T], timeout: float, what: str, ref: SecretRef | None) -> T:
    """Run ``call`` in a daemon thread; give up after ``timeout`` seconds."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            error.append(exc)

    thread = threading.Thread(target=run, name="openrouter-secure-keyring", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise BackendUnavailableError(
            f"the OS keychain did not answer {what} within {timeout:g}s"
            + (f" ({ref})" if ref else "")
            + "; it may be locked: unlock it, or raise ?timeout=",
            ref=ref,
            backend="keyring",
        )
    if error:
        raise error[0]
    return result[0]


class KeyringProvider(SecretProvider):
    """The OS keychain. The path's last segment is the username, the rest the service."""

    name = "keyring"
    extra = "keyring"
    params = frozenset({"timeout"})

    def __init__(self, backend: Any | None = None) -> None:
        # ``backend`` pins a keyring backend object (tests, or an app's explicit choice);
        # otherwise keyring's own selection (config file, env, priorities) decides.
        self._backend = backend

    @classmethod
    def availability(cls) -> Availability:
        if not (sdk := cls.check_sdk("keyring")):
            return sdk
        # Unlike the cloud SDKs, keyring is imported here: only its chosen backend can
        # tell whether this machine has a usable keychain.
        try:
            keyring = cls.import_sdk("keyring")
        except ImportError as exc:  # installed but broken
            return Availability(False, str(exc))
        try:
            backend = _bounded(keyring.get_keyring, _timeout(None), "which keychain to use", None)
        except BackendUnavailableError as exc:
            return Availability(False, str(exc))
        return _judge(backend)

    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        return self.import_sdk("keyring").get_keyring()

    @staticmethod
    def _split(ref: SecretRef) -> tuple[str, str]:
        service, sep, username = ref.path.strip("/").rpartition("/")
        if not sep or not service or not username:
            raise InvalidReferenceError(
                f"{ref}: a keyring:// path is SERVICE/USERNAME, e.g. keyring://openrouter-mcp/api_key"
            )
        return service, username

    def _call(self, ref: SecretRef, what: str, fn: Callable[[Any], T]) -> T:
        errors = self.import_sdk("keyring.errors")

        def call() -> T:
            return fn(self._keyring())

        try:
            return _bounded(call, _timeout(ref), what, ref)
        except errors.KeyringLocked:
            raise AccessDeniedError(
                f"the OS keychain is locked ({ref}); unlock it first", ref=ref
            ) from None
        except errors.NoKeyringError:
            raise BackendUnavailableError(
                f"no usable OS keychain on this machine ({ref}): {_judge(self._keyring()).reason}",
                ref=ref,
                retryable=False,
            ) from None
        except errors.InitError as exc:
            raise BackendUnavailableError(
                f"the OS keychain could not start ({ref}): {exc}", ref=ref
            ) from None
        except errors.KeyringError as exc:
            raise BackendUnavailableError(
                f"the OS keychain failed {what} ({ref}): {type(exc).__name__}: {exc}", ref=ref
            ) from None

    def get(self, ref: SecretRef) -> Secret:
        service, username = self._split(ref)
        value = self._call(ref, "a read", lambda kr: kr.get_password(service, username))
        if value is None:
            raise SecretNotFoundError(
                f"the OS keychain has no entry for service {service!r}, user {username!r} ({ref}); "
                f"store one with  openrouter-secure secret set {ref}",
                ref=ref,
            )
        return select_field(ref, value)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        service, username = self._split(ref)
        text = value.reveal() if isinstance(value, Secret) else value
        self._call(ref, "a write", lambda kr: kr.set_password(service, username, text))
        return None

    def delete(self, ref: SecretRef) -> None:
        service, username = self._split(ref)
        errors = self.import_sdk("keyring.errors")

        def remove(kr: Any) -> None:
            try:
                kr.delete_password(service, username)
            except errors.PasswordDeleteError:
                raise SecretNotFoundError(
                    f"the OS keychain has no entry to delete for {ref}", ref=ref
                ) from None

        self._call(ref, "a delete", remove)

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        """The entries whose ``SERVICE/USERNAME`` starts with ``prefix.path``, with their
        last change. Only the Secret Service (Linux) can be searched: other keychains
        raise :class:`UnsupportedOperationError`."""

        def search(kr: Any) -> list[SecretEntry]:
            collection_of = getattr(kr, "get_preferred_collection", None)
            if collection_of is None:
                raise UnsupportedOperationError(
                    f"{prefix}: listing needs the Secret Service; this keychain "
                    f"({type(kr).__name__}) cannot be searched",
                    ref=prefix,
                )
            found = []
            for item in collection_of().get_all_items():
                attributes = item.get_attributes()
                service, username = attributes.get("service"), attributes.get("username")
                if not service or not username:
                    continue  # not something a keyring:// reference can name
                path = f"{service}/{username}"
                if not path.startswith(prefix.path):
                    continue
                try:
                    ref = SecretRef.build("keyring", path, prefix.params)
                except InvalidReferenceError:
                    continue  # a name no reference can spell (white space)
                updated = datetime.fromtimestamp(item.get_modified(), tz=timezone.utc)
                found.append(SecretEntry(ref, updated, str(item.get_label())))
            return sorted(found, key=lambda e: e.ref.path)

        return self._call(prefix, "a listing", search)


def _timeout(ref: SecretRef | None) -> float:
    raw = (ref.param("timeout") if ref else None) or os.environ.get(
        "OPENROUTER_SECURE_KEYRING_TIMEOUT"
    )
    if raw is None:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 300:
        raise InvalidReferenceError(
            f"keyring timeout must be a number of seconds in (0, 300] (got {raw!r})"
        )
    return value


def _judge(backend: Any) -> Availability:
    """Whether keyring's chosen backend actually stores secrets."""
    kind = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if "keyring.backends.fail" in kind or "keyring.backends.null" in kind:
        return Availability(
            False,
            f"keyring found no OS keychain (it chose {kind}). On Linux install and unlock a "
            "Secret Service (gnome-keyring or KWallet) in a D-Bus session",
        )
    if kind.startswith("keyring.backends.chainer"):
        inner = getattr(backend, "backends", [])
        if not inner:
            return Availability(False, "keyring's chainer has no usable backends")
        return Availability(True, "keychain: " + ", ".join(type(b).__name__ for b in inner))
    return Availability(True, f"keychain: {kind}")
