"""``openrouter-secure run`` and :mod:`openrouter_secure.launch`: secrets reach the
child's environment only; stdin/stdout pass byte-exact; stderr is sanitized; exit
codes and signals follow the child; an unresolvable reference starts nothing."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openrouter_secure import ConfigurationError, Secret, SecretNotFoundError, _known
from openrouter_secure.launch import (
    LineSanitizer,
    exit_code,
    parse_env_file,
    resolve_environment,
)
from openrouter_secure.testing import assert_no_leak, make_canary

RUN = [sys.executable, "-m", "openrouter_secure.cli", "run"]
ROOT = Path(__file__).resolve().parent.parent


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORS_T_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


# -- resolve_environment ---------------------------------------------------------------


@pytest.fixture
def src(canary: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The canary in the variable ``env://ORS_T_SRC`` reads."""
    monkeypatch.setenv("ORS_T_SRC", canary)
    return canary


def test_env_pairs_resolve_into_the_child_env_only(src: str) -> None:
    canary = src
    with resolve_environment(["API_KEY=env://ORS_T_SRC"], base={"PATH": "/bin"}) as env:
        assert env.child_env()["API_KEY"] == canary
        assert env.resolved == {"API_KEY": "env://ORS_T_SRC"}
        assert canary in _known.known_values()
        assert_no_leak(canary, repr(env), str(env.resolved))
    # No Secret holds it any more; revealed once (into the child's environment), the
    # value stays masked in this process's output.
    assert canary not in _known._counts
    assert canary in _known.known_values()


def test_secret_placeholders_in_the_environment_are_resolved(src: str) -> None:
    canary = src
    base = {
        "API_KEY": "${secret:env://ORS_T_SRC}",
        "AUTH": "Bearer ${secret:env://ORS_T_SRC}",
        "PLAIN": "keep $HOME ${OTHER}",
    }
    env = resolve_environment(base=base).child_env()
    assert env["API_KEY"] == canary
    assert env["AUTH"] == f"Bearer {canary}"
    assert env["PLAIN"] == "keep $HOME ${OTHER}"


def test_env_file_of_references(tmp_path: Path, src: str, monkeypatch: pytest.MonkeyPatch) -> None:
    canary = src
    monkeypatch.setenv("ORS_T_TWO", "second-value")
    f = tmp_path / "refs.env"
    f.write_text(
        "# comment\n\nexport API_KEY=env://ORS_T_SRC\nOTHER='${secret:env://ORS_T_SRC}' # x\n"
    )
    assert parse_env_file(f) == {"API_KEY": "env://ORS_T_SRC", "OTHER": "env://ORS_T_SRC"}
    env = resolve_environment(["OTHER=env://ORS_T_TWO"], env_file=f, base={}).child_env()
    assert env["API_KEY"] == canary
    assert env["OTHER"] == "second-value"  # --env wins over the file


def test_a_value_in_an_env_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    key = make_canary()
    f = tmp_path / "bad.env"
    f.write_text(f"OK=env://X\nAPI_KEY={key}\n")
    with pytest.raises(ConfigurationError, match=r"bad\.env:2 API_KEY.*not a secret") as e:
        parse_env_file(f)
    assert_no_leak(key, str(e.value), repr(e.value))


def test_a_value_given_as_env_is_refused_without_echoing_it() -> None:
    key = make_canary()
    with pytest.raises(ConfigurationError, match="--env API_KEY") as e:
        resolve_environment([f"API_KEY={key}"], base={})
    assert_no_leak(key, str(e.value))


def test_malformed_assignment_and_file_line_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="NAME=REF"):
        resolve_environment(["1BAD=env://X"], base={})
    f = tmp_path / "x.env"
    f.write_text("not an assignment\n")
    with pytest.raises(ConfigurationError, match=r"x\.env:1: expected NAME=REF"):
        parse_env_file(f)


