"""Writing a text's masked copy: the text with each span replaced by its mask.

A log record takes a join of slices. A long text would have every byte written to
fresh memory twice that way (the slices, then the result), and fresh memory is what
costs most there (page faults). So a long ASCII text on CPython is copied once, from
its own bytes into a new string (see :mod:`._cpython`); any other long text is built
by ``out += piece``, which CPython grows in place (realloc) when nothing else refers to
``out``, with the pieces made about a megabyte at a time so they reuse memory that is
still hot. Other interpreters and free-threaded builds keep the join; under a tracer
CPython copies on each append, and the megabyte groups keep that to a few dozen.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence

from ._cpython import held_address, new_ascii

__all__ = ["LONG", "render"]

#: Texts at least this long are written by :func:`_written` or :func:`_appended`.
LONG = 1 << 20
_APPEND_IN_PLACE = (
    sys.implementation.name == "cpython" and getattr(sys, "_is_gil_enabled", lambda: True)()
)

#: (start, end, mask): the characters ``text[start:end]`` become ``mask``; sorted and
#: not overlapping.
Replacement = tuple[int, int, str]


def render(text: str, replacements: Sequence[Replacement]) -> str:
    """``text`` with each replacement made. Raises ``ValueError`` for a replacement
    out of the text or out of order (a bug the sanitizer fails closed on)."""
    size = _size(text, replacements)
    if len(text) >= LONG:
        written = _written(text, replacements, size)
        if written is not None:
            return written
        if _APPEND_IN_PLACE:
            return _appended(text, replacements)
    parts: list[str] = []
    pos = 0
    for start, end, mask in replacements:
        parts.append(text[pos:start])
        parts.append(mask)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _size(text: str, replacements: Sequence[Replacement]) -> int:
    """The length of the masked copy, once every replacement is checked to lie in the
    text after the one before it."""
    size = len(text)
    pos = 0
    for start, end, mask in replacements:
        if not pos <= start <= end <= len(text):
            raise ValueError(f"replacement {start}:{end} out of order or out of the text")
        size += len(mask) - (end - start)
        pos = end
    return size


def _written(text: str, replacements: Sequence[Replacement], size: int) -> str | None:
    """The masked copy (``size`` characters; the replacements checked by
    :func:`_size`) written straight from ``text``'s bytes into a new string, or None
    where CPython's ASCII layout cannot be used."""
    source = held_address(text)
    if source is None or not all(mask.isascii() for _, _, mask in replacements):
        return None
    made = new_ascii(size)
    if made is None:
        return None
    out, at = made
    import ctypes  # (loaded already: ``held_address`` answered)

    memmove = ctypes.memmove
    pos = 0
    for start, end, mask in replacements:
        memmove(at, source + pos, start - pos)
        at += start - pos
        memmove(at, mask.encode("ascii"), len(mask))
        at += len(mask)
        pos = end
    memmove(at, source + pos, len(text) - pos)
    return out


def _pieces(text: str, replacements: Sequence[Replacement]) -> Iterator[str]:
    """The masked text as slices of at most :data:`LONG` characters and masks."""
    pos = 0
    for start, end, mask in [*replacements, (len(text), len(text), "")]:
        for cut in range(pos, start, LONG):
            yield text[cut : min(start, cut + LONG)]
        if mask:
            yield mask
        pos = end


def _appended(text: str, replacements: Sequence[Replacement]) -> str:
    # ``out`` must stay a plain local: CPython grows it in place only then.
    out = ""
    group: list[str] = []
    size = 0
    for piece in _pieces(text, replacements):
        group.append(piece)
        size += len(piece)
        if size >= LONG:
            out += "".join(group)
            group.clear()
            size = 0
    out += "".join(group)
    return out
