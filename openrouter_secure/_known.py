"""The process-wide registry of secret values the library has handed out.

Every :class:`~openrouter_secure.Secret` registers its value here, so the sanitizer
can mask that exact value wherever it shows up later, even when it has no
recognisable format (a database password, a custom token). ``Secret.wipe()``
takes it out again.

Values are reference-counted: two ``Secret`` objects holding the same value keep it
registered until both are wiped. Values shorter than :data:`MIN_KNOWN_LENGTH` are not
registered: masking every ``"abc"`` in every log line would destroy logs and protect
little. The registry keeps a plain copy of each value (it has to, to find it); it
lives only in this process's memory.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

__all__ = [
    "MIN_KNOWN_LENGTH",
    "State",
    "current",
    "known_values",
    "register",
    "unregister",
    "version",
]

MIN_KNOWN_LENGTH = 6


class State(NamedTuple):
    """One published state of the registry: replaced whole, never changed in place."""

    version: int
    values: frozenset[str]


_lock = threading.Lock()
_counts: dict[str, int] = {}
#: The published state. A reader takes the version and the values in one read, so it
#: never pairs a new version with old values; a cache keyed on this object (``is``)
#: is current exactly while no value was added or removed since it was built.
current = State(0, frozenset())


def _publish() -> None:
    global current
    current = State(current.version + 1, frozenset(_counts))


def register(value: str) -> bool:
    """Add ``value``; returns whether it is long enough to be registered."""
    if len(value) < MIN_KNOWN_LENGTH:
        return False
    with _lock:
        count = _counts.get(value, 0)
        _counts[value] = count + 1
        if count == 0:
            _publish()
    return True


def unregister(value: str) -> None:
    """Drop one registration of ``value`` (no error when it was never registered)."""
    with _lock:
        count = _counts.get(value)
        if count is None:
            return
        if count > 1:
            _counts[value] = count - 1
            return
        del _counts[value]
        _publish()


def known_values() -> frozenset[str]:
    """The registered values now (an immutable snapshot, cheap to take)."""
    return current.values


def version() -> int:
    """A number that changes whenever the set of values changes (for caches)."""
    return current.version
