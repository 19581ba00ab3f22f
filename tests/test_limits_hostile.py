"""Budgets and rate limits hold against impossible amounts: negative, infinite, NaN."""

from __future__ import annotations

import calendar
import math
from typing import Any

import pytest

from openrouter_secure import RedactingClient, Secret
from openrouter_secure._events import emit
from openrouter_secure.limits import Budget, RateLimiter
from openrouter_secure.testing import OpenRouterTestServer, make_canary
from openrouter_secure.testing._server_shapes import ScriptedResponse
from openrouter_secure.types import KeyInfo

T0 = float(calendar.timegm((2026, 11, 23, 10, 0, 0, 0, 0, 0)))
BAD_COSTS = [-5.0, -0.000001, math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("cost", BAD_COSTS)
def test_record_refuses_an_impossible_cost(cost: float) -> None:
    budget = Budget("$1/day", clock=lambda: T0, spike_factor=None)
    budget.record("k", cost=0.5)
    with pytest.raises(ValueError, match="cost must be a finite number of dollars >= 0"):
        budget.record("k", cost=cost)
    assert budget.spent("k") == {"$1/day": 0.5}


@pytest.mark.parametrize("tokens", [-1, 1.5, math.inf, math.nan, "10"])
def test_record_refuses_impossible_tokens(tokens: Any) -> None:
    budget = Budget("100 tokens/day", clock=lambda: T0, spike_factor=None)
    with pytest.raises(ValueError, match="tokens must be a whole number"):
        budget.record("k", tokens=tokens)


def test_record_refuses_a_cost_that_is_not_a_number() -> None:
    budget = Budget("$1/day", clock=lambda: T0, spike_factor=None)
    with pytest.raises(ValueError, match="cost must be a number of dollars, not str"):
        budget.record("k", cost="0.5")  # type: ignore[arg-type]


def _usage(budget: Budget, **fields: Any) -> None:
    budget.attach()
    try:
        emit("usage.recorded", key_ref="k", model="m/x", **fields)
    finally:
        budget.detach()


@pytest.mark.parametrize("cost", [*BAD_COSTS, "0.01", [1]])
def test_an_impossible_upstream_cost_counts_as_the_whole_budget(cost: Any) -> None:
    budget = Budget("$1/day; 1000 tokens/day", clock=lambda: T0, spike_factor=None)
    budget.record("k", cost=0.5, tokens=10)
    _usage(budget, cost=cost, prompt_tokens=5, completion_tokens=5)
    # The dollar limit is used up (worst case) and stays so; the valid token counts add.
    assert budget.spent("k") == {"$1/day": 1.0, "1000 tokens/day": 20.0}
    assert not budget.check("k")


@pytest.mark.parametrize("tokens", [-100, math.inf, math.nan])
def test_impossible_upstream_tokens_count_as_the_whole_token_budget(tokens: float) -> None:
    budget = Budget("$1/day; 1000 tokens/day", clock=lambda: T0, spike_factor=None)
    _usage(budget, cost=0.25, prompt_tokens=tokens, completion_tokens=5)
    assert budget.spent("k") == {"$1/day": 0.25, "1000 tokens/day": 1005.0}


def test_a_missing_upstream_cost_counts_as_zero() -> None:
    budget = Budget("$1/day", clock=lambda: T0, spike_factor=None)
    _usage(budget, prompt_tokens=5, completion_tokens=5)
    assert budget.check("k")
    assert budget.spent("k") == {"$1/day": 0.0}


def test_negative_upstream_cost_cannot_refund_spend() -> None:
    """After $4.50 of spend on a $1/day budget, a -5.0 report must not re-open it."""
    budget = Budget("$1/day", clock=lambda: T0, spike_factor=None)
    budget.record("k", cost=4.5)
    _usage(budget, cost=-5.0, prompt_tokens=1, completion_tokens=1)
    assert not budget.check("k")
    assert budget.spent("k")["$1/day"] == pytest.approx(4.5)


def test_a_non_finite_cost_from_the_api_exhausts_the_budget() -> None:
    """End to end: OpenRouter (a local stand-in) answers with ``"cost": -Infinity``."""
    body = (
        '{"id": "gen-1", "model": "m/x", "choices": [{"index": 0, "message": '
        '{"role": "assistant", "content": "hi"}, "finish_reason": "stop"}], '
        '"usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, '
        '"cost": -Infinity}}'
    )
    budget = Budget("$1/day", spike_factor=None)
    with OpenRouterTestServer() as server:
        key = server.add_key(make_canary())
        server.script("/chat/completions", ScriptedResponse(200, body), method="POST")
        budget.attach(lambda f: "k")
        try:
            with RedactingClient(
                Secret(key.key), base_url=server.base_url, allow_insecure_loopback=True
            ) as client:
                client.chat(model="m/x", messages=[{"role": "user", "content": "hi"}])
        finally:
            budget.detach()
    assert not budget.check("k")


@pytest.mark.parametrize("value", [math.inf, math.nan, -3.0])
def test_sync_takes_an_impossible_key_info_figure_as_the_limit(value: float) -> None:
    budget = Budget("$5/day", clock=lambda: T0, spike_factor=None)
    info = KeyInfo.parse({"data": {"label": "x", "usage_daily": value}})
    status = budget.sync_from_key_info(info, key="k")
    assert not status
    assert budget.spent("k") == {"$5/day": 5.0}


@pytest.mark.parametrize("cost", [-5, -1, 1.5, math.nan, True, "1"])
def test_rate_limiter_refuses_an_impossible_cost(cost: Any) -> None:
    limiter = RateLimiter("2/minute")
    assert limiter.hit("k")
    assert limiter.hit("k")
    with pytest.raises(ValueError, match="cost must be a whole number of calls >= 0"):
        limiter.hit("k", cost=cost)
    with pytest.raises(ValueError, match="cost must be a whole number"):
        limiter.test("k", cost=cost)
    with pytest.raises(ValueError, match="cost must be a whole number"):
        limiter.guard("k", cost=cost)
    assert not limiter.hit("k")  # nothing was refunded


async def test_async_rate_limiter_refuses_a_negative_cost() -> None:
    limiter = RateLimiter("1/minute")
    with pytest.raises(ValueError, match="cost must be a whole number"):
        await limiter.ahit("k", cost=-5)
