"""``gcp://``: the real google-cloud-secret-manager client (REST) against a loopback fake.

The fake (``tests/gcp_fake.py``) speaks Secret Manager's v1 JSON protocol on 127.0.0.1;
the client uses ``AnonymousCredentials`` and ``?endpoint=http://127.0.0.1:PORT``. Nothing
is patched: faults are the fake's real answers (403, 429, 503, a wrong checksum, a slow
answer) or a server that is gone.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("google.cloud.secretmanager", reason="the [gcp] extra is not installed")

from google.auth.credentials import AnonymousCredentials

import openrouter_secure as ors
from openrouter_secure import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    SecretFormatError,
    SecretNotFoundError,
    SecretRef,
)
from openrouter_secure._provider import SecretProvider
from openrouter_secure.backends.gcp import GcpProvider
from openrouter_secure.testing import (
    LeakCheck,
    ProviderContract,
    assert_no_leak,
    make_canary,
)
from tests.gcp_fake import FakeSecretManager, FakeSecretManagerGrpc
from tests.redirect_servers import url_of

PROJECT = "test-project"


@pytest.fixture(scope="module")
def gsm() -> Iterator[FakeSecretManager]:
    try:
        fake = FakeSecretManager().start()
    except OSError as exc:  # pragma: no cover - no loopback sockets at all
        from tests.services import service_missing

        service_missing(f"could not start the loopback Secret Manager fake: {exc}")
    yield fake
    fake.stop()


def make_provider(**options: Any) -> GcpProvider:
    settings: dict[str, Any] = {"timeout": 2.0, "retry_timeout": 0.0, **options}
    return GcpProvider(credentials=AnonymousCredentials(), **settings)


@pytest.fixture
def provider(gsm: FakeSecretManager) -> Iterator[GcpProvider]:
    gsm.heal()
    with make_provider() as prov:
        yield prov  # type: ignore[misc]
    gsm.heal()


def ref_for(gsm: FakeSecretManager, secret: str, **params: str) -> SecretRef:
    return SecretRef.build("gcp", f"{PROJECT}/{secret}", {"endpoint": gsm.endpoint, **params})


def unique(stem: str) -> str:
    return f"{stem}-{secrets.token_hex(4)}"


@pytest.fixture
def registered(provider: GcpProvider) -> Iterator[GcpProvider]:
    """``provider`` registered as gcp://, so resolve() goes through it."""
    ors.register_backend("gcp", provider, replace=True)
    yield provider
    ors.unregister_backend("gcp")


class TestGcpContract(ProviderContract):
    @pytest.fixture(autouse=True)
    def _bind(self, gsm: FakeSecretManager) -> None:
        self.gsm = gsm

    def new_ref(self, name: str) -> SecretRef:
        return ref_for(self.gsm, name)

    def store(self, provider: Any, ref: SecretRef, value: str) -> None:
        self.gsm.seed(PROJECT, ref.path.rsplit("/", 1)[1], value)


# -- references ----------------------------------------------------------------------


def test_reference_parts_and_defaults() -> None:
    ref = SecretRef.parse("gcp://my-project/openrouter_key")
    assert GcpProvider._locate(ref) == ("my-project", "openrouter_key", "latest")
    assert GcpProvider._channel(ref) == ("rest", None)
    pinned = SecretRef.parse("gcp://123456789/key?version=3&transport=grpc&endpoint=eu.example.com")
    assert GcpProvider._locate(pinned) == ("123456789", "key", "3")
    assert GcpProvider._channel(pinned) == ("grpc", "eu.example.com")


