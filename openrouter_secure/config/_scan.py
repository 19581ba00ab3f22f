"""Find literal secrets anywhere in a parsed config document.

Four rules, each reported with the JSON path and never the value:

``secret-value:<rule>``
    the Sanitizer recognises a secret in a string (``<rule>`` is the Sanitizer's rule);
``secret-key-literal``
    a non-reference literal under a secret-looking name: a mapping key
    (``OPENROUTER_API_KEY``, ``Authorization``), the flag before a command-line
    argument (``--api-key VALUE``, ``--token=VALUE``), or the ``name`` of a
    ``{"name": ..., "value": ...}`` pair;
``url-credentials``
    a URL with a password (``https://user:pass@host``) or a long token as its user;
``url-secret-param``
    a URL whose query or fragment carries a secret-looking param (``?key=``, ``&token=``).

A value is a *reference*, not a literal, when it is made only of ``${...}``
placeholders (plus an auth scheme such as ``Bearer``), a bare secret reference whose
scheme is a registered backend (``keyring://svc/user``), a file path, or an obvious
placeholder such as ``<your-key>``, or a short number. Keys ending in a pointer or
setting word (``..._FILE``, ``...Path``, ``..._NAME``, ``..._ID``, ``..._URL``,
``..._PROVIDER``, ``..._TIMEOUT``, ``..._COUNT``, ...) name where a secret is or how it is
used, not the secret, and are not checked by name (the Sanitizer still checks their
values).
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .._exceptions import ConfigurationError
from .._refs import SecretRef
from .._registry import backend_names
from .._sanitize._names import decode_param_name, is_secret_param
from .._sanitize._sanitizer import default_sanitizer, is_secret_field
from ._interpolate import Literal, Part, Placeholder, parse_template

__all__ = [
    "ConfigFinding",
    "Hit",
    "is_credential_name",
    "iter_server_maps",
    "render_path",
    "scan_document",
]

Segment = str | int

MAX_DEPTH = 200
SERVER_MAP_KEYS = ("mcpServers", "mcp_servers", "context_servers", "servers")
_POINTER = re.compile(
    r"(?:^|[_\-.\s]|(?<=[a-z])(?=[A-Z]))"
    r"(?:file|path|dir|directory|env|var|name|id|url|uri|endpoint|type|mode|header|helper|"
    r"command|cmd|ref|reference|region|format|scheme|location|store|backend|provider|method|"
    r"strategy|scope|audience|issuer|algorithm|ttl|expiry|expires|timeout|enabled|required|"
    r"length|count|limit|version|kind|source|host|port|prefix|suffix|policy|rotation)s?$",
    re.I,
)
_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s\"'<>`]+")
_AUTH_SCHEME = re.compile(r"(?i)(?:bearer|basic|token|bot|apikey|key|digest)(?:\s+|$)")
_BENIGN_WORDS = frozenset(
    {
        "none", "null", "oauth", "oauth2", "bearer", "basic", "true", "false", "yes", "no",
        "required", "optional", "disabled", "enabled", "auto", "env", "keyring", "header",
        "query", "inherit", "default", "prompt", "ask", "off", "on",
    }
)  # fmt: skip
_PLACEHOLDER = re.compile(r"[xX*.\-_]+")
# ``<your-key>``, ``{{API_KEY}}``: a bracketed name, its words read as words (not
# ``<random run>``).
_BRACKETED = re.compile(r"<([^<>]*)>|\{\{([^{}]*)\}\}")
_PLACEHOLDER_WORD = re.compile(
    r"(?i)your|replace|insert|paste|example|placeholder|dummy|changeme|change|here|todo|fixme"
)
_FILLER_SPLIT = re.compile(r"[_\-\s.:/]+")
# A word of a placeholder: letters in one case pattern (``your``, ``API``, ``Key``), not a
# random run (``Xk9f...``, ``qZt...``) glued to a placeholder word.
_FILLER_WORD = re.compile(
    r"(?:[a-z0-9]{1,3}|[A-Z0-9]{1,3}|[A-Z][a-z0-9]{1,2})"
    r"|(?=(?i:.*[aeiouy]))(?!(?i:.*[b-df-hj-np-tv-xz]{4}))"
    r"(?:[a-z]{4,12}|[A-Z]{4,12}|[A-Z][a-z]{3,11})"
    r"|x+|X+|\*+"
)
_FILE_PATH = re.compile(r"(?:~|\.{1,2})?[/\\][^\s]*|[A-Za-z]:[/\\][^\s]*")
_NON_URL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file", "ssh", "git"})
_WORD = re.compile(r"[A-Za-z0-9]")
_HAS_DIGIT = re.compile(r"\d")
# A shell or Windows variable: ``$NAME`` only in the UPPER_CASE that environment
# variables use (``$ecretP4ss`` is a password, not a variable), ``${name}`` in braces,
# ``%NAME%``.
_SHELL_VAR = re.compile(r"\$(?:[A-Z_][A-Z0-9_]*|\{[A-Za-z_]\w*\})[)\]]*|%[A-Za-z_]\w*%")
# A path segment that reads like random text (many case or letter/digit changes), as in
# an AWS secret key that starts with "/": then the value is a key, not a path.
_SWITCHES = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])"
)
_INLINE_FLAG = re.compile(
    r"(?:^|\s)(?P<name>--?[A-Za-z][\w-]*)(?:=|\s+)(?P<value>[^\s\"'-][^\s\"']*)"
)
# Under a secret name, a number of this many digits or more is a secret (a PIN is 4).
_MIN_NUMERIC_SECRET = 4
# ``Bearer <token>`` / ``Token <token>`` is a credential whatever the name it sits under.
_AUTH_VALUE = re.compile(
    r"(?i)(?:^|(?<=[\s:'\"=]))(?P<scheme>bearer|token|basic)\s+(?P<value>[^\s\"',;]{8,})"
)
_INLINE_ASSIGN = re.compile(r"(?:^|[\s;])(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^\s;\"']+)")


def _is_text(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 text with no control characters but blanks."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in " \t\r\n" for c in text)


@dataclass(frozen=True)
class ConfigFinding:
    """One problem in a config: where (a JSON path), which rule, and what to write instead.

    ``path`` is like ``mcpServers.openrouter.env.OPENROUTER_API_KEY`` (``args[3]`` for
    list items, ``["a.b"]`` for keys that are not plain words, ``[<redacted>]`` for a key
    that is itself a secret, ``""`` for the file as a whole). ``severity`` is ``"error"``
    (the config is refused) or ``"warning"``. Never holds the value.
    """

    path: str
    rule: str
    suggestion: str = ""
    severity: str = "error"
    message: str = ""

    def __post_init__(self) -> None:
        # Every text a finding carries goes through the Sanitizer, wherever the finding
        # was built: a server name, a key or a reference path made from one may be a key.
        sanitizer = default_sanitizer()
        for attr in ("path", "suggestion", "message"):
            text = getattr(self, attr)
            if text and sanitizer.find(text):
                object.__setattr__(self, attr, sanitizer.sanitize(text))

    def __str__(self) -> str:
        where = self.path or "(file)"
        text = f"{where}: {self.rule}"
        if self.message:
            text += f" ({self.message})"
        if self.suggestion:
            text += f"; use {self.suggestion}"
        return text


@dataclass(frozen=True)
class Hit:
    """A finding plus what a fixer needs: the raw path segments and the span of the value.

    ``line`` is set for text found outside the parsed values (a comment, a dropped
    duplicate entry). ``value`` is the offending text, kept only to match it against an
    allow-list; it is never shown (``repr=False``) and never leaves the scan.
    """

    finding: ConfigFinding
    segments: tuple[Segment, ...]
    span: tuple[int, int] | None
    server: str | None
    slug: str
    line: int | None = None
    value: str | None = field(default=None, repr=False, compare=False)


def render_path(segments: tuple[Segment, ...], redacted: frozenset[int] = frozenset()) -> str:
    """``mcpServers.x.args[2]``; segments whose index is in ``redacted`` show ``[<redacted>]``."""
    out = ""
    for i, seg in enumerate(segments):
        if i in redacted or (isinstance(seg, str) and _unsafe_text(seg)):
            out += "[<redacted>]"
        elif isinstance(seg, int):
            out += f"[{seg}]"
        elif _SAFE_SEGMENT.fullmatch(seg):
            out += ("." if out else "") + seg
        else:
            escaped = seg.replace("\\", "\\\\").replace('"', '\\"')
            out += f'["{escaped}"]'
    return out


def _unsafe_text(text: str) -> bool:
    """Whether ``text`` (a key, a server name) holds something the Sanitizer masks, as
    written or as a slug would spell it."""
    sanitizer = default_sanitizer()
    return bool(sanitizer.find(text)) or bool(sanitizer.find(_slug(text)))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:80] or "secret"


def suggestion_for(slug: str) -> str:
    return "${secret:keyring://openrouter-secure/" + slug + "}"


@functools.lru_cache(maxsize=4096)
def is_credential_name(name: str) -> bool:
    """Whether the value under a config name is a credential itself, so a literal there
    is a plaintext secret and a resolved value becomes a :class:`~openrouter_secure.Secret`.

    ``name`` is a mapping key, an environment variable, a URL query param or a
    command-line flag (leading dashes ignored). A name the sanitizer masks
    (:func:`~openrouter_secure._sanitize._sanitizer.is_secret_field`) unless it ends in
    a pointer or setting word: ``OPENROUTER_API_KEY``, ``--api-key``, ``Authorization``
    are; ``API_KEY_FILE``, ``tokenPath``, ``SECRET_NAME``, ``AUTH_PROVIDER`` are not
    (they say where a secret is or how it is used).
    """
    bare = name.lstrip("-")
    if not bare or _POINTER.search(bare):
        return False
    return is_secret_field(bare) or any(
        _COMPOUND.fullmatch(seg) for seg in _NAME_SEGMENTS.split(bare) if seg
    )


# Names whose words run together (``APITOKEN``, ``DBPASSWORD``, ``AWS_SECRETACCESSKEY``,
# ``MASTERKEY``): one segment that is, or ends in, a credential word. "key" and "pass"
# count only after a word that makes them a credential (``signingkey``, ``dbpass``), so
# ``monkey``, ``keyboard``, ``turkey``, ``bypass``, ``compass`` are not secret names;
# "token" only at the end (``tokenizer``, ``max_tokens`` are not).
_NAME_SEGMENTS = re.compile(r"[_\-.\s:/]+|(?<=[a-z])(?=[A-Z])")
_COMPOUND = re.compile(
    r"(?i)[a-z0-9]*(?:password|passwd|passphrase|passcode|secret|token|credentials?)"
    r"|[a-z0-9]*(?:api|access|secret|private|master|signing|encryption|decryption|crypt|"
    r"auth|session|client|app|shared|hmac|jwt|root|admin|service|account|license|webhook|"
    r"cookie|bot|deploy|ssh|gpg|pgp|subscription|consumer|user|storage)_?keys?"
    r"|(?:db|root|admin|user|sql|mysql|pg|postgres|redis|mail|smtp|ftp|ldap|wifi|proxy)"
    r"(?:pass|pwd|pw)"
    r"|pin|pincode"
)


def iter_server_maps(
    doc: object,
) -> Iterator[tuple[tuple[Segment, ...], Mapping[str, object]]]:
    """Every map of MCP servers in ``doc``: top level and Claude Code's ``projects.*``."""
    if not isinstance(doc, Mapping):
        return
    for key in SERVER_MAP_KEYS:
        servers = doc.get(key)
        if isinstance(servers, Mapping) and (key != "servers" or _looks_like_servers(servers)):
            yield (key,), servers
    projects = doc.get("projects")
    if isinstance(projects, Mapping):
        for name, project in projects.items():
            if isinstance(project, Mapping):
                servers = project.get("mcpServers")
                if isinstance(servers, Mapping):
                    yield ("projects", str(name), "mcpServers"), servers


