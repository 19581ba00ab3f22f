"""``azure://``: the real azure-keyvault-secrets client over HTTPS against a loopback fake.

The fake (``tests/azure_fake.py``) speaks Key Vault's REST protocol with a self-signed
certificate made at start-up, including the bearer challenge (401 first, then a token
from the credential). Nothing is patched: faults are the fake's real answers (403, 429,
a slow answer) or a server that is gone.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("azure.keyvault.secrets", reason="the [azure] extra is not installed")

import openrouter_secure as ors
from openrouter_secure import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    OpenRouterSecureError,
    SecretNotFoundError,
    SecretRef,
)
from openrouter_secure._provider import SecretProvider
from openrouter_secure.backends.azure import AzureProvider
from openrouter_secure.testing import LeakCheck, ProviderContract, assert_no_leak, make_canary
from tests.azure_fake import FakeKeyVault, FakeTokenCredential


@pytest.fixture(scope="module")
def vault() -> Iterator[FakeKeyVault]:
    try:
        fake = FakeKeyVault().start()
    except OSError as exc:  # pragma: no cover - no loopback sockets at all
        from tests.services import service_missing

        service_missing(f"could not start the loopback Key Vault fake: {exc}")
    yield fake
    fake.close()


def make_provider(vault: FakeKeyVault, credential: Any = None, **options: Any) -> AzureProvider:
    settings: dict[str, Any] = {
        "connection_verify": str(vault.ca_file),
        "verify_challenge_resource": False,  # the host is 127.0.0.1, not *.vault.azure.net
        "retry_total": 0,  # fault tests want the first answer, not seconds of retries
        "connection_timeout": 2.0,
        "read_timeout": 2.0,
        **options,
    }
    return AzureProvider(credential=credential or FakeTokenCredential(vault.token), **settings)


@pytest.fixture
def provider(vault: FakeKeyVault) -> Iterator[AzureProvider]:
    vault.heal()
    with make_provider(vault) as prov:
        yield prov  # type: ignore[misc]
    vault.heal()


def ref_for(vault: FakeKeyVault, name: str, **params: str) -> SecretRef:
    return SecretRef.build("azure", f"testvault/{name}", {"vault_url": vault.url, **params})


@pytest.fixture
def registered(provider: AzureProvider) -> Iterator[AzureProvider]:
    """``provider`` registered as azure://, so resolve() goes through it."""
    ors.register_backend("azure", provider, replace=True)
    yield provider
    ors.unregister_backend("azure")


class TestAzureContract(ProviderContract):
    @pytest.fixture(autouse=True)
    def _bind(self, vault: FakeKeyVault) -> None:
        self.vault = vault

    def new_ref(self, name: str) -> SecretRef:
        return ref_for(self.vault, name)

    def store(self, provider: Any, ref: SecretRef, value: str) -> None:
        self.vault.seed(ref.path.rsplit("/", 1)[1], value)


def unique(stem: str) -> str:
    return f"{stem}-{secrets.token_hex(4)}"


# -- references ----------------------------------------------------------------------


def test_vault_url_is_derived_from_the_vault_name() -> None:
    url, name, version = AzureProvider._locate(SecretRef.parse("azure://My-Vault/openrouter-key"))
    assert (url, name, version) == ("https://my-vault.vault.azure.net", "openrouter-key", None)


def test_vault_url_param_overrides_for_sovereign_clouds() -> None:
    ref = SecretRef.parse(
        "azure://vault1/key?vault_url=https://vault1.vault.azure.cn/&version=abc123"
    )
    assert AzureProvider._locate(ref) == ("https://vault1.vault.azure.cn", "key", "abc123")


@pytest.mark.parametrize(
    "text",
    [
        "azure://only-a-vault",
        "azure://vault/a/b",
        "azure://v/key",  # vault name too short
        "azure://vault/bad_name",
        "azure://vault/key?vault_url=http://127.0.0.1:1",  # bearer auth needs https
        "azure://vault/key?vault_url=https://host/some/path",
        "azure://vault/key?version=not-hex!",
    ],
)
def test_malformed_references_are_refused(text: str) -> None:
    with pytest.raises(InvalidReferenceError):
        AzureProvider._locate(SecretRef.parse(text))


