"""Per-model statistics for a benchmark: latency percentiles, tokens, cost, errors.

Percentiles use linear interpolation between the two nearest ranks (NumPy's
default), so p50 of ``[1, 2]`` is 1.5 and p95 of a single run is that run. Only
successful runs count towards latency, tokens and cost; failed runs count towards
the error rate and ``errors`` (by error class name).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._run import RunResult

__all__ = ["ModelStats", "percentile", "summarize"]


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) of ``values`` by linear interpolation; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class ModelStats:
    """One model's figures over its runs (seconds, tokens, USD)."""

    model: str
    runs: int
    ok: int
    error_rate: float
    errors: dict[str, int] = field(default_factory=dict)
    latency_mean: float | None = None
    latency_p50: float | None = None
    latency_p95: float | None = None
    ttft_mean: float | None = None
    ttft_p50: float | None = None
    prompt_tokens_mean: float | None = None
    completion_tokens_mean: float | None = None
    tokens_per_second_mean: float | None = None
    cost_total: float | None = None
    cost_mean: float | None = None


def summarize(model: str, runs: Sequence[RunResult]) -> ModelStats:
    good = [r for r in runs if r.ok]
    latencies = [r.latency_s for r in good if r.latency_s is not None]
    ttfts = [r.ttft_s for r in good if r.ttft_s is not None]
    prompt = [float(r.prompt_tokens) for r in good if r.prompt_tokens is not None]
    completion = [float(r.completion_tokens) for r in good if r.completion_tokens is not None]
    tps = [r.tokens_per_second for r in good if r.tokens_per_second is not None]
    costs = [r.cost for r in good if r.cost is not None]
    errors = Counter(r.error or "Error" for r in runs if not r.ok)
    return ModelStats(
        model=model,
        runs=len(runs),
        ok=len(good),
        error_rate=(len(runs) - len(good)) / len(runs) if runs else 0.0,
        errors=dict(sorted(errors.items())),
        latency_mean=_mean(latencies),
        latency_p50=percentile(latencies, 50),
        latency_p95=percentile(latencies, 95),
        ttft_mean=_mean(ttfts),
        ttft_p50=percentile(ttfts, 50),
        prompt_tokens_mean=_mean(prompt),
        completion_tokens_mean=_mean(completion),
        tokens_per_second_mean=_mean(tps),
        cost_total=sum(costs) if costs else None,
        cost_mean=_mean(costs),
    )
