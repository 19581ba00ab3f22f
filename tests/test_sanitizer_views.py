"""Secrets a reader sees whole though the text splits them: hidden characters inside a
key, and known values in base64 wrapped over several lines."""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Iterator

import pytest

from openrouter_secure import (
    Sanitizer,
    Secret,
    StreamSanitizer,
    install_log_redaction,
    remove_log_redaction,
)
from openrouter_secure._sanitize._sanitizer import MASK
from openrouter_secure.launch import LineSanitizer
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.sanitizer_cases import ALNUM, rnd

HIDDEN = {
    "ansi-sgr": "\x1b[0m",
    "ansi-bold-red": "\x1b[1;31m",
    "erase-line": "\x1b[K",
    "osc-hyperlink": "\x1b]8;;https://example.com\x1b\\",
    "c1-csi": "\x9b32m",
    "zero-width-space": "\u200b",
    "soft-hyphen": "\u00ad",
    "nul": "\x00",
    "bom": "\ufeff",
    "word-joiner": "\u2060",
    "carriage-return": "\r",
    "delete": "\x7f",
    "bidi-override": "\u202e",
    "tag-char": "\U000e0041",
    "variation-selector": "\ufe0f",
    "hangul-filler": "\u3164",
}
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x1b\x07]*(?:\x07|\x1b\\)"
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    "\u3164\ufe00-\ufe0f\U000e0000-\U000e007f]"
)


def _drawn(text: str) -> str:
    """``text`` as a terminal shows it: escape sequences and invisible characters gone."""
    return _ESCAPES.sub("", text)


@pytest.fixture
def s() -> Sanitizer:
    return Sanitizer()


@pytest.mark.parametrize("hidden", HIDDEN.values(), ids=HIDDEN.keys())
def test_key_with_a_hidden_character_after_its_prefix_is_masked(
    s: Sanitizer, canary: str, hidden: str
) -> None:
    text = f"upstream said 401 for {canary[:9]}{hidden}{canary[9:]} (retrying)"
    out = s.sanitize(text)
    assert_no_leak(canary, out, _drawn(out))
    assert out.endswith(" (retrying)")
    assert MASK in out


@pytest.mark.parametrize("hidden", ["\x1b[0m", "\u200b", "\x00"], ids=["ansi", "zwsp", "nul"])
def test_key_broken_every_few_characters_is_masked_whole(
    s: Sanitizer, canary: str, hidden: str
) -> None:
    broken = hidden.join(canary[i : i + 7] for i in range(0, len(canary), 7))
    out = s.sanitize(f"key {broken} end")
    assert_no_leak(canary, out, _drawn(out))
    assert out == f"key sk-o...{MASK} end"


def test_find_reports_the_span_with_the_hidden_characters(s: Sanitizer, canary: str) -> None:
    text = f"k=\x1b[1m{canary[:20]}\u200b{canary[20:]}\x1b[0m;"
    (finding,) = s.find(text)
    assert text[finding.start : finding.end] == f"{canary[:20]}\u200b{canary[20:]}"


def test_known_password_split_by_a_zero_width_character_is_masked(s: Sanitizer) -> None:
    raw = rnd(ALNUM, 24)
    with Secret(raw):
        out = s.sanitize(f"login with {raw[:10]}\u200b{raw[10:]} failed")
    assert_no_leak(raw, out, _drawn(out))
    assert out == f"login with {MASK} failed"


def test_coloured_text_without_a_secret_is_unchanged(s: Sanitizer) -> None:
    text = "\x1b[31mERROR\x1b[0m upstream 503\r\nretry in 2s\u200b\n\x1b]0;title\x07done"
    assert s.sanitize(text) == text
    assert s.find(text) == []


def test_log_redaction_masks_a_key_in_colour(canary: str) -> None:
    buf = io.StringIO()
    log = logging.getLogger("tests.views.colour")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(logging.StreamHandler(buf))
    install_log_redaction(log)
    try:
        log.info("calling with key %s", f"{canary[:9]}\x1b[1m{canary[9:]}\x1b[0m")
    finally:
        remove_log_redaction(log)
    assert_no_leak(canary, buf.getvalue(), _drawn(buf.getvalue()))