def test_a_vault_url_with_a_password_is_refused_without_echoing_it() -> None:
    canary = make_canary("plain")
    # Refused by the reference parser already; the provider would refuse it too.
    with pytest.raises(InvalidReferenceError) as info:
        AzureProvider._locate(
            SecretRef.parse(f"azure://vault1/key?vault_url=https://user:{canary}@vault1.example")
        )
    assert_no_leak(canary, info.value)


# -- protocol ------------------------------------------------------------------------


def test_first_request_meets_the_bearer_challenge_then_uses_a_token() -> None:
    # A vault of its own: the SDK caches challenges per origin for the whole process.
    with FakeKeyVault() as vault:
        credential = FakeTokenCredential(vault.token)
        name = unique("challenge")
        vault.seed(name, "v")
        with make_provider(vault, credential) as prov:
            prov.get(ref_for(vault, name))
            prov.get(ref_for(vault, name))
        seen = vault.requests
    assert seen[0][2] is False  # sent without a token, answered 401 + WWW-Authenticate
    assert all(authorized for _, _, authorized in seen[1:])
    assert credential.calls == 1  # the token is cached for the second read
    assert credential.scopes[0] == ("https://vault.azure.net/.default",)


def test_put_returns_the_version_and_the_previous_version_stays_readable(
    provider: AzureProvider, vault: FakeKeyVault
) -> None:
    ref, first, second = ref_for(vault, unique("rotate")), make_canary(), make_canary()
    with LeakCheck(first, second) as leaks:
        v1 = provider.put(ref, first)
        v2 = provider.put(ref, ors.Secret(second))
        assert v1
        assert v2
        assert v1 != v2
        assert provider.get(ref).reveal() == second
        assert provider.get(ref.with_params(version=v1)).reveal() == first
        leaks.check(v1, v2)


def test_versions_are_listed_newest_first(provider: AzureProvider, vault: FakeKeyVault) -> None:
    ref = ref_for(vault, unique("versions"))
    ids = [provider.put(ref, make_canary()) for _ in range(3)]
    listed = provider.versions(ref)
    assert [v.version for v in listed] == ids[::-1]
    assert all(v.enabled and v.created is not None for v in listed)


def test_versions_of_a_missing_secret_is_not_found(
    provider: AzureProvider, vault: FakeKeyVault
) -> None:
    with pytest.raises(SecretNotFoundError):
        provider.versions(ref_for(vault, unique("noversions")))


def test_put_refuses_a_version_param(provider: AzureProvider, vault: FakeKeyVault) -> None:
    with pytest.raises(InvalidReferenceError):
        provider.put(ref_for(vault, "x", version="abc"), "v")


def test_reusing_a_soft_deleted_name_says_how_to_fix_it(
    provider: AzureProvider, vault: FakeKeyVault
) -> None:
    ref, canary = ref_for(vault, unique("softdel")), make_canary()
    provider.put(ref, make_canary())
    provider.delete(ref)
    with pytest.raises(BackendUnavailableError) as info:
        provider.put(ref, canary)
    assert info.value.retryable is False
    assert "recover" in str(info.value)
    assert_no_leak(canary, info.value)


def test_refresh_picks_up_a_new_version(registered: AzureProvider, vault: FakeKeyVault) -> None:
    name = unique("refresh")
    ref, first, second = ref_for(vault, name), make_canary(), make_canary()
    vault.seed(name, first)
    assert ors.resolve(ref).reveal() == first
    vault.seed(name, second)
    assert ors.resolve(ref).reveal() == first  # still cached
    assert ors.refresh(ref).reveal() == second


async def test_aresolve_reads_through_the_provider(
    registered: AzureProvider, vault: FakeKeyVault
) -> None:
    name, canary = unique("async"), make_canary()
    vault.seed(name, f'{{"api_key": "{canary}"}}')
    secret = await ors.aresolve(ref_for(vault, name).with_field("api_key"))
    assert secret.reveal() == canary


