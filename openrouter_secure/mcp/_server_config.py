"""Settings of the ready OpenRouter MCP server (``openrouter-secure serve``).

The config file is an MCP-style document that passes
:func:`~openrouter_secure.config._load.validate_config` (so it cannot hold a key), with
three parts, all optional::

    {
      "mcpServers": {                        # the tool policy (see _policy), by server name
        "openrouter": {"allowedTools": ["chat_with_model", "list_models"],
                       "default": "deny"}
      },
      "openrouter": {                        # how to reach OpenRouter
        "apiKey": "keyring://openrouter-secure/api-key",   # a reference, never a key
        "baseUrl": "https://openrouter.ai/api/v1",
        "appTitle": "my-agent", "appUrl": "https://example.org"
      },
      "serve": {                             # the MCP server itself
        "name": "openrouter",
        "rateLimit": "30/minute",            # per tool and per client
        "toolRateLimits": {"chat_with_model": "5/minute"},
        "rateLimitStorage": "memory://",     # or redis://... (a reference if it has a password)
        "auditLog": "~/.local/state/openrouter-secure/mcp-audit.jsonl",
        "logArguments": false,
        "allowedModels": ["openai/*", "anthropic/*"],
        "maxTokens": 4096,
        "resultsDir": "~/openrouter-benchmarks",
        "http": {"host": "127.0.0.1", "port": 8765, "path": "/mcp",
                 "bearerToken": "env://MCP_BEARER_TOKEN"}
      }
    }

A reference is written bare (``env://OPENROUTER_API_KEY``) or as ``${secret:REF}``;
``${env:VAR}`` means ``env://VAR``. Without ``mcpServers`` every tool is allowed
(a warning is logged); with it, a server name the policy does not list gets no tool.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exceptions import ConfigurationError
from .._net import DEFAULT_BASE_URL
from .._refs import SecretRef

if TYPE_CHECKING:
    from ..limits._ratelimit import RateLimiter

__all__ = ["HttpSettings", "ServeSettings", "load_settings", "parse_reference", "rate_limiters"]

_OPENROUTER_KEYS = {"apiKey", "baseUrl", "allowInsecureLoopback", "appTitle", "appUrl"}
_SERVE_KEYS = {
    "name",
    "rateLimit",
    "toolRateLimits",
    "rateLimitStorage",
    "auditLog",
    "logArguments",
    "allowedModels",
    "maxTokens",
    "resultsDir",
    "http",
}
_HTTP_KEYS = {"host", "port", "path", "bearerToken"}


@dataclass(frozen=True)
class HttpSettings:
    """Streamable HTTP: where to listen, and the reference of the bearer token clients send."""

    host: str = "127.0.0.1"
    port: int = 8765
    path: str = "/mcp"
    bearer_token: str | None = None


@dataclass(frozen=True)
class ServeSettings:
    """Everything ``create_server`` needs, parsed and checked; references stay references."""

    name: str = "openrouter"
    api_key: str = "env://OPENROUTER_API_KEY"
    base_url: str = DEFAULT_BASE_URL
    allow_insecure_loopback: bool = False
    app_title: str | None = None
    app_url: str | None = None
    rate_limit: str | None = None
    tool_rate_limits: dict[str, str] = field(default_factory=dict)
    rate_limit_storage: str = "memory://"
    audit_log: Path | None = None
    log_arguments: bool = False
    allowed_models: tuple[str, ...] = ()
    max_tokens: int = 4096
    results_dir: Path | None = None
    http: HttpSettings = field(default_factory=HttpSettings)
    policy: Mapping[str, Any] | None = None


def parse_reference(value: object, where: str) -> str:
    """A secret reference from ``REF``, ``${secret:REF}`` or ``${env:VAR}``; never a value."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{where}: must be a secret reference such as env://NAME")
    text = value.strip()
    if text.startswith("${secret:") and text.endswith("}"):
        text = text[len("${secret:") : -1]
    elif text.startswith("${env:") and text.endswith("}"):
        text = "env://" + text[len("${env:") : -1]
    if "://" not in text:
        raise ConfigurationError(
            f"{where}: must be a secret reference such as env://OPENROUTER_API_KEY or "
            "keyring://openrouter-secure/api-key, not a value"
        )
    return str(SecretRef.parse(text))


