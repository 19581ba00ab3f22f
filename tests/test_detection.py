"""Context detection: secrets of formats no rule names, found by the name they sit
under, in every common syntax; and the clean text that must stay as it is.

Every value is built at run time (``tests.sanitizer_cases.rnd``)."""

from __future__ import annotations

import base64
import json
import secrets
import string
from collections.abc import Iterator

import pytest

from openrouter_secure import (
    MissingDependencyError,
    Sanitizer,
    Secret,
    SecretNotFoundError,
    resolve_first,
)
from openrouter_secure._sanitize import _scan
from openrouter_secure._sanitize._context import is_secret_identifier, value_kind
from openrouter_secure._sanitize._sanitizer import MASK
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.detection_corpus import clean_cases, secret_cases
from tests.sanitizer_cases import ALNUM, HEX, rnd
from tests.test_rules import engine

LOWER_ALNUM = string.ascii_lowercase + string.digits


@pytest.fixture(autouse=True)
def no_values_known_from_other_tests() -> Iterator[None]:
    """These tests measure the rules alone: values other tests in this process held
    (and revealed, which keeps them masked for the process) would mask sample text."""
    from openrouter_secure import _known

    with _known._lock:
        saved = (dict(_known._counts), dict(_known._retired), _known._retired_chars)
        _known._counts.clear()
        _known._retired.clear()
        _known._retired_chars = 0
        _known._publish()
    try:
        yield
    finally:
        with _known._lock:
            counts, retired, chars = saved
            _known._counts.update(counts)
            _known._retired.update(retired)
            _known._retired_chars += chars
            _known._publish()


@pytest.fixture(scope="module")
def s() -> Sanitizer:
    return Sanitizer()


def _masked(s: Sanitizer, text: str, value: str) -> str:
    out = s.sanitize(text)
    assert value not in out, out
    assert MASK in out
    return out


# -- the differential corpus --------------------------------------------------------------


def test_generated_secrets_in_every_syntax_are_masked(s: Sanitizer) -> None:
    """A fixed-seed slice of ``benchmarks/bench_detection.py``'s corpus (which measures
    about 99% on 3,000 cases): values of many shapes under generated secret names."""
    cases = secret_cases(600, seed=3)
    missed = [text for _, _, text, value in cases if value in s.sanitize(text)]
    assert len(missed) / len(cases) <= 0.04, missed[:10]


def test_generated_clean_lines_are_left_alone(s: Sanitizer) -> None:
    """Clean look-alikes: ids, hashes, placeholders, references, masks, words,
    exception names, paths, numbers, code (the benchmark measures 0 of 3,000 changed)."""
    cases = clean_cases(600, seed=4)
    changed = [text for _, text in cases if s.sanitize(text) != text]
    assert len(changed) / len(cases) <= 0.01, changed[:10]


# -- syntaxes -------------------------------------------------------------------------------

SYNTAXES = [
    "key={v}",
    "api_key = '{v}'",
    "api_key: {v}",
    '"apiKey": "{v}"',
    'brandAPIKey := "{v}"',
    "STRIPE_SECRET -> {v}",
    "'client_secret' => '{v}',",
    "tool login --access-token {v} --verbose",
    "tool login --access-token={v}",
    "GET https://api.example.com/v1/user?key={v}&page=2",
    "GET https://api.example.com/v1/user?page=2&token={v}",
    "[DEBUG] Using Key={v}",
    "[DEBUG] Using token {v}",
    "connecting with key {v} to the store",
    "<password>{v}</password>",
    '<add name="svc" clientSecret="{v}" />',
    '<property name="db.password">{v}</property>',
    "<secret>{{svc AQAAABAAA {v}}}</secret>",
    "services:\n  azure:\n    azure_key: {v}\n    timeout: 30",
    "export SHOP_ACCESS_KEY={v}",
    "X-API-Key: {v}",
    '{{"X-API-Key": "{v}"}}',
    "X-API-Key={v}",
    "x-auth-token: {v}",
    "refresh_token={v}",
    "AccessKey: {v}",
    'private static final String privateKey = "{v}";',
    'var credentials = "{v}";',
    "auth: {v}",
    "aws configure set aws_secret_access_key {v}",
    'getenv("api_token", "{v}")',
    "ZENDESKTOKEN={v}",
    "pwd={v}",
    "passphrase: {v}",
]


