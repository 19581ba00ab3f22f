"""Credentials held as ``(name, value)`` pairs (ASGI ``scope["headers"]``, Werkzeug's
``Headers`` repr, ``httpx.Headers.raw``, ``parse_qsl`` output) are masked in text and in
data; an AWS ARN's ``:secret:`` resource type is not a name, so ARNs stay readable."""

from __future__ import annotations

import io
import logging
import secrets
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from openrouter_secure import (
    SecretRef,
    default_sanitizer,
    install_log_redaction,
    remove_log_redaction,
)
from openrouter_secure.testing import assert_no_leak
from tests.test_rules import engine

BACKENDS = ["python", "ahocorasick", "hyperscan"]


def bearer() -> str:
    """A third-party bearer token the application does not hold as a ``Secret``."""
    return secrets.token_urlsafe(24)


def api_key() -> str:
    """A service key with no vendor prefix."""
    return secrets.token_hex(20)


def scope(tok: str, key: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat",
        "headers": [
            (b"host", b"api.internal"),
            (b"authorization", b"Bearer " + tok.encode()),
            (b"x-api-key", key.encode()),
        ],
    }


# -- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_asgi_scope_printed_as_text_shows_no_header_credential(backend: str) -> None:
    tok, key = bearer(), api_key()
    out = engine(backend).sanitize(str(scope(tok, key)))
    assert_no_leak(tok, out)
    assert_no_leak(key, out)
    # The scheme word and the harmless headers stay readable.
    assert "(b'authorization', b'Bearer ***MASKED***')" in out
    assert "(b'host', b'api.internal')" in out


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_werkzeug_headers_repr_shows_no_header_credential(backend: str) -> None:
    tok, key = bearer(), api_key()
    text = f"Headers([('Host', 'h'), ('Authorization', 'Bearer {tok}'), ('X-Api-Key', '{key}')])"
    out = engine(backend).sanitize(text)
    assert_no_leak(tok, out)
    assert_no_leak(key, out)


@pytest.mark.parametrize(
    "template",
    [
        "('Authorization', 'Bearer {}')",
        '("Authorization", "Bearer {}")',
        "(b'authorization', b'Bearer {}')",
        "['Proxy-Authorization', 'Basic {}']",
        "(b'proxy-authorization', b'Token {}')",
        "(b'AUTHORIZATION', B'Bearer {}')",
    ],
)
def test_an_authorization_pair_keeps_only_its_scheme_word(template: str) -> None:
    tok = bearer()
    out = default_sanitizer().sanitize(template.format(tok))
    assert_no_leak(tok, out)
    assert out == template.format("***MASKED***")


def test_an_opaque_authorization_pair_value_keeps_nothing() -> None:
    tok = bearer()
    assert default_sanitizer().sanitize(f"('Authorization', '{tok}')") == (
        "('Authorization', '***MASKED***')"
    )


# Values are made when a test runs: parallel test processes must collect the same ids.
_PAIR_VALUES: dict[str, Callable[[], str]] = {
    "x-api-key": api_key,
    "X-Auth-Token": bearer,
    "password": lambda: "hunter2" + secrets.token_hex(3),
    "client_secret": bearer,
    "cookie": lambda: "session=" + bearer(),
}


@pytest.mark.parametrize("name", list(_PAIR_VALUES))
@pytest.mark.parametrize("quote", ["'", '"'])
@pytest.mark.parametrize("prefix", ["", "b"])
@pytest.mark.parametrize("brackets", ["()", "[]"])
def test_a_pair_under_a_secret_name_is_masked_in_every_literal_form(
    name: str, quote: str, prefix: str, brackets: str
) -> None:
    value = _PAIR_VALUES[name]()
    q = f"{prefix}{quote}"
    text = f"{brackets[0]}{q}{name}{quote}, {q}{value}{quote}{brackets[1]}"
    out = default_sanitizer().sanitize(text)
    assert_no_leak(value, out)


