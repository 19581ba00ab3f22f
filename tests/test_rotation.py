"""rotate_key / finish_rotation against the loopback OpenRouter server's key API.

The store is a real provider registered under a test scheme: ``FakeProvider`` (and a
subclass whose writes fail in scripted ways, the only way to make a store write fail
half-way), the real OS keychain, and AWS Secrets Manager on moto in
``test_rotation_backends.py``. Every test checks the invariant that matters: after a
failure the store holds exactly one working key.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import openrouter_secure as ors
import openrouter_secure.rotation
from openrouter_secure import (
    BackendUnavailableError,
    KeyRotationError,
    RedactingClient,
    Secret,
    _events,
)
from openrouter_secure._refs import SecretRef
from openrouter_secure.rotation import finish_rotation, rotate_key, rotation_due
from openrouter_secure.testing import (
    FakeProvider,
    LeakCheck,
    OpenRouterTestServer,
    ScriptedResponse,
    StoredKey,
    assert_no_leak,
    make_canary,
)
from tests.services import wait_for


class FlakyStore(FakeProvider):
    """A FakeProvider whose next writes fail: cleanly, after writing junk, or silently."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.put_faults: list[str] = []

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        fault = self.put_faults.pop(0) if self.put_faults else None
        if fault == "fail":
            raise BackendUnavailableError("the store is down", ref=ref)
        if fault == "junk":
            super().put(ref, "junk-" + secrets.token_hex(8))
            raise BackendUnavailableError("the store broke mid-write", ref=ref)
        if fault == "drop":
            return None
        if fault == "kill":
            raise KeyboardInterrupt  # the process dies mid-rotation
        return super().put(ref, value)

    def value(self, path: str) -> str:
        return self._data[path][-1]


@pytest.fixture
def server() -> Iterator[OpenRouterTestServer]:
    with OpenRouterTestServer() as srv:
        yield srv


@pytest.fixture
def old(server: OpenRouterTestServer) -> StoredKey:
    return server.add_key(make_canary(), name="prod app", limit=25.0)


@pytest.fixture
def mgmt(server: OpenRouterTestServer) -> StoredKey:
    return server.add_key(make_canary("openrouter-management"), management=True, name="mgmt")


@pytest.fixture
def store(old: StoredKey) -> Iterator[FlakyStore]:
    scheme = "rot" + secrets.token_hex(3)
    provider = FlakyStore({"app/key": old.key}, name=scheme)
    ors.register_backend(scheme, provider)
    yield provider
    ors.unregister_backend(scheme)


@pytest.fixture
def ref(store: FlakyStore) -> str:
    return f"{store.name}://app/key"


@pytest.fixture
def events() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(event: str, fields: dict[str, Any]) -> None:
        if event.startswith("key."):
            seen.append((event, dict(fields)))

    _events.subscribe(listener)
    yield seen
    _events.unsubscribe(listener)


def _against(
    call: Callable[..., Any], server: OpenRouterTestServer, mgmt: StoredKey, tmp_path: Path
) -> Callable[..., Any]:
    """``call(ref, management key, ...)`` bound to the loopback server and a state file."""

    def run(ref: str, **kwargs: Any) -> Any:
        return call(
            ref,
            Secret(mgmt.key),
            base_url=server.base_url,
            allow_insecure_loopback=True,
            state_path=tmp_path / "state" / "rotation.json",
            **kwargs,
        )

    return run


@pytest.fixture
def rotate(
    server: OpenRouterTestServer, mgmt: StoredKey, tmp_path: Path
) -> Callable[..., ors.rotation.RotationResult]:
    return _against(rotate_key, server, mgmt, tmp_path)


@pytest.fixture
def finish(
    server: OpenRouterTestServer, mgmt: StoredKey, tmp_path: Path
) -> Callable[..., ors.rotation.RotationResult | None]:
    return _against(finish_rotation, server, mgmt, tmp_path)


