"""Scanning a long text in parts on several cores, losing no match at the cuts.

Hyperscan releases the GIL while it scans, so a long text's stream scan can run in
parts, one per core. A part must report exactly the matches the whole scan would:
those that end inside it. So each part after the first starts scanning earlier than
its cut, and keeps only the matches that end after the cut. How much earlier is
proved, not guessed: :func:`line_breaks` bounds how many line breaks any match of a
pattern set can hold (every pattern the sanitizer compiles can hold only a bounded
number: its unbounded runs stop at line ends or blanks), and a part starts one line
break more than that before its cut. A match that ends after the cut and starts
before that point would hold all those line breaks; none can. A pattern set without
such a bound, or a text whose lines are too long for the overlap to stay small, is
scanned whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["PART_MIN", "cuts", "line_breaks", "pool", "workers"]

#: Parts are at least this many characters: handing a part to another thread costs
#: about as much as scanning a few tens of kilobytes.
PART_MIN = 1 << 20
#: At most this many parts (cores) for one text.
_PARTS_MAX = 8


def line_breaks(patterns: Sequence[str]) -> int | None:
    """The most line breaks one match of any of ``patterns`` can hold, or None when a
    pattern can hold any number or cannot be read here. Patterns are read in Python's
    syntax, which Hyperscan's (without the ``DOTALL`` flag) shares."""
    try:
        parser: Any = re._parser  # type: ignore[attr-defined]
    except AttributeError:  # Python 3.10
        import sre_parse as parser
    most = 0
    for pattern in patterns:
        try:
            parsed = parser.parse(pattern)
            found = _breaks(parser, parsed, bool(parsed.state.flags & re.DOTALL))
        except Exception:  # noqa: BLE001 - a construct not handled here: no bound
            return None
        if found is None:
            return None
        most = max(most, found)
    return most


def _breaks(p: Any, seq: Any, dotall: bool) -> int | None:
    """Line breaks one match of the parsed ``seq`` can hold (None: no bound)."""
    total = 0
    for op, av in seq:
        if op is p.LITERAL:
            n: int | None = int(av == 10)
        elif op is p.NOT_LITERAL:
            n = int(av != 10)
        elif op is p.ANY:
            n = int(dotall)
        elif op is p.IN:
            n = int(_holds_line_break(p, av))
        elif op in (p.MAX_REPEAT, p.MIN_REPEAT) or op is getattr(p, "POSSESSIVE_REPEAT", None):
            _, most, sub = av
            inner = _breaks(p, sub, dotall)
            if inner is None or (inner and most == p.MAXREPEAT):
                return None
            n = inner * most
        elif op is p.SUBPATTERN:
            _, add, remove, sub = av
            n = _breaks(p, sub, (dotall or bool(add & re.DOTALL)) and not remove & re.DOTALL)
        elif op is p.BRANCH:
            found = [_breaks(p, branch, dotall) for branch in av[1]]
            n = None if None in found else max(x for x in found if x is not None)
        elif op is p.AT:
            n = 0
        elif op is getattr(p, "ATOMIC_GROUP", None):
            n = _breaks(p, av, dotall)
        else:  # lookarounds, back references: not in Hyperscan's syntax
            return None
        if n is None:
            return None
        total += n
    return total


_CATEGORY_HOLDS_BREAK = {
    "CATEGORY_SPACE": True,
    "CATEGORY_NOT_SPACE": False,
    "CATEGORY_DIGIT": False,
    "CATEGORY_NOT_DIGIT": True,
    "CATEGORY_WORD": False,
    "CATEGORY_NOT_WORD": True,
}


def _holds_line_break(p: Any, items: Any) -> bool:
    """Whether the character class ``items`` matches a line feed."""
    negated = False
    held = False
    for op, av in items:
        if op is p.NEGATE:
            negated = True
        elif op is p.LITERAL:
            held = held or av == 10
        elif op is p.RANGE:
            held = held or av[0] <= 10 <= av[1]
        elif op is p.CATEGORY:
            held = held or _CATEGORY_HOLDS_BREAK[str(av)]
        else:
            raise ValueError(op)
    return held != negated


def cuts(text: str, breaks: int, parts: int) -> list[tuple[int, int, int]]:
    """``text`` as (scan from, keep ends after, scan to) per part, in order: a part
    scans ``text[from:to]`` and keeps the matches that end after ``keep`` (offsets in
    ``text``). One part, the whole text, when ``text`` cannot be cut in ``parts``
    where a match holds at most ``breaks`` line breaks."""
    size = len(text)
    parts = min(parts, size // PART_MIN)
    if parts < 2:
        return [(0, 0, size)]
    keeps = [0]
    starts = [0]
    for k in range(1, parts):
        cut = start = size * k // parts
        for _ in range(breaks + 1):
            start = text.rfind("\n", max(0, cut - PART_MIN // 2), start)
            if start < 0:  # lines too long for a small overlap
                return [(0, 0, size)]
        keeps.append(cut)
        starts.append(start)
    return list(zip(starts, keeps, [*keeps[1:], size], strict=True))


def workers() -> int:
    """How many parts a long text is scanned in: the cores this process may use
    (``os.process_cpu_count()`` from Python 3.13, which ``PYTHON_CPU_COUNT`` sets;
    before, the CPUs the process is pinned to), at most 8."""
    counted = getattr(os, "process_cpu_count", None)
    if counted is not None:
        usable = counted() or 1
    elif hasattr(os, "sched_getaffinity"):
        usable = len(os.sched_getaffinity(0))
    else:
        usable = os.cpu_count() or 1
    return max(1, min(usable, _PARTS_MAX))


_pools: dict[int, ThreadPoolExecutor] = {}


def pool() -> ThreadPoolExecutor:
    """The threads that scan a long text's parts after the first (which the calling
    thread scans), kept so each keeps its Hyperscan scratch space. One per process: a
    child made by ``fork`` has none of its parent's threads, and a task handed to the
    parent's pool there would never run."""
    pid = os.getpid()
    made = _pools.get(pid)
    if made is None:
        _pools.clear()
        made = _pools.setdefault(
            pid, ThreadPoolExecutor(max_workers=_PARTS_MAX - 1, thread_name_prefix="sanitizer-scan")
        )
    return made