def _looks_like_servers(servers: Mapping[str, object]) -> bool:
    # VS Code's mcp.json calls the map "servers"; elsewhere the word may mean anything.
    return all(
        isinstance(v, Mapping) and ({"command", "url", "type"} & set(v)) for v in servers.values()
    )


class _Scanner:
    def __init__(self, *, strict_syntax: bool, reference_schemes: frozenset[str]) -> None:
        self.strict_syntax = strict_syntax
        self.schemes = reference_schemes
        self.sanitizer = default_sanitizer()
        self.hits: list[Hit] = []
        self.slugs: set[str] = set()
        self.server_roots: dict[tuple[Segment, ...], None] = {}

    # -- walking ---------------------------------------------------------------
    def walk(self, obj: object, segs: tuple[Segment, ...], key: str | None) -> None:
        if len(segs) > MAX_DEPTH:
            raise ConfigurationError(
                f"{render_path(segs[:8])}...: nested more than {MAX_DEPTH} levels deep"
            )
        if isinstance(obj, Mapping):
            pair_name = obj.get("name", obj.get("key"))
            for k, v in obj.items():
                name = str(k)
                child = (*segs, name)
                if self.sanitizer.find(name):
                    self._add(child, "secret-value:in-key-name", None, redact_last=True, value=name)
                ctx = name
                if name == "value" and isinstance(pair_name, str):
                    ctx = pair_name
                self.walk(v, child, ctx)
        elif isinstance(obj, (list, tuple)):
            previous: object = None
            for i, item in enumerate(obj):
                item_key: str | None = key
                if isinstance(previous, str) and previous.startswith("-") and "=" not in previous:
                    item_key = previous
                elif key is not None and key.lower() in {"args", "arguments", "argv"}:
                    item_key = None
                if isinstance(item, str) and item.startswith("-") and "=" in item:
                    flag, _, _ = item.partition("=")
                    self.string(item, (*segs, i), flag, offset=len(flag) + 1)
                else:
                    self.walk(item, (*segs, i), item_key)
                previous = item
        elif isinstance(obj, str):
            self.string(obj, segs, key)
        elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
            # ``password: 8374920193`` parses as a number: under a secret name or flag it
            # is judged as the text it was written as (not fixable in place).
            if key is not None and is_credential_name(key):
                before = len(self.hits)
                self.string(_number_text(obj), segs, key)
                self.hits[before:] = [
                    Hit(h.finding, h.segments, None, h.server, h.slug, h.line, h.value)
                    for h in self.hits[before:]
                ]
        elif isinstance(obj, (bytes, bytearray)):
            # YAML's !!binary: checked as the text it decodes to (not fixable in place);
            # bytes that are no text are a literal under a secret's name, whatever they
            # open with (a random key's bytes may read as ``/...``, a path)
            before = len(self.hits)
            text = bytes(obj).decode("utf-8", "replace")
            if key is not None and is_credential_name(key) and not _is_text(bytes(obj)):
                self._add(segs, "secret-key-literal", None, key=key, value=text)
            else:
                self.string(text, segs, key)
            self.hits[before:] = [
                Hit(h.finding, h.segments, None, h.server, h.slug, h.line, h.value)
                for h in self.hits[before:]
            ]

    def _in_server(self, segs: tuple[Segment, ...]) -> str | None:
        for root in self.server_roots:
            if len(segs) > len(root) and segs[: len(root)] == root:
                return str(segs[len(root)])
        return None

    # -- one string --------------------------------------------------------------
    def string(
        self, text: str, segs: tuple[Segment, ...], key: str | None, offset: int = 0
    ) -> None:
        value = text[offset:]
        parts = self._parts(value, segs)
        masked = _mask_placeholders(value, parts)
        before = len(self.hits)
        for part in parts:
            if isinstance(part, Literal):
                raw = value[part.start : part.end]
                for f in self.sanitizer.find(raw):
                    span = (offset + part.start + f.start, offset + part.start + f.end)
                    self._add(
                        segs, f"secret-value:{f.rule}", span, key=key, value=raw[f.start : f.end]
                    )
            elif self.sanitizer.find(part.name):
                # A key pasted as the reference or variable name is still in the file.
                self._add(segs, "secret-value:in-reference", None, key=key, value=part.name)
            elif part.default:
                # ${VAR:-fallback}: the fallback is a literal too (not fixable in place).
                if self.sanitizer.find(part.default):
                    self._add(segs, "secret-value:in-fallback", None, key=key, value=part.default)
                elif key is not None and is_credential_name(key) and not self._benign(part.default):
                    self._add(segs, "secret-key-literal", None, key=key, value=part.default)
        if len(self.hits) > before:
            return
        self._urls(masked, segs, key, offset)
        self._inline(masked, segs, offset)
        self._auth_values(masked, segs, key, offset)
        if len(self.hits) > before:
            return
        if key is not None and is_credential_name(key):
            found = self._literal_span(value, parts)
            if found is not None:
                fixable = not any(isinstance(p, Placeholder) for p in parts)
                self._add(
                    segs,
                    "secret-key-literal",
                    (offset + found[0], offset + found[1]) if fixable else None,
                    key=key,
                    value=value[found[0] : found[1]],
                )

    def _parts(self, value: str, segs: tuple[Segment, ...]) -> list[Part]:
        try:
            return parse_template(value, render_path(segs))
        except ConfigurationError:
            if self.strict_syntax and self._in_server(segs) is not None:
                raise
            return [Literal(value, 0, len(value))]

    def _literal_span(self, value: str, parts: list[Part]) -> tuple[int, int] | None:
        """The span of the literal part that would be a secret, or None when it is a reference."""
        literals = [p for p in parts if isinstance(p, Literal)]
        if not literals:
            return None
        if len(parts) > 1:
            rest = "".join(p.text for p in literals)
            rest = rest.strip()
            scheme_word = _AUTH_SCHEME.match(rest)
            rest = rest[scheme_word.end() :] if scheme_word else rest
            return (0, len(value)) if _WORD.search(rest) else None
        start = 0
        scheme = _AUTH_SCHEME.match(value)
        if scheme and scheme.end() < len(value):
            start = scheme.end()
        core = value[start:].strip()
        if self._benign(core):
            return None
        lead = value.index(core, start)
        return (lead, lead + len(core))

    def _benign(self, core: str) -> bool:
        if not core or core.lower() in _BENIGN_WORDS or _PLACEHOLDER.fullmatch(core):
            return True
        if _is_placeholder_text(core):
            return True
        if core.isdigit() and len(core) < _MIN_NUMERIC_SECRET:  # a flag such as 0 or 1
            return True
        if _SHELL_VAR.fullmatch(core):
            return True
        if _FILE_PATH.fullmatch(core):
            return _path_like(core)
        if "://" in core:
            try:
                ref = SecretRef.parse(core)
            except ConfigurationError:
                return False
            return ref.backend in self.schemes and ref.backend not in _NON_URL_SCHEMES
        return False

    def _urls(self, masked: str, segs: tuple[Segment, ...], key: str | None, offset: int) -> None:
        for match in _URL.finditer(masked):
            url = match.group(0)
            base = match.start()
            rest = url.split("://", 1)[1]
            authority_end = min((i for i in (rest.find(c) for c in "/?#") if i != -1), default=-1)
            authority = rest if authority_end == -1 else rest[:authority_end]
            at = authority.rfind("@")
            auth_start = base + url.index("://") + 3
            if at != -1:
                userinfo = authority[:at]
                user, sep, password = userinfo.partition(":")
                if sep and password and "\0" not in password:
                    s = auth_start + len(user) + 1
                    span = (offset + s, offset + s + len(password))
                    self._add(
                        segs, "url-credentials", span, key, leaf="url-password", value=password
                    )
                elif not sep and len(user) >= 20 and "\0" not in user:
                    span = (offset + auth_start, offset + auth_start + at)
                    self._add(segs, "url-credentials", span, key, leaf="url-user", value=user)
            for sep_char in "?#":
                idx = url.find(sep_char)
                if idx == -1:
                    continue
                end = url.find("#", idx + 1) if sep_char == "?" else len(url)
                query = url[idx + 1 : end if end != -1 else len(url)]
                pos = base + idx + 1
                for pair in query.split("&"):
                    name, eq, val = pair.partition("=")
                    # Judged decoded, as the server reads it: ``api%5Fkey`` is ``api_key``.
                    secretish = is_secret_param(name) or is_credential_name(decode_param_name(name))
                    if eq and val and "\0" not in val and secretish:
                        s = pos + len(name) + 1
                        span = (offset + s, offset + s + len(val))
                        self._add(segs, "url-secret-param", span, key, leaf=name, value=val)
                    pos += len(pair) + 1

    def _inline(self, masked: str, segs: tuple[Segment, ...], offset: int) -> None:
        """``--api-key VALUE``/``--token=VALUE`` and ``NAME=VALUE`` inside one string
        (a shell command line, ``docker run -e GITHUB_TOKEN=...``)."""
        for pattern in (_INLINE_FLAG, _INLINE_ASSIGN):
            for m in pattern.finditer(masked):
                name, value = m.group("name"), m.group("value")
                if "\0" in value or not is_credential_name(name) or self._benign(value):
                    continue
                span = (offset + m.start("value"), offset + m.end("value"))
                self._add(segs, "secret-key-literal", span, name, value=value)

    def _auth_values(
        self, masked: str, segs: tuple[Segment, ...], key: str | None, offset: int
    ) -> None:
        """``Bearer <token>`` / ``Token <token>`` / ``Basic <b64>``: an Authorization
        value under any name (``X-Upstream``, an argument), not only a secret-looking one.
        ``Token`` starts many sentences, so it counts only as the whole value or when
        its word holds a digit."""
        if key is not None and is_credential_name(key):
            return  # the name check below judges it with its scheme taken off
        for m in _AUTH_VALUE.finditer(masked):
            value = m.group("value")
            if "\0" in value or self._benign(value):
                continue
            whole = m.start() == 0 and m.end() == len(masked.rstrip())
            scheme = m.group("scheme").lower()
            credential_shaped = _HAS_DIGIT.search(value) or (
                scheme == "basic" and _is_basic_pair(value)
            )
            if scheme != "bearer" and not whole and not credential_shaped:
                continue
            span = (offset + m.start("value"), offset + m.end("value"))
            self._add(segs, "secret-key-literal", span, key, value=value)

    # -- recording -----------------------------------------------------------------
    def _add(
        self,
        segs: tuple[Segment, ...],
        rule: str,
        span: tuple[int, int] | None,
        key: str | None = None,
        *,
        redact_last: bool = False,
        leaf: str | None = None,
        value: str | None = None,
    ) -> None:
        redacted = frozenset({len(segs) - 1}) if redact_last else frozenset()
        redacted |= frozenset(
            i for i, s in enumerate(segs) if isinstance(s, str) and self.sanitizer.find(s)
        )
        server = self._in_server(segs)
        if leaf is None:
            leaf = (key or "").lstrip("-") or (str(segs[-1]) if segs and not redact_last else "")
        # The slug becomes a keychain entry name and a reference path: never a key.
        if server is not None and _unsafe_text(server):
            server = "server"
            redacted |= frozenset(i for i, s in enumerate(segs) if s == self._in_server(segs))
        if leaf and _unsafe_text(leaf):
            leaf = "secret"
        if server is not None and server != leaf:
            slug = _slug(f"{server}.{leaf}" if leaf else server)
        else:
            slug = _slug(".".join(str(s) for i, s in enumerate(segs) if i not in redacted))
        if any(i in redacted for i in range(len(segs))):
            slug = _slug(f"{server or 'config'}.secret")
        if _unsafe_text(slug):
            slug = "secret"
        base, n = slug, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        finding = ConfigFinding(
            path=render_path(segs, redacted),
            rule=rule,
            suggestion=suggestion_for(slug),
            message=_MESSAGES.get(rule.split(":", 1)[0], ""),
        )
        self.hits.append(
            Hit(finding, segs, None if redact_last else span, server, slug, value=value)
        )


