"""StreamSanitizer: a secret split across chunks is still masked, at every split."""

from __future__ import annotations

import pytest

from openrouter_secure import Secret, StreamSanitizer, default_sanitizer
from openrouter_secure._sanitize._sanitizer import MASK
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.sanitizer_cases import ALNUM, rnd


def _run(chunks: list[str], **kw: object) -> str:
    stream = StreamSanitizer(**kw)  # type: ignore[arg-type]
    return "".join(stream.feed(c) for c in chunks) + stream.flush()


def test_split_at_every_offset_of_a_canary(canary: str) -> None:
    text = f"data: {{'delta': 'here is {canary} in a stream'}}\n\n"
    expected = default_sanitizer().sanitize(text)
    start = text.index(canary)
    for cut in range(start, start + len(canary) + 1):
        out = _run([text[:cut], text[cut:]])
        assert_no_leak(canary, out)
        assert out == expected


def test_three_way_splits_of_a_password_assignment() -> None:
    pw = rnd(ALNUM, 20)
    text = f"connect password={pw} ok"
    for a in range(0, len(text), 3):
        for b in range(a, len(text), 5):
            assert_no_leak(pw, _run([text[:a], text[a:b], text[b:]]))


def test_known_value_split_in_one_character_chunks() -> None:
    raw = rnd(ALNUM, 24)
    with Secret(raw):
        out = _run(list(f"value is {raw} done"))
    assert_no_leak(raw, out)
    assert MASK in out


def test_long_stream_is_released_incrementally(canary: str) -> None:
    stream = StreamSanitizer()
    released = ""
    for i in range(2000):
        released += stream.feed(f"line {i} nothing secret here\n")
    assert len(released) > 0
    assert stream.pending <= stream.holdback
    released += stream.feed(f"key {canary}\n") + stream.flush()
    assert_no_leak(canary, released)
    assert released.startswith("line 0 nothing")


def test_holdback_is_the_longest_possible_match() -> None:
    stream = StreamSanitizer()
    assert stream.holdback == default_sanitizer().max_match_length
    assert StreamSanitizer(holdback=256).holdback == 256


def test_feed_after_flush_is_refused() -> None:
    stream = StreamSanitizer()
    stream.flush()
    with pytest.raises(ValueError, match="flushed"):
        stream.feed("x")


def test_leaving_a_with_block_discards_held_text() -> None:
    with StreamSanitizer() as stream:
        assert stream.feed(make_canary()) == ""
    assert stream.pending == 0