@pytest.mark.parametrize(
    "text",
    [
        "gcp://only-project",
        "gcp://my-project/a/b",
        "gcp://my-project/bad.name",
        "gcp://my-project/key?version=0",
        "gcp://my-project/key?version=-1",
        "gcp://my-project/key?transport=carrier-pigeon",
        "gcp://my-project/key?endpoint=http://secretmanager.example.com",  # token in clear
        "gcp://my-project/key?endpoint=https://host/v1/path",
        "gcp://my-project/key?endpoint=http://10.0.0.1:1&transport=grpc",
    ],
)
def test_malformed_references_are_refused(text: str) -> None:
    ref = SecretRef.parse(text)

    def check() -> None:
        GcpProvider._locate(ref)
        GcpProvider._channel(ref)

    with pytest.raises(InvalidReferenceError):
        check()


def test_an_endpoint_with_a_password_is_refused_without_echoing_it() -> None:
    canary = make_canary("plain")
    # Refused by the reference parser already; the provider would refuse it too.
    with pytest.raises(InvalidReferenceError) as info:
        GcpProvider._channel(
            SecretRef.parse(f"gcp://my-project/key?endpoint=https://user:{canary}@gsm.example")
        )
    assert_no_leak(canary, info.value)


# -- protocol ------------------------------------------------------------------------


def test_put_creates_the_secret_then_adds_versions(
    provider: GcpProvider, gsm: FakeSecretManager
) -> None:
    ref, first, second = ref_for(gsm, unique("put")), make_canary(), make_canary()
    with LeakCheck(first, second) as leaks:
        assert provider.put(ref, first) == "1"
        assert provider.put(ref, ors.Secret(second)) == "2"
        assert provider.get(ref).reveal() == second
        assert provider.get(ref.with_params(version="1")).reveal() == first  # rotation fallback
        leaks.check()


@pytest.mark.parametrize("transport", ["rest", "grpc"])
def test_put_tolerates_another_writer_creating_the_secret_first(
    provider: GcpProvider,
    gsm: FakeSecretManager,
    grpc_gsm: FakeSecretManagerGrpc,
    transport: str,
) -> None:
    # REST reports the losing create as 409 Conflict, gRPC as ALREADY_EXISTS (a subclass).
    name, canary = unique("race"), make_canary()
    ref = ref_for(gsm, name) if transport == "rest" else grpc_ref(grpc_gsm, name)
    gsm.race_create = True
    before = len(gsm.requests)
    assert provider.put(ref, canary) == "1"
    assert len(gsm.requests) - before == 3  # add (404), create (409), add
    assert provider.get(ref).reveal() == canary


def test_versions_are_listed_newest_first_with_their_state(
    provider: GcpProvider, gsm: FakeSecretManager
) -> None:
    ref = ref_for(gsm, unique("versions"))
    for _ in range(3):
        provider.put(ref, make_canary())
    provider.delete(ref.with_params(version="2"))  # destroys just that version
    listed = provider.versions(ref)
    assert [v.version for v in listed] == ["3", "2", "1"]
    assert [v.enabled for v in listed] == [True, False, True]
    assert listed[1].stages == ("destroyed",)
    assert listed[0].created is not None


def test_a_destroyed_version_reads_as_not_found(
    provider: GcpProvider, gsm: FakeSecretManager
) -> None:
    ref = ref_for(gsm, unique("destroyed"))
    provider.put(ref, make_canary())
    provider.delete(ref.with_params(version="1"))
    with pytest.raises(SecretNotFoundError, match="disabled or destroyed"):
        provider.get(ref.with_params(version="1"))


def test_put_refuses_a_version_or_field(provider: GcpProvider, gsm: FakeSecretManager) -> None:
    with pytest.raises(InvalidReferenceError):
        provider.put(ref_for(gsm, "x", version="1"), "v")
    with pytest.raises(InvalidReferenceError):
        provider.put(ref_for(gsm, "x").with_field("api_key"), "v")


