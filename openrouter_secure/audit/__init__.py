"""The tamper-evident audit log and alerts.

- :class:`AuditLog` writes one JSON record per event, sanitized and hash-chained, to a
  private file (or any sink); :func:`verify_audit_file` proves a file was not edited,
  reordered or cut;
- :class:`Alerts` sends budget and rate-limit events to a logger or a webhook.
"""

from __future__ import annotations

from ._alerts import Alert, Alerts, LoggingAlert, WebhookAlert
from ._log import AuditHead, AuditLog
from ._verify import VerifyResult, verify_audit_file

__all__ = [
    "Alert",
    "Alerts",
    "AuditHead",
    "AuditLog",
    "LoggingAlert",
    "VerifyResult",
    "WebhookAlert",
    "verify_audit_file",
]
