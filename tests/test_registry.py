from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import openrouter_secure as ors
import openrouter_secure.backends
from openrouter_secure import _events, _registry
from openrouter_secure._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    MissingDependencyError,
    NoProviderError,
    SecretNotFoundError,
)
from openrouter_secure.backends.aws import AwsProvider
from openrouter_secure.backends.azure import AzureProvider
from openrouter_secure.backends.dotenv import DotenvProvider
from openrouter_secure.backends.env import EnvProvider
from openrouter_secure.backends.file import FileProvider
from openrouter_secure.backends.gcp import GcpProvider
from openrouter_secure.backends.keyring import KeyringProvider
from openrouter_secure.backends.vault import VaultProvider
from openrouter_secure.testing import FakeProvider, LeakCheck, assert_no_leak, make_canary


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


# -- what each backend declares: params, availability, writing --------------------------

BUILTIN_REFS: dict[str, tuple[type[ors.SecretProvider], str]] = {
    "env": (EnvProvider, "env://OPENROUTER_API_KEY"),
    "keyring": (KeyringProvider, "keyring://openrouter-mcp/api_key"),
    "aws": (AwsProvider, "aws://prod/openrouter"),
    "vault": (VaultProvider, "vault://secret/openrouter"),
    "azure": (AzureProvider, "azure://my-vault/openrouter-key"),
    "gcp": (GcpProvider, "gcp://my-project/openrouter-key"),
    "file": (FileProvider, "file:///run/secrets/openrouter"),
    "dotenv": (DotenvProvider, "dotenv:///srv/app/.env"),
}


def test_every_builtin_has_a_reference_here() -> None:
    assert set(BUILTIN_REFS) == set(_registry.BUILTIN)


@pytest.mark.parametrize("name", sorted(BUILTIN_REFS))
def test_an_unknown_param_is_refused_by_the_registry_for_every_builtin(name: str) -> None:
    backend, text = BUILTIN_REFS[name]
    ref = ors.SecretRef.parse(text + "?regoin=eu-west-1")
    accepted = backend.params
    takes = f"accepts {', '.join(sorted(accepted))}" if accepted else "takes no params"
    expected = f"{text}?regoin=...: unknown {name}:// param 'regoin'; {name}:// {takes}"
    with pytest.raises(ors.InvalidReferenceError) as info:
        ors.resolve(ref, cache=False)
    assert str(info.value) == expected


@pytest.mark.parametrize("operation", ["get", "aget", "put", "delete", "versions"])
def test_a_provider_called_directly_refuses_an_unknown_param(
    fake: FakeProvider, operation: str
) -> None:
    # Not only resolve(): a provider reached through get_provider() (as rotation and the
    # CLI do) must not quietly write to the default place a misspelt param was meant to
    # move it from.
    pasted = secrets.token_hex(8)  # a credential-shaped value is refused earlier, by the parser
    ref = ors.SecretRef.parse(f"fake://key?verzion={pasted}")
    with pytest.raises(ors.InvalidReferenceError, match="'verzion'") as info:
        call_provider(ors.get_provider("fake"), operation, ref)
    assert_no_leak(pasted, info.value)


@pytest.mark.parametrize("operation", ["aget", "put", "delete", "versions"])
def test_a_backend_without_the_operation_refuses_the_param_not_the_operation(
    operation: str,
) -> None:
    # The base class's own defaults check params too: otherwise a read-only backend
    # answers "does not support put()" and quotes the whole reference, values included.
    class ReadOnly(ors.SecretProvider):
        name = "readonly"

        def get(self, ref: ors.SecretRef) -> ors.Secret:
            return ors.Secret("value")

    pasted = secrets.token_hex(8)  # a credential-shaped value is refused earlier, by the parser
    ref = ors.SecretRef.parse(f"readonly://key?dri={pasted}")
    with pytest.raises(ors.InvalidReferenceError, match="'dri'") as info:
        call_provider(ReadOnly(), operation, ref)
    assert_no_leak(pasted, info.value)


def call_provider(provider: ors.SecretProvider, operation: str, ref: ors.SecretRef) -> object:
    if operation == "aget":
        return asyncio.run(provider.aget(ref))
    if operation == "put":
        return provider.put(ref, "value")
    return getattr(provider, operation)(ref)


def test_a_reference_to_no_backend_is_recorded_by_its_scheme_only() -> None:
    # Text with an unknown scheme was likely never a reference (rediz:// for redis://):
    # what follows the scheme may be a host, a database, a password.
    seen: list[tuple[str, dict[str, object]]] = []
    listener = _events.subscribe(lambda event, fields: seen.append((event, fields)))
    try:
        with pytest.raises(NoProviderError):
            ors.resolve("rediz://127.0.0.1:6379/0")
    finally:
        _events.unsubscribe(listener)
    assert seen == [
        (
            "secret.resolve_failed",
            {"backend": "rediz", "ref": "rediz://...", "error": "NoProviderError"},
        )
    ]


