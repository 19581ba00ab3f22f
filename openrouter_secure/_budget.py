"""``Budget``: spend and token allowances per key, fed by the usage OpenRouter reports.

OpenRouter returns ``usage`` (``cost`` in dollars, ``prompt_tokens``,
``completion_tokens``) with each completion; the client announces it as a
``usage.recorded`` event, which :meth:`Budget.attach` consumes. ``GET /key`` reports
the key's own totals (``usage``, ``usage_daily``, ``usage_weekly``,
``usage_monthly``); :meth:`Budget.sync_from_key_info` takes those as a floor, so spend
from other processes or other tools using the same key counts too.

Windows are calendar windows in UTC (a day starts at 00:00 UTC, a week on Monday, a
month on the 1st), the same as OpenRouter's daily/weekly/monthly usage counters.
State is in memory, per process; share a budget across processes by syncing from
``GET /key`` (OpenRouter is then the shared store).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._events import emit, subscribe, unsubscribe
from ._exceptions import BudgetExceeded, ConfigurationError

__all__ = ["Budget", "BudgetLimit", "BudgetStatus"]

log = logging.getLogger("openrouter_secure.budget")

_PERIOD_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_PERIODS = ("minute", "hour", "day", "week", "month", "total")
_ONE = re.compile(
    r"""\s*(?:
        \$\s*(?P<usd>\d+(?:\.\d+)?)
      | (?P<usd2>\d+(?:\.\d+)?)\s*(?:usd|dollars?)
      | (?P<tok>\d+(?:\.\d+)?)\s*(?P<mult>[km]?)\s*tokens?
    )\s*(?:/\s*(?P<period>minute|hour|day|week|month|total)s?)?\s*""",
    re.I | re.X,
)
# Which GET /key counter is authoritative for a dollar limit of each period.
_KEY_INFO_FIELD = {
    "day": "usage_daily",
    "week": "usage_weekly",
    "month": "usage_monthly",
    "total": "usage",
}


@dataclass(frozen=True)
class BudgetLimit:
    """One parsed limit: ``kind`` is ``"usd"`` or ``"tokens"``; ``period`` a window name."""

    kind: str
    amount: float
    period: str
    label: str

    def window(self, now: float) -> int:
        """The id of the calendar window (UTC) that ``now`` falls in."""
        if self.period in _PERIOD_SECONDS:
            return int(now // _PERIOD_SECONDS[self.period])
        if self.period == "week":
            return (int(now // 86400) + 3) // 7  # 1970-01-01 was a Thursday
        if self.period == "month":
            tm = time.gmtime(now)
            return tm.tm_year * 12 + tm.tm_mon - 1
        return 0

    def resets_in(self, now: float) -> float | None:
        """Seconds until the current window ends (``None`` for ``total``)."""
        if self.period in _PERIOD_SECONDS:
            size = _PERIOD_SECONDS[self.period]
            return size - now % size
        if self.period == "week":
            start = ((int(now // 86400) + 3) // 7) * 7 - 3
            return (start + 7) * 86400 - now
        if self.period == "month":
            tm = time.gmtime(now)
            year, month = (tm.tm_year + 1, 1) if tm.tm_mon == 12 else (tm.tm_year, tm.tm_mon + 1)
            import calendar

            return calendar.timegm((year, month, 1, 0, 0, 0, 0, 0, 0)) - now
        return None


def parse_budget(text: str) -> tuple[BudgetLimit, ...]:
    """``"$5/day"``, ``"200000 tokens/day"``, ``"1.5M tokens/month; $50/month"``."""
    limits = []
    for part in text.split(";"):
        if not part.strip():
            continue
        match = _ONE.fullmatch(part)
        if match is None:
            raise ConfigurationError(
                f"cannot parse budget {part.strip()!r}; write it like '$5/day', "
                "'200000 tokens/day' or '$50/month; 2M tokens/month'"
            )
        period = (match["period"] or "total").lower()
        if match["tok"] is not None:
            scale = {"": 1, "k": 1_000, "m": 1_000_000}[match["mult"].lower()]
            limits.append(BudgetLimit("tokens", float(match["tok"]) * scale, period, part.strip()))
        else:
            usd = float(match["usd"] or match["usd2"])
            limits.append(BudgetLimit("usd", usd, period, part.strip()))
    if not limits:
        raise ConfigurationError(f"budget {text!r} names no limit; write it like '$5/day'")
    return tuple(limits)


@dataclass(frozen=True)
class BudgetStatus:
    """Where a key stands: truthy while within every limit.

    When over, ``limit`` is the exhausted limit's text, ``spent`` what was used in its
    window and ``retry_after`` the seconds until that window resets (``None``: never).
    """

    ok: bool
    key: str
    limit: str | None = None
    spent: float = 0.0
    retry_after: float | None = None

    def __bool__(self) -> bool:
        return self.ok


class _Usage:
    __slots__ = ("alerted", "spent", "window")

    def __init__(self, window: int) -> None:
        self.window = window
        self.spent = 0.0
        self.alerted = False


class Budget:
    """Dollar and token budgets per key (``"$5/day"``, ``"200000 tokens/day"``, or both).

    ``record(key, cost=..., tokens=...)`` adds usage; ``check(key)`` tells where a key
    stands; ``require(key)`` raises :class:`BudgetExceeded` when over (call it before a
    completion). Crossing a limit emits ``budget.exceeded`` once per window.

    Spike alert: with ``spike_factor`` set, spend in the current ``spike_window``
    seconds above ``spike_factor`` times the average of up to ``spike_history`` earlier
    windows (and at least ``spike_min`` dollars) emits ``budget.spike`` once per window.
    A key needs one finished window with spend before it can spike.
    """

    def __init__(
        self,
        limit: str,
        *,
        spike_factor: float | None = 3.0,
        spike_window: float = 3600.0,
        spike_history: int = 24,
        spike_min: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.limits = parse_budget(limit)
        self.spike_factor = spike_factor
        self.spike_window = spike_window
        self.spike_history = spike_history
        self.spike_min = spike_min
        self._clock = clock
        self._lock = threading.Lock()
        self._usage: dict[str, list[_Usage]] = {}
        # key -> {spike window id: spend}; plus the window of the last spike alert.
        self._spend_windows: dict[str, dict[int, float]] = {}
        self._spiked: dict[str, int] = {}
        self._key_field: str | Callable[[Mapping[str, Any]], str | None] = "key_ref"

    # -- recording ---------------------------------------------------------------------

    def _rows(self, key: str, now: float) -> list[_Usage]:
        rows = self._usage.get(key)
        if rows is None:
            rows = self._usage[key] = [_Usage(lim.window(now)) for lim in self.limits]
        for lim, row in zip(self.limits, rows, strict=True):
            current = lim.window(now)
            if row.window != current:
                row.window, row.spent, row.alerted = current, 0.0, False
        return rows

    def record(self, key: str, *, cost: float | None = 0.0, tokens: int | None = 0) -> BudgetStatus:
        """Add ``cost`` dollars and ``tokens`` tokens to ``key``; returns its status."""
        cost = float(cost or 0.0)
        tokens = int(tokens or 0)
        now = self._clock()
        with self._lock:
            rows = self._rows(key, now)
            for lim, row in zip(self.limits, rows, strict=True):
                row.spent += cost if lim.kind == "usd" else tokens
            status = self._status(key, rows, now)
            spike = self._track_spike(key, cost, now) if cost > 0 else None
        if spike is not None:
            emit("budget.spike", **spike)
        return status

    def sync_from_key_info(self, info: Any, *, key: str) -> BudgetStatus:
        """Raise ``key``'s dollar spend to what ``GET /key`` reports, never lower it.

        ``info`` is the client's ``KeyInfo`` or the plain ``data`` dict of the response
        (snake_case or camelCase). Daily, weekly, monthly and total dollar limits are
        synced; minute/hour limits and token limits have no counter there.
        """
        now = self._clock()
        with self._lock:
            rows = self._rows(key, now)
            for lim, row in zip(self.limits, rows, strict=True):
                name = _KEY_INFO_FIELD.get(lim.period)
                if lim.kind != "usd" or name is None:
                    continue
                value = _field(info, name)
                if value is not None and value > row.spent:
                    row.spent = value
            return self._status(key, rows, now)

    # -- checking ----------------------------------------------------------------------

    def _status(self, key: str, rows: list[_Usage], now: float) -> BudgetStatus:
        for lim, row in zip(self.limits, rows, strict=True):
            if row.spent >= lim.amount:
                if not row.alerted:
                    row.alerted = True
                    emit("budget.exceeded", key=key, budget=lim.label, spent=round(row.spent, 6))
                return BudgetStatus(False, key, lim.label, row.spent, lim.resets_in(now))
        return BudgetStatus(True, key)

    def check(self, key: str) -> BudgetStatus:
        """Whether ``key`` is within every limit now."""
        now = self._clock()
        with self._lock:
            return self._status(key, self._rows(key, now), now)

    def require(self, key: str) -> BudgetStatus:
        """``check`` that raises :class:`BudgetExceeded` when ``key`` is over a limit."""
        status = self.check(key)
        if status:
            return status
        when = (
            "it is a total budget and does not reset; raise it or use another key"
            if status.retry_after is None
            else f"it resets in {status.retry_after:.0f}s"
        )
        raise BudgetExceeded(
            f"budget {status.limit} is used up for {key!r} (spent {status.spent:g}); {when}",
            key=key,
            limit=status.limit or self.limit,
            spent=status.spent,
            retry_after=status.retry_after,
        )

    def spent(self, key: str) -> dict[str, float]:
        """Usage in the current window of each limit, by the limit's text."""
        now = self._clock()
        with self._lock:
            rows = self._rows(key, now)
            return {lim.label: row.spent for lim, row in zip(self.limits, rows, strict=True)}

    # -- spikes ------------------------------------------------------------------------

    def _track_spike(self, key: str, cost: float, now: float) -> dict[str, Any] | None:
        if self.spike_factor is None:
            return None
        current = int(now // self.spike_window)
        windows = self._spend_windows.setdefault(key, {})
        windows[current] = windows.get(current, 0.0) + cost
        oldest = current - self.spike_history
        for old in [w for w in windows if w < oldest]:
            del windows[old]
        first = min(windows)
        earlier = range(max(first, oldest), current)
        if not earlier or self._spiked.get(key) == current:
            return None
        average = sum(windows.get(w, 0.0) for w in earlier) / len(earlier)
        spend = windows[current]
        if average <= 0 or spend <= self.spike_factor * average or spend < self.spike_min:
            return None
        self._spiked[key] = current
        return {
            "key": key,
            "window_spend": round(spend, 6),
            "trailing_average": round(average, 6),
            "factor": self.spike_factor,
            "window": self.spike_window,
        }

    # -- events ------------------------------------------------------------------------

    def attach(self, key: str | Callable[[Mapping[str, Any]], str | None] = "key_ref") -> Budget:
        """Record every ``usage.recorded`` event. ``key`` names the event field that is
        the budget key (default ``key_ref``), or is a function of the fields (return
        ``None`` to skip an event), e.g. ``lambda f: f"model:{f['model']}"``."""
        self._key_field = key
        subscribe(self._on_event)
        return self

    def detach(self) -> None:
        unsubscribe(self._on_event)

    def _on_event(self, event: str, fields: dict[str, Any]) -> None:
        if event != "usage.recorded":
            return
        chooser = self._key_field
        key = chooser(fields) if callable(chooser) else fields.get(chooser)
        if key is None:
            return
        tokens = _number(fields.get("prompt_tokens")) + _number(fields.get("completion_tokens"))
        self.record(str(key), cost=_number(fields.get("cost")), tokens=int(tokens))

    def __repr__(self) -> str:
        return f"Budget({self.limit!r})"


def _number(value: Any) -> float:
    # Event fields come from other code: a malformed one counts as 0 and is never echoed
    # (an error message quoting it could carry whatever it holds).
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return float(value)
    if value is not None:
        log.warning("ignored a non-numeric usage field (%s)", type(value).__name__)
    return 0.0


def _field(info: Any, name: str) -> float | None:
    if isinstance(info, Mapping) and isinstance(info.get("data"), Mapping):
        info = info["data"]  # the whole GET /key response body
    camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
    for candidate in (name, camel):
        value = info.get(candidate) if isinstance(info, Mapping) else getattr(info, candidate, None)
        if value is None and not isinstance(info, Mapping):
            extra = getattr(info, "raw", None)
            if isinstance(extra, Mapping):
                data = extra.get("data", extra)
                value = data.get(candidate) if isinstance(data, Mapping) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None
