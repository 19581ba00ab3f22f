"""RateLimiter: in memory, and against a real redis-server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure import (
    ConfigurationError,
    MissingDependencyError,
    RateLimitExceeded,
    SecretRef,
)
from openrouter_secure._events import subscribe, unsubscribe
from openrouter_secure.limits import RateLimiter
from openrouter_secure.testing import LeakCheck, make_canary
from tests.services import run_redis

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def events() -> Any:
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(event: str, fields: dict[str, Any]) -> None:
        seen.append((event, fields))

    subscribe(listener)
    yield seen
    unsubscribe(listener)


@pytest.mark.parametrize("strategy", ["moving-window", "sliding-window", "fixed-window"])
def test_allows_exactly_the_limit(strategy: str) -> None:
    limiter = RateLimiter("5/minute", strategy=strategy)
    results = [limiter.hit("tool:search") for _ in range(7)]
    assert [bool(r) for r in results] == [True] * 5 + [False] * 2


def test_refusal_carries_retry_after_limit_and_key() -> None:
    limiter = RateLimiter("2/minute")
    limiter.hit("model:x")
    limiter.hit("model:x")
    refused = limiter.hit("model:x")
    assert not refused
    assert 0 < refused.retry_after <= 60
    assert (refused.key, refused.limit) == ("model:x", "2 per 1 minute")


def test_keys_are_independent() -> None:
    limiter = RateLimiter("1/minute")
    assert limiter.hit("tool:a")
    assert limiter.hit("tool:b")
    assert not limiter.hit("tool:a")


def test_several_limits_the_tightest_refuses() -> None:
    limiter = RateLimiter("10/minute; 3/hour")
    allowed = [bool(limiter.hit("project:p")) for _ in range(5)]
    assert allowed == [True, True, True, False, False]
    assert limiter.hit("project:p").limit == "3 per 1 hour"


def test_test_does_not_consume() -> None:
    limiter = RateLimiter("1/minute")
    for _ in range(3):
        assert limiter.test("k")
    assert limiter.hit("k")
    assert not limiter.test("k")


def test_clear_resets_a_key() -> None:
    limiter = RateLimiter("1/minute")
    limiter.hit("k")
    limiter.clear("k")
    assert limiter.hit("k")


def test_refusal_emits_ratelimit_hit(events: list[tuple[str, dict[str, Any]]]) -> None:
    limiter = RateLimiter("1/minute")
    limiter.hit("tool:x")
    limiter.hit("tool:x")
    hits = [f for e, f in events if e == "ratelimit.hit"]
    assert len(hits) == 1
    assert hits[0]["key"] == "tool:x"
    assert hits[0]["limit"] == "1 per 1 minute"
    assert hits[0]["retry_after"] > 0


@pytest.mark.parametrize("bad", ["lots", "5/fortnight", ""])
def test_bad_limit_is_a_configuration_error(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        RateLimiter(bad)


def test_bad_strategy_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="strategy"):
        RateLimiter("1/second", strategy="token-bucket")


def test_missing_limits_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # limits is installed here; hide it the way a missing extra looks to the importer.
    monkeypatch.setitem(sys.modules, "limits", None)
    with pytest.raises(MissingDependencyError, match=r"openrouter-secure\[ratelimit\]"):
        RateLimiter("1/second")


def test_guard_decorates_sync_and_async_functions() -> None:
    limiter = RateLimiter("1/minute")

    @limiter.guard("tool:sync")
    def sync_tool(x: int) -> int:
        return x * 2

    @limiter.guard(lambda name: f"tool:{name}")
    async def async_tool(name: str) -> str:
        return name

    assert sync_tool(2) == 4
    with pytest.raises(RateLimitExceeded) as info:
        sync_tool(3)
    assert info.value.key == "tool:sync"
    assert info.value.retry_after
    assert asyncio.run(async_tool("a")) == "a"
    assert asyncio.run(async_tool("b")) == "b"
    with pytest.raises(RateLimitExceeded):
        asyncio.run(async_tool("a"))


async def test_guard_as_context_managers() -> None:
    limiter = RateLimiter("1/minute")
    with limiter.guard("tool:ctx"):
        pass
    with pytest.raises(RateLimitExceeded, match="tool:ctx"), limiter.guard("tool:ctx"):
        pass
    async with limiter.guard("tool:actx"):
        pass
    with pytest.raises(RateLimitExceeded):
        async with limiter.guard("tool:actx"):
            pass


def test_acquire_waits_for_room_within_timeout() -> None:
    limiter = RateLimiter("1/second")
    limiter.hit("k")
    with pytest.raises(RateLimitExceeded):
        limiter.acquire("k", timeout=0)
    assert limiter.acquire("k", timeout=3)


async def test_aacquire_waits_for_room() -> None:
    limiter = RateLimiter("1/second")
    await limiter.ahit("k")
    assert await limiter.aacquire("k", timeout=3)


# -- Redis ------------------------------------------------------------------------------


@pytest.mark.service("redis")
def test_redis_limit_and_retry_after(redis_url: str) -> None:
    limiter = RateLimiter("3/minute", storage=redis_url, namespace=make_canary("plain")[:8])
    assert [bool(limiter.hit("tool:r")) for _ in range(4)] == [True, True, True, False]
    assert 0 < limiter.hit("tool:r").retry_after <= 60


@pytest.mark.service("redis")
async def test_redis_async_shares_counts_with_sync(redis_url: str) -> None:
    limiter = RateLimiter("2/minute", storage=redis_url, namespace=make_canary("plain")[:8])
    assert limiter.hit("k")
    assert await limiter.ahit("k")
    assert not await limiter.ahit("k")
    assert not limiter.hit("k")


HITTER = textwrap.dedent(
    """
    import sys
    from openrouter_secure.limits import RateLimiter
    url, ns, strategy, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    limiter = RateLimiter("25/minute", storage=url, namespace=ns, strategy=strategy)
    sys.stdin.readline()
    print(sum(1 for _ in range(n) if limiter.hit("project:shared")))
    """
)


@pytest.mark.service("redis")
@pytest.mark.parametrize("strategy", ["moving-window", "sliding-window", "fixed-window"])
def test_two_processes_share_one_limit(redis_url: str, strategy: str) -> None:
    namespace = make_canary("plain")[:10]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", HITTER, redis_url, namespace, strategy, "40"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate("go\n", timeout=60)[0] for p in procs]
    allowed = [int(out.strip()) for out in outputs]
    assert sum(allowed) == 25, allowed


@pytest.mark.service("redis")
@pytest.mark.parametrize("fail_open", [False, True])
def test_redis_dies_mid_test(fail_open: bool, events: list[tuple[str, dict[str, Any]]]) -> None:
    password = make_canary("plain")
    with run_redis(password=password) as (url, proc), LeakCheck(password) as leaks:
        limiter = RateLimiter("100/minute", storage=url, fail_open=fail_open)
        assert limiter.hit("tool:x")
        proc.kill()
        proc.wait(5)
        result = limiter.hit("tool:x")
        assert result.storage_error
        assert bool(result) is fail_open
        if not fail_open:
            with pytest.raises(RateLimitExceeded) as info:
                limiter.require("tool:x")
            assert info.value.storage_error
            leaks.check(info.value)
        leaks.check(repr(limiter), events)
    warnings = [m for m in leaks.messages if "unreachable" in m]
    assert warnings
    assert "redis://***@127.0.0.1" in warnings[0]
    assert any(e == "ratelimit.storage_error" for e, _ in events)


@pytest.mark.service("redis")
async def test_redis_dies_async_fail_closed() -> None:
    with run_redis() as (url, proc):
        limiter = RateLimiter("100/minute", storage=url)
        assert await limiter.ahit("k")
        proc.kill()
        proc.wait(5)
        result = await limiter.ahit("k")
        assert not result
        assert result.storage_error


@pytest.mark.service("redis")
def test_storage_url_from_a_secret_reference(
    monkeypatch: pytest.MonkeyPatch, events: list[tuple[str, dict[str, Any]]]
) -> None:
    password = make_canary("plain")
    with run_redis(password=password) as (url, _proc), LeakCheck(password) as leaks:
        monkeypatch.setenv("ORS_TEST_REDIS_URL", url)
        for storage in ("env://ORS_TEST_REDIS_URL", SecretRef.parse("env://ORS_TEST_REDIS_URL")):
            limiter = RateLimiter("1/minute", storage=storage, namespace=make_canary("plain"))
            assert limiter.hit("k")
            assert not limiter.hit("k")
            assert limiter.storage_url.startswith("redis://***@")
            leaks.check(repr(limiter), limiter.storage_url, events)