def _is_basic_pair(value: str) -> bool:
    """Whether ``value`` is base64 of ``user:password`` (HTTP Basic credentials)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except ValueError:
        return False
    return b":" in decoded


def _number_text(number: int | float) -> str:
    """The digits of a number as written (``1.5e3`` keeps its digits, not its sign)."""
    return repr(number).lstrip("-")


def _is_placeholder_text(core: str) -> bool:
    """Whether ``core`` is an obvious placeholder as a whole (``YOUR_API_KEY_HERE``,
    ``"changeme"``, ``[replace-with-your-token]``, ``<api key>``): once quotes and
    brackets are taken off, only words of letters, at least one of them a placeholder
    word unless the whole is in ``<...>`` or ``{{...}}``. A random run
    glued to such a word (``changeme-<password>``, ``<token>-your-api-key``) is a
    credential, not a placeholder."""
    bracketed = _BRACKETED.fullmatch(core.strip())
    inner = core.strip("\"'`[](){}<> ")
    words = [w for w in _FILLER_SPLIT.split(inner) if w]
    return (
        bool(words)
        and all(_FILLER_WORD.fullmatch(w) for w in words)
        and (bracketed is not None or any(_PLACEHOLDER_WORD.fullmatch(w) for w in words))
    )


def _path_like(text: str) -> bool:
    """Whether a ``/``-shaped value reads as a path rather than a key: no ``+`` or
    trailing ``=`` (base64), and no segment that switches case or letters/digits four
    times or more (``/run/secrets/api_key`` is a path; ``/wJalrXUtnFEMI/K7MDENG/...``
    is not)."""
    if "+" in text or text.endswith("="):
        return False
    return all(len(_SWITCHES.findall(seg)) < 4 for seg in re.split(r"[/\\]", text))


_MESSAGES = {
    "secret-value": "a key or token in plain text",
    "secret-key-literal": "a plain-text value under a secret name",
    "url-credentials": "a URL with a password or token in it",
    "url-secret-param": "a URL with a key in its query string",
}


def _mask_placeholders(value: str, parts: list[Part]) -> str:
    chars = list(value)
    for p in parts:
        if isinstance(p, Placeholder):
            chars[p.start : p.end] = "\0" * (p.end - p.start)
    return "".join(chars)


def scan_document(doc: object, *, strict_syntax: bool = True) -> list[Hit]:
    """Every literal secret in ``doc``. Raises :class:`ConfigurationError` for a malformed
    ``${...}`` inside a server entry when ``strict_syntax`` (the doctor passes False)."""
    scanner = _Scanner(strict_syntax=strict_syntax, reference_schemes=backend_names())
    for root, _ in iter_server_maps(doc):
        scanner.server_roots[root] = None
    scanner.walk(doc, (), None)
    return scanner.hits