def test_a_mistyped_storage_url_with_a_password_is_refused_before_any_backend() -> None:
    password = make_canary("plain")
    seen: list[tuple[str, dict[str, object]]] = []
    listener = _events.subscribe(lambda event, fields: seen.append((event, fields)))
    try:
        with pytest.raises(ors.InvalidReferenceError) as info:
            ors.resolve(f"rediz://app:{password}@127.0.0.1:6379/0")
    finally:
        _events.unsubscribe(listener)
    assert_no_leak(password, info.value, repr(seen))


def test_a_refused_params_values_appear_nowhere(fake: FakeProvider) -> None:
    # No rule would mask these, and they do not look like credentials (those are refused
    # by the parser before any backend sees them).
    known, pasted = secrets.token_hex(8), secrets.token_hex(8)
    seen: list[tuple[str, dict[str, object]]] = []
    listener = _events.subscribe(lambda event, fields: seen.append((event, fields)))
    try:
        with pytest.raises(ors.InvalidReferenceError, match="'kee'") as info:
            ors.resolve(f"fake://key?version={known}&kee={pasted}")
    finally:
        _events.unsubscribe(listener)
    assert "fake://key?version=...&kee=..." in str(info.value)
    assert_no_leak([known, pasted], info.value, repr(seen))


def test_params_a_backend_declares_pass_the_registry(fake: FakeProvider, canary: str) -> None:
    fake.put(ors.SecretRef.parse("fake://key"), "second")
    assert ors.resolve("fake://key?version=1", cache=False).reveal() == canary


def test_params_are_checked_before_the_backend_is_built() -> None:
    class Unbuildable(ors.SecretProvider):
        name = "unbuildable"
        params = frozenset({"zone"})

        @classmethod
        def availability(cls) -> ors.backends.Availability:
            return ors.backends.Availability(False, "never runs here")

        def get(self, ref: ors.SecretRef) -> ors.Secret:
            raise AssertionError("never called")

    ors.register_backend("unbuildable", Unbuildable)
    try:
        with pytest.raises(ors.InvalidReferenceError, match="accepts zone"):
            ors.resolve("unbuildable://x?zoen=1")
        with pytest.raises(BackendUnavailableError, match="never runs here"):
            ors.resolve("unbuildable://x?zone=1")
    finally:
        ors.unregister_backend("unbuildable")


def test_a_missing_extra_is_reported_by_the_backends_own_availability(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "hvac", None)  # Python's marker for "import fails"
    ors.unregister_backend("vault")  # drop a shared instance built while hvac was there
    try:
        row = next(r for r in ors.available_backends() if r.name == "vault")
        assert not row.available
        assert row.reason == 'hvac is not installed: pip install "openrouter-secure[vault]"'
        with pytest.raises(MissingDependencyError, match=r"openrouter-secure\[vault\]") as info:
            ors.resolve("vault://secret/x", cache=False)
        assert info.value.extra == "vault"
    finally:
        ors.unregister_backend("vault")


def test_a_registered_backend_names_its_own_missing_sdk() -> None:
    class NeedsSdk(ors.SecretProvider):
        name = "needssdk"
        extra = "needssdk"

        @classmethod
        def availability(cls) -> ors.backends.Availability:
            return cls.check_sdk("json", "a_module_nobody_installs.client")

        def get(self, ref: ors.SecretRef) -> ors.Secret:
            raise AssertionError("never called")

    ors.register_backend("needssdk", NeedsSdk)
    try:
        row = next(r for r in ors.available_backends() if r.name == "needssdk")
        assert not row.available
        assert row.reason.startswith("a_module_nobody_installs.client is not installed")
        with pytest.raises(MissingDependencyError, match="a_module_nobody_installs"):
            ors.get_provider("needssdk")
    finally:
        ors.unregister_backend("needssdk")


def test_an_availability_that_raises_is_reported_in_its_row() -> None:
    class Buggy(ors.SecretProvider):
        name = "buggy"

        @classmethod
        def availability(cls) -> ors.backends.Availability:
            raise RuntimeError("plugin bug")

        def get(self, ref: ors.SecretRef) -> ors.Secret:
            raise AssertionError("never called")

    ors.register_backend("buggy", Buggy)
    try:
        row = next(r for r in ors.available_backends() if r.name == "buggy")
        assert not row.available
        assert row.reason == "availability() raised RuntimeError: plugin bug"
        with pytest.raises(BackendUnavailableError, match="plugin bug"):
            ors.get_provider("buggy")
    finally:
        ors.unregister_backend("buggy")


def test_builtin_targets_are_the_packages_entry_points() -> None:
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    declared = pyproject["project"]["entry-points"][_registry.ENTRY_POINT_GROUP]
    assert declared == _registry.BUILTIN


def test_writing_is_whether_a_backend_defines_put() -> None:
    rows = {r.name: r.writable for r in ors.available_backends()}
    assert rows["env"] is False  # it explains the refusal, but has no put()
    assert rows["keyring"] is True
    assert EnvProvider.supports("put") is False
    assert FakeProvider.supports("put")