@pytest.mark.parametrize("template", SYNTAXES)
@pytest.mark.parametrize("alphabet", [HEX, ALNUM, LOWER_ALNUM])
def test_a_generated_value_under_a_secret_name_is_masked(
    s: Sanitizer, template: str, alphabet: str
) -> None:
    value = rnd(alphabet, 32)
    _masked(s, template.format(v=value), value)


def test_a_secret_word_then_a_prefixed_value_is_masked(s: Sanitizer) -> None:
    value = f"spu-{rnd(HEX, 32)}"
    _masked(s, f"[DEBUG] Using token {value}", value)


def test_an_aws_credentials_csv_row_is_masked(s: Sanitizer) -> None:
    secret = rnd(ALNUM + "/+", 40)
    key_id = "AKIA" + rnd("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    text = f"User name,Password,Access key ID,Secret access key\nci,,{key_id},{secret}"
    _masked(s, text, secret)


def test_a_password_with_symbols_is_masked(s: Sanitizer) -> None:
    value = f"{rnd(ALNUM, 6)}&{rnd(ALNUM, 4)}%{rnd(ALNUM, 4)}"
    _masked(s, f'db_password = "{value}"', value)


# -- exclusions -----------------------------------------------------------------------------

CLEAN = [
    "token: MissingDependencyError",
    "env://OPENROUTER_API_KEY: SecretNotFoundError; keyring://svc/api-key: MissingDependencyError",
    "doctor /etc/passwd: problems",
    "/etc/passwd: not readable",
    "api_key = SecretStr",
    "password: required",
    "password: ********",
    "api_key=***MASKED***",
    "api_key=sk-o...***MASKED***",
    "api_key=<your-api-key>",
    'api_key: "${OPENROUTER_API_KEY}"',
    "OPENROUTER_API_KEY=sk-or-v1-your-key-here",
    "secret = 'xxxxxxxxxxxxxxxxxxxx'",
    'api_key = "env://OPENROUTER_API_KEY"',
    "token: keyring://openrouter-secure/prod",
    "password_file=/run/secrets/db",
    "api_key=1234567",
    "token_version=2.14.1-rc.3",
    "password_changed_at: 2026-11-23T13:00:00.000Z",
    "auth_user: alice.smith@example.com",
    "    token = get_token(request.headers)",
    '    api_key = os.environ["OPENROUTER_API_KEY"]',
    "        self.password = auth0_api_key",
    "const apiKey = process.env.API_KEY;",
    "password: {{ .Values.db.password }}",
    '"key": "user:926382"',
    "ALTER TABLE users ADD PRIMARY KEY (id);",
    "INFO token refreshed successfully for user 42",
    '{"token_type": "bearer", "expires_in": 3600}',
    "usage prompt_tokens=12 max_tokens=4096 token_limit=128000",
    "secret_name: prod/openrouter/api-key",
    '<entry key="jetbrains.mps.v8_elimination" value="executed" />',
    "|| pIdxKey->default_rc==0",
    "refusing to send the API key to http://127.0.0.1:35553: pass allow_insecure_loopback=True",
    "token is expired for user 42",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_under_secret_names_is_left_alone(s: Sanitizer, text: str) -> None:
    assert s.sanitize(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "session_id={u} user=42 status=200",
        "request_id={u} status=200",
        "kms_key_id={u}",
        "cache_key={h}",
        "public_key: {h}",
        "next_token={h}",
        "Idempotency-Key: {u}",
        "nonMatchingToken := '{h}'",
    ],
)
def test_ids_under_names_that_are_not_secret_names_stay(s: Sanitizer, text: str) -> None:
    import uuid

    line = text.format(u=uuid.uuid4(), h=rnd(HEX, 32))
    assert s.sanitize(line) == line


@pytest.mark.parametrize(
    ("name", "expected"),
    [("brandAPIKey", True), ("stripe_secret", True), ("x-auth-token", True),
     ("refresh_token", True), ("clientSecret", True), ("AccessKey", True), ("pwd", True),
     ("passphrase", True), ("private_key", True), ("credentials", True), ("auth", True),
     ("azure_key", True), ("apikey", True), ("SHOPCLIENTSECRET", True), ("Key", True),
     ("monkey", False), ("bypass", False), ("cache_key", False), ("next_token", False),
     ("public_key", False), ("session_id", False), ("token_count", False),
     ("password_hash", False), ("fakeToken", False), ("max_tokens", False)],
)  # fmt: skip
def test_secret_names_by_word_segments(name: str, expected: bool) -> None:
    assert is_secret_identifier(name) is expected


@pytest.mark.parametrize(
    "value",
    ["MissingDependencyError", "HTTPServerError", "production", "/run/secrets/db",
     "1234567890", "2026-11-23", "v1.2.3", "<token>", "${TOKEN}", "xxxxxxxxxxxx",
     "***MASKED***", "env://OPENROUTER_API_KEY", "alice@example.com", "user:926382",
     "aaaa1111bbbb2222", "get_token()"],
)  # fmt: skip
def test_value_gate_rejects_what_is_not_a_secret(value: str) -> None:
    assert not value_kind(value, password=False)


def test_value_gate_accepts_generated_values() -> None:
    for alphabet in (HEX, ALNUM, LOWER_ALNUM, string.ascii_uppercase + string.digits):
        assert value_kind(rnd(alphabet, 24), password=False)


# -- propagation, punctuation, bearer tokens ----------------------------------------------


def test_every_copy_of_a_found_value_in_the_same_text_is_masked(s: Sanitizer) -> None:
    value = rnd(LOWER_ALNUM, 32)
    out = _masked(s, f"shop token = '{value}' | '{value}' and again {value}", value)
    assert out.count(MASK) == 3


def test_copies_are_found_in_long_texts_too(s: Sanitizer) -> None:
    value = rnd(ALNUM, 32)
    other = rnd(ALNUM, 32)
    filler = "INFO ordinary line without anything\n" * 3000
    text = f"api_key={value}\nsecret={other}\n{filler}then {value} and {other}\n"
    out = s.sanitize(text)
    assert value not in out
    assert other not in out


@pytest.mark.parametrize(
    ("backend", "long"),
    [("hyperscan", False), ("hyperscan", True), ("ahocorasick", False), ("python", False)],
)
def test_every_copy_of_each_of_hundreds_of_found_values_is_masked(backend: str, long: bool) -> None:
    """Hundreds of secrets found in one text (a log of a day), each also copied bare
    further on: every copy is masked, whatever order an engine finds the secrets in."""
    values = [rnd(ALNUM, 18) + rnd("0123456789", 6) for _ in range(300)]
    url_value = rnd(ALNUM, 18) + rnd("0123456789", 6)
    lines = [f"api_key={v}" for v in values]
    lines.append(f"GET https://h.example/p?x=1;KEY={url_value} HTTP/1.1")
    lines += [f"copy {v} here" for v in [*values, url_value]]
    text = "\n".join(lines)
    if long:
        text += "\n" + "the quick brown fox\n" * 55_000
    out = engine(backend).sanitize(text)
    for value in [*values, url_value]:
        assert_no_leak(value, out)


@pytest.mark.parametrize("backend", ["hyperscan", "ahocorasick", "python"])
def test_copies_of_found_values_that_begin_alike_are_masked(backend: str) -> None:
    """Found values that share their first characters (``app:1.2-<v>``), one a prefix
    of another: each copy is masked whole."""
    # (capitals, and a letter beside a digit, after the ``:``: a stage and a token)
    upper, letters, digits = string.ascii_uppercase, string.ascii_letters, string.digits
    values = [f"app:1.2-{rnd(upper, 2)}{rnd(letters, 4)}{rnd(digits, 3)}" for _ in range(40)]
    values.append(values[0] + rnd(ALNUM, 6))
    lines = [f"token={v}" for v in values] + [f"copy {v} here" for v in values]
    out = engine(backend).sanitize("\n".join(lines))
    for value in values:
        assert_no_leak(value, out)
    assert out.count("copy " + MASK + " here") == len(values)


@pytest.mark.parametrize("backend", ["hyperscan", "ahocorasick", "python"])
def test_a_secret_inside_a_found_assignment_is_masked_where_it_recurs_bare(
    backend: str,
) -> None:
    """``auth: password=<v>`` reads ``password=`` as the next assignment, whose value is
    found and spread, so a bare copy of it later in the text is masked, by every
    engine."""
    value = rnd(ALNUM, 20) + "7q"
    text = f"INFO auth: password={value}  user 416\nlater {value} here"
    out = _masked(engine(backend), text, value)
    assert out == f"INFO auth: password={MASK}  user 416\nlater {MASK} here"


def test_a_mask_keeps_the_punctuation_after_the_value(s: Sanitizer) -> None:
    value = rnd(HEX, 32)
    out = s.sanitize(f"GET https://x.example/v1?token={value}: ConnectError")
    assert out == f"GET https://x.example/v1?token={MASK}: ConnectError"


def test_an_opaque_bearer_token_keeps_no_character(s: Sanitizer) -> None:
    token = secrets.token_urlsafe(30)
    assert s.sanitize(f"Authorization: Bearer {token}") == f"Authorization: Bearer {MASK}"


def test_a_prefixed_bearer_token_keeps_its_public_prefix(s: Sanitizer, canary: str) -> None:
    assert s.sanitize(f"Authorization: Bearer {canary}") == f"Authorization: Bearer sk-o...{MASK}"


# -- echoes of known secrets ----------------------------------------------------------------


def test_a_shortened_echo_of_a_known_key_is_masked_whole(canary: str) -> None:
    """As pydantic prints a validation error's input: head, ``...``, tail."""
    held = Secret(canary)
    text = f"input_value='{canary[:14]}...{canary[-22:]}', input_type=str"
    out = Sanitizer().sanitize(text)
    assert out == f"input_value='sk-o...{MASK}', input_type=str"
    held.wipe()


def test_nothing_of_a_tail_survives_after_a_mask(canary: str) -> None:
    held = Secret(canary)
    out = Sanitizer().sanitize(f"arg '{canary[:4]}...{MASK}...{canary[-23:]}'")
    assert out == f"arg 'sk-o...{MASK}'"
    held.wipe()


@pytest.mark.parametrize("tail", ["704975183833", "5e6c36366e33", "dd9d9aabacb9"])
def test_a_key_whose_tail_is_all_digits_or_few_letters_is_found_by_its_tail(
    canary: str, tail: str
) -> None:
    # Random 12-character hex tails: one in seven has low entropy, some are all digits.
    key = canary[:-12] + tail
    held = Secret(key)
    out = Sanitizer().sanitize(f"arg '{key[:4]}...{MASK}...{key[-23:]}'")
    assert out == f"arg 'sk-o...{MASK}'"
    held.wipe()


@pytest.mark.parametrize("form", ["{head}\u2026", "{head}...", "...{tail}", "{head}...{tail}"])
def test_every_shortened_form_of_a_known_password_is_masked(form: str) -> None:
    value = rnd(ALNUM, 30)
    held = Secret(value)
    text = "got " + form.format(head=value[:13], tail=value[-13:]) + " end"
    out = Sanitizer().sanitize(text)
    assert value[:12] not in out
    assert value[-12:] not in out
    assert out.endswith(" end")
    held.wipe()


# -- learning -------------------------------------------------------------------------------


def test_learning_is_off_by_default(s: Sanitizer) -> None:
    value = rnd(HEX, 32)
    s.sanitize(f"api_key={value}")
    assert s.sanitize(f"later {value} bare") == f"later {value} bare"


def test_a_learning_sanitizer_masks_a_value_later_where_nothing_marks_it() -> None:
    learner = Sanitizer(learn=True)
    value = rnd(HEX, 32)
    assert value not in learner.sanitize(f"api_key={value}")
    assert learner.sanitize(f"later {value} bare") == f"later {MASK} bare"
    assert Sanitizer().sanitize(f"later {value} bare") == f"later {value} bare"
    learner.forget()
    assert learner.sanitize(f"later {value} bare") == f"later {value} bare"


def test_learning_is_bounded() -> None:
    learner = Sanitizer(learn=True, learn_limit=3)
    values = [rnd(HEX, 32) for _ in range(5)]
    for v in values:
        learner.sanitize(f"api_key={v}")
    assert len(learner._learned) == 3
    assert learner.sanitize(values[0]) == values[0]  # the oldest went first
    assert learner.sanitize(values[-1]) == MASK


# -- configuration errors -------------------------------------------------------------------


def test_an_unknown_backend_is_a_value_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="'auto', 'hyperscan', 'ahocorasick', 'python'"):
        Sanitizer(backend="nonsense")


