"""Allow-listing a known-harmless value: an inline marker or a baseline of fingerprints.

A sample file (``.env.example``, a README's config snippet) may hold a key-shaped
placeholder on purpose. Two ways to accept it, as detect-secrets users expect:

- **Inline marker**: ``openrouter-secure: allow`` or ``pragma: allowlist secret`` on
  the *same line* as the value, after it (in a comment where the format has them). A
  finding is allowed only when every copy of the offending text in the file sits on a
  marked line before the marker, and that line holds no other finding: a marker never
  covers another line nor a whole minified file, and a value that also appears
  unmarked elsewhere (or that the file spells in an escaped form) stays a finding.
- **Baseline file**: ``.openrouter-secure-baseline.json`` in the file's directory or an
  ancestor (up to the repository root or the home directory), listing fingerprints of
  accepted values, never the values. Create it with ``openrouter-secure baseline FILE...``
  (or :func:`write_baseline`) after checking that every finding it lists is harmless.

A fingerprint is PBKDF2-HMAC-SHA256 (100 000 rounds, a fixed salt) of the value, so a
committed baseline works on every machine, and reversing it means guessing the value at
a deliberately slow rate. Only value findings (``secret-value:*``, ``secret-key-literal``,
``url-credentials``, ``url-secret-param``) can be allowed; a duplicate key, an insecure
URL or a malformed placeholder cannot.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._exceptions import ConfigurationError
from .._files import write_private

__all__ = [
    "BASELINE_NAME",
    "Baseline",
    "BaselineEntry",
    "allowable",
    "fingerprint",
    "marked_lines",
    "marker_allows",
    "value_lines",
    "write_baseline",
]

BASELINE_NAME = ".openrouter-secure-baseline.json"
_MARKER = re.compile(r"(?i)openrouter-secure:\s*allow\b|pragma:\s*allowlist[ -]secret\b")
_SALT = b"openrouter-secure baseline v1"
_ROUNDS = 100_000
_ALLOWABLE = ("secret-value:", "secret-key-literal", "url-credentials", "url-secret-param")
MAX_BASELINE_BYTES = 4 * 1024 * 1024


def allowable(rule: str) -> bool:
    """Whether a finding of ``rule`` may be allowed by a marker or a baseline."""
    return rule.startswith(_ALLOWABLE)


@functools.lru_cache(maxsize=1024)
def fingerprint(value: str) -> str:
    """``pbkdf2-sha256:<hex>``: the baseline's fingerprint of ``value`` (slow on purpose)."""
    raw = value.encode("utf-8", "surrogatepass")
    return "pbkdf2-sha256:" + hashlib.pbkdf2_hmac("sha256", raw, _SALT, _ROUNDS).hex()


def marked_lines(text: str, fmt: str = "json") -> frozenset[int]:
    """The 1-based numbers of the lines of ``text`` that carry an allow marker in a real
    comment of format ``fmt`` (``"json"``: ``//`` and ``/* */`` outside strings;
    ``"yaml"``, ``"toml"``, ``"dotenv"``: ``#`` outside quotes). A marker inside a
    string value is text, not a comment, and counts for nothing; strict JSON, which has
    no comments, has no marked line."""
    if _MARKER.search(text) is None:
        return frozenset()
    out: set[int] = set()
    for start, end in _comment_spans(text, fmt):
        for m in _MARKER.finditer(text, start, end):
            out.add(text.count("\n", 0, m.start()) + 1)
    return frozenset(out)


