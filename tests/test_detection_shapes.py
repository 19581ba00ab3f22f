"""Context detection in the shapes configs, code and logs give a name and its value
beyond ``name sep value``: a name and a value in two fields, XML elements with attributes,
bearer tokens and URL users, subscripts and setter calls, log words before a colon; and
the passwords people and password managers make. Every engine must mask the same.

Every value is built at run time."""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import uuid

import pytest

from openrouter_secure._sanitize._sanitizer import MASK
from openrouter_secure.testing import assert_no_leak
from tests.sanitizer_cases import ALNUM, HEX, _wordpress_key, rnd
from tests.test_rules import engine

ENGINES = ["hyperscan", "ahocorasick", "python"]


def _key() -> str:
    from openrouter_secure._sanitize._context import value_kind

    # (about one random key in 20,000 reads as a glued identifier or holds a
    # placeholder's word, and stays, as documented: one that counts is drawn)
    return next(k for k in (rnd(ALNUM, 36) for _ in range(100)) if value_kind(k, password=False))


def _masked_everywhere(text: str, secret: str) -> None:
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(secret, out)
        assert MASK in out, (backend, out)


def _kept_everywhere(text: str) -> None:
    for backend in ENGINES:
        assert engine(backend).sanitize(text) == text, backend


def _alike_everywhere(text: str) -> None:
    outputs = {backend: engine(backend).sanitize(text) for backend in ENGINES}
    assert len(set(outputs.values())) == 1, outputs


def _answered_by_the_quick_check(record: str) -> bool:
    """Whether Hyperscan's one scan turns ``record`` away (no Python work follows)."""
    pytest.importorskip("hyperscan")
    from openrouter_secure._sanitize._hyperscan import Prefilter
    from openrouter_secure._sanitize._rules import RULES
    from openrouter_secure._sanitize._scan import KNOWN

    return Prefilter(tuple(RULES), [], KNOWN).clean(record)


# -- a name and its value in two fields -----------------------------------------------------

PAIRS = [
    '<add key="ShopApiKey" value="{v}" />',
    '<add key="Password" value="{v}"/>',
    '<property name="shop.token" value="{v}"/>',
    '{{"key": "SHOP_API_KEY", "value": "{v}"}}',
    '{{"Key": "ShopApiSecret", "Value": "{v}"}}',
    '{{"ParameterKey": "ShopApiKey", "ParameterValue": "{v}"}}',
    "Tags:\n  - Key: ShopApiKey\n    Value: {v}\n",
    "Parameters:\n  - ParameterKey: DbPassword\n    ParameterValue: {v}\n",
    '"environment": [{{"name": "SHOP_API_KEY", "value": "{v}"}}]',
    "<key>ShopAPIKey</key>\n\t<string>{v}</string>",
    '<setting name="ShopApiKey" serializeAs="String">\n  <value>{v}</value>\n</setting>',
    '<entry key="shop.api.key">{v}</entry>',
    '<entry key="db.password">{v}</entry>',
    '<entry key="sentry.AUTH0_BOT_TOKEN">{v}</entry>',
    '<property name="hibernate.shop.api.token">{v}</property>',
    '<String><Key>Password</Key><Value ProtectInMemory="True">{v}</Value></String>',
    # (JSON fields between, pretty-printed; a value first, past an escaped quote)
    '{{\n  "name": "DB_PASSWORD",\n  "slotSetting": false,\n  "value": "{v}"\n}}',
    '{{\n  "Value": "{v}",\n  "Type": "String",\n  "Key": "ShopApiKey"\n}}',
    '{{"ParameterKey": "SESSION_SECRET", "UsePreviousValue": false, "ParameterValue": "{v}"}}',
    '{{"Value": "ab\\"{v}", "Key": "ApiKey"}}',
    '{{\n  "Value": "ab\\"{v}",\n  "Key": "ApiKey"\n}}',
]


@pytest.mark.parametrize("shape", PAIRS)
def test_a_name_and_its_value_in_two_fields_are_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


def test_a_long_value_in_two_fields_is_masked_to_its_end() -> None:
    v = rnd(ALNUM, 400)
    _masked_everywhere(f"env:\n  - name: SHOP_TOKEN\n    value: {v}\n", v)


@pytest.mark.parametrize(
    "text",
    [
        '<add key="Region" value="{v}" />',
        '{{"key": "REQUEST_ID", "value": "{v}"}}',
        "<key>CFBundleIdentifier</key><string>{v}</string>",
        '<input type="hidden" name="authenticity_token" value="{v}">',
    ],
)
def test_a_pair_under_a_name_that_is_no_secret_stays(text: str) -> None:
    _kept_everywhere(text.format(v=_key()))


# -- XML ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        '<Password encrypted="false">{v}</Password>',
        '<Pass encoding="base64">{v}</Pass>',
        '<token type="live" region="eu">{v}</token>',
        '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-'
        'username-token-profile-1.0#PasswordText">{v}</wsse:Password>',
        "<apiKey><![CDATA[{v}]]></apiKey>",
    ],
)
def test_xml_content_after_attributes_or_in_cdata_is_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


def test_an_element_with_attributes_and_words_as_content_stays() -> None:
    _kept_everywhere('<Password class="hint">Forgot your password? Reset it here</Password>')


# -- bearer tokens, URL users, curl users ---------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "[DEBUG] Authorization header: Bearer {v}",
        "sending request with bearer {v}",
        "Bearer: {v}",
        "Authorization => 'Bearer {v}'",
    ],
)
def test_a_bearer_token_outside_a_header_is_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


def test_words_after_bearer_stay() -> None:
    _kept_everywhere("401: Bearer token required; bearer authentication is enabled")


@pytest.mark.parametrize(
    "shape",
    [
        "git remote add origin https://{v}@git.example.com/team/app.git",
        "SHOP_DSN=https://{v}@o1.ingest.example.io/42",
        "curl -u {v}: https://api.example.com/v1/charges",
        "curl --user {v} https://api.example.com/v1/charges",
    ],
)
def test_a_token_as_a_url_or_curl_user_is_masked(shape: str) -> None:
    v = rnd(HEX, 32)
    _masked_everywhere(shape.format(v=v), v)


def test_ordinary_users_in_urls_and_curl_stay() -> None:
    _kept_everywhere(
        "git clone ssh://git@github.com/o/r.git; https://alice.smith@example.com; "
        "https://deploy-bot-production@ci.example.com; curl -u alice.smith@example.com: x"
    )


# -- code -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        'config["api_key"] = "{v}"',
        "$config['api_key'] = '{v}';",
        'os.environ["SHOP_API_KEY"] = "{v}"',
        'headers["X-Api-Key"] = "{v}"',
        'client.setApiKey("{v}");',
        'builder.withToken("{v}").build()',
        "$shopToken = '{v}';",
        'my $api_key = "{v}";',
    ],
)
def test_subscripts_setters_and_variables_are_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "    token = get_token(request.headers)",
        "2026-11-23 INFO auth: user 42 logged in via oauth (session_count=4, token_ttl=3600)",
        'echo "$TOKEN: done"',
    ],
)
def test_calls_and_variables_read_stay(text: str) -> None:
    _kept_everywhere(text)


# -- log words before a colon ----------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", ["[shop] auth header set: {v}", "api key loaded: {v}", "password set: {v}"]
)
def test_log_words_between_a_name_and_a_colon(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "[shop] auth header set to {v}",
        "Auth header changed to {v}",
        "token set to {v} for tenant 42",
        "api key updated to {v}",
        "X-Api-Key header is {v}",
        "password set to {v}",
        "API key for zentrix: {v}",
        "Token for paylark: {v}",
        "credentials for hookly: {v}",
    ],
)
def test_a_log_verb_or_whom_a_secret_is_for_between_a_name_and_its_value(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "token set to expire in 3600 seconds",
        "key set to true",
        "auth header set to Bearer",
        "token changed to the refreshed one",
        "key for cache: user_profile_2024",
        "token for request: ok",
        "password set to expire on 2026-12-01",
    ],
)
def test_log_verbs_before_words_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "key id: {uuid}",
        "token hash: {hex}",
        "key rotation: {uuid}",
        "token refreshed: ok",
        "api_key=env://SHOP_KEY tenant={uuid}",
    ],
)
def test_log_words_naming_something_else_stay(text: str) -> None:
    import uuid

    _kept_everywhere(text.format(uuid=uuid.uuid4(), hex=rnd(HEX, 64)))


@pytest.mark.parametrize("value", ["order-queue-19", "prod-us-east-1", "user_cache_2024"])
def test_words_and_a_number_under_a_key_name_are_an_id(value: str) -> None:
    _kept_everywhere(f"key: {value}")


# -- passwords ------------------------------------------------------------------------------


def _generated_password(first: str) -> str:
    """``first``, then 16 characters cycling through the four classes (symbols that no
    engine reads as code or a template): a value no heuristic may take for a word."""
    return first + "".join(
        secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.digits)
        + secrets.choice("#!^?")
        + secrets.choice(string.ascii_lowercase)
        for _ in range(4)
    )


@pytest.mark.parametrize("first", ["&", "*", "(", "[", "{", "/", "~", "!"])
@pytest.mark.parametrize(
    "form", ['{{"password": "{p}"}}', "password: '{p}'", 'DB_PASSWORD="{p}"', "<pwd>{p}</pwd>"]
)
def test_a_generated_password_that_looks_like_code_or_a_path_is_masked(
    first: str, form: str
) -> None:
    p = _generated_password(first)
    if "<pwd>" in form:
        p = p.replace("<", "#")
    _masked_everywhere(form.format(p=p), p)


@pytest.mark.parametrize("quote", ['"', "'", "`"])
def test_a_password_holding_a_quote_is_masked_in_json(quote: str) -> None:
    p = rnd(ALNUM, 5) + quote + rnd(ALNUM, 10)
    text = json.dumps({"user": "app", "password": p})
    _masked_everywhere(text, json.dumps(p)[1:-1][-8:])


@pytest.mark.parametrize(
    "p", ["MyPassword!23", "mypass#2024", "Open-The-Door-Key!", "Meet-me-here-42"]
)
def test_a_password_holding_a_placeholder_word_is_masked(p: str) -> None:
    _masked_everywhere(f'{{"password": "{p}"}}', p)


@pytest.mark.parametrize(
    "p",
    ["correct-horse-battery-staple", "Correct-Horse-Battery-Staple", "correcthorsebatterystaple"],
)
def test_a_passphrase_is_masked(p: str) -> None:
    _masked_everywhere(f"password={p}", p)


@pytest.mark.parametrize(
    "text",
    [
        'password = os.environ["DB_PASSWORD"]',
        "password: ${DB_PASSWORD}",
        "password: {{ .Values.db.password }}",
        'password: "<your-password>"',
        "password: your_password_here",
        "password = config.database.password",
        "DB_PASSWORD=$DB_PASSWORD_FROM_VAULT",
    ],
)
def test_password_references_and_placeholders_stay(text: str) -> None:
    _kept_everywhere(text)


# -- found by attacking these shapes -----------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        '{{\n  "name": "SHOP_API_TOKEN",\n  "value": "{v}"\n}}',
        '{{\n  "ParameterKey": "DbPassword",\n  "ParameterValue": "{v}"\n}}',
        '<add key="ShopApiKey" description="the live key" value="{v}" />',
    ],
)
def test_pretty_printed_and_attributed_pairs_are_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        '<add key="S3BucketName" value="assets-prod-01" />',
        '{"Key": "kubernetes.io/cluster/eks-prod-01", "Value": "owned"}',
        '<add key="Api2BaseUrl" value="https://api.example.com/v2" />',
    ],
)
def test_the_name_field_of_a_pair_is_no_value(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("quoted", ['"Xk9 {v}"', '"Xk9,{v}"', '"Xk9}}{v}"', '"Xk9\\"{v}"'])
def test_a_quoted_pair_value_is_read_to_its_closing_quote(quoted: str) -> None:
    v = rnd(ALNUM, 16)
    _masked_everywhere('{{"name": "DB_PASSWORD", "value": ' + quoted.format(v=v) + "}}", v)


def test_a_long_pair_value_is_masked_whole() -> None:
    v = rnd(ALNUM, 1500)
    _masked_everywhere(f'{{"name": "SHOP_API_TOKEN", "value": "{v}"}}', v)


@pytest.mark.parametrize(
    "text",
    [
        "git clone https://jdoe1984-dev-team@bitbucket.org/team/repo.git",
        "remote: https://MyOrganization2024@dev.azure.com/MyOrganization2024/Project/_git/Repo",
        "docker pull via https://oauth2accesstoken@gcr.io/project/image",
        "curl --user jenkins-agent-01 https://ci.example.com/job/build",
        "using bearer JwtBearerHandler2 for scheme",
    ],
)
def test_user_and_handler_names_are_no_tokens(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "gpg key imported: 4AEE18F83AFDEB23",
        "primary key violated: ix_users_email_7f3e2a91",
        "idempotency key reused: 7f3e2a91-c4b8-4d05-81a2-b3c4d5e6f708",
        "token lookup failed: rq-7f3e2a91c4b8d056",
        "token issued for: user-4f2a9c81b3e7d6a0",
        "public key: 7f3e2a91c4b8d0561a2b3c4d5e6f7081",
        "csrf token: 7f3e2a91c4b8d0561a2b3c4d5e6f7081",
    ],
)
def test_a_word_before_a_name_or_after_it_that_names_something_else(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "Setting secret GITHUB_TOKEN={v}",
        "token refreshed: access_token={v}",
        "password changed: new_password={v}",
    ],
)
def test_an_assignment_after_prose_is_still_read(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        'client.getSecret("StripeApiKeyV2")',
        'keyring.get_password("myapp2", "bob")',
        'Secret("app-secrets-7f9c8")',
        'load_key("id_rsa_2048_v2")',
        'vault.readSecret("prod/db/password")',  # a method, not a builder's setter
        'x.refreshToken("abcdefgh")',
    ],
)
def test_the_argument_of_a_getter_is_no_value(text: str) -> None:
    _kept_everywhere(text)


def test_words_then_a_long_number_are_a_key() -> None:
    v = "live_sk_" + rnd(string.digits, 20)
    _masked_everywhere(f"api_key={v}", v)


def test_a_long_qualified_name_is_judged_by_its_last_segments_in_every_engine() -> None:
    text = "x" * 70 + ".cache_key=" + rnd(HEX, 40)
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "#define passwd was set to Ya_={w}",
        "passphrase (Q8=.{w}) user=42",
        "#define PWD Xy7={w}",
        'password user=os.getenv("A") or "{w}"',
    ],
)
def test_a_password_with_an_equals_sign_is_masked_where_it_is_no_prose(shape: str) -> None:
    w = _key()
    _masked_everywhere(shape.format(w=w), w)


@pytest.mark.parametrize(
    "shape",
    [
        "Authorization: Bearer REDACTED{w}",
        "Authorization: [FILTERED]{w}",
        "authorization: abcdefghij {w}",
        '{{"Authorization": "[REDACTED] {w}"}}',
        "Authorization: Bearer ~~~~~~~~~~~~ {w}",
    ],
)
def test_credentials_after_a_redaction_like_word_are_read_alike_by_every_engine(
    shape: str,
) -> None:
    text = shape.format(w=_key())
    _alike_everywhere(text)


@pytest.mark.parametrize("shape", ["the password is {v}=", "new password {v}==", "pwd set to {v}="])
def test_a_password_in_prose_with_base64_padding_is_masked(shape: str) -> None:
    v = rnd(string.ascii_letters, 3) + rnd(string.digits, 2) + rnd(ALNUM, 2)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        'Parameters: {"user"=>"42", "password"=>"[FILTERED]"}',
        '{"password": "<hidden>", "token": "[REDACTED]"}',
        "password='(null)' api_key=<token>",
    ],
)
def test_a_redaction_label_in_brackets_is_no_secret(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        '"headers": {"Authorization": "[Filtered]", "Cookie": "[Filtered]"}',
        "Authorization: Bearer [Filtered]",
        "Redirected to https://example.com/reset?token=[FILTERED]",
        "https://bob:[FILTERED]@example.com/x",
        'password: "[hidden by policy]", secret: [SCRUBBED], pwd: "[not logged]"',
        '{"password": "hmac-sha256:' + "8f43a1c2e9b7d6f5" * 4 + '"}',
    ],
)
def test_what_other_tools_leave_in_a_secret_place_is_no_secret(text: str) -> None:
    _kept_everywhere(text)


def _jwt() -> str:
    def part(n: int) -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(n)).decode().rstrip("=")

    return "eyJhbGciOiJIUzI1NiJ9.eyJ" + part(24) + "." + part(32)


@pytest.mark.parametrize(
    "shape",
    [
        'Authorization: Bearer "{w}"',
        "Authorization: X {w}",
        "The password is Xk7#{w}=zr9",
        'password is "Xk7#{w}=zr9"',
        "token=[{w}{w}{w}{w}{w}{w}=]",
        "password=( {w}{w}{w}{w}{w}{w}== )",
    ],
)
def test_a_secret_in_a_shape_read_this_round_is_masked(shape: str) -> None:
    w = _key()
    _masked_everywhere(shape.format(w=w), w)


@pytest.mark.parametrize(
    "shape",
    ["redirect=https%3A%2F%2Fapp.example.io%2Fcb%3Fid_token%3D{t}", '{{"log": "auth ok\\n{t}"}}'],
)
def test_a_token_after_a_percent_escape_or_an_escaped_line_break_is_masked(shape: str) -> None:
    token = _jwt()
    _masked_everywhere(shape.format(t=token), token[24:])


@pytest.mark.parametrize(
    "text",
    [
        "INFO auth: request_id=9cc920ec17fe162a hit=true",
        "INFO token: request_id=9cc920ec17fe162a user=42",
        "INFO auth: [request_id=9cc920ec17fe162a]",
        "WARN login failed: invalid password username=bob ip=10.0.0.7",
    ],
)
def test_the_next_assignment_after_a_secret_word_is_no_value(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "password=Summer={w}",
        "DB_PASSWORD=ABC={w}",
        "api_key=abc={w}",
        "OPENAI_API_KEY=sk-proj-abc={w}",
        "password: hunter={w}",
        "kubectl create secret generic db --from-literal=password=hunter={w}",
        "the password is Summer={w}",
    ],
)
def test_a_value_that_holds_a_name_and_an_equals_sign_is_masked(shape: str) -> None:
    w = _key()
    _masked_everywhere(shape.format(w=w), w)


@pytest.mark.parametrize("shape", ["password: or]{w}", "password={w}}}x", "password=Xk7p]{w}"])
def test_a_password_with_a_closing_bracket_early_is_masked(shape: str) -> None:
    w = _key()
    _masked_everywhere(shape.format(w=w), w)


@pytest.mark.parametrize(
    "shape", ["token=[{w}=9LmT3xYW]", "cookie is session_id={w} ok", "Token request_id=={w} ok"]
)
def test_a_value_with_an_equals_sign_in_brackets_or_prose_is_read_alike(shape: str) -> None:
    text = shape.format(w=_key())
    _alike_everywhere(text)


def test_a_word_found_as_a_password_is_not_masked_elsewhere_in_its_text() -> None:
    text = "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app"
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert out == "DATABASE_URL=postgres://postgres:" + MASK + "@localhost:5432/app", backend


@pytest.mark.parametrize(
    "text",
    [
        "api_password: !secret http_password",
        "MasterUserPassword: !Ref DBPassword",
        "password: !GetAtt DatabaseSecret.Arn",
        "password: !env_var DB_PASSWORD",
        "db_password: !vault |",
    ],
)
def test_a_yaml_tag_under_a_secret_name_is_no_secret(text: str) -> None:
    _kept_everywhere(text)


def test_a_password_that_opens_with_an_exclamation_mark_stays_a_secret() -> None:
    w = "!" + _key()
    _masked_everywhere(f"password={w}", w[1:])


@pytest.mark.parametrize(
    "shape",
    [
        'password=\\"[FILTERED]"{w}\\"',
        '{{\\"password\\": \\"(null)"{w}\\"}}',
        'password="{{(null)/{w}"',
        '"password": "*(null)-{w}"',
        "password==<{w}>",
        "secret===<{w}>",
    ],
)
def test_a_secret_after_a_label_like_opening_is_masked(shape: str) -> None:
    w = _key()
    _masked_everywhere(shape.format(w=w), w)


@pytest.mark.parametrize(
    "text",
    [
        "password='(null) ',",
        'password="(null)]";',
        "pwd = '[null]]' ok",
        "password=[FILTERED] {w}",
    ],
)
def test_a_value_that_only_opens_like_a_redaction_is_read_alike_by_every_engine(
    text: str,
) -> None:
    text = text.format(w=_key())
    _alike_everywhere(text)


@pytest.mark.parametrize("shape", ["password=REDACT{w}", "password=(hidden){w}"])
def test_a_password_that_opens_like_a_redaction_is_masked(shape: str) -> None:
    w = _key()
    _masked_everywhere(shape.format(w=w), w)


@pytest.mark.parametrize(
    "record",
    [
        # a pair whose name holds no secret word, or whose value is empty or a mask
        '{"Key": "Environment", "Value": "prod"}',
        '{"key": "feature_x", "value": true}',
        '<add key="Timeout" value="30"/>',
        '<setting name="Retries" serializeAs="String"><value>3</value></setting>',
        '{"name": "API_KEY", "value": ""}',
        '{"Name": "/prod/db_password", "Type": "SecureString", "Value": "***MASKED***"}',
        '{"name": "session_start", "user": 42}',
        '<add key="Theme" description="colours" value="dark"/>',
        # a pair whose value no name makes a secret: under six characters, a number
        '{"ts": "2026-12-07T09:00:00Z", "name": "prompt_tokens", "value": 1024}',
        '{"name": "tokens_per_second", "value": 41.725, "unit": "1/s"}',
        '{"name": "completion_tokens", "value": "-17"}',
        '<add key="TokenTimeout" value="30"/>',
        "- name: API_KEY_TTL\n  value: '3600'",
        '{"name": "SESSION_SECRET_ROTATED", "value": true}',
        '{"name": "API_KEY", "value": "${API_KEY}"}',
        # a placeholder or a redaction's label under a password's name
        "INFO login user=42 password=REDACTED ok",
        'INFO {"user": 42, "password": "REDACTED"}',
        'INFO {"user": 42, "password": "[REDACTED]"}',
        'Parameters: {"user"=>"42", "password"=>"[FILTERED]"}',
        "INFO user=42 password=<redacted> ok",
        "INFO user=42 secret=[MASKED] ok",
        "DEBUG smtp_password: (hidden)",
        # the next assignment after a password word in prose
        "2026-12-07T09:00:00Z WARN login failed: invalid password user=423423 ip=10.0.0.7",
        "INFO secret_name=prod/db/password user=423423",
        "DEBUG reset password request_id=7f3a9c21 user=42",
        "DEBUG user 42 asked to reset password for the account",
        # redacted credentials of an ``Authorization`` header
        "INFO req 42 Authorization: Bearer [REDACTED]",
        'INFO {"headers": {"Authorization": "[REDACTED]", "id": 42}}',
        "DEBUG authorization: *** user=42",
        "DEBUG Proxy-Authorization: Basic [FILTERED]",
        # base64 JSON that is no token's header and payload: a page's cursor
        "INFO GET /v1/items?cursor=eyJpZCI6NDI0MjQyfQ== 200",
        # a line ending in a secret word that has no delimiter: no table's header
        "env:\n- name: API_KEY\n  valueFrom:\n    secretKeyRef:\n      key: api-key\n",
        "WARN user 42 entered an invalid password\nWARN user 43 entered an invalid password\n",
    ],
)
def test_a_value_the_rule_rejects_is_answered_by_the_quick_check(record: str) -> None:
    assert _answered_by_the_quick_check(record)


@pytest.mark.parametrize(
    "shape",
    [
        '{{"name": "DB_PASSWORD", "value": {v}}}',
        '{{"name": "DB_PASSWORD", "value": "{v}"}}',
        '<add key="SmtpPassword" value="{v}"/>',
    ],
)
def test_digits_under_a_password_name_in_a_pair_stay_a_secret(shape: str) -> None:
    v = rnd("123456789", 1) + rnd(string.digits, 9)
    _masked_everywhere(shape.format(v=v), v)


def test_a_value_the_quick_check_drops_is_one_no_name_makes_a_secret() -> None:
    from openrouter_secure._sanitize._context import value_kind
    from openrouter_secure._sanitize._rules import PAIR_VALUE_NO_SECRET

    rng = secrets.SystemRandom()
    alphabet = string.ascii_letters + string.digits + "+-.*/=_~!@#$%^&"
    dropped = 0
    for _ in range(20_000):
        kind = rng.randrange(4)
        if kind == 0:
            value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        elif kind == 1:
            value = rng.choice(["", "+", "-"]) + rnd(string.digits, rng.randint(1, 20))
        elif kind == 2:
            value = rnd(string.digits, rng.randint(1, 9)) + "." + rnd(string.digits, 9)
        else:  # a template, whole or not
            value = "${" + rnd(string.ascii_letters + "_", 1) + rnd(ALNUM + "_.-", 20)
            value += rng.choice(["}", "", "}x"])
        for text in (value + "}", f'"{value}"', f"'{value}'"):
            if PAIR_VALUE_NO_SECRET.match(text) is None:
                continue
            dropped += 1
            assert not value_kind(value, password=True), value
            assert not value_kind(value, password=False), value
    assert dropped > 10_000


@pytest.mark.parametrize(
    "record",
    [
        "2026-11-23T13:00:00Z INFO cache key=LOG_LEVEL hit=true",
        "INFO token: NOT_SET for user 42",
        "auth=NONE retries=3",
        "INFO api_key=OPENROUTER_API_KEY tenant=eu-1",
    ],
)
def test_an_upper_case_identifier_under_a_secret_name_is_answered_by_the_quick_check(
    record: str,
) -> None:
    assert _answered_by_the_quick_check(record)


@pytest.mark.parametrize("shape", ["api_key={v}", "token: {v} ok", 'auth="{v}"'])
def test_twenty_four_random_capitals_stay_a_secret(shape: str) -> None:
    from openrouter_secure._sanitize._context import value_kind

    # (about one random run in forty reads like words of capitals, and stays, as
    # documented: one that counts is drawn)
    draws = (rnd(string.ascii_uppercase, 24) for _ in range(200))
    v = next(d for d in draws if value_kind(d, password=False))
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    ['ParameterKey="DB_PASSWORD, valueFrom:{w}"', 'token="NOT_SET:{w}"', "auth=ADMIN:{w}"],
)
def test_a_value_that_opens_with_an_upper_case_identifier_and_goes_on_is_masked(
    shape: str,
) -> None:
    w = _key()
    _masked_everywhere(shape.format(w=w), w)


@pytest.mark.parametrize(
    "record",
    [
        "2026-11-23T13:00:00Z ERROR user 42 entered an invalid password",
        "WARN request 7 had no token",
        "INFO rotating the signing key",
    ],
)
def test_a_record_ending_in_a_secret_word_is_answered_by_the_quick_check(record: str) -> None:
    assert _answered_by_the_quick_check(record)


@pytest.mark.parametrize(
    "table",
    [
        *("service,env,api_key\nb,p,{v}", "service,env,api_key\r\nb,p,{v}\r\n"),
        *("service,env,api_key\n\nb,p,{v}", 'id,"api_key",\nx,{v},'),
        *('id;"api_key";\r\nx;{v};', 'id\t"api_key"\t\nx\t{v}\t'),
    ],
)
def test_a_table_whose_header_ends_in_a_secret_word_is_read(table: str) -> None:
    v = _key()
    _masked_everywhere(table.format(v=v), v)


def test_a_pair_with_long_attributes_between_is_masked_in_every_engine() -> None:
    v = _key()
    note = "the live key of the payments gateway, rotated every ninety days " * 3
    _masked_everywhere(f'<add key="ShopApiKey" description="{note[:250]}" value="{v}"/>', v)


@pytest.mark.parametrize(
    "shape",
    [
        '{{"name": "DB_PASSWORD", "slotSetting": false, "value": "{v}"}}',
        '{{"Name": "/prod/db/password", "Type": "SecureString", "Value": "{v}"}}',
        '<property name="spring.security.oauth2.client.registration.github.client-secret"'
        ' value="{v}"/>',
    ],
)
def test_pairs_as_cloud_clis_and_spring_write_them_are_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "UPDATE settings SET value = 'ab''{v}' WHERE name = 'stripe_secret_key';",
        'UPDATE settings SET value = "ab""{v}" WHERE name = "API_KEY";',
        "UPDATE settings SET value =  '{v}' WHERE name = 'API_KEY';",
        "UPDATE settings SET value =\t'{v}' WHERE name = 'API_KEY';",
        "UPDATE settings SET value = N'{v}''' WHERE name = 'API_KEY';",
        "UPDATE settings\nSET value      = '{v}',\n    updated_at = now()\n"
        "WHERE name       = 'API_KEY';",
        "UPDATE settings SET value\t= '{v}' WHERE name = 'API_KEY';",
        "UPDATE settings SET `value`   =  '{v}' WHERE `name` = 'API_KEY';",
    ],
)
def test_a_settings_row_with_a_doubled_quote_or_blanks_around_its_operator_is_masked(
    shape: str,
) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


# Records of name fields without a secret, as logs and configs hold them by the thousand
_CLEAN_PAIR_RECORDS = (
    '{"name": "session_start", "user": 42}\n',
    '{"Value": "team-7", "Key": "Owner", "ResourceId": "i-42"}\n',
    '<add key="Theme" description="colours" value="dark"/>\n',
    '{"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "app"}}}\n',
    '{"name": "prompt_tokens", "value": 1024, "unit": "count"}\n',
    '<add key="TokenTimeout" value="30"/>\n',
)


@pytest.mark.parametrize(
    "shape",
    [
        *PAIRS[:9],
        '{{"name": "DB_PASSWORD", "slotSetting": false, "value": "{v}"}}',
        '<add value="{v}" key="BluemeshSecret" />',
        '{{\n  "Value": "{v}",\n  "Type": "String",\n  "Key": "ShopApiKey"\n}}',
    ],
)
def test_a_pair_in_a_long_log_of_clean_pairs_is_masked(shape: str) -> None:
    # (a text this long is scanned in stream mode, where Hyperscan reads each gate
    # forward from its first word: the gates of pairs are written for that)
    from openrouter_secure._sanitize._hyperscan import STREAM_FROM

    v = _key()
    records = "".join(_CLEAN_PAIR_RECORDS)
    filler = records * (STREAM_FROM // len(records) // 2 + 1)
    text = filler + shape.format(v=v) + "\n" + filler
    out = engine("hyperscan").sanitize(text)
    assert_no_leak(v, out)
    assert out.replace(filler, "") == engine("hyperscan").sanitize(shape.format(v=v)) + "\n"


@pytest.mark.parametrize(
    "text",
    [
        "diff -u config_v1_2024.yaml config_v2_2024.yaml",
        "sudo -u deploy-bot-2024-01 ./deploy.sh",
        "docker run -u 1000:1000 -v /data:/data image:2024.05",
    ],
)
def test_the_user_flag_of_other_commands_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape", ["auth token: {v}", "auth token set: {v}", "secret key: {v}", "key password: {v}"]
)
def test_a_secret_word_before_a_secret_name_does_not_hide_it(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "name", ["NON_PROD_DB_PASSWORD", "NO_REPLY_SMTP_PASSWORD", "com.example.ApiToken"]
)
def test_a_qualifier_far_from_the_secret_word_does_not_make_it_made_up(name: str) -> None:
    v = _key()
    _masked_everywhere(f"{name}={v}", v)


