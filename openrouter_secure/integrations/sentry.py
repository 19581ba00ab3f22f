"""Sentry: scrub error reports and transactions before they leave the process.

::

    import sentry_sdk
    from openrouter_secure.integrations.sentry import (
        before_send, before_send_log, before_send_transaction)

    sentry_sdk.init(dsn=..., before_send=before_send,
                    before_send_transaction=before_send_transaction,
                    before_send_log=before_send_log)  # with enable_logs=True
    # with span streaming (trace_lifecycle="stream"): before_send_span=before_send_span

Every string in the event goes through the Sanitizer: the message and log entry, each
exception's value, every frame's local variables, breadcrumbs, the request (URL, query
string, headers, cookies, body), ``extra``, ``contexts``, ``tags`` and span data. A
value under a secret-looking name (``api_key``, ``Authorization``, ``password``,
``Cookie``) is masked whole, as a mapping key or as the name of a ``[name, value]``
pair (the protocol's list form of query strings, tags, headers and form data); prompt,
completion and tool content (GenAI attributes such as ``gen_ai.prompt`` or
``gen_ai.request.messages``, and what sentry-sdk's AI and MCP integrations record) is
replaced by its length. Should
scrubbing fail, the event is dropped, never sent as it was. Needs
``pip install "openrouter-secure[sentry]"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

try:
    import sentry_sdk  # noqa: F401 - fail at import, not at the first event, without it
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "openrouter_secure.integrations.sentry needs sentry-sdk: "
        'pip install "openrouter-secure[sentry]"'
    ) from exc

from .._sanitize._sanitizer import MASK, Sanitizer, default_sanitizer, is_secret_field
from ._genai import NAMESPACES, is_content_key

__all__ = [
    "SentryScrubber",
    "before_send",
    "before_send_log",
    "before_send_span",
    "before_send_transaction",
]

# Whole values that are credentials by where they sit in a Sentry event.
_MASKED_KEYS = frozenset({"cookies", "cookie"})
_MAX_DEPTH = 64


class SentryScrubber:
    """A ``before_send`` / ``before_send_transaction`` hook (also ``before_send_log``).

    ``sanitizer`` defaults to the process's shared one (which also knows every value
    held in a :class:`~openrouter_secure.Secret`). ``drop_content=False`` keeps prompt
    and completion attributes (still sanitized). Returns a scrubbed copy of the event,
    or ``None`` (drop it) if scrubbing fails.
    """

    def __init__(self, sanitizer: Sanitizer | None = None, *, drop_content: bool = True) -> None:
        self._sanitizer = sanitizer
        self.drop_content = drop_content

    @property
    def sanitizer(self) -> Sanitizer:
        return self._sanitizer or default_sanitizer()

    def __call__(self, event: Any, hint: Any = None) -> Any:
        try:
            return self.scrub(event)
        except Exception:  # noqa: BLE001 - fail closed: an unscrubbed event is never sent
            return None

    def scrub_span(self, span: Any, hint: Any = None) -> Any:
        """A ``before_send_span`` hook, for sentry-sdk's span streaming
        (``trace_lifecycle="stream"``), where spans skip ``before_send_transaction``.

        sentry-sdk cannot drop a streamed span and keeps the original when the hook
        fails, so a span that cannot be scrubbed comes back nameless and without
        attributes instead.
        """
        try:
            return self.scrub(span)
        except Exception:  # noqa: BLE001 - fail closed: an unscrubbed span is never sent
            return {"name": "<unscrubbed span>", "attributes": {}}

    def scrub(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """A scrubbed copy of ``event`` (the original is not changed)."""
        scrubbed = self._walk(event, None, 0, ())
        assert isinstance(scrubbed, dict)
        return scrubbed

    def _walk(self, obj: Any, key: str | None, depth: int, path: tuple[str, ...]) -> Any:
        """Scrub ``obj``, found under ``key``; ``path`` holds the mapping keys leading to it
        from the outermost GenAI namespace key on (``("gen_ai", "request")``), if any."""
        if depth > _MAX_DEPTH:
            return MASK
        if key is not None and obj is not None and not isinstance(obj, bool):
            if (is_secret_field(key) or key.lower() in _MASKED_KEYS) and not (
                # A number under a GenAI attribute is a count (llm.token_count.prompt),
                # never a credential; elsewhere a numeric PIN is masked like any value.
                isinstance(obj, (int, float)) and key.split(".")[0].lower() in NAMESPACES
            ):
                return MASK
            if (
                self.drop_content
                and not isinstance(obj, (int, float))
                and (is_content_key(key) or (len(path) > 1 and is_content_key(".".join(path))))
            ):
                return self.sanitizer.redact(obj if isinstance(obj, str) else repr(obj))
        if isinstance(obj, str):
            return self.sanitizer.sanitize(obj)
        if isinstance(obj, Mapping):
            # Keys are scanned too: a dict keyed by API key is not unheard of.
            sanitize = self.sanitizer.sanitize
            # {"name": "password", "value": ...} (HAR, cloud tag lists) names its value.
            label = _entry_name(obj)
            return {
                sanitize(str(k)): self._walk(
                    v,
                    label if label is not None and str(k).lower() == "value" else str(k),
                    depth + 1,
                    _extend(path, str(k)),
                )
                for k, v in obj.items()
            }
        if isinstance(obj, (list, tuple)):
            # The event protocol allows [name, value] pairs wherever a mapping is expected
            # (headers, cookies, query_string, tags, form data, and in extra): the name
            # decides for its value as a mapping key would.
            out: list[Any] = []
            for i, item in enumerate(obj):
                name = _pair_name(item)
                if name is not None:
                    value = self._walk(item[1], name, depth + 2, _extend(path, name))
                    out.append([self.sanitizer.sanitize(name), value])
                elif i and item is not None and _is_secret_flag(obj[i - 1]):
                    out.append(MASK)  # an argument vector: ["prog", "--api-key", value]
                else:
                    out.append(self._walk(item, key, depth + 1, path))
            return out
        if isinstance(obj, (bytes, bytearray)):
            return self.sanitizer.sanitize(bytes(obj).decode("utf-8", "replace"))
        return obj


def _extend(path: tuple[str, ...], key: str) -> tuple[str, ...]:
    """The GenAI path below ``key``: attributes nested rather than dotted
    (``{"gen_ai": {"prompt": ...}}``) are judged by their dotted name."""
    if path:
        return (*path, key) if len(path) < 12 else path
    return (key,) if key.lower() in NAMESPACES else ()


def _pair_name(item: object) -> str | None:
    """The name of a ``[name, value]`` pair, or ``None`` if ``item`` is not one."""
    if not isinstance(item, (list, tuple)) or len(item) != 2:
        return None
    name = item[0]
    if isinstance(name, (bytes, bytearray)):
        name = bytes(name).decode("utf-8", "replace")
    return name if isinstance(name, str) else None


def _entry_name(obj: Mapping[Any, Any]) -> str | None:
    """The ``name``/``key`` of a ``{"name": ..., "value": ...}`` entry, else ``None``."""
    keys = {str(k).lower(): k for k in obj}
    if "value" not in keys:
        return None
    for field in ("name", "key"):
        if field in keys and isinstance(obj[keys[field]], str):
            return str(obj[keys[field]])
    return None


def _is_secret_flag(item: object) -> bool:
    """A command-line option naming a secret (``--api-key``, ``-password``)."""
    return (
        isinstance(item, str)
        and item.startswith("-")
        and "=" not in item
        and is_secret_field(item.lstrip("-"))
    )


before_send = SentryScrubber()
"""The default scrubber, for ``sentry_sdk.init(before_send=...)``."""

before_send_transaction = before_send
"""The same scrubber, for ``sentry_sdk.init(before_send_transaction=...)``."""

before_send_log = before_send
"""The same scrubber, for Sentry's logs: ``sentry_sdk.init(enable_logs=True,
before_send_log=...)``."""

before_send_span = before_send.scrub_span
"""The same scrubber, for streamed spans: ``sentry_sdk.init(trace_lifecycle="stream",
before_send_span=...)``."""