def test_an_engine_without_its_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from openrouter_secure._sanitize import _sanitizer

    monkeypatch.setattr(_sanitizer, "hyperscan_available", lambda: False)
    with pytest.raises(MissingDependencyError, match=r"openrouter-secure\[fast\]"):
        Sanitizer(backend="hyperscan")


def test_a_failure_while_sanitizing_still_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Sanitizer()

    def boom(self: object, text: str) -> list[object]:
        raise RuntimeError("engine broke")

    monkeypatch.setattr(_scan.Scanner, "scan", boom)
    out = s.sanitize(f"api_key={rnd(HEX, 32)} and more")
    assert out.startswith("<REDACTED:")


# -- errors of the library itself ----------------------------------------------------------


def test_resolve_firsts_error_names_each_reference_and_reason_readably() -> None:
    refs = [f"env://MISSING_{rnd(HEX, 8).upper()}_API_KEY", f"env://NO_{rnd(HEX, 8).upper()}_TOKEN"]
    with pytest.raises(SecretNotFoundError) as caught:
        resolve_first(refs)
    message = str(caught.value)
    assert MASK not in message
    for ref in refs:
        assert f"{ref}: SecretNotFoundError" in message


def test_context_findings_are_reported_without_the_value(s: Sanitizer) -> None:
    value = rnd(ALNUM, 32)
    found = s.find(json.dumps({"svc_api_key": value}))
    assert [f.rule for f in found] == ["secret-assignment"]
    assert value not in repr(found)


