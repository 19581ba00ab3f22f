"""Everything a secured server sends its client goes through the sanitizing walk.

Results and errors are not all a server sends. While it handles a request it may also
send **notifications** (``notifications/message`` from ``ctx.info``/``ctx.log``,
``notifications/progress`` from ``ctx.report_progress``, list changes) and
**requests** (``sampling/createMessage``, ``elicitation/create``, ``roots/list``,
``ping``). Each carries text the server's code wrote, so each can carry a key.

The one place all of them pass is the request's **outbound channel** (the SDK's
``Outbound``: ``notify``, ``send_raw_request``, ``progress``), once for the request's
own stream and once for the connection's standalone stream. :func:`clean_session`
returns the request's session with both channels wrapped so that every message's
parameters go through :func:`._results.sanitize_result` (the walk results take)
before they are sent: one choke point, whatever helper the server's code calls.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["CleanOutbound", "CleanOutgoing", "clean_session"]

Clean = Callable[[Any], Any]


class CleanOutbound:
    """An ``Outbound`` (or ``DispatchContext``) whose outgoing messages are sanitized;
    everything else is the wrapped channel's."""

    __slots__ = ("_clean", "_inner")

    def __init__(self, inner: Any, clean: Clean) -> None:
        self._inner = inner
        self._clean = clean

    async def notify(self, method: str, params: Mapping[str, Any] | None, opts: Any = None) -> None:
        await self._inner.notify(method, self._clean(params), opts)

    async def send_raw_request(
        self, method: str, params: Mapping[str, Any] | None, opts: Any = None
    ) -> Any:
        return await self._inner.send_raw_request(method, self._clean(params), opts)

    async def progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        await self._inner.progress(progress, total, self._clean(message))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CleanConnection:
    """A connection whose standalone ``outbound`` channel is sanitized."""

    __slots__ = ("_clean", "_inner")

    def __init__(self, inner: Any, clean: Clean) -> None:
        self._inner = inner
        self._clean = clean

    @property
    def outbound(self) -> CleanOutbound:
        return CleanOutbound(self._inner.outbound, self._clean)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def clean_session(session: Any, clean: Clean) -> Any:
    """A copy of an ``mcp`` ``ServerSession`` whose request-scoped and standalone
    channels sanitize every message (the original is left as it was).

    Raises ``RuntimeError`` when the session does not hold its channels where this
    SDK release keeps them: sending unsanitized is never the fallback.
    """
    if isinstance(session, _Cleaned):
        return session
    if not (hasattr(session, "_request_outbound") and hasattr(session, "_connection")):
        raise RuntimeError(
            "this mcp SDK release keeps a session's outbound channels elsewhere; "
            "openrouter-secure cannot sanitize what the server sends: use a supported "
            "mcp release"
        )
    cleaned = copy.copy(session)
    cleaned._request_outbound = CleanOutbound(session._request_outbound, clean)
    cleaned._connection = _CleanConnection(session._connection, clean)
    cleaned.__class__ = _cleaned_class(type(session))
    return cleaned


class CleanOutgoing:
    """SDK server middleware (``Server.middleware``) that hands the rest of the chain
    a request context whose session sanitizes everything it sends
    (:func:`clean_session`). For servers whose own layer sits on the SDK's low-level
    server (fastmcp)."""

    __openrouter_secure__ = True

    def __init__(self, clean: Clean) -> None:
        self._clean = clean

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Any]) -> Any:
        ctx = dataclasses.replace(ctx, session=clean_session(ctx.session, self._clean))
        return await call_next(ctx)


class _Cleaned:
    """Marks a session whose channels are already sanitized."""


_CLASSES: dict[type, type] = {}


def _cleaned_class(cls: type) -> type:
    found = _CLASSES.get(cls)
    if found is None:
        found = _CLASSES[cls] = type(cls.__name__, (cls, _Cleaned), {})
    return found