@pytest.mark.parametrize(
    "text",
    [
        'builder.withApiKey("X-Api-Key-Header-v2")',
        "$sessionKey = 'laravel_session2024';",
        "$cookieKey = 'remember_web_59ba36addc2b';",
        "secret loaded: stripe-api-key-v2 (version 7)",
    ],
)
def test_names_made_of_words_in_the_new_shapes_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        '    api_key: str = "{v}"',
        '    openai_api_key: Optional[str] = "{v}"',
        'API_KEY: Final[str] = "{v}"',
        'val apiKey: String = "{v}"',
        'const apiKey: string = "{v}";',
        'let api_key: &str = "{v}";',
        "ENV['API_KEY'] ||= '{v}'",
        'api_key <- "{v}"',
        'API_KEY ??= "{v}";',
    ],
)
def test_typed_declarations_and_other_assignment_operators_are_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


def test_a_colon_then_an_assignment_is_no_type() -> None:
    v = rnd(ALNUM, 20) + "7q"
    out = engine("python").sanitize(f"INFO auth: password={v}  user 416")
    assert out == f"INFO auth: password={MASK}  user 416"


@pytest.mark.parametrize(
    "text",
    [
        '{"Value": "web", "Key": "Route53ZoneId"}',
        '<add value="https://api.example.com" key="Api2BaseUrl"/>',
    ],
)
def test_a_name_field_after_its_value_field_is_no_value(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "SLACK_VERIFICATION_TOKEN={v}",
        "cached_token={v}",
        "DEBUG google.auth: Using cached token: {v}",
        "redis key: {v}",
        "device token: {v}",
    ],
)
def test_owner_words_that_qualify_a_credential_do_not_hide_it(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


def test_random_tokens_with_separators_are_not_names() -> None:
    values = [secrets.token_urlsafe(16) for _ in range(200)]
    leaked = [v for v in values if v in engine("hyperscan").sanitize(f"api_key={v}")]
    assert len(leaked) <= 2, leaked


@pytest.mark.parametrize(
    "text",
    [
        "password = ask_for_user_password",
        "self.admin_password = admin_password_from_vault",
        "(?P<password>[^@]+)@(?P<host>[^:/]+)",
        "Public key token is 7f3e2a91c4b8d056",
        "redis cache key token: 7f3e2a91c4b8d0561a2b3c4d5e6f7081",
    ],
)
def test_code_names_and_public_tokens_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "curl https://api.example.com/v1/charges \\\n  -u {v}: \\\n  -d amount=2000",
        "curl 'https://api.example.com/v1/x?a=1&b=2' -u {v}:",
        '<add key="Stripe:SecretKey" value="{v}"/>',
        '{{"name": "Authentication:Google:ClientSecret", "value": "{v}"}}',
        "<property><name>fs.s3a.secret.key</name><value>{v}</value></property>",
        "<init-param>\n  <param-name>apiKey</param-name>\n  <param-value>{v}</param-value>",
        '<property name="password"><value>{v}</value></property>',
        '<data name="ApiKey" xml:space="preserve"><value>{v}</value></data>',
        "<wsse:Password>{v}</wsse:Password>",
        "<ns2:apiKey>{v}</ns2:apiKey>",
        "<password>\n    {v}\n</password>",
        "git clone https://{v}:x-oauth-basic@github.com/org/repo.git",
    ],
)
def test_more_shapes_found_by_attacking(shape: str) -> None:
    v = rnd(HEX, 40)
    _masked_everywhere(shape.format(v=v), v)


# -- column-aligned blocks -------------------------------------------------------------------

ALIGNED = [
    '  password             = "{v}"\n  parameter_group_name = "default.mysql8.0"\n',
    'provider "datadog" {{\n  api_key                         = "{v}"\n}}\n',
    "DB_HOST                 = db.internal\nDB_PASSWORD             = {v}\n",
    "  :api_key           => '{v}',\n  :timeout           => 30,\n",
    "github_token:          {v}\nrepo_name:             app\n",
    'master_password\t\t\t\t\t= "{v}"\n',
]


@pytest.mark.parametrize("shape", ALIGNED)
def test_a_value_in_a_column_aligned_block_is_masked(shape: str) -> None:
    """``terraform fmt``, aligned ``.env`` files, Ruby hashes and YAML put up to dozens
    of blanks around the operator."""
    value = rnd(ALNUM, 28) + "7q"
    _masked_everywhere(shape.format(v=value), value)


# -- names and calls ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "apikey-data={v}",  # a short anchor shared with a rule that needs a boundary
        "Apikey-value: {v}",
        "secret3.data={v}",  # digits and a value suffix after the word
        "API_KEY2_VALUE={v}",
        '"auth_token2_value": "{v}"',
        "AZURE_SEARCH_KEY={v}",  # owners that name credentials
        "REDIS_KEY={v}",
        "FUNCTIONS_HOST_KEY={v}",
        '{{"routing_key": "{v}", "event_action": "trigger"}}',
        "HMAC_HASH_KEY={v}",
        'DataSourceBuilder.create().username("app").password("{v}").build();',
        'OpenAIOkHttpClient.builder().apiKey("{v}").build();',
        'jedis.auth("{v}");',
        "define( 'AUTH_KEY',         '{v}' );",  # WordPress aligns its keys
    ],
)
def test_a_secret_under_these_names_is_masked(shape: str) -> None:
    value = rnd(HEX, 32)
    _masked_everywhere(shape.format(v=value), value)


def test_a_routing_key_that_names_a_route_stays() -> None:
    """``routing`` owns a credential (PagerDuty's integration key), and AMQP's routing
    keys are words the value gate turns away."""
    _kept_everywhere("routing_key=orders.created exchange=events")


def test_a_secret_in_json_encoded_twice_is_masked() -> None:
    """A Lambda logging an SNS message delivered through SQS: the application's JSON is
    a string inside a string (``\\\\\\"api_key\\\\\\": \\\\\\"v\\\\\\"``)."""
    value, password = rnd(HEX, 40), "Tr0" + rnd(ALNUM, 8) + "#Lq"
    app = {"user": "alice", "api_key": value, "db_password": password}
    sns = {"Type": "Notification", "Message": json.dumps(app)}
    event = {"Records": [{"eventSource": "aws:sqs", "body": json.dumps(sns)}]}
    text = "INFO received event: " + json.dumps(event)
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak([value, password], out)


@pytest.mark.parametrize(
    "shape", ["access_key2={v}", "token_value={v} x", '{{"service_account_key2": "{v}"}}']
)
def test_a_long_value_after_a_name_with_digits_or_a_suffix_is_masked(shape: str) -> None:
    """The gates of such names read back over the value's run, however long."""
    value = rnd(ALNUM, 1500) + "7q"
    _masked_everywhere(shape.format(v=value), value)


def test_a_long_literal_of_a_secure_string_is_masked() -> None:
    value = rnd(ALNUM, 300) + "#7"
    _masked_everywhere(f'$pw = ConvertTo-SecureString "{value}" -AsPlainText -Force', value)


# -- suffixes after the word, system properties, Vault's secret_id, credential calls -------


@pytest.mark.parametrize(
    "shape",
    [
        "API_KEY_1={v}",
        "OPENAI_API_KEY_V2={v}",
        "STRIPE_SECRET_KEY_LIVE={v}",
        "SECRET_KEY_BASE={v}",
        "export SHOP_TOKEN_PROD={v}",
        '"DB_PASSWORD_OLD": "{v}"',
        "API_KEY_STAGING_VALUE={v}",
    ],
)
def test_a_variant_or_stage_after_an_environment_variables_word_is_masked(shape: str) -> None:
    value = rnd(ALNUM, 32) + "7"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "KEY_TESTING=abcdefghij12345",  # a word that only starts like a stage
        "api_key_prod=ref_1",  # a value the gate turns away
        "CACHE_KEY_1={h}",  # an owner that makes it no secret
    ],
)
def test_names_with_suffixes_that_hold_no_secret_stay(text: str) -> None:
    _kept_everywhere(text.replace("{h}", rnd(HEX, 32)))


def test_a_lower_case_stage_suffix_is_read_in_structured_data() -> None:
    """In text only an environment variable's upper case is read after the word (each
    lower-case form costs every scan); a key of structured data is judged by segments."""
    from openrouter_secure import Sanitizer

    value = rnd(ALNUM, 32) + "7"
    out = Sanitizer().sanitize_data({"api_key_prod": value})
    assert out == {"api_key_prod": MASK}


@pytest.mark.parametrize(
    "shape",
    [
        "java -Dpassword={v} -jar app.jar",
        'JAVA_OPTS="-Dtoken={v} -Xmx1g"',
        "-Ddb.password={v}",
        "-DapiKey={v}",
    ],
)
def test_a_java_system_property_is_masked(shape: str) -> None:
    value = "Tr0" + rnd(ALNUM, 20) + "#q"
    _masked_everywhere(shape.format(v=value), value)


def test_a_system_property_of_a_name_that_is_no_secret_stays() -> None:
    _kept_everywhere(f"java -Dcache_key={rnd(HEX, 32)} -Dpassword=changeme")


def _uuid() -> str:
    h = rnd(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@pytest.mark.parametrize(
    "shape",
    [
        "vault write auth/approle/login role_id=r-1 secret_id={v}",
        'export VAULT_SECRET_ID="{v}"',
        "secret_id: {v}",
        '{{"secretId": "{v}"}}',
        "SECRETID={v}",
    ],
)
def test_a_vault_approle_secret_id_is_masked(shape: str) -> None:
    value = _uuid()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "aws secretsmanager get-secret-value --secret-id prod/db/creds",
        "SecretId=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod",
        "--secret-id MyTestSecret",
    ],
)
def test_a_secret_id_that_names_a_secret_stays(text: str) -> None:
    _kept_everywhere(text)


def test_the_id_of_a_client_secret_is_no_secret() -> None:
    _kept_everywhere(f"AZURE_CLIENT_SECRET_ID={_uuid()}")


@pytest.mark.parametrize(
    "shape",
    [
        'requests.get(url, auth=("deploy", "{v}"))',
        "auth = ('admin', '{v}')",
        'HTTPBasicAuth("user", "{v}")',
        'var c = new NetworkCredential("svc", "{v}");',
        'smtp.PlainAuth("", "me@example.com", "{v}", host)',
        'req.SetBasicAuth("user", "{v}")',
        "Credentials.basic('user', '{v}')",
        'server.login("me@example.com", "{v}")',
        'new UsernamePasswordCredentials("svc", "{v}")',
    ],
)
def test_a_password_as_a_calls_second_argument_is_masked(shape: str) -> None:
    value = "Tr0" + rnd(ALNUM, 12) + "#q"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'log.info("login", "login failed")',
        'router.login("GET", "/api/login")',
        'auth("user", "${PASSWORD}")',
        'login("admin", "password")',
        'login("u", "user_password")',
        'getAuth("scope", "rw:all12")',
        'login("u", "env://DB_PASSWORD")',
    ],
)
def test_calls_whose_second_argument_is_no_password_stay(text: str) -> None:
    _kept_everywhere(text)


def _password() -> str:
    return "Tr0" + rnd(ALNUM, 12) + "#x"


@pytest.mark.parametrize(
    "shape",
    [
        "JAVA_OPTS=-Dpassword={v}",
        "export MAVEN_OPTS=-Dtoken={v} -Xmx512m",
        "./gradlew run --jvm-args=-Dpassword={v}",
        "jvm_args: [-Dpassword={v}]",
        "java -Dx=1,-Dpassword={v}",
        "(-Dpassword={v})",
    ],
)
def test_a_system_property_after_an_assignment_or_a_list_is_masked(shape: str) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        'auth=(\n    "admin",\n    "{v}",\n)',
        'HTTPBasicAuth(\n    "admin", "{v}"\n)',
        'auth := smtp.PlainAuth(\n\t"",\n\t"ops@example.com",\n\t"{v}",\n\t"smtp.example.com",\n)',
        'auth=(b"admin", b"{v}")',
        'auth=("admin", r"{v}")',
        'auth=("admin",     "{v}")',
        "client.auth('admin', `{v}`)",
        'server.login(sender, "{v}")',
        'requests.get(url, auth=HTTPBasicAuth(username, "{v}"))',
        'smtp.PlainAuth("ops", "ops@example.com", "{v}", "smtp.example.com")',
        'smtp.PlainAuth("", "", "{v}", host)',
        '{{"msg": "calling auth=(\\"admin\\", \\"{v}\\")"}}',
        'auth=("ad\\"min", "{v}")',
    ],
)
def test_a_password_argument_is_masked_however_the_call_is_laid_out(shape: str) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


def test_a_password_argument_holding_a_backslash_is_masked_whole() -> None:
    value = _password()
    text = f'auth=("admin", "{value[:6]}\\\\{value[6:]}")'
    _masked_everywhere(text, value[6:])


@pytest.mark.parametrize(
    "text",
    [
        'requests.get(url, auth=("<username>", "<password>"))',
        'req.SetBasicAuth("<user>", "<token>")',
        'app.auth("POST", "/api/v1/auth")',
        'auth("auth.error", "認証に失敗しました")',
        'app.auth("X-Auth-Token", "x-api-key")',
        'app.auth("region", "us-east-1")',
        'client.login("last_seen", "2024-01-01T10:00:00Z")',
        'client.auth("host", "localhost:8080")',
    ],
)
def test_placeholders_and_values_no_password_is_made_of_stay_as_arguments(text: str) -> None:
    _kept_everywhere(text)


def test_a_secret_id_in_vaults_table_output_is_masked() -> None:
    value = _uuid()
    table = (
        "Key                   Value\n---                   -----\n"
        f"secret_id             {value}\nsecret_id_accessor    {_uuid()}\n"
        "secret_id_ttl         0s\n"
    )
    _masked_everywhere(table, value)


@pytest.mark.parametrize(
    "text",
    [
        "aws secretsmanager get-secret-value --secret-id tutorials/MyFirstSecret",
        "aws secretsmanager get-secret-value --secret-id MyTestDatabaseSecret2",
        "client.get_secret_value(SecretId='MyTestSecret01')",
        '"requestParameters": {"secretId": "prod/payments/Stripe-Key3"}',
    ],
)
def test_the_name_of_a_secret_under_secret_id_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    ["API_KEY_PROD_V2={v}", "API_KEY_1_PROD={v}", "SECRET_ID_PROD={u}", "VAULT_SECRET_ID_1={u}"],
)
def test_two_suffixes_after_the_word_are_read(shape: str) -> None:
    value, uuid_value = rnd(ALNUM, 32) + "7", _uuid()
    text = shape.format(v=value, u=uuid_value)
    _masked_everywhere(text, value if "{v}" in shape else uuid_value)


def test_quoted_element_content_holding_a_lt_is_masked_by_every_engine() -> None:
    first, second = _password(), _password()
    _masked_everywhere(f'<password>"  {first}<{second}"</password>', first)


@pytest.mark.parametrize(
    "text",
    [
        "NAMESPACE     NAME                        READY   STATUS    RESTARTS   AGE\n"
        "auth          auth-7d9f8b6c5-x2k4z        1/1     Running   0          3d\n",
        "2024-05-01 10:00:00,123 INFO     auth                 6f1c2a7e-9b3d-4c5e-8f7a-"
        "1b2c3d4e5f60 POST /login 200\n",
        "2024-05-01 10:00:00,123 DEBUG    token                9f86d081884c7d65 refresh ok\n",
        "ALIAS                KEY ID                                  STATE\n"
        "prod-signing-key     1234abcd-12ab-34cd-56ef-1234567890ab    Enabled\n",
    ],
)
def test_padded_columns_after_a_secret_word_stay(text: str) -> None:
    """Many blanks after a name are read only in a row of its own (a CLI's table)."""
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "env: [{{key=DB_PASSWORD, value={v}}}]",
        "aws ecs tag-resource --resource-arn arn --tags key=ApiKey,value={v}",
        "Parameters=[{{key=ApiKey,value={v}}}]",
    ],
)
def test_a_bare_key_field_of_its_own_names_the_value_field(shape: str) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


def test_a_bare_key_field_ending_a_longer_name_is_no_pair() -> None:
    value = rnd(HEX, 32)
    _kept_everywhere(f"cache_key=password_reset, value={value}")


@pytest.mark.parametrize(
    "shape",
    [
        "requests.get(url, auth=('admin', '{a}\"{b}'))",
        'HTTPBasicAuth("admin", "{a}`{b}")',
        "ftp.login('admin', '{a}\"{b}')",
        'auth=("admin", "{a}\\"{b}")',
    ],
)
def test_a_password_argument_holding_another_quote_is_masked_whole(shape: str) -> None:
    first, second = "Tr0" + rnd(ALNUM, 6), rnd(ALNUM, 10) + "#q"
    _masked_everywhere(shape.format(a=first, b=second), second)


@pytest.mark.parametrize(
    "shape",
    [
        'requests.get(url, auth=(os.getenv("API_USER"), "{v}"))',
        'requests.get(url, auth=(settings["user"], "{v}"))',
        'requests.get(url, auth=(get_user(), "{v}"))',
        'HTTPBasicAuth(user or "admin", "{v}")',
        'smtp.PlainAuth(identity, "me@example.com", "{v}", "smtp.gmail.com")',
        'var c = new NetworkCredential(@"CORP\\svc_build", @"{v}");',
        'client.get(url).basic_auth("admin", Some("{v}")).send()?;',
        "$client->request('GET', '/get', ['auth' => ['admin', '{v}']]);",
        "req.basic_auth 'admin', '{v}'",
        'AUTH = ("admin", "{v}")',
        'HTTPBasicAuth("admin", "{v}>")',
    ],
)
def test_a_password_argument_after_a_user_expression_or_in_other_forms_is_masked(
    shape: str,
) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        "<argLine>-Dpassword={v}</argLine>",
        "{{-Dpassword={v}}}",
        "jvmArgs:-Dpassword={v}",
        "sbt -J-Dpassword={v} run",
    ],
)
def test_a_system_property_in_a_build_file_or_behind_j_is_masked(shape: str) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "name", ["API_KEY_PROD2", "DB_PASSWORD_OLD1", "API_KEY_2024", "GITHUB_TOKEN_20240101"]
)
def test_digits_after_a_stage_or_as_a_date_are_read(name: str) -> None:
    value = rnd(ALNUM, 32) + "7"
    _masked_everywhere(f"{name}={value}", value)


@pytest.mark.parametrize(
    "text",
    [
        "aws secretsmanager get-secret-value --secret-id MyProductionDatabaseSecret",
        "client.get_secret_value(SecretId='ProdPaymentsStripeApiKeyV2')",
        'secret_id = "AppBeta2StripeWebhookSecret"',
    ],
)
def test_a_long_secret_name_of_words_under_secret_id_stays(text: str) -> None:
    _kept_everywhere(text)


def test_a_generated_secret_id_of_24_characters_or_more_is_masked() -> None:
    value = rnd(ALNUM, 30) + "7"
    _masked_everywhere(f"secret_id={value}", value)


def test_a_nomad_tokens_secret_id_is_masked() -> None:
    value = _uuid()
    text = f"Accessor ID  = {_uuid()}\nSecret ID    = {value}\nName         = ci\n"
    _masked_everywhere(text, value)


@pytest.mark.parametrize(
    "shape",
    [
        "mysql -uroot -p{v} app",
        "mysql -h db -u root -p'{v}' app",
        "sshpass -p '{v}' ssh deploy@host",
        "redis-cli -h cache -a {v} ping",
        "docker login -u ci -p {v} registry.example.com",
        "helm registry login ghcr.io -u ci -p {v}",
    ],
)
def test_a_password_on_a_tools_command_line_is_masked(shape: str) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "mysql -u root -p app",  # asks for the password; ``app`` is the database
        "docker run -p 8080:80 nginx",
        "redis-cli -h cache -p 6379 ping",
        "mysql -uroot -p$MYSQL_PASSWORD app",
        "sshpass -f ~/.pw ssh host -p 2222",
    ],
)
def test_other_options_and_variables_on_those_command_lines_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        '{{"log":"secret_id           {u}\\n","stream":"stdout"}}',
        '"stdout_lines": [\n  "Key                 Value",\n  "secret_id           {u}",\n]',
        '"stdout": "Key                 Value\\n---                 -----\\n'
        'secret_id           {u}\\nsecret_id_ttl       0s"',
    ],
)
def test_a_table_row_inside_a_json_string_is_masked(shape: str) -> None:
    value = _uuid()
    _masked_everywhere(shape.format(u=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        "location ~ \\.php$ {{\n    fastcgi_param  DB_PASSWORD        {v};\n}}\n",
        "    proxy_set_header  X-Api-Key         {v};\n",
        "SetEnv DB_PASSWORD          {v}\n",
        'Header set X-Api-Key         "{v}"\n',
        "ENV API_KEY         {v}\n",
        "docker run --rm \\\n  --api-key         {v} \\\n  img\n",
        "password             {v}  # prod\n",
    ],
)
def test_an_aligned_config_directive_is_masked(shape: str) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


def test_a_name_after_an_escaped_line_break_in_json_is_read() -> None:
    value = rnd(ALNUM, 30) + "7"
    _masked_everywhere(f'{{"msg": "config loaded\\napi_key={value}\\n"}}', value)


@pytest.mark.parametrize(
    "shape",
    [
        'requests.get(url, auth=(get_user(a, b), "{v}"))',
        'HTTPBasicAuth(cfg.get("user", ""), "{v}")',
        'req.SetBasicAuth(fmt.Sprintf("%s@%s", u, d), "{v}")',
        'auth=(os.getenv("U", "a,b"), "{v}")',
        'requests.get(url, auth=(os.environ.get("USER", getpass.getuser()), "{v}"))',
        'HTTPBasicAuth(cfg["a"]["b"]["c"]["d"]["e"], "{v}")',
    ],
)
def test_a_password_argument_after_a_user_expression_with_commas_is_masked(shape: str) -> None:
    value = _password()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'var cred = new NetworkCredential("svc", "$(Password)");',
        'client.SetBasicAuth("deploy", "$(RegistryPassword)")',
    ],
)
def test_a_build_variable_as_the_password_argument_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'var cred = new NetworkCredential("svc", @"{a}""{b}");',
        'Dim cred = New NetworkCredential("svc", "{a}""{b}")',
        "$cred = New-Object System.Net.NetworkCredential('svc', '{a}''{b}')",
    ],
)
def test_a_password_argument_holding_a_doubled_quote_is_masked_whole(shape: str) -> None:
    first, second = "Tr0" + rnd(ALNUM, 8), rnd(ALNUM, 12) + "#q"
    _masked_everywhere(shape.format(a=first, b=second), second)


def test_a_pair_in_a_call_keeps_its_closing_parenthesis() -> None:
    value = _password()
    text = f"[Tag(key=api_key, value={value}), Tag(key=env, value=prod)]"
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(value, out)
        assert out == f"[Tag(key=api_key, value={MASK}), Tag(key=env, value=prod)]", backend


@pytest.mark.parametrize(
    "text",
    [
        "aws secretsmanager get-secret-value"
        " --secret-id 'rds!db-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d'",
        "aws secretsmanager get-secret-value --secret-id MyRDSSecretForPostgresProd",
        '  secret_id = "SMTPCredsForSESProdUsEast1"',
    ],
)
def test_a_secret_name_holding_a_uuid_or_an_acronym_stays(text: str) -> None:
    _kept_everywhere(text)


def test_credentials_in_the_aws_clis_table_output_are_masked() -> None:
    secret_key, session = rnd(ALNUM + "/+", 39) + "7", "IQoJb3JpZ2lu" + rnd(ALNUM + "/+", 200)
    table = (
        "||                       Credentials                       ||\n"
        "|+-------------------+-------------------------------------+|\n"
        "||  AccessKeyId      |  ASIAIOSFODNN7EXAMPLE               ||\n"
        f"||  SecretAccessKey  |  {secret_key}    ||\n"
        f"||  SessionToken     |  {session}  ||\n"
    )
    for backend in ENGINES:
        assert_no_leak([secret_key, session], engine(backend).sanitize(table))


def test_a_secret_in_a_markdown_table_row_is_masked() -> None:
    value = rnd(ALNUM, 32) + "7"
    _masked_everywhere(f"| name | value |\n| --- | --- |\n| api_key | {value} |\n", value)


@pytest.mark.parametrize(
    "text",
    [
        "| token | Bearer token used for auth |\n",
        "| api_key | see the vault, ask ops |\n",
        "| Key | Value |\n| token_ttl | 768h |\n",
    ],
)
def test_table_cells_of_words_stay(text: str) -> None:
    _kept_everywhere(text)


def test_a_secret_in_a_right_aligned_table_cell_is_masked() -> None:
    value = rnd(ALNUM, 32) + "7"
    _masked_everywhere(f"| api_key |            {value} |\n", value)


# -- plural names, letters of one case, a token after its row's id ---------------------------


def _random_letters(alphabet: str, n: int = 24) -> str:
    """Letters drawn at random until half their pairs are rare in words, as a generated
    run of letters almost always is (a draw that reads like words is drawn again)."""
    from openrouter_secure._sanitize._context import _random_letters as judge

    while True:
        value = rnd(alphabet, n)
        if judge(value, lower=True):
            return value


@pytest.mark.parametrize(
    "shape",
    [
        "OPENAI_API_KEYS={v}",
        "export STRIPE_SECRET_KEYS={v}",
        "ALLOWED_TOKENS: {v}",
        '{{"API_KEYS": "{v}"}}',
    ],
)
def test_a_plural_secret_name_is_masked(shape: str) -> None:
    value = _key() + "7"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize("key", ["api_keys", "client_secrets", "ACCESS_TOKENS", "db_passwords"])
def test_a_plural_secret_key_of_structured_data_is_masked(key: str) -> None:
    values = [_key(), "short"]
    for backend in ENGINES:
        out = engine(backend).sanitize_data({key: values, "tokens": 812, "keys": ["kid-1"]})
        assert_no_leak(values[0], repr(out))
        assert out[key] != values, (backend, out)
        assert out["tokens"] == 812, (backend, out)
        assert out["keys"] == ["kid-1"], (backend, out)


def test_every_value_of_a_list_under_a_plural_name_is_masked() -> None:
    first, second, third = (_key() + "7" for _ in range(3))
    text = f"OPENAI_API_KEYS={first},{second},{third} region=eu"
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak([first, second, third], out)
        assert out.endswith(" region=eu"), (backend, out)


@pytest.mark.parametrize(
    "text",
    [
        "MAX_TOKENS=4096 TOTAL_TOKENS=812",
        '{"keys": [{"kty": "RSA", "kid": "k1"}], "prompt_tokens": 12}',
        "SSH_KEYS=/home/ops/.ssh PUBLIC_KEYS=/etc/keys",
        "cache keys evicted: 42 tokens=812",
    ],
)
def test_plurals_that_name_no_secret_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape", ["SHOP_API_KEY={v}", 'shop_token: "{v}"', "<client_secret>{v}</client_secret>"]
)
def test_random_upper_case_letters_under_a_secret_name_are_masked(shape: str) -> None:
    value = _random_letters(string.ascii_uppercase)
    _masked_everywhere(shape.format(v=value), value)


def test_random_lower_case_letters_under_a_password_name_are_masked() -> None:
    value = _random_letters(string.ascii_lowercase)
    _masked_everywhere(f"DB_PASSWORD={value}", value)


@pytest.mark.parametrize(
    "text",
    [
        "API_KEY=PRODUCTIONDATABASEACCESS",
        "token: KUBERNETESDASHBOARDADMIN",
        "api_key=kubernetesdashboardadmin",
        "DB_PASSWORD=CHANGEMEPLEASE",
    ],
)
def test_words_in_one_case_under_a_secret_name_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    ["SANCTUM_TOKEN={v}", "api_token: {v}", "DB_PASSWORD={v}", '"api_token": "{v}"'],
)
def test_a_token_after_its_rows_id_is_masked_whole(shape: str) -> None:
    token = rnd(ALNUM, 40)
    text = shape.format(v=f"17|{token}")
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(token, out)
        assert "17|" not in out, (backend, out)


def test_an_id_and_a_short_word_stay() -> None:
    _kept_everywhere("api_key=12|short route=3|home")


# -- a secret's value on the command line of the tools that store one -------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "gh secret set API_TOKEN --body {v}",
        'gh secret set API_TOKEN -b "{v}" --repo o/r',
        "az keyvault secret set --vault-name kv --name db-pass --value {v}",
        "aws ssm put-parameter --name /prod/db --type SecureString --value '{v}'",
        "aws ssm put-parameter --name /prod/db --value {v} --type SecureString",
        'echo "{v}" | docker login -u me --password-stdin ghcr.io',
        "echo -n {v} | sudo helm registry login r.io -u me --password-stdin",
        "printf '{v}' | podman login quay.io -u me --password-stdin",
    ],
)
def test_a_secret_value_given_to_a_secret_store_command_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'gh secret set API_TOKEN --body "$TOKEN"',
        "gh secret set API_TOKEN -b ${{ secrets.X }}",
        "gh secret set X --body <value>",
        "aws ssm put-parameter --name /prod/region --type String --value us-east-1",
        "echo $CR_PAT | docker login ghcr.io -u me --password-stdin",
        "git checkout -b feature/login-fix",
        "echo done | tee log.txt --password-stdin-ignored",
    ],
)
def test_variables_and_other_commands_options_stay(text: str) -> None:
    _kept_everywhere(text)


# -- a literal an expression falls back on -------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        'const apiKey = process.env.API_KEY || "{v}";',
        "const apiKey = process.env.API_KEY ?? '{v}';",
        'api_key = os.environ.get("API_KEY") or "{v}"',
        'var apiKey = Environment.GetEnvironmentVariable("API_KEY") ?? "{v}";',
        'const token = args.token || "{v}"',
        'api_key = settings.get("api_key") or `{v}`',
    ],
)
def test_a_literal_an_expression_falls_back_on_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'const apiKey = process.env.API_KEY || "";',
        'const apiKey = process.env.API_KEY || "changeme";',
        'const token = req.headers.authorization || "anonymous"',
        'api_key = os.environ.get("API_KEY") or "not set"',
        'log.info("token refreshed") or "ok"',
    ],
)
def test_fallbacks_that_are_no_secret_stay(text: str) -> None:
    _kept_everywhere(text)


# -- found by attacking the readings above ------------------------------------------------------


def test_a_password_plurals_random_lower_case_value_is_masked_by_every_engine() -> None:
    value = _random_letters(string.ascii_lowercase)
    _masked_everywhere(f"DB_PASSWORDS={value}", value)


