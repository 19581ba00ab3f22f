"""Budget: dollar and token allowances per key, usage events, GET /key sync, spikes."""

from __future__ import annotations

import calendar
from typing import Any

import pytest

from openrouter_secure import BudgetExceeded, ConfigurationError, RedactingClient, Secret
from openrouter_secure._events import emit, subscribe, unsubscribe
from openrouter_secure.limits import Budget
from openrouter_secure.limits._budget import parse_budget
from openrouter_secure.testing import OpenRouterTestServer, make_canary
from openrouter_secure.types import KeyInfo

# 2026-11-23 10:00:00 UTC, a Monday.
T0 = float(calendar.timegm((2026, 11, 23, 10, 0, 0, 0, 0, 0)))


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def events() -> Any:
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(event: str, fields: dict[str, Any]) -> None:
        seen.append((event, fields))

    subscribe(listener)
    yield seen
    unsubscribe(listener)


def test_parse_forms() -> None:
    parsed = parse_budget("$5/day; 200k tokens/day; 1.5M tokens/month; 10 usd/week; $100")
    assert [(p.kind, p.amount, p.period) for p in parsed] == [
        ("usd", 5.0, "day"),
        ("tokens", 200_000.0, "day"),
        ("tokens", 1_500_000.0, "month"),
        ("usd", 10.0, "week"),
        ("usd", 100.0, "total"),
    ]


