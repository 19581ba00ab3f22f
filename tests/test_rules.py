"""Every detection rule: positive and negative examples built at run time, and
linear-time behaviour on adversarial megabytes built against each rule's anchors."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter_secure import Sanitizer
from openrouter_secure._sanitize._rules import (
    RULES,
    has_sequence,
    is_placeholder,
    is_secret_identifier,
    looks_random,
)
from openrouter_secure._sanitize._scan import Scanner
from openrouter_secure.testing import assert_no_leak
from tests.sanitizer_cases import ALNUM, NEGATIVE, POSITIVE, rnd

RULE_IDS = [r.id for r in RULES]
BY_ID = {r.id: r for r in RULES}


def test_every_rule_has_a_positive_and_a_negative_example() -> None:
    assert set(POSITIVE) == set(RULE_IDS)
    assert set(NEGATIVE) == set(RULE_IDS)


def test_rule_ids_are_unique() -> None:
    assert len(RULE_IDS) == len(set(RULE_IDS))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_flags_its_positive_example(rule_id: str) -> None:
    text, secret = POSITIVE[rule_id]()  # type: ignore[misc]
    alone = Sanitizer(rules=[BY_ID[rule_id]])
    assert alone.find(text), f"{rule_id} did not flag its example"
    assert_no_leak(secret, alone.sanitize(text))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_full_table_masks_the_positive_example(rule_id: str) -> None:
    text, secret = POSITIVE[rule_id]()  # type: ignore[misc]
    assert_no_leak(secret, Sanitizer().sanitize(text))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_ignores_its_negative_example(rule_id: str) -> None:
    assert Sanitizer(rules=[BY_ID[rule_id]]).find(NEGATIVE[rule_id]()) == []


_ENGINES: dict[str, Sanitizer] = {}


def engine(backend: str) -> Sanitizer:
    """One sanitizer per engine for the run (skipped where the engine's package is missing)."""
    module = {"ahocorasick": "ahocorasick_rs", "hyperscan": "hyperscan"}.get(backend)
    if module is not None:
        pytest.importorskip(module)
    if backend not in _ENGINES:
        _ENGINES[backend] = Sanitizer(backend=backend)
    return _ENGINES[backend]


_PYTHON = Sanitizer(backend="python")


@pytest.mark.parametrize("backend", ["python", "ahocorasick", "hyperscan"])
def test_every_engine_finds_the_same(backend: str) -> None:
    texts = [POSITIVE[r]()[0] for r in RULE_IDS]  # type: ignore[misc]
    blob = "\n".join(texts)
    assert engine(backend).find(blob) == Sanitizer(backend="python").find(blob)


@pytest.mark.parametrize("backend", ["ahocorasick", "hyperscan"])
def test_every_engine_finds_the_same_in_logs_and_negatives(backend: str) -> None:
    """Hard negatives (``auth: user``, ``"api_key": "env://..."``, ``session_count=``)
    and secrets planted among them: a gated engine must not drop or add a finding."""
    from tests.sanitizer_logs import clean_log_lines

    lines = clean_log_lines(400, seed=5, hard_share=0.5)
    lines += [NEGATIVE[r]() for r in RULE_IDS]
    lines += [f"{line} {POSITIVE[r]()[0]}" for line, r in zip(lines, RULE_IDS, strict=False)]
    blob = "\n".join(lines)
    found = engine(backend).find(blob)
    assert found == Sanitizer(backend="python").find(blob)
    assert len(found) >= len(RULE_IDS)


@pytest.mark.parametrize("backend", ["ahocorasick", "hyperscan"])
def test_engines_agree_with_known_values_and_non_ascii_text(backend: str) -> None:
    from openrouter_secure import Secret

    plain = rnd("abcdefghijklmnopqrstuvwxyz0123456789", 24)
    held = Secret(plain)
    text = f"résumé {plain} then ascii {POSITIVE['github-token']()[0]}"
    ascii_text = f"only ascii {plain} and api_key = {rnd('abcdefABCDEF0123456789', 30)}"
    fast = engine(backend)
    for t in (text, ascii_text):
        assert fast.find(t) == Sanitizer(backend="python").find(t)
        assert_no_leak(plain, fast.sanitize(t))
    del held


def _fragments() -> list[str]:
    """Pieces that engines could disagree on when glued together in any order: every
    rule's examples and bare anchors, separators, quotes, hard negatives, non-ASCII."""
    pieces = [POSITIVE[r]()[0] for r in RULE_IDS]  # type: ignore[index]
    pieces += [NEGATIVE[r]() for r in RULE_IDS]  # type: ignore[misc]
    pieces += sorted({a for r in RULES for a in r.anchors})
    pieces += ["=", ": ", '"', "'", " ", "\n", "://", "@", "é", "x", "A1b2C3d4E5f6G7h8"]
    pieces += ["auth: user", "token_type=bearer", "password_file", "api_key", "_password"]
    return pieces


_FRAGMENTS = _fragments()


@pytest.mark.parametrize("backend", ["ahocorasick", "hyperscan"])
def test_a_copy_of_a_value_two_rules_found_is_reported_alike_by_every_engine(
    backend: str,
) -> None:
    # Two rules find the value after ``#TOKEN=``; its earlier copy is reported under the
    # first of them in the table, whatever order the engine found the two hits in.
    text = 'CREDS"Co_api_key#TOKEN=Co_api_key'
    assert engine(backend).find(text) == _PYTHON.find(text)


@pytest.mark.parametrize("backend", ["ahocorasick", "hyperscan"])
@pytest.mark.parametrize(
    "shape",
    [
        "#ACCESS_TOKEN=' !=join https://discord.com/invite/KxFySlLt or discord.gg/x' !=",
        "api_key = ' {v}'",
        'token: "  {v}"',
    ],
)
def test_engines_agree_on_a_quoted_value_opening_with_a_blank(backend: str, shape: str) -> None:
    text = shape.format(v=rnd(ALNUM, 30) + "7q")
    assert engine(backend).find(text) == _PYTHON.find(text)


@pytest.mark.parametrize("backend", ["ahocorasick", "hyperscan"])
@settings(max_examples=300, deadline=None)
@given(picks=st.lists(st.integers(0, len(_FRAGMENTS) - 1), max_size=12))
def test_engines_agree_on_any_mix_of_fragments(backend: str, picks: list[int]) -> None:
    text = "".join(_FRAGMENTS[i] for i in picks)
    assert engine(backend).find(text) == _PYTHON.find(text)


def test_the_python_engine_finds_literals_that_overlap() -> None:
    """The fallback's regex reports the longest literal at a position; literals that
    start inside it must still be found (the property test above found
    ``SharedAccessKey=`` hiding the ``AccessKey`` of a secret-named value)."""
    from openrouter_secure import Secret

    # (not a storage key: the ``-`` ends the base64 run the Azure rule needs; a digit in
    # it, as letters alone may read as an identifier)
    text = (
        f"SharedAccessKey={rnd(ALNUM, 9)}7-{rnd(ALNUM, 10)} Authorization: Bearer {rnd(ALNUM, 40)}"
    )
    assert _PYTHON.find(text) == engine("ahocorasick").find(text)
    assert [f.rule for f in _PYTHON.find(text)] == ["secret-assignment", "authorization"]
    value = "essKey" + rnd(ALNUM, 20)  # a known value that starts inside ``AccessKey``
    held = Secret(value)
    assert_no_leak(value, Sanitizer(backend="python").sanitize(f"x SharedAcc{value} y"))
    del held


def test_a_key_glued_to_a_run_of_one_character_is_still_masked() -> None:
    key = "sk-or-v1-" + rnd("0123456789abcdef", 64)
    s = Sanitizer()
    assert_no_leak(key, s.sanitize(key + "0" * 16))
    assert s.find("sk-or-v1-" + "0" * 64) == []


def test_a_random_key_holding_a_short_run_is_still_masked() -> None:
    """A random key holds ``xXxx`` or a five-character run about once in 30,000 keys
    (a CI run drew ``...R2Xxxx1G4...``): that alone must not make it a placeholder."""
    s = Sanitizer()
    pat = "github_pat_" + rnd(ALNUM, 40) + "Xxxx" + rnd(ALNUM, 38)
    assert_no_leak(pat, s.sanitize(f"token {pat}"))
    value = rnd(ALNUM, 12) + "aaAaa" + rnd(ALNUM, 13)
    assert_no_leak(value, s.sanitize(f'api_key = "{value}"'))
    assert s.find("api_key = 'sk-or-v1-xxxxxxxxxxxxxxxxxxxxxxxx'") == []


def test_typed_sequences_mark_example_keys_but_not_passwords() -> None:
    assert has_sequence("tok-12345678901-x")
    assert has_sequence("klmnopqrstuvw")
    assert not has_sequence(rnd("abcdefghijklmnopqrstuvwxyz0123456789", 40) + "1234567")
    assert not looks_random("sample-key-12345678901abc")
    assert Sanitizer().find("password = pw12345678901") != []


@pytest.mark.parametrize(
    "value",
    ["sk-or-v1-your-api-key-here", "xxxxxxxxxxxx", "<API_KEY>", "${OPENROUTER_API_KEY}",
     "${secret:prod/openrouter}", "***MASKED***", "changeme"],
)  # fmt: skip
def test_placeholders_are_not_secrets(value: str) -> None:
    assert is_placeholder(value)
    assert Sanitizer().find(f"api_key = {value}") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("client_secret", True), ("OPENROUTER_API_KEY", True), ("apiKey", True),
     ("bot_token1", True), ("db.password", True), ("max_tokens", False),
     ("token_type", False), ("secret_name", False), ("public_key", False),
     ("kms_key_id", False), ("total_tokens", False), ("password_hash", False),
     ("x_csrf_token", False), ("SECRET_NAME", False)],
)  # fmt: skip
def test_secret_identifier_by_last_segments(name: str, expected: bool) -> None:
    assert is_secret_identifier(name) is expected


