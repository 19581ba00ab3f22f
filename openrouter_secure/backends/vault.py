"""``vault://MOUNT/PATH``: HashiCorp Vault / OpenBao KV secrets through hvac.

Install with ``pip install "openrouter-secure[vault]"``. Reference grammar::

    vault://secret/openrouter/prod#api_key        # KV v2 mount "secret", key "api_key"
    vault://secret/openrouter/prod?version=3      # one exact version (KV v2)
    vault://kv/openrouter?kv=1#api_key            # a KV v1 mount
    vault://team/kv/app?mount=team/kv             # a mount path with a "/" in it
    vault://secret/app?auth=approle&role_id=...&secret_id_file=/run/secret-id

The first path segment is the mount (``?mount=`` for a deeper one), the rest the
secret's path. Without ``#field`` the whole map comes back as JSON text, except a
secret whose only key is ``value``, which is a plain value; ``put`` mirrors that (a
JSON object is stored as its keys, any other text under the key ``value``). A
reference's result never depends on how many keys the secret has, so adding a key to
a secret cannot change what an existing reference resolves to.

Server and auth (see :mod:`._vault_auth`): ``?addr=`` or ``VAULT_ADDR``,
``?namespace=`` or ``VAULT_NAMESPACE``, ``?ca_cert=`` or ``VAULT_CACERT`` /
``VAULT_CAPATH``, ``VAULT_CLIENT_CERT`` + ``VAULT_CLIENT_KEY``; token, AppRole or
Kubernetes login. A token with a TTL is renewed when two thirds of it have passed (or
30 s before expiry); when renewal is impossible the provider logs in again. A 403 with
a token Vault no longer knows (expired, revoked) triggers one fresh login (or re-read
of the token file) and one retry; a 403 with a live token is a policy denial and is
reported at once.

Every request is bounded by ``timeout`` (default 10 s, ``?timeout=``); connection
failures are retried ``retries`` times (default 2) with a short backoff. Reads are
never retried after the request reached the server: a slow Vault is a slow Vault.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from .._exceptions import (
    AccessDeniedError,
    InvalidReferenceError,
    ProviderError,
    SecretFormatError,
    SecretNotFoundError,
    UnsupportedOperationError,
)
from .._provider import Availability, SecretEntry, SecretProvider, SecretVersion, select_field
from .._refs import SecretRef
from .._secret import Secret
from ._redirects import guard_session
from ._vault_auth import Connection, connection_for
from ._vault_errors import map_error

__all__ = ["VaultProvider"]

T = TypeVar("T")


class _Session:
    """One hvac client, logged in as one identity, and what we know of its token."""

    def __init__(self, conn: Connection, client: Any) -> None:
        self.conn = conn
        self.client = client
        self.lock = threading.Lock()
        self.ready = False
        self.expires_at: float | None = None  # time.monotonic(); None: no expiry known
        self.margin = 0.0
        self.renewable = False

    def learn(self, ttl: int | float | None, renewable: bool) -> None:
        if ttl and ttl > 0:
            self.expires_at = time.monotonic() + float(ttl)
            self.margin = min(30.0, float(ttl) / 3)
        else:
            self.expires_at = None
        self.renewable = bool(renewable)
        self.ready = True

    def expiring(self) -> bool:
        return self.expires_at is not None and time.monotonic() >= self.expires_at - self.margin


class VaultProvider(SecretProvider):
    """HashiCorp Vault or OpenBao KV v1/v2. See the module docstring for the grammar.

    ``timeout`` (seconds per request) and ``retries`` (connection attempts after the
    first) bound every call; ``?timeout=`` overrides the timeout per reference.
    """

    name = "vault"
    extra = "vault"
    params = frozenset(
        {
            "addr",
            "namespace",
            "ca_cert",
            "auth",
            "auth_mount",
            "token_file",
            "role_id",
            "role_id_file",
            "secret_id_file",
            "role",
            "jwt_file",
            "mount",
            "kv",
            "version",
            "timeout",
        }
    )

    def __init__(self, *, timeout: float = 10.0, retries: int = 2) -> None:
        if timeout <= 0 or retries < 0:
            raise ValueError("timeout must be > 0 and retries >= 0")
        self.timeout = timeout
        self.retries = retries
        self._sessions: dict[tuple[Connection, float], _Session] = {}
        self._lock = threading.Lock()

    @classmethod
    def availability(cls) -> Availability:
        # No import and no network here: auth is checked on first use, where the error
        # can say exactly what to fix.
        if not (sdk := cls.check_sdk("hvac")):
            return sdk
        from importlib.metadata import version

        return Availability(True, f"hvac {version('hvac')}; VAULT_ADDR and token/AppRole/k8s")

    # -- sessions and auth -------------------------------------------------------------

    def _session(self, ref: SecretRef) -> _Session:
        timeout = self.timeout
        if (raw := ref.param("timeout")) is not None:
            timeout = _number(ref, "timeout", raw, 0.0, 300.0)
        key = (connection_for(ref), timeout)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = self._sessions[key] = _Session(key[0], self._new_client(*key))
            return session

    def _new_client(self, conn: Connection, timeout: float) -> Any:
        hvac = self.import_sdk("hvac")
        requests = self.import_sdk("requests")
        retry = self.import_sdk("urllib3.util.retry")
        # Never a redirect to another origin: it would carry X-Vault-Token there.
        http = guard_session(requests.Session())
        # hvac takes TLS settings from a passed session over its own arguments.
        http.verify = conn.verify
        http.cert = conn.cert
        # Retry only what never reached Vault (refused, reset before sending).
        policy = retry.Retry(
            total=self.retries,
            connect=self.retries,
            read=0,
            status=0,
            other=0,
            backoff_factor=0.1,
            raise_on_status=False,
        )
        adapter = requests.adapters.HTTPAdapter(max_retries=policy)
        http.mount("http://", adapter)
        http.mount("https://", adapter)
        client = hvac.Client(
            url=conn.addr,
            token="",  # never hvac's own VAULT_TOKEN / ~/.vault-token lookup: ours decides
            namespace=conn.namespace,
            verify=conn.verify,
            cert=conn.cert,
            timeout=timeout,
            session=http,
        )
        client.token = None
        return client

    def _authenticate(self, session: _Session, ref: SecretRef) -> None:
        """Log in (or load the token) now. Call with ``session.lock`` held."""
        conn, client = session.conn, session.client
        hvac_exc = self.import_sdk("hvac.exceptions")
        first, second = conn.credentials(ref)
        if conn.method == "token":
            client.token = first
            try:
                info = client.auth.token.lookup_self()["data"]
            except hvac_exc.Forbidden:  # no lookup-self permission (or a dead token): the
                session.learn(None, False)  # read itself will tell which
                return
            session.learn(info.get("ttl"), info.get("renewable", False))
            return
        try:
            if conn.method == "approle":
                response = client.auth.approle.login(
                    role_id=first, secret_id=second, mount_point=conn.auth_mount
                )
            else:
                response = client.auth.kubernetes.login(
                    role=first, jwt=second, mount_point=conn.auth_mount
                )
        except (hvac_exc.InvalidRequest, hvac_exc.Forbidden, hvac_exc.Unauthorized) as exc:
            errors = exc.errors if isinstance(exc.errors, list) else [exc.errors]
            detail = "; ".join(str(e) for e in errors if e)[:200]
            raise AccessDeniedError(
                f"{ref}: Vault {conn.method} login at auth/{conn.auth_mount} was refused "
                f"({detail or type(exc).__name__}); check the role and its credentials",
                ref=ref,
            ) from None
        auth = response["auth"]
        session.learn(auth.get("lease_duration"), auth.get("renewable", False))

    def _ensure(self, session: _Session, ref: SecretRef) -> None:
        with session.lock:
            if not session.ready:
                self._authenticate(session, ref)
            elif session.expiring():
                if session.renewable:
                    try:
                        auth = session.client.auth.token.renew_self()["auth"]
                    except self.import_sdk("hvac.exceptions").VaultError:  # expired, or at max TTL
                        auth = None
                    if auth and float(auth.get("lease_duration") or 0) > session.margin:
                        session.learn(auth["lease_duration"], auth.get("renewable", False))
                        return
                self._authenticate(session, ref)

    def _token_is_dead(self, session: _Session) -> bool:
        try:
            session.client.auth.token.lookup_self()
        except Exception:  # noqa: BLE001 - any failure: worth one fresh login
            return True
        return False

    def _request(self, ref: SecretRef, what: str, call: Callable[[Any], T]) -> T:
        """``call(client)`` logged in, with one re-login on a dead token, errors mapped."""
        hvac_exc = self.import_sdk("hvac.exceptions")
        session = self._session(ref)
        try:
            self._ensure(session, ref)
            try:
                return call(session.client)
            except hvac_exc.Forbidden:
                if not self._token_is_dead(session):
                    raise
            with session.lock:
                self._authenticate(session, ref)
            return call(session.client)
        except ProviderError:
            raise
        except Exception as exc:
            mapped = map_error(ref, what, session.conn, exc)
            if mapped is None:
                raise
            raise mapped from None

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.client.adapter.close()

    # -- operations --------------------------------------------------------------------

    def _read(self, ref: SecretRef, client: Any) -> dict[str, Any]:
        mount, path = _split(ref)
        if _kv(ref) == 1:
            data = client.secrets.kv.v1.read_secret(path=path, mount_point=mount)["data"]
        else:
            version = ref.param("version")
            response = client.secrets.kv.v2.read_secret_version(
                path=path,
                version=None
                if version is None
                else int(_number(ref, "version", version, 0, 2**31)),
                mount_point=mount,
                raise_on_deleted_version=True,
            )
            data = response["data"]["data"]
        if not isinstance(data, dict):
            raise SecretNotFoundError(f"Vault returned no data for {ref}", ref=ref)
        return data

    def get(self, ref: SecretRef) -> Secret:
        data = self._request(ref, "a read", lambda client: self._read(ref, client))
        if ref.field is None and set(data) == {"value"}:
            value = data["value"]
            if isinstance(value, str):
                return Secret(value)
            return Secret(json.dumps(value, separators=(",", ":")))
        return select_field(ref, data)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        """Write a new version; returns its number (KV v2) or ``None`` (KV v1).

        ``#field`` sets that one key and keeps the others (KV v2: check-and-set against
        the version read, so a concurrent writer is detected, not overwritten). Without
        a field, a JSON object is stored as its keys and any other text as ``value``.
        """
        if ref.param("version") is not None:
            raise InvalidReferenceError(f"{ref}: put() makes a new version; drop ?version=")
        raw = value.reveal_bytes() if isinstance(value, Secret) else value.encode("utf-8")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SecretFormatError(
                f"{ref}: Vault KV stores text; base64-encode binary values first", ref=ref
            ) from None
        mount, path = _split(ref)
        kv = _kv(ref)

        def write(client: Any) -> str | None:
            cas: int | None = None
            if ref.field is not None:
                data = self._current(ref, client)
                cas = data.pop("\0version", None)
                data[ref.field] = text
            else:
                data = _as_kv(text)
            if kv == 1:
                client.secrets.kv.v1.create_or_update_secret(
                    path=path, secret=data, mount_point=mount
                )
                return None
            response = client.secrets.kv.v2.create_or_update_secret(
                path=path, secret=data, mount_point=mount, cas=cas
            )
            return str(response["data"]["version"])

        return self._request(ref, "a write", write)

    def _current(self, ref: SecretRef, client: Any) -> dict[str, Any]:
        """The latest data (empty if none), with its version under a private key for CAS."""
        hvac_exc = self.import_sdk("hvac.exceptions")
        mount, path = _split(ref)
        try:
            if _kv(ref) == 1:
                return dict(client.secrets.kv.v1.read_secret(path=path, mount_point=mount)["data"])
            response = client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=mount, raise_on_deleted_version=False
            )
        except hvac_exc.InvalidPath:
            return {"\0version": 0} if _kv(ref) == 2 else {}
        data = dict(response["data"].get("data") or {})
        data["\0version"] = int(response["data"]["metadata"]["version"])
        return data

    def delete(self, ref: SecretRef, *, all_versions: bool = False) -> None:
        """Delete, recoverably unless asked otherwise.

        KV v2: soft-deletes the latest version (or ``?version=N``); ``bao kv undelete``
        brings it back, and older versions stay readable by number. ``all_versions=True``
        deletes the metadata and every version, permanently. KV v1 has no versions: the
        secret is removed. Deleting a secret that does not exist succeeds, as in Vault.
        """
        mount, path = _split(ref)
        kv = _kv(ref)
        version = ref.param("version")

        def remove(client: Any) -> None:
            if kv == 1:
                client.secrets.kv.v1.delete_secret(path=path, mount_point=mount)
            elif all_versions:
                client.secrets.kv.v2.delete_metadata_and_all_versions(path=path, mount_point=mount)
            elif version is not None:
                number = int(_number(ref, "version", version, 1, 2**31))
                client.secrets.kv.v2.delete_secret_versions(
                    path=path, versions=[number], mount_point=mount
                )
            else:
                client.secrets.kv.v2.delete_latest_version_of_secret(path=path, mount_point=mount)

        self._request(ref, "a delete", remove)

    def versions(self, ref: SecretRef) -> list[SecretVersion]:
        """KV v2 versions from the metadata, newest first.

        Stages: ``current`` for the latest, ``deleted`` / ``destroyed`` when so.
        """
        if _kv(ref) == 1:
            raise UnsupportedOperationError(f"{ref}: KV version 1 keeps no versions", ref=ref)
        mount, path = _split(ref)
        meta = self._request(
            ref,
            "a metadata read",
            lambda c: c.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount)["data"],
        )
        current = str(meta.get("current_version", ""))
        found = []
        for number, info in meta.get("versions", {}).items():
            stages = []
            if number == current:
                stages.append("current")
            if info.get("destroyed"):
                stages.append("destroyed")
            elif info.get("deletion_time"):
                stages.append("deleted")
            found.append(
                SecretVersion(
                    version=number,
                    created=_timestamp(info.get("created_time")),
                    stages=tuple(stages),
                    enabled=not (info.get("destroyed") or info.get("deletion_time")),
                )
            )
        found.sort(key=lambda v: int(v.version), reverse=True)
        return found

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        """The secrets under ``prefix`` (``vault://secret/app/``), folders walked, at most
        :data:`MAX_LISTED`. A prefix not ending in ``/`` also matches names that start
        with its last segment (``vault://secret/app/open``)."""
        full = prefix.path.lstrip("/")
        mount = (prefix.param("mount") or full.split("/", 1)[0]).strip("/")
        if not mount or not (full + "/").startswith(mount + "/"):
            raise InvalidReferenceError(
                f"{prefix}: list a vault:// prefix as MOUNT/[PATH/], e.g. vault://secret/app/"
            )
        rest = full[len(mount) :].lstrip("/")
        folder, _, stem = rest.rpartition("/")
        kv = _kv(prefix)
        keep = [(k, v) for k, v in prefix.params if k != "version"]  # how to reach them

        def keys(client: Any, path: str) -> list[str]:
            engine = client.secrets.kv.v1 if kv == 1 else client.secrets.kv.v2
            try:
                listed = engine.list_secrets(path=path, mount_point=mount)
            except self.import_sdk("hvac.exceptions").InvalidPath:
                return []  # nothing there: an empty listing, not an error
            return [str(k) for k in (listed.get("data") or {}).get("keys") or []]

        found: list[SecretEntry] = []
        pending = [(folder, stem)]
        while pending and len(found) < MAX_LISTED:
            path, start = pending.pop()
            listed: list[str] = self._request(
                prefix, "a listing", functools.partial(keys, path=path)
            )
            for key in listed:
                if not key.startswith(start):
                    continue
                child = f"{path}/{key}".lstrip("/") if path else key
                if key.endswith("/"):
                    pending.append((child.rstrip("/"), ""))
                else:
                    found.append(SecretEntry(SecretRef.build("vault", f"{mount}/{child}", keep)))
        return sorted(found, key=lambda e: e.ref.path)[:MAX_LISTED]


MAX_LISTED = 1000
"""How many secrets :meth:`VaultProvider.list_secrets` returns at most."""


def _split(ref: SecretRef) -> tuple[str, str]:
    full = ref.path.strip("/")
    mount = (ref.param("mount") or full.split("/", 1)[0]).strip("/")
    if not full.startswith(mount + "/") or not full[len(mount) + 1 :].strip("/"):
        raise InvalidReferenceError(
            f"{ref}: a vault:// path is MOUNT/PATH (e.g. vault://secret/openrouter/prod); "
            "with ?mount= the path must start with that mount"
        )
    return mount, full[len(mount) + 1 :].strip("/")


def _kv(ref: SecretRef) -> int:
    raw = ref.param("kv", "2")
    if raw not in ("1", "2"):
        raise InvalidReferenceError(f"{ref}: ?kv= must be 1 or 2 (the KV engine version)")
    return int(raw)


def _number(ref: SecretRef, name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = low - 1
    if not low < value <= high or (name == "version" and value != int(value)):
        raise InvalidReferenceError(f"{ref}: ?{name}= must be a number in ({low:g}, {high:g}]")
    return value


def _as_kv(text: str) -> dict[str, Any]:
    if text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and parsed:
            return parsed
    return {"value": text}


def _timestamp(raw: object) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    # Vault writes nanoseconds and "Z"; fromisoformat (3.10) takes neither.
    head, _, frac = raw.rstrip("Z").partition(".")
    try:
        return datetime.fromisoformat(f"{head}.{(frac or '0')[:6]:0<6}+00:00")
    except ValueError:
        return None
