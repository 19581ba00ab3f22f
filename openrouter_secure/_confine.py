"""Confine a caller-supplied path to a set of directories.

An MCP tool that takes a file path gets it from a model, which got it from whoever
wrote the prompt. :func:`confine_path` turns such a path into a resolved
:class:`~pathlib.Path` that is guaranteed to lie inside one of the allowed roots,
or raises :class:`~openrouter_secure.UnsafePathError`.

What it does, in order:

1. refuses empty paths, NUL bytes and non-string input before touching the disk;
2. joins a relative path onto the *first* root (an absolute path is kept as is, and
   must then land inside some root on its own);
3. resolves the result with :func:`os.path.realpath`: ``..`` segments are collapsed
   and every *existing* component is followed if it is a symbolic link, so a link
   inside a root that points outside is caught; components that do not exist yet
   (a file about to be created) are kept literally;
4. accepts the path only if it equals a resolved root or lies beneath one.

``~`` is not expanded (a path from a client is never relative to the server's home).
The check is made when it is called: a tool that then opens the file should open it
promptly and, when writing, with ``O_NOFOLLOW`` (see
:func:`openrouter_secure._safepath.write_confined` for single-file writes), because
a process with write access to the root could swap a component for a link in
between. Error messages give the path's length, never the path or the roots: the
path came from outside, and the roots describe the server's file system.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ._exceptions import ConfigurationError, UnsafePathError

__all__ = ["confine_path"]

PathLike = str | os.PathLike[str]


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
