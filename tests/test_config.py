"""Secure config loading, validation and saving."""

from __future__ import annotations

import json
import os
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import openrouter_secure as ors
import openrouter_secure.config
from openrouter_secure import _events
from openrouter_secure.config._scan import is_credential_name
from openrouter_secure.testing import FakeProvider, LeakCheck, assert_no_leak, make_canary
from tests.config_shapes import LEAKY, clean_config


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write(path: Path, doc: Any, file_mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(json.dumps(doc), encoding="utf-8")
    os.chmod(path, file_mode)
    return path


@pytest.fixture
def private_dir(tmp_path: Path) -> Path:
    d = tmp_path / "cfg"
    d.mkdir(mode=0o700)
    os.chmod(d, 0o700)
    return d


@pytest.fixture
def events() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(name: str, fields: dict[str, Any]) -> None:
        if name.startswith("config."):
            seen.append((name, fields))

    _events.subscribe(listener)
    yield seen
    _events.unsubscribe(listener)


@pytest.fixture
def fake_backend() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    ors.register_backend("fake", provider, replace=True)
    yield provider
    ors.unregister_backend("fake")


# -- rejection of embedded secrets -------------------------------------------------------
@pytest.mark.parametrize("kind", ["openrouter", "plain"])
@pytest.mark.parametrize("shape", sorted(LEAKY))
def test_load_rejects_hidden_key_with_its_json_path(
    shape: str, kind: str, private_dir: Path
) -> None:
    key = make_canary(kind)
    doc, where = LEAKY[shape](key)
    path = write(private_dir / "config.json", doc)
    with LeakCheck(key) as leaks, pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.load_config(path)
    assert where in [f.path for f in caught.value.findings]
    leaks.check(caught.value, caught.value.findings, str(caught.value))


@pytest.mark.parametrize("shape", sorted(LEAKY))
def test_validate_rejects_and_suggests_a_reference(shape: str) -> None:
    key = make_canary()
    doc, where = LEAKY[shape](key)
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config(doc)
    finding = next(f for f in caught.value.findings if f.path == where)
    assert finding.suggestion.startswith("${secret:keyring://openrouter-secure/")
    assert finding.severity == "error"
    assert where in str(caught.value)
    assert_no_leak(key, caught.value, repr(finding))


@pytest.mark.parametrize("kind", ["openrouter", "plain"])
def test_a_key_in_a_fallback_is_rejected(kind: str) -> None:
    key = make_canary(kind)
    doc = {"mcpServers": {"s": {"command": "x", "env": {"API_KEY": f"${{MY_KEY:-{key}}}"}}}}
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config(doc)
    assert [f.path for f in caught.value.findings] == ["mcpServers.s.env.API_KEY"]
    assert_no_leak(key, caught.value)


def test_every_server_is_checked_not_only_openrouter() -> None:
    key = make_canary()
    doc = clean_config()
    doc["mcpServers"]["zzz-last"] = {"command": "x", "env": {"GITHUB_TOKEN": key}}
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config(doc)
    assert [f.path for f in caught.value.findings] == ["mcpServers.zzz-last.env.GITHUB_TOKEN"]


def test_every_offending_path_is_listed() -> None:
    a, b = make_canary(), make_canary("plain")
    doc = {
        "mcpServers": {
            "one": {"command": "x", "env": {"OPENROUTER_API_KEY": a}},
            "two": {"url": "https://h.example/mcp", "headers": {"X-Api-Key": b}},
        }
    }
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config(doc)
    assert {f.path for f in caught.value.findings} == {
        "mcpServers.one.env.OPENROUTER_API_KEY",
        "mcpServers.two.headers.X-Api-Key",
    }
    assert_no_leak([a, b], caught.value)


def test_secret_outside_server_entries_is_rejected_too() -> None:
    key = make_canary()
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config({"mcpServers": {}, "telemetry": {"notes": [f"uses {key}"]}})
    assert caught.value.findings[0].path == "telemetry.notes[0]"


def test_a_key_used_as_a_mapping_key_is_redacted_from_the_path() -> None:
    key = make_canary()
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config({"mcpServers": {"x": {"command": "y", "env": {key: "1"}}}})
    assert caught.value.findings[0].path == "mcpServers.x.env[<redacted>]"
    assert_no_leak(key, caught.value, caught.value.findings)


@pytest.mark.parametrize("name", ["PASSWORT", "CHIAVE_API", "contrasena", "MOT_DE_PASSE"])
def test_a_literal_under_a_name_in_another_language_is_refused(name: str) -> None:
    password = make_canary()
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config({"mcpServers": {"x": {"command": "y", "env": {name: password}}}})
    assert caught.value.findings[0].path == f"mcpServers.x.env.{name}"
    assert_no_leak(password, caught.value, caught.value.findings)


def test_references_and_benign_values_pass() -> None:
    assert ors.config.validate_config(clean_config()) == []


@pytest.mark.parametrize(
    "value",
    [
        "${secret:keyring://svc/user}",
        "${OPENROUTER_API_KEY}",
        "${env:OPENROUTER_API_KEY}",
        "Bearer ${secret:env://TOKEN}",
        "keyring://openrouter-mcp/api_key",
        "env://OPENROUTER_API_KEY",
        "<your-api-key>",
        "YOUR_API_KEY_HERE",
        "",
    ],
)
def test_reference_shapes_are_not_literals(value: str) -> None:
    doc = {"mcpServers": {"s": {"command": "x", "env": {"OPENROUTER_API_KEY": value}}}}
    assert ors.config.validate_config(doc) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG_TOKEN_COUNT", "5"),
        ("TOKEN_LIMIT", "1000"),
        ("AUTH_PROVIDER", "github"),
        ("AUTH_TYPE", "bearer"),
        ("PASSWORD_FILE", "/run/secrets/db"),
        ("API_KEY_HEADER", "X-Api-Key"),
        ("SECRET_NAME", "prod/openrouter"),
        ("API_KEY", "$OPENROUTER_API_KEY"),
        ("command", "export API_TOKEN=${HOME_TOKEN}; run --token $TOKEN"),
    ],
)
def test_settings_about_secrets_are_not_secrets(name: str, value: str) -> None:
    doc = {"mcpServers": {"s": {"command": "x", "env": {name: value}}}}
    assert ors.config.validate_config(doc) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("OPENROUTER_API_KEY", True), ("--api-key", True), ("Authorization", True),
     ("GITHUB_TOKEN", True), ("API_KEY_FILE", False), ("tokenPath", False),
     ("SECRET_NAME", False), ("AUTH_PROVIDER", False), ("--", False), ("model", False)],
)  # fmt: skip
def test_credential_names_leave_out_pointer_names(name: str, expected: bool) -> None:
    # The pointer names (``API_KEY_FILE``...) are still masked by the sanitizer.
    assert is_credential_name(name) is expected


