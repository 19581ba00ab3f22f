"""Canaries and leak checks: plant a random key, run the code, search every output."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import secrets
import string
import sys
import traceback
import urllib.parse
from collections.abc import Callable, Iterable
from types import FrameType, TracebackType
from typing import Any

_PREFIXES = {
    "openrouter": "sk-or-v1-",
    "openrouter-management": "sk-or-v1-",
    "openai": "sk-proj-",
    "anthropic": "sk-ant-api03-",
    "plain": "",
}


def make_canary(kind: str = "openrouter") -> str:
    """A random secret of the given shape, made now, so none is ever committed.

    ``openrouter`` gives ``sk-or-v1-`` + 64 hex digits (OpenRouter's key shape);
    ``plain`` a 32-character random token with no recognisable format (to prove that
    known-value masking works without a rule).
    """
    if kind not in _PREFIXES:
        raise ValueError(f"unknown canary kind {kind!r}; choose from {sorted(_PREFIXES)}")
    if kind.startswith("openrouter"):
        body = secrets.token_hex(32)
    elif kind == "plain":
        alphabet = string.ascii_letters + string.digits
        body = "".join(secrets.choice(alphabet) for _ in range(32))
    else:
        alphabet = string.ascii_letters + string.digits + "-_"
        body = "".join(secrets.choice(alphabet) for _ in range(80))
    return _PREFIXES[kind] + body


#: A fragment this long of a canary (in any form) is a leak. Random canaries make a
#: 12-character run of their secret part impossible to meet by chance.
FRAGMENT = 12
_B64_FRAGMENT = 16  # 12 bytes of the value, base64-encoded


def _describe(value: object, frame_locals: bool = True) -> list[str]:
    texts = [repr(value)]
    with contextlib.suppress(Exception):  # an object whose str() fails still has a repr
        texts.append(str(value))
    if isinstance(value, BaseException):
        texts.append("".join(traceback.format_exception(type(value), value, value.__traceback__)))
        if frame_locals:
            texts.append(_frame_locals(value))
        # The attributes of every exception the traceback shows (a ``.metadata``, a
        # ``.doc``) are outputs too: reporters and ``repr(vars(exc))`` show them.
        seen: set[int] = set()
        current: BaseException | None = value
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            with contextlib.suppress(Exception):
                texts.append(repr(vars(current)))
            if current.__cause__ is not None:
                current = current.__cause__
            else:
                current = None if current.__suppress_context__ else current.__context__
    return texts


_PACKAGE = __name__.split(".", 1)[0]


def _is_pytest_handler(handler: logging.Handler) -> bool:
    return type(handler).__module__.split(".")[0] == "_pytest"


def _frame_locals(exc: BaseException) -> str:
    """The local variables of the frames the tracebacks of ``exc`` and its causes
    hold, as reporters print them (Sentry, ``capture_locals=True``, pytest
    ``--showlocals``, rich: each ``repr``).

    Left out: frames still running now (the check's caller: the test, which holds the
    canary by design; the code under test has returned by the time it is checked),
    and every frame from the first one of this library's own code inward (the library
    and what it calls: the frames whose raw locals the documentation says the original
    exception keeps, and ``scrub_exception`` replaces).
    """
    running: set[int] = set()
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        running.add(id(frame))
        frame = frame.f_back
    lines: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for tb_frame, _ in traceback.walk_tb(current.__traceback__):
            module = str(tb_frame.f_globals.get("__name__", ""))
            if module == _PACKAGE or module.startswith(_PACKAGE + "."):
                break
            if id(tb_frame) in running:
                continue
            for name, local in list(tb_frame.f_locals.items()):
                try:
                    lines.append(f"{name} = {local!r}")
                except Exception:  # noqa: BLE001 - reporters print a placeholder
                    lines.append(f"{name} = <unprintable>")
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        pending += [e for e in getattr(current, "exceptions", ()) if isinstance(e, BaseException)]
    return "\n".join(lines)


def _forms(value: str) -> dict[str, str]:
    """The encodings a leak may take: plain, JSON-escaped, URL-encoded, base64."""
    raw = value.encode("utf-8", "surrogatepass")
    forms = {
        "plain": value,
        "JSON-escaped": json.dumps(value)[1:-1],
        "JSON-escaped (non-ASCII kept)": json.dumps(value, ensure_ascii=False)[1:-1],
        "URL-encoded": urllib.parse.quote(value, safe=""),
        "URL-encoded (form)": urllib.parse.quote_plus(value, safe=""),
    }
    # base64 of the value inside a longer text depends on its offset mod 3: the
    # stable middle of each alignment, in both alphabets.
    for shift in range(3):
        for label, enc in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            full = enc(b"\0" * shift + raw).decode("ascii").rstrip("=")
            lo, hi = -(-4 * shift // 3), (8 * (shift + len(raw))) // 6
            forms[f"{label} (offset {shift})"] = full[lo:hi]
    return forms


def _u_escaped(text: str, every: bool, upper: bool) -> str:
    """JSON ``\\uxxxx`` escapes: of the non-ASCII characters, or of ``every`` one."""
    units = text.encode("utf-16-be", "surrogatepass")
    out: list[str] = []
    i = 0
    for ch in text:
        size = 4 if ord(ch) > 0xFFFF else 2
        if every or ord(ch) > 0x7F:
            for j in range(i, i + size, 2):
                code = f"{int.from_bytes(units[j : j + 2], 'big'):04x}"
                out.append("\\u" + (code.upper() if upper else code))
        else:
            out.append(ch)
        i += size
    return "".join(out)


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


#: Encodings applied character by character, so the encoding of a run of the value is
#: a run of the encoded value: each is searched for as the encoding of every
#: ``FRAGMENT``-character run (however long that encoding is).
_CHARWISE: dict[str, Callable[[str], str]] = {
    "hex": lambda t: t.encode("utf-8", "surrogatepass").hex(),
    "hex (upper case)": lambda t: t.encode("utf-8", "surrogatepass").hex().upper(),
    "JSON \\u-escaped (upper-case hex)": lambda t: _u_escaped(t, False, True),
    "JSON, every character \\u-escaped": lambda t: _u_escaped(t, True, False),
    "JSON, every character \\u-escaped (upper-case hex)": lambda t: _u_escaped(t, True, True),
    "ascii()": lambda t: t.encode("ascii", "backslashreplace").decode("ascii"),
    "repr of the UTF-8 bytes": lambda t: t.encode("utf-8", "surrogatepass").decode(
        "ascii", "backslashreplace"
    ),
    "URL-encoded (quote, safe='/')": lambda t: urllib.parse.quote(t),
    "URL-encoded (lower-case escapes)": lambda t: _lower_escapes(urllib.parse.quote(t, safe="")),
    "URL-encoded (quote, safe='/', lower-case escapes)": lambda t: _lower_escapes(
        urllib.parse.quote(t)
    ),
    "URL-encoded (form, lower-case escapes)": lambda t: _lower_escapes(
        urllib.parse.quote_plus(t, safe="")
    ),
}


def _needles(values: list[str]) -> dict[str, str]:
    """Every fragment to look for → a description of it (never the fragment itself)."""
    needles: dict[str, str] = {}
    for number, value in enumerate(values, 1):
        for form, text in _forms(value).items():
            size = _B64_FRAGMENT if form.startswith("base64") else FRAGMENT
            where = f"canary #{number}, {form}"
            if len(text) <= size:
                if form == "plain" or len(text) >= FRAGMENT:
                    needles.setdefault(text, f"{where}, whole value")
                continue
            for start in range(len(text) - size + 1):
                needles.setdefault(
                    text[start : start + size],
                    f"{where}, {size} characters from offset {start} of {len(text)}",
                )
            needles.setdefault(text, f"{where}, whole value")
        for form, encode in _CHARWISE.items():
            where = f"canary #{number}, {form}"
            if len(value) <= FRAGMENT:
                needles.setdefault(encode(value), f"{where}, whole value")
                continue
            for start in range(len(value) - FRAGMENT + 1):
                needles.setdefault(
                    encode(value[start : start + FRAGMENT]),
                    f"{where}, {FRAGMENT} characters from offset {start} of {len(value)}",
                )
    return needles


def _find(text: str, needles: dict[str, str]) -> tuple[int, str] | None:
    if len(needles) <= 400:
        for needle, what in needles.items():
            where = text.find(needle)
            if where != -1:
                return where, what
        return None
    # Many fragments (a long canary): one pass over the text's windows instead.
    for size in sorted({len(n) for n in needles}):
        for start in range(len(text) - size + 1):
            found = needles.get(text[start : start + size])
            if found is not None:
                return start, found
    return None


def _decodings(data: bytes) -> list[str]:
    """The texts bytes may hold: UTF-8, and UTF-16 of either byte order at either
    alignment (a UTF-16 body, a Windows log file)."""
    texts = [data.decode("utf-8", "replace")]
    for start in (0, 1):
        for codec in ("utf-16-le", "utf-16-be"):
            part = data[start:]
            texts.append(part[: len(part) // 2 * 2].decode(codec, "replace"))
    return texts


def assert_no_leak(
    canaries: str | Iterable[str], *outputs: object, frame_locals: bool = False
) -> None:
    """Fail if any distinctive fragment of any canary appears in any output.

    A fragment is any run of 12 characters of the value (16 of its base64 form), or
    the whole value when it is shorter, searched in the forms the Sanitizer claims to
    mask: plain, JSON-escaped (``\\u`` escapes in either case, or every character
    escaped), URL-encoded (``quote`` with ``safe="/"`` or ``""``, ``quote_plus``,
    escapes in either case), hex of the UTF-8 bytes (either case), ``ascii()`` and the
    ``repr`` of the UTF-8 bytes, and base64 (both alphabets, every alignment); an
    encoding that lengthens each character is searched for as the encoding of a
    12-character run. So a mask that kept too much, half a key, or a key inside a
    ``Basic`` header are all caught. Outputs may be strings, bytes (read as UTF-8 and
    as UTF-16 of either byte order), exceptions (their full traceback, causes
    included, with the local variables of each frame as Sentry or ``capture_locals``
    print them, up to the first frame of this library's own code, whose values a
    ``scrub_exception`` copy hides; and the attributes of each exception it shows)
    or any object (its ``repr`` and ``str``). ``frame_locals=True`` also searches the
    local variables of the frames an exception's traceback holds, as Sentry or
    ``capture_locals`` print them: use it on ``scrub_exception(exc)``, the copy meant
    for reporters. It is off by default because an *original* exception's frames hold
    raw locals by design, and so do a test's own helpers and lambdas that have
    returned.

    The failure message says which output, at which offset, and which fragment (form
    and position within the canary), never the value or the fragment itself.
    """
    values = [canaries] if isinstance(canaries, str) else list(canaries)
    if not all(values):
        raise ValueError("an empty canary would match every output; pass a real value")
    needles = _needles(values)
    for index, output in enumerate(outputs):
        if isinstance(output, (bytes, bytearray)):
            texts = _decodings(bytes(output))
        elif isinstance(output, str):
            texts = [output]
        else:
            texts = _describe(output, frame_locals)
        for text in texts:
            hit = _find(text, needles)
            if hit is not None:
                where, what = hit
                raise AssertionError(
                    f"a canary leaked into output #{index} ({type(output).__name__}) at "
                    f"offset {where}: {what}"
                )


class LeakCheck(logging.Handler):
    """Capture every log record and console write while active; ``check()`` asserts
    no canary leaked.

    Records are captured however they are routed: as a handler on the root logger
    (every record that propagates there), and from every other handler as it handles
    a record (after that handler's filters ran, so what is searched is what the
    handler writes): a logger with ``propagate=False`` and its own handler, a
    ``QueueListener``'s handlers, ``logging.lastResort``. Text written to
    ``sys.stdout`` and ``sys.stderr`` (``print``, ``warnings``, a reporter) is searched
    too; writes straight to the file descriptors (``os.write(2, ...)``, a child
    process) are not: pass pytest's ``capfd`` output to ``check()`` for those.

    Records are formatted the way a real handler would (message, args, exception
    text, stack info, and every extra attribute), so a canary hiding in ``extra=``
    or a traceback is found too::

        with LeakCheck(canary) as leaks:
            run_the_code()
        # leaving the block checks; leaks.records holds what was logged

    While active, ``logging.Handler.handle`` is wrapped for the whole process (nested
    checks must be left in the reverse order they were entered).
    """

    def __init__(self, *canaries: str, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.canaries = list(canaries)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self._seen: set[int] = set()
        self._formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
        self._saved_level = logging.NOTSET
        self._saved_handle: Any = None
        self._saved_streams: tuple[Any, Any] | None = None
        self._console: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self._capture(record)

    def _capture(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:
            self._seen.add(id(record))
            self.records.append(record)
        try:
            text = self._formatter.format(record)
        except Exception:  # noqa: BLE001 - a bad record must still be searched
            text = f"{record.msg!r} {record.args!r}"
        self.texts.append(text + " " + repr(vars(record)))

    def __enter__(self) -> LeakCheck:
        root = logging.getLogger()
        self._saved_level = root.level
        root.setLevel(min(self.level, root.level) if root.level else self.level)
        root.addHandler(self)
        original = self._saved_handle = logging.Handler.handle
        check = self

        def handle(handler: logging.Handler, record: logging.LogRecord) -> Any:
            passed = original(handler, record)
            # pytest's own capture handlers are the test run's, not an output of the
            # program under test (their records reach this check's handler anyway).
            if passed and handler is not check and not _is_pytest_handler(handler):
                # Python 3.12+ may return the record a filter replaced it with.
                check._capture(passed if isinstance(passed, logging.LogRecord) else record)
            return passed

        logging.Handler.handle = handle  # type: ignore[method-assign, assignment]
        self._saved_streams = (sys.stdout, sys.stderr)
        sys.stdout = _Tee(sys.stdout, self._console)
        sys.stderr = _Tee(sys.stderr, self._console)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._saved_streams is not None:
            sys.stdout, sys.stderr = self._saved_streams
            self._saved_streams = None
        if self._saved_handle is not None:
            logging.Handler.handle = self._saved_handle  # type: ignore[method-assign]
            self._saved_handle = None
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._saved_level)
        if exc_type is None:
            self.check()

    def check(self, *more_outputs: object, frame_locals: bool = False) -> None:
        """Assert no canary is in the captured records or in ``more_outputs``
        (``frame_locals`` as for :func:`assert_no_leak`)."""
        outputs = [*self.texts, "".join(self._console), *more_outputs]
        assert_no_leak(self.canaries, *outputs, frame_locals=frame_locals)

    @property
    def messages(self) -> list[str]:
        return [r.getMessage() for r in self.records]


class _Tee:
    """A text stream that also keeps what is written to it."""

    def __init__(self, stream: Any, kept: list[str]) -> None:
        self._stream = stream
        self._kept = kept

    def write(self, text: str) -> int:
        self._kept.append(str(text))
        return int(self._stream.write(text))

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
