"""The MCP adapter's interfaces and small helpers: what the guard needs from a tool
policy (:class:`Policy`; the rate limiter and the audit sink it takes are the core's
:class:`~openrouter_secure.limits.AsyncLimiter` and
:class:`~openrouter_secure.mcp.AuditSink`), how it names a client, and how it
describes tool arguments without their content. Imports the ``mcp`` SDK; reached
only through :mod:`openrouter_secure.mcp`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mcp.server.context import ServerRequestContext
from mcp_types import INVALID_PARAMS

from .._protocols import AsyncLimiter, AuditSink, Limiter
from .._sanitize._sanitizer import Sanitizer, default_sanitizer

__all__ = [
    "RATE_LIMITED",
    "TOOL_DENIED",
    "ClientIdentity",
    "Policy",
    "PolicyDecision",
    "argument_shape",
    "default_identify",
    "is_path_argument",
    "looks_like_path",
    "shape_list",
]

#: JSON-RPC code of a refused call. The MCP spec answers an unknown tool with
#: -32602; a denied tool gets the same code (``data.reason`` says ``denied``).
TOOL_DENIED = INVALID_PARAMS
#: JSON-RPC code of a rate-limited call, in the implementation-defined server range
#: (-32000..-32099), chosen to echo HTTP 429 and to avoid the codes the SDK uses.
RATE_LIMITED = -32029

_MAX_NAME = 100
_MAX_KEYS = 32
_MAX_DEPTH = 3


class PolicyDecision(Protocol):
    """What :meth:`Policy.check` answers, such as :class:`~openrouter_secure.config.Decision`:
    whether the request may go, and the rule that decided (written to the audit log,
    e.g. ``"deny:glob:admin.*"``)."""

    @property
    def allowed(self) -> bool: ...
    @property
    def rule(self) -> str: ...


class Policy(Protocol):
    """A tool policy, such as :class:`~openrouter_secure.config.ToolPolicy`: what
    :func:`~openrouter_secure.mcp.secure` takes. ``name`` is a tool's name,
    ``prompt:<name>`` or ``resource:<uri>``."""

    def check(self, server: str, name: str, /) -> PolicyDecision: ...


if TYPE_CHECKING:
    # mypy proves the library's own parts fit the interfaces they are passed to:
    # secure() takes the first three, Budget.sync_from_key_info what key_info() returns.
    from .._client._types import KeyInfo
    from ..audit._log import AuditLog
    from ..config._policy import ToolPolicy
    from ..limits._budget import KeyUsage
    from ..limits._ratelimit import RateLimiter

    def _fits(
        audit: AuditLog, policy: ToolPolicy, limiter: RateLimiter, info: KeyInfo
    ) -> tuple[AuditSink, Policy, AsyncLimiter, Limiter, KeyUsage]:
        return audit, policy, limiter, limiter, info


@dataclass(frozen=True)
class ClientIdentity:
    """``key`` identifies the client for rate limits; ``name`` is its self-declared label."""

    key: str
    name: str | None = None


# A key kept as it is in a shape: a field name, not text (no spaces, bounded).
_FIELD_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,31}")


def _shape_key(key: Any, index: int, hidden: bool, s: Sanitizer) -> str:
    text = str(key)
    if not hidden and _FIELD_KEY.fullmatch(text):
        return s.truncate(text, 64)
    return f"<key {index}: str[{len(text)}]>"


def argument_shape(
    value: Any, sanitizer: Sanitizer | None = None, _depth: int = 0, _hidden: bool = False
) -> Any:
    """The shape of tool arguments for logs: keys and types/lengths, never the content.

    ``{"path": "a.txt", "n": 3}`` becomes ``{"path": "str[5]", "n": "int"}``. A key is
    kept only if it has the form of a field name (a letter or ``_`` then up to 31
    letters, digits, ``_`` or ``-``) and is not nested under a content-named argument
    (``prompt``, ``messages``, ``user_text``...: the audit log's rule); any other key
    is written as its position and length (``<key 0: str[42]>``), since a client may
    use text as a key. Kept keys are sanitized too; at most 32 keys per level, 3
    levels deep.
    """
    from ..audit._log import _is_content_name

    s = sanitizer or default_sanitizer()
    if isinstance(value, Mapping):
        if _depth >= _MAX_DEPTH:
            return f"dict[{len(value)}]"
        out: dict[str, Any] = {}
        for i, (key, item) in enumerate(value.items()):
            if i >= _MAX_KEYS:
                out["..."] = f"{len(value) - _MAX_KEYS} more keys"
                break
            shown = _shape_key(key, i, _hidden, s)
            hide = _hidden or shown != str(key) or _is_content_name(str(key))
            out[shown] = argument_shape(item, s, _depth + 1, hide)
        return out
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return type(value).__name__
    if isinstance(value, (str, bytes, list, tuple)):
        return f"{type(value).__name__}[{len(value)}]"
    return type(value).__name__


def shape_list(arguments: Any, sanitizer: Sanitizer | None = None) -> list[str]:
    """:func:`argument_shape` flattened to ``"name: shape"`` lines, as audit records hold it.

    ``{"prompt": "hello", "opts": {"n": 3}}`` becomes ``["prompt: str[5]", "opts.n: int"]``.
    A list of lines rather than a mapping: the audit log redacts a value kept under a
    content name (``prompt``, ``message``...), which would hide the shape itself.
    """
    lines: list[str] = []

    def walk(shape: Any, prefix: str) -> None:
        if isinstance(shape, dict):
            if not shape and prefix:
                lines.append(f"{prefix}: dict[0]")
            for key, inner in shape.items():
                walk(inner, f"{prefix}.{key}" if prefix else str(key))
        else:
            lines.append(f"{prefix}: {shape}" if prefix else str(shape))

    walk(argument_shape(arguments, sanitizer), "")
    return lines


def _client_label(ctx: ServerRequestContext[Any, Any] | None) -> str | None:
    if ctx is None:
        return None
    params = ctx.session.client_params if ctx.session is not None else None
    info = params.client_info if params is not None else None
    return None if info is None else f"{info.name}/{info.version}"


def default_identify(ctx: ServerRequestContext[Any, Any] | None) -> ClientIdentity:
    """The client key described in the module docstring."""
    from mcp.server.auth.middleware.auth_context import get_access_token

    label = _client_label(ctx)
    token = get_access_token()
    if token is not None:
        return ClientIdentity(f"auth:{token.client_id}", label)
    request = ctx.request if ctx is not None else None
    # The session id the transport issued and routes on (None on stateless HTTP),
    # never the Mcp-Session-Id header: a stateless server checks no header, so a
    # client could send a fresh one per request and get a fresh bucket each time.
    connection = getattr(ctx.session, "_connection", None) if ctx is not None else None
    session_id = getattr(connection, "session_id", None)
    if isinstance(session_id, str) and session_id:
        return ClientIdentity(f"session:{str(session_id)[:128]}", label)
    peer = getattr(getattr(request, "client", None), "host", None)
    if peer:
        # Stateless HTTP: the peer address. Behind a reverse proxy that is the proxy,
        # so every client shares one bucket; pass identify= to key on something better.
        return ClientIdentity(f"http:{peer}", label)
    return ClientIdentity("local", label)


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_PATH_NAME = re.compile(
    r"(?:^|_)(?:path|file|filename|filepath|pathname|dir|dirname|directory|folder|dest|"
    r"destination)s?$|(?:^|_)directories$|(?:^|_)(?:file|dir|path|folder)_names?$"
)
# A string that is a path however the argument is named: absolute (POSIX, Windows
# drive or UNC), home-relative, explicitly relative, a file: URL, or holding a '..'
# segment.
_PATH_SHAPED = re.compile(
    r"^(?:/|\\\\|[A-Za-z]:[\\/]|~|\.{1,2}(?:[\\/]|$)|(?i:file):)|(?:^|[\\/])\.\.(?:[\\/]|$)"
)


def is_path_argument(name: str) -> bool:
    """Whether a tool argument's name says it holds a file path (``path``, ``file_name``,
    ``fileName``, ``pathname``, ``dest``, ``outputDir``, ``source_paths``...).
    ``secure(allowed_roots=...)`` confines those and hands the tool the resolved path."""
    return bool(_PATH_NAME.search(_CAMEL.sub(r"_\1", name).lower()))


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def looks_like_path(value: str) -> bool:
    """Whether a string is a file path by its form alone: absolute (POSIX, a Windows
    drive or UNC share), starting with ``~``, ``./`` or ``../``, a ``file:`` URL (of
    any case), or holding a ``..`` segment (a URL of another scheme is not a path). What
    ``secure(allowed_roots=...)`` checks in arguments whatever their name."""
    if _URL.match(value) and not value.lower().startswith("file:"):
        return False
    return bool(_PATH_SHAPED.search(value))
