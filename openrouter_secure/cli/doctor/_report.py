"""The doctor's report: findings, checked files, and the stable JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ...config._scan import Hit

__all__ = ["SCHEMA", "CheckedFile", "DoctorFinding", "Report"]

SCHEMA = "openrouter-secure/doctor/v1"


@dataclass
class DoctorFinding:
    """One thing the doctor found. ``severity``: ``error``, ``warning`` or ``info``."""

    check: str
    severity: str
    message: str
    file: str | None = None
    location: str | None = None
    rule: str | None = None
    fix: str | None = None
    fixable: bool = False
    fixed: bool = False
    hit: Hit | None = field(default=None, repr=False, compare=False)

    @property
    def problem(self) -> bool:
        return self.severity in ("error", "warning") and not self.fixed

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("hit")
        return out


@dataclass
class CheckedFile:
    path: str
    kind: str
    client: str = ""
    status: str = "ok"


@dataclass
class Report:
    files: list[CheckedFile] = field(default_factory=list)
    findings: list[DoctorFinding] = field(default_factory=list)
    #: One summary per store of the rotation state file (no key, a 12-digit hash prefix).
    rotation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.problem for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity and not f.fixed)

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "ok": self.ok,
            "summary": {
                "files": len(self.files),
                "errors": self.count("error"),
                "warnings": self.count("warning"),
                "fixed": sum(1 for f in self.findings if f.fixed),
            },
            "files": [asdict(f) for f in self.files],
            "findings": [f.as_json() for f in self.findings],
            "rotation": list(self.rotation),
        }
