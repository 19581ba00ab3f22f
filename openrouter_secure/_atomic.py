"""Private, atomic file writes: ``write_private(path, data)``.

For any file that may hold something sensitive (a config, an audit log segment, a
benchmark result, a rotated key's state): the data goes to a temporary file created
``O_EXCL`` with mode 0600 in the *same directory*, is flushed and ``fsync``-ed, then
``os.replace``-d over the target, and the directory is synced. Readers see the old
file or the new one, never half of either, and the file is never readable by others
for even a moment.

Modes only ever tighten: an existing target keeps the intersection of its mode and
the requested one (a 0400 file stays 0400; a 0644 file becomes 0600). A target that
is a symbolic link is written *through* (the link's destination is replaced and the
link stays), which is what dotfile managers expect. A missing parent directory is
created with mode 0700.

For an arbitrary caller-chosen *name* inside a directory, use
``openrouter_secure._safepath.write_confined`` instead; it refuses names that escape.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["ensure_dir", "fsync_dir", "replace_file", "write_private"]


def ensure_dir(directory: str | os.PathLike[str], mode: int = 0o700) -> Path:
    """Create ``directory`` (and parents) with ``mode`` if missing; never loosen one.

    Directories this call creates get exactly ``mode`` (despite the umask); an
    existing directory is left as it is.
    """
    path = Path(directory)
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for new in reversed(missing):
        with contextlib.suppress(FileExistsError):
            new.mkdir(mode=mode)
            os.chmod(new, mode)
    return path


def write_private(
    path: str | os.PathLike[str],
    data: bytes | str,
    mode: int = 0o600,
    *,
    dir_mode: int = 0o700,
    tighten_dir: bool = False,
) -> Path:
    """Write ``data`` (``str`` is UTF-8 encoded) to ``path`` atomically; return the path written.

    ``mode`` is the most the file may allow; an existing file's stricter bits are kept.
    A missing parent directory is created with ``dir_mode``; with ``tighten_dir=True``
    an existing parent directory also loses any bits outside ``dir_mode`` (it is never
    loosened). Symbolic links are followed, so the link survives and its target is
    replaced. On any failure the target is unchanged and the temporary file removed.
    """
    target = Path(os.path.realpath(os.fspath(path)))
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    parent = target.parent
    ensure_dir(parent, dir_mode)
    if tighten_dir and os.name != "nt":
        current = stat.S_IMODE(parent.stat().st_mode)
        if current & ~dir_mode:
            os.chmod(parent, current & dir_mode)
    final_mode = mode
    try:
        info = target.stat()
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(f"{target} exists and is not a regular file")
        final_mode = stat.S_IMODE(info.st_mode) & mode
    return replace_file(target, raw, final_mode)


def replace_file(target: Path, raw: bytes, mode: int = 0o600) -> Path:
    """Replace ``target`` with ``raw`` atomically, as a regular file of ``mode``.

    The data goes to a temporary file opened ``O_EXCL | O_NOFOLLOW`` (mode 0600) in the
    same directory, is ``fsync``-ed, then ``os.replace``-d over ``target``; the directory
    is synced after. Callers decide the policy (following links, which mode); on any
    failure the target is unchanged and the temporary file removed.
    """
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
            if os.name != "nt":  # exact mode, whatever the umask
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)
    return target


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be synced)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
