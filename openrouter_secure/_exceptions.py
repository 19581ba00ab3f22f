"""Every error the library raises, under one base class.

The tree is shallow on purpose: catch :class:`OpenRouterSecureError` for "anything
from this library", or one of the second-level classes for a kind of failure::

    OpenRouterSecureError
    ├── ConfigurationError            bad input from the caller or a config file
    │   ├── InvalidReferenceError     a secret reference that does not parse
    │   ├── InsecureConfigError       a config file that holds a secret
    │   ├── InsecureTransportError    the key would go over http:// or to a host not allowed
    │   ├── ManagementKeyError        a management key used for completions
    │   └── UnsafePathError           a file name that would leave its directory (or a symlink)
    ├── ProviderError                 a secret backend could not give a secret
    │   ├── SecretNotFoundError       the reference points at nothing (or a missing #field)
    │   ├── SecretFormatError         the secret exists but is not what the reference expects
    │   ├── AccessDeniedError         the backend refused (credentials, IAM, RBAC, policy)
    │   ├── UnsupportedOperationError the backend cannot do this (put on env://, ...)
    │   ├── NoProviderError           no backend is registered under the reference's scheme
    │   └── BackendUnavailableError   the backend cannot answer now (down, timeout, throttled)
    │       └── MissingDependencyError  its extra is not installed; says the pip command
    ├── UsageLimitError               a local limit refused the call; .retry_after
    │   ├── RateLimitExceeded         a RateLimiter window is full for this key
    │   └── BudgetExceeded            a Budget's spend or token allowance is used up
    ├── AuditLogError                 an audit record could not be written (file corrupt, I/O)
    ├── OpenRouterError               the OpenRouter API answered with an error, or was unreachable
    │   ├── BadRequestError           400: invalid or missing parameters
    │   ├── AuthenticationError       401: key invalid or disabled (after one refresh and retry)
    │   ├── PaymentRequiredError      402: the account or key is out of credits
    │   ├── ForbiddenError            403: moderation flag, guardrail, or missing permission
    │   ├── NotFoundError             404: no such model, generation or key
    │   ├── RequestTimeoutError       408, or the client's own timeout expired
    │   ├── RateLimitError            429: OpenRouter's rate limit; .retry_after
    │   ├── UpstreamError             5xx, or an error inside an HTTP 200 body or an SSE stream
    │   └── OpenRouterConnectionError the API could not be reached (DNS, refused, TLS, reset)
    └── KeyRotationError              a key rotation step failed; says what was rolled back

Messages name the secret *reference* (``aws://prod/openrouter#api_key``), never the
value. As defence in depth every message also passes through the process's
sanitizer when the error is built, so a value that slipped into a message (say, an
SDK's error text) is masked before it can reach a log or a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "AccessDeniedError",
    "AuditLogError",
    "BackendUnavailableError",
    "BudgetExceeded",
    "ConfigurationError",
    "InsecureConfigError",
    "InvalidReferenceError",
    "KeyRotationError",
    "MissingDependencyError",
    "NoProviderError",
    "OpenRouterSecureError",
    "ProviderError",
    "RateLimitExceeded",
    "SecretFormatError",
    "SecretNotFoundError",
    "UnsafePathError",
    "UnsupportedOperationError",
    "UsageLimitError",
]

# The client's errors.
__all__ += [
    "AuthenticationError",
    "BadRequestError",
    "ForbiddenError",
    "InsecureTransportError",
    "ManagementKeyError",
    "NotFoundError",
    "OpenRouterConnectionError",
    "OpenRouterError",
    "PaymentRequiredError",
    "RateLimitError",
    "RequestTimeoutError",
    "UpstreamError",
]


# This module sits at the bottom of the package and imports nothing from it: the
# sanitizer hands its scrubbing function in through install_scrubber() when it is
# imported. The package's __init__, which Python runs before any submodule, installs
# one that imports the sanitizer on first use (building its rules takes time a command
# launcher need not spend before starting its child), so a scrubber is in place before
# any code can build an error, even for a caller that imported only this module. An
# error built earlier (while the package is still being imported) has its text
# withheld, never kept raw.
_scrubber: Callable[[str], str] | None = None


def install_scrubber(scrub: Callable[[str], str]) -> None:
    """Pass every error message built from now on through ``scrub``.

    Called by the sanitizer when it is imported (see the module docstring). ``scrub``
    must return text safe to show; should it raise, the text is withheld.
    """
    global _scrubber
    _scrubber = scrub


def _withheld(text: str, why: str) -> str:
    return f"<REDACTED: {len(text)} chars; {why}>"


def _scrub(text: str) -> str:
    scrub = _scrubber
    if scrub is None:
        return _withheld(text, "no sanitizer loaded")
    try:
        return scrub(text)
    except Exception:  # noqa: BLE001 - fail closed: never keep the raw text
        return _withheld(text, "sanitizer failed")


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


class UnsafePathError(ConfigurationError):
    """A file name (from a caller, a CLI flag or an MCP tool) would escape its directory.

    Raised for ``../x``, absolute paths, names with a directory part, hidden names, and
    targets that exist as a symbolic link. The message never echoes the name.
    """


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


# Extras that bring a feature rather than a secret backend, and how to name that feature.
_FEATURE_EXTRAS = {
    "mcp": "the MCP adapter (openrouter_secure.mcp)",
    "ratelimit": "rate limiting (RateLimiter)",
    "redis": "Redis storage for rate limits and budgets",
    "chart": "benchmark charts",
    "fast": "the Hyperscan scan engine",
}


class MissingDependencyError(BackendUnavailableError, ImportError):
    """An optional dependency (a backend's SDK, or a feature's library) is not installed.

    The message names what needs it (``the 'aws' backend``, ``rate limiting``) and carries
    the exact command, e.g. ``pip install "openrouter-secure[aws]"``. ``extra`` is the
    extra's name; ``backend`` is set only when the extra is a secret backend's.
    """

    def __init__(
        self, backend: str, *, module: str | None = None, ref: object | None = None
    ) -> None:
        what = f" (could not import {module!r})" if module else ""
        feature = _FEATURE_EXTRAS.get(backend)
        needs = (
            f"{feature} needs the {backend!r} extra"
            if feature
            else (f"the {backend!r} backend needs its extra")
        )
        super().__init__(
            f'{needs}{what}: run  pip install "openrouter-secure[{backend}]"',
            ref=ref,
            backend=None if feature else backend,
            retryable=False,
        )
        self.extra = backend


class KeyRotationError(OpenRouterSecureError):
    """A step of an API key rotation failed.

    ``step`` names it (``preflight``, ``create``, ``verify``, ``state``, ``store``,
    ``disable``, ``delete``); ``rolled_back`` lists what was undone (``"deleted new key"``,
    ``"restored previous value"``); ``new_hash``/``old_hash`` are the OpenRouter key hashes
    involved (identifiers, never keys), so an operator can finish by hand if needed.
    """

    def __init__(
        self,
        message: str,
        *,
        step: str,
        rolled_back: tuple[str, ...] = (),
        old_hash: str | None = None,
        new_hash: str | None = None,
    ) -> None:
        super().__init__(message)
        self.step = step
        self.rolled_back = rolled_back
        self.old_hash = old_hash
        self.new_hash = new_hash


class UsageLimitError(OpenRouterSecureError):
    """A local usage limit (a rate limit or a budget) refused the call.

    ``key`` is the limited key (``tool:search``, ``project:acme``; never a secret),
    ``limit`` the limit as text (``"60/minute"``, ``"$5/day"``) and ``retry_after`` the
    seconds until the window frees room again (``None`` when it never will by itself).
    """

    def __init__(
        self, message: str, *, key: str, limit: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.key = key
        self.limit = limit
        self.retry_after = retry_after


class RateLimitExceeded(UsageLimitError):  # noqa: N818 - the agreed public name
    """A :class:`~openrouter_secure.limits.RateLimiter` window is full for this key.

    Also raised, fail-closed, when the limiter's storage (Redis) cannot be reached;
    ``storage_error`` is then ``True``.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str,
        limit: str,
        retry_after: float | None = None,
        storage_error: bool = False,
    ) -> None:
        super().__init__(message, key=key, limit=limit, retry_after=retry_after)
        self.storage_error = storage_error


