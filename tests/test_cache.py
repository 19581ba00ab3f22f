from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

import openrouter_secure as ors
from openrouter_secure import BackendUnavailableError, SecretNotFoundError
from openrouter_secure._cache import SecretCache
from openrouter_secure.testing import FakeProvider, LeakCheck


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake(canary: str) -> Iterator[FakeProvider]:
    provider = FakeProvider({"key": canary})
    ors.register_backend("fake", provider, replace=True)
    yield provider
    ors.unregister_backend("fake")


def test_second_resolve_is_served_from_the_cache(fake: FakeProvider) -> None:
    ors.resolve("fake://key")
    ors.resolve("fake://key")
    assert fake.calls == 1


def test_resolve_without_cache_always_fetches(fake: FakeProvider) -> None:
    ors.resolve("fake://key", cache=False)
    ors.resolve("fake://key", cache=False)
    assert fake.calls == 2


def test_callers_get_copies_so_wiping_one_keeps_the_cache(fake: FakeProvider, canary: str) -> None:
    ors.resolve("fake://key").wipe()
    assert ors.resolve("fake://key").reveal() == canary
    assert fake.calls == 1


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    cache = SecretCache(ttl=10, jitter=0, clock=clock)
    calls = []
    fetch = lambda: calls.append(1) or ors.Secret("value-123")  # noqa: E731
    cache.get("k", fetch)
    clock.now += 9.9
    cache.get("k", fetch)
    clock.now += 0.2
    cache.get("k", fetch)
    assert len(calls) == 2


def test_jitter_only_shortens_the_ttl() -> None:
    clock = Clock()
    cache = SecretCache(ttl=100, jitter=0.5, clock=clock)
    for i in range(50):
        cache.get(f"k{i}", lambda: ors.Secret("value-123"))
    lives = [e.expires_at - e.fetched_at for e in cache._entries.values()]
    assert all(50 <= life <= 100 for life in lives)
    assert len({round(life, 6) for life in lives}) > 1


def test_a_thousand_threads_make_one_backend_call(fake: FakeProvider) -> None:
    fake.delay = 0.2
    barrier = threading.Barrier(1000)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(ors.resolve("fake://key").reveal())

    threads = [threading.Thread(target=worker) for _ in range(1000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fake.calls == 1
    assert len(results) == 1000


async def test_a_thousand_tasks_make_one_backend_call(fake: FakeProvider, canary: str) -> None:
    fake.delay = 0.05
    secrets = await asyncio.gather(*(ors.aresolve("fake://key") for _ in range(1000)))
    assert fake.calls == 1
    assert {s.reveal() for s in secrets} == {canary}


async def test_cancelling_one_waiter_does_not_cancel_the_shared_fetch(fake: FakeProvider) -> None:
    fake.delay = 0.05
    first = asyncio.ensure_future(ors.aresolve("fake://key"))
    second = asyncio.ensure_future(ors.aresolve("fake://key"))
    await asyncio.sleep(0.01)
    first.cancel()
    assert (await second).reveal()
    assert fake.calls == 1


def test_stale_value_is_served_when_the_backend_is_down(fake: FakeProvider, canary: str) -> None:
    clock = Clock()
    cache = SecretCache(ttl=10, stale_for=60, jitter=0, clock=clock)
    provider_get = lambda: fake.get(ors.SecretRef.parse("fake://key"))  # noqa: E731
    cache.get("fake://key", provider_get)
    clock.now += 30
    fake.fail_with = BackendUnavailableError("down", ref="fake://key")
    with LeakCheck(canary) as leaks:
        assert cache.get("fake://key", provider_get).reveal() == canary
    assert any("last good value" in m for m in leaks.messages)


def test_stale_window_is_bounded(fake: FakeProvider) -> None:
    clock = Clock()
    cache = SecretCache(ttl=10, stale_for=60, jitter=0, clock=clock)
    provider_get = lambda: fake.get(ors.SecretRef.parse("fake://key"))  # noqa: E731
    cache.get("fake://key", provider_get)
    clock.now += 71
    fake.fail_with = BackendUnavailableError("down", ref="fake://key")
    with pytest.raises(BackendUnavailableError):
        cache.get("fake://key", provider_get)


def test_not_found_is_never_papered_over(fake: FakeProvider) -> None:
    clock = Clock()
    cache = SecretCache(ttl=10, stale_for=60, jitter=0, clock=clock)
    provider_get = lambda: fake.get(ors.SecretRef.parse("fake://key"))  # noqa: E731
    cache.get("fake://key", provider_get)
    clock.now += 11
    fake.fail_with = SecretNotFoundError("gone", ref="fake://key")
    with pytest.raises(SecretNotFoundError):
        cache.get("fake://key", provider_get)


def test_refresh_fetches_the_new_value(fake: FakeProvider, canary: str) -> None:
    ors.resolve("fake://key")
    fake.put(ors.SecretRef.parse("fake://key"), "rotated-value-456")
    assert ors.resolve("fake://key").reveal() == canary
    assert ors.refresh("fake://key").reveal() == "rotated-value-456"
    assert ors.resolve("fake://key").reveal() == "rotated-value-456"


async def test_arefresh_fetches_the_new_value(fake: FakeProvider) -> None:
    await ors.aresolve("fake://key")
    fake.put(ors.SecretRef.parse("fake://key"), "rotated-value-789")
    assert (await ors.arefresh("fake://key")).reveal() == "rotated-value-789"


def test_invalidate_forces_a_refetch(fake: FakeProvider) -> None:
    ors.resolve("fake://key")
    ors.invalidate("fake://key")
    ors.resolve("fake://key")
    assert fake.calls == 2


def test_configure_cache_changes_settings() -> None:
    try:
        cache = ors.configure_cache(ttl=5, stale_for=0)
        assert ors.get_cache() is cache
        assert (cache.ttl, cache.stale_for) == (5, 0)
    finally:
        ors.configure_cache(ttl=300, stale_for=3600)


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="jitter"):
        SecretCache(jitter=1.5)


def test_warning_names_the_reference_not_the_value(fake: FakeProvider, canary: str) -> None:
    clock = Clock()
    cache = SecretCache(ttl=1, stale_for=60, jitter=0, clock=clock)
    getter = lambda: fake.get(ors.SecretRef.parse("fake://key"))  # noqa: E731
    cache.get("fake://key", getter)
    clock.now += 2
    fake.fail_with = BackendUnavailableError("down", ref="fake://key")
    with LeakCheck(canary) as leaks:
        cache.get("fake://key", getter)
    assert any("fake://key" in m for m in leaks.messages)
