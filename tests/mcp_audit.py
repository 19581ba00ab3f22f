"""The audit log the MCP guard tests write and read back (a pytest plugin registered
in conftest.py; modules import the helpers), and the log redaction ``secure()``
installs for the process, removed after the test that installed it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure.audit._log import AuditLog


def read_audit(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def fields(record: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = record.get("fields", record)
    return found


def events(path: Path, name: str) -> list[dict[str, Any]]:
    """The records of event ``name``, in order."""
    return [r for r in read_audit(path) if r.get("event") == name]


@pytest.fixture(autouse=True)
def _log_redaction_left_as_found() -> Iterator[None]:
    # secure() installs log redaction process-wide; a later test must find logging as
    # the previous one did (pytest's own handlers keep filters between tests).
    from openrouter_secure._sanitize import _logging

    before = list(_logging._attached)
    yield
    if not before and _logging._attached:
        _logging.remove_log_redaction()


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.fixture
def audit(audit_path: Path) -> Iterator[AuditLog]:
    log = AuditLog(audit_path)
    yield log
    log.close()
