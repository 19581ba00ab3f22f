"""Reading and writing secret files safely: the rules ``file://`` and ``dotenv://`` share.

**Where a reference points.** The path is the reference's path: ``file:///run/secrets/x``
(three slashes) is absolute, ``file://secrets/x`` is relative to the current directory,
and a leading ``~/`` is the user's home.

**Symbolic links stay in their directory.** The allowed directory is the directory the
reference names (``/run/secrets`` for ``/run/secrets/x``, itself resolved, so a linked
``/var/run`` is fine). The file, once every link is followed, must lie inside it. That is
how Kubernetes and Docker mount secrets (``x -> ..data/x``, ``..data -> ..2024_...``,
all in the same directory), and it refuses a link planted to read ``~/.ssh/id_ed25519``
or ``/etc/shadow`` through a secret's name.

**Nobody else may read or write it** (POSIX). The file must be a regular file owned by
the current user (or by root, who can read it anyway), with no permission bits for group
or others, in a directory that group and others cannot write (they could swap the file)
unless it is sticky (like ``/tmp``), where they cannot replace an entry they do not own.
The checks are made on the opened file descriptor, which was opened without following a
final link, so the file checked is the file read. Windows has no such modes: only the
link rule applies there.

**Writes are atomic** and private: a temporary file of mode 0600 in the same directory,
``fsync``-ed and renamed over the target (through a link, which stays).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .._exceptions import AccessDeniedError, SecretNotFoundError, UnsafePathError
from .._files import write_private
from .._refs import SecretRef

__all__ = ["checked_path", "read_checked", "write_checked"]

# A secret file is small; a bigger one is a wrong path (a log, a database, a device).
MAX_SIZE = 1 << 20


def _referenced(ref: SecretRef) -> Path:
    path = ref.path
    if path.startswith("~/"):
        path = os.path.join(os.path.expanduser("~"), path[2:])
    return Path(os.path.abspath(path))


def checked_path(ref: SecretRef) -> Path:
    """The file ``ref`` names, links followed, refused if it leaves its directory.

    A file that does not exist yet is returned as named (for writing).
    """
    named = _referenced(ref)
    if "\x00" in str(named):
        raise UnsafePathError(f"{ref}: the path holds a NUL byte")
    allowed = Path(os.path.realpath(named.parent))
    resolved = Path(os.path.realpath(named))
    if resolved.parent != allowed and allowed not in resolved.parents:
        raise UnsafePathError(
            f"{ref}: the file is a symbolic link that leads out of its directory {allowed}; "
            f"{ref.backend}:// follows links only within the directory it names (as Kubernetes "
            "and Docker secret mounts do). Point the reference at the real file"
        )
    return resolved


def _check_owner_and_mode(ref: SecretRef, info: os.stat_result, what: str) -> None:
    if os.name == "nt":
        return
    if not stat.S_ISREG(info.st_mode):
        raise AccessDeniedError(f"{ref}: {what} is not a regular file", ref=ref)
    uid = os.getuid()
    if info.st_uid not in (uid, 0):
        raise AccessDeniedError(
            f"{ref}: {what} is owned by uid {info.st_uid}, not by you (uid {uid}) or root, "
            "so its owner could change it or let others read it; chown it to yourself",
            ref=ref,
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise AccessDeniedError(
            f"{ref}: {what} has mode {mode:04o}, so group or others can access it; "
            "run  chmod 600 FILE  (for a Kubernetes secret volume set defaultMode: 0400, "
            "for a Compose secret mode: 0400)",
            ref=ref,
        )


def _check_directory(ref: SecretRef, directory: Path) -> None:
    if os.name == "nt":
        return
    info = directory.stat()
    mode = stat.S_IMODE(info.st_mode)
    # A sticky directory (like /tmp) lets others add entries but not rename or remove
    # ours, and the file's owner is checked anyway.
    if mode & 0o022 and not mode & stat.S_ISVTX:
        raise AccessDeniedError(
            f"{ref}: the directory {directory} has mode {mode:04o}, so group or others "
            f"could replace the file; run  chmod go-w {directory}  or move the file",
            ref=ref,
        )


def read_checked(ref: SecretRef) -> bytes | None:
    """The bytes of the file ``ref`` names, or None if it does not exist.

    Raises :class:`UnsafePathError` for a link out of the directory and
    :class:`AccessDeniedError` for a file others could read or change.
    """
    path = checked_path(ref)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise AccessDeniedError(f"{ref}: the path is a directory, not a file", ref=ref) from None
    except PermissionError:
        raise AccessDeniedError(
            f"{ref}: you may not read the file; check its owner and mode", ref=ref
        ) from None
    except OSError as exc:  # ELOOP: a link swapped in after the check
        raise UnsafePathError(f"{ref}: cannot open the file safely ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        _check_owner_and_mode(ref, info, "the file")
        _check_directory(ref, path.parent)
        if info.st_size > MAX_SIZE:
            raise AccessDeniedError(
                f"{ref}: the file is {info.st_size} bytes; a secret file holds at most "
                f"{MAX_SIZE} (is the path right?)",
                ref=ref,
            )
        chunks: list[bytes] = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_checked(ref: SecretRef, data: bytes) -> None:
    """Replace the file ``ref`` names with ``data`` atomically (mode 0600).

    The same link rule as reading; an existing file must pass the owner check (its mode
    is tightened to 0600 by the write). Missing parent directories are created 0700.
    """
    path = checked_path(ref)
    try:
        info = path.stat()
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(info.st_mode):
            raise AccessDeniedError(f"{ref}: the path exists and is not a file", ref=ref)
        if os.name != "nt" and info.st_uid not in (os.getuid(), 0):
            raise AccessDeniedError(
                f"{ref}: the file is owned by uid {info.st_uid}, not by you; "
                "refusing to replace it",
                ref=ref,
            )
    if path.parent.exists():
        _check_directory(ref, path.parent)
    try:
        write_private(path, data, 0o600)
    except PermissionError:
        raise AccessDeniedError(
            f"{ref}: cannot write the file (read-only mount or directory?)", ref=ref
        ) from None
    except OSError as exc:
        raise AccessDeniedError(f"{ref}: cannot write the file ({exc.strerror})", ref=ref) from None


def remove_checked(ref: SecretRef) -> None:
    """Remove the directory entry ``ref`` names (a link is removed, not its target)."""
    checked_path(ref)
    named = _referenced(ref)
    if named.parent.exists():
        _check_directory(ref, Path(os.path.realpath(named.parent)))
    try:
        named.unlink()
    except FileNotFoundError:
        raise SecretNotFoundError(f"{ref}: no such file", ref=ref) from None
    except OSError as exc:
        raise AccessDeniedError(
            f"{ref}: cannot remove the file ({exc.strerror})", ref=ref
        ) from None
