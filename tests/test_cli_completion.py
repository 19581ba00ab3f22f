"""``openrouter-secure completion``: the scripts parse, and complete from the real
argparse tree in real shells (bash always; zsh and fish when installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import service_missing


def script(shell: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "openrouter_secure.cli", "completion", shell],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def shell_or_skip(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        service_missing(f"{name} is not installed (apt-get install {name})")
    return found


def bash_complete(tmp_path: Path, *words: str) -> list[str]:
    (tmp_path / "c.bash").write_text(script("bash"))
    quoted = " ".join(f"'{w}'" for w in words)
    program = (
        f"source {tmp_path / 'c.bash'}\n"
        f"COMP_WORDS=({quoted}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        '_openrouter_secure; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        ["bash", "--norc", "-c", program],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [line for line in out.stdout.splitlines() if line]


def test_bash_script_parses(tmp_path: Path) -> None:
    path = tmp_path / "c.bash"
    path.write_text(script("bash"))
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=60)


def test_bash_completes_top_level_commands(tmp_path: Path) -> None:
    assert bash_complete(tmp_path, "openrouter-secure", "se") == ["serve", "secret"]


def test_bash_completes_nested_commands(tmp_path: Path) -> None:
    assert bash_complete(tmp_path, "openrouter-secure", "secret", "") == ["set", "delete", "list"]


def test_bash_completes_a_commands_options(tmp_path: Path) -> None:
    assert bash_complete(tmp_path, "openrouter-secure", "get", "--r") == ["--reveal"]


def test_bash_completes_choices_and_skips_options_between(tmp_path: Path) -> None:
    assert bash_complete(tmp_path, "openrouter-secure", "completion", "f") == ["fish"]
    got = bash_complete(tmp_path, "openrouter-secure", "secret", "delete", "--yes", "--")
    assert got == ["--help", "--yes"]


def test_bash_falls_back_to_file_names(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("x")
    assert bash_complete(tmp_path, "openrouter-secure", "sanitize", "app") == ["app.log"]


def test_zsh_script_parses_and_completes(tmp_path: Path) -> None:
    zsh = shell_or_skip("zsh")
    (tmp_path / "c.zsh").write_text(script("zsh"))
    subprocess.run([zsh, "-n", str(tmp_path / "c.zsh")], check=True, timeout=60)
    # The completion system's functions, stubbed to print what they are given.
    program = (
        "compdef() { :; }\n"
        '_describe() { print -r -- "${(P)${@[-1]}}"; }\n'
        'compadd() { print -r -- "${(P)${@[-1]}}"; }\n'
        "_files() { print -r -- FILES; }\n"
        f"source {tmp_path / 'c.zsh'}\n"
        'words=(openrouter-secure secret ""); CURRENT=3; _openrouter_secure\n'
        "words=(openrouter-secure get --); CURRENT=3; _openrouter_secure\n"
        'words=(openrouter-secure sanitize ""); CURRENT=3; _openrouter_secure\n'
    )
    out = subprocess.run(
        [zsh, "-f", "-c", program], capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    assert out[0].startswith("set:store a secret")
    assert out[1] == "-h --help --reveal --json"
    assert out[2] == "FILES"


def test_fish_script_parses_and_completes(tmp_path: Path) -> None:
    fish = shell_or_skip("fish")
    (tmp_path / "c.fish").write_text(script("fish"))
    subprocess.run([fish, "--no-execute", str(tmp_path / "c.fish")], check=True, timeout=60)
    program = f'source {tmp_path / "c.fish"}; complete -C "openrouter-secure secret "'
    out = subprocess.run(
        [fish, "--no-config", "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "HOME": str(tmp_path)},
    ).stdout
    assert [line.split("\t")[0] for line in out.splitlines()] == ["delete", "list", "set"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_every_command_is_in_the_script(shell: str) -> None:
    from openrouter_secure.cli import COMMANDS

    text = script(shell)
    for module in COMMANDS:
        assert module.lstrip("_") in text


def test_the_docs_example_runs_as_written(tmp_path: Path) -> None:
    from tests.docs_examples import block_after

    program = (
        'openrouter-secure() { "$PYTHON" -m openrouter_secure.cli "$@"; }\nset -e\n'
        + block_after("cli.md", "## Shell completion", "bash")
        + "complete -p openrouter-secure\n"
    )
    out = subprocess.run(
        ["bash", "--norc", "-c", program],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "-F _openrouter_secure openrouter-secure" in out.stdout
