"""Where a :class:`~openrouter_secure.limits.Budget` keeps its counters: this process's memory,
or Redis, so every replica of a service spends from one budget.

A counter is identified by the budget key, the limit's kind and period, and the
calendar window id; in Redis that is ``<ns>:budget:<kind>:<period>:<window>:<key>``,
expiring a minute after its window ends. ``claim_alert`` makes "emit once per window"
hold across processes too (``SET NX``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from .._exceptions import MissingDependencyError
from .._refs import SecretRef
from .._secret import Secret
from ._storage import BUDGET_SCHEMES, StorageUrl, resolve_storage

__all__ = [
    "BudgetStore",
    "MemoryBudgetStore",
    "RedisBudgetStore",
    "StoreUnavailable",
    "open_store",
]

log = logging.getLogger("openrouter_secure.budget")

Slot = tuple[str, str, str, int]  # (key, kind, period, window)


class StoreUnavailable(Exception):  # noqa: N818 - internal signal, never escapes Budget
    """The store could not answer (Redis down, timed out)."""


class BudgetStore:
    """The interface: amounts are floats (dollars or tokens)."""

    def add(self, slot: Slot, amount: float, ttl: float | None) -> float:
        """Add ``amount``; returns the new total."""
        raise NotImplementedError

    def get(self, slot: Slot) -> float:
        raise NotImplementedError

    def floor(self, slot: Slot, value: float, ttl: float | None) -> float:
        """Raise the total to ``value`` if lower; returns the total."""
        raise NotImplementedError

    def claim_alert(self, slot: Slot, ttl: float | None) -> bool:
        """True for exactly one caller per slot."""
        raise NotImplementedError


class MemoryBudgetStore(BudgetStore):
    """Counters in this process; windows other than the current one are dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, str, str], tuple[int, float]] = {}
        self._alerts: dict[tuple[str, str, str], int] = {}

    def _current(self, slot: Slot) -> float:
        window, total = self._totals.get(slot[:3], (slot[3], 0.0))
        return total if window == slot[3] else 0.0

    def add(self, slot: Slot, amount: float, ttl: float | None) -> float:
        with self._lock:
            total = self._current(slot) + amount
            self._totals[slot[:3]] = (slot[3], total)
            return total

    def get(self, slot: Slot) -> float:
        with self._lock:
            return self._current(slot)

    def floor(self, slot: Slot, value: float, ttl: float | None) -> float:
        with self._lock:
            total = max(self._current(slot), value)
            self._totals[slot[:3]] = (slot[3], total)
            return total

    def claim_alert(self, slot: Slot, ttl: float | None) -> bool:
        with self._lock:
            if self._alerts.get(slot[:3]) == slot[3]:
                return False
            self._alerts[slot[:3]] = slot[3]
            return True


# Atomic "raise to at least ARGV[1]", keeping the expiry.
_FLOOR = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local value = tonumber(ARGV[1])
if value > current then
  redis.call('SET', KEYS[1], ARGV[1])
  current = value
end
if tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return tostring(current)
"""


class RedisBudgetStore(BudgetStore):
    """Counters in Redis (``INCRBYFLOAT``), shared by every process using the URL."""

    def __init__(
        self, storage: StorageUrl, *, namespace: str = "ors", timeout: float = 0.5
    ) -> None:
        try:
            import redis
        except ImportError:
            raise MissingDependencyError("redis", module="redis") from None
        self._client: Any = redis.Redis.from_url(
            storage.redis_py_url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._floor = self._client.register_script(_FLOOR)
        self.namespace = namespace
        # Kept while the store lives: it holds the password as a registered secret.
        self.storage = storage
        self._errors = redis.RedisError

    def _name(self, slot: Slot, suffix: str = "") -> str:
        key, kind, period, window = slot
        return f"{self.namespace}:budget:{kind}:{period}:{window}:{key}{suffix}"

    @staticmethod
    def _ttl(ttl: float | None) -> int:
        return 0 if ttl is None else int(ttl) + 60

    def _run(self, op: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return op(*args, **kwargs)
        except (self._errors, OSError) as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from None

    def add(self, slot: Slot, amount: float, ttl: float | None) -> float:
        name = self._name(slot)
        pipe = self._client.pipeline()
        pipe.incrbyfloat(name, amount)
        if ttl is not None:
            pipe.expire(name, self._ttl(ttl))
        return float(self._run(pipe.execute)[0])

    def get(self, slot: Slot) -> float:
        value = self._run(self._client.get, self._name(slot))
        return float(value) if value is not None else 0.0

    def floor(self, slot: Slot, value: float, ttl: float | None) -> float:
        args = [repr(value), self._ttl(ttl)]
        return float(self._run(self._floor, keys=[self._name(slot)], args=args))

    def claim_alert(self, slot: Slot, ttl: float | None) -> bool:
        ex = self._ttl(ttl) or None
        name = self._name(slot, ":alerted")
        return bool(self._run(self._client.set, name, b"1", nx=True, ex=ex))


def open_store(storage: str | SecretRef | Secret, namespace: str) -> tuple[BudgetStore, str]:
    """The store for ``storage`` and how to show it (credentials masked)."""
    url = resolve_storage(storage, what="budget", schemes=BUDGET_SCHEMES)
    if url.scheme == "memory":
        return MemoryBudgetStore(), url.display
    return RedisBudgetStore(url, namespace=namespace), url.display
