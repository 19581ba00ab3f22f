"""``openrouter-secure sanitize``: a pipe filter, run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openrouter_secure.testing import assert_no_leak, make_canary

CLI = [sys.executable, "-m", "openrouter_secure.cli", "sanitize"]


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120, check=False)


def test_masks_a_key_on_stdin(canary: str) -> None:
    result = run(stdin=f"INFO calling with {canary} now\n".encode())
    assert result.returncode == 0
    assert result.stdout.startswith(b"INFO calling with ")
    assert b"MASKED" in result.stdout
    assert_no_leak(canary, result.stdout.decode(), result.stderr.decode())


def test_masks_a_key_split_across_reads(canary: str) -> None:
    # Every read is at most 64 KiB: put the key across several read boundaries.
    filler = b"x" * 1000 + b"\n"
    body = b"".join(filler[:-1] + b" " + canary.encode() + b"\n" for _ in range(300))
    result = run(stdin=body)
    assert result.returncode == 0
    assert result.stdout.count(b"MASKED") == 300
    assert_no_leak(canary, result.stdout.decode())


def test_bytes_that_are_not_utf8_pass_through_unchanged(canary: str) -> None:
    raw = bytes(range(256)) * 300 + b"\n\xff\xfe caf\xc3\xa9 \xe9\n"
    assert run(stdin=raw).stdout == raw
    result = run(stdin=b"\xff\x00" + canary.encode() + b"\xfe\n")
    assert result.stdout.startswith(b"\xff\x00")
    assert result.stdout.endswith(b"\xfe\n")
    assert_no_leak(canary, result.stdout.decode("utf-8", "replace"))


def test_a_multibyte_character_split_across_reads_survives() -> None:
    text = ("a" * 65535 + "é" + "ü" * 40000 + "\n").encode()
    assert run(stdin=text).stdout == text


def test_files_in_order_and_dash_is_stdin(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"one\n")
    (tmp_path / "b").write_bytes(b"three\n")
    result = run(str(tmp_path / "a"), "-", str(tmp_path / "b"), stdin=b"two\n")
    assert result.stdout == b"one\ntwo\nthree\n"


def test_a_missing_file_is_reported_and_the_others_still_copied(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"one\n")
    result = run(str(tmp_path / "nope"), str(tmp_path / "a"))
    assert result.returncode == 1
    assert b"nope" in result.stderr
    assert result.stdout == b"one\n"


def test_line_buffered_writes_each_line_before_the_input_ends() -> None:
    canary = make_canary()
    with subprocess.Popen(
        [*CLI, "--line-buffered"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.write(f"first {canary}\n".encode())
        proc.stdin.flush()
        line = proc.stdout.readline()  # would block forever if the line were held back
        proc.stdin.close()
        proc.wait(timeout=60)
    assert line.startswith(b"first ")
    assert_no_leak(canary, line.decode())


def test_a_reader_that_leaves_early_is_not_an_error(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"line of log\n" * 200_000)
    result = subprocess.run(
        [
            "bash",
            "-c",
            f'"$0" -m openrouter_secure.cli sanitize {big} | head -c 10',
            sys.executable,
        ],
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ},
    )
    assert result.stdout == b"line of lo"
    assert result.stderr == b""


def test_the_docs_example_runs_as_written(tmp_path: Path) -> None:
    from tests.docs_examples import block_after

    canary = make_canary()
    (tmp_path / "app.log").write_text(f"ERROR auth failed for key {canary}\n")
    script = (
        'openrouter-secure() { "$PYTHON" -m openrouter_secure.cli "$@"; }\nset -e\n'
        + block_after("cli.md", "## Filtering logs", "bash")
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "MASKED" in (tmp_path / "app.clean.log").read_text()
    assert_no_leak(canary, result.stdout, (tmp_path / "app.clean.log").read_text())
