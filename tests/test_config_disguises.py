"""Config checks see through disguises: a key as a server name, a marker inside a string,
an escaped copy of a marked value, a number, a run-together name, a placeholder word
glued to a credential, an Authorization value under any name."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure import InsecureConfigError, Secret
from openrouter_secure.config import _check, load_config, validate_config
from openrouter_secure.config._scan import is_credential_name, scan_document
from openrouter_secure.testing import assert_no_leak, make_canary

MARK = "# pragma: allowlist secret"


def put(directory: Path, name: str, text: str) -> Path:
    os.chmod(directory, 0o700)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def server(env: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    return {"mcpServers": {"s": {"command": "x", **({"env": env} if env else {}), **more}}}


def password() -> str:
    return "P@" + secrets.token_urlsafe(12)


# -- a key as a name: never in a finding, nor in the reference doctor --fix would write --
@pytest.mark.parametrize("kind", ["openrouter", "known"])
def test_a_key_as_server_name_is_in_no_finding_text(kind: str) -> None:
    canary = make_canary() if kind == "openrouter" else password()
    held = Secret(canary) if kind == "known" else None
    doc = {"mcpServers": {canary: {"command": "x", "env": {"API_KEY": make_canary("plain")}}}}
    try:
        with pytest.raises(InsecureConfigError) as info:
            validate_config(doc)
        hits = scan_document(doc)
    finally:
        if held is not None:
            held.wipe()
    exc = info.value
    assert_no_leak(
        [canary], str(exc), *(f"{f.path}|{f.suggestion}|{f.message}" for f in exc.findings)
    )
    for hit in hits:
        assert_no_leak([canary, canary.replace("@", "-")], hit.slug, hit.finding.suggestion)


def test_a_key_as_a_nested_key_name_is_in_no_suggestion() -> None:
    canary = make_canary()
    doc = {"mcpServers": {"s": {"command": "x", "env": {canary: {"TOKEN": make_canary("plain")}}}}}
    hits = scan_document(doc)
    assert hits
    for hit in hits:
        assert_no_leak([canary], hit.slug, str(hit.finding))


# -- the allow marker counts only inside a real comment ------------------------------------
def test_marker_inside_a_strict_json_string_allows_nothing() -> None:
    key = make_canary()
    doc = server({"OPENROUTER_API_KEY": key}, description=MARK)
    with pytest.raises(InsecureConfigError):
        validate_config(json.dumps(doc), format="json")


@pytest.mark.parametrize(
    ("fmt", "template"),
    [
        ("json", '{{"mcpServers": {{"s": {{"command": "x", "env": {{"API_KEY": "{k}"}}, '
                 '"note": "// {m}"}}}}}}'),
        ("yaml", 'mcpServers:\n  s: {{command: x, env: {{API_KEY: "{k}"}}, note: "{m}"}}\n'),
        ("yaml", "mcpServers:\n  s:\n    command: x\n    env:\n      API_KEY: '{k} {m}'\n"),
        ("toml", '[mcpServers.s]\ncommand = "x"\nenv = {{ API_KEY = "{k}", n = "{m}" }}\n'),
    ],
)  # fmt: skip
def test_marker_inside_a_string_value_allows_nothing(fmt: str, template: str) -> None:
    key = make_canary()
    with pytest.raises(InsecureConfigError):
        validate_config(template.format(k=key, m=MARK), format=fmt)


@pytest.mark.parametrize(
    ("fmt", "template"),
    [
        ("json", '{{"sample": "{k}", // {m}\n "mcpServers": {{}}}}'),
        ("yaml", 'sample: "{k}" {m}\nmcpServers: {{}}\n'),
        ("toml", 'sample = "{k}" {m}\n[mcpServers]\n'),
    ],
)
def test_marker_in_a_real_comment_still_allows_a_sample(fmt: str, template: str) -> None:
    assert validate_config(template.format(k=make_canary(), m=MARK), format=fmt) == []


# -- every copy is compared decoded ---------------------------------------------------------
def _u(key: str) -> str:
    return "\\u%04x%s" % (ord(key[0]), key[1:])


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("mcp.json", '{{"example": "{k}", // {m}\n "mcpServers": {{"s": {{"command": "x",\n'
                     '   "env": {{"OPENROUTER_API_KEY": "{u}"}}}}}}}}\n'),
        ("mcp.yaml", 'example: "{k}" {m}\nmcpServers:\n  s:\n    command: x\n    env:\n'
                     '      OPENROUTER_API_KEY: "{x}"\n'),
        ("mcp.toml", 'example = "{k}" {m}\n[mcpServers.s]\ncommand = "x"\n'
                     '[mcpServers.s.env]\nOPENROUTER_API_KEY = "{u}"\n'),
        ("mcp.json", '{{"example": "{k}", // {m}\n "mcpServers": {{}}}}\n// {u}\n'),
    ],
)  # fmt: skip
def test_an_escaped_unmarked_copy_keeps_the_finding(
    tmp_path: Path, name: str, template: str
) -> None:
    key = make_canary()
    text = template.format(k=key, m=MARK, u=_u(key), x="\\x%02x%s" % (ord(key[0]), key[1:]))
    path = put(tmp_path, name, text)
    with pytest.raises(InsecureConfigError):
        load_config(path)


def test_unescape_decodes_json_toml_and_yaml_escapes() -> None:
    escaped = "\\u0073k \\x41 \\U0001F600 \\ud83d\\ude00"
    assert _check.unescape(escaped) == "sk A \U0001f600 \U0001f600"


# -- numbers under a secret name or flag --------------------------------------------------
def _number() -> int:
    return secrets.randbelow(9 * 10**15) + 10**15


@pytest.mark.parametrize(
    ("name", "template"),
    [
        ("mcp.yaml", "mcpServers:\n  db:\n    command: x\n    env:\n      DB_PASSWORD: {n}\n"),
        ("mcp.toml", '[mcpServers.db]\ncommand = "x"\n[mcpServers.db.env]\nDB_PASSWORD = {n}\n'),
        ("mcp.yaml", "mcpServers:\n  db:\n    command: x\n    args: [--password, {n}]\n"),
        ("mcp.toml", '[mcpServers.db]\ncommand = "x"\nargs = ["--token", {n}]\n'),
        (
            "mcp.json",
            '{{"mcpServers": {{"db": {{"command": "x", "args": ["--db-password", {n}]}}}}}}',
        ),
        ("mcp.yaml", "mcpServers:\n  db:\n    command: x\n    env:\n      SIM_PIN: {pin}\n"),
        ("mcp.yaml", "mcpServers:\n  db:\n    command: x\n    env:\n      API_SECRET: {n}.5\n"),
    ],
)
def test_a_number_under_a_secret_name_is_a_secret(tmp_path: Path, name: str, template: str) -> None:
    n = _number()
    path = put(tmp_path, name, template.format(n=n, pin=secrets.randbelow(9000) + 1000))
    with pytest.raises(InsecureConfigError) as info:
        load_config(path)
    assert_no_leak([str(n)], str(info.value))


def test_a_number_in_a_parsed_document_is_judged() -> None:
    with pytest.raises(InsecureConfigError):
        validate_config(server({"DB_PASSWORD": _number()}))


@pytest.mark.parametrize(
    ("name", "value"),
    [("TOKEN_LIMIT", 100000), ("PORT", 54321), ("DEBUG_PIN_ENABLED", 1), ("PASSWORD", 0)],
)
def test_counts_ports_and_flags_stay_accepted(name: str, value: int) -> None:
    assert validate_config(server({name: value})) == []


# -- names written as one word ------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["APITOKEN", "CLOUDFLARE_APITOKEN", "DBPASSWORD", "MYSQL_ROOTPASSWORD", "AWS_SECRETACCESSKEY",
     "BOT_ACCESSTOKEN", "MASTERKEY", "SIGNINGKEY", "githubAccesstoken", "--dbpass", "ClientSecret"],
)  # fmt: skip
def test_run_together_secret_names_are_secret(name: str) -> None:
    assert is_credential_name(name)
    with pytest.raises(InsecureConfigError):
        validate_config(server({name.lstrip("-"): secrets.token_urlsafe(24)}))


@pytest.mark.parametrize(
    "name",
    ["monkey", "keyboard", "turkey", "hockey", "passenger", "compass", "bypass", "tokenizer",
     "max_tokens", "MASTERKEY_FILE", "SIGNINGKEY_PATH", "hotkey", "keys", "spin"],
)  # fmt: skip
def test_common_words_holding_a_secret_word_are_not_secret_names(name: str) -> None:
    assert not is_credential_name(name)


# -- a placeholder is the whole value -----------------------------------------------------
@pytest.mark.parametrize(
    "shape",
    ["changeme-{v}", "{v}-your-api-key", "example-{v}", "YOUR_API_KEY_HERE{v}", "<{v}>-example",
     "replace_me_{v}", "dummy {v}", "changeme-{lower}", "<{v}>", "{{{{{v}}}}}"],
)  # fmt: skip
def test_a_credential_glued_to_a_placeholder_word_is_a_credential(shape: str) -> None:
    lower = "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
    value = shape.format(v=secrets.token_urlsafe(18), lower=lower)
    with pytest.raises(InsecureConfigError):
        validate_config(server({"API_KEY": value}))


@pytest.mark.parametrize(
    "value",
    ["changeme", "YOUR_API_KEY_HERE", "your-openrouter-key", "[replace-with-your-token]",
     '"example"', "<your key>", "Paste Your Token Here", "xxxxxxxx", "your-db-password",
     "your_github_token", "<paste your sk-or-v1 key here>", "{{OPENROUTER_API_KEY}}"],
)  # fmt: skip
def test_whole_placeholders_stay_accepted(value: str) -> None:
    assert validate_config(server({"API_KEY": value})) == []


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "Token", "Basic"])
@pytest.mark.parametrize("where", ["header", "arg"])
def test_an_authorization_value_under_any_name_is_a_secret(scheme: str, where: str) -> None:
    token = secrets.token_urlsafe(24)
    if scheme == "Basic":
        token = base64.b64encode(b"user:" + secrets.token_hex(8).encode()).decode()
    if where == "header":
        doc = {"mcpServers": {"s": {"url": "https://mcp.example.com/mcp",
                                    "headers": {"X-Upstream": f"{scheme} {token}"}}}}  # fmt: skip
    else:
        doc = server(args=["--header", f"X-Upstream: {scheme} {token}"])
    with pytest.raises(InsecureConfigError) as info:
        validate_config(doc)
    assert_no_leak([token], str(info.value))


@pytest.mark.parametrize(
    "value", ["Bearer ${secret:keyring://svc/user}", "Token limit reached", "Bearer <your-token>"]
)
def test_authorization_references_and_prose_stay_accepted(value: str) -> None:
    doc = {"mcpServers": {"s": {"url": "https://mcp.example.com/mcp", "headers": {"X-Up": value}}}}
    assert validate_config(doc) == []


# -- a filled-in string that holds a secret is a Secret -------------------------------------
@pytest.mark.parametrize(
    "entry",
    [
        {"command": "x", "env": {"DATABASE_URL": "postgres://app:${ORS_T_PW}@db:5432/x"}},
        {"command": "x", "args": ["--db", "postgres://app:${ORS_T_PW}@db:5432/x"]},
        {"command": "docker", "args": ["run", "--env=GITHUB_TOKEN=${ORS_T_VALUE}", "img"]},
        {"command": "x", "args": ["--config", '{"token": "${ORS_T_VALUE}"}']},
        {"command": "x", "args": ["--config", "{'api_key': '${ORS_T_VALUE}'}"]},
        {"url": "https://mcp.example.com/${ORS_T_PATH}"},
        {"command": "x", "env": {"EXTRA": "${ORS_T_KEY}"}},
        {"command": "x", "args": ["run", "A=1 GITHUB_TOKEN=${ORS_T_VALUE} B=2"]},
    ],
)
def test_a_filled_in_string_holding_a_secret_is_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: dict[str, Any]
) -> None:
    pw, token, key = password(), secrets.token_urlsafe(24), make_canary()
    monkeypatch.setenv("ORS_T_PW", pw)
    monkeypatch.setenv("ORS_T_VALUE", token)
    monkeypatch.setenv("ORS_T_PATH", "mcp?token=" + token)
    monkeypatch.setenv("ORS_T_KEY", key)
    path = put(tmp_path, "mcp.json", json.dumps({"mcpServers": {"s": entry}}))
    config = load_config(path, resolve=True)
    assert_no_leak([pw, token, key], repr(config), str(config))


def test_a_filled_in_string_without_a_secret_stays_a_str(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORS_T_DIR", "/srv/data")
    doc = {"mcpServers": {"s": {"command": "x", "args": ["--root", "${ORS_T_DIR}/files"]}}}
    config = load_config(put(tmp_path, "mcp.json", json.dumps(doc)), resolve=True)
    assert config["mcpServers"]["s"]["args"][1] == "/srv/data/files"
