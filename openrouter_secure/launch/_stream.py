"""Sanitize a child's output stream line by line, as bytes in and bytes out.

A line that is not UTF-8 is read as Latin-1 (one character per byte) and written back
the same way, so a child's binary-ish log keeps its bytes while every secret the
process-wide sanitizer knows (the values a launcher resolved, and the rules) is
still masked in it. A line longer than :data:`MAX_LINE` is released in safe pieces
(:meth:`~openrouter_secure.Sanitizer.sanitize_prefix`), so a child that never writes
a newline cannot make the launcher hold its output forever.
"""

from __future__ import annotations

import os
import threading
from typing import BinaryIO

from .._sanitize._sanitizer import Sanitizer, default_sanitizer

__all__ = ["MAX_LINE", "LineSanitizer", "pump"]

#: Characters held for one line at most before a safe prefix is released.
MAX_LINE = 65536


def _clean(sanitizer: Sanitizer, data: bytes) -> bytes:
    try:
        return sanitizer.sanitize(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        # Masks are ASCII, so Latin-1 round-trips every byte the sanitizer kept.
        return sanitizer.sanitize(data.decode("latin-1")).encode("latin-1", "replace")


class LineSanitizer:
    """Feed raw chunks; get back the sanitized bytes of every completed line."""

    def __init__(self, sanitizer: Sanitizer | None = None, *, max_line: int = MAX_LINE) -> None:
        self._sanitizer = sanitizer or default_sanitizer()
        self._max_line = max_line
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        """Add ``chunk``; return what can be released now (whole lines, sanitized)."""
        data = self._pending + chunk
        cut = data.rfind(b"\n") + 1
        out: list[bytes] = []
        if cut:
            # Line by line: a finding never spans lines, and each line is released
            # as soon as it is complete (a log stays live).
            for line in data[:cut].splitlines(keepends=True):
                out.append(_clean(self._sanitizer, line))
            data = data[cut:]
        if len(data) > self._max_line:
            # Latin-1 keeps byte offsets equal to character offsets for the cut.
            text = data.decode("latin-1")
            head, at = self._sanitizer.sanitize_prefix(text, len(text) - len(text) // 4)
            if at == 0:  # one finding spans the whole buffer: mask it all now
                head, at = self._sanitizer.sanitize(text), len(text)
            out.append(head.encode("latin-1", "replace"))
            data = data[at:]
        self._pending = data
        return b"".join(out)

    def flush(self) -> bytes:
        """Release the last, unterminated line (sanitized)."""
        rest, self._pending = self._pending, b""
        return _clean(self._sanitizer, rest) if rest else b""


def pump(source: int, target: BinaryIO, sanitizer: Sanitizer | None = None) -> threading.Thread:
    """Copy file descriptor ``source`` to ``target`` through a :class:`LineSanitizer`
    in a daemon thread, until end of file; closes ``source``. Returns the thread."""

    def copy() -> None:
        lines = LineSanitizer(sanitizer)
        try:
            while True:
                try:
                    chunk = os.read(source, 65536)
                except InterruptedError:  # pragma: no cover - PEP 475 retries
                    continue
                if not chunk:
                    break
                _write(target, lines.feed(chunk))
            _write(target, lines.flush())
        finally:
            os.close(source)

    thread = threading.Thread(target=copy, name="openrouter-secure-pump", daemon=True)
    thread.start()
    return thread


def _write(target: BinaryIO, data: bytes) -> None:
    if not data:
        return
    try:
        target.write(data)
        target.flush()
    except (BrokenPipeError, ValueError, OSError):
        # The reader went away: keep draining the child so it never blocks on a pipe.
        pass
