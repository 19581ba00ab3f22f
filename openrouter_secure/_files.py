"""Files the library writes or is handed: private atomic writes, names confined to a
directory, and paths confined to allowed roots.

**Private atomic writes** (:func:`write_private`): for any file that may hold
something sensitive (a config, an audit log segment, a benchmark result, the rotation
state), the data goes to a temporary file created ``O_EXCL`` with mode 0600 in the
same directory, is flushed and ``fsync``-ed, then ``os.replace``-d over the target, and
the directory is synced. Readers see the old file or the new one, never half of
either, and the file is never readable by others for even a moment. Modes only ever
tighten: an existing target keeps the intersection of its mode and the requested one.
A target that is a symbolic link is written *through* (the link stays), which is what
dotfile managers expect. A missing parent directory is created with mode 0700.

**Confined names** (:func:`confined_path`, :func:`write_confined`): anything saved
under a name a caller chose (a benchmark result, a name that arrived through an MCP
tool call) must be one path component of ``[A-Za-z0-9._-]``, at most 128 characters,
not starting with a dot. That rules out ``..``, separators of every platform,
absolute paths, drive letters, ``~``, NUL bytes and hidden files before the file
system is consulted. The final path is then checked against the *resolved*
directory, and an existing entry that is a symbolic link (or anything but a regular
file) is refused. The write itself uses ``O_EXCL | O_NOFOLLOW`` and renames over the
directory entry, so even a link planted after the check is replaced, not written
through.

**Confined paths** (:func:`confine_path`): a path a tool received from a model is
resolved (``..`` collapsed, existing symbolic links followed, components that do not
exist yet kept literally) and accepted only if it equals one of the resolved roots
or lies beneath one. A relative path is joined onto the first root; ``~`` is not
expanded. The check holds when it is made: a tool should open the file promptly, and
with ``O_NOFOLLOW`` when writing, because a process with write access to the root
could swap a component for a link in between. Error messages give the path's length,
never the path or the roots.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from ._exceptions import ConfigurationError, UnsafePathError

__all__ = [
    "confine_path",
    "confined_path",
    "ensure_dir",
    "ensure_private_dir",
    "fsync_dir",
    "lock_file",
    "open_nofollow",
    "remove_mode_bits",
    "replace_file",
    "write_confined",
    "write_private",
    "write_temp_beside",
]

PathLike = str | os.PathLike[str]


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

    The data goes to a temporary file beside it (:func:`write_temp_beside`), which is
    then ``os.replace``-d over ``target``; the directory is synced after. Callers decide
    the policy (following links, which mode); on any failure the target is unchanged
    and the temporary file removed.
    """
    tmp = write_temp_beside(target, raw, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)
    return target


def write_temp_beside(target: Path, raw: bytes, mode: int = 0o600) -> Path:
    """A new temporary file in ``target``'s directory holding ``raw``: return its path.

    Created ``O_EXCL | O_NOFOLLOW`` with mode 0600 under a random hidden name, written in
    full, set to exactly ``mode`` (whatever the umask) and ``fsync``-ed, so it is whole
    before the caller renames or links it into place (and removes it after a link). On
    any failure nothing is left behind.
    """
    tmp = target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp")
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
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be synced)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_mode_bits(
    path: str | os.PathLike[str], keep: int, *, directory: bool = False
) -> tuple[int, int] | None:
    """Clear every permission bit of ``path`` outside ``keep``; never follow a link.

    ``path`` must be a regular file (a directory with ``directory=True``) owned by the
    current user; a symbolic link (as the last component), anything else, or another
    user's entry raises :class:`~openrouter_secure.UnsafePathError` and nothing
    changes. The entry is opened ``O_NOFOLLOW`` and changed through that descriptor, so
    a link swapped in after the check is not followed either. Bits are only removed.
    Returns ``(old_mode, new_mode)``, or ``None`` when nothing had to change (and
    always on Windows, where POSIX modes mean little).
    """
    if os.name == "nt":
        return None
    name = os.fspath(path)
    kind = "directory" if directory else "regular file"
    before = os.lstat(name)
    if not (stat.S_ISDIR if directory else stat.S_ISREG)(before.st_mode):
        # Also the answer for a symbolic link: lstat describes the link itself.
        raise UnsafePathError(
            f"{name} is not a {kind} (a symbolic link?): its mode was not changed"
        )
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    if directory:
        flags |= getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        raise UnsafePathError(
            f"{name}: could not open it without following links ({exc.strerror}); "
            "its mode was not changed"
        ) from None
    try:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
            raise UnsafePathError(f"{name} changed while its mode was being changed; try again")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise UnsafePathError(
                f"{name} belongs to uid {info.st_uid}, not to you: its mode was not changed"
            )
        old = stat.S_IMODE(info.st_mode)
        new = old & keep
        if new == old:
            return None
        os.fchmod(fd, new)
    finally:
        os.close(fd)
    return old, new


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