def test_http_url_with_a_secret_looking_value_is_not_a_reference() -> None:
    doc = {"mcpServers": {"s": {"command": "x", "env": {"API_TOKEN": "https://x.example/t"}}}}
    with pytest.raises(ors.InsecureConfigError):
        ors.config.validate_config(doc)


# -- transport ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "flag", "ok"),
    [
        ("https://mcp.example.com/mcp", False, True),
        ("wss://mcp.example.com/ws", False, True),
        ("http://mcp.example.com/mcp", True, False),
        ("http://127.0.0.1:8000/mcp", False, False),
        ("http://127.0.0.1:8000/mcp", True, True),
        ("http://localhost:8000/mcp", True, True),
        ("http://[::1]:8000/mcp", True, True),
        ("ws://10.0.0.5/ws", True, False),
        ("ftp://mcp.example.com/", False, False),
    ],
)
def test_server_urls_must_be_https_unless_loopback_is_allowed(
    url: str, flag: bool, ok: bool
) -> None:
    server: dict[str, Any] = {"url": url}
    if flag:
        server["allowInsecureLoopback"] = True
    doc = {"mcpServers": {"remote": server}}
    if ok:
        assert ors.config.validate_config(doc) == []
    else:
        with pytest.raises(ors.InsecureConfigError) as caught:
            ors.config.validate_config(doc)
        assert [(f.path, f.rule) for f in caught.value.findings] == [
            ("mcpServers.remote.url", "insecure-url")
        ]


def test_insecure_url_finding_never_echoes_the_url() -> None:
    key = make_canary("plain")
    doc = {"mcpServers": {"r": {"url": f"http://mcp.example.com/mcp?sig={key}"}}}
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config(doc)
    assert sorted(f.rule == "insecure-url" for f in caught.value.findings) == [False, True]
    assert_no_leak(key, caught.value, repr(caught.value.findings))


