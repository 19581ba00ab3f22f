"""Checking a config file as written, not only as parsed.

A parser drops text: comments (JSON with comments, YAML, TOML, ``.env``), all but one
copy of a repeated key, and it turns YAML's ``!!binary`` into bytes. A key in any of
those is still in the file, and in every copy, backup and commit of it. So on top of
:func:`._scan.scan_document` (every parsed key and value), a file is checked for:

``duplicate-key``
    a key given twice in one mapping (any format; TOML's parser refuses it itself);
``secret-value:<rule>`` with a ``line N`` path
    the Sanitizer recognises a secret in the raw text that no parsed value holds (a
    comment, a dropped duplicate). The text is scanned whole, so a secret is found
    wherever the parser put or lost it.

Findings the allow-list accepts (see :mod:`._allow`) are dropped last.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .._sanitize._sanitizer import default_sanitizer
from ._allow import (
    Baseline,
    BaselineEntry,
    allowable,
    fingerprint,
    marked_lines,
    marker_allows,
    value_lines,
)
from ._formats import Source, file_format, parse_source, read_text
from ._scan import ConfigFinding, Hit, Segment, render_path, scan_document

__all__ = ["baseline_entries", "check_file", "dotenv_hits", "scan_source", "scan_text"]

_RAW_MESSAGE = (
    "a key or token in plain text outside the parsed values (a comment or a repeated key)"
)


def scan_source(
    source: Source, *, strict_syntax: bool = True, baseline: Baseline | None = None
) -> list[Hit]:
    """Every problem in ``source``: its parsed document, its repeated keys and its raw text,
    less what the allow-list accepts."""
    hits = scan_document(source.doc, strict_syntax=strict_syntax)
    hits += _duplicate_hits(source.duplicates)
    parsed = list(_strings(source.doc))
    hits += _raw_hits(source.text, set(parsed))
    return _allowed_dropped(hits, source.text, baseline, source.fmt, parsed)


def scan_text(text: str, *, baseline: Baseline | None = None, fmt: str = "json") -> list[Hit]:
    """Secrets in ``text`` that cannot be parsed: the raw-text check alone (markers in
    comments of ``fmt``)."""
    return _allowed_dropped(_raw_hits(text, set()), text, baseline, fmt, [])


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def dotenv_hits(text: str, *, baseline: Baseline | None = None) -> list[Hit]:
    """Every problem in a ``.env`` file's ``text``; each hit's ``line`` is set.

    ``NAME=value`` lines (``export`` and quotes allowed) are checked as a mapping of
    names to values, a name given twice is a ``duplicate-key``, and the whole text is
    scanned as in :func:`scan_source` (comments included).
    """
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    dups: list[tuple[tuple[Segment, ...], int | None]] = []
    for number, line in enumerate(text.splitlines(), 1):
        name, value = _dotenv_line(line)
        if name is None:
            continue
        if name in values:
            dups.append(((name,), number))
        values[name] = value
        lines[name] = number
    hits = []
    for hit in scan_document(values, strict_syntax=False):
        name = str(hit.segments[0]) if hit.segments else ""
        hits.append(_with_line(hit, lines.get(name)))
    hits += _duplicate_hits(tuple(dups))
    parsed = [*values.values(), *values]
    hits += _raw_hits(text, set(parsed))
    return _allowed_dropped(hits, text, baseline, "dotenv", parsed)


def _dotenv_line(line: str) -> tuple[str | None, str]:
    stripped = line.strip()
    if not stripped or stripped.startswith("#") or "=" not in stripped:
        return None, ""
    if stripped.startswith("export "):
        stripped = stripped[len("export ") :].lstrip()
    name, _, value = stripped.partition("=")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    elif " #" in value:
        value = value.split(" #", 1)[0].rstrip()
    return name.strip(), value


def _with_line(hit: Hit, line: int | None) -> Hit:
    return Hit(hit.finding, hit.segments, hit.span, hit.server, hit.slug, line, hit.value)


def _strings(obj: object) -> Iterator[str]:
    """Every string the parsed document holds: keys, values, decoded bytes."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, (bytes, bytearray)):
            yield bytes(item).decode("utf-8", "replace")
        elif isinstance(item, dict):
            for key, value in item.items():
                yield str(key)
                stack.append(value)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _duplicate_hits(dups: tuple[tuple[tuple[Segment, ...], int | None], ...]) -> list[Hit]:
    sanitizer = default_sanitizer()
    hits = []
    for segs, line in dups:
        redacted = frozenset(
            i for i, s in enumerate(segs) if isinstance(s, str) and sanitizer.find(s)
        )
        at = f" (line {line})" if line else ""
        finding = ConfigFinding(
            render_path(segs, redacted),
            "duplicate-key",
            "one entry per key",
            "error",
            f"the key is given more than once{at}; parsers disagree on which copy wins, "
            "and a check sees only one",
        )
        hits.append(Hit(finding, segs, None, None, "duplicate", line))
    return hits


