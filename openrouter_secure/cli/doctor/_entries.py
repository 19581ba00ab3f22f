"""How ``doctor --fix`` can take a plaintext key out of one server entry of a config.

MCP clients (Claude Desktop, Cursor, VS Code, ...) start a server with the ``env`` of
its entry as written: none expands ``${secret:...}``. So the fix depends on who reads
the entry:

- ``run``: a third-party server started by a client, with the key in ``env``. The
  entry is rewritten to start through ``openrouter-secure run --env NAME=REF -- <the
  original command>`` (or ``openrouter-secure gateway --policy FILE ...`` when a policy
  is given), which resolves the key from the keychain into the server's environment.
- ``reference``: a server that expands references itself (``openrouter-secure
  serve``/``gateway``/``run`` entries) or a file openrouter-secure itself reads: the
  literal becomes ``${secret:keyring://...}`` in place.
- not fixable (``None``): a key on the command line (a launcher cannot put it back
  there without exposing it to ``ps``), in a remote server's URL or headers (the client
  sends them itself), or mixed with a placeholder the client expands.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...config._scan import Hit, Segment, iter_server_maps

__all__ = [
    "EntryFix",
    "entry_fixes",
    "env_var",
    "expands_references",
    "host_config",
    "launcher_command",
    "own_config",
    "unexpanded_references",
]

_SELF_NAMES = frozenset({"openrouter-secure", "openrouter_secure", "openrouter_secure.cli"})
_SELF_SUBCOMMANDS = frozenset({"serve", "gateway", "run"})

ARGS_REASON = (
    "the server takes this key on its command line, where any user can read it (ps): "
    "if it also reads the key from an environment variable, move it to that variable "
    "in the entry's env and run openrouter-secure doctor --fix again"
)
REMOTE_REASON = (
    "your MCP client sends this itself: keep the key out of the file with the client's "
    "own secret input, or reach the server through openrouter-secure gateway --url"
)
OTHER_REASON = (
    "the client reads this setting itself: move the key to the OS keychain and edit the "
    "entry by hand"
)
MIXED_REASON = (
    "the value mixes the key with a placeholder the client expands: move the key to "
    "the OS keychain and edit the entry by hand"
)


def _base(token: str) -> str:
    name = token.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name[: -len(".exe")] if name.endswith(".exe") else name


def expands_references(entry: Mapping[str, Any]) -> bool:
    """Whether ``entry`` starts an openrouter-secure command that expands
    ``${secret:...}`` itself (``serve``, ``gateway``, ``run``; directly, through
    ``uvx``/``pipx run`` or ``python -m openrouter_secure.cli``)."""
    command = entry.get("command")
    args = entry.get("args") or []
    if not isinstance(command, str) or not isinstance(args, list):
        return False
    tokens = [_base(command), *(a for a in args if isinstance(a, str))]
    return any(
        _base(tokens[i]) in _SELF_NAMES and tokens[i + 1] in _SELF_SUBCOMMANDS
        for i in range(len(tokens) - 1)
    )


@dataclass
class EntryFix:
    """What ``--fix`` does with the plaintext keys of one server entry."""

    server: str
    #: The entry's path in the document (the servers map's path, then the server name).
    segments: tuple[Segment, ...]
    #: ``run``, ``reference``, or ``None`` when the entry must be fixed by hand.
    mode: str | None
    hits: list[Hit]
    #: Why the entry cannot be fixed automatically (``mode is None``).
    reason: str = ""


def entry_fixes(doc: Any, hits: Iterable[Hit], *, own_file: bool) -> list[EntryFix]:
    """Group the server-entry ``hits`` of ``doc`` by entry and decide each entry's fix.

    ``own_file``: the file is read by openrouter-secure itself (through
    ``load_config``), so every entry keeps references in place.
    """
    roots = [root for root, _ in iter_server_maps(doc)] if isinstance(doc, Mapping) else []
    groups: dict[tuple[Segment, ...], EntryFix] = {}
    for hit in hits:
        if hit.server is None:
            continue
        root = next(
            (r for r in roots if len(hit.segments) > len(r) and hit.segments[: len(r)] == r),
            None,
        )
        if root is None:
            continue
        where = (*root, hit.segments[len(root)])
        group = groups.get(where)
        if group is None:
            group = groups[where] = EntryFix(str(hit.segments[len(root)]), where, None, [])
        group.hits.append(hit)
    for group in groups.values():
        _decide(doc, group, own_file)
    return list(groups.values())


def _entry(doc: Any, segments: tuple[Segment, ...]) -> Any:
    node = doc
    for seg in segments:
        node = node[seg]
    return node


def _decide(doc: Any, group: EntryFix, own_file: bool) -> None:
    entry = _entry(doc, group.segments)
    depth = len(group.segments)
    if not isinstance(entry, Mapping):
        group.reason = "the server entry is not an object"
        return
    if any(h.span is None for h in group.hits):
        group.reason = "the key is in a name, not a value: edit the entry by hand"
        return
    in_env = [len(h.segments) == depth + 2 and h.segments[depth] == "env" for h in group.hits]
    if own_file:
        group.mode = "reference"
        return
    if expands_references(entry):
        if all(in_env):
            group.mode = "reference"
        else:
            group.reason = ARGS_REASON
        return
    if not isinstance(entry.get("command"), str):
        group.reason = REMOTE_REASON
        return
    if not all(in_env):
        places = {str(h.segments[depth]) for h in group.hits if len(h.segments) > depth}
        if places & {"args", "command"}:
            group.reason = ARGS_REASON
        elif places & {"url", "serverUrl", "httpUrl", "headers"}:
            group.reason = REMOTE_REASON
        else:
            group.reason = OTHER_REASON
        return
    env = entry.get("env")
    for hit in group.hits:
        name = hit.segments[depth + 1]
        value = env.get(name) if isinstance(env, Mapping) else None
        if not isinstance(value, str) or "${" in value:
            group.reason = MIXED_REASON
            return
        if not _ENV_NAME.fullmatch(str(name)):
            # It could not be passed as --env NAME=REF (nor set by a shell).
            group.reason = OTHER_REASON
            return
    group.mode = "run"


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFERENCE = re.compile(r"\$\{secret:([^{}\s]+)\}")


@dataclass
class Unexpanded:
    """A ``${secret:REF}`` in an entry whose server never expands it."""

    @property
    def var(self) -> str:
        return str(self.where[-1])

    server: str
    segments: tuple[Segment, ...]
    #: Where in the entry: ``("env", "NAME")``, ``("args", 2)``, ...
    where: tuple[Segment, ...]
    ref: str
    #: Why it cannot be fixed by launching through ``run`` (empty when it can).
    reason: str = ""


def unexpanded_references(doc: Any, fixes: Iterable[EntryFix]) -> list[Unexpanded]:
    """``${secret:...}`` references in entries of third-party servers of an MCP client's
    config: the client passes the text itself, so the server gets a placeholder instead
    of its key (what an earlier ``doctor --fix`` wrote). ``fixes`` are the file's
    plaintext-key decisions: an entry is fixed whole, so a reference there is only
    fixable along with them. Only an ``env`` value that is one whole reference can be
    fixed (by launching through ``run``)."""
    decided = {f.segments: f for f in fixes}
    out: list[Unexpanded] = []
    if not isinstance(doc, Mapping):
        return out
    for root, servers in iter_server_maps(doc):
        for name, entry in servers.items():
            if not isinstance(entry, Mapping) or expands_references(entry):
                continue
            where = (*root, name)
            group = decided.get(where)
            first = len(out)
            for path, value in _strings(entry, ()):
                if "${secret:" not in value:
                    continue
                m = _REFERENCE.fullmatch(value)
                place = str(path[0])
                reason = ""
                if place in ("args", "command"):
                    reason = ARGS_REASON
                elif place in ("url", "serverUrl", "httpUrl", "headers"):
                    reason = REMOTE_REASON
                elif place != "env" or len(path) != 2:
                    reason = OTHER_REASON
                elif m is None:
                    reason = MIXED_REASON
                elif not _ENV_NAME.fullmatch(str(path[1])):
                    reason = OTHER_REASON
                elif not isinstance(entry.get("command"), str):
                    reason = REMOTE_REASON
                elif group is not None and group.mode != "run":
                    reason = group.reason or MIXED_REASON
                out.append(Unexpanded(str(name), where, path, m.group(1) if m else "", reason))
            # An entry is fixed whole: one reference that must be fixed by hand holds
            # back the others (a rewrite would leave the server as broken as before).
            blocking = next((u.reason for u in out[first:] if u.reason), "")
            for u in out[first:]:
                u.reason = u.reason or blocking
    return out


def _strings(obj: Any, path: tuple[Segment, ...]) -> Iterable[tuple[tuple[Segment, ...], str]]:
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from _strings(v, (*path, str(k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _strings(v, (*path, i))
    elif isinstance(obj, str) and path:
        yield path, obj


#: Config files of MCP clients (which never expand ``${secret:...}``), by name.
HOST_FILE_NAMES = frozenset(
    {
        "claude_desktop_config.json",
        ".claude.json",
        "mcp_config.json",
        "cline_mcp_settings.json",
        ".mcp.json",
    }
)


def host_config(path: str, client: str) -> bool:
    """Whether the config at ``path`` is read by an MCP client (Claude Desktop, Cursor,
    VS Code, ...) rather than by a program that may expand references itself."""
    from ...config._permissions import is_project_file

    if client and client != "openrouter-secure":
        return True
    return Path(path).name in HOST_FILE_NAMES or is_project_file(path)


def own_config(path: str, client: str) -> bool:
    """Whether openrouter-secure itself reads the config at ``path``."""
    parts = path.replace("\\", "/").rsplit("/", 2)
    return client == "openrouter-secure" or parts[-2:] == ["openrouter-secure", "config.json"]


def env_var(hit: Hit, entry_segments: tuple[Segment, ...]) -> str:
    return str(hit.segments[len(entry_segments) + 1])


def launcher_command(original: str) -> str:
    """The command to write: ``openrouter-secure``, or its absolute path when the
    entry started its server by absolute path (the client may not search ``PATH``)."""
    import shutil

    if os.path.isabs(original):
        found = shutil.which("openrouter-secure")
        if found:
            return found
    return "openrouter-secure"
