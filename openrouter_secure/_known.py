"""The process-wide registry of secret values the library has handed out.

Every :class:`~openrouter_secure.Secret` registers its value here, so the sanitizer
can mask that exact value wherever it shows up later, even when it has no
recognisable format (a database password, a custom token). ``Secret.wipe()``
takes it out again.

Values are reference-counted: two ``Secret`` objects holding the same value keep it
registered until both are wiped. A value that was ever *revealed* (handed out as a
plain ``str``/``bytes`` that the program may still hold: a connection string, a
client's header) is not forgotten when its last holder is wiped or dropped from the
cache: it is *retired*, still masked, for the life of the process, bounded by
:data:`MAX_RETIRED` values and :data:`MAX_RETIRED_CHARS` characters (the oldest go
first). Values shorter than :data:`MIN_KNOWN_LENGTH`, blanks around them not counted, are not
registered: masking every ``"abc"`` in every log line would destroy logs and protect
little. The registry keeps a plain copy of each value (it has to, to find it); it
lives only in this process's memory.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

__all__ = [
    "MAX_RETIRED",
    "MAX_RETIRED_CHARS",
    "MIN_KNOWN_LENGTH",
    "State",
    "current",
    "known_values",
    "mark_revealed",
    "register",
    "unregister",
    "version",
]

MIN_KNOWN_LENGTH = 6
#: How many revealed values stay known after their last holder let go (the oldest go
#: first), and how many characters they may hold in all.
MAX_RETIRED = 256
MAX_RETIRED_CHARS = 256 * 1024


class State(NamedTuple):
    """One published state of the registry: replaced whole, never changed in place."""

    version: int
    values: frozenset[str]


_lock = threading.Lock()
_counts: dict[str, int] = {}
#: registered values whose plaintext was handed out (``Secret.reveal``)
_revealed: set[str] = set()
#: revealed values no holder registers any more, oldest first (a dict keeps order)
_retired: dict[str, None] = {}
_retired_chars = 0
#: The published state. A reader takes the version and the values in one read, so it
#: never pairs a new version with old values; a cache keyed on this object (``is``)
#: is current exactly while no value was added or removed since it was built.
current = State(0, frozenset())


def _publish() -> None:
    global current
    current = State(current.version + 1, frozenset(_counts).union(_retired))


def register(value: str) -> bool:
    """Add ``value``; returns whether it is long enough to be registered (without the
    blanks around it: six spaces would mask every indented line)."""
    if len(value.strip()) < MIN_KNOWN_LENGTH:
        return False
    global _retired_chars
    with _lock:
        count = _counts.get(value, 0)
        _counts[value] = count + 1
        if value in _retired:  # known all along: back among the held ones
            del _retired[value]
            _retired_chars -= len(value)
            _revealed.add(value)
        elif count == 0:
            _publish()
    return True


def mark_revealed(value: str) -> None:
    """Note that ``value`` left a ``Secret`` as plaintext: when its last registration
    goes, it is retired (still masked) rather than forgotten."""
    with _lock:
        if value in _counts:
            _revealed.add(value)


def _retire(value: str) -> bool:
    """Keep ``value`` among the retired ones; returns whether older ones had to go."""
    global _retired_chars
    _retired[value] = None
    _retired_chars += len(value)
    evicted = False
    while _retired and (len(_retired) > MAX_RETIRED or _retired_chars > MAX_RETIRED_CHARS):
        oldest = next(iter(_retired))
        del _retired[oldest]
        _retired_chars -= len(oldest)
        evicted = True
    return evicted


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
        if value in _revealed:
            _revealed.discard(value)
            if not _retire(value):  # still masked, nothing else went: readers see no change
                return
        _publish()


def known_values() -> frozenset[str]:
    """The registered values now (an immutable snapshot, cheap to take)."""
    return current.values


def version() -> int:
    """A number that changes whenever the set of values changes (for caches)."""
    return current.version