def test_a_corrupted_payload_fails_its_checksum(
    provider: GcpProvider, gsm: FakeSecretManager
) -> None:
    name, canary = unique("crc"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.corrupt = True
    with LeakCheck(canary) as leaks:
        with pytest.raises(SecretFormatError, match="CRC32C") as info:
            provider.get(ref_for(gsm, name))
        leaks.check(info.value)


def test_refresh_picks_up_a_new_version(registered: GcpProvider, gsm: FakeSecretManager) -> None:
    name, first, second = unique("refresh"), make_canary(), make_canary()
    ref = ref_for(gsm, name)
    gsm.seed(PROJECT, name, first)
    assert ors.resolve(ref).reveal() == first
    gsm.seed(PROJECT, name, second)
    assert ors.resolve(ref).reveal() == first  # still cached
    assert ors.refresh(ref).reveal() == second


async def test_aresolve_reads_a_json_field(registered: GcpProvider, gsm: FakeSecretManager) -> None:
    name, canary = unique("async"), make_canary()
    gsm.seed(PROJECT, name, f'{{"api_key": "{canary}", "org": "x"}}')
    secret = await ors.aresolve(ref_for(gsm, name).with_field("api_key"))
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


@pytest.mark.parametrize("status", [(403, "PERMISSION_DENIED"), (401, "UNAUTHENTICATED")])
def test_permission_denied_is_access_denied(
    provider: GcpProvider, gsm: FakeSecretManager, status: tuple[int, str]
) -> None:
    name, canary = unique("denied"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.fail(*status)
    error = _read_fails(provider, ref_for(gsm, name), canary)
    assert isinstance(error, AccessDeniedError)
    if status[0] == 403:
        assert "secretAccessor" in str(error)


def test_throttling_is_retryable_unavailable(provider: GcpProvider, gsm: FakeSecretManager) -> None:
    name, canary = unique("throttled"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.fail(429, "RESOURCE_EXHAUSTED")
    error = _read_fails(provider, ref_for(gsm, name), canary)
    assert isinstance(error, BackendUnavailableError)
    assert error.retryable


def test_retries_are_bounded_and_report_the_last_error(gsm: FakeSecretManager) -> None:
    name, canary = unique("retried"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.fail(503, "UNAVAILABLE")
    before = len(gsm.requests)
    try:
        with make_provider(retry_timeout=0.6) as prov:
            error = _read_fails(prov, ref_for(gsm, name), canary)
    finally:
        gsm.heal()
    assert isinstance(error, BackendUnavailableError)
    assert error.retryable
    assert len(gsm.requests) - before >= 2  # it did retry, and then stopped


def test_a_slow_service_times_out_as_unavailable(gsm: FakeSecretManager) -> None:
    name, canary = unique("slow"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.delay = 1.0
    try:
        with make_provider(timeout=0.3) as prov:
            error = _read_fails(prov, ref_for(gsm, name), canary)
    finally:
        gsm.heal()
    assert isinstance(error, BackendUnavailableError)
    assert "in time" in str(error)


def test_a_service_that_is_gone_is_unavailable() -> None:
    canary = make_canary()
    with FakeSecretManager() as gone, make_provider() as prov:
        name = unique("gone")
        gone.seed(PROJECT, name, canary)
        prov.get(ref_for(gone, name))
        gone.stop()
        error = _read_fails(prov, ref_for(gone, name), canary)
    assert isinstance(error, BackendUnavailableError)


def test_resolve_serves_the_last_good_value_while_the_service_is_down(
    registered: GcpProvider, gsm: FakeSecretManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ors.get_cache(), "ttl", 0.0)  # every resolve() refetches
    name, canary = unique("stale"), make_canary()
    ref = ref_for(gsm, name)
    gsm.seed(PROJECT, name, canary)
    assert ors.resolve(ref).reveal() == canary
    gsm.fail(503, "UNAVAILABLE")
    with LeakCheck(canary) as leaks:
        assert ors.resolve(ref).reveal() == canary
    assert any("last good value" in m for m in leaks.messages)
    gsm.fail(403, "PERMISSION_DENIED")  # a revoked permission is never papered over
    with pytest.raises(AccessDeniedError) as info:
        ors.resolve(ref)
    assert_no_leak(canary, info.value)


# -- production path -------------------------------------------------------------------


def test_the_registry_builds_the_provider_with_no_arguments() -> None:
    ors.unregister_backend("gcp")
    try:
        provider = ors.get_provider("gcp")
        assert isinstance(provider, GcpProvider)
        assert GcpProvider.availability()
        assert provider._clients == {}  # nothing is contacted until the first read
    finally:
        ors.unregister_backend("gcp")  # drop the shared instance


def test_missing_application_default_credentials_is_access_denied(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ADC pointed at a key file that does not exist fails at once, before any network use.
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "absent.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    with GcpProvider() as prov, pytest.raises(AccessDeniedError, match="application-default"):
        prov.get(SecretRef.parse("gcp://my-project/key?endpoint=http://127.0.0.1:9"))


def test_close_releases_clients_and_is_idempotent(gsm: FakeSecretManager) -> None:
    name = unique("close")
    gsm.seed(PROJECT, name, "v")
    prov = make_provider()
    prov.get(ref_for(gsm, name))
    assert prov._clients
    prov.close()
    prov.close()
    assert not prov._clients
    assert asyncio.run(prov.aget(ref_for(gsm, name))).reveal() == "v"  # reopens on demand
    prov.close()


# -- the gRPC transport (the SDK's default), against the same fake state ----------------


@pytest.fixture(scope="module")
def grpc_gsm(gsm: FakeSecretManager) -> Iterator[FakeSecretManagerGrpc]:
    try:
        fake = FakeSecretManagerGrpc(gsm).start()
    except (OSError, RuntimeError) as exc:  # pragma: no cover
        from tests.services import service_missing

        service_missing(f"could not start the loopback gRPC Secret Manager fake: {exc}")
    yield fake
    fake.stop()


def grpc_ref(fake: FakeSecretManagerGrpc, secret: str, **params: str) -> SecretRef:
    return SecretRef.build(
        "gcp", f"{PROJECT}/{secret}", {"endpoint": fake.endpoint, "transport": "grpc", **params}
    )


class TestGcpGrpcContract(ProviderContract):
    @pytest.fixture(autouse=True)
    def _bind(self, gsm: FakeSecretManager, grpc_gsm: FakeSecretManagerGrpc) -> None:
        self.gsm, self.grpc = gsm, grpc_gsm

    def new_ref(self, name: str) -> SecretRef:
        return grpc_ref(self.grpc, name)

    def store(self, provider: Any, ref: SecretRef, value: str) -> None:
        self.gsm.seed(PROJECT, ref.path.rsplit("/", 1)[1], value)


def test_grpc_put_versions_and_destroy(
    provider: GcpProvider, grpc_gsm: FakeSecretManagerGrpc
) -> None:
    ref, first = grpc_ref(grpc_gsm, unique("grpc-put")), make_canary()
    assert provider.put(ref, first) == "1"
    assert provider.put(ref, make_canary()) == "2"
    provider.delete(ref.with_params(version="2"))
    assert [(v.version, v.enabled) for v in provider.versions(ref)] == [("2", False), ("1", True)]
    assert provider.get(ref.with_params(version="1")).reveal() == first


def test_grpc_corrupted_payload_fails_its_checksum(
    provider: GcpProvider, gsm: FakeSecretManager, grpc_gsm: FakeSecretManagerGrpc
) -> None:
    name, canary = unique("grpc-crc"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.corrupt = True
    with pytest.raises(SecretFormatError) as info:
        provider.get(grpc_ref(grpc_gsm, name))
    assert_no_leak(canary, info.value)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ((403, "PERMISSION_DENIED"), AccessDeniedError),
        ((401, "UNAUTHENTICATED"), AccessDeniedError),
        ((429, "RESOURCE_EXHAUSTED"), BackendUnavailableError),
        ((503, "UNAVAILABLE"), BackendUnavailableError),
    ],
)
def test_grpc_faults_map_to_typed_errors(
    provider: GcpProvider,
    gsm: FakeSecretManager,
    grpc_gsm: FakeSecretManagerGrpc,
    fault: tuple[int, str],
    expected: type[Exception],
) -> None:
    name, canary = unique("grpc-fault"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.fail(*fault)
    error = _read_fails(provider, grpc_ref(grpc_gsm, name), canary)
    assert isinstance(error, expected)


def test_grpc_deadline_is_unavailable(
    gsm: FakeSecretManager, grpc_gsm: FakeSecretManagerGrpc
) -> None:
    name, canary = unique("grpc-slow"), make_canary()
    gsm.seed(PROJECT, name, canary)
    gsm.delay = 1.0
    try:
        with make_provider(timeout=0.3) as prov:
            error = _read_fails(prov, grpc_ref(grpc_gsm, name), canary)
    finally:
        gsm.heal()
    assert isinstance(error, BackendUnavailableError)
    assert "in time" in str(error)


def test_grpc_service_that_is_gone_is_unavailable() -> None:
    canary = make_canary()
    with FakeSecretManager() as rest, make_provider() as prov:
        fake = FakeSecretManagerGrpc(rest).start()
        name = unique("grpc-gone")
        rest.seed(PROJECT, name, canary)
        prov.get(grpc_ref(fake, name))
        fake.stop()
        error = _read_fails(prov, grpc_ref(fake, name), canary)
    assert isinstance(error, BackendUnavailableError)


# -- end to end: the OpenRouter key kept in Secret Manager ----------------------------


def test_the_client_takes_a_gcp_reference_as_its_api_key(
    registered: GcpProvider, gsm: FakeSecretManager, openrouter_server: Any
) -> None:
    stored = openrouter_server.add_key(name="kept in secret manager")
    name = unique("openrouter")
    gsm.seed(PROJECT, name, f'{{"api_key": "{stored.key}"}}')
    with LeakCheck(stored.key) as leaks:
        client = ors.RedactingClient(
            api_key=str(ref_for(gsm, name).with_field("api_key")),
            base_url=openrouter_server.base_url,
            allow_insecure_loopback=True,
        )
        with client:
            info = client.key_info()
        leaks.check(repr(client), info)
    assert info.is_management_key is False


def test_a_redirect_to_another_origin_never_gets_the_value(loopback_http: Any) -> None:
    """A 307 keeps the method and body: following it would re-send the secret elsewhere."""
    canary = make_canary("plain")
    elsewhere = loopback_http()
    front = loopback_http(url_of(elsewhere))
    ref = SecretRef.build("gcp", f"{PROJECT}/{unique('redirected')}", {"endpoint": url_of(front)})
    with make_provider() as provider, pytest.raises(BackendUnavailableError) as info:
        provider.put(ref, canary)
    assert front.seen, "the provider never reached the endpoint"
    assert elsewhere.seen == [], "the redirect was followed"
    assert "another origin" in str(info.value)
    assert_no_leak(canary, info.value)


def test_list_secrets_names_the_secrets_of_a_project_without_values(
    provider: GcpProvider, gsm: FakeSecretManager
) -> None:
    canary = make_canary()
    stem = unique("listed")
    for name in (f"{stem}-b", f"{stem}-a"):
        gsm.seed(PROJECT, name, canary)
    gsm.seed(PROJECT, unique("other"), canary)
    prefix = SecretRef.build("gcp", f"{PROJECT}/{stem}", {"endpoint": gsm.endpoint})
    entries = provider.list_secrets(prefix)
    assert [e.ref.path for e in entries] == [f"{PROJECT}/{stem}-a", f"{PROJECT}/{stem}-b"]
    assert entries[0].ref.param("endpoint") == gsm.endpoint
    assert entries[0].updated is not None
    assert provider.get(entries[0].ref).reveal() == canary
    assert_no_leak(canary, *(repr(e) for e in entries))
