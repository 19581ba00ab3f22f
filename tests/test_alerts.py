"""Alerts: events to hooks, cooldown, 5xx bursts, and a webhook to a loopback server."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from openrouter_secure import ConfigurationError, Secret
from openrouter_secure._events import emit
from openrouter_secure.audit import Alert, Alerts, LoggingAlert, WebhookAlert
from openrouter_secure.testing import LeakCheck


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collected() -> Iterator[tuple[Alerts, list[Alert], Clock]]:
    got: list[Alert] = []
    clock = Clock()
    alerts = Alerts([got.append], cooldown=60, upstream_burst=3, upstream_window=10, clock=clock)
    alerts.attach()
    yield alerts, got, clock
    alerts.detach()


@pytest.mark.parametrize(
    ("event", "fields", "severity"),
    [
        (
            "auth.failed",
            {"status": 401, "method": "POST", "path": "/x", "key_ref": "env://K"},
            "critical",
        ),
        (
            "ratelimit.hit",
            {"key": "tool:t", "limit": "1 per 1 minute", "retry_after": 3.0},
            "warning",
        ),
        ("budget.exceeded", {"key": "k", "budget": "$5/day", "spent": 5.2}, "critical"),
        (
            "budget.spike",
            {"key": "k", "window_spend": 2.0, "trailing_average": 0.1, "factor": 3.0},
            "warning",
        ),
        (
            "ratelimit.storage_error",
            {"key": "k", "storage": "redis://***@h:1", "fail_open": False, "error": "x"},
            "critical",
        ),
    ],
)
def test_each_event_kind_fires(
    collected: tuple[Alerts, list[Alert], Clock], event: str, fields: dict[str, Any], severity: str
) -> None:
    _, got, _ = collected
    emit(event, **fields)
    assert len(got) == 1
    assert (got[0].kind, got[0].severity) == (event, severity)
    assert got[0].fields == fields


def test_unrelated_events_do_not_fire(collected: tuple[Alerts, list[Alert], Clock]) -> None:
    _, got, _ = collected
    emit("secret.resolved", backend="env", ref="env://X")
    emit("upstream.error", status=429, method="POST", path="/x")
    assert got == []


def test_cooldown_per_kind_and_subject(collected: tuple[Alerts, list[Alert], Clock]) -> None:
    _, got, clock = collected
    for _ in range(5):
        emit("ratelimit.hit", key="tool:a", limit="1/m", retry_after=1)
    emit("ratelimit.hit", key="tool:b", limit="1/m", retry_after=1)
    assert [a.fields["key"] for a in got] == ["tool:a", "tool:b"]
    clock.now += 61
    emit("ratelimit.hit", key="tool:a", limit="1/m", retry_after=1)
    assert got[-1].fields["suppressed"] == 4
    assert "4 more suppressed" in got[-1].message


def test_upstream_5xx_burst(collected: tuple[Alerts, list[Alert], Clock]) -> None:
    _, got, clock = collected
    emit("upstream.error", status=502, method="POST", path="/chat/completions")
    clock.now += 11  # outside the window: forgotten
    emit("upstream.error", status=503, method="POST", path="/chat/completions")
    emit("upstream.error", status=500, method="POST", path="/chat/completions")
    assert got == []
    emit("upstream.error", status=500, method="POST", path="/chat/completions")
    assert len(got) == 1
    assert got[0].kind == "upstream.burst"
    assert got[0].fields["count"] == 3


def test_a_failing_hook_does_not_break_others(caplog: pytest.LogCaptureFixture) -> None:
    got: list[Alert] = []

    def broken(alert: Alert) -> None:
        raise RuntimeError("hook down")

    alerts = Alerts([broken, got.append], cooldown=0)
    assert alerts.fire(Alert("budget.exceeded", "critical", "m"))
    assert len(got) == 1
    assert "alert hook" in caplog.text


def test_logging_alert(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    LoggingAlert()(Alert("auth.failed", "critical", "authentication failed"))
    assert caplog.records[-1].levelno == logging.ERROR
    assert "auth.failed" in caplog.text


class _Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []
    headers_seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        type(self).headers_seen.append(dict(self.headers))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"bodies": [], "headers_seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_webhook_posts_a_sanitized_body(receiver: tuple[str, Any], canary: str) -> None:
    base, handler = receiver
    key = Secret(canary)
    token = Secret("hook-token-" + canary[-12:])
    hook = WebhookAlert(
        f"{base}/hooks/T000/{token.reveal()}",
        headers={"Authorization": token},
        allow_insecure_loopback=True,
        timeout=2,
    )
    with LeakCheck(canary, token.reveal()) as leaks:
        alerts = Alerts([hook], cooldown=0).attach()
        try:
            emit("auth.failed", status=401, method="POST", path=f"/x?k={canary}", key_ref="env://K")
        finally:
            alerts.detach()
        assert hook.flush(10)
        hook.close()
        leaks.check(repr(hook), hook.display)
    body = handler.bodies[0]
    assert body["kind"] == "auth.failed"
    assert body["source"] == "openrouter-secure"
    assert canary not in json.dumps(body)
    assert handler.headers_seen[0]["Authorization"] == token.reveal()
    assert hook.sent == 1
    assert hook.failed == 0
    key.wipe()


def test_webhook_failure_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    from tests.services import free_port

    hook = WebhookAlert(
        f"http://127.0.0.1:{free_port()}/x", allow_insecure_loopback=True, timeout=1
    )
    hook(Alert("budget.exceeded", "critical", "m"))
    assert hook.flush(10)
    hook.close()
    assert hook.failed == 1
    assert "alert to http://127.0.0.1 failed" in caplog.text


@pytest.mark.parametrize(
    ("url", "flag"),
    [
        ("http://alerts.example.com/hook", True),
        ("http://10.0.0.5/hook", True),
        ("http://127.0.0.1:9/hook", False),
        ("ftp://example.com/x", True),
    ],
)
def test_webhook_refuses_insecure_urls(url: str, flag: bool) -> None:
    with pytest.raises(ConfigurationError):
        WebhookAlert(url, allow_insecure_loopback=flag)


def test_webhook_accepts_https_and_a_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    assert WebhookAlert("https://alerts.example.com/hook").display == "https://alerts.example.com"
    monkeypatch.setenv("ORS_TEST_HOOK", "https://hooks.example.com/services/T/B/abcdef123456")
    hook = WebhookAlert("env://ORS_TEST_HOOK")
    assert hook.display == "https://hooks.example.com"
    assert "abcdef123456" not in repr(hook)
