"""The doctor's safe fixes: planned first (exact keychain names), then applied.

- ``permissions``: remove group/others bits from a file, and tighten a config
  directory to 0700 (the rule is :mod:`openrouter_secure.config._permissions`; modes
  are never changed through a symbolic link).
- ``plaintext-secret`` in a server entry of a JSON config (see :mod:`._entries` for
  which entries, and how): each key goes to the OS keychain as
  ``keyring://openrouter-secure/<server>.<name>``. The name is chosen when the plan is
  made: the first of ``NAME``, ``NAME-2``, ... that is free in the keychain (or
  already holds this very key) and not taken by another key of the same plan, so the
  plan shows exactly what is written. When applying, each key is stored and read back;
  then the original file is backed up beside itself (see :mod:`._backup`) and the
  file rewritten atomically (same mode or stricter). If anything fails before the
  rewrite, the file is untouched.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import _events
from ..._exceptions import OpenRouterSecureError, SecretNotFoundError
from ..._files import write_private
from ..._refs import SecretRef
from ..._secret import Secret
from ...config._formats import dump_document, read_document
from ...config._permissions import tighten_dir, tighten_file
from ...config._scan import Hit, Segment, render_path
from ._backup import write_backup
from ._entries import (
    EntryFix,
    Unexpanded,
    entry_fixes,
    env_var,
    host_config,
    launcher_command,
    own_config,
    unexpanded_references,
)
from ._report import DoctorFinding, Report

__all__ = ["KEYRING_SERVICE", "Plan", "apply_fixes", "apply_plan", "fixable", "plan_fixes"]

KEYRING_SERVICE = "openrouter-secure"


def fixable(report: Report) -> list[DoctorFinding]:
    return [f for f in report.findings if f.fixable and not f.fixed]


@dataclass
class KeyMove:
    """One key the fix stores: under ``ref``; ``write`` is False when the keychain (or an
    earlier move of the same plan) already holds this very value there."""

    ref: SecretRef
    value: Secret = field(repr=False)
    write: bool


@dataclass
class FilePlan:
    path: Path
    findings: list[DoctorFinding]
    moves: list[KeyMove]
    actions: list[str]
    document: Any = field(repr=False)
    original_digest: str = ""
    #: Whether an entry now starts through ``openrouter-secure run``/``gateway``.
    launches: bool = False


@dataclass
class Plan:
    """What ``--fix`` will do; :meth:`lines` is what it shows before asking."""

    files: list[FilePlan] = field(default_factory=list)
    permissions: list[DoctorFinding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files or self.permissions)

    def __len__(self) -> int:
        return sum(len(f.actions) for f in self.files) + len(self.permissions)

    def lines(self) -> list[str]:
        out: list[str] = []
        for fp in self.files:
            out.append(f"{fp.path}: back it up beside itself, then:")
            out += [f"    {a}" for a in fp.actions]
        out += [f.fix or "" for f in self.permissions]
        if any(fp.launches for fp in self.files):
            out.append(
                "(rewritten servers start through openrouter-secure: your MCP client must "
                "find it on its PATH, e.g. after pipx install 'openrouter-secure[keyring]')"
            )
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "files": [
                {
                    "path": str(fp.path),
                    "actions": fp.actions,
                    "keychain": [{"ref": str(m.ref), "write": m.write} for m in fp.moves],
                }
                for fp in self.files
            ],
            "permissions": [f.fix for f in self.permissions],
            "errors": self.errors,
        }


class _Names:
    """Keychain names for one plan: never another key's entry, shared by equal keys."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider
        self.taken: dict[str, Secret] = {}

    @property
    def provider(self) -> Any:
        # Only a file with a key to move needs the keychain (not one that only has
        # references to pass through run).
        if self._provider is None:
            from ..._registry import get_provider

            self._provider = get_provider("keyring")
        return self._provider

    def assign(self, slug: str, value: Secret) -> KeyMove:
        for n in range(1, 100):
            name = slug if n == 1 else f"{slug}-{n}"
            ref = SecretRef.build("keyring", f"{KEYRING_SERVICE}/{name}")
            if name in self.taken:
                if self.taken[name] == value:
                    return KeyMove(ref, value, write=False)
                continue
            existing = _get(self.provider, ref)
            if existing is None:
                self.taken[name] = value
                return KeyMove(ref, value, write=True)
            same = existing == value
            existing.wipe()
            if same:
                self.taken[name] = value
                return KeyMove(ref, value, write=False)
        raise SecretNotFoundError(f"no free keychain name for {slug}", backend="keyring")


