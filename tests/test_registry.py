from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

import openrouter_secure as ors
import openrouter_secure.backends
from openrouter_secure import _events
from openrouter_secure._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    NoProviderError,
    SecretNotFoundError,
)
from openrouter_secure.backends.env import EnvProvider
from openrouter_secure.testing import FakeProvider, LeakCheck, assert_no_leak


@pytest.fixture
def fake(canary: str) -> Iterator[FakeProvider]:
    provider = FakeProvider({"key": canary, "json": '{"api_key": "%s"}' % canary})
    ors.register_backend("fake", provider, replace=True)
    yield provider
    ors.unregister_backend("fake")


def test_resolve_env_gives_a_masked_secret(monkeypatch: pytest.MonkeyPatch, canary: str) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", canary)
    secret = ors.resolve("env://OPENROUTER_API_KEY")
    assert str(secret) == "***MASKED***"
    assert secret.reveal() == canary


def test_get_provider_returns_one_shared_instance() -> None:
    assert ors.get_provider("env") is ors.get_provider("env")
    assert isinstance(ors.get_provider("env"), EnvProvider)


def test_unknown_backend_lists_the_known_ones() -> None:
    with pytest.raises(NoProviderError, match="env"):
        ors.resolve("nosuchbackend://x")


def test_field_is_applied(fake: FakeProvider, canary: str) -> None:
    assert ors.resolve("fake://json#api_key").reveal() == canary


def test_resolve_first_skips_missing_and_unavailable(
    fake: FakeProvider, monkeypatch: pytest.MonkeyPatch, canary: str
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    secret = ors.resolve_first(["env://NOT_SET_ANYWHERE", "nosuchbackend://x", "fake://key"])
    assert secret.reveal() == canary


def test_resolve_first_reports_every_reference_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("A_NOT_SET", raising=False)
    monkeypatch.delenv("B_NOT_SET", raising=False)
    with pytest.raises(SecretNotFoundError, match=r"env://A_NOT_SET.*env://B_NOT_SET"):
        ors.resolve_first(["env://A_NOT_SET", "env://B_NOT_SET"])


def test_resolve_first_does_not_fall_past_access_denied(fake: FakeProvider) -> None:
    fake.fail_with = AccessDeniedError("denied", ref="fake://key")
    with pytest.raises(AccessDeniedError):
        ors.resolve_first(["fake://key", "env://PATH"])


def test_resolve_first_needs_a_reference() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ors.resolve_first([])


def test_a_raw_backend_exception_is_wrapped_and_scrubbed(fake: FakeProvider, canary: str) -> None:
    ors.Secret(canary)  # the value is known to the process, as it would be once resolved
    fake.fail_with = RuntimeError(f"SDK blew up while holding {canary}")
    with pytest.raises(BackendUnavailableError, match="RuntimeError") as info:
        ors.resolve("fake://key", cache=False)
    assert_no_leak(canary, info.value)
    assert info.value.__cause__ is None


def test_a_backend_returning_text_is_wrapped_in_a_secret() -> None:
    class Plain(ors.SecretProvider):
        name = "plain"

        def get(self, ref: ors.SecretRef) -> ors.Secret:
            return "plain-text-value"  # type: ignore[return-value]

    ors.register_backend("plain", Plain)
    try:
        assert isinstance(ors.resolve("plain://x"), ors.Secret)
    finally:
        ors.unregister_backend("plain")


def test_builtin_names_need_replace_true(fake: FakeProvider) -> None:
    with pytest.raises(ValueError, match="replace=True"):
        ors.register_backend("env", fake)


def test_unavailable_backend_class_says_why() -> None:
    class Nope(ors.SecretProvider):
        name = "nope"

        @classmethod
        def availability(cls) -> ors.backends.Availability:
            return ors.backends.Availability(False, "no such device here")

        def get(self, ref: ors.SecretRef) -> ors.Secret:
            raise AssertionError("never called")

    ors.register_backend("nope", Nope)
    try:
        with pytest.raises(BackendUnavailableError, match="no such device here"):
            ors.get_provider("nope")
        row = next(r for r in ors.available_backends() if r.name == "nope")
        assert (row.available, row.reason) == (False, "no such device here")
    finally:
        ors.unregister_backend("nope")


def test_available_backends_lists_builtins() -> None:
    rows = {r.name: r for r in ors.available_backends()}
    assert rows["env"].available
    assert rows["env"].source == "openrouter-secure"
    assert "keyring" in rows


def test_resolve_emits_events_without_values(fake: FakeProvider, canary: str) -> None:
    seen: list[tuple[str, dict[str, object]]] = []
    listener = _events.subscribe(lambda event, fields: seen.append((event, fields)))
    try:
        ors.resolve("fake://key")
        with pytest.raises(SecretNotFoundError):
            ors.resolve("fake://absent")
    finally:
        _events.unsubscribe(listener)
    assert [e for e, _ in seen] == ["secret.resolved", "secret.resolve_failed"]
    assert seen[0][1] == {"backend": "fake", "ref": "fake://key"}
    assert seen[1][1]["error"] == "SecretNotFoundError"
    assert_no_leak(canary, repr(seen))


def test_a_failing_listener_is_logged_not_raised(fake: FakeProvider) -> None:
    def broken(event: str, fields: dict[str, object]) -> None:
        raise RuntimeError("listener bug")

    _events.subscribe(broken)
    try:
        with LeakCheck() as leaks:
            ors.resolve("fake://key")
    finally:
        _events.unsubscribe(broken)
    assert any(r.levelno == logging.ERROR for r in leaks.records)


async def test_aresolve_goes_through_aget(fake: FakeProvider, canary: str) -> None:
    assert (await ors.aresolve("fake://key")).reveal() == canary


def test_cache_hits_emit_no_event(fake: FakeProvider) -> None:
    seen: list[str] = []
    listener = _events.subscribe(lambda event, fields: seen.append(event))
    try:
        for _ in range(5):
            ors.resolve("fake://key")
    finally:
        _events.unsubscribe(listener)
    assert seen == ["secret.resolved"]
