"""A long text's Hyperscan scan in parts, one per core: the cuts lose no match and add
none, whatever falls across them."""

from __future__ import annotations

import multiprocessing
import random
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from openrouter_secure import Sanitizer, Secret
from openrouter_secure._sanitize import _hyperscan, _sanitizer, _split
from openrouter_secure._sanitize._rules import RULES
from openrouter_secure._sanitize._split import PART_MIN, cuts, line_breaks
from tests.sanitizer_cases import POSITIVE, PYTHON_ENGINES_ONLY
from tests.sanitizer_logs import clean_log_lines

pytest.importorskip("hyperscan")


@pytest.mark.parametrize(
    ("pattern", "breaks"),
    [
        ("sk-or-v1-[0-9a-f]{64}", 0),
        ("a\\nb", 1),
        ("key\\s{0,40}=", 40),
        ("(?:a\\n|b\\n\\n)c", 2),
        ("[^\\n]*token", 0),
        ('[^\\s"]+@', 0),
        (".*x", 0),
        ("\\D{0,3}", 3),
        ("\\W{2}[\\x00-\\x20]", 3),
    ],
)
def test_a_bound_is_the_most_line_breaks_one_match_holds(pattern: str, breaks: int) -> None:
    assert line_breaks([pattern]) == breaks


@pytest.mark.parametrize(
    "pattern", ["a\\s*b", '[^"]+x', "(?s:.*)x", "(?s).+", "\\W+", "(?:a\\n?)+", "(?=x)y"]
)
def test_a_pattern_whose_matches_hold_any_number_of_line_breaks_has_no_bound(
    pattern: str,
) -> None:
    assert line_breaks(["abc", pattern]) is None


def test_the_sanitizers_patterns_have_a_bound() -> None:
    database = Sanitizer(backend="hyperscan")._scanner()._hs.rules.db  # type: ignore[union-attr]
    assert database._line_breaks is not None


