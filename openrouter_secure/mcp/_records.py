"""Audit records of refused requests, and of each admitted request's outcome.

- :class:`RepeatFolder` folds repeated identical refusals (same event, server, name,
  client and rule) into one record per window: the first is written at once, the
  repeats within ``window`` seconds are counted, and the count is written as one
  record with ``repeated=N`` when the window has passed (on the next record of any
  kind, or on :meth:`RepeatFolder.flush`). A client sending the same denied call in a
  loop therefore adds at most one record per window and key, and the keys held are
  bounded (the oldest pending count is written out when the bound is reached).
- :func:`outcome_of` names how an admitted request ended (``completed``, ``failed``,
  ``unknown``), which the guard writes as ``<kind>.finished`` with the duration.

Free of the in-process server: the MCP gateway records its refusals and outcomes
through the same classes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["COMPLETED", "FAILED", "UNKNOWN", "RepeatFolder", "outcome_of"]

COMPLETED = "completed"
FAILED = "failed"
UNKNOWN = "unknown"

Writer = Callable[..., None]


@dataclass
class _Pending:
    started: float
    fields: dict[str, Any]
    repeated: int = 0


class RepeatFolder:
    """Fold identical refusals; see the module docstring.

    ``write(event, **fields)`` is called for every record that is written.
    """

    def __init__(
        self,
        write: Writer,
        *,
        window: float = 60.0,
        max_keys: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if window <= 0 or max_keys < 1:
            raise ValueError("RepeatFolder needs window > 0 and max_keys >= 1")
        self._write = write
        self._window = window
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: OrderedDict[tuple[Any, ...], _Pending] = OrderedDict()

    def record(self, event: str, key: tuple[Any, ...], **fields: Any) -> bool:
        """Record refusal ``event`` identified by ``key``; True if written now,
        False if counted towards a later ``repeated`` record."""
        now = self._clock()
        full_key = (event, *key)
        due: list[tuple[str, dict[str, Any]]] = []
        with self._lock:
            due.extend(self._expired(now))
            pending = self._pending.get(full_key)
            if pending is not None:
                pending.repeated += 1
                pending.fields = fields
                written = False
            else:
                while len(self._pending) >= self._max_keys:
                    old_key, old = self._pending.popitem(last=False)
                    if old.repeated:
                        due.append((old_key[0], {**old.fields, "repeated": old.repeated}))
                self._pending[full_key] = _Pending(now, fields)
                written = True
        for name, values in due:
            self._write(name, **values)
        if written:
            self._write(event, **fields)
        return written

    def _expired(self, now: float) -> list[tuple[str, dict[str, Any]]]:
        due = []
        # Insertion order is start order: stop at the first one still open.
        while self._pending:
            key, pending = next(iter(self._pending.items()))
            if now - pending.started < self._window:
                break
            del self._pending[key]
            if pending.repeated:
                due.append((key[0], {**pending.fields, "repeated": pending.repeated}))
        return due

    def tick(self) -> None:
        """Write the counts whose window has passed (called before other records)."""
        with self._lock:
            due = self._expired(self._clock())
        for name, values in due:
            self._write(name, **values)

    def flush(self) -> None:
        """Write every pending count now (at shutdown)."""
        with self._lock:
            due = [
                (key[0], {**p.fields, "repeated": p.repeated})
                for key, p in self._pending.items()
                if p.repeated
            ]
            self._pending.clear()
        for name, values in due:
            self._write(name, **values)


def outcome_of(result: Any, known: bool) -> str:
    """``unknown`` if the name was not registered, ``failed`` for an error result
    (``isError``/``is_error``), else ``completed``."""
    if not known:
        return UNKNOWN
    if isinstance(result, dict):
        return FAILED if result.get("isError") else COMPLETED
    return FAILED if getattr(result, "is_error", False) else COMPLETED
