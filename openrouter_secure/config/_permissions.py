"""Which files' permissions matter, and which directories the library may tighten (POSIX).

One rule, used by :func:`~openrouter_secure.config.load_config`, ``serve``,
:func:`~openrouter_secure.config.save_config`, :func:`fix_permissions` and
``openrouter-secure doctor``:

- **Project files** (:func:`is_project_file`: ``.mcp.json``, ``.vscode/mcp.json``,
  ``.cursor/mcp.json``, ``.claude/settings.json``, ``.claude/settings.local.json``,
  ``.gemini/settings.json`` in a directory other than your home) are meant to be
  committed and shared, so their mode is not a finding, except that a file anyone may
  *write* is (it decides which commands the client starts).
- **Other config files** should be 0600 (or stricter) and owned by you.
- **Directories**: a config directory (:func:`is_config_dir`) should be 0700 and may be
  tightened to it. Any other directory (a project, ``/tmp``, ``/etc``, your home) is
  never changed; it is only reported when group or others can write it and it is not
  sticky (they could replace the file).

Modes are changed through :func:`~openrouter_secure._files.remove_mode_bits`: only
bits are removed, symbolic links are never followed, and nothing another user owns is
touched. On Windows, where POSIX modes mean little, nothing is reported or changed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from .._exceptions import UnsafePathError
from .._files import remove_mode_bits
from ._scan import ConfigFinding

__all__ = [
    "PROJECT_FILES",
    "PermissionChange",
    "fix_permissions",
    "is_config_dir",
    "is_project_file",
    "others_can_read",
    "permission_findings",
    "tighten_dir",
    "tighten_file",
]

#: Config files that live in a project and are meant to be committed (path tails).
PROJECT_FILES: tuple[tuple[str, ...], ...] = (
    (".mcp.json",),
    (".vscode", "mcp.json"),
    (".cursor", "mcp.json"),
    (".claude", "settings.json"),
    (".claude", "settings.local.json"),
    (".gemini", "settings.json"),
)


class PermissionChange(NamedTuple):
    """One ``chmod`` that :func:`fix_permissions` made (modes as integers, e.g. ``0o600``)."""

    path: Path
    old_mode: int
    new_mode: int


def _real(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(os.fspath(path)))


def _home(environ: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    home = env.get("HOME") or env.get("USERPROFILE")
    try:
        return _real(home) if home else _real(Path.home())
    except (RuntimeError, OSError):
        return None


def _below(path: Path, root: Path) -> bool:
    return path != root and root in path.parents


def is_project_file(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether ``path`` is a shared project config (see :data:`PROJECT_FILES`).

    The same names directly under your home directory (``~/.cursor/mcp.json``,
    ``~/.claude/settings.json``) are your own user files, not project files.
    """
    # By the name it was given, not where a link leads: ~/.cursor/mcp.json linked into
    # a dotfiles repository is still your user file.
    given = Path(os.path.abspath(os.fspath(path)))
    home = _home(environ)
    for tail in PROJECT_FILES:
        if given.parts[-len(tail) :] == tail:
            return _real(given.parents[len(tail) - 1]) != home
    return False


_SYSTEM_DIRS = frozenset(
    {"/", "/bin", "/boot", "/dev", "/etc", "/lib", "/opt", "/proc", "/run", "/sbin", "/srv"}
    | {"/sys", "/tmp", "/usr", "/var"}  # noqa: S108 - names to refuse, not a temp file
)


