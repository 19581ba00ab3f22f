"""The Hyperscan engine on long texts: stream mode over chunks finds exactly what the
pure-Python engine finds, also for secrets that straddle a chunk boundary, and stays
correct when threads scan at once. (Real Hyperscan databases, no patching.)"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from openrouter_secure import Sanitizer, Secret
from openrouter_secure._sanitize import _compiled, _cpython, _hyperscan, _rules
from openrouter_secure._sanitize._hyperscan import (
    CHUNK,
    MEMO_UP_TO,
    PAD_FROM,
    STREAM_FROM,
    Database,
    Prefilter,
    _clean_check,
    occurrences,
)
from openrouter_secure._sanitize._rules import RULES
from openrouter_secure._sanitize._scan import KNOWN
from openrouter_secure.testing import assert_no_leak
from tests.sanitizer_cases import ALNUM, POSITIVE, PYTHON_ENGINES_ONLY, rnd
from tests.sanitizer_logs import clean_log_lines
from tests.test_rules import engine

pytest.importorskip("hyperscan")

RULE_IDS = sorted(set(POSITIVE) - PYTHON_ENGINES_ONLY)
BY_ID = {r.id: r for r in RULES}


@pytest.fixture(autouse=True)
def _merge_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests wait for the merged database: compiled at once, not after the delay
    that spares short-lived sanitizers its compile."""
    monkeypatch.setattr(_hyperscan, "MERGE_DELAY", 0.0)


