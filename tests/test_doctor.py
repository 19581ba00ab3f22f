"""``openrouter-secure doctor`` run as a real subprocess over a temporary HOME."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pty
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure.testing import assert_no_leak, make_canary

FINDING_KEYS = {
    "check",
    "severity",
    "message",
    "file",
    "location",
    "rule",
    "fix",
    "fixable",
    "fixed",
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def put(path: Path, text: str, file_mode: int = 0o600, dir_mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if dir_mode is not None:
        os.chmod(path.parent, dir_mode)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, file_mode)
    return path


def client_config() -> dict[str, Any]:
    """A clean MCP client config: the key reaches the server through openrouter-secure run
    (clients never expand ``${secret:...}`` themselves)."""
    return {
        "mcpServers": {
            "openrouter": {
                "command": "openrouter-secure",
                "args": [
                    "run",
                    "--env",
                    "OPENROUTER_API_KEY=keyring://openrouter-mcp/api_key",
                    "--",
                    "uvx",
                    "openrouter-mcp",
                ],
                "env": {"OPENROUTER_BASE": "https://openrouter.ai/api/v1"},
            },
            "remote": {"url": "https://mcp.example.com/mcp?v=2"},
        }
    }


@dataclass
class Machine:
    home: Path
    project: Path
    key: str
    env: dict[str, str]

    def doctor(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "openrouter_secure.cli", "doctor", *args],
            cwd=self.project,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert_no_leak(self.key, done.stdout, done.stderr)
        return done

    def report(self, *args: str) -> tuple[int, dict[str, Any]]:
        done = self.doctor("--json", *args)
        return done.returncode, json.loads(done.stdout)


def base_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XDG_", "OPENROUTER_", "APPDATA")) and k != "HOME"
    }
    env["HOME"] = str(home)
    env["OPENROUTER_SECURE_FINGERPRINT_KEY"] = "test-fingerprint-key-0123456789"
    env["OPENROUTER_SECURE_CACHE_DIR"] = os.environ["OPENROUTER_SECURE_CACHE_DIR"]
    for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


@pytest.fixture
def clean_machine(tmp_path: Path) -> Machine:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    project = tmp_path / "project"
    project.mkdir()
    put(
        home / ".cursor" / "mcp.json",
        json.dumps(client_config()),
        0o600,
        dir_mode=0o700,
    )
    return Machine(home, project, make_canary(), base_env(home))


@pytest.fixture
def leaky_machine(tmp_path: Path) -> Machine:
    key = make_canary()
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    project = tmp_path / "project"
    project.mkdir()
    claude = home / ".config" / "Claude"
    put(
        claude / "claude_desktop_config.json",
        json.dumps(
            {
                "mcpServers": {
                    "openrouter": {
                        "command": "uvx",
                        "args": ["openrouter-mcp", "--api-key", key],
                        "env": {"OPENROUTER_API_KEY": key},
                    },
                    "files": {"command": "npx", "args": ["-y", "server-filesystem", "/tmp"]},
                }
            },
            indent=2,
        ),
        0o644,
        dir_mode=0o755,
    )
    put(home / ".cursor" / "mcp.json", json.dumps(client_config()), 0o600, dir_mode=0o700)
    put(
        home / ".claude.json",
        json.dumps(
            {
                "projects": {
                    str(project): {
                        "mcpServers": {
                            "remote": {
                                "type": "http",
                                "url": "https://mcp.example.com/mcp",
                                "headers": {"Authorization": f"Bearer {key}"},
                            }
                        }
                    }
                }
            }
        ),
    )
    put(project / ".env", f"# local settings\nDEBUG=1\nexport OPENROUTER_API_KEY='{key}'\n", 0o644)
    put(project / ".env.example", "OPENROUTER_API_KEY=\n", 0o644)
    results = home / ".local" / "share" / "openrouter-secure" / "benchmarks"
    put(
        results / "run1.json",
        json.dumps({"privacy_mode": False, "prompt": "what is my diagnosis?", "results": []}),
        dir_mode=0o700,
    )
    put(
        results / "run2.json",
        json.dumps({"privacy_mode": True, "prompt": "<REDACTED: 21 chars>", "results": []}),
    )
    logs = home / ".local" / "state" / "openrouter-secure"
    put(logs / "server.log", f"INFO start\nDEBUG sending Authorization: Bearer {key}\n")
    os.chmod(logs, 0o700)
    os.chmod(logs.parent, 0o700)
    put(home / ".bash_history", f"ls\nexport OPENROUTER_API_KEY={key}\ncd code\n")
    return Machine(home, project, key, base_env(home))


def summary(report: dict[str, Any], home: Path, project: Path) -> set[tuple[str, ...]]:
    def short(path: str | None) -> str:
        if path is None:
            return "-"
        return path.replace(str(home), "~").replace(str(project), "$PROJECT")

    return {
        (f["check"], f["severity"], short(f["file"]), short(f["location"]), f["rule"] or "-")
        for f in report["findings"]
        if f["severity"] != "info"
    }


def test_a_plaintext_key_in_a_dotenv_file_names_the_secret_set_command(
    leaky_machine: Machine,
) -> None:
    _, report = leaky_machine.report()
    (fix,) = {
        f["fix"]
        for f in report["findings"]
        if f["check"] == "plaintext-secret" and f["file"].endswith(".env")
    }
    assert "openrouter-secure secret set keyring://openrouter-secure/NAME" in fix


def test_leaky_machine_exact_findings(leaky_machine: Machine) -> None:
    code, report = leaky_machine.report()
    assert code == 1
    claude = "~/.config/Claude/claude_desktop_config.json"
    found = summary(report, leaky_machine.home, leaky_machine.project)
    key_rule = next(
        r for c, _, f, loc, r in found if loc == "mcpServers.openrouter.env.OPENROUTER_API_KEY"
    )
    assert key_rule.startswith("secret-value:")
    expected = {
        ("plaintext-secret", "error", claude, "mcpServers.openrouter.args[2]", key_rule),
        (
            "plaintext-secret",
            "error",
            claude,
            "mcpServers.openrouter.env.OPENROUTER_API_KEY",
            key_rule,
        ),
        ("permissions", "warning", claude, "-", "file-permissions"),
        ("permissions", "warning", claude, "-", "dir-permissions"),
        (
            "plaintext-secret",
            "error",
            "~/.claude.json",
            'projects["$PROJECT"].mcpServers.remote.headers.Authorization',
            key_rule,
        ),
        ("plaintext-secret", "error", "$PROJECT/.env", "line 3 (OPENROUTER_API_KEY)", key_rule),
        ("permissions", "warning", "$PROJECT/.env", "-", "file-permissions"),
        (
            "unredacted-results",
            "error",
            "~/.local/share/openrouter-secure/benchmarks/run1.json",
            "(top level)",
            "privacy-mode-off",
        ),
        (
            "secret-in-file",
            "error",
            "~/.local/state/openrouter-secure/server.log",
            "line 2",
            next(r for c, _, f, loc, r in found if c == "secret-in-file"),
        ),
        (
            "secret-in-history",
            "error",
            "~/.bash_history",
            "line 2",
            next(r for c, _, f, loc, r in found if c == "secret-in-history"),
        ),
    }
    assert found == expected
    assert report["ok"] is False
    assert report["summary"] == {"files": 9, "errors": 7, "warnings": 3, "fixed": 0}


def test_json_schema_is_stable(leaky_machine: Machine) -> None:
    _, report = leaky_machine.report()
    assert set(report) == {
        "schema",
        "ok",
        "summary",
        "files",
        "findings",
        "fix_errors",
        "rotation",
    }
    assert report["schema"] == "openrouter-secure/doctor/v1"
    assert set(report["summary"]) == {"files", "errors", "warnings", "fixed"}
    assert report["summary"]["errors"] == sum(
        1 for f in report["findings"] if f["severity"] == "error"
    )
    for entry in report["files"]:
        assert set(entry) == {"path", "kind", "client", "status"}
        assert entry["kind"] in {"config", "dotenv", "data", "history"}
        assert entry["status"] in {"ok", "problems", "unreadable"}
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        assert finding["severity"] in {"error", "warning", "info"}
        assert isinstance(finding["fixable"], bool)
    clients = {e["client"] for e in report["files"] if e["kind"] == "config"}
    assert {"Claude Desktop", "Claude Code", "Cursor"} <= clients


def test_clean_machine_passes(clean_machine: Machine) -> None:
    done = clean_machine.doctor()
    assert done.returncode == 0, done.stdout
    assert "All good" in done.stdout
    assert "~/.cursor/mcp.json  (Cursor): ok" in done.stdout


def test_table_output_is_friendly_and_secret_free(leaky_machine: Machine) -> None:
    done = leaky_machine.doctor()
    assert done.returncode == 1
    out = done.stdout
    assert "~/.config/Claude/claude_desktop_config.json  (Claude Desktop): problems" in out
    assert (
        "ERROR  mcpServers.openrouter.env.OPENROUTER_API_KEY: a key or token in plain text" in out
    )
    assert "openrouter-secure doctor --fix" in out
    assert "~/.cursor/mcp.json  (Cursor): ok" in out


def test_empty_home_says_what_to_do(tmp_path: Path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (tmp_path / "p").mkdir()
    machine = Machine(home, tmp_path / "p", make_canary(), base_env(home))
    done = machine.doctor()
    assert done.returncode == 0
    assert "No MCP config files" in done.stdout


def test_given_paths_are_checked(clean_machine: Machine, tmp_path: Path) -> None:
    key = clean_machine.key
    extra = put(
        tmp_path / "elsewhere" / "mcp.json",
        json.dumps({"mcpServers": {"s": {"command": "x", "env": {"TOKEN": key}}}}),
    )
    code, report = clean_machine.report("--no-discover", str(extra))
    assert code == 1
    assert [f["location"] for f in report["findings"] if f["severity"] == "error"] == [
        "mcpServers.s.env.TOKEN"
    ]
    assert [e["path"] for e in report["files"]] == [str(extra)]
    code, report = clean_machine.report("--no-discover", str(tmp_path / "missing.json"))
    assert code == 1
    assert report["findings"][0]["check"] == "missing-path"


@pytest.mark.parametrize(
    ("value", "severity"), [("canary", "info"), ("sk-or-v1-tooshort", "warning"), ("", "info")]
)
def test_api_key_format_check(clean_machine: Machine, value: str, severity: str) -> None:
    key = make_canary() if value == "canary" else value
    clean_machine.env["OPENROUTER_API_KEY"] = key
    done = clean_machine.doctor("--json")
    if key:
        assert_no_leak(key, done.stdout, done.stderr)
    report = json.loads(done.stdout)
    (finding,) = [f for f in report["findings"] if f["check"] == "api-key"]
    assert finding["severity"] == severity
    assert done.returncode == (0 if severity == "info" else 1)


def test_online_check_against_loopback_server(clean_machine: Machine) -> None:
    testserver = pytest.importorskip("openrouter_secure.testing._openrouter_server")
    with testserver.OpenRouterTestServer() as server:
        good = server.add_key().key
        clean_machine.env["OPENROUTER_API_KEY"] = good
        done = clean_machine.doctor("--json", "--online", "--base-url", server.base_url)
        assert_no_leak(good, done.stdout, done.stderr)
        online = [f for f in json.loads(done.stdout)["findings"] if f["check"] == "api-key-online"]
        assert [(f["severity"], f["message"][:29]) for f in online] == [
            ("info", "OpenRouter accepts OPENROUTER")
        ]
        assert done.returncode == 0
        unknown = make_canary()
        clean_machine.env["OPENROUTER_API_KEY"] = unknown
        done = clean_machine.doctor("--json", "--online", "--base-url", server.base_url)
        assert_no_leak(unknown, done.stdout, done.stderr)
        online = [f for f in json.loads(done.stdout)["findings"] if f["check"] == "api-key-online"]
        assert [f["severity"] for f in online] == ["error"]
        assert done.returncode == 1


def test_online_check_with_a_refused_base_url_is_a_warning(clean_machine: Machine) -> None:
    clean_machine.env["OPENROUTER_API_KEY"] = clean_machine.key
    done = clean_machine.doctor("--json", "--online", "--base-url", "http://192.0.2.1/api/v1")
    online = [f for f in json.loads(done.stdout)["findings"] if f["check"] == "api-key-online"]
    assert [f["severity"] for f in online] == ["warning"]
    assert done.returncode == 1


# -- git ------------------------------------------------------------------------------------------
@pytest.fixture
def git_project(leaky_machine: Machine) -> Machine:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(leaky_machine.project)], check=True)
    return leaky_machine


def test_dotenv_not_ignored_in_git(git_project: Machine) -> None:
    _, report = git_project.report()
    rows = [
        (f["check"], f["severity"], Path(f["file"]).name)
        for f in report["findings"]
        if f["check"].startswith("dotenv")
    ]
    assert rows == [("dotenv-gitignore", "error", ".env")]  # .env.example is meant to be shared
    put(git_project.project / ".gitignore", ".env\n", 0o644)
    _, report = git_project.report()
    assert not [f for f in report["findings"] if f["check"].startswith("dotenv")]


def test_dotenv_tracked_by_git(git_project: Machine) -> None:
    put(git_project.project / ".gitignore", ".env\n", 0o644)
    subprocess.run(
        ["git", "-C", str(git_project.project), "add", "-f", ".env"],
        check=True,
        capture_output=True,
    )
    _, report = git_project.report()
    rows = [
        (f["check"], f["severity"]) for f in report["findings"] if f["check"].startswith("dotenv")
    ]
    assert rows == [("dotenv-tracked", "error")]


# -- fixing ---------------------------------------------------------------------------------------
def test_fix_without_confirmation_changes_nothing(leaky_machine: Machine) -> None:
    config = leaky_machine.home / ".config" / "Claude" / "claude_desktop_config.json"
    before = config.read_bytes()
    done = leaky_machine.doctor("--fix", stdin="")
    assert "pass --yes" in done.stderr
    assert config.read_bytes() == before
    assert mode(config) == 0o644
    assert done.returncode == 1


def test_fix_never_takes_an_answer_from_a_pipe(leaky_machine: Machine) -> None:
    # stdin is a pipe, not a terminal: the doctor refuses to guess an answer.
    config = leaky_machine.home / ".config" / "Claude" / "claude_desktop_config.json"
    done = leaky_machine.doctor("--fix", stdin="y\n")
    assert mode(config) == 0o644
    assert "nothing changed" in done.stderr


def answer_on_a_terminal(machine: Machine, answer: str) -> subprocess.CompletedProcess[str]:
    """Run ``doctor --fix`` with a pseudo-terminal as stdin and type ``answer``."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "openrouter_secure.cli", "doctor", "--fix"],
            cwd=machine.project,
            env=machine.env,
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.write(master, answer.encode())
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(slave)
        os.close(master)
    assert_no_leak(machine.key, out, err)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize(("answer", "changed"), [("n\n", False), ("\n", False), ("y\n", True)])
