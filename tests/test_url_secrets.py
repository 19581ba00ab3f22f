"""Secrets in URLs and under short names: presigned-URL signatures, percent-encoded
parameter names, ``GH_PAT``/``SAS``/``PIN``, Telegram bot and Discord webhook URLs.

The Sanitizer and the config check read one list of secret query parameters
(``_sanitize._names``): each case checks both, on every scan engine. Every secret is
made at run time."""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
import string
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from openrouter_secure import InsecureConfigError, Sanitizer, default_sanitizer
from openrouter_secure.config import validate_config
from openrouter_secure.testing import assert_no_leak
from tests.sanitizer_cases import ALNUM, HEX, rnd

ENGINES = ["python", "ahocorasick", "hyperscan"]
B64URL = ALNUM + "_-"
_NO_VOWELS = "".join(c for c in B64URL if c not in "aeiouAEIOU")


def _sanitizer(backend: str) -> Sanitizer:
    module = {"ahocorasick": "ahocorasick_rs", "hyperscan": "hyperscan"}.get(backend)
    if module is not None:
        pytest.importorskip(module)
    return Sanitizer(backend=backend)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Sanitizer:
    return _sanitizer(request.param)


def _refused(url: str) -> bool:
    try:
        validate_config({"mcpServers": {"s": {"url": url}}})
    except InsecureConfigError:
        return True
    return False


def _presigned(sig: str) -> dict[str, str]:
    return {
        "s3": "https://bucket.s3.amazonaws.com/k.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Date=20261205T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
        f"&X-Amz-Signature={sig}",
        "gcs": "https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256"
        f"&X-Goog-Date=20261205T000000Z&X-Goog-Expires=900&X-Goog-Signature={sig}",
        "cloudfront": f"https://d1.cloudfront.net/a.png?Expires=1767225600&Signature={sig}"
        "&Key-Pair-Id=K2JCJMDEHXQW5F",
        "azure-sas": "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026-12-06"
        f"&sr=b&sp=r&sig={sig}",
        "s3-html": f"<a href='https://b.s3.amazonaws.com/k?X-Amz-Expires=60&amp;X-Amz-Signature={sig}'>",
        "lower-case": f"https://b.s3.amazonaws.com/k?x-amz-expires=60&x-amz-signature={sig}",
    }


# -- presigned URLs ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(_presigned("x")))
def test_presigned_url_signature_is_masked_whole_and_refused_by_config(
    engine: Sanitizer, kind: str
) -> None:
    for sig in (secrets.token_hex(32), quote(base64.b64encode(secrets.token_bytes(32)), safe="")):
        url = _presigned(sig)[kind]
        out = engine.sanitize(f"GET {url} 200")
        assert_no_leak(sig, out)
        assert sig[:6] not in out  # masked whole, nothing of it kept
        assert _refused(url)


def test_presigned_url_keeps_its_host_and_unsigned_params(engine: Sanitizer) -> None:
    out = engine.sanitize(f"GET {_presigned(secrets.token_hex(32))['s3']} 200")
    for visible in ("bucket.s3.amazonaws.com/k.txt", "X-Amz-Date=20261205T000000Z"):
        assert visible in out
    assert "X-Amz-Expires=3600" in out
    assert "X-Amz-SignedHeaders=host" in out


def test_session_token_and_credential_of_a_presigned_url_are_masked(engine: Sanitizer) -> None:
    token = rnd(ALNUM + "/+", 300)
    cred = "ASIA" + rnd(string.ascii_uppercase + "234567", 16)
    url = (
        f"https://b.s3.amazonaws.com/k?X-Amz-Credential={cred}%2F20261205%2Fus-east-1%2Fs3"
        f"%2Faws4_request&X-Amz-Security-Token={token}&X-Goog-Credential=sa%40p.iam"
    )
    out = engine.sanitize(url)
    assert_no_leak([token, cred], out)
    assert _refused(url)


@pytest.mark.parametrize(
    "text",
    [
        "GET https://b.s3.amazonaws.com/k?signature_version=4&X-Amz-Date=20261205T000000Z",
        "https://b.s3.amazonaws.com/k?X-Amz-Expires=3600&X-Amz-SignedHeaders=host",
        "s3 = boto3.client('s3', config=Config(signature_version='s3v4'))",
        "https://example.com/search?policy=readonly&keyword=tokens&signatures=3",
        "the Signature=valid line of the report",  # no query delimiter: prose
        "https://api.example.com/v1?access_token=ACCESS_TOKEN&key=YOUR_API_KEY",
        "https://api.example.com/v1?token=${TOKEN}&sig=<signature>",
    ],
)
def test_look_alikes_of_signed_urls_stay(engine: Sanitizer, text: str) -> None:
    assert engine.sanitize(text) == text


