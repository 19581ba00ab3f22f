"""Compiled Hyperscan databases of the rules, kept on disk between processes.

Compiling the rules' database takes a few seconds of CPU; loading it back takes under
a millisecond. Only databases of the rule table are kept: they hold the library's
own patterns, never a known value (the databases holding those are compiled in memory
only, every time).

The directory is ``$OPENROUTER_SECURE_CACHE_DIR`` (empty: nothing is kept), else
``$XDG_CACHE_HOME/openrouter-secure/hyperscan-databases`` (``~/.cache`` by default). A
file is read only when it and its directory belong to this user and nobody else may
write them, as Python reads its own ``__pycache__``; it is written whole (a temporary
file, then a rename), readable by this user only. Anything unexpected (a missing
directory, a file of another Hyperscan version or CPU, a failed write) means compiling
as if nothing were kept.
"""

from __future__ import annotations

import hashlib
import os
import platform
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["DIRECTORY_NAME", "cache_dir", "load", "store"]

#: The directory's name under ``$XDG_CACHE_HOME/openrouter-secure``
DIRECTORY_NAME = "hyperscan-databases"
# (a database of the rules is about 1.5 MB)
_LARGEST = 64 << 20


def cache_dir() -> Path | None:
    """Where compiled databases are kept, or ``None`` when keeping them is turned off."""
    configured = os.environ.get("OPENROUTER_SECURE_CACHE_DIR")
    if configured is not None:
        return Path(configured).expanduser() if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "openrouter-secure" / DIRECTORY_NAME


def _name(hs: Any, patterns: Sequence[bytes], flags: Sequence[int], mode: int) -> str:
    digest = hashlib.sha256()
    for part in (getattr(hs, "__version__", ""), platform.machine(), str(mode)):
        digest.update(part.encode() + b"\0")
    for pattern, flag in zip(patterns, flags, strict=True):
        digest.update(b"%d\0%b\0" % (flag, pattern))
    return digest.hexdigest() + ".hsdb"


def _trusted(info: os.stat_result) -> bool:
    """Owned by this user, and nobody else may write it (POSIX; elsewhere, trusted)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    return info.st_uid == getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(hs: Any, patterns: Sequence[bytes], flags: Sequence[int], mode: int) -> Any | None:
    """The database compiled earlier for these patterns, flags and mode, or ``None``."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        if not _trusted(os.stat(directory)):
            return None
        path = directory / _name(hs, patterns, flags, mode)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or not _trusted(info) or info.st_size > _LARGEST:
                return None
            data = file.read()
        db = hs.loadb(data, mode)
        db.scratch = hs.Scratch(db)  # (as compiling allocates one)
        return db
    except Exception:  # noqa: BLE001 - compiled instead
        return None


def store(
    hs: Any,
    patterns: Sequence[bytes],
    flags: Sequence[int],
    mode: int,
    db: Any,
) -> None:
    """Keep ``db`` for the next process (best effort: a failure is ignored)."""
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(os.stat(directory)):
            return
        data = hs.dumpb(db)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, directory / _name(hs, patterns, flags, mode))
        except BaseException:
            os.unlink(temporary)
            raise
    except Exception:  # noqa: BLE001, S110 - the next process compiles again
        pass
