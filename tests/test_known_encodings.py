"""A known value is masked in every encoding code commonly writes it in, and the leak
checks look for each of those forms too."""

from __future__ import annotations

import base64
import json
import re
import secrets
import traceback
import urllib.parse
from collections.abc import Callable, Iterator

import pytest

from openrouter_secure import Secret, default_sanitizer
from openrouter_secure.testing import assert_no_leak


def _u_upper(text: str) -> str:
    return re.sub(
        r"\\u[0-9a-f]{4}", lambda m: "\\u" + m.group()[2:].upper(), json.dumps(text)[1:-1]
    )


def _every_u(text: str) -> str:
    units = text.encode("utf-16-be")
    return "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)
    )


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


ENCODERS: dict[str, Callable[[str], str]] = {
    "hex": lambda v: v.encode().hex(),
    "hex upper": lambda v: v.encode().hex().upper(),
    "%x of the bytes as int": lambda v: "%x" % int.from_bytes(v.encode(), "big"),
    "quote (safe='/')": lambda v: urllib.parse.quote(v),
    "quote (safe='')": lambda v: urllib.parse.quote(v, safe=""),
    "quote_plus": lambda v: urllib.parse.quote_plus(v),
    "quote, lower-case escapes": lambda v: _lower_escapes(urllib.parse.quote(v)),
    "quote_plus, lower-case escapes": lambda v: _lower_escapes(urllib.parse.quote_plus(v)),
    "ascii()": lambda v: ascii(v)[1:-1],
    "repr of UTF-8 bytes": lambda v: repr(v.encode())[2:-1],
    "JSON upper-case \\u": _u_upper,
    "JSON every char \\u": _every_u,
    "JSON every char \\u, upper": lambda v: _every_u(v).upper().replace("\\U", "\\u"),
}


def _values() -> list[str]:
    while True:  # base64 text with both '/' and '+', as cloud secret keys have
        b64 = base64.b64encode(secrets.token_bytes(27)).decode()
        if "/" in b64 and "+" in b64:
            break
    return [
        secrets.token_urlsafe(18),
        b64,
        "Grüße-" + secrets.token_hex(6) + "-Straße/x y=z",
        "pw€" + secrets.token_hex(8) + "😀end",
    ]


@pytest.fixture
def values() -> Iterator[list[str]]:
    vals = _values()
    held = [Secret(v) for v in vals]
    yield vals
    for s in held:
        s.wipe()


@pytest.mark.parametrize("encoding", list(ENCODERS))
def test_sanitize_masks_a_known_value_in_each_encoding(encoding: str, values: list[str]) -> None:
    for value in values:
        form = ENCODERS[encoding](value)
        out = default_sanitizer().sanitize(f"GET /v1/files/{form}/download?x={form}")
        assert form not in out, f"{encoding} form of a value of length {len(value)} kept"


@pytest.mark.parametrize("encoding", list(ENCODERS))
def test_assert_no_leak_finds_each_encoding(encoding: str) -> None:
    for value in _values():
        form = ENCODERS[encoding](value)
        with pytest.raises(AssertionError, match="canary #1"):
            assert_no_leak(value, f"prefix {form} suffix")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_assert_no_leak_reads_bytes_as_utf16(codec: str) -> None:
    value = secrets.token_urlsafe(24)
    with pytest.raises(AssertionError, match="canary #1"):
        assert_no_leak(value, ("log line: " + value).encode(codec))
    with pytest.raises(AssertionError, match="canary #1"):
        assert_no_leak(value, b"x" + ("log line: " + value).encode(codec))


def test_assert_no_leak_still_passes_clean_output() -> None:
    value = secrets.token_urlsafe(24)
    other = secrets.token_urlsafe(24)
    outputs = [f(other) for f in ENCODERS.values()]
    assert_no_leak(value, *outputs, other.encode("utf-16-le"), json.dumps({"k": other}))


def _call_api(api_key: str) -> None:
    raise RuntimeError("upstream returned 500")


def test_assert_no_leak_reads_the_locals_of_returned_frames() -> None:
    value = secrets.token_urlsafe(24)
    try:
        _call_api(value)
    except RuntimeError as exc:
        error = exc
    rendered = "".join(
        traceback.TracebackException.from_exception(error, capture_locals=True).format()
    )
    assert value in rendered  # what Sentry or capture_locals would print
    with pytest.raises(AssertionError, match="canary #1"):
        assert_no_leak(value, error, frame_locals=True)
    assert_no_leak(value, error)  # the exception itself is clean
    with Secret(value):  # the scrubbed copy masks what the sanitizer knows
        assert_no_leak(value, default_sanitizer().scrub_exception(error), frame_locals=True)


@pytest.mark.parametrize("backend", ["hyperscan", "ahocorasick", "python"])
@pytest.mark.parametrize("lines", [0, 70_000], ids=["record", "long-text"])
@pytest.mark.parametrize("where", ["leading", "trailing"])
def test_a_known_value_with_a_line_break_at_an_end_is_masked_where_the_text_ends(
    backend: str, lines: int, where: str
) -> None:
    """Every scan reads a line break before and after the text: a known value that
    starts (ends) with one matches at the text's start (end), and what the text holds
    of it is masked, nothing before or after it copied raw."""
    from openrouter_secure import Sanitizer

    value = "pw-" + secrets.token_hex(12)
    filler = "ordinary log line number 000000\n" * lines
    if where == "leading":
        held = Secret("\n" + value)
        text = f"{value} was used to log in\n{filler}"
        expected = f"***MASKED*** was used to log in\n{filler}"
    else:
        held = Secret(value + "\n")
        text = f"{filler}final line: {value}"
        expected = f"{filler}final line: ***MASKED***"
    assert Sanitizer(backend=backend).sanitize(text) == expected
    held.wipe()


@pytest.mark.parametrize("around", ["\n", "\r\n", "  ", "\n\n"])
def test_a_known_value_read_with_blanks_around_it_is_masked_without_them(around: str) -> None:
    """A secret store's payload often ends with a line break the program strips before
    use: the stripped value is what its logs hold."""
    value = "pw-" + secrets.token_hex(12)
    held = Secret(around + value + around)
    out = default_sanitizer().sanitize(f"connected with {value}, retrying")
    assert out == "connected with ***MASKED***, retrying"
    held.wipe()


@pytest.mark.parametrize("value", ["      ", "\t\t\t\t\t\t", "   abc\n", "\n\nadmin\n\n"])
def test_a_value_short_without_its_blanks_is_not_registered(value: str) -> None:
    """Six spaces would mask every indented line, and ``abc`` the hex ``616263``
    inside digests."""
    from openrouter_secure import _known

    held = Secret(value)
    assert value not in _known.known_values()
    text = "      indented\n\t\t\t\t\t\tx 616263 61646d696e"
    assert default_sanitizer().sanitize(text) == text
    held.wipe()


def test_the_encodings_of_a_value_short_without_its_blanks_are_its_own() -> None:
    from openrouter_secure._sanitize._sanitizer import _encodings

    assert "616263" not in _encodings("   abc\n")


def test_a_known_value_with_blanks_around_it_is_found_by_its_head_and_tail() -> None:
    """pydantic's shortened echo (``head...tail``) of the value a program stripped."""
    value = "sk-or-v1-" + secrets.token_hex(32)
    held = Secret("  " + value + "\n")
    out = default_sanitizer().sanitize(f"input_value='{value[:21]}...{value[-22:]}'")
    assert_no_leak(value, out)
    held.wipe()
