"""keyring:// against a real Secret Service (gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

import openrouter_secure as ors
from openrouter_secure import (
    BackendUnavailableError,
    InvalidReferenceError,
    SecretNotFoundError,
    SecretRef,
)
from openrouter_secure.backends.keyring import KeyringProvider, _bounded
from openrouter_secure.testing import LeakCheck, ProviderContract, make_canary


class TestKeyringContract(ProviderContract):
    @pytest.fixture
    def provider(self, keychain: Any) -> KeyringProvider:
        return KeyringProvider()

    def new_ref(self, name: str) -> SecretRef:
        return SecretRef.parse(f"keyring://openrouter-secure-tests/{name}")


def test_value_stored_by_python_is_read_by_secret_tool(keychain: Any) -> None:
    canary = make_canary()
    KeyringProvider().put(SecretRef.parse("keyring://ors-interop/user"), canary)
    out = subprocess.run(
        ["secret-tool", "lookup", "service", "ors-interop", "username", "user"],
        capture_output=True,
        text=True,
        check=False,
        timeout=20,
    )
    if out.returncode != 0 and "not found" in out.stderr.lower():
        pytest.fail("secret-tool could not read the entry keyring wrote")
    assert out.stdout.strip() == canary


def test_resolve_reads_the_real_keychain(keychain: Any) -> None:
    canary = make_canary()
    KeyringProvider().put(SecretRef.parse("keyring://openrouter-mcp/api_key"), canary)
    with LeakCheck(canary):
        assert ors.resolve("keyring://openrouter-mcp/api_key", cache=False).reveal() == canary


def test_availability_reports_the_secret_service(keychain: Any) -> None:
    availability = KeyringProvider.availability()
    assert availability.available
    assert "SecretService" in availability.reason


def test_missing_entry_tells_how_to_store_one(keychain: Any) -> None:
    with pytest.raises(SecretNotFoundError, match="openrouter-secure secret set keyring://"):
        KeyringProvider().get(SecretRef.parse("keyring://ors-none/nobody"))


def test_path_needs_service_and_username() -> None:
    with pytest.raises(InvalidReferenceError, match="SERVICE/USERNAME"):
        KeyringProvider().get(SecretRef.parse("keyring://only-one-part"))


def test_a_hanging_keychain_call_times_out() -> None:
    ref = SecretRef.parse("keyring://svc/user")
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError, match="did not answer"):
        _bounded(lambda: time.sleep(5), 0.2, "a read", ref)
    assert time.monotonic() - started < 2


def test_a_locked_keychain_backend_times_out_through_get() -> None:
    """A keyring backend that blocks (as a locked Linux keychain does) is bounded."""
    import keyring.backend

    class Hanging(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            time.sleep(5)
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            time.sleep(5)

        def delete_password(self, service: str, username: str) -> None:
            time.sleep(5)

    provider = KeyringProvider(backend=Hanging())
    with pytest.raises(BackendUnavailableError, match="may be locked"):
        provider.get(SecretRef.parse("keyring://svc/user?timeout=0.2"))


def test_timeout_param_is_validated() -> None:
    with pytest.raises(InvalidReferenceError, match="timeout"):
        KeyringProvider().get(SecretRef.parse("keyring://svc/user?timeout=-1"))


def test_no_keychain_is_reported_with_how_to_fix() -> None:
    from keyring.backends import fail

    from openrouter_secure.backends.keyring import _judge

    verdict = _judge(fail.Keyring())
    assert not verdict.available
    assert "Secret Service" in verdict.reason


def test_list_secrets_searches_the_secret_service_without_values(keychain: Any) -> None:
    import secrets as pysecrets

    from openrouter_secure.testing import assert_no_leak

    service = f"ors-list-{pysecrets.token_hex(4)}"
    canary = make_canary()
    provider = KeyringProvider()
    for user in ("b_key", "a_key"):
        provider.put(SecretRef.parse(f"keyring://{service}/{user}"), canary)
    keychain.set_password(service + "-other", "x", "y")
    entries = provider.list_secrets(SecretRef("keyring", service + "/"))
    assert [str(e.ref) for e in entries] == [
        f"keyring://{service}/a_key",
        f"keyring://{service}/b_key",
    ]
    assert all(e.updated is not None for e in entries)
    assert_no_leak(canary, *(repr(e) for e in entries))


def test_list_secrets_on_a_keychain_that_cannot_search_says_so() -> None:
    from keyring.backends.null import Keyring as NullKeyring

    from openrouter_secure import UnsupportedOperationError

    with pytest.raises(UnsupportedOperationError, match="Secret Service"):
        KeyringProvider(NullKeyring()).list_secrets(SecretRef("keyring", ""))