def test_unresolvable_reference_names_variable_and_reference(src: str) -> None:
    canary = src
    with pytest.raises(SecretNotFoundError) as e:
        resolve_environment(["GOOD=env://ORS_T_SRC", "API_KEY=env://ORS_T_MISSING"], base={})
    assert "API_KEY" in str(e.value)
    assert "env://ORS_T_MISSING" in str(e.value)
    assert_no_leak(canary, str(e.value))
    # what was resolved before the failure is wiped again
    assert canary not in _known._counts


def test_exit_code_convention() -> None:
    assert exit_code(0) == 0
    assert exit_code(3) == 3
    assert exit_code(-signal.SIGTERM) == 128 + signal.SIGTERM


@pytest.mark.parametrize(
    "value",
    [
        "${secret: env://ORS_T_SRC}",
        "${secret:env://ORS_T_SRC",
        "Bearer ${secret:}",
        "${secret:env://ORS_T_SRC }",
        "${SECRET:env://ORS_T_SRC}",
        "${secret:env://ORS_T_SRC} and ${secret:",
    ],
)
def test_a_malformed_placeholder_in_the_environment_is_refused(src: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=r"API_KEY: a .* placeholder is malformed") as info:
        resolve_environment(base={"API_KEY": value, "PATH": "/bin"})
    assert value not in str(info.value)
    assert_no_leak(src, str(info.value))


