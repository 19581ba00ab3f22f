"""``AuditLog``: a tamper-evident record of what the library did, as JSON lines.

Every record is chained to the one before it (see :mod:`._chain` for the exact
format), so editing, deleting, inserting or reordering a line is found by
:func:`verify_audit_file` at that line. What goes in is cleaned first, in one walk
over the fields (:func:`clean_fields`):

1. values become JSON (``Secret`` → its mask, bytes decoded, exceptions scrubbed,
   other objects → ``str``; ints, floats, bools and ``None`` stay as they are);
2. every string, field names included, goes through ``Sanitizer.sanitize``; values
   under secret names are masked by ``Sanitizer.sanitize_data``;
3. control characters are removed (tabs and newlines become spaces; bidi overrides
   and line separators go too), so no field can forge a line or hide text; a string
   this changed is sanitized again (removing a character can join a split secret);
4. string values of fields named like content are replaced by ``<REDACTED: N
   chars>``: names are split into words (``_``, ``-``, ``.``, digits and camelCase),
   compared in their singular form too, and a name whose last word is a content word
   (``prompt``, ``messages``, ``text``, ``body``, ``msg``, ``question``, ``answer``,
   ``reply``, ``history``, ...: ``user_prompt``, ``userPrompt``, ``texts``,
   ``chat_history``) or that holds a strong stem (``prompt``, ``message``, ``msg``,
   ``content``, ``completion``, ``chat``, ``conversation``, ...) anywhere without
   ending in a metadata word (``promptTemplate``; not ``prompt_name``,
   ``prompt_tokens``, ``chat_model``) counts, and so does everything nested under a
   field with a strong stem (``messages=[{"parts": ...}]``); long strings are cut to
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

from .. import _known
from .._events import subscribe, unsubscribe
from .._sanitize._sanitizer import Sanitizer, default_sanitizer, is_secret_field
from .._secret import MASK, Secret
from ._chain import build_record, record_key
from ._sinks import CallableSink, FileSink, Sink
from ._verify import VerifyResult, verify_audit_file

__all__ = ["AUDITED_EVENTS", "AuditHead", "AuditLog", "VerifyResult", "verify_audit_file"]

# A tool decision's fields; never its arguments (an argument *shape* is fine).


def _mcp_events(kind: str, field: str, *extra: str) -> dict[str, tuple[str, ...]]:
    """The MCP guard's records for one kind of request (tool, prompt, resource), whose
    name is in ``field``."""
    decided = ("server", field, "rule", "client", "client_name", *extra)
    # repeated: identical refusals folded into this record; method: the request's, when
    # not the item's own (completion/complete); observed: recorded, not enforced.
    refused = (*decided, "repeated", "method", "observed")
    return {
        f"{kind}.allowed": (*decided, "observed"),
        f"{kind}.denied": refused,
        f"{kind}.rate_limited": (*refused, "retry_after"),
        f"{kind}.error": ("server", field, "client", "error"),
        f"{kind}.finished": ("server", field, "client", "outcome", "duration_ms"),
    }


#: Event name → the fields an audit record keeps for it (any other field is dropped).
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
    **_mcp_events("tool", "tool", "argument_shape"),
    "tool.path_refused": ("server", "tool", "client", "argument"),
    **_mcp_events("prompt", "prompt_name", "argument_shape"),
    **_mcp_events("resource", "resource"),
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
# A field is content when its name's last word is one of these (``user_prompt``,
# ``chat_history``, ``bodies``), or when any word is a strong one (``promptTemplate``,
# ``messages_json``, ``chat_log``) and the last is not one that names metadata about
# the content (``prompt_name``, ``prompt_tokens``, ``message_id``, ``chat_model``).
# Words are split on ``_ - .``, spaces, digits and camelCase humps, and compared in
# their singular form too (``texts``, ``bodies``, ``replies``); a strong stem also counts
# inside a run-together word (``userprompt``, ``usermsg``), unless a metadata word ends
# it (``prompttokens``). Numbers, booleans and ``None`` are never redacted, whatever
# the name: counts and durations stay readable under any name.
_CONTENT_WORDS = frozenset(
    {
        # what a model is sent or returns
        "prompt", "message", "msg", "content", "completion", "generation", "input",
        "output", "text", "txt", "body", "payload", "arguments", "args", "response", "resp",
        "request", "result", "query", "instruction", "context",
        # chat vocabulary
        "chat", "conversation", "dialog", "dialogue", "history", "transcript", "utterance",
        "question", "answer", "reply",
        # documents handed to a model
        "document", "passage", "excerpt", "snippet", "summary",
    }
)  # fmt: skip
# Strong stems: content anywhere in a name, also run together with other words.
_STRONG_STEMS = (
    "prompt", "message", "msg", "content", "completion", "instruction", "transcript",
    "conversation", "dialog", "chat", "history",
)  # fmt: skip
_META_WORDS = frozenset(
    {
        "name", "id", "uuid", "token", "tokens", "count", "total", "number", "num", "shape",
        "hash", "sha", "digest", "checksum", "len", "length", "chars", "size", "type",
        "kind", "ref", "version", "format", "schema", "role", "index", "status", "code",
        "cost", "model", "provider", "tool", "server", "client", "outcome", "duration",
        "ms", "seconds", "time", "timestamp", "ts", "at", "date", "limit", "max", "min",
        "lang", "language", "encoding", "mime", "url", "uri", "path",
    }
)  # fmt: skip
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


@functools.lru_cache(maxsize=4096)
def _forms(word: str) -> tuple[str, ...]:
    """``word`` and the singular forms it may be (``bodies`` → ``body``, ``texts`` → ``text``)."""
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        forms.append(word[:-2])
    if word.endswith("s") and len(word) > 2:
        forms.append(word[:-1])
    return tuple(forms)


def _is_word(word: str, vocabulary: frozenset[str]) -> bool:
    return any(form in vocabulary for form in _forms(word))


def _strong_inside(word: str) -> bool:
    """Whether a word holds a strong stem, also run together with others
    (``userprompt``, ``chatmessages``, ``htmlcontent``, ``usermsg``)."""
    return any(stem in word for stem in _STRONG_STEMS)


def _meta_tail(word: str) -> bool:
    """Whether a run-together word ends in a metadata word after a strong one
    (``prompttokens``, ``messageid``, ``contenttype``): it names metadata."""
    return any(word.endswith(meta) and _strong_inside(word[: -len(meta)]) for meta in _META_WORDS)


def _is_content_name(name: str) -> bool:
    words = [w.lower() for w in _WORD.findall(name)]
    while words and words[-1].isdigit():  # ``text2``, ``reply_1``: the number says nothing
        words.pop()
    if not words:
        return False
    last = words[-1]
    if _is_word(last, _CONTENT_WORDS):
        return True
    if _is_word(last, _META_WORDS) or _meta_tail(last):
        return False
    return any(_strong_inside(w) for w in words)


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


_SECRET = 1
_CONTENT = 2
_PROMPT = 4  # content whose nested fields are all content too


@functools.lru_cache(maxsize=4096)
def _name_kind(name: str) -> int:
    """What a field's name says about its value: ``_SECRET``, ``_CONTENT`` (with ``_PROMPT``
    when everything nested under it is content too), or 0.

    A pure function of the name, and names repeat on every record, so it is computed
    once per name (bounded: ever-new names only evict old entries).
    """
    kind = _SECRET if is_secret_field(name) else 0
    if _is_content_name(name):
        kind |= _CONTENT
        if any(_strong_inside(w.lower()) for w in _WORD.findall(name)):
            kind |= _PROMPT
    return kind


def _pair_name(value: Any) -> str | None:
    """The name of a 2-item list or tuple whose first item names what the second is."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    first = value[0]
    if isinstance(first, (bytes, bytearray)):
        first = bytes(first).decode("utf-8", "replace")
    if not isinstance(first, str) or len(first) > 256 or not _name_kind(first):
        return None
    return first


