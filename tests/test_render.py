"""The masked copy of a text, however it is written: a join for a short text, a copy
into a fresh string for a long ASCII one on CPython, appends for any other long one."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable

import pytest

from openrouter_secure import Sanitizer
from openrouter_secure._sanitize import _cpython, _render
from openrouter_secure._sanitize._render import LONG, render
from openrouter_secure.testing import assert_no_leak
from tests.sanitizer_logs import clean_log_lines


def _joined(text: str, replacements: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for start, end, mask in replacements:
        out += [text[pos:start], mask]
        pos = end
    return "".join([*out, text[pos:]])


def _replacements(size: int, seed: int, edges: bool) -> list[tuple[int, int, str]]:
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, size), 40))
    if edges:  # a span at the very start, two touching, one at the very end
        cuts = [0, *cuts[1:-1], size]
    spans = list(zip(cuts[::2], cuts[1::2], strict=True))
    return [(s, e, rng.choice(["***MASKED***", "sk-o...***MASKED***", "x"])) for s, e in spans]


class _Text(str):
    pass


@pytest.mark.parametrize("edges", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "".join(random.Random(1).choices("ab =\n", k=LONG + 77)),
        ("é" + "a" * 999) * (LONG // 1000 + 1),
        _Text("c" * (LONG + 5)),
        "a short text, joined " * 5,
    ],
    ids=["long-ascii", "long-latin1", "str-subclass", "short"],
)
def test_every_way_of_writing_writes_the_joined_text(text: str, edges: bool) -> None:
    replacements = _replacements(len(text), len(text), edges)
    out = render(text, replacements)
    assert out == _joined(text, replacements)
    assert type(out) is str
    assert out.isascii() == _joined(text, replacements).isascii()


def test_nothing_to_replace_is_a_copy_of_the_text() -> None:
    text = "a\n" * LONG
    assert render(text, []) == text


def test_a_long_ascii_text_is_written_into_a_new_string_on_cpython() -> None:
    text = "k" * (5 * LONG)
    replacements = [(3, 10, "***MASKED***")]
    written = _render._written(text, replacements, _render._size(text, replacements))
    if sys.implementation.name != "cpython":
        assert written is None
    else:
        assert written == "kkk***MASKED***" + "k" * (5 * LONG - 10)
        assert hash(written) == hash("kkk***MASKED***" + "k" * (5 * LONG - 10))


def test_a_mask_that_is_not_ascii_is_not_written_into_an_ascii_string() -> None:
    text = "k" * LONG
    assert _render._written(text, [(0, 2, "é")], LONG - 1) is None
    assert render(text, [(0, 2, "é")]) == "é" + "k" * (LONG - 2)


def test_a_new_string_of_no_characters_is_not_made() -> None:
    assert _cpython.new_ascii(0) is None


def test_a_long_text_is_masked_across_every_megabyte_group(canary: str) -> None:
    """Findings at the very start and end, side by side, and across every megabyte
    boundary, where the appending writer cuts its pieces."""
    filler = "\n".join(clean_log_lines(2000, seed=4))
    body = (filler * (3 * LONG // len(filler) + 1))[: 3 * LONG]
    key = f"{canary} "
    text = key + key
    pos = 0
    for cut in (LONG * k - len(key) // 2 for k in (1, 2, 3)):
        text += body[pos:cut] + key
        pos = cut
    text += body[pos:] + key
    sanitizer = Sanitizer()
    spans = sanitizer._spans(text)
    assert len(spans) == 6
    replacements = [(s, e, "***MASKED***") for s, e, _, _ in spans]
    assert _render._appended(text, replacements) == _joined(text, replacements)
    written = _render._written(text, replacements, _render._size(text, replacements))
    if sys.implementation.name == "cpython":
        assert written == _joined(text, replacements)
    else:
        assert written is None
    assert_no_leak(canary, sanitizer.sanitize(text))


@pytest.mark.parametrize("size", [100, LONG + 100])
@pytest.mark.parametrize(
    "spans",
    [
        lambda n: [(-1, 5)],
        lambda n: [(n - 10, n + 1)],
        lambda n: [(10, 20), (15, 30)],
        lambda n: [(30, 20)],
    ],
    ids=["before-start", "past-end", "overlapping", "reversed"],
)
def test_a_replacement_out_of_the_text_or_out_of_order_is_an_error(
    size: int, spans: Callable[[int], list[tuple[int, int]]]
) -> None:
    """Never a wrong copy: ``text[pos:-1]`` would hand back the text raw, and the
    long writer would write past the new string."""
    with pytest.raises(ValueError, match="out of order or out of the text"):
        render("x" * size, [(start, end, "***") for start, end in spans(size)])
