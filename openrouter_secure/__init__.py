"""openrouter-secure: keep LLM API keys and users' prompts out of config files, logs,
error messages and saved results.

The top level holds the core: :class:`Secret` and secret references, resolving them
through the registered backends, the :class:`Sanitizer` and its logging helpers, the
OpenRouter client, and the exception tree. Each larger concern has a public namespace
of its own:

- :mod:`openrouter_secure.backends`: the built-in backends and what a backend author needs;
- :mod:`openrouter_secure.config`: secure MCP config files and the tool policy;
- :mod:`openrouter_secure.limits`: rate limits and usage budgets;
- :mod:`openrouter_secure.audit`: the tamper-evident audit log and alerts;
- :mod:`openrouter_secure.rotation`: zero-downtime key rotation;
- :mod:`openrouter_secure.benchmark`: privacy-preserving model benchmarks;
- :mod:`openrouter_secure.types`: the OpenRouter API's response types;
- :mod:`openrouter_secure.mcp`: the MCP adapter (needs the ``mcp`` extra);
- :mod:`openrouter_secure.testing`: fakes, leak checks and a loopback OpenRouter server;
- :mod:`openrouter_secure.launch`: start a command with secrets in its environment only.

Importing the package loads none of them, nor any optional dependency.
"""

from typing import TYPE_CHECKING, Any

from ._exceptions import (
    AccessDeniedError,
    AuditLogError,
    AuthenticationError,
    BackendUnavailableError,
    BadRequestError,
    BudgetExceeded,
    ConfigurationError,
    ForbiddenError,
    InsecureConfigError,
    InsecureTransportError,
    InvalidReferenceError,
    KeyRotationError,
    ManagementKeyError,
    MissingDependencyError,
    NoProviderError,
    NotFoundError,
    OpenRouterConnectionError,
    OpenRouterError,
    OpenRouterSecureError,
    PaymentRequiredError,
    ProviderError,
    RateLimitError,
    RateLimitExceeded,
    RequestTimeoutError,
    SecretFormatError,
    SecretNotFoundError,
    UnsafePathError,
    UnsupportedOperationError,
    UpstreamError,
    UsageLimitError,
)
from ._exceptions import install_scrubber as _install_scrubber
from ._files import confine_path
from ._provider import SecretProvider
from ._refs import SecretRef
from ._registry import (
    arefresh,
    aresolve,
    available_backends,
    configure_cache,
    get_cache,
    get_provider,
    invalidate,
    refresh,
    register_backend,
    resolve,
    resolve_first,
    unregister_backend,
)
from ._secret import Secret
from ._version import __version__

__all__ = [
    "AccessDeniedError",
    "AsyncRedactingClient",
    "AuditLogError",
    "AuthenticationError",
    "BackendUnavailableError",
    "BadRequestError",
    "BudgetExceeded",
    "ConfigurationError",
    "Finding",
    "ForbiddenError",
    "InsecureConfigError",
    "InsecureTransportError",
    "InvalidReferenceError",
    "KeyRotationError",
    "ManagementKeyError",
    "MissingDependencyError",
    "NoProviderError",
    "NotFoundError",
    "OpenRouterConnectionError",
    "OpenRouterError",
    "OpenRouterSecureError",
    "PaymentRequiredError",
    "ProviderError",
    "RateLimitError",
    "RateLimitExceeded",
    "RedactingClient",
    "RequestTimeoutError",
    "Sanitizer",
    "SanitizingFilter",
    "Secret",
    "SecretFormatError",
    "SecretNotFoundError",
    "SecretProvider",
    "SecretRef",
    "StreamSanitizer",
    "UnsafePathError",
    "UnsupportedOperationError",
    "UpstreamError",
    "UsageLimitError",
    "__version__",
    "arefresh",
    "aresolve",
    "available_backends",
    "configure_cache",
    "confine_path",
    "default_sanitizer",
    "get_cache",
    "get_provider",
    "install_log_redaction",
    "invalidate",
    "refresh",
    "register_backend",
    "remove_log_redaction",
    "resolve",
    "resolve_first",
    "secure_async_http_client",
    "secure_http_client",
    "structlog_processor",
    "unregister_backend",
]

if TYPE_CHECKING:
    from ._client._async import AsyncRedactingClient
    from ._client._auth import secure_async_http_client, secure_http_client
    from ._client._sync import RedactingClient
    from ._sanitize._logging import (
        SanitizingFilter,
        install_log_redaction,
        remove_log_redaction,
        structlog_processor,
    )
    from ._sanitize._sanitizer import Finding, Sanitizer, default_sanitizer
    from ._sanitize._stream import StreamSanitizer

# The client (and httpx) load on first use: a command launcher such as
# ``openrouter-secure run`` then starts in a fraction of the time.
_LAZY = {
    "AsyncRedactingClient": "._client._async",
    "RedactingClient": "._client._sync",
    "secure_async_http_client": "._client._auth",
    "secure_http_client": "._client._auth",
    # The sanitizer (its rules compiled on import) loads on first use too, so that
    # ``openrouter-secure run`` starts the command before building it.
    "Finding": "._sanitize._sanitizer",
    "Sanitizer": "._sanitize._sanitizer",
    "default_sanitizer": "._sanitize._sanitizer",
    "StreamSanitizer": "._sanitize._stream",
    "SanitizingFilter": "._sanitize._logging",
    "install_log_redaction": "._sanitize._logging",
    "remove_log_redaction": "._sanitize._logging",
    "structlog_processor": "._sanitize._logging",
}


def _scrub_error(text: str) -> str:
    """Every error message is scrubbed by the default sanitizer: until an error is
    built, it need not be loaded. Importing it installs its own scrubber in place of
    this one (see :mod:`._exceptions`)."""
    from ._sanitize._sanitizer import scrub_text

    return scrub_text(text)


_install_scrubber(_scrub_error)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
