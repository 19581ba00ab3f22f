"""Canaries and leak checks: plant a random key, run the code, search every output."""

from __future__ import annotations

import contextlib
import logging
import secrets
import string
import traceback
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


def _describe(value: object) -> list[str]:
    texts = [repr(value)]
    with contextlib.suppress(Exception):  # an object whose str() fails still has a repr
        texts.append(str(value))
    if isinstance(value, BaseException):
        texts.append("".join(traceback.format_exception(type(value), value, value.__traceback__)))
    return texts


def assert_no_leak(canaries: str | Iterable[str], *outputs: object) -> None:
    """Fail if any canary (or a long enough piece of it) appears in any output.

    Outputs may be strings, bytes, exceptions (their full traceback is searched, causes
    included) or any object (its ``repr`` and ``str``). Besides the whole value the check
    looks for its secret part without the public prefix, so a mask that kept too much
    is caught too.
    """
    values = [canaries] if isinstance(canaries, str) else list(canaries)
    if not all(values):
        raise ValueError("an empty canary would match every output; pass a real value")
    needles = set()
    for value in values:
        needles.add(value)
        if len(value) > 24:
            needles.add(value[-20:])
    for output in outputs:
        if isinstance(output, bytes):
            texts = [output.decode("utf-8", "replace")]
        elif isinstance(output, str):
            texts = [output]
        else:
            texts = _describe(output)
        for text in texts:
            for needle in needles:
                if needle in text:
                    where = text.index(needle)
                    raise AssertionError(
                        f"a canary leaked into {type(output).__name__} output at offset {where}"
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