def test_run_starts_nothing_on_a_malformed_inherited_placeholder(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    result = subprocess.run(
        [*RUN, "--", *py(f"open({str(marker)!r}, 'w').close()")],
        env=child_env(API_KEY="${secret:env://ORS_T_NONE"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert b"API_KEY" in result.stderr
    assert not marker.exists()


# -- LineSanitizer -----------------------------------------------------------------------


def test_line_sanitizer_masks_a_key_split_across_chunks(canary: str) -> None:
    lines = LineSanitizer()
    out = lines.feed(f"key={canary[:10]}".encode()) + lines.feed(f"{canary[10:]} ok\n".encode())
    assert canary.encode() not in out
    assert out.endswith(b" ok\n")


def test_line_sanitizer_keeps_non_utf8_bytes() -> None:
    data = b"\xff\xfe binary \x00 line\n"
    lines = LineSanitizer()
    assert lines.feed(data) + lines.flush() == data


def test_line_sanitizer_releases_a_long_line_without_newline(canary: str) -> None:
    lines = LineSanitizer(max_line=1000)
    out = lines.feed(b"x" * 3000 + f" {canary} ".encode() + b"y" * 3000)
    assert out
    assert canary.encode() not in out
    rest = lines.flush()
    assert canary.encode() not in out + rest
    assert len(out + rest) > 6000


def _non_ascii_secret() -> str:
    """A known value with a non-ASCII letter every other character (no ASCII run long
    enough for the fragment masker), registered for the whole test."""
    import secrets as random

    return "".join(
        random.choice("abcdefghjkmnpqrstuvwxyz") + random.choice("üöäßé") for _ in range(12)
    )


def test_a_non_ascii_secret_is_masked_on_a_line_with_a_stray_byte() -> None:
    value = _non_ascii_secret()
    with Secret(value):
        lines = LineSanitizer(fragments_of=[value])
        out = lines.feed(b"\xff error: " + value.encode() + b" \xfe\n") + lines.flush()
    assert value.encode() not in out
    assert out.startswith(b"\xff error: ")
    assert out.endswith(b" \xfe\n")


def test_a_non_ascii_secret_is_masked_in_a_long_line() -> None:
    value = _non_ascii_secret()
    with Secret(value):
        lines = LineSanitizer(max_line=1000, fragments_of=[value])
        out = lines.feed("é".encode() * 1501 + value.encode() + b"y" * 3000) + lines.flush()
    assert value.encode() not in out
    assert out.startswith("é".encode() * 1501)
    assert out.endswith(b"y" * 3000)


def test_a_long_line_cut_inside_a_multibyte_character_keeps_its_bytes() -> None:
    data = "é€".encode() * 1000 + b"\xff" + b"z" * 10
    lines = LineSanitizer(max_line=777)
    out = b"".join(lines.feed(data[i : i + 333]) for i in range(0, len(data), 333))
    assert out + lines.flush() == data


@pytest.mark.parametrize(
    ("escape", "every"),
    [("\x1b[0m", 7), ("\x1b[1m", 11), ("\x1b[K", 5), ("\x1b]0;t\x07", 6), ("\r", 9), ("\u200b", 7)],
)
def test_a_secret_cut_by_terminal_controls_is_masked(escape: str, every: int) -> None:
    import secrets as random
    import string

    value = "".join(random.choice(string.ascii_letters) for _ in range(24))
    with Secret(value):
        lines = LineSanitizer(fragments_of=[value])
        shown = escape.join(value[i : i + every] for i in range(0, len(value), every))
        out = lines.feed(f"\x1b[31merror\x1b[0m {shown}\n".encode()) + lines.flush()
    text = out.decode()
    for pattern in ("\x1b[", "\x1b]", "\r", "\u200b"):
        text = text.replace(pattern, "")
    assert value not in text
    assert "***MASKED***" in text


def test_a_coloured_line_without_a_secret_keeps_its_colours() -> None:
    data = b"\x1b[31merror\x1b[0m: nothing secret here\r\n"
    lines = LineSanitizer(fragments_of=["some-known-value-1234"])
    assert lines.feed(data) + lines.flush() == data


# -- the CLI, as a host runs it ----------------------------------------------------------


def test_run_passes_stdin_stdout_byte_exact_and_sanitizes_stderr(canary: str) -> None:
    payload = bytes(range(256)) * 64 + canary.encode() + b"\r\n\x00no newline"
    code = (
        "import os,sys; d=sys.stdin.buffer.read(); sys.stdout.buffer.write(d);"
        "sys.stderr.write('log ' + os.environ['API_KEY'] + '\\n'); sys.exit(5)"
    )
    proc = subprocess.run(
        [*RUN, "--env", "API_KEY=env://ORS_T_SRC", "--", *py(code)],
        input=payload,
        capture_output=True,
        env=child_env(ORS_T_SRC=canary),
        timeout=30,
    )
    assert proc.returncode == 5
    assert proc.stdout == payload  # untouched, the canary included: stdout is the child's
    assert b"log " in proc.stderr
    assert canary.encode() not in proc.stderr


# What the launcher runs, with a note of whether the sanitizer was loaded when the
# child started (written to the file named by argv[1]).
_SPY_LAUNCHER = """
import subprocess, sys
real = subprocess.Popen
class Spy(real):
    def __init__(self, *args, **kwargs):
        with open(sys.argv[1], "w") as note:
            note.write(str("openrouter_secure._sanitize._sanitizer" in sys.modules))
        super().__init__(*args, **kwargs)
subprocess.Popen = Spy
from openrouter_secure.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_run_starts_the_child_before_building_the_sanitizer_and_masks_its_first_line(
    canary: str, tmp_path: Path
) -> None:
    unknown = make_canary()  # in no environment: only the rules can mask it
    code = (
        "import os,sys; sys.stderr.write(os.environ['API_KEY'] + ' ' + sys.argv[1] + '\\n');"
        "sys.stderr.flush(); print('env=' + os.environ['API_KEY'])"
    )
    note = tmp_path / "note"
    proc = subprocess.run(
        [
            *py(_SPY_LAUNCHER),
            str(note),
            "run",
            "--env",
            "API_KEY=env://ORS_T_SRC",
            "--",
            *py(code),
            unknown,
        ],
        capture_output=True,
        env=child_env(ORS_T_SRC=canary),
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert note.read_text() == "False"  # the child started first
    assert proc.stdout == f"env={canary}\n".encode()  # the child got its environment
    first = proc.stderr.splitlines()[0]
    assert first.count(b"***MASKED***") == 2, first
    assert_no_leak(canary, proc.stderr)
    assert_no_leak(unknown, proc.stderr)


def test_run_sanitize_stdout(canary: str) -> None:
    proc = subprocess.run(
        [*RUN, "--sanitize-stdout", "--", *py("import os; print('k=' + os.environ['API_KEY'])")],
        capture_output=True,
        env=child_env(ORS_T_SRC=canary, API_KEY="${secret:env://ORS_T_SRC}"),
        timeout=30,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith(b"k=")
    assert canary.encode() not in proc.stdout


def test_run_keeps_values_out_of_argv(canary: str) -> None:
    code = "import os; print(open('/proc/%d/cmdline' % os.getppid(), 'rb').read())"
    proc = subprocess.run(
        [*RUN, "--sanitize-stdout", "--env", "K=env://ORS_T_SRC", "--", *py(code)],
        capture_output=True,
        env=child_env(ORS_T_SRC=canary),
        timeout=30,
    )
    assert b"env://ORS_T_SRC" in proc.stdout  # we read the launcher's own argv
    assert_no_leak(canary, proc.stdout, proc.stderr)


def test_unresolvable_reference_starts_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    proc = subprocess.run(
        [*RUN, "--env", "API_KEY=env://ORS_T_MISSING", "--", "touch", str(marker)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=30,
    )
    assert proc.returncode == 2
    assert "API_KEY" in proc.stderr
    assert "env://ORS_T_MISSING" in proc.stderr
    assert not marker.exists()


def test_command_not_found_is_127() -> None:
    proc = subprocess.run(
        [*RUN, "--", "/nonexistent/ors-command"], capture_output=True, text=True, env=child_env()
    )
    assert proc.returncode == 127
    assert "command not found" in proc.stderr


def test_signals_are_forwarded_and_a_signal_death_is_128_plus_n() -> None:
    code = (
        "import signal,sys,time\n"
        "signal.signal(signal.SIGUSR1, lambda *a: (print('usr1', flush=True)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.Popen(
        [*RUN, "--", *py(code)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env()
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGUSR1)
    assert proc.stdout.readline() == b"usr1\n"
    time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 128 + signal.SIGTERM


def test_run_carries_an_mcp_stdio_session(canary: str, tmp_path: Path) -> None:
    pytest.importorskip("mcp")
    import anyio
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    server = tmp_path / "srv.py"
    server.write_text(
        "import os, sys\n"
        "from mcp.server.mcpserver import MCPServer\n"
        "s = MCPServer('t')\n"
        "@s.tool()\n"
        "def key_length() -> int:\n"
        "    print('using ' + os.environ['API_KEY'], file=sys.stderr, flush=True)\n"
        "    return len(os.environ['API_KEY'])\n"
        "s.run('stdio')\n"
    )
    errlog = tmp_path / "stderr.txt"

    async def main() -> str:
        params = StdioServerParameters(
            command=sys.executable,
            args=[*RUN[1:], "--env", "API_KEY=env://ORS_T_SRC", "--", sys.executable, str(server)],
            env={"ORS_T_SRC": canary, "PYTHONPATH": str(ROOT)},
        )
        with errlog.open("w") as err:
            async with Client(stdio_client(params, err)) as client:
                result = await client.call_tool("key_length", {})
        return str(result.content[0].text)  # type: ignore[union-attr]

    assert anyio.run(main) == str(len(canary))
    log = errlog.read_text()
    assert "using " in log
    assert_no_leak(canary, log)


def test_the_python_example_in_the_docs_runs(
    canary: str, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from tests.test_docs import python_block_after

    monkeypatch.setenv("OPENROUTER_API_KEY", canary)
    exec(python_block_after("run.md", "## From Python"), {})  # noqa: S102 - our own docs
    out = capfd.readouterr().out
    assert "resolved=['API_KEY']" in out
    assert str(len(canary)) in out
    assert_no_leak(canary, out)


def test_pieces_of_a_launched_secret_are_masked_when_a_log_wraps_it() -> None:
    # A traceback drawn in an 80-column box cuts the key across lines: no line holds
    # it whole, so only its pieces can be recognised.
    key = make_canary()
    box = f"│ ValueError: cannot use {key[:30]} │\n│ {key[30:]}                  │\n"
    lines = LineSanitizer(fragments_of=[key])
    out = (lines.feed(box.encode()) + lines.flush()).decode()
    assert key[:30] not in out
    assert key[30:] not in out
    assert out.count("│") == 4
    plain = LineSanitizer()
    assert key[30:] in (plain.feed(box.encode()) + plain.flush()).decode()


def test_pieces_of_a_url_shaped_secret_do_not_mangle_ordinary_links() -> None:
    from openrouter_secure.launch._stream import FragmentMasker

    secret = "postgres://app:Zq81xkPw@db.internal:5432/prod"
    masker = FragmentMasker([secret])
    assert masker.mask("see https://example.org and postgres docs") == (
        "see https://example.org and postgres docs"
    )
    assert "Zq81xkPw" not in masker.mask("password Zq81xkPw@db.internal leaked")


def test_run_from_a_worker_thread_runs_without_forwarding_signals(src: str, tmp_path: Path) -> None:
    import threading

    from openrouter_secure.launch import run

    err = tmp_path / "err.bin"
    result: list[int] = []
    code = "import os, sys; sys.stderr.write(os.environ['K'] + '\\n'); sys.exit(4)"

    def work() -> None:
        with err.open("wb") as sink:
            result.append(run(py(code), env=["K=env://ORS_T_SRC"], stderr=sink))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert result == [4]
    assert_no_leak(src, err.read_bytes())
    assert err.read_bytes().strip()


# -- the fast path of `run` and `sanitize` in the command-line parser -----------------------


def _outcome(words: list[str], full: bool) -> tuple[int, str, str]:
    import contextlib
    import io

    from openrouter_secure.cli import build_parser, main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if full:
                build_parser().parse_args(words)
                code = 0
            else:
                main(words)
                code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "words",
    [
        ["run", "--help"],
        ["sanitize", "--help"],
        ["run", "--env"],
        ["sanitize", "--bogus", "x"],
        ["run", "--env-file"],
    ],
)
def test_run_and_sanitize_help_and_errors_are_those_of_the_whole_parser(
    words: list[str],
) -> None:
    assert _outcome(words, full=False) == _outcome(words, full=True)


def test_run_builds_no_parser_of_the_other_commands() -> None:
    code = (
        "import sys\n"
        "from openrouter_secure.cli import main\n"
        "main(['run', '--', sys.executable, '-c', 'pass'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('openrouter_secure.cli.')))"
    )
    proc = subprocess.run(py(code), capture_output=True, text=True, env=child_env(), timeout=30)
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.strip()
    assert loaded == str([f"openrouter_secure.cli.{m}" for m in ("_options", "_parser", "_run")])


# -- the end of the child's output -------------------------------------------------------


def test_run_returns_while_a_grandchild_keeps_the_output_open() -> None:
    # (the grandchild holds the child's standard error, which ``run`` reads)
    code = (
        "import subprocess, sys; sys.stderr.write('started\\n'); sys.stderr.flush(); "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'],"
        " stdout=subprocess.DEVNULL)"
    )
    began = time.monotonic()
    proc = subprocess.run([*RUN, "--", *py(code)], capture_output=True, env=child_env(), timeout=60)
    assert proc.returncode == 0
    assert b"started" in proc.stderr
    assert time.monotonic() - began < 20


class _SlowTarget(io.BytesIO):
    """A target that takes its time to write, as a terminal on a loaded machine may."""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        time.sleep(2.5)
        return super().write(data)


def test_output_still_being_written_when_the_child_exits_is_not_dropped() -> None:
    from openrouter_secure.launch._stream import pump

    read, write = os.pipe()
    lines = [f"line {i}\n".encode() for i in range(4)]
    for line in lines:
        os.write(write, line)
    os.close(write)
    target = _SlowTarget()
    # (longer than the wait for an idle reader: a busy one is waited for)
    thread = pump(read, target)
    thread.finish(idle=0.5)
    assert target.getvalue() == b"".join(lines)
