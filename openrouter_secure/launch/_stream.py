"""Sanitize a child's output stream line by line, as bytes in and bytes out.

Bytes are read as UTF-8, each byte that is not UTF-8 standing for itself
(``surrogateescape``), and written back the same way: a child's binary-ish log keeps
its bytes, while every secret the process-wide sanitizer knows (the values a launcher
resolved, and the rules) is still masked in it, including a non-ASCII value on a line
that also holds a stray byte. A line longer than :data:`MAX_LINE` is released in safe
pieces (:meth:`~openrouter_secure.Sanitizer.sanitize_prefix`, which keeps a finding
that would straddle the cut for the next piece), so a child that never writes a
newline cannot make the launcher hold its output forever.

A terminal renders escape sequences away: a key written with a colour code every few
characters shows whole on screen, though no run of it is long enough to match. Each
line is therefore also checked with its terminal controls removed (CSI, OSC and other
``ESC`` sequences, C0 controls other than tab and newline, DEL, and zero-width
characters), and as a terminal draws it (backspace, carriage return, cursor moves and
erases applied: a key with a junk character written and erased after every few of its
characters shows whole); a line in which a view holds a secret is written as that
view, masked, so it loses its colours. Lines without a secret keep them.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
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
    The same holds for the value's encodings (base64 at each alignment, URL and JSON
    escapes): base64 wrapped at 76 columns (``base64``, MIME) puts a piece of the
    encoded value on each line.
    """

    FRAGMENT = 8

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._sizes: dict[int, set[str]] = {}
        self._whole: set[str] = set()
        from .._sanitize._sanitizer import _encodings  # loaded after the child starts

        forms = {form for value in values for form in (value, *_encodings(value))}
        for value in forms:
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


#: What a terminal does not print: CSI (7- and 8-bit), OSC, DCS/SOS/PM/APC strings and
#: other ``ESC`` sequences, then C0 controls but tab and newline, DEL, C1 controls, and
#: zero-width characters (soft hyphen, ZWSP/ZWNJ/ZWJ, word joiner, BOM).
_CONTROLS = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff]"
)

# A byte that is not UTF-8 stands for itself as a character of the last private-use
# block while the text is sanitized (the sanitizer's engines take only valid Unicode),
# and is written back as that byte. A line that already holds one of those characters
# is read with U+FFFD for its stray bytes instead: rare, and still safe.
_STRAY = re.compile("[\U0010ff80-\U0010ffff]")
_TO_PRIVATE = {0xDC80 + i: 0x10FF80 + i for i in range(128)}
_TO_BYTE = {v: k for k, v in _TO_PRIVATE.items()}


def _decode(data: bytes) -> tuple[str, bool]:
    """``data`` as text, and whether :func:`_encode` gives back the same bytes."""
    text = data.decode("utf-8", "surrogateescape")
    if text.isascii():
        return text, True
    if _STRAY.search(text):
        return data.decode("utf-8", "replace"), False
    return text.translate(_TO_PRIVATE), True


def _encode(text: str, exact: bool = True) -> bytes:
    if not exact:
        return text.encode("utf-8", "replace")
    return text.translate(_TO_BYTE).encode("utf-8", "surrogateescape")


def _finish(sanitizer: Sanitizer, fragments: FragmentMasker | None, text: str) -> str:
    """Mask the fragments of ``text`` (already sanitized), then check the views a
    terminal shows (controls removed, then cursor moves drawn); a line whose view
    holds a secret is written as that view, masked."""
    if fragments:
        text = fragments.mask(text)
    shown = _CONTROLS.sub("", text)
    if shown == text:
        return text
    from .._sanitize._terminal import terminal_views  # loaded after the child starts

    views = [shown]
    with contextlib.suppress(ValueError):  # moves too wild to draw: controls dropped
        views.extend(v.text for v in terminal_views(text) if v.text != shown)
    for view in views:
        masked = sanitizer.sanitize(view)
        if fragments:
            masked = fragments.mask(masked)
        if masked != view:
            return masked
    return text


def _clean(sanitizer: Sanitizer, fragments: FragmentMasker | None, data: bytes) -> bytes:
    text, exact = _decode(data)
    return _encode(_finish(sanitizer, fragments, sanitizer.sanitize(text)), exact)


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
            # Split at newlines only: a bare CR does not end a line in a log viewer,
            # which may show the pieces on each side of it as one.
            for line in data[:cut].split(b"\n")[:-1]:
                out.append(_clean(self._sanitizer, self._fragments, line + b"\n"))
            data = data[cut:]
        if len(data) > self._max_line:
            # The cut is made in characters; what is kept re-encodes to the same bytes
            # (a multi-byte character cut at the end is held as escaped bytes).
            text, exact = _decode(data)
            head, at = self._sanitizer.sanitize_prefix(text, len(text) - len(text) // 4)
            if at == 0:  # one finding spans the whole buffer: mask it all now
                head, at = self._sanitizer.sanitize(text), len(text)
            out.append(_encode(_finish(self._sanitizer, self._fragments, head), exact))
            data = _encode(text[at:], exact)
        self._pending = data
        return b"".join(out)

    def flush(self) -> bytes:
        """Release the last, unterminated line (sanitized)."""
        rest, self._pending = self._pending, b""
        return _clean(self._sanitizer, self._fragments, rest) if rest else b""


class Pump(threading.Thread):
    """The daemon thread :func:`pump` starts; :meth:`finish` waits for it."""

    def __init__(self, copy: Callable[[Pump], None]) -> None:
        super().__init__(target=copy, args=(self,), name="openrouter-secure-pump", daemon=True)
        #: when the thread last got data or started waiting for it (``time.monotonic``)
        self.last_active = time.monotonic()
        #: whether it is waiting for data (not building its sanitizer, not writing)
        self.waiting = False

    def finish(self, idle: float = 2.0) -> None:
        """Wait until the source's end of file, or until the thread has waited ``idle``
        seconds for data that does not come (a grandchild may keep the pipe open after
        the child exits). A thread that is still busy, building its sanitizer or
        writing on a loaded machine, is waited for: what it holds is never dropped."""
        while self.is_alive():
            self.join(timeout=0.1)
            if self.waiting and time.monotonic() - self.last_active >= idle:
                return


def pump(
    source: int,
    target: BinaryIO,
    sanitizer: Sanitizer | None = None,
    fragments_of: Iterable[str] = (),
) -> Pump:
    """Copy file descriptor ``source`` to ``target`` through a :class:`LineSanitizer`
    in a daemon thread, until end of file; closes ``source``. Returns the thread.

    The thread builds the sanitizer (the default one unless ``sanitizer`` is given)
    before it reads anything: a child started just before can run meanwhile, its
    output waiting in the pipe, and no byte of it is written out unsanitized. The
    values the sanitizer must know (the child's secrets) have to be known before
    this is called.
    """

    def copy(thread: Pump) -> None:
        try:
            lines = LineSanitizer(sanitizer, fragments_of=fragments_of)
        except BaseException:
            os.close(source)  # the child then gets EPIPE, never an unsanitized reader
            raise
        try:
            while True:
                thread.last_active = time.monotonic()
                thread.waiting = True
                try:
                    chunk = os.read(source, 65536)
                except InterruptedError:  # pragma: no cover - PEP 475 retries
                    continue
                finally:
                    thread.waiting = False
                if not chunk:
                    break
                _write(target, lines.feed(chunk))
            _write(target, lines.flush())
        finally:
            os.close(source)

    thread = Pump(copy)
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
