"""A canary key and a canary prompt pushed through every audited event type never reach
the audit file, the alert hooks or a log record."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from openrouter_secure import Secret
from openrouter_secure._events import emit
from openrouter_secure.audit import Alert, Alerts, AuditLog, LoggingAlert, verify_audit_file
from openrouter_secure.audit._log import AUDITED_EVENTS
from openrouter_secure.limits import Budget, RateLimiter
from openrouter_secure.testing import LeakCheck, make_canary


def poisoned_fields(event: str, key: str, prompt: str) -> dict[str, Any]:
    """Every schema field carries the key; content-like extra fields carry the prompt."""
    fields: dict[str, Any] = {}
    for name in AUDITED_EVENTS[event]:
        fields[name] = f"{name}: Bearer {key}\n\x1b[31m"
    if "status" in fields:
        fields["status"] = 503
    fields["prompt"] = prompt
    fields["messages"] = [{"role": "user", "content": prompt}]
    fields["content"] = prompt
    fields["authorization"] = f"Bearer {key}"
    return fields


def test_canaries_never_reach_audit_file_alerts_or_logs(tmp_path: Path) -> None:
    key = make_canary()
    prompt = "canary prompt " + make_canary("plain")
    secret = Secret(key)
    path = tmp_path / "audit.jsonl"
    alerts_seen: list[Alert] = []
    audit = AuditLog(path).attach()
    alerts = Alerts([alerts_seen.append, LoggingAlert()], cooldown=0, upstream_burst=1).attach()
    budget = Budget("$0.01/day", spike_factor=None).attach()
    library_logger = logging.getLogger("openrouter_secure")
    saved_level = library_logger.level
    try:
        with LeakCheck(key, prompt) as leaks:
            library_logger.setLevel(logging.DEBUG)
            for event in AUDITED_EVENTS:
                fields = poisoned_fields(event, key, prompt)
                emit(event, **fields)
                audit.log(event, **fields)  # the direct path, no schema filter
            # And through the real producers: a limiter refusal and a budget breach.
            limiter = RateLimiter("1/minute")
            limiter.hit("tool:leak")
            limiter.hit("tool:leak")
            emit("usage.recorded", key_ref="key:a", model="m", prompt_tokens=1, cost=1.0)
            leaks.check(*alerts_seen, *(json.dumps(a.to_dict()) for a in alerts_seen))
    finally:
        library_logger.setLevel(saved_level)
        audit.close()
        alerts.detach()
        budget.detach()
    text = path.read_text()
    leaks.check(text)
    assert prompt not in text
    assert "canary prompt" not in text
    events = [json.loads(line)["event"] for line in text.splitlines()]
    assert set(AUDITED_EVENTS) <= set(events)
    assert "budget.exceeded" in events
    assert "ratelimit.hit" in events
    assert alerts_seen
    assert verify_audit_file(path).ok
    secret.wipe()
