"""Alerts: turn the library's events into :class:`Alert` objects for hooks.

A hook is any callable ``hook(alert)``. :class:`Alerts` watches the events
(``attach()``) and fires on authentication failures, rate-limit hits, rate-limit
storage failures, budget breaches, spend spikes, and bursts of upstream 5xx errors
(``upstream_burst`` within ``upstream_window`` seconds). A ``cooldown`` per alert kind
and key keeps a hot loop from sending thousands of alerts; the next alert after a
quiet spell says how many were suppressed.

Built-in hooks: :class:`LoggingAlert` and :class:`WebhookAlert` (HTTPS, sanitized
JSON body, bounded timeout, delivered from a background thread so the audited call
never waits on a slow receiver; failures are logged, never raised).
"""

from __future__ import annotations

import collections
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .._events import subscribe, unsubscribe
from .._exceptions import ConfigurationError
from .._net import transport_allowed
from .._refs import SecretRef
from .._sanitize._sanitizer import default_sanitizer
from .._secret import Secret
from ._log import clean_fields

__all__ = ["Alert", "AlertHook", "Alerts", "LoggingAlert", "WebhookAlert"]

log = logging.getLogger("openrouter_secure.alerts")


@dataclass(frozen=True)
class Alert:
    """One alert. ``kind`` is the event name (``auth.failed``, ``ratelimit.hit``,
    ``ratelimit.storage_error``, ``budget.exceeded``, ``budget.spike``) or
    ``upstream.burst``; ``severity`` ``"warning"`` or ``"critical"``; ``fields`` are
    the event's fields, already sanitized."""

    kind: str
    severity: str
    message: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": "openrouter-secure",
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "fields": dict(self.fields),
            "time": self.time,
        }


AlertHook = Callable[[Alert], object]

_SEVERITY = {
    "auth.failed": "critical",
    "ratelimit.hit": "warning",
    "ratelimit.storage_error": "critical",
    "budget.exceeded": "critical",
    "budget.spike": "warning",
}
# The field that tells one source of an alert from another, for the cooldown.
_SUBJECT = {
    "auth.failed": "key_ref",
    "ratelimit.hit": "key",
    "ratelimit.storage_error": "storage",
    "budget.exceeded": "key",
    "budget.spike": "key",
}


def _describe(kind: str, f: Mapping[str, Any]) -> str:
    if kind == "auth.failed":
        return (
            f"authentication failed (HTTP {f.get('status')}) on {f.get('method')} "
            f"{f.get('path')} with key {f.get('key_ref')}"
        )
    if kind == "ratelimit.hit":
        return f"rate limit {f.get('limit')} hit for {f.get('key')}"
    if kind == "ratelimit.storage_error":
        return f"rate-limit storage {f.get('storage')} unreachable ({f.get('error')})"
    if kind == "budget.exceeded":
        return f"budget {f.get('budget')} exceeded for {f.get('key')} (spent {f.get('spent')})"
    if kind == "budget.spike":
        return (
            f"spend spike for {f.get('key')}: {f.get('window_spend')} in the last window, "
            f"{f.get('factor')}x over the trailing average {f.get('trailing_average')}"
        )
    return kind