class BudgetExceeded(UsageLimitError):  # noqa: N818 - the agreed public name
    """A :class:`~openrouter_secure.limits.Budget` is used up for this key.

    ``spent`` is what was used in the current window (dollars or tokens, per ``limit``).
    """

    def __init__(
        self,
        message: str,
        *,
        key: str,
        limit: str,
        spent: float,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, key=key, limit=limit, retry_after=retry_after)
        self.spent = spent


class AuditLogError(OpenRouterSecureError):
    """An audit record could not be written: an I/O error, or a log file whose last
    line is damaged (the chain cannot be continued safely; verify and move it aside)."""


class InsecureTransportError(ConfigurationError):
    """The API key would travel over plain ``http://`` or to a host that is not allowed.

    The request was not sent. Use ``https://`` on an allowed host (``openrouter.ai`` by
    default, see ``allowed_hosts=``); plain HTTP is accepted only for a loopback test
    server with ``allow_insecure_loopback=True``.
    """


class ManagementKeyError(ConfigurationError):
    """A management (provisioning) key was about to be used for completions.

    Management keys administer other keys and cannot run completions; keeping them off
    the request path also limits what a leaked request could expose.
    """


class OpenRouterError(OpenRouterSecureError):
    """The OpenRouter API answered with an error, or could not be reached.

    ``status_code`` is the HTTP status (``None`` when no response arrived), ``code`` the
    body's ``error.code`` when there was one, ``metadata`` the body's ``error.metadata``
    passed through the sanitizer (the user's own text, such as ``flagged_input``, is
    replaced by its length), ``retry_after`` the seconds the server asked to wait
    (``None`` when it did not say) and ``generation_id`` the generation it belongs to,
    when known. The message holds the status and OpenRouter's own message, sanitized
    and cut to 100 characters: never a header, the key, or the prompt.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | str | None = None,
        metadata: dict[str, Any] | None = None,
        retry_after: float | None = None,
        generation_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.retry_after = retry_after
        self.generation_id = generation_id


class BadRequestError(OpenRouterError):
    """400: the request was invalid (missing or wrong parameters, context too long)."""


class AuthenticationError(OpenRouterError):
    """401: the key is invalid, disabled or expired, even after one refresh of its reference."""


class PaymentRequiredError(OpenRouterError):
    """402: the account or the key's limit has no credits left; add credits or raise the limit."""


class ForbiddenError(OpenRouterError):
    """403: the input was flagged by moderation, blocked by a guardrail, or not permitted.

    For moderation flags ``metadata`` carries ``reasons``, ``provider_name`` and
    ``model_slug``; ``flagged_input`` (the user's own text) is withheld.
    """


class NotFoundError(OpenRouterError):
    """404: no such model, endpoint, generation or key."""


class RequestTimeoutError(OpenRouterError):
    """408 from OpenRouter, or the client's own timeout expired (``status_code`` is None)."""


class RateLimitError(OpenRouterError):
    """429: OpenRouter rate-limited the key or the model; ``retry_after`` says how many
    seconds to wait, when the server said. (A local limiter refusing raises
    :class:`RateLimitExceeded` instead.)"""


class UpstreamError(OpenRouterError):
    """5xx (model down, no provider available), or an error reported inside an HTTP 200
    body or an SSE stream after generation started."""


class OpenRouterConnectionError(OpenRouterError):
    """No response arrived: the connection failed (DNS, refused, TLS, reset)."""