@pytest.mark.parametrize(
    "text",
    [
        "AUTHORIZED_KEYS=ssh-ed25519 {v} ops@host",
        "HOST_KEYS=ssh-ed25519 {v}",
    ],
)
def test_public_keys_under_a_plural_name_stay(text: str) -> None:
    _kept_everywhere(text.format(v=rnd(ALNUM, 68)))


@pytest.mark.parametrize("key", ["ssh_keys", "SSH_KEYS", "authorized_keys", "trusted_keys"])
def test_public_keys_under_a_plural_key_of_structured_data_stay(key: str) -> None:
    data = {key: ["ssh-ed25519 " + rnd(ALNUM, 68)]}
    for backend in ENGINES:
        assert engine(backend).sanitize_data(data) == data, backend


@pytest.mark.parametrize(
    "value",
    [
        "XMLJSONYAMLTOMLCSV",
        "AESGCMWITHHKDFSHA",
        "ABCDEFGHJKMNPQRSTVWXYZ",
        "QWERTYUIOPASDFGHJKLZXCVBNM",
    ],
)
def test_acronyms_and_typed_walks_of_capitals_stay(value: str) -> None:
    _kept_everywhere(f"API_KEY={value}")


@pytest.mark.parametrize(
    "key",
    ["refresh_tokens", "refreshTokens", "stripe_keys", "StripeKeys", "id_tokens", "cookies"],
)
def test_plural_keys_of_structured_data_with_any_owner_are_masked(key: str) -> None:
    values = [_key(), _key()]
    for backend in ENGINES:
        out = engine(backend).sanitize_data({key: values})
        assert_no_leak(values, repr(out))


@pytest.mark.parametrize(
    "key", ["prompt_tokens", "cached_tokens", "audio_tokens", "primary_keys", "sort_keys"]
)
def test_counts_and_ids_under_plural_keys_stay(key: str) -> None:
    data = {key: ["orders", "tenant"]}
    for backend in ENGINES:
        assert engine(backend).sanitize_data(data) == data, backend


@pytest.mark.parametrize(
    "data",
    [
        {"api_keys": {"openai": "{v}", "count": 2}},
        {"api_key": {"value": "{v}"}},
        {"api_keys": {"{v}"}},
        {"ACCESS_TOKENS": frozenset({"{v}"})},
    ],
)
def test_a_mapping_or_set_under_a_secret_key_is_masked(data: dict[str, object]) -> None:
    value = _key()
    filled = json.loads(json.dumps(data, default=list).replace("{v}", value))
    # (sets survive as sets: rebuild them)
    for k, v in data.items():
        if isinstance(v, (set, frozenset)):
            filled[k] = type(v)({value})
    for backend in ENGINES:
        out = engine(backend).sanitize_data(filled)
        assert_no_leak(value, repr(out))
        if "count" in repr(data):
            assert out["api_keys"]["count"] == 2, (backend, out)


@pytest.mark.parametrize("sep", [", ", ",\t", ",,"])
def test_every_value_of_a_list_with_blanks_or_empty_items_is_masked(sep: str) -> None:
    first, second = _key(), _key()
    text = f"OPENAI_API_KEYS={first}{sep}{second}"
    for backend in ENGINES:
        assert_no_leak([first, second], engine(backend).sanitize(text))


@pytest.mark.parametrize(
    "shape",
    ["Bearer 17|{v}", "using bearer 3|{v} for /api/user", "Authorization header: Bearer 17|{v}"],
)
def test_a_bearer_token_after_its_rows_id_is_masked(shape: str) -> None:
    token = rnd(ALNUM, 40)
    _masked_everywhere(shape.format(v=token), token)


def test_a_list_of_passwords_is_masked() -> None:
    first, second = _key(), _key()
    for backend in ENGINES:
        out = engine(backend).sanitize(f"export PASSWORDS={first},{second}")
        assert_no_leak([first, second], out)
        data = engine(backend).sanitize_data({"passwords": [first, second]})
        assert_no_leak([first, second], repr(data))


@pytest.mark.parametrize(
    "shape",
    [
        "CREATE USER app IDENTIFIED BY '{v}';",
        "CREATE USER 'app'@'%' IDENTIFIED WITH mysql_native_password BY '{v}';",
        "create user scott identified by {v};",
        'ALTER USER app IDENTIFIED BY "{v}"',
    ],
)
def test_a_sql_users_password_is_masked(shape: str) -> None:
    value = rnd(ALNUM, 20) + "#1"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "CREATE USER app IDENTIFIED BY $APP_PASSWORD;",
        "message identified by 0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e was dropped",
        "the user identified by user_12345 logged in",
    ],
)
def test_variables_and_prose_after_identified_by_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape", ["DB_PASSWORD={v}", 'password: "{v}"', "<password>{v}</password>"]
)
def test_eight_digits_or_more_under_a_password_name_are_masked(shape: str) -> None:
    value = rnd(string.digits, 12)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text", ["pass: 1234567", "PASSWORD_MIN_LENGTH=12345678", "api_key_id=123456789012"]
)
def test_short_numbers_and_numbers_under_other_names_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'api_key = os.getenv("API_KEY") or "{v}"',
        'const apiKey=process.env.API_KEY??"{v}"',
        "const apiKey = process.env.API_KEY||'{v}';",
        '$apiKey = getenv("API_KEY") ?: "{v}";',
        'val apiKey = System.getenv("API_KEY") ?: "{v}"',
        'my $api_key = $ENV{{API_KEY}} // "{v}";',
        'let api_key = env::var("API_KEY").unwrap_or("{v}".to_string());',
        'String apiKey = Optional.ofNullable(System.getenv("K")).orElse("{v}");',
        'api_key = os.environ.get("API_KEY") or f"{v}"',
        'api_key = os.environ.get("API_KEY") if configured else "{v}"',
        "$apiKey = $env:API_KEY ?? '{v}'",
        'API_KEY = (\n    os.getenv("API_KEY")\n    or "{v}"\n)',
        'api_key = (os.environ["API_KEY"] if x\n           else "{v}")',
    ],
)
def test_a_fallback_literal_in_other_languages_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'const apiKey = process.env.API_KEY || "Error: API key not configured (code 401)";',
        'const password = process.env.PASSWORD || "Password must be at least 8 characters";',
        'const password = process.env.PASSWORD || "password_reset_v2";',
    ],
)
def test_messages_and_message_keys_to_fall_back_on_stay(text: str) -> None:
    _kept_everywhere(text)


def test_a_named_tuples_secret_field_is_masked() -> None:
    import collections

    creds = collections.namedtuple("creds", ["user", "api_key"])
    value = _key()
    for backend in ENGINES:
        out = engine(backend).sanitize_data({"x": [creds("bob", value)]})
        assert_no_leak(value, repr(out))
        assert out["x"][0].user == "bob", (backend, out)


def test_a_secret_as_a_mapping_key_under_a_secret_name_is_masked() -> None:
    value = _key()
    for backend in ENGINES:
        out = engine(backend).sanitize_data({"api_keys": {value: "team-a", "openai": 2}})
        assert_no_leak(value, repr(out))
        assert out["api_keys"]["openai"] == 2, (backend, out)


def test_what_describes_a_secret_under_its_name_stays() -> None:
    record = {"id": "key_01HXYZ9Q", "name": "prod", "created_at": "2024-01-01T00:00:00Z"}
    data = {"api_keys": [record], "bad_tokens": ["foo"], "cookies": [{"name": "theme"}]}
    for backend in ENGINES:
        assert engine(backend).sanitize_data(data) == data, backend


@pytest.mark.parametrize(
    "shape",
    [
        "CREATE USER app IDENTIFIED BY N'{v}';",
        "CREATE USER app\n  IDENTIFIED\n  BY '{v}';",
        "ALTER USER app IDENTIFIED BY {v} ACCOUNT UNLOCK;",
        '"query": "CREATE USER app IDENTIFIED BY \\"{v}\\""',
        "SET PASSWORD FOR 'app'@'%' = '{v}';",
        "SET PASSWORD FOR app = PASSWORD('{v}');",
        "SET PASSWORD FOR app = OLD_PASSWORD('{v}');",
    ],
)
def test_more_spellings_of_identified_by_are_masked(shape: str) -> None:
    value = rnd(ALNUM, 20) + "7"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    ["CREATE USER app IDENTIFIED BY :password;", "CREATE USER app IDENTIFIED BY '{password}';"],
)
def test_bind_variables_and_templates_after_identified_by_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "INSERT INTO users (name, password) VALUES ('bob', '{v}');",
        'insert into `users` (`email`, `api_key`, `role`) values ("a@b.example", "{v}", "admin")',
        "INSERT INTO t (id, secret) VALUES (7, '{v}')",
        "INSERT INTO users (name, password) VALUES ('it''s', '{v}');",
    ],
)
def test_a_secret_columns_value_in_an_sql_insert_is_masked(shape: str) -> None:
    value = rnd(ALNUM, 24) + "#1"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "template",
    [
        "INSERT INTO users (name, password_hash) VALUES ('bob', '{v}');",
        "INSERT INTO t (a, b) VALUES ('x', '{v}')",
        "INSERT INTO users (name, password) VALUES ('bob', ?);",
    ],
)
def test_other_columns_and_placeholders_in_an_sql_insert_stay(template: str) -> None:
    _kept_everywhere(template.format(v=rnd(ALNUM, 32)))


@pytest.mark.parametrize(
    "shape",
    [
        "INSERT INTO users (name, created_at, password) VALUES ('bob', now(), '{v}');",
        "INSERT INTO users (name, password) VALUES (lower('Bob'), '{v}');",
        "INSERT INTO users (name, password) VALUES ('bob', crypt('{v}', gen_salt('bf')));",
        "INSERT INTO users (name, password) VALUES ('bob', N'{v}');",
        "INSERT INTO users (name, password) VALUES ('bob', '{v}'::text);",
        "REPLACE INTO users (name, password) VALUES ('bob', '{v}');",
        "INSERT IGNORE INTO users (name, password) VALUES ('bob', '{v}');",
        "INSERT INTO users\n(name,\npassword)\nVALUES\n('bob',\n'{v}');",
    ],
)
def test_calls_prefixes_and_other_heads_of_an_sql_insert_are_read(shape: str) -> None:
    value = rnd(ALNUM, 24) + "#1"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "INSERT INTO users (name, password) VALUES (:name, :password);",
        "UPDATE users SET password = :password WHERE id = :id",
        "password: '{password}'",
    ],
)
def test_bind_variables_and_format_fields_are_placeholders(text: str) -> None:
    _kept_everywhere(text)


def test_a_bytes_key_below_a_secret_name_is_masked() -> None:
    value = _key()
    for backend in ENGINES:
        out = engine(backend).sanitize_data({"api_keys": {value.encode(): "team-a"}})
        assert_no_leak(value, repr(out))


def test_a_working_directory_and_describing_fields_stay() -> None:
    data = {
        "PWD": "/home/user",
        "api_keys": [{"model": "gpt-4o-2024-08-06", "created_by": "user_2abcDEF9"}],
    }
    for backend in ENGINES:
        assert engine(backend).sanitize_data(data) == data, backend


@pytest.mark.parametrize(
    "shape",
    [
        "gh secret set API_KEY \\\n  --repo o/r \\\n  --body {v}",
        "az keyvault secret set \\\n  --vault-name kv --name db \\\n  --value {v}",
        "aws ssm put-parameter \\\n  --name /p --type SecureString \\\n  --value {v}",
        'gh secret set API_KEY <<< "{v}"',
        'gh secret set MYSECRET -b"{v}"',
        'printf "%s" "{v}" | docker login -u u --password-stdin',
        'echo "{v}" | \\\n  docker login -u u --password-stdin',
        'echo "{v}" | sudo -E docker login -u u --password-stdin',
        'echo "{v}" | /usr/bin/docker login -u u --password-stdin',
        'echo "{v}" | docker --config /tmp/c login -u u --password-stdin',
        'echo "{v}" | cosign login r.io -u u --password-stdin',
        'echo "{v}" | gh secret set API_KEY --repo o/r',
        'docker login -u u --password-stdin <<< "{v}"',
        "docker login -u u --password-stdin <<<{v}",
        'Write-Output "{v}" | docker login -u u --password-stdin',
        "echo {v} | gh auth login --with-token",
        "echo '{v}' | sudo -S apt-get update",
        "echo {v} | passwd --stdin deploy",
        "echo 'deploy:{v}' | chpasswd",
    ],
)
def test_secret_store_commands_over_lines_and_in_other_spellings_are_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


# -- more vendors' token formats, found without a name --------------------------------------

_B32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
_LOWER_HEX = "0123456789abcdef"
VENDOR_FORMATS = {
    "google-oauth": lambda: "ya29." + rnd(ALNUM + "_-", 150),
    "dropbox": lambda: "sl." + rnd(ALNUM + "_-", 138),
    "atlassian": lambda: "ATATT3" + rnd(ALNUM + "_-", 186),
    "newrelic": lambda: "NRAK-" + rnd(string.ascii_uppercase + string.digits, 27),
    "doppler": lambda: "dp.st." + rnd(ALNUM, 43),
    "age": lambda: "AGE-SECRET-KEY-1" + rnd(_B32, 58),
    "figma": lambda: "figd_" + rnd(ALNUM + "_-", 40),
    "planetscale": lambda: "pscale_pw_" + rnd(ALNUM + "_-", 43),
    "render": lambda: "rnd_" + rnd(ALNUM, 32),
    "supabase": lambda: "sbp_" + rnd(_LOWER_HEX, 40),
    "docker-hub": lambda: "dckr_pat_" + rnd(ALNUM + "_-", 27),
    "linear-oauth": lambda: "lin_oauth_" + rnd(_LOWER_HEX, 64),
    "clojars": lambda: "CLOJARS_" + rnd(string.ascii_lowercase + string.digits, 60),
    "frameio": lambda: "fio-u-" + rnd(ALNUM + "_-", 64),
    "shippo": lambda: "shippo_live_" + rnd(_LOWER_HEX, 40),
    "mapbox": lambda: "sk.eyJ1Ijoi" + rnd(ALNUM, 60) + "." + rnd(ALNUM + "_-", 22),
    "twitch": lambda: "oauth:" + rnd(string.ascii_lowercase + string.digits, 30),
}


@pytest.mark.parametrize("vendor", sorted(VENDOR_FORMATS))
def test_a_vendor_token_without_a_name_is_masked(vendor: str) -> None:
    value = VENDOR_FORMATS[vendor]()
    _masked_everywhere(f"[DEBUG] response from upstream: {value} (retrying)", value)


@pytest.mark.parametrize(
    "text",
    [
        "loaded ssl.conf and sl.short-name; rnd_seed=42 sbp_test figd_demo",
        "render rnd_ before NRAK- and dp.st.example; ya29.example",
    ],
)
def test_words_that_start_like_vendor_tokens_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("text", ["echo $TOKEN | gh secret set X", "echo hello | gh secret set X"])
def test_a_variable_or_a_word_piped_into_gh_secret_set_stays(text: str) -> None:
    _kept_everywhere(text)


# -- lists of secrets under a plural name ---------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        '{{"api_keys": ["{a}", "{b}"]}}',
        '{{"config": {{"apiKeys": [\n    "{a}",\n    "{b}"\n  ]}}}}',
        '{{\\"api_keys\\": [\\"{a}\\", \\"{b}\\"]}}',
        'API_KEYS = [\n    "{a}",  # primary\n    "{b}",\n]',
        'VALID_API_KEYS = frozenset({{"{a}", "{b}"}})',
        'API_KEYS: list[str] = ["{a}", "{b}"]',
        'const apiKeys: string[] = ["{a}", "{b}"];',
        'let api_keys = vec!["{a}", "{b}"];',
        'String[] apiKeys = new String[] {{"{a}", "{b}"}};',
        'api_keys = Arrays.asList("{a}", "{b}");',
        'db_passwords = ("{a}", "{b}")',
        "api_keys      = ['{a}', '{b}']",
        "api_keys:\n  - {a}\n  - '{b}'",
        "api_keys:   # rotated monthly\n- {a}\n- {b}",
        "client_secrets: [{a}, {b}]",
        'ACCESS_TOKENS=["{a}","{b}"]',
        'api_keys = "{a},{b}"',
        'apiSecrets: ["legacy", "{a}", "{b}"]',
        "OPENAI_API_KEYS=legacy,{a},{b}",
        "OPENAI_API_KEYS=${{OLD_KEY}},{a},{b}",
        "OPENAI_API_KEYS=,{a},{b}",
        "API_KEYS_PROD={a},{b}",
        "API_KEYS2={a};{b}",
        "OPENAI_API_KEYS={a},\\\n  {b}",
        "passwords:\n  - {a}\n  - {b}",
        "api_keys:\n  - '{a}'  # prod\n\n  # staging\n  - \"{b}\"",
        "api_keys:\n  # prod\n  - legacy  # old\n  - {a}\n  - {b}",
        "api_keys: &keys\n  - {a}\n  - {b}",
        "apiKeys: !!seq [{a}, {b}]",
        'var apiKeys = []string{{"{a}", "{b}"}}',
        'const API_KEYS: [&str; 2] = ["{a}", "{b}"];',
        'static API_KEYS: &[&str] = &["{a}", "{b}"];',
        'let api_keys = vec!["{a}".to_string(), "{b}".to_string()];',
        "api_keys = %w[{a} {b}]",
        "$config = ['api_keys' => ['{a}', '{b}']];",
        'export const API_KEYS: readonly string[] = ["{a}", "{b}"];',
        'api_keys = cfg.get("api_keys", ["{a}", "{b}"])',
        'API_KEYS = [os.getenv("OLD_KEY"), "{a}", "{b}"]',
        'api_keys = [f"{{prefix}}-x", "{a}", "{b}"]',
        'api_keys = [["prod", "{a}"], ["stg", "{b}"]]',
        'API_KEYS = [("prod", "{a}"), ("stg", "{b}")]',
        'const apiKeys = [ /* prod */ "{a}", /* stg */ "{b}"];',
        'API_KEYS=\'["{a}","{b}"]\'',
        "api_keys = {a}, {b}",
        "app.apiKeys={a},{b}",
        '{{\n  "api_keys" : [ "{a}", "{b}" ]\n}}',
        'api_keys= ["{a}", "{b}"]',
        'api_keys =["{a}", "{b}"]',
        "api_keys:   [{a}, {b}]",
        '"api_keys":\n  - {a}\n  - {b}',
        "config = {{ api_keys: %w[{a} {b}] }}",
        'Config {{ api_keys: vec!["{a}".into(), "{b}".into()] }}',
        "return array('api_keys' => array('{a}', '{b}'));",
        'const cfg = {{ apiKeys: new Set(["{a}", "{b}"]) }};',
        'final apiKeys = <String>["{a}", "{b}"];',
        '$ApiKeys = @("{a}", "{b}")',
        'api_keys = {{"openai": "{a}", "anthropic": "{b}"}}',
        'api_keys = {{ openai = "{a}", anthropic = "{b}" }}',
        "api_keys:\n  prod: {a}\n  stg: {b}",
        '[api_keys]\nprod = "{a}"\nstg = "{b}"',
        '{{"unseal_keys_b64": ["{a}", "{b}"]}}',
        '{{"keys_base64": ["{a}", "{b}"]}}',
        'API_KEYS=("{a}" "{b}")',
        "API_KEYS=({a} {b})",
        'apiKeys = [ "{a}" "{b}" ];',
        "my @API_KEYS = qw({a} {b});",
        "config :app, api_keys: ~w({a} {b})",
        "api_keys:\n  # prod\n  prod: {a}\n\n  stg: {b}",
        '[api_keys]\n# prod\nprod = "{a}"\n\nstg = "{b}"',
        '[ api_keys ]\nprod = "{a}"\nstg = "{b}"',
        "$api_keys = array('prod' => '{a}', 'stg' => '{b}');",
        'API_KEYS = dict(prod="{a}", stg="{b}")',
        'apiKeys := map[string]string{{"prod": "{a}", "stg": "{b}"}}',
        'api_keys = {{\n  prod = "{a}"\n  stg  = "{b}"\n}}',
        'apiKeys = {{ prod = "{a}"; stg = "{b}"; }};',
        'config :app, api_keys: %{{prod: "{a}", stg: "{b}"}}',
        "API_KEYS__0={a}\nAPI_KEYS__1={b}",
    ],
)
def test_every_secret_of_a_list_under_a_plural_name_is_masked(shape: str) -> None:
    a, b = _key(), _key()
    text = shape.format(a=a, b=b)
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak([a, b], out)
        assert MASK in out, (backend, out)


@pytest.mark.parametrize(
    "shape",
    [
        '"keys": [{{"kty": "RSA", "kid": "{a}"}}]',
        'keys = ["{a}", "{b}"]',
        '"prompt_tokens": ["{a}"]',
        'ssh_keys = ["{a}"]',
        "authorized_keys:\n  - {a}",
        'foreign_keys = ["user_id", "org_id"]',
        "secrets:\n  - db_password\n  - stripe_api_key",
        "secrets:\n  - name: STRIPE_KEY\n    valueFrom: prod/stripe",
        'passwords = ["${{DB_PASSWORD}}", "${{REPLICA_PASSWORD}}"]',
        "api_keys = [k for k in raw_keys if k]",
        "secrets = client.list_secrets(MaxResults=100, NextToken={a})",
        'creds = {{"user": "{a}", "region": "{b}"}}',
        "API_KEYS_FILE=/run/secrets/api_keys,{a}",
        'cache_keys = ["user:42:profile", "{a}"]',
        'api_keys == ["{a}"]',
        '{{"message": {{"accountKeys": ["{a}", "{b}"]}}}}',
        "PEER_KEYS={a},{b}",
        'VOCAB_TOKENS = ["\\u0120the", "\\u2581hello", "##ing"]',
        "  keyVaultToStoreSecrets: cmp2-qat-1208358310",
        "api_keys: [ENC[AES256_GCM,data:{a}=,iv:{b}=,tag:{a}==,type:str]]",
        "api_keys:\n  - \"{{{{ lookup('env','API_KEY') }}}}\"",
        "passwords:\n  - !vault |\n    $ANSIBLE_VAULT;1.1;AES256",
        "passwords:\n  min_length: 12\n  hash_algorithm: argon2id",
        'passwords = {{"min_length": 12, "hash_algorithm": "argon2id"}}',
        'api_keys = {{"id": "key_01", "name": "production"}}',
        '"secrets": {{"sha256": "{h}", "fingerprint": "{h}", "count": 3}}',
        "secrets:\n  db: {{version: 3, updated: 2024-05-01}}",
        'api_keys = {{ openai = "env:OPENAI_API_KEY" }}',
        "api_keys:\n  uid: 5f3c9a2e-8b1d-4c7e-9a6f-2d4b8e1c3a7f\n  commit: {h}",
        "mongosh -u admin -p --authenticationDatabase admin",
    ],
)
def test_lists_under_names_that_hold_no_secrets_stay(shape: str) -> None:
    _kept_everywhere(shape.format(a=_key(), b=_key(), h=rnd(HEX, 64)))


def test_a_list_of_lower_case_tokens_is_not_read_in_text() -> None:
    # (``tokens`` in lower case is left to structured data: see ``_rules._LIST_WORDS``)
    a = _key()
    _kept_everywhere(f'"access_tokens": ["{a}"]')
    for backend in ENGINES:
        assert_no_leak(a, repr(engine(backend).sanitize_data({"access_tokens": [a]})))


@pytest.mark.parametrize("key", ["api_keys_prod", "API_KEYS_V2", "apikeys", "passphrases", "pwds"])
def test_plural_keys_with_a_stage_glued_or_of_password_words_are_masked(key: str) -> None:
    values = [_key(), _key()]
    for backend in ENGINES:
        assert_no_leak(values, repr(engine(backend).sanitize_data({key: values})))


def test_every_item_of_a_long_list_whose_items_hold_list_heads_is_masked() -> None:
    # (past the first 64 items the heads inside the items start lists of their own;
    # how long that takes is measured in ``benchmarks/``, not here)
    keys = [_key() for _ in range(300)]
    text = "API_KEYS = [" + ", ".join(f'"api_keys = [{k}"' for k in keys) + "]"
    for backend in ENGINES:
        assert_no_leak(keys, engine(backend).sanitize(text))


# -- more command lines that carry a password ----------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "az login --service-principal -u app-id -p {v} --tenant contoso",
        "zip -P {v} backup.zip db.sql",
        "unzip -P {v} backup.zip",
        "7z a -p{v} backup.7z db.sql",
        "keytool -importkeystore -srckeystore a.p12 -srcstorepass {v} -destkeystore b.jks",
        "jarsigner -keystore release.jks -storepass {v} app.apk upload",
        "keytool -genkeypair -alias app -keypass {v} -keystore k.jks",
        "vault login {v}",
        "mytool --db-pass {v} --verbose",
        "login --pass {v}",
        "zip -rP {v} backup.zip dir",
        "unzip -qP {v} backup.zip",
        "unzip -P{v} backup.zip",
        "7za a -p{v} backup.7z dir",
        '"C:\\Program Files\\7-Zip\\7z.exe" a -p{v} out.7z dir',
        "unrar x -p{v} a.rar",
        "vault login -no-print {v}",
        "vault login -address=https://vault:8200 {v}",
        "keytool -list -keystore k.jks -storepass \\\n  {v}",
        "docker login -u u -p{v} ghcr.io",
        "docker login -u u -p={v} ghcr.io",
        "mysql.exe -u root -p{v} app",
        "mysqlsh -u root -p{v}",
        "mongosh -u admin -p {v} --authenticationDatabase admin",
        "ldapsearch -x -D cn=admin,dc=x -w {v} -b dc=x",
        "smbclient //srv/share -U admin%{v}",
        "lftp -u deploy,{v} sftp://host",
        "openssl enc -aes-256-cbc -k {v} -in a -out b",
    ],
)
def test_a_password_on_more_command_lines_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "scp -P 2222 backup.tgz host:/srv",
        "mysql -h db -P 3306 -u root -p app",
        "zip -r out.zip dir -x '*.git'",
        "keytool -list -storepass:env STOREPASS",
        "keytool -keypass changeit -list",
        "vault login -method=userpass username=me",
        "vault login -no-print $VAULT_TOKEN",
        "we pass the request to the handler",
        "wget -q https://example.com/data.zip -P /opt/data2024",
        "Run vault login first, then vault kv get secret/app",
        "--render-pass shadowMap2",
        "curl -k https://api.example.com/v1 -u user",
        "psql -U postgres -w -d app",
        "openssl enc -aes-256-cbc -k $PASS -in a",
        "smbclient //srv/share -U guest%",
    ],
)
def test_ports_flags_variables_and_defaults_on_those_command_lines_stay(text: str) -> None:
    _kept_everywhere(text)


def test_public_keys_that_show_their_kind_stay_under_any_key_name() -> None:
    ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rnd(ALNUM, 43) + " alice@laptop"
    age = "age1" + rnd("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58)
    _kept_everywhere(f"deploy_keys:\n  - {ssh}\n")
    _kept_everywhere(f'ADMIN_KEYS="{ssh}"')
    _kept_everywhere(f"AGE_KEYS={age}")
    for backend in ENGINES:
        data = {"deploy_keys": [ssh], "ssh_key": ssh}
        assert engine(backend).sanitize_data(data) == data, backend


@pytest.mark.parametrize(
    "text",
    [
        'docker login -u u --password-stdin <<< "$CR_PAT"',
        "SET PASSWORD = '${DB_PASSWORD}';",
        'msg = "ready" if done else "waiting_for_upstream"',
        "password: $env:DB_PASSWORD",
    ],
)
def test_variables_and_messages_in_those_spellings_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("shape", ["apikey%3D{k}", "%22{k}%22", "anystring%3A{k}"])
def test_a_mailchimp_key_after_a_percent_escape_is_masked(shape: str) -> None:
    key = rnd(HEX, 32) + "-us14"
    _masked_everywhere("GET https://x.example/?" + shape.format(k=key), key)


def test_the_unseal_keys_vault_prints_are_masked() -> None:
    keys = [rnd(ALNUM + "+/", 43) + "=" for _ in range(2)]
    text = (
        f"Unseal Key 1: {keys[0]}\nUnseal Key 2: {keys[1]}\n\nInitial Root Token: hvs.x\n"
        f"$ vault operator unseal {keys[0]}"
    )
    for backend in ENGINES:
        assert_no_leak(keys, engine(backend).sanitize(text))


def test_the_owners_of_public_keys_make_only_keys_public() -> None:
    # (``signing_keys`` verify; Slack's ``signing_secrets`` sign)
    value = _key()
    _masked_everywhere(f'SLACK_SIGNING_SECRETS=["{value}"]', value)
    _kept_everywhere(f'signing_keys = ["{value}"]')
    for backend in ENGINES:
        out = engine(backend).sanitize_data({"signing_secrets": [value]})
        assert_no_leak(value, repr(out))


# -- more syntaxes of a name and its value ----------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        'public string ZendeskApiToken {{ get; set; }} = "{v}";',
        'public static string AcmeKey {{ get; }} = "{v}";',
        'public string AcmeSecret {{ get; init; }} = "{v}";',
        "zendesk:\n  api_key: >-\n    {v}\n  url: https://x.example",
        "api_token: |\n  {v}",
        'request.setValue("{v}", forHTTPHeaderField: "X-Acme-Api-Key")',
        '[request setValue:@"{v}" forHTTPHeaderField:@"X-Acme-Token"];',
        "using token 12345678:{v} for acme",
        "Your acme API key is: 12345678:{v}",
        "ENV ACME_API_TOKEN 12345678:{v}",
        "ENV ACME_PASS {v}",
        "set -gx DB_PASS {v}",
        "DEBUG Setting smtp_pass to {v}",
    ],
)
def test_a_value_in_more_syntaxes_of_code_config_and_logs_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'gpg: key 3CB4F11D4783CFEF: public key "Release <r@x.example>" imported',
        '<add key="ZendeskApiKey" value="#{ZendeskApiKey}#" />',
        "description: >-\n  The api key is rotated monthly",
        "public string Token { get; set; } = string.Empty;",
        'req.addValue("3f10194c-a382-40dd-b880-bab79492384b", forHTTPHeaderField: "X-Request-Id")',
        "we pass the handler to the router",
    ],
)
def test_ids_placeholders_and_prose_in_those_syntaxes_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "value",
    # (random letters whose runs of one case the identifier pattern reads as words of
    # capitals and lower-case runs: about one random 20-letter password in 2,000)
    ["ZJFRZPZGseFqzcOwlLze", "LXQQHvouAYQNCsavzvBJ", "KubuioxaRIIUCuyqXpxK"],
)
def test_random_letters_in_mixed_case_are_a_password(value: str) -> None:
    _masked_everywhere(f"connect password={value} ok", value)
    _masked_everywhere(f"api_key={value}", value)


@pytest.mark.parametrize(
    "value",
    [
        "getApiKeyFromEnvironment",
        "XMLHttpRequestHandlerFactory",
        "AbstractSingletonProxyFactoryBean",
    ],
)
def test_camel_case_identifiers_of_twenty_letters_stay(value: str) -> None:
    _kept_everywhere(f"api_key={value}")


