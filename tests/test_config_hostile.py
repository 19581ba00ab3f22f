"""Config checks hold against what a parser drops or misreads: comments, repeated keys,
``!!binary``, look-alike paths and variables, unusual secret names, fallback URLs."""

from __future__ import annotations

import base64
import json
import os
import secrets
import string
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure import ConfigurationError, InsecureConfigError, Secret
from openrouter_secure._sanitize._sanitizer import default_sanitizer
from openrouter_secure.config import load_config, validate_config
from openrouter_secure.testing import assert_no_leak, make_canary


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    os.chmod(path.parent, 0o700)
    return path


def refused(text: str, fmt: str, *leaks: str) -> InsecureConfigError:
    with pytest.raises(InsecureConfigError) as info:
        validate_config(text, format=fmt)
    exc = info.value
    assert_no_leak(list(leaks), str(exc), repr(exc.findings), *map(str, exc.findings))
    return exc


def aws_like_secret() -> str:
    """40 characters of the AWS secret-key alphabet that start with ``/``."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(38))
    return "/" + body[:12] + "/" + body[12:]


# -- what parsing drops ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "template"),
    [
        ("json", '{\n  // OPENROUTER_API_KEY was @KEY@\n  "mcpServers": {}\n}\n'),
        ("json", '{\n  /* old: @KEY@ */\n  "mcpServers": {}\n}\n'),
        ("yaml", "# api key: @KEY@\nmcpServers: {}\n"),
        ("yaml", "mcpServers: {} # @KEY@\n"),
        ("toml", "# @KEY@\n[mcp_servers]\n"),
        ("toml", '[mcp_servers.x]\ncommand = "npx" # @KEY@\n'),
    ],
)
def test_a_key_in_a_comment_is_refused(fmt: str, template: str) -> None:
    key = make_canary()
    exc = refused(template.replace("@KEY@", key), fmt, key)
    (finding,) = exc.findings
    assert finding.rule.startswith("secret-value:")
    assert finding.path.startswith("line ")


def test_load_config_checks_the_comments_of_the_file(tmp_path: Path) -> None:
    key = make_canary()
    path = put(tmp_path / "cfg" / "mcp.json", "// " + key + '\n{"mcpServers": {}}\n')
    with pytest.raises(InsecureConfigError) as info:
        load_config(path)
    assert info.value.findings[0].path == "line 1"
    assert_no_leak(key, str(info.value))


@pytest.mark.parametrize(
    ("fmt", "text", "path"),
    [
        (
            "json",
            '{"mcpServers": {"o": {"command": "x", "env": {'
            '"OPENROUTER_API_KEY": "@KEY@", "OPENROUTER_API_KEY": "${secret:env://K}"}}}}',
            "mcpServers.o.env.OPENROUTER_API_KEY",
        ),
        (
            "yaml",
            "mcpServers:\n  o:\n    command: x\n    env:\n      OPENROUTER_API_KEY: @KEY@\n"
            "      OPENROUTER_API_KEY: ${secret:env://K}\n",
            "mcpServers.o.env.OPENROUTER_API_KEY",
        ),
        (
            "toml",
            '[mcp_servers.o.env]\nOPENROUTER_API_KEY = "@KEY@"\n'
            'OPENROUTER_API_KEY = "${secret:env://K}"\n',
            "mcp_servers.o.env.OPENROUTER_API_KEY",
        ),
    ],
)
def test_a_repeated_key_is_refused_and_named(fmt: str, text: str, path: str) -> None:
    key = make_canary()
    exc = refused(text.replace("@KEY@", key), fmt, key)
    rules = {f.rule for f in exc.findings}
    assert "duplicate-key" in rules
    (dup,) = [f for f in exc.findings if f.rule == "duplicate-key"]
    assert dup.path == path


def test_the_dropped_copy_of_a_repeated_key_is_reported_as_a_secret() -> None:
    key = make_canary()
    text = '{"a": {"token": "' + key + '", "token": "${secret:env://T}"}}'
    exc = refused(text, "json", key)
    assert {f.rule for f in exc.findings} == {"duplicate-key", "secret-value:openrouter-api-key"}


@pytest.mark.parametrize("name", ["OPENROUTER_API_KEY", "notes"])
def test_a_yaml_binary_value_is_checked_as_the_text_it_holds(name: str) -> None:
    key = make_canary()
    encoded = base64.b64encode(key.encode()).decode()
    exc = refused(
        f"mcpServers:\n  o:\n    command: x\n    {name}: !!binary {encoded}\n", "yaml", key
    )
    assert [f.path for f in exc.findings] == [f"mcpServers.o.{name}"]


# (bytes that open with ``/`` too: a random key's may, and they are still no path)
@pytest.mark.parametrize("head", [b"", b"/\xff"])
def test_a_binary_value_under_a_secret_name_is_a_literal(tmp_path: Path, head: bytes) -> None:
    blob = base64.b64encode(head + secrets.token_bytes(24 - len(head))).decode()
    path = put(
        tmp_path / "c" / "mcp.yaml",
        f"mcpServers:\n  o:\n    command: x\n    env:\n      API_TOKEN: !!binary {blob}\n",
    )
    with pytest.raises(InsecureConfigError) as info:
        load_config(path, resolve=True)
    assert info.value.findings[0].rule == "secret-key-literal"


def test_yaml_merge_keys_are_not_repeats() -> None:
    text = "base: &b {command: x}\nmcpServers:\n  o:\n    <<: *b\n    command: y\n"
    assert validate_config(text, format="yaml") == []


# -- values that looked like references ----------------------------------------------------


def _server_env(name: str, value: str) -> dict[str, Any]:
    return {"mcpServers": {"s": {"command": "x", "env": {name: value}}}}


def test_an_aws_secret_key_starting_with_a_slash_is_not_a_path() -> None:
    value = aws_like_secret()
    with pytest.raises(InsecureConfigError) as info:
        validate_config(_server_env("AWS_SECRET_ACCESS_KEY", value))
    assert info.value.findings[0].rule == "secret-key-literal"
    assert_no_leak(value, str(info.value))


@pytest.mark.parametrize("path", ["/run/secrets/openrouter_api_key", "~/keys/api.txt", "./k"])
def test_a_real_path_under_a_secret_name_is_still_a_reference(path: str) -> None:
    assert validate_config(_server_env("OPENROUTER_API_KEY", path)) == []


@pytest.mark.parametrize("value", ["$ecretP4ss", "$hunter2", "$aB3$xyz"])
def test_a_password_starting_with_a_dollar_is_not_a_variable(value: str) -> None:
    with pytest.raises(InsecureConfigError) as info:
        validate_config(_server_env("DB_PASSWORD", value))
    assert info.value.findings[0].rule == "secret-key-literal"


@pytest.mark.parametrize("value", ["$DB_PASSWORD", "${db_password}", "%DB_PASSWORD%"])
def test_a_shell_variable_is_still_a_reference(value: str) -> None:
    assert validate_config(_server_env("DB_PASSWORD", value)) == []


@pytest.mark.parametrize(
    "name",
    ["AZURE_DEVOPS_EXT_PAT", "GITLAB_PAT", "SERVICE_AUTHENTICATION", "APIM_SUBSCRIPTION_KEY"],
)
def test_generalised_secret_names_in_env(name: str) -> None:
    value = secrets.token_hex(12)
    with pytest.raises(InsecureConfigError) as info:
        validate_config(_server_env(name, value))
    assert_no_leak(value, str(info.value))


@pytest.mark.parametrize(
    "header", ["Ocp-Apim-Subscription-Key", "x-functions-key", "X-Honeycomb-Team", "Authentication"]
)
def test_credential_headers_are_masked_and_refused(header: str) -> None:
    value = secrets.token_hex(12)
    masked = default_sanitizer().sanitize_headers({header: value, "Accept": "text/plain"})
    assert_no_leak(value, repr(masked))
    assert masked["Accept"] == "text/plain"
    doc = {"mcpServers": {"s": {"url": "https://h.example/mcp", "headers": {header: value}}}}
    with pytest.raises(InsecureConfigError):
        validate_config(doc)


@pytest.mark.parametrize(
    "name", ["primary_key", "sort_key", "public_key", "max_tokens", "idempotency-key"]
)
def test_identifier_keys_are_not_secret_names(name: str) -> None:
    assert validate_config(_server_env(name, "abc123")) == []


# -- resolution --------------------------------------------------------------------------


def test_resolved_args_that_hold_a_secret_are_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, token, plain = make_canary(), make_canary(), make_canary("plain")
    monkeypatch.setenv("ORS_T_KEY", key)
    monkeypatch.setenv("ORS_T_TOKEN", token)
    monkeypatch.setenv("ORS_T_PLAIN", plain)
    doc = {
        "mcpServers": {
            "s": {
                "command": "server",
                "args": [
                    "--api-key",
                    "${ORS_T_KEY}",
                    "--token=${ORS_T_TOKEN}",
                    "--name",
                    "${ORS_T_PLAIN}",
                ],
            }
        }
    }
    path = put(tmp_path / "c" / "mcp.json", json.dumps(doc))
    args = load_config(path, resolve=True)["mcpServers"]["s"]["args"]
    assert args[0] == "--api-key"
    assert isinstance(args[1], Secret)
    assert args[1].reveal() == key
    assert isinstance(args[2], Secret)
    assert args[2].reveal() == f"--token={token}"
    assert args[4] == plain
    assert not isinstance(args[4], Secret)
    assert_no_leak([key, token], str(args), repr(args))


@pytest.mark.parametrize(
    "arg",
    ["-e GITHUB_TOKEN=${ORS_T_V}", "https://h.example/?key=${ORS_T_V}", "${OPENROUTER_API_KEY}"],
)
def test_a_placeholder_after_a_secret_name_in_a_string_is_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arg: str
) -> None:
    value = make_canary()
    monkeypatch.setenv("ORS_T_V", value)
    monkeypatch.setenv("OPENROUTER_API_KEY", value)
    doc = {"mcpServers": {"s": {"command": "x", "args": [arg]}}}
    path = put(tmp_path / "c" / "mcp.json", json.dumps(doc))
    (resolved,) = load_config(path, resolve=True)["mcpServers"]["s"]["args"]
    assert isinstance(resolved, Secret)


def test_a_fallback_url_is_checked_against_the_transport_rule() -> None:
    doc = {"mcpServers": {"s": {"url": "${ORS_T_UNSET:-http://evil.example/mcp}"}}}
    with pytest.raises(InsecureConfigError) as info:
        validate_config(doc)
    assert info.value.findings[0].rule == "insecure-url"
    assert "evil" not in str(info.value)
    ok = {"mcpServers": {"s": {"url": "${ORS_T_UNSET:-https://good.example/mcp}"}}}
    assert validate_config(ok) == []


def test_a_resolved_url_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORS_T_URL", "http://evil.example/mcp")
    path = put(
        tmp_path / "c" / "mcp.json", json.dumps({"mcpServers": {"s": {"url": "${ORS_T_URL}"}}})
    )
    load_config(path)  # unresolved: depends on the environment
    with pytest.raises(InsecureConfigError) as info:
        load_config(path, resolve=True)
    assert info.value.findings[0].rule == "insecure-url"
    monkeypatch.setenv("ORS_T_URL", "https://good.example/mcp")
    assert load_config(path, resolve=True)["mcpServers"]["s"]["url"] == "https://good.example/mcp"


def test_tomli_is_a_dependency_before_python_3_11() -> None:
    import tomllib

    with open(Path(__file__).parent.parent / "pyproject.toml", "rb") as fh:
        deps = tomllib.load(fh)["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith('tomli>=2;python_version<"3.11"') for d in deps)


# -- allow-list ----------------------------------------------------------------------------


def _placeholder_key() -> str:
    return "sk-or-v1-" + "0123456789abcdef" * 4


@pytest.mark.parametrize("marker", ["# pragma: allowlist secret", "# openrouter-secure: allow"])
def test_an_inline_marker_allows_its_own_line(marker: str) -> None:
    text = f"mcpServers:\n  s:\n    command: x\n    notes: {_placeholder_key()}  {marker}\n"
    assert validate_config(text, format="yaml") == []


def test_a_marker_never_covers_another_line() -> None:
    key = make_canary()
    text = f"# pragma: allowlist secret\nmcpServers:\n  s:\n    command: x\n    notes: {key}\n"
    refused(text, "yaml", key)


def test_a_marker_does_not_allow_a_value_repeated_unmarked() -> None:
    key = make_canary()
    text = f"a: {key}  # pragma: allowlist secret\nb: {key}\n"
    refused(text, "yaml", key)


def test_a_marker_cannot_allow_a_repeated_key() -> None:
    text = '{"a": 1, "a": 2} // pragma: allowlist secret'
    exc = refused(text, "json")
    assert exc.findings[0].rule == "duplicate-key"


def test_a_baseline_allows_listed_values_only(tmp_path: Path) -> None:
    from openrouter_secure.cli import main

    project = tmp_path / "p"
    (project / ".git").mkdir(parents=True)
    sample = _placeholder_key()
    config = put(project / "mcp.json", json.dumps({"mcpServers": {}, "example": sample}))
    with pytest.raises(InsecureConfigError):
        load_config(config)
    baseline = project / ".openrouter-secure-baseline.json"
    assert main(["baseline", str(config), "--output", str(baseline)]) == 0
    text = baseline.read_text()
    assert sample not in text
    assert "pbkdf2-sha256:" in text
    assert load_config(config)["example"] == sample
    # A different key in the same place is still refused.
    key = make_canary()
    put(config, json.dumps({"mcpServers": {}, "example": key}))
    with pytest.raises(InsecureConfigError):
        load_config(config)


def test_a_baseline_others_can_write_is_ignored(tmp_path: Path) -> None:
    from openrouter_secure.config._allow import Baseline, BaselineEntry, fingerprint, write_baseline

    project = tmp_path / "p"
    (project / ".git").mkdir(parents=True)
    baseline = write_baseline(
        [BaselineEntry(fingerprint("x"), "f", "p", "secret-key-literal")],
        project / ".openrouter-secure-baseline.json",
    )
    assert Baseline.find(project) is not None
    os.chmod(baseline, 0o620)  # group-writable
    assert Baseline.find(project) is None


def test_a_malformed_baseline_is_an_error(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / ".git").mkdir(parents=True)
    put(
        project / ".openrouter-secure-baseline.json",
        '{"version": 1, "allow": [{"fingerprint": "x"}]}',
    )
    config = put(project / "mcp.json", '{"mcpServers": {}}')
    with pytest.raises(ConfigurationError, match="no valid fingerprint"):
        load_config(config)


def test_doctor_accepts_a_marked_sample_dotenv(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._run import run_doctor

    key = make_canary()
    sample = put(
        tmp_path / ".env.example",
        f"OPENROUTER_API_KEY={_placeholder_key()}  # pragma: allowlist secret\n"
        f"# OLD_KEY={key}\n"
        "A=1\nA=2\n",
    )
    report = run_doctor([sample], discover=False, environ={"HOME": str(tmp_path)})
    found = sorted((f.check, f.location) for f in report.findings if f.severity == "error")
    assert found == [("duplicate-key", "line 4 (A)"), ("plaintext-secret", "line 2")]
    assert_no_leak(key, repr(report), json.dumps(report.as_json()))


def test_doctor_checks_the_text_of_a_config_it_cannot_parse(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._run import run_doctor

    key = make_canary()
    config = put(
        tmp_path / "config.toml",
        f'[mcp_servers.o.env]\nOPENROUTER_API_KEY = "{key}"\nOPENROUTER_API_KEY = "x"\n',
    )
    report = run_doctor([config], discover=False, environ={"HOME": str(tmp_path)})
    checks = {f.check for f in report.findings}
    assert {"plaintext-secret", "duplicate-key"} <= checks
    assert_no_leak(key, repr(report), json.dumps(report.as_json()))


def test_doctor_reports_a_key_in_a_jsonc_comment(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._run import run_doctor

    key = make_canary()
    config = put(tmp_path / "mcp.json", "{\n  // " + key + '\n  "mcpServers": {}\n}\n')
    report = run_doctor([config], discover=False, environ={"HOME": str(tmp_path)})
    (finding,) = [f for f in report.findings if f.check == "plaintext-secret"]
    assert finding.location == "line 2"
    assert_no_leak(key, repr(report), json.dumps(report.as_json()))


def test_one_marker_does_not_cover_a_minified_file() -> None:
    key = make_canary()
    text = json.dumps(
        {"sample": _placeholder_key(), "real": key, "note": "# pragma: allowlist secret"}
    )
    exc = refused(text, "json", key)
    assert {f.path for f in exc.findings} == {"sample", "real"}


def test_a_marker_before_the_value_does_not_count() -> None:
    key = make_canary()
    refused(f"# pragma: allowlist secret\nnotes: {key}\n", "yaml", key)
    refused(f"a: '# pragma: allowlist secret {key}'\n", "yaml", key)


def test_a_key_pasted_as_a_reference_name_is_refused() -> None:
    key = make_canary()
    doc = {"mcpServers": {"s": {"command": "x", "env": {"A": "${secret:env://" + key + "}"}}}}
    # Refused when the reference is parsed, before any finding is built.
    with pytest.raises(ConfigurationError, match="looks like a credential") as info:
        validate_config(doc)
    assert_no_leak(key, str(info.value))


def test_yaml_alias_expansion_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(ConfigurationError, match="YAML aliases"):
        validate_config("\n".join(lines) + "\n", format="yaml")