# -- found by attacking the detection -------------------------------------------------------


def test_a_password_holding_an_ampersand_is_masked_whole(s: Sanitizer) -> None:
    value = f"{rnd(ALNUM, 5)}&{rnd(ALNUM, 8)}9"
    out = s.sanitize(f"db_password={value} end")
    assert out == f"db_password={MASK} end"


def test_a_url_query_value_still_ends_at_the_ampersand(s: Sanitizer) -> None:
    value = rnd(HEX, 32)
    assert s.sanitize(f"GET /v1?token={value}&page=2") == f"GET /v1?token={MASK}&page=2"


@pytest.mark.parametrize("prefix", ["b", "rb", "u"])
def test_a_python_bytes_or_raw_literal_is_a_quoted_value(s: Sanitizer, prefix: str) -> None:
    value = rnd(ALNUM, 32)
    assert s.sanitize(f"api_key = {prefix}'{value}'") == f"api_key = {prefix}'{MASK}'"


def test_a_name_and_value_pair_of_fields_is_masked(s: Sanitizer) -> None:
    value = rnd(ALNUM, 32)
    for text in (
        f"env:\n  - name: STRIPE_API_KEY\n    value: {value}\n",
        json.dumps({"name": "DB_PASSWORD", "value": value}),
    ):
        _masked(s, text, value)