def _b64_with_slash(size: int) -> str:
    while True:
        value = base64.b64encode(secrets.token_bytes(size)).decode().rstrip("=")
        # (not first: ``user://x`` reads as a scheme, so clients need it escaped)
        if "/" in value[1:-1] and value[0] != "/":
            return value


@pytest.mark.parametrize(
    "shape",
    [
        "https://acme:{v}@api.acme.io/v1",
        "REDIS_URL=redis://default:{v}@cache.internal:6379/0",
        "connecting to amqp://svc:{v}@mq:5672/ now",
    ],
)
def test_a_url_password_with_an_unescaped_slash_is_masked(shape: str) -> None:
    value = _b64_with_slash(30)
    _masked_everywhere(shape.format(v=value), value)


def _letters_read_as_words() -> str:
    """Random letters that a name's grammar reads as short words, then a number."""
    pairs = (
        secrets.choice(string.ascii_uppercase) + secrets.choice(string.ascii_lowercase)
        for _ in range(18)
    )
    return "".join(pairs) + str(secrets.randbelow(90) + 10)


@pytest.mark.parametrize(
    "shape",
    [
        "https://{v}:x-oauth-basic@github.com/acme/app.git",
        "https://{v}@github.com/acme/app.git",
    ],
)
def test_random_letters_and_a_number_are_no_user_name(shape: str) -> None:
    value = _letters_read_as_words()
    _masked_everywhere(shape.format(v=value), value)


def test_a_url_password_of_digits_a_slash_and_a_token_is_masked() -> None:
    value = f"{secrets.randbelow(9) + 1}/{rnd(ALNUM, 36)}"
    _masked_everywhere(f"redis://default:{value}@cache.internal:6379/0", value)


@pytest.mark.parametrize(
    "text",
    [
        "GET http://localhost:5173/@vite/client 200",
        "see http://example.com:8080/users/@alice for details",
        "npm http://registry.example.com:4873/@scope/pkg",
        "http://host:port/path/to/file@2x.png",
        "http://cdn.example.com:8080/v1/img/logo@2x.png",
        "GET http://host:8080/api/v1/users/john.doe@example.com/profile 200",
        "http://localhost:8080/api/v1/namespaces/default/pods/web-7d4b9c8f6-x2k9p@v2",
        "https://docs.example.com:docs/guide@latest",
    ],
)
def test_a_port_or_a_path_before_an_at_sign_is_no_url_password(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "Cache restored from key: Linux-node-{h}",
        "  key: npm-Linux-x64-{h}",
        "Cache saved with key: setup-python-Linux-python-3.12.3-pip-{h}",
    ],
)
def test_a_cache_key_of_words_then_a_digest_stays(shape: str) -> None:
    _kept_everywhere(shape.format(h=rnd(HEX, 64)))


def test_a_key_of_secret_words_then_a_digest_is_masked() -> None:
    value = f"api-key-{rnd(HEX, 64)}"
    _masked_everywhere(f"api_key={value}", value)


@pytest.mark.parametrize(
    "shape",
    [
        "Cookie: _ga=GA1.2.1234567.1715682067; session={v}; theme=dark",
        "Cookie: lang=en; session_id={v}",
        "DEBUG request headers: Cookie: locale=en-US; auth_session={v}",
        "Set-Cookie: JSESSIONID={v}; Path=/; HttpOnly",
        'curl -H "Cookie: a=b; connect.sid=s%3A{v}" https://app.example.com/',
    ],
)
def test_every_pair_of_a_cookie_header_is_judged(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "Cookie: theme=dark; lang=en-US",
        "Set-Cookie: session=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
        "Set-Cookie: theme=light; Max-Age=31536000; SameSite=Lax",
    ],
)
def test_cookie_settings_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "Bearer {v}",
        "WARN retrying request with bearer {v}",
        "headers: {{ Authorization: `Bearer {v}` }},",
    ],
)
def test_a_bearer_token_after_a_client_id_and_a_colon_is_masked(shape: str) -> None:
    v = f"{rnd(string.digits, 8)}:{_key()}"
    _masked_everywhere(shape.format(v=v), v.partition(":")[2])


@pytest.mark.parametrize(
    "shape",
    [
        'NSString *const kShopAPIKey = @"{v}";',
        '#define SHOP_SECRET @"{v}"',
        'string apiKey = @"{v}";',
        '[request setValue:@"{v}" forHTTPHeaderField:@"X-Api-Key"];',
    ],
)
def test_an_objective_c_or_verbatim_string_under_a_secret_name_is_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        'variable "shop_api_token" {{ default = "{v}" }}',
        'variable "shop_api_token" {{\n  description = "the token"\n  default = "{v}"\n}}',
    ],
)
def test_a_terraform_variables_default_is_judged_under_its_name(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape", ["http -a alice:{v} GET https://api.example.com", "xh --auth alice:{v} :8080/"]
)
def test_httpie_and_xh_credentials_are_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    ["ls -a /tmp", "mongod --auth --port 27017", 'variable "region" { default = "eu-west-1" }'],
)
def test_other_a_flags_and_plain_defaults_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'let api_key = String::from("{v}");',
        'let api_token = SecretString::new("{v}".into());',
    ],
)
def test_a_literal_a_rust_call_only_wraps_is_judged_under_the_name(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


def test_a_placeholder_a_rust_call_wraps_stays() -> None:
    _kept_everywhere('let api_key = String::from("your-api-key-here");')


@pytest.mark.parametrize(
    "shape",
    [
        "INNGEST_SIGNING_KEY=signkey-prod-{h}",
        "API_TOKEN=acme-live-{h}",
        '"apiKey": "signkey-prod-{h}"',
        "Authorization: Bearer acme-live-{h}",
    ],
)
def test_words_then_a_digest_under_a_secret_name_are_a_key(shape: str) -> None:
    h = rnd(HEX, 64)
    _masked_everywhere(shape.format(h=h), h)


@pytest.mark.parametrize(
    "shape",
    [
        "headers = {{'Cookie': 'lang=en; session={v}'}}",
        '{{"Cookie": "lang=en; session_id={v}"}}',
        'req.headers.set("Cookie", "theme=dark; sid={v}")',
    ],
)
def test_a_cookie_header_printed_as_a_pair_has_every_pair_judged(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "Cookie: theme=dark; session_expiry=1717171717; session_region=eu-west-1",
        "Cookie: auth_method=oidc-v2; token_ttl=3600",
        "Cookie: theme=dark; session=<session-id>",
        "Cookie: locale=en-US; tz=Europe%2FBerlin",
    ],
)
def test_cookie_settings_named_after_a_session_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "client", ["16 digits", "uuid", "1234567890123456", "3f2a9c1d-aaaa-4bbb-8ccc-0123456789ab"]
)
def test_a_bearer_token_after_a_long_or_uuid_client_id_is_masked(client: str) -> None:
    """The token is judged without the id (an id may hold a run of digits)."""
    v = _key()
    client_id = {"16 digits": rnd(string.digits, 16), "uuid": str(uuid.uuid4())}.get(client, client)
    _masked_everywhere(f"WARN retrying with bearer {client_id}:{v}", v)


@pytest.mark.parametrize(
    "shape",
    [
        "Token was set to {v}",
        "token has been set to {v}",
        "token is now {v}",
        "api key was updated to {v}",
        "refresh token rotated to {v}",
        "password is set to {v}",
    ],
)
def test_more_log_verbs_between_a_name_and_its_value(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        'request.AddHeader("X-Api-Key", @"{v}");',
        '{{ "ApiKey", @"{v}" }},',
        'string token = $@"{v}";',
        'string token = $"{v}";',
    ],
)
def test_csharp_verbatim_and_interpolated_strings_are_read_in_pairs(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize("value", ["w/Fq8Lz1x", "Summer/2024!", "Adm1n/Passw0rd"])
def test_a_short_url_password_with_a_slash_is_masked(value: str) -> None:
    _masked_everywhere(f"redis://default:{value}@cache.internal:6379/0", value)


def test_a_terraform_default_after_a_nested_block_is_read() -> None:
    v = _key()
    text = (
        'variable "shop_api_token" {\n  validation {\n    condition = length(var.x) > 0\n  }\n'
        f'  default = "{v}"\n}}'
    )
    _masked_everywhere(text, v)


@pytest.mark.parametrize(
    "text",
    [
        'string key = @"HKEY_CURRENT_USER\\Software\\Classes\\CLSID";',
        'let key = String::from("user:1234:profile");',
        'let key = String::from("tenant-{}-2024");',
    ],
)
def test_registry_paths_and_format_strings_under_a_key_name_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'if apiKey == "{v}":',
        "if (token === '{v}') {{",
        'if token != "{v}" {{',
        "assert db_password == '{v}'",
        "stackbirdCredentials == {v}",
        'if(apiKey!=="{v}"){{',
        'if (password!="{v}") {{',
        'if ($token === "{v}") {{',
        'if [[ $GITHUB_TOKEN == "{v}" ]]; then',
        'if [ "$API_TOKEN" = "{v}" ]; then',
    ],
)
def test_a_value_compared_with_a_secret_name_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'if key == "ArrowDown":',
        "if (key === 'Enter') return;",
        'if token_type == "bearer":',
        "assert resp.token == expected_token",
        'if token == "EOF" {',
    ],
)
def test_a_comparison_with_no_secret_value_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "INFO Generated new API key for user 1042: {v}",
        "API key for Zentrix Cloud: {v}",
        "Client secret for app-42: {v}",
        "signing key for tenant 3f1c2a9e-1b7d-4c0e-9a55-0d6f5e2b8c41: {v}",
        "Token for paylark (prod): {v}",
        "key for my bucket: {v}",
        "Password for 'https://bob@github.com': {v}",
        "password for postgres@10.0.0.5:5432: {v}",
        "API key for the Zentrix Cloud: {v}",
    ],
)
def test_a_secret_said_for_whom_in_up_to_three_words_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "Failed to fetch key for user 42: timeout after 30s",
        "token for user 42: expired",
        "looked up key for bucket logs-prod-eu: not found",
        "the key for this run is stored in /run/secrets: 0600",
    ],
)
def test_whom_a_key_is_for_with_no_secret_value_stays(text: str) -> None:
    _kept_everywhere(text)


def test_sshd_accepting_a_public_key_for_a_user_stays() -> None:
    fingerprint = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    _kept_everywhere(
        "sshd[812]: Accepted publickey for deploy from 10.0.3.7 port 52814 ssh2: ED25519 "
        f"SHA256:{fingerprint}"
    )


@pytest.mark.parametrize(
    "shape",
    [
        '{{"CorvidApiKey": {{"value": "{v}", "type": "secure"}}}}',
        '"adminPassword": {{\n      "value": "{v}"\n    }},',
        "junoship_access_key:\n  value: {v}\n  type: secure",
        "{{'db_password': {{'Value': '{v}'}}}}",
        '"CorvidApiKey" : {{"value" : "{v}"}}',
        '{{\\"adminPassword\\": {{\\"value\\": \\"{v}\\"}}}}',
        '"template": "\\"adminPassword\\": {{\\n  \\"value\\": \\"{v}\\"\\n}}"',
        "api_key: \n  value: {v}",
        "adminPassword: {{ value: '{v}' }}",
        'admin_password = {{ value = "{v}" }}',
    ],
)
def test_a_value_object_under_a_secret_name_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        '{"api_key": {"value": "env://OPENROUTER_API_KEY"}}',
        "token:\n  value: 3600",
        '"adminPassword": {\n  "reference": {"keyVault": {"id": "/subscriptions/x"}}\n}',
        '{"sort_key": {"value": "created_at"}}',
    ],
)
def test_a_value_object_with_no_secret_value_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        '<meta-data android:name="com.hexapay.sdk.ApiKey" android:value="{v}" />',
        '<meta-data\n    android:name="io.zentrix.API_KEY"\n    android:value="{v}" />',
        '<add value="{v}" key="BluemeshSecret" />',
        '<meta-data android:value="{v}" android:name="io.zentrix.ApiKey" />',
        '[{{"Value": "{v}", "Key": "ApiKey"}}]',
    ],
)
def test_an_android_or_value_first_pair_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        '<meta-data android:name="com.google.android.geo.API_KEY"'
        ' android:value="${MAPS_API_KEY}" />',
        '<meta-data android:name="com.x.sdk.ApiKey" android:value="@string/api_key" />',
        '<meta-data android:name="firebase_analytics_collection_enabled" android:value="false" />',
        '{"Value": "web-1", "Key": "Name"}',
        '<add value="true" key="EnableApiKeyAuth" />',
    ],
)
def test_an_android_or_value_first_pair_with_no_secret_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'curl -b "session={v}" https://app.example.com/',
        "curl --cookie 'sid={v}; theme=dark' https://app.example.com/",
        "curl -s -b 'connect.sid={v}' https://app.example.com/api",
        'curl --cookie="remember_token={v}" https://app.example.com/',
    ],
)
def test_a_session_cookie_given_to_curl_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'git checkout -b "feature/login"',
        'curl -b "theme=dark; lang=en" https://app.example.com/',
        "curl -b cookies.txt https://app.example.com/",
    ],
)
def test_curl_cookies_with_no_secret_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    ['PAYLARK_AUTH_TOKEN = (\n    "{v}"\n)', "api_key=(\n  '{v}'\n)"],
)
def test_a_secret_literal_wrapped_in_brackets_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text", ["token = (\n    get_token()\n)", 'password = (\n    "changeme"\n)']
)
def test_a_bracketed_expression_under_a_secret_name_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'api_key = SecretStr(\n    "{v}"\n)',
        "token = SecretStr(r'{v}')",
        'password = SecretStr("""{v}""")',
        '{{"code": "x = SecretStr(\\"{v}\\")"}}',
        'key = SecretBytes(rb"{v}")',
        '    openai: SecretStr = "{v}"',
        "    zentrix: Optional[SecretStr] = '{v}'",
    ],
)
def test_a_secret_wrapper_in_any_spelling_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


def test_an_image_digest_after_a_registry_port_is_no_url_password() -> None:
    _kept_everywhere(f"http://registry:5000/v2/library/nginx@sha256:{secrets.token_hex(32)}")


@pytest.mark.parametrize(
    "text",
    [
        'if key == "Ctrl+Shift+P":',
        '{ "key": "ctrl+shift+P", "command": "workbench.action.showCommands" }',
        '"adminPassword": {"value": "__AdminPassword__"}',
        '"adminPassword": {"value": "@@ADMIN_PASSWORD@@"}',
        'if password == "__AdminPassword__":',
    ],
)
def test_keyboard_chords_and_replacement_tokens_are_no_secrets(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape", ["DB_PASSWORD={v}", "password: {v}", "Password for user root: {v}"]
)
@pytest.mark.parametrize("head", ["Xk9(mQ2", "z-8n(bl&", "Qw7e!rTy)", "GoqkZX[0rZg42]4"])
def test_a_generated_password_with_brackets_is_masked_whole(shape: str, head: str) -> None:
    value = head + rnd(string.ascii_uppercase + string.digits, 14)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "password = get_password(user1)",
        "password: hash(Password1)",
        "password = Secrets.Get(DbPass2)",
        "password = crypt(Password123, salt)",
        "password: (none)",
    ],
)
def test_code_under_a_password_name_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "postgresql://app:{v}@/app?host=/var/run/postgresql",
        "postgresql://app:{v}@%2Fvar%2Frun%2Fpostgresql/app",
        "redis+socket://:{v}@/var/run/redis/redis.sock?db=0",
        "smtp://alerts@example.com:{v}@smtp.example.com:587",
    ],
)
def test_a_url_password_before_a_socket_or_after_an_email_user_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "ssh://git@github.com:22/org/repo.git",
        "https://user@host.com:8080/path/to@file",
        "jdbc:mysql://db@host:3306/app",
    ],
)
def test_a_user_a_port_and_a_path_are_no_url_password(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'if os.getenv("API_KEY") == "{v}":',
        'if request.headers.get("X-Api-Key") != "{v}":',
        'if r.URL.Query().Get("token") != "{v}" {{',
        "if ($request->input('api_key') !== '{v}') {{",
        'if (apiKey.equals("{v}")) {{',
        'if hmac.compare_digest(token, "{v}"):',
        'if (string.Equals(apiKey, "{v}"))',
        'log.info("start")\nif request.headers.get("X-Api-Key") != "{v}":',
    ],
)
def test_a_literal_checked_against_a_secret_lookup_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


def test_a_facebook_app_token_at_the_start_of_a_text_is_masked() -> None:
    # (the rule reads back from the ``|``: the text's start is nearer than its reach)
    secret = rnd(ALNUM, 27)
    _masked_everywhere(f"{rnd(string.digits, 15)}|{secret}", secret)


@pytest.mark.parametrize(
    "shape",
    [
        'if "{v}" == api_key:',
        "if ('{v}' === token) {{",
        'if ("{v}" == $password) {{',
        'if "{v}" == os.environ["API_KEY"]:',
        'if token ==\n    "{v}"',
        'if api_key != \\\n        "{v}":',
        'self.assertEqual(client.api_key, "{v}")',
        'assert_eq!(api_key, "{v}");',
        'expect(config.apiKey).toBe("{v}");',
        'expect(token).to eq("{v}")',
        'if os.getenv("API_KEY", "") == "{v}":',
        "if os.environ.get('API_KEY', '') == '{v}':",
        'if "{v}" == os.getenv("API_KEY"):',
        'hmac.compare_digest(request.headers["X-Api-Key"], "{v}")',
        "hmac.compare_digest(token, b'{v}')",
        'self.assertEqual(\n    client.api_key,\n    "{v}",\n)',
        'expect(config.apiKey).toStrictEqual("{v}")',
        "expect(config.apiKey).to.equal('{v}')",
        "expect(token).to eq '{v}'",
        'assert.Equal(t, cfg.APIKey, "{v}")',
        'assertThat(config.getApiKey()).isEqualTo("{v}")',
        'Assert.AreEqual(config.ApiKey, "{v}");',
    ],
)
def test_a_literal_compared_either_way_or_asserted_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        'if "application/json" == content_type:',
        'if "bearer" == token_type:',
        'assertEqual(token_type, "bearer")',
        "expect(config.apiKey).toBe(undefined)",
        'assert_eq!(key, "ArrowDown");',
    ],
)
def test_a_comparison_or_assertion_with_no_secret_stays(text: str) -> None:
    _kept_everywhere(text)


# -- a value in brackets, as logs print one ---------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "DEBUG api_key=[{v}]",
        "10:21:07.221 [main] DEBUG c.shop.Auth - Using shop_signing_secret [{v}]",
        "DEBUG Using token ({v})",
        "DEBUG loaded api key <{v}>",
        "token: [{v}]",
        'config.set("api_key", "x"); client_secret = [{v}]',
        "password=[{v}] user=admin",
        "api_key=[ {v} ]",
        "api_key=(\t{v})",
        "DEBUG Using token ( {v} )",
        "DB_PASSWORD_PROD=[{v}]",
        "DB_PASSWORD_PROD: [{v}]",
        "Using SMTP_PASSWORD_STAGING [{v}]",
        "APP_SECRET_PROD=({v})",
    ],
)
def test_a_value_in_brackets_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "key=[1, 2, 3]",
        "token=(null)",
        "api_key=<your-api-key>",
        "password=[REDACTED] token: [MASKED]",
        "Using API key [{}] for tenant {}",
        "password (optional)",
        "token (expires in 3600s)",
        "requests.get(url, auth=(USER, PASSWORD))",
        "none of the references holds a secret (env://SHOP_TOKEN: SecretNotFoundError)",
        "press key <Enter> to continue",
    ],
)
def test_brackets_with_no_secret_in_them_stay(text: str) -> None:
    _kept_everywhere(text)


# -- vendors' key formats, wherever they stand -------------------------------------------------

_B64URL = ALNUM + "_-"
_LOWER_ALNUM = string.ascii_lowercase + string.digits
_UPPER_ALNUM = string.ascii_uppercase + string.digits
VENDOR_KEYS = {
    "HubSpot": lambda: f"pat-na1-{uuid.uuid4()}",
    "Google OAuth client secret": lambda: "GOCSPX-" + rnd(_B64URL, 28),
    "PostHog personal": lambda: "phx_" + rnd(ALNUM, 43),
    "Replicate": lambda: "r8_" + rnd(ALNUM, 37),
    "NVIDIA": lambda: "nvapi-" + rnd(_B64URL, 64),
    "Docker Hub organisation": lambda: "dckr_oat_" + rnd(_B64URL, 32),
    "Tailscale": lambda: f"tskey-auth-{rnd(ALNUM, 11)}-{rnd(ALNUM, 32)}",
    "Contentful": lambda: "CFPAT-" + rnd(_B64URL, 43),
    "SonarQube": lambda: "squ_" + rnd(HEX, 40),
    "Resend": lambda: f"re_{rnd(ALNUM, 8)}_{rnd(ALNUM, 24)}",
    "LangSmith": lambda: f"lsv2_pt_{rnd(HEX, 32)}_{rnd(HEX, 10)}",
    "Honeycomb": lambda: "hcaik_" + rnd(_LOWER_ALNUM, 58),
    "Tavily": lambda: "tvly-" + rnd(ALNUM, 32),
    "RubyGems": lambda: "rubygems_" + rnd(HEX, 48),
    "Brevo": lambda: f"xkeysib-{rnd(HEX, 64)}-{rnd(ALNUM, 16)}",
    "Typeform": lambda: "tfp_" + rnd(_B64URL, 44),
    "Buildkite": lambda: "bkua_" + rnd(HEX, 40),
    "Netlify": lambda: "nfp_" + rnd(ALNUM, 36),
    "Pinecone": lambda: f"pcsk_{rnd(ALNUM, 5)}_{rnd(ALNUM, 63)}",
    "Neon": lambda: "napi_" + rnd(_LOWER_ALNUM, 64),
    "dbt Cloud": lambda: "dbtc_" + rnd(_B64URL, 54),
    "Dynatrace": lambda: f"dt0c01.{rnd(_UPPER_ALNUM, 24)}.{rnd(_UPPER_ALNUM, 64)}",
    "Scalingo": lambda: "tk-us-" + rnd(_B64URL, 48),
    "CircleCI": lambda: f"CCIPAT_{rnd(ALNUM, 22)}_{rnd(HEX, 40)}",
    "Notion (legacy)": lambda: "secret_" + rnd(ALNUM, 43),
    "Doppler service token": lambda: "dp.st.dev." + rnd(ALNUM, 40),
    "Cerebras": lambda: "csk-" + rnd(_LOWER_ALNUM, 48),
    "ElevenLabs": lambda: "sk_" + rnd(HEX, 48),
    "MailerSend": lambda: "mlsn." + rnd(HEX, 64),
    "SumUp": lambda: "sup_sk_" + rnd(ALNUM, 32),
    "Supabase secret": lambda: "sb_secret_" + rnd(_B64URL, 31),
    "Bitbucket app password": lambda: "ATBB" + rnd(ALNUM, 32),
    "Jina": lambda: "jina_" + rnd(_B64URL, 60),
    "Duffel": lambda: "duffel_live_" + rnd(_B64URL, 43),
    "Apify": lambda: "apify_api_" + rnd(ALNUM, 36),
    "Plaid access token": lambda: f"access-production-{uuid.uuid4()}",
    "Cashfree": lambda: f"cfsk_ma_prod_{rnd(HEX, 32)}_{rnd(HEX, 8)}",
    "Xendit": lambda: "xnd_production_" + rnd(ALNUM, 64),
    "Midtrans server key": lambda: "Mid-server-" + rnd(_B64URL, 24),
    "OneSignal": lambda: "os_v2_app_" + rnd(_LOWER_ALNUM, 113),
    "Mercado Pago": lambda: (
        f"APP_USR-{rnd(string.digits, 16)}-{rnd(string.digits, 6)}-{rnd(HEX, 32)}"
        f"-{rnd(string.digits, 9)}"
    ),
    "Yandex OAuth": lambda: "y0_AgAAAA" + rnd(_B64URL, 50),
    "Fleetbase": lambda: "flb_live_" + rnd(ALNUM, 20),
    "Socket": lambda: "sktsec_" + rnd(ALNUM, 60),
    "Checkly": lambda: "cu_" + rnd(HEX, 32),
    "Klaviyo private": lambda: "pk_" + rnd(HEX, 34),
    "Clearbit": lambda: "sk_" + rnd(HEX, 32),
    "AfterShip": lambda: "asat_" + rnd(HEX, 32),
    "Builder.io": lambda: "bpk-" + rnd(HEX, 32),
    "RevenueCat": lambda: "sk_" + _generated(ALNUM, 32),
    "Pipedream": lambda: "pd_" + _generated(ALNUM, 32),
    "Fireworks": lambda: "fw_" + _generated(ALNUM, 24),
    "Adafruit IO": lambda: "aio_" + _generated(ALNUM, 28),
    "Xata": lambda: "xau_" + _generated(ALNUM, 36),
    "NetBird": lambda: "nbp_" + _generated(ALNUM, 36),
    "Deno Deploy": lambda: "ddp_" + _generated(ALNUM, 36),
    "Honeybadger": lambda: "hbp_" + _generated(ALNUM, 36),
    "Figma OAuth": lambda: "figu_" + _generated(_B64URL, 40),
    "Swiftype": lambda: "private-" + _generated(ALNUM, 24),
    "Iyzico": lambda: "sandbox-" + _generated(ALNUM, 32),
    "Chroma": lambda: "ck-" + _generated(ALNUM, 44),
    "Voyage AI": lambda: "pa-" + _generated(_B64URL, 43),
    "Mandrill": lambda: "md-" + _generated(_B64URL, 22),
    "ShipEngine": lambda: "TEST_" + _generated(_B64URL, 43),
    "Mollie": lambda: "live_" + _generated(ALNUM, 30, digits=3),
    # (a body that reads as a ULID, a request's id, is left by design: about one
    # generated key in 700; the test's key opens past Crockford's timestamp digits)
    "Octopus Deploy": lambda: "API-" + secrets.choice("89") + _generated(_UPPER_ALNUM, 25),
    "dfuse": lambda: "web_" + _generated(_LOWER_ALNUM, 32),
    "Akamai client token": lambda: f"akab-{rnd(_LOWER_ALNUM, 16)}-{rnd(_LOWER_ALNUM, 16)}",
    "Cloudflare Origin CA": lambda: f"v1.0-{rnd(HEX, 24)}-{rnd(HEX, 146)}",
    "Elastic": lambda: "essu_" + rnd(ALNUM + "+/", 80) + "=",
    "1Password service account": lambda: "ops_eyJ" + rnd(_B64URL, 120),
    "Sentry organisation": lambda: "sntrys_eyJ" + rnd(_B64URL, 100),
    "Grafana": lambda: "eyJrIjoi" + rnd(ALNUM, 70),
    "Cloudflare tunnel": lambda: "eyJhIjoi" + rnd(_B64URL, 180),
    "Braintree": lambda: f"access_token$production${rnd(_LOWER_ALNUM, 16)}${rnd(HEX, 32)}",
    "Porkbun": lambda: "pk1_" + rnd(HEX, 64),
    "Porkbun secret": lambda: "sk1_" + rnd(HEX, 64),
    "Ubidots": lambda: "BBFF-" + rnd(ALNUM, 30),
    "Anyscale": lambda: "esecret_" + rnd(_LOWER_ALNUM, 26),
    "Heroku": lambda: "HRKU-AA" + rnd(_B64URL, 58),
    "Heroku (UUID)": lambda: f"HRKU-{uuid.uuid4()}",
    "Lob": lambda: "live_" + rnd(HEX, 35),
    "Appwrite": lambda: "standard_" + rnd(HEX, 256),
    "Convex deploy key": lambda: f"prod:happy-animal-123|{rnd(_B64URL, 60)}",
    "Socket (base64url)": lambda: f"sktsec_{rnd(ALNUM, 20)}-{rnd(ALNUM, 22)}_api",
    "dfuse (hex)": lambda: "web_" + _generated(HEX, 32),
    "Swiftype (lower case)": lambda: "private-" + _generated(_LOWER_ALNUM, 24),
}


def _generated(alphabet: str, n: int, digits: int = 2) -> str:
    """``n`` characters of ``alphabet`` with ``digits`` digits and, where the alphabet
    has them, a capital and a small letter: as a vendor's generated key body is."""
    while True:
        value = rnd(alphabet, n)
        if (
            sum(c.isdigit() for c in value) >= digits
            and (not set(alphabet) & set(string.ascii_uppercase) or not value.islower())
            and (not set(alphabet) & set(string.ascii_lowercase) or not value.isupper())
            and (alphabet != _LOWER_ALNUM or set(value) & set("ghijklmnopqrstuvwxyz"))
        ):
            return value


#: vendors whose short prefix counts only at a word's start (``task_``, ``pre_``)
SHORT_PREFIXED = frozenset(
    {"PostHog personal", "Replicate", "SonarQube", "Resend", "Typeform", "Netlify"}
    | {"Cerebras", "ElevenLabs", "Bitbucket app password", "Notion (legacy)"}
    | {"Doppler service token", "Checkly", "Klaviyo private", "Clearbit", "AfterShip"}
    | {"Builder.io", "RevenueCat", "Pipedream", "Fireworks"}
    | {"Adafruit IO", "Xata", "NetBird", "Deno Deploy", "Honeybadger", "Figma OAuth"}
    | {"Swiftype", "Iyzico", "Chroma", "Voyage AI", "Mandrill", "ShipEngine", "Mollie"}
    | {"Octopus Deploy", "dfuse", "Akamai client token", "Cloudflare Origin CA", "Elastic"}
    | {"Lob", "Appwrite", "Convex deploy key"}
    | {"1Password service account", "Sentry organisation", "dfuse (hex)"}
    | {"Swiftype (lower case)"}
)


_VENDOR_SHAPES = [
    'init("{v}")',
    "value: {v}",
    "here it is {v} thanks",
    '["{v}"]',
    '{{"id": "{v}"}}',
    'headers: {{"X-Foo": "{v}"}}',
    "deploy --config prod {v}",
]
# (glued to the text before it: after a percent-escape, a digit)
_GLUED_SHAPES = ["h/p?next=%2F{v}", "id=42{v}"]


@pytest.mark.parametrize(
    ("vendor", "shape"),
    [
        (vendor, shape)
        for vendor in sorted(VENDOR_KEYS)
        for shape in _VENDOR_SHAPES + ([] if vendor in SHORT_PREFIXED else _GLUED_SHAPES)
    ],
)
def test_a_vendor_key_is_masked_where_nothing_names_it(vendor: str, shape: str) -> None:
    value = VENDOR_KEYS[vendor]()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "re_compile_pattern_cache_size=128",
        "X-API-Key: <redacted> for API-GATEWAY-PRODUCTION-EUROPE-WEST",
        "secret_key_base_rotation_period_in_days_for_tenant",
        f"phc_{'x' * 4} and a PostHog project key, public by design: phc_{{}}",
        'hubspot.init("pat-na1-00000000-0000-0000-0000-000000000000")',
        "PASSED tests/test_http.py::test_HTTP2ConnectionReuseWithProxy3",
        "test_OAuth2LoginFlowWithRefreshTokenRotation42 live_stream_url_for_channel_2024",
        "static/web_8f14e45fceea167a5a36dedd4bea2543.js sk_buff_head pk_id",
        "private-registry-mirror-01 sandbox-environment-2024-eu-west API-GATEWAY-2024",
        "md-5 ck-editor-5 pa-system-v2 TEST_CASE_NUMBER_42 api-gateway-prod-01",
        "v1.0-beta access-production-list sk_live_mode=false",
        "https://acme.notion.site/API-BD80F56CDC1441E6BF6011AB6D852875",
        "env prod: ready; deploy to prod:eu-west-1|done; standard_deviation=0.5",
        "api_version_2_UserServiceClient_handler_v3 esecret_key_rotation",
        "POST https://akab-ab12cd34ef56gh78-ij90kl12mn34op56.luna.akamaiapis.net/ccu/v3",
        "request API-01HF8Z3K9QW2B7XNRT5VDCMJYA done",
        "arn:aws:iam::123456789012:role/s3-access-production-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    ],
)
def test_words_that_start_like_a_vendor_key_stay(text: str) -> None:
    _kept_everywhere(text.replace("{}", "Abc"))


