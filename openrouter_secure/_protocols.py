"""The small interfaces where the library's parts meet: rate limiters and audit sinks.

Each is a :class:`~typing.Protocol`, so any object with these methods fits, with no
base class to inherit (the way httpx's ``Auth`` and ``BaseTransport`` are small types
to implement). They live in the core, below every concern, so that the client, the
MCP adapter and anything else can name them without importing one another:
:class:`~openrouter_secure.limits.RateLimiter` fits :class:`Limiter` and
:class:`AsyncLimiter`, :class:`~openrouter_secure.audit.AuditLog` fits
:class:`AuditSink` (mypy checks both where they are passed, in
:mod:`openrouter_secure.mcp`). Public through :mod:`openrouter_secure.limits` and
:mod:`openrouter_secure.mcp`.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["AsyncLimiter", "AuditSink", "LimitResult", "Limiter"]


class LimitResult(Protocol):
    """A limiter's answer: truthy when the request may go; when it may not,
    ``retry_after`` says in how many seconds to try again."""

    def __bool__(self) -> bool: ...
    @property
    def retry_after(self) -> float: ...


class Limiter(Protocol):
    """A rate limiter asked from synchronous code: ``hit(key)`` counts one request for
    ``key`` and says whether it may go."""

    def hit(self, key: str, /) -> LimitResult: ...


class AsyncLimiter(Protocol):
    """A rate limiter asked from ``async`` code: ``await ahit(key)``, as :class:`Limiter`."""

    async def ahit(self, key: str, /) -> LimitResult: ...


class AuditSink(Protocol):
    """Where audit records go: ``log(event, **fields)`` writes one record.

    ``fields`` are JSON-ready values that the caller has already sanitized (argument
    shapes, names, rules; no content). Whatever ``log`` returns is ignored (an
    :class:`~openrouter_secure.audit.AuditLog` returns its chain head); should it
    raise, the caller logs the failure and goes on.
    """

    def log(self, event: str, **fields: Any) -> object: ...