def test_a_name_and_value_pair_under_a_plain_name_stays(s: Sanitizer) -> None:
    text = json.dumps({"name": "REGION", "value": rnd(ALNUM, 32)})
    assert s.sanitize(text) == text


@pytest.mark.parametrize("link", ["is", "to", "was"])
def test_prose_between_a_name_and_a_generated_value(s: Sanitizer, link: str) -> None:
    value = rnd(HEX, 40)
    _masked(s, f"set token {link} {value} now", value)
    assert s.sanitize(f"token {link} expired for user 42") == f"token {link} expired for user 42"


def test_a_base64_value_in_prose_keeps_its_padding_masked(s: Sanitizer) -> None:
    value = base64.b64encode(secrets.token_bytes(32)).decode()
    assert s.sanitize(f"connecting with key {value} to the store") == (
        f"connecting with key {MASK} to the store"
    )


def test_a_base64_value_starting_with_a_slash_is_not_taken_for_a_path(s: Sanitizer) -> None:
    # One standard base64 value in 64 starts with "/"; its body may hold more of them.
    # (a digit every fourth character: a random piece between slashes can read as a
    # path's word, ``/ngMuzNcn/``, about once in 60 values; that is judged elsewhere)
    body = "".join(rnd(ALNUM, 3) + secrets.choice(string.digits) for _ in range(11))
    value = "/" + body[:19] + "/" + body[20:] + "="
    assert s.sanitize(f"connecting with key {value} to the store") == (
        f"connecting with key {MASK} to the store"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/UsersController/GetAllUsers",
        "/srv/Data2024/Backups/Q3Report",
        "/home/AliceSmith/Documents/ProjectAlpha",
    ],
)
def test_a_path_of_mixed_case_words_stays(s: Sanitizer, path: str) -> None:
    assert s.sanitize(f"token {path}") == f"token {path}"


