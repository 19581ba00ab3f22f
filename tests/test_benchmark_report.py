"""Ranking and exports of a benchmark result (built by hand: no server needed)."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from openrouter_secure import UnsafePathError
from openrouter_secure.benchmark import BenchmarkResult, ModelStats


def stats(model: str, p50: float | None, cost: float | None, error_rate: float) -> ModelStats:
    return ModelStats(
        model=model,
        runs=4,
        ok=round(4 * (1 - error_rate)),
        error_rate=error_rate,
        errors={"RateLimitError": round(4 * error_rate)} if error_rate else {},
        latency_p50=p50,
        latency_p95=p50,
        latency_mean=p50,
        cost_mean=cost,
    )


@pytest.fixture
def result() -> BenchmarkResult:
    return BenchmarkResult(
        id="abc",
        created_at="2026-01-01T00:00:00+00:00",
        privacy_mode=True,
        prompt="<REDACTED: 5 chars>",
        prompt_fingerprint="hmac-sha256:00",
        prompt_chars=5,
        models=(
            stats("fast/expensive", 0.5, 0.01, 0.0),
            stats("slow/cheap", 2.0, 0.001, 0.25),
            stats("broken/model", None, None, 1.0),
        ),
        runs=(),
        settings={"runs": 4},
    )


@pytest.mark.parametrize(
    ("by", "order"),
    [
        ("speed", ["fast/expensive", "slow/cheap", "broken/model"]),
        ("cost", ["slow/cheap", "fast/expensive", "broken/model"]),
        ("errors", ["fast/expensive", "slow/cheap", "broken/model"]),
    ],
)
def test_rank(result: BenchmarkResult, by: str, order: list[str]) -> None:
    assert [s.model for s in result.rank(by)] == order


def test_rank_by_unknown_criterion_is_refused(result: BenchmarkResult) -> None:
    with pytest.raises(ValueError, match="rank by one of"):
        result.rank("vibes")


def test_markdown_table_has_one_row_per_model_best_first(result: BenchmarkResult) -> None:
    lines = result.to_markdown(by="cost").splitlines()
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert [r.split(" | ")[0][2:] for r in rows] == ["slow/cheap", "fast/expensive", "broken/model"]
    assert "RateLimitError x1" in rows[0]
    assert "privacy mode" in lines[0]


def test_markdown_escapes_pipes_in_model_names(result: BenchmarkResult) -> None:
    odd = BenchmarkResult(**{**result.__dict__, "models": (stats("a|b", 1.0, 0.1, 0.0),)})
    row = odd.to_markdown().splitlines()[-1]
    assert row.startswith("| a\\|b |")


def test_csv_neutralises_formula_cells(result: BenchmarkResult) -> None:
    odd = BenchmarkResult(**{**result.__dict__, "models": (stats("=HYPERLINK(1)", 1, 1, 0),)})
    rows = list(csv.DictReader(io.StringIO(odd.to_csv())))
    assert rows[0]["model"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "png"])
def test_export_writes_a_private_file_inside_the_results_dir(
    result: BenchmarkResult, tmp_path: Path, fmt: str
) -> None:
    if fmt == "png":
        pytest.importorskip("matplotlib")
    path = result.export("report", format=fmt, results_dir=tmp_path / "r")
    assert path == (tmp_path / "r" / f"report.{fmt}").resolve()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if fmt == "png":
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if fmt == "json":
        assert json.loads(path.read_text())["privacy_mode"] is True


@pytest.mark.parametrize("name", ["../report", "/tmp/report", "a/b", ".report"])
def test_export_names_that_escape_are_refused(
    result: BenchmarkResult, tmp_path: Path, name: str
) -> None:
    with pytest.raises(UnsafePathError):
        result.export(name, format="md", results_dir=tmp_path / "r")
    assert not (tmp_path / "report.md").exists()


def test_export_unknown_format_is_refused(result: BenchmarkResult, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="export format"):
        result.export("x", format="xlsx", results_dir=tmp_path)


def test_saved_json_loads_back(result: BenchmarkResult, tmp_path: Path) -> None:
    path = result.export("again", format="json", results_dir=tmp_path)
    loaded = BenchmarkResult.load(path)
    assert loaded.models == result.models
    assert loaded.path == path


def test_export_ranks_the_markdown_table_by_the_asked_criterion(
    result: BenchmarkResult, tmp_path: Path
) -> None:
    path = result.export("by-cost", format="md", results_dir=tmp_path, by="cost")
    rows = [line.split("|")[1].strip() for line in path.read_text().splitlines()[4:]]
    assert rows == ["slow/cheap", "fast/expensive", "broken/model"]


def test_chart_without_matplotlib_names_the_extra(
    result: BenchmarkResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from openrouter_secure import MissingDependencyError

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(MissingDependencyError, match=r"openrouter-secure\[chart\]"):
        result.export("chart", format="png", results_dir=tmp_path)