def test_config_accepts_urls_whose_params_only_look_alike() -> None:
    assert not _refused("https://mcp.example.com/sse?signature_version=4&X-Amz-Expires=3600")
    assert not _refused("https://mcp.example.com/sse?policy=readonly")


def test_every_listed_param_is_masked_by_the_sanitizer_and_refused_by_config(
    engine: Sanitizer,
) -> None:
    """One list, two readers: whatever name is added to ``SECRET_QUERY_PARAMS``, both
    the Sanitizer and ``validate_config`` treat it as a secret."""
    from openrouter_secure._sanitize._names import SECRET_QUERY_PARAMS

    for name in SECRET_QUERY_PARAMS:
        for delim in "?&#":
            lead = "?a=1" if delim == "&" else ""
            # (no vowels: a random value that spells a placeholder word, ``DummY``, is
            # taken for one, about once in 100,000 values)
            value = rnd(_NO_VOWELS, 40)
            url = f"https://mcp.example.com/sse{lead}{delim}{name}={value}"
            assert_no_leak(value, engine.sanitize(f"HTTP Request: GET {url}"))
            assert _refused(url), name


def test_presigned_urls_in_sentry_breadcrumbs_and_otel_spans_are_masked() -> None:
    pytest.importorskip("sentry_sdk")
    pytest.importorskip("opentelemetry.sdk")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from openrouter_secure.integrations.opentelemetry import SanitizingSpanExporter
    from openrouter_secure.integrations.sentry import before_send

    sig = secrets.token_hex(32)
    for url in _presigned(sig).values():
        crumb = {"type": "http", "category": "httplib", "data": {"url": url, "method": "GET"}}
        event = before_send({"breadcrumbs": {"values": [crumb]}}, {})
        memory = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(SanitizingSpanExporter(memory)))
        with provider.get_tracer("t").start_as_current_span("GET") as span:
            span.set_attribute("url.full", url)
        provider.shutdown()
        assert_no_leak(sig, json.dumps(event), str(memory.get_finished_spans()[0].attributes))


def test_distinctive_names_count_without_a_query_delimiter(engine: Sanitizer) -> None:
    sig = secrets.token_hex(32)
    texts = [
        f"X-Amz-Signature={sig}&X-Amz-Date=20261205T000000Z",  # a query string without "?"
        f'{{"u": "https://b/k?a=1\\u0026X-Amz-Signature={sig}"}}',  # JSON-escaped "&"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIA/20261205/us-east-1/s3/aws4_request,"
        f" SignedHeaders=host;x-amz-date, Signature={sig}",  # a SigV4 header in a debug log
        f"https://b/k?x-Amz-signature=1&x-amz-Signature={sig}",
    ]
    for text in texts:
        assert_no_leak(sig, engine.sanitize(text))


def test_a_key_param_value_passes_the_password_value_gate(engine: Sanitizer) -> None:
    for kept in ("GET https://kv/v1?key=photos/2024/a.jpg", "GET https://kv/v1?key=user_settings"):
        assert engine.sanitize(kept) == kept
    token = secrets.token_urlsafe(1500)  # longer than the value gate reads
    assert_no_leak(token, engine.sanitize(f"GET https://kv/v1?token={token}&page=2"))
    for password in ("hunter" + rnd(string.digits, 2), "Tr0ub4dor" + rnd(ALNUM, 4)):
        assert_no_leak(password, engine.sanitize(f"GET https://h/login?password={password}&x=1"))


@pytest.mark.parametrize(
    "shape",
    [
        "POST https://fn-app.azurewebsites.net/api/HttpTrigger?code={v}&clientId=default",
        'curl "https://fn-app.azurewebsites.net/api/Login?code={v}"',
        "GET https://shop.example.com/cart;jsessionid={v}?item=3",
        "GET https://legacy.example.com/index.php?PHPSESSID={v}",
    ],
)
def test_a_generated_code_or_session_id_in_a_url_is_masked(engine: Sanitizer, shape: str) -> None:
    value = rnd(ALNUM, 40)
    assert_no_leak(value, engine.sanitize(shape.format(v=value)))


