"""The Sanitizer: find and mask secrets in text, headers, payloads and exceptions.

(Foundation skeleton: masks the exact values of known secrets and values under
secret-looking names. Detection rules, encodings, streams and logging arrive with
the Sanitizer issue; the public signatures below are final.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from . import _known
from ._fingerprint import fingerprint as _keyed_fingerprint
from ._secret import MASK

__all__ = ["MASK", "Finding", "Sanitizer", "default_sanitizer", "mask_value", "scrub_text"]

T = TypeVar("T")

_SECRET_KEY = re.compile(
    r"(?:^|[_\-.\s]|(?<=[a-z])(?=[A-Z]))"
    r"(?:api[_-]?key|apikey|password|passwd|pwd|secret|token|authorization|auth|"
    r"private[_-]?key|client[_-]?secret|credentials?|cookie|session[_-]?id|access[_-]?key)"
    r"(?:$|[_\-.\s]|(?=[A-Z]))",
    re.I,
)
_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-goog-api-key",
        "x-vault-token",
        "x-amz-security-token",
        "openai-api-key",
    }
)


@dataclass(frozen=True)
class Finding:
    """Where a secret was found: the rule that matched and the span. Never the value."""

    rule: str
    start: int
    end: int


def mask_value(value: str) -> str:
    """``sk-o...***MASKED***``: the first 4 characters (a key's public prefix), then the mask."""
    return MASK if len(value) <= 4 else f"{value[:4]}...{MASK}"


def is_secret_key(name: str) -> bool:
    """Whether a field or header name looks like it holds a secret (``max_tokens`` does not)."""
    if name.lower() in _SECRET_HEADERS:
        return True
    return bool(_SECRET_KEY.search(name)) and not name.lower().startswith(("max_", "num_"))


class Sanitizer:
    """Finds and masks secrets. Thread-safe; one instance serves a whole process."""

    def find(self, text: str) -> list[Finding]:
        findings = []
        for value in _known.known_values():
            start = text.find(value)
            while start != -1:
                findings.append(Finding("known-secret", start, start + len(value)))
                start = text.find(value, start + len(value))
        findings.sort(key=lambda f: (f.start, -f.end))
        return findings

    def sanitize(self, text: str) -> str:
        for value in sorted(_known.known_values(), key=len, reverse=True):
            if value in text:
                text = text.replace(value, mask_value(value))
        return text

    def sanitize_headers(
        self, headers: Mapping[str, str] | Iterable[tuple[str, str]]
    ) -> dict[str, str]:
        items = headers.items() if isinstance(headers, Mapping) else headers
        out = {}
        for name, value in items:
            if name.lower() in _SECRET_HEADERS:
                scheme, sep, rest = value.partition(" ")
                out[name] = f"{scheme} {mask_value(rest)}" if sep and rest else mask_value(value)
            else:
                out[name] = self.sanitize(value)
        return out

    def sanitize_data(self, obj: T) -> T:
        return self._walk(obj, None)  # type: ignore[no-any-return]

    def _walk(self, obj: Any, key: str | None) -> Any:
        if isinstance(obj, Mapping):
            return {k: self._walk(v, str(k)) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            items = [self._walk(v, key) for v in obj]
            return items if isinstance(obj, list) else tuple(items)
        if isinstance(obj, str):
            if key is not None and is_secret_key(key):
                return mask_value(obj)
            return self.sanitize(obj)
        return obj

    def redact(self, text: str) -> str:
        return f"<REDACTED: {len(text)} chars>"

    def fingerprint(self, text: str) -> str:
        return _keyed_fingerprint(text)

    def truncate(self, text: str, limit: int = 100) -> str:
        clean = self.sanitize(text)
        return clean if len(clean) <= limit else clean[:limit] + "..."

    def scrub_exception(self, exc: BaseException) -> BaseException:
        clone = type(exc).__new__(type(exc))
        clone.args = tuple(self.sanitize(a) if isinstance(a, str) else a for a in exc.args)
        return clone


_default = Sanitizer()


def default_sanitizer() -> Sanitizer:
    """The process-wide :class:`Sanitizer`."""
    return _default


def scrub_text(text: str) -> str:
    """Sanitize ``text`` with the default sanitizer; on any failure, withhold it entirely."""
    try:
        return _default.sanitize(text)
    except Exception:  # noqa: BLE001 - fail closed: never hand back the raw text
        return f"<REDACTED: {len(text)} chars; sanitizer failed>"
