"""Key rotation end to end with real stores: the OS keychain (gnome-keyring over D-Bus),
AWS Secrets Manager (moto's server) and Vault (a real OpenBao dev server).

Each test rotates the key held at the store, checks through the backend's own SDK
that the store holds the new key (and still holds exactly one), that the new key
works on the loopback OpenRouter server, and that no key reached a log or error.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import openrouter_secure as ors
import openrouter_secure.rotation
from openrouter_secure import KeyRotationError, RedactingClient, Secret, _events
from openrouter_secure.rotation import rotate_key
from openrouter_secure.testing import LeakCheck, OpenRouterTestServer, StoredKey, make_canary
from tests.secrets_services import BaoServer

REGION = "us-east-1"


@pytest.fixture
def old(openrouter_server: OpenRouterTestServer) -> StoredKey:
    return openrouter_server.add_key(make_canary(), name="backend app")


@pytest.fixture
def mgmt(openrouter_server: OpenRouterTestServer) -> StoredKey:
    return openrouter_server.add_key(make_canary(), management=True, name="mgmt")


def rotate(
    server: OpenRouterTestServer, mgmt: StoredKey, ref: str, tmp_path: Path, **kw: Any
) -> ors.rotation.RotationResult:
    return rotate_key(
        ref,
        Secret(mgmt.key),
        base_url=server.base_url,
        allow_insecure_loopback=True,
        state_path=tmp_path / "rotation.json",
        **kw,
    )


def works(server: OpenRouterTestServer, ref_or_key: str) -> bool:
    key = ref_or_key if "://" in ref_or_key else Secret(ref_or_key)
    with RedactingClient(
        key, base_url=server.base_url, allow_insecure_loopback=True, max_retries=0
    ) as client:
        try:
            client.chat(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        except ors.OpenRouterError:
            return False
    return True


def check_rotated(
    server: OpenRouterTestServer, old: StoredKey, stored: str, result: ors.rotation.RotationResult
) -> None:
    assert stored != old.key
    assert stored == server.keys[result.new_hash].key
    assert works(server, stored)
    assert server.keys[old.hash].disabled
    assert not works(server, old.key)


# -- OS keychain ---------------------------------------------------------------------------


@pytest.mark.service("gnome-keyring")
def test_rotation_with_the_os_keychain(
    keychain: Any,
    openrouter_server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    tmp_path: Path,
) -> None:
    service = "ors-rotate-" + secrets.token_hex(4)
    keychain.set_password(service, "api_key", old.key)
    ref = f"keyring://{service}/api_key"
    try:
        with LeakCheck(old.key, mgmt.key) as leaks:
            result = rotate(openrouter_server, mgmt, ref, tmp_path, grace_period=timedelta(0))
            stored = keychain.get_password(service, "api_key")
            leaks.canaries.append(stored)
        check_rotated(openrouter_server, old, stored, result)
        assert works(openrouter_server, ref)
    finally:
        keychain.delete_password(service, "api_key")


# -- AWS Secrets Manager (moto) ----------------------------------------------------------------


@pytest.fixture
def aws(moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """boto3 against moto with fake credentials made now; the host's AWS config unreachable."""
    boto3 = pytest.importorskip("boto3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "TEST" + secrets.token_hex(8).upper())
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secrets.token_urlsafe(30))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for key in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    client = boto3.client("secretsmanager", region_name=REGION, endpoint_url=moto_server)
    yield client
    client.close()


def versions(client: Any, name: str) -> list[tuple[str, list[str]]]:
    listed = client.list_secret_version_ids(SecretId=name)["Versions"]
    return sorted((v["VersionId"], v["VersionStages"]) for v in listed)


def aws_current(client: Any, name: str) -> str:
    value = client.get_secret_value(SecretId=name, VersionStage="AWSCURRENT")["SecretString"]
    return str(value)


@pytest.mark.service("moto")
def test_rotation_with_aws_secrets_manager(
    aws: Any,
    moto_server: str,
    openrouter_server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    tmp_path: Path,
) -> None:
    name = "ors/rotate-" + secrets.token_hex(4)
    aws.create_secret(Name=name, SecretString=old.key)
    ref = f"aws://{name}?region={REGION}&endpoint_url={moto_server}"
    with LeakCheck(old.key, mgmt.key) as leaks:
        result = rotate(openrouter_server, mgmt, ref, tmp_path, grace_period=timedelta(0))
        stored = aws_current(aws, name)
        leaks.canaries.append(stored)
    check_rotated(openrouter_server, old, stored, result)
    previous = aws.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"]
    assert previous == old.key, "AWSPREVIOUS keeps the old value for a fallback"
    assert works(openrouter_server, ref)


@pytest.mark.service("moto")
def test_failed_verification_leaves_the_aws_secret_untouched(
    aws: Any,
    moto_server: str,
    openrouter_server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    tmp_path: Path,
) -> None:
    name = "ors/rotate-fail-" + secrets.token_hex(4)
    aws.create_secret(Name=name, SecretString=old.key)
    versions_before = versions(aws, name)

    def break_new_key(event: str, fields: dict[str, Any]) -> None:
        if event == "key.rotation.created":
            openrouter_server.keys[fields["new_hash"]].disabled = True

    _events.subscribe(break_new_key)
    try:
        with pytest.raises(KeyRotationError) as info:
            rotate(
                openrouter_server,
                mgmt,
                f"aws://{name}?region={REGION}&endpoint_url={moto_server}",
                tmp_path,
            )
    finally:
        _events.unsubscribe(break_new_key)
    assert info.value.step == "verify"
    assert aws_current(aws, name) == old.key
    assert versions(aws, name) == versions_before
    assert [k.hash for k in openrouter_server.keys.values() if not k.management] == [old.hash]


# -- Vault (OpenBao) ------------------------------------------------------------------------------


@pytest.fixture
def bao(openbao: BaoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BaoServer:
    import os

    for key in list(os.environ):
        if key.startswith(("VAULT_", "BAO_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("VAULT_ADDR", openbao.addr)
    monkeypatch.setenv("VAULT_TOKEN", openbao.root_token)
    return openbao


@pytest.mark.service("openbao")
def test_rotation_with_vault_keeps_the_other_fields(
    bao: BaoServer,
    openrouter_server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    tmp_path: Path,
) -> None:
    path = "ors-rotate/" + secrets.token_hex(4)
    kv = bao.client().secrets.kv.v2
    kv.create_or_update_secret(
        path=path, secret={"api_key": old.key, "team": "search"}, mount_point="secret"
    )
    ref = f"vault://secret/{path}#api_key"
    with LeakCheck(old.key, mgmt.key) as leaks:
        result = rotate(openrouter_server, mgmt, ref, tmp_path, grace_period=timedelta(0))
        data = kv.read_secret_version(
            path=path, mount_point="secret", raise_on_deleted_version=True
        )
        stored = data["data"]["data"]
        leaks.canaries.append(stored["api_key"])
    assert stored["team"] == "search"
    check_rotated(openrouter_server, old, stored["api_key"], result)
    assert works(openrouter_server, ref)