def _lines(size: int, seed: int = 1) -> str:
    filler = "\n".join(clean_log_lines(3000, seed=seed, hard_share=0.3))
    return (filler * (size // len(filler) + 1))[:size]


def test_each_part_starts_more_line_breaks_before_its_cut_than_a_match_holds() -> None:
    text = _lines(4 * PART_MIN + 123)
    parts = cuts(text, 7, 4)
    assert len(parts) == 4
    assert parts[0][:2] == (0, 0)
    assert parts[-1][2] == len(text)
    for (lo, keep, hi), (_, following, _) in zip(
        parts, [*parts[1:], (0, len(text), 0)], strict=True
    ):
        assert hi == following
        if keep:
            assert text[lo] == "\n"
            assert text.count("\n", lo, keep) == 8


def test_a_text_of_long_lines_or_too_short_is_one_part() -> None:
    assert cuts("x" * (3 * PART_MIN), 2, 2) == [(0, 0, 3 * PART_MIN)]
    assert cuts("x\n" * (PART_MIN // 2), 2, 2) == [(0, 0, PART_MIN)]


def _parts(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    monkeypatch.setattr(_hyperscan, "workers", lambda: n)


def test_a_match_holding_the_bound_across_a_cut_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = _hyperscan.Database(["a\\n{0,3}b", "x{3}"], block=False)
    size = 2 * PART_MIN + 10
    cut = size // 2
    text = "".join(
        "a\n\n\nb" if i == cut - 4 else ("\n" if i % 50 == 0 else "y") for i in range(size)
    )
    text = text[:size]
    assert database._line_breaks == 3
    _parts(monkeypatch, 2)
    parted = database.stream_matches(text)
    _parts(monkeypatch, 1)
    whole = database.stream_matches(text)
    assert parted == whole == [(0, 0, cut + 1)]


@pytest.mark.parametrize("n", [2, 3, 5])
def test_a_text_cut_in_parts_reports_what_the_whole_scan_reports(
    monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    """Every rule's examples across every cut: literals, gates with their start of
    match, and matches over lines (a PEM block)."""
    rng = random.Random(n)
    text = _lines(n * PART_MIN + rng.randrange(1000))
    examples = "\n".join(
        builder()[0]  # type: ignore[misc]
        for rule_id, builder in POSITIVE.items()
        if rule_id not in PYTHON_ENGINES_ONLY
    )
    pieces, pos = [], 0
    for k in range(1, n):
        # (the examples centred on the cut: it moves to a line break, which must stay
        # inside them for matches to stand on both sides)
        middle = len(text) * k // n - len(examples) // 2
        pieces += [text[pos:middle], examples]
        pos = middle + len(examples)
    text = "".join([*pieces, text[pos:]])
    database = Sanitizer(backend="hyperscan")._scanner()._hs.rules.db  # type: ignore[union-attr]
    _parts(monkeypatch, n)
    parts = cuts(text, database._line_breaks, n)
    assert len(parts) == n
    parted = database.stream_matches(text)
    _parts(monkeypatch, 1)
    whole = database.stream_matches(text)
    for _, cut, _ in parts[1:]:  # matches on both sides of every cut
        assert any(cut - len(examples) < end <= cut for _, _, end in whole)
        assert any(cut < end <= cut + len(examples) for _, _, end in whole)
    assert parted == whole


def test_a_long_text_in_parts_is_masked_as_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets_ = []
    lines = clean_log_lines(4000, seed=5, hard_share=0.2)
    builders = list(POSITIVE.values())
    rng = random.Random(5)
    out, size = [], 0
    while size < 3 * PART_MIN:
        line = rng.choice(lines)
        if rng.random() < 0.01:
            line, secret = rng.choice(builders)()  # type: ignore[operator]
            secrets_.append(secret)
        out.append(line)
        size += len(line) + 1
    text = "\n".join(out)
    sanitizer = Sanitizer(backend="hyperscan")
    _parts(monkeypatch, 3)
    parted = sanitizer.sanitize(text)
    _parts(monkeypatch, 1)
    assert parted == sanitizer.sanitize(text)
    assert parted.count("***MASKED***") >= len(secrets_)


def _scan_in_child(conn: object) -> None:
    text = _lines(2 * PART_MIN + 5)
    conn.send(len(Sanitizer(backend="hyperscan").sanitize(text)))  # type: ignore[attr-defined]


def test_a_forked_child_scans_in_parts_with_threads_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The parent's pool has no threads in a child made by ``fork``: a part handed to
    it would wait forever."""
    _parts(monkeypatch, 2)
    Sanitizer(backend="hyperscan").sanitize(_lines(2 * PART_MIN + 5))
    assert _split._pools
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_scan_in_child, args=(child,))
    process.start()
    process.join(60)
    alive = process.is_alive()
    if alive:
        process.kill()
    assert not alive
    assert parent.recv() == 2 * PART_MIN + 5


def _sanitize_in_child(conn: object, sanitizer: Sanitizer, database: _hyperscan.Database) -> None:
    value = "pw-" + secrets.token_hex(12)
    held = Secret(value)  # a new known value: the scanner is built again
    out = sanitizer.sanitize(f"login with {value}")
    fewer = Sanitizer(rules=RULES[:3], backend="hyperscan")  # a rule database to compile
    fewer.sanitize("x")
    found = database.stream_matches(_lines(2 * PART_MIN + 5) + "xxx")
    conn.send((out, found[-1][2]))  # type: ignore[attr-defined]
    held.wipe()


def test_a_child_forked_while_another_thread_compiles_does_not_wait_for_it() -> None:
    """Every lock held while a database or a scanner compiles (a second or two) is held
    at the fork, as by a thread the child does not have: the child takes fresh ones."""
    sanitizer = Sanitizer(backend="hyperscan")
    database = _hyperscan.Database(["x{3}"], block=False)  # (stream mode not compiled)
    held = [_hyperscan._CACHE_LOCK, database._lock, _sanitizer._shared_lock, sanitizer._lock]
    for lock in held:
        lock.acquire()
    try:
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        process = context.Process(target=_sanitize_in_child, args=(child, sanitizer, database))
        process.start()
        process.join(60)
        alive = process.is_alive()
        if alive:
            process.kill()
    finally:
        for lock in held:
            lock.release()
    assert not alive
    assert parent.recv() == ("login with ***MASKED***", 2 * PART_MIN + 5 + 3)


def test_a_long_text_at_interpreter_exit_is_scanned_whole() -> None:
    """No thread starts at exit (an ``atexit`` handler, a last log record): the parts
    are not handed to the pool, and the text is still masked, not withheld."""
    script = f"""
import atexit, secrets, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from openrouter_secure import Sanitizer
value = "sk-or-v1-" + secrets.token_hex(32)
text = ("ordinary log line 0000\\n" * {2 * PART_MIN // 23 + 10}) + value
def at_exit():
    out = Sanitizer(backend="hyperscan").sanitize(text)
    print("withheld" if out.startswith("<REDACTED") else "leak" if value in out else "masked")
atexit.register(at_exit)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "masked"