@pytest.mark.parametrize("bad", ["five dollars", "$5/fortnight", ";", "5"])
def test_parse_rejects_nonsense(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_budget(bad)


def test_dollar_budget_blocks_once_spent(events: list[tuple[str, dict[str, Any]]]) -> None:
    budget = Budget("$1/day", clock=Clock(), spike_factor=None)
    assert budget.record("key:a", cost=0.6)
    assert not budget.record("key:a", cost=0.4)
    with pytest.raises(BudgetExceeded) as info:
        budget.require("key:a")
    err = info.value
    assert (err.key, err.limit, err.spent) == ("key:a", "$1/day", 1.0)
    assert err.retry_after == 14 * 3600  # until 00:00 UTC
    exceeded = [f for e, f in events if e == "budget.exceeded"]
    assert exceeded == [{"key": "key:a", "budget": "$1/day", "spent": 1.0}]
    budget.require("key:b")  # other keys are unaffected


def test_exceeded_is_emitted_once_per_window(events: list[tuple[str, dict[str, Any]]]) -> None:
    clock = Clock()
    budget = Budget("$1/day", clock=clock, spike_factor=None)
    for _ in range(5):
        budget.record("k", cost=1)
        budget.check("k")
    clock.now += 86400
    budget.record("k", cost=2)
    assert len([e for e, _ in events if e == "budget.exceeded"]) == 2


def test_token_budget_and_window_reset() -> None:
    clock = Clock()
    budget = Budget("1000 tokens/hour", clock=clock)
    budget.record("model:x", tokens=999)
    assert budget.check("model:x")
    budget.record("model:x", tokens=1)
    assert not budget.check("model:x")
    clock.now += 3600
    assert budget.check("model:x")
    assert budget.spent("model:x") == {"1000 tokens/hour": 0.0}


def test_week_and_month_windows() -> None:
    clock = Clock()
    budget = Budget("$1/week; $1.5/month", clock=clock, spike_factor=None)
    budget.record("k", cost=1)
    status = budget.check("k")
    assert status.limit == "$1/week"
    assert status.retry_after == 7 * 86400 - 10 * 3600
    clock.now += 7 * 86400  # next Monday, still November
    budget.record("k", cost=0.5)
    status = budget.check("k")
    assert status.limit == "$1.5/month"
    assert status.retry_after == calendar.timegm((2026, 12, 1, 0, 0, 0, 0, 0, 0)) - clock.now


def test_total_budget_never_resets() -> None:
    budget = Budget("$1", clock=Clock())
    budget.record("k", cost=2)
    with pytest.raises(BudgetExceeded, match="does not reset"):
        budget.require("k")


def test_attach_consumes_usage_events() -> None:
    budget = Budget("$1/day; 100 tokens/day", clock=Clock(), spike_factor=None).attach()
    try:
        emit(
            "usage.recorded",
            key_ref="env://OPENROUTER_API_KEY",
            model="openai/gpt-4o",
            prompt_tokens=40,
            completion_tokens=20,
            cost=0.25,
            generation_id="gen-1",
        )
    finally:
        budget.detach()
    assert budget.spent("env://OPENROUTER_API_KEY") == {"$1/day": 0.25, "100 tokens/day": 60.0}


def test_attach_with_a_key_function() -> None:
    budget = Budget("$1/day", clock=Clock(), spike_factor=None)
    budget.attach(lambda f: f"model:{f['model']}")
    try:
        emit(
            "usage.recorded", key_ref="r", model="m/x", prompt_tokens=1, completion_tokens=1, cost=2
        )
    finally:
        budget.detach()
    assert not budget.check("model:m/x")


def key_info(**usage: float) -> KeyInfo:
    """What ``client.key_info()`` returns for a ``GET /key`` body with these counters."""
    return KeyInfo.parse({"data": {"label": "sk-or-v1-abc...xyz", **usage}})


def test_sync_takes_each_period_from_its_key_info_counter() -> None:
    budget = Budget("$5/day; $8/week; $20/month; $100", clock=Clock(), spike_factor=None)
    info = key_info(usage=50.0, usage_daily=3.0, usage_weekly=4.0, usage_monthly=12.0)
    budget.sync_from_key_info(info, key="k")
    assert budget.spent("k") == {"$5/day": 3.0, "$8/week": 4.0, "$20/month": 12.0, "$100": 50.0}


def test_sync_over_a_limit_refuses_the_key() -> None:
    budget = Budget("$5/day", clock=Clock(), spike_factor=None)
    status = budget.sync_from_key_info(key_info(usage_daily=6.0), key="k")
    assert not status
    assert status.limit == "$5/day"


def test_sync_never_lowers_local_spend() -> None:
    budget = Budget("$5/day", clock=Clock())
    budget.record("k", cost=4)
    budget.sync_from_key_info(key_info(usage_daily=1.0), key="k")
    assert budget.spent("k") == {"$5/day": 4.0}


def test_sync_reads_what_the_client_returns() -> None:
    budget = Budget("$5/day", spike_factor=None)
    with OpenRouterTestServer() as server:
        key = server.add_key(make_canary())
        with RedactingClient(
            Secret(key.key), base_url=server.base_url, allow_insecure_loopback=True
        ) as client:
            client.chat(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
            info = client.key_info()
    assert info.usage_daily is not None
    assert info.usage_daily > 0
    budget.sync_from_key_info(info, key="k")
    assert budget.spent("k") == {"$5/day": info.usage_daily}


def test_spike_alert(events: list[tuple[str, dict[str, Any]]]) -> None:
    clock = Clock()
    budget = Budget("$100/day", clock=clock, spike_factor=3.0, spike_window=60, spike_history=5)
    for _ in range(3):
        budget.record("k", cost=0.1)
        clock.now += 60
    budget.record("k", cost=0.25)
    assert not [e for e, _ in events if e == "budget.spike"]
    budget.record("k", cost=0.25)  # 0.5 > 3 x 0.1
    budget.record("k", cost=1.0)  # same window: no second alert
    spikes = [f for e, f in events if e == "budget.spike"]
    assert len(spikes) == 1
    assert spikes[0]["trailing_average"] == pytest.approx(0.1)
    assert spikes[0]["window_spend"] == pytest.approx(0.5)


def test_no_spike_for_a_brand_new_key(events: list[tuple[str, dict[str, Any]]]) -> None:
    budget = Budget("$100/day", clock=Clock(), spike_window=60)
    budget.record("k", cost=50)
    assert not [e for e, _ in events if e == "budget.spike"]


# -- Redis: one budget for every process ------------------------------------------------


@pytest.mark.service("redis")
def test_redis_budget_is_shared_between_instances(
    redis_url: str, events: list[tuple[str, dict[str, Any]]]
) -> None:
    from openrouter_secure.testing import make_canary

    namespace = make_canary("plain")[:10]
    # Two Budget objects with their own Redis connections stand for two replicas.
    first = Budget("$1/day; 1000 tokens/day", storage=redis_url, namespace=namespace)
    second = Budget("$1/day; 1000 tokens/day", storage=redis_url, namespace=namespace)
    first.record("key:a", cost=0.5, tokens=400)
    assert second.spent("key:a") == {"$1/day": 0.5, "1000 tokens/day": 400.0}
    assert second.record("key:a", cost=0.25)
    first.record("key:a", cost=0.25)
    assert not second.check("key:a")
    assert not first.check("key:a")
    exceeded = [f for e, f in events if e == "budget.exceeded"]
    assert len(exceeded) == 1  # once per window across both instances


@pytest.mark.service("redis")
def test_redis_budget_sync_is_a_floor(redis_url: str) -> None:
    from openrouter_secure.testing import make_canary

    budget = Budget("$5/day", storage=redis_url, namespace=make_canary("plain")[:10])
    budget.record("k", cost=2.0)
    budget.sync_from_key_info(key_info(usage_daily=1.0), key="k")
    assert budget.spent("k") == {"$5/day": 2.0}
    budget.sync_from_key_info(key_info(usage_daily=3.5), key="k")
    assert budget.spent("k") == {"$5/day": 3.5}


@pytest.mark.service("redis")
@pytest.mark.parametrize("fail_open", [False, True])
def test_redis_budget_when_redis_dies(fail_open: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from openrouter_secure.testing import LeakCheck, make_canary
    from tests.services import run_redis

    password = make_canary("plain")
    with run_redis(password=password) as (url, proc), LeakCheck(password) as leaks:
        monkeypatch.setenv("ORS_TEST_BUDGET_REDIS", url)
        budget = Budget("$1/day", storage="env://ORS_TEST_BUDGET_REDIS", fail_open=fail_open)
        assert budget.storage_url.startswith("redis://***@127.0.0.1")
        budget.record("k", cost=0.1)
        proc.kill()
        proc.wait(5)
        budget.record("k", cost=0.1)  # logged, not raised
        status = budget.check("k")
        assert status.storage_error
        assert bool(status) is fail_open
        if not fail_open:
            with pytest.raises(BudgetExceeded, match="could not be checked") as info:
                budget.require("k")
            leaks.check(info.value)
    assert any("budget storage redis://***@127.0.0.1" in m for m in leaks.messages)
