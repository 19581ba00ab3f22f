"""The tamper-evident audit log and alerts.

- :class:`AuditLog` writes one JSON record per event, sanitized and hash-chained, to a
  private file (or any sink); :func:`verify_audit_file` proves a file was not edited,
  reordered or cut;
- :class:`Alerts` sends budget and rate-limit events to a logger or a webhook;
- :func:`subscribe` and :func:`unsubscribe` give any listener (metrics, a test) the
  same in-process events the audit log and alerts read; :data:`AUDITED_EVENTS` maps
  each of the library's events to the fields the audit log keeps for it.
"""

from __future__ import annotations

from .._events import subscribe, unsubscribe
from ._alerts import Alert, Alerts, LoggingAlert, WebhookAlert
from ._log import AUDITED_EVENTS, AuditHead, AuditLog
from ._verify import VerifyResult, verify_audit_file

__all__ = [
    "AUDITED_EVENTS",
    "Alert",
    "Alerts",
    "AuditHead",
    "AuditLog",
    "LoggingAlert",
    "VerifyResult",
    "WebhookAlert",
    "subscribe",
    "unsubscribe",
    "verify_audit_file",
]