# -- a table whose header names a secret column -------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "service,env,api_key,created\nacme,prod,{v},2024-01-01\nbeta,dev,{w},2024-02-01",
        "name;token;owner\nacme;{v};bob\nbeta;{w};eve",
        "id\tclient_secret\n1\t{v}\n2\t{w}",
        '"name","api_key"\n"acme","{v}"\n"beta","{w}"',
        "User name,Password,Secret access key\nbob,{v},{w}",
        "name,DB_PASSWORD,created\r\nacme,{v},2024-01-01\r\nbeta,{w},2024-02-01",
        "| Service | Key |\n|---|---|\n| Shopify | `{v}` |\n| Mailgun | `{w}` |",
        "| Service | API key | Owner |\n| :--- | :---: | ---: |\n"
        "| a | {v} | bob |\n| b | {w} | eve |",
        "Service | Token\n--- | ---\nShopify | {v}\nMailgun | {w}",
        "service,env,api_key,created\n\nacme,prod,{v},2024\n\nbeta,dev,{w},2024",
        'name,password\n"a","{v}""x"\n"b"," {w}"',
        "service;env;api_key;created;\nacme;prod;{v};2024;\nbeta;dev;{w};2024;",
        ",service,api_key\n0,acme,{v}\n1,beta,{w}",
        "id,Name,Secret Key,Created (UTC)\nrk_1,web,{v},2024\nrk_2,app,{w},2024",
        '"name","notes, internal","api_key"\n"a","x, y","{v}"\n"b","z","{w}"',
    ],
)
def test_values_under_a_secret_column_of_a_table_are_masked(shape: str) -> None:
    v, w = _key(), _key()
    text = shape.format(v=v, w=w)
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak([v, w], out)


@pytest.mark.parametrize(
    "text",
    [
        "key,en,fr\nwelcome_title,Welcome,Bienvenue\nlogout,Log out,Se d\u00e9connecter",
        "id,key\n1,user:1234\n2,user:5678",
        "token,pos,lemma\nrunning,VERB,run",
        "id,public_key,token_type\n1,{v},bearer",
        "Please rotate the old api key, then restart\n{v}, done",
        "name,api_key\nacme,${{ACME_API_KEY}}\nbeta,<your-api-key>",
        "| Shortcut | Key |\n|---|---|\n| Save | `Ctrl+S` |\n| Palette | `Ctrl+Shift+P` |",
        "| Setting | Token |\n|---|---|\n| name | `GITHUB_TOKEN` |\n| scope | `repo` |",
    ],
)
def test_tables_with_no_secret_under_a_secret_column_stay(text: str) -> None:
    _kept_everywhere(text.format(v=_key()))


def test_a_long_export_is_read_to_its_last_row() -> None:
    rows = [(f"site{i}", _key()) for i in range(600)]
    text = "name,url,username,password\n" + "\n".join(
        f"{n},https://{n}.example,me,{p}" for n, p in rows
    )
    for backend in ENGINES:
        assert_no_leak([p for _, p in rows], engine(backend).sanitize(text))


def test_only_the_rows_with_the_headers_fields_are_read() -> None:
    v = _key()
    tail = f"acme,{_key()},prod"  # (three fields: no row of a two-field table)
    text = f"name,api_key\nacme,{v}\n{tail}"
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(v, out)
        assert out.endswith(tail), backend


@pytest.mark.parametrize(
    "shape",
    [
        'mapboxgl.accessToken = "pk.eyJ1{a}.{b}";',
        "MAPBOX_ACCESS_TOKEN=pk.eyJ1{a}.{b}",
    ],
)
def test_a_mapbox_public_token_stays_under_a_secret_name(shape: str) -> None:
    _kept_everywhere(shape.format(a=rnd(ALNUM, 40), b=rnd(ALNUM, 22)))


def test_a_mapbox_secret_token_under_the_same_name_is_masked() -> None:
    value = f"sk.eyJ1{rnd(ALNUM, 40)}.{rnd(ALNUM, 22)}"
    _masked_everywhere(f'mapboxgl.accessToken = "{value}";', value)


def test_a_publishable_key_under_a_secret_name_stays() -> None:
    # (Stripe's, Paystack's and Clerk's publishable keys are public: web pages carry them)
    _kept_everywhere(f'const paymentsKey = "pk_live_{rnd(ALNUM, 40)}";')


@pytest.mark.parametrize(
    "shape",
    [
        "Set `SHOPIFY_API_KEY` to `{v}` in your environment.",
        "Use `api_token` `{v}` for the sandbox.",
        "The `webhook_secret` is `{v}`.",
    ],
)
def test_a_value_after_a_name_in_markdown_backticks_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "Set `SHOPIFY_API_KEY` to `your-shopify-key` in your environment.",
        "The `token` is `bearer`; the `api_key` is `env://SHOP_API_KEY`.",
    ],
)
def test_markdown_backticks_with_no_secret_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "GET https://api.openweathermap.org/data/2.5/weather?q=London&appid={v}",
        "GET https://api.openweathermap.org/data/2.5/forecast?lat=1&lon=2&appId={v}",
        "https://api.map.baidu.com/geocoding/v3/?address=x&output=json&ak={v}",
    ],
)
def test_a_generated_appid_or_ak_in_a_url_is_masked(shape: str) -> None:
    value = rnd(HEX, 32)
    _masked_everywhere(shape.format(v=value), value)


def test_a_numeric_appid_in_a_url_stays() -> None:
    _kept_everywhere("https://graph.example.com/dialog/oauth?appid=1234567890123456&x=1")


def test_a_password_stored_with_keyring_is_masked() -> None:
    value = rnd(ALNUM + "#!", 20)
    _masked_everywhere(f'keyring.set_password("mailjet", "deploy", "{value}")', value)


def test_a_keyring_call_with_no_literal_password_stays() -> None:
    _kept_everywhere('keyring.set_password("svc", "me", getpass.getpass())')


@pytest.mark.parametrize(
    "shape",
    [
        'new SearchClient(endpoint, index, new AzureKeyCredential("{v}"));',
        'client = OpenAIClient(ApiKeyCredential("{v}"))',
        'new TableServiceClient(uri, new AzureNamedKeyCredential("acct01", "{v}"));',
        'AzureSasCredential(\n    "{v}"\n)',
        "const cred = new AzureKeyCredential(`{v}`);",
    ],
)
def test_a_key_given_to_a_credential_object_is_masked(shape: str) -> None:
    value = rnd(string.ascii_lowercase + string.digits, 36)
    _masked_everywhere(shape.format(v=value), value)


def test_a_credential_object_of_a_variable_or_an_account_name_stays() -> None:
    _kept_everywhere('new AzureNamedKeyCredential("storageacct01", key); AzureKeyCredential(k)')


@pytest.mark.parametrize(
    "shape",
    [
        "UPDATE settings SET value = '{v}' WHERE name = 'stripe_secret_key';",
        "UPDATE wp_options SET option_value='{v}' WHERE option_name='mailgun_api_key'",
        "update config set value='{v}', updated_at=now() where key='GITHUB_TOKEN'",
        'UPDATE settings SET value = "{v}" WHERE name = "stripe_secret_key";',
        "UPDATE settings\nSET value = '{v}'\nWHERE name = 'stripe_secret_key';",
        "UPDATE `settings` SET `value` = '{v}' WHERE `name` = 'stripe_secret_key';",
        "UPDATE [dbo].[Settings] SET [Value] = N'{v}' WHERE [Name] = N'StripeSecretKey';",
        "UPDATE settings SET value = E'{v}' WHERE name = 'stripe_secret_key';",
        "UPDATE settings SET value = '{v}' WHERE env = 'prod' AND name = 'stripe_secret_key';",
        "UPDATE settings SET value = '{v}' WHERE name IN ('stripe_secret_key');",
        "UPDATE settings SET value = '{v}'\n-- rotated\nWHERE name = 'stripe_secret_key';",
    ],
)
def test_a_settings_row_updated_by_its_secret_name_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        'buildConfigField "String", "MAPS_API_KEY", "\\"{v}\\""',
        'buildConfigField("String", "THINKIFIC_API_KEY", "\\"{v}\\"")',
        'buildConfigField("String", "MAPS_TOKEN", "\\"${{"{v}"}}\\"")',
        "buildConfigField 'String', 'POLYGON_SECRET', '\"{v}\"'",
        'resValue "string", "google_maps_key", "{v}"',
        'resValue("string", "api_key", "{v}")',
    ],
)
def test_a_gradle_build_field_under_a_secret_name_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        'buildConfigField "String", "BASE_URL", "\\"https://api.example.com/v1\\""',
        'buildConfigField "String", "CACHE_KEY", "\\"{v}\\""',
        'buildConfigField "String", "API_KEY", "\\"${{project.findProperty("API_KEY")}}\\""',
        'buildConfigField "String", "API_KEY", "\\"" + apiKey + "\\""',
        'buildConfigField "String", "API_KEY", "\\"your-api-key-here\\""',
        'resValue "string", "app_name", "My App 2"',
    ],
)
def test_a_gradle_build_field_of_another_name_a_reference_or_a_placeholder_stays(
    shape: str,
) -> None:
    _kept_everywhere(shape.format(v=_key()))


@pytest.mark.parametrize(
    "shape",
    [
        'const client = new Klipfolio("{v}");',
        "const api = new Mailgun('{v}', {{ timeout: 30 }});",
        "$mg = new \\Mailgun\\Mailgun('{v}');",
        'const wallet = new ethers.Wallet("{v}")',
        "var client = new Besttime(`{v}`)",
        'const client = new Affirm("{v16}");',
        'const client = new Mailgun<Config>("{v}");',
        'Mailgun mg = new Mailgun(\n    "{v}");',
    ],
)
def test_an_sdk_built_from_a_literal_under_the_vendors_name_is_masked(shape: str) -> None:
    value = _key()
    short = rnd(ALNUM, 14) + "7Q"
    text = shape.format(v=value, v16=short)
    _masked_everywhere(text, value if value in text else short)


@pytest.mark.parametrize(
    "shape",
    [
        'const id = new ObjectId("{hex24}")',
        'const owner = new PublicKey("{v}")',
        'const raw = new Buffer("{v}", "base64")',
        'new BigNumber("123456789012345678901234")',
        'new File("/usr/local/lib/python3.11/site-packages/x.py")',
        'throw new Error("E_CONNECTION_REFUSED_1234567890")',
        "const client = new Klipfolio(process.env.KLIPFOLIO_KEY)",
        'const client = new Klipfolio("your-api-key-goes-here")',
        'const logger = new Logger("com.example.payments.ServiceImpl")',
        'const user = new User("{uuid}")',
        'new ethers.Contract("0x{hex40}", abi, provider)',
        'const digest = new Sha256("{hex64}")',
        'const head = new Commit("{hex40}")',
        'const n = new BN("123456789012345678901234567890")',
        'const owner = new Pubkey("{v}")',
        'const sri = new Integrity("sha384-{v}")',
        'const s = new Script("main.{hex24}.bundle.js")',
        'const order = new Order("ORD-{hex24}")',
    ],
)
def test_a_constructor_of_an_id_a_public_key_data_or_a_variable_stays(shape: str) -> None:
    _kept_everywhere(
        shape.format(
            v=_key(),
            uuid=uuid.uuid4(),
            hex24=rnd(HEX, 24),
            hex40=rnd(HEX, 40),
            hex64=rnd(HEX, 64),
        )
    )


@pytest.mark.parametrize(
    "shape",
    [
        "api_key=[{v}]",
        "token=({v})",
        "S3_SECRET_KEY=[{v}]",
        "INFO loaded api_key=[{v}] from vault",
        "api_key2=[{v}]",
        "API_KEY_PROD=[{v}]",
        "APP_KEY=[base64:{v}]",
        "api_key=[v1:{v}]",
    ],
)
def test_a_bracketed_base64_value_with_its_padding_is_masked(shape: str) -> None:
    value = base64.b64encode(secrets.token_bytes(32)).decode()
    assert value.endswith("=")
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    ['"Foo_TOKENS": "{v}"', "'Foo_KEYS': '{v}'", 'Foo_KEYS = ["{v}"]', "--BY.KEYS=u12:{v}"],
)
def test_a_list_named_after_a_lower_case_owner_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    ["token: org:app:{v}", "key: org:artifact:1.2.3", "token: org:{v}", "auth: or {v}"],
)
def test_a_word_starting_with_or_is_no_fallback_operator_in_any_engine(text: str) -> None:
    """``or`` falls back on a literal only as a word of its own (``x or "v"``), in every
    engine's gate."""
    value = _key()
    outputs = {engine(backend).sanitize(text.format(v=value)) for backend in ENGINES}
    assert len(outputs) == 1, outputs


@pytest.mark.parametrize(
    "url",
    [
        "https://h/p?X__TOKENS={v}&page=2",
        "https://h/p?API_KEYS={v}&page=2&x=1",
        "https://h/p?API_KEYS={v},{v}&page=2",
        "GET /p?API_KEYS={v},{v}&page=2 HTTP/1.1",
        "https://h/p?api_keys={v},{v}&amp;page=2",
    ],
)
def test_a_list_in_a_url_query_ends_at_the_next_parameter_in_every_engine(url: str) -> None:
    value = _key()
    text = url.format(v=value)
    outputs = {engine(backend).sanitize(text) for backend in ENGINES}
    assert len(outputs) == 1, outputs
    (out,) = outputs
    assert_no_leak(value, out)
    assert "page=2" in out, out


def test_a_list_item_keeps_an_ampersand_that_starts_no_parameter() -> None:
    first, second = _key(), "p&ss" + _key()
    _masked_everywhere(f"API_KEYS={first},{second}", second[4:])


@pytest.mark.parametrize(
    "shape",
    [
        "public_key_passphrase={v}",
        "PUBLIC_KEY_PASSWORD={v}",
        "enable secret {v}",
        "ENABLE_SECRET={v}",
    ],
)
def test_a_key_pairs_password_and_an_enable_secret_are_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape", ["PUBLIC_API_KEY={v}", "public_client_secret={v}", "enable_password=true"]
)
def test_a_public_key_name_and_a_flag_stay(shape: str) -> None:
    _kept_everywhere(shape.format(v=_key()))


@pytest.mark.parametrize(
    "shape", ["api_key=v1:{v}", "SECRET_KEY=v1:{v}", '"access_token": "k2:{v}"', "api_key=ID:{v}"]
)
def test_a_value_after_a_short_prefix_and_a_colon_is_masked(shape: str) -> None:
    value = _key() + "7q"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        "BASIC_AUTH=admin:{v}",
        "credentials=bob:{v}",
        "API_TOKEN=prod:{v}",
        'token = "live:{v}"',
        "{{'auth': 'admin:{v}'}}",
        "PROXY_AUTH = svc-ci:{v}",
        "JIRA_AUTH=bob@example.com:{v}",
        "ZENDESK_AUTH=bob@acme.io/token:{v}",
        "API_TOKEN=prod:v2:{v}",
        "GITHUB_TOKEN=x:y:{v}",
        "API_TOKEN=admin::{v}",
    ],
)
def test_a_short_word_a_colon_and_a_generated_value_are_masked(shape: str) -> None:
    """A user and a password, a stage and a key: the word before the ``:`` is any."""
    # (a digit first: no identifier opens so, which a random value reads as one in 1,000)
    value = rnd(string.digits, 1) + rnd(ALNUM, 8) + "7q" + rnd(ALNUM, 3)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        '{{"key": "user:926382"}}',
        "api_key=user:12345678901234567890",
        "api_key=v1:your-api-key-goes-here-xx",
        "cache_key=user:ab12cd tenant=42",
        "api_key=env://OPENROUTER_API_KEY",
        "token: redis:6379",
        "contact=bob@acme.io:8080",
    ],
)
def test_an_id_after_a_word_and_a_colon_stays(shape: str) -> None:
    _kept_everywhere(shape.format())


@pytest.mark.parametrize(
    "shape",
    [
        "nuget push a.nupkg -k {v}",
        "nuget push a.nupkg /ApiKey {v}",
        "dotnet nuget push pkg.nupkg --api-key {v} --source https://api.nuget.org/v3/index.json",
        "nuget push a.nupkg \\\n  -Source x \\\n  -k {v}",
    ],
)
def test_a_nuget_key_on_its_command_line_is_masked(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        "twine upload -u __token__ -p {v} dist/*",
        "poetry publish --build -u __token__ -p {v}",
        "vsce publish -p {v}",
        "vsce login acme -p {v}",
        "ovsx publish -p={v}",
        "sqlcmd -S db -U sa -P {v} -Q 'select 1'",
        "htpasswd -b .htpasswd bob {v}",
        "htpasswd -c -bB /etc/nginx/.htpasswd bob {v}",
        "doctl auth init -t {v}",
        "codecov -t {v} -f coverage.xml",
        "cargo login {v}",
        "cargo login --registry acme {v}",
        "choco push pkg.nupkg -k {v}",
        "choco apikey -k {v} -s https://push.chocolatey.org/",
        "nuget push a.nupkg {v} -Source https://api.nuget.org/v3/index.json",
        "poetry config pypi-token.pypi {v}",
        "poetry config http-basic.acme bob {v}",
        "gh auth login --with-token <<< {v}",
        "consul acl set-agent-token agent {v}",
        "bw unlock {v}",
        "rsync --password-file=<(echo {v}) -a src/ host::mod",
        "ansible-vault decrypt --vault-password-file <(echo -n {v}) vars.yml",
        'ansible-vault view --vault-password-file <(echo "{v}") a.yml',
        "gpg --passphrase-file <(printf '%s' {v}) -d f.gpg",
        "vsce publish --pat {v}",
        "ovsx create-namespace acme -p {v}",
        "twine.exe upload -p {v} dist/*",
        "cargo.exe login {v}",
        "cargo +nightly login {v}",
        "cargo login -- {v}",
        "nuget.exe push a.nupkg {v}",
        "nuget delete Acme.Lib 1.0.0 {v}",
        "htpasswd -nb bob {v}",
        "htpasswd -b -B -C 10 .htpasswd bob {v}",
        "bw unlock --raw {v}",
        "bw login bob@acme.io {v}",
        "codecovcli upload-process -t {v}",
        "bash <(curl -s https://codecov.io/bash) -t {v}",
    ],
)
def test_a_token_or_password_on_a_publishing_or_login_command_line_is_masked(
    shape: str,
) -> None:
    value = _key() + "7q"
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "twine upload -p $PYPI_TOKEN dist/*",
        "codecov -t ${CODECOV_TOKEN}",
        "docker build -t registry.example.com/acme/api:2024.11.3 .",
        "cargo login",
        "cargo login --registry acme",
        "bw unlock --passwordenv BW_PASSWORD",
        "nuget push a.nupkg -Source https://api.nuget.org/v3/index.json",
        "choco install git -y --no-progress",
        "poetry config virtualenvs.in-project true",
        "htpasswd -c /etc/nginx/.htpasswd bob",
        "consul acl set-agent-token agent $CONSUL_TOKEN",
        "rsync --password-file=<(echo $RSYNC_PASSWORD) -a src/ host::mod",
        "poetry config pypi-token.pypi --unset",
        "nuget push Acme.Lib.1.2.3.nupkg Acme.Lib.1.2.3.snupkg",
        "git commit -t msg.txt",
    ],
)
def test_a_publishing_or_login_command_without_a_literal_secret_stays(text: str) -> None:
    _kept_everywhere(text)


def test_a_nuget_key_from_a_variable_and_curls_insecure_flag_stay() -> None:
    _kept_everywhere("nuget push a.nupkg -k $NUGET_KEY; curl -k https://example.com/abcdef")


@pytest.mark.parametrize(
    "shape",
    [
        'requests.get(url, headers={{"X-JFrog-Art-Api": "{v}"}})',
        'curl -H "X-Honeycomb-Team: {v}" https://api.honeycomb.io/1/auth',
        'req.Header.Set("X-Honeycomb-Team", "{v}")',
        "x-honeycomb-team: {v}",
        '@Headers("X-JFrog-Art-Api: {v}")',
        "proxy_set_header X-Honeycomb-Team {v};",
        'req["X-Honeycomb-Team"] = "{v}"',
        "repr([(b'x-honeycomb-team', b'{v}')])",
        '{{"msg": "{{\\"X-Honeycomb-Team\\": \\"{v}\\"}}"}}',
        "fetch(u, {{headers: {{`X-JFrog-Art-Api`: `{v}`}}}})",
    ],
)
def test_a_vendor_header_without_a_secret_word_is_masked(shape: str) -> None:
    value = rnd(_LOWER_ALNUM, 20) + rnd(string.digits, 2) + rnd(_LOWER_ALNUM, 10)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        "COSMOS_PRIMARY_KEY={v}",
        '"primaryKey": "{v}"',
        "primary_key: {v}",
        "SERVICEBUS_SECONDARY_KEY = '{v}'",
        "PrimaryKey   : {v}",
        "<primaryKey>{v}</primaryKey>",
        "COSMOS_PRIMARY_KEY {v}",
        "| PrimaryKey | {v} |",
        "az servicebus namespace update --primary-key {v}",
        '[{{"creationTime": "2024-01-01T00:00:00Z", "keyName": "key1", "permissions": "FULL",'
        ' "value": "{v}"}}]',
        '[\n  {{\n    "keyName": "key2",\n    "permissions": "FULL",\n    "value": "{v}"\n  }}\n]',
        '{{\\"primaryMasterKey\\": \\"{v}\\"}}',
    ],
)
@pytest.mark.parametrize("size", [64, 32])
def test_an_azure_primary_or_secondary_key_is_masked(shape: str, size: int) -> None:
    value = base64.b64encode(secrets.token_bytes(size)).decode()
    _masked_everywhere(shape.format(v=value), value)


def test_a_table_s_primary_key_stays() -> None:
    _kept_everywhere("INSERT ... primary_key=42; primaryKey: user_id; PRIMARY_KEY=order_id")


def test_a_vendor_header_read_from_the_environment_stays() -> None:
    _kept_everywhere('headers = {"X-Honeycomb-Team": process.env.HONEYCOMB_API_KEY}')


def test_a_jwt_query_parameter_is_masked() -> None:
    value = _key()
    _masked_everywhere(f"GET https://api.example.com/v2/data?jwt={value}&page=1", value)


def _marked_letters(n: int) -> str:
    """``n`` random letters of both cases with two capitals in a row somewhere; drawn
    again in the few cases (0.2-0.4%) whose letters read as words glued together."""
    from openrouter_secure._sanitize._context import _random_letters

    while True:
        value = rnd(string.ascii_letters, n)
        if (
            re.search("[A-Z][A-Z]", value)
            and not value.isupper()
            and _random_letters(value, lower=False)
        ):
            return value


@pytest.mark.parametrize("shape", ['token: "{v}"', "api_key={v}", '{{"client_secret": "{v}"}}'])
@pytest.mark.parametrize("size", [16, 18])
def test_random_letters_in_mixed_case_from_16_are_masked(shape: str, size: int) -> None:
    value = _marked_letters(size)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text",
    [
        "token: MissingDependencyError",
        "api_key=HTTPSConnectionPool",
        'token = "getApiKeyFromEnv"',
        "error=ConnectionResetErrorX",
        # (no mark, as Hyperscan's gate reads one: the same in every engine)
        "roboflow-token=JhdfLrtSvskwJdgPwvnR",
    ],
)
def test_identifiers_and_unmarked_letter_runs_stay_in_every_engine(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "value",
    [
        "NoCredentialsError",
        "IDisposableResource",
        "OAuthCallbackHandler",
        "SAMLIdPMetadata",
        "PyPIUploadToken",
        "mTLSClientCertificate",
        "kSecAttrAccessible",
        "AmazonS3ReadOnlyAccess",
        "Http2Connection",
        "IPv6AddressValidator",
        "X509CertificateLoader",
        "K8sSecretRef",
    ],
)
@pytest.mark.parametrize("shape", ["token: {v}", 'api_key = "{v}"', '{{"credentials": "{v}"}}'])
def test_identifiers_glued_to_acronyms_and_numbers_stay(shape: str, value: str) -> None:
    _kept_everywhere(shape.format(v=value))


@pytest.mark.parametrize("value", ["Summer2024Rocks", "IDisposableResource"])
def test_under_a_password_name_a_glued_identifier_is_still_a_password(value: str) -> None:
    _masked_everywhere(f"DB_PASSWORD={value}", value)


@pytest.mark.parametrize("alphabet", [ALNUM, string.ascii_letters])
@pytest.mark.parametrize("size", [12, 20])
def test_random_values_seldom_read_as_glued_identifiers(alphabet: str, size: int) -> None:
    from openrouter_secure._sanitize import _context

    def lost(value: str) -> bool:
        """Generated, and kept only because it reads as a glued identifier."""
        return (
            _context._glued_identifier(value)
            and _context.looks_generated(value)
            and not _context.is_identifier(value)
            and not _context._random_letters(value, lower=False)
        )

    values = [rnd(alphabet, size) for _ in range(4000)]
    assert sum(map(lost, values)) <= 16  # 0.4%; 0.01-0.1% measured


@pytest.mark.parametrize(
    "text",
    [
        "image_key=postgres:16.2",
        "s3_key=postgres:16.2-alpine",
        "token=python:3.12-slim",
        "image_key=ghcr.io/acme/app:v1.2.3",
        "auth=bitnami/postgresql:16.2.0-debian-12-r5",
        "key=registry.example.com:5000/team/node:20-bookworm",
    ],
)
def test_a_container_image_and_its_version_tag_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("head", ["prod:", "prod:2024-", "ci:1.2-"])
def test_a_token_after_a_stage_is_no_image_tag(head: str) -> None:
    value = head + rnd(HEX, 24)
    _masked_everywhere(f"API_TOKEN={value}", value[value.rindex(":") + 1 :])


def _app_password(groups: int, alphabet: str = string.ascii_lowercase) -> str:
    """An application password as Google (four groups of letters) and WordPress (six
    of letters and digits) show one; drawn again in the few cases (about 0.3% of four
    groups of letters) whose letter pairs read as words."""
    from openrouter_secure._sanitize._context import _generated_groups

    while True:
        value = " ".join(rnd(alphabet, 4) for _ in range(groups))
        if _generated_groups(value):
            return value


@pytest.mark.parametrize(
    "shape",
    [
        "GMAIL_APP_PASSWORD={v}",
        "smtp_password: {v}\nsmtp_user: bob",
        'token: "{v}"',
        "WORDPRESS_TOKEN={v}",
        "X-WordPress-Api-Key: {v}",
        '{{"token": "{v}"}}',
        "Using token {v} for request",
        "app_password={v} # rotated",
    ],
)
@pytest.mark.parametrize("groups", [4, 6])
def test_an_application_password_in_groups_is_masked(shape: str, groups: int) -> None:
    value = _app_password(groups, string.ascii_lowercase if groups == 4 else ALNUM)
    text = shape.format(v=value)
    _masked_everywhere(text, value)
    for part in value.split(" "):
        _masked_everywhere(text, part + " ")  # (no group survives the mask)


@pytest.mark.parametrize(
    "text",
    [
        "token: that have been with",
        'api_key = "this will work fine"',
        "Using token that have been with for request",
        # (the placeholder vendors' docs show, under any name)
        "api_key = abcd efgh ijkl mnop",
        "smtp_password: abcd efgh ijkl mnop",
        "GMAIL_APP_PASSWORD=xxxx xxxx xxxx xxxx",
    ],
)
def test_words_and_placeholders_in_groups_of_four_stay(text: str) -> None:
    _kept_everywhere(text)


def test_text_after_an_application_password_stays() -> None:
    value = _app_password(4)
    out = engine("hyperscan").sanitize(f"app_password={value} # rotated 2024")
    assert value not in out
    assert out.endswith("=***MASKED*** # rotated 2024")


@pytest.mark.parametrize("shape", ['#define NAVER_API_KEY "{v}"', "#  define API_TOKEN  {v}"])
def test_a_c_preprocessor_constant_is_an_assignment(shape: str) -> None:
    value = rnd(string.ascii_uppercase, 3) + rnd(string.digits, 3) + rnd(string.ascii_lowercase, 6)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize("text", ['#define API_KEY_HEADER "X-Api-Key"', "#define TOKEN_LEN 32"])
def test_a_c_preprocessor_constant_that_is_no_secret_stays(text: str) -> None:
    _kept_everywhere(text)


def _passphrase() -> str:
    return " ".join(rnd(string.ascii_lowercase, 7) for _ in range(4))


@pytest.mark.parametrize(
    "shape",
    [
        "password: {v}",
        "  db_password: {v} # rotated\nuser: bob",
        "DB_PASSWORD={v}",
        "spring.datasource.password={v}",
        "export SMTP_PASSWORD={v}\n",
        "[db]\npassword = {v}\n",
    ],
)
def test_a_passphrase_as_a_lines_value_is_masked_whole(shape: str) -> None:
    value = _passphrase()
    text = shape.format(v=value)
    for word in value.split(" "):
        _masked_everywhere(text, word)


def _short_first_passphrase() -> str:
    """A passphrase whose first word is short, as diceware lists hold many (random
    letters, drawn again in the few cases that hold a word a note would)."""
    from openrouter_secure._sanitize._context import _PROSE_WORD

    while True:
        value = " ".join(
            rnd(string.ascii_lowercase, size) for size in (secrets.choice((3, 4, 5)), 7, 6, 8)
        )
        if _PROSE_WORD.search(value) is None:
            return value


@pytest.mark.parametrize(
    "shape",
    [
        "password: {v}",
        "DB_PASSWORD={v}",
        "DB_PASSWORD={v} ; rotated in May",
        "passphrase = {v}\t# the old one",
        "ENV DB_PASSWORD={v}",
        "ARG SIGNING_PASSWORD={v}",
        "set SMTP_PASSWORD={v}",
        "<password>{v}</password>",
    ],
)
def test_a_passphrase_whose_first_word_is_short_is_masked_whole(shape: str) -> None:
    value = _short_first_passphrase()
    text = shape.format(v=value)
    for word in value.split(" "):
        _masked_everywhere(text, word)


