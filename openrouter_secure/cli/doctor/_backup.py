"""Backups that ``doctor --fix`` writes before rewriting a config, and ``--undo``.

A backup sits beside the file it saves, as
``<name>.openrouter-secure-<UTC time>-<n>-<digest>.bak``: ``n`` makes the name unique
(a backup is never overwritten), ``digest`` is the first 16 hex digits of the SHA-256
of what the fix wrote. The backup is written to a temporary file (mode 0600, or the
original's mode if stricter), synced, and linked to its name (``link`` fails rather
than replace an existing file), so it is complete or absent.

``--undo`` restores the newest backup only while the file still holds exactly what the
fix wrote; if anything changed it since (you, or the MCP client rewriting its own
config), restoring would lose that, so it refuses and says where the backup is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from datetime import datetime, timezone
from pathlib import Path

from ..._exceptions import ConfigurationError
from ..._files import fsync_dir, write_private, write_temp_beside

__all__ = ["backups_of", "digest", "restore_backup", "write_backup"]

_TAG = ".openrouter-secure-"
_PATTERN = re.compile(r"\.openrouter-secure-(\d{8}T\d{6}Z)-(\d+)-([0-9a-f]{16})\.bak")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def backups_of(path: str | os.PathLike[str]) -> list[Path]:
    """Backups of the file at ``path`` (its real location), oldest first."""
    real = Path(os.path.realpath(os.fspath(path)))
    found: list[tuple[str, int, Path]] = []
    try:
        entries = list(real.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(real.name + _TAG):
            continue
        m = _PATTERN.fullmatch(entry.name[len(real.name) :])
        if m and entry.is_file() and not entry.is_symlink():
            found.append((m.group(1), int(m.group(2)), entry))
    return [p for _, _, p in sorted(found)]


def write_backup(target: Path, original: bytes, written: bytes) -> Path:
    """Save ``original`` beside ``target`` (a real path) under a new unique name."""
    mode = 0o600
    with contextlib.suppress(OSError):
        mode &= stat.S_IMODE(target.stat().st_mode)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    tail = digest(written)
    tmp = write_temp_beside(target, original, mode)
    try:
        # Numbered after the backups of the same second: the digest differs between
        # two fixes, so a name clash alone would not order them.
        same_second = [
            int(m.group(2))
            for b in backups_of(target)
            if (m := _PATTERN.fullmatch(b.name[len(target.name) :])) and m.group(1) == stamp
        ]
        first = max(same_second, default=0) + 1
        for n in range(first, first + 1000):
            name = target.with_name(f"{target.name}{_TAG}{stamp}-{n}-{tail}.bak")
            try:
                os.link(tmp, name)
            except FileExistsError:
                continue
            fsync_dir(target.parent)
            return name
        raise FileExistsError(f"no free backup name beside {target}")
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def restore_backup(path: str | os.PathLike[str]) -> Path:
    """Put the newest backup of ``path`` back in place; return the backup used (removed).

    Raises :class:`~openrouter_secure.ConfigurationError` when there is no backup, or
    when the file no longer holds what ``doctor --fix`` wrote (the message says why
    and where the backup is; nothing changes).
    """
    real = Path(os.path.realpath(os.fspath(path)))
    found = backups_of(real)
    if not found:
        raise ConfigurationError(
            f"{path}: no backup written by openrouter-secure doctor --fix beside it "
            f"(looked for {real.name}{_TAG}*.bak)"
        )
    latest = found[-1]
    m = _PATTERN.fullmatch(latest.name[len(real.name) :])
    expected = m.group(3) if m else ""
    try:
        current: bytes | None = real.read_bytes()
    except FileNotFoundError:
        current = None  # deleted since: restoring loses nothing
    if current is not None and digest(current) != expected:
        raise ConfigurationError(
            f"{path} changed after doctor --fix rewrote it (edited by you or by your MCP "
            "client): restoring the backup would lose those changes, so nothing was "
            f"restored. The backup is {latest}: compare the two and merge by hand."
        )
    data = latest.read_bytes()
    write_private(real, data, 0o600)
    latest.unlink()
    fsync_dir(real.parent)
    return latest
