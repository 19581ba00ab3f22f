"""``azure://VAULT_NAME/SECRET_NAME``: secrets in Azure Key Vault.

``azure://my-vault/openrouter-api-key?version=<id>#field``. The vault URL is
``https://VAULT_NAME.vault.azure.net`` unless ``?vault_url=`` gives another (sovereign
clouds such as ``https://NAME.vault.azure.cn``, private endpoints, tests); it must be
``https://`` since Key Vault's bearer authentication refuses anything else. Without
``?version=`` the latest version is read.

Credentials: :class:`azure.identity.DefaultAzureCredential` (environment, workload
identity, managed identity, Azure CLI, ...) unless a credential is passed to
``AzureProvider(credential=...)``. Extra keyword arguments go to every
``SecretClient``: pipeline settings such as ``retry_total``, ``connection_timeout``,
``read_timeout``, ``connection_verify`` (a CA bundle path) and Key Vault's
``verify_challenge_resource``. Timeouts and retries are bounded by default (see
:data:`DEFAULT_CLIENT_OPTIONS`) so a vault that hangs cannot hang the caller.

Least privilege (Azure RBAC): "Key Vault Secrets User" to read and list versions; "Key
Vault Secrets Officer" to ``put`` and ``delete``.

``aget`` runs ``get`` in a worker thread: the SDK's async client needs ``aiohttp`` and an
async credential, a second HTTP stack for one read per cache lifetime.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    SecretNotFoundError,
)
from .._provider import Availability, SecretEntry, SecretProvider, SecretVersion, select_field
from .._refs import SecretRef
from .._secret import Secret

__all__ = ["DEFAULT_CLIENT_OPTIONS", "AzureProvider"]

T = TypeVar("T")

#: Pipeline settings every ``SecretClient`` gets unless the constructor overrides them:
#: at most 3 retries (429 and 5xx, honouring ``Retry-After``, backoff capped at 8 s),
#: 5 s to connect and 10 s to read each answer, and 30 s for a whole call, retries and
#: their waits included (the SDK's own default is a week).
DEFAULT_CLIENT_OPTIONS: dict[str, Any] = {
    "retry_total": 3,
    "retry_backoff_max": 8,
    "connection_timeout": 5.0,
    "read_timeout": 10.0,
    "timeout": 30.0,
    # Key Vault never redirects. The SDK would follow a 307 to another host, without
    # the token but with the body: the value being written.
    "permit_redirects": False,
}

# Key Vault's own rules: vault names 3-24 of [A-Za-z0-9-] starting with a letter; secret
# names 1-127 of [A-Za-z0-9-]; version ids are 32 hex digits (accept any alphanumerics).
_VAULT = re.compile(r"[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]")
_SECRET = re.compile(r"[A-Za-z0-9-]{1,127}")
_VERSION = re.compile(r"[A-Za-z0-9]{1,64}")


class AzureProvider(SecretProvider):
    """Azure Key Vault secrets through ``azure-keyvault-secrets``.

    ``AzureProvider()`` (what the registry builds) uses ``DefaultAzureCredential``;
    ``AzureProvider(credential=cred, **client_options)`` pins a credential and pipeline
    settings. One ``SecretClient`` is kept per vault URL (each holds a connection pool
    and a cached token); :meth:`close` releases them.
    """

    name = "azure"
    extra = "azure"
    params = frozenset({"version", "vault_url"})

    def __init__(self, credential: Any | None = None, **client_options: Any) -> None:
        self._credential = credential
        self._owns_credential = False
        self._options = {**DEFAULT_CLIENT_OPTIONS, **client_options}
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def availability(cls) -> Availability:
        if not (sdk := cls.check_sdk("azure.keyvault.secrets", "azure.identity")):
            return sdk
        return Availability(
            True,
            f"azure-keyvault-secrets {_version('azure-keyvault-secrets')}; "
            "credentials from DefaultAzureCredential",
        )

    # -- references and clients ----------------------------------------------------
    @staticmethod
    def _locate(ref: SecretRef) -> tuple[str, str, str | None]:
        """``(vault_url, secret_name, version or None)`` for ``ref``; raises if malformed."""
        parts = ref.path.strip("/").split("/")
        if len(parts) != 2 or not _VAULT.fullmatch(parts[0]) or not _SECRET.fullmatch(parts[1]):
            raise InvalidReferenceError(
                f"{ref}: an azure:// path is VAULT_NAME/SECRET_NAME (vault 3-24 letters, digits "
                "or '-'; secret 1-127 letters, digits or '-'), e.g. azure://my-vault/openrouter-key"
            )
        vault, secret_name = parts
        version = ref.param("version")
        if version is not None and not _VERSION.fullmatch(version):
            raise InvalidReferenceError(
                f"{ref}: ?version= must be a Key Vault version id (letters and digits)"
            )
        vault_url = ref.param("vault_url")
        if vault_url is None:
            return f"https://{vault.lower()}.vault.azure.net", secret_name, version
        url = urlsplit(vault_url)
        if (
            url.scheme != "https"
            or not url.hostname
            or url.path.strip("/")
            or url.query
            or "@" in url.netloc  # user:password@ has no place in a reference
        ):
            # Not echoing the param: a URL with user:password@ would put them in the message.
            raise InvalidReferenceError(
                f"azure://{ref.path}: ?vault_url= must be the vault's https:// origin with no "
                "path or user info, "
                "e.g. https://my-vault.vault.azure.cn"
            )
        return f"https://{url.netloc}", secret_name, version

    def _client(self, vault_url: str) -> Any:
        with self._lock:
            client = self._clients.get(vault_url)
            if client is None:
                secrets_sdk = self.import_sdk("azure.keyvault.secrets")
                if self._credential is None:
                    identity = self.import_sdk("azure.identity")
                    self._credential = identity.DefaultAzureCredential()
                    self._owns_credential = True
                client = secrets_sdk.SecretClient(vault_url, self._credential, **self._options)
                self._clients[vault_url] = client
            return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
            credential = self._credential if self._owns_credential else None
            if self._owns_credential:
                self._credential, self._owns_credential = None, False
        for client in clients:
            client.close()
        if credential is not None:
            credential.close()

    # -- error mapping ---------------------------------------------------------------
    def _call(self, ref: SecretRef, what: str, fn: Callable[[], T]) -> T:
        """Run one SDK call, turning Azure's errors into the library's (never the value)."""
        errors = self.import_sdk("azure.core.exceptions")
        try:
            return fn()
        except errors.ResourceNotFoundError:
            raise SecretNotFoundError(
                f"Azure Key Vault has no secret (or no such version) for {ref}; store one with "
                "az keyvault secret set, or check the vault and secret names",
                ref=ref,
            ) from None
        except errors.ClientAuthenticationError as exc:
            # Also raised by azure-identity when no credential works (CredentialUnavailableError);
            # its message lists what was tried, which is what the user needs to fix it.
            detail = _first_line(getattr(exc, "message", None) or str(exc))
            raise AccessDeniedError(
                f"Azure refused to authenticate {what} of {ref}: {type(exc).__name__}: {detail}. "
                "Sign in (az login), or configure a managed identity or AZURE_CLIENT_ID/"
                "AZURE_TENANT_ID with a certificate or federated token",
                ref=ref,
            ) from None
        except errors.HttpResponseError as exc:
            raise _http_error(ref, what, exc) from None
        except errors.ServiceRequestError as exc:
            raise BackendUnavailableError(
                f"could not reach Azure Key Vault for {what} of {ref} ({type(exc).__name__}); "
                "check the vault name, DNS and network, then retry",
                ref=ref,
            ) from None
        except errors.ServiceResponseError as exc:
            raise BackendUnavailableError(
                f"Azure Key Vault did not answer {what} of {ref} in time ({type(exc).__name__}); "
                "retry later, or raise read_timeout",
                ref=ref,
            ) from None
        except errors.AzureError as exc:
            raise BackendUnavailableError(
                f"Azure Key Vault failed {what} of {ref} ({type(exc).__name__})", ref=ref
            ) from None

    # -- operations --------------------------------------------------------------------
    def get(self, ref: SecretRef) -> Secret:
        vault_url, name, version = self._locate(ref)
        client = self._client(vault_url)
        secret = self._call(ref, "a read", lambda: client.get_secret(name, version))
        value = secret.value
        if value is None:
            raise SecretNotFoundError(f"the Key Vault secret {ref} has no value", ref=ref)
        return select_field(ref, value)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        """Store ``value`` as a new version (``set_secret``); returns the version id."""
        vault_url, name, version = self._locate(ref)
        if version is not None or ref.field is not None:
            raise InvalidReferenceError(
                f"{ref}: put() writes a new version of the whole secret; drop ?version= and #field"
            )
        client = self._client(vault_url)
        text = value.reveal() if isinstance(value, Secret) else value
        stored = self._call(ref, "a write", lambda: client.set_secret(name, text))
        return str(stored.properties.version)

    def delete(self, ref: SecretRef) -> None:
        """Soft-delete the secret (every version).

        The secret stops being readable at once; Key Vault keeps it recoverable for the
        vault's retention period (7-90 days), during which the name cannot be reused.
        This does not wait for the deletion to settle and never purges: purging is
        irreversible and belongs to an operator (``az keyvault secret purge``).
        """
        vault_url, name, version = self._locate(ref)
        if version is not None:
            raise InvalidReferenceError(
                f"{ref}: Key Vault deletes a secret with all its versions; drop ?version= "
                "(to retire one version, disable it instead)"
            )
        client = self._client(vault_url)
        self._call(ref, "a delete", lambda: client.begin_delete_secret(name))

    def versions(self, ref: SecretRef) -> list[SecretVersion]:
        """Every version's metadata, newest first (never the values)."""
        vault_url, name, _ = self._locate(ref)
        client = self._client(vault_url)

        def fetch() -> list[Any]:
            return list(client.list_properties_of_secret_versions(name))

        found = self._call(ref, "listing the versions", fetch)
        if not found:
            raise SecretNotFoundError(f"Azure Key Vault has no versions of {ref}", ref=ref)
        found.sort(key=lambda p: (p.created_on is not None, p.created_on), reverse=True)
        return [
            SecretVersion(str(p.version), created=p.created_on, enabled=bool(p.enabled))
            for p in found
        ]

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        """The secrets of the vault ``prefix`` names (``azure://my-vault/``) whose name
        starts with what follows it, with their last update and content type. Deleted
        (recoverable) secrets are not listed."""
        vault, _, stem = prefix.path.strip("/").partition("/")
        keep = [(k, v) for k, v in prefix.params if k != "version"]
        try:
            vault_url, _, _ = self._locate(SecretRef.build("azure", f"{vault}/x", keep))
        except InvalidReferenceError:
            raise InvalidReferenceError(
                f"{prefix}: list an azure:// prefix as VAULT_NAME/[SECRET_PREFIX], "
                "e.g. azure://my-vault/openrouter"
            ) from None
        client = self._client(vault_url)

        def fetch() -> list[Any]:
            return list(client.list_properties_of_secrets())

        found = []
        for props in self._call(prefix, "a listing", fetch):
            name = str(props.name)
            if name.startswith(stem):
                ref = SecretRef.build("azure", f"{vault}/{name}", keep)
                found.append(SecretEntry(ref, props.updated_on, str(props.content_type or "")))
        return sorted(found, key=lambda e: e.ref.path)