@pytest.mark.parametrize(
    "text",
    [
        "GET https://shop.example.com/products?code=SKU-12345-BLUE",
        "GET https://app.example.com/callback?code=200&state=ok",
        "GET https://example.com/?code=print_hello_world&lang=py",
        "GET https://example.com/?code=MyOrganization2024",
        "GET /oauth/callback?code=4%2F0A{v}&state={h} 302",
        "GET /api/items?state=open&code={v}",
        "https://shop.example.com/promo?code=BLACKFRIDAY-2024-50OFF",
        "GET http://127.0.0.1:53682/?code=4/0A{v}&scope=drive",
        "GET /sso/return?code={v}",
        "GET /v1/complete?code={v}&session_state={h}",
    ],
)
def test_a_code_that_is_no_generated_value_or_an_oauth_code_stays(
    engine: Sanitizer, text: str
) -> None:
    text = text.format(v=rnd(B64URL, 40), h=rnd(HEX, 32))
    assert engine.sanitize(text) == text


def test_query_strings_in_sentry_events_lose_signatures() -> None:
    pytest.importorskip("sentry_sdk")
    from openrouter_secure.integrations.sentry import before_send

    sig = secrets.token_hex(32)
    for qs in (
        f"X-Amz-Signature={sig}&X-Amz-Date=1",
        f"Expires=1&Signature={sig}&Key-Pair-Id=K2",
        {"sig": sig, "sv": "2022-11-02"},
        {"X-Goog-Signature": sig},
    ):
        event = {"request": {"url": "https://b.s3.amazonaws.com/k", "query_string": qs}}
        assert_no_leak(sig, json.dumps(before_send(event, {})))


# -- percent-encoded names --------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "api%5Fkey",
        "access%5Ftoken",
        "to%6Ben",
        "pass%77ord",
        "s%69g",
        "%73%69%67",
        "X%2DAmz%2DSignature",
    ],
)
def test_percent_encoded_secret_param_names_are_decoded_by_both(
    engine: Sanitizer, name: str
) -> None:
    tok = secrets.token_urlsafe(32)
    for url in (
        f"https://mcp.example.com/sse?{name}={tok}",
        f"https://h/x?a=1&{name.lower()}={tok}",
    ):
        assert_no_leak(tok, engine.sanitize(f"HTTP Request: GET {url} 200 OK"))
        assert _refused(url)


def test_a_percent_encoded_secret_looking_name_outside_the_list_needs_a_generated_value(
    engine: Sanitizer,
) -> None:
    tok = rnd(ALNUM, 32)
    assert_no_leak(tok, engine.sanitize(f"https://h/x?stripe%5Fsecret%5Fkey={tok}"))
    kept = "https://h/x?page%5Fsize=50&sort%5Fkey=created_at_desc_order"
    assert engine.sanitize(kept) == kept


def test_names_are_decoded_once_and_escapes_elsewhere_are_not_names(engine: Sanitizer) -> None:
    from openrouter_secure._sanitize._names import decode_param_name, is_secret_param

    assert decode_param_name("api%5Fkey") == "api_key"
    assert decode_param_name("api%255Fkey") == "api%5Fkey"  # a server decoding once
    assert not is_secret_param("api%255Fkey")
    assert is_secret_param("S%49G")
    assert is_secret_param("Policy")
    assert not is_secret_param("policy")
    for text in (
        "printf('%2d items, %6f s, %4d MB', n, t, m)",
        "GET /files/report%5Ffinal.pdf?download=1",
        "see https://h/x#section%2Dtwo",
    ):
        assert engine.sanitize(text) == text


def test_config_placeholder_after_an_encoded_name_counts_as_a_secret_reference() -> None:
    from openrouter_secure.config._interpolate import parse_template
    from openrouter_secure.config._load import _names_a_secret

    assert _names_a_secret(parse_template("https://h/x?api%5Fkey=${K}", "url"))
    assert not _names_a_secret(parse_template("https://h/x?page%5Fsize=${K}", "url"))


# -- PAT / SAS / PIN ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["AZURE_DEVOPS_EXT_PAT", "GH_PAT", "SAS", "PIN", "BOT_PIN2"])
def test_upper_case_pat_sas_pin_names_are_secret_names_in_text_and_config(
    engine: Sanitizer, name: str
) -> None:
    pat = rnd("abcdefghijklmnopqrstuvwxyz234567", 52)
    for text in (f"+ export {name}={pat}", f'{{"{name}": "{pat}"}}', f"{name}: {pat}"):
        assert_no_leak(pat, engine.sanitize(text))
    with pytest.raises(InsecureConfigError):
        validate_config({"mcpServers": {"s": {"command": "x", "env": {name: pat}}}})


