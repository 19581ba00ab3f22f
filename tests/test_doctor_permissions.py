"""One permission rule for ``load_config``, ``save_config``, ``fix_permissions`` and
``doctor``: which files' modes matter, which directories may be tightened, and never
through a symbolic link. Real files and directories in temporary trees."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import openrouter_secure as ors
import openrouter_secure.config
from openrouter_secure._files import remove_mode_bits
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.config_shapes import clean_config
from tests.test_doctor import Machine, base_env, mode, put


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    path.mkdir(mode=0o700)
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return path


def loose_project(home: Path) -> Path:
    project = home / "code" / "app"
    project.mkdir(parents=True)
    os.chmod(project, 0o755)  # noqa: S103 - a project checked out with the usual umask
    return project


# -- load_config: committed project files ---------------------------------------------------------
@pytest.mark.parametrize("tail", [(".mcp.json",), (".vscode", "mcp.json"), (".cursor", "mcp.json")])
def test_committed_project_file_loads_without_permission_warnings(
    home: Path, tail: tuple[str, ...]
) -> None:
    path = put(loose_project(home).joinpath(*tail), json.dumps(clean_config()), 0o644)
    os.chmod(path.parent, 0o755)  # noqa: S103
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ors.config.load_config(path, strict=True)


def test_serve_loads_a_committed_project_file_without_warnings(home: Path) -> None:
    from openrouter_secure.mcp._server_config import load_settings

    path = put(loose_project(home) / ".mcp.json", json.dumps({"mcpServers": {}}), 0o644)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_settings(path)


def test_world_writable_project_file_still_warns(home: Path) -> None:
    path = put(loose_project(home) / ".mcp.json", json.dumps(clean_config()), 0o666)
    with pytest.warns(ors.config.InsecureConfigWarning, match="anyone on this machine can change"):
        ors.config.load_config(path)


def test_user_file_of_the_same_name_is_checked(home: Path) -> None:
    # ~/.cursor/mcp.json is Cursor's user config, not a project file.
    path = put(home / ".cursor" / "mcp.json", json.dumps(clean_config()), 0o644, dir_mode=0o700)
    with pytest.warns(ors.config.InsecureConfigWarning, match="mode 0644"):
        ors.config.load_config(path)


def test_doctor_and_load_config_agree_on_a_project_file(home: Path, tmp_path: Path) -> None:
    project = loose_project(home)
    path = put(project / ".mcp.json", json.dumps(clean_config()), 0o644)
    machine = Machine(home, project, make_canary(), base_env(home))
    for args in ((), ("--no-discover", str(path)), ("--no-discover", ".")):
        _, report = machine.report(*args)
        assert not [f for f in report["findings"] if f["check"] == "permissions"], args


# -- save_config: directories it may change -------------------------------------------------------
def test_save_into_a_sticky_shared_directory_leaves_it_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # noqa: S103 - a /tmp-like directory is what is tested
    path = ors.config.save_config(shared / "mcp.json", clean_config())
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert mode(path) == 0o600


def test_save_into_a_project_leaves_the_directory_alone(home: Path) -> None:
    project = loose_project(home)
    ors.config.save_config(project / ".mcp.json", clean_config())
    assert mode(project) == 0o755


def test_save_into_the_home_leaves_it_alone(home: Path) -> None:
    os.chmod(home, 0o751)  # noqa: S103 - a home readable by others is what is tested
    ors.config.save_config(home / ".claude.json", clean_config())
    assert mode(home) == 0o751


def test_save_into_a_config_directory_tightens_it(home: Path) -> None:
    config_dir = home / ".config" / "app"
    config_dir.mkdir(parents=True)
    os.chmod(config_dir, 0o755)  # noqa: S103
    ors.config.save_config(config_dir / "mcp.json", clean_config())
    assert mode(config_dir) == 0o700


def test_save_into_xdg_config_home_tightens_it(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "app").mkdir(parents=True)
    os.chmod(xdg / "app", 0o755)  # noqa: S103
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    ors.config.save_config(xdg / "app" / "mcp.json", clean_config())
    assert mode(xdg / "app") == 0o700


def test_save_through_a_linked_config_directory_never_changes_its_target(
    home: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "shared"
    outside.mkdir()
    os.chmod(outside, 0o755)  # noqa: S103
    (home / ".config").mkdir()
    (home / ".config" / "app").symlink_to(outside, target_is_directory=True)
    ors.config.save_config(home / ".config" / "app" / "mcp.json", clean_config())
    assert mode(outside) == 0o755
    assert mode(outside / "mcp.json") == 0o600


def test_missing_directories_are_created_private(home: Path) -> None:
    path = ors.config.save_config(home / ".config" / "new" / "mcp.json", clean_config())
    assert mode(path.parent) == 0o700


# -- fix_permissions and the safe chmod -----------------------------------------------------------
def test_fix_permissions_refuses_a_symlink(home: Path, tmp_path: Path) -> None:
    target = put(tmp_path / "elsewhere.json", "{}", 0o644)
    link = home / ".app.json"
    link.symlink_to(target)
    with pytest.raises(ors.UnsafePathError, match="symbolic link"):
        ors.config.fix_permissions(link)
    assert mode(target) == 0o644


def test_fix_permissions_never_touches_a_project_directory(home: Path) -> None:
    project = loose_project(home)
    path = put(project / "settings.json", "{}", 0o644)
    changes = ors.config.fix_permissions(path)
    assert [(c.old_mode, c.new_mode) for c in changes] == [(0o644, 0o600)]
    assert mode(project) == 0o755


def test_safe_chmod_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    with pytest.raises(ors.UnsafePathError, match="not a regular file"):
        remove_mode_bits(fifo, 0o600)
    assert mode(fifo) == 0o644


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_safe_chmod_refuses_another_users_file(tmp_path: Path) -> None:
    path = put(tmp_path / "theirs.json", "{}", 0o644)
    os.chown(path, 65534, 65534)
    with pytest.raises(ors.UnsafePathError, match="not to you"):
        remove_mode_bits(path, 0o600)
    assert mode(path) == 0o644


# -- doctor PATH: only files that hold or can hold secrets ----------------------------------------
@pytest.fixture
def project_machine(home: Path) -> Machine:
    project = loose_project(home)
    put(project / "README.md", "# app\n", 0o644)
    put(project / "pyproject.toml", '[project]\nname = "app"\n', 0o644)
    put(project / "notes" / "todo.txt", "nothing secret\n", 0o644)
    return Machine(home, project, make_canary(), base_env(home))


def test_doctor_dot_flags_no_ordinary_file_and_fix_leaves_the_project_alone(
    project_machine: Machine,
) -> None:
    code, report = project_machine.report("--no-discover", ".")
    assert [f for f in report["findings"] if f["check"] == "permissions"] == []
    assert code == 0
    project_machine.doctor("--no-discover", ".", "--fix", "--yes")
    assert mode(project_machine.project) == 0o755
    assert mode(project_machine.project / "README.md") == 0o644


def test_doctor_on_a_system_file_offers_no_chmod(project_machine: Machine) -> None:
    code, report = project_machine.report("--no-discover", "/etc/passwd")
    assert [f for f in report["findings"] if f["check"] == "permissions"] == []
    assert "chmod" not in json.dumps(report)
    assert code == 0


def test_given_file_holding_a_key_gets_a_file_finding_only(project_machine: Machine) -> None:
    leaked = put(
        project_machine.project / "notes" / "debug.log",
        f"Authorization: Bearer {project_machine.key}\n",
        0o644,
    )
    _, report = project_machine.report("--no-discover", str(leaked))
    rules = {f["rule"] for f in report["findings"] if f["check"] == "permissions"}
    assert rules == {"file-permissions"}
    project_machine.doctor("--no-discover", str(leaked), "--fix", "--yes")
    assert mode(leaked) == 0o600
    assert mode(leaked.parent) == 0o755


def test_doctor_fix_tightens_a_client_config_directory(project_machine: Machine) -> None:
    config = put(project_machine.home / ".cursor" / "mcp.json", json.dumps(clean_config()), 0o644)
    os.chmod(config.parent, 0o755)  # noqa: S103
    project_machine.doctor("--fix", "--yes")
    assert (mode(config), mode(config.parent)) == (0o600, 0o700)


def test_doctor_never_chmods_through_a_linked_config(
    project_machine: Machine, tmp_path: Path
) -> None:
    target = put(tmp_path / "dotfiles" / "mcp.json", json.dumps({"mcpServers": {}}), 0o644)
    link = project_machine.home / ".cursor" / "mcp.json"
    link.parent.mkdir(mode=0o700)
    link.symlink_to(target)
    _, report = project_machine.report()
    (finding,) = [f for f in report["findings"] if f["rule"] == "file-permissions"]
    assert finding["fixable"] is False
    project_machine.doctor("--fix", "--yes")
    assert mode(target) == 0o644


# -- CLI rough edges -------------------------------------------------------------------------------
def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openrouter_secure.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


def test_unknown_doctor_option_prints_the_doctors_usage() -> None:
    done = cli("doctor", "--bogus")
    assert done.returncode == 2
    assert "usage: openrouter-secure doctor" in done.stderr
    assert "openrouter-secure doctor: error: unrecognized arguments: --bogus" in done.stderr


def test_a_device_is_one_clear_finding(project_machine: Machine) -> None:
    done = project_machine.doctor("--no-discover", "/dev/null")
    assert "not a regular file" in done.stdout
    assert "no such file" not in done.stdout
    assert "No MCP config files" not in done.stdout
    assert done.returncode == 1


def test_a_missing_path_is_one_clear_finding(project_machine: Machine) -> None:
    done = project_machine.doctor("--no-discover", "nope.json")
    assert "no such file" in done.stdout
    assert "No MCP config files" not in done.stdout


def test_no_leak_in_permission_findings(project_machine: Machine) -> None:
    key = project_machine.key
    put(project_machine.home / ".cursor" / "mcp.json", json.dumps({"k": key}), 0o644)
    done = project_machine.doctor("--fix", "--yes")
    assert_no_leak(key, done.stdout, done.stderr)


@pytest.mark.parametrize("variable", ["HOME", "XDG_CONFIG_HOME"])
def test_a_home_of_slash_makes_no_system_directory_a_config_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    from openrouter_secure.config._permissions import is_config_dir

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(variable, "/")
    hidden = tmp_path / ".hidden"
    hidden.mkdir()
    # Under "/", every directory would count; a service account's "/" home is no home.
    assert not is_config_dir("/etc")
    assert not is_config_dir("/usr/lib")


def test_user_config_linked_into_a_dotfiles_repo_is_still_checked(
    home: Path, tmp_path: Path
) -> None:
    target = put(tmp_path / "dotfiles" / ".cursor" / "mcp.json", json.dumps(clean_config()), 0o644)
    (home / ".cursor").mkdir(mode=0o700)
    (home / ".cursor" / "mcp.json").symlink_to(target)
    with pytest.warns(ors.config.InsecureConfigWarning, match="mode 0644"):
        ors.config.load_config(home / ".cursor" / "mcp.json")