@pytest.mark.parametrize(
    "text",
    [
        "password: please change this value",
        "password: required for all users",
        "password: see the docs below",
        "Password: Must contain eight characters",
        "<password>please change this value</password>",
    ],
)
def test_a_note_under_a_password_name_stays(text: str) -> None:
    """A line of words that holds two words prose is made of (``the``, ``for``,
    ``this``), or one after a short first word, is a note, not a passphrase."""
    _kept_everywhere(text)


def test_a_passphrase_holding_one_word_of_prose_is_masked() -> None:
    """Diceware lists hold ``and``, ``it``, ``can``: one such word among long ones is a
    passphrase's."""
    words = [rnd(string.ascii_lowercase, 7), rnd(string.ascii_lowercase, 6), "and"]
    value = " ".join([*words, rnd(string.ascii_lowercase, 8)])
    for word in value.split(" "):
        _masked_everywhere(f"password: {value}", word)


@pytest.mark.parametrize(
    "text", ["password: aaaa bbbb cccc dddd", "<password>aaaa bbbb cccc dddd</password>"]
)
def test_groups_of_one_repeated_letter_stay_under_a_password_name(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "<password>{v}</password>",
        "<SmtpPassword>{v}</SmtpPassword>",
        "<apiKey>{v}</apiKey>",
        '<add key="SmtpPassword" value="{v}" />',
    ],
)
def test_an_application_password_as_an_elements_content_is_masked(shape: str) -> None:
    value = _app_password(4)
    text = shape.format(v=value)
    for part in value.split(" "):
        _masked_everywhere(text, part)


@pytest.mark.parametrize(
    "text", ["<token>that have been with</token>", "<password>abcd efgh ijkl mnop</password>"]
)
def test_words_and_placeholders_in_groups_as_an_elements_content_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        '#define API_KEY L"{v}"',
        '#define API_KEY u8"{v}"',
        'const wchar_t* token = L"{v}";',
        'auto secret = u"{v}";',
        'password = U"{v}"',
        "apiKey=L'{v}'",
        '{{"line": "api_key = L\\"{v}\\";"}}',
        '"src": "#define API_KEY u8\\"{v}\\""',
    ],
)
def test_a_c_string_literals_prefix_opens_a_value(shape: str) -> None:
    value = _generated(ALNUM, 32)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        'static const char API_KEY[] = "{v}";',
        'char token[33] = "{v}";',
        'static char clientSecret[64] = L"{v}";',
        'char token[TOKEN_LEN] = "{v}";',
        'api_key[i] = "{v}";',
        '{{"line": "const char API_KEY[] = \\"{v}\\";"}}',
    ],
)
def test_a_c_arrays_name_is_read_with_its_brackets(shape: str) -> None:
    value = _generated(ALNUM, 32)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text", ['char key[] = "hello";', "int keys[4] = {1, 2, 3, 4};", "keys[i] = value;"]
)
def test_a_c_array_of_no_secret_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "image_key: ghcr.io/acme/app:sha-{h7}",
        "image_key: ghcr.io/acme/app:sha-{h40}",
        "IMAGE_TOKEN=registry.example.com/team/app:pr-1234",
        "deploy_key=quay.io/acme/worker:main-{h7}",
        "image_key=acme/app@sha256:{h64}",
    ],
)
def test_an_image_a_ci_built_stays(text: str) -> None:
    _kept_everywhere(
        text.format(
            h7=secrets.token_hex(4)[:7], h40=secrets.token_hex(20), h64=secrets.token_hex(32)
        )
    )


@pytest.mark.parametrize(
    "value", ["prod:sha-{h}", "sha-{h}", "acme:sha-{h}", "x/y:sha-{h}", "x/y@sha256:{h}{h}"]
)
def test_a_token_shaped_as_a_ci_tag_without_a_repository_is_masked(value: str) -> None:
    token = value.format(h=secrets.token_hex(20))
    _masked_everywhere(f"API_TOKEN={token}", token.rpartition("-")[2])


@pytest.mark.parametrize(
    "shape",
    [
        '<apiKey encrypted="false">{v}</apiKey>',
        '<api_key type="string">{v}</api_key>',
        '<ns2:clientSecret id="1">{v}</ns2:clientSecret>',
        '<SmtpPassword encrypted="true">{v}</SmtpPassword>',
    ],
)
def test_an_element_named_by_a_compound_name_with_attributes_is_read(shape: str) -> None:
    value = rnd(HEX, 40)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize(
    "text", ['<apiKey name="x">see the docs</apiKey>', '<input type="password" name="pw">']
)
def test_an_element_with_attributes_and_no_secret_stays(text: str) -> None:
    _kept_everywhere(text)


def test_every_engine_reads_a_long_compound_element_name_with_attributes_alike() -> None:
    """Up to 25 characters are read before the word (as Hyperscan's gate does): a longer
    name with attributes is read by no engine."""
    value = rnd(ALNUM, 32)
    text = f'<myCompanyInternalServiceApiKey a="b">{value}</myCompanyInternalServiceApiKey>'
    assert len({engine(b).sanitize(text) for b in ENGINES}) == 1


@pytest.mark.parametrize("name", ["DOCSAUTH", "TWILIOAUTH", "SHOPAUTH"])
def test_an_upper_case_name_glued_to_auth_names_a_secret(name: str) -> None:
    value = rnd(HEX, 40)
    _masked_everywhere(f'{name}="{value}"', value)


@pytest.mark.parametrize(
    "name",
    ["NOAUTH", "OAUTH", "PUBLICKEY", "CACHEKEY", "PUBLICTOKEN", "NOKEY", "ISKEY", "FAKEKEY"],
)
def test_an_upper_case_name_glued_to_a_word_that_owns_no_secret_stays(name: str) -> None:
    _kept_everywhere(f"{name}={rnd(HEX, 40)}")


@pytest.mark.parametrize("text", ["DB_PASSWORD=PRODUCTIONDATABASE", "PASSWORD=KUBERNETESDASHBOARD"])
def test_capital_words_under_a_password_name_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "Login failed password: correct horse battery staple",
        "password_policy: correct horse battery staple",
        "token: correct horse battery staple",
    ],
)
def test_words_after_a_name_inside_a_line_or_not_a_passwords_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        'Sentry.init({{ dsn: "https://{v}@o687204.ingest.sentry.io/3205775" }});',
        "SENTRY_DSN=https://{v}@o1.ingest.us.sentry.io/42",
        "dsn = 'https://{v}@sentry.io/1'",
        "SENTRY_DSN=https://{v}@o1.ingest.sentry.io/2/",
        "SENTRY_DSN=https://{v}@O1.INGEST.SENTRY.IO/2",
    ],
)
def test_a_sentry_dsns_public_key_stays(text: str) -> None:
    _kept_everywhere(text.format(v=rnd(HEX, 32)))


def test_a_token_in_a_git_remote_at_sentry_io_is_masked() -> None:
    """Only a DSN's path is its project's number: a repository's is not one."""
    token = rnd(HEX, 32)
    _masked_everywhere(f"git remote add origin https://{token}@git.sentry.io/team/app.git", token)


@pytest.mark.parametrize("name", ["DROPBOXPASSPHRASE", "METRICSPASSPHRASE"])
def test_an_upper_case_name_glued_to_passphrase_names_a_secret(name: str) -> None:
    value = rnd(ALNUM, 20) + rnd(string.digits, 2)
    _masked_everywhere(f'{name}="{value}"', value)


def test_a_five_letter_run_in_a_random_value_is_no_identifiers_word() -> None:
    """A word of an identifier has six letters or more, its capital counted: a random
    value's run of five small letters (``iarie...``) is none."""
    value = "iarie" + "OHGU06" + rnd(string.ascii_uppercase, 4) + "s7Dyww" + rnd(string.digits, 3)
    _masked_everywhere(f'{{"access-token": "{value}"}}', value)


def test_a_sentry_dsns_legacy_secret_is_masked() -> None:
    secret = rnd(HEX, 32)
    _masked_everywhere(f"SENTRY_DSN=https://{rnd(HEX, 32)}:{secret}@sentry.io/1", secret)


@pytest.mark.parametrize(
    "shape",
    [
        "| TOKEN_PROD set to {v}\n",
        "--AUTH_TOKEN_V2 set to {v}\n",
        "db_password2 was set to {v}!",
        "api_token_value is now {v}",
        "DB_PASSWORD_PROD set to {v}",
    ],
)
def test_a_log_verb_after_a_name_with_digits_or_a_suffix(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize("word", ["auth", "Auth", "AUTH", "pwd", "token"])
@pytest.mark.parametrize("before", ["", "x" * 30 + " ", "line one\nENV "])
def test_a_log_verb_after_a_secret_word_anywhere_in_a_text(word: str, before: str) -> None:
    """(Hyperscan 5.4 lost ``auth set to v`` past a text's first dozen characters when
    the words were written case-insensitive.)"""
    value = _key()
    _masked_everywhere(f"{before}{word} set to {value};", value)


@pytest.mark.parametrize(
    "shape",
    ["AUTH_TOKEN_V2=[ {v}].", "TOKEN_PROD=( {v} )", "api_token2=[ {v} ]", "AUTH_TOKEN_V2=[{v} ]."],
)
def test_every_engine_reads_a_bracket_with_blanks_after_a_suffixed_name_alike(shape: str) -> None:
    text = shape.format(v=_key())
    _alike_everywhere(text)


@pytest.mark.parametrize("before", ['{"msg": "key\\n', "id=42", "_", "abc"])
def test_a_firebase_server_key_glued_to_the_text_before_it_is_masked(before: str) -> None:
    key = "AAAA" + rnd(ALNUM, 7) + ":APA91b" + rnd(ALNUM + "_-", 134)
    _masked_everywhere(before + key + '"}', key[4:])


@pytest.mark.parametrize(
    ("shape", "groups"),
    [
        ("GMAIL_APP_PASSWORD={v}", 4),
        ('{{"token": "{v}"}}', 8),
        ("Using token {v} for request", 7),
        ("Using password {v} for login", 4),
        ("The password is {v}.", 4),
        ('server.login("bob@gmail.com", "{v}")', 4),
        ('curl -u "bob:{v}" https://blog.example.com/wp-json/wp/v2/posts', 6),
        # (a run's character right after the last group: ``.``, ``&``)
        ("const credentials is {v}.", 4),
        ("apiKey = {v}&x=1", 4),
    ],
)
def test_an_application_password_in_more_forms_is_masked_whole(shape: str, groups: int) -> None:
    value = _app_password(groups)
    text = shape.format(v=value)
    for group in value.split(" "):
        _masked_everywhere(text, group)


def test_an_application_password_with_tabs_between_its_groups_is_masked() -> None:
    value = _app_password(4).replace(" ", "\t")
    _masked_everywhere(f"GMAIL_APP_PASSWORD={value}", value[-4:])


@pytest.mark.parametrize(
    "text", ["token: aaaa bbbb cccc dddd", 'server.login("admin", "login failed")']
)
def test_repeated_letters_and_messages_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "Using password ( {v} )",
        "Using password [ {v} ]",
        "PassWord set to {v}",
        "passPhrase is now {v}",
        "dbPassWord changed to {v}",
        "GH_PAT set to {v}",
        "AZURE_SAS is now {v}",
    ],
)
def test_more_log_verbs_and_brackets_after_secret_names(shape: str) -> None:
    value = _key()
    _masked_everywhere(shape.format(v=value), value)


def test_a_properties_files_escaped_colon_in_a_firebase_server_key() -> None:
    key = "AAAA" + rnd(ALNUM, 7) + "\\:APA91b" + rnd(ALNUM + "_-", 134)
    _masked_everywhere(f"FCM_SERVER_KEY={key}", key[14:])


@pytest.mark.parametrize("size", [16, 18])
def test_lower_case_random_letters_under_a_password_name_from_16(size: int) -> None:
    """(Google's application passwords written without their blanks)"""
    from openrouter_secure._sanitize._context import _random_letters

    while not _random_letters(value := rnd(string.ascii_lowercase, size), lower=True):
        pass
    _masked_everywhere(f"GMAIL_APP_PASSWORD={value}", value)


def test_twelve_groups_are_masked_whole() -> None:
    value = _app_password(12)
    text = f"GMAIL_APP_PASSWORD={value}"
    _masked_everywhere(text, value[-9:])


@pytest.mark.parametrize(
    "text",
    [
        "DB_PASSWORD=kubernetesdashboard",
        "Signing key: ABCD 1234 EF56 7890 ABCD  1234 EF56 7890 ABCD 1234",
        "token: 1234 5678 9012 3456",
    ],
)
def test_words_fingerprints_and_numbers_in_groups_stay(text: str) -> None:
    _kept_everywhere(text)


def test_random_letters_after_a_version_are_no_image_tag() -> None:
    value = f"app:1.2-{rnd('qxzjkvw', 6)}{rnd(string.digits, 3)}"
    _masked_everywhere(f"token={value}", value[4:])


@pytest.mark.parametrize(
    "shape",
    [
        "Your app password for your device: {v}",
        "Password for 'https://bob@example.com': {v}",
        "auth token loaded: {v}",
    ],
)
def test_an_application_password_after_a_logs_words_is_masked_whole(shape: str) -> None:
    value = _app_password(4)
    text = shape.format(v=value)
    for group in value.split(" "):
        _masked_everywhere(text, group)


@pytest.mark.parametrize(
    "shape",
    [
        "POSTGRES_PASSWORD=${{POSTGRES_PASSWORD:-{v}}}",
        'export API_TOKEN="${{API_TOKEN:-{v}}}"',
        "token: ${{TOKEN:={v}}}",
        "x ${{TOKEN={v}}} y",
    ],
)
def test_a_shells_default_for_a_secret_variable_is_masked_to_its_brace(shape: str) -> None:
    v = _key()
    text = shape.format(v=v)
    _masked_everywhere(text, v)
    for backend in ENGINES:
        assert engine(backend).sanitize(text) == text.replace(v, MASK), backend


def test_a_password_default_holding_a_dollar_is_masked() -> None:
    v = "Xk7#pQ2$" + rnd(ALNUM, 12)
    _masked_everywhere(f"DB_PASSWORD=${{DB_PASSWORD:-{v}}}", v)


@pytest.mark.parametrize(
    "text",
    [
        "LOG_LEVEL=${LOG_LEVEL:-debug} REGION=${REGION:-eu-west-1}",
        "API_KEY=${API_KEY:-changeme} TOKEN=${TOKEN:-<your-token>}",
        "key=${API_KEY:?API_KEY must be set} args=${TOKEN:+--token $TOKEN}",
        "SECRET_KEY=${SECRET_KEY:-${FALLBACK_SECRET_KEY}}",
    ],
)
def test_shell_defaults_that_are_no_secret_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("escape", ["\\u003d", "%253D", "\\u0020"])
def test_a_jwt_after_a_json_or_twice_percent_escape_is_masked(escape: str) -> None:
    def part(n: int) -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(n)).decode().rstrip("=")

    token = f"eyJ{part(24)}.eyJ{part(48)}.{part(32)}"
    _masked_everywhere(f'{{"redirect": "https://app.example/cb?id_token{escape}{token}"}}', token)


@pytest.mark.parametrize(
    "text",
    [
        # public keys, their types and fingerprints
        "host,ssh_host_key,added\nweb-1.example.com,SHA256:{b43},2024-04-10",
        "ssh_host_key: SHA256:{b43}",
        "host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{b43}",
        "MD5:{md5}",
        "VITE_POSTHOG_KEY=phc_{alnum43}",
        # git's signing key is a GPG key's id; gpg names a key by its algorithm
        "\tsigningkey = {HEX16}",
        "git config --global user.signingkey {HEX16}",
        "gpg:                using RSA key {HEX40}",
        # a test runner's verdict
        "--- PASS: TestOrderCheckout/case_1 (0.10s)",
        "PASS: tests/test_order.py::test_create",
        "PASS: t/00-load.t",
        "PASS  src/components/App.test.tsx (5.123 s)",
        # the names of secrets kept elsewhere
        "existingSecret: ingest-secret-v2",
        "existingSecret: app-db",
        "gcloud secrets versions access latest --secret=api-gateway-api-key",
        # an interface's text under a password's name
        '  "password": "Enter your password",',
        '  "forgotPassword": "Forgot password?",',
        '"password": "Mot de passe",',
        # a placeholder under a password's name
        "DB_PASSWORD: sk-or-v1-your-key-here",
        "webhook_secret: insert-your-secret-here-1",
        # cookies that count visits or pin a load balancer's target
        "Cookie: _ga=GA1.2.{n10}.{n10}; _gid=GA1.2.{n10}.{n10}; theme=dark",
        "Cookie: _fbp=fb.1.{n13}.{n10}; _gcl_au=1.1.{n10}.{n10}",
        "Set-Cookie: AWSALB={b43}; Expires=Tue, 10 Dec 2026 10:00:00 GMT; Path=/",
    ],
)
def test_what_is_public_or_names_a_secret_elsewhere_stays(text: str) -> None:
    digits = string.digits
    text = text.format(
        b43=rnd(ALNUM + "+/", 43),
        md5=":".join(rnd("0123456789abcdef", 2) for _ in range(16)),
        hex64=rnd(HEX, 64),
        alnum43=rnd(ALNUM, 43),
        HEX16=rnd("0123456789ABCDEF", 16),
        HEX40=rnd("0123456789ABCDEF", 40),
        n10=rnd(digits, 10),
        n13=rnd(digits, 13),
    )
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "PASS: {v}",
        "PASS=Xk7{v}",
        "--- PASS: TestLogin (0.00s) password={v}",
        "hmac_verify_key={v}",
        "webhook_signingkey={v}",
        "existingSecret: Xk7#{v}",
        "gpg: using RSA key {v}",
        "the password is ywuhT2={v}",
        "signingKey: {v}",
        "SIGNING_KEY={v}",
        "secret: my-{v}",
        'password: "correct horse battery staple {v}"',
        "Cookie: _ga=GA1.2.1234567.1715682067; sid={v}",
    ],
)
def test_secrets_beside_those_shapes_are_still_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "name", ["pgpassword", "mysqlpassword", "rootpasswd", "PGPASSWORD", "mysqlpwd", "pgpass"]
)
def test_a_password_word_glued_after_its_owner_names_a_password(name: str) -> None:
    v = "Xk7#" + rnd(ALNUM, 16)
    _masked_everywhere(f'{{"{name}": "{v}"}}', v)


@pytest.mark.parametrize(
    "name", ["nopassword", "haspassword", "forgotpassword", "resetpassword", "bypass", "compass"]
)
def test_a_password_word_glued_after_a_negation_or_a_verb_names_none(name: str) -> None:
    _kept_everywhere(f"{name}=Xk7pQ2zr9LmWv")


def _validation_error(key: str, **fields: str) -> str:
    pydantic = pytest.importorskip("pydantic")

    model = pydantic.create_model(  # a field that takes no value of this length
        "Settings", **{name: (str, pydantic.Field(max_length=8)) for name in fields}
    )
    try:
        model(**fields)
    except pydantic.ValidationError as error:
        return str(error)
    raise AssertionError("no validation error")


@pytest.mark.parametrize("name", ["stripe_secret_key", "db_password", "api_token"])
@pytest.mark.parametrize("length", [20, 40, 120])
def test_pydantics_echo_of_a_secret_fields_input_is_masked(name: str, length: int) -> None:
    v = rnd(ALNUM, length)
    text = _validation_error(v, **{name: v})
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert "input_value='***MASKED***'" in out, (backend, out)
        for i in range(len(v) - 7):
            assert v[i : i + 8] not in out, backend


def test_pydantics_echo_in_a_json_log_line_is_masked() -> None:
    v = rnd(ALNUM, 40)
    _masked_everywhere(json.dumps({"error": _validation_error(v, db_password=v)}), v)


def test_pydantics_echo_under_a_field_that_names_no_secret_stays() -> None:
    _kept_everywhere(_validation_error("x", region=rnd(ALNUM, 32)))


@pytest.mark.parametrize(
    "shape",
    [
        '<meta name="stripe-secret-key" content="{v}">',
        "<meta content='{v}' name='api_token' />",
        '<meta charset="utf-8">\n<meta property="app:api-key" content="{v}"/>',
    ],
)
def test_a_meta_tags_content_under_a_secrets_name_is_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "loaded consumerSecret from vault: {v}",
        "loaded TWILIO_AUTH_TOKEN from vault: {v}",
        "read api key from file /etc/app/key: {v}",
        "loaded key from vault: {v}",
        "password retrieved from keyring: {v}",
        "API key loaded from env: {v}",
        "api key from cache: {v}",
    ],
)
def test_where_a_secret_was_read_between_its_name_and_a_colon(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "loaded api_key from vault: ok",
        "token from cache: expired",
        "token lookup from cache: {u}",
    ],
)
def test_words_read_from_somewhere_that_are_no_secret_stay(text: str) -> None:
    _kept_everywhere(text.format(u=uuid.uuid4()))


def test_a_generated_value_holding_a_padding_sign_in_prose_is_masked() -> None:
    v = f"AQE{rnd(ALNUM, 20)}+{rnd(ALNUM, 40)}/{rnd(ALNUM, 30)}=-{rnd(ALNUM, 30)}"
    _masked_everywhere(f"INFO Using API key {v} for request", v)


@pytest.mark.parametrize(
    "text", ["Using token Scope=read for x", "with key a=b", "token Expiry=3600"]
)
def test_an_assignment_after_a_name_in_prose_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("padding", ["=", "=="])
def test_a_url_users_token_ending_in_base64_padding_is_masked(padding: str) -> None:
    v = _key() + padding
    _masked_everywhere(f"git clone https://{v}@git.example.com/acme/infra.git", v)


def test_pydantics_errors_as_data_mask_a_secret_fields_input() -> None:
    pydantic = pytest.importorskip("pydantic")
    v = "Xk7#" + rnd(ALNUM, 16)
    model = pydantic.create_model(
        "Login", password=(str, pydantic.Field(min_length=40)), region=(str, ...)
    )
    try:
        model(password=v, region=5)
    except pydantic.ValidationError as error:
        texts = [error.json(), error.json(indent=2), repr(error.errors())]
    fastapi = {"detail": [{"type": "x", "loc": ["body", "password"], "msg": "x", "input": v}]}
    for text in [*texts, json.dumps(fastapi)]:
        _masked_everywhere(text, v)


@pytest.mark.parametrize(
    "shape",
    [
        'Cookie: theme=dark; session="{v}"',
        'Set-Cookie: session="{v}"; Path=/',
        'Cookie: _ga="GA1.2.3.4"; session={v}',
        "Cookie: _ga_auth={v}",
    ],
)
def test_quoted_cookies_and_names_that_only_open_as_a_visit_cookie_are_judged(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize("shape", ["Bearer {a}={b}", "using bearer {a}={b}", "h=Bearer%20{a}{b}"])
def test_a_bearer_token_holding_a_padding_sign_or_after_an_encoded_blank_is_masked(
    shape: str,
) -> None:
    a, b = rnd(ALNUM, 30), rnd(ALNUM, 40)
    text = shape.format(a=a, b=b)
    _masked_everywhere(text, a)
    _masked_everywhere(text, b)


@pytest.mark.parametrize(
    "shape",
    [
        "<meta name=api-key content={v}>",
        '<meta\n  name="api-key"\n  content="{v}"\n/>',
        '<META NAME="API-KEY" CONTENT="{v}">',
        '<meta name = "api-key" content = "{v}">',
        '{{"html": "<meta name=\\"api-key\\" content=\\"{v}\\">"}}',
        '<meta http-equiv="x-api-key" content="{v}">',
    ],
)
def test_meta_tags_written_otherwise_are_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


def test_a_value_opening_with_a_colon_is_read_alike_by_every_engine() -> None:
    text = "\\u003fTOKEN=:AAsk-or-v1-" + rnd(HEX, 64) + "join https://discord.com/invite/x"
    _alike_everywhere(text)


@pytest.mark.parametrize("prefix", ["E   ", "app-1  | ", "    | "])
def test_pydantics_echo_behind_a_prefix_on_every_line_is_masked(prefix: str) -> None:
    v = rnd(ALNUM, 24)
    text = "\n".join(prefix + line for line in _validation_error(v, db_password=v).splitlines())
    _masked_everywhere(text, v)


@pytest.mark.parametrize("message", ["String should match pattern '^[a-z0-9]+$'", "a ] b {x}"])
def test_a_validation_errors_message_holding_brackets_hides_no_input(message: str) -> None:
    v = _key()
    error = {"type": "x", "loc": ["body", "password"], "msg": message, "input": v}
    _masked_everywhere(json.dumps({"detail": [error]}), v)


@pytest.mark.parametrize("shape", ["existingSecret: {h}", "--set auth.existingSecret=app-{h}"])
def test_a_generated_value_under_existing_secret_is_masked(shape: str) -> None:
    h = rnd(HEX, 32)
    _masked_everywhere(shape.format(h=h), h)


@pytest.mark.parametrize("shape", ["Bearer%20%2F{v}", "using bearer %2F{v}"])
def test_a_bearer_token_opening_with_a_percent_escape_is_masked(shape: str) -> None:
    v = _key()
    _masked_everywhere(shape.format(v=v), v)


# -- a token after its version, and a command's user and password options --------------------


def _lower_token(length: int) -> str:
    """Lower-case letters and digits with a digit among them, as a token after its
    version is (``v2.<run>``): one whose letters are no words is drawn."""
    from openrouter_secure._sanitize._context import value_kind

    return next(
        t
        for t in (rnd(string.ascii_lowercase + string.digits, length) for _ in range(100))
        if any(c.isdigit() for c in t) and value_kind(f"v2.{t}", password=False)
    )


@pytest.mark.parametrize(
    "shape",
    [
        "APPVEYOR_TOKEN=v2.{t}",
        "appveyor.api.token=v2.{t}",
        '{{"msg": "calling", "appveyorToken": "v2.{t}"}}',
        "INFO Using API key v2.{t} for request",
        "curl https://ci.example.com/api -u v2.{t}:",
    ],
)
def test_a_token_after_its_version_is_masked(shape: str) -> None:
    token = _lower_token(20)
    _masked_everywhere(shape.format(t=token), token)


@pytest.mark.parametrize(
    "value",
    [
        "oauth2client.client",
        "jetbrains.mps.v8_elimination",
        "d111111abcdef8.cloudfront.net",
        "networkx.algorithms.flow.boykovkolmogorov",
        "org.springframework.boot.autoconfigure",
        "com.acme.pkcs11provider",
        "com.mycompany.oauth2clientservice.tokenprovider",
        "staging-q9qb7sy2xn8k.s3.eu-west-1.amazonaws.com",
        "db.x9k2m4q7w1z3.eu-west-1.rds.amazonaws.com",
        "myapp.svc.cluster.local",
    ],
)
def test_dotted_names_of_words_and_hosts_under_a_secrets_name_stay(value: str) -> None:
    _kept_everywhere(f"token={value}")


def test_a_dotted_value_is_judged_by_its_run_that_is_no_word() -> None:
    from openrouter_secure._sanitize._context import value_kind

    assert value_kind("v2.exl1gvevdnqiw3cpt9dk", password=False)
    assert not value_kind("v2.oauth2clientlibrary", password=False)


def test_a_dotted_password_of_short_random_runs_is_masked() -> None:
    from openrouter_secure._sanitize._context import value_kind

    lower = string.ascii_lowercase + string.digits
    # (about one in 70 such values reads as words, and stays: one that counts is drawn)
    password = next(
        p
        for p in (f"{rnd(lower, 10)}.{rnd(lower, 10)}" for _ in range(100))
        # (a quarter of digits or fewer: more read as no name before)
        if 0 < 4 * sum(c.isdigit() for c in p) <= len(p) and value_kind(p, password=True)
    )
    _masked_everywhere(f"GMAIL_PASSWORD={password}", password)


@pytest.mark.parametrize(
    "shape",
    [
        "awsctl connect -u admin -p {v} --host 10.0.4.12",
        "tool -U sa -P {v}",
        "tool -u admin -p={v}",
        "cmd --verbose -u deploy -p '{v}' run",
        'tool -u sa -p="{v}"',
        "tool -u sa -p='{v}'",
        'tool -U sa -P="{v}"',
        "tool -u admin -P={v}",
        "tool --user admin -p {v}",
        "tool -u=admin -p {v}",
        "tool --username admin -p {v}",
        'docker login -u x -p="{v}"',
        "mysql -u root -p shop; tool -u a -p {v}",
    ],
)
def test_any_commands_user_and_password_options_mask_the_password(shape: str) -> None:
    password = rnd(ALNUM, 16) + "!x"
    _masked_everywhere(shape.format(v=password), password)


@pytest.mark.parametrize(
    "text",
    [
        "python -u app.py -p 8080",
        "python -u train.py -p config/x.yaml",
        "psql -U postgres -p 5432 -h db",
        "pg_dump -U postgres -P prod",
        'tool -u admin -p "$PASSWORD"',
        "app -u ${USER} -p ${PASS}",
        "mongosh -u admin -p --authenticationDatabase admin",
        "mysql -u root -p shop_2024",
        "mysqldump --host db -u root -p prod_db2 > dump.sql",
    ],
)
def test_user_and_password_options_without_a_password_stay(text: str) -> None:
    _kept_everywhere(text)


def test_a_curl_user_before_its_proxy_flag_is_masked_as_curls() -> None:
    password = rnd(ALNUM, 16)
    text = f"curl -u bob:{password} -p https://x.example.com"
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(password, out)
        assert out.endswith(" -p https://x.example.com"), (backend, out)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T13:00:00Z INFO app: WARN login failed: invalid password username=48213",
        "invalid password oauth2_user=48213",
        "invalid password user.name=bob",
        "invalid password userName=Bob",
    ],
)
def test_an_assignment_after_a_password_word_stays_and_the_quick_check_says_so(
    text: str,
) -> None:
    _kept_everywhere(text)
    assert _answered_by_the_quick_check(text)


@pytest.mark.parametrize(
    "text",
    [
        "the password is ywuhT2=Xk7pQ2zr9Lm3",
        "the password is u=Xk7pQ2zr9Lm3",
        f"the password is {'a' * 70}=b",
        "the password is username=(x)",
    ],
)
def test_values_that_open_like_an_assignment_but_are_none_are_read_on(text: str) -> None:
    assert not _answered_by_the_quick_check(text)


# -- a YAML anchor before a value ----------------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "defaults: &defaults\n  api_key: &key {v}\nprod:\n  <<: *defaults\n",
        "aws_secret_access_key: &k {v}",
        'token: &t "{v}"',
        "DB_PASSWORD: &db_pw {v}",
        "secret2: &s {v}",
    ],
)
def test_a_value_after_a_yaml_anchor_is_masked(shape: str) -> None:
    key = _key()
    _masked_everywhere(shape.format(v=key), key)


@pytest.mark.parametrize(
    "text",
    [
        "token: &t *other",
        "api_key: &key my_api_key_name",
        "x: &a 1",
        "password: &pw ${DB_PASSWORD}",
    ],
)
def test_an_anchor_before_an_alias_a_name_or_a_placeholder_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "secret_key_base: {v}",
        '  secret_key_base: "{v}"',
        "config.secret_key_base = '{v}'",
        'secretKeyBase = "{v}"',
        '{{\\"secret_key_base\\":\\"{v}\\"}}',
        "secret_key_base => '{v}'",
    ],
)
def test_rails_secret_key_base_in_lower_or_camel_case_is_masked(shape: str) -> None:
    value = secrets.token_hex(64)
    _masked_everywhere(shape.format(v=value), value)


