"""``Budget``: spend and token allowances per key, fed by the usage OpenRouter reports.

OpenRouter returns ``usage`` (``cost`` in dollars, ``prompt_tokens``,
``completion_tokens``) with each completion; the client announces it as a
``usage.recorded`` event, which :meth:`Budget.attach` consumes. ``GET /key`` reports
the key's own totals (``usage``, ``usage_daily``, ``usage_weekly``,
``usage_monthly``); :meth:`Budget.sync_from_key_info` takes those as a floor, so spend
from other processes or other tools using the same key counts too.

Windows are calendar windows in UTC (a day starts at 00:00 UTC, a week on Monday, a
month on the 1st), the same as OpenRouter's daily/weekly/monthly usage counters.
State is in memory, per process, by default; ``storage="redis://..."`` shares it
across processes, and syncing from ``GET /key`` adds spend made elsewhere.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .._events import emit, subscribe, unsubscribe
from .._exceptions import BudgetExceeded, ConfigurationError
from .._refs import SecretRef
from .._sanitize._sanitizer import default_sanitizer
from .._secret import Secret
from ._budget_store import Slot, StoreUnavailable, open_store

__all__ = ["Budget", "BudgetLimit", "BudgetStatus", "KeyUsage"]

log = logging.getLogger("openrouter_secure.budget")

# What a store raises when it cannot answer (it translates its client's errors).
_STORAGE_ERRORS = (StoreUnavailable,)

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


class KeyUsage(Protocol):
    """A key's spend as ``GET /key`` reports it, in USD: in total and for the current
    UTC day, week and month (``None`` where not reported).

    :class:`openrouter_secure.types.KeyInfo` (what ``client.key_info()`` returns) fits;
    from a raw response body, build one with ``KeyInfo.parse(body)``.
    """

    @property
    def usage(self) -> float | None: ...
    @property
    def usage_daily(self) -> float | None: ...
    @property
    def usage_weekly(self) -> float | None: ...
    @property
    def usage_monthly(self) -> float | None: ...


def _key_usage(info: KeyUsage, period: str) -> float | None:
    """The ``GET /key`` counter that is authoritative for a dollar limit of ``period``."""
    counters = {
        "day": info.usage_daily,
        "week": info.usage_weekly,
        "month": info.usage_monthly,
        "total": info.usage,
    }
    return counters.get(period)


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
    ``storage_error`` is set when the store (Redis) could not be asked and the answer
    comes from ``fail_open``.
    """

    ok: bool
    key: str
    limit: str | None = None
    spent: float = 0.0
    retry_after: float | None = None
    storage_error: bool = False

    def __bool__(self) -> bool:
        return self.ok


