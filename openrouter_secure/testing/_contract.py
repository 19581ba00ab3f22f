"""The behaviour every secret backend promises, as a pytest mixin.

Nothing here imports pytest: the mixin's methods are plain test functions that pytest
collects from the subclass.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from .._exceptions import OpenRouterSecureError, SecretNotFoundError, UnsupportedOperationError
from .._provider import SecretProvider
from .._refs import SecretRef
from .._sanitize._sanitizer import default_sanitizer
from .._secret import Secret
from ._leaks import LeakCheck, assert_no_leak, make_canary


class ProviderContract:
    """The behaviour every backend promises. Subclass it in a pytest test class.

    Provide three things:

    - a ``provider`` pytest fixture returning the backend under test;
    - ``new_ref(self, name)``: a reference to a secret that does not exist yet;
    - ``store(self, provider, ref, value)``: put ``value`` there. The default calls
      ``provider.put``; a read-only backend overrides it to store out of band (through
      the service's own SDK, or the environment for ``env://``).

    Whether ``put`` and ``delete`` are exercised or must be refused comes from the
    provider itself (:meth:`SecretProvider.supports`: whether it defines them). Every
    check plants a fresh canary and asserts it appears in no error, repr or log record.
    """

    def new_ref(self, name: str) -> SecretRef:
        raise NotImplementedError

    def store(self, provider: SecretProvider, ref: SecretRef, value: str) -> None:
        provider.put(ref, value)

    def _unique(self, stem: str) -> SecretRef:
        return self.new_ref(f"{stem}-{secrets.token_hex(4)}")

    def test_get_returns_the_stored_value_masked(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("get"), make_canary()
        self.store(provider, ref, canary)
        with LeakCheck(canary) as leaks:
            secret = provider.get(ref)
            assert isinstance(secret, Secret)
            assert secret.reveal() == canary
            leaks.check(repr(secret), str(secret), f"{secret}", repr(provider))

    def test_missing_secret_raises_not_found_naming_the_reference(
        self, provider: SecretProvider
    ) -> None:
        ref = self._unique("missing")
        try:
            provider.get(ref)
        except SecretNotFoundError as exc:
            assert exc.ref is not None
            assert ref.path.split("/")[-1] in exc.ref
        else:
            raise AssertionError("get() of a missing secret did not raise SecretNotFoundError")

    def test_field_selects_a_key_from_a_json_secret(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("json"), make_canary()
        self.store(provider, ref, f'{{"api_key": "{canary}", "other": "x"}}')
        assert provider.get(ref.with_field("api_key")).reveal() == canary

    def test_missing_field_raises_not_found_without_the_value(
        self, provider: SecretProvider
    ) -> None:
        ref, canary = self._unique("nofield"), make_canary()
        self.store(provider, ref, f'{{"api_key": "{canary}"}}')
        try:
            provider.get(ref.with_field("nope"))
        except SecretNotFoundError as exc:
            _assert_error_clean(canary, exc)
        else:
            raise AssertionError("a missing #field did not raise SecretNotFoundError")

    def test_aget_matches_get(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("aget"), make_canary()
        self.store(provider, ref, canary)
        assert asyncio.run(provider.aget(ref)).reveal() == canary

    def test_put_then_get_round_trips_or_is_refused(self, provider: SecretProvider) -> None:
        ref, first, second = self._unique("put"), make_canary(), make_canary()
        if not provider.supports("put"):
            try:
                provider.put(ref, first)
            except UnsupportedOperationError as exc:
                _assert_error_clean(first, exc)
                return
            raise AssertionError("a read-only backend accepted put()")
        provider.put(ref, first)
        provider.put(ref, Secret(second))
        assert provider.get(ref).reveal() == second

    def test_delete_removes_the_secret(self, provider: SecretProvider) -> None:
        if not (provider.supports("put") and provider.supports("delete")):
            return
        ref, canary = self._unique("delete"), make_canary()
        provider.put(ref, canary)
        provider.delete(ref)
        try:
            provider.get(ref)
        except SecretNotFoundError as exc:
            _assert_error_clean(canary, exc)
        else:
            raise AssertionError("get() after delete() did not raise SecretNotFoundError")

    def test_errors_never_carry_the_value(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("errors"), make_canary()
        self.store(provider, ref, canary)
        errors: list[Any] = []
        for bad in (ref.with_field("missing"), self._unique("absent")):
            try:
                provider.get(bad)
            except OpenRouterSecureError as exc:
                errors.append(exc)
        assert errors, "expected the bad reads to raise"
        _assert_error_clean(canary, *errors)


def _assert_error_clean(canary: str, *errors: BaseException) -> None:
    """The errors carry no value, and their ``scrub_exception`` copies (what a log
    handler or reporter gets) show none in their frames' locals either; the originals'
    frames hold raw locals by design, as any Python exception's do."""
    assert_no_leak(canary, *errors, frame_locals=False)
    assert_no_leak(canary, *(default_sanitizer().scrub_exception(e) for e in errors))