def _http_error(ref: SecretRef, what: str, exc: Any) -> Exception:
    status = getattr(exc, "status_code", None)
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or "no error code"
    said = f"HTTP {status}, {code}"
    inner = getattr(error, "innererror", None)
    inner_code = inner.get("code") if isinstance(inner, Mapping) else None
    if status == 403 and inner_code == "SecretDisabled":
        return AccessDeniedError(
            f"the Key Vault secret (or version) for {ref} is disabled ({said}); enable it "
            "(az keyvault secret set-attributes --enabled true) or point at another ?version=",
            ref=ref,
        )
    if status == 403:
        return AccessDeniedError(
            f"Azure Key Vault denied {what} of {ref} ({said}). Grant the caller the "
            '"Key Vault Secrets User" role (read) or "Key Vault Secrets Officer" (write) on the '
            "vault, or check its firewall and access policies",
            ref=ref,
        )
    if status == 429:
        return BackendUnavailableError(
            f"Azure Key Vault is throttling requests ({said}) for {what} of {ref}; "
            "retry later or cache longer",
            ref=ref,
            retryable=True,
        )
    if status == 409:
        return BackendUnavailableError(
            f"Azure Key Vault refused {what} of {ref} ({said}): a deleted secret with this name "
            "is still recoverable. Recover it (az keyvault secret recover) or have it purged",
            ref=ref,
            retryable=False,
        )
    if status is not None and status >= 500:
        return BackendUnavailableError(
            f"Azure Key Vault failed {what} of {ref} ({said}); retry later", ref=ref
        )
    return BackendUnavailableError(
        f"Azure Key Vault rejected {what} of {ref} ({said})", ref=ref, retryable=False
    )


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "(version unknown)"


def _first_line(text: str, limit: int = 300) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."
