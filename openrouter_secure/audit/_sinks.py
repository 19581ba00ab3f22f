"""Where audit records go: an append-only JSONL file shared safely by threads and
processes, a ``logging`` logger, or any callable.

The file sink owns the chain state, because with several writer processes only the
file knows the last record: under an exclusive ``flock`` on ``<file>.lock`` each write
reads the last line's hash (from a cache when the file has not grown since this
process last wrote), appends one line with a single ``write(2)`` on an ``O_APPEND``
descriptor, and optionally ``fsync``s, then releases the lock. The lock file never
rotates, so writers that still hold the old file open after another process rotated
it notice (inode changed) and reopen before writing.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import stat
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .._exceptions import AuditLogError, UnsafePathError
from .._files import open_nofollow
from ._chain import GENESIS, ROTATED_EVENT, line_digest

__all__ = ["CallableSink", "FileSink", "LineBuilder", "Sink", "rotated_files"]

log = logging.getLogger("openrouter_secure.audit")

#: ``build(seq, prev, event, fields) -> (line bytes without newline, its line_digest)``.
LineBuilder = Callable[[int, str, str, dict[str, Any]], tuple[bytes, str]]

_READ_CHUNK = 65536


class Sink:
    """Base: keeps the chain in memory (fine for a sink only this process writes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._prev = GENESIS

    def append(self, build: LineBuilder, event: str, fields: dict[str, Any]) -> tuple[int, str]:
        """Write one record; returns ``(seq, digest of its line)``."""
        with self._lock:
            line, digest = build(self._seq + 1, self._prev, event, fields)
            self._deliver(line)
            self._seq += 1
            self._prev = digest
            return self._seq, self._prev

    def _deliver(self, line: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (files); the default has none."""


class CallableSink(Sink):
    """Hands each line (``str``, no newline) to a callable; a logger gets ``info``."""

    def __init__(self, target: Callable[[str], object] | logging.Logger) -> None:
        super().__init__()
        self._target = target

    def _deliver(self, line: bytes) -> None:
        text = line.decode("ascii")
        if isinstance(self._target, logging.Logger):
            self._target.info("%s", text)
        else:
            self._target(text)


def rotated_files(path: str) -> list[str]:
    """Rotated siblings of ``path`` (``path.<first seq, 12 digits>``), oldest first."""
    folder, base = os.path.split(os.path.abspath(path))
    prefix = base + "."
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    found = [n for n in names if n.startswith(prefix) and n[len(prefix) :].isdigit() and n != base]
    return [os.path.join(folder, n) for n in sorted(found, key=lambda n: int(n[len(prefix) :]))]


class FileSink(Sink):
    """An append-only JSONL file, mode 0600, optional size rotation.

    ``max_bytes``: rotate once the file reaches this size (``None``: never). The full
    file is renamed ``<path>.<seq of its first record>`` and a new file starts with an
    ``audit.rotated`` record whose ``prev`` is the old file's last line, so the chain
    runs on unbroken; that record also holds ``backup_count``, so a verifier can tell
    files deleted by this policy from files removed by someone else. ``backup_count``
    keeps at most that many rotated files (the oldest are deleted; ``None`` keeps all).
    ``fsync``: ``fsync(2)`` each record before returning (survives power loss; costs a
    disk flush per record).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_bytes: int | None = None,
        backup_count: int | None = None,
        fsync: bool = False,
    ) -> None:
        super().__init__()
        self.path = os.path.abspath(os.fspath(path))
        self.max_bytes = max_bytes
        self.backup_count = backup_count
        self.fsync = fsync
        self._pid = -1
        self._fd = -1
        self._lock_fd = -1
        # (size, inode, seq, digest) of the file as this process last left it.
        self._tail: tuple[int, int, int, str] | None = None
        folder = os.path.dirname(self.path)
        if folder and not os.path.isdir(folder):
            os.makedirs(folder, mode=0o700, exist_ok=True)
        with self._lock:
            self._open()
        # A fork while another thread holds the lock would leave the child's copy
        # locked forever: give the child a fresh one (its descriptors are reopened on
        # first use, see _open).
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _reset_lock(ref))

    # -- descriptors -------------------------------------------------------------------

    def _open(self) -> None:
        # A fork shares open file descriptions, and flock locks belong to those:
        # the child must open its own or parent and child would not exclude each other.
        self._close_fds()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        try:
            # Neither file is opened through a link: one planted at either name would
            # make the writer create or append to a file wherever it points.
            self._lock_fd = open_nofollow(self.path + ".lock", os.O_RDWR | os.O_CREAT)
            self._fd = open_nofollow(self.path, flags)
        except (OSError, UnsafePathError) as exc:
            self._close_fds()
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise AuditLogError(
                f"cannot open the audit log {self.path}: {reason}; check that the "
                "directory exists and is writable, and that the file is not a symlink"
            ) from None
        mode = os.fstat(self._fd).st_mode
        if stat.S_IMODE(mode) & 0o077:
            log.warning(
                "audit log %s is readable or writable by group/others (mode %o); chmod 600 it",
                self.path,
                stat.S_IMODE(mode),
            )
        self._pid = os.getpid()
        self._tail = None

    def _close_fds(self) -> None:
        for fd in (self._fd, self._lock_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._lock_fd = -1

    def close(self) -> None:
        with self._lock:
            self._close_fds()

    # -- writing -----------------------------------------------------------------------

    def append(self, build: LineBuilder, event: str, fields: dict[str, Any]) -> tuple[int, str]:
        with self._lock:
            if self._pid != os.getpid() or self._fd < 0:
                self._open()
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            except OSError as exc:
                raise AuditLogError(f"cannot lock {self.path}.lock: {exc.strerror}") from None
            try:
                return self._append_locked(build, event, fields)
            except OSError as exc:
                raise AuditLogError(
                    f"cannot write to the audit log {self.path}: {exc.strerror}"
                ) from None
            except UnsafePathError as exc:
                raise AuditLogError(f"cannot write to the audit log: {exc}") from None
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _append_locked(
        self, build: LineBuilder, event: str, fields: dict[str, Any]
    ) -> tuple[int, str]:
        st = self._follow_rotation()
        tail = self._tail
        if tail is not None and tail[0] == st.st_size and tail[1] == st.st_ino:
            seq, prev = tail[2], tail[3]
        else:
            seq, prev = self._read_tail()
        line, digest = build(seq + 1, prev, event, fields)
        size = self._write(line, st.st_size, st.st_ino)
        seq += 1
        self._tail = (size, st.st_ino, seq, digest)
        if self.max_bytes is not None and size >= self.max_bytes:
            self._rotate(build, seq, digest)
        return seq, digest

    def _write(self, line: bytes, size: int, inode: int) -> int:
        data = memoryview(line + b"\n")
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
        if self.fsync:
            os.fsync(self._fd)
        return size + len(line) + 1

    def _follow_rotation(self) -> os.stat_result:
        """Reopen if another process rotated (or someone removed) the file; fstat it."""
        try:
            on_disk = os.stat(self.path, follow_symlinks=False).st_ino
        except FileNotFoundError:
            on_disk = -1
        st = os.fstat(self._fd)
        if on_disk != st.st_ino:
            os.close(self._fd)
            self._fd = -1
            self._fd = open_nofollow(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            self._tail = None
            st = os.fstat(self._fd)
        return st

    def _read_tail(self) -> tuple[int, str]:
        """``(seq, digest)`` of the file's last record, or ``(0, GENESIS)`` if empty.

        Reads backwards from the end; only the last line is parsed.
        """
        fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        try:
            end = os.fstat(fd).st_size
            if end == 0:
                return 0, GENESIS
            if os.pread(fd, 1, end - 1) != b"\n":
                raise AuditLogError(
                    f"the audit log {self.path} ends with an incomplete line (a crash or a "
                    "full disk?); run  openrouter-secure audit verify  on it and move it aside"
                )
            buf = b""
            pos = end - 1
            while pos > 0:
                start = max(0, pos - _READ_CHUNK)
                buf = os.pread(fd, pos - start, start) + buf
                pos = start
                if b"\n" in buf:
                    break
            line = buf.rsplit(b"\n", 1)[-1]
        finally:
            os.close(fd)
        return _seq_of(line, self.path), line_digest(line)

    def _rotate(self, build: LineBuilder, seq: int, digest: str) -> None:
        first = _first_seq(self.path)
        target = f"{self.path}.{first:012d}"
        os.rename(self.path, target)
        os.close(self._fd)
        self._fd = -1
        self._fd = open_nofollow(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        st = os.fstat(self._fd)
        line, new_digest = build(
            seq + 1,
            digest,
            ROTATED_EVENT,
            # The deletion policy in force, so a verifier can tell files this writer
            # deleted from files someone else removed (null: it keeps every file).
            {
                "previous_file": os.path.basename(target),
                "previous_last_seq": seq,
                "backup_count": self.backup_count,
            },
        )
        size = self._write(line, st.st_size, st.st_ino)
        self._tail = (size, st.st_ino, seq + 1, new_digest)
        if self.backup_count is not None:
            for old in rotated_files(self.path)[: -self.backup_count or None]:
                with contextlib.suppress(OSError):
                    os.unlink(old)


def _reset_lock(ref: weakref.ref[FileSink]) -> None:
    sink = ref()
    if sink is not None:
        sink._lock = threading.Lock()


def _seq_of(line: bytes, path: str) -> int:
    import json

    try:
        seq = json.loads(line)["seq"]
    except (ValueError, KeyError, TypeError):
        seq = None
    if not isinstance(seq, int):
        raise AuditLogError(
            f"the last line of the audit log {path} is not an audit record; run  "
            "openrouter-secure audit verify  on it and move it aside"
        )
    return seq


def _first_seq(path: str) -> int:
    with open(path, "rb") as fh:
        return _seq_of(fh.readline().rstrip(b"\n"), path)
