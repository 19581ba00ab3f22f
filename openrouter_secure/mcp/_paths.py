"""Whether a tool argument that is not path-named still reaches outside ``allowed_roots``.

``secure(allowed_roots=...)`` confines path-named arguments outright (they are replaced
by the resolved path). Any other string is only *checked*: the tool receives it as it
was sent, so the check must judge it as any ordinary tool might open it:

- **as given**, relative to the working directory, and with ``~`` expanded;
- **as a ``file:`` URL** of any case (``FILE:``, ``File:``: URL schemes are
  case-insensitive, and ``urllib.request.urlopen`` opens them), percent-decoded, with
  an empty host or ``localhost``; a ``file:`` URL naming another host is refused
  (it cannot be judged against local directories);
- **both as the system opens it** (symbolic links followed) **and as a tool that
  cleans it first opens it** (``os.path.normpath`` collapses ``..`` without looking
  at links, which can name another file);
- **whatever its length**: a path padded with slashes or ``./`` segments past
  ``PATH_MAX`` is judged without the padding; one still longer than
  :data:`MAX_PATH_CHARS` after that is refused (resolving it would cost time that
  grows with its length, and judging it only by its letters could miss a link).

Free of the in-process server, so the gateway can apply the same judgement.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Iterable

from ._types import looks_like_path

__all__ = ["MAX_PATH_CHARS", "unnamed_path_refusal"]

#: Longest string judged as it is; a longer one is judged by its normalised form.
MAX_PATH_CHARS = 4096
_LOCAL_HOSTS = frozenset({"", "localhost"})
_SEPARATORS = re.compile(r"/{2,}")
_DOT_SEGMENT = re.compile(r"(?:/\.(?=/|$))+")


def _inside(resolved: str, roots: Iterable[str]) -> bool:
    return any(
        resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep) for root in roots
    )


def _candidates(value: str) -> list[str] | str:
    """The paths a tool may open for ``value``, or the reason to refuse it outright."""
    if value[:5].lower() == "file:":
        parts = urllib.parse.urlsplit(value)
        if urllib.parse.unquote(parts.netloc).lower() not in _LOCAL_HOSTS:
            return "refused a file: URL naming a host; pass a local path"
        path = urllib.parse.unquote(parts.path)
        if "\x00" in path:
            return "refused a path holding a NUL byte"
        # Decoded once more: a tool that unquotes again must not reach further.
        return [path, urllib.parse.unquote(path)]
    candidates = [value]
    if value.startswith("~"):
        candidates.append(os.path.expanduser(value))
    return candidates


def _squeeze(path: str) -> str:
    """``path`` without repeated separators and ``.`` segments: names the same file to
    the system (unlike collapsing ``..``, which a symbolic link makes differ)."""
    return _DOT_SEGMENT.sub("", _SEPARATORS.sub("/", path)) or "/"


def _too_long(length: int) -> str:
    return (
        f"refused a path of {length} characters: it is too long to judge against the "
        "directories this server may use; pass a shorter path"
    )


def unnamed_path_refusal(value: str, roots: Iterable[str]) -> str | None:
    """Why ``value`` (a string under an argument that is not path-named) must be
    refused because it is, or names, a path outside ``roots``; ``None`` if it may pass.

    ``roots``: the resolved allowed directories. The answer never holds ``value``.
    Each candidate is judged both as the system opens it (symbolic links followed, on
    the form without repeated separators and ``.`` segments) and as a tool that cleans
    it first opens it (``os.path.normpath``); one too long to resolve is refused.
    """
    roots = list(roots)
    # A tool may strip what it is given: judge the stripped form.
    value = value.strip()
    if not value:
        return None
    shaped = looks_like_path(value)
    if not shaped:
        if "\n" in value:
            return None  # prose, not a file name
        probe = _squeeze(value)
        if len(probe) > MAX_PATH_CHARS:
            # Names something only if its first part does.
            probe = probe.split("/", 1)[0]
            try:
                if probe and os.path.lexists(probe):
                    return _too_long(len(value))
            except (OSError, ValueError):
                pass
            return None
        try:
            exists = os.path.lexists(probe)
        except (OSError, ValueError):
            exists = False
        if not exists:
            return None
    if "\x00" in value:
        return "refused a path holding a NUL byte"
    found = _candidates(value)
    if isinstance(found, str):
        return found
    cwd = os.getcwd()
    for candidate in found:
        joined = os.path.join(cwd, candidate)
        physical = _squeeze(joined)
        if len(physical) > MAX_PATH_CHARS:
            return _too_long(len(value))
        for resolved in (os.path.realpath(physical), os.path.normpath(joined)):
            if not _inside(resolved, roots):
                return (
                    f"refused a path of {len(value)} characters: it resolves outside the "
                    "directories this server may use; use a path inside them"
                )
    return None