def _comment_spans(text: str, fmt: str) -> list[tuple[int, int]]:
    """Where the comments of ``text`` are, read with the quoting rules of ``fmt``."""
    if fmt == "yaml":
        return _yaml_comment_spans(text)
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if fmt == "toml" and text.startswith(('"""', "'''"), i):
            close = text.find(text[i : i + 3], i + 3)
            i = n if close == -1 else close + 3
        elif c == '"' or (c == "'" and fmt != "json"):
            i = _quoted_end(text, i, escapes=c == '"')
        elif fmt == "json" and text.startswith(("//", "/*"), i):
            end = text.find("\n" if text[i + 1] == "/" else "*/", i + 2)
            end = n if end == -1 else (end if text[i + 1] == "/" else end + 2)
            spans.append((i, end))
            i = end
        elif fmt != "json" and c == "#" and (fmt == "toml" or i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            end = n if end == -1 else end
            spans.append((i, end))
            i = end
        else:
            i += 1
    return spans


def _quoted_end(text: str, i: int, *, escapes: bool) -> int:
    """Index just past the one-line string opened at ``text[i]`` (at the end of its line
    at most: an unbalanced quote then hides that line's marker, never another line's)."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        c = text[j]
        if escapes and c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n":
            return j
        j += 1
    return len(text)


def _yaml_comment_spans(text: str) -> list[tuple[int, int]]:
    """YAML comments: a ``#`` after a space or at a line start that no token of the YAML
    scanner covers (so a ``#`` inside a quoted or block scalar is text)."""
    try:
        import yaml  # an extra, needed only for YAML files

        covered = [
            (t.start_mark.index, t.end_mark.index)
            for t in yaml.scan(text, Loader=yaml.SafeLoader)
            if isinstance(t, yaml.ScalarToken)
        ]
    except Exception:  # noqa: BLE001 - not YAML we can read: no comment counts
        return []
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"(?:^|(?<=[ \t]))#[^\n]*", text, re.M):
        if not any(a <= m.start() < b for a, b in covered):
            spans.append((m.start(), m.end()))
    return spans


def marker_allows(text: str, lines: frozenset[int], value: str | None, line: int | None) -> bool:
    """Whether the marker allows a finding of ``value``: every copy of it in ``text`` sits
    on one marked line, before the marker (or, with no value to look for, ``line`` is
    marked). ``lines`` should leave out lines that hold more than one finding."""
    if not lines:
        return False
    if not value:
        return line is not None and line in lines
    found = False
    start = text.find(value)
    while start != -1:
        first = text.count("\n", 0, start) + 1
        end = start + len(value)
        line_end = text.find("\n", end)
        rest = text[end : len(text) if line_end == -1 else line_end]
        if "\n" in value or first not in lines or _MARKER.search(rest) is None:
            return False
        found = True
        start = text.find(value, start + 1)
    return found


def value_lines(text: str, value: str) -> set[int]:
    """The lines on which ``value`` appears in ``text``."""
    out: set[int] = set()
    start = text.find(value)
    while start != -1:
        out.add(text.count("\n", 0, start) + 1)
        start = text.find(value, start + 1)
    return out


@dataclass(frozen=True)
class Baseline:
    """Accepted fingerprints, read from a baseline file (``path``)."""

    path: Path
    fingerprints: frozenset[str]

    def allows(self, value: str | None) -> bool:
        return bool(value) and value is not None and fingerprint(value) in self.fingerprints

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline:
        """Read the baseline at ``path``; raises :class:`ConfigurationError` if malformed."""
        target = Path(path)
        try:
            if target.stat().st_size > MAX_BASELINE_BYTES:
                raise ConfigurationError(f"{target}: too large for a baseline file")
            data = json.loads(target.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(
                f"{target}: cannot read the baseline ({exc.strerror})"
            ) from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ConfigurationError(f"{target}: the baseline is not valid JSON") from None
        entries = data.get("allow") if isinstance(data, dict) else None
        if data.get("version") != 1 or not isinstance(entries, list):
            raise ConfigurationError(
                f"{target}: not an openrouter-secure baseline (expected "
                '{"version": 1, "allow": [...]}); recreate it with openrouter-secure baseline'
            )
        prints = set()
        for i, entry in enumerate(entries):
            value = entry.get("fingerprint") if isinstance(entry, dict) else None
            if not isinstance(value, str) or not re.fullmatch(r"pbkdf2-sha256:[0-9a-f]{64}", value):
                raise ConfigurationError(f"{target}: allow[{i}] has no valid fingerprint")
            prints.add(value)
        return cls(target, frozenset(prints))

    @classmethod
    def find(cls, start: Path) -> Baseline | None:
        """The baseline for a file in directory ``start``: the nearest
        :data:`BASELINE_NAME` in it or an ancestor, stopping at a repository root
        (a directory holding ``.git``) or the home directory."""
        home = Path.home()
        try:
            here = start.resolve()
        except OSError:
            return None
        for directory in (here, *here.parents):
            candidate = directory / BASELINE_NAME
            if candidate.is_file() and _trusted(candidate):
                return cls.load(candidate)
            if directory == home or (directory / ".git").exists():
                return None
        return None


def _trusted(path: Path) -> bool:
    """A baseline counts only if you (or root) own it and no one else can write it: in a
    shared directory such as ``/tmp`` anyone could leave one."""
    if os.name == "nt":
        return True
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid in (os.geteuid(), 0) and not info.st_mode & 0o022


@dataclass(frozen=True)
class BaselineEntry:
    """One accepted value: its fingerprint, and where and why it was found (no value)."""

    fingerprint: str
    file: str
    path: str
    rule: str


def write_baseline(entries: Iterable[BaselineEntry], output: str | os.PathLike[str]) -> Path:
    """Write ``entries`` (sorted, one per fingerprint and place) to ``output``, privately
    and atomically. The file holds fingerprints and locations, never a value."""
    rows = sorted(
        {(e.fingerprint, e.file, e.path, e.rule) for e in entries},
        key=lambda r: (r[1], r[2], r[3], r[0]),
    )
    data = {
        "version": 1,
        "allow": [{"file": f, "path": p, "rule": r, "fingerprint": fp} for fp, f, p, r in rows],
    }
    return write_private(Path(output), json.dumps(data, indent=2) + "\n", mode=0o644)