@pytest.mark.parametrize(
    "template",
    [
        "path=/pat/{v}",
        "spinner={v}",
        "SPINNER={v}",
        "COMPAT={v}",
        "pat = '{v}'",  # lower case: code's pattern variable
        "led_pin = '{v}'",
        "PIN_FILE=/run/secrets/{v}",
        "PATTERN={v}",
    ],
)
def test_pat_sas_pin_look_alikes_stay(engine: Sanitizer, template: str) -> None:
    text = template.format(v=rnd(ALNUM, 24))
    assert engine.sanitize(text) == text


def test_structured_data_masks_pin_and_pat_fields_but_not_spinner() -> None:
    v = rnd(ALNUM, 24)
    out = default_sanitizer().sanitize_data({"pin": v, "gh_pat": v + "x", "spinner": "dots"})
    assert out["spinner"] == "dots"
    assert_no_leak([v, v + "x"], json.dumps(out))


# -- Telegram and Discord ------------------------------------------------------------------


def _telegram() -> tuple[str, str]:
    bot_id = str(secrets.randbelow(9 * 10**9) + 10**9)
    return bot_id, "AA" + rnd(B64URL, 33)


def test_telegram_bot_token_is_masked_and_host_and_method_stay(engine: Sanitizer) -> None:
    bot_id, token = _telegram()
    for path in (
        f"/bot{bot_id}:{token}/sendMessage",
        f"/file/bot{bot_id}:{token}/photos/1.jpg",
        f"/bot{bot_id}%3A{token}/getMe",
    ):
        out = engine.sanitize(f"POST https://api.telegram.org{path} 200")
        assert_no_leak(token, out)
        assert out.startswith("POST https://api.telegram.org/")
        assert bot_id in out
        assert path.rsplit("/", 1)[1] in out


@pytest.mark.parametrize("host", ["discord.com", "discordapp.com", "canary.discord.com"])
@pytest.mark.parametrize("version", ["", "v10/"])
def test_discord_webhook_token_is_masked_and_host_and_id_stay(
    engine: Sanitizer, host: str, version: str
) -> None:
    hook_id = str(10**18 + secrets.randbelow(10**18))
    token = rnd(B64URL, 68)
    out = engine.sanitize(f"POST https://{host}/api/{version}webhooks/{hook_id}/{token} 204")
    assert_no_leak(token, out)
    assert f"https://{host}/api/{version}webhooks/{hook_id}/" in out


@pytest.mark.parametrize(
    "text",
    [
        "join us at https://discord.com/invite/AbCd3fGh or https://discord.gg/AbCd3fGh",
        "https://discord.com/api/webhooks/123456789012345678/",  # no token
        "https://discord.com/api/v10/channels/123456789012345678/messages",
        "docs: https://core.telegram.org/bots/api#sendmessage",
        "https://t.me/some_bot?start=abc",
    ],
)
def test_telegram_and_discord_look_alikes_stay(engine: Sanitizer, text: str) -> None:
    assert engine.sanitize(text) == text


@pytest.fixture
def httpx_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    from openrouter_secure import install_log_redaction

    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    log = logging.getLogger("httpx")
    old_level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    remove = install_log_redaction()
    try:
        yield log, buf
    finally:
        if callable(remove):
            remove()
        log.removeHandler(handler)
        log.setLevel(old_level)


def test_httpx_request_lines_lose_bot_and_webhook_tokens(
    httpx_log: tuple[logging.Logger, io.StringIO],
) -> None:
    log, buf = httpx_log
    bot_id, token = _telegram()
    hook = rnd(B64URL, 68)
    sig = secrets.token_hex(32)
    for url in (
        f"https://api.telegram.org/bot{bot_id}:{token}/sendMessage",
        f"https://discord.com/api/webhooks/{10**18 + 7}/{hook}",
        _presigned(sig)["s3"],
    ):
        log.info('HTTP Request: %s %s "%s %d %s"', "POST", url, "HTTP/1.1", 200, "OK")
    assert_no_leak([token, hook, sig], buf.getvalue())


