"""Ranking, tables and charts for a :class:`~openrouter_secure.benchmark.BenchmarkResult`.

Everything here reads an already-private result (prompt and responses redacted
unless the caller consented) through :class:`Reportable`, so a table or a chart can
never hold more than the result. :meth:`BenchmarkResult.export
<openrouter_secure.benchmark.BenchmarkResult.export>` writes what :func:`render` makes
inside the results directory, atomically, mode 0600. This module never imports the
benchmark itself: the benchmark uses it.

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
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from .._exceptions import ConfigurationError, MissingDependencyError
from ._stats import ModelStats

__all__ = [
    "FORMATS",
    "RANKINGS",
    "Reportable",
    "rank",
    "render",
    "to_csv",
    "to_markdown",
    "to_png",
]

#: Export formats: ``json`` is the result's own serialisation, the others :func:`render`'s.
FORMATS = ("md", "csv", "json", "png")


class Reportable(Protocol):
    """What a table or a chart reads from a result (``BenchmarkResult`` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def privacy_mode(self) -> bool: ...
    @property
    def prompt_chars(self) -> int: ...
    @property
    def prompt_fingerprint(self) -> str: ...
    @property
    def models(self) -> Sequence[ModelStats]: ...


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


def rank(models: Iterable[ModelStats], by: str = "speed") -> list[ModelStats]:
    """Models best first: ``speed`` (p50 latency), ``cost`` (mean per run) or ``errors``.

    A model with no figure for the criterion (every run failed, no cost reported)
    ranks after those with one; ties fall back to error rate, then latency.
    """
    try:
        key = RANKINGS[by]
    except KeyError:
        raise ConfigurationError(f"rank by one of {', '.join(RANKINGS)} (got {by!r})") from None
    return sorted(models, key=key)


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


def to_markdown(result: Reportable, *, by: str = "speed") -> str:
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
    for stats in rank(result.models, by):
        lines.append("| " + " | ".join(_cell(c) for c in _row(stats)) + " |")
    return "\n".join(lines) + "\n"


def _csv_safe(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(result: Reportable) -> str:
    """One row per model, in the result's order; formula-like cells are defused."""
    out = io.StringIO()
    names = [f.name for f in dataclasses.fields(ModelStats)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for stats in result.models:
        row = dataclasses.asdict(stats)
        row["errors"] = ";".join(f"{k}={v}" for k, v in stats.errors.items())
        writer.writerow([_csv_safe(row[n]) for n in names])
    return out.getvalue()


def to_png(result: Reportable) -> bytes:
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


def render(result: Reportable, format: str, *, by: str = "speed") -> str | bytes:
    """``result`` as ``md`` (ranked by ``by``), ``csv`` or ``png``."""
    if format == "md":
        return to_markdown(result, by=by)
    if format == "csv":
        return to_csv(result)
    if format == "png":
        return to_png(result)
    raise ConfigurationError(f"export format must be one of {', '.join(FORMATS)}")