@pytest.mark.parametrize(
    "template",
    [
        '"[[\\"Authorization\\", \\"Bearer {}\\"], [\\"X-Api-Key\\", \\"{}\\"]]"',
        "[(u'authorization', u'Bearer {}'), (rb'x-api-key', rb'{}')]",
        '[\n  [\n    "authorization",\n    "Bearer {}"\n  ],\n  ["x-api-key", "{}"]\n]',
    ],
)
def test_pairs_json_escaped_indented_or_with_other_prefixes_are_masked(template: str) -> None:
    tok, key = bearer(), api_key()
    out = default_sanitizer().sanitize(template.format(tok, key))
    assert_no_leak(tok, out)
    assert_no_leak(key, out)


def test_a_pair_value_with_underscores_and_no_early_digit_is_masked() -> None:
    # (``token_urlsafe`` output often looks so; an earlier gate wanted a digit early)
    value = "AbcdEfgh_IjklMnop-QrstUvwx" + secrets.token_hex(4)
    for text in (f"('token', '{value}')", f"[(b'set-cookie', b'session={value}; Path=/')]"):
        assert_no_leak(value, default_sanitizer().sanitize(text))


def test_sanitize_headers_reads_raw_byte_pairs() -> None:
    tok, key = bearer(), api_key()
    raw = [(b"authorization", b"Bearer " + tok.encode()), (b"x-api-key", key.encode())]
    assert default_sanitizer().sanitize_headers(raw) == {
        "authorization": "Bearer ***MASKED***",
        "x-api-key": "***MASKED***",
    }


@pytest.mark.parametrize(
    "text",
    [
        "[('Authorization', 'Bearer <token>'), ('Authorization', '')]",
        '["api_key", "password_file", "secret_token_ttl_ms"]',
        "(b'host', b'api.internal'), (b'content-type', b'application/json')",
        "('x-api-key', 'env://OPENROUTER_API_KEY')",
        "(b'password', b'${DB_PASSWORD}')",
    ],
)
def test_pairs_without_a_credential_are_left_alone(text: str) -> None:
    assert default_sanitizer().sanitize(text) == text


# -- data ---------------------------------------------------------------------------------


def test_sanitize_data_masks_an_asgi_scope_and_keeps_its_bytes() -> None:
    tok, key = bearer(), api_key()
    clean = default_sanitizer().sanitize_data(scope(tok, key))
    assert_no_leak(tok, repr(clean))
    assert_no_leak(key, repr(clean))
    assert clean["headers"] == [
        (b"host", b"api.internal"),
        (b"authorization", b"***MASKED***"),
        (b"x-api-key", b"***MASKED***"),
    ]


@pytest.mark.parametrize(
    "shape",
    [
        lambda v: [["password", v]],
        lambda v: (("api_key", v),),
        lambda v: [("Authorization", f"Bearer {v}")],
        lambda v: urllib.parse.parse_qsl(f"user=ann&access_token={v}"),
        lambda v: {"raw": [(b"x-api-key", v.encode())]},
        lambda v: [bytearray(b"client_secret"), bytearray(v.encode())],
    ],
)
def test_sanitize_data_masks_the_value_of_a_secret_named_pair(shape: Any) -> None:
    # (a value no rule finds in text on its own: only the name says it is secret)
    value = "correct horse battery " + secrets.token_hex(2)
    clean = default_sanitizer().sanitize_data(shape(value))
    assert_no_leak(value, repr(clean))


def test_sanitize_data_keeps_the_type_of_a_masked_pair_value() -> None:
    value = "correct horse battery " + secrets.token_hex(2)
    s = default_sanitizer()
    assert s.sanitize_data((b"password", value.encode())) == (b"password", b"***MASKED***")
    assert s.sanitize_data(["password", bytearray(value.encode())]) == [
        "password",
        bytearray(b"***MASKED***"),
    ]


def test_sanitize_data_leaves_pairs_and_bytes_without_a_secret_as_they_are() -> None:
    data = [("host", "api.internal"), [b"accept", b"*/*"], ("a", "b"), b"\xff\xfe binary"]
    out = default_sanitizer().sanitize_data(data)
    assert out == [("host", "api.internal"), [b"accept", b"*/*"], ("a", "b"), b"\xff\xfe binary"]
    assert type(out[1][0]) is bytes