def test_a_token_after_its_kind_and_a_dot_is_no_attribute() -> None:
    token = "s." + rnd(string.ascii_letters, 12) + "QV" + rnd(string.ascii_letters, 10)
    _masked_everywhere(f"VAULT_TOKEN={token}", token)


@pytest.mark.parametrize(
    "text",
    [
        "api_key = settings.OPENROUTER_API_KEY",
        "token = config.apiToken",
        "password = self.db.password",
        "token: request.headers.authorization",
    ],
)
def test_an_attribute_of_words_after_a_secrets_name_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'DB_PASSWORD:\t&x-y-z\t"{v}"',
        'password: &pw "&{v}"',
        "api_key: &prod/key {v}",
        "api_key: &k:v {v}",
    ],
)
def test_a_value_after_an_anchor_of_any_name_or_between_tabs_is_masked(shape: str) -> None:
    key = _key()
    _masked_everywhere(shape.format(v=key), key)


@pytest.mark.parametrize(
    "text",
    ["DB_PASSWORD:\t&prodKey2\tchangeme", "password: &pw *alias", "password: &pw\n  nested: x"],
)
def test_an_anchor_is_not_taken_for_the_password(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'config.secret_key_base = ENV["SECRET_KEY_BASE"] || "{v}"',
        'secret_key_base: <%= ENV["SECRET_KEY_BASE"] || "{v}" %>',
        "--secret-key-base {v}",
        "rails runner --secret_key_base {v}",
        "secret_key_base: {V}",
    ],
)
def test_rails_secret_key_base_as_a_fallback_an_option_or_in_upper_case_is_masked(
    shape: str,
) -> None:
    value = secrets.token_hex(64)
    text = shape.format(v=value, V=value.upper())
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(value, out)
        assert_no_leak(value.upper(), out)
        assert MASK in out, (backend, out)


@pytest.mark.parametrize(
    "text",
    [
        "key = s3.bucketV2",
        "key = cfg.AES256Key",
        "apiKey = k8s.apiKey",
        "token = cfg.S3Token",
        "private_key = keys.rsa4096Key",
        "token = v2.RequestToken",
        "const apiKey = process.env.OPENROUTER_API_KEY!;",
        "password = e.apiToken",
    ],
)
def test_attributes_with_numbers_or_after_a_short_name_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "api_key: ip-10-0-35-158.ec2.internal",
        "api_key: f8f7abd1093b.backend.io",
        "password: 3cbddbe666ab.replica.local",
        "api_key: 1.2.3rc1.dev4",
        "token: v3.4.2-161-g8041bb4",
        'api_key = "v2.15.3-140-gc33b95e"',
    ],
)
def test_host_names_and_versions_under_a_secrets_name_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "cmd -u admin -p C:/secrets/pw.txt",
        "password: C:\\keys\\pw.txt",
        "password=@/run/secrets/pw",
        "api_key=C:/Users/me/key.txt",
    ],
)
def test_windows_paths_and_files_a_tool_reads_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "API_KEY=v1.2.3+{lower}",
        "password: v3.0.1+{lower}",
        'token = "1.2.3-{mixed}"',
        "API_TOKEN=sk.ApiKey{digits}",
        "API_KEY={lower32}.backend.io",
        "psqltool --host mysql.internal -u sa -p {mixed}",
    ],
)
def test_a_token_dressed_as_a_version_an_attribute_or_a_host_is_masked(shape: str) -> None:
    from openrouter_secure._sanitize._context import looks_generated

    lower_alphabet = string.ascii_lowercase + string.digits
    # (one that reads as generated is drawn: about one in a few hundred does not)
    lower = next(v for v in (rnd(lower_alphabet, 20) for _ in range(100)) if looks_generated(v))
    values = {
        "lower": lower,
        "mixed": next(v for v in (rnd(ALNUM, 20) for _ in range(100)) if looks_generated(v)),
        "digits": rnd(string.digits, 20),
        "lower32": lower + rnd(lower_alphabet, 12),
    }
    text = shape.format(**values)
    secret = next(v for k, v in values.items() if "{" + k + "}" in shape)
    _masked_everywhere(text, secret)


@pytest.mark.parametrize(
    "text",
    [
        "token: 1.2.3-beta.1",
        "token: v2.0.0+build.5",
        '{"password": "C:\\\\secrets\\\\pw.txt"}',
        "sudo mysql -u root -p shop",
        "/usr/bin/mysql -u root -p shop",
        "docker exec db mysql -u root -p shop",
    ],
)
def test_versions_paths_in_json_and_mysql_after_a_path_or_sudo_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "| Variable | Value |\n|---|---|\n| `LOOPS_API_KEY` | `{v}` |",
        "| `LOOPS_API_KEY` | {v} |",
        "| `api_key` | `{v}` |",
    ],
)
def test_a_markdown_rows_name_in_backticks_is_read(shape: str) -> None:
    key = _key()
    _masked_everywhere(shape.format(v=key), key)


@pytest.mark.parametrize(
    "text",
    [
        "INFO user 86391 rotated key {u} at 2024-01-03T07:58:09Z",
        "rotated api key {u}",
        "revoked token {u}",
        "key {u} not found in keyring",
        "WARN token {h} expired",
        "token {h} has been revoked",
        "| `max_tokens` | `4096` |",
    ],
)
def test_the_id_of_a_key_a_log_acts_on_stays(text: str) -> None:
    _kept_everywhere(text.format(u=uuid.uuid4(), h=secrets.token_hex(8)))


@pytest.mark.parametrize(
    "text", ["INFO created access token {u} for user 5", "Using API key {u} for request"]
)
def test_a_uuid_token_a_log_prints_as_new_or_used_is_masked(text: str) -> None:
    value = str(uuid.uuid4())
    _masked_everywhere(text.format(u=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        'secret_key_base = "{v}"',
        "stringData:\n  secret-key-base: {v}",
        'config :app, AppWeb.Endpoint, secret_key_base: "{v}"',
    ],
)
def test_phoenixs_secret_key_base_is_masked(shape: str) -> None:
    value = secrets.token_urlsafe(48)
    _masked_everywhere(shape.format(v=value), value)


@pytest.mark.parametrize("text", ["token {h} not authorized", "API key {h} invalid"])
def test_a_token_a_server_turned_away_is_masked(text: str) -> None:
    value = secrets.token_hex(16)
    _masked_everywhere(text.format(h=value), value)


@pytest.mark.parametrize(
    "shape",
    [
        '{{"Authorization": f"Bearer a1B2c3.d4E5f6:{v}"}}',
        "headers = {{'Authorization': b'Bearer {v}'}}",
        'authorization=f"Token {v}"',
    ],
)
def test_an_authorization_value_in_an_f_string_or_bytes_is_masked(shape: str) -> None:
    token = secrets.token_urlsafe(32)
    _masked_everywhere(shape.format(v=token), token)


@pytest.mark.parametrize(
    "text",
    [
        "Using token {h2} expired",
        "using token {h2} removed",
        "token {h2} expired_at=2024-01-01",
        "HEROKU_API_KEY {u} rotated",
        "api_key {u} rotated",
    ],
)
def test_an_id_exemption_holds_only_for_a_word_of_prose_acted_on(text: str) -> None:
    value = {"h2": secrets.token_hex(16), "u": str(uuid.uuid4())}
    key = "h2" if "{h2}" in text else "u"
    _masked_everywhere(text.format(**value), value[key])


@pytest.mark.parametrize("old", ["{h2}", "{u}"])
def test_the_new_value_a_rotation_names_after_the_id_is_masked(old: str) -> None:
    new = secrets.token_hex(20)
    text = ("token " + old + " rotated to {new}").format(
        h2=secrets.token_hex(16), u=uuid.uuid4(), new=new
    )
    _masked_everywhere(text, new)


@pytest.mark.parametrize(
    "shape",
    [
        "| Variable | Value | Description |\n|---|---|---|\n| `API_KEY` | `{v}` | The API key |",
        "| `GITHUB_TOKEN` | `{v}` | required |",
        "| prod | `API_KEY` | `{v}` |",
    ],
)
def test_a_markdown_row_with_more_cells_is_read(shape: str) -> None:
    key = _key()
    _masked_everywhere(shape.format(v=key), key)


@pytest.mark.parametrize(
    "shape",
    [
        "| SECRET_KEY_BASE | {hex} |",
        "| secret_key_base | {b64} |",
        "| `secret_key_base` | `{hex}` |",
    ],
)
def test_secret_key_base_in_a_markdown_row_is_masked(shape: str) -> None:
    values = {"hex": secrets.token_hex(32), "b64": secrets.token_urlsafe(66)}
    key = "hex" if "{hex}" in shape else "b64"
    _masked_everywhere(shape.format(**values), values[key])


@pytest.mark.parametrize(
    "value",
    [
        "insecure_secret_key_base_for_development_only_do_not_use_in_production",
        "deadbeef" * 8,
        "0123456789abcdef" * 4,
        "replace_me_with_output_of_mix_phx_gen_secret_" + "x" * 22,
    ],
)
def test_a_placeholder_or_typed_run_under_secret_key_base_stays(value: str) -> None:
    _kept_everywhere(f"secret_key_base: {value}")


@pytest.mark.parametrize(
    "shape",
    ["ARG AWS_BEARER_TOKEN_BEDROCK={v}", "Aws.bearer_token_bedrock = '{v}'", "using {v}"],
)
def test_an_amazon_bedrock_api_key_is_masked_anywhere(shape: str) -> None:
    key = "ABSK" + base64.b64encode(secrets.token_bytes(96)).decode()
    text = shape.format(v=key)
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(key, out)
        assert "ABSK..." + MASK in out, (backend, out)


def test_a_password_of_twelve_random_letters_in_mixed_case_is_masked() -> None:
    from openrouter_secure._sanitize._context import _random_letters, is_identifier

    # (one that the identifier pattern reads as words of capitals and lower-case runs,
    # as about one random run of 12 to 15 letters in 15 reads, and whose letter pairs
    # show it random: nine in ten of those)
    password = next(
        p
        for p in (rnd(string.ascii_letters, 14) for _ in range(5000))
        if is_identifier(p) and _random_letters(p, lower=True)
    )
    for shape in ("password={v}", 'DB_PASSWORD: "{v}"'):
        _masked_everywhere(shape.format(v=password), password)


@pytest.mark.parametrize("text", ["password=MyPassword", "password: getPassword"])
def test_a_password_name_over_words_in_camel_case_stays(text: str) -> None:
    _kept_everywhere(text)


def test_an_amazon_bedrock_api_key_in_url_safe_base64_is_masked() -> None:
    key = "ABSK" + base64.urlsafe_b64encode(secrets.token_bytes(96)).decode()
    _masked_everywhere(f"AWS_BEARER_TOKEN_BEDROCK={key}", key)


@pytest.mark.parametrize("shape", ["--password {v}", "the password is {v}"])
def test_random_letters_after_a_password_option_or_in_prose_are_masked(shape: str) -> None:
    from openrouter_secure._sanitize._context import _random_letters

    password = next(
        p
        for p in (rnd(string.ascii_letters, 14) for _ in range(100))
        if _random_letters(p, lower=True)
    )
    _masked_everywhere(shape.format(v=password), password)


@pytest.mark.parametrize(
    "text",
    [
        "docker run -e AZURE_CLIENT_SECRET acme/api:1.4.2",
        "docker run --rm -e DB_PASSWORD -e JWT_SECRET acme/api:1.4.2",
        "podman run --env API_TOKEN registry.example.com/app:2026.12",
    ],
)
def test_a_variable_passed_on_by_its_name_alone_has_no_value(text: str) -> None:
    _kept_everywhere(text)


def test_a_variable_passed_with_its_value_is_still_masked() -> None:
    v = rnd(ALNUM, 28)
    _masked_everywhere(f"docker run -e DB_PASSWORD={v} acme/api:1.4.2", v)
    _masked_everywhere(f"echo the password {v} was rotated -e", v)


@pytest.mark.parametrize(
    "shape",
    [
        "LDAP_BIND_PW={v}",
        'const val ENV0_PW = "{v}"',
        'WIFI_PSK="{v}"',
        "passkey={v}",
        "privkey: {v}",
        "DUO_SKEY={v}",
    ],
)
def test_short_and_glued_password_and_key_names_are_read(shape: str) -> None:
    v = rnd(ALNUM, 28)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "  DbPassword:\n    Default: {v}\n    NoEcho: true\n",
        '"DbPassword": {{"Type": "String", "NoEcho": "true", "Default": "{v}"}}',
        "  DbPassword:\n    NoEcho: 'true'\n    Description: the password\n    Default: {v}\n",
    ],
)
def test_a_noecho_parameters_default_is_masked_in_either_order(text: str) -> None:
    v = rnd(ALNUM, 20)
    _masked_everywhere(text.format(v=v), v)


@pytest.mark.parametrize(
    "text", ["monkey=Xk9vQ2mPz7LrW3nB", "whiskey: Xk9vQ2mPz7LrW3nB", "page_pw=12", "psk_mode=wpa2"]
)
def test_words_ending_in_a_glued_owners_key_stay(text: str) -> None:
    _kept_everywhere(text)


def test_a_vercel_variable_given_as_a_here_string_is_masked() -> None:
    v = rnd(ALNUM, 40)
    _masked_everywhere(f'vercel env add HELPSCOUT_APP_SECRET production <<< "{v}"', v)


def test_every_value_of_a_kubernetes_secret_is_masked_whatever_its_key() -> None:
    password = rnd(ALNUM, 16)
    url = base64.b64encode(f"postgres://app:{password}@db:5432/app".encode()).decode()
    hook = rnd(ALNUM, 32)
    text = (
        f"apiVersion: v1\ndata:\n  database_url: {url}\nkind: Secret\nmetadata:\n  name: db\n"
        f"---\nkind: Secret\nstringData:\n  webhook: |\n    https://hooks.acme-corp.net/{hook}\n"
    )
    _masked_everywhere(text, url)
    _masked_everywhere(text, hook)


def test_a_config_maps_data_stays_beside_a_secret() -> None:
    _kept_everywhere(
        "kind: Secret\nstringData:\n  a: ${A}\n---\n"
        f"kind: ConfigMap\ndata:\n  cache: {rnd(ALNUM, 24)}\n"
    )


def _encoded_url() -> str:
    return base64.b64encode(f"postgres://app:{rnd(ALNUM, 16)}@db:5432/app".encode()).decode()


@pytest.mark.parametrize(
    "shape",
    [
        "kind: Secret\ndata:\n  # the database\n  cache: YWJj\n  database_url: {v}\n",
        "kind: Secret\ndata:\n  cache: YWJj\n\n  database_url: {v}\n",
        "kind: Secret  # app\ndata:   # base64\n  database_url: {v}\n",
        "kind: Secret\r\ndata:\r\n  # c\r\n\r\n  database_url: {v}\r\n",
        "kind: Secret\ndata:\n  database_url: !!binary {v}\n",
        "kind: Secret\ndata:\n  database_url: &db {v}\n",
        "kind: Secret\ndata:\n  {{{{- if .Values.db }}}}\n  database_url: {v}\n  {{{{- end }}}}\n",
    ],
    ids=["comment", "blank-line", "commented-keys", "crlf", "tag", "anchor", "helm-lines"],
)
def test_a_secrets_data_block_is_read_past_comments_blanks_and_decorations(shape: str) -> None:
    v = _encoded_url()
    _masked_everywhere(shape.format(v=v), v)


def test_every_secret_in_a_kind_list_is_masked_and_its_config_maps_stay() -> None:
    # (as ``kubectl get secrets,configmaps -o yaml`` prints them)
    v, cache = _encoded_url(), rnd(ALNUM, 24)
    text = (
        f"apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    database_url: {v}\n"
        "  kind: Secret\n  metadata:\n    name: db\n"
        f"- apiVersion: v1\n  data:\n    cache: {cache}\n  kind: ConfigMap\nkind: List\n"
    )
    _masked_everywhere(text, v)
    assert all(cache in engine(name).sanitize(text) for name in ENGINES)


def test_a_secret_printed_as_json_is_masked_whatever_its_keys() -> None:
    v = _encoded_url()
    text = json.dumps(
        {"apiVersion": "v1", "data": {"database_url": v}, "kind": "Secret", "type": "Opaque"},
        indent=4,
    )
    _masked_everywhere(text, v)
    hook = rnd(ALNUM, 32)
    _masked_everywhere(
        json.dumps({"kind": "Secret", "stringData": {"hook": f"https://h.acme.net/{hook}"}}), hook
    )


@pytest.mark.parametrize(
    "text",
    [
        # (a ConfigMap's data beside a Secret of the same list, or the same JSON text)
        "items:\n- kind: ConfigMap\n  data:\n    cache: {v}\n- kind: Secret\n  stringData:\n",
        '{{"kind": "ConfigMap", "data": {{"cache": "{v}"}}, "items": [{{"kind": "Secret"}}]}}',
        # (a ``data`` block nested deeper than the Secret's own keys)
        "kind: Secret\nspec:\n  data:\n    cache: {v}\n",
    ],
)
def test_data_outside_a_secrets_own_mapping_stays(text: str) -> None:
    _kept_everywhere(text.format(v=rnd(ALNUM, 24)))


@pytest.mark.parametrize(
    "reference",
    [
        "op://prod/db/password",
        "vault:secret/data/db#password",
        "ENC[AES256_GCM,data:Tr7oQ2==,iv:x1==,tag:y2==,type:str]",
        "'#{{DbPassword}}'",
        "__DB_PASSWORD__",
        "<path:secret/data/db#password>",
        "ref+vault://secret/db#/password",
        "((db_password))",
    ],
)
def test_references_a_gitops_tool_fills_in_stay_in_a_secret(reference: str) -> None:
    _kept_everywhere(f"kind: Secret\nstringData:\n  password: {reference.format()}\n")


# -- found by an attack on the rules above ------------------------------------------------


@pytest.mark.parametrize(
    "shape",
    [
        "UNLEASH_API_TOKEN=*:production.{h56}",
        "token: '[]:development.{h56}'",
        "UNLEASH_API_TOKEN=*:*.{h64}",
    ],
)
def test_unleash_tokens_as_unleash_makes_them_are_masked(shape: str) -> None:
    text = shape.format(h56=rnd(HEX, 56), h64=rnd(HEX, 64))
    token = text.split("=", 1)[-1].split(": ", 1)[-1].strip("'")
    _masked_everywhere(text, token)


@pytest.mark.parametrize(
    "shape",
    [
        "SECRET_KEY = '{v}'",
        "SECRET_KEY_FALLBACKS = ['{v}']",
        'settings: {{\\"SECRET_KEY\\": \\"{v}\\"}}',
        'django_secret_key = "{v}"',
    ],
)
def test_a_django_key_with_what_reads_as_a_template_is_masked(shape: str) -> None:
    # (``%(`` and ``$(`` in it, as about one key in 25 has)
    alphabet = string.ascii_lowercase + string.digits + "!@#*-_=+)"
    key = rnd(alphabet, 20) + "%(" + rnd(alphabet, 20) + "$(" + rnd(alphabet, 5) + "7"
    assert len(key) == 50
    _masked_everywhere(shape.format(v=key), key)


def test_a_chunked_nextauth_cookies_first_part_is_masked() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"dir","enc":"A256GCM"}').decode().rstrip("=")
    part = f"{header}..{rnd(ALNUM, 22)}.{rnd(ALNUM + '-_', 3000)}"
    _masked_everywhere(f"Cookie: __Secure-next-auth.session-token.0={part}; theme=dark", part)


def test_a_salesforce_session_id_in_a_frontdoor_url_is_masked() -> None:
    sid = f"00D{rnd(ALNUM, 12)}%21{rnd(ALNUM + '.', 96)}"
    _masked_everywhere(f"https://acme.my.salesforce.com/secur/frontdoor.jsp?sid={sid}", sid)


def test_a_make_webhook_with_escaped_slashes_is_masked() -> None:
    hook = rnd(HEX + "ghijklmnopqrstuvwxyz", 32)
    _masked_everywhere(f'{{"url":"https:\\/\\/hook.eu1.make.com\\/{hook}"}}', hook)


@pytest.mark.parametrize(
    "shape",
    [
        'sqlplus "sys/{v}@orcl as sysdba"',
        "sqlplus -s 'app/{v}@orcl'",
        "C:\\app\\oracle\\bin\\sqlplus.exe app/{v}@ORCL",
        'jdbc:oracle:thin:app/"{v}"@dbhost:1521/svc',
        "JDBC:ORACLE:THIN:app/{v}@dbhost:1521/svc",
    ],
)
def test_oracle_connect_strings_quoted_or_in_upper_case_are_masked(shape: str) -> None:
    v = rnd(ALNUM, 12) + "#42"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "between",
    [
        "    # admin password\n",
        "\n",
        "    Description: >-\n      the admin\n      password\n",
        "    AllowedValues:\n      - a\n      - b\n",
    ],
)
def test_a_noecho_default_is_masked_across_comments_lists_and_descriptions(between: str) -> None:
    v = rnd(ALNUM, 16)
    first = f"Parameters:\n  DBPassword:\n    NoEcho: true\n{between}    Default: {v}\n"
    _masked_everywhere(first, v)
    _masked_everywhere(f"  DBPassword:\n    Default: {v}\n{between}    NoEcho: true\n", v)


def test_a_noecho_default_is_masked_whole() -> None:
    v = rnd(ALNUM, 14)
    _masked_everywhere(f"  DBPassword:\n    NoEcho: true\n    Default: Kq7vZ2 {v} horse\n", v)
    _masked_everywhere(f'{{"NoEcho": "true", "Default": "a\\"{v}"}}', v)


@pytest.mark.parametrize("text", ["LDAP_BIND_PW=Winter#2023", "SLAPD_ROOTPW=Tr0ub4dor&3"])
def test_a_pw_names_value_is_judged_as_a_password(text: str) -> None:
    _masked_everywhere(text, text.split("=", 1)[1])


@pytest.mark.parametrize(
    "text",
    [
        '{"command": "docker", "args": ["run", "-i", "--rm", "-e", "API_SECRET", "mcp/srv:1.0"]}',
        "args = ['run', '--env', 'DB_PASSWORD', 'ghcr.io/sooperset/mcp-atlassian:latest']",
    ],
)
def test_a_variable_passed_by_name_in_an_argument_list_has_no_value(text: str) -> None:
    _kept_everywhere(text)


def test_random_letters_and_a_number_after_a_symbol_are_no_id() -> None:
    from openrouter_secure._sanitize._context import _random_letters

    # (drawn once by the per-rule test: read as ``order#853``, an id)
    letters = next(
        p
        for p in (rnd(string.ascii_letters, 16) for _ in range(100))
        if _random_letters(p, lower=False)
    )
    password = f"{letters}#{rnd(string.digits, 3)}"
    _masked_everywhere(f'requests.get(url, auth=("deploy", "{password}"), timeout=5)', password)


@pytest.mark.parametrize(
    "text",
    [
        "PW={v}",
        "LDAP_BIND_PW={v}",
        "ROOT_PW={v}",
        "SLAPD_ROOTPW: '{v}'",
    ],
)
def test_a_pw_names_password_of_lower_case_letters_is_masked_by_every_engine(text: str) -> None:
    # (Hyperscan's gates read only generated values after the short upper-case words:
    # ``PW`` now has the password words' gates)
    # (20 letters: a shorter lower-case word under a password's name is a setting)
    v = rnd(string.ascii_lowercase, 20)
    _masked_everywhere(text.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "ENV CYPRESS_RECORD_KEY {v}",
        'os.environ["CYPRESS_RECORD_KEY"] = "{v}"',
        'os.Setenv("CYPRESS_RECORD_KEY", "{v}")',
        "- name: CYPRESS_RECORD_KEY\n  value: {v}\n",
        '- name: "CYPRESS_RECORD_KEY"\r\n  value: "{v}"\r\n',
        "| CYPRESS_RECORD_KEY | {v} |",
        "<CYPRESS_RECORD_KEY>{v}</CYPRESS_RECORD_KEY>",
    ],
)
def test_a_vendors_variable_is_read_in_every_syntax(shape: str) -> None:
    v = str(uuid.uuid4())
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', '{v}')",
        "SECRET_KEY = config('SECRET_KEY', default='{v}')",
        'SECRET_KEY = env.str("SECRET_KEY", "{v}")',
        "SECRET_KEY: str = '{v}'",
    ],
)
def test_a_django_key_as_a_lookups_default_or_after_a_type_is_masked(shape: str) -> None:
    alphabet = string.ascii_lowercase + string.digits + "!@#*-_=+)"
    key = rnd(alphabet, 47) + "(7#"
    _masked_everywhere(shape.format(v=key), key)


@pytest.mark.parametrize(
    "command",
    [
        "echo {v} | vercel env add STRIPE_KEY production",
        'echo -n "{v}" | npx wrangler secret put API_TOKEN',
        "printf '%s' {v} | docker secret create db_password -",
    ],
)
def test_a_secret_piped_into_a_store_is_masked(command: str) -> None:
    v = rnd(ALNUM, 32)
    _masked_everywhere(command.format(v=v), v)


def test_a_variable_piped_into_a_store_stays() -> None:
    _kept_everywhere('echo "$STRIPE_KEY" | vercel env add STRIPE_KEY production')


@pytest.mark.parametrize(
    "shape",
    [
        "expdp system/{v}@ORCLPDB directory=DP_DIR schemas=HR",
        'impdp userid="system/{v}@pdb" full=y',
        "sqlldr userid=scott/{v} control=load.ctl",
        "rman target sys/{v}@prod",
        "SQL> connect system/{v}@//localhost:1521/XEPDB1",
        "CONN hr/{v}@orclpdb",
        'jdbc:oracle:thin:app/"p@ss w/rd{v}"@db:1521/svc',
    ],
)
def test_oracle_tools_connect_strings_are_masked(shape: str) -> None:
    v = rnd(ALNUM, 12) + "#42"
    text = shape.format(v=v)
    _masked_everywhere(text, v)


@pytest.mark.parametrize(
    "text",
    ["connect api/v1 failed", "conn / as sysdba", "rman target /", "userid=42 status=ok"],
)
def test_connect_without_a_connect_string_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'client = Vimeo("{v}")',
        "api = shopify.Session('{v}')",
        'let client = Vimeo::new("{v}");',
        'x := acme.Client("{v}", 30)',
        'client = await Acme.Connect("{v}")',
        'a = Vimeo("{w}"); b = Pusher("{v}")',
    ],
)
def test_an_sdk_built_from_a_literal_without_new_is_masked(shape: str) -> None:
    # (not opening with ``0x``: a hex number is no key)
    v, w = "k" + rnd(ALNUM, 31), rnd(HEX, 32)
    text = shape.format(v=v, w=w)
    _masked_everywhere(text, v)


@pytest.mark.parametrize(
    "shape",
    [
        'user = User("{v}")',
        'x = ObjectId("{h24}")',
        'c = Commit("{h40}")',
        'ok = client == Vimeo("{v}")',
        'p = Path("src/main/java/com/acme/App.java")',
        'e = ValueError("invalid_configuration_value_here")',
    ],
)
def test_a_constructor_of_data_or_a_comparison_stays(shape: str) -> None:
    _kept_everywhere(shape.format(v=rnd(ALNUM, 32), h24=rnd(HEX, 24), h40=rnd(HEX, 40)))


@pytest.mark.parametrize(
    "shape",
    [
        "PASSWORT={v}",
        "export CONTRASENA='{v}'",
        'private const string ChiaveApi = "{v}";',
        "  clave-acceso: {v}",
        '{{"Kennwort": "{v}"}}',
        'os.Setenv("CLE_SECRETE", "{v}")',
        "'adgangskode' => '{v}',",
        "jeton_acces={v}",
        "export const salasana: string = '{v}';",
        "process.env.MOT_DE_PASSE = '{v}';",
        "docker run -e MAT_KHAU={v} acme/api",
        'config.kata_sandi = "{v}"',
        "API_ANAHTARI={v}",
        "HIMITSU_KAGI: {v}",
    ],
)
def test_a_secret_named_in_another_language_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 32)
    _masked_everywhere(shape.format(v=v), v)


def test_a_password_named_in_another_language_is_judged_as_one() -> None:
    # (a password a person chose: masked under a password's name, in any language)
    _masked_everywhere("senha = 'uonlglpw31'", "uonlglpw31")


@pytest.mark.parametrize(
    "text",
    [
        "senha_hash = 'x9f8e7d6c5b4a3928171'",
        "clave_publica: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
        "longitud_contrasena = 12",
        "la clave es importante para el acceso",
        "Das Passwort ist falsch. Bitte erneut versuchen.",
        "parole: granted after review",
    ],
)
def test_other_languages_words_about_secrets_stay(text: str) -> None:
    _kept_everywhere(text)


def test_data_under_a_name_in_another_language_is_masked() -> None:
    v = rnd(ALNUM, 12)
    data = {"passwort": v, "ChiaveApi": v, "motDePasse": v, "article": "kept"}
    for backend in ENGINES:
        out = engine(backend).sanitize_data(data)
        assert out["article"] == "kept"
        assert_no_leak(v, out)


# -- found by an attack on the rules above ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # (a Secret after a ConfigMap in a list, as ``kubectl get configmap,secret``)
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    x: info\n  kind: ConfigMap\n"
        "- apiVersion: v1\n  data:\n    y: {v}\n  kind: Secret\nkind: List\n",
        "items:\n  - data:\n      x: info\n    kind: ConfigMap\n  - data:\n      y: {v}\n"
        "    kind: Secret\n",
        # (in the next document, and right after another Secret)
        "kind: ConfigMap\ndata:\n  LOG_LEVEL: info\n---\ndata:\n  foo: {v}\nkind: Secret\n",
        "kind: Secret\ndata:\n  x: YWJj\n---\nkind: Secret\ndata:\n  foo: {v}\n",
        # (a Helm template's line at the first column inside the block)
        "kind: Secret\ndata:\n{{{{- if .Values.x }}}}\n  foo: {v}\n{{{{- end }}}}\n",
    ],
    ids=["list", "list-indented", "next-document", "next-secret", "helm-first-column"],
)
def test_a_secret_after_another_block_is_masked(text: str) -> None:
    v = _encoded_url()
    _masked_everywhere(text.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "define('AUTH_KEY',         '{k}');",
        "wp config set AUTH_KEY '{k}'",
        "putenv('AUTH_KEY={k}');",
        "$_ENV['NONCE_KEY'] = '{k}';",
        "    environment:\n      - WORDPRESS_AUTH_KEY={k}\n",
    ],
)
def test_wordpress_keys_in_the_salt_services_and_other_syntaxes_are_masked(shape: str) -> None:
    key = _wordpress_key().strip()
    while len(key) < 64:
        key = _wordpress_key().strip()
    _masked_everywhere(shape.format(k=key), key)


