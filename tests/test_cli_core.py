"""The CLI's foundation commands, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from openrouter_secure.testing import assert_no_leak


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