def _resolved_roots(roots: PathLike | Iterable[PathLike]) -> list[Path]:
    items: list[PathLike] = [roots] if isinstance(roots, (str, os.PathLike)) else list(roots)
    if not items:
        raise ConfigurationError(
            "confine_path needs at least one allowed root directory; pass roots=[...]"
        )
    resolved = []
    for root in items:
        path = Path(os.path.realpath(os.fspath(root)))
        if not path.is_dir():
            raise ConfigurationError(
                "an allowed root for confine_path is not an existing directory; "
                "create it or fix the allowed_roots setting"
            )
        resolved.append(path)
    return resolved


def confine_path(path: PathLike, roots: PathLike | Iterable[PathLike]) -> Path:
    """Resolve ``path`` and return it if it lies inside one of ``roots``.

    ``roots`` is one directory or several; a relative ``path`` is taken relative to
    the first. Raises :class:`~openrouter_secure.UnsafePathError` when the resolved
    path leaves every root (through ``..``, an absolute path or a symbolic link),
    and for empty paths or paths holding a NUL byte;
    :class:`~openrouter_secure.ConfigurationError` when a root is not a directory.

    >>> confine_path("notes/today.md", "/srv/data")  # doctest: +SKIP
    PosixPath('/srv/data/notes/today.md')
    """
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise UnsafePathError(
            f"refused a path of type {type(path).__name__}: pass a string or a path object"
        )
    if not path or "\x00" in path:
        raise UnsafePathError(
            f"refused a path of {len(path)} characters: it is empty or holds a NUL byte"
        )
    allowed = _resolved_roots(roots)
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = allowed[0] / candidate
    resolved = Path(os.path.realpath(candidate))
    for root in allowed:
        if resolved == root or root in resolved.parents:
            return resolved
    raise UnsafePathError(
        f"refused a path of {len(path)} characters: it resolves outside the directories "
        "this server may use (through '..', an absolute path or a symbolic link); "
        "use a path relative to an allowed directory"
    )


# -- files the library keeps next to user data (locks, logs, state) ----------------------


def open_nofollow(path: PathLike, flags: int, mode: int = 0o600) -> int:
    """``os.open`` that refuses a symbolic link or anything but a regular file.

    For every file the library creates or appends to beside user data (a lock, an audit
    log, a state file): a link planted there would otherwise make the library create or
    write a file wherever it points. Adds ``O_NOFOLLOW | O_CLOEXEC``; a final component
    that is a link raises :class:`UnsafePathError` (as do a FIFO, a device or a
    directory), other failures raise ``OSError`` as ``os.open`` does.
    """
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), mode)
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafePathError(
                f"refused to open {os.fspath(path)}: it is a symbolic link; the library "
                "creates this file itself, so remove the link"
            ) from None
        raise exc from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafePathError(
                f"refused to open {os.fspath(path)}: it is not a regular file; remove it"
            )
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def lock_file(path: PathLike, *, remove: bool = True) -> Iterator[None]:
    """Hold an exclusive advisory lock on the file ``path`` (created 0600, never through a
    link); with ``remove`` the file is deleted on release, so no stale lock stays behind.

    Deleting a lock file is safe here because a waiter that wins the lock checks that
    the name still leads to the file it locked, and starts over if not. POSIX only takes
    the lock across processes (``flock``); elsewhere the file is only created.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the caller's in-process lock only
        fd = open_nofollow(path, os.O_RDWR | os.O_CREAT)
        try:
            yield
        finally:
            os.close(fd)
            if remove:
                with contextlib.suppress(OSError):
                    os.unlink(path)
        return
    while True:
        fd = open_nofollow(path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path, follow_symlinks=False)
            except FileNotFoundError:
                current = None
            held = os.fstat(fd)
            if current is not None and (current.st_ino, current.st_dev) == (
                held.st_ino,
                held.st_dev,
            ):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder before us removed it: lock the new one
    try:
        yield
    finally:
        try:
            if remove:
                with contextlib.suppress(OSError):
                    os.unlink(path)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
