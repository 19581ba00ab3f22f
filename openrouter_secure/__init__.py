"""openrouter-secure: keep LLM API keys and users' prompts out of configs, logs,
errors and saved results.

Re-exports only; the code lives in the underscore modules.
"""

from ._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    ConfigurationError,
    InsecureConfigError,
    InvalidReferenceError,
    MissingDependencyError,
    NoProviderError,
    OpenRouterSecureError,
    ProviderError,
    SecretFormatError,
    SecretNotFoundError,
    UnsupportedOperationError,
)
from ._provider import Availability, SecretProvider, SecretVersion, select_field
from ._refs import SecretRef
from ._registry import (
    BackendInfo,
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
from ._sanitizer import Finding, Sanitizer, default_sanitizer
from ._secret import Secret
from ._version import __version__

__all__ = [
    "AccessDeniedError",
    "Availability",
    "BackendInfo",
    "BackendUnavailableError",
    "ConfigurationError",
    "Finding",
    "InsecureConfigError",
    "InvalidReferenceError",
    "MissingDependencyError",
    "NoProviderError",
    "OpenRouterSecureError",
    "ProviderError",
    "Sanitizer",
    "Secret",
    "SecretFormatError",
    "SecretNotFoundError",
    "SecretProvider",
    "SecretRef",
    "SecretVersion",
    "UnsupportedOperationError",
    "__version__",
    "arefresh",
    "aresolve",
    "available_backends",
    "configure_cache",
    "default_sanitizer",
    "get_cache",
    "get_provider",
    "invalidate",
    "refresh",
    "register_backend",
    "resolve",
    "resolve_first",
    "select_field",
    "unregister_backend",
]
