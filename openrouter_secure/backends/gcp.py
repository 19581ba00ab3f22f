"""``gcp://PROJECT/SECRET``: secrets in Google Cloud Secret Manager.

``gcp://my-project/openrouter-api-key?version=latest#field``. ``?version=`` is ``latest``
(the default: the most recently created version), a version number (so a rotation can
fall back to the previous one) or a version alias. ``?transport=rest|grpc`` picks the
wire protocol (default ``rest``, the one this library is tested over); ``?endpoint=``
points at another API endpoint (a regional or private one: ``https://...``; plain
``http://`` is accepted only for a loopback emulator, since the endpoint receives the
caller's access token; over gRPC such an endpoint gets a plaintext channel that carries
no credentials).

Every payload's CRC32C is checked against the checksum the service computed when the
version was added (``google-crc32c``); a mismatch raises :class:`SecretFormatError`
rather than handing over corrupted bytes. ``put`` sends the checksum too, so the
service refuses a payload damaged on the way in.

Credentials: Application Default Credentials (``GOOGLE_APPLICATION_CREDENTIALS``, the
metadata server, ``gcloud auth application-default login``) unless passed to
``GcpProvider(credentials=...)``. Each call has a per-attempt ``timeout`` (10 s) and
transient failures (5xx, 429, connection errors) are retried with backoff for at most
``retry_timeout`` seconds (20 s; 0 turns retries off).

Least privilege (IAM): ``roles/secretmanager.secretAccessor`` to read;
``roles/secretmanager.secretVersionAdder`` to ``put`` to an existing secret (creating
one needs ``secretmanager.secrets.create``); ``roles/secretmanager.viewer`` to list
versions; deleting needs ``secretmanager.secrets.delete`` (or ``versions.destroy``).

``aget`` runs ``get`` in a worker thread: the SDK's async client is gRPC-only.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    OpenRouterSecureError,
    SecretFormatError,
    SecretNotFoundError,
)
from .._net import transport_allowed
from .._provider import Availability, SecretEntry, SecretProvider, SecretVersion, select_field
from .._refs import SecretRef
from .._secret import Secret
from ._redirects import RedirectRefused, guard_session

__all__ = ["GcpProvider"]

T = TypeVar("T")

# Project ids are 6-30 of [a-z0-9-]; project numbers are digits; a domain-scoped id
# looks like "example.com:my-project". Secret ids are 1-255 of [A-Za-z0-9_-].
_PROJECT = re.compile(r"(?:[a-z][a-z0-9.-]*:)?[a-z0-9][a-z0-9-]{4,29}|[0-9]{1,20}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,255}")
_VERSION = re.compile(r"[1-9][0-9]{0,18}|[A-Za-z][A-Za-z0-9_-]{0,62}")  # number, latest, alias


class GcpProvider(SecretProvider):
    """Google Cloud Secret Manager through ``google-cloud-secret-manager``.

    ``GcpProvider()`` (what the registry builds) uses Application Default Credentials;
    ``GcpProvider(credentials=creds, timeout=..., retry_timeout=..., client_options=...)``
    pins them. One client is kept per (transport, endpoint); :meth:`close` releases them.
    """

    name = "gcp"
    extra = "gcp"
    params = frozenset({"version", "endpoint", "transport"})

    def __init__(
        self,
        credentials: Any | None = None,
        *,
        timeout: float = 10.0,
        retry_timeout: float = 20.0,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        if timeout <= 0 or retry_timeout < 0:
            raise ValueError("timeout must be > 0 and retry_timeout >= 0 (seconds)")
        self._credentials = credentials
        self._timeout = timeout
        self._retry_timeout = retry_timeout
        self._client_options = dict(client_options or {})
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def availability(cls) -> Availability:
        if not (sdk := cls.check_sdk("google.cloud.secretmanager", "google_crc32c")):
            return sdk
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = "google-cloud-secret-manager " + version("google-cloud-secret-manager")
        except PackageNotFoundError:
            found = "google-cloud-secret-manager"
        return Availability(True, f"{found}; Application Default Credentials")

    # -- references and clients ----------------------------------------------------
    @staticmethod
    def _locate(ref: SecretRef) -> tuple[str, str, str]:
        """``(project, secret, version)`` for ``ref``; raises if malformed."""
        parts = ref.path.strip("/").split("/")
        if len(parts) != 2 or not _PROJECT.fullmatch(parts[0]) or not _SECRET.fullmatch(parts[1]):
            raise InvalidReferenceError(
                f"{ref}: a gcp:// path is PROJECT/SECRET (a project id or number, and a secret "
                "id of letters, digits, '-' or '_'), e.g. gcp://my-project/openrouter-api-key"
            )
        version = ref.param("version", "latest") or "latest"
        if not _VERSION.fullmatch(version):
            raise InvalidReferenceError(
                f"{ref}: ?version= must be 'latest', a version number or a version alias"
            )
        return parts[0], parts[1], version

    @staticmethod
    def _channel(ref: SecretRef) -> tuple[str, str | None]:
        """``(transport, api_endpoint or None)`` for ``ref``; refuses unsafe endpoints."""
        transport = ref.param("transport", "rest") or "rest"
        if transport not in ("rest", "grpc"):
            raise InvalidReferenceError(f"{ref}: ?transport= must be 'rest' or 'grpc'")
        endpoint = ref.param("endpoint")
        if endpoint is None:
            return transport, None
        url = urlsplit(endpoint if "://" in endpoint else "https://" + endpoint)
        if (
            url.scheme not in ("https", "http")
            or not url.hostname
            or url.path.strip("/")
            or url.query
            or "@" in url.netloc  # user:password@ has no place in a reference
        ):
            # Not echoing the param: a URL with user:password@ would put them in the message.
            raise InvalidReferenceError(
                f"gcp://{ref.path}: ?endpoint= must be a host[:port] or an https:// origin with "
                "no path or user info"
            )
        if not transport_allowed(url, allow_insecure_loopback=True):
            raise InvalidReferenceError(
                f"{ref}: ?endpoint= may use plain http:// only for a loopback emulator; the "
                "endpoint receives your access token, so use https://"
            )
        if transport == "grpc" and url.scheme == "https":
            return transport, url.netloc  # gRPC takes host[:port]; TLS is implied
        return transport, f"{url.scheme}://{url.netloc}"

    def _client(self, ref: SecretRef) -> Any:
        key = self._channel(ref)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                secretmanager = self.import_sdk("google.cloud.secretmanager")
                transport, endpoint = key
                options = dict(self._client_options)
                if endpoint is not None:
                    options["api_endpoint"] = endpoint
                if transport == "grpc" and endpoint and endpoint.startswith("http://"):
                    client = self._loopback_grpc_client(endpoint)
                else:
                    client = self._call(
                        ref,
                        "setting up a client for",
                        lambda: secretmanager.SecretManagerServiceClient(
                            credentials=self._credentials,
                            transport=transport,
                            client_options=options or None,
                        ),
                    )
                    # The REST transport's requests session drops the token on a
                    # redirect to another host but re-sends a 307's body (a secret
                    # being added): no redirect may leave the endpoint's origin.
                    session = getattr(getattr(client, "_transport", None), "_session", None)
                    if session is not None and hasattr(session, "rebuild_auth"):
                        guard_session(session)
                self._clients[key] = client
            return client

    def _loopback_grpc_client(self, endpoint: str) -> Any:
        """A client on a plaintext gRPC channel to a loopback emulator.

        The channel carries no call credentials, so no token is ever sent in the clear
        (the REST transport, by contrast, sends the token even to a loopback ``http://``).
        """
        grpc = self.import_sdk("grpc")
        secretmanager = self.import_sdk("google.cloud.secretmanager")
        transports = self.import_sdk(
            "google.cloud.secretmanager_v1.services.secret_manager_service.transports"
        )
        channel = grpc.insecure_channel(endpoint.removeprefix("http://"))
        return secretmanager.SecretManagerServiceClient(
            transport=transports.SecretManagerServiceGrpcTransport(channel=channel)
        )

    def _options(self) -> dict[str, Any]:
        """Per-call ``retry`` and ``timeout``: both bounded, unlike the SDK's 60 s defaults."""
        retry_mod = self.import_sdk("google.api_core.retry")
        retry = None
        if self._retry_timeout > 0:
            retry = retry_mod.Retry(
                predicate=retry_mod.if_transient_error,
                initial=0.25,
                maximum=4.0,
                multiplier=2.0,
                timeout=self._retry_timeout,
            )
        return {"retry": retry, "timeout": self._timeout}

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            transport = getattr(client, "transport", None)
            if transport is not None:
                transport.close()

    # -- error mapping ---------------------------------------------------------------
    def _call(self, ref: SecretRef, what: str, fn: Callable[[], T]) -> T:
        """Run one SDK call, turning Google's errors into the library's (never the value)."""
        try:
            return fn()
        except OpenRouterSecureError:
            raise
        except Exception as exc:  # noqa: BLE001 - every SDK error is mapped below
            mapped = _map_error(self, ref, what, exc)
        raise mapped from None

    # -- operations --------------------------------------------------------------------
    def get(self, ref: SecretRef) -> Secret:
        project, secret, version = self._locate(ref)
        client = self._client(ref)
        name = f"projects/{project}/secrets/{secret}/versions/{version}"
        response = self._call(
            ref,
            "a read of",
            lambda: client.access_secret_version(request={"name": name}, **self._options()),
        )
        payload = response.payload
        data = bytes(payload.data)
        if "data_crc32c" in payload:
            crc32c = self.import_sdk("google_crc32c")
            if crc32c.value(data) != int(payload.data_crc32c):
                raise SecretFormatError(
                    f"the payload of {ref} failed its CRC32C check: it was corrupted in storage "
                    "or in transit. Retry; if it persists, add the secret again",
                    ref=ref,
                )
        return select_field(ref, data)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        """Add ``value`` as a new version (creating the secret if absent); returns its number."""
        project, secret, _ = self._locate(ref)
        if ref.param("version") is not None or ref.field is not None:
            raise InvalidReferenceError(
                f"{ref}: put() adds a new version of the whole secret; drop ?version= and #field"
            )
        client = self._client(ref)
        data = value.reveal_bytes() if isinstance(value, Secret) else value.encode("utf-8")
        crc = int(self.import_sdk("google_crc32c").value(data))
        parent = f"projects/{project}/secrets/{secret}"
        notfound = self.import_sdk("google.api_core.exceptions").NotFound
        conflict = self.import_sdk("google.api_core.exceptions").Conflict
        request = {"parent": parent, "payload": {"data": data, "data_crc32c": crc}}

        def add() -> Any:
            try:
                return client.add_secret_version(request=request, **self._options())
            except notfound:
                pass
            # Someone may create it meanwhile: REST says Conflict, gRPC AlreadyExists (a subclass).
            with contextlib.suppress(conflict):
                client.create_secret(
                    request={
                        "parent": f"projects/{project}",
                        "secret_id": secret,
                        "secret": {"replication": {"automatic": {}}},
                    },
                    **self._options(),
                )
            return client.add_secret_version(request=request, **self._options())

        added = self._call(ref, "a write of", add)
        return str(added.name).rsplit("/", 1)[-1]

    def delete(self, ref: SecretRef) -> None:
        """Delete the secret and every version, or with ``?version=N`` destroy that version.

        Secret Manager has no recovery window for either: both are permanent. To retire
        a version recoverably, disable it in the console or with ``gcloud``.
        """
        project, secret, version = self._locate(ref)
        client = self._client(ref)
        if ref.param("version") is not None:
            if version == "latest":
                raise InvalidReferenceError(
                    f"{ref}: name the version number to destroy; 'latest' moves"
                )
            name = f"projects/{project}/secrets/{secret}/versions/{version}"
            self._call(
                ref,
                "destroying",
                lambda: client.destroy_secret_version(request={"name": name}, **self._options()),
            )
            return
        name = f"projects/{project}/secrets/{secret}"
        self._call(
            ref,
            "a delete of",
            lambda: client.delete_secret(request={"name": name}, **self._options()),
        )

    def versions(self, ref: SecretRef) -> list[SecretVersion]:
        """Every version's metadata, newest first (never the values)."""
        project, secret, _ = self._locate(ref)
        client = self._client(ref)
        parent = f"projects/{project}/secrets/{secret}"
        enabled = self.import_sdk("google.cloud.secretmanager").SecretVersion.State.ENABLED

        def fetch() -> list[Any]:
            return list(client.list_secret_versions(request={"parent": parent}, **self._options()))

        found = self._call(ref, "listing the versions of", fetch)
        rows = [
            SecretVersion(
                str(v.name).rsplit("/", 1)[-1],
                created=v.create_time or None,
                stages=(v.state.name.lower(),),
                enabled=v.state == enabled,
            )
            for v in found
        ]
        return sorted(rows, key=lambda row: int(row.version), reverse=True)

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        """The secrets of the project ``prefix`` names (``gcp://my-project/``) whose id
        starts with what follows it, with their creation time."""
        project, _, stem = prefix.path.strip("/").partition("/") if prefix.path else ("", "", "")
        if not _PROJECT.fullmatch(project):
            raise InvalidReferenceError(
                f"{prefix}: list a gcp:// prefix as PROJECT/[SECRET_PREFIX], "
                "e.g. gcp://my-project/openrouter"
            )
        client = self._client(prefix)
        keep = [(k, v) for k, v in prefix.params if k != "version"]

        def fetch() -> list[Any]:
            request = {"parent": f"projects/{project}"}
            return list(client.list_secrets(request=request, **self._options()))

        found = []
        for item in self._call(prefix, "listing the secrets of", fetch):
            secret = str(item.name).rsplit("/", 1)[-1]
            if secret.startswith(stem):
                ref = SecretRef.build("gcp", f"{project}/{secret}", keep)
                found.append(SecretEntry(ref, item.create_time or None))
        return sorted(found, key=lambda e: e.ref.path)


def _map_error(provider: GcpProvider, ref: SecretRef, what: str, exc: Exception) -> Exception:
    api = provider.import_sdk("google.api_core.exceptions")
    auth = provider.import_sdk("google.auth.exceptions")
    requests_exc: Any = None
    with contextlib.suppress(ImportError):  # the REST transport's HTTP library
        requests_exc = importlib.import_module("requests.exceptions")
    if isinstance(exc, api.RetryError) and isinstance(exc.cause, Exception):
        exc = exc.cause  # retries ran out: report what the last attempt met
    kind = type(exc).__name__
    if isinstance(exc, RedirectRefused):
        return BackendUnavailableError(
            f"Secret Manager's endpoint redirected {what} {ref} to another origin "
            f"({exc.target}); not followed. Check ?endpoint= and the client options",
            ref=ref,
            retryable=False,
        )
    if isinstance(exc, api.NotFound):
        return SecretNotFoundError(
            f"Secret Manager has no secret (or no such version) for {ref}; add one with "
            "gcloud secrets versions add, or check the project and secret names",
            ref=ref,
        )
    if isinstance(exc, api.FailedPrecondition) or _status_name(exc) == "FAILED_PRECONDITION":
        return SecretNotFoundError(
            f"the version {ref} asks for is disabled or destroyed; enable it or point at "
            "another ?version=",
            ref=ref,
        )
    if isinstance(exc, (api.Forbidden, api.Unauthorized)):
        return AccessDeniedError(
            f"Secret Manager denied {what} {ref} ({kind}). Grant the caller "
            "roles/secretmanager.secretAccessor (read) or roles/secretmanager.secretVersionAdder "
            "(write) on the secret, and check its credentials",
            ref=ref,
        )
    if isinstance(exc, (auth.DefaultCredentialsError, auth.RefreshError)):
        return AccessDeniedError(
            f"no usable Google credentials for {what} {ref} ({kind}); run  gcloud auth "
            "application-default login, set GOOGLE_APPLICATION_CREDENTIALS, or attach a "
            "service account",
            ref=ref,
        )
    if isinstance(exc, api.TooManyRequests):
        return BackendUnavailableError(
            f"Secret Manager is throttling requests ({kind}) for {what} {ref}; retry later or "
            "cache longer",
            ref=ref,
            retryable=True,
        )
    if isinstance(exc, api.GatewayTimeout) or (
        requests_exc is not None and isinstance(exc, requests_exc.Timeout)
    ):
        return BackendUnavailableError(
            f"Secret Manager did not answer {what} {ref} in time ({kind}); retry later",
            ref=ref,
        )
    if isinstance(exc, api.ServerError):
        return BackendUnavailableError(
            f"Secret Manager is unavailable for {what} {ref} ({kind}); retry later", ref=ref
        )
    if isinstance(exc, (auth.TransportError, ConnectionError)) or (
        requests_exc is not None and isinstance(exc, requests_exc.RequestException)
    ):
        return BackendUnavailableError(
            f"could not reach Secret Manager for {what} {ref} ({kind}); check the network "
            "and endpoint, then retry",
            ref=ref,
        )
    if isinstance(exc, api.GoogleAPIError):
        return BackendUnavailableError(
            f"Secret Manager rejected {what} {ref} ({kind})", ref=ref, retryable=False
        )
    if isinstance(exc, ValueError):
        return InvalidReferenceError(f"{ref}: the Secret Manager client refused it ({kind})")
    return BackendUnavailableError(
        f"Secret Manager failed {what} {ref} ({kind})", ref=ref, retryable=False
    )


def _status_name(exc: Exception) -> str | None:
    """The canonical status (``FAILED_PRECONDITION``...) of an API error, on either transport.

    Over REST the client picks the exception class from the HTTP status alone (400 is
    ``BadRequest`` whatever the reason), so the JSON body's ``error.status`` is read too.
    """
    code = getattr(exc, "grpc_status_code", None)
    if code is not None:
        return str(getattr(code, "name", code))
    response = getattr(exc, "response", None)
    try:
        status = response.json()["error"]["status"] if response is not None else None
    except Exception:  # noqa: BLE001 - no JSON body: no status to report
        return None
    return status if isinstance(status, str) else None
