"""Smoke test: the Sanitizer benchmark imports and builds its log (it is not run here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from openrouter_secure import Sanitizer

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_sanitizer.py"


def test_benchmark_builds_a_log_whose_planted_secrets_are_masked() -> None:
    spec = importlib.util.spec_from_file_location("bench_sanitizer", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text, planted = bench.realistic_log(0.3)
    assert len(text) > 250_000
    assert Sanitizer().sanitize(text).count("***MASKED***") >= planted
