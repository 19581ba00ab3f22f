"""``AuditLog``: a tamper-evident record of what the library did, as JSON lines.

Every record is chained to the one before it (see :mod:`._audit_chain` for the exact
format), so editing, deleting, inserting or reordering a line is found by
:func:`verify_audit_file` at that line. What goes in is cleaned first, in this order:

1. values become JSON (``Secret`` → its mask, other objects → ``str``);
2. control characters are removed (tabs and newlines become spaces; bidi overrides
   and line separators go too), so no field can forge a line or hide text;
3. :meth:`Sanitizer.sanitize_data` masks known secrets and values under secret names;
4. fields named like content (``prompt``, ``messages``, ``content``, ``body``, ...)
   are replaced by ``<REDACTED: N chars>``, and long strings are cut to
   ``max_field_chars``.

``attach()`` subscribes to the library's events (:data:`AUDITED_EVENTS`). For those,
only the documented fields are kept; any other field is dropped and its *name*
listed under ``_dropped``, so a caller that passes a prompt by mistake cannot get it
into the log.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from ._audit_chain import build_line
from ._audit_sinks import CallableSink, FileSink, Sink
from ._audit_verify import VerifyResult, verify_audit_file
from ._events import subscribe, unsubscribe
from ._sanitizer import default_sanitizer
from ._secret import MASK, Secret

__all__ = ["AUDITED_EVENTS", "AuditHead", "AuditLog", "VerifyResult", "verify_audit_file"]

# A tool decision's fields; never its arguments (an argument *shape* is fine).
_TOOL_FIELDS = ("server", "tool", "rule", "client", "client_name", "argument_shape")

#: Event name → the fields an audit record keeps for it (the agreed event schema).
AUDITED_EVENTS: Mapping[str, tuple[str, ...]] = {
    "secret.resolved": ("backend", "ref"),
    "secret.resolve_failed": ("backend", "ref", "error"),
    "auth.failed": ("status", "method", "path", "key_ref"),
    "upstream.error": ("status", "method", "path"),
    "usage.recorded": (
        "key_ref",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "generation_id",
    ),
    "ratelimit.hit": ("key", "limit", "retry_after"),
    "ratelimit.storage_error": ("key", "storage", "fail_open", "error"),
    "budget.exceeded": ("key", "budget", "spent"),
    "budget.spike": ("key", "window_spend", "trailing_average", "factor", "window"),
    "config.loaded": ("path", "servers", "warnings"),
    "config.saved": ("path",),
    "config.rejected": ("path", "findings", "error"),
    "tool.allowed": _TOOL_FIELDS,
    "tool.denied": _TOOL_FIELDS,
    "tool.rate_limited": (*_TOOL_FIELDS, "retry_after"),
    "tool.path_refused": ("server", "tool", "client", "argument"),
    "tool.error": ("server", "tool", "client", "error"),
    "key.rotated": ("store", "old_hash", "new_hash"),
    "key.rotation_failed": ("store", "step", "error", "rolled_back"),
    **{
        f"key.rotation.{step}": ("store", "old_hash", "new_hash", "action")
        for step in (
            "started",
            "created",
            "verified",
            "stored",
            "refreshed",
            "disabled",
            "deleted",
            "rolled_back",
        )
    },
}

# Zero-width and bidi controls can make a log line read differently from what it
# holds; C0/C1 controls can forge lines or drive a terminal.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_SPACE = re.compile("[\t\n\r\u2028\u2029]")
_CONTENT_KEY = re.compile(
    r"(?:^|_)(?:prompts?|messages?|content|completion|input|output|text|body|"
    r"arguments|response|request|query)$",
    re.I,
)


@dataclass(frozen=True)
class AuditHead:
    """The last record written: its ``seq`` and the SHA-256 of its line.

    Store it somewhere the log's writer cannot change (a ticket, another host) and pass
    it to ``verify_audit_file(..., expect_head=...)``: that also catches lines cut
    from the *end* of the file, which no chain can show by itself.
    """

    seq: int
    digest: str


def _strip(text: str) -> str:
    if text.isprintable():  # the common case, checked in C
        return text
    return _CONTROL.sub("", _SPACE.sub(" ", text))


@functools.lru_cache(maxsize=1024)
def _is_content_key(key: str) -> bool:
    return bool(_CONTENT_KEY.search(key))


def _clean(value: Any, limit: int, key: str | None, depth: int = 0) -> Any:
    # Runs on the sanitizer's output: makes it JSON, strips control characters,
    # redacts content-named fields and cuts long strings. A string this step changed
    # or produced (``str(obj)``, control characters removed, which can join a split
    # secret back together) goes through the sanitizer again.
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        if key is not None and _is_content_key(key):
            return default_sanitizer().redact(value)
        stripped = _strip(value)
        if stripped is not value:
            stripped = _strip(default_sanitizer().sanitize(stripped))
        if len(stripped) > limit:
            return stripped[:limit] + f"...<{len(stripped) - limit} more chars>"
        return stripped
    if isinstance(value, Secret):
        return MASK
    if depth >= 8:
        return "<nested too deep>"
    if isinstance(value, Mapping):
        return {
            _clean(str(k), 128, None): _clean(v, limit, str(k), depth + 1) for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v, limit, key, depth + 1) for v in value]
    if isinstance(value, BaseException):
        text = f"{type(value).__name__}: {default_sanitizer().scrub_exception(value)}"
    else:
        text = str(value)
    return _clean(default_sanitizer().sanitize(text), limit, key, depth)


def clean_fields(fields: Mapping[str, Any], max_chars: int = 1024) -> dict[str, Any]:
    """The fields as they will be written: sanitized, JSON-safe, stripped, bounded."""
    data = default_sanitizer().sanitize_data(dict(fields))
    cleaned: dict[str, Any] = _clean(data, max_chars, None)
    return cleaned


def _timestamp(now: float) -> str:
    whole = int(now)
    micros = int((now - whole) * 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{micros:06d}Z"


class AuditLog:
    """Append tamper-evident audit records to a file, a logger or a callable.

    ``sink`` is a path (a JSONL file, created 0600 and opened append-only), a
    :class:`logging.Logger` (each record logged at INFO as one JSON line) or a callable
    taking the line as ``str``. For the file sink, ``max_bytes`` / ``backup_count``
    rotate it and ``fsync=True`` makes each record durable on disk before ``log``
    returns (otherwise it is in the kernel, which survives a crash of this process but
    not of the machine). ``key`` (a :class:`Secret` or bytes) turns each record's
    self-hash into an HMAC, so someone who can edit the file cannot recompute it.

    Threads may share one ``AuditLog``; processes may each open their own on the same
    path: a file lock keeps the chain linear and lines whole.
    """

    def __init__(
        self,
        sink: str | os.PathLike[str] | logging.Logger | Callable[[str], object],
        *,
        max_bytes: int | None = None,
        backup_count: int | None = None,
        fsync: bool = False,
        key: Secret | bytes | None = None,
        max_field_chars: int = 1024,
    ) -> None:
        self._sink: Sink
        if isinstance(sink, (str, os.PathLike)):
            self._sink = FileSink(sink, max_bytes=max_bytes, backup_count=backup_count, fsync=fsync)
        elif isinstance(sink, logging.Logger) or callable(sink):
            self._sink = CallableSink(sink)
        else:
            raise TypeError(
                "AuditLog sink must be a path, a logging.Logger or a callable, "
                f"not {type(sink).__name__}"
            )
        self._key = key.reveal_bytes() if isinstance(key, Secret) else key
        self.max_field_chars = max_field_chars
        self._events: frozenset[str] = frozenset()
        self._head: AuditHead | None = None

    @property
    def path(self) -> str | None:
        """The log file's absolute path (``None`` for a logger or callable sink)."""
        return self._sink.path if isinstance(self._sink, FileSink) else None

    @property
    def head(self) -> AuditHead | None:
        """The last record this object wrote (``None`` before the first)."""
        return self._head

    def _build(self, seq: int, prev: str, event: str, fields: dict[str, Any]) -> bytes:
        return build_line(seq, _timestamp(time.time()), event, fields, prev, self._key)

    def log(self, event: str, **fields: Any) -> AuditHead:
        """Write one record and return once it is written (and fsync'd if configured).

        Raises :class:`~openrouter_secure.AuditLogError` when it cannot be written.
        """
        name = _strip(str(event))[:128] or "unnamed"
        clean = clean_fields(fields, self.max_field_chars)
        seq, digest = self._sink.append(self._build, name, clean)
        head = AuditHead(seq, digest)
        self._head = head
        return head

    # -- events ------------------------------------------------------------------------

    def attach(self, events: Iterable[str] | None = None) -> AuditLog:
        """Record the library's events (default: all of :data:`AUDITED_EVENTS`)."""
        self._events = frozenset(AUDITED_EVENTS if events is None else events)
        subscribe(self._on_event)
        return self

    def detach(self) -> None:
        unsubscribe(self._on_event)

    def _on_event(self, event: str, fields: dict[str, Any]) -> None:
        if event not in self._events:
            return
        schema = AUDITED_EVENTS.get(event)
        if schema is None:
            self.log(event, **fields)
            return
        kept = {k: v for k, v in fields.items() if k in schema}
        dropped = sorted(k for k in fields if k not in schema)
        if dropped:
            kept["_dropped"] = dropped
        self.log(event, **kept)

    def close(self) -> None:
        self.detach()
        self._sink.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