@pytest.mark.parametrize(
    "command",
    [
        'echo "{v}" | docker login -u bob --password-stdin',
        'docker login -u bob --password-stdin <<< "{v}"',
        'echo "{v}" | npx --yes wrangler@latest secret put API_TOKEN',
        'echo "{v}" | ./node_modules/.bin/wrangler pages secret put API_TOKEN',
        'echo "{v}" | vercel --token "$VT" env add STRIPE_KEY production',
        'echo "{v}" | docker --context prod secret create db_password -',
        'printf %s "{v}" | wrangler secret put API_TOKEN',
        'echo "{v}" | crane auth login r.example.io -u bot --password-stdin',
        'echo "{v}" | sudo -E docker secret create db_password -',
        "echo 'bob:{v}' | sudo chpasswd",
    ],
)
def test_a_quoted_password_piped_into_a_store_is_masked_whatever_it_holds(command: str) -> None:
    v = rnd(ALNUM, 8) + "&;| <>" + rnd(ALNUM, 8)
    text = command.format(v=v)
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert v[:8] not in out, (backend, out)
        assert v[-8:] not in out, (backend, out)


@pytest.mark.parametrize(
    "shape",
    [
        "rman target / catalog rman/{v}@rcat",
        'expdp \\"sys/{v}@orcl as sysdba\\" full=y',
        "impdp \"'sys/{v}@orcl as sysdba'\"",
        "cx_Oracle.connect('scott/{v}@orcl')",
        'oracledb.connect("scott/{v}@localhost/orclpdb")',
        "sql scott/{v}@localhost:1521/xe",
    ],
)
def test_more_oracle_connect_strings_are_masked(shape: str) -> None:
    v = rnd(ALNUM, 12) + "#42"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "Connect devices/sensors@home via the app",
        "MQTT connect client/device42@broker",
        "conn pool/size@max=10",
        "DB_PASSWORD=#{DbPassword}",
        "sqlplus app/%DB_PASSWORD%@orcl",
    ],
)
def test_connect_in_prose_and_pipeline_references_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "SECRET_KEY = r'{k}'",
        "SECRET_KEY: str = Field(default='{k}')",
        "SECRET_KEY = '''{k}'''",
        "SECRET_KEY = (\n    '{k}'\n)",
        "| DJANGO_SECRET_KEY | {k} |",
    ],
)
def test_a_django_key_as_python_and_tables_write_it_is_masked(shape: str) -> None:
    alphabet = string.ascii_lowercase + string.digits + "!@#*-_=+)"
    key = rnd(alphabet, 47) + "(7#"
    _masked_everywhere(shape.format(k=key), key)


@pytest.mark.parametrize(
    "shape",
    [
        '{{"name": "MJ_APIKEY_PRIVATE", "value": "{v}"}}',
        '<add key="HUAWEICLOUD_SDK_SK" value="{v}"/>',
        '{{\\"AGORA_APP_CERTIFICATE\\":\\"{v}\\"}}',
        "CYPRESS_RECORD_KEY            = {v}",
    ],
)
def test_a_vendors_variable_in_pairs_escaped_or_aligned_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 32)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "**API Key** : {v}",
        "| **API Key** | {v} |",
        "**Password**: **{v}**",
        "**API Key** - {v}",
        "***API Key***: {v}",
        "**Secret:** {v}*{v}",
    ],
)
def test_bold_labels_in_more_forms_are_masked(shape: str) -> None:
    v = rnd(ALNUM, 20)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        ">>> os.environ[\"OVH_CONSUMER_KEY\"]\n'{v}'\n>>> ",
        "> process.env.IBMCLOUD_API_KEY\r\n'{v}'\r\n> ",
        'irb(main):001:0> ENV["LINODE_TOKEN"]\n=> "{v}"',
        "In [3]: settings.STRIPE_SECRET_KEY\nOut[3]: '{v}'",
        "$ echo $GITHUB_TOKEN\n{v}\n",
        ">>> os.environ[\"LOSENORD\"]\n'{v}'",
    ],
)
def test_a_secret_a_repl_or_shell_echoed_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 32)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        ">>> os.environ[\"HOME\"]\n'/home/deploy'\n>>> ",
        "> quoted reply\nSounds good to me",
        "$ echo $PATH\n/usr/local/bin:/usr/bin\n",
        ">>> settings.SECRET_KEY_FILE\n'/run/secrets/django'",
    ],
)
def test_what_a_repl_echoed_under_other_names_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "    command: redis-server --requirepass {v} --appendonly yes",
        "bind 0.0.0.0\nport 6379\nrequirepass {v}\nmaxmemory 2gb\n",
        'CONFIG SET requirepass "{v}"',
    ],
)
def test_redis_requirepass_is_a_password(text: str) -> None:
    v = rnd(ALNUM, 10) + "x9"
    _masked_everywhere(text.format(v=v), v)


@pytest.mark.parametrize(
    ("shape", "alphabet", "length"),
    [
        ("https://maker.ifttt.com/trigger/door_open/with/key/{v}", ALNUM, 22),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/{v}", HEX, 32),
        ("https://open.larksuite.com/open-apis/bot/v2/hook/{v}", HEX, 32),
        ("https://api.netlify.com/build_hooks/{v}", HEX, 24),
        ("https://api.vercel.com/v1/integrations/deploy/prj_Ab12Cd34Ef56Gh78/{v}", ALNUM, 22),
        ("https://webexapis.com/v1/webhooks/incoming/{v}", ALNUM, 80),
        ("https://chat.acme.io/hooks/{v}", "abcdefghijklmnopqrstuvwxyz0123456789", 26),
        ("https://rocket.acme.io/hooks/Q7wLp2XkR9mZt4VbN/{v}", ALNUM, 48),
        ('{{"url": "https:\\/\\/api.netlify.com\\/build_hooks\\/{v}"}}', HEX, 24),
    ],
)
def test_vendors_webhook_urls_are_masked(shape: str, alphabet: str, length: int) -> None:
    v = rnd(alphabet, length)
    _masked_everywhere(shape.format(v=v), v)


def test_an_airtable_automation_url_is_masked_to_its_ids() -> None:
    ids = [p + rnd(ALNUM, 14) for p in ("app", "wfl", "wtr")]
    url = "https://hooks.airtable.com/workflows/v1/genericWebhook/" + "/".join(ids)
    for part in ids:
        _masked_everywhere(f"WEBHOOK_URL={url}", part)


@pytest.mark.parametrize(
    "shape",
    [
        'DSN: "carol/{v}@10.0.3.21:1521/ORCLPDB1"',
        "  - dsn=reporting/{v}@db-1.internal:1522/ORCL",
        'default = "tomasz/{v}@pg-primary:1521/ORCLPDB1"',
    ],
)
def test_an_oracle_easy_connect_password_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 16) + "!x"
    _masked_everywhere(shape.format(v=v), v)


def test_a_tencent_cos_signature_is_masked() -> None:
    sig = rnd(HEX, 40)
    url = (
        "https://assets-1253882791.cos.ap-shanghai.myqcloud.com/a.png?q-sign-algorithm=sha1"
        f"&q-ak=AKIDGGf304Q9JxxTJf4BMtpfd&q-sign-time=1715677000;1715680600&q-signature={sig}"
    )
    _masked_everywhere(url, sig)


@pytest.mark.parametrize(
    "shape",
    [
        "# Netscape HTTP Cookie File\n.app.acme.io\tTRUE\t/\tTRUE\t1747213964\tPHPSESSID\t{v}\n",
        '{{"name": "laravel_session", "value": "{v}", "path": "/", "httpOnly": true}}',
        "s.cookies.set('user_session', '{v}', domain='app.acme.io')",
        "driver.add_cookie({{'name': 'JSESSIONID', 'value': '{v}'}})",
        "copy this into your browser: _myapp_session={v}",
        "try JSESSIONID={v} for now",
    ],
)
def test_a_session_cookie_outside_a_header_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 32)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "accept", "value": "application/json"}',
        '{"name": "session_name", "value": "my-session"}',
        ".acme.io\tTRUE\t/\tFALSE\t1747213964\ttheme\tdark-mode\n",
        ".acme.io\tTRUE\t/\tFALSE\t1747213964\t_ga\tGA1.2.1234567890.1700000000\n",
        "s.cookies.set('lang', 'en-US-x')",
        "JSESSIONID=<session-id> and has_session=true",
    ],
)
def test_other_cookies_outside_a_header_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        'os.Setenv("DB_PASSWORD", "{v}")',
        "define( 'DB_PASSWORD', '{v}' );",
        'os.environ.setdefault("ADMIN_PASSWORD", "{v}")',
    ],
)
def test_a_password_with_symbols_as_a_calls_second_argument_is_masked(shape: str) -> None:
    v = "t_fU*+^" + rnd(string.ascii_letters, 8) + "-"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        'errors.add("password", "is too short")',
        'msg("password", "is required")',
        'setLabel("password", "Password")',
    ],
)
def test_a_calls_message_under_a_passwords_name_stays(text: str) -> None:
    _kept_everywhere(text)


def test_a_jwks_private_members_are_masked_and_its_public_ones_stay() -> None:
    n, d, p = rnd(ALNUM, 342), rnd(ALNUM + "-_", 342), rnd(ALNUM + "-_", 171)
    jwks = json.dumps({"keys": [{"kty": "RSA", "n": n, "e": "AQAB", "d": d, "p": p}]})
    for backend in ENGINES:
        out = engine(backend).sanitize(jwks)
        assert n in out, backend
        assert_no_leak(d, out)
        assert_no_leak(p, out)
    escaped = json.dumps({"JWT_PRIVATE_JWK": json.dumps({"kty": "EC", "d": d})})
    _masked_everywhere(escaped, d)


@pytest.mark.parametrize("line_break", ["\n", "\\n"])
def test_a_minisign_secret_key_is_masked(line_break: str) -> None:
    key = "RWRTY0Iy" + rnd(ALNUM + "+/", 150)
    _masked_everywhere(
        f'echo -e "untrusted comment: minisign encrypted secret key{line_break}{key}"', key
    )


# -- found by a second attack on the rules above ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'parola_chiave = "intelligenza artificiale"',
        "palabra_clave: seguridad2024",
        "chiave_pubblica: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEx9Yw",
        "OEFFENTLICHER_SCHLUESSEL=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEx9Yw",
        "clave_cache: usuario:42:perfil",
        "CLAVE_CURP: GODE561231HDFRRN09",
        "clave_producto = 'SKU-2024-X7K9-BLUE'",
        "password=!DB_PASSWORD!",
        "password=%%DB_PASSWORD%%",
        's = Span("5f0c1e2d3b4a59687766554433221100")',
        'sku = Sku("PRD-2024-X7K9-BLUE-XL")',
        "see src/hooks/useauthenticationstate2024",
        '{"name": "REGION", "value": "M5URsnyKGn0qE4Uz9b8lEdReLKMNtg9Z"}',
    ],
)
def test_ids_keywords_and_placeholders_read_as_secrets_names_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "KUNCI_API={v}",
        "kunci_rahasia: {v}",
        "khoa_bi_mat = '{v}'",
        "kata_laluan={v}",
        "CONTRASINAL={v}",
        "chave_secreta: {v}",
        "clave: {v}",
    ],
)
def test_more_languages_secret_names_are_masked(shape: str) -> None:
    v = rnd(ALNUM, 32)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        '>>> config["db"]["password"]\n\'{v}\'',
        'irb(main):001> ENV["API_KEY"]\n=> "{v}"',
        'app(prod)> ENV["STRIPE_API_KEY"]\n=> "{v}"',
        '[1] pry(main)> ENV["API_KEY"]\n=> "{v}"',
        "user@host:~$ echo $GITHUB_TOKEN\n{v}",
        "root@c0ffee:/app# echo $DB_PASSWORD\n{v}",
        '$ echo "${{API_KEY}}"\n{v}',
        "    >>> os.environ[\"API_KEY\"]\n    '{v}'",
        "% echo $API_KEY\n{v}",
    ],
)
def test_more_repl_and_shell_prompts_echoing_a_secret_are_masked(shape: str) -> None:
    v = rnd(ALNUM, 32)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        'DSN=scott/"{v}"@dbhost:1521/ORCL',
        "DSN=scott/{v}@dbhost:1521:ORCL",
        'client = Vimeo(\n    "{v}"\n)',
        'c = Vimeo(b"{v}")',
        'let c = zentrix::Client::new("{v}".to_string());',
        "**API Key** \u2014 {v}",
        'echo "{v}" | sudo --stdin true',
        'echo "{v}" | docker.exe login -u u --password-stdin',
        "https://open.feishu.cn/open-apis/bot/hook/{v}",
        "https://api.ciscospark.com/v1/webhooks/incoming/{v}",
    ],
)
def test_more_forms_of_the_newer_rules_are_masked(shape: str) -> None:
    v = rnd(ALNUM, 24) + "x9"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "shape",
    [
        "sshpass -p '{v}&x' ssh deploy@10.0.3.17",
        "sshpass -p 'apple pilot salmon silver {v}' ssh deploy@10.0.3.17",
        "mysql -u root -p'{v}&x' shop",
        "redis-cli -a '{v}|x' ping",
        'docker login -u ci -p "{v} x" ghcr.io',
    ],
)
def test_a_quoted_command_line_password_is_read_whole(shape: str) -> None:
    v = rnd(ALNUM, 12) + "7"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "docker login --username ci --password ribbon-battery-copper-timber-ocean-66 ghcr.io",
        "mytool --db-password correct-horse-battery-staple",
    ],
)
def test_a_passphrase_given_to_a_password_option_is_masked(text: str) -> None:
    _masked_everywhere(text, text.split()[-1] if "ghcr" not in text else text.split()[-2])


@pytest.mark.parametrize(
    "text",
    [
        "mytool --password reset-link-sent",
        "mytool --password my-db-password",
        "mytool --password-file /etc/app/pw",
        "Using password ribbon-battery-copper-timber",
    ],
)
def test_words_after_a_password_option_that_name_something_else_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "ValueError: Invalid API key format: '{v}' (expected 32 characters)",
        "token supplied: {v}",
        "Das Passwort lautet: {v}",
        "la clave es: {v}",
    ],
)
def test_more_words_a_message_says_of_a_secret_before_its_value(shape: str) -> None:
    v = rnd(HEX, 32)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize("text", ["API key format: RSA", "token format: base64url"])
def test_a_keys_format_named_in_a_message_stays(text: str) -> None:
    _kept_everywhere(text)


def test_two_dots_between_two_generated_runs_are_part_of_the_value() -> None:
    v = rnd(ALNUM, 12) + "7Q..q2" + rnd(ALNUM, 12)
    _masked_everywhere(f"WIFI_PSK='{v}'", v)


@pytest.mark.parametrize("text", ["api_key=sk-or-v1-abcd..", "token=3f2a1b4c..9e8d7f6a"])
def test_an_elided_value_or_a_range_stays(text: str) -> None:
    _kept_everywhere(text)


def test_dotted_base32_runs_are_no_attribute() -> None:
    up = string.ascii_uppercase + string.digits
    v = f"NNSXS.{rnd(up, 39)}.{rnd(up, 52)}"
    _masked_everywhere(f"TTN_API_KEY={v}", v)


@pytest.mark.parametrize("text", ["api_key = cfg.AES256GCM_KEY", "token = settings.X509V3_TOKEN"])
def test_constants_with_a_number_in_their_words_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("shape", ["    - GF_SECURITY_ADMIN_PASSWORD=*{v}", "DB_PASSWORD: *{v}%x"])
def test_a_password_opening_with_a_star_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 14) + "%?=+"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize("text", ["password: *db_password", "password: ********"])
def test_a_yaml_alias_or_masks_under_a_password_name_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize("kind", ["RSA ", "", "EC ", "OPENSSH ", "ENCRYPTED "])
@pytest.mark.parametrize("wrapped", [False, True])
def test_a_private_key_in_base64_is_masked_whatever_its_name(kind: str, wrapped: bool) -> None:
    body = "\n".join(rnd(ALNUM, 64) for _ in range(8))
    dashes = "-" * 5
    label = f"{kind}PRIVATE KEY"
    pem = f"{dashes}BEGIN {label}{dashes}\n{body}\n{dashes}END {label}{dashes}\n"
    b64 = base64.b64encode(pem.encode()).decode()
    if wrapped:
        b64 = "\n".join(b64[i : i + 76] for i in range(0, len(b64), 76))
        text = f"cat <<EOF | base64 -d > key.pem\n{b64}\nEOF"
    else:
        text = f'const clientKeyData = "{b64}";'
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        for line in b64.split("\n"):
            assert_no_leak(line, out)
        assert "EOF" in out or not wrapped


def test_a_certificate_in_base64_stays() -> None:
    dashes = "-" * 5
    pem = f"{dashes}BEGIN CERTIFICATE{dashes}\n{rnd(ALNUM, 64)}\n{dashes}END CERTIFICATE{dashes}\n"
    _kept_everywhere(f"tls.crt: {base64.b64encode(pem.encode()).decode()}")


@pytest.mark.parametrize(
    "build",
    [
        lambda: f"RGAPI-{uuid.uuid4()}",
        lambda: "amzn1.oa2-cs.v1." + rnd(HEX, 64),
        lambda: "tgp_v1_" + rnd(ALNUM, 43),
        lambda: "perm:" + rnd(ALNUM, 8) + "==." + rnd(ALNUM, 8) + "==." + rnd(ALNUM, 30),
        lambda: "mainnet" + rnd(ALNUM, 30) + "7Q",
        lambda: "$aact_" + base64.b64encode(secrets.token_bytes(90)).decode(),
    ],
)
def test_more_vendors_keys_are_masked_by_their_format(build: object) -> None:
    v = build()  # type: ignore[operator]
    _masked_everywhere(f"retrying with {v} after 429", v[6:])


@pytest.mark.parametrize(
    "text",
    [
        "project mainnetBlockHeightForTheCurrentEpochValue",
        "previewImageUrlForTheSelectedItemCardsInGrid",
        "perm: read-only",
    ],
)
def test_words_that_start_like_the_newer_vendor_keys_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "密钥是 {v} \uff0c请不要外传",
        "APIキーはこちらです: {v}",
        "Пароль от сервера: {v}",
        "密码: {v}",
        "パスワード\uff1a{v}",
        "비밀번호는 {v} 입니다",
        "令牌「{v}」",
    ],
)
def test_prose_in_other_scripts_naming_a_secret_before_it_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 30) + "7"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "密码长度至少 12 个字符",
        "пароль для administrator",
        "请输入密码。然后 abcdefgh12345678ab",
        "令牌已过期 request_id",
        "密钥 ID: 2024-01-15",
    ],
)
def test_prose_in_other_scripts_with_no_secret_after_its_word_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        '{{"msg": "\\u5bc6\\u7801: {v}"}}',
        '{{"msg": "\\u5BC6\\u7801: {v}"}}',
        "\u041a\u043b\u044e\u0447 API: {v}",
        "\u041f\u0430\u0440\u043e\u043b\u044c \u0434\u043b\u044f root: {v}",
        "M\u1eadt kh\u1ea9u l\u00e0 {v}",
        "La contrase\u00f1a del servidor es {v}",
        "Hier ist der API-Schl\u00fcssel f\u00fcr Zentrix: {v}",
        "Has\u0142o do bazy: {v}",
        "\u5bc6\u7801:\u3010{v}\u3011",
        "\u041f\u0430\u0440\u043e\u043b\u044c: \u00ab{v}\u00bb",
        "**\u5bc6\u7801**: {v}",
        "\u03b4\u03b9\u03b1\u03ba\u03c1\u03b9\u03c4\u03b9\u03ba\u03cc: {v}",
        "\u6b0a\u6756: {v}",
    ],
)
def test_more_prose_naming_a_secret_in_another_script_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 22) + "7"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "\u5bc6\u7801\u7b56\u7565: PasswordPolicyV2",
        "\u5bc6\u94a5\u7c7b\u578b: AES256GCMKey",
        "\u5bc6\u94a5\u540d\u79f0: ProdApiKey2024A",
        "\u5bc6\u7801\u54c8\u5e0c\u503c: 4bf92f3577b34da6a3ce929d0e0e4736",
        "\u5bc6\u94a5\u7248\u672c: v2024A1b2C3",
        "\u041e\u0442\u043a\u0440\u044b\u0442\u044b\u0439 \u043a\u043b\u044e\u0447: "
        "Ws36x9NC4Jff95I+e2B3ddGOgMJ5YeCiTNgBB6uGxhk=",
        "ID \u043a\u043b\u044e\u0447\u0430: a1b2c3d4e5f6a7b8",
        "\u9519\u8bef: \u4ee4\u724c\u65e0\u6548 (trace_id=4bf92f3577b34da6a3ce929d0e0e4736)",
        "\u5bc6\u7801\u9519\u8bef user=bob2024 trace=4bf92f3577b34da6a3ce929d0e0e4736",
        "La contrase\u00f1a debe tener al menos 12 caracteres",
    ],
)
def test_words_around_another_scripts_secret_word_that_name_something_else(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        'docker login -u AWS -p "$(aws ecr get-login-password)" registry.example.com',
        'redis-cli -a "$(cat /run/secrets/redis)" ping',
        'mysql --password="`cat /run/secrets/db`" shop',
        "app --password for-this-demo-only",
        "app --password stored-in-vault-kv-2",
        "app --password min-length-12-chars",
    ],
)
def test_a_commands_output_or_a_note_after_a_password_option_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "password: ({v}",
        "DB_PASSWORD=({v}",
        "Passwort: ({v}",
        "senha=({v}",
        "GH_PW=({v}",
    ],
)
def test_a_password_opening_with_a_bracket_it_does_not_close_is_masked(shape: str) -> None:
    # (no five small letters in a row: a generated password's, read brackets and all)
    v = "bRP=N!^6Mu" + rnd("ABCDEFGHJK0123456789", 6)
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "password: *db-password",
        "password: *redis-auth",
        "password: *redis_password_v2",
        "password: *pg_pass_2",
        "password: *optional*",
        "password: _*required*_",
        "password=(optional)",
        "password = S3_PASSWORD",
        "api_key = cfg.S3_API_KEY",
        "password = settings.REDIS6_PASSWORD",
        "secret = cfg.JWT2_SECRET",
    ],
)
def test_aliases_emphasis_and_numbered_constants_under_a_password_name_stay(text: str) -> None:
    _kept_everywhere(text)


def _private_key_pem(label: str = "PRIVATE KEY") -> str:
    dashes = "-" * 5
    body = "\n".join(rnd(ALNUM, 64) for _ in range(6))
    return f"{dashes}BEGIN {label}{dashes}\n{body}\n{dashes}END {label}{dashes}\n"


@pytest.mark.parametrize("layout", ["indented", "tabs", "json", "bundle"])
def test_a_private_key_in_base64_is_masked_in_more_layouts(layout: str) -> None:
    pem = _private_key_pem()
    b64 = base64.b64encode(pem.encode()).decode()
    lines = [b64[i : i + 76] for i in range(0, len(b64), 76)]
    if layout == "indented":
        text = "tls.key: |\n" + "".join(f"    {line}\n" for line in lines)
    elif layout == "tabs":
        text = "tls.key: |\n" + "".join(f"\t{line}\n" for line in lines)
    elif layout == "json":
        text = json.dumps({"content": "\n".join(lines) + "\n"})
    else:
        cert = _private_key_pem("CERTIFICATE").replace("PRIVATE KEY", "CERTIFICATE")
        b64 = base64.b64encode((cert + pem).encode()).decode()
        lines = [b64]
        text = f"tls.pem: {b64}"
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        for line in lines[:-1] or lines:
            assert_no_leak(line, out)


def test_a_placeholders_pem_in_base64_stays() -> None:
    dashes = "-" * 5
    pem = f"{dashes}BEGIN PRIVATE KEY{dashes}\n...\n{dashes}END PRIVATE KEY{dashes}\n"
    _kept_everywhere(f"blob {base64.b64encode(pem.encode()).decode()}")


@pytest.mark.parametrize(
    "shape",
    [
        "id=42perm:{a}.{b}.{c}",
        '"a\\nperm:{a}.{b}.{c}"',
        "id=42mainnet{d}",
    ],
)
def test_the_newer_vendor_keys_are_masked_glued_to_text(shape: str) -> None:
    a, b, c, d = rnd(ALNUM, 8), rnd(ALNUM, 8), rnd(ALNUM, 30), rnd(ALNUM, 30) + "7Q"
    text = shape.format(a=a, b=b, c=c, d=d)
    _masked_everywhere(text, c if "perm" in shape else d)


def test_an_asaas_key_in_a_url_is_masked_and_a_placeholder_stays() -> None:
    v = base64.b64encode(secrets.token_bytes(60)).decode().replace("+", "A").replace("/", "b")
    _masked_everywhere(f"GET /x?q=%24aact_{v}", v)
    _kept_everywhere("ASAAS_API_KEY=$aact_" + "x" * 40)
    _kept_everywhere("ASAAS_API_KEY=$aact_" + "0" * 40)


@pytest.mark.parametrize(
    "text",
    [
        "const stripe = Stripe('pk_live_" + "qFaDpL6Q13KtDxSd1p0mngswBNqqYwCIyVQ7keBkio" + "');",
        "paystack_public_key = 'pk_live_4545cc7db65e26ca618dd91f52fdc757ae4a6c11';",
        "DB_PASSWORD=file:/run/secrets/db_password",
        'docker run --env "PASSWORD=secretsmanager:prod/stripe:SecretString:key" app',
        'val clientSecret = "[your key]"',
        "db_password: \"{{ lookup('community.hashi_vault.hashi_vault', "
        "'secret=secret/data/db:password') }}\"",
        '"Env": [\n    "SECRET_NAME=db-credentials",\n    "PYTHON_VERSION=3.12.3"\n],',
    ],
)
def test_publishable_keys_references_and_placeholders_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        '$ op read "op://Private/Zentrix/credential"\n{v}\n',
        "$ kubectl get secret gateway -o jsonpath='{{.data.oauth_token}}' | base64 -d\n{v}",
        "$ vault kv get -field=password secret/app\n{v}",
        "$ security find-generic-password -s github -w\n{v}",
        "$ cat /run/secrets/db_password\n{v}",
        "$ gcloud secrets versions access latest --secret=zentrix\n{v}",
        "+ gh auth token\n{v}",
        "$ op read op://prod/db/password\n\n{v}",
        "$ security find-internet-password -s github.com -w\n{v}",
        "$ gopass show -o prod/db\n{v}",
        "$ cat /var/run/secrets/db_password\n{v}",
        "$ terraform output -raw db_password\n{v}",
        "(Pdb) p self.github_client_secret\n'{v}'",
        '(gdb) p cfg->api_token\n$1 = 0x55555576b2a0 "{v}"',
        "ipdb> p settings.API_KEY\n'{v}'",
        '>> Rails.application.credentials.api_key\n=> "{v}"',
        '> Sys.getenv("AZURE_FUNCTION_KEY")\n[1] "{v}"',
        "PS> $env:INFURA_API_SECRET\n{v}\nPS>",
        'array(2) {{\n  ["host"]=>\n  string(9) "localhost"\n  ["azdo_access_token"]=>\n'
        '  string(31) "{v}"\n}}',
    ],
)
def test_a_secret_a_command_or_a_debugger_printed_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 30) + "7"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "$ aws configure get region\neu-west-1a",
        "$ echo aGVsbG8gd29ybGQ= | base64 -d\nhelloworld-2024",
        '$ op read "op://Private/x/credential"\n[ERROR] 2024/05/01 not found',
        "(Pdb) p self.retries\n'f4980496e63e3f62983bb35ea8bb4a945ac802ed'",
        "$ heroku config:get PORT -a app\n8080",
        "$ terraform output -raw vpc_id\nvpc-0a1b2c3d4e5f6a7b8",
        "$ op read op://prod/db/password\n\nError: item not found",
        "$ printenv | sort\nDB_PASSWORD=file:/run/secrets/db_password\nPATH=/usr/bin",
        "    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n"
        "    secrets:\n      - db_password",
    ],
)
def test_other_commands_output_stays(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape",
    [
        "api_key:\n  {v}\n",
        "password:\n  {v}",
        "The Gitea token is:\n\n    {v}\n\nKeep it safe.",
        "The Zentrix API key is:\n{v}",
    ],
)
def test_a_value_alone_on_the_line_after_its_name_is_masked(shape: str) -> None:
    v = rnd(ALNUM, 30) + "7"
    _masked_everywhere(shape.format(v=v), v)


@pytest.mark.parametrize(
    "text",
    [
        "credentials:\n  - name: registry\n",
        "token:\n  type: bearer\n",
        "api_key:\n  ${API_KEY}\n",
        "secret:\n  MissingDependencyError\n",
        "The token is:\n\nnot set yet, see the wiki\n",
    ],
)
def test_a_mapping_or_words_on_the_line_after_a_secrets_name_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "text",
    [
        "\u5bc6\u94a5ID: 4bf92f3577b34da6a3ce929d0e0e4736",
        "\u00d6ffentlicher Schl\u00fcssel: Ws36x9NC4Jff95I+e2B3ddGOgMJ5YeCiTNgBB6uGxhk=",
        "Kh\u00f3a c\u00f4ng khai: Ws36x9NC4Jff95I+e2B3ddGOgMJ5YeCiTNgBB6uGxhk=",
        "Pol\u00edtica de contrase\u00f1a: PolicyV2Strong",
        "Schl\u00fcsseltyp: AES256GCMKey",
        "\u5bc6\u7801\u7684 SHA-256: 4bf92f3577b34da6a3ce929d0e0e4736",
        "\u5bc6\u7801\u66f4\u65b0\u65f6\u95f4: 2024-05-01T12:00:00Z",
        "CLERK_KEY=pk_test_Y2xlcmsuZXhhbXBsZS5jb20kJA==",
    ],
)
def test_more_values_another_scripts_words_say_are_something_else_stay(text: str) -> None:
    _kept_everywhere(text)


@pytest.mark.parametrize(
    "shape", ["DB_PASSWORD=ssm:{v}", "DB_PASSWORD=secretsmanager:{v}", "password=file:/{v}"]
)
def test_a_password_opening_like_a_reference_is_masked(shape: str) -> None:
    v = "A6UkOM*1384der!" + rnd("ABCDEF0123456789", 6)
    _masked_everywhere(shape.format(v=v), v)


def test_a_placeholders_pem_of_one_character_in_base64_stays() -> None:
    dashes = "-" * 5
    pem = f"{dashes}BEGIN PRIVATE KEY{dashes}\n{'X' * 64}\n{dashes}END PRIVATE KEY{dashes}\n"
    _kept_everywhere(f"blob {base64.b64encode(pem.encode()).decode()}")


def test_a_secret_manifest_pasted_into_a_log_is_read_alone() -> None:
    v = rnd(ALNUM, 30) + "7"
    log = "\n".join(f"2026-11-23T13:00:{i % 60:02d}Z INFO app: request {i} ok" for i in range(50))
    manifest = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  db_url: {v}\n"
    text = f"{log}\n{manifest}{log}\ndata:\n  region: eu-west-1\n"
    for backend in ENGINES:
        out = engine(backend).sanitize(text)
        assert_no_leak(v, out)
        assert "region: eu-west-1" in out
