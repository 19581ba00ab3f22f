"""``doctor --fix`` on MCP client configs: servers keep working, a backup and ``--undo``.

Real files in a temporary HOME, the real ``openrouter-secure doctor`` in a subprocess,
and a real Secret Service (gnome-keyring on a private D-Bus session) as the keychain.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure.testing import assert_no_leak, make_canary
from tests.test_doctor import Machine, base_env, mode, put

pytestmark = pytest.mark.service("gnome-keyring")

SERVICE = "openrouter-secure"


@pytest.fixture
def desktop(tmp_path: Path, keychain: Any) -> Iterator[Machine]:
    """A HOME with a Claude Desktop config holding keys, and a keychain to move them to."""
    key = make_canary()
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    project = tmp_path / "project"
    project.mkdir()
    env = base_env(home)
    env.update({k: os.environ[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")})
    machine = Machine(home, project, key, env)
    yield machine
    with collection() as items:
        for item in items.search_items({"service": SERVICE}):
            item.delete()


@contextlib.contextmanager
def collection() -> Iterator[Any]:
    """The keychain's default collection over a D-Bus connection closed afterwards
    (keyring's own calls leave theirs to the garbage collector, which then warns in
    whichever test runs next)."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        yield secretstorage.get_default_collection(connection)
    finally:
        connection.close()


def claude(machine: Machine) -> Path:
    return machine.home / ".config" / "Claude" / "claude_desktop_config.json"


def write_claude(machine: Machine, servers: dict[str, Any], file_mode: int = 0o600) -> Path:
    return put(
        claude(machine),
        json.dumps({"mcpServers": servers}, indent=2),
        file_mode,
        dir_mode=0o700,
    )


def third_party(key: str) -> dict[str, Any]:
    return {
        "command": "npx",
        "args": ["-y", "@vendor/mcp-server", "--verbose"],
        "env": {"VENDOR_API_KEY": key, "LOG_LEVEL": "debug"},
        "disabled": False,
    }


def stored(keychain: Any, name: str) -> str | None:
    """What the keychain holds for ``name`` (``keychain`` only makes sure it runs)."""
    with collection() as items:
        for item in items.search_items({"service": SERVICE, "username": name}):
            value: str = item.get_secret().decode("utf-8")
            return value
    return None


def test_third_party_entry_is_launched_through_run(desktop: Machine, keychain: Any) -> None:
    config = write_claude(desktop, {"vendor": third_party(desktop.key)})
    code, report = desktop.report("--fix", "--yes")
    assert report["fix_errors"] == []
    entry = json.loads(config.read_text())["mcpServers"]["vendor"]
    assert entry == {
        "command": "openrouter-secure",
        "args": [
            "run",
            "--env",
            "VENDOR_API_KEY=keyring://openrouter-secure/vendor.VENDOR_API_KEY",
            "--",
            "npx",
            "-y",
            "@vendor/mcp-server",
            "--verbose",
        ],
        "disabled": False,
        "env": {"LOG_LEVEL": "debug"},
    }
    assert stored(keychain, "vendor.VENDOR_API_KEY") == desktop.key
    assert_no_leak(desktop.key, config.read_text(), json.dumps(report))
    assert code == 0


def test_with_a_policy_the_entry_goes_through_the_gateway(
    desktop: Machine, keychain: Any, tmp_path: Path
) -> None:
    policy = put(tmp_path / "policy.json", json.dumps({"vendor": {"allowedTools": ["read"]}}))
    config = write_claude(desktop, {"vendor": third_party(desktop.key)})
    _, report = desktop.report("--fix", "--yes", "--policy", str(policy))
    assert report["fix_errors"] == []
    entry = json.loads(config.read_text())["mcpServers"]["vendor"]
    assert entry["command"] == "openrouter-secure"
    assert entry["args"] == [
        "gateway",
        "--policy",
        str(policy.resolve()),
        "--server-name",
        "vendor",
        "--env",
        "VENDOR_API_KEY=keyring://openrouter-secure/vendor.VENDOR_API_KEY",
        "--",
        "npx",
        "-y",
        "@vendor/mcp-server",
        "--verbose",
    ]


def test_policy_needs_fix_and_an_existing_file(desktop: Machine, tmp_path: Path) -> None:
    assert desktop.doctor("--policy", str(tmp_path / "nope.json"), "--fix").returncode == 2
    policy = put(tmp_path / "policy.json", "{}")
    done = desktop.doctor("--policy", str(policy))
    assert done.returncode == 2
    assert "only applies with --fix" in done.stderr