def _get(provider: Any, ref: SecretRef) -> Secret | None:
    try:
        value: Secret = provider.get(ref)
    except SecretNotFoundError:
        return None
    return value


def plan_fixes(report: Report, *, policy: Path | None = None, provider: Any = None) -> Plan:
    """Decide every fix and every keychain name; change nothing (reads the keychain)."""
    plan = Plan()
    by_file: dict[str, list[DoctorFinding]] = defaultdict(list)
    for finding in fixable(report):
        moves_a_key = finding.check == "plaintext-secret" and finding.hit is not None
        if finding.file and (moves_a_key or finding.check == "unexpanded-reference"):
            by_file[finding.file].append(finding)
        elif finding.check == "permissions" and finding.file:
            plan.permissions.append(finding)
    clients = {f.path: f.client for f in report.files}
    names = _Names(provider)
    for file, findings in by_file.items():
        try:
            client = clients.get(file, "")
            plan.files.append(_plan_file(Path(file), findings, client, names, policy))
        except (OpenRouterSecureError, OSError) as exc:
            plan.errors.append(f"{file}: not changed: {exc}")
    return plan


def _plan_file(
    path: Path, findings: list[DoctorFinding], client: str, names: _Names, policy: Path | None
) -> FilePlan:
    original = path.read_bytes()
    doc, had_comments = read_document(path)
    if had_comments:
        raise OSError(f"{path} has comments; edit it by hand")
    doc = copy.deepcopy(doc)
    wanted = {id(f.hit): f for f in findings if f.hit is not None}
    hits = [f.hit for f in findings if f.hit is not None]
    own = own_config(str(path), client)
    groups = entry_fixes(doc, hits, own_file=own)
    pending: dict[tuple[Segment, ...], list[Unexpanded]] = defaultdict(list)
    placeholders = {f.location: f for f in findings if f.check == "unexpanded-reference"}
    for ref in unexpanded_references(doc, groups) if host_config(str(path), client) else []:
        if not ref.reason and render_path((*ref.segments, *ref.where)) in placeholders:
            pending[ref.segments].append(ref)
    fp = FilePlan(path, [], [], [], doc, hashlib.sha256(original).hexdigest())
    for segments, refs in list(pending.items()):
        if not any(g.segments == segments for g in groups):
            groups.append(EntryFix(refs[0].server, segments, "run", []))
    for group in groups:
        if group.mode is None:
            continue
        refs = pending.pop(group.segments, [])
        if group.mode == "run":
            _plan_launch(fp, group, names, policy, refs)
        else:
            _plan_references(fp, group, names)
        fp.findings += [wanted[id(h)] for h in group.hits if id(h) in wanted]
        fp.findings += [placeholders[render_path((*r.segments, "env", r.var))] for r in refs]
    return fp


def _node(doc: Any, segments: tuple[Segment, ...]) -> Any:
    for seg in segments:
        doc = doc[seg]
    return doc


def _where(ref: KeyMove) -> str:
    return f"{ref.ref} ({'new' if ref.write else 'already holds this key'})"


def _plan_references(fp: FilePlan, group: EntryFix, names: _Names) -> None:
    # From the end of each string, so earlier spans stay valid.
    ordered = sorted(group.hits, key=lambda h: (h.segments, h.span or (0, 0)), reverse=True)
    for hit in ordered:
        assert hit.span is not None  # entry_fixes leaves no spanless hit fixable
        parent = _node(fp.document, hit.segments[:-1])
        key = hit.segments[-1]
        text = parent[key]
        start, end = hit.span
        move = names.assign(hit.slug, Secret(text[start:end]))
        parent[key] = text[:start] + "${secret:" + str(move.ref) + "}" + text[end:]
        fp.moves.append(move)
        fp.actions.append(
            f"{hit.finding.path}: store the key in the keychain as {_where(move)} "
            f"and write ${{secret:{move.ref}}} in its place"
        )