def works(server: OpenRouterTestServer, key: str) -> bool:
    """Whether ``key`` can make a completion on the server right now."""
    with RedactingClient(
        Secret(key), base_url=server.base_url, allow_insecure_loopback=True, max_retries=0
    ) as client:
        try:
            client.chat(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        except ors.OpenRouterError:
            return False
    return True


def live_keys(server: OpenRouterTestServer) -> list[StoredKey]:
    return [k for k in server.keys.values() if not k.management]


def assert_one_working_key(server: OpenRouterTestServer, store: FlakyStore, key: str) -> None:
    """The store holds ``key``, it works, and no other key was left behind."""
    assert store.value("app/key") == key
    assert works(server, key)
    assert [k.key for k in live_keys(server)] == [key]


# -- the happy path ------------------------------------------------------------------------


def test_full_rotation_stores_a_working_new_key_and_retires_the_old_one(
    server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
    tmp_path: Path,
) -> None:
    result = rotate(ref)
    new = store.value("app/key")
    assert new != old.key
    assert works(server, new)
    assert works(server, old.key), "the old key must keep working during the grace period"
    assert (result.old_hash, result.new_hash) == (old.hash, server.keys[result.new_hash].hash)
    finished = finish(ref, force=True, delete=True)
    assert finished is not None
    assert (finished.old_disabled, finished.old_deleted) == (True, True)
    assert old.hash not in server.keys
    assert_one_working_key(server, store, new)


def test_new_key_inherits_name_prefix_and_limit(
    server: OpenRouterTestServer, ref: str, rotate: Callable[..., ors.rotation.RotationResult]
) -> None:
    result = rotate(ref)
    created = server.keys[result.new_hash]
    assert created.name.startswith("prod app (rotated ")
    assert created.limit == 25.0


def test_overrides_for_name_limit_and_expiry_are_sent(
    server: OpenRouterTestServer, ref: str, rotate: Callable[..., ors.rotation.RotationResult]
) -> None:
    result = rotate(ref, name_prefix="ci", limit=5, expires_at="2099-01-01T00:00:00Z")
    created = server.keys[result.new_hash]
    assert (created.name.split(" (")[0], created.limit) == ("ci", 5)
    assert created.expires_at == "2099-01-01T00:00:00Z"


def test_a_second_rotation_finds_the_old_key_through_the_state_file(
    server: OpenRouterTestServer,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    first = rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
    second = rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
    assert second.old_hash == first.new_hash
    assert second.new_name.startswith("prod app (rotated ")
    assert_one_working_key(server, store, store.value("app/key"))


def test_a_callers_management_client_is_used_and_left_open(
    server: OpenRouterTestServer,
    mgmt: StoredKey,
    store: FlakyStore,
    ref: str,
    tmp_path: Path,
) -> None:
    with RedactingClient(
        Secret(mgmt.key), base_url=server.base_url, allow_insecure_loopback=True
    ) as client:
        rotate_key(
            ref,
            None,
            client=client,
            base_url=server.base_url,
            allow_insecure_loopback=True,
            state_path=tmp_path / "s.json",
        )
        assert not client.http_client.is_closed
        assert len(client.list_keys()) == 2
    assert works(server, store.value("app/key"))


class ApprovingClient:
    """A ManagementClient of the caller's own: records each key-management call and
    passes it to a real client (the shape of an approval or audit wrapper)."""

    def __init__(self, inner: RedactingClient) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def key_info(self) -> ors.types.KeyInfo:
        self.calls.append("key_info")
        return self.inner.key_info()

    def list_keys(self) -> list[ors.types.ApiKey]:
        self.calls.append("list_keys")
        return self.inner.list_keys()

    def create_key(
        self, name: str, *, limit: float | None = None, expires_at: str | None = None
    ) -> ors.types.CreatedKey:
        self.calls.append("create_key")
        return self.inner.create_key(name, limit=limit, expires_at=expires_at)

    def update_key(self, hash: str, /, *, disabled: bool | None = None) -> ors.types.ApiKey:
        self.calls.append("update_key")
        return self.inner.update_key(hash, disabled=disabled)

    def delete_key(self, hash: str, /) -> bool:
        self.calls.append("delete_key")
        return self.inner.delete_key(hash)


def test_any_client_that_fits_management_client_drives_a_rotation(
    server: OpenRouterTestServer, mgmt: StoredKey, store: FlakyStore, ref: str, tmp_path: Path
) -> None:
    with RedactingClient(
        Secret(mgmt.key), base_url=server.base_url, allow_insecure_loopback=True
    ) as inner:
        client = ApprovingClient(inner)
        rotate_key(
            ref,
            None,
            client=client,
            grace_period=timedelta(0),
            delete_after=timedelta(0),
            base_url=server.base_url,
            allow_insecure_loopback=True,
            state_path=tmp_path / "s.json",
        )
    assert {"key_info", "create_key", "update_key", "delete_key"} <= set(client.calls)
    assert_one_working_key(server, store, store.value("app/key"))


class TerseClient(ApprovingClient):
    """A wrapper that returns nothing from update_key and delete_key."""

    def update_key(self, hash: str, /, *, disabled: bool | None = None) -> Any:
        super().update_key(hash, disabled=disabled)
        return None

    def delete_key(self, hash: str, /) -> Any:
        super().delete_key(hash)
        return None


def test_a_client_with_terse_answers_is_checked_against_the_listing(
    server: OpenRouterTestServer, mgmt: StoredKey, store: FlakyStore, ref: str, tmp_path: Path
) -> None:
    with RedactingClient(
        Secret(mgmt.key), base_url=server.base_url, allow_insecure_loopback=True
    ) as inner:
        client = TerseClient(inner)
        result = rotate_key(
            ref,
            None,
            client=client,
            grace_period=timedelta(0),
            delete_after=timedelta(0),
            base_url=server.base_url,
            allow_insecure_loopback=True,
            state_path=tmp_path / "s.json",
        )
    assert result.old_deleted
    assert client.calls.count("list_keys") >= 3  # find the old key, confirm each step
    assert_one_working_key(server, store, store.value("app/key"))


def test_neither_a_management_key_nor_a_client_stops_at_preflight(
    server: OpenRouterTestServer, ref: str, tmp_path: Path
) -> None:
    with pytest.raises(KeyRotationError, match="management_key=") as caught:
        rotate_key(ref, None, base_url=server.base_url, state_path=tmp_path / "s.json")
    assert caught.value.step == "preflight"
    assert not server.requests_to("/keys")


def test_a_stray_duplicate_of_the_new_key_is_deleted(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    """A create retried after the server had acted leaves a twin with the same name."""
    twins: list[StoredKey] = []

    def duplicate(event: str, fields: dict[str, Any]) -> None:
        if event == "key.rotation.created":
            twins.append(server.add_key(name=server.keys[fields["new_hash"]].name))

    _events.subscribe(duplicate)
    try:
        result = rotate(ref)
    finally:
        _events.unsubscribe(duplicate)
    assert twins[0].hash not in server.keys
    assert {k.hash for k in live_keys(server)} == {old.hash, result.new_hash}


def test_zero_grace_disables_the_old_key_at_once(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    result = rotate(ref, grace_period=timedelta(0))
    assert result.old_disabled
    assert not result.old_deleted
    assert server.keys[old.hash].disabled
    assert not works(server, old.key)


def test_finish_before_the_grace_period_changes_nothing(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    rotate(ref)
    result = finish(ref)
    assert result is not None
    assert not result.old_disabled
    assert not server.keys[old.hash].disabled


def test_finish_disables_after_grace_and_deletes_after_delete_after(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    result = rotate(ref, grace_period=timedelta(hours=1), delete_after=timedelta(days=2))
    later = finish(ref, now=result.rotated_at + timedelta(hours=2))
    assert later is not None
    assert (later.old_disabled, later.old_deleted) == (True, False)
    assert server.keys[old.hash].disabled
    done = finish(ref, now=result.rotated_at + timedelta(days=3))
    assert done is not None
    assert done.old_deleted
    assert old.hash not in server.keys
    assert finish(ref) is None


def test_every_step_is_announced_and_no_event_log_or_file_holds_a_key(
    old: StoredKey,
    mgmt: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    events: list[tuple[str, dict[str, Any]]],
    tmp_path: Path,
) -> None:
    with LeakCheck(old.key, mgmt.key) as leaks:
        result = rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
        new = store.value("app/key")
        leaks.canaries.append(new)
    names = [e for e, _ in events]
    assert names == [
        "key.rotation.started",
        "key.rotation.created",
        "key.rotation.verified",
        "key.rotation.stored",
        "key.rotation.refreshed",
        "key.rotated",
        "key.rotation.disabled",
        "key.rotation.deleted",
    ]
    assert events[5][1] == {"store": ref, "old_hash": old.hash, "new_hash": result.new_hash}
    state = (tmp_path / "state" / "rotation.json").read_bytes()
    assert_no_leak([old.key, mgmt.key, new], repr(events), state, repr(result))
    leaks.check()


def test_state_file_is_private(
    ref: str, rotate: Callable[..., ors.rotation.RotationResult], tmp_path: Path
) -> None:
    rotate(ref)
    path = tmp_path / "state" / "rotation.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["stores"][ref]["pending"]["stored"] is True


def test_json_store_field_is_replaced_and_other_fields_kept(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    store.put(SecretRef.parse(f"{store.name}://app/json"), json.dumps({"api_key": old.key, "x": 1}))
    rotate(f"{store.name}://app/json#api_key")
    data = json.loads(store.value("app/json"))
    assert data["x"] == 1
    assert data["api_key"] != old.key
    assert works(server, data["api_key"])


def test_clients_rotated_under_load_see_no_failed_request(
    server: OpenRouterTestServer, ref: str, rotate: Callable[..., ors.rotation.RotationResult]
) -> None:
    """Threads keep calling through the store reference while the old key is cut off."""
    stop = threading.Event()
    failures: list[BaseException] = []
    done = [0]

    def worker() -> None:
        with RedactingClient(ref, base_url=server.base_url, allow_insecure_loopback=True) as c:
            while not stop.is_set():
                try:
                    c.chat(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
                    done[0] += 1
                except Exception as exc:
                    failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: done[0] >= 20 or bool(failures), what="requests before rotating")
        # Zero grace: the old key is disabled the moment the new one is stored, so any
        # client still holding it gets a 401 and must refetch the reference once.
        rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
        before = done[0]
        wait_for(lambda: done[0] >= before + 20 or bool(failures), what="requests after")
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert failures == []


def test_plan_rotation_changes_nothing_and_says_what_would_happen(
    server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    store: FlakyStore,
    ref: str,
    tmp_path: Path,
    events: list[tuple[str, dict[str, Any]]],
) -> None:
    plan = ors.rotation.plan_rotation(
        ref,
        Secret(mgmt.key),
        base_url=server.base_url,
        allow_insecure_loopback=True,
        state_path=tmp_path / "s.json",
    )
    assert (plan.old_hash, plan.old_name, plan.limit) == (old.hash, "prod app", 25.0)
    assert plan.new_name.startswith("prod app (rotated ")
    assert_one_working_key(server, store, old.key)
    assert not (tmp_path / "s.json").exists()
    assert events == []


def test_plan_rotation_refuses_what_a_rotation_would_refuse_without_announcing_it(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    tmp_path: Path,
    events: list[tuple[str, dict[str, Any]]],
) -> None:
    with pytest.raises(KeyRotationError, match="not an OpenRouter management key"):
        ors.rotation.plan_rotation(
            ref,
            Secret(old.key),
            base_url=server.base_url,
            allow_insecure_loopback=True,
            state_path=tmp_path / "s.json",
        )
    assert events == []


# -- refusals before anything is created -----------------------------------------------------


def test_env_store_is_refused_and_says_it_cannot_be_written(
    server: OpenRouterTestServer,
    old: StoredKey,
    rotate: Callable[..., ors.rotation.RotationResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORS_ROTATE_ME", old.key)
    with pytest.raises(KeyRotationError) as info:
        rotate("env://ORS_ROTATE_ME")
    assert info.value.step == "preflight"
    assert "env:// cannot be written" in str(info.value)
    assert [k.hash for k in live_keys(server)] == [old.hash]
    assert_no_leak(old.key, info.value)


def test_a_normal_key_given_as_management_key_is_refused(
    server: OpenRouterTestServer, old: StoredKey, ref: str, tmp_path: Path
) -> None:
    with pytest.raises(KeyRotationError, match="not an OpenRouter management key"):
        rotate_key(
            ref,
            Secret(old.key),
            base_url=server.base_url,
            allow_insecure_loopback=True,
            state_path=tmp_path / "s.json",
        )
    assert [k.hash for k in live_keys(server)] == [old.hash]


def test_a_store_holding_a_management_key_is_refused(
    server: OpenRouterTestServer,
    mgmt: StoredKey,
    store: FlakyStore,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    store.put(SecretRef.parse(f"{store.name}://app/mgmt"), mgmt.key)
    with pytest.raises(KeyRotationError, match="holds a management key"):
        rotate(f"{store.name}://app/mgmt")


def test_a_pending_rotation_blocks_another(
    server: OpenRouterTestServer, ref: str, rotate: Callable[..., ors.rotation.RotationResult]
) -> None:
    rotate(ref)
    with pytest.raises(KeyRotationError, match="still pending"):
        rotate(ref)
    assert len(live_keys(server)) == 2


def test_a_wrong_explicit_old_hash_is_refused(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    with pytest.raises(KeyRotationError, match="old_hash names no listed key"):
        rotate(ref, old_hash="0" * 64)
    assert [k.hash for k in live_keys(server)] == [old.hash]


def test_two_keys_with_the_same_label_are_told_apart(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    # OpenRouter's label shows 11 leading and 3 trailing characters: make a twin.
    twin = server.add_key(old.key[:11] + secrets.token_hex(25)[:50] + old.key[-3:], name="twin")
    assert twin.record()["label"] == old.record()["label"]
    result = rotate(ref, grace_period=timedelta(0))
    assert result.old_hash == old.hash
    assert server.keys[old.hash].disabled
    assert not server.keys[twin.hash].disabled


# -- failure at each step, rolled back -------------------------------------------------------


def test_create_failure_leaves_the_store_and_keys_unchanged(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    events: list[tuple[str, dict[str, Any]]],
) -> None:
    server.script("/keys", ScriptedResponse.error(402, "out of credits"), method="POST")
    with pytest.raises(KeyRotationError) as info:
        rotate(ref)
    assert info.value.step == "create"
    assert_one_working_key(server, store, old.key)
    assert ("key.rotation_failed", {"store": ref, "step": "create"}) == (
        events[-1][0],
        {k: events[-1][1][k] for k in ("store", "step")},
    )


def test_verify_failure_deletes_the_new_key(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    def break_new_key(event: str, fields: dict[str, Any]) -> None:
        if event == "key.rotation.created":
            server.keys[fields["new_hash"]].disabled = True

    _events.subscribe(break_new_key)
    try:
        with pytest.raises(KeyRotationError) as info:
            rotate(ref)
    finally:
        _events.unsubscribe(break_new_key)
    assert info.value.step == "verify"
    assert info.value.rolled_back == ("deleted new key",)
    assert_one_working_key(server, store, old.key)


def test_state_file_failure_deletes_the_new_key(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    tmp_path: Path,
) -> None:
    def block_state(event: str, fields: dict[str, Any]) -> None:
        if event == "key.rotation.verified":
            (tmp_path / "state" / "rotation.json").mkdir(parents=True)

    _events.subscribe(block_state)
    try:
        with pytest.raises(KeyRotationError) as info:
            rotate(ref)
    finally:
        _events.unsubscribe(block_state)
    assert info.value.step == "state"
    assert_one_working_key(server, store, old.key)


@pytest.mark.parametrize("fault", ["fail", "junk", "drop"])
def test_store_failure_restores_the_old_value_and_deletes_the_new_key(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    fault: str,
    tmp_path: Path,
) -> None:
    store.put_faults = [fault]
    with pytest.raises(KeyRotationError) as info:
        rotate(ref)
    assert info.value.step == "store"
    assert "deleted new key" in info.value.rolled_back
    assert_one_working_key(server, store, old.key)
    assert ors.resolve(ref).reveal() == old.key
    state = json.loads((tmp_path / "state" / "rotation.json").read_text())
    assert ref not in state["stores"]


def test_store_that_cannot_be_restored_keeps_both_keys_and_says_so(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
) -> None:
    store.put_faults = ["junk", "fail"]
    with pytest.raises(KeyRotationError, match="both keys stay enabled") as info:
        rotate(ref)
    assert info.value.new_hash in server.keys
    assert works(server, old.key)
    assert works(server, server.keys[info.value.new_hash].key)
    assert_no_leak([old.key, server.keys[info.value.new_hash].key], info.value)


def test_finish_refuses_when_the_store_went_back_to_the_old_key(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    rotate(ref)
    store.put(SecretRef.parse(ref), old.key)  # someone restored the old key by hand
    with pytest.raises(KeyRotationError, match="does not hold the rotated key"):
        finish(ref, force=True)
    assert works(server, old.key)


def test_a_rotation_killed_before_the_store_write_is_undone_by_finish(
    server: OpenRouterTestServer,
    old: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    store.put_faults = ["kill"]
    with pytest.raises(KeyboardInterrupt):
        rotate(ref)
    assert len(live_keys(server)) == 2  # the new key exists, the store never got it
    assert finish(ref, force=True) is None
    assert_one_working_key(server, store, old.key)
    rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
    assert_one_working_key(server, store, store.value("app/key"))


def test_a_failed_disable_can_be_retried(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    rotate(ref)
    server.script("/keys/" + old.hash, ScriptedResponse.error(400, "nope"), method="PATCH")
    with pytest.raises(KeyRotationError) as info:
        finish(ref, force=True)
    assert info.value.step == "disable"
    assert not server.keys[old.hash].disabled
    result = finish(ref, force=True)
    assert result is not None
    assert result.old_disabled
    assert server.keys[old.hash].disabled


def _pending(tmp_path: Path, ref: str) -> dict[str, Any]:
    state = json.loads((tmp_path / "state" / "rotation.json").read_text())
    pending: dict[str, Any] = state["stores"][ref]["pending"]
    return pending


def test_a_disable_answered_with_the_key_still_enabled_fails_and_stays_pending(
    server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
    events: list[tuple[str, dict[str, Any]]],
    tmp_path: Path,
) -> None:
    still_enabled = {"data": {**server.keys[old.hash].record(), "disabled": False}}
    server.script("/keys/" + old.hash, ScriptedResponse(200, still_enabled), method="PATCH")
    with pytest.raises(KeyRotationError) as info:
        rotate(ref, grace_period=timedelta(0), delete_after=timedelta(days=1))
    assert info.value.step == "disable"
    assert "still enabled" in str(info.value)
    assert works(server, old.key)
    assert "key.rotation.disabled" not in [e for e, _ in events]
    assert _pending(tmp_path, ref)["disabled"] is False
    assert_no_leak([old.key, mgmt.key], str(info.value), repr(events))
    retried = finish(ref, force=True)  # the finish disables it for real
    assert retried is not None
    assert retried.old_disabled
    assert not works(server, old.key)


def test_finish_refuses_a_disable_answer_that_says_the_key_is_enabled(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
    tmp_path: Path,
) -> None:
    rotate(ref)
    still_enabled = {"data": {**server.keys[old.hash].record(), "disabled": False}}
    server.script("/keys/" + old.hash, ScriptedResponse(200, still_enabled), method="PATCH")
    with pytest.raises(KeyRotationError) as info:
        finish(ref, force=True, delete=True)
    assert info.value.step == "disable"
    assert old.hash in server.keys, "a key that was not disabled must not be deleted either"
    assert _pending(tmp_path, ref)["disabled"] is False


def test_a_disable_answer_without_the_field_is_checked_against_the_listing(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    rotate(ref)
    bare = ScriptedResponse(200, {"data": {"hash": old.hash}})
    server.script("/keys/" + old.hash, bare, method="PATCH")
    with pytest.raises(KeyRotationError, match="still enabled"):
        finish(ref, force=True)
    server.script("/keys/" + old.hash, bare, method="PATCH")
    server.keys[old.hash].disabled = True  # the PATCH took; only its answer was terse
    result = finish(ref, force=True)
    assert result is not None
    assert result.old_disabled


def test_a_disable_answered_not_found_for_a_listed_key_fails(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
) -> None:
    """A 404 (a proxy that mangles the path, say) is no proof the key is gone."""
    rotate(ref)
    server.script("/keys/" + old.hash, ScriptedResponse.error(404, "not found"), method="PATCH")
    with pytest.raises(KeyRotationError, match="still lists it") as info:
        finish(ref, force=True)
    assert info.value.step == "disable"
    assert not server.keys[old.hash].disabled


def test_a_disabled_key_that_still_authenticates_is_not_disabled(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    tmp_path: Path,
) -> None:
    """The API claims the disable took, but the old key keeps working."""
    claimed = {"data": {**server.keys[old.hash].record(), "disabled": True}}
    server.script("/keys/" + old.hash, ScriptedResponse(200, claimed), method="PATCH")
    with pytest.raises(KeyRotationError, match="still authenticates") as info:
        rotate(ref, grace_period=timedelta(0))
    assert info.value.step == "disable"
    assert works(server, old.key)
    assert _pending(tmp_path, ref)["disabled"] is False


def test_trying_the_retired_key_raises_no_auth_alert(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    def listener(event: str, fields: dict[str, Any]) -> None:
        seen.append(event)

    _events.subscribe(listener)
    try:
        rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
    finally:
        _events.unsubscribe(listener)
    tries = [r for r in server.requests_to("/key") if f"Bearer {old.key}" in r.headers.values()]
    assert len(tries) >= 3, "the old key is tried after the disable and after the delete"
    assert "auth.failed" not in seen
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


@pytest.mark.parametrize(
    "answer", [{"deleted": True}, {"deleted": False}], ids=["claimed", "refused"]
)
def test_a_delete_that_did_not_take_fails_and_stays_pending(
    server: OpenRouterTestServer,
    old: StoredKey,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    finish: Callable[..., ors.rotation.RotationResult | None],
    events: list[tuple[str, dict[str, Any]]],
    tmp_path: Path,
    answer: dict[str, Any],
) -> None:
    server.script("/keys/" + old.hash, ScriptedResponse(200, answer), method="DELETE")
    with pytest.raises(KeyRotationError) as info:
        rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
    assert info.value.step == "delete"
    assert old.hash in server.keys
    assert "key.rotation.deleted" not in [e for e, _ in events]
    assert _pending(tmp_path, ref) | {"disabled": True, "deleted": False} == _pending(tmp_path, ref)
    done = finish(ref, delete=True)
    assert done is not None
    assert done.old_deleted
    assert old.hash not in server.keys


# -- age -------------------------------------------------------------------------------------


def test_rotation_due_uses_the_state_file_after_a_rotation(
    ref: str, rotate: Callable[..., ors.rotation.RotationResult], tmp_path: Path
) -> None:
    result = rotate(ref)
    state = tmp_path / "state" / "rotation.json"
    fresh = rotation_due(ref, state_path=state)
    assert (fresh.due, fresh.source, fresh.pending) == (False, "state", True)
    old = rotation_due(ref, state_path=state, now=result.rotated_at + timedelta(days=91))
    assert old.due
    assert bool(old)


def test_rotation_due_asks_the_api_without_state(
    server: OpenRouterTestServer, mgmt: StoredKey, old: StoredKey, ref: str, tmp_path: Path
) -> None:
    old.created_at = "2020-01-01T00:00:00Z"
    due = rotation_due(
        ref,
        management_key=Secret(mgmt.key),
        state_path=tmp_path / "none.json",
        base_url=server.base_url,
        allow_insecure_loopback=True,
    )
    assert (due.due, due.source) == (True, "api")
    assert due.age is not None
    assert due.age.days > 365


def test_rotation_due_without_state_or_management_key_is_unknown(ref: str, tmp_path: Path) -> None:
    due = rotation_due(ref, state_path=tmp_path / "none.json")
    assert (due.due, due.source, due.age) == (False, "unknown", None)


# -- audit -------------------------------------------------------------------------------------


def test_the_audit_log_records_every_step_and_no_key(
    server: OpenRouterTestServer,
    old: StoredKey,
    mgmt: StoredKey,
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    tmp_path: Path,
) -> None:
    from openrouter_secure.audit._log import AuditLog, verify_audit_file

    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path).attach()
    try:
        store.put_faults = ["fail"]
        with pytest.raises(KeyRotationError):
            rotate(ref)
        result = rotate(ref, grace_period=timedelta(0), delete_after=timedelta(0))
    finally:
        audit.close()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    events = [r["event"] for r in records if r["event"].startswith("key.")]
    assert events.count("key.rotation_failed") == 1
    assert "key.rotation.rolled_back" in events
    assert events[-3:] == ["key.rotated", "key.rotation.disabled", "key.rotation.deleted"]
    assert not any("_dropped" in r for r in records if r["event"].startswith("key."))
    assert verify_audit_file(path)
    assert_no_leak(
        [old.key, mgmt.key, store.value("app/key"), server.keys[result.new_hash].key],
        path.read_bytes(),
    )


@pytest.mark.parametrize("fault", ["fail", "junk", "kill"])
def test_no_lock_file_is_left_behind_on_any_path(
    store: FlakyStore,
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    tmp_path: Path,
    fault: str,
) -> None:
    lock = tmp_path / "state" / "rotation.json.lock"
    store.put_faults = [fault]
    with pytest.raises((KeyRotationError, KeyboardInterrupt)):
        rotate(ref)
    assert not lock.exists()
    if fault != "kill":  # a killed rotation stays pending until finished
        rotate(ref)  # a later rotation succeeds, and leaves no lock either
        assert not lock.exists()


@pytest.mark.parametrize("name", ["rotation.json.lock", "rotation.json"])
def test_a_planted_link_is_never_followed(
    ref: str,
    rotate: Callable[..., ors.rotation.RotationResult],
    tmp_path: Path,
    name: str,
) -> None:
    (tmp_path / "state").mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "state" / name).symlink_to(elsewhere)
    with pytest.raises(KeyRotationError, match="symbolic link"):
        rotate(ref)
    assert not elsewhere.exists()
