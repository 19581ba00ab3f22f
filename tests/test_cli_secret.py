"""``openrouter-secure secret set|delete|list``, run as real subprocesses against real
backends: files, .env files, gnome-keyring, moto's Secrets Manager, OpenBao."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure.testing import assert_no_leak, make_canary
from tests.docs_examples import block_after


def cli(
    *args: str, stdin: str | None = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openrouter_secure.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir(mode=0o700)
    return directory


# -- set ---------------------------------------------------------------------------------


def test_set_reads_stdin_and_never_prints_the_value(secrets_dir: Path, canary: str) -> None:
    target = secrets_dir / "openrouter"
    result = cli("secret", "set", f"file://{target}", stdin=canary + "\n")
    assert result.returncode == 0, result.stderr
    assert target.read_text() == canary + "\n"
    assert "stored file://" in result.stdout
    assert "hmac-sha256:" in result.stdout
    assert_no_leak(canary, result.stdout, result.stderr)


def test_set_refuses_an_empty_value(secrets_dir: Path) -> None:
    target = secrets_dir / "openrouter"
    result = cli("secret", "set", f"file://{target}", stdin="\n")
    assert result.returncode == 2
    assert "empty" in result.stderr
    assert not target.exists()


def test_set_refuses_a_value_on_the_command_line_without_echoing_it(
    secrets_dir: Path, canary: str
) -> None:
    target = secrets_dir / "openrouter"
    result = cli("secret", "set", f"file://{target}", canary, stdin="ignored")
    assert result.returncode == 2
    assert "never from the command line" in result.stderr
    assert not target.exists()
    assert_no_leak(canary, result.stdout, result.stderr)


def test_set_on_a_read_only_backend_says_so_before_reading(canary: str) -> None:
    result = cli("secret", "set", "env://ORS_NOPE", stdin=canary)
    assert result.returncode == 2
    assert "cannot put" in result.stderr
    assert_no_leak(canary, result.stdout, result.stderr)


def test_set_checks_params_before_asking(secrets_dir: Path, canary: str) -> None:
    result = cli("secret", "set", f"file://{secrets_dir}/x?regoin=1", stdin=canary)
    assert result.returncode == 2
    assert "unknown file:// param 'regoin'" in result.stderr


def _pty_run(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal, typing each answer at its prompt."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, with the terminal as stdin
        os.execve(  # noqa: S606 - the CLI itself, on the pty
            sys.executable, [sys.executable, "-m", "openrouter_secure.cli", *args], os.environ
        )
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            seen += data
            if pending and data.rstrip().endswith((b":", b"]")):
                os.write(fd, pending.pop(0).encode() + b"\n")
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pty")
def test_set_on_a_terminal_prompts_twice_without_echo(secrets_dir: Path) -> None:
    canary = make_canary()
    target = secrets_dir / "openrouter"
    code, screen = _pty_run(["secret", "set", f"file://{target}"], [canary, canary])
    assert code == 0, screen
    assert "(not shown)" in screen
    assert "Again" in screen
    assert target.read_text() == canary + "\n"
    assert_no_leak(canary, screen)


@pytest.mark.skipif(sys.platform == "win32", reason="pty")
def test_set_on_a_terminal_refuses_two_different_entries(secrets_dir: Path) -> None:
    first, second = make_canary(), make_canary()
    target = secrets_dir / "openrouter"
    code, screen = _pty_run(["secret", "set", f"file://{target}"], [first, second])
    assert code == 2
    assert "differ" in screen
    assert not target.exists()
    assert_no_leak(first, screen)
    assert_no_leak(second, screen)


# -- delete and list ---------------------------------------------------------------------


def test_delete_without_a_terminal_needs_yes(secrets_dir: Path) -> None:
    target = secrets_dir / "openrouter"
    target.write_text("x")
    target.chmod(0o600)
    result = cli("secret", "delete", f"file://{target}")
    assert result.returncode == 2
    assert "--yes" in result.stderr
    assert target.exists()
    assert cli("secret", "delete", "--yes", f"file://{target}").returncode == 0
    assert not target.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="pty")
def test_delete_on_a_terminal_asks_first(secrets_dir: Path) -> None:
    target = secrets_dir / "openrouter"
    target.write_text("x")
    target.chmod(0o600)
    code, _ = _pty_run(["secret", "delete", f"file://{target}"], ["n"])
    assert code == 1
    assert target.exists()
    code, _ = _pty_run(["secret", "delete", f"file://{target}"], ["y"])
    assert code == 0
    assert not target.exists()


def test_dotenv_set_list_delete(secrets_dir: Path) -> None:
    env = secrets_dir / ".env"
    first, second = make_canary(), make_canary()
    assert cli("secret", "set", f"dotenv://{env}#A_KEY", stdin=first).returncode == 0
    assert cli("secret", "set", f"dotenv://{env}#B_KEY", stdin=second).returncode == 0
    listed = cli("secret", "list", "--json", f"dotenv://{env}")
    assert [row["ref"] for row in json.loads(listed.stdout)] == [
        f"dotenv://{env}#A_KEY",
        f"dotenv://{env}#B_KEY",
    ]
    assert cli("secret", "delete", "-y", f"dotenv://{env}#A_KEY").returncode == 0
    table = cli("secret", "list", f"dotenv://{env}").stdout
    assert "#B_KEY" in table
    assert "#A_KEY" not in table
    assert_no_leak(first, listed.stdout, table)
    assert_no_leak(second, listed.stdout, table)


def test_list_env_gives_names_only(canary: str) -> None:
    result = cli("secret", "list", "env://ORS_LIST_", env={"ORS_LIST_ONE": canary})
    assert "env://ORS_LIST_ONE" in result.stdout
    assert_no_leak(canary, result.stdout, result.stderr)


def test_list_without_a_prefix_names_the_backends_that_can() -> None:
    result = cli("secret", "list")
    assert result.returncode == 0
    assert "env://" in result.stdout
    assert "file://" in result.stdout


def test_list_on_a_backend_that_cannot(capsys: pytest.CaptureFixture[str]) -> None:
    import openrouter_secure as ors
    from openrouter_secure.cli import main
    from openrouter_secure.testing import FakeProvider

    ors.register_backend("nolist", FakeProvider(name="nolist"))
    try:
        assert main(["secret", "list", "nolist://x"]) == 2
    finally:
        ors.unregister_backend("nolist")
    assert "cannot list" in capsys.readouterr().err


# -- real services -----------------------------------------------------------------------


def test_keyring_set_and_delete(keychain: Any) -> None:
    canary = make_canary()
    user = f"u-{secrets.token_hex(4)}"
    ref = f"keyring://ors-cli-test/{user}"
    result = cli("secret", "set", ref, stdin=canary)
    assert result.returncode == 0, result.stderr
    assert keychain.get_password("ors-cli-test", user) == canary
    listed = cli("secret", "list", "keyring://ors-cli-test/u-")
    assert ref in listed.stdout
    assert cli("secret", "delete", "--yes", ref).returncode == 0
    assert keychain.get_password("ors-cli-test", user) is None
    assert_no_leak(canary, result.stdout, result.stderr, listed.stdout)


@pytest.fixture
def aws_env(tmp_path: Path) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "TEST" + secrets.token_hex(8).upper(),
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "*",
    }


def test_aws_set_list_delete(moto_server: str, aws_env: dict[str, str]) -> None:
    pytest.importorskip("boto3")
    canary, stem = make_canary(), f"ors-cli-{secrets.token_hex(4)}"
    params = f"?region=us-east-1&endpoint_url={moto_server}"
    ref = f"aws://{stem}/openrouter{params}"
    stored = cli("secret", "set", ref, stdin=canary, env=aws_env)
    assert stored.returncode == 0, stored.stderr
    assert cli("get", "--reveal", ref, env=aws_env).stdout == canary + "\n"
    listed = cli("secret", "list", "--json", f"aws://{stem}/{params}", env=aws_env)
    rows = json.loads(listed.stdout)
    assert [r["ref"].split("?")[0] for r in rows] == [f"aws://{stem}/openrouter"]
    assert rows[0]["updated"]
    boto3 = pytest.importorskip("boto3")
    boto3.client(
        "secretsmanager",
        region_name="us-east-1",
        endpoint_url=moto_server,
        aws_access_key_id=aws_env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws_env["AWS_SECRET_ACCESS_KEY"],
    ).update_secret(SecretId=f"{stem}/openrouter", Description=f"old key was {canary}")
    described = cli("secret", "list", f"aws://{stem}/{params}", env=aws_env).stdout
    assert "old key was" in described
    assert_no_leak(canary, described)
    assert cli("secret", "delete", "-y", ref + "&recovery_days=0", env=aws_env).returncode == 0
    assert (
        json.loads(cli("secret", "list", "--json", f"aws://{stem}/{params}", env=aws_env).stdout)
        == []
    )
    assert_no_leak(canary, stored.stdout, stored.stderr, listed.stdout)


def test_vault_set_list_delete(openbao: Any, tmp_path: Path) -> None:
    pytest.importorskip("hvac")
    env = {"VAULT_ADDR": openbao.addr, "VAULT_TOKEN": openbao.root_token, "HOME": str(tmp_path)}
    canary, stem = make_canary(), f"ors-cli-{secrets.token_hex(4)}"
    for name in ("a", "deeper/b"):
        result = cli("secret", "set", f"vault://secret/{stem}/{name}", stdin=canary, env=env)
        assert result.returncode == 0, result.stderr
        assert_no_leak(canary, result.stdout, result.stderr)
    listed = cli("secret", "list", "--json", f"vault://secret/{stem}/", env=env)
    assert [r["ref"] for r in json.loads(listed.stdout)] == [
        f"vault://secret/{stem}/a",
        f"vault://secret/{stem}/deeper/b",
    ]
    assert cli("secret", "delete", "-y", f"vault://secret/{stem}/a", env=env).returncode == 0
    # KV v2 keeps a soft-deleted secret's metadata (so `vault kv list` still shows it,
    # and `vault kv undelete` can bring it back); reading it fails.
    gone = cli("get", f"vault://secret/{stem}/a", env=env)
    assert gone.returncode == 2
    assert "no secret" in gone.stderr or "not found" in gone.stderr.lower()
    assert_no_leak(canary, listed.stdout)


def test_the_docs_example_runs_as_written(tmp_path: Path) -> None:
    canary = make_canary()
    script = (
        'openrouter-secure() { "$PYTHON" -m openrouter_secure.cli "$@"; }\nset -e\n'
        + block_after("cli.md", "## Storing secrets", "bash")
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHON": sys.executable, "OPENROUTER_API_KEY": canary},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "file://secrets/openrouter" in result.stdout
    assert f"length       {len(canary)}" in result.stdout
    assert not (tmp_path / "secrets" / "openrouter").exists()
    assert_no_leak(canary, result.stdout, result.stderr)


def test_set_refuses_a_huge_stdin(secrets_dir: Path) -> None:
    target = secrets_dir / "openrouter"
    result = cli("secret", "set", f"file://{target}", stdin="x" * ((1 << 20) + 1))
    assert result.returncode == 2
    assert "more than" in result.stderr
    assert not target.exists()


def test_set_refuses_a_value_typed_as_the_name_too_without_echoing_it(
    secrets_dir: Path,
) -> None:
    password = "Pw" + secrets.token_urlsafe(18)
    for name in (f"file://{secrets_dir}/{password}", f"file://{secrets_dir}/x%2F{password}"):
        result = cli("secret", "set", name, stdin=password + "\n")
        assert result.returncode == 2, result.stdout
        assert "part of the reference" in result.stderr
        assert_no_leak(password, result.stdout, result.stderr)
    assert list(secrets_dir.iterdir()) == []