# -- malformed input ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value", ["${secret:not a ref}", "${unclosed", "${1BAD}", "${secret:x://y?token=z}"]
)
def test_malformed_placeholders_in_servers_are_configuration_errors(value: str) -> None:
    doc = {"mcpServers": {"s": {"command": "x", "env": {"A": value}}}}
    with pytest.raises(ors.ConfigurationError, match=r"mcpServers\.s\.env\.A"):
        ors.config.validate_config(doc)


def test_invalid_json_error_shows_position_not_text(private_dir: Path) -> None:
    key = make_canary()
    path = private_dir / "bad.json"
    path.write_text('{"mcpServers": {"x": {"env": {"K": "' + key + '" "oops"}}}}')
    os.chmod(path, 0o600)
    with pytest.raises(ors.ConfigurationError, match="line 1") as caught:
        ors.config.load_config(path)
    assert_no_leak(key, caught.value)


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ({"command": "x", "env": ["A=1"]}, "env: must be"),
        ({"command": "x", "args": "a b"}, "args: must be"),
        ({"command": ["x"]}, "command: must be"),
        ({"url": "https://h/", "allowInsecureLoopback": "yes"}, "allowInsecureLoopback"),
        ({"command": "x", "allowTools": ["a"]}, "did you mean 'allowedTools'"),
    ],
)
def test_wrong_shapes_are_configuration_errors(server: dict[str, Any], message: str) -> None:
    with pytest.raises(ors.ConfigurationError, match=message):
        ors.config.validate_config({"mcpServers": {"s": server}})


def test_absurd_nesting_is_a_configuration_error(private_dir: Path) -> None:
    deep: Any = "x"
    for _ in range(300):
        deep = {"a": deep}
    with pytest.raises(ors.ConfigurationError, match="nested more than 200"):
        ors.config.validate_config({"mcpServers": {}, "deep": deep})
    path = private_dir / "deep.json"
    path.write_text('{"a": ' * 100_000 + "1" + "}" * 100_000)
    os.chmod(path, 0o600)
    with pytest.raises(ors.ConfigurationError, match="nested too deeply"):
        ors.config.load_config(path)


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(ors.ConfigurationError, match="top level"):
        ors.config.validate_config(["not", "an", "object"])


# -- formats ----------------------------------------------------------------------------------
def test_json_with_comments_and_trailing_commas_loads(private_dir: Path) -> None:
    path = private_dir / "mcp.json"
    path.write_text(
        '// VS Code style\n{\n  "servers": {\n    "s": {"type": "stdio", "command": "x",'
        ' /* inline */ "args": ["a // b", "c",  // last\n],},\n  },\n}\n'
    )
    os.chmod(path, 0o600)
    assert ors.config.load_config(path)["servers"]["s"]["args"] == ["a // b", "c"]


def test_toml_config_is_checked(private_dir: Path) -> None:
    key = make_canary()
    path = private_dir / "config.toml"
    path.write_text(f'[mcp_servers.search]\ncommand = "x"\nenv = {{ API_KEY = "{key}" }}\n')
    os.chmod(path, 0o600)
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.load_config(path)
    assert caught.value.findings[0].path == "mcp_servers.search.env.API_KEY"
    assert_no_leak(key, caught.value)


def test_yaml_config_is_checked(private_dir: Path) -> None:
    pytest.importorskip("yaml")
    key = make_canary()
    path = private_dir / "config.yaml"
    path.write_text(f"mcpServers:\n  s:\n    command: x\n    env:\n      TOKEN: {key}\n")
    os.chmod(path, 0o600)
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.load_config(path)
    assert caught.value.findings[0].path == "mcpServers.s.env.TOKEN"


# -- interpolation ------------------------------------------------------------------------------
def test_load_without_resolve_keeps_placeholders(private_dir: Path) -> None:
    path = write(private_dir / "c.json", clean_config())
    data = ors.config.load_config(path)
    env = data["mcpServers"]["openrouter"]["env"]
    assert env["OPENROUTER_API_KEY"] == "${secret:keyring://openrouter-mcp/api_key}"