def test_fix_asks_on_a_terminal(clean_machine: Machine, answer: str, changed: bool) -> None:
    config = clean_machine.home / ".cursor" / "mcp.json"
    os.chmod(config, 0o644)
    done = answer_on_a_terminal(clean_machine, answer)
    assert "Apply this fix? [y/N]" in done.stderr
    assert "chmod 600 " in done.stderr
    assert (mode(config) == 0o600) is changed
    assert done.returncode == (0 if changed else 1)


@pytest.mark.service("gnome-keyring")
def test_fix_moves_keys_to_the_keychain_and_tightens_modes(
    leaky_machine: Machine, keychain: Any
) -> None:
    leaky_machine.env.update(
        {k: os.environ[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")}
    )
    names = ["openrouter.OPENROUTER_API_KEY", "openrouter.api-key", "remote.Authorization"]
    try:
        check_fix(leaky_machine, keychain)
    finally:
        for name in names:
            with contextlib.suppress(Exception):
                keychain.delete_password("openrouter-secure", name)


def check_fix(leaky_machine: Machine, keychain: Any) -> None:
    config = leaky_machine.home / ".config" / "Claude" / "claude_desktop_config.json"
    before = json.loads(config.read_text())
    code, report = leaky_machine.report("--fix", "--yes")
    assert report["fix_errors"] == []
    assert mode(config) == 0o600
    assert mode(config.parent) == 0o700
    assert mode(leaky_machine.project / ".env") == 0o600
    # A key on the server's command line cannot be moved without breaking the server
    # (a launcher would have to put it back on a command line, readable with ps): the
    # entry stays as it was, whole, and the finding says what to do.
    assert json.loads(config.read_text()) == before
    args_finding = next(
        f for f in report["findings"] if f["location"] == "mcpServers.openrouter.args[2]"
    )
    assert not args_finding["fixed"]
    assert "command line" in args_finding["fix"]
    # A remote server's header is sent by the client itself: left alone, with advice.
    claude_code = json.loads((leaky_machine.home / ".claude.json").read_text())
    header = claude_code["projects"][str(leaky_machine.project)]["mcpServers"]["remote"]["headers"]
    assert header["Authorization"] == f"Bearer {leaky_machine.key}"
    remote = next(f for f in report["findings"] if "remote.headers" in (f["location"] or ""))
    assert "client sends" in remote["fix"]
    assert code == 1
    assert_no_leak(leaky_machine.key, json.dumps(report))


def fixed_rule(report: dict[str, Any]) -> str:
    return next(
        f["rule"]
        for f in report["findings"]
        if f["location"] == "mcpServers.openrouter.env.OPENROUTER_API_KEY"
    )


@pytest.mark.service("gnome-keyring")
def test_fix_never_overwrites_another_keychain_entry(tmp_path: Path, keychain: Any) -> None:
    from openrouter_secure.cli.doctor._fix import apply_fixes
    from openrouter_secure.cli.doctor._run import run_doctor

    key, other = make_canary(), make_canary()
    name = "svc.API_TOKEN"
    keychain.set_password("openrouter-secure", name, other)
    config = put(
        tmp_path / "mcp.json",
        json.dumps({"mcpServers": {"svc": {"command": "x", "env": {"API_TOKEN": key}}}}),
    )
    try:
        report = run_doctor([config], discover=False, environ={"HOME": str(tmp_path)})
        assert apply_fixes(report) == []
        doc = json.loads(config.read_text())
        assert doc["mcpServers"]["svc"] == {
            "command": "openrouter-secure",
            "args": [
                "run",
                "--env",
                "API_TOKEN=keyring://openrouter-secure/svc.API_TOKEN-2",
                "--",
                "x",
            ],
        }
        assert keychain.get_password("openrouter-secure", name) == other
        assert keychain.get_password("openrouter-secure", f"{name}-2") == key
    finally:
        for entry in (name, f"{name}-2"):
            with contextlib.suppress(Exception):
                keychain.delete_password("openrouter-secure", entry)


def test_json_with_comments_is_reported_but_not_rewritten(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._run import run_doctor

    key = make_canary()
    config = put(
        tmp_path / "mcp.json",
        '// mine\n{"mcpServers": {"s": {"command": "x", "env": {"TOKEN": "' + key + '"}}}}\n',
    )
    report = run_doctor([config], discover=False, environ={"HOME": str(tmp_path)})
    (finding,) = [f for f in report.findings if f.check == "plaintext-secret"]
    assert finding.location == "mcpServers.s.env.TOKEN"
    assert finding.fixable is False
    assert "by hand" in (finding.fix or "")
    assert_no_leak(key, repr(report), json.dumps(report.as_json()))


def test_saved_results_in_clear_are_found(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._run import run_doctor

    results = tmp_path / "results"
    put(
        results / "runs.jsonl",
        json.dumps({"privacy_mode": True, "prompt": "<REDACTED: 5 chars>"})
        + "\n"
        + json.dumps({"privacy_mode": False, "prompt": "my salary is ..."})
        + "\n",
        dir_mode=0o700,
    )
    put(
        results / "claims-private.json",
        json.dumps({"privacy_mode": True, "runs": [{"model": "m", "response": "hi"}]}),
    )
    report = run_doctor([results], discover=False, environ={"HOME": str(tmp_path)})
    rows = sorted((Path(f.file).name, f.location, f.rule) for f in report.findings if f.file)
    assert rows == [
        ("claims-private.json", "runs[0].response", "unredacted-field"),
        ("runs.jsonl", "line 2: (top level)", "privacy-mode-off"),
    ]


# -- key rotation (key_age / rotation_due reporting) ----------------------------------------------

STORE = "keyring://openrouter-secure/OPENROUTER_API_KEY"


def key_hash() -> str:
    """A random 64-hex key hash, as the management API shows (not a key)."""
    return hashlib.sha256(make_canary().encode()).hexdigest()


def ago(days: float) -> str:
    moment = datetime.now(timezone.utc) - timedelta(days=days)
    return moment.isoformat(timespec="seconds")


def seed_state(machine: Machine, stores: dict[str, Any], path: Path | None = None) -> Path:
    """Write a rotation state file where the rotation code keeps it (0600 in a 0700 dir)."""
    target = path or machine.home / ".local" / "state" / "openrouter-secure" / "rotation.json"
    put(target, json.dumps({"version": 1, "stores": stores}), dir_mode=0o700)
    os.chmod(target.parent.parent, 0o700)
    return target


def rotated(days: float, pending: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"hash": key_hash(), "rotated_at": ago(days), "pending": pending}


def pending(
    *,
    started: float,
    disable_in: float,
    delete_in: float,
    stored: bool = True,
    disabled: bool = False,
) -> dict[str, Any]:
    """A pending rotation started ``started`` days ago; deadlines in days from now."""
    return {
        "old_hash": key_hash(),
        "new_hash": key_hash(),
        "name": "openrouter-secure-rotated",
        "rotated_at": ago(started),
        "disable_at": ago(-disable_in),
        "delete_at": ago(-delete_in),
        "disabled": disabled,
        "deleted": False,
        "stored": stored,
    }


def rotation_rows(report: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return sorted(
        (f["severity"], f["rule"], f["location"])
        for f in report["findings"]
        if f["check"] == "key-rotation"
    )


def test_key_past_max_age_is_due(clean_machine: Machine) -> None:
    entry = rotated(120)
    state = seed_state(clean_machine, {STORE: entry})
    code, report = clean_machine.report()
    assert code == 1
    assert rotation_rows(report) == [("warning", "rotation-due", STORE)]
    (finding,) = [f for f in report["findings"] if f["check"] == "key-rotation"]
    assert finding["file"] == str(state)
    assert finding["fix"] == f"openrouter-secure rotate --store {STORE}"
    assert "120 days old, over the 90-day limit" in finding["message"]
    assert report["rotation"] == [
        {
            "store": STORE,
            "key_hash": entry["hash"][:12],
            "age_days": 120.0,
            "max_age_days": 90.0,
            "due": True,
            "source": "state",
            "pending": "none",
        }
    ]


def test_young_key_is_info_and_exit_zero(clean_machine: Machine) -> None:
    seed_state(clean_machine, {STORE: rotated(10)})
    code, report = clean_machine.report()
    assert code == 0
    assert rotation_rows(report) == [("info", "key-age", STORE)]
    assert report["rotation"][0]["due"] is False
    assert "rotation due in 80 days" in report["findings"][-1]["message"]


def test_max_key_age_option_sets_the_limit(clean_machine: Machine) -> None:
    seed_state(clean_machine, {STORE: rotated(10)})
    code, report = clean_machine.report("--max-key-age", "7")
    assert code == 1
    assert rotation_rows(report) == [("warning", "rotation-due", STORE)]
    assert report["rotation"][0]["max_age_days"] == 7.0


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf", "ninety"])
def test_max_key_age_must_be_positive_days(clean_machine: Machine, value: str) -> None:
    done = clean_machine.doctor("--max-key-age", value)
    assert done.returncode == 2
    assert "--max-key-age" in done.stderr


@pytest.mark.parametrize(
    ("record", "severity", "rule", "state"),
    [
        # Within the grace period: the old key is meant to still work.
        (pending(started=1, disable_in=6, delete_in=29), "info", "rotation-pending", "grace"),
        # Grace period ended hours ago: the cron job may not have run yet.
        (
            pending(started=7, disable_in=-0.25, delete_in=23),
            "warning",
            "rotation-finish-due",
            "finish-due",
        ),
        # The old key is still enabled weeks after it should have been disabled.
        (
            pending(started=30, disable_in=-23, delete_in=-1),
            "error",
            "rotation-unfinished",
            "unfinished",
        ),
        # The process died between recording the intent and writing the store.
        (
            pending(started=0.5, disable_in=6, delete_in=29, stored=False),
            "error",
            "rotation-interrupted",
            "interrupted",
        ),
        # Disabled on time, but never deleted.
        (
            pending(started=40, disable_in=-33, delete_in=-10, disabled=True),
            "warning",
            "rotation-delete-due",
            "delete-overdue",
        ),
        (
            pending(started=10, disable_in=-3, delete_in=20, disabled=True),
            "info",
            "rotation-pending",
            "disabled",
        ),
    ],
)
def test_pending_rotation_is_reported(
    clean_machine: Machine, record: dict[str, Any], severity: str, rule: str, state: str
) -> None:
    seed_state(clean_machine, {STORE: rotated(1, record)})
    code, report = clean_machine.report()
    assert rotation_rows(report) == sorted([("info", "key-age", STORE), (severity, rule, STORE)])
    assert code == (0 if severity == "info" else 1)
    assert report["rotation"][0]["pending"] == state
    (finding,) = [f for f in report["findings"] if f["rule"] == rule]
    if severity == "info":
        assert finding["fix"] is None
    else:
        assert finding["fix"] == f"openrouter-secure rotate --store {STORE} --finish"


def test_unfinished_rotation_table_names_short_hashes_only(clean_machine: Machine) -> None:
    record = pending(started=30, disable_in=-23, delete_in=-1)
    entry = rotated(30, record)
    seed_state(clean_machine, {STORE: entry, "aws://prod/openrouter#api_key": rotated(120)})
    done = clean_machine.doctor()
    assert done.returncode == 1
    out = done.stdout
    assert (
        f"ERROR  {STORE}: the old key {record['old_hash'][:12]} is still enabled 23 days "
        "after its grace period [rotation-unfinished]"
    ) in out
    assert f"fix: openrouter-secure rotate --store {STORE} --finish" in out
    assert "WARN   aws://prod/openrouter#api_key: key " in out
    for full in (record["old_hash"], record["new_hash"], entry["hash"]):
        assert full not in out
    assert "Found 1 error(s) and 1 warning(s)." in out


def test_rotation_state_env_var_is_honoured(clean_machine: Machine, tmp_path: Path) -> None:
    elsewhere = seed_state(clean_machine, {STORE: rotated(200)}, tmp_path / "st" / "r.json")
    clean_machine.env["OPENROUTER_SECURE_ROTATION_STATE"] = str(elsewhere)
    code, report = clean_machine.report()
    assert code == 1
    assert [f["file"] for f in report["findings"] if f["check"] == "key-rotation"] == [
        str(elsewhere)
    ]


def test_no_state_file_no_rotation_findings(clean_machine: Machine) -> None:
    code, report = clean_machine.report()
    assert code == 0
    assert rotation_rows(report) == []
    assert report["rotation"] == []


def test_unreadable_state_file_is_a_warning(clean_machine: Machine) -> None:
    path = seed_state(clean_machine, {})
    path.write_text("{not json", encoding="utf-8")
    code, report = clean_machine.report()
    assert code == 1
    assert rotation_rows(report) == [("warning", "state-unreadable", None)]


@pytest.mark.parametrize(
    ("created", "severity", "code"), [("2020-01-01T00:00:00Z", "warning", 1), (None, "info", 0)]
)
def test_online_asks_the_management_api_for_the_api_keys_age(
    clean_machine: Machine, created: str | None, severity: str, code: int
) -> None:
    from openrouter_secure.testing import OpenRouterTestServer

    with OpenRouterTestServer() as server:
        key = server.add_key(name="prod app")
        if created:
            key.created_at = created
        mgmt = server.add_key(make_canary("openrouter-management"), management=True)
        clean_machine.env["OPENROUTER_API_KEY"] = key.key
        clean_machine.env["OPENROUTER_MANAGEMENT_KEY"] = mgmt.key
        done = clean_machine.doctor("--json", "--online", "--base-url", server.base_url)
    assert_no_leak(key.key, done.stdout, done.stderr)
    assert_no_leak(mgmt.key, done.stdout, done.stderr)
    report = json.loads(done.stdout)
    rule = "rotation-due" if severity == "warning" else "key-age"
    assert rotation_rows(report) == [(severity, rule, "env://OPENROUTER_API_KEY")]
    assert [(r["source"], r["due"]) for r in report["rotation"]] == [("api", bool(created))]
    assert done.returncode == code


def test_management_key_is_not_used_without_online(clean_machine: Machine) -> None:
    clean_machine.env["OPENROUTER_API_KEY"] = clean_machine.key
    clean_machine.env["OPENROUTER_MANAGEMENT_KEY"] = make_canary("openrouter-management")
    code, report = clean_machine.report()
    assert code == 0
    assert rotation_rows(report) == []
    assert report["rotation"] == []


def test_malformed_rotation_record_is_a_warning(clean_machine: Machine) -> None:
    record = pending(started=3, disable_in=4, delete_in=27)
    record["disable_at"] = "next tuesday"
    seed_state(clean_machine, {STORE: rotated(3, record)})
    code, report = clean_machine.report()
    assert code == 1
    assert rotation_rows(report) == [("warning", "state-unreadable", STORE)]


def test_state_file_entry_shows_problems(clean_machine: Machine) -> None:
    state = seed_state(clean_machine, {STORE: rotated(100)})
    _, report = clean_machine.report()
    assert [e["status"] for e in report["files"] if e["path"] == str(state)] == ["problems"]


def test_fix_hint_quotes_an_odd_store_reference(clean_machine: Machine) -> None:
    odd = "keyring://svc/key;$(id)"
    seed_state(clean_machine, {odd: rotated(100)})
    _, report = clean_machine.report()
    (finding,) = [f for f in report["findings"] if f["rule"] == "rotation-due"]
    assert finding["fix"] == "openrouter-secure rotate --store 'keyring://svc/key;$(id)'"


def test_invalid_store_reference_is_a_warning(clean_machine: Machine) -> None:
    seed_state(clean_machine, {"keyring://has space/key": rotated(1)})
    code, report = clean_machine.report()
    assert code == 1
    assert rotation_rows(report) == [("warning", "state-unreadable", "keyring://has space/key")]


# -- ${secret:...} where an MCP client would pass it as text ---------------------------------------
def test_references_are_only_a_finding_in_mcp_client_configs(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._run import run_doctor

    ref = "${secret:keyring://openrouter-secure/svc.TOKEN}"
    doc = {
        "mcpServers": {
            "svc": {"command": "x", "args": ["--token", ref], "env": {"TOKEN": ref}},
            "remote": {"url": "https://mcp.example.com", "headers": {"Authorization": ref}},
        }
    }
    # Read by an application on openrouter-secure (load_config expands references).
    app = put(tmp_path / "agent" / "servers.json", json.dumps(doc))
    # Read by Claude Code, which passes the text on.
    project = put(tmp_path / "project" / ".mcp.json", json.dumps(doc))
    report = run_doctor([app, project], discover=False, environ={"HOME": str(tmp_path)})
    rows = {
        (Path(f.file or "").name, f.location, f.fixable)
        for f in report.findings
        if f.check == "unexpanded-reference"
    }
    assert rows == {
        (".mcp.json", "mcpServers.svc.args[1]", False),
        # fixable alone, but the entry is fixed whole and args[1] needs a hand
        (".mcp.json", "mcpServers.svc.env.TOKEN", False),
        (".mcp.json", "mcpServers.remote.headers.Authorization", False),
    }


def test_toml_client_config_gets_run_advice_not_a_reference(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._run import run_doctor

    key = make_canary()
    codex = put(
        tmp_path / ".codex" / "config.toml",
        f'[mcp_servers.vendor]\ncommand = "npx"\nenv = {{ VENDOR_API_KEY = "{key}" }}\n',
        dir_mode=0o700,
    )
    report = run_doctor([], environ={"HOME": str(tmp_path)}, cwd=tmp_path)
    (finding,) = [f for f in report.findings if f.check == "plaintext-secret"]
    assert finding.file == str(codex)
    assert finding.fixable is False
    assert "openrouter-secure run" in (finding.fix or "")
    assert "${secret:" not in (finding.fix or "")
    assert_no_leak(key, json.dumps(report.as_json()))


def test_empty_lock_files_are_not_listed(clean_machine: Machine) -> None:
    state = seed_state(clean_machine, {})
    lock = put(state.with_name("rotation.json.lock"), "")
    _, report = clean_machine.report()
    assert str(lock) not in {f["path"] for f in report["files"]}
    assert str(state) in {f["path"] for f in report["files"]}