def _plan_launch(
    fp: FilePlan, group: EntryFix, names: _Names, policy: Path | None, refs: list[Unexpanded]
) -> None:
    entry = _node(fp.document, group.segments)
    env = dict(entry.get("env") or {})
    flags: list[str] = []
    moved: list[str] = []
    for ref in refs:
        flags += ["--env", f"{ref.var}={ref.ref}"]
        moved.append(ref.var)
        fp.actions.append(
            f"{render_path((*ref.segments, *ref.where))}: let openrouter-secure run "
            f"resolve {ref.ref} (the client passed the placeholder text)"
        )
    for hit in sorted(group.hits, key=_hit_order):
        var = env_var(hit, group.segments)
        if var in moved:
            continue
        move = names.assign(hit.slug, Secret(env[var]))
        fp.moves.append(move)
        flags += ["--env", f"{var}={move.ref}"]
        moved.append(var)
        fp.actions.append(f"{hit.finding.path}: store it as {_where(move)}")
    command = entry["command"]
    args = list(entry.get("args") or [])
    if policy is not None:
        head = ["gateway", "--policy", str(policy), "--server-name", group.server]
        how = "openrouter-secure gateway (with the policy)"
    else:
        head = ["run"]
        how = "openrouter-secure run"
    rest = {k: v for k, v in env.items() if k not in moved}
    new = _launch_entry(entry, launcher_command(command), [*head, *flags, "--", command, *args])
    if rest:
        new["env"] = rest
    parent = _node(fp.document, group.segments[:-1])
    parent[group.segments[-1]] = new
    fp.launches = True
    fp.actions.append(
        f"{render_path(group.segments)}: start the server through {how}, which puts "
        f"{', '.join(moved)} in its environment from the keychain"
    )


def _hit_order(hit: Hit) -> tuple[str, ...]:
    return tuple(str(s) for s in hit.segments)


def _launch_entry(entry: Mapping[str, Any], command: str, args: list[Any]) -> dict[str, Any]:
    """``entry`` with ``command``/``args`` replaced (in place of the old ones, keeping
    every other key where it was) and ``env`` left out (the caller sets what remains)."""
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "command":
            out["command"] = command
            out["args"] = args
        elif key not in ("args", "env"):
            out[key] = value
    return out


def apply_plan(plan: Plan, *, provider: Any = None) -> list[str]:
    """Apply ``plan``; mark the findings it fixes ``fixed``; return errors (no secrets)."""
    errors = list(plan.errors)
    if provider is None and any(fp.moves for fp in plan.files):
        from ..._registry import get_provider

        provider = get_provider("keyring")
    for fp in plan.files:
        try:
            _apply_file(fp, provider)
        except (OpenRouterSecureError, OSError) as exc:
            errors.append(f"{fp.path}: keys not moved: {exc}")
    for finding in plan.permissions:
        path = Path(os.path.abspath(finding.file or ""))
        try:
            if finding.rule == "file-permissions":
                tighten_file(path)
            elif finding.rule == "dir-permissions":
                tighten_dir(path.parent)
            finding.fixed = True
        except OpenRouterSecureError as exc:
            errors.append(f"{finding.file}: chmod refused: {exc}")
        except OSError as exc:
            errors.append(f"{finding.file}: chmod failed: {exc.strerror}")
    return errors


def _apply_file(fp: FilePlan, provider: Any) -> None:
    for move in fp.moves:
        _store(provider, move)
    real = Path(os.path.realpath(fp.path))
    original = real.read_bytes()
    if hashlib.sha256(original).hexdigest() != fp.original_digest:
        raise OSError(f"{fp.path} changed after the plan was made; run the doctor again")
    text = dump_document(fp.document, "json", str(fp.path))
    backup = write_backup(real, original, text.encode("utf-8"))
    write_private(real, text)
    for finding in fp.findings:
        finding.fixed = True
        finding.fix = (
            f"done; the old file is saved as {backup} (openrouter-secure doctor --undo "
            f"{fp.path} puts it back; delete it once your servers work: it holds the keys)"
        )
    _events.emit("config.saved", path=str(fp.path))


def _store(provider: Any, move: KeyMove) -> None:
    """Put ``move``'s key under its planned name (unless already there); read it back."""
    existing = _get(provider, move.ref)
    if existing is None:
        provider.put(move.ref, move.value)
    else:
        same = existing == move.value
        existing.wipe()
        if not same:
            raise SecretNotFoundError(
                f"{move.ref} was taken by another value after the plan was made; "
                "nothing changed in this file: run the doctor again",
                ref=move.ref,
            )
    check = provider.get(move.ref)
    ok = check == move.value
    check.wipe()
    if not ok:
        raise SecretNotFoundError(
            f"the keychain did not return what was stored under {move.ref}; nothing changed",
            ref=move.ref,
        )


def apply_fixes(report: Report, *, policy: Path | None = None) -> list[str]:
    """Plan and apply every fix at once (no question asked); return error messages."""
    return apply_plan(plan_fixes(report, policy=policy))