def test_resolve_fills_env_and_secrets(
    private_dir: Path, fake_backend: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = make_canary()
    fake_backend.put(ors.SecretRef.parse("fake://openrouter"), key)
    monkeypatch.setenv("REGION", "eu")
    monkeypatch.setenv("LOCAL_TOKEN", "local-token-value-123")
    doc = {
        "mcpServers": {
            "a": {
                "command": "x",
                "args": ["--region", "${REGION}", "--fallback", "${UNSET_VAR_XYZ:-none}"],
                "env": {"OPENROUTER_API_KEY": "${secret:fake://openrouter}", "R": "${env:REGION}"},
                "headers": {"Authorization": "Bearer ${secret:fake://openrouter}"},
            },
            "b": {"command": "y", "env": {"API_TOKEN": "${env:LOCAL_TOKEN}"}},
        }
    }
    path = write(private_dir / "c.json", doc)
    with LeakCheck(key) as leaks:
        data = ors.config.load_config(path, resolve=True)
    a = data["mcpServers"]["a"]
    assert a["args"] == ["--region", "eu", "--fallback", "none"]
    assert a["env"]["R"] == "eu"
    secret = a["env"]["OPENROUTER_API_KEY"]
    assert isinstance(secret, ors.Secret)
    assert secret.reveal() == key
    assert a["headers"]["Authorization"].reveal() == f"Bearer {key}"
    token = data["mcpServers"]["b"]["env"]["API_TOKEN"]
    assert isinstance(token, ors.Secret)  # secret-looking name: kept out of repr
    leaks.check(repr(data), str(data))


def test_missing_variable_is_an_error_naming_it(private_dir: Path) -> None:
    doc = {"mcpServers": {"a": {"command": "x", "env": {"R": "${NOT_SET_ANYWHERE_42}"}}}}
    path = write(private_dir / "c.json", doc)
    assert ors.config.load_config(path)["mcpServers"]["a"]["env"]["R"] == "${NOT_SET_ANYWHERE_42}"
    with pytest.raises(ors.ConfigurationError, match="NOT_SET_ANYWHERE_42 is not set"):
        ors.config.load_config(path, resolve=True)


def test_validation_never_reads_a_backend(fake_backend: FakeProvider) -> None:
    doc = {"mcpServers": {"a": {"command": "x", "env": {"K": "${secret:fake://missing}"}}}}
    ors.config.validate_config(doc)
    assert fake_backend.calls == 0


def test_resolved_data_cannot_be_saved_back(private_dir: Path, fake_backend: FakeProvider) -> None:
    key = make_canary()
    fake_backend.put(ors.SecretRef.parse("fake://k"), key)
    doc = {"mcpServers": {"a": {"command": "x", "env": {"K": "${secret:fake://k}"}}}}
    path = write(private_dir / "c.json", doc)
    data = ors.config.load_config(path, resolve=True)
    with pytest.raises(ors.ConfigurationError, match="resolved Secret") as caught:
        ors.config.save_config(path, data)
    assert json.loads(path.read_text()) == doc
    assert_no_leak(key, caught.value, path.read_text())


# -- shared credentials ------------------------------------------------------------------------
def test_two_servers_sharing_a_reference_warn() -> None:
    ref = "${secret:keyring://openrouter-mcp/api_key}"
    doc = {
        "mcpServers": {
            "a": {"command": "x", "env": {"OPENROUTER_API_KEY": ref}},
            "b": {"command": "y", "env": {"KEY": ref}},
            "c": {"command": "z", "env": {"OPENROUTER_API_KEY": "${secret:keyring://c/k}"}},
        }
    }
    warns = ors.config.validate_config(doc)
    assert [(w.rule, w.severity) for w in warns] == [("shared-credential", "warning")]
    assert "a, b" in warns[0].message


def test_two_servers_resolving_to_the_same_value_warn(
    private_dir: Path, fake_backend: FakeProvider
) -> None:
    key = make_canary()
    fake_backend.put(ors.SecretRef.parse("fake://one"), key)
    fake_backend.put(ors.SecretRef.parse("fake://two"), key)
    doc = {
        "mcpServers": {
            "a": {"command": "x", "env": {"K": "${secret:fake://one}"}},
            "b": {"command": "y", "env": {"K": "${secret:fake://two}"}},
        }
    }
    path = write(private_dir / "c.json", doc)
    with pytest.warns(ors.config.InsecureConfigWarning, match="same credential value") as record:
        ors.config.load_config(path, resolve=True)
    assert_no_leak(key, *[str(w.message) for w in record])


# -- permissions ----------------------------------------------------------------------------------
def test_group_readable_file_warns_and_strict_refuses(private_dir: Path) -> None:
    path = write(private_dir / "c.json", clean_config(), 0o644)
    with pytest.warns(ors.config.InsecureConfigWarning, match="mode 0644"):
        ors.config.load_config(path)
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.load_config(path, strict=True)
    assert [f.rule for f in caught.value.findings] == ["file-permissions"]


def test_loose_directory_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # a config directory: ~/.config/loose
    d = tmp_path / ".config" / "loose"
    d.mkdir(parents=True)
    os.chmod(d, 0o755)  # noqa: S103 - a loose directory is what is tested
    path = write(d / "c.json", clean_config())
    with pytest.warns(ors.config.InsecureConfigWarning, match="should be 0700"):
        ors.config.load_config(path)


def test_private_file_loads_without_warnings(private_dir: Path) -> None:
    path = write(private_dir / "c.json", clean_config())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ors.config.load_config(path, strict=True)


def test_fix_permissions_tightens_and_never_loosens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # a config directory: ~/.app
    d = tmp_path / ".app"
    d.mkdir()
    os.chmod(d, 0o755)  # noqa: S103 - a loose directory is what is tested
    loose = write(d / "loose.json", {}, 0o664)
    strict = write(d / "strict.json", {}, 0o400)
    changes = ors.config.fix_permissions(loose)
    assert (mode(loose), mode(d)) == (0o600, 0o700)
    assert {(c.old_mode, c.new_mode) for c in changes} == {(0o664, 0o600), (0o755, 0o700)}
    assert ors.config.fix_permissions(strict) == []
    assert mode(strict) == 0o400


# -- saving ---------------------------------------------------------------------------------------
def test_save_writes_0600_in_a_new_0700_directory(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sub" / "mcp.json"
    ors.config.save_config(path, clean_config())
    assert json.loads(path.read_text()) == clean_config()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(path.parent.parent) == 0o700


def test_save_keeps_a_stricter_mode_and_tightens_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # a config directory: ~/.app
    d = tmp_path / ".app"
    d.mkdir()
    os.chmod(d, 0o750)  # noqa: S103 - a loose directory is what is tested
    path = write(d / "c.json", {}, 0o400)
    ors.config.save_config(path, clean_config())
    assert mode(path) == 0o400
    assert mode(d) == 0o700


def test_save_through_a_symlink_keeps_the_link(private_dir: Path) -> None:
    real = write(private_dir / "real.json", {})
    link = private_dir / "link.json"
    link.symlink_to(real)
    ors.config.save_config(link, clean_config())
    assert link.is_symlink()
    assert json.loads(real.read_text()) == clean_config()


@pytest.mark.parametrize("shape", sorted(LEAKY))
def test_save_refuses_secrets_and_leaves_the_file_alone(shape: str, private_dir: Path) -> None:
    key = make_canary()
    path = write(private_dir / "c.json", clean_config())
    before = path.read_bytes()
    doc, where = LEAKY[shape](key)
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.save_config(path, doc)
    assert where in [f.path for f in caught.value.findings]
    assert path.read_bytes() == before
    assert sorted(p.name for p in private_dir.iterdir()) == ["c.json"]
    assert_no_leak(key, caught.value)


def test_save_yaml(private_dir: Path) -> None:
    yaml = pytest.importorskip("yaml")
    path = private_dir / "c.yaml"
    ors.config.save_config(path, clean_config())
    assert yaml.safe_load(path.read_text()) == clean_config()


# -- events ---------------------------------------------------------------------------------------
def test_events_name_paths_and_rules_never_values(
    private_dir: Path, events: list[tuple[str, dict[str, Any]]]
) -> None:
    key = make_canary()
    good = write(private_dir / "good.json", clean_config())
    ors.config.load_config(good)
    ors.config.save_config(good, clean_config())
    bad = write(private_dir / "bad.json", LEAKY["claude-desktop-env"](key)[0])
    with pytest.raises(ors.InsecureConfigError):
        ors.config.load_config(bad)
    names = [name for name, _ in events]
    assert names == ["config.loaded", "config.saved", "config.rejected"]
    rejected = events[2][1]
    assert rejected["path"] == str(bad)
    assert rejected["findings"] == [
        {
            "path": "mcpServers.openrouter.env.OPENROUTER_API_KEY",
            "rule": rejected["findings"][0]["rule"],
        }
    ]
    assert_no_leak(key, repr(events))