def _scrub(sanitizer: Sanitizer, text: str) -> str:
    # Sanitize, then strip control characters. Stripping can join a split secret back
    # together, so a text it changed is sanitized again; the first pass still matters,
    # since a control character can be the boundary a rule needs to see a key.
    out = sanitizer.sanitize(text)
    if out.isprintable():
        return out
    return _strip(sanitizer.sanitize(_strip(out)))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"...<{len(text) - limit} more chars>"


@functools.lru_cache(maxsize=4096)
def _clean_name(name: str, sanitizer: Sanitizer, known: int) -> str:
    # A field name, cleaned like a value (a dict keyed by key values must not leak
    # them). ``known`` (the known-value registry's version) is only part of the cache
    # key: registering a new secret re-checks every name.
    del known
    return _cut(_scrub(sanitizer, name), 128)


def _clean(sanitizer: Sanitizer, value: Any, limit: int, name: str, kind: int, depth: int) -> Any:
    """One walk: JSON-safe, every string sanitized and stripped, names applied, cut.

    ``name`` / ``kind`` are the nearest enclosing field name and what it says
    (:func:`_name_kind`); list items inherit them, as in ``Sanitizer.sanitize_data``.
    """
    if type(value) is str:  # the common case first
        pass
    elif value is None or isinstance(value, (bool, int)):
        return value
    elif isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    elif isinstance(value, str):
        value = str.__str__(value)
    elif isinstance(value, Secret):
        return MASK
    elif isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    elif depth >= 8:
        return "<nested too deep>"
    elif isinstance(value, Mapping):
        known = _known.version()
        # Everything under a prompt-like field is content (``messages=[{"parts": ...}]``);
        # under ``arguments``, ``request``, ``body`` each key is judged by its own name.
        inherited = _CONTENT | _PROMPT if kind & _PROMPT else 0
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = k if type(k) is str else str(k)
            out[_clean_name(key, sanitizer, known)] = _clean(
                sanitizer, v, limit, key, _name_kind(key) | inherited, depth + 1
            )
        return out
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = [_clean(sanitizer, v, limit, name, kind, depth + 1) for v in value]
        pair = _pair_name(value)
        if pair is not None and isinstance(value, (list, tuple)):
            # A ``(name, value)`` pair (raw headers) is judged as ``{name: value}``.
            items[1] = _clean(sanitizer, value[1], limit, pair, _name_kind(pair), depth + 1)
        return items
    elif isinstance(value, BaseException):
        value = f"{type(value).__name__}: {sanitizer.scrub_exception(value)}"
    else:
        value = str(value)
    if kind:
        if kind & _SECRET:
            # How a value under a secret name is masked is the sanitizer's call.
            value = sanitizer.sanitize_data({name: value})[name]
        if kind & _CONTENT:
            return sanitizer.redact(value)
    return _cut(_scrub(sanitizer, value), limit)