def test_stream_masks_a_key_with_a_hidden_character_at_every_split(canary: str) -> None:
    text = f"data: {canary[:9]}\u200b{canary[9:]} end\n"
    for cut in range(len(text) + 1):
        stream = StreamSanitizer(Sanitizer())
        out = stream.feed(text[:cut]) + stream.feed(text[cut:]) + stream.flush()
        assert_no_leak(canary, out, _drawn(out))


# -- wrapped base64 --------------------------------------------------------------------


def _wrapped(data: bytes, width: int, indent: str = "", newline: str = "\n") -> str:
    encoded = base64.b64encode(data).decode()
    lines = [encoded[i : i + width] for i in range(0, len(encoded), width)]
    return "".join(indent + line + newline for line in lines)


@pytest.fixture
def known() -> Iterator[str]:
    value = make_canary()
    with Secret(value):
        yield value


@pytest.mark.parametrize("width", [76, 64, 40, 17, 100])
@pytest.mark.parametrize("lead", ["", "u:", "user:"])
def test_known_value_in_wrapped_base64_is_masked(
    s: Sanitizer, known: str, width: int, lead: str
) -> None:
    text = "request dump: " + _wrapped(f"{lead}{known}".encode(), width).lstrip()
    out = s.sanitize(text)
    assert_no_leak(known, out)
    assert out.startswith("request dump: ")
    assert MASK in out


def test_known_value_in_mime_base64_from_encodebytes_is_masked(s: Sanitizer, known: str) -> None:
    data = b"Authorization: Bearer " + known.encode() + b"\r\n" + bytes(range(256))
    out = s.sanitize("body:\n" + base64.encodebytes(data).decode() + "end\n")
    assert_no_leak(known, out)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_known_value_in_an_indented_pem_like_block_is_masked(
    s: Sanitizer, known: str, newline: str
) -> None:
    body = _wrapped(b"key material " + known.encode() + b" more", 64, "    ", newline)
    text = f"  -----BEGIN DATA-----{newline}{body}  -----END DATA-----{newline}"
    out = s.sanitize(text)
    assert_no_leak(known, out)
    assert "-----END DATA-----" in out


def test_log_redaction_masks_a_known_value_in_wrapped_base64(known: str) -> None:
    buf = io.StringIO()
    log = logging.getLogger("tests.views.base64")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(logging.StreamHandler(buf))
    install_log_redaction(log)
    try:
        log.info("request dump: %s", base64.encodebytes(b"user:" + known.encode()).decode())
    finally:
        remove_log_redaction(log)
    assert_no_leak(known, buf.getvalue())


def test_wrapped_base64_of_other_data_is_unchanged(s: Sanitizer, known: str) -> None:
    text = "blob:\n" + base64.encodebytes(bytes(range(256)) * 3).decode()
    assert s.sanitize(text) == text


def test_run_stderr_masks_a_resolved_value_in_wrapped_base64() -> None:
    value = make_canary()
    lines = LineSanitizer(Sanitizer(), fragments_of=[value])
    dump = "request dump: " + base64.encodebytes(f"user:{value}".encode()).decode()
    out = b"".join(lines.feed(line.encode()) for line in dump.splitlines(keepends=True))
    out += lines.flush()
    assert_no_leak(value, out)


def test_known_value_in_wrapped_base64_with_a_hidden_character_is_masked(
    s: Sanitizer, known: str
) -> None:
    lines = _wrapped(b"user:" + known.encode(), 40).splitlines(keepends=True)
    lines[1] = lines[1][:10] + "\u200b" + lines[1][10:]
    out = s.sanitize("dump:\n" + "".join(lines))
    assert_no_leak(known, out, _drawn(out))


def test_password_assignment_with_a_hidden_character_is_masked(s: Sanitizer) -> None:
    pw = rnd(ALNUM, 20)
    out = s.sanitize(f"db password=\x1b[33m{pw[:8]}\u200b{pw[8:]}\x1b[0m connecting")
    assert_no_leak(pw, out, _drawn(out))
