"""Ranking, tables and charts for :class:`~openrouter_secure.BenchmarkResult`.

Everything here works on the already-private result (prompt and responses redacted
unless the caller consented), so an export can never hold more than the result.
Exports are written with :func:`~openrouter_secure._files.write_confined`: inside
the results directory, atomically, mode 0600.

- Markdown: one row per model, best first; ``|`` and new lines in cells are escaped.
- CSV: one row per model; cells that a spreadsheet would run as a formula
  (``= + - @``, tab, carriage return) are prefixed with ``'``.
- PNG: p50 latency against mean cost per run, one labelled point per model. Needs
  matplotlib (``pip install "openrouter-secure[chart]"``); drawn with the Agg canvas
  directly, so it never touches pyplot's global state or needs a display.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import ConfigurationError, MissingDependencyError
from ._stats import ModelStats

if TYPE_CHECKING:
    from ._benchmark import BenchmarkResult

__all__ = [
    "FORMATS",
    "RANKINGS",
    "export",
    "load_result",
    "rank",
    "result_to_dict",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_png",
]

FORMATS = ("md", "csv", "json", "png")
_INF = math.inf


def _key_speed(s: ModelStats) -> tuple[float, ...]:
    return (s.latency_p50 if s.latency_p50 is not None else _INF, s.error_rate)


def _key_cost(s: ModelStats) -> tuple[float, ...]:
    return (s.cost_mean if s.cost_mean is not None else _INF, s.error_rate, *_key_speed(s))


def _key_errors(s: ModelStats) -> tuple[float, ...]:
    return (s.error_rate, *_key_speed(s))


RANKINGS: dict[str, Callable[[ModelStats], tuple[float, ...]]] = {
    "speed": _key_speed,
    "cost": _key_cost,
    "errors": _key_errors,
}


def rank(result: BenchmarkResult, by: str = "speed") -> list[ModelStats]:
    """Models best first: ``speed`` (p50 latency), ``cost`` (mean per run) or ``errors``.

    A model with no figure for the criterion (every run failed, no cost reported)
    ranks after those with one; ties fall back to error rate, then latency.
    """
    try:
        key = RANKINGS[by]
    except KeyError:
        raise ConfigurationError(f"rank by one of {', '.join(RANKINGS)} (got {by!r})") from None
    return sorted(result.models, key=key)


def result_to_dict(result: BenchmarkResult) -> dict[str, Any]:
    data = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    data.pop("path", None)
    data["models"] = [dataclasses.asdict(m) for m in result.models]
    data["runs"] = [dataclasses.asdict(r) for r in result.runs]
    data["settings"] = dict(result.settings)
    return data


def to_json(result: BenchmarkResult) -> str:
    return json.dumps(result_to_dict(result), indent=2, sort_keys=False)


def load_result(path: str | os.PathLike[str]) -> BenchmarkResult:
    """Read a saved result back (for re-exporting or charting later)."""
    from ._benchmark import BenchmarkResult
    from ._run import RunResult

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return BenchmarkResult(
        **{
            **data,
            "models": tuple(ModelStats(**m) for m in data["models"]),
            "runs": tuple(RunResult(**r) for r in data["runs"]),
        },
        path=Path(path),
    )


def _num(value: float | None, digits: int = 3, scale: float = 1.0) -> str:
    return "-" if value is None else f"{value * scale:.{digits}f}"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


_COLUMNS = (
    "model",
    "runs",
    "errors",
    "p50 s",
    "p95 s",
    "mean s",
    "ttft p50 s",
    "tokens in",
    "tokens out",
    "tokens/s",
    "cost/run $",
)


def _row(s: ModelStats) -> list[str]:
    errors = ", ".join(f"{k} x{v}" for k, v in s.errors.items()) or "0"
    return [
        s.model,
        f"{s.ok}/{s.runs}",
        errors,
        _num(s.latency_p50),
        _num(s.latency_p95),
        _num(s.latency_mean),
        _num(s.ttft_p50),
        _num(s.prompt_tokens_mean, 0),
        _num(s.completion_tokens_mean, 0),
        _num(s.tokens_per_second_mean, 1),
        _num(s.cost_mean, 6),
    ]


def to_markdown(result: BenchmarkResult, *, by: str = "speed") -> str:
    """A Markdown table, best first by ``by``, with a one-line header about privacy."""
    mode = (
        "privacy mode (prompt and responses redacted)"
        if result.privacy_mode
        else ("content kept with consent (secrets masked)")
    )
    lines = [
        f"Benchmark `{result.id}` at {result.created_at}; prompt {result.prompt_chars} chars, "
        f"fingerprint `{result.prompt_fingerprint}`; {mode}; ranked by {by}.",
        "",
        "| " + " | ".join(_COLUMNS) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(_COLUMNS))) + "|",
    ]
    for stats in rank(result, by):
        lines.append("| " + " | ".join(_cell(c) for c in _row(stats)) + " |")
    return "\n".join(lines) + "\n"


def _csv_safe(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(result: BenchmarkResult) -> str:
    out = io.StringIO()
    names = [f.name for f in dataclasses.fields(ModelStats)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for stats in result.models:
        row = dataclasses.asdict(stats)
        row["errors"] = ";".join(f"{k}={v}" for k, v in stats.errors.items())
        writer.writerow([_csv_safe(row[n]) for n in names])
    return out.getvalue()


def to_png(result: BenchmarkResult) -> bytes:
    """PNG bytes of p50 latency (x) against mean cost per run (y)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependencyError("chart", module="matplotlib") from None
    figure = Figure(figsize=(7, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    plotted = [s for s in result.models if s.latency_p50 is not None and s.cost_mean is not None]
    for stats in plotted:
        assert stats.latency_p50 is not None
        assert stats.cost_mean is not None
        axes.scatter([stats.latency_p50], [stats.cost_mean])
        axes.annotate(
            stats.model,
            (stats.latency_p50, stats.cost_mean),
            fontsize=8,
            xytext=(4, 4),
            textcoords="offset points",
        )
    skipped = len(result.models) - len(plotted)
    axes.set_xlabel("p50 latency (s)")
    axes.set_ylabel("mean cost per run (USD)")
    title = "Latency vs cost"
    if skipped:
        title += f" ({skipped} model(s) without latency or cost not shown)"
    axes.set_title(title, fontsize=10)
    axes.grid(True, alpha=0.3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def export(
    result: BenchmarkResult,
    name: str,
    *,
    format: str = "md",
    results_dir: str | os.PathLike[str] | None = None,
    by: str = "speed",
) -> Path:
    """Write ``result`` as ``format`` to ``results_dir/name`` (see the module docstring).

    ``name`` is a plain file name; the format's extension is added when missing.
    """
    from .._files import write_confined
    from ._benchmark import default_results_dir

    if format not in FORMATS:
        raise ConfigurationError(f"export format must be one of {', '.join(FORMATS)}")
    if not name.endswith("." + format):
        name = f"{name}.{format}"
    data: str | bytes
    if format == "md":
        data = to_markdown(result, by=by)
    elif format == "csv":
        data = to_csv(result)
    elif format == "json":
        data = to_json(result) + "\n"
    else:
        data = to_png(result)
    directory = default_results_dir() if results_dir is None else Path(results_dir)
    return write_confined(directory, name, data)