def _raw_hits(text: str, parsed: set[str]) -> list[Hit]:
    hits = []
    for found in default_sanitizer().find(text):
        value = text[found.start : found.end]
        if any(value in s for s in parsed):
            continue  # the document check saw this text and judged it in context
        line = text.count("\n", 0, found.start) + 1
        finding = ConfigFinding(
            f"line {line}",
            f"secret-value:{found.rule}",
            "nothing: delete it, and rotate the key (every copy of the file holds it)",
            "error",
            _RAW_MESSAGE,
        )
        hits.append(Hit(finding, (), None, None, f"line-{line}", line, value))
    return hits


def _allowed_dropped(
    hits: list[Hit], text: str, baseline: Baseline | None, fmt: str, parsed: list[str]
) -> list[Hit]:
    lines = marked_lines(text, fmt)
    if not lines and baseline is None:
        return hits
    if lines:
        # A marked line that holds two different findings allows neither (a minified
        # file is one line: one marker must not cover all of it).
        per_line: dict[int, set[str]] = {}
        for hit in hits:
            where = {hit.line} if hit.line is not None else set()
            if hit.value:
                where |= value_lines(text, hit.value)
            for n in where & lines:
                per_line.setdefault(n, set()).add(hit.value or f"line {n}")
        lines = frozenset(n for n in lines if len(per_line.get(n, ())) <= 1)
    kept = []
    for hit in hits:
        if allowable(hit.finding.rule) and (
            (
                marker_allows(text, lines, hit.value, hit.line)
                and not _escaped_copy(text, parsed, hit.value)
            )
            or (baseline is not None and baseline.allows(hit.value))
        ):
            continue
        kept.append(hit)
    return kept


_ESCAPE = re.compile(
    r"\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2}))"
)


def unescape(text: str) -> str:
    """``text`` with the ``\\uXXXX``, ``\\UXXXXXXXX``, ``\\u{X}`` and ``\\xXX`` escapes of
    JSON, TOML and YAML decoded (a UTF-16 surrogate pair becomes its character)."""
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = int(next(g for g in m.groups() if g is not None), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    decoded = _ESCAPE.sub(one, text)
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _escaped_copy(text: str, parsed: list[str], value: str | None) -> bool:
    """Whether the file holds ``value`` in a form other than its plain text: an escaped
    copy in the raw text (``\\u0073k-...`` in a comment or a string), or more copies in
    the parsed values than the raw text spells out. Such a copy is on no marked line."""
    if not value:
        return False
    raw = text.count(value)
    if unescape(text).count(value) > raw:
        return True
    return sum(s.count(value) for s in parsed) > raw


def find_baseline(path: Path) -> Baseline | None:
    """The baseline that applies to the file at ``path`` (see :meth:`Baseline.find`)."""
    return Baseline.find(path.parent)


def is_dotenv(path: Path) -> bool:
    return path.name == ".env" or path.name.startswith(".env.") or path.suffix == ".env"


def check_file(path: Path, *, baseline: Baseline | None = None) -> list[Hit]:
    """Every problem in the config or ``.env`` file at ``path`` (a file that does not
    parse gets the raw-text check alone, plus its parse error's findings)."""
    text = read_text(path)
    if is_dotenv(path):
        return dotenv_hits(text, baseline=baseline)
    source = parse_source(text, file_format(path), str(path))
    return scan_source(source, strict_syntax=False, baseline=baseline)


def baseline_entries(paths: list[Path]) -> tuple[list[BaselineEntry], list[str]]:
    """What a baseline for ``paths`` would accept: an entry per value finding (markers
    honoured), and the problems that no baseline can accept (as text without values)."""
    entries: list[BaselineEntry] = []
    refused: list[str] = []
    for path in paths:
        for hit in check_file(path):
            if allowable(hit.finding.rule) and hit.value:
                entries.append(
                    BaselineEntry(
                        fingerprint(hit.value), str(path), hit.finding.path, hit.finding.rule
                    )
                )
            else:
                refused.append(f"{path}: {hit.finding}")
    return entries, refused
