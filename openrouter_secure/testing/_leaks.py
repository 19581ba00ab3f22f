"""Canaries and leak checks: plant a random key, run the code, search every output."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import secrets
import string
import traceback
import urllib.parse
from collections.abc import Iterable
from types import TracebackType

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


def _describe(value: object) -> list[str]:
    texts = [repr(value)]
    with contextlib.suppress(Exception):  # an object whose str() fails still has a repr
        texts.append(str(value))
    if isinstance(value, BaseException):
        texts.append("".join(traceback.format_exception(type(value), value, value.__traceback__)))
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


def assert_no_leak(canaries: str | Iterable[str], *outputs: object) -> None:
    """Fail if any distinctive fragment of any canary appears in any output.

    A fragment is any run of 12 characters of the value (16 of its base64 form), or
    the whole value when it is shorter, searched in the forms the Sanitizer claims to
    mask: plain, JSON-escaped, URL-encoded and base64 (both alphabets, every
    alignment). So a mask that kept too much, half a key, or a key inside a ``Basic``
    header are all caught. Outputs may be strings, bytes, exceptions (their full
    traceback is searched, causes included, and the attributes of each exception it
    shows) or any object (its ``repr`` and ``str``).

    The failure message says which output, at which offset, and which fragment (form
    and position within the canary), never the value or the fragment itself.
    """
    values = [canaries] if isinstance(canaries, str) else list(canaries)
    if not all(values):
        raise ValueError("an empty canary would match every output; pass a real value")
    needles = _needles(values)
    for index, output in enumerate(outputs):
        if isinstance(output, (bytes, bytearray)):
            texts = [bytes(output).decode("utf-8", "replace")]
        elif isinstance(output, str):
            texts = [output]
        else:
            texts = _describe(output)
        for text in texts:
            hit = _find(text, needles)
            if hit is not None:
                where, what = hit
                raise AssertionError(
                    f"a canary leaked into output #{index} ({type(output).__name__}) at "
                    f"offset {where}: {what}"
                )


class LeakCheck(logging.Handler):
    """Capture every log record while active; ``check()`` asserts no canary leaked.

    Records are formatted the way a real handler would (message, args, exception
    text, stack info, and every extra attribute), so a canary hiding in ``extra=``
    or a traceback is found too::

        with LeakCheck(canary) as leaks:
            run_the_code()
        # leaving the block checks; leaks.records holds what was logged
    """

    def __init__(self, *canaries: str, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.canaries = list(canaries)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self._formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
        self._saved_level = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
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
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._saved_level)
        if exc_type is None:
            self.check()

    def check(self, *more_outputs: object) -> None:
        """Assert no canary is in the captured records or in ``more_outputs``."""
        assert_no_leak(self.canaries, *self.texts, *more_outputs)

    @property
    def messages(self) -> list[str]:
        return [r.getMessage() for r in self.records]