def _straddling_text(planted: list[str]) -> tuple[str, list[str]]:
    """Clean log lines, longer than ``STREAM_FROM``, with a secret across each chunk
    boundary (the boundary one character into its rule's anchor) and the ``planted``
    strings spread in."""
    filler = "\n".join(clean_log_lines(4000, seed=3, hard_share=0.2))
    size = STREAM_FROM + 3 * CHUNK
    filler = (filler * (size // len(filler) + 1))[:size]
    secrets_: list[str] = []
    pieces: list[str] = []
    pos = 0
    extra = iter(planted)
    straddled = ("openrouter-api-key", "secret-assignment", "url-credentials", "github-token")
    for i, boundary in enumerate(range(CHUNK, size, CHUNK)):
        rule = BY_ID[straddled[i % len(straddled)]]
        text, secret = POSITIVE[rule.id]()  # type: ignore[misc]
        line = f" {next(extra, '')} {text} "
        anchor_at = min(p for p in (line.find(a) for a in rule.anchors) if p >= 0)
        start = boundary - anchor_at - 1
        pieces.append(filler[pos:start])
        pieces.append(line)
        secrets_.append(secret)
        pos = start + len(line)
    pieces.append(filler[pos:])
    return "".join(pieces), secrets_


def _dense_text() -> str:
    """Every rule's positive example among hard negatives: matches of every literal and
    gate, a few kilobytes in all."""
    lines = clean_log_lines(200, seed=9, hard_share=0.5)
    lines += [POSITIVE[r]()[0] for r in RULE_IDS]  # type: ignore[misc]
    return "\n".join(lines)


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
def test_stream_mode_reports_what_block_mode_reports_whatever_the_chunk_size(
    chunk: int,
) -> None:
    """Small chunks put a boundary inside nearly every match: the streamed matches,
    start of match included, must equal one block scan of the whole text."""
    text = _dense_text()
    database = Sanitizer(backend="hyperscan")._scanner()._hs.rules.db  # type: ignore[union-attr]
    block = database.matches(text)
    assert len(text) < STREAM_FROM  # so ``matches`` scanned it as one block
    assert len(block) > len(RULE_IDS)
    assert sorted(database.stream_matches(text, chunk)) == sorted(block)


def test_stream_mode_finds_what_the_python_engine_finds_across_chunk_boundaries() -> None:
    text, planted = _straddling_text([])
    assert len(text) >= STREAM_FROM
    assert text.isascii()
    fast = Sanitizer(backend="hyperscan")
    found = fast.find(text)
    assert found == Sanitizer(backend="python").find(text)
    assert_no_leak(planted, fast.sanitize(text))


def test_stream_mode_masks_known_values_across_chunk_boundaries() -> None:
    values = [rnd(ALNUM, 28) for _ in range(8)]
    held = [Secret(v) for v in values]
    text, _ = _straddling_text(values)
    fast = Sanitizer(backend="hyperscan")
    assert fast.find(text) == Sanitizer(backend="python").find(text)
    assert_no_leak(values, fast.sanitize(text))
    del held


def test_threads_scanning_long_texts_at_once_each_get_their_own_results() -> None:
    """Each stream scan uses its thread's scratch space; two at once must neither fail
    nor mix their matches."""
    texts = [_straddling_text([])[0] for _ in range(3)]
    fast = Sanitizer(backend="hyperscan")
    expected = [fast.find(t) for t in texts]
    results: dict[int, object] = {}
    start = threading.Barrier(len(texts))

    def work(i: int) -> None:
        start.wait()
        results[i] = [fast.find(texts[i]) for _ in range(3)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: [expected[i]] * 3 for i in range(len(texts))}


def test_a_block_scan_survives_a_scratch_in_use() -> None:
    """Hyperscan refuses a scratch space already in use; a scan started from inside
    another scan's callback (a real reentrant scan, no patching) falls back to the
    thread's own scratch and still reports every match."""
    database = Sanitizer(backend="hyperscan")._scanner()._hs.rules.db  # type: ignore[union-attr]
    data = POSITIVE["github-token"]()[0].encode("ascii")  # type: ignore[index]
    inner: list[list[tuple[int, int, int]]] = []

    def reenter(*_: object) -> None:
        if not inner:
            inner.append(database.ends(data))

    database.db.scan(data, reenter)
    assert inner
    assert inner[0] == database.ends(data) != []


def test_a_database_compiles_stream_mode_only_when_a_long_text_needs_it() -> None:
    database = Database(["abc"])
    assert database.matches("xxabcxx") == [(0, 0, 5)]
    assert database._stream_db is None
    long = "x" * (STREAM_FROM - 2) + "abc"
    assert database.matches(long) == [(0, 0, len(long))]
    assert database._stream_db is not None


def _prefilter_with(value: str) -> Prefilter:
    return Prefilter(tuple(RULES), [(value, 0)], KNOWN)


def test_clean_switches_to_one_merged_database_when_it_is_compiled() -> None:
    prefilter = _prefilter_with("db-pass-" + rnd(ALNUM, 16))
    assert prefilter.merged.wait(60), "the worker thread never compiled the database"
    assert len(prefilter._merged) == 1
    merged = prefilter._merged[0]
    assert len(merged._patterns) == len(prefilter.rules.db._patterns) + 1


def test_the_merged_clean_check_answers_as_the_two_databases_do() -> None:
    """The same texts through both paths: the known value, each rule's example, and
    clean log lines (some naming secrets without holding one)."""
    value = "db-pass-" + rnd(ALNUM, 16)
    prefilter = _prefilter_with(value)
    assert prefilter.merged.wait(60)
    texts = [f"connected with {value} ok", value, *clean_log_lines(300, seed=5, hard_share=0.3)]
    texts += [POSITIVE[rule_id]()[0] for rule_id in RULE_IDS]  # type: ignore[misc]
    merged = [prefilter.clean(t) for t in texts]
    saved = prefilter._merged[:]
    prefilter._merged.clear()  # back to the rules' and the values' own databases
    try:
        separate = [prefilter.clean(t) for t in texts]
    finally:
        prefilter._merged.extend(saved)
    assert merged == separate
    assert merged[:2] == [False, False]
    assert True in merged  # clean lines pass: the check is not simply always False


def test_a_held_secret_without_a_format_is_masked_in_a_log_record_after_the_merge() -> None:
    value = "db-pass-" + rnd(ALNUM, 16)
    secret = Secret(value)
    try:
        sanitizer = Sanitizer(backend="hyperscan")
        prefilter = sanitizer._scanner()._hs
        assert prefilter is not None
        assert prefilter.merged.wait(60)
        assert prefilter._merged
        assert_no_leak(value, sanitizer.sanitize(f"login ok for {value}"))
    finally:
        secret.wipe()


class _AppearsWhenReadTwice(list[Database]):
    """The merged database as the worker thread adds it while ``clean`` runs: absent
    the first time the list is tested, present from then on."""

    reads = 0

    def __bool__(self) -> bool:
        self.reads += 1
        return self.reads > 1


def test_the_quick_check_reads_the_merged_database_once() -> None:
    """A record scanned as the rules' and the values' own databases is split as such,
    even when the merged database appears meanwhile (a hidden character's hit, a known
    value of one character, was once dropped: a cursor-drawn key went unmasked)."""
    value = "db-pass-" + rnd(ALNUM, 16)
    prefilter = _prefilter_with(value)
    assert prefilter.merged.wait(60)
    assert prefilter._merged
    memo: list[object] = [None]
    clean = _clean_check(
        prefilter.rules,
        prefilter._needles,
        _AppearsWhenReadTwice(prefilter._merged),
        memo,  # type: ignore[arg-type]
    )
    text = f"login ok for {value} done"
    assert not clean(text)
    kept = memo[0]
    assert isinstance(kept, tuple)
    assert kept[0] is text
    assert [(k, end) for k, _, end in kept[2]] == [(0, text.index(value) + len(value))]


def _merge_in_child(value: str, results: multiprocessing.Queue[tuple[bool, bool]]) -> None:
    prefilter = _prefilter_with(value)
    # (a generous bound: on a loaded 2-core machine the compile takes a while)
    results.put((prefilter.merged.wait(120), bool(prefilter._merged)))


def test_a_forked_child_merges_its_own_databases() -> None:
    """Forked while the parent's worker thread compiles: the child has no such thread
    (and maybe a held lock), and must start its own."""
    ctx = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[tuple[bool, bool]] = ctx.Queue()
    parent = _prefilter_with("db-pass-" + rnd(ALNUM, 16))  # its worker is compiling now
    child = ctx.Process(target=_merge_in_child, args=("db-pass-" + rnd(ALNUM, 16), results))
    child.start()
    try:
        assert results.get(timeout=150) == (True, True)
    finally:
        child.join(10)
    assert parent.merged.wait(60)


def _generated(n: int) -> str:
    # (a digit and a letter: passes the value gate; opening with ``q``, no vendor's
    # prefix, ``SK...`` or ``AKIA...``, can stand at its start)
    return "q" + rnd(ALNUM, n - 3) + "7q"


@pytest.mark.parametrize(
    "name", ["cache_key", "public_key", "next_token", "CACHE_KEY", "Public.auth"]
)
@pytest.mark.parametrize("separator", ["=", ": ", " = ", ":="])
def test_a_name_the_rule_rejects_makes_no_match(name: str, separator: str) -> None:
    """``cache_key=<hex>``: the assignment gates are written not to match under a name
    the rule rejects, so such a record costs no match report, and is clean."""
    record = f"INFO app: {name}{separator}{_generated(32)} hit=true"
    database = Sanitizer(backend="hyperscan")._scanner()._hs.rules.db  # type: ignore[union-attr]
    assert database.matches(record) == []
    assert Prefilter(tuple(RULES), [], KNOWN).clean(record)


def test_the_assignment_gates_match_as_written_plainly_but_under_a_rejected_name() -> None:
    """Each assignment gate, with what it reads before its word so as not to match
    under a name the rule rejects, matches where the gate written with the word alone
    does, at the same ends, except after such a name."""
    owners = ("cache", "Public", "NEXT", "cach", "xcache", "page", "max", "api", "CACHE")
    lines = [
        f"{pre}{owner}{sep}{word}{head}{_generated(24)}"
        for pre in (" ", "x", "\t_", "(")
        for owner in owners
        for sep in ("_", "-", ".", "")
        for word in ("key", "Token", "AUTH", "cookie")
        for head in ("=", ": ", " = ", ":=", " ")
    ]
    text = "\n".join([_dense_text(), *lines])
    plain = _rules._headed(
        _rules._OTHER_WORD_RE, _rules._ASSIGN_HEADS, _rules._BLANKS + _rules._value(), 0
    )
    written = {end for _, _, end in Database([g for g, _ in _rules._HS_ASSIGN_GATES]).matches(text)}
    reference = {end for _, _, end in Database([g for g, _ in plain]).matches(text)}
    rejected = re.compile("|".join(_rules._KEY_NAME_NOT))
    assert written <= reference
    assert len(written) > 1000
    for end in reference - written:
        line = text[text.rfind("\n", 0, end - 1) : end]
        assert rejected.search(line), line


@pytest.mark.parametrize(
    "record",
    ['{{"cache_key": "{v}", "hit": true}}', '{{"Public.token":"{v}"}}', '"next_token": "{v}",'],
)
def test_a_json_key_the_rule_rejects_passes_the_quick_clean_check(record: str) -> None:
    """A rejected name in a JSON key: the gate after a quote matches, and the name is
    read back in the quick check."""
    prefilter = Prefilter(tuple(RULES), [], KNOWN)
    assert prefilter.clean(record.format(v=_generated(32)))


def test_a_rejected_json_key_beside_a_secret_one_is_not_clean() -> None:
    value = _generated(32)
    text = f'{{"cache_key": "{_generated(32)}", "api_key": "{value}"}}'
    assert not Prefilter(tuple(RULES), [], KNOWN).clean(text)
    assert_no_leak(value, Sanitizer(backend="hyperscan").sanitize(text))


def test_a_rejected_name_beside_a_secret_name_is_not_clean() -> None:
    value = _generated(32)
    text = f"INFO app: cache_key={_generated(32)} api_key={value}"
    prefilter = Prefilter(tuple(RULES), [], KNOWN)
    assert not prefilter.clean(text)
    assert_no_leak(value, Sanitizer(backend="hyperscan").sanitize(text))


def test_the_scan_after_a_failed_clean_check_finds_what_a_fresh_scan_finds() -> None:
    """The clean check keeps its matches for the scan that follows; the scan must find
    the same as one without them, also with a known value held."""
    value = "db-pass-" + rnd(ALNUM, 16)
    prefilter = Prefilter(tuple(RULES), [(value, 0)], KNOWN)
    texts = [POSITIVE[rule_id]()[0] + f" and {value}" for rule_id in RULE_IDS]  # type: ignore[misc]
    texts.append(f"cache_key={value} api_key=" + rnd(ALNUM, 30) + "7q")
    fresh = [prefilter.candidates(t) for t in texts]
    assert prefilter.merged.wait(60)
    saved = prefilter._merged[:]
    assert saved, "the merged database was not compiled"
    for merged in (saved, []):  # the merged database of rules and values, then the two
        prefilter._merged[:] = merged
        reused = []
        for t in texts:
            assert not prefilter.clean(t)
            reused.append(prefilter.candidates(t))
        assert reused == fresh
        assert prefilter._memo[0] is None  # consumed: the text is not kept
    prefilter._merged[:] = saved


def test_a_text_longer_than_the_memo_bound_is_still_scanned_whole() -> None:
    """Over ``MEMO_UP_TO`` the clean check keeps nothing and answers at the first
    match; the scan then finds the secret at the end of the text."""
    value = _generated(32)
    filler = "\n".join(clean_log_lines(2000, seed=8))
    text = (filler * (MEMO_UP_TO // len(filler) + 2)) + f"\napi_key={value}"
    assert MEMO_UP_TO < len(text) < STREAM_FROM
    sanitizer = Sanitizer(backend="hyperscan")
    prefilter = sanitizer._scanner()._hs
    assert prefilter is not None
    assert not prefilter.clean(text)
    assert prefilter._memo[0] is None
    assert_no_leak(value, sanitizer.sanitize(text))


# -- the secret-assignment gate in Hyperscan ------------------------------------------


@pytest.mark.parametrize(
    "record",
    [
        "INFO app: token: MissingDependencyError for tenant 42",
        '{"access_key": "xxxxxxxxxxxxxxxx", "id": 7}',
        "INFO app: api_key=env://OPENROUTER_API_KEY tenant=42",
        "INFO app: configured OPENROUTER_API_KEY=sk-or-v1-your-key-here for tenant 42",
        "INFO app: API_KEY=YOUR_API_KEY_HERE region=eu",
        '{"msg": "cache put", "key": "user:926382"}',
        "INFO app: api_key=***MASKED*** tenant=42",
        '{"refresh_token": "<token>", "session_token": "", "credentials": "keyring://a/b"}',
        "INFO app: OPENROUTER_API_KEY tenant=42 region=eu",
    ],
)
def test_a_clean_record_naming_a_secret_is_answered_by_the_quick_check(record: str) -> None:
    """Such records are turned away by the gate (no mark in the value's run) or by the
    pattern that cancels it (a placeholder, a reference), before any Python work."""
    prefilter = Prefilter(tuple(RULES), [], KNOWN)
    assert prefilter.clean(record)


def _engines_mask(text: str, secret: str) -> None:
    for backend in ("hyperscan", "ahocorasick", "python"):
        assert_no_leak(secret, engine(backend).sanitize(text))


@pytest.mark.parametrize(
    "shape",
    [
        "api_key={v}/cache_key={w} done",
        'cache_key="note api_key={v}" done',
        "cache_key=abc&api_key={v} done",
        "api_key=sk-or-v1-your-key-here token={v} done",
        "token: {v}",  # at the very end: no delimiter after the value
        'x = {{"api_key": "{v}"}}',
        "Using token {v} for the call",
        "secret_key: {v}:{w}",
    ],
)
def test_a_secret_beside_or_inside_rejected_text_is_masked_by_every_engine(shape: str) -> None:
    value = _generated(32)
    _engines_mask(shape.format(v=value, w=_generated(24)), value)


@pytest.mark.parametrize("length", [150, 600, 5000, 40000])
def test_a_long_value_is_found_from_its_name_and_masked_to_its_end(length: int) -> None:
    """The gate's match ends after the value's run: its name is read back over the run;
    a value longer than its judged head is masked whole."""
    value = _generated(length)
    for text in (f"INFO app: api_key={value} done", f'{{"token": "{value}"}}'):
        for backend in ("hyperscan", "ahocorasick", "python"):
            masked = engine(backend).sanitize(text)
            assert_no_leak([value[:64], value[-64:]], masked)


def test_a_generated_value_without_digits_needs_a_mark_in_every_engine() -> None:
    """``uHOAdwfQsDpLxKzR`` (capitals in a row, a lower-case letter between capitals) is
    a value; a camel-case identifier is not, whatever its entropy."""
    marked = "uHOAdwfQsDpLxKzRmYtV"
    _engines_mask(f"INFO api_key={marked} ok", marked)
    for backend in ("hyperscan", "ahocorasick", "python"):
        text = "INFO api_key=MissingDependencyErrorHandler ok"
        assert engine(backend).sanitize(text) == text, backend


def _hexv(n: int = 32) -> str:
    return rnd("0123456789abcdef", n - 1) + "7"


@pytest.mark.parametrize(
    "shape",
    [
        'api_key: "abc$defgh://{v}"',
        '<token>"{v}"</token>',  # element content in quotes
        '<entry name="api_key">"{v}"</entry>',
        "token=\\`{v}\\` done",  # an escaped backtick
        "CREDSECRET={v} done",  # two words overlapping
        "SECRETOKEN={v} done",
        "Using token $8{v} for the call",  # a prose value opening with $
        "AWS_S3_KEY={v} done",  # S3 is s, 3 to the name test: not a cancelled owner
        "i18n_key={v} done",
        "metaData_key={v} done",
        "PassWord={v} done",  # a password word in two segments
        "dbPassWord2={v} done",
        "token=qwmvzkrtpl\x1bXY{v} done",  # a control character inside a bare value
        "FaKe_token={v} done",  # FaKe is fa, ke to the name test: not a made-up name
        "PubLic_token={v} done",
        "db_passPhrase={v} done",
        "client_secret={v}&redirect_uri=https://app.example.com/cb",
        "api_key={v}&other_token=abc",
    ],
)
def test_every_engine_masks_a_secret_in_an_awkward_place(shape: str) -> None:
    value = _hexv()
    _engines_mask(shape.format(v=value), value)


def test_a_placeholder_beyond_the_judged_head_does_not_hide_a_long_value() -> None:
    value = _generated(600)
    _engines_mask(f"api_key={value}example_here done", value[:64])


@pytest.mark.parametrize(
    "password",
    ["Summer@2024", "Welcome_123", "Handsome_pass55", "MyPassword12!", "dragon123", "iloveyou1"],
)
def test_a_human_password_under_a_password_name_is_masked(password: str) -> None:
    _engines_mask(f"DB_PASSWORD={password} host=db", password)


def test_a_gate_match_is_read_back_over_its_own_run_only() -> None:
    """``token:aaaaaa1:`` repeated: each match is read back to its value, not over the
    values before it (which made the scan quadratic)."""
    from openrouter_secure._sanitize._hyperscan import _run_start

    text = "token:aaaaaa1:" * 500
    for end in range(16, len(text), 14):  # just after each ``:x`` a gate reads
        assert end - _run_start(text, end - 1) <= 16


def _filler(size: int, seed: int) -> str:
    lines = "\n".join(clean_log_lines(2000, seed=seed, hard_share=0.2))
    return (lines * (size // len(lines) + 1))[:size]


def _wait_until_the_merged_database_streams(prefilter: Prefilter) -> None:
    deadline = time.monotonic() + 60
    while not (prefilter._merged and prefilter._merged[0].streams):
        assert time.monotonic() < deadline, "the worker thread never compiled it for streams"
        time.sleep(0.01)


def test_a_long_text_asks_for_the_merged_database_in_stream_mode_then_scans_once() -> None:
    """The first long text is scanned by the rules' and the known values' own
    databases and asks the worker thread for the merged one in stream mode; the next
    long text is scanned once by it, and every candidate and known-value hit (a value
    and a hidden character across chunk boundaries) is the same."""
    value = "db-pass-" + rnd(ALNUM, 16)
    prefilter = Prefilter(tuple(RULES), [(value, 0), ("\x1b", 0)], KNOWN)
    text, _ = _straddling_text([value])
    for k in (5, 6):  # the value, then a hidden character, across a chunk boundary
        at = k * CHUNK - 4
        text = f"{text[:at]}{value}\x1b[0m{text[at:]}"
    assert len(text) >= STREAM_FROM
    two_scans = prefilter.candidates(text)
    _wait_until_the_merged_database_streams(prefilter)
    assert prefilter._needles is not None
    one_scan = prefilter.candidates(text)
    assert one_scan == two_scans
    known = sorted(text[start:end] for _, start, end, _, _ in one_scan[0])
    assert known == ["\x1b"] * 2 + [value] * 3
    assert len(one_scan[1]) >= 4  # the straddling secrets' rules


def test_a_text_under_the_stream_bound_is_scanned_once_by_the_merged_database() -> None:
    value = "db-pass-" + rnd(ALNUM, 16)
    prefilter = _prefilter_with(value)
    text = f"{_filler(MEMO_UP_TO * 2, seed=12)} {value} api_key={_generated(32)}"
    assert MEMO_UP_TO < len(text) < STREAM_FROM
    assert prefilter.merged.wait(60)
    saved = prefilter._merged[:]
    assert saved, "the merged database was not compiled"
    one_scan = prefilter.candidates(text)
    prefilter._merged.clear()  # back to the rules' and the values' own databases
    try:
        two_scans = prefilter.candidates(text)
    finally:
        prefilter._merged.extend(saved)
    assert one_scan == two_scans
    assert [text[s:e] for _, s, e, _, _ in one_scan[0]] == [value]
    assert not saved[0].streams  # a text this short never compiles it for streams


def _every_find(text: str, value: str) -> list[int]:
    out = []
    i = text.find(value)
    while i >= 0:
        out.append(i)
        i = text.find(value, i + 1)
    return out


@pytest.mark.parametrize("count", [1, 2, 5, 40, 63, 64, 90])
@pytest.mark.parametrize("size", [MEMO_UP_TO, STREAM_FROM + 2 * CHUNK, PAD_FROM + CHUNK])
def test_occurrences_finds_every_copy_of_each_value_as_str_find_does(count: int, size: int) -> None:
    """One value, a few, 5 to 63 (padded with literals no ASCII text holds in a text
    of ``PAD_FROM``), 64 and more, in a block and in streams: every copy, overlapping
    ones included, also across chunk boundaries, and nothing else."""
    values = [rnd(ALNUM, 8 + i % 50) for i in range(count)]
    values[0] = "abab" * 4  # overlaps itself: found at every period
    long = size >= STREAM_FROM
    pieces = [_filler(size, seed=count)]
    for i, value in enumerate(values):
        at = (1 + i % 6) * CHUNK - len(value) // 2 if long else (i * 97) % size
        pieces[0] = f"{pieces[0][:at]}{value}{pieces[0][at:]}"
        pieces.append(f" {value}{value[:-1]} ")
    text = "".join(pieces)
    expected = sorted((vi, at) for vi, v in enumerate(values) for at in _every_find(text, v))
    assert sorted(occurrences(text, values)) == expected
    assert len(expected) >= 2 * count


def test_occurrences_finds_a_value_of_several_lines_across_the_cut_of_a_text_in_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The literals' database is given its bound (the values' own line breaks) instead
    of reading it back from its patterns: a copy of a three-line value that holds the
    cut between two parts, its start two line breaks before it, is found."""
    monkeypatch.setattr(_hyperscan, "workers", lambda: 2)
    value = "\n".join(rnd(ALNUM, 12) for _ in range(3))
    body = "\n".join([value] * 60_000)

    def straddled(text: str) -> bool:
        cut = len(text) // 2  # (where two parts cut it)
        start = text.rfind(value.partition("\n")[0], 0, cut)  # (the copy's first line)
        return text.count("\n", start, cut) == 2 and start + len(value) > cut

    # (a head that puts the cut into a copy's last line, past both of its line breaks)
    text = next(t for t in ("x" * n + body for n in range(80)) if straddled(t))
    assert len(text) >= 2 * _hyperscan.PART_MIN
    assert sorted(occurrences(text, [value])) == [(0, at) for at in _every_find(text, value)]


@pytest.mark.parametrize("count", [1, 5])
def test_copies_of_found_values_are_masked_across_chunk_boundaries(count: int) -> None:
    """Values a context rule finds (``api_key=...``) are searched for in the whole long
    text: a bare copy across each chunk boundary is masked too."""
    values = [_generated(32) for _ in range(count)]
    text = "\n".join(f"api_key={v}" for v in values) + "\n" + _filler(STREAM_FROM, seed=13)
    for k, value in enumerate(values * 2, start=1):
        at = k * CHUNK - 10
        text = f"{text[:at]}{value}{text[at:]}"
    sanitizer = Sanitizer(backend="hyperscan")
    found = sanitizer.find(text)
    copies = [f for f in found if text[f.start : f.end] in values]
    assert len(copies) == 3 * count
    assert_no_leak(values, sanitizer.sanitize(text))


# -- The gates of ``secret-assignment``: one pattern per character after the word -----

# Every character that can follow a secret word in an assignment, and the forms around
# it; the names carry digits and value suffixes too (their gates are loose ones).
_SEPARATORS = (
    "=", " = ", ": ", ":", ":=", " := ", "::=", "=>", " => ", "->", " -> ", "?=", "??=",
    "||=", "<-", " == ", " === ", " != ", "!=", "!==", "\t=\t", "\t", '": "', '":"', "': '",
    '"] = "', "'] = '", "] = ", "(",
    '\\": \\"', '("', ": str = ", ": Optional[str] = ", '", "', "', '", ">", '">', "'>",
    " is ", " ", "  ", " set: ", " header set: ", ' type="x">', "\t", '",\n    "',
)  # fmt: skip
_TEMPLATES = (
    "{n}{s}{v}", "x {n}{s}{v} y", '"{n}{s}{v}"', "<{n}>{v}</{n}>", '{{"{n}": "{v}"}}',
    "export {n}{s}{v}", "  {n}{s}'{v}'", "[{n}{s}{v}]", '<{n} a="b">{v}</{n}>',
    '{n}{s}"{v}",', "{n}{s}`{v}`", "<ns:{n}\tenc='1'>{v}</ns:{n}>",
)  # fmt: skip
_WORDS = (
    "password", "passwd", "passphrase", "pwd", "pass", "secret", "token", "key", "auth",
    "credentials", "credential", "creds", "cookie", "sessionid", "LOGIN", "PAT", "SAS",
)  # fmt: skip


def _assignment(rng: random.Random) -> str:
    word = rng.choice(_WORDS)
    if word.islower():
        word = rng.choice([word, word.upper(), word.capitalize()])
    before = rng.choice(["", "api_", "db_", "x-", "my", "client", "AWS_SECRET_", "stripe."])
    if before in ("my", "client"):
        word = word[0].upper() + word[1:]
    after = rng.choice(
        ["", "", "", "", "1", "12", "007", "_value", "-string", ".data", "3_value", "[]", "[N]"]
    )
    alphabet = rng.choice([ALNUM, ALNUM.lower(), "0123456789abcdef", ALNUM + "+/=_-.!#%"])
    value = rnd(alphabet, rng.choice([8, 12, 16, 24, 40]))
    template = rng.choice(_TEMPLATES)
    return template.format(n=before + word + after, s=rng.choice(_SEPARATORS), v=value)


def test_the_split_gates_find_what_the_python_engine_finds() -> None:
    """Hyperscan's gates are split by the character after the secret word (so a JSON
    record naming secrets does not start them at every word); together they must let
    through every assignment the pure-Python engine masks, in every form."""
    rng = random.Random(16)
    fast, slow = engine("hyperscan"), engine("python")
    texts = [_assignment(rng) for _ in range(4000)]
    found = [t for t in texts if slow.sanitize(t) != t]
    assert len(found) > 1500  # the forms hold secrets often enough to test the gates
    assert [fast.sanitize(t) for t in texts] == [slow.sanitize(t) for t in texts]


def test_a_json_record_naming_many_secrets_without_one_reports_no_match() -> None:
    """Keys that name secrets, values that are references, placeholders, words, paths
    and numbers: no gate matches, so the quick check runs no Python callback."""
    fields = {
        "api_key": "env://OPENROUTER_API_KEY", "password": "${DB_PASSWORD}",
        "token_type": "bearer", "secret_ref": "aws://prod/openrouter#api_key",
        "auth": "oauth", "client_secret": "***MASKED***", "refresh_token": "<token>",
        "private_key_path": "/run/secrets/key", "max_tokens": 4096,
        "access_key": "xxxxxxxxxxxxxxxx", "webhook_secret": "${WEBHOOK_SECRET}",
        "credentials": "keyring://openrouter-secure/prod", "cookie": "none",
    }  # fmt: skip
    record = json.dumps(fields)
    prefilter = Prefilter(tuple(RULES), [], KNOWN)
    assert prefilter.rules.db.matches(record) == []


def test_a_scheme_is_no_value_but_a_run_with_a_symbol_before_colons_is() -> None:
    """``keyring://`` after a secret name is a reference (no gate matches it); a run that
    cannot be a scheme is read on, in every engine."""
    prefilter = Prefilter(tuple(RULES), [], KNOWN)
    assert prefilter.rules.db.matches('"credentials": "keyring://svc/prod"') == []
    value = "ab#" + rnd(ALNUM, 20) + "7q"
    for backend in ("hyperscan", "python"):
        assert_no_leak(value, engine(backend).sanitize(f"token={value}://x"))


@pytest.mark.parametrize(
    "record",
    [
        '{"level": "info", "msg": "done", "token_value": null, "ms": 12}',
        '{"level": "info", "sort_key2": "created_at", "msg": "done", "ms": 1}',
        '{"level": "info", "msg": "done", "cache_key_data": "user:1", "ms": 12}',
        "INFO processed key1=a key2=b key3=c path=/v1/items status=ok ms=12",
        "DEBUG form fields: password_value=empty, remember=true, next=/home",
    ],
)
def test_a_name_with_digits_or_a_suffix_and_no_secret_reports_no_match(record: str) -> None:
    """The gates of names with digits or a value suffix read the value as the others do:
    a clean record never reaches Python."""
    assert Prefilter(tuple(RULES), [], KNOWN).rules.db.matches(record) == []


@pytest.mark.parametrize(
    "record",
    [
        '{"token": "REDACTED", "user": "alice", "path": "/v1/items/list", "ms": 12}',
        '{"api_key": "YOUR_API_KEY_HERE", "model": "openai/gpt-4o", "stream": true}',
        "config = {'api_key': 'example-key-123', 'timeout': 30, 'retries': 3}",
        "INFO app: api_key = sk-or-v1-your-key-here tenant=42",
    ],
)
def test_a_placeholder_after_a_quoted_name_passes_the_quick_check(record: str) -> None:
    """JSON, Python's dicts and spaced assignments: the placeholder cancels the gate's
    match in Hyperscan, so the record is answered clean without Python."""
    assert Prefilter(tuple(RULES), [], KNOWN).clean(record)


def test_the_merged_database_waits_for_the_delay_and_skips_a_dropped_prefilter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A prefilter is merged only once its values have stood for ``MERGE_DELAY``; one
    dropped before then (its sanitizer's values changed) is never compiled."""
    monkeypatch.setattr(_hyperscan, "MERGE_DELAY", 0.5)
    kept = Prefilter(tuple(RULES), [("db-pass-" + rnd(ALNUM, 16), 0)], KNOWN)
    dropped = Prefilter(tuple(RULES), [("db-pass-" + rnd(ALNUM, 16), 0)], KNOWN)
    event = dropped.merged
    del dropped
    assert not kept.merged.wait(0.2)  # not yet: within the delay
    assert kept.merged.wait(60)
    assert kept._merged
    assert not event.wait(1.0)  # the dropped one was skipped


# -- compiled databases kept on disk ---------------------------------------------------------


def _kept_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.hsdb"))


def test_a_rules_database_is_kept_and_loaded_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The next process loads the rules' database compiled by the first; it finds the
    same."""
    monkeypatch.setenv("OPENROUTER_SECURE_CACHE_DIR", str(tmp_path / "kept"))
    patterns = [r"token=[A-Za-z0-9]{16}", r"[^A-Za-z0-9]sk-[a-z]{8}"]
    first = Database(patterns, keep=True)
    (kept,) = _kept_files(tmp_path / "kept")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "kept").stat().st_mode) == 0o700
    compiled = _compiled.load(first._hs, first._patterns, first._flags, first._hs.HS_MODE_BLOCK)
    assert compiled is not None
    second = Database(patterns, keep=True)
    text = "a token=" + rnd(ALNUM, 16) + " and sk-" + "abcdefgh"
    assert second.matches(text) == first.matches(text) != []


@pytest.mark.parametrize("damage", ["garbage", "writable by others"])
def test_a_damaged_or_foreign_database_file_is_compiled_anew(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, damage: str
) -> None:
    """A file that is not a database, or that others may write, is not loaded; the
    database is compiled and written anew (for this user only)."""
    monkeypatch.setenv("OPENROUTER_SECURE_CACHE_DIR", str(tmp_path))
    patterns = [r"token=[A-Za-z0-9]{16}"]
    first = Database(patterns, keep=True)
    (kept,) = _kept_files(tmp_path)
    if damage == "garbage":
        kept.write_bytes(b"\x00" * 4096)
    else:
        kept.chmod(0o666)
    hs, mode = first._hs, first._hs.HS_MODE_BLOCK
    assert _compiled.load(hs, first._patterns, first._flags, mode) is None
    db = Database(patterns, keep=True)
    assert db.matches("token=" + rnd(ALNUM, 16)) != []
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert _compiled.load(hs, first._patterns, first._flags, mode) is not None


def test_nothing_is_kept_when_the_directory_is_set_empty(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENROUTER_SECURE_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    Database([r"token=[A-Za-z0-9]{16}"], keep=True)
    assert list(tmp_path.rglob("*")) == []


def test_no_known_value_is_ever_kept_on_disk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The databases holding known values (and their merged form with the rules) are
    compiled in memory only."""
    monkeypatch.setenv("OPENROUTER_SECURE_CACHE_DIR", str(tmp_path))
    value = "db-pass-" + rnd(ALNUM, 24)
    prefilter = Prefilter(tuple(RULES), [(value, 0)], KNOWN)
    assert prefilter.merged.wait(60)
    prefilter.candidates("x" * (STREAM_FROM + 10) + value)  # the stream databases too
    assert prefilter._merged
    prefilter._merged[0].prepare_stream()
    for kept in tmp_path.rglob("*"):
        if kept.is_file():
            assert_no_leak(value, kept.read_bytes())


# -- long texts: rejected names read backwards, the text's own bytes scanned ----------------

_REJECTED = ("cache_key", "public_key", "next_token", "Public.token", "input_token", "PAGE_TOKEN")


def _long(lines: list[str]) -> str:
    text = "\n".join(lines)
    return "\n".join([text] * (STREAM_FROM // len(text) + 2))


def test_a_long_text_drops_gate_matches_after_a_rejected_name() -> None:
    """In stream mode the rejected names are not in the database: the name before each
    gate match's value is read backwards in Python, and the gate match dropped, so
    Python never judges those values."""
    (ri,) = [i for i, rule in enumerate(RULES) if rule.name_not]
    prefilter = Prefilter(tuple(RULES), [], KNOWN)
    for sep, size in (("=", 32), (": ", 32), (' = "', 32), ('": "', 32), ("=", 2000)):
        text = _long([f"INFO app: {name}{sep}{_generated(size)} hit=1" for name in _REJECTED])
        _, per_rule = prefilter.candidates(text)
        assert ri not in per_rule, sep


@pytest.mark.parametrize(
    "line",
    [
        "api_key=abcdefgh_cache_key:={v}",
        '{{"token": "abcdefgh-next-token:={v}"}}',
        'token="Session_cache_key: {v}"',
        'auth="cursor.Token::={v}"',
    ],
)
@pytest.mark.parametrize("long", [False, True])
def test_a_rejected_name_at_the_end_of_another_value_does_not_drop_it(
    line: str, long: bool
) -> None:
    """The value's run ends in a rejected name, then a separator and the secret: the
    name's pattern, with an empty run and the separator's last character, ended where
    the outer value's gate match did."""
    value = _generated(26)
    text = line.format(v=value)
    if long:
        text = _long(["the quick brown fox"]) + "\n" + text + "\n" + _long(["jumps"])
    assert_no_leak(value, Sanitizer(backend="hyperscan").sanitize(text))


def test_a_long_text_masks_a_value_under_an_accepted_name_among_rejected_ones() -> None:
    value = _generated(32)
    lines = [f"INFO app: {name}={_generated(32)} hit=1" for name in _REJECTED]
    text = _long(lines) + f"\nINFO app: cache_key={_generated(32)} api_key={value}\n"
    masked = Sanitizer(backend="hyperscan").sanitize(text)
    assert_no_leak(value, masked)
    assert masked.count("cache_key=") == text.count("cache_key=")


def test_a_long_text_of_names_rejected_and_not_is_masked_as_the_python_engine_masks_it() -> None:
    rng = random.Random(7)
    owners = ["cache", "public", "Public", "next", "input", "api", "my", "s3", "page", "x"]
    words = ["key", "Key", "KEY", "token", "Token", "auth", "cookie", "secret", "password"]
    seps = ["=", " = ", ": ", ":=", " -> ", '": "', "': '", " " * 150 + "= ", '("', " is "]
    ends = [" x", ":8080/", "", '"']
    lines: list[str] = []
    while sum(map(len, lines)) < STREAM_FROM + CHUNK:
        name = rng.choice(owners) + rng.choice(["_", ".", "-", ""]) + rng.choice(words)
        value = rnd(rng.choice([ALNUM, "0123456789abcdef"]), rng.choice([12, 32, 700]))
        lines.append(f"INFO {name}{rng.choice(seps)}{value}{rng.choice(ends)}")
    text = "\n".join(lines)
    fast, slow = Sanitizer(backend="hyperscan").sanitize(text), engine("python").sanitize(text)
    assert fast.count("***MASKED***") > 1000
    assert fast == slow


def test_the_bytes_a_long_text_is_held_in_are_its_ascii_encoding() -> None:
    text = "".join(random.Random(1).choice(ALNUM + " =:\n") for _ in range(100_000))
    held = _cpython.held_bytes(text)
    if sys.implementation.name != "cpython":  # (encoded a chunk at a time instead)
        assert held is None
    else:
        assert held is not None
        assert held.tobytes() == text.encode("ascii")


class _Text(str):
    pass


@pytest.mark.parametrize("text", [_Text("a" * 1000), "é" * 1000, "€" * 1000])
def test_a_str_subclass_or_wider_text_is_not_read_in_place(text: str) -> None:
    assert _cpython.held_bytes(text) is None


def test_a_long_text_scanned_in_place_reports_what_its_encoding_reports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text, _ = _straddling_text([])
    db = Prefilter(tuple(RULES), [], KNOWN).rules.db
    in_place = db.stream_matches(text)
    monkeypatch.setattr(_hyperscan, "held_bytes", lambda _text: None)
    assert db.stream_matches(text) == in_place != []


def test_a_rejected_name_at_the_text_start_is_read_with_the_sentinel_before_it() -> None:
    """The window read backwards reaches the text's first character exactly: the
    boundary the name needs is the sentinel the scan read before the text."""
    rules = Prefilter(tuple(RULES), [], KNOWN).rules
    (rejects,) = rules.rejects_name.values()
    value = _generated(_hyperscan.NAME_WINDOW)
    text = "cache_key=" + value[: _hyperscan.NAME_WINDOW - 11] + " hit=1"
    assert rejects(text, _hyperscan.NAME_WINDOW)


def _sprinkled(text: str, marks: tuple[str, ...], every: int) -> str:
    lines = text.split("\n")
    for i in range(0, len(lines), every):
        lines[i] = f"{lines[i]} {marks[i % len(marks)]}"
    return "\n".join(lines)


@pytest.mark.parametrize(
    "marks",
    [("Jos\u00e9",), ("\u8bf7\u6c42\u6210\u529f", "\u2713"), ("\U0001f600", "\u00a0", "\u0130")],
)
@pytest.mark.parametrize("every", [5, 2000])
def test_text_outside_ascii_is_scanned_by_hyperscan_as_the_other_engines_scan_it(
    marks: tuple[str, ...], every: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long text with a few characters outside ASCII is scanned by Hyperscan one byte
    per character, and by the ``str`` engine only around them (a log holding one
    accented name went whole to the Aho-Corasick engine, several times slower); one
    holding many is read whole by the ``str`` engine. Either way as the engines agree."""
    lines = _sprinkled("\n".join(clean_log_lines(1500, seed=4, hard_share=0.3)), marks, every)
    planted = [POSITIVE[r]() for r in RULE_IDS]  # type: ignore[misc]
    text = "\n".join([lines, *(t for t, _ in planted), marks[0]])  # type: ignore[misc]
    fast = engine("hyperscan")
    scanner = fast._scanner()
    read: list[int] = []
    whole = scanner._candidates

    def counted(part: str) -> list[tuple[int, int]]:
        read.append(len(part))
        return whole(part)

    monkeypatch.setattr(scanner, "_candidates", counted)
    out = fast.sanitize(text)
    assert out == engine("ahocorasick").sanitize(text)
    assert not [secret for _, secret in planted if secret in out]  # type: ignore[operator]
    if every == 5:
        assert read == [len(text)]  # (many: read whole)
    else:
        assert read
        assert max(read) < len(text) // 4


def test_a_known_value_in_another_script_is_masked_in_text_hyperscan_reads() -> None:
    value = "\u043f\u0430\u0440\u043e\u043b\u044c-" + rnd(ALNUM, 16)
    held = Secret(value)
    try:
        out = Sanitizer(backend="hyperscan").sanitize(f"Jos\u00e9 logged in with {value} \u2713")
        assert_no_leak(value, out)
    finally:
        held.wipe()


@pytest.mark.parametrize(
    "shape",
    [
        "postgres://admin:{pw}@\u6570\u636e\u5e93.internal/app",
        "https://user:{pw}@\u00fcber.example/x",
        "token={up}\u00e9",
        '{{"name": "passwort_f\u00fcr_db", "value": "{pw}"}}',
        "CREATE USER app IDENTIFIED\u00a0BY '{pw}'",
        'auth=("user",\u3000"{pw}")',
        "API anahtar\u0131: {k}",
        "\u5bc6\u7801: {pw}",
    ],
)
@pytest.mark.parametrize("long", [False, True])
def test_hyperscan_reads_what_the_python_engines_read_around_other_characters(
    shape: str, long: bool
) -> None:
    """Where Python's patterns read a character outside ASCII otherwise than Hyperscan's
    one byte (a host's first letter, ``\\\\s`` for a no-break space, a name's letter), the
    ``str`` engine looks again around it: the engines agree, short text or long."""
    pw = "A6UkOM*1384der!" + rnd("ABCDEF0123456789", 6)
    text = shape.format(pw=pw, up=rnd("ABCDEFGHJKLMNPQRSTUVWXYZ", 16), k=rnd(ALNUM, 32))
    if long:
        filler = "\n".join(clean_log_lines(300, seed=8, hard_share=0.2))
        text = f"{filler}\n{text}\n{filler}"
    assert engine("hyperscan").find(text) == engine("python").find(text)
