"""Every error the library raises, under one base class.

The tree is shallow on purpose: catch :class:`OpenRouterSecureError` for "anything
from this library", or one of the second-level classes for a kind of failure::

    OpenRouterSecureError
    ├── ConfigurationError            bad input from the caller or a config file
    │   ├── InvalidReferenceError     a secret reference that does not parse
    │   └── InsecureConfigError       a config file that holds a secret (issue: config)
    ├── ProviderError                 a secret backend could not give a secret
    │   ├── SecretNotFoundError       the reference points at nothing (or a missing #field)
    │   ├── SecretFormatError         the secret exists but is not what the reference expects
    │   ├── AccessDeniedError         the backend refused (credentials, IAM, RBAC, policy)
    │   ├── UnsupportedOperationError the backend cannot do this (put on env://, ...)
    │   ├── NoProviderError           no backend is registered under the reference's scheme
    │   └── BackendUnavailableError   the backend cannot answer now (down, timeout, throttled)
    │       └── MissingDependencyError  its extra is not installed; says the pip command
    └── OpenRouterError               the OpenRouter API answered with an error (issue: client)

Messages name the secret *reference* (``aws://prod/openrouter#api_key``), never the
value. As defence in depth every message also passes through the process's
sanitizer when the error is built, so a value that slipped into a message (say, an
SDK's error text) is masked before it can reach a log or a traceback.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDeniedError",
    "BackendUnavailableError",
    "ConfigurationError",
    "InsecureConfigError",
    "InvalidReferenceError",
    "MissingDependencyError",
    "NoProviderError",
    "OpenRouterSecureError",
    "ProviderError",
    "SecretFormatError",
    "SecretNotFoundError",
    "UnsupportedOperationError",
]


def _scrub(text: str) -> str:
    # Imported late: the sanitizer imports this module for its own errors.
    from ._sanitizer import scrub_text

    return scrub_text(text)


class OpenRouterSecureError(Exception):
    """Base class of every error raised by openrouter-secure.

    The message is scrubbed of known and recognisable secrets when the error is
    created, so ``str()``, ``repr()`` and tracebacks are safe to log.
    """

    def __init__(self, message: str, *args: Any) -> None:
        super().__init__(
            _scrub(str(message)), *(_scrub(a) if isinstance(a, str) else a for a in args)
        )

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep pickling (multiprocessing, pytest-xdist) working for subclasses whose
        # __init__ takes keyword arguments: rebuild from the already-scrubbed message.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[OpenRouterSecureError], message: str, state: dict[str, Any]) -> Any:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class ConfigurationError(OpenRouterSecureError, ValueError):
    """The caller, or a file the caller pointed at, asked for something invalid."""


class InvalidReferenceError(ConfigurationError):
    """A secret reference does not follow ``<backend>://<path>[?params][#field]``."""


class InsecureConfigError(ConfigurationError):
    """A configuration holds a literal secret, or is stored where others can read it.

    ``findings`` lists what was wrong, each with the JSON path and the rule that
    matched; never the value.
    """

    def __init__(self, message: str, findings: list[Any] | None = None) -> None:
        super().__init__(message)
        self.findings: list[Any] = list(findings or [])


class ProviderError(OpenRouterSecureError):
    """A secret backend could not give (or store) a secret.

    ``ref`` is the reference as text (safe to show) and ``backend`` its scheme.
    """

    def __init__(
        self, message: str, *, ref: object | None = None, backend: str | None = None
    ) -> None:
        super().__init__(message)
        self.ref: str | None = None if ref is None else str(ref)
        if backend is None and self.ref and "://" in self.ref:
            backend = self.ref.split("://", 1)[0]
        self.backend: str | None = backend


class SecretNotFoundError(ProviderError, LookupError):
    """The reference points at no secret (or the secret has no such ``#field``)."""


class SecretFormatError(ProviderError):
    """The secret exists but cannot be read as the reference asks (not JSON, bad checksum)."""


class AccessDeniedError(ProviderError, PermissionError):
    """The backend refused: missing credentials, or a policy that denies this read."""


class UnsupportedOperationError(ProviderError, NotImplementedError):
    """The backend cannot do this operation (writing to ``env://``, versions on keyring)."""


class NoProviderError(ProviderError):
    """No backend is registered for the reference's scheme."""


class BackendUnavailableError(ProviderError):
    """The backend cannot answer now: unreachable, too slow, throttled or locked.

    ``retryable`` tells whether trying again later may help.
    """

    def __init__(
        self,
        message: str,
        *,
        ref: object | None = None,
        backend: str | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(message, ref=ref, backend=backend)
        self.retryable = retryable


class MissingDependencyError(BackendUnavailableError, ImportError):
    """The backend's optional dependency is not installed.

    The message carries the exact command, e.g. ``pip install "openrouter-secure[aws]"``.
    """

    def __init__(
        self, backend: str, *, module: str | None = None, ref: object | None = None
    ) -> None:
        what = f" (could not import {module!r})" if module else ""
        super().__init__(
            f"the {backend!r} backend needs its extra{what}: "
            f'run  pip install "openrouter-secure[{backend}]"',
            ref=ref,
            backend=backend,
            retryable=False,
        )
        self.extra = backend