# -- surfaces -----------------------------------------------------------------------------


@pytest.fixture
def root_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    saved = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    install_log_redaction()
    try:
        yield stream
    finally:
        remove_log_redaction()
        root.removeHandler(handler)
        root.setLevel(saved)


def test_a_log_record_of_an_asgi_scope_shows_no_header_credential(root_log: io.StringIO) -> None:
    tok, key = bearer(), api_key()
    logging.getLogger("app.asgi").info("request scope %s", scope(tok, key))
    logging.getLogger("app.asgi").info("raw", extra={"headers": scope(tok, key)["headers"]})
    assert "Bearer ***MASKED***" in root_log.getvalue()
    assert_no_leak(tok, root_log.getvalue())
    assert_no_leak(key, root_log.getvalue())


async def test_an_mcp_tool_returning_headers_shows_no_credential() -> None:
    pytest.importorskip("mcp")
    from mcp import Client
    from mcp.server.mcpserver import MCPServer

    from openrouter_secure.mcp import secure

    tok, key = bearer(), api_key()
    server: MCPServer[Any] = MCPServer("pairs")

    @server.tool()
    def request_scope() -> str:
        return str(scope(tok, key))

    @server.tool()
    def request_headers() -> dict[str, Any]:
        return {"headers": [["authorization", f"Bearer {tok}"], ["x-api-key", key]]}

    async with Client(secure(server)) as client:
        text = await client.call_tool("request_scope", {})
        data = await client.call_tool("request_headers", {})
    for result in (text, data):
        wire = result.model_dump_json(by_alias=True)
        assert_no_leak(tok, wire)
        assert_no_leak(key, wire)


# -- ARNs ---------------------------------------------------------------------------------

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openrouter-Ab12Cd"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "text",
    [
        f"Fetching {ARN}",
        "ResourceNotFoundException: Secrets Manager can't find the specified secret. " + ARN,
        f"resolving {SecretRef.parse(f'aws://{ARN}#api_key')}",
        f"secret_arn={ARN}",
        f'{{"password": "{ARN}"}}',
        "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db/Pass-w0rd1X",
    ],
)
def test_a_secrets_manager_arn_is_not_masked(backend: str, text: str) -> None:
    assert engine(backend).sanitize(text) == text


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_key_next_to_an_arn_is_still_masked(backend: str) -> None:
    key, pw = api_key(), "Tr0ub4dor" + secrets.token_hex(3)
    text = f"{ARN} api_key={key} then secret: {pw} and config:secret:{pw}"
    out = engine(backend).sanitize(text)
    assert ARN in out
    assert_no_leak(key, out)
    assert_no_leak(pw, out)


def test_an_audit_record_masks_header_pairs(tmp_path: Any) -> None:
    from openrouter_secure.audit import AuditLog

    tok, key = bearer(), api_key()
    path = tmp_path / "audit.jsonl"
    AuditLog(path).log("request", headers=scope(tok, key)["headers"], pairs=[["x-api-key", key]])
    written = path.read_text()
    assert "x-api-key" in written
    assert_no_leak(tok, written)
    assert_no_leak(key, written)


def test_only_the_secret_resource_type_of_an_arn_is_exempt() -> None:
    pw = "Tr0ub4dor" + secrets.token_hex(3)
    out = default_sanitizer().sanitize(f"arn:aws:iam::123456789012:password:{pw}")
    assert_no_leak(pw, out)


def test_a_dict_with_bytes_header_names_is_judged_by_name() -> None:
    tok, key = bearer(), api_key()
    headers = {b"authorization": b"Bearer " + tok.encode(), b"x-api-key": key.encode()}
    out = default_sanitizer().sanitize_data(headers)
    assert_no_leak([tok, key], repr(out))
    assert set(out) == {b"authorization", b"x-api-key"}