def test_entries_that_expand_references_keep_them(desktop: Machine, keychain: Any) -> None:
    ours, launched = make_canary(), make_canary()
    config = write_claude(
        desktop,
        {
            "ours": {
                "command": "/opt/bin/openrouter-secure",
                "args": ["serve"],
                "env": {"OPENROUTER_API_KEY": ours},
            },
            "launched": {
                "command": "openrouter-secure",
                "args": ["run", "--", "node", "server.js"],
                "env": {"API_TOKEN": launched},
            },
        },
    )
    _, report = desktop.report("--fix", "--yes")
    assert report["fix_errors"] == []
    servers = json.loads(config.read_text())["mcpServers"]
    assert servers["ours"] == {
        "command": "/opt/bin/openrouter-secure",
        "args": ["serve"],
        "env": {
            "OPENROUTER_API_KEY": "${secret:keyring://openrouter-secure/ours.OPENROUTER_API_KEY}"
        },
    }
    assert servers["launched"]["args"] == ["run", "--", "node", "server.js"]
    assert servers["launched"]["env"] == {
        "API_TOKEN": "${secret:keyring://openrouter-secure/launched.API_TOKEN}"
    }
    assert stored(keychain, "ours.OPENROUTER_API_KEY") == ours
    assert stored(keychain, "launched.API_TOKEN") == launched


def test_key_in_args_is_refused_with_advice_and_nothing_moves(
    desktop: Machine, keychain: Any
) -> None:
    entry = third_party(desktop.key)
    entry["args"] = [*entry["args"], "--api-key", make_canary()]
    config = write_claude(desktop, {"vendor": entry})
    before = config.read_bytes()
    code, report = desktop.report("--fix", "--yes")
    assert config.read_bytes() == before
    assert stored(keychain, "vendor.VENDOR_API_KEY") is None
    for finding in report["findings"]:
        if finding["check"] == "plaintext-secret":
            assert (finding["fixable"], finding["fixed"]) == (False, False)
            assert "environment variable" in finding["fix"]
    assert code == 1


def test_backup_then_undo_restores_the_file(desktop: Machine, keychain: Any) -> None:
    config = write_claude(desktop, {"vendor": third_party(desktop.key)}, 0o600)
    original = config.read_bytes()
    desktop.report("--fix", "--yes")
    (backup,) = config.parent.glob("claude_desktop_config.json.openrouter-secure-*.bak")
    assert backup.read_bytes() == original
    assert mode(backup) == 0o600
    _, after = desktop.report()
    (left,) = [f for f in after["findings"] if f["check"] == "fix-backup"]
    assert left["severity"] == "warning"
    assert "--undo" in left["fix"]
    done = desktop.doctor("--undo", str(config))
    assert done.returncode == 0, done.stderr
    assert config.read_bytes() == original
    assert not backup.exists()
    assert mode(config) == 0o600


def test_backup_of_a_stricter_file_keeps_its_mode(desktop: Machine, keychain: Any) -> None:
    config = write_claude(desktop, {"vendor": third_party(desktop.key)}, 0o400)
    desktop.report("--fix", "--yes")
    (backup,) = config.parent.glob("*.bak")
    assert mode(backup) == 0o400


def test_a_second_fix_never_overwrites_the_first_backup(desktop: Machine, keychain: Any) -> None:
    config = write_claude(desktop, {"vendor": third_party(desktop.key)})
    first = config.read_bytes()
    desktop.report("--fix", "--yes")
    # The user pastes another key into the rewritten file; the doctor fixes it again.
    doc = json.loads(config.read_text())
    doc["mcpServers"]["other"] = third_party(make_canary())
    config.write_text(json.dumps(doc))
    second = config.read_bytes()
    desktop.report("--fix", "--yes")
    backups = sorted(config.parent.glob("*.bak"))
    assert sorted(b.read_bytes() for b in backups) == sorted([first, second])
    # --undo puts back the newest backup (the file before the second fix) first.
    assert desktop.doctor("--undo", str(config)).returncode == 0
    assert config.read_bytes() == second


