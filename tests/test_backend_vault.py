"""vault:// against a real OpenBao dev server on 127.0.0.1, through the real hvac client.

OpenBao keeps Vault's HTTP API; every fault below is produced by the server itself
(policies, revoked and expired tokens, a rate-limit quota, sealing, stopping it) or
by the network (an unused port, a listener that never answers). No SDK method is
patched.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import openrouter_secure as ors
from openrouter_secure import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    SecretFormatError,
    SecretNotFoundError,
    SecretRef,
    UnsupportedOperationError,
)
from openrouter_secure._secret import Secret
from openrouter_secure.testing import LeakCheck, ProviderContract, assert_no_leak, make_canary
from tests.redirect_servers import url_of
from tests.secrets_services import BaoServer, start_openbao
from tests.services import free_port

hvac = pytest.importorskip("hvac")
from openrouter_secure.backends.vault import VaultProvider  # noqa: E402

READ_POLICY = 'path "secret/data/ors-ro/*" { capabilities = ["read"] }'


@pytest.fixture(autouse=True)
def vault_env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No VAULT_* from the host, and a HOME with no ~/.vault-token."""
    import os

    for key in list(os.environ):
        if key.startswith(("VAULT_", "BAO_")):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


@pytest.fixture
def bao(openbao: BaoServer, monkeypatch: pytest.MonkeyPatch) -> BaoServer:
    """The session server, with VAULT_ADDR and the root VAULT_TOKEN in the environment."""
    monkeypatch.setenv("VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("VAULT_TOKEN", openbao.root_token)
    return openbao


@pytest.fixture
def provider(bao: BaoServer) -> Iterator[VaultProvider]:
    with VaultProvider(timeout=5, retries=1) as p:
        yield p


def unique(stem: str) -> str:
    return f"{stem}-{secrets.token_hex(4)}"


def kv_write(bao: BaoServer, path: str, data: dict[str, Any]) -> None:
    bao.client().secrets.kv.v2.create_or_update_secret(path=path, secret=data, mount_point="secret")


class TestVaultContract(ProviderContract):
    def new_ref(self, name: str) -> SecretRef:
        return SecretRef.parse(f"vault://secret/ors-contract/{name}")


# -- reading and writing ---------------------------------------------------------------


def test_field_selects_one_key(bao: BaoServer, provider: VaultProvider) -> None:
    canary, path = make_canary(), unique("ors/field")
    kv_write(bao, path, {"api_key": canary, "org": "acme"})
    assert provider.get(SecretRef.parse(f"vault://secret/{path}#api_key")).reveal() == canary


def test_a_value_only_secret_is_a_plain_value(bao: BaoServer, provider: VaultProvider) -> None:
    canary, path = make_canary(), unique("ors/value")
    kv_write(bao, path, {"value": canary})
    assert provider.get(SecretRef.parse(f"vault://secret/{path}")).reveal() == canary


def test_one_named_key_without_field_gives_the_json_object(
    bao: BaoServer, provider: VaultProvider
) -> None:
    # Not unwrapped: a read-modify-write of #api_key must see the map, and adding a key
    # later must not change what this reference resolves to.
    canary, path = make_canary(), unique("ors/single")
    kv_write(bao, path, {"api_key": canary})
    got = json.loads(provider.get(SecretRef.parse(f"vault://secret/{path}")).reveal())
    assert got == {"api_key": canary}


def test_several_keys_without_field_give_the_json_object(
    bao: BaoServer, provider: VaultProvider
) -> None:
    canary, path = make_canary(), unique("ors/multi")
    kv_write(bao, path, {"api_key": canary, "org": "acme"})
    got = json.loads(provider.get(SecretRef.parse(f"vault://secret/{path}")).reveal())
    assert got == {"api_key": canary, "org": "acme"}


def test_whole_secret_read_modify_write_of_a_one_key_secret(
    bao: BaoServer, provider: VaultProvider
) -> None:
    # What key rotation does for a #field reference: read the whole map, set the field,
    # write the whole map back.
    old, new, path = make_canary(), make_canary(), unique("ors/rmw")
    kv_write(bao, path, {"api_key": old})
    whole = SecretRef.parse(f"vault://secret/{path}")
    data = json.loads(provider.get(whole).reveal())
    data["api_key"] = new
    provider.put(whole, json.dumps(data))
    assert provider.get(whole.with_field("api_key")).reveal() == new
    assert json.loads(provider.get(whole).reveal()) == {"api_key": new}


def test_put_stores_plain_text_under_value(bao: BaoServer, provider: VaultProvider) -> None:
    canary, path = make_canary(), unique("ors/plain")
    provider.put(SecretRef.parse(f"vault://secret/{path}"), canary)
    stored = bao.client().secrets.kv.v2.read_secret_version(
        path=path, mount_point="secret", raise_on_deleted_version=True
    )
    assert stored["data"]["data"] == {"value": canary}


def test_put_with_field_keeps_the_other_keys(bao: BaoServer, provider: VaultProvider) -> None:
    old, new, path = make_canary(), make_canary(), unique("ors/merge")
    kv_write(bao, path, {"api_key": old, "org": "acme"})
    version = provider.put(SecretRef.parse(f"vault://secret/{path}#api_key"), Secret(new))
    assert version == "2"
    got = json.loads(provider.get(SecretRef.parse(f"vault://secret/{path}")).reveal())
    assert got == {"api_key": new, "org": "acme"}


def test_previous_version_is_readable_after_a_put(provider: VaultProvider) -> None:
    ref, old, new = (
        SecretRef.parse(f"vault://secret/{unique('ors/prev')}"),
        make_canary(),
        make_canary(),
    )
    assert provider.put(ref, old) == "1"
    assert provider.put(ref, new) == "2"
    assert provider.get(ref).reveal() == new
    assert provider.get(ref.with_params(version="1")).reveal() == old


def test_versions_newest_first_and_soft_delete(provider: VaultProvider) -> None:
    ref, old = SecretRef.parse(f"vault://secret/{unique('ors/versions')}"), make_canary()
    provider.put(ref, old)
    provider.put(ref, make_canary())
    provider.delete(ref)  # soft-deletes version 2 only
    listed = provider.versions(ref)
    assert [v.version for v in listed] == ["2", "1"]
    assert listed[0].stages == ("current", "deleted")
    assert not listed[0].enabled
    assert listed[1].enabled
    assert listed[1].created is not None
    assert provider.get(ref.with_params(version="1")).reveal() == old


def test_delete_all_versions_removes_the_metadata(provider: VaultProvider) -> None:
    ref = SecretRef.parse(f"vault://secret/{unique('ors/purge')}")
    provider.put(ref, make_canary())
    provider.delete(ref, all_versions=True)
    with pytest.raises(SecretNotFoundError):
        provider.versions(ref)


def test_kv_version_1_mount(bao: BaoServer, provider: VaultProvider) -> None:
    root = bao.client()
    if "ors-kv1/" not in root.sys.list_mounted_secrets_engines()["data"]:
        root.sys.enable_secrets_engine("kv", path="ors-kv1", options={"version": "1"})
    ref, canary = SecretRef.parse(f"vault://ors-kv1/{unique('app')}?kv=1"), make_canary()
    assert provider.put(ref, canary) is None
    assert provider.get(ref).reveal() == canary
    with pytest.raises(UnsupportedOperationError):
        provider.versions(ref)
    provider.delete(ref)
    with pytest.raises(SecretNotFoundError):
        provider.get(ref)


def test_mount_param_allows_a_nested_mount(bao: BaoServer, provider: VaultProvider) -> None:
    root = bao.client()
    if "ors/team/" not in root.sys.list_mounted_secrets_engines()["data"]:
        root.sys.enable_secrets_engine("kv", path="ors/team", options={"version": "2"})
    ref, canary = SecretRef.parse(f"vault://ors/team/{unique('app')}?mount=ors/team"), make_canary()
    provider.put(ref, canary)
    assert provider.get(ref).reveal() == canary


def test_refresh_picks_up_a_new_version(bao: BaoServer) -> None:
    path, old, new = unique("ors/refresh"), make_canary(), make_canary()
    kv_write(bao, path, {"api_key": old})
    ref = f"vault://secret/{path}#api_key"
    assert ors.resolve(ref).reveal() == old
    kv_write(bao, path, {"api_key": new})
    assert ors.resolve(ref).reveal() == old  # cached
    assert ors.refresh(ref).reveal() == new


def test_bad_references_are_refused(provider: VaultProvider) -> None:
    for text in ("vault://secret", "vault://secret/x?kv=3", "vault://secret/x?mount=other"):
        with pytest.raises(InvalidReferenceError):
            provider.get(SecretRef.parse(text))


def test_plain_http_off_loopback_is_refused(provider: VaultProvider) -> None:
    with pytest.raises(InvalidReferenceError, match="unencrypted"):
        provider.get(SecretRef.parse("vault://secret/x?addr=http://vault.example.com:8200"))


# -- token auth ------------------------------------------------------------------------


def test_token_file_param(bao: BaoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    canary, path = make_canary(), unique("ors/tokenfile")
    kv_write(bao, path, {"value": canary})
    monkeypatch.delenv("VAULT_TOKEN")
    token_file = tmp_path / "token"
    token_file.write_text(bao.root_token + "\n")
    ref = SecretRef.parse(f"vault://secret/{path}?token_file={token_file}")
    assert VaultProvider().get(ref).reveal() == canary


def test_home_vault_token_file_is_the_fallback(
    bao: BaoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary, path = make_canary(), unique("ors/home")
    kv_write(bao, path, {"value": canary})
    monkeypatch.delenv("VAULT_TOKEN")
    (Path.home() / ".vault-token").write_text(bao.root_token)
    assert VaultProvider().get(SecretRef.parse(f"vault://secret/{path}")).reveal() == canary


def test_no_credentials_is_access_denied_saying_how_to_fix(
    bao: BaoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VAULT_TOKEN")
    with pytest.raises(AccessDeniedError, match="VAULT_TOKEN"):
        VaultProvider().get(SecretRef.parse(f"vault://secret/{unique('ors/nocreds')}"))


def test_revoked_static_token_is_access_denied(
    bao: BaoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, canary = unique("ors-ro/revoked"), make_canary()
    kv_write(bao, path, {"value": canary})
    root = bao.client()
    root.sys.create_or_update_policy("ors-read", READ_POLICY)
    token = root.auth.token.create(policies=["ors-read"], ttl="1h")["auth"]["client_token"]
    monkeypatch.setenv("VAULT_TOKEN", token)
    provider, ref = VaultProvider(), SecretRef.parse(f"vault://secret/{path}")
    assert provider.get(ref).reveal() == canary
    root.auth.token.revoke(token)
    with LeakCheck(canary, token) as leaks, pytest.raises(AccessDeniedError) as info:
        provider.get(ref)
    leaks.check(info.value)


# -- AppRole ---------------------------------------------------------------------------


@pytest.fixture
def approle(bao: BaoServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """AppRole roles ``ors-reader`` (read ``secret/ors-ro/*``) and ``ors-short`` (1 s tokens).

    Returns role ids and fresh secret ids; VAULT_TOKEN is removed from the environment.
    """
    root = bao.client()
    if "approle/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("approle")
    root.sys.create_or_update_policy("ors-read", READ_POLICY)
    root.auth.approle.create_or_update_approle(
        "ors-reader", token_policies=["ors-read"], token_ttl="60s"
    )
    root.auth.approle.create_or_update_approle(
        "ors-short", token_policies=["ors-read"], token_ttl="1s", token_max_ttl="1s"
    )
    found = {}
    for role in ("ors-reader", "ors-short"):
        found[role] = root.auth.approle.read_role_id(role)["data"]["role_id"]
        found[role + ":secret"] = root.auth.approle.generate_secret_id(role)["data"]["secret_id"]
    monkeypatch.delenv("VAULT_TOKEN")
    return found


def ro_secret(bao: BaoServer) -> tuple[SecretRef, str]:
    canary, path = make_canary(), unique("ors-ro/app")
    kv_write(bao, path, {"api_key": canary})
    return SecretRef.parse(f"vault://secret/{path}#api_key"), canary


def test_approle_from_the_environment(
    bao: BaoServer, approle: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ref, canary = ro_secret(bao)
    monkeypatch.setenv("VAULT_ROLE_ID", approle["ors-reader"])
    monkeypatch.setenv("VAULT_SECRET_ID", approle["ors-reader:secret"])
    assert VaultProvider().get(ref).reveal() == canary


def test_approle_from_params_and_a_secret_id_file(
    bao: BaoServer, approle: dict[str, str], tmp_path: Path
) -> None:
    ref, canary = ro_secret(bao)
    secret_file = tmp_path / "secret-id"
    secret_file.write_text(approle["ors-reader:secret"])
    ref = ref.with_params(role_id=approle["ors-reader"], secret_id_file=str(secret_file))
    assert VaultProvider().get(ref).reveal() == canary


def test_approle_policy_denies_a_write(
    bao: BaoServer, approle: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ref, canary = ro_secret(bao)
    monkeypatch.setenv("VAULT_ROLE_ID", approle["ors-reader"])
    monkeypatch.setenv("VAULT_SECRET_ID", approle["ors-reader:secret"])
    new = make_canary()
    with (
        LeakCheck(canary, new) as leaks,
        pytest.raises(AccessDeniedError, match="permission") as info,
    ):
        VaultProvider().put(ref.with_field(None), new)
    leaks.check(info.value)


def test_approle_policy_denies_a_read_elsewhere(
    bao: BaoServer, approle: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    canary, path = make_canary(), unique("ors-other/app")
    kv_write(bao, path, {"api_key": canary})
    monkeypatch.setenv("VAULT_ROLE_ID", approle["ors-reader"])
    monkeypatch.setenv("VAULT_SECRET_ID", approle["ors-reader:secret"])
    with LeakCheck(canary) as leaks, pytest.raises(AccessDeniedError) as info:
        VaultProvider().get(SecretRef.parse(f"vault://secret/{path}"))
    leaks.check(info.value)
    assert path in str(info.value)


def test_approle_bad_secret_id_is_access_denied(
    bao: BaoServer, approle: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = make_canary("plain")
    monkeypatch.setenv("VAULT_ROLE_ID", approle["ors-reader"])
    monkeypatch.setenv("VAULT_SECRET_ID", wrong)
    with LeakCheck(wrong) as leaks, pytest.raises(AccessDeniedError, match="login") as info:
        VaultProvider().get(SecretRef.parse(f"vault://secret/{unique('ors-ro/x')}"))
    leaks.check(info.value)


def test_revoked_approle_token_logs_in_again_once(
    bao: BaoServer, approle: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ref, canary = ro_secret(bao)
    monkeypatch.setenv("VAULT_ROLE_ID", approle["ors-reader"])
    monkeypatch.setenv("VAULT_SECRET_ID", approle["ors-reader:secret"])
    provider = VaultProvider()
    assert provider.get(ref).reveal() == canary
    (session,) = provider._sessions.values()  # white box: which token to revoke
    old_token = session.client.token
    bao.client().auth.token.revoke(old_token)
    assert provider.get(ref).reveal() == canary
    assert session.client.token != old_token


def test_expired_approle_token_is_replaced(
    bao: BaoServer, approle: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ref, canary = ro_secret(bao)
    monkeypatch.setenv("VAULT_ROLE_ID", approle["ors-short"])
    monkeypatch.setenv("VAULT_SECRET_ID", approle["ors-short:secret"])
    provider = VaultProvider()
    assert provider.get(ref).reveal() == canary
    (session,) = provider._sessions.values()
    old_token = session.client.token
    time.sleep(1.3)  # the token's whole TTL (1 s, max 1 s) has passed
    assert provider.get(ref).reveal() == canary
    assert session.client.token != old_token


# -- faults ----------------------------------------------------------------------------


def test_server_down_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "ors-" + secrets.token_hex(8))
    ref = SecretRef.parse(f"vault://secret/x?addr=http://127.0.0.1:{free_port()}")
    with pytest.raises(BackendUnavailableError, match="unreachable") as info:
        VaultProvider(retries=1).get(ref)
    assert info.value.retryable


def test_slow_server_times_out(blackhole: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "ors-" + secrets.token_hex(8))
    ref = SecretRef.parse(f"vault://secret/x?addr=http://{blackhole}&timeout=0.3")
    with pytest.raises(BackendUnavailableError, match="in time"):
        VaultProvider(retries=0).get(ref)


async def test_aget_does_not_block_the_event_loop(
    blackhole: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "ors-" + secrets.token_hex(8))
    ref = SecretRef.parse(f"vault://secret/x?addr=http://{blackhole}&timeout=0.5")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    with pytest.raises(BackendUnavailableError):
        await VaultProvider(retries=0).aget(ref)
    ticker.cancel()
    assert ticks >= 10


class _Counting(VaultProvider):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self._count_lock = threading.Lock()

    def get(self, ref: SecretRef) -> Secret:
        with self._count_lock:
            self.calls += 1
        return super().get(ref)


async def test_concurrent_aresolve_makes_one_backend_call(bao: BaoServer) -> None:
    canary, path = make_canary(), unique("ors/flight")
    kv_write(bao, path, {"value": canary})
    counting = _Counting()
    ors.register_backend("vault", counting, replace=True)
    try:
        ref = f"vault://secret/{path}"
        results = await asyncio.gather(*(ors.aresolve(ref) for _ in range(8)))
    finally:
        ors.unregister_backend("vault")
    assert {r.reveal() for r in results} == {canary}
    assert counting.calls == 1


def test_rate_limit_quota_is_retryable_unavailable(bao: BaoServer, provider: VaultProvider) -> None:
    path, canary = unique("ors-limited/app"), make_canary()
    kv_write(bao, path, {"api_key": canary})
    root = bao.client()
    root.sys.create_or_update_quota(name="ors-limit", rate=1.0, interval="60s", path="secret/")
    try:
        ref = SecretRef.parse(f"vault://secret/{path}")
        errors: list[BackendUnavailableError] = []
        with LeakCheck(canary) as leaks:
            for _ in range(5):
                try:
                    provider.get(ref)
                except BackendUnavailableError as exc:
                    errors.append(exc)
                    break
        assert errors, "the quota never refused a read"
        assert "429" in str(errors[0])
        assert errors[0].retryable
        leaks.check(errors[0])
    finally:
        root.sys.delete_quota(name="ors-limit")


@pytest.fixture
def own_bao(monkeypatch: pytest.MonkeyPatch) -> Iterator[BaoServer]:
    """A server of this test's own, to seal or stop."""
    with start_openbao() as server:
        monkeypatch.setenv("VAULT_ADDR", server.addr)
        monkeypatch.setenv("VAULT_TOKEN", server.root_token)
        yield server


def test_sealed_vault_is_unavailable(own_bao: BaoServer) -> None:
    canary, path = make_canary(), unique("ors/sealed")
    kv_write(own_bao, path, {"api_key": canary})
    own_bao.client().sys.seal()
    with LeakCheck(canary) as leaks, pytest.raises(BackendUnavailableError, match="sealed") as info:
        VaultProvider().get(SecretRef.parse(f"vault://secret/{path}"))
    leaks.check(info.value)


@pytest.fixture
def short_cache() -> Iterator[None]:
    cache = ors.get_cache()
    ors.configure_cache(ttl=0, stale_for=60)
    try:
        yield
    finally:
        ors.configure_cache(ttl=cache.ttl, stale_for=cache.stale_for, jitter=cache.jitter)


def test_resolve_serves_the_last_good_value_when_vault_goes_down(
    own_bao: BaoServer, short_cache: None
) -> None:
    canary, path = make_canary(), unique("ors/stale")
    kv_write(own_bao, path, {"value": canary})
    ref = f"vault://secret/{path}?timeout=1"
    with LeakCheck(canary) as leaks:
        assert ors.resolve(ref).reveal() == canary
        own_bao.process.terminate()
        own_bao.process.wait(10)
        assert ors.resolve(ref).reveal() == canary
    assert any("last good value" in m for m in leaks.messages)
    with pytest.raises(BackendUnavailableError) as info:
        ors.resolve(ref, cache=False)
    assert_no_leak(canary, info.value)


# -- Kubernetes ------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _service_account_jwt(uid: str) -> str:
    """A JWT shaped like a projected service-account token (the signature is random:
    OpenBao leaves verification to the TokenReview API, which the fake below plays)."""
    now = int(time.time())
    claims = {
        "iss": "https://kubernetes.default.svc.cluster.local",
        "sub": "system:serviceaccount:ors:app",
        "aud": ["https://kubernetes.default.svc.cluster.local"],
        "exp": now + 3600,
        "iat": now,
        "nbf": now,
        "kubernetes.io": {"namespace": "ors", "serviceaccount": {"name": "app", "uid": uid}},
    }
    header = {"alg": "RS256", "typ": "JWT", "kid": "ors-test"}
    return ".".join(
        [
            _b64(json.dumps(header).encode()),
            _b64(json.dumps(claims).encode()),
            _b64(secrets.token_bytes(256)),
        ]
    )


def _test_ca_pem() -> str:
    """A throwaway CA certificate: OpenBao insists on one for the Kubernetes config."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ors-test-ca")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class _TokenReview(BaseHTTPRequestHandler):
    """The Kubernetes TokenReview API: authenticates exactly ``server.valid_jwt``."""

    def do_POST(self) -> None:
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        spec = review.get("spec", {})
        ok = spec.get("token") == self.server.valid_jwt  # type: ignore[attr-defined]
        status: dict[str, Any] = {"authenticated": ok, "audiences": spec.get("audiences") or []}
        if ok:
            status["user"] = {
                "username": "system:serviceaccount:ors:app",
                "uid": self.server.uid,  # type: ignore[attr-defined]
                "groups": ["system:serviceaccounts", "system:serviceaccounts:ors"],
            }
        body = json.dumps(
            {"kind": "TokenReview", "apiVersion": "authentication.k8s.io/v1", "status": status}
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def kubernetes_auth(bao: BaoServer, tmp_path: Path) -> Iterator[Path]:
    """Kubernetes auth on OpenBao, backed by a loopback TokenReview API; yields the JWT file."""
    uid = f"ors-{secrets.token_hex(8)}"
    jwt = _service_account_jwt(uid)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenReview)
    server.valid_jwt = jwt  # type: ignore[attr-defined]
    server.uid = uid  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    root = bao.client()
    if "kubernetes/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("kubernetes")
    root.write(
        "auth/kubernetes/config",
        kubernetes_host=f"http://127.0.0.1:{server.server_address[1]}",
        kubernetes_ca_cert=_test_ca_pem(),
        token_reviewer_jwt=jwt,
        disable_local_ca_jwt=True,
    )
    root.sys.create_or_update_policy("ors-read", READ_POLICY)
    root.write(
        "auth/kubernetes/role/ors",
        bound_service_account_names="app",
        bound_service_account_namespaces="ors",
        token_policies="ors-read",
        token_ttl="60s",
    )
    jwt_file = tmp_path / "sa-token"
    jwt_file.write_text(jwt)
    try:
        yield jwt_file
    finally:
        server.shutdown()
        server.server_close()


def test_kubernetes_login_reads_the_secret(
    bao: BaoServer, kubernetes_auth: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref, canary = ro_secret(bao)
    monkeypatch.delenv("VAULT_TOKEN")
    ref = ref.with_params(auth="kubernetes", role="ors", jwt_file=str(kubernetes_auth))
    assert VaultProvider().get(ref).reveal() == canary


def test_kubernetes_login_with_a_rejected_jwt_is_access_denied(
    bao: BaoServer, kubernetes_auth: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref, canary = ro_secret(bao)
    monkeypatch.delenv("VAULT_TOKEN")
    kubernetes_auth.write_text(_service_account_jwt("someone-else"))
    ref = ref.with_params(auth="kubernetes", role="ors", jwt_file=str(kubernetes_auth))
    with LeakCheck(canary) as leaks, pytest.raises(AccessDeniedError, match="login") as info:
        VaultProvider().get(ref)
    leaks.check(info.value)


def test_kubernetes_login_without_a_jwt_file_is_access_denied(
    bao: BaoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VAULT_TOKEN")
    ref = SecretRef.parse(
        f"vault://secret/x?auth=kubernetes&role=ors&jwt_file={tmp_path / 'missing'}"
    )
    with pytest.raises(AccessDeniedError, match="does not exist"):
        VaultProvider().get(ref)


# -- TLS, namespaces, renewal -----------------------------------------------------------


@pytest.fixture(scope="module")
def bao_tls() -> Iterator[BaoServer]:
    """An OpenBao dev server on HTTPS, with a CA it made itself."""
    with start_openbao(tls=True) as server:
        yield server


def tls_secret(bao_tls: BaoServer, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    canary, path = make_canary(), unique("ors/tls")
    kv_write(bao_tls, path, {"value": canary})
    monkeypatch.setenv("VAULT_TOKEN", bao_tls.root_token)
    return f"vault://secret/{path}?addr={bao_tls.addr}", canary


def test_tls_with_the_ca_cert_param(bao_tls: BaoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ref, canary = tls_secret(bao_tls, monkeypatch)
    ref += f"&ca_cert={bao_tls.ca_cert}"
    assert VaultProvider().get(SecretRef.parse(ref)).reveal() == canary


def test_tls_with_vault_cacert(bao_tls: BaoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ref, canary = tls_secret(bao_tls, monkeypatch)
    monkeypatch.setenv("VAULT_CACERT", str(bao_tls.ca_cert))
    assert VaultProvider().get(SecretRef.parse(ref)).reveal() == canary


def test_tls_with_an_unknown_ca_is_refused_naming_the_fix(
    bao_tls: BaoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref, canary = tls_secret(bao_tls, monkeypatch)
    with (
        LeakCheck(canary) as leaks,
        pytest.raises(BackendUnavailableError, match="VAULT_CACERT") as info,
    ):
        VaultProvider(retries=0).get(SecretRef.parse(ref))
    leaks.check(info.value)
    assert not info.value.retryable


def test_namespace_param_and_environment(bao: BaoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = unique("ors-ns")
    bao.client().sys.create_namespace(namespace)
    inside = hvac.Client(url=bao.addr, token=bao.root_token, namespace=namespace)
    inside.sys.enable_secrets_engine("kv", path="secret", options={"version": "2"})
    canary = make_canary()
    inside.secrets.kv.v2.create_or_update_secret(path="app", secret={"value": canary})
    provider = VaultProvider()
    ref = SecretRef.parse(f"vault://secret/app?namespace={namespace}")
    assert provider.get(ref).reveal() == canary
    with pytest.raises(SecretNotFoundError):
        provider.get(SecretRef.parse("vault://secret/app"))  # the root namespace has none
    monkeypatch.setenv("VAULT_NAMESPACE", namespace)
    assert provider.get(SecretRef.parse("vault://secret/app")).reveal() == canary


def test_renewable_token_is_renewed_before_it_expires(
    bao: BaoServer, approle: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = bao.client()
    root.auth.approle.create_or_update_approle(
        "ors-renew", token_policies=["ors-read"], token_ttl="3s", token_max_ttl="60s"
    )
    monkeypatch.setenv(
        "VAULT_ROLE_ID", root.auth.approle.read_role_id("ors-renew")["data"]["role_id"]
    )
    monkeypatch.setenv(
        "VAULT_SECRET_ID", root.auth.approle.generate_secret_id("ors-renew")["data"]["secret_id"]
    )
    ref, canary = ro_secret(bao)
    provider = VaultProvider()
    assert provider.get(ref).reveal() == canary
    (session,) = provider._sessions.values()
    token = session.client.token
    time.sleep(2.2)  # past two thirds of the 3 s TTL: due for renewal
    assert provider.get(ref).reveal() == canary
    assert session.client.token == token  # renewed, not replaced
    ttl = root.auth.token.lookup(token)["data"]["ttl"]
    assert ttl > 1


def test_availability_reports_hvac_without_network() -> None:
    availability = VaultProvider.availability()
    assert availability.available
    assert "hvac" in availability.reason


def test_registry_serves_the_builtin_vault_backend() -> None:
    assert isinstance(ors.get_provider("vault"), VaultProvider)
    assert any(b.name == "vault" and b.available for b in ors.available_backends())


def test_binary_put_is_refused(provider: VaultProvider) -> None:
    with pytest.raises(SecretFormatError, match="base64"):
        provider.put(SecretRef.parse(f"vault://secret/{unique('ors/bin')}"), Secret(b"\xff\xfe"))


def test_debug_logging_never_shows_the_value(provider: VaultProvider) -> None:
    ref, first, second = (
        SecretRef.parse(f"vault://secret/{unique('ors/log')}"),
        make_canary(),
        make_canary(),
    )
    with LeakCheck(first, second) as leaks:
        provider.put(ref, first)
        provider.put(ref.with_field("api_key"), second)
        assert provider.get(ref.with_field("api_key")).reveal() == second
        assert provider.get(ref.with_params(version="1")).reveal() == first
    assert leaks.records  # DEBUG was on (urllib3 logs each request)


# -- redirects: the token stays with the configured origin ------------------------------


def test_a_redirect_to_another_origin_never_carries_the_token(
    bao: BaoServer, loopback_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_canary("plain")
    monkeypatch.setenv("VAULT_TOKEN", token)
    elsewhere = loopback_http()
    front = loopback_http(url_of(elsewhere))
    ref = SecretRef.parse(f"vault://secret/app?addr={url_of(front)}")
    with pytest.raises(BackendUnavailableError) as info:
        VaultProvider(timeout=5, retries=0).get(ref)
    assert front.seen
    assert front.seen[0][2].get("X-Vault-Token") == token
    assert elsewhere.seen == [], "the redirect was followed"
    assert "another origin" in str(info.value)
    assert_no_leak(token, info.value)


def test_a_redirect_to_a_real_vault_on_another_port_is_not_followed(
    bao: BaoServer, loopback_http: Any
) -> None:
    """The target is a working Vault the token is valid for: still another origin."""
    path = unique("ors-redirect")
    canary = make_canary("plain")
    kv_write(bao, path, {"value": canary})
    front = loopback_http(bao.addr)
    ref = SecretRef.parse(f"vault://secret/{path}?addr={url_of(front)}")
    with pytest.raises(BackendUnavailableError, match="not followed"):
        VaultProvider(timeout=5, retries=0).get(ref)
    direct = SecretRef.parse(f"vault://secret/{path}")
    assert VaultProvider(timeout=5, retries=0).get(direct).reveal() == canary
