"""The Sanitizer's public behaviour: masks, known values in every encoding, headers,
payloads, exceptions, truncation, fingerprints and failing closed."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter_secure import Finding, Sanitizer, Secret, default_sanitizer
from openrouter_secure._sanitize._sanitizer import MASK, is_secret_field, mask_value, scrub_text
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.sanitizer_cases import ALNUM, pem_block, rnd


@pytest.fixture
def s() -> Sanitizer:
    return Sanitizer()


def test_api_key_keeps_its_public_prefix_only(s: Sanitizer, canary: str) -> None:
    assert s.sanitize(f"key={canary} end") == f"key=sk-o...{MASK} end"


def test_short_values_become_the_bare_mask() -> None:
    assert mask_value("abcd") == MASK
    assert mask_value("abcde") == f"abcd...{MASK}"


def test_password_values_keep_nothing(s: Sanitizer) -> None:
    pw = rnd(ALNUM, 14)
    assert s.sanitize(f"password={pw}") == f"password={MASK}"


def test_find_reports_rule_and_span_but_not_the_value(s: Sanitizer, canary: str) -> None:
    text = f"x {canary} y"
    findings = s.find(text)
    assert findings == [Finding("openrouter-api-key", 2, 2 + len(canary))]
    assert_no_leak(canary, repr(findings))


def test_clean_text_is_returned_unchanged(s: Sanitizer) -> None:
    text = '{"model": "openai/gpt-4o", "max_tokens": 512, "id": "gen-123"}'
    assert s.sanitize(text) is text


@pytest.mark.parametrize(
    "encode",
    [
        lambda v: v,
        lambda v: json.dumps(v)[1:-1],
        lambda v: urllib.parse.quote(v, safe=""),
        lambda v: base64.b64encode(v.encode()).decode(),
        lambda v: base64.b64encode(f"user:{v}".encode()).decode(),
        lambda v: base64.b64encode(f"ab:{v}".encode()).decode(),
        lambda v: base64.urlsafe_b64encode(v.encode()).decode(),
    ],
    ids=["plain", "json", "url", "base64", "basic-auth", "base64-shift2", "base64url"],
)
def test_known_value_is_masked_in_each_encoding(s: Sanitizer, encode: object) -> None:
    raw = rnd(ALNUM, 12) + '"/+&= ' + rnd(ALNUM, 12)  # no format any rule knows
    with Secret(raw):
        form = encode(raw)  # type: ignore[operator]
        out = s.sanitize(f"header: Basic {form} trailing")
        assert_no_leak([raw, form[2:-2]], out)
    # Wiped: no longer known, no longer masked (it has no recognisable format).
    assert encode(raw) in s.sanitize(f"x {encode(raw)} y")  # type: ignore[operator]


def test_known_value_without_format_is_masked_whole(s: Sanitizer) -> None:
    raw = rnd(ALNUM, 32)
    with Secret(raw):
        assert s.sanitize(f"db password is {raw}!") == f"db password is {MASK}!"


def test_known_openrouter_value_keeps_its_prefix(s: Sanitizer) -> None:
    value = make_canary()
    with Secret(value):
        assert s.sanitize(value) == f"sk-o...{MASK}"


def test_headers_keep_the_scheme_word(s: Sanitizer, canary: str) -> None:
    out = s.sanitize_headers(
        {"Authorization": f"Bearer {canary}", "X-Api-Key": canary, "Accept": "text/plain"}
    )
    assert out == {
        "Authorization": f"Bearer sk-o...{MASK}",
        "X-Api-Key": f"sk-o...{MASK}",
        "Accept": "text/plain",
    }


def test_headers_mask_cookies_by_name_and_scan_other_values(s: Sanitizer, canary: str) -> None:
    out = s.sanitize_headers([("Cookie", "session=" + rnd(ALNUM, 20)), ("X-Debug", canary)])
    assert out["Cookie"].endswith(MASK)
    assert_no_leak(canary, out["X-Debug"])


def test_sanitize_data_masks_by_key_segment(s: Sanitizer, canary: str) -> None:
    payload = {
        "model": "m",
        "max_tokens": 256,
        "apiKey": "hunter2hunter2",
        "nested": [{"client_secret": "abcdefgh"}, ("free text " + canary,)],
        "usage": {"total_tokens": 10},
    }
    out = s.sanitize_data(payload)
    assert out["max_tokens"] == 256
    assert out["usage"] == {"total_tokens": 10}
    assert out["apiKey"] == MASK
    assert out["nested"][0]["client_secret"] == MASK
    assert isinstance(out["nested"][1], tuple)
    assert_no_leak(canary, repr(out))
    assert payload["apiKey"] == "hunter2hunter2"  # a copy, the input is untouched


@pytest.mark.parametrize(
    ("name", "secret"),
    [("api_key", True), ("apiKey", True), ("password", True), ("secret", True),
     ("token", True), ("authorization", True), ("private_key", True),
     ("client_secret", True), ("X-Api-Key", True), ("max_tokens", False),
     ("total_tokens", False), ("model", False), ("temperature", False),
     # Masked though no identifier rule would call them secret in free text:
     ("password_hash", True), ("X-CSRF-Token", True), ("API_KEY_FILE", True)],
)  # fmt: skip
def test_is_secret_field(name: str, secret: bool) -> None:
    assert is_secret_field(name) is secret


def test_redact_keeps_only_the_length(s: Sanitizer) -> None:
    assert s.redact("tell me a secret") == "<REDACTED: 16 chars>"


def test_fingerprint_is_keyed_and_stable(s: Sanitizer) -> None:
    a, b = s.fingerprint("hello"), s.fingerprint("hello")
    assert a == b
    assert a.startswith("hmac-sha256:")
    assert a != s.fingerprint("hello!")
    import hashlib

    assert hashlib.sha256(b"hello").hexdigest()[:16] not in a


def test_truncate_sanitizes_before_cutting(s: Sanitizer, canary: str) -> None:
    text = "error body: " + canary[:30] + canary[30:]
    out = s.truncate(text, limit=20)
    assert_no_leak(canary, out)
    assert out.endswith("...")
    assert len(out) <= 23


def test_truncate_never_leaves_half_a_key(s: Sanitizer, canary: str) -> None:
    for limit in range(1, 40):
        assert_no_leak(canary, s.truncate(f"k={canary}", limit=limit))


def test_scrub_exception_masks_message_args_and_chain(s: Sanitizer, canary: str) -> None:
    try:
        try:
            raise KeyError(f"inner {canary}")
        except KeyError as inner:
            raise RuntimeError(f"outer {canary}", 42) from inner
    except RuntimeError as exc:
        clean = s.scrub_exception(exc)
    assert type(clean) is RuntimeError
    assert clean.args[1] == 42
    assert isinstance(clean.__cause__, KeyError)
    assert_no_leak(canary, clean, clean.__cause__)
    assert "outer sk-o..." in str(clean)


def test_scrub_exception_keeps_implicit_context(s: Sanitizer, canary: str) -> None:
    try:
        try:
            raise ValueError(canary)
        except ValueError:
            raise OSError("while handling") from None
    except OSError as exc:
        clean = s.scrub_exception(exc)
    assert clean.__suppress_context__ is True
    assert_no_leak(canary, clean, clean.__context__)


class _Boom(Sanitizer):
    def _spans(self, text, hits=None):  # type: ignore[no-untyped-def,override]
        raise RuntimeError("engine broke")


def test_sanitize_fails_closed(canary: str) -> None:
    out = _Boom().sanitize(f"key {canary}")
    assert out == f"<REDACTED: {len(canary) + 4} chars; sanitizer failed>"


def test_headers_and_data_fail_closed(canary: str) -> None:
    boom = _Boom()
    assert_no_leak(canary, boom.sanitize_headers({"X-Debug": canary}))
    assert_no_leak(canary, boom.sanitize_data({"note": canary}))
    assert_no_leak(canary, boom.scrub_exception(ValueError(canary)))


def test_scrub_text_uses_the_default_sanitizer(canary: str) -> None:
    assert scrub_text(canary) == default_sanitizer().sanitize(canary) == f"sk-o...{MASK}"


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


@settings(max_examples=150, deadline=None)
@given(before=_TEXT, after=_TEXT)
def test_sanitize_is_idempotent_and_never_returns_a_planted_canary(before: str, after: str) -> None:
    s = default_sanitizer()
    canary = make_canary()
    once = s.sanitize(before + canary + after)
    assert s.sanitize(once) == once
    assert_no_leak(canary, once)


@settings(max_examples=100, deadline=None)
@given(text=_TEXT)
def test_sanitize_is_idempotent_on_any_text(text: str) -> None:
    s = default_sanitizer()
    once = s.sanitize(text)
    assert s.sanitize(once) == once


def test_gcp_service_account_json_private_key_is_masked(s: Sanitizer) -> None:
    body = base64.b64encode(bytes(range(256)) * 3).decode()
    pem = pem_block(body) + "\n"
    doc = json.dumps(
        {
            "type": "service_account",
            "private_key_id": rnd("0123456789abcdef", 40),
            "private_key": pem,
            "client_email": "x@p.iam.gserviceaccount.com",
        }
    )
    out = s.sanitize(doc)
    assert_no_leak(body[100:140], out)
    assert '"client_email": "x@p.iam.gserviceaccount.com"' in out


def test_non_ascii_text_is_scanned_too(s: Sanitizer, canary: str) -> None:
    out = s.sanitize(f"clé → {canary} ✓")
    assert out == f"clé → sk-o...{MASK} ✓"


def test_secret_named_value_containing_a_known_secret_is_masked_whole() -> None:
    """A known value inside a larger secret-named value must not leave the rest showing."""
    from openrouter_secure import Secret
    from openrouter_secure._sanitize._sanitizer import MASK, default_sanitizer

    inner = "inner-" + make_canary("plain")[:12]
    with Secret(inner):
        masked = default_sanitizer().sanitize_data({"api_key": "prefix-" + inner})
    assert masked == {"api_key": MASK}


def test_authorization_with_an_unrecognised_token_shows_no_characters() -> None:
    from openrouter_secure._sanitize._sanitizer import MASK, default_sanitizer

    token = make_canary("plain")
    out = default_sanitizer().sanitize_headers({"Authorization": f"Bearer {token}"})
    assert out == {"Authorization": f"Bearer {MASK}"}


def test_sanitizers_with_one_configuration_share_one_compiled_scanner() -> None:
    first, second = Sanitizer(), Sanitizer()
    assert first._scanner() is second._scanner()


def test_a_shared_scanner_is_rebuilt_when_a_value_becomes_known() -> None:
    first, second = Sanitizer(), Sanitizer()
    first.sanitize("warm up")
    value = make_canary()
    with Secret(value):
        assert second.sanitize(f"db said {value}") == f"db said sk-o...{MASK}"
        assert first.sanitize(f"db said {value}") == f"db said sk-o...{MASK}"


def test_joined_pieces_mask_a_key_split_across_them() -> None:
    key = make_canary()
    out = Sanitizer().sanitize_joined(["see ", key[:30], key[30:], " end"])
    assert out == f"see sk-o...{MASK} end"


def test_joining_never_unmasks_what_a_piece_showed_alone() -> None:
    first, second = make_canary(), make_canary()
    out = Sanitizer().sanitize_joined(["0", first, second])
    assert_no_leak([first, second], out)