def test_undo_refuses_when_the_file_changed_since(desktop: Machine, keychain: Any) -> None:
    config = write_claude(desktop, {"vendor": third_party(desktop.key)})
    desktop.report("--fix", "--yes")
    doc = json.loads(config.read_text())
    doc["mcpServers"]["added-later"] = {"command": "uvx", "args": ["tool"]}
    config.write_text(json.dumps(doc))
    changed = config.read_bytes()
    done = desktop.doctor("--undo", str(config))
    assert done.returncode == 1
    assert "changed after doctor --fix" in done.stderr
    assert config.read_bytes() == changed
    assert len(list(config.parent.glob("*.bak"))) == 1


def test_undo_without_a_backup_says_so(desktop: Machine) -> None:
    config = write_claude(desktop, {})
    done = desktop.doctor("--undo", str(config))
    assert done.returncode == 1
    assert "no backup" in done.stderr


def test_plan_names_exactly_what_it_writes(desktop: Machine, keychain: Any) -> None:
    """Three files, the same server name, three different keys: the dry run lists
    ``NAME``, ``NAME-2``, ``NAME-3``, and those are the names written."""
    keys = [make_canary() for _ in range(3)]
    paths = [
        claude(desktop),
        desktop.home / ".cursor" / "mcp.json",
        desktop.home / ".codeium" / "windsurf" / "mcp_config.json",
    ]
    for path, key in zip(paths, keys, strict=True):
        put(path, json.dumps({"mcpServers": {"vendor": third_party(key)}}), dir_mode=0o700)
    dry = desktop.doctor("--fix")  # stdin is not a terminal: shows the plan, changes nothing
    assert "nothing changed" in dry.stderr
    names = ["vendor.VENDOR_API_KEY", "vendor.VENDOR_API_KEY-2", "vendor.VENDOR_API_KEY-3"]
    for name in names:
        assert f"keyring://openrouter-secure/{name} (new)" in dry.stderr
    assert all(stored(keychain, n) is None for n in names)
    assert_no_leak(keys, dry.stdout, dry.stderr)
    _, report = desktop.report("--fix", "--yes")
    planned = [
        (entry["path"], item["ref"])
        for entry in report["plan"]["files"]
        for item in entry["keychain"]
    ]
    for path, ref in planned:
        written = json.loads(Path(path).read_text())["mcpServers"]["vendor"]["args"][2]
        assert written == f"VENDOR_API_KEY={ref}"
        name = ref.rsplit("/", 1)[1]
        assert stored(keychain, name) == keys[paths.index(Path(path))]
    assert sorted(ref.rsplit("/", 1)[1] for _, ref in planned) == names
    assert_no_leak(keys, json.dumps(report), *(p.read_text() for p in paths))


def test_one_key_in_several_files_gets_one_name(desktop: Machine, keychain: Any) -> None:
    for path in (claude(desktop), desktop.home / ".cursor" / "mcp.json"):
        put(path, json.dumps({"mcpServers": {"vendor": third_party(desktop.key)}}), dir_mode=0o700)
    dry = desktop.doctor("--fix")
    assert "vendor.VENDOR_API_KEY (new)" in dry.stderr
    assert "vendor.VENDOR_API_KEY (already holds this key)" in dry.stderr
    assert "VENDOR_API_KEY-2" not in dry.stderr
    _, report = desktop.report("--fix", "--yes")
    assert report["fix_errors"] == []
    assert stored(keychain, "vendor.VENDOR_API_KEY") == desktop.key


def test_keys_others_could_read_are_named_and_rotation_advised(
    desktop: Machine, keychain: Any
) -> None:
    # pytest's tmp_path sits in a 0700 directory; a readable HOME needs a path that
    # others can reach all the way down.
    reachable = Path(tempfile.mkdtemp(prefix="ors-readable-home-"))
    try:
        os.chmod(reachable, 0o755)  # noqa: S103 - a reachable home is what is tested
        desktop.home = reachable
        desktop.env["HOME"] = str(reachable)
        check_exposed(desktop)
    finally:
        shutil.rmtree(reachable, ignore_errors=True)


def check_exposed(desktop: Machine) -> None:
    config = write_claude(desktop, {"vendor": third_party(desktop.key)}, 0o644)
    os.chmod(config.parent, 0o755)  # noqa: S103
    os.chmod(config.parent.parent, 0o755)  # noqa: S103
    _, report = desktop.report()
    (exposed,) = [f for f in report["findings"] if f["check"] == "exposed-key"]
    assert "others on this machine could read" in exposed["message"]
    assert "mcpServers.vendor.env.VENDOR_API_KEY" in exposed["message"]
    assert "openrouter-secure rotate" in exposed["fix"]
    _, fixed = desktop.report("--fix", "--yes")
    (after,) = [f for f in fixed["findings"] if f["check"] == "exposed-key"]
    assert "keyring://openrouter-secure/vendor.VENDOR_API_KEY" in after["fix"]
    assert "openrouter-secure rotate" in after["fix"]
    assert_no_leak(desktop.key, json.dumps(report), json.dumps(fixed))