class Budget:
    """Dollar and token budgets per key (``"$5/day"``, ``"200000 tokens/day"``, or both).

    ``record(key, cost=..., tokens=...)`` adds usage; ``check(key)`` tells where a key
    stands; ``require(key)`` raises :class:`BudgetExceeded` when over (call it before a
    completion). Crossing a limit emits ``budget.exceeded`` once per window.

    ``storage``: ``memory://`` (this process) or a single-server Redis URL
    (``redis://``, ``rediss://``, ``redis+unix://``), a secret reference to one, or a
    ``Secret`` (extra ``[redis]``): every process using it spends from the same
    counters. When Redis cannot be reached, ``check`` refuses (``fail_open``
    False, the default) or allows, and ``record`` logs the usage it could not count.

    Spike alert: with ``spike_factor`` set, spend in the current ``spike_window``
    seconds above ``spike_factor`` times the average of up to ``spike_history`` earlier
    windows (and at least ``spike_min`` dollars) emits ``budget.spike`` once per window.
    A key needs one finished window with spend before it can spike. Spike tracking is
    per process, whatever the storage.
    """

    def __init__(
        self,
        limit: str,
        *,
        storage: str | SecretRef | Secret = "memory://",
        fail_open: bool = False,
        namespace: str = "ors",
        spike_factor: float | None = 3.0,
        spike_window: float = 3600.0,
        spike_history: int = 24,
        spike_min: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.limits = parse_budget(limit)
        self._store, self.storage_url = open_store(storage, namespace)
        self.fail_open = fail_open
        self.spike_factor = spike_factor
        self.spike_window = spike_window
        self.spike_history = spike_history
        self.spike_min = spike_min
        self._clock = clock
        self._lock = threading.Lock()
        # key -> {spike window id: spend}; plus the window of the last spike alert.
        self._spend_windows: dict[str, dict[int, float]] = {}
        self._spiked: dict[str, int] = {}
        self._key_field: str | Callable[[Mapping[str, Any]], str | None] = "key_ref"
        self._last_warning = 0.0

    @staticmethod
    def _slot(key: str, lim: BudgetLimit, now: float) -> Slot:
        return (key, lim.kind, lim.period, lim.window(now))

    def _storage_failed(self, key: str, exc: BaseException, doing: str) -> None:
        now = time.monotonic()
        if now - self._last_warning >= 30.0:
            self._last_warning = now
            error = default_sanitizer().sanitize(f"{type(exc).__name__}: {exc}")[:300]
            log.warning(
                "budget storage %s unreachable while %s for %r (%s)",
                self.storage_url,
                doing,
                key,
                error,
            )

    # -- recording ---------------------------------------------------------------------

    def record(self, key: str, *, cost: float | None = 0.0, tokens: int | None = 0) -> BudgetStatus:
        """Add ``cost`` dollars and ``tokens`` tokens to ``key``; returns its status.

        ``cost`` must be a finite number ``>= 0`` and ``tokens`` a whole number ``>= 0``
        (``None`` counts as 0): anything else raises :class:`ValueError`, since a
        negative or NaN amount would give spend back. Usage reported by OpenRouter goes
        through :meth:`attach`, which counts a malformed upstream amount as the worst
        case instead of raising.
        """
        cost = _checked_cost(cost)
        tokens = _checked_tokens(tokens)
        now = self._clock()
        try:
            for lim in self.limits:
                amount = cost if lim.kind == "usd" else float(tokens)
                if amount:
                    self._store.add(self._slot(key, lim, now), amount, lim.resets_in(now))
        except _STORAGE_ERRORS as exc:
            self._storage_failed(key, exc, f"recording ${cost:g} / {tokens} tokens")
        if cost > 0:
            with self._lock:
                spike = self._track_spike(key, cost, now)
            if spike is not None:
                emit("budget.spike", **spike)
        return self._status(key, now)

    def exhaust(self, key: str, *, kind: str | None = None) -> BudgetStatus:
        """Count ``key`` as having used up every limit (of ``kind``, ``"usd"`` or
        ``"tokens"``; all when ``None``) in the current window: the worst case, used when
        the reported usage cannot be trusted. Spend already above a limit stays.
        """
        now = self._clock()
        try:
            for lim in self.limits:
                if kind is None or lim.kind == kind:
                    self._store.floor(self._slot(key, lim, now), lim.amount, lim.resets_in(now))
        except _STORAGE_ERRORS as exc:
            self._storage_failed(key, exc, "counting an untrusted usage report as the limit")
        return self._status(key, now)

    def sync_from_key_info(self, info: KeyUsage, *, key: str) -> BudgetStatus:
        """Raise ``key``'s dollar spend to what ``GET /key`` reports, never lower it.

        ``info`` is what ``client.key_info()`` returns (any :class:`KeyUsage`). Daily,
        weekly, monthly and total dollar limits are synced; minute/hour limits and
        token limits have no counter there.
        """
        now = self._clock()
        try:
            for lim in self.limits:
                if lim.kind != "usd":
                    continue
                value = _key_usage(info, lim.period)
                if value is not None and not (math.isfinite(value) and value >= 0):
                    value = lim.amount  # an impossible report: assume the worst
                if value is not None:
                    self._store.floor(self._slot(key, lim, now), value, lim.resets_in(now))
        except _STORAGE_ERRORS as exc:
            self._storage_failed(key, exc, "syncing from GET /key")
        return self._status(key, now)

    # -- checking ----------------------------------------------------------------------

    def _status(self, key: str, now: float) -> BudgetStatus:
        try:
            for lim in self.limits:
                slot = self._slot(key, lim, now)
                spent = self._store.get(slot)
                if spent >= lim.amount:
                    resets = lim.resets_in(now)
                    if self._store.claim_alert(slot, resets):
                        emit("budget.exceeded", key=key, budget=lim.label, spent=round(spent, 6))
                    return BudgetStatus(False, key, lim.label, spent, resets)
        except _STORAGE_ERRORS as exc:
            self._storage_failed(key, exc, "checking")
            return BudgetStatus(self.fail_open, key, storage_error=True)
        return BudgetStatus(True, key)

    def check(self, key: str) -> BudgetStatus:
        """Whether ``key`` is within every limit now."""
        return self._status(key, self._clock())

    def require(self, key: str) -> BudgetStatus:
        """``check`` that raises :class:`BudgetExceeded` when ``key`` is over a limit."""
        status = self.check(key)
        if status:
            return status
        if status.storage_error:
            raise BudgetExceeded(
                f"budget for {key!r} could not be checked (storage {self.storage_url} "
                "unreachable) and the budget fails closed; fix the storage or set "
                "fail_open=True",
                key=key,
                limit=self.limit,
                spent=0.0,
            )
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
        return {lim.label: self._store.get(self._slot(key, lim, now)) for lim in self.limits}

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
        key = str(key)
        cost = _upstream(fields.get("cost"))
        tokens = [_upstream(fields.get(f)) for f in ("prompt_tokens", "completion_tokens")]
        bad = [
            kind
            for kind, ok in (("usd", cost is not None), ("tokens", None not in tokens))
            if not ok
        ]
        for kind in bad:
            # A negative, infinite or NaN amount from upstream cannot be counted: refusing
            # it would let spend through unseen, so the key counts as over that limit.
            log.warning(
                "usage report for %r has an impossible %s amount; "
                "counting the %s budget as used up",
                default_sanitizer().sanitize(key)[:200],
                "cost" if kind == "usd" else "token",
                kind,
            )
            self.exhaust(key, kind=kind)
        self.record(
            key,
            cost=cost or 0.0,
            tokens=int(sum(t or 0.0 for t in tokens)),
        )

    def __repr__(self) -> str:
        return f"Budget({self.limit!r})"


def _checked_cost(cost: object) -> float:
    if cost is None:
        return 0.0
    if isinstance(cost, bool) or not isinstance(cost, (int, float)):
        raise ValueError(
            f"Budget.record: cost must be a number of dollars, not {type(cost).__name__}"
        )
    value = float(cost)
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            "Budget.record: cost must be a finite number of dollars >= 0 "
            f"(got {'a negative number' if value < 0 else 'a non-finite number'}); "
            "a refund cannot be recorded as negative spend"
        )
    return value


def _checked_tokens(tokens: object) -> int:
    if tokens is None:
        return 0
    if isinstance(tokens, bool) or not isinstance(tokens, (int, float)):
        raise ValueError(
            f"Budget.record: tokens must be a whole number, not {type(tokens).__name__}"
        )
    if not math.isfinite(tokens) or tokens < 0 or tokens != int(tokens):
        raise ValueError("Budget.record: tokens must be a whole number >= 0")
    return int(tokens)


def _upstream(value: Any) -> float | None:
    """A usage amount from an event: ``0.0`` when absent, ``None`` when impossible
    (negative, infinite, NaN, fractional-negative or not a number). Never echoed: an
    error message quoting it could carry whatever it holds."""
    if value is None:
        return 0.0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number >= 0:
            return number
    return None
