"""Tracebacks for scrubbed exception copies: the same places, without the raw locals.

A traceback is a chain of frames, and a frame holds its local variables. Tools that
show locals (``traceback.TracebackException(capture_locals=True)``, pytest's
``--showlocals``, rich's ``show_locals``, Sentry) read them from the frames of the
exception they are handed, so a copy of an exception that kept the original traceback
would carry every raw value those frames held.

Frames cannot be copied, but they can be made: :func:`scrubbed_traceback` runs, for
each original frame, a tiny code object compiled under the same file name, line
number and function name, with a locals dict of our choosing, and links the frames it
leaves behind into a real traceback (``types.TracebackType``). Everything that reads
a traceback (file, line, function, the source line from ``linecache``, the module in
``__name__``) sees what the original showed; the locals are replaced:

- from the first frame of the library's own code (module ``openrouter_secure`` or
  below) inward, no value is shown at all (``<not shown>``): those frames, and the
  ones the library calls (``json``, an SDK, a backend's client), may hold a raw value
  for the moment it takes to wrap it in a ``Secret``, before anything knows what it
  is; only the names of the locals remain;
- in the caller's frames, outside that, each value is shown by its sanitized
  ``repr`` (a text under a name that looks secret gets the mask whatever it holds).
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable
from typing import Any

__all__ = ["Shown", "scrubbed_traceback"]

#: Longest traceback rebuilt; deeper (recursive) chains keep their innermost frames.
MAX_FRAMES = 256
_LIBRARY = "openrouter_secure"
_NOT_SHOWN = "<not shown>"
_RAISE = "raise __scrubbed_exception__"


class Shown:
    """A stand-in for a local: its ``repr`` (and ``str``) is the text given."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text

    __str__ = __repr__


class _Unwind(BaseException):
    """Raised by a made-up frame to leave it behind in a traceback."""


@functools.lru_cache(maxsize=1024)
def _code(filename: str, lineno: int, name: str) -> types.CodeType:
    # The ``raise`` sits on the original line number. Its columns are padded to be at
    # least as wide as any source line, so the caret line a traceback draws under a
    # partial expression is not drawn under the original line.
    source = "\n" * (lineno - 1) + "raise (__scrubbed_exception__" + " " * 512 + ")"
    code = compile(source, filename, "exec")
    if sys.version_info >= (3, 11):
        return code.replace(co_name=name, co_qualname=name)
    return code.replace(co_name=name)


def _made_frame(
    filename: str, lineno: int, name: str, module: object, local_vars: dict[str, Any]
) -> types.TracebackType | None:
    glob = {"__name__": module, "__file__": filename, "__scrubbed_exception__": _Unwind}
    try:
        exec(_code(filename, max(lineno, 1), name), glob, local_vars)  # noqa: S102 - our own code
    except _Unwind as unwind:
        tb = unwind.__traceback__
        return None if tb is None else tb.tb_next
    return None  # pragma: no cover - the code always raises


def _library(module: object) -> bool:
    return isinstance(module, str) and (module == _LIBRARY or module.startswith(_LIBRARY + "."))


def scrubbed_traceback(
    tb: types.TracebackType | None, show: Callable[[str, Any], str]
) -> types.TracebackType | None:
    """A traceback over the same places as ``tb`` whose frames' locals are stand-ins.

    ``show(name, value)`` renders one local of a frame outside the library (it must
    never return a raw secret). Returns ``None`` when ``tb`` is ``None`` or a frame
    cannot be made; never the original.
    """
    entries: list[types.TracebackType] = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    entries = entries[-MAX_FRAMES:]
    made: list[tuple[types.FrameType, int, int]] = []
    hidden = False
    for entry in entries:
        frame = entry.tb_frame
        code = frame.f_code
        module = frame.f_globals.get("__name__")
        hidden = hidden or _library(module)
        if hidden:
            local_vars: dict[str, Any] = {k: Shown(_NOT_SHOWN) for k in frame.f_locals}
        else:
            local_vars = {k: Shown(show(k, v)) for k, v in frame.f_locals.items()}
        lineno = entry.tb_lineno or 1
        fake = _made_frame(code.co_filename, lineno, code.co_name, module, local_vars)
        if fake is None:
            return None
        made.append((fake.tb_frame, fake.tb_lasti, lineno))
    out: types.TracebackType | None = None
    for frame, lasti, lineno in reversed(made):
        out = types.TracebackType(out, frame, lasti, lineno)
    return out
