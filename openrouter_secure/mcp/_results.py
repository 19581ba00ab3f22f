"""One walk that masks secrets in anything an MCP server sends back.

:func:`sanitize_result` takes any result the SDK or a wire message holds (a
``CallToolResult``, ``GetPromptResult``, ``ReadResourceResult``, ``CompleteResult``, a
listing, an error's ``data``, or their serialized JSON form) and returns a copy in which
every string is sanitized, **mapping keys included**: text, ``structuredContent`` keys
and values, a resource link's ``uri``/``name``/``description``, embedded resources,
``annotations``, ``_meta`` on the result and on every content block. Values under
secret-looking names (``api_key``, ``password``...) are masked whole, in a mapping or
as the second item of a ``[name, value]`` pair (``[["authorization", "Bearer ..."]]``). ``mask``, if
given, is applied to every string after the sanitizer (the MCP gateway masks pieces
of the secrets it put in its upstream's environment).

It does not know the result types: it walks mappings, sequences, pydantic models
(every declared and extra field) and dataclasses, so a field a future
protocol revision adds is covered without a change here. Binary payloads (an image's or
audio block's base64 ``data``, a resource's ``blob``, ``bytes``) are checked in decoded
form (decoded leniently, as hosts' decoders do: line breaks and other whitespace
ignored, URL-safe alphabet and missing padding accepted) and passed byte-exact unless
they hold a secret: the bytes are read as UTF-8 text
(or, when they are not UTF-8, byte for byte as Latin-1, so a key embedded in an image's
metadata is found too), and only when the sanitizer changes that text is the payload
re-encoded from the sanitized text. Any other ``data`` string (an error's, a log
notification's) is sanitized as text and, when it is base64, checked decoded as well.
Everything around them (MIME type, URI, ``_meta``) is walked.

A secret split across **adjacent text blocks** (a tool paging a file in fixed-size
blocks; a client joins them) is masked too: each run of adjacent text blocks is also
sanitized as one joined text, and if that masks more, the run's first block carries the
whole sanitized text and the others are left empty.

Free of the in-process server: the MCP gateway applies the same function (through
:meth:`~._guard.Guard.clean`) to everything an upstream server sends.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic.networks import _BaseUrl

from .._sanitize._sanitizer import Sanitizer, is_secret_field

__all__ = ["sanitize_result"]

T = TypeVar("T")

_MAX_DEPTH = 64
# Content blocks whose ``data`` is base64 of binary media.
_BINARY_BLOCKS = frozenset({"image", "audio"})
# Shorter base64 under ``data`` is taken as text only (it would be a few bytes).
_MIN_ENCODED = 16

Mask = Callable[[str], str]


class _Scrub:
    """The sanitizer, then the extra mask, on one string."""

    def __init__(self, sanitizer: Sanitizer, mask: Mask | None) -> None:
        self.sanitizer = sanitizer
        self.mask = mask

    def __call__(self, text: str) -> str:
        return self.finish(self.sanitizer.sanitize(text))

    def finish(self, clean: str) -> str:
        """The extra mask, on text the sanitizer has cleaned."""
        return self.mask(clean) if self.mask is not None else clean


def sanitize_result(value: T, sanitizer: Sanitizer, mask: Mask | None = None) -> T:
    """A copy of ``value`` with every string (keys too) sanitized, then passed through
    ``mask`` if given; see the module docstring."""
    return _walk(value, _Scrub(sanitizer, mask), None, 0)  # type: ignore[no-any-return]


def _text(value: str, s: _Scrub, key: str | None) -> str:
    if key is not None and is_secret_field(key):
        masked: str = s.sanitizer.sanitize_data({key: value})[key]
        return masked
    clean = s(value)
    if key == "data" and clean == value and len(value) >= _MIN_ENCODED:
        # Base64 text outside a media block (an error's data): check it decoded too.
        return str(_binary(value, s))
    return clean


def _binary_key(item: Mapping[Any, Any], key: Any) -> bool:
    """Whether ``item[key]`` is a binary payload (kept as it is)."""
    if key == "blob":
        return True
    return key == "data" and item.get("type") in _BINARY_BLOCKS


_URLSAFE = str.maketrans("-_", "+/")


def _b64decode(text: str) -> bytes:
    """``text`` decoded as any decoder a host might use would: whitespace anywhere
    (MIME-style line breaks) ignored, the URL-safe alphabet accepted, padding optional.
    ``ValueError`` when it is not base64 in any of these forms."""
    compact = "".join(text.split()).translate(_URLSAFE).rstrip("=")
    if len(compact) % 4 == 1:
        raise ValueError("not base64")
    return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)


def _binary(value: Any, s: _Scrub) -> Any:
    """A binary payload (base64 text, or bytes) as it is, unless its bytes, read as
    UTF-8 or else as Latin-1, hold a secret: then that text, sanitized, in the same
    encoding (base64 re-encoded in the standard alphabet, one line). Text that is not
    base64 is sanitized as text."""
    if isinstance(value, str):
        # The text itself first: a secret in clear (or in a form the sanitizer knows)
        # may also happen to be made of base64 characters.
        clean_text = s(value)
        if clean_text != value:
            return clean_text
    try:
        raw = _b64decode(value) if isinstance(value, str) else bytes(value)
    except (ValueError, TypeError):  # binascii.Error included
        return s(value) if isinstance(value, str) else value
    try:
        encoding, text = "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError:
        encoding, text = "latin-1", raw.decode("latin-1")
    clean = s(text)
    if clean == text:
        return value
    encoded = clean.encode(encoding, "replace")
    return base64.b64encode(encoded).decode("ascii") if isinstance(value, str) else encoded


def _walk(value: Any, s: _Scrub, key: str | None, depth: int) -> Any:
    if isinstance(value, str):
        return _text(value, s, key)
    if isinstance(value, (bytes, bytearray)):
        return _binary(value, s)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if depth >= _MAX_DEPTH:
        # Deeper than any protocol message: refuse to pass what was not looked at.
        return "<REDACTED: nested too deep>"
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            name = k if isinstance(k, str) else None
            if _binary_key(value, k) and isinstance(v, (str, bytes)):
                out[k] = _binary(v, s)
                continue
            new_key = s(k) if isinstance(k, str) else k
            if new_key in out:
                # Two keys masked to the same text: keep both, told apart.
                new_key = f"{new_key}#{len(out)}"
            out[new_key] = _walk(v, s, name, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        items = [_walk(v, s, key, depth + 1) for v in value]
        if len(value) == 2 and isinstance(value[0], str) and is_secret_field(value[0]):
            # A ``[name, value]`` pair (headers as a list) is judged as ``{name: value}``.
            items[1] = _walk(value[1], s, value[0], depth + 1)
        _join_text_blocks(value, items, s)
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, BaseModel):
        return _walk_model(value, s, depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _walk(getattr(value, f.name), s, f.name, depth + 1)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, _BaseUrl):
        text = str(value)
        clean = s(text)
        return value if clean == text else clean
    return value


def _block_text(item: Any) -> str | None:
    """The text of a ``text`` content block (wire or SDK form), else None."""
    if isinstance(item, Mapping):
        kind, text = item.get("type"), item.get("text")
    elif isinstance(item, BaseModel):
        kind, text = getattr(item, "type", None), getattr(item, "text", None)
    else:
        return None
    return text if kind == "text" and isinstance(text, str) else None


def _with_text(item: Any, text: str) -> Any:
    if isinstance(item, BaseModel):
        return item.model_copy(update={"text": text})
    return {**item, "text": text}


def _join_text_blocks(original: Any, cleaned: list[Any], s: _Scrub) -> None:
    """Mask a secret split across adjacent text blocks (a tool paging a file).

    A client joins a result's text blocks; each was sanitized alone. For every run of
    two or more adjacent text blocks, their joined text is sanitized too: if that masks
    more than the blocks did one by one, the run's first block gets the whole sanitized
    text and the others are left empty (same number of blocks, same joined text, the
    secret masked)."""
    run: list[int] = []
    for i in range(len(original) + 1):
        text = _block_text(original[i]) if i < len(original) else None
        if text is not None:
            run.append(i)
            continue
        if len(run) >= 2:
            texts = [_block_text(original[j]) or "" for j in run]
            joined = s.sanitizer.sanitize_joined(texts)
            if joined != "".join(s.sanitizer.sanitize(t) for t in texts):
                cleaned[run[0]] = _with_text(cleaned[run[0]], s.finish(joined))
                for j in run[1:]:
                    cleaned[j] = _with_text(cleaned[j], "")
        run = []


def _walk_model(value: BaseModel, s: _Scrub, depth: int) -> BaseModel:
    """A pydantic model field by field (declared and extra), copied only if a field
    changed: the class, its private attributes and what its validators built are kept,
    so a library's own result types (fastmcp's, for one) come back as they were."""
    kind = getattr(value, "type", None)
    changes: dict[str, Any] = {}
    for name in type(value).model_fields:
        current = getattr(value, name, None)
        if name == "blob" or (name == "data" and kind in _BINARY_BLOCKS):
            cleaned = _binary(current, s) if isinstance(current, (str, bytes)) else current
        else:
            cleaned = _walk(current, s, name, depth + 1)
        if cleaned is not current and cleaned != current:
            changes[name] = cleaned
    for name, current in (value.model_extra or {}).items():
        cleaned = _walk(current, s, name, depth + 1)
        if cleaned != current:
            changes[name] = cleaned
    return value.model_copy(update=changes) if changes else value
