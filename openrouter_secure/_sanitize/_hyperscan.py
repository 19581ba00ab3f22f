"""The Hyperscan prefilter: the sanitizer's fastest engine.

``hyperscan`` (Intel's SIMD regex engine; the ``[fast]`` extra, where wheels exist) is
imported only when a :class:`Prefilter` is built. One compiled database per rule table
holds:

- every anchor of an ungated rule as a literal (short anchors that need a left
  boundary behind the delimiter class, as in the Aho-Corasick engine);
- for the rules whose anchors are common in logs (``auth:``, ``api_key``, ``@``) their
  *gate* (``Rule.gate``: a pattern that matches wherever the rule can accept, up to the
  first characters of a value), compiled with start-of-match, so Python only sees text
  shaped like a secret and looks up that rule's anchors in the matched span alone.

Known values change at run time, so they get a second, small literal database.

Short texts (a log record) are scanned in one block, once: the quick clean check
keeps what it matched for the scan that follows (see :func:`_clean_check`). Long ones
are scanned in stream mode, :data:`CHUNK` characters at a time: matches that straddle
two pieces are still reported. On CPython the pieces are read where the ``str`` holds
its bytes; elsewhere each piece is encoded into memory that is reused while it is hot,
where encoding 50 MB at once costs more than scanning it (fresh pages, cache misses).

The gates of an assignment are written not to match under a name their rule rejects
(``cache_key=<hex>``): such a record makes no match at all. After a quote, where that
would cost a JSON record's every name, the name before a gate match's value is read
backwards in Python instead (:func:`_name_rejecter`), in the quick check too.

A long text is scanned one byte per character (:func:`one_byte`), so a match's
offsets are the text's, whatever it holds: ASCII as it is, any other character as a
byte no pattern's literal holds. Where Python's patterns read such a character
otherwise (a letter in a name, a Unicode blank, a word of another script a rule starts
with), the scanner looks again around it with the ``str`` engine
(``_scan.Scanner``): a log holding a few accented names or emoji is scanned at nearly
the speed of an ASCII one, where it went whole to the Aho-Corasick engine.
"""

from __future__ import annotations

import codecs
import collections
import functools
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from . import _compiled
from ._context import (
    CSV_DELIMITERS,
    NEXT_FIELD,
    PLACEHOLDER_WORDS,
    REDACTION_LABEL_WORDS,
    in_brackets,
    next_field_named,
)
from ._cpython import held_bytes
from ._literals import trie_pattern
from ._reverse import reverse_pattern
from ._rules import (
    PAIR_VALUE_NO_SECRET,
    RUN_CHAR,
    RUN_TAIL,
    SHORT_RUN,
    Rule,
    boundaries,
    is_placeholder,
)
from ._split import PART_MIN, cuts, line_breaks, pool, workers

__all__ = [
    "CHUNK",
    "SENTINEL",
    "STREAM_FROM",
    "Database",
    "Prefilter",
    "available",
    "literal",
    "occurrences",
]

#: Long texts are encoded and scanned this many characters at a time.
CHUNK = 1 << 18
#: Texts at least this long are scanned in stream mode.
STREAM_FROM = 4 * CHUNK
#: Every scan sees this byte before and after the text, so a literal that needs a
#: delimiter before it (``[^A-Za-z0-9_-]sk-``) also matches at the start of the text,
#: and a gate that reads a value to the character after it also matches at its end.
#: Hyperscan's ``(?:^|[...])`` alternative did the same at three times the database
#: size, which cost a log record about a microsecond whenever the CPU caches had gone
#: cold.
SENTINEL = b"\n"
SENTINEL_TEXT = SENTINEL.decode()


def available() -> bool:
    """Whether ``hyperscan`` imports here."""
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


#: ASCII punctuation, space and control characters as ``\xNN`` escapes
_ESCAPES = {i: f"\\x{i:02x}" for i in range(128) if not chr(i).isalnum()}


