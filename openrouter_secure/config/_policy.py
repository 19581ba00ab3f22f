"""Tool access policy: which MCP tools each server may run.

Per server, in the config's own keys::

    "mcpServers": {
      "github": {
        "command": "...",
        "allowedTools": ["get_issue"],          exact names
        "allowedToolsGlob": ["read_*", "repos/**"],
        "deniedTools": ["delete_repo"],
        "denyToolsGlob": ["admin.*"],
        "default": "deny",                      "deny" (the default) or "allow"
        "codeMode": {"enabled": true, "timeout": 30, "allowFetch": false}
      }
    }

:meth:`ToolPolicy.check` decides in a fixed order: deny exact, deny glob, allow exact,
allow glob, then the default; the first match wins and its rule is returned for the
audit log (``"deny:exact:delete_repo"``, ``"allow:glob:read_*"``, ``"default:deny"``).
A server the policy does not know is denied (``"deny:unknown-server"``).

Globs: ``*`` matches any run of characters except the namespace separators ``/`` and
``.``; ``**`` matches anything, separators included; ``?`` one non-separator
character; ``[abc]``, ``[a-z]`` and ``[!abc]`` one character from (or not from) a set;
``\\`` escapes the next character. Matching runs a small automaton over the name, so
the time is linear in the name's length for any pattern (no backtracking blow-up).
Windsurf's ``disabledTools`` and Gemini CLI's ``excludeTools`` are read as
``deniedTools``, Gemini CLI's ``includeTools`` as ``allowedTools``. A block that spells
one list two ways (``disabledTools`` and ``deniedTools``, ``includeTools`` and
``allowedTools``) gets the names of both, whichever comes first.

Prompts and resources (as the MCP adapter names them, ``prompt:<name>`` and
``resource:<uri>``) are decided by the same rules, with one difference for **allow
globs**: a glob allows the kind its pattern names literally (``prompt:*`` prompts,
``resource:docs://**`` resources) and every other glob allows tools only, so
``allowedToolsGlob: ["*"]`` or ``["**"]`` exposes no prompt and no resource. A
default-deny policy written for tools must not expose what its author never listed.
**Deny globs** match every kind (``denyToolsGlob: ["*secret*"]`` also refuses
``prompt:secret_dump``): a broader deny only ever refuses more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._exceptions import ConfigurationError
from ._scan import SERVER_MAP_KEYS, iter_server_maps, render_path

__all__ = ["CodeMode", "Decision", "ToolPolicy", "check_policies"]

POLICY_KEYS = frozenset(
    {"allowedTools", "allowedToolsGlob", "deniedTools", "denyToolsGlob", "default", "codeMode"}
)
# Other clients' spellings, read in the safe direction (Windsurf, Gemini CLI).
_ALIASES = {
    "disabledTools": "deniedTools",
    "excludeTools": "deniedTools",
    "includeTools": "allowedTools",
}
# The lists several spellings feed: merged, whichever order the keys come in.
_MERGED = frozenset(_ALIASES.values())
_SEPARATORS = frozenset("/.")
# The namespaces of non-tool names: an allow glob reaches one only by naming it.
_KIND_PREFIXES = ("prompt:", "resource:")
MAX_GLOB = 256
MAX_TOOL_NAME = 1024
CODE_MODE_MAX_TIMEOUT = 300.0
_CODE_MODE_KEYS = frozenset({"enabled", "timeout", "allowFetch"})


@dataclass(frozen=True)
class Decision:
    """Whether a tool call is allowed, and the rule that decided (stable, for audit logs)."""

    allowed: bool
    rule: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class CodeMode:
    """A validated ``codeMode`` block: off by default, bounded timeout, no fetch unless asked."""

    enabled: bool = False
    timeout: float = 30.0
    allow_fetch: bool = False


# -- globs -------------------------------------------------------------------------
# Token kinds: ("lit", ch), ("any1",), ("star",), ("dstar",), ("set", chars, negated)
_Token = tuple[Any, ...]


class Glob:
    """A compiled tool-name glob (see the module docstring for the syntax).

    A pattern with at most one ``*``/``**`` runs as an anchored ``re`` pattern (a
    single star cannot make the regex engine backtrack more than once per position);
    with more, a bit-parallel automaton runs over the name, O(len(name) x len(pattern))
    whatever the pattern, so no crafted glob can stall a policy check.
    """

    __slots__ = ("_closure", "_regex", "_tokens", "pattern")

    def __init__(self, pattern: str, where: str = "glob") -> None:
        if not isinstance(pattern, str) or not pattern:
            raise ConfigurationError(f"{where}: a glob must be a non-empty string")
        if len(pattern) > MAX_GLOB:
            raise ConfigurationError(f"{where}: glob longer than {MAX_GLOB} characters")
        self.pattern = pattern
        self._tokens = _compile(pattern, where)
        stars = sum(1 for t in self._tokens if t[0] in ("star", "dstar"))
        self._regex = re.compile(_to_regex(self._tokens), re.S) if stars <= 1 else None
        n = len(self._tokens)
        self._closure = [0] * (n + 1)
        for i in range(n, -1, -1):
            mask = 1 << i
            if i < n and self._tokens[i][0] in ("star", "dstar"):
                mask |= self._closure[i + 1]
            self._closure[i] = mask

    @property
    def namespace(self) -> str:
        """``"prompt:"`` or ``"resource:"`` when the pattern starts with that literally,
        else ``""`` (a tool glob)."""
        literal = []
        for token in self._tokens:
            if token[0] != "lit":
                break
            literal.append(token[1])
        prefix = "".join(literal)
        return next((p for p in _KIND_PREFIXES if prefix.startswith(p)), "")

    def match(self, name: str) -> bool:
        if self._regex is not None:
            return self._regex.fullmatch(name) is not None
        tokens, closure = self._tokens, self._closure
        end = len(tokens)
        states = closure[0]
        for ch in name:
            nxt = 0
            sep = ch in _SEPARATORS
            pending = states
            while pending:
                low = pending & -pending
                pending ^= low
                i = low.bit_length() - 1
                if i == end:
                    continue
                token = tokens[i]
                kind = token[0]
                if kind == "dstar" or (kind == "star" and not sep):
                    nxt |= closure[i]
                elif (
                    (kind == "lit" and token[1] == ch)
                    or (kind == "any1" and not sep)
                    or (kind == "set" and not sep and (ch in token[1]) != token[2])
                ):
                    nxt |= closure[i + 1]
            if not nxt:
                return False
            states = nxt
        return bool(states >> end & 1)

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"


def _to_regex(tokens: list[_Token]) -> str:
    out = []
    for token in tokens:
        kind = token[0]
        if kind == "lit":
            out.append(re.escape(token[1]))
        elif kind == "any1":
            out.append("[^/.]")
        elif kind == "star":
            out.append("[^/.]*")
        elif kind == "dstar":
            out.append(".*")
        else:
            chars = "".join(re.escape(c) for c in sorted(token[1] - _SEPARATORS))
            if token[2]:
                out.append(f"[^/.{chars}]")
            else:
                out.append(f"[{chars}]" if chars else "(?!)")
    return "".join(out)


def _compile(pattern: str, where: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise ConfigurationError(f"{where}: glob {pattern!r} ends with a lone '\\'")
            tokens.append(("lit", pattern[i + 1]))
            i += 2
        elif c == "*":
            if pattern.startswith("**", i):
                j = i
                while j < n and pattern[j] == "*":
                    j += 1
                if j - i > 2:
                    raise ConfigurationError(
                        f"{where}: glob {pattern!r} has {j - i} '*' in a row; use * or **"
                    )
                if not tokens or tokens[-1][0] not in ("star", "dstar"):
                    tokens.append(("dstar",))
                else:
                    tokens[-1] = ("dstar",)
                i = j
            else:
                if not tokens or tokens[-1][0] not in ("star", "dstar"):
                    tokens.append(("star",))
                i += 1
        elif c == "?":
            tokens.append(("any1",))
            i += 1
        elif c == "[":
            token, i = _char_set(pattern, i, where)
            tokens.append(token)
        elif c == "]":
            raise ConfigurationError(f"{where}: glob {pattern!r} has ']' with no '['")
        else:
            tokens.append(("lit", c))
            i += 1
    return tokens


def _char_set(pattern: str, i: int, where: str) -> tuple[_Token, int]:
    j = i + 1
    negated = j < len(pattern) and pattern[j] == "!"
    if negated:
        j += 1
    chars: set[str] = set()
    start = j
    while j < len(pattern) and (pattern[j] != "]" or j == start):
        if j + 2 < len(pattern) and pattern[j + 1] == "-" and pattern[j + 2] != "]":
            lo, hi = pattern[j], pattern[j + 2]
            if ord(lo) > ord(hi) or ord(hi) - ord(lo) > 4096:
                raise ConfigurationError(f"{where}: glob {pattern!r} has a bad range {lo}-{hi}")
            chars.update(chr(x) for x in range(ord(lo), ord(hi) + 1))
            j += 3
        else:
            chars.add(pattern[j])
            j += 1
    if j >= len(pattern):
        raise ConfigurationError(f"{where}: glob {pattern!r} has '[' with no closing ']'")
    if not chars:
        raise ConfigurationError(f"{where}: glob {pattern!r} has an empty set '[]'")
    return ("set", frozenset(chars), negated), j + 1


# -- per-server rules ------------------------------------------------------------------
@dataclass(frozen=True)
class _Rules:
    deny_exact: frozenset[str]
    deny_globs: tuple[Glob, ...]
    allow_exact: frozenset[str]
    allow_globs: tuple[Glob, ...]
    default_allow: bool
    code_mode: CodeMode


def _names(value: object, where: str) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise ConfigurationError(f"{where}: expected a list of tool names")
    for item in value:
        if not isinstance(item, str) or not item:
            raise ConfigurationError(f"{where}: every entry must be a non-empty string")
    return list(value)


def _code_mode(value: object, where: str) -> CodeMode:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where}: codeMode must be an object")
    unknown = set(value) - _CODE_MODE_KEYS
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown codeMode key(s) {sorted(unknown)}; known: {sorted(_CODE_MODE_KEYS)}"
        )
    enabled = value.get("enabled", False)
    allow_fetch = value.get("allowFetch", False)
    timeout = value.get("timeout", 30.0)
    for key, flag in (("enabled", enabled), ("allowFetch", allow_fetch)):
        if not isinstance(flag, bool):
            raise ConfigurationError(f"{where}.{key}: must be true or false")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise ConfigurationError(f"{where}.timeout: must be a number of seconds")
    if not 0 < timeout <= CODE_MODE_MAX_TIMEOUT:
        raise ConfigurationError(
            f"{where}.timeout: must be more than 0 and at most {CODE_MODE_MAX_TIMEOUT:g} seconds"
        )
    return CodeMode(enabled, float(timeout), allow_fetch)


def _did_you_mean(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(POLICY_KEYS), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _looks_like_policy_key(key: str) -> bool:
    low = key.lower()
    return "tool" in low or low in {"default", "defaults", "defaultpolicy", "codemode"}


def _rules(block: Mapping[str, Any], where: str) -> _Rules:
    values: dict[str, Any] = {}
    for key, value in block.items():
        canonical = _ALIASES.get(key, key)
        if canonical in POLICY_KEYS:
            if canonical in _MERGED:
                # Every spelling adds its names, in any order: none is dropped.
                values[canonical] = [*values.get(canonical, []), *_names(value, f"{where}.{key}")]
            else:
                values[canonical] = value
        elif _looks_like_policy_key(key):
            raise ConfigurationError(
                f"{where}: unknown tool-policy key {key!r}{_did_you_mean(key)} "
                f"(known: {', '.join(sorted(POLICY_KEYS))})"
            )
    default = values.get("default", "deny")
    if default not in ("deny", "allow"):
        raise ConfigurationError(f'{where}.default: must be "deny" or "allow"')
    return _Rules(
        deny_exact=frozenset(_names(values.get("deniedTools", []), f"{where}.deniedTools")),
        deny_globs=tuple(
            Glob(p, f"{where}.denyToolsGlob")
            for p in _names(values.get("denyToolsGlob", []), f"{where}.denyToolsGlob")
        ),
        allow_exact=frozenset(_names(values.get("allowedTools", []), f"{where}.allowedTools")),
        allow_globs=tuple(
            Glob(p, f"{where}.allowedToolsGlob")
            for p in _names(values.get("allowedToolsGlob", []), f"{where}.allowedToolsGlob")
        ),
        default_allow=default == "allow",
        code_mode=_code_mode(values["codeMode"], f"{where}.codeMode")
        if "codeMode" in values
        else CodeMode(),
    )


class ToolPolicy:
    """Per-server allow/deny rules for MCP tools. Build one with :meth:`from_config`."""

    __slots__ = ("_servers", "_wildcard")

    def __init__(self, servers: Mapping[str, _Rules], wildcard: _Rules | None = None) -> None:
        self._servers = dict(servers)
        self._wildcard = wildcard

    @classmethod
    def from_config(cls, mapping: Mapping[str, Any]) -> ToolPolicy:
        """Build from a whole config (with ``mcpServers``), a map of servers, or one block.

        - ``{"mcpServers": {name: {...}}}``: each server's policy keys (other server
          keys such as ``command`` are ignored);
        - ``{name: {...}, ...}``: the same without the wrapper;
        - ``{"allowedTools": [...], ...}``: one policy for every server.

        Raises :class:`ConfigurationError` for an unknown policy key (``allowTools``),
        an invalid glob, a wrong type, or a bad ``codeMode``.
        """
        if not isinstance(mapping, Mapping):
            raise ConfigurationError("a tool policy must be built from a mapping")
        if any(key in mapping for key in SERVER_MAP_KEYS):
            rules: dict[str, _Rules] = {}
            for segs, servers in iter_server_maps(mapping):
                if len(segs) == 1:
                    rules.update(_server_rules(servers, str(segs[0])))
            if "mcpServers" in mapping and not isinstance(mapping["mcpServers"], Mapping):
                raise ConfigurationError("mcpServers: must be an object of servers")
            return cls(rules)
        if any(_looks_like_policy_key(str(k)) or k in _ALIASES for k in mapping):
            return cls({}, _rules(mapping, "policy"))
        return cls(_server_rules(mapping, "servers"))

    def servers(self) -> list[str]:
        """The server names the policy has an entry for (sorted)."""
        return sorted(self._servers)

    def has_server(self, server: str) -> bool:
        """Whether ``server`` has rules (its own, or the one block for every server);
        a server without is denied everything (``deny:unknown-server``)."""
        return self._for(server) is not None

    def _for(self, server: str) -> _Rules | None:
        return self._servers.get(server, self._wildcard)

    def check(self, server: str, tool: str) -> Decision:
        """Whether ``server`` may run ``tool``, and which rule decided."""
        rules = self._for(server)
        if rules is None:
            return Decision(False, "deny:unknown-server")
        if not isinstance(tool, str) or not tool or len(tool) > MAX_TOOL_NAME:
            return Decision(False, "deny:invalid-name")
        if tool in rules.deny_exact:
            return Decision(False, f"deny:exact:{tool}")
        for glob in rules.deny_globs:
            if glob.match(tool):
                return Decision(False, f"deny:glob:{glob.pattern}")
        if tool in rules.allow_exact:
            return Decision(True, f"allow:exact:{tool}")
        namespace = next((p for p in _KIND_PREFIXES if tool.startswith(p)), "")
        for glob in rules.allow_globs:
            if glob.namespace == namespace and glob.match(tool):
                return Decision(True, f"allow:glob:{glob.pattern}")
        return Decision(
            rules.default_allow, "default:allow" if rules.default_allow else "default:deny"
        )

    def code_mode(self, server: str) -> CodeMode:
        """The server's validated ``codeMode`` settings (disabled when absent)."""
        rules = self._for(server)
        return rules.code_mode if rules is not None else CodeMode()

    def __repr__(self) -> str:
        return f"ToolPolicy(servers={self.servers()!r})"


def check_policies(doc: Mapping[str, Any]) -> None:
    """Check the tool-policy keys of every server in a config document.

    Raises :class:`ConfigurationError` naming the JSON path of the first bad policy
    (unknown key, invalid glob, wrong type, bad ``codeMode``); the same checks as
    :meth:`ToolPolicy.from_config`, for every map of servers the document holds.
    """
    for root, servers in iter_server_maps(doc):
        _server_rules(servers, render_path(root))


def _server_rules(servers: Mapping[str, Any], where: str) -> dict[str, _Rules]:
    out = {}
    for name, block in servers.items():
        path = f"{where}.{name}"
        if not isinstance(block, Mapping):
            raise ConfigurationError(f"{path}: a server must be an object")
        out[str(name)] = _rules(block, path)
    return out
