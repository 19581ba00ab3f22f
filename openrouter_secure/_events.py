"""In-process events: the library announces what it did; listeners (the audit log,
metrics, a test) subscribe. A listener that raises is logged and skipped: auditing
must never break the action it audits, and an action must never fail silently
because of a listener.

Event names are dotted (``secret.resolved``, ``secret.resolve_failed``); fields are
plain values that never include a secret (references, backend names, error types).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Listener", "emit", "subscribe", "unsubscribe"]

Listener = Callable[[str, dict[str, Any]], None]

log = logging.getLogger("openrouter_secure.events")
_lock = threading.Lock()
_listeners: tuple[Listener, ...] = ()


def subscribe(listener: Listener) -> Listener:
    """Call ``listener(event, fields)`` for every event; returns it (usable as a decorator).

    Listeners run synchronously in the thread that emitted the event, so keep them
    quick; one that raises is logged and skipped. Subscribing the same listener twice
    calls it once. The events and their fields are listed in
    :data:`~openrouter_secure.audit.AUDITED_EVENTS`.
    """
    global _listeners
    with _lock:
        if listener not in _listeners:
            _listeners = (*_listeners, listener)
    return listener


def unsubscribe(listener: Listener) -> None:
    """Stop calling ``listener``; a listener that was never subscribed is ignored."""
    global _listeners
    with _lock:
        _listeners = tuple(x for x in _listeners if x != listener)


def emit(event: str, **fields: Any) -> None:
    for listener in _listeners:
        try:
            listener(event, fields)
        except Exception:
            log.exception("event listener %r failed on %s", listener, event)