def test_text_glued_before_a_known_value_stays(canary: str) -> None:
    held = Secret(canary)
    assert (
        Sanitizer().sanitize(f'{{"name": "note-{canary}"}}') == f'{{"name": "note-sk-o...{MASK}"}}'
    )
    held.wipe()


def test_a_key_named_by_a_short_hash_in_prose_stays(s: Sanitizer) -> None:
    text = f"the old key {rnd(HEX, 12)} is still enabled 23 days after its grace period"
    assert s.sanitize(text) == text


def test_an_echo_is_only_a_distinctive_piece_of_a_known_value(canary: str) -> None:
    """A known ``Bearer <key>`` or URL must not mark every bearer header or URL that
    starts the same way."""
    held = [Secret(f"Bearer {make_canary()}"), Secret(f"http://127.0.0.1:8080/{rnd(HEX, 16)}")]
    s = Sanitizer()
    assert s.sanitize(f"Authorization: Bearer {canary}") == f"Authorization: Bearer sk-o...{MASK}"
    assert s.sanitize("GET http://127.0.0.1:9000/health") == "GET http://127.0.0.1:9000/health"
    for h in held:
        h.wipe()


def test_two_keys_glued_end_to_start_are_both_masked(s: Sanitizer) -> None:
    first, second = make_canary(), make_canary()
    out = s.sanitize(f"x{first}{second} end")
    assert_no_leak([first, second], out)
    assert out.endswith(" end")


def test_a_key_with_a_glued_suffix_is_masked_to_the_end_of_the_run(s: Sanitizer) -> None:
    key = make_canary()
    assert s.sanitize(f"key {key}-prod, next") == f"key sk-o...{MASK}, next"