def is_config_dir(
    directory: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether the library may tighten ``directory`` to 0700: one of your config directories.

    That is a directory you own, neither sticky nor reached through a symbolic link,
    strictly inside your home directory under a hidden top-level directory
    (``~/.config/Claude``, ``~/.cursor``, ``~/.codeium/windsurf``,
    ``~/.local/share/openrouter-secure``), or strictly inside ``$XDG_CONFIG_HOME``. Never
    your home directory itself, a project, ``/tmp`` or a system directory.
    """
    if os.name == "nt":
        return False
    given = os.path.abspath(os.fspath(directory))
    real = _real(given)
    if str(real) != given:  # reached through a link: never change what it points to
        return False
    try:
        info = os.lstat(real)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & stat.S_ISVTX:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    env = os.environ if environ is None else environ
    home = _home(environ)
    # A home or XDG_CONFIG_HOME of "/" or "/etc" (a service account, a misconfigured
    # container) would make system directories "config directories": ignore those.
    hidden = home is not None and _below(real, home) and real.relative_to(home).parts[0][:1]
    if home is not None and str(home) not in _SYSTEM_DIRS and hidden == ".":
        return True
    xdg = env.get("XDG_CONFIG_HOME") or ""
    if not os.path.isabs(xdg) or str(_real(xdg)) in _SYSTEM_DIRS:
        return False
    return _below(real, _real(xdg))


def others_can_read(path: str | os.PathLike[str]) -> str | None:
    """Who besides you could read the file at ``path``: ``"others"``, ``"group"`` or
    ``None``, from its mode and the search (x) bits of every directory above it."""
    if os.name == "nt":
        return None
    target = _real(path)
    mode = stat.S_IMODE(target.stat().st_mode)
    reach_others = reach_group = True
    for directory in target.parents:
        dmode = stat.S_IMODE(directory.stat().st_mode)
        reach_others = reach_others and bool(dmode & 0o001)
        reach_group = reach_group and bool(dmode & 0o011)
    if mode & 0o004 and reach_others:
        return "others"
    if mode & 0o040 and reach_group:
        return "group"
    return None


def permission_findings(
    path: str | os.PathLike[str],
    *,
    project: bool | None = None,
    directory: bool = True,
    environ: Mapping[str, str] | None = None,
) -> list[ConfigFinding]:
    """Warnings for the file at ``path`` under the rule above (``[]`` on Windows).

    ``project`` overrides :func:`is_project_file`; ``directory=False`` leaves out the
    directory. Raises :class:`OSError` when the file cannot be examined.
    """
    if os.name == "nt":
        return []
    target = _real(path)
    info = target.stat()
    mode = stat.S_IMODE(info.st_mode)
    shared = is_project_file(path, environ=environ) if project is None else project
    found: list[ConfigFinding] = []
    if shared:
        if mode & 0o002:
            found.append(
                ConfigFinding(
                    "",
                    "file-writable",
                    f"chmod o-w {target}",
                    "warning",
                    f"mode {mode:04o}: anyone on this machine can change this project "
                    "file, and so which commands your MCP client starts",
                )
            )
        return found
    if mode & 0o077:
        found.append(
            ConfigFinding(
                "",
                "file-permissions",
                f"chmod 600 {target}",
                "warning",
                f"mode {mode:04o}: group or others can access the file",
            )
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        found.append(
            ConfigFinding(
                "",
                "file-owner",
                f"chown $USER {target}",
                "warning",
                f"owned by uid {info.st_uid}, not by you (uid {os.getuid()})",
            )
        )
    if directory:
        found += _dir_findings(target.parent, environ)
    return found


def _dir_findings(parent: Path, environ: Mapping[str, str] | None) -> list[ConfigFinding]:
    info = parent.stat()
    dmode = stat.S_IMODE(info.st_mode)
    if is_config_dir(parent, environ=environ):
        if not dmode & 0o077:
            return []
        return [
            ConfigFinding(
                "",
                "dir-permissions",
                f"chmod 700 {parent}",
                "warning",
                f"directory {parent} has mode {dmode:04o}; it should be 0700",
            )
        ]
    if dmode & 0o022 and not info.st_mode & stat.S_ISVTX:
        return [
            ConfigFinding(
                "",
                "dir-writable",
                f"chmod go-w {parent}",
                "warning",
                f"directory {parent} has mode {dmode:04o}: group or others can write "
                "it, and so replace the file",
            )
        ]
    return []


def fix_permissions(path: str | os.PathLike[str]) -> list[PermissionChange]:
    """Tighten the file at ``path`` to 0600 and, if it is a config directory
    (:func:`is_config_dir`), its directory to 0700; return what changed.

    Bits are only ever removed (a 0400 file stays 0400); no other directory is
    changed. Symbolic links are not followed: for a link, pass the file it points to.
    Raises :class:`~openrouter_secure.UnsafePathError` for a link, a file that is not
    regular, or one you do not own. A no-op on Windows.
    """
    if os.name == "nt":
        return []
    target = Path(os.path.abspath(os.fspath(path)))
    changes = tighten_file(target)
    if is_config_dir(target.parent):
        changes += tighten_dir(target.parent)
    return changes


def tighten_file(path: Path) -> list[PermissionChange]:
    """``chmod`` ``path`` to at most 0600 (only removing bits, never through a link)."""
    changed = remove_mode_bits(path, 0o600)
    return [] if changed is None else [PermissionChange(path, *changed)]


def tighten_dir(directory: Path) -> list[PermissionChange]:
    """``chmod`` a config directory to at most 0700; refuses any other directory."""
    if os.name == "nt":
        return []
    if not is_config_dir(directory):
        raise UnsafePathError(
            f"{directory} is not one of your config directories: its mode was not changed"
        )
    changed = remove_mode_bits(directory, 0o700, directory=True)
    return [] if changed is None else [PermissionChange(directory, *changed)]