def test_engines_agree_on_urls_and_names() -> None:
    bot_id, token = _telegram()
    blob = "\n".join(
        [
            *_presigned(secrets.token_hex(32)).values(),
            f"https://h/x?api%5Fkey={rnd(ALNUM, 30)}&s%69g={rnd(HEX, 40)}",
            f"export GH_PAT={rnd(ALNUM, 40)} SAS={rnd(ALNUM, 40)} spinner={rnd(ALNUM, 30)}",
            f"https://api.telegram.org/bot{bot_id}:{token}/getMe",
            f"https://discordapp.com/api/webhooks/{10**18}/{rnd(B64URL, 68)}",
            "printf('%2d %6f') ?signature_version=4 path=/pat/",
        ]
    )
    found = Sanitizer(backend="python").find(blob)
    assert len(found) >= 12
    for backend in ENGINES[1:]:
        try:
            other = _sanitizer(backend)
        except pytest.skip.Exception:
            continue
        assert other.find(blob) == found, backend


def test_telegram_and_discord_urls_written_with_escaped_slashes_or_capitals(
    engine: Sanitizer,
) -> None:
    """PHP and Java JSON writers escape ``/`` as ``\\/``; hosts are case-insensitive."""
    bot_id, token = _telegram()
    hook_id = str(10**18 + secrets.randbelow(10**18))
    hook = rnd(B64URL, 68)
    for text, secret in (
        (f'"https:\\/\\/api.telegram.org\\/bot{bot_id}:{token}\\/getMe"', token),
        (f"GET https://API.TELEGRAM.ORG/bot{bot_id}:{token}/getMe", token),
        (f'"https:\\/\\/discord.com\\/api\\/webhooks\\/{hook_id}\\/{hook}"', hook),
        (f"POST https://Discord.com/api/webhooks/{hook_id}/{hook} 204", hook),
        (f"GET https://api.telegram.ORG/bot{bot_id}:{token}/getMe", token),
        (f"POST https://DISCORDAPP.com/api/webhooks/{hook_id}/{hook} 204", hook),
    ):
        assert_no_leak(secret, engine.sanitize(text))


# -- URLs inside URLs and JSON ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["token", "api_key", "password", "key", "sig", "X-Amz-Signature"])
def test_a_query_delimiter_written_as_a_json_escape_still_delimits(
    engine: Sanitizer, name: str
) -> None:
    """Go's ``encoding/json`` writes ``&`` as ``\\u0026``."""
    value = rnd(B64URL, 40)
    text = f'{{"url":"https://api.example.com/v1?user=1\\u0026{name}={value}\\u0026n=2"}}'
    out = engine.sanitize(text)
    assert_no_leak(value, out)
    assert out.endswith('\\u0026n=2"}')


@pytest.mark.parametrize("name", ["api_key", "token", "sig", "X-Amz-Signature"])
def test_a_secret_parameter_of_a_percent_encoded_url_in_a_query_is_masked(
    engine: Sanitizer, name: str
) -> None:
    value = rnd(B64URL, 40)
    inner = quote(f"https://b.example/c?{name}={value}&n=1", safe="")
    assert_no_leak(value, engine.sanitize(f"GET /login?next={inner} 302"))
    fragment = quote(f"https://b.example/cb#{name}={value}", safe="")
    assert_no_leak(value, engine.sanitize(f"GET /login?next={fragment} 302"))


@pytest.mark.parametrize(
    "text",
    [
        "GET /download?key=Q3Report2024v2.pdf HTTP/1.1",
        "GET /obj?key=img_20240101_123456.jpg",
        "GET /s3?key=uploads%2F2024%2Fimg_83921a.png",
        "GET /dl?key=a1b2c3d4e5f6.tar.gz",
    ],
)
def test_a_file_a_url_query_names_under_key_is_left_alone(engine: Sanitizer, text: str) -> None:
    assert engine.sanitize(text) == text


def test_a_base64_key_with_slashes_in_a_url_query_is_still_masked(engine: Sanitizer) -> None:
    value = rnd(ALNUM, 18) + "/" + rnd(ALNUM, 12) + "+" + rnd(ALNUM, 8)
    assert_no_leak(
        value, engine.sanitize(f"GET https://api.example.io/v2/items?limit=10&apiKey={value}")
    )


def test_a_random_key_holding_an_x_run_is_still_a_key(engine: Sanitizer) -> None:
    """About one random key in 30,000 holds ``xXxx`` somewhere: a placeholder's ``xxxx``
    counts only as a long run or a quarter of the value."""
    value = rnd(ALNUM, 17) + "XXxX" + rnd(ALNUM, 19)
    for text in (f"GET /v1?a=1&key={value}", f"api_key={value} ok"):
        assert_no_leak(value, engine.sanitize(text))
