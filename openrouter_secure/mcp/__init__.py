"""Secure a Python MCP server, or run the ready OpenRouter one.

Needs the ``mcp`` extra (``pip install "openrouter-secure[mcp]"``): the official MCP
Python SDK, 2.x. ``import openrouter_secure`` never imports this module.

- :func:`secure` adds a tool policy, per-tool per-client rate limits, result and
  error sanitizing and an audit trail to any ``mcp.server.mcpserver.MCPServer``.
- :func:`confine_path` keeps a path a tool received inside allowed directories.
- :func:`create_server` builds the OpenRouter MCP server that
  ``openrouter-secure serve`` runs.

What they take are small protocols, so your own objects fit too: a :class:`Policy`
(answering a :class:`PolicyDecision`), an :class:`AsyncLimiter` (answering a
:class:`LimitResult`), an :class:`AuditSink`, and for the server a
:class:`ServerClient`.
"""

from __future__ import annotations

try:
    import mcp.server.mcpserver as _sdk  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    from ._sdk import sdk_import_error

    raise sdk_import_error() from exc

from .._files import confine_path
from .._protocols import AsyncLimiter, AuditSink, LimitResult
from ._guard import Guard
from ._secure import secure
from ._server import ServerClient, build_server, create_server
from ._types import (
    RATE_LIMITED,
    TOOL_DENIED,
    ClientIdentity,
    Policy,
    PolicyDecision,
    argument_shape,
    default_identify,
    is_path_argument,
    looks_like_path,
)

__all__ = [
    "RATE_LIMITED",
    "TOOL_DENIED",
    "AsyncLimiter",
    "AuditSink",
    "ClientIdentity",
    "Guard",
    "LimitResult",
    "Policy",
    "PolicyDecision",
    "ServerClient",
    "argument_shape",
    "build_server",
    "confine_path",
    "create_server",
    "default_identify",
    "is_path_argument",
    "looks_like_path",
    "secure",
]