# -- faults: each a typed error naming the reference, never the value -----------------


def _read_fails(provider: SecretProvider, ref: SecretRef, canary: str) -> Exception:
    with LeakCheck(canary) as leaks:
        with pytest.raises(ors.ProviderError) as info:
            provider.get(ref)
        leaks.check(info.value)
    assert info.value.ref == str(ref)
    assert_no_leak(canary, info.value)
    return info.value


def test_permission_denied_is_access_denied(provider: AzureProvider, vault: FakeKeyVault) -> None:
    name, canary = unique("denied"), make_canary()
    vault.seed(name, canary)
    vault.fail(403, "Forbidden")
    error = _read_fails(provider, ref_for(vault, name), canary)
    assert isinstance(error, AccessDeniedError)
    assert "Key Vault Secrets User" in str(error)


def test_a_disabled_secret_says_so(provider: AzureProvider, vault: FakeKeyVault) -> None:
    name, canary = unique("disabled"), make_canary()
    vault.seed(name, canary)
    vault.fail(403, "Forbidden", inner="SecretDisabled")
    error = _read_fails(provider, ref_for(vault, name), canary)
    assert isinstance(error, AccessDeniedError)
    assert "disabled" in str(error)


def test_a_rejected_token_is_access_denied(vault: FakeKeyVault) -> None:
    name, canary = unique("badtoken"), make_canary()
    vault.seed(name, canary)
    with make_provider(vault, FakeTokenCredential("not-the-right-token")) as prov:
        error = _read_fails(prov, ref_for(vault, name), canary)
    assert isinstance(error, AccessDeniedError)


def test_throttling_is_retryable_unavailable(provider: AzureProvider, vault: FakeKeyVault) -> None:
    name, canary = unique("throttled"), make_canary()
    vault.seed(name, canary)
    vault.fail(429, "Throttled", {"Retry-After": "1"})
    error = _read_fails(provider, ref_for(vault, name), canary)
    assert isinstance(error, BackendUnavailableError)
    assert error.retryable


def test_retries_honour_retry_after_within_the_overall_timeout(vault: FakeKeyVault) -> None:
    name, canary = unique("retried"), make_canary()
    vault.seed(name, canary)
    with make_provider(vault, retry_total=5, timeout=1.5) as prov:
        prov.get(ref_for(vault, name))  # settle the challenge first
        before = len(vault.requests)
        vault.fail(429, "Throttled", {"Retry-After": "1"})
        error = _read_fails(prov, ref_for(vault, name), canary)
    attempts = len(vault.requests) - before
    assert isinstance(error, BackendUnavailableError)
    assert error.retryable
    assert 2 <= attempts < 6  # it retried after Retry-After, and the 1.5 s budget cut it short


def test_server_error_is_unavailable(provider: AzureProvider, vault: FakeKeyVault) -> None:
    name, canary = unique("broken"), make_canary()
    vault.seed(name, canary)
    vault.fail(503, "ServiceUnavailable")
    error = _read_fails(provider, ref_for(vault, name), canary)
    assert isinstance(error, BackendUnavailableError)
    assert error.retryable


def test_a_slow_vault_times_out_as_unavailable(vault: FakeKeyVault) -> None:
    name, canary = unique("slow"), make_canary()
    vault.seed(name, canary)
    with make_provider(vault, read_timeout=0.3) as prov:
        prov.get(ref_for(vault, name))  # the challenge and token are settled first
        vault.delay = 1.0
        try:
            error = _read_fails(prov, ref_for(vault, name), canary)
        finally:
            vault.heal()
    assert isinstance(error, BackendUnavailableError)
    assert "in time" in str(error)


def test_a_vault_that_is_gone_is_unavailable() -> None:
    canary = make_canary()
    with FakeKeyVault() as gone:
        name = unique("gone")
        gone.seed(name, canary)
        with make_provider(gone) as prov:
            prov.get(ref_for(gone, name))
            gone.stop()
            error = _read_fails(prov, ref_for(gone, name), canary)
    assert isinstance(error, BackendUnavailableError)