def clean_fields(fields: Mapping[str, Any], max_chars: int = 1024) -> dict[str, Any]:
    """The fields as they will be written: sanitized, JSON-safe, stripped, bounded.

    Every string (values, field names, ``str()`` of other objects and exceptions) goes
    through ``default_sanitizer().sanitize``; values under secret-looking names are
    masked by ``sanitize_data``; content-named values become ``<REDACTED: N chars>``.
    """
    sanitizer = default_sanitizer()
    known = _known.version()
    cleaned: dict[str, Any] = {}
    # The top level is _clean's Mapping branch with its commonest case inlined: a
    # plain string under a plain name (this loop runs for every field of every record).
    for k, value in fields.items():
        key = k if type(k) is str else str(k)
        kind = _name_kind(key)
        if kind or type(value) is not str:
            value = _clean(sanitizer, value, max_chars, key, kind, 1)
        else:
            value = sanitizer.sanitize(value)
            if not value.isprintable():
                value = _strip(sanitizer.sanitize(_strip(value)))
            if len(value) > max_chars:
                value = _cut(value, max_chars)
        cleaned[_clean_name(key, sanitizer, known)] = value
    return cleaned


def _event_name(event: object) -> str:
    name = _clean_name(str(event), default_sanitizer(), _known.version())
    return name[:128] or "unnamed"


_second: tuple[int, str] = (-1, "")


def _timestamp(now: float) -> str:
    global _second
    whole = int(now)
    micros = int((now - whole) * 1_000_000)
    cached = _second  # one read: another thread may replace it
    if cached[0] != whole:
        cached = _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{cached[1]}.{micros:06d}Z"


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
        self._key = record_key(key.reveal_bytes() if isinstance(key, Secret) else key)
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

    def _build(self, seq: int, prev: str, event: str, fields: dict[str, Any]) -> tuple[bytes, str]:
        return build_record(seq, _timestamp(time.time()), event, fields, prev, self._key)

    def log(self, event: str, **fields: Any) -> AuditHead:
        """Write one record and return once it is written (and fsync'd if configured).

        Raises :class:`~openrouter_secure.AuditLogError` when it cannot be written.
        """
        name = _event_name(event)
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
