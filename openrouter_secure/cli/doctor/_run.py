"""``openrouter-secure doctor``: check this machine for leaked or exposed keys.

:func:`run_doctor` looks at the MCP/agent config files in their usual places (see
:mod:`._locations`), ``.env`` files in the current directory, the files
openrouter-secure saves (benchmark results, logs, state), and any paths given, and
returns a :class:`Report` of :class:`DoctorFinding`. It never reads a secret backend
and never puts a secret in a finding: findings carry file paths, JSON paths or line
numbers, rule names and advice. Fixes live in :mod:`._fix`; printing in
:mod:`.._doctor`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..._exceptions import ConfigurationError
from ..._sanitize._compiled import DIRECTORY_NAME
from ..._sanitize._sanitizer import default_sanitizer
from ...config._allow import Baseline
from ...config._check import dotenv_hits, scan_source, scan_text
from ...config._formats import MAX_CONFIG_BYTES, file_format, read_document, read_source, read_text
from ...config._permissions import others_can_read, permission_findings
from ...config._scan import MAX_DEPTH, iter_server_maps, render_path
from ._backup import backups_of
from ._entries import (
    EntryFix,
    entry_fixes,
    host_config,
    own_config,
    unexpanded_references,
)
from ._env_key import api_key_findings
from ._locations import (
    Candidate,
    config_candidates,
    data_dirs,
    dotenv_candidates,
    env_home,
    history_candidates,
    is_sample_dotenv,
)
from ._report import SCHEMA, CheckedFile, DoctorFinding, Report
from ._rotation import DEFAULT_MAX_KEY_AGE_DAYS, rotation_findings

__all__ = ["SCHEMA", "CheckedFile", "DoctorFinding", "Report", "run_doctor"]

_REDACTED = re.compile(r"<REDACTED: \d+ chars>|\*\*\*MASKED\*\*\*|hmac-sha256:[0-9a-f]+")
_CONTENT_FIELDS = frozenset({"prompt", "response", "completion", "content", "output", "messages"})
_DATA_SUFFIXES = frozenset({".json", ".jsonl", ".csv", ".md", ".log", ".txt", ".ndjson"})
# (and the Sanitizer's compiled databases: binary, and holding no value of this user)
_SKIP_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", DIRECTORY_NAME}
)
_CONFIG_NAMES = frozenset(
    {".mcp.json", "mcp.json", "claude_desktop_config.json", "mcp_config.json"}
)
MAX_SCAN_BYTES = 64 * 1024 * 1024
MAX_FINDINGS_PER_FILE = 20


class _Doctor:
    def __init__(self, environ: Mapping[str, str], cwd: Path) -> None:
        self.environ = environ
        self.cwd = cwd
        self.home = env_home(environ)
        self.report = Report()
        self.seen: set[Path] = set()
        self.sanitizer = default_sanitizer()

    def add(self, finding: DoctorFinding) -> None:
        self.report.findings.append(finding)

    def _claim(self, path: Path) -> bool:
        try:
            real = path.resolve()
        except OSError:
            real = path
        if real in self.seen:
            return False
        self.seen.add(real)
        return True

    def _file(self, cand: Candidate) -> CheckedFile:
        entry = CheckedFile(str(cand.path), cand.kind, cand.client)
        self.report.files.append(entry)
        return entry

    # -- config files ---------------------------------------------------------------
    def config(self, cand: Candidate) -> None:
        entry = self._file(cand)
        before = len(self.report.findings)
        path = str(cand.path)
        baseline = _baseline(cand.path)
        try:
            source = read_source(cand.path)
        except ConfigurationError as exc:
            entry.status = "unreadable"
            self.add(DoctorFinding("invalid-config", "warning", str(exc), path))
            for f in getattr(exc, "findings", []):  # a repeated TOML key
                self.add(DoctorFinding(f.rule, "error", f.message, path, f.path, f.rule))
            self._raw(cand.path, baseline)
            return
        doc, had_comments = source.doc, source.had_comments
        in_server_json = file_format(cand.path) == "json" and not had_comments
        try:
            hits = scan_source(source, strict_syntax=False, baseline=baseline)
        except ConfigurationError as exc:
            entry.status = "unreadable"
            self.add(DoctorFinding("invalid-config", "warning", str(exc), path))
            return
        secret_hits = [h for h in hits if h.finding.rule != "duplicate-key"]
        if len(secret_hits) < len(hits):
            # Rewriting a file with a repeated key would silently drop one of the two.
            in_server_json = False
        decided: dict[int, EntryFix] = {}
        own = own_config(path, cand.client)
        fixes = entry_fixes(doc, secret_hits, own_file=own)
        for fix in fixes:
            for hit in fix.hits:
                decided[id(hit)] = fix
        if host_config(path, cand.client):
            self._unexpanded(doc, fixes, path, in_server_json)
        for hit in hits:
            if hit.finding.rule == "duplicate-key":
                f = hit.finding
                self.add(DoctorFinding(f.rule, "error", f.message, path, f.path, f.rule))
                continue
            group = decided.get(id(hit))
            fixable = in_server_json and group is not None and group.mode is not None
            if fixable and group is not None and group.mode == "run":
                hint = (
                    "move it to the OS keychain and start the server through "
                    "openrouter-secure run, which puts it in the server's environment "
                    "(openrouter-secure doctor --fix)"
                )
            elif fixable:
                hint = (
                    f"move it to the OS keychain and write {hit.finding.suggestion} "
                    "(openrouter-secure doctor --fix)"
                )
            elif group is not None and group.reason and in_server_json:
                hint = group.reason
            elif group is not None and group.mode == "run":
                hint = (
                    "edit it by hand (the doctor does not rewrite TOML, YAML or JSON "
                    "with comments): store the key in the OS keychain and start the server "
                    "through openrouter-secure run --env NAME=keyring://... -- COMMAND"
                )
            elif group is not None and group.reason:
                hint = group.reason
            else:
                hint = f"move it to a secret store and write {hit.finding.suggestion} by hand"
            self.add(
                DoctorFinding(
                    "plaintext-secret",
                    "error",
                    hit.finding.message,
                    path,
                    hit.finding.path,
                    hit.finding.rule,
                    hint,
                    fixable,
                    hit=hit,
                )
            )
        self._exposed(cand.path, [h.finding.path for h in secret_hits])
        for backup in backups_of(cand.path):
            self.add(
                DoctorFinding(
                    "fix-backup",
                    "warning",
                    f"{backup.name}, the backup doctor --fix wrote, holds this file as it "
                    "was, keys included",
                    path,
                    None,
                    "fix-backup",
                    f"delete it once your servers work: rm {backup} (or put it back: "
                    f"openrouter-secure doctor --undo {path})",
                )
            )
        self._servers(doc, path)
        self._content(doc, path)
        # A file named on the command line is only a config (that may hold a key) when
        # it has servers or a secret: pyproject.toml's mode is nobody's business.
        if not cand.given or hits or any(True for _ in iter_server_maps(doc)):
            self._permissions(cand.path)
        if len(self.report.findings) > before:
            entry.status = "problems"

    def _raw(self, path: Path, baseline: Baseline | None) -> None:
        """Secrets in a config that does not parse: its raw text is still checked."""
        try:
            text = read_text(path)
        except ConfigurationError:
            return
        for hit in scan_text(text, baseline=baseline, fmt=file_format(path)):
            f = hit.finding
            self.add(
                DoctorFinding(
                    "plaintext-secret", "error", f.message, str(path), f.path, f.rule,
                    f"move it to a secret store and write {f.suggestion} by hand",
                )
            )  # fmt: skip

    def _unexpanded(self, doc: Any, fixes: list[EntryFix], path: str, rewritable: bool) -> None:
        for ref in unexpanded_references(doc, fixes):
            fixable = rewritable and not ref.reason
            self.add(
                DoctorFinding(
                    "unexpanded-reference",
                    "error",
                    "MCP clients do not expand ${secret:...}: this server receives the "
                    "placeholder text, not its key",
                    path,
                    render_path((*ref.segments, *ref.where)),
                    "unexpanded-reference",
                    "start the server through openrouter-secure run, which resolves the "
                    "reference into its environment (openrouter-secure doctor --fix)"
                    if fixable
                    else ref.reason or "edit the entry by hand",
                    fixable,
                )
            )

    def _exposed(self, path: Path, locations: list[str]) -> None:
        """Keys in a file others could read: moving them is not enough, rotate them."""
        if not locations:
            return
        try:
            who = others_can_read(path)
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            return
        if who is None:
            return
        where = ", ".join(dict.fromkeys(locations))
        self.add(
            DoctorFinding(
                "exposed-key",
                "warning",
                f"{len(locations)} key(s) sat in a file {who} on this machine could read "
                f"(mode {mode:04o}): {where}; treat them as leaked",
                str(path),
                None,
                "rotate",
                "rotate each key once it is out of the file: openrouter-secure rotate "
                "--store REF for an OpenRouter key, a new key from its provider for others",
            )
        )

    def _servers(self, doc: Any, path: str) -> None:
        from ...config._load import server_checks

        try:
            errors, warns = server_checks(doc) if isinstance(doc, Mapping) else ([], [])
        except ConfigurationError as exc:
            self.add(DoctorFinding("invalid-config", "warning", str(exc), path))
            return
        for f in [*errors, *warns]:
            check = "insecure-url" if f.rule == "insecure-url" else f.rule
            self.add(
                DoctorFinding(check, f.severity, f.message, path, f.path, f.rule, f.suggestion)
            )

    def _permissions(self, path: Path, *, directory: bool = True) -> None:
        try:
            found = permission_findings(path, directory=directory, environ=self.environ)
        except OSError:
            return
        # Modes are never changed through a symbolic link: the fix is then by hand.
        linked = os.path.realpath(path) != os.path.abspath(path)
        for f in found:
            self.add(
                DoctorFinding(
                    "permissions",
                    "warning",
                    f.message,
                    str(path),
                    None,
                    f.rule,
                    f.suggestion,
                    fixable=not linked and f.rule in ("file-permissions", "dir-permissions"),
                )
            )

    # -- .env files -------------------------------------------------------------------
    def dotenv(self, cand: Candidate) -> None:
        entry = self._file(cand)
        before = len(self.report.findings)
        path = str(cand.path)
        try:
            text = cand.path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            entry.status = "unreadable"
            self.add(DoctorFinding("unreadable", "warning", f"cannot read: {exc.strerror}", path))
            return
        secrets_found = False
        for hit in dotenv_hits(text, baseline=_baseline(cand.path)):
            name = str(hit.segments[0]) if hit.segments else ""
            where = f"line {hit.line or 0}" + (
                f" ({name})" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else ""
            )
            if hit.finding.rule == "duplicate-key":
                msg = hit.finding.message
                self.add(DoctorFinding("duplicate-key", "error", msg, path, where, "duplicate-key"))
                continue
            secrets_found = True
            self.add(
                DoctorFinding(
                    "plaintext-secret",
                    "error",
                    hit.finding.message,
                    path,
                    where,
                    hit.finding.rule,
                    "move it to the OS keychain (openrouter-secure secret set "
                    "keyring://openrouter-secure/NAME) and read it with "
                    "keyring://openrouter-secure/NAME; for a harmless sample "
                    "value, mark its line with '# pragma: allowlist secret' or record it in "
                    "a baseline (openrouter-secure baseline FILE)",
                )
            )
        self._exposed(cand.path, [f.location or "" for f in self.report.findings[before:]])
        if not is_sample_dotenv(cand.path):
            self._gitignore(cand.path, secrets_found)
        if secrets_found:
            self._permissions(cand.path, directory=False)
        if len(self.report.findings) > before:
            entry.status = "problems"

    def _gitignore(self, path: Path, has_secrets: bool) -> None:
        root = _git_root(path.parent)
        if root is None:
            return
        git = shutil.which("git")
        if git is None:
            self.add(
                DoctorFinding(
                    "dotenv-gitignore",
                    "info",
                    "in a git repository, but git is not installed: could not check .gitignore",
                    str(path),
                )
            )
            return
        rel = os.path.relpath(path, root)
        tracked = _git(git, root, "ls-files", "--error-unmatch", "--", rel) == 0
        if tracked:
            self.add(
                DoctorFinding(
                    "dotenv-tracked",
                    "error",
                    "committed to git: anyone with the repository has it",
                    str(path),
                    None,
                    "git-tracked",
                    f"git rm --cached {rel}, add it to .gitignore, and rotate every key it held",
                )
            )
            return
        if _git(git, root, "check-ignore", "-q", "--", rel) == 1:
            self.add(
                DoctorFinding(
                    "dotenv-gitignore",
                    "error" if has_secrets else "warning",
                    "not covered by .gitignore: one `git add .` commits it",
                    str(path),
                    None,
                    "not-ignored",
                    f"add {path.name} to {root / '.gitignore'}",
                )
            )

    # -- saved results and logs ---------------------------------------------------------
    def data(self, cand: Candidate) -> None:
        entry = self._file(cand)
        before = len(self.report.findings)
        path = str(cand.path)
        try:
            if cand.path.stat().st_size > MAX_SCAN_BYTES:
                self.add(DoctorFinding("skipped", "info", "too large to scan", path))
                return
            text = cand.path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            entry.status = "unreadable"
            self.add(DoctorFinding("unreadable", "warning", f"cannot read: {exc.strerror}", path))
            return
        history = cand.kind == "history"
        check = "secret-in-history" if history else "secret-in-file"
        message = (
            "a key typed on a command line, kept in history"
            if history
            else ("a secret saved in clear")
        )
        fix = (
            "delete that line from the history file, and rotate the key"
            if history
            else "delete or redact the file, and rotate the key"
        )
        count = 0
        for number, line in enumerate(text.splitlines(), 1):
            for f in self.sanitizer.find(line):
                count += 1
                if count <= MAX_FINDINGS_PER_FILE:
                    self.add(
                        DoctorFinding(
                            check,
                            "error",
                            message,
                            path,
                            f"line {number}",
                            f"secret-value:{f.rule}",
                            fix,
                        )
                    )
        if count > MAX_FINDINGS_PER_FILE:
            more = count - MAX_FINDINGS_PER_FILE
            self.add(DoctorFinding(check, "error", f"and {more} more", path))
        suffix = cand.path.suffix.lower()
        if suffix == ".json" and len(text) <= MAX_CONFIG_BYTES:
            self._content(_json_or_none(text), path)
        elif suffix in (".jsonl", ".ndjson"):
            for number, line in enumerate(text.splitlines(), 1):
                self._content(_json_or_none(line), path, f"line {number}: ")
        # Files found where results, logs and state are saved can hold a secret; any
        # other file only matters when it does.
        if not cand.given or count or len(self.report.findings) > before:
            self._permissions(cand.path, directory=not history)
        if len(self.report.findings) > before:
            entry.status = "problems"

    def _content(self, doc: Any, path: str, prefix: str = "") -> None:
        """Saved results with privacy mode off, or, under ``"privacy_mode": true``,
        prompt/response fields that are not redacted (in that object or below it)."""
        for segs, node, claimed in _walk_dicts(doc, (), False):
            if node.get("privacy_mode") is False:
                self._result(
                    path,
                    prefix + (render_path(segs) or "(top level)"),
                    "privacy-mode-off",
                    "saved with privacy mode off: prompts and responses are in clear",
                )
                continue
            if not claimed:
                continue
            for key in sorted(_CONTENT_FIELDS & set(node)):
                value = node[key]
                if isinstance(value, str) and value and not _REDACTED.fullmatch(value):
                    self._result(
                        path,
                        prefix + render_path((*segs, key)),
                        "unredacted-field",
                        f"the {key!r} field holds unredacted text",
                    )

    def _result(self, path: str, location: str, rule: str, message: str) -> None:
        fix = "delete the file, or re-run the benchmark in privacy mode"
        self.add(DoctorFinding("unredacted-results", "error", message, path, location, rule, fix))

    # -- environment ------------------------------------------------------------------------


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _baseline(path: Path) -> Baseline | None:
    try:
        return Baseline.find(path.parent)
    except ConfigurationError:
        return None  # a malformed baseline allows nothing


def _walk_dicts(
    obj: Any, segs: tuple[str | int, ...], claimed: bool
) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any], bool]]:
    """Every object in ``obj`` with its path and whether it (or an ancestor) says
    ``"privacy_mode": true``; objects saying ``false`` are not descended into."""
    if len(segs) > MAX_DEPTH:
        return
    if isinstance(obj, Mapping):
        mode = obj.get("privacy_mode")
        claimed = claimed or mode is True
        yield segs, obj, claimed
        if mode is False:
            return
        for k, v in obj.items():
            yield from _walk_dicts(v, (*segs, str(k)), claimed)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_dicts(v, (*segs, i), claimed)


def _git_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _git(git: str, root: Path, *args: str) -> int:
    try:
        done = subprocess.run(
            [git, "-C", str(root), *args], capture_output=True, timeout=15, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return -1
    return done.returncode


def _walk_files(root: Path, max_depth: int) -> Iterator[Path]:
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_dir():
            if max_depth > 0 and entry.name not in _SKIP_DIRS:
                yield from _walk_files(entry, max_depth - 1)
        elif entry.is_file():
            yield entry


def _lock(path: Path) -> bool:
    """An empty ``*.lock`` file (the rotation state's, the audit log's): nothing to check."""
    try:
        return path.name.endswith(".lock") and path.stat().st_size == 0
    except OSError:
        return False


def _classify(path: Path) -> Candidate | None:
    name = path.name
    if name == ".env" or name.startswith(".env."):
        return Candidate(path, "dotenv", project=True)
    if name in _CONFIG_NAMES or path.suffix.lower() in (".toml", ".yaml", ".yml"):
        return Candidate(path, "config")
    if path.suffix.lower() in _DATA_SUFFIXES:
        if path.suffix.lower() == ".json" and _has_servers(path):
            return Candidate(path, "config")
        return Candidate(path, "data")
    return None


def _has_servers(path: Path) -> bool:
    try:
        doc, _ = read_document(path)
    except ConfigurationError:
        return False
    return any(True for _ in iter_server_maps(doc))


def run_doctor(
    paths: list[str | os.PathLike[str]] | None = None,
    *,
    discover: bool = True,
    online: bool = False,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    max_key_age_days: float = DEFAULT_MAX_KEY_AGE_DAYS,
) -> Report:
    """Check the usual places (unless ``discover=False``) and ``paths``; return the report.

    The rotation state file (see :mod:`._rotation`) is always read: each store's
    key age against ``max_key_age_days``, and rotations left unfinished.
    """
    env = os.environ if environ is None else environ
    doctor = _Doctor(env, Path(cwd) if cwd is not None else Path.cwd())
    todo: list[Candidate] = []
    if discover:
        todo += [c for c in config_candidates(doctor.home, doctor.cwd, env) if c.path.is_file()]
        todo += dotenv_candidates(doctor.cwd)
        for directory in data_dirs(doctor.home, env):
            todo += [Candidate(p, "data") for p in _walk_files(directory, 4) if not _lock(p)]
        todo += [c for c in history_candidates(doctor.home, env) if c.path.is_file()]
    for given in paths or []:
        path = Path(given).expanduser()
        if path.is_dir():
            for found in _walk_files(path, 3):
                cand = _classify(found)
                if cand is not None:
                    todo.append(replace(cand, given=True))
        elif path.is_file():
            todo.append(replace(_classify(path) or Candidate(path, "data"), given=True))
        elif os.path.lexists(path):
            doctor.add(
                DoctorFinding(
                    "missing-path",
                    "warning",
                    "not a regular file or directory (a device, socket or broken link): "
                    "nothing to check",
                    str(path),
                )
            )
        else:
            doctor.add(DoctorFinding("missing-path", "warning", "no such file", str(path)))
    for cand in todo:
        if not doctor._claim(cand.path):
            continue
        if cand.kind == "config":
            doctor.config(cand)
        elif cand.kind == "dotenv":
            doctor.dotenv(cand)
        else:
            doctor.data(cand)
    for finding in api_key_findings(env, online, base_url):
        doctor.add(finding)
    rotation, doctor.report.rotation = rotation_findings(
        env, doctor.home, max_age_days=max_key_age_days, online=online, base_url=base_url
    )
    for finding in rotation:
        doctor.add(finding)
    troubled = {f.file for f in rotation if f.problem}
    for entry in doctor.report.files:
        if entry.path in troubled and entry.status == "ok":
            entry.status = "problems"
    return doctor.report