def test_resolve_serves_the_last_good_value_while_the_vault_is_down(
    registered: AzureProvider, vault: FakeKeyVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ors.get_cache(), "ttl", 0.0)  # every resolve() refetches
    name, canary = unique("stale"), make_canary()
    ref = ref_for(vault, name)
    vault.seed(name, canary)
    assert ors.resolve(ref).reveal() == canary
    vault.fail(503, "ServiceUnavailable")
    with LeakCheck(canary) as leaks:
        assert ors.resolve(ref).reveal() == canary
    assert any("last good value" in m for m in leaks.messages)
    vault.fail(403, "Forbidden")  # a revoked permission is never papered over
    with pytest.raises(AccessDeniedError) as info:
        ors.resolve(ref)
    assert_no_leak(canary, info.value)


# -- production path -------------------------------------------------------------------


def test_the_registry_builds_the_provider_with_no_arguments() -> None:
    ors.unregister_backend("azure")
    try:
        provider = ors.get_provider("azure")
        assert isinstance(provider, AzureProvider)
        assert AzureProvider.availability()
        assert provider._clients == {}  # nothing is contacted until the first read
    finally:
        ors.unregister_backend("azure")  # drop the shared instance


def test_close_releases_clients_and_is_idempotent(vault: FakeKeyVault) -> None:
    name = unique("close")
    vault.seed(name, "v")
    prov = make_provider(vault)
    prov.get(ref_for(vault, name))
    assert prov._clients
    prov.close()
    prov.close()
    assert not prov._clients
    assert asyncio.run(prov.aget(ref_for(vault, name))).reveal() == "v"  # reopens on demand
    prov.close()


# -- end to end: the OpenRouter key kept in Key Vault ---------------------------------


def test_the_client_takes_an_azure_reference_as_its_api_key(
    registered: AzureProvider, vault: FakeKeyVault, openrouter_server: Any
) -> None:
    stored = openrouter_server.add_key(name="kept in key vault")
    name = unique("openrouter")
    vault.seed(name, stored.key)
    with LeakCheck(stored.key) as leaks:
        client = ors.RedactingClient(
            api_key=str(ref_for(vault, name)),
            base_url=openrouter_server.base_url,
            allow_insecure_loopback=True,
        )
        with client:
            info = client.key_info()
        leaks.check(repr(client), info)
    assert info.is_management_key is False


def test_a_redirect_is_not_followed(vault: FakeKeyVault) -> None:
    """Key Vault never redirects; a 307 to another origin (here the same server under
    another name) would re-send the token and the value being written."""
    name = unique("redirected")
    canary = make_canary("plain")
    elsewhere = vault.url.replace("127.0.0.1", "localhost")
    vault.fail(307, "Redirect", {"Location": f"{elsewhere}/secrets/{name}?api-version=7.6"})
    try:
        with make_provider(vault) as provider:
            before = len(vault.requests)
            with pytest.raises(OpenRouterSecureError) as info:
                provider.put(ref_for(vault, name), canary)
            sent = vault.requests[before:]
    finally:
        vault.heal()
    # (The bearer challenge, unless cached,) the authorized PUT that met the 307; no more.
    assert [authorized for _, _, authorized in sent][-2:] in ([False, True], [True])
    assert_no_leak(canary, info.value)


def test_list_secrets_names_a_vaults_secrets_without_values(
    provider: AzureProvider, vault: FakeKeyVault
) -> None:
    canary = make_canary()
    stem = unique("listed")
    for name in (f"{stem}-b", f"{stem}-a"):
        vault.seed(name, canary)
    vault.seed(unique("other"), canary)
    prefix = ref_for(vault, stem)
    entries = provider.list_secrets(prefix)
    assert [e.ref.path.split("/")[1] for e in entries] == [f"{stem}-a", f"{stem}-b"]
    assert entries[0].updated is not None
    assert provider.get(entries[0].ref).reveal() == canary
    assert_no_leak(canary, *(repr(e) for e in entries))
