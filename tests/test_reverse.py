"""``reverse_pattern``: a pattern read backwards matches exactly the reversed strings."""

from __future__ import annotations

import random
import re

import pytest

from openrouter_secure._sanitize._hyperscan import _RuleDatabase
from openrouter_secure._sanitize._reverse import reverse_pattern
from openrouter_secure._sanitize._rules import RULES, RUN_TAIL

# Each with strings it matches (the random ones below mostly miss)
_PATTERNS = {
    r"abc": ["abc"],
    r"a|bc|": ["a", "bc", ""],
    r"(?:ab|c)*d{2,3}[^xy]e?": ["abcddze", "ddd"],
    r"(?i:key)[_.\-](?:cache|Cache)[ \t]*=>?": ["KeY_Cache =>", "key.cache="],
    r"x(ab)+y\b": ["xababy"],
    r"[]a][^]b]\x22\\{0,7}[\]\-]": ['aa"\\]', ']c"-'],
    r"(?P<name>ab|a)(?:b{1,}|c{,2})": ["abbb", "acc", "a"],
    RUN_TAIL: [" ", ":x", ":/x", "://"],
    r"key\012=\0": ["key\n=\0"],
    **{p: [] for rule in RULES for p in (*rule.name_not, *rule.gate_not_short)},
}
_ALPHABET = "abcdxyekKy_-.= \t\"'\\:/]CacheTOKENtoken"


@pytest.mark.parametrize("pattern", list(_PATTERNS))
def test_the_reversed_pattern_matches_exactly_the_reversed_strings(pattern: str) -> None:
    forward, backward = re.compile(pattern), re.compile(reverse_pattern(pattern))
    rng = random.Random(pattern)
    samples = _PATTERNS[pattern] + [
        "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12))) for _ in range(3000)
    ]
    assert all(forward.fullmatch(s) for s in _PATTERNS[pattern])
    for s in samples:
        hit = forward.fullmatch(s) is not None
        assert (backward.fullmatch(s[::-1]) is not None) == hit, s


def test_the_rejected_names_match_read_backwards_where_they_match_forwards() -> None:
    """The names the assignment rule rejects, in context: read backwards from the run
    after them, as the Hyperscan engine reads them in a long text."""
    (rule,) = [r for r in RULES if r.name_not]
    backward = re.compile("|".join(reverse_pattern(p) for p in rule.name_not))
    for text in (' cache_key = "', "\nPublic.token:", " input_token=>", '{"next_token": '):
        assert backward.match(text[::-1]), text
    for text in (" api_key=", " cachekey=", " my_cache_secret=", " publicity_token="):
        assert not backward.match(text[::-1]), text


@pytest.mark.parametrize(
    "pattern",
    [
        r"^ab",
        r"ab$",
        r"a\Z",
        r"(?=a)b",
        r"(?<=a)b",
        r"(a)\1",
        r"\101",
        r"(ab",
        r"ab)",
        "(?x:k e y)",
    ],
)
def test_what_has_no_mirror_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="cannot reverse"):
        reverse_pattern(pattern)


def test_the_rule_table_reverses() -> None:
    _RuleDatabase(tuple(RULES))  # builds every rejected name's backwards pattern
