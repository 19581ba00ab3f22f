"""aws:// against moto's server on 127.0.0.1, through the real boto3 client.

Faults moto cannot produce (throttling, KMS decryption failure) come from a tiny
loopback HTTP server that answers in the Secrets Manager JSON protocol, so boto3 still
parses a real HTTP response; no SDK method is patched anywhere in this file.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
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
    SecretNotFoundError,
    SecretRef,
)
from openrouter_secure._secret import Secret
from openrouter_secure.testing import LeakCheck, ProviderContract, assert_no_leak, make_canary
from tests.secrets_services import quiet_moto_logs
from tests.services import free_port

boto3 = pytest.importorskip("boto3")
from openrouter_secure.backends.aws import AwsProvider  # noqa: E402

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Fake credentials made now, and no way to reach the host's real AWS config."""
    creds = {
        "AWS_ACCESS_KEY_ID": "TEST" + secrets.token_hex(8).upper(),
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    }
    for key in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for key, value in creds.items():
        monkeypatch.setenv(key, value)
    return creds


def sm(endpoint: str, **creds: str) -> Any:
    """A boto3 client of our own, to set things up out of band."""
    return boto3.client("secretsmanager", region_name=REGION, endpoint_url=endpoint, **creds)


def ref_for(endpoint: str, name: str, **params: str) -> SecretRef:
    return SecretRef.build("aws", name, {"endpoint_url": endpoint, **params})


def unique(stem: str) -> str:
    return f"ors-test/{stem}-{secrets.token_hex(4)}"


@pytest.fixture
def provider() -> Iterator[AwsProvider]:
    with AwsProvider(connect_timeout=2, read_timeout=5, max_attempts=2) as p:
        yield p


class TestAwsContract(ProviderContract):
    endpoint = ""

    @pytest.fixture(autouse=True)
    def _endpoint(self, moto_server: str) -> None:
        self.endpoint = moto_server

    def new_ref(self, name: str) -> SecretRef:
        return ref_for(self.endpoint, f"ors-contract/{name}", region=REGION)


def test_reads_by_full_arn_taking_the_region_from_it(moto_server: str) -> None:
    canary = make_canary()
    arn = sm(moto_server).create_secret(Name=unique("arn"), SecretString=canary)["ARN"]
    ref = SecretRef.parse(f"aws://{arn}?endpoint_url={moto_server}")
    assert SecretRef.parse(str(ref)) == ref
    assert ref.path == arn
    assert AwsProvider().get(ref).reveal() == canary


def test_binary_secret_comes_back_as_bytes(moto_server: str, provider: AwsProvider) -> None:
    blob = b"\xff\x00" + secrets.token_bytes(32)
    name = unique("binary")
    sm(moto_server).create_secret(Name=name, SecretBinary=blob)
    assert provider.get(ref_for(moto_server, name)).reveal_bytes() == blob


def test_put_of_binary_bytes_stores_secret_binary(moto_server: str, provider: AwsProvider) -> None:
    blob = b"\xfe" + secrets.token_bytes(16)
    ref = ref_for(moto_server, unique("putbin"))
    provider.put(ref, Secret(blob))
    stored = sm(moto_server).get_secret_value(SecretId=ref.path, VersionStage="AWSCURRENT")
    assert stored["SecretBinary"] == blob
    assert "SecretString" not in stored


def test_previous_stage_is_readable_after_a_put(moto_server: str, provider: AwsProvider) -> None:
    ref, old, new = ref_for(moto_server, unique("stages")), make_canary(), make_canary()
    provider.put(ref, old)
    provider.put(ref, new)
    assert provider.get(ref).reveal() == new
    assert provider.get(ref.with_params(stage="AWSPREVIOUS")).reveal() == old


def test_version_id_from_put_reads_that_version(moto_server: str, provider: AwsProvider) -> None:
    ref, first = ref_for(moto_server, unique("vid")), make_canary()
    version = provider.put(ref, first)
    provider.put(ref, make_canary())
    assert version
    assert provider.get(ref.with_params(version_id=version)).reveal() == first


def test_versions_lists_newest_first_with_stages(moto_server: str, provider: AwsProvider) -> None:
    ref = ref_for(moto_server, unique("versions"))
    first = provider.put(ref, make_canary())
    second = provider.put(ref, make_canary())
    listed = provider.versions(ref)
    assert [v.version for v in listed[:2]] == [second, first]
    assert "AWSCURRENT" in listed[0].stages
    assert "AWSPREVIOUS" in listed[1].stages


