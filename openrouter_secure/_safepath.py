"""File names that cannot leave their directory, and private atomic writes into it.

Anything that saves a file under a name a caller chose (a benchmark result, an
exported report, a name that arrived through an MCP tool call) goes through
:func:`confined_path`. The rule is deliberately narrow rather than clever: a name is
one path component of ``[A-Za-z0-9._-]``, at most 128 characters, not starting with a
dot. That rules out ``..``, separators of every platform, absolute paths, drive
letters, ``~``, NUL bytes and hidden files before the file system is consulted. The
final path is then checked against the *resolved* directory, and an existing entry
that is a symbolic link (or anything but a regular file) is refused, so a link
planted in the directory cannot redirect the write elsewhere.

Writes go to a temporary file (``O_EXCL | O_NOFOLLOW``, mode 0600) in the same
directory, are flushed to disk, then ``os.replace``-d over the target: readers see
the old file or the new one, never half of one. ``os.replace`` renames over the
directory entry itself, so even a link planted after the check is replaced, not
written through (unlike :func:`~openrouter_secure._atomic.write_private`, which
follows links on purpose, for dotfiles).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ._atomic import ensure_dir, replace_file
from ._exceptions import UnsafePathError

__all__ = ["confined_path", "ensure_private_dir", "write_confined"]

_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


def ensure_private_dir(directory: str | os.PathLike[str]) -> Path:
    """Create ``directory`` (and missing parents, mode 0700) if needed; return it resolved."""
    path = ensure_dir(Path(directory).expanduser(), 0o700)
    resolved = path.resolve(strict=True)
    if not resolved.is_dir():
        raise UnsafePathError(f"{path} is not a directory")
    return resolved


def confined_path(directory: str | os.PathLike[str], name: str) -> Path:
    """``directory / name``, refusing any ``name`` that is not one plain file name.

    Raises :class:`UnsafePathError` for ``../x``, ``/etc/x``, ``a/b``, ``.hidden``,
    names with characters outside ``[A-Za-z0-9._-]``, and names whose existing entry
    is a symbolic link or not a regular file. The message shows the name's length,
    not the name (it came from outside and may hold anything).
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name.strip(".") == "":
        raise UnsafePathError(
            f"refused a file name of {len(name) if isinstance(name, str) else 0} characters: "
            "a result name must be one plain file name of letters, digits, '.', '_' or '-' "
            "(at most 128, not starting with '.'), with no directory part"
        )
    base = ensure_private_dir(directory)
    target = base / name
    if target.parent != base:  # belt and braces: the pattern already excludes this
        raise UnsafePathError("refused a file name that leaves the results directory")
    try:
        info = target.lstat()
    except FileNotFoundError:
        return target
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise UnsafePathError(
            f"refused to write a file in {base}: an entry of that name exists and is "
            "a symbolic link or not a regular file; remove it first"
        )
    return target


def write_confined(
    directory: str | os.PathLike[str],
    name: str,
    data: bytes | str,
    *,
    overwrite: bool = True,
) -> Path:
    """Write ``data`` to ``directory/name`` atomically with mode 0600; return the path."""
    target = confined_path(directory, name)
    if not overwrite and target.exists():
        raise UnsafePathError(
            f"a file of that name already exists in {target.parent}; choose another name "
            "or allow overwriting"
        )
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    # confined_path refused a planted link; os.replace swaps the name, never writes through.
    return replace_file(target, raw, 0o600)
