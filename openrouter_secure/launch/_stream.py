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
from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from .._secret import MASK

if TYPE_CHECKING:
    from .._sanitize._sanitizer import Sanitizer

__all__ = ["MAX_LINE", "FragmentMasker", "LineSanitizer", "pump"]

#: Characters held for one line at most before a safe prefix is released.
MAX_LINE = 65536


class FragmentMasker:
    """Mask any run of ``FRAGMENT`` or more characters of the given values.

    A child's log can cut a key across lines (a traceback drawn in a box 80 columns
    wide, a wrapped message): no line holds the whole value, so the sanitizer cannot
    see it, yet each line holds a piece. The launcher knows the exact values it put in
    the child's environment, so it masks every piece of 12 characters or more, or of 8
    or more holding a digit (the whole value when it is shorter), wherever it appears.
    """

    FRAGMENT = 8

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._sizes: dict[int, set[str]] = {}
        self._whole: set[str] = set()
        for value in values:
            self._whole.add(value)
            size = min(self.FRAGMENT, len(value))
            if size < 6:
                continue
            grams = self._sizes.setdefault(size, set())
            grams.update(value[i : i + size] for i in range(len(value) - size + 1))

    def __bool__(self) -> bool:
        return bool(self._sizes)

    def _specific(self, run: str) -> bool:
        # A short run without a digit ("https://", "postgres") is common text that a
        # URL-shaped secret happens to start with: masking it would mangle every link.
        if run in self._whole:
            return True
        return len(run) >= 12 or (len(run) >= self.FRAGMENT and any(c.isdigit() for c in run))

    def mask(self, text: str) -> str:
        """``text`` with every fragment masked (``***MASKED***`` once per run)."""
        spans: list[tuple[int, int]] = []
        for size, grams in self._sizes.items():
            for i in range(len(text) - size + 1):
                if text[i : i + size] in grams:
                    if spans and spans[-1][1] >= i:
                        spans[-1] = (spans[-1][0], max(spans[-1][1], i + size))
                    else:
                        spans.append((i, i + size))
        if not spans:
            return text
        spans.sort()
        out: list[str] = []
        last = 0
        for start, end in spans:
            if start < last:
                start = last
            if start >= end or not self._specific(text[start:end]):
                continue
            out.append(text[last:start])
            if not out[-1].endswith(MASK):
                out.append(MASK)
            last = end
        out.append(text[last:])
        return "".join(out)


def _clean(sanitizer: Sanitizer, fragments: FragmentMasker | None, data: bytes) -> bytes:
    try:
        text, codec = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Masks are ASCII, so Latin-1 round-trips every byte the sanitizer kept.
        text, codec = data.decode("latin-1"), "latin-1"
    text = sanitizer.sanitize(text)
    if fragments:
        text = fragments.mask(text)
    return text.encode(codec, "replace")


class LineSanitizer:
    """Feed raw chunks; get back the sanitized bytes of every completed line.

    ``fragments_of``: values of which any piece is masked too (:class:`FragmentMasker`),
    such as the secrets a launcher put in the child's environment."""

    def __init__(
        self,
        sanitizer: Sanitizer | None = None,
        *,
        max_line: int = MAX_LINE,
        fragments_of: Iterable[str] = (),
    ) -> None:
        if sanitizer is None:
            # Imported here: building the rules takes longer than starting a child, and
            # the launcher starts the child first (see :func:`pump`).
            from .._sanitize._sanitizer import default_sanitizer

            sanitizer = default_sanitizer()
        self._sanitizer = sanitizer
        self._fragments = FragmentMasker(fragments_of)
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
                out.append(_clean(self._sanitizer, self._fragments, line))
            data = data[cut:]
        if len(data) > self._max_line:
            # Latin-1 keeps byte offsets equal to character offsets for the cut.
            text = data.decode("latin-1")
            head, at = self._sanitizer.sanitize_prefix(text, len(text) - len(text) // 4)
            if at == 0:  # one finding spans the whole buffer: mask it all now
                head, at = self._sanitizer.sanitize(text), len(text)
            if self._fragments:
                head = self._fragments.mask(head)
            out.append(head.encode("latin-1", "replace"))
            data = data[at:]
        self._pending = data
        return b"".join(out)

    def flush(self) -> bytes:
        """Release the last, unterminated line (sanitized)."""
        rest, self._pending = self._pending, b""
        return _clean(self._sanitizer, self._fragments, rest) if rest else b""


def pump(
    source: int,
    target: BinaryIO,
    sanitizer: Sanitizer | None = None,
    fragments_of: Iterable[str] = (),
) -> threading.Thread:
    """Copy file descriptor ``source`` to ``target`` through a :class:`LineSanitizer`
    in a daemon thread, until end of file; closes ``source``. Returns the thread.

    The thread builds the sanitizer (the default one unless ``sanitizer`` is given)
    before it reads anything: a child started just before can run meanwhile, its
    output waiting in the pipe, and no byte of it is written out unsanitized. The
    values the sanitizer must know (the child's secrets) have to be known before
    this is called.
    """

    def copy() -> None:
        try:
            lines = LineSanitizer(sanitizer, fragments_of=fragments_of)
        except BaseException:
            os.close(source)  # the child then gets EPIPE, never an unsanitized reader
            raise
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