def test_private_file_has_no_exposed_key_finding(desktop: Machine) -> None:
    write_claude(desktop, {"vendor": third_party(desktop.key)}, 0o644)
    # The home directory is 0700: nobody else can reach the file, whatever its mode.
    _, report = desktop.report()
    assert not [f for f in report["findings"] if f["check"] == "exposed-key"]


# -- references a client passes as text ----------------------------------------------------------
PLACEHOLDER = "${secret:keyring://openrouter-secure/vendor.VENDOR_API_KEY}"


def test_placeholder_in_a_third_party_entry_is_an_error(desktop: Machine) -> None:
    entry = third_party(PLACEHOLDER)
    write_claude(
        desktop,
        {
            "vendor": entry,
            "ours": {
                "command": "openrouter-secure",
                "args": ["serve"],
                "env": {"OPENROUTER_API_KEY": PLACEHOLDER},
            },
        },
    )
    code, report = desktop.report()
    (finding,) = [f for f in report["findings"] if f["check"] == "unexpanded-reference"]
    assert finding["location"] == "mcpServers.vendor.env.VENDOR_API_KEY"
    assert finding["fixable"] is True
    assert code == 1


def test_fix_launches_a_placeholder_entry_through_run(desktop: Machine, keychain: Any) -> None:
    config = write_claude(desktop, {"vendor": third_party(PLACEHOLDER)})
    code, report = desktop.report("--fix", "--yes")
    assert report["fix_errors"] == []
    entry = json.loads(config.read_text())["mcpServers"]["vendor"]
    assert entry["args"][:4] == [
        "run",
        "--env",
        "VENDOR_API_KEY=keyring://openrouter-secure/vendor.VENDOR_API_KEY",
        "--",
    ]
    assert entry["env"] == {"LOG_LEVEL": "debug"}
    assert code == 0


def test_placeholder_and_plaintext_in_one_entry_become_one_launch(
    desktop: Machine, keychain: Any
) -> None:
    entry = third_party(desktop.key)
    entry["env"]["OTHER_TOKEN"] = "${secret:keyring://openrouter-secure/other}"
    config = write_claude(desktop, {"vendor": entry})
    _, report = desktop.report("--fix", "--yes")
    assert report["fix_errors"] == []
    args = json.loads(config.read_text())["mcpServers"]["vendor"]["args"]
    assert args[: args.index("--")] == [
        "run",
        "--env",
        "OTHER_TOKEN=keyring://openrouter-secure/other",
        "--env",
        "VENDOR_API_KEY=keyring://openrouter-secure/vendor.VENDOR_API_KEY",
    ]


def test_placeholder_beside_a_command_line_key_is_left_whole(desktop: Machine) -> None:
    entry = third_party(PLACEHOLDER)
    entry["args"] = [*entry["args"], "--api-key", desktop.key]
    config = write_claude(desktop, {"vendor": entry})
    before = config.read_bytes()
    _, report = desktop.report("--fix", "--yes")
    assert config.read_bytes() == before
    (finding,) = [f for f in report["findings"] if f["check"] == "unexpanded-reference"]
    assert finding["fixable"] is False
    assert "command line" in finding["fix"]


def test_env_name_that_is_no_variable_name_is_left_by_hand(desktop: Machine) -> None:
    entry = third_party(desktop.key)
    entry["env"] = {"VENDOR API=KEY": desktop.key}
    config = write_claude(desktop, {"vendor": entry})
    before = config.read_bytes()
    _, report = desktop.report("--fix", "--yes")
    assert config.read_bytes() == before
    (finding,) = [f for f in report["findings"] if f["check"] == "plaintext-secret"]
    assert finding["fixable"] is False


def test_backups_written_in_the_same_second_keep_their_order(tmp_path: Path) -> None:
    from openrouter_secure.cli.doctor._backup import backups_of, write_backup

    target = tmp_path / "mcp.json"
    target.write_text("{}")
    written = [
        write_backup(target, f"before {i}".encode(), f"after {i}".encode()) for i in range(5)
    ]
    assert backups_of(target) == written
