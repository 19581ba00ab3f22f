"""Log redaction: every record that reaches a handler is sanitized first.

:class:`SanitizingFilter` rewrites a :class:`logging.LogRecord` in place: the rendered
message (``msg % args``; ``args`` is then dropped, so no handler can re-render the raw
values), ``exc_text`` (rendered now if only ``exc_info`` was given; ``exc_info`` is
replaced by a scrubbed copy of the exception, chained causes included),
``stack_info``, and every extra attribute (``extra={...}``), judged as
``Sanitizer.sanitize_data`` judges data: strings are scanned, values under
secret-looking names masked whole, containers walked (keys and sets too), exceptions
scrubbed, and any other object whose ``str()`` or ``repr()`` would show a secret
replaced by its sanitized ``str()``. The ``exc_info`` a handler receives is a
``scrub_exception`` copy whose traceback holds no raw locals, so a formatter that
renders it again (JSON formatters, rich, Sentry) shows nothing the text did not. It
never drops a record; if sanitizing fails, the record is replaced by a placeholder
message (fail closed).

Where it is attached (:func:`install_log_redaction`): Python runs a *logger's*
filters only for records logged on that logger, not for records propagating up from
child loggers; a *handler's* filters run for every record the handler receives. So
the filter goes on the handlers. ``install_log_redaction()`` (no argument) attaches it
to every handler of every logger that exists now, root included, to the root logger
itself, and to ``logging.lastResort`` (the handler Python writes to stderr with when a
record finds no handler at all: a program that never configured logging, or warnings
captured by ``logging.captureWarnings``); ``install_log_redaction(logger)`` to that
logger and its handlers.
Handlers added later are not covered until ``install_log_redaction`` runs again (it
is idempotent: one shared filter, attached once). ``remove_log_redaction`` undoes it.

For structlog, add :func:`structlog_processor` to the processor chain (structlog is
not imported by this module; it only calls the processor).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import MutableMapping
from typing import Any

from .. import _known
from ._sanitizer import Sanitizer, default_sanitizer

__all__ = [
    "SanitizingFilter",
    "install_log_redaction",
    "remove_log_redaction",
    "structlog_processor",
]

_STANDARD = frozenset(vars(logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None))) | {
    "message",
    "asctime",
    "taskName",
}
_BASE_LEN = len(vars(logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None)))
_SANITIZE = Sanitizer.sanitize


class SanitizingFilter(logging.Filter):
    """A logging filter that masks secrets in a record (see the module docstring)."""

    def __init__(self, sanitizer: Sanitizer | None = None) -> None:
        super().__init__()
        self.sanitizer = sanitizer or default_sanitizer()

    @property
    def sanitizer(self) -> Sanitizer:
        """The :class:`Sanitizer` used; may be replaced at any time."""
        return self._sanitizer

    @sanitizer.setter
    def sanitizer(self, sanitizer: Sanitizer) -> None:
        # Decided here, not per record (a class attribute lookup costs a record about
        # 300 instructions): the scanner's quick answer may stand in for ``sanitize``
        # only when that is the class's own; a subclass's runs in full.
        self._inline = type(sanitizer).sanitize is _SANITIZE
        self._sanitizer = sanitizer

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            # The common record: a str message, a tuple of args (or none), no
            # exception or stack. Render it once and scan the final text (the args may
            # carry the secret); nothing is cached per template, since args change
            # every call. Plain attribute access: CPython keeps a record's attributes
            # outside a dict until ``__dict__`` is read, so that is read last, and only
            # to see whether there are extras.
            msg = record.msg
            if (
                type(msg) is str
                and record.exc_info is None
                and record.exc_text is None
                and record.stack_info is None
            ):
                args = record.args
                text: str | None = None
                if not args:
                    text = msg
                elif type(args) is tuple:
                    try:
                        text = msg % args
                    except Exception:  # noqa: BLE001 - the general path keeps both parts
                        text = None  # a bad format string, or an argument's str() raised
                if text is not None:
                    # ``Sanitizer.sanitize`` with its first step inlined (this runs for
                    # every record): the scanner's quick answer for a clean text.
                    s = self._sanitizer
                    state = s._state  # the scanner cache, read only
                    if not (
                        self._inline
                        and state is not None
                        and state[0] is _known.current
                        and state[1].clean(text)
                        and not (s._wrapped and "\n" in text)
                    ):
                        text = s.sanitize(text)
                    record.msg = text
                    record.args = None
                    if len(record.__dict__) > _BASE_LEN:
                        self._clean_extras(record)
                    return True
            self._clean(record)
        except Exception:  # noqa: BLE001 - fail closed, but keep the record (and its level)
            record.msg = "<REDACTED: log record withheld; sanitizer failed>"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True

    def _clean(self, record: logging.LogRecord) -> None:
        s = self._sanitizer
        msg = record.msg
        if record.args or not isinstance(msg, str):
            try:
                msg = record.getMessage()
            except Exception:  # noqa: BLE001 - a bad format string: keep both parts
                msg = f"{record.msg!s} {record.args!r}"
        record.msg = s.sanitize(msg)
        record.args = None
        if record.exc_info:
            exc = record.exc_info[1]
            if exc is not None:
                # The copy's traceback is a made-up one over the same lines (no raw
                # locals); formatters that render ``exc_info`` themselves (JSON ones,
                # rich, Sentry) see only that. The text is rendered from the copy too:
                # its values were sanitized one by one, before ``repr`` escaped them
                # into a form (a JSON-escaped value, re-escaped) no text scan knows.
                clone = s.scrub_exception(exc)
                record.exc_info = (type(clone), clone, clone.__traceback__)
                if not record.exc_text:
                    record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = s.sanitize(record.exc_text)
        if record.stack_info:
            record.stack_info = s.sanitize(record.stack_info)
        if len(record.__dict__) > _BASE_LEN:
            self._clean_extras(record)

    def _clean_extras(self, record: logging.LogRecord) -> None:
        """Extras (``extra={...}``, or ``message`` from an earlier formatter)."""
        attrs = record.__dict__
        s = self.sanitizer
        version = _known.current.version
        for key in attrs.keys() - _STANDARD:
            value = _plain(s, _clean_value(s, key, attrs[key]))
            # The name too: JSON formatters print every extra under its own name.
            name = _clean_name(s, key, version) if type(key) is str else key
            if name != key:
                del attrs[key]
            attrs[name] = value


@functools.lru_cache(maxsize=1024)
def _clean_name(s: Sanitizer, name: str, version: int) -> str:
    """An extra's attribute name, sanitized; names repeat, so the answer is kept per
    name and known-values version (a newly registered secret re-checks every name)."""
    del version
    return s.sanitize(name)


def _clean_value(s: Sanitizer, key: str, value: Any) -> Any:
    # One judgement for every extra, the same as ``sanitize_data``'s: strings scanned
    # (masked whole under a secret-looking name), containers walked, keys included,
    # exceptions scrubbed, and any other object judged by both ``str()`` and ``repr()``
    # (formatters print ``%(field)s`` with ``str()``, JSON encoders often too).
    if type(value) in _NUMBERS:
        return value
    return s._walk(value, key, 0)


_NUMBERS = frozenset({int, float, bool, type(None)})
_PLAIN_SCALARS = _NUMBERS | {str}


def _plain(s: Sanitizer, value: Any, depth: int = 0) -> Any:
    """An extra as plain data: ``str``/``int``/``float``/``bool``/``None`` and
    ``dict``/``list``/``tuple``/``set``/``frozenset`` of those stay; anything else
    (an object, a subclass of a builtin type, a ``Secret``, a scrubbed exception)
    becomes its sanitized ``str()`` (``repr()`` when ``str()`` fails).

    A formatter may render an object through hooks no text judgement sees:
    ``__format__`` under ``{``-style, ``dataclasses.asdict`` in JSON formatters (which
    shows ``field(repr=False)`` fields), ``vars()``, ``model_dump()``. Text and plain
    containers leave it nothing to call.
    """
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return value
    if kind is bytes or kind is bytearray:  # (already scanned) shown as text
        return bytes(value).decode("utf-8", "replace")
    if depth > 100:
        return "<REDACTED: nesting too deep>"
    if kind is dict:
        return {_plain_key(s, k, depth): _plain(s, v, depth + 1) for k, v in value.items()}
    if kind is list or kind is tuple:
        items = [_plain(s, v, depth + 1) for v in value]
        return items if kind is list else tuple(items)
    if kind is set or kind is frozenset:
        members = {_plain_key(s, v, depth) for v in value}
        return members if kind is set else frozenset(members)
    if isinstance(value, str):  # a ``str`` subclass: its characters, not its hooks
        return s.sanitize(str.__str__(value))
    for how in (str, repr):
        try:
            text = how(value)
        except Exception:  # noqa: BLE001, S112 - try the other rendering
            continue
        if type(text) is str:
            return s.sanitize(text)
    return f"<REDACTED: unprintable {kind.__name__}>"


def _plain_key(s: Sanitizer, key: Any, depth: int) -> Any:
    clean = _plain(s, key, depth + 1)
    try:
        hash(clean)
    except TypeError:
        return s.sanitize(str(clean))
    return clean


_lock = threading.Lock()
_filter: SanitizingFilter | None = None
_attached: list[logging.Filterer] = []


def _shared_filter(sanitizer: Sanitizer | None) -> SanitizingFilter:
    global _filter
    if _filter is None or (sanitizer is not None and _filter.sanitizer is not sanitizer):
        _filter = SanitizingFilter(sanitizer)
    return _filter


def _targets(logger: logging.Logger | str | None) -> list[logging.Logger]:
    if logger is None:
        loggers = [logging.getLogger()]
        loggers += [
            lg for lg in list(logging.Logger.manager.loggerDict.values())
            if isinstance(lg, logging.Logger)
        ]  # fmt: skip
        return loggers
    return [logging.getLogger(logger) if isinstance(logger, str) else logger]


def install_log_redaction(
    logger: logging.Logger | str | None = None, *, sanitizer: Sanitizer | None = None
) -> SanitizingFilter:
    """Attach the shared :class:`SanitizingFilter` (idempotent); returns it.

    ``logger=None`` covers the root logger, every handler of every existing logger,
    and ``logging.lastResort``.
    Call it again after adding handlers. ``sanitizer`` defaults to the process's one.
    """
    with _lock:
        flt = _shared_filter(sanitizer)
        for lg in _targets(logger):
            owners: list[logging.Filterer] = [*lg.handlers]
            if logger is not None or lg is logging.getLogger():
                owners.append(lg)
            # A program that configured no handler still logs: records (and warnings
            # routed through ``logging.captureWarnings``) go to ``logging.lastResort``.
            if logger is None and lg is logging.getLogger() and logging.lastResort is not None:
                owners.append(logging.lastResort)
            for owner in owners:
                if flt not in owner.filters:
                    owner.addFilter(flt)
                    _attached.append(owner)
        return flt


def remove_log_redaction(logger: logging.Logger | str | None = None) -> None:
    """Detach the filter: everywhere (``None``) or from one logger and its handlers."""
    with _lock:
        if _filter is None:
            return
        if logger is None:
            chosen = list(_attached)
        else:
            lg = logging.getLogger(logger) if isinstance(logger, str) else logger
            chosen = [lg, *lg.handlers]
        for owner in chosen:
            owner.removeFilter(_filter)
            while owner in _attached:
                _attached.remove(owner)


def structlog_processor(
    logger: Any,  # noqa: ARG001 - structlog's processor signature
    method_name: str,  # noqa: ARG001
    event_dict: MutableMapping[str, Any],
) -> MutableMapping[str, Any]:
    """A structlog processor: the event dict, sanitized (keys too; values under
    secret-looking names masked whole).

    Put it late in the chain (after ``format_exc_info`` so tracebacks are text), before
    the renderer::

        structlog.configure(processors=[..., structlog_processor, JSONRenderer()])
    """
    s = default_sanitizer()
    version = _known.current.version
    return {
        _clean_name(s, key, version) if type(key) is str else key: _clean_value(s, str(key), value)
        for key, value in event_dict.items()
    }
