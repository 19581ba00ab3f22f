"""Latency percentiles and per-model aggregation."""

from __future__ import annotations

import pytest

from openrouter_secure.benchmark import RunResult
from openrouter_secure.benchmark._stats import percentile, summarize


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0, 2.0], 50, 1.5),
        ([5.0], 95, 5.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 50, 3.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 95, 4.8),
        ([3.0, 1.0, 2.0], 0, 1.0),
        ([3.0, 1.0, 2.0], 100, 3.0),
    ],
)
def test_percentile_interpolates_linearly(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 50) is None


def test_summary_counts_errors_by_type_and_ignores_failed_runs_for_latency() -> None:
    runs = [
        RunResult("m", 1, True, latency_s=1.0, ttft_s=0.2, completion_tokens=10, cost=0.01),
        RunResult("m", 2, True, latency_s=3.0, ttft_s=0.4, completion_tokens=30, cost=0.03),
        RunResult("m", 3, False, error="RateLimitError", latency_s=0.01),
        RunResult("m", 4, False, error="RateLimitError", latency_s=0.01),
    ]
    stats = summarize("m", runs)
    assert (stats.runs, stats.ok, stats.error_rate) == (4, 2, 0.5)
    assert stats.errors == {"RateLimitError": 2}
    assert stats.latency_mean == pytest.approx(2.0)
    assert stats.latency_p50 == pytest.approx(2.0)
    assert stats.ttft_p50 == pytest.approx(0.3)
    assert stats.completion_tokens_mean == pytest.approx(20)
    assert stats.cost_total == pytest.approx(0.04)


def test_summary_of_only_failures_has_no_latency() -> None:
    stats = summarize("m", [RunResult("m", 1, False, error="UpstreamError")])
    assert stats.latency_p50 is None
    assert stats.cost_mean is None
    assert stats.error_rate == 1.0
