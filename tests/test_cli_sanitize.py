"""``openrouter-secure sanitize``: a pipe filter, run as a real subprocess."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openrouter_secure import default_sanitizer
from openrouter_secure._sanitize._scan import fast_backend_available, hyperscan_available
from openrouter_secure.cli import _sanitize
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.sanitizer_cases import pem_block

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


# -- release points and engines of the filter, in process ---------------------------------


def _filtered(pieces: list[str], size: int | None = None) -> str:
    out = io.BytesIO()
    filt = _sanitize._Filter(out, False, size)
    for piece in pieces:
        filt.feed(piece, True)
    filt.finish()
    return out.getvalue().decode()


def _holdback() -> int:
    return _sanitize._engine(0)[0].max_match_length


def test_a_key_across_the_block_release_point_is_masked_at_every_offset(canary: str) -> None:
    hold = _holdback()
    total = _sanitize.CHUNK + hold + 1000
    cut = total - hold  # the first release: the buffer up to here
    for offset in range(-len(canary) - 2, 3):
        head = "a" * (cut + offset - 1) + " "
        text = head + canary + "\n" + "b" * (total - len(head) - len(canary)) + "\nend\n"
        out = _filtered([text])
        assert out.count("MASKED") == 1, offset
        assert_no_leak(canary, out)
        assert out.endswith("\nend\n")


def test_a_pem_block_across_the_block_release_point_is_masked_whole() -> None:
    body = base64.b64encode(os.urandom(960)).decode()  # rows no rule masks on their own
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    pem = pem_block("\n".join(rows), "RSA")
    # One read of more than CHUNK + holdback characters: the stream releases all but
    # the last holdback ones, a point that falls in the middle of the block.
    tail = "tail line\n" * ((_holdback() - len(pem) // 2) // 10)
    head = "log line\n" * (_sanitize.CHUNK // 9 + 100)
    text = head + pem + "\n" + tail
    out = _filtered([text])
    for row in rows:
        assert row not in out
    assert out.startswith(head)
    assert out.endswith("\n" + tail)


@pytest.mark.skipif(
    not (hyperscan_available() and fast_backend_available()), reason="needs the [fast] extra"
)
def test_a_key_across_the_engine_switch_is_masked(
    canary: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sanitize, "BUILD_AT", 100_000)
    line = "x" * 99 + "\n"
    text = line * 1999 + "y" * 90 + " " + canary + "\n" + line * 3000
    at = len(line) * 1999 + 95  # inside the key
    out = io.BytesIO()
    filt = _sanitize._Filter(out, False, None)
    filt.feed(text[:at], True)  # past BUILD_AT: the fast engine is being built
    assert filt._ready is not None
    assert filt._ready.wait(60)
    filt.feed(text[at:], True)  # moves to it, with the key's start held back
    filt.finish()
    result = out.getvalue().decode()
    assert filt._sanitizer is default_sanitizer()
    assert_no_leak(canary, result)
    assert result.count("MASKED") == 1
    assert result.startswith(line * 1999 + "y" * 90 + " ")
    assert result.endswith("\n" + line * 3000)


@pytest.mark.skipif(
    not (hyperscan_available() and fast_backend_available()), reason="needs the [fast] extra"
)
def test_a_short_input_gets_the_quickest_engine_to_build_and_a_long_one_the_fastest() -> None:
    short = _sanitize._Filter(io.BytesIO(), False, 1000)
    assert short._sanitizer.backend == "ahocorasick"
    short.feed("x" * _sanitize.BUILD_AT, True)
    assert short._ready is None  # a short file never builds the other engine
    assert _sanitize._Filter(io.BytesIO(), False, None)._sanitizer.backend == "ahocorasick"
    long = _sanitize._Filter(io.BytesIO(), False, _sanitize.SWITCH_AT)
    assert long._sanitizer.backend == "hyperscan"
