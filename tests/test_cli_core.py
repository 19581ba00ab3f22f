"""The CLI's foundation commands, run as real subprocesses."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from openrouter_secure.testing import assert_no_leak, make_canary


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openrouter_secure.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def test_get_prints_mask_length_and_fingerprint_never_the_value(canary: str) -> None:
    result = cli("get", "env://ORS_CLI_KEY", env={"ORS_CLI_KEY": canary})
    assert result.returncode == 0, result.stderr
    assert "sk-o...***MASKED***" in result.stdout
    assert f"length       {len(canary)}" in result.stdout
    assert "hmac-sha256:" in result.stdout
    assert_no_leak(canary, result.stdout, result.stderr)


def test_get_json(canary: str) -> None:
    result = cli("get", "--json", "env://ORS_CLI_KEY", env={"ORS_CLI_KEY": canary})
    data = json.loads(result.stdout)
    assert data["length"] == len(canary)
    assert data["ref"] == "env://ORS_CLI_KEY"
    assert_no_leak(canary, result.stdout)


def test_get_keeps_no_prefix_of_a_value_without_a_public_prefix() -> None:
    pin = f"{secrets.randbelow(10**6):06d}"
    token = make_canary("plain")
    for value in (pin, token):
        result = cli("get", "env://ORS_CLI_KEY", env={"ORS_CLI_KEY": value})
        assert result.returncode == 0, result.stderr
        assert "masked       ***MASKED***" in result.stdout
        assert_no_leak(value, result.stdout, result.stderr)


@pytest.mark.parametrize(("length", "shown"), [(4, "1-7"), (6, "1-7"), (12, "8-15"), (20, "16-31")])
def test_get_shows_only_a_length_range_for_a_short_secret(length: int, shown: str) -> None:
    value = secrets.token_hex(length)[:length]
    result = cli("get", "--json", "env://ORS_CLI_KEY", env={"ORS_CLI_KEY": value})
    data = json.loads(result.stdout)
    assert data["length"] == shown
    assert data["masked"] == "***MASKED***"
    text = cli("get", "env://ORS_CLI_KEY", env={"ORS_CLI_KEY": value}).stdout
    assert f"length       {shown}" in text


def test_get_reveal_prints_the_value(canary: str) -> None:
    result = cli("get", "--reveal", "env://ORS_CLI_KEY", env={"ORS_CLI_KEY": canary})
    assert result.stdout.strip() == canary


def test_get_missing_exits_2_with_a_clear_message() -> None:
    result = cli("get", "env://ORS_SURELY_UNSET")
    assert result.returncode == 2
    assert "ORS_SURELY_UNSET is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_get_of_a_pasted_key_does_not_echo_it(canary: str) -> None:
    result = cli("get", canary)
    assert result.returncode == 2
    assert_no_leak(canary, result.stdout, result.stderr)


@pytest.mark.parametrize(
    "shape",
    ["env://{t}", "env://{t}?x=1", "keyring://svc/{t}", "env://{q}", "file:///nonexistent/{t}"],
)
def test_get_of_an_unresolvable_opaque_path_does_not_echo_it(shape: str) -> None:
    token = secrets.token_urlsafe(18)
    short = "Xk9pQ2mZ7rW"
    result = cli("get", shape.format(t=token, q=short))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert_no_leak([token, short], result.stdout, result.stderr)


def test_backends_table_lists_env_as_available() -> None:
    result = cli("backends")
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("env://"))
    assert "yes" in line


def test_backends_json() -> None:
    rows = json.loads(cli("backends", "--json").stdout)
    assert {"name", "available", "reason", "source", "target"} <= set(rows[0])


def test_version() -> None:
    from openrouter_secure import __version__

    assert __version__ in cli("--version").stdout


# -- argument errors name options, never what was typed -----------------------------------


def test_an_unrecognized_argument_names_the_option_not_its_value() -> None:
    secret = make_canary("plain")
    result = cli("benchmark", "-m", "a/b", "--prompt", f"my SSN is {secret}")
    assert result.returncode == 2
    assert "unrecognized arguments: --prompt and 1 other word (not shown)" in result.stderr
    assert_no_leak(secret, result.stdout, result.stderr)


def test_an_unknown_top_level_option_is_reported_as_such() -> None:
    result = cli("--bogus")
    assert result.returncode == 2
    assert "unrecognized option --bogus" in result.stderr
    assert "required" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("{c}",),  # a key typed where the command goes
        ("--{c}",),  # ... as an option
        ("get", "env://X", "--json={c}"),  # a value given to a flag
        ("audit", "{c}"),  # an invalid choice of a nested subcommand
        ("get", "env://X", "{c}"),  # an extra positional
        ("rotate", "--{c}=1"),
    ],
)
def test_no_argument_error_echoes_a_typed_value(args: tuple[str, ...]) -> None:
    canary = make_canary()
    result = cli(*(a.format(c=canary) for a in args))
    assert result.returncode == 2
    assert "error:" in result.stderr
    assert_no_leak(canary, result.stdout, result.stderr)


def test_a_subcommand_added_later_gets_the_same_parser(capsys: pytest.CaptureFixture[str]) -> None:
    from openrouter_secure.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    later = sub.add_parser("later")
    later.add_argument("--count", type=int)
    later.add_argument("--mode", choices=["a", "b"])
    canary = make_canary("plain")
    for argv in (["later", "--count", canary], ["later", "--mode", canary]):
        with pytest.raises(SystemExit) as info:
            parser.parse_args(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert "argument --" in err
        assert_no_leak(canary, err)


def test_a_missing_or_non_utf8_prompt_file_is_a_clear_error(tmp_path: Path) -> None:
    canary = make_canary()
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    for path, reason in ((tmp_path / f"{canary}.txt", "No such file"), (bad, "not UTF-8")):
        result = cli("benchmark", "-m", "a/b", "--prompt-file", str(path))
        assert result.returncode == 2
        assert reason in result.stderr
        assert "Traceback" not in result.stderr
        assert_no_leak(canary, result.stdout, result.stderr)
