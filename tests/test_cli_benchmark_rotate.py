"""``openrouter-secure benchmark`` and ``openrouter-secure rotate``, run in-process."""

from __future__ import annotations

import io
import json
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import openrouter_secure as ors
from openrouter_secure.cli import main
from openrouter_secure.testing import (
    FakeProvider,
    LeakCheck,
    OpenRouterTestServer,
    StoredKey,
    assert_no_leak,
    make_canary,
)


class Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool = False) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture
def server() -> Iterator[OpenRouterTestServer]:
    with OpenRouterTestServer() as srv:
        yield srv


@pytest.fixture
def key(server: OpenRouterTestServer, monkeypatch: pytest.MonkeyPatch) -> StoredKey:
    stored = server.add_key(make_canary(), name="cli app")
    monkeypatch.setenv("ORS_CLI_KEY", stored.key)
    return stored


def bench_args(server: OpenRouterTestServer, results: Path, *more: str) -> list[str]:
    return [
        "benchmark",
        "-m",
        "openai/gpt-4o-mini,anthropic/claude-3.5-haiku",
        "--api-key",
        "env://ORS_CLI_KEY",
        "--base-url",
        server.base_url,
        "--allow-insecure-loopback",
        "--results-dir",
        str(results),
        *more,
    ]


def test_benchmark_reads_the_prompt_from_stdin_and_saves_privately(
    server: OpenRouterTestServer,
    key: StoredKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompt_word = "p" + secrets.token_hex(10)
    monkeypatch.setattr(sys, "stdin", Stdin(f"explain {prompt_word}"))
    with LeakCheck(key.key, prompt_word) as leaks:
        code = main(bench_args(server, tmp_path / "r", "--name", "cli-run", "--export", "md,csv"))
    out = capsys.readouterr()
    assert code == 0
    assert "| openai/gpt-4o-mini |" in out.out
    files = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert files == ["cli-run.csv", "cli-run.json", "cli-run.md"]
    leaks.check(out.out, out.err, *((tmp_path / "r" / f).read_bytes() for f in files))


def test_benchmark_reads_the_prompt_from_a_file(
    server: OpenRouterTestServer,
    key: StoredKey,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("hello")
    code = main(bench_args(server, tmp_path / "r", "--prompt-file", str(prompt), "--json"))
    assert code == 0
    assert json.loads(capsys.readouterr().out)["prompt"] == "<REDACTED: 5 chars>"


def test_benchmark_refuses_a_terminal_without_a_prompt_file(
    server: OpenRouterTestServer,
    key: StoredKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", Stdin("", tty=True))
    assert main(bench_args(server, tmp_path / "r")) == 2
    assert "never taken from the command line" in capsys.readouterr().err
    assert server.requests_to("/chat/completions") == []


def test_benchmark_has_no_argument_that_takes_the_prompt_text() -> None:
    from openrouter_secure.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["benchmark", "-m", "x", "--prompt", "secret text"])


def test_benchmark_refuses_an_escaping_name(
    server: OpenRouterTestServer,
    key: StoredKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", Stdin("x"))
    assert main(bench_args(server, tmp_path / "r", "--name", "../out")) == 2
    assert not (tmp_path / "out.json").exists()


@pytest.fixture
def rotation_env(
    server: OpenRouterTestServer, key: StoredKey, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, StoredKey]]:
    mgmt = server.add_key(make_canary(), management=True)
    monkeypatch.setenv("ORS_CLI_MGMT", mgmt.key)
    scheme = "cli" + secrets.token_hex(3)
    ors.register_backend(scheme, FakeProvider({"k": key.key}, name=scheme))
    yield f"{scheme}://k", mgmt
    ors.unregister_backend(scheme)


def rotate_args(server: OpenRouterTestServer, ref: str, state: Path, *more: str) -> list[str]:
    return [
        "rotate",
        "--store",
        ref,
        "--management-key",
        "env://ORS_CLI_MGMT",
        "--base-url",
        server.base_url,
        "--allow-insecure-loopback",
        "--state-file",
        str(state),
        "--json",
        *more,
    ]


def test_rotate_then_finish_then_status(
    server: OpenRouterTestServer,
    key: StoredKey,
    rotation_env: tuple[str, StoredKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref, mgmt = rotation_env
    state = tmp_path / "rotation.json"
    with LeakCheck(key.key, mgmt.key) as leaks:
        assert main(rotate_args(server, ref, state)) == 0
        rotated = json.loads(capsys.readouterr().out)
        assert rotated["old_hash"] == key.hash
        assert rotated["old_disabled"] is False
        assert main(rotate_args(server, ref, state, "--finish", "--now", "--delete")) == 0
        finished = json.loads(capsys.readouterr().out)
        assert finished["old_deleted"] is True
        assert main(rotate_args(server, ref, state, "--status")) == 0
        status = json.loads(capsys.readouterr().out)
    assert (status["due"], status["pending"], status["source"]) == (False, False, "state")
    new_key = server.keys[rotated["new_hash"]].key
    leaks.check(json.dumps([rotated, finished, status]))
    assert_no_leak(new_key, json.dumps([rotated, finished, status]), state.read_bytes())
    assert key.hash not in server.keys


def test_rotate_dry_run_prints_the_plan_and_changes_nothing(
    server: OpenRouterTestServer,
    key: StoredKey,
    rotation_env: tuple[str, StoredKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref, _ = rotation_env
    assert main(rotate_args(server, ref, tmp_path / "s.json", "--dry-run")) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["old_hash"], plan["dry_run"]) == (key.hash, True)
    assert [k.hash for k in server.keys.values() if not k.management] == [key.hash]
    assert not (tmp_path / "s.json").exists()


def test_rotate_of_an_env_store_fails_with_a_clear_message(
    server: OpenRouterTestServer,
    key: StoredKey,
    rotation_env: tuple[str, StoredKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(rotate_args(server, "env://ORS_CLI_KEY", tmp_path / "s.json")) == 2
    err = capsys.readouterr().err
    assert "env:// cannot be written" in err
    assert_no_leak(key.key, err)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("2d", 172800), ("30", 30)]
)
def test_durations(text: str, seconds: int) -> None:
    from openrouter_secure.cli._rotate import duration

    assert duration(text).total_seconds() == seconds