def test_json_field_is_selected(moto_server: str, provider: AwsProvider) -> None:
    canary, name = make_canary(), unique("field")
    sm(moto_server).create_secret(Name=name, SecretString=json.dumps({"api_key": canary, "n": 1}))
    assert provider.get(ref_for(moto_server, name).with_field("api_key")).reveal() == canary


def test_refresh_picks_up_a_rotated_value(moto_server: str) -> None:
    ref, old, new = ref_for(moto_server, unique("refresh")), make_canary(), make_canary()
    client = sm(moto_server)
    client.create_secret(Name=ref.path, SecretString=old)
    assert ors.resolve(ref).reveal() == old
    client.put_secret_value(SecretId=ref.path, SecretString=new)
    assert ors.resolve(ref).reveal() == old  # cached
    assert ors.refresh(ref).reveal() == new
    assert ors.resolve(ref).reveal() == new


def test_delete_schedules_with_a_recovery_window(moto_server: str, provider: AwsProvider) -> None:
    ref, canary = ref_for(moto_server, unique("delete")), make_canary()
    provider.put(ref, canary)
    provider.delete(ref, recovery_days=7)
    described = sm(moto_server).describe_secret(SecretId=ref.path)
    assert "DeletedDate" in described
    with pytest.raises(SecretNotFoundError, match="scheduled for deletion") as info:
        provider.get(ref)
    assert_no_leak(canary, info.value)
    sm(moto_server).restore_secret(SecretId=ref.path)
    assert provider.get(ref).reveal() == canary


def test_delete_refuses_a_window_aws_would_refuse(moto_server: str, provider: AwsProvider) -> None:
    ref = ref_for(moto_server, unique("window"), recovery_days="3")
    with pytest.raises(InvalidReferenceError, match="7 to 30"):
        provider.delete(ref)


def test_delete_with_zero_days_removes_at_once(moto_server: str, provider: AwsProvider) -> None:
    ref = ref_for(moto_server, unique("force"))
    provider.put(ref, make_canary())
    provider.delete(ref, recovery_days=0)
    with pytest.raises(boto3.exceptions.botocore.exceptions.ClientError, match="NotFound"):
        sm(moto_server).describe_secret(SecretId=ref.path)
    with pytest.raises(SecretNotFoundError):
        provider.get(ref)


def test_plain_http_endpoint_off_loopback_is_refused(provider: AwsProvider) -> None:
    with pytest.raises(InvalidReferenceError, match="unencrypted"):
        provider.get(ref_for("http://secrets.example.com", "x"))


# -- faults ---------------------------------------------------------------------------


def test_missing_previous_stage_is_not_found(moto_server: str, provider: AwsProvider) -> None:
    ref = ref_for(moto_server, unique("noprev"))
    provider.put(ref, make_canary())
    with pytest.raises(SecretNotFoundError):
        provider.get(ref.with_params(stage="AWSPREVIOUS"))


@pytest.fixture
def iam_enforced(moto_server: str, aws_env: dict[str, str]) -> Iterator[dict[str, Any]]:
    """moto with IAM checks on (its /moto-api/reset-auth switch), two users and a secret.

    ``reader`` may only GetSecretValue; ``nobody`` has no
    policy; ``ref`` holds ``canary``. moto's default (no IAM checks) is restored
    afterwards: the switch is per process.
    """
    import urllib.request

    iam = boto3.client("iam", region_name=REGION, endpoint_url=moto_server)
    suffix = secrets.token_hex(4)
    found: dict[str, Any] = {}
    for role in ("reader", "nobody"):
        user = f"ors-{role}-{suffix}"
        iam.create_user(UserName=user)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        found[role] = (key["AccessKeyId"], key["SecretAccessKey"])
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                # moto checks actions, and matches resources only as "*"
                "Resource": "*",
            }
        ],
    }
    iam.put_user_policy(
        UserName=f"ors-reader-{suffix}", PolicyName="read", PolicyDocument=json.dumps(policy)
    )
    found["canary"] = make_canary()
    found["ref"] = ref_for(moto_server, f"ors-iam/{suffix}/key")
    sm(moto_server).create_secret(Name=found["ref"].path, SecretString=found["canary"])

    def switch(count: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - loopback moto
            f"{moto_server}/moto-api/reset-auth",
            data=count.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},  # else Flask eats the body as a form
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            response.read()

    switch("0")
    try:
        yield found
    finally:
        switch("inf")


def _as_user(monkeypatch: pytest.MonkeyPatch, keys: tuple[str, str]) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", keys[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", keys[1])


