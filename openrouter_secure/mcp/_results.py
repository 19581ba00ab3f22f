"""One walk that masks secrets in anything an MCP server sends back.

:func:`sanitize_result` takes any result the SDK or a wire message holds (a
``CallToolResult``, ``GetPromptResult``, ``ReadResourceResult``, ``CompleteResult``, a
listing, an error's ``data``, or their serialized JSON form) and returns a copy in which
every string is sanitized, **mapping keys included**: text, ``structuredContent`` keys
and values, a resource link's ``uri``/``name``/``description``, embedded resources,
``annotations``, ``_meta`` on the result and on every content block. Values under
secret-looking names (``api_key``, ``password``...) are masked whole.

It does not know the result types: it walks mappings, sequences, pydantic models (by
their JSON form, revalidated into the same class) and dataclasses, so a field a future
protocol revision adds is covered without a change here. Binary payloads (an image's or
audio block's base64 ``data``, a resource's ``blob``, ``bytes``) are passed as they are:
they are not text, and rewriting them would corrupt them; everything around them (MIME
type, URI, ``_meta``) is walked.

Free of the in-process server: the MCP gateway applies the same function to what an
upstream server answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .._sanitize._sanitizer import Sanitizer, is_secret_field

__all__ = ["sanitize_result"]

T = TypeVar("T")

_MAX_DEPTH = 64
# Content blocks whose ``data`` is base64 of binary media.
_BINARY_BLOCKS = frozenset({"image", "audio"})


def sanitize_result(value: T, sanitizer: Sanitizer) -> T:
    """A copy of ``value`` with every string (keys too) sanitized; see the module docstring."""
    return _walk(value, sanitizer, None, 0)  # type: ignore[no-any-return]


def _text(value: str, sanitizer: Sanitizer, key: str | None) -> str:
    if key is not None and is_secret_field(key):
        masked: str = sanitizer.sanitize_data({key: value})[key]
        return masked
    return sanitizer.sanitize(value)


def _binary_key(item: Mapping[Any, Any], key: Any) -> bool:
    """Whether ``item[key]`` is a binary payload (kept as it is)."""
    if key == "blob":
        return True
    return key == "data" and item.get("type") in _BINARY_BLOCKS


def _walk(value: Any, s: Sanitizer, key: str | None, depth: int) -> Any:
    if isinstance(value, str):
        return _text(value, s, key)
    if value is None or isinstance(value, (bool, int, float, bytes, bytearray)):
        return value
    if depth >= _MAX_DEPTH:
        # Deeper than any protocol message: refuse to pass what was not looked at.
        return "<REDACTED: nested too deep>"
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            name = k if isinstance(k, str) else None
            if _binary_key(value, k) and isinstance(v, (str, bytes)):
                out[k] = v
                continue
            new_key = s.sanitize(k) if isinstance(k, str) else k
            if new_key in out:
                # Two keys masked to the same text: keep both, told apart.
                new_key = f"{new_key}#{len(out)}"
            out[new_key] = _walk(v, s, name, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        items = [_walk(v, s, key, depth + 1) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, BaseModel):
        # Every field, defaults included: a block's ``type`` tells binary data apart.
        dumped = value.model_dump(mode="json", by_alias=True)
        cleaned = _walk(dumped, s, key, depth + 1)
        if cleaned == dumped:
            return value
        try:
            return type(value).model_validate(cleaned)
        except ValidationError:
            # A masked value no longer fits its field (a URI, say): the masked
            # values go through unvalidated rather than the secret validated.
            return type(value).model_construct(**cleaned)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _walk(getattr(value, f.name), s, f.name, depth + 1)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    return value