class Alerts:
    """Fans events out to alert hooks. ``attach()`` to start, ``detach()`` to stop."""

    def __init__(
        self,
        hooks: Iterable[AlertHook] = (),
        *,
        upstream_burst: int = 5,
        upstream_window: float = 60.0,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._hooks: list[AlertHook] = list(hooks)
        self.upstream_burst = upstream_burst
        self.upstream_window = upstream_window
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._upstream: collections.deque[float] = collections.deque()
        self._last: dict[tuple[str, str], float] = {}
        self._suppressed: dict[tuple[str, str], int] = {}

    def add(self, hook: AlertHook) -> None:
        self._hooks.append(hook)

    def remove(self, hook: AlertHook) -> None:
        self._hooks.remove(hook)

    def attach(self) -> Alerts:
        subscribe(self._on_event)
        return self

    def detach(self) -> None:
        unsubscribe(self._on_event)

    def fire(self, alert: Alert, *, subject: str = "") -> bool:
        """Send ``alert`` to every hook unless its cooldown holds; returns whether sent."""
        slot = (alert.kind, subject)
        now = self._clock()
        with self._lock:
            last = self._last.get(slot)
            if last is not None and now - last < self.cooldown:
                self._suppressed[slot] = self._suppressed.get(slot, 0) + 1
                return False
            self._last[slot] = now
            suppressed = self._suppressed.pop(slot, 0)
        if suppressed:
            alert = Alert(
                alert.kind,
                alert.severity,
                f"{alert.message} ({suppressed} more suppressed)",
                {**alert.fields, "suppressed": suppressed},
                alert.time,
            )
        for hook in list(self._hooks):
            try:
                hook(alert)
            except Exception:
                # An alert hook must never break the call that raised the alert.
                log.exception("alert hook %r failed on %s", hook, alert.kind)
        return True

    def _on_event(self, event: str, fields: dict[str, Any]) -> None:
        if event == "upstream.error":
            self._on_upstream(fields)
            return
        severity = _SEVERITY.get(event)
        if severity is None:
            return
        clean = clean_fields(fields, 256)
        subject = str(clean.get(_SUBJECT[event], ""))
        self.fire(Alert(event, severity, _describe(event, clean), clean), subject=subject)

    def _on_upstream(self, fields: Mapping[str, Any]) -> None:
        status = fields.get("status")
        if not isinstance(status, int) or status < 500:
            return
        now = self._clock()
        with self._lock:
            self._upstream.append(now)
            while self._upstream and now - self._upstream[0] > self.upstream_window:
                self._upstream.popleft()
            count = len(self._upstream)
            if count < self.upstream_burst:
                return
            self._upstream.clear()
        clean = clean_fields({**fields, "count": count, "window": self.upstream_window}, 256)
        message = (
            f"{count} upstream 5xx errors within {self.upstream_window:g}s "
            f"(last: HTTP {status} on {clean.get('method')} {clean.get('path')})"
        )
        self.fire(Alert("upstream.burst", "critical", message, clean))


class LoggingAlert:
    """Log each alert to ``logger`` (default ``openrouter_secure.alerts``)."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or log

    def __call__(self, alert: Alert) -> None:
        level = logging.ERROR if alert.severity == "critical" else logging.WARNING
        self.logger.log(level, "alert %s: %s", alert.kind, alert.message)


class WebhookAlert:
    """POST each alert as JSON to a webhook.

    ``url`` may be a ``Secret`` or a secret reference (chat webhooks carry their token
    in the path); only its scheme and host are ever logged. It must be ``https://``;
    ``http://`` is accepted only for a loopback host with
    ``allow_insecure_loopback=True`` (tests, a local relay). ``headers`` values may be
    ``Secret``. Delivery runs on a daemon thread from a bounded queue (``queue_size``;
    alerts beyond it are dropped and logged); ``flush()`` waits for it, ``close()``
    stops it. Each POST has ``timeout`` seconds; redirects are not followed; the URL is
    never logged (not even by the HTTP library).
    """

    def __init__(
        self,
        url: str | Secret | SecretRef,
        *,
        headers: Mapping[str, str | Secret] | None = None,
        timeout: float = 5.0,
        allow_insecure_loopback: bool = False,
        queue_size: int = 1000,
    ) -> None:
        if isinstance(url, SecretRef) or (
            isinstance(url, str) and not url.startswith(("https://", "http://"))
        ):
            from .._exceptions import NoProviderError
            from .._registry import resolve

            try:
                url = resolve(url)
            except NoProviderError:
                raise ConfigurationError(
                    "webhook URL must be https://host/... or a secret reference holding one"
                ) from None
        text = url.reveal() if isinstance(url, Secret) else url
        parts = urlsplit(text)
        host = parts.hostname or ""
        self.display = f"{parts.scheme}://{host}"
        if parts.scheme not in ("https", "http") or not host:
            raise ConfigurationError(
                f"webhook URL must be https://host/...; got a {parts.scheme or 'schemeless'} URL"
            )
        if not transport_allowed(parts, allow_insecure_loopback=allow_insecure_loopback):
            raise ConfigurationError(
                f"webhook {self.display} is plain http; alerts must go over https "
                "(http is allowed only to a loopback host with allow_insecure_loopback=True)"
            )
        # A path or query may hold the hook's token (chat webhooks do): registered as a
        # known secret, it is masked wherever it might show up.
        self._url = Secret(text, register=bool(parts.path.strip("/") or parts.query))
        self._headers = dict(headers or {})
        self.timeout = timeout
        self._queue: queue.Queue[Alert | None] = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.sent = 0
        self.failed = 0

    def __call__(self, alert: Alert) -> None:
        self._ensure_thread()
        try:
            self._queue.put_nowait(alert)
        except queue.Full:
            self.failed += 1
            log.warning("alert queue for %s is full; dropped a %s alert", self.display, alert.kind)

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="ors-webhook-alert", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        # httpcore, not httpx: httpx logs every request URL at INFO, and a webhook's URL
        # is often its credential. httpcore logs no URL.
        import httpcore

        headers = {
            k: (v.reveal() if isinstance(v, Secret) else v) for k, v in self._headers.items()
        }
        headers.setdefault("User-Agent", "openrouter-secure-alerts")
        headers["Content-Type"] = "application/json"
        with httpcore.ConnectionPool(max_connections=2) as pool:
            while True:
                alert = self._queue.get()
                try:
                    if alert is None:
                        return
                    self._send(pool, alert, headers)
                finally:
                    self._queue.task_done()

    def _send(self, pool: Any, alert: Alert, headers: dict[str, str]) -> None:
        body = json.dumps(default_sanitizer().sanitize_data(alert.to_dict())).encode()
        timeout = {"connect": self.timeout, "read": self.timeout, "write": self.timeout}
        timeout["pool"] = self.timeout
        try:
            response = pool.request(
                "POST",
                self._url.reveal(),
                headers=list(headers.items()),
                content=body,
                extensions={"timeout": timeout},
            )
        except Exception as exc:  # noqa: BLE001 - a failed alert is logged, never raised
            self.failed += 1
            log.warning("alert to %s failed: %s", self.display, type(exc).__name__)
            return
        if response.status >= 300:
            self.failed += 1
            log.warning("alert to %s answered HTTP %d", self.display, response.status)
        else:
            self.sent += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued alert was sent (or failed); returns whether it finished."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is queued, then stop the thread."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def __repr__(self) -> str:
        return f"WebhookAlert({self.display!r})"
