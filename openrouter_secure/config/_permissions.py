"""Permission checks and fixes for files that hold configuration or secrets (POSIX).

A config file should be 0600 (or stricter) and owned by the user; its directory 0700.
The user's home directory is the exception: its mode is the user's (or the
distribution's) policy, and ``~/.claude.json`` lives right in it, so it is only
reported, and only tightened, when it is writable by group or others (which would let
them replace the file). On Windows, where POSIX modes mean little, nothing is reported.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from ._scan import ConfigFinding

__all__ = [
    "PermissionChange",
    "fix_permissions",
    "permission_findings",
    "tighten_dir",
    "tighten_file",
]


class PermissionChange(NamedTuple):
    """One ``chmod`` that :func:`fix_permissions` made (modes as integers, e.g. ``0o600``)."""

    path: Path
    old_mode: int
    new_mode: int


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, OSError):
        return None


def permission_findings(path: str | os.PathLike[str]) -> list[ConfigFinding]:
    """Warnings for ``path`` readable or writable by others, or in a directory that is."""
    if os.name == "nt":
        return []
    target = Path(path).resolve()
    found: list[ConfigFinding] = []
    info = target.stat()
    mode = stat.S_IMODE(info.st_mode)
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
    parent = target.parent
    dmode = stat.S_IMODE(parent.stat().st_mode)
    loose = dmode & 0o022 if parent == _home() else dmode & 0o077
    if loose:
        found.append(
            ConfigFinding(
                "",
                "dir-permissions",
                f"chmod {'go-w' if parent == _home() else '700'} {parent}",
                "warning",
                f"directory {parent} has mode {dmode:04o}; it should be 0700",
            )
        )
    return found


def fix_permissions(path: str | os.PathLike[str]) -> list[PermissionChange]:
    """Tighten ``path`` to 0600 and its directory to 0700; return what changed.

    Bits are only ever removed (a 0400 file stays 0400). The home directory only loses
    group/others *write*. Symbolic links are followed. A no-op on Windows.
    """
    if os.name == "nt":
        return []
    target = Path(path).resolve()
    changes = tighten_file(target)
    return changes + tighten_dir(target.parent)


def tighten_file(path: Path) -> list[PermissionChange]:
    """``chmod`` ``path`` to at most 0600 (only removing bits)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "nt" or not mode & ~0o600:
        return []
    os.chmod(path, mode & 0o600)
    return [PermissionChange(path, mode, mode & 0o600)]


def tighten_dir(directory: Path) -> list[PermissionChange]:
    """``chmod`` ``directory`` to at most 0700 (the home directory: drop group/others write)."""
    dmode = stat.S_IMODE(directory.stat().st_mode)
    new = dmode & ~0o022 if directory == _home() else dmode & 0o700
    if os.name == "nt" or new == dmode:
        return []
    os.chmod(directory, new)
    return [PermissionChange(directory, dmode, new)]