def _block(doc: Mapping[str, Any], key: str, known: set[str]) -> Mapping[str, Any]:
    block = doc.get(key, {})
    if not isinstance(block, Mapping):
        raise ConfigurationError(f"{key}: must be an object")
    for name in block:
        if name not in known:
            close = difflib.get_close_matches(str(name), sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(
                f"{key}.{name}: unknown setting{hint} (known: {', '.join(sorted(known))})"
            )
    return block


def _typed(block: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = block.get(key)
    if value is None:
        return None
    # bool is an int to Python, never to a config file.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigurationError(f"{where}.{key}: must be of type {kind.__name__}")
    return value


def _path(value: object, where: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{where}: must be a path")
    return Path(os.path.expanduser(value))


def settings_from_document(doc: Mapping[str, Any]) -> ServeSettings:
    """Parse an already validated document (see the module docstring)."""
    orouter = _block(doc, "openrouter", _OPENROUTER_KEYS)
    serve = _block(doc, "serve", _SERVE_KEYS)
    http = _block(serve, "http", _HTTP_KEYS) if "http" in serve else {}
    tool_limits = _typed(serve, "toolRateLimits", Mapping, "serve") or {}
    if not all(isinstance(v, str) for v in tool_limits.values()):
        raise ConfigurationError("serve.toolRateLimits: each value must be like '10/minute'")
    models = _typed(serve, "allowedModels", list, "serve") or []
    if not all(isinstance(m, str) and m for m in models):
        raise ConfigurationError("serve.allowedModels: must be a list of model ids or globs")
    max_tokens = _typed(serve, "maxTokens", int, "serve")
    if max_tokens is not None and max_tokens < 1:
        raise ConfigurationError("serve.maxTokens: must be a positive integer")
    port = _typed(http, "port", int, "serve.http")
    if port is not None and not 0 <= port < 65536:
        raise ConfigurationError("serve.http.port: must be a TCP port number")
    storage = serve.get("rateLimitStorage", "memory://")
    if not isinstance(storage, str):
        raise ConfigurationError("serve.rateLimitStorage: must be a URL or a secret reference")
    return ServeSettings(
        name=_typed(serve, "name", str, "serve") or "openrouter",
        api_key=parse_reference(
            orouter.get("apiKey", "env://OPENROUTER_API_KEY"), "openrouter.apiKey"
        ),
        base_url=_typed(orouter, "baseUrl", str, "openrouter") or DEFAULT_BASE_URL,
        allow_insecure_loopback=bool(
            _typed(orouter, "allowInsecureLoopback", bool, "openrouter") or False
        ),
        app_title=_typed(orouter, "appTitle", str, "openrouter"),
        app_url=_typed(orouter, "appUrl", str, "openrouter"),
        rate_limit=_typed(serve, "rateLimit", str, "serve"),
        tool_rate_limits={str(k): v for k, v in tool_limits.items()},
        rate_limit_storage=storage,
        audit_log=_path(serve.get("auditLog"), "serve.auditLog"),
        log_arguments=bool(_typed(serve, "logArguments", bool, "serve") or False),
        allowed_models=tuple(models),
        max_tokens=max_tokens or 4096,
        results_dir=_path(serve.get("resultsDir"), "serve.resultsDir"),
        http=HttpSettings(
            host=_typed(http, "host", str, "serve.http") or "127.0.0.1",
            port=8765 if port is None else port,
            path=_typed(http, "path", str, "serve.http") or "/mcp",
            bearer_token=None
            if http.get("bearerToken") is None
            else parse_reference(http["bearerToken"], "serve.http.bearerToken"),
        ),
        policy=doc if "mcpServers" in doc else None,
    )


def load_settings(config: str | os.PathLike[str] | Mapping[str, Any] | None) -> ServeSettings:
    """Settings from a config file (loaded and checked by ``load_config``), a mapping
    (checked by ``validate_config``) or ``None`` (defaults: every tool, no limits)."""
    from ..config._load import load_config, validate_config

    if config is None:
        return ServeSettings()
    if isinstance(config, Mapping):
        validate_config(config)
        return settings_from_document(config)
    return settings_from_document(load_config(config))


def rate_limiters(
    settings: ServeSettings,
    *,
    rate_limit: str | None = None,
    storage: str | None = None,
) -> dict[str, RateLimiter] | None:
    """The limiters ``serve.rateLimit`` (as ``"*"``) and ``serve.toolRateLimits`` (by
    name or glob) describe, in ``serve.rateLimitStorage``; ``rate_limit`` and ``storage``
    override the file's. None when no limit is set."""
    from ..limits._ratelimit import RateLimiter

    overall = rate_limit or settings.rate_limit
    if not overall and not settings.tool_rate_limits:
        return None
    where = storage or settings.rate_limit_storage
    limits: dict[str, RateLimiter] = {
        name: RateLimiter(limit, storage=where) for name, limit in settings.tool_rate_limits.items()
    }
    if overall:
        limits["*"] = RateLimiter(overall, storage=where)
    return limits