def test_iam_allows_the_reader_to_read(
    iam_enforced: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_user(monkeypatch, iam_enforced["reader"])
    assert AwsProvider(max_attempts=1).get(iam_enforced["ref"]).reveal() == iam_enforced["canary"]


def test_iam_denies_a_write_by_the_read_only_user(
    iam_enforced: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_user(monkeypatch, iam_enforced["reader"])
    new = make_canary()
    with LeakCheck(new, iam_enforced["canary"]) as leaks, pytest.raises(AccessDeniedError) as info:
        AwsProvider(max_attempts=1).put(iam_enforced["ref"], new)
    leaks.check(info.value)


def test_iam_denial_is_access_denied_naming_the_reference(
    iam_enforced: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_user(monkeypatch, iam_enforced["nobody"])
    ref = iam_enforced["ref"]
    with LeakCheck(iam_enforced["canary"]) as leaks, pytest.raises(AccessDeniedError) as info:
        AwsProvider(max_attempts=1).get(ref)
    leaks.check(info.value)
    assert "AccessDenied" in str(info.value)
    assert ref.path in str(info.value)


def test_unknown_access_key_is_access_denied(
    moto_server: str, iam_enforced: dict[str, Any]
) -> None:
    with pytest.raises(AccessDeniedError, match="check the credentials"):
        AwsProvider(max_attempts=1).get(ref_for(moto_server, unique("unknown-key")))


def test_no_credentials_is_access_denied_saying_how_to_fix(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(AccessDeniedError, match="aws configure"):
        AwsProvider(max_attempts=1).get(ref_for(moto_server, unique("nocreds")))


def test_server_down_is_unavailable() -> None:
    ref = ref_for(f"http://127.0.0.1:{free_port()}", unique("down"))
    with pytest.raises(BackendUnavailableError, match="unreachable") as info:
        AwsProvider(connect_timeout=1, max_attempts=2).get(ref)
    assert info.value.retryable


def test_slow_server_times_out(blackhole: str) -> None:
    ref = ref_for(f"http://{blackhole}", unique("slow"), timeout="0.3")
    with pytest.raises(BackendUnavailableError, match="in time"):
        AwsProvider(max_attempts=1).get(ref)


async def test_aget_does_not_block_the_event_loop(blackhole: str) -> None:
    ref = ref_for(f"http://{blackhole}", unique("slowasync"), timeout="0.5")
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    with pytest.raises(BackendUnavailableError):
        await AwsProvider(max_attempts=1).aget(ref)
    ticker.cancel()
    assert ticks >= 10  # the loop kept running while boto3 waited


class _Counting(AwsProvider):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self._count_lock = threading.Lock()

    def get(self, ref: SecretRef) -> Secret:
        with self._count_lock:
            self.calls += 1
        return super().get(ref)


async def test_concurrent_aresolve_makes_one_backend_call(moto_server: str) -> None:
    canary, name = make_canary(), unique("flight")
    sm(moto_server).create_secret(Name=name, SecretString=canary)
    counting = _Counting()
    ors.register_backend("aws", counting, replace=True)
    try:
        results = await asyncio.gather(
            *(ors.aresolve(ref_for(moto_server, name)) for _ in range(8))
        )
    finally:
        ors.unregister_backend("aws")
    assert {r.reveal() for r in results} == {canary}
    assert counting.calls == 1


class _Scripted(BaseHTTPRequestHandler):
    """Answers every request with the error ``server.reply`` names (JSON protocol)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        status, code = self.server.reply  # type: ignore[attr-defined]
        self.server.hits += 1  # type: ignore[attr-defined]
        body = json.dumps({"__type": code, "message": "scripted"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    server.reply = (400, "ThrottlingException")  # type: ignore[attr-defined]
    server.hits = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def test_throttling_is_retryable_unavailable_after_bounded_retries(
    scripted: ThreadingHTTPServer,
) -> None:
    # moto never throttles; this loopback server answers like AWS does when it does.
    ref = ref_for(_url(scripted), unique("throttled"))
    with pytest.raises(BackendUnavailableError, match="throttled") as info:
        AwsProvider(max_attempts=2).get(ref)
    assert info.value.retryable
    assert scripted.hits == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "ExpiredTokenException", AccessDeniedError),
        (400, "UnrecognizedClientException", AccessDeniedError),
        (400, "AccessDeniedException", AccessDeniedError),
        (400, "ResourceNotFoundException", SecretNotFoundError),
        (400, "TooManyRequestsException", BackendUnavailableError),
        (503, "ServiceUnavailable", BackendUnavailableError),
    ],
)
def test_aws_error_codes_map_onto_the_tree(
    scripted: ThreadingHTTPServer, status: int, code: str, expected: type[Exception]
) -> None:
    # Codes moto does not produce on demand, answered over HTTP as AWS would.
    scripted.reply = (status, code)  # type: ignore[attr-defined]
    ref = ref_for(_url(scripted), unique("codes"))
    with pytest.raises(expected) as info:
        AwsProvider(max_attempts=1).get(ref)
    assert ref.path in str(info.value)


def test_decryption_failure_is_access_denied(scripted: ThreadingHTTPServer) -> None:
    scripted.reply = (400, "DecryptionFailure")  # type: ignore[attr-defined]
    with pytest.raises(AccessDeniedError, match="kms:Decrypt"):
        AwsProvider(max_attempts=1).get(ref_for(_url(scripted), unique("kms")))


def test_server_error_is_retryable_unavailable(scripted: ThreadingHTTPServer) -> None:
    scripted.reply = (500, "InternalServiceError")  # type: ignore[attr-defined]
    with pytest.raises(BackendUnavailableError) as info:
        AwsProvider(max_attempts=1).get(ref_for(_url(scripted), unique("5xx")))
    assert info.value.retryable


@pytest.fixture
def short_cache() -> Iterator[None]:
    cache = ors.get_cache()
    ors.configure_cache(ttl=0, stale_for=60)
    try:
        yield
    finally:
        ors.configure_cache(ttl=cache.ttl, stale_for=cache.stale_for, jitter=cache.jitter)


def test_resolve_serves_the_last_good_value_when_aws_goes_down(short_cache: None) -> None:
    from moto.server import ThreadedMotoServer

    quiet_moto_logs()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    canary, name = make_canary(), unique("stale")
    sm(endpoint).create_secret(Name=name, SecretString=canary)
    ref = ref_for(endpoint, name, timeout="1")
    with LeakCheck(canary) as leaks:
        assert ors.resolve(ref).reveal() == canary
        server.stop()
        assert ors.resolve(ref).reveal() == canary  # refetch fails; stale value served
    assert any("last good value" in m for m in leaks.messages)


def test_availability_reports_boto3_without_network() -> None:
    availability = AwsProvider.availability()
    assert availability.available
    assert "boto3" in availability.reason


def test_registry_serves_the_builtin_aws_backend() -> None:
    assert isinstance(ors.get_provider("aws"), AwsProvider)
    assert any(b.name == "aws" and b.available for b in ors.available_backends())


def test_put_refuses_a_field_or_a_stage(moto_server: str, provider: AwsProvider) -> None:
    ref = ref_for(moto_server, unique("putfield"))
    with pytest.raises(InvalidReferenceError, match="whole secret"):
        provider.put(ref.with_field("api_key"), make_canary())
    with pytest.raises(InvalidReferenceError, match="AWSCURRENT"):
        provider.put(ref.with_params(stage="AWSPREVIOUS"), make_canary())


def test_unknown_profile_is_access_denied(moto_server: str, provider: AwsProvider) -> None:
    with pytest.raises(AccessDeniedError, match="profile"):
        provider.get(ref_for(moto_server, unique("profile"), profile="ors-no-such-profile"))


def test_no_region_anywhere_says_where_to_set_one(
    moto_server: str, provider: AwsProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(InvalidReferenceError, match="AWS_REGION or AWS_DEFAULT_REGION"):
        provider.get(SecretRef.parse(f"aws://{unique('noregion')}"))


def test_debug_logging_never_shows_the_value(moto_server: str) -> None:
    # botocore logs request params and response bodies at DEBUG; the provider drops those.
    ref, first, second = ref_for(moto_server, unique("debuglog")), make_canary(), make_canary()
    with LeakCheck(first, second) as leaks:
        provider = AwsProvider()
        provider.put(ref, first)
        provider.put(ref, second)
        assert provider.get(ref).reveal() == second
        assert provider.get(ref.with_params(stage="AWSPREVIOUS")).reveal() == first
    assert any(r.name.startswith("botocore") for r in leaks.records)  # DEBUG was on


@pytest.mark.parametrize("variable", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_the_region_comes_from_either_environment_variable(
    moto_server: str, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """The AWS CLI and SDKs read AWS_REGION; boto3 reads only AWS_DEFAULT_REGION."""
    canary = make_canary()
    name = unique("env-region")
    sm(moto_server).create_secret(Name=name, SecretString=canary)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv(variable, REGION)
    with AwsProvider(connect_timeout=2, read_timeout=5, max_attempts=1) as provider:
        assert provider.get(ref_for(moto_server, name)).reveal() == canary


def test_aws_region_wins_over_aws_default_region(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = make_canary()
    name = unique("region-order")
    sm(moto_server).create_secret(Name=name, SecretString=canary)  # in REGION only
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    with AwsProvider(connect_timeout=2, read_timeout=5, max_attempts=1) as provider:
        assert provider.get(ref_for(moto_server, name)).reveal() == canary
