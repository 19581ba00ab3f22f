"""The doctor's safe fixes.

- ``permissions``: remove group/others bits from the file (and the directory, for
  config files), never adding any.
- ``plaintext-secret`` inside a server entry of a JSON config: store the secret in the
  OS keychain as ``keyring://openrouter-secure/<server>.<name>`` (a new name if that
  entry already holds a different value), read it back to prove it is there, then
  replace the literal with ``${secret:keyring://...}`` and rewrite the file atomically
  (same mode or stricter). If anything fails before the rewrite the file is untouched.

The program that reads the config must expand ``${secret:...}`` for the server to keep
working (servers built on openrouter-secure do, through :func:`load_config`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from ... import _events
from ..._exceptions import OpenRouterSecureError, SecretNotFoundError
from ..._files import write_private
from ..._refs import SecretRef
from ...config._formats import dump_document, read_document
from ...config._permissions import tighten_dir, tighten_file
from ...config._scan import Segment
from ._report import DoctorFinding, Report

__all__ = ["KEYRING_SERVICE", "apply_fixes", "fixable"]

KEYRING_SERVICE = "openrouter-secure"


def fixable(report: Report) -> list[DoctorFinding]:
    return [f for f in report.findings if f.fixable and not f.fixed]


def apply_fixes(report: Report) -> list[str]:
    """Apply every fixable finding; mark them ``fixed``; return error messages (no secrets)."""
    errors: list[str] = []
    by_file: dict[str, list[DoctorFinding]] = defaultdict(list)
    for finding in fixable(report):
        if finding.check == "plaintext-secret" and finding.file:
            by_file[finding.file].append(finding)
    for file, findings in by_file.items():
        try:
            _move_secrets(Path(file), findings)
        except (OpenRouterSecureError, OSError) as exc:
            errors.append(f"{file}: secrets not moved: {exc}")
    for finding in fixable(report):
        if finding.check == "permissions" and finding.file:
            path = Path(finding.file).resolve()
            try:
                if finding.rule == "file-permissions":
                    tighten_file(path)
                elif finding.rule == "dir-permissions":
                    tighten_dir(path.parent)
                finding.fixed = True
            except OSError as exc:
                errors.append(f"{finding.file}: chmod failed: {exc.strerror}")
    return errors


def _navigate(doc: Any, segments: tuple[Segment, ...]) -> tuple[Any, Segment]:
    node = doc
    for seg in segments[:-1]:
        node = node[seg]
    return node, segments[-1]


def _store(provider: Any, slug: str, value: str) -> SecretRef:
    """Put ``value`` under a free (or already identical) keychain name; verify; return it."""
    for n in range(1, 100):
        name = slug if n == 1 else f"{slug}-{n}"
        ref = SecretRef.build("keyring", f"{KEYRING_SERVICE}/{name}")
        try:
            existing = provider.get(ref)
        except SecretNotFoundError:
            existing = None
        if existing is not None:
            same = existing == value
            existing.wipe()
            if not same:
                continue
        else:
            provider.put(ref, value)
        check = provider.get(ref)
        ok = check == value
        check.wipe()
        if not ok:
            raise SecretNotFoundError(
                f"the keychain did not return what was stored under {ref}; nothing changed",
                ref=ref,
            )
        return ref
    raise SecretNotFoundError(f"no free keychain name for {slug}", backend="keyring")


def _move_secrets(path: Path, findings: list[DoctorFinding]) -> None:
    from ..._registry import get_provider

    provider = get_provider("keyring")
    doc, had_comments = read_document(path)
    if had_comments:
        raise OSError(f"{path} has comments; edit it by hand")
    # Replace from the end of each string so earlier spans stay valid.
    ordered = sorted(
        (f for f in findings if f.hit is not None and f.hit.span is not None),
        key=lambda f: (f.hit.segments, f.hit.span[0]) if f.hit and f.hit.span else ((), 0),
        reverse=True,
    )
    done: list[DoctorFinding] = []
    for finding in ordered:
        hit = finding.hit
        if hit is None or hit.span is None:
            continue
        parent, key = _navigate(doc, hit.segments)
        text = parent[key]
        if not isinstance(text, str):
            continue
        start, end = hit.span
        ref = _store(provider, hit.slug, text[start:end])
        parent[key] = text[:start] + "${secret:" + str(ref) + "}" + text[end:]
        finding.fix = f"moved to {ref}"
        done.append(finding)
    if not done:
        return
    real = Path(os.path.realpath(path))
    write_private(real, dump_document(doc, "json", str(path)))
    for finding in done:
        finding.fixed = True
    _events.emit("config.saved", path=str(path))
