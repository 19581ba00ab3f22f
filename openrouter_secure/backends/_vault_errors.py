"""How ``vault://`` reads hvac and requests failures into the library's error tree.

Only called after hvac was imported, so the SDK imports here are cheap and safe. No
message ever includes hvac's ``text`` or ``json``: those hold the response body.
"""

from __future__ import annotations

from .._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    ProviderError,
    SecretNotFoundError,
)
from .._refs import SecretRef
from ._redirects import RedirectRefused
from ._vault_auth import Connection

__all__ = ["map_error"]


def map_error(ref: SecretRef, what: str, conn: Connection, exc: Exception) -> ProviderError | None:
    """The library error for an hvac / requests failure, or ``None`` if it is neither."""
    import hvac.exceptions as hvac_exc
    import requests

    where = conn.describe()
    if isinstance(exc, RedirectRefused):
        return BackendUnavailableError(
            f"Vault at {conn.addr} redirected {what} of {ref} to another origin "
            f"({exc.target}); not followed, so the token never goes there. Set VAULT_ADDR "
            "(or ?addr=) to the address that serves requests (in a cluster, the active "
            "node's api_addr)",
            ref=ref,
            retryable=False,
        )
    if isinstance(exc, hvac_exc.InvalidPath):
        hint = "" if ref.param("kv", "2") == "1" else " (if the mount is KV version 1, add ?kv=1)"
        return SecretNotFoundError(
            f"Vault has no secret (or no such version) at {ref}{hint}", ref=ref
        )
    if isinstance(exc, (hvac_exc.Forbidden, hvac_exc.Unauthorized)):
        return AccessDeniedError(
            f"Vault denied {what} of {ref} ({where}): permission denied. The token's "
            "policy must allow it (see docs/backends.md), and the token must be valid",
            ref=ref,
        )
    if isinstance(exc, hvac_exc.RateLimitExceeded):
        return BackendUnavailableError(
            f"Vault rate-limited {what} of {ref} (HTTP 429); try again later",
            ref=ref,
            retryable=True,
        )
    if isinstance(exc, hvac_exc.VaultDown):
        return BackendUnavailableError(
            f"Vault is sealed or in standby ({where}) and cannot serve {ref}", ref=ref
        )
    if isinstance(exc, hvac_exc.VaultNotInitialized):
        return BackendUnavailableError(
            f"Vault at {conn.addr} is not initialized ({ref})", ref=ref, retryable=False
        )
    if isinstance(
        exc, (hvac_exc.InternalServerError, hvac_exc.BadGateway, hvac_exc.PreconditionFailed)
    ):
        return BackendUnavailableError(
            f"Vault failed {what} of {ref} ({type(exc).__name__}); try again later", ref=ref
        )
    if isinstance(exc, hvac_exc.VaultError):
        # Vault's error strings describe the request; never the response body, which
        # hvac also keeps on the exception and which may hold data.
        errors = exc.errors if isinstance(exc.errors, list) else [exc.errors]
        detail = "; ".join(str(e) for e in errors if e)[:300]
        if "check-and-set" in detail:
            return BackendUnavailableError(
                f"{ref} changed while it was being written; try again", ref=ref
            )
        return ProviderError(
            f"Vault refused {what} of {ref} ({type(exc).__name__}): {detail}", ref=ref
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return BackendUnavailableError(
            f"TLS to Vault at {conn.addr} failed for {ref}: set VAULT_CACERT or ?ca_cert= "
            "to the CA that signed the server's certificate",
            ref=ref,
            retryable=False,
        )
    if isinstance(exc, requests.exceptions.Timeout) or _timed_out(exc):
        return BackendUnavailableError(
            f"Vault at {conn.addr} did not answer {what} of {ref} in time; check the "
            "server, or raise ?timeout=",
            ref=ref,
        )
    if isinstance(exc, requests.exceptions.RequestException):
        return BackendUnavailableError(
            f"Vault at {conn.addr} is unreachable for {what} of {ref} "
            f"({type(exc).__name__}); check VAULT_ADDR and that the server is up",
            ref=ref,
        )
    return None


def _timed_out(exc: Exception) -> bool:
    # With a urllib3 Retry policy, requests reports a read timeout as a
    # ConnectionError wrapping MaxRetryError(reason=ReadTimeoutError).
    import urllib3.exceptions as urllib3_exc

    for arg in exc.args:
        reason = getattr(arg, "reason", None)
        # NewConnectionError (refused, no route) subclasses ConnectTimeoutError.
        if isinstance(reason, urllib3_exc.TimeoutError) and not isinstance(
            reason, urllib3_exc.NewConnectionError
        ):
            return True
    return False
