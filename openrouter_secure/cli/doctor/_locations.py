"""Where ``openrouter-secure doctor`` looks by default.

MCP and agent clients keep their server lists in well-known files; this module lists
them for Linux, macOS and Windows (every platform's paths are checked on every
platform: a synced or copied home directory may hold any of them). Project-scoped
files (``.mcp.json``, ``.vscode/mcp.json``, ...) are looked for in the current
directory; they are meant to be committed, so their *permissions* are not checked,
only their content (the rule is :func:`openrouter_secure.config._permissions.is_project_file`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Candidate",
    "config_candidates",
    "data_dirs",
    "dotenv_candidates",
    "history_candidates",
]

DOTENV_SAMPLES = (".env.example", ".env.sample", ".env.template", ".env.dist")


@dataclass(frozen=True)
class Candidate:
    """A file the doctor checks: ``kind`` is config, dotenv, data or history.

    ``given``: named on the command line (or found under a directory that was), rather
    than found in a place known to hold configs or saved data.
    """

    path: Path
    kind: str
    client: str = ""
    project: bool = False
    given: bool = False


def _base(environ: Mapping[str, str], var: str, home: Path, *default: str) -> Path:
    value = environ.get(var)
    return Path(value) if value else home.joinpath(*default)


def config_candidates(home: Path, cwd: Path, environ: Mapping[str, str]) -> list[Candidate]:
    """Known MCP/agent config files under ``home`` and ``cwd`` (existing or not)."""
    xdg = _base(environ, "XDG_CONFIG_HOME", home, ".config")
    appdata = _base(environ, "APPDATA", home, "AppData", "Roaming")
    mac = home / "Library" / "Application Support"
    user: list[tuple[str, Path]] = [
        ("Claude Desktop", xdg / "Claude" / "claude_desktop_config.json"),
        ("Claude Desktop", mac / "Claude" / "claude_desktop_config.json"),
        ("Claude Desktop", appdata / "Claude" / "claude_desktop_config.json"),
        ("Claude Code", home / ".claude.json"),
        ("Claude Code", home / ".claude" / "settings.json"),
        ("Claude Code", home / ".claude" / "settings.local.json"),
        ("Cursor", home / ".cursor" / "mcp.json"),
        ("Windsurf", home / ".codeium" / "windsurf" / "mcp_config.json"),
        ("VS Code", xdg / "Code" / "User" / "mcp.json"),
        ("VS Code", mac / "Code" / "User" / "mcp.json"),
        ("VS Code", appdata / "Code" / "User" / "mcp.json"),
        (
            "Cline",
            xdg
            / "Code"
            / "User"
            / "globalStorage"
            / "saoudrizwan.claude-dev"
            / "settings"
            / "cline_mcp_settings.json",
        ),
        ("Zed", xdg / "zed" / "settings.json"),
        ("Codex", home / ".codex" / "config.toml"),
        ("Gemini CLI", home / ".gemini" / "settings.json"),
        ("Continue", home / ".continue" / "config.yaml"),
        ("Continue", home / ".continue" / "config.json"),
        ("Goose", xdg / "goose" / "config.yaml"),
        ("openrouter-secure", xdg / "openrouter-secure" / "config.json"),
    ]
    project: list[tuple[str, Path]] = [
        ("Claude Code", cwd / ".mcp.json"),
        ("Claude Code", cwd / ".claude" / "settings.json"),
        ("Claude Code", cwd / ".claude" / "settings.local.json"),
        ("Cursor", cwd / ".cursor" / "mcp.json"),
        ("VS Code", cwd / ".vscode" / "mcp.json"),
        ("Gemini CLI", cwd / ".gemini" / "settings.json"),
    ]
    out = [Candidate(p, "config", client) for client, p in user]
    out += [Candidate(p, "config", client, project=True) for client, p in project]
    return out


def dotenv_candidates(directory: Path) -> list[Candidate]:
    """``.env`` files directly in ``directory`` (``.env``, ``.env.local``, samples, ...)."""
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    return [
        Candidate(p, "dotenv", project=True)
        for p in entries
        if (p.name == ".env" or p.name.startswith(".env.")) and p.is_file()
    ]


def data_dirs(home: Path, environ: Mapping[str, str]) -> list[Path]:
    """Where openrouter-secure (and apps using it) save results, logs and state."""
    return [
        _base(environ, "XDG_DATA_HOME", home, ".local", "share") / "openrouter-secure",
        _base(environ, "XDG_STATE_HOME", home, ".local", "state") / "openrouter-secure",
        _base(environ, "XDG_CACHE_HOME", home, ".cache") / "openrouter-secure",
    ]


def history_candidates(home: Path, environ: Mapping[str, str]) -> list[Candidate]:
    """Shell and REPL histories, where an ``export OPENROUTER_API_KEY=...`` stays forever."""
    appdata = _base(environ, "APPDATA", home, "AppData", "Roaming")
    paths = [
        home / ".bash_history",
        home / ".zsh_history",
        home / ".histfile",
        _base(environ, "XDG_DATA_HOME", home, ".local", "share") / "fish" / "fish_history",
        home / ".python_history",
        appdata / "Microsoft" / "Windows" / "PowerShell" / "PSReadLine" / "ConsoleHost_history.txt",
    ]
    if environ.get("HISTFILE"):
        paths.insert(0, Path(environ["HISTFILE"]).expanduser())
    return [Candidate(p, "history") for p in paths]


def is_sample_dotenv(path: Path) -> bool:
    return path.name in DOTENV_SAMPLES


def env_home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME") or environ.get("USERPROFILE")
    return Path(home) if home else Path(os.path.expanduser("~"))