def test_random_values_look_random_and_words_do_not() -> None:
    # (a digit among the letters: 24 random letters of one case without any, one draw in
    # 2,500, are judged by the letter-pair test instead)
    value = rnd("abcdefghijklmnopqrstuvwxyz0123456789", 23)
    assert looks_random(value[:11] + rnd("0123456789", 1) + value[11:])
    assert not looks_random("production")
    assert not looks_random("https://example.com/x")


# -- linear time ------------------------------------------------------------------------

MB = 1_000_000


def _adversarial(anchor: str) -> str:
    """A megabyte built against one anchor: the anchor repeated bare, with a separator,
    with a near-miss body, and once followed by a megabyte-long body."""
    shapes = [anchor, anchor + "=", anchor + '":"' + "A1b2" * 5, anchor + "A1b2" * 8 + " "]
    quarter = MB // (len(shapes) + 1)
    parts = [(unit * (quarter // len(unit) + 1))[:quarter] for unit in shapes]
    parts.append((anchor + "A1b2" * (quarter // 4 + 1))[:quarter])
    return "".join(parts)[:MB]


#: CPU seconds a megabyte built against one rule may take. A generous absolute bound,
#: not a speed target: it holds on a loaded machine (the measured worst is about a
#: second of CPU), and only catastrophic backtracking or a quadratic engine, which
#: take minutes to hours here, exceed it. The growth with size is measured by
#: ``benchmarks/bench_sanitizer.py`` (it prints the doubling per rule).
CATASTROPHIC = 20.0


def _cpu_seconds_to_sanitize(text: str) -> float:
    s = Sanitizer()
    start = time.thread_time()  # this thread's CPU: other processes' load is not counted
    s.sanitize(text)
    return time.thread_time() - start


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_finishes_adversarial_input_without_catastrophic_backtracking(rule_id: str) -> None:
    spent = _cpu_seconds_to_sanitize(_adversarial(BY_ID[rule_id].anchors[0]))
    assert spent < CATASTROPHIC, f"{rule_id}: {spent:.1f} s of CPU for 1 MB"


@pytest.mark.parametrize("anchor", ["F?code=", "F&code=", "F;jsessionid="])
def test_generated_params_finish_adversarial_input(anchor: str) -> None:
    # (each ``code`` reads its URL to judge an OAuth redirect: a bounded read; a URL
    # with no blank in it, ``F?code=F?code=...``, is the longest one to read)
    spent = _cpu_seconds_to_sanitize(_adversarial(anchor))
    assert spent < CATASTROPHIC, f"{anchor}: {spent:.1f} s of CPU for 1 MB"


@pytest.mark.parametrize("unit", ["password=[", "api_key=[", "passwd=(", "DB_PASSWORD=["])
def test_unclosed_brackets_after_names_read_in_linear_time(unit: str) -> None:
    # (each name's bracket was read on as a bare value to the end of the run: about a
    # minute of CPU per megabyte)
    text = (unit * (MB // len(unit) + 1))[:MB]
    spent = _cpu_seconds_to_sanitize(text)
    assert spent < CATASTROPHIC, f"{unit!r}: {spent:.1f} s of CPU for 1 MB"


@pytest.mark.parametrize("unit", ["curl -u ", "curl --user "])
def test_curl_users_on_one_line_read_in_linear_time(unit: str) -> None:
    # (each ``-u`` reads from the ``curl`` before it: on to the next ``-u`` and beyond,
    # it took about a minute of CPU for 2 MB here, in the Python engine)
    text = (unit * (2 * MB // len(unit) + 1))[: 2 * MB]
    s = Sanitizer(backend="python")
    start = time.thread_time()
    s.sanitize(text)
    spent = time.thread_time() - start
    assert spent < CATASTROPHIC, f"{unit!r}: {spent:.1f} s of CPU for 2 MB"


@pytest.mark.parametrize(
    "unit", ["value = 'abc' WHERE env = 'p' AND ", "SET value = 'a', b = 'c' WHERE x = '1' AND "]
)
def test_settings_updates_on_one_line_read_in_linear_time(unit: str) -> None:
    # (each ``value = '`` read its gate on to the text's end, then back to the last
    # ``WHERE``: about two minutes of CPU per megabyte)
    text = (unit * (MB // len(unit) + 1))[:MB]
    spent = _cpu_seconds_to_sanitize(text)
    assert spent < CATASTROPHIC, f"{unit!r}: {spent:.1f} s of CPU for 1 MB"


def test_every_anchor_candidate_is_tried_once_per_rule() -> None:
    """Deterministic guard on the engine's linearity: in a text of ``n`` back-to-back
    anchors, a rule's regex runs at most once per anchor (text a match covered is not
    tried again), so the count of regex calls grows with ``n``, not ``n`` squared."""
    calls: list[int] = []

    class Counting:
        def __init__(self, regex: re.Pattern[str]) -> None:
            self.regex = regex

        def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
            calls.append(pos)
            return self.regex.match(text, pos)

    for unit in ("password=", "authorization:", "--user=x", "AccountKey="):
        for n in (500, 1000):
            scanner = Scanner(backend="python")
            scanner._regexes = [Counting(r) for r in scanner._regexes]  # type: ignore[misc]
            calls.clear()
            scanner.scan(unit * n)
            assert len(calls) <= 2 * n, f"{unit!r} x{n}: {len(calls)} regex calls"


@pytest.mark.parametrize(
    "line",
    [
        # blanks that the call's parts could each read: tried one way only
        "smtp.PlainAuth(" + " " * 40 + "," + " " * 40 + "," + " " * 40 + '"abcd\n',
        "req.basic_auth" + " " * 40 + "\t" + " " * 40 + "," + " " * 40 + '"abcd\n',
        "['auth' => [" + " " * 40 + "," + " " * 40 + '"abcd\n',
        'HTTPBasicAuth(a (b) [c] "d" e f g h i j k l m n o p, "abcd\n',
    ],
)
def test_credential_calls_of_blanks_finish_without_catastrophic_backtracking(line: str) -> None:
    spent = _cpu_seconds_to_sanitize(line * (200_000 // len(line)))
    assert spent < CATASTROPHIC, f"{spent:.1f} s of CPU for 200 KB"


@pytest.mark.parametrize(
    "line",
    [
        "| api_key | {v}" + " " * 2000 + "x\n",
        "api_key      {v}" + " " * 2000 + "x\n",
    ],
)
def test_a_table_row_of_blanks_finishes_without_catastrophic_backtracking(line: str) -> None:
    """What may follow a row's value is read one way only (blanks, then one mark)."""
    row = line.replace("{v}", rnd(ALNUM, 31) + "7")
    spent = _cpu_seconds_to_sanitize(row * (200_000 // len(row)))
    assert spent < CATASTROPHIC, f"{spent:.1f} s of CPU for 200 KB"


@pytest.mark.parametrize(
    "unit",
    [
        "  NoEcho: true\r\n",
        "    Default: x\r\n",
        "  Default: x # c\r\n",
        "    NoEcho: true\r\n    # c\r\n",
        "data:\r\n  a: b\r\n",
        "Private-Lines: 1\r\nAAAA\r\n",
    ],
)
def test_line_based_rules_finish_text_with_crlf_line_ends(unit: str) -> None:
    # (a line read two ways, before its ``\r`` or after it, costs a try per way: two to
    # the power of the lines a rule reads; a few hundred bytes of these took seconds)
    spent = _cpu_seconds_to_sanitize(unit * (200_000 // len(unit)))
    assert spent < CATASTROPHIC, f"{unit!r}: {spent:.1f} s of CPU for 200 KB"


def test_a_noecho_default_with_crlf_line_ends_is_masked() -> None:
    v = rnd(ALNUM, 16)
    text = f"  DBPassword:\r\n    NoEcho: true\r\n    # the admin's\r\n    Default: {v}\r\n"
    assert v not in Sanitizer().sanitize(text)