def _one_byte_each(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "\x80" * (error.end - error.start), error.end


_ONE_BYTE = "openrouter_secure.one_byte"
codecs.register_error(_ONE_BYTE, _one_byte_each)


def one_byte(text: str) -> bytes:
    """``text`` as Hyperscan scans it, one byte per character: ASCII as it is, Latin-1
    as its byte, any other character as ``0x80``. None of these bytes is in a pattern's
    literal, so a match's offsets are the text's, whatever it holds."""
    if text.isascii():
        return text.encode("ascii")
    return text.encode("latin-1", _ONE_BYTE)


def literal(text: str) -> str:
    """A Hyperscan pattern matching ``text`` literally (every non-alphanumeric escaped)."""
    if text.isascii():
        return text.translate(_ESCAPES)
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{ord(c):02x}" for c in text)


def _collect(pid: int, start: int, end: int, _flags: int, out: list[tuple[int, int, int]]) -> None:
    out.append((pid, start, end))


def _halt(*_: object) -> bool:
    return True


#: every live :class:`Database`, for :func:`_after_fork_in_child`
_databases: weakref.WeakSet[Database] = weakref.WeakSet()


class Database:
    """Patterns compiled for block mode and, on first need, for stream mode.

    Hyperscan's scratch space may not be used by two scans at once: a block scan tries
    the database's own (the cheapest call: a log record costs well under a
    microsecond) and on ``ScratchInUseError`` uses its thread's; stream scans always use
    their thread's.
    """

    def __init__(
        self,
        patterns: Sequence[str],
        som: Sequence[bool] = (),
        *,
        block: bool = True,
        keep: bool = False,
        line_breaks: int | None = None,
    ) -> None:
        import hyperscan as hs

        self._hs = hs
        if line_breaks is not None:
            # (known to the caller: literals' own; reading the patterns back costs a
            # text's propagation scan more than the scan itself)
            self.__dict__["_line_breaks"] = line_breaks
        #: whether the compiled databases are kept on disk for the next process (see
        #: ``_compiled``; never for patterns holding a known value)
        self._keep = keep
        self._patterns = [p.encode("ascii") for p in patterns]
        # Start of match only where asked (gates): it costs Hyperscan some speed.
        self._flags = [
            hs.HS_FLAG_SOM_LEFTMOST if i < len(som) and som[i] else 0 for i in range(len(patterns))
        ]
        #: the block-mode database; None when built with ``block=False`` for
        #: :meth:`stream_matches` alone (half the compile time)
        self.db: Any = self._compile(hs.HS_MODE_BLOCK) if block else None
        self._stream_db: Any = None
        self._lock = threading.Lock()
        self._local = threading.local()
        _databases.add(self)

    def _compile(self, mode: int) -> Any:
        hs = self._hs
        if mode == hs.HS_MODE_STREAM and any(self._flags):
            # Gates span at most a few hundred bytes: the smallest horizon is enough.
            mode |= hs.HS_MODE_SOM_HORIZON_SMALL
        patterns, flags = self._patterns, self._flags
        if self._keep:
            kept = _compiled.load(hs, patterns, flags, mode)
            if kept is not None:
                return kept
        db = hs.Database(mode=mode)
        db.compile(
            expressions=patterns,
            ids=list(range(len(patterns))),
            elements=len(patterns),
            flags=flags,
        )
        if self._keep:
            _compiled.store(hs, patterns, flags, mode, db)
        return db

    def _scratch(self, db: Any, name: str) -> Any:
        scratch = getattr(self._local, name, None)
        if scratch is None:
            scratch = self._hs.Scratch(db)
            setattr(self._local, name, scratch)
        return scratch

    def ends(self, data: bytes) -> list[tuple[int, int, int]]:
        """(pattern id, start, end) of every match in ``data`` as Hyperscan reports
        them (start is 0 unless the pattern was compiled for it, then the leftmost)."""
        out: list[tuple[int, int, int]] = []
        try:
            self.db.scan(data, _collect, 0, out)
        except self._hs.ScratchInUseError:  # in use by a scan in another thread
            out.clear()
            self.db.scan(data, _collect, 0, out, self._scratch(self.db, "block"))
        return out

    def matches_nothing(self, data: bytes) -> bool:
        """Whether no pattern matches in ``data`` (the scan stops at the first match)."""
        hs = self._hs
        try:
            try:
                self.db.scan(data, _halt)
            except hs.ScratchInUseError:
                self.db.scan(data, _halt, 0, None, self._scratch(self.db, "block"))
        except hs.ScanTerminated:
            return False
        return True

    def matches(self, text: str) -> list[tuple[int, int, int]]:
        """(pattern id, start, end) of every match in ``text``, in characters of
        ``text`` (scanned behind :data:`SENTINEL`, one byte per character)."""
        if len(text) < STREAM_FROM:
            return _unshift(self.ends(b"%b%b%b" % (SENTINEL, one_byte(text), SENTINEL)))
        return self.stream_matches(text)

    @property
    def streams(self) -> bool:
        """Whether the stream-mode database is compiled (:meth:`stream_matches` then
        scans at once)."""
        return self._stream_db is not None

    def prepare_stream(self) -> Any:
        """Compile the stream-mode database now, if not yet (it takes about as long
        as the block one); returns it."""
        with self._lock:
            if self._stream_db is None:
                self._stream_db = self._compile(self._hs.HS_MODE_STREAM)
            return self._stream_db

    def stream_matches(self, text: str, chunk: int = CHUNK) -> list[tuple[int, int, int]]:
        """:meth:`matches` in stream mode, ``chunk`` characters at a time; a text of
        several megabytes in parts, one per core (see :mod:`._split`)."""
        db = self._stream_db
        if db is None:
            db = self.prepare_stream()
        parts = [(0, 0, len(text))]
        if len(text) >= 2 * PART_MIN and workers() > 1:
            breaks = self._line_breaks
            if breaks is not None:
                parts = cuts(text, breaks, workers())
        # (a chunk at a time from the text's own bytes too: a literal database scans
        # 50 MB in one call a third slower)
        held = held_bytes(text)
        try:
            later = [pool().submit(self._part, db, text, held, part, chunk) for part in parts[1:]]
        except RuntimeError:  # (at interpreter exit no thread starts: scanned whole here)
            later, parts = [], [(0, 0, len(text))]
        out = self._part(db, text, held, parts[0], chunk)
        for future in later:
            out.extend(future.result())
        return out

    @functools.cached_property
    def _line_breaks(self) -> int | None:
        """The most line breaks a match of the stream database can hold."""
        return line_breaks([p.decode("ascii") for p in self._patterns])

    def _part(
        self, db: Any, text: str, held: memoryview | None, part: tuple[int, int, int], chunk: int
    ) -> list[tuple[int, int, int]]:
        """The matches of one part of a stream scan, in offsets of ``text``."""
        lo, keep, hi = part
        scratch = self._scratch(db, "stream")
        out: list[tuple[int, int, int]] = []
        stream = db.stream(match_event_handler=_collect, context=out)
        stream.__enter__()
        try:
            scan = stream.scan
            if lo == 0:
                scan(SENTINEL, 0, scratch)
            for at in range(lo, hi, chunk):
                end = min(hi, at + chunk)
                if held is not None:
                    scan(held[at:end], 0, scratch)
                else:
                    scan(one_byte(text[at:end]), 0, scratch)
            if hi == len(text):
                scan(SENTINEL, 0, scratch)
        finally:
            # Frees the stream. Nothing is reported here (no pattern waits for the end
            # of the data); it uses the stream database's own scratch, which no scan
            # uses, and runs holding the GIL, so two closes never share it.
            stream.close()
        if lo == 0:
            return _unshift(out)
        # (the part starts at a line break, which stands for the sentinel; a start is
        # 0 where the pattern was not compiled to report one)
        som = self._flags
        return [
            (pid, lo + start if som[pid] else 0, lo + end)
            for pid, start, end in out
            if lo + end > keep
        ]


def _lower(text: str) -> str:
    """``text`` in lower case, its offsets kept (``"İ".lower()`` is two characters: such
    a character stays as it is)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _unshift(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Offsets behind the sentinel, as offsets in the text."""
    return [(pid, start - 1 if start else 0, end - 1) for pid, start, end in found]


#: Literal sets of :data:`PAD_VALUES` or more but fewer than this are padded up to it
#: in texts of :data:`PAD_FROM` characters or more (see :func:`occurrences`).
FDR_FROM = 64
#: Two to four values scan about as fast either way (within 10%, either side).
PAD_VALUES = 5
#: Padding costs about 0.6 ms of compile time: it pays from a few megabytes.
PAD_FROM = 4 * STREAM_FROM
# Literals no ASCII text holds (bytes 0x80-0xFF), so they never match; eight bytes
# long, as the shortest value spread is, since FDR slows down for short literals.
_PADDING = [f"\\xff\\xfe\\xfd\\xfc\\xfb\\xfa\\xf9\\x{0x80 + i:02x}" for i in range(FDR_FROM)]


def occurrences(text: str, values: Sequence[str]) -> list[tuple[int, int]]:
    """(value index, start) of every occurrence of each of ``values`` in ``text``,
    overlapping ones included (all ASCII), in one scan of a database compiled for it.

    With fewer than :data:`FDR_FROM` literals Hyperscan picks its Teddy matcher, which
    on value-shaped literals (letters and digits, which most bytes of a log are) checks
    so many false candidates that 8 to 48 values scan 50 MB two to four times slower
    than 64 do (measured: 16-52 ms against 13 ms). In a text of :data:`PAD_FROM`
    characters or more, five values or more are therefore padded to 64 with literals
    no ASCII text holds, so it picks FDR; one value gets Hyperscan's single-literal
    search. Long texts are compiled for stream mode only, short ones for block mode
    only.
    """
    patterns = [literal(v) for v in values]
    if PAD_VALUES <= len(patterns) < FDR_FROM and len(text) >= PAD_FROM:
        patterns += _PADDING[len(patterns) :]
    if len(text) >= STREAM_FROM:
        breaks = max((v.count("\n") for v in values), default=0)
        found = Database(patterns, block=False, line_breaks=breaks).stream_matches(text)
    else:
        found = Database(patterns).matches(text)
    n = len(values)
    return [(vi, end - len(values[vi])) for vi, _, end in found if vi < n]


class _RuleDatabase:
    """The rules' patterns (compiled once per rule table), with what maps a match back
    to its rules."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        patterns: list[str] = []
        self.lit_len: list[int] = []
        self.lit_owners: list[tuple[int, ...]] = []
        owners: dict[str, list[int]] = {}
        ungated = [rule for rule in rules if rule.gate is None and not rule.hs_gates]
        boundary = boundaries(ungated)
        for ri, rule in enumerate(rules):
            if rule.gate is None and not rule.hs_gates:
                # (an anchor in another script is left out: Hyperscan scans ASCII text)
                for a in rule.anchors:
                    if a.isascii():
                        owners.setdefault(a, []).append(ri)
        for a, ris in owners.items():
            lit = literal(a)
            if a not in boundary:
                patterns.append(lit)
            else:
                patterns.append(f"[^A-Za-z0-9_\\-]{lit}" if boundary[a] else f"[^A-Za-z0-9]{lit}")
            self.lit_len.append(len(a))
            self.lit_owners.append(tuple(ris))
        if not owners and all(rule.gate is None and not rule.hs_gates for rule in rules):
            # (rules whose anchors are all in other scripts: Hyperscan compiles no empty
            # database, so one literal no text holds, owned by no rule)
            patterns.append(_PADDING[0])
            self.lit_len.append(8)
            self.lit_owners.append(())
        self.n_lit = len(patterns)
        #: per gate pattern (pattern id - ``n_lit``): its rule
        self.gate_rule: list[int] = []
        #: per gate pattern, 0 (compiled with start of match) or the rule's ``gate_window``
        self.gate_window: list[int] = []
        self.finders: dict[int, re.Pattern[str]] = {}
        #: rules whose finder runs on the lower-cased text
        self.lower: set[int] = set()
        self.anchored: dict[int, Callable[[str, int], re.Match[str] | None]] = {}
        #: gate patterns that end with a line break: the line break of the text's end
        #: sentinel is none of the text's (``csv-column``: a table's header before its
        #: rows; a log record ending in ``invalid password`` is no header)
        self.line_end_gates: set[int] = set()
        #: gate pattern id -> whether the value its match ending at ``end`` read is one
        #: the rule rejects, read in Python from the text (``Rule.gate_value_checks``)
        self.value_checks: dict[int, Callable[[str, int], bool]] = {}
        first_gate: dict[int, int] = {}
        for ri, rule in enumerate(rules):
            gates = rule.hs_gates or (
                ((rule.gate, rule.gate_window),) if rule.gate is not None else ()
            )
            if not gates:
                continue
            first_gate[ri] = len(patterns)
            for k, reading in rule.gate_value_checks:
                self.value_checks[len(patterns) + k] = _VALUE_CHECKS[reading]
            for gate, window in gates:
                if gate.endswith(r"\n"):
                    self.line_end_gates.add(len(patterns))
                    self.value_checks[len(patterns)] = _one_column_header
                patterns.append(gate)
                self.gate_rule.append(ri)
                self.gate_window.append(window)
            # Every position where one of the rule's anchors starts (overlapping).
            if rule.finder is not None:
                # Words, searched in the lower-cased span (a case-insensitive
                # ``re`` costs several times more).
                # (as a lookahead: each start is found, ``credsecret`` holds two)
                self.finders[ri] = re.compile("(?=" + rule.finder + ")")
                self.lower.add(ri)
                # Only where one of the rule's anchors starts, as in the other engines
                # (the lower-cased span also holds ``pAsSwOrD``).
                self.anchored[ri] = re.compile(trie_pattern(rule.anchors)).match
            else:
                self.finders[ri] = re.compile("(?=" + trie_pattern(rule.anchors) + ")")
        #: cancelling pattern id -> the rule whose cancellable gate matches it cancels
        self.not_gate: dict[int, int] = {}
        #: cancellable gate pattern id (``Rule.gate_not_cancels``) -> its rule
        self.cancellable: dict[int, int] = {}
        #: per rule with ``name_not`` patterns: whether the value's run of its gate
        #: match ending at ``end`` follows a name the rule rejects (read backwards)
        self.rejects_name: dict[int, Callable[[str, int], bool]] = {}
        #: gate pattern id -> its rule, for the gates whose matches have their name
        #: read back (``Rule.name_not_gates``)
        self.named_back: dict[int, int] = {}
        som = [False] * self.n_lit + [not w for w in self.gate_window]
        for ri, rule in enumerate(rules):
            if ri not in first_gate or not (rule.name_not or rule.gate_not_short):
                continue
            for pid in range(first_gate[ri], first_gate[ri] + rule.gate_not_cancels):
                self.cancellable[pid] = ri
            for not_pattern in rule.gate_not_short:
                self.not_gate[len(patterns)] = ri
                patterns.append(not_pattern)
                som.append(False)
        #: ``gate_not_short`` pattern ids
        self.short_not = frozenset(self.not_gate)
        # A rejected name is tested in Python, on the matches of gates written to
        # match after it (``"cache_key": v``): as patterns of their own, to end where
        # the gate match does, these long lists of words cost every scan a sixth of
        # its time, and a log record under such a name two match reports.
        for ri, rule in enumerate(rules):
            if rule.name_not and ri in first_gate:
                self.rejects_name[ri] = _name_rejecter(rule.name_not)
                for pid in range(first_gate[ri], first_gate[ri] + rule.name_not_gates):
                    self.named_back[pid] = ri
        self.db = Database(patterns, som, keep=True)


#: what a value's run holds
_RUN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&*+/?@^~_.-"


def _run_start(text: str, end: int) -> int:
    """Where the value's run that a gate match ending at ``end`` + 1 read starts: back
    over the ``:``, ``:/`` or ``://`` the gate may have read after the run, the blanks
    and ``=`` before a closing bracket, then over the run (a few thousand characters at
    a time: a long run costs once, in C). Runs of different values do not overlap, so
    reading them all back stays linear."""
    tail = text[max(0, end - 3) : end]
    end -= len(tail) - len(tail.rstrip(":/"))
    # (and over the blanks and base64's padding before a bracket the gate read to:
    # ``[<v>== ]``, however long ``<v>``)
    blanks = text[max(0, end - 64) : end]
    end -= len(blanks) - len(blanks.rstrip(" \t"))
    padding = text[max(0, end - 2) : end]
    end -= len(padding) - len(padding.rstrip("="))
    while end > 0:
        lo = max(0, end - 4096)
        kept = len(text[lo:end].rstrip(_RUN_CHARS))
        if kept or not lo:
            return lo + kept
        end = lo
    return 0


def _short_run(text: str, end: int) -> bool:
    """Whether the value's run that a cancelling match ending at ``end`` read (the run,
    then one character) is short enough for a placeholder in it to lie within the head
    that is judged. (A log record is shorter than that: answered without reading.)"""
    lo = end - SHORT_RUN - 5
    return lo <= 0 or bool(text[lo : end - 1].rstrip(_RUN_CHARS))


#: How far before a gate match's end a rejected name is looked for: a value's run and
#: the longest name, separator and blanks before it (behind more blanks a name is not
#: seen, and the gate match goes to Python, which judges the name the same way, only
#: slower). A run that goes on before that is read back to its start first.
NAME_WINDOW = 320
_RUN_TAIL_BACK = reverse_pattern(RUN_TAIL)
# Backwards from a gate match's end: what ends the value's run, then the whole run (a
# lookahead and a back reference: the run is never given back, which would cost a
# value under a name the rule accepts a try per character), never empty (a name at the
# end of another value's run, ``api_key=abcdefgh_cache_key:=v``, is followed by none).
_BACK_TO_NAME = rf"(?:{_RUN_TAIL_BACK})(?=({RUN_CHAR}+))\1"
_RUN_BACK = re.compile(rf"(?:{_RUN_TAIL_BACK}){RUN_CHAR}*").match


def _name_rejecter(patterns: tuple[str, ...]) -> Callable[[str, int], bool]:
    """Whether the value's run of a gate match ending at ``end`` (in the text) starts
    where a match of one of ``patterns`` ends, read backwards from ``end``."""
    names = "|".join(reverse_pattern(p) for p in patterns)
    match = re.compile(f"{_BACK_TO_NAME}(?:{names})").match

    def rejects(text: str, end: int) -> bool:
        # (the sentinels the scan read around the text, as it read them)
        after = SENTINEL_TEXT if end > len(text) else ""
        lo = end - NAME_WINDOW
        back = ((text[lo:end] if lo > 0 else SENTINEL_TEXT + text[:end]) + after)[::-1]
        if match(back) is not None:
            return True
        run = _RUN_BACK(back)
        if lo <= 0 or run is None or run.end() < len(back):
            return False
        # (the value's run reached the window's start: read from the run's start)
        lo = _run_start(text, end - 1) - NAME_WINDOW
        back = ((text[lo:end] if lo > 0 else SENTINEL_TEXT + text[:end]) + after)[::-1]
        return match(back) is not None

    return rejects


_NO_SECRET_AT = PAIR_VALUE_NO_SECRET.match


def _value_rejected(text: str, end: int) -> bool:
    """Whether the value whose first character ends at ``end`` (a match of a gate that
    ends there, after the value's opening quote) is one no name makes a secret
    (``"value": 42``, ``value="true"``). One that opens with a star is judged in
    Python."""
    at = end - 1
    before = text[at - 1 : at]
    if before == "*":
        return False
    return _NO_SECRET_AT(text, at - 1 if before in ('"', "'") else at) is not None


_WORDS = "|".join(PLACEHOLDER_WORDS)
# Six characters into a value: a placeholder's word (it makes the whole value one, and
# the value goes on over the word's letters), after a bracket too (``"[REDACTED]"``)
_PLACEHOLDER_AT_SIX = re.compile(rf"(?i)[\[(<]?(?:{_WORDS})").match
# (from the quote before them) a label in brackets, the whole quoted value:
# ``"[FILTERED]"``
_QUOTED_LABEL = re.compile(rf"(?i)([\"'`])(?:{in_brackets(REDACTION_LABEL_WORDS)})\1").match
# (from the opening bracket to the gate match's end) a token in brackets that is a
# placeholder or a label: ``[REDACTED]``, ``<hidden>``
_BRACKETED_LABEL = re.compile(rf"(?i){in_brackets(REDACTION_LABEL_WORDS + '|' + _WORDS)}").fullmatch
_OPENERS = {"]": "[", ">": "<", ")": "("}


def _placeholder_at_six(text: str, end: int) -> bool:
    """Whether the value a gate match ending at ``end`` read (six characters into it,
    or to the bracket closing it) is a placeholder or a redaction's label, as every
    reading of it is: ``password=REDACTED``, ``"password": "[FILTERED]"``,
    ``password=<hidden>``."""
    at = end - 6
    if at < 0:
        return False
    if _PLACEHOLDER_AT_SIX(text, at) is not None:
        return True
    if _QUOTED_LABEL(text, at - 1) is not None:
        # (not an escaped quote: ``\"[FILTERED]"v\"`` is read to the escaped one)
        return text[at - 2 : at - 1] != "\\"
    opener = _OPENERS.get(text[end - 1])
    if opener is None or text[end : end + 1].isalnum():
        return False  # (a bracket glued to more is read as an expression)
    opened = text.rfind(opener, max(0, at - 30), end)
    if opened < 0 or _BRACKETED_LABEL(text, opened, end) is None:
        return False
    # (the bracket opens the value: what ends a name's separator stands before it, not
    # a quote, ``'[null] '`` is read to the quote, nor more of a value, ``"{(null)/v"``)
    while opened > 0 and text[opened - 1] in " \t":
        opened -= 1
    return opened > 0 and text[opened - 1] in "=:>(-"


# A field's name and ``=`` (``_context.names_next_assignment``: a name with a digit in
# group 1) opening a bare value's run, as ``_context`` reads one, with no bracket in it
# or after it (code, read otherwise); the run read whole, as an atomic group (never
# given back to let the lookahead pass before a bracket), from group 2
_NEXT_FIELD_RUN = re.compile(NEXT_FIELD + r"""(?=([^\s"'`,;)}\]<>|\\(\[]*))\2(?![(\[])""").match


def _assignment_in_prose(text: str, end: int) -> bool:
    """Whether the value a gate match ending at ``end`` read (its first eight characters,
    bare, after a word and blanks: ``invalid password username=bob``) names the next
    assignment (``_context.names_next_assignment``). Not where the value may be read
    otherwise: after a bracket or a quote, after a ``#`` (``#define PASSWORD v``
    assigns), or with a bracket in it (code)."""
    at = end - 8
    blanks = at - 1
    if blanks < 1 or text[blanks] not in " \t":
        return False
    while text[blanks - 1] in " \t":
        blanks -= 1
        if blanks == 0:
            return False
    if not text[blanks - 1].isalnum():
        return False
    if text.rfind("#", blanks - 160 if blanks > 160 else 0, blanks) >= 0:
        return False
    m = _NEXT_FIELD_RUN(text, at)
    # (the name ends before ``=`` and the character after it, where the run starts)
    return m is not None and next_field_named(m, at, m.start(2) - 2)


# (an ``Authorization`` header's credentials, as the rule reads them)
_CREDENTIALS = re.compile(r"""[^\s"'`,;\\]{1,2048}""").match
_DIGIT = re.compile(r"\d").search


def _auth_rejected(text: str, end: int) -> bool:
    """Whether the credentials of an ``Authorization`` header, eight characters of which
    end at ``end``, are ones the rule rejects: a placeholder (``[REDACTED]``,
    ``***MASKED***``), or one case and no digit (``[FILTERED]``)."""
    value = _CREDENTIALS(text, end - 8)
    if value is None:
        return False
    found = value.group()
    one_case = (found.islower() or found.isupper()) and _DIGIT(found) is None
    return one_case or is_placeholder(found, strict=False)


_FIELD_DELIMITERS = re.compile("[" + re.escape("".join(CSV_DELIMITERS)) + "]").search


def _one_column_header(text: str, end: int) -> bool:
    """Whether the line a table header's gate match ends at (its line break, before
    ``end``) holds no delimiter: one column is no table (``entered an invalid
    password``, a Kubernetes ``- name: API_KEY``), as ``_context`` reads a header."""
    start = text.rfind("\n", 0, max(0, end - 1)) + 1
    return _FIELD_DELIMITERS(text, start, end) is None


#: how a ``Rule.gate_value_checks`` reading is read and judged
_VALUE_CHECKS: dict[str, Callable[[str, int], bool]] = {
    "pair": _value_rejected,
    "six": _placeholder_at_six,
    "prose": _assignment_in_prose,
    "auth": _auth_rejected,
}

_CACHE: dict[tuple[Rule, ...], _RuleDatabase] = {}
_CACHE_LOCK = threading.Lock()


def _rule_database(rules: tuple[Rule, ...]) -> _RuleDatabase:
    with _CACHE_LOCK:
        found = _CACHE.get(rules)
        if found is None:
            found = _CACHE[rules] = _RuleDatabase(rules)
        return found


#: Texts up to this long that are not clean keep their matches for the scan that
#: follows (:meth:`Prefilter.candidates`), so a log record is scanned once.
MEMO_UP_TO = 1 << 16

# What ``clean`` found in the last text it could not pass: (text, rule matches, known
# value matches). A tuple assigned at once, so a thread reading it sees one whole entry;
# the text is compared by identity, so another thread's entry is simply not used.
_Memo = tuple[str, list[tuple[int, int, int]], list[tuple[int, int, int]]]


def _clean_check(
    rdb: _RuleDatabase,
    needles: Database | None,
    merged: list[Database],
    memo: list[_Memo | None],
) -> Callable[[str], bool]:
    # A closure over the bound scan methods: this runs for every log record, and
    # reading cells is cheaper than attribute lookups on ``self``. ``merged`` gets the
    # one database of rules and needles once it is compiled (see ``_merge_later``).
    rules = rdb.db
    scan_rules = rules.db.scan
    scan_needles = needles.db.scan if needles is not None else None
    in_use: type[Exception] = rules._hs.ScratchInUseError
    n_lit, n_rules = rdb.n_lit, len(rules._patterns)
    not_gate, short_not, cancellable = rdb.not_gate, rdb.short_not, rdb.cancellable
    rejects_name, named_back = rdb.rejects_name, rdb.named_back
    line_end_gates, value_checks = rdb.line_end_gates, rdb.value_checks

    def clean(text: str) -> bool:
        if not text.isascii() or len(text) >= STREAM_FROM:
            return False
        data = b"%b%b%b" % (SENTINEL, text.encode(), SENTINEL)  # (ASCII: the fast copy)
        # Read once: the worker thread may add the merged database at any moment, and
        # a scan of the two databases must be split as a scan of the two.
        one = merged[0] if merged else None
        if len(text) > MEMO_UP_TO:
            # Nothing is kept for a longer text: the first match answers.
            if one is not None:
                return one.matches_nothing(data)
            return rules.matches_nothing(data) and (
                needles is None or needles.matches_nothing(data)
            )
        found: list[tuple[int, int, int]] = []
        known: list[tuple[int, int, int]] = []
        try:
            if one is not None:
                one.db.scan(data, _collect, 0, found)
            else:
                scan_rules(data, _collect, 0, found)
                if scan_needles is not None:
                    scan_needles(data, _collect, 0, known)
        except in_use:  # another thread's scan holds the shared scratch
            if one is not None:
                found = one.ends(data)
            else:
                found = rules.ends(data)
                known = needles.ends(data) if needles is not None else []
        if not found and not known:  # the common case: no callback ran
            return True
        if len(found) == 1 and not known:
            # (one gate match, of a value that is no secret: ``"value": 42``,
            # ``password=REDACTED``)
            pid, _, end = found[0]
            check = value_checks.get(pid)
            if check is not None and check(text, end - 1):
                return True
        if len(found) == 2 and not known:
            # (the next most common: one gate match and the match that cancels it)
            (p1, _, e1), (p2, _, e2) = found
            if p1 in not_gate:
                p1, p2 = p2, p1
            if (
                e1 == e2
                and p2 in not_gate
                and cancellable.get(p1, -1) == not_gate[p2]
                and ((p1 not in short_not and p2 not in short_not) or _short_run(text, e1 - 1))
            ):
                return True
        # Clean when every match is a gate match that a cancelling match cancels (a
        # placeholder), one under a name the rule rejects (``"cache_key": "<hex>"``), or
        # one whose line break is the end sentinel's (``invalid password``).
        gates: list[tuple[int, int]] = []
        cancelled: set[tuple[int, int]] = set()
        dirty = bool(known)
        if not dirty:
            end_of_data = len(data)
            for pid, _, end in found:
                if pid < n_lit or pid >= n_rules:
                    dirty = True
                    break
                if end == end_of_data and pid in line_end_gates:
                    continue
                check = value_checks.get(pid)
                if check is not None and check(text, end - 1):
                    continue  # (``"value": 42``, ``password=REDACTED``)
                rule = not_gate.get(pid)
                if rule is not None:
                    if pid not in short_not or _short_run(text, end - 1):
                        cancelled.add((rule, end))
                    continue
                rule = cancellable.get(pid)
                if rule is None:  # a gate match nothing cancels
                    dirty = True
                    break
                if pid in named_back and rejects_name[rule](text, end - 1):
                    continue  # (under a name the rule rejects: ``"cache_key": v``)
                gates.append((rule, end))
            else:
                dirty = not cancelled.issuperset(gates)
        if not dirty:
            return True
        if one is not None:  # split what the merged database found into the two lists
            known = [(pid - n_rules, s, e) for pid, s, e in found if pid >= n_rules]
            found = [m for m in found if m[0] < n_rules]
        memo[0] = (text, _unshift(found), _unshift(known))
        return False

    return clean


# Known values get a database of their own, compiled in a millisecond, so a new
# ``Secret`` is masked at once. A clean log record then costs two Hyperscan calls,
# each with a fixed cost of about 2,700 instructions. One database of the rules and
# the values answers in one call, but takes seconds to compile: a worker
# thread compiles it, :data:`MERGE_DELAY` seconds after the values were set, and
# ``clean`` switches to it when it is ready. Only prefilters still in use then are
# compiled: a sanitizer drops its prefilter when the values change, so a short-lived
# one (a command, a test) or one whose values keep changing never pays for it. A long
# text asks for it at once (in stream mode too: it is scanned once instead of twice).
#: Seconds between a prefilter's values being set and the merged database's compile
MERGE_DELAY = 2.0
_merge_lock = threading.Lock()
_merge_wake = threading.Condition(_merge_lock)
_merge_pending: collections.deque[tuple[float, weakref.ref[Prefilter]]] = collections.deque()
_merge_worker: threading.Thread | None = None


def _merge_later(prefilter: Prefilter, *, now: bool = False) -> None:
    global _merge_worker
    entry = (time.monotonic() + (0.0 if now else MERGE_DELAY), weakref.ref(prefilter))
    with _merge_lock:
        if now:
            _merge_pending.appendleft(entry)
        else:
            _merge_pending.append(entry)  # (the same delay for all: in order of due time)
        _merge_wake.notify()
        if _merge_worker is None:
            _merge_worker = threading.Thread(
                target=_merge_all, name="openrouter-secure-hyperscan", daemon=True
            )
            _merge_worker.start()


def _after_fork_in_child() -> None:
    # The worker thread does not exist in a child, and the lock may have been held by
    # it at the fork: start afresh (pending prefilters are merged on the next request).
    # So may the locks held while a database compiles (a second or two), by a thread
    # that is gone too: a compile it left unfinished is done again when needed.
    global _merge_lock, _merge_wake, _merge_worker, _CACHE_LOCK
    _merge_lock = threading.Lock()
    _merge_wake = threading.Condition(_merge_lock)
    _merge_worker = None
    _CACHE_LOCK = threading.Lock()
    for database in list(_databases):
        database._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _merge_all() -> None:
    global _merge_worker
    while True:
        with _merge_lock:
            while True:
                if not _merge_pending:
                    _merge_worker = None
                    return
                due, ref = _merge_pending[0]
                wait = due - time.monotonic()
                if wait <= 0 or ref() is None:
                    _merge_pending.popleft()
                    break
                _merge_wake.wait(wait)
        prefilter = ref()
        if prefilter is not None:
            prefilter._merge()
        del prefilter


class Prefilter:
    """Candidates for one rule table and one set of known values.

    ``known_rule`` is the rule index a known-value hit is reported with.
    """

    def __init__(
        self, rules: tuple[Rule, ...], needles: Sequence[tuple[str, int]], known_rule: int
    ) -> None:
        self.rules = _rule_database(rules)
        self._known_rule = known_rule
        ascii_needles = [(n, k) for n, k in dict(needles).items() if n.isascii()]
        self._needle_len = [len(n) for n, _ in ascii_needles]
        self._needle_keep = [k for _, k in ascii_needles]
        self._needles = Database([literal(n) for n, _ in ascii_needles]) if ascii_needles else None
        self._merged: list[Database] = []
        #: whether a long text asked for the merged database in stream mode
        self._stream_wanted = False
        self._memo: list[_Memo | None] = [None]
        #: set once the database of rules and known values is compiled (or failed)
        self.merged = threading.Event()
        #: ``clean(text)``: whether nothing can match in ``text``, answered cheaply for
        #: a short ASCII text (most log records) by scans that stop at the first
        #: match. False when unsure (a long or non-ASCII text), or when anything
        #: matched.
        self.clean: Callable[[str], bool] = _clean_check(
            self.rules, self._needles, self._merged, self._memo
        )
        if self._needles is None:
            self.merged.set()
        else:
            _merge_later(self)

    def _merge(self) -> None:
        """Compile the rules and the known values into one database (worker thread);
        once a long text asked for it, also for stream mode."""
        try:
            rules, needles = self.rules.db, self._needles
            if needles is not None and not self._merged:
                patterns = [p.decode("ascii") for p in rules._patterns + needles._patterns]
                som = [bool(f) for f in rules._flags] + [False] * len(needles._patterns)
                self._merged.append(Database(patterns, som))
            if self._stream_wanted and self._merged:
                self._merged[0].prepare_stream()
        except Exception:  # noqa: BLE001, S110 - two scans per text stay correct
            pass
        finally:
            self.merged.set()

    def _matches(self, text: str) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
        """What the rules' and the known values' patterns match in ``text``: in one
        scan of the merged database once it is compiled (for a long text, in stream
        mode: asked of the worker thread by the first long text), else in two."""
        needles = self._needles
        if needles is None:
            return self.rules.db.matches(text), []
        merged = self._merged
        if merged and (len(text) < STREAM_FROM or merged[0].streams):
            n_rules = len(self.rules.db._patterns)
            found = merged[0].matches(text)
            known = [(pid - n_rules, s, e) for pid, s, e in found if pid >= n_rules]
            if known:
                found = [m for m in found if m[0] < n_rules]
            return found, known
        if len(text) >= STREAM_FROM and not self._stream_wanted:
            self._stream_wanted = True
            _merge_later(self, now=True)
        return self.rules.db.matches(text), needles.matches(text)

    def candidates(
        self, text: str
    ) -> tuple[list[tuple[int, int, int, int, int]], dict[int, list[int]]]:
        """The hits of known values, as the scanner reports them; and per rule index,
        the sorted anchor starts to verify. A gated rule's anchors are looked up only in
        the spans its gate matched, so its frequent anchors cost nothing elsewhere."""
        memo = self._memo[0]
        if memo is not None and memo[0] is text:  # ``clean`` just scanned this text
            self._memo[0] = None
            found, known = memo[1], memo[2]
        else:
            found, known = self._matches(text)
        hits: list[tuple[int, int, int, int, int]] = []
        if known:
            lens, keeps, rule = self._needle_len, self._needle_keep, self._known_rule
            for k, _, end in known:
                start = end - lens[k]
                hits.append((start, start, end, rule, keeps[k]))
        per_rule: dict[int, list[int]] = {}
        if not found:
            return hits, per_rule
        db = self.rules
        n_lit, lit_len, lit_owners, gate_rule = db.n_lit, db.lit_len, db.lit_owners, db.gate_rule
        gate_window, not_gate, cancellable = db.gate_window, db.not_gate, db.cancellable
        # Gate matches that end where a cancelling match does, or after a name the rule
        # rejects: text the rule rejects.
        short_not, rejects_name, named_back = db.short_not, db.rejects_name, db.named_back
        value_checks = db.value_checks
        dropped = {
            (not_gate[pid], end)
            for pid, _, end in found
            if pid in not_gate and (pid not in short_not or _short_run(text, end))
        } or None
        gated: dict[int, list[tuple[int, int]]] = {}
        for pid, first, end in found:
            if pid < n_lit:
                start = end - lit_len[pid]
                for ri in lit_owners[pid]:
                    lst = per_rule.get(ri)
                    if lst is None:
                        per_rule[ri] = [start]
                    else:
                        lst.append(start)
            elif pid in not_gate:
                continue
            else:
                cancels = cancellable.get(pid)
                if cancels is not None and (
                    (dropped is not None and (cancels, end) in dropped)
                    or (pid in named_back and rejects_name[cancels](text, end))
                ):
                    continue
                check = value_checks.get(pid)
                if check is not None and check(text, end):
                    continue
                ri = gate_rule[pid - n_lit]
                window = gate_window[pid - n_lit]
                if window > 0:
                    first = max(0, end - window)
                elif window:
                    first = max(0, _run_start(text, end - 1) + window)
                spans = gated.get(ri)
                if spans is None:
                    gated[ri] = [(first, end)]
                else:
                    spans.append((first, end))
        for ri, spans in gated.items():
            # Every anchor whose gate ends at ``end`` starts at or after the leftmost
            # start Hyperscan reports, so the anchors are looked up in that span only.
            finditer = db.finders[ri].finditer
            lower = ri in db.lower
            starts = per_rule.setdefault(ri, [])
            spans.sort()
            merged: list[list[int]] = []
            for first, end in spans:
                if merged and first <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([first, end])
            for lo, hi in merged:
                if lower:
                    at = db.anchored[ri]
                    starts.extend(
                        k
                        for m in finditer(_lower(text[lo:hi]))
                        if at(text, k := lo + m.start()) is not None
                    )
                else:
                    starts.extend(m.start() for m in finditer(text, lo, hi))
        for lst in per_rule.values():
            lst.sort()
        return hits, {ri: lst for ri, lst in per_rule.items() if lst}
