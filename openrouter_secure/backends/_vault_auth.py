"""How ``vault://`` finds its server and logs in: address, TLS, and the auth method.

Everything here reads the reference's params and the environment; nothing talks to
the network. :func:`connection_for` turns a reference into a :class:`Connection` (the
key the provider caches one logged-in hvac client under), and
:meth:`Connection.credentials` reads the token, secret id or JWT at the moment it is
needed, so a rotated file (Vault Agent, a Kubernetes projected token) is picked up.

Auth method, first match wins:

1. ``?auth=token|approle|kubernetes``;
2. the reference names one: ``?token_file=`` (token), ``?role_id=`` /
   ``?secret_id_file=`` (AppRole), ``?role=`` (Kubernetes);
3. ``VAULT_TOKEN`` (token), then ``VAULT_ROLE_ID`` (AppRole), then a token file
   (``VAULT_TOKEN_FILE`` or ``~/.vault-token``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .._exceptions import AccessDeniedError, InvalidReferenceError
from .._net import transport_allowed
from .._refs import SecretRef

__all__ = ["DEFAULT_ADDR", "K8S_TOKEN_FILE", "Connection", "connection_for"]

DEFAULT_ADDR = "https://127.0.0.1:8200"
K8S_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105 - a path
METHODS = ("token", "approle", "kubernetes")


@dataclass(frozen=True)
class Connection:
    """Where and as whom to talk to Vault. Holds pointers to credentials, never one."""

    addr: str
    namespace: str | None
    verify: str | bool
    cert: tuple[str, str] | None
    method: str
    auth_mount: str
    # token: the file to read, or "" for VAULT_TOKEN; approle: role id;
    # kubernetes: role name.
    identity: str
    # approle: the secret-id file ("" = VAULT_SECRET_ID); kubernetes: the JWT file.
    secret_source: str

    def describe(self) -> str:
        where = f"{self.addr}" + (f" namespace {self.namespace}" if self.namespace else "")
        if self.method == "token":
            source = self.identity or "VAULT_TOKEN"
            return f"{where}, token from {source}"
        return f"{where}, {self.method} login at auth/{self.auth_mount}"

    def credentials(self, ref: SecretRef) -> tuple[str, str]:
        """``(first, second)``: (token, "") / (role_id, secret_id) / (role, jwt), read now."""
        if self.method == "token":
            if self.identity:
                return _read_file(ref, self.identity, "Vault token"), ""
            token = os.environ.get("VAULT_TOKEN", "")
            if not token:
                raise AccessDeniedError(
                    f"{ref}: VAULT_TOKEN is empty; set it, or point ?token_file= at a token file",
                    ref=ref,
                )
            return token, ""
        if self.method == "approle":
            if self.secret_source:
                secret_id = _read_file(ref, self.secret_source, "AppRole secret id")
            else:
                secret_id = os.environ.get("VAULT_SECRET_ID", "")
                if not secret_id:
                    raise AccessDeniedError(
                        f"{ref}: AppRole login needs a secret id: set VAULT_SECRET_ID, "
                        "VAULT_SECRET_ID_FILE, or ?secret_id_file=",
                        ref=ref,
                    )
            return self.identity, secret_id
        return self.identity, _read_file(ref, self.secret_source, "Kubernetes service-account JWT")


def connection_for(ref: SecretRef) -> Connection:
    """The :class:`Connection` a reference asks for (params first, then the environment)."""
    env = os.environ
    addr = (ref.param("addr") or env.get("VAULT_ADDR") or DEFAULT_ADDR).rstrip("/")
    parts = urlsplit(addr)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidReferenceError(f"{ref}: the Vault address must be an http(s) URL")
    # A dev server (``vault server -dev``) listens on plain http on loopback; nothing else may.
    if not transport_allowed(parts, allow_insecure_loopback=True):
        raise InvalidReferenceError(
            f"{ref}: the Vault address uses plain http to a non-loopback host, so the token "
            "and secrets would cross the network unencrypted; use https://"
        )
    namespace = ref.param("namespace") or env.get("VAULT_NAMESPACE") or None
    ca = ref.param("ca_cert") or env.get("VAULT_CACERT") or env.get("VAULT_CAPATH")
    verify: str | bool = ca if ca else True
    client_cert, client_key = env.get("VAULT_CLIENT_CERT"), env.get("VAULT_CLIENT_KEY")
    cert = (client_cert, client_key) if client_cert and client_key else None
    method = _method(ref)
    default_mount = {"token": "token", "approle": "approle", "kubernetes": "kubernetes"}
    mount = (ref.param("auth_mount") or default_mount[method]).strip("/")
    if method == "token":
        token_file = ref.param("token_file") or ""
        if not token_file and not env.get("VAULT_TOKEN"):
            token_file = env.get("VAULT_TOKEN_FILE") or str(Path.home() / ".vault-token")
        return Connection(addr, namespace, verify, cert, method, mount, token_file, "")
    if method == "approle":
        role_id = ref.param("role_id") or env.get("VAULT_ROLE_ID") or ""
        if (path := ref.param("role_id_file")) and not role_id:
            role_id = _read_file(ref, path, "AppRole role id")
        if not role_id:
            raise AccessDeniedError(
                f"{ref}: AppRole login needs a role id: set VAULT_ROLE_ID or add ?role_id=",
                ref=ref,
            )
        secret_file = ref.param("secret_id_file") or env.get("VAULT_SECRET_ID_FILE") or ""
        return Connection(addr, namespace, verify, cert, method, mount, role_id, secret_file)
    role = ref.param("role") or env.get("VAULT_K8S_ROLE") or ""
    if not role:
        raise InvalidReferenceError(f"{ref}: Kubernetes login needs ?role= (the Vault role)")
    jwt_file = ref.param("jwt_file") or K8S_TOKEN_FILE
    return Connection(addr, namespace, verify, cert, method, mount, role, jwt_file)


def _method(ref: SecretRef) -> str:
    explicit = ref.param("auth")
    if explicit is not None:
        if explicit not in METHODS:
            raise InvalidReferenceError(
                f"{ref}: unknown Vault auth method {explicit!r}; use one of {', '.join(METHODS)}"
            )
        return explicit
    if ref.param("token_file"):
        return "token"
    if ref.param("role_id") or ref.param("role_id_file") or ref.param("secret_id_file"):
        return "approle"
    if ref.param("role"):
        return "kubernetes"
    if os.environ.get("VAULT_TOKEN"):
        return "token"
    if os.environ.get("VAULT_ROLE_ID"):
        return "approle"
    return "token"


def _read_file(ref: SecretRef, path: str, what: str) -> str:
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise AccessDeniedError(
            f"{ref}: no Vault credentials: the {what} file {path} does not exist. "
            "Log in (bao login / vault login), set VAULT_TOKEN, or configure AppRole "
            "(VAULT_ROLE_ID + VAULT_SECRET_ID)",
            ref=ref,
        ) from None
    except OSError as exc:
        raise AccessDeniedError(
            f"{ref}: cannot read the {what} file {path} ({type(exc).__name__}); check its "
            "permissions",
            ref=ref,
        ) from None
    if not text:
        raise AccessDeniedError(f"{ref}: the {what} file {path} is empty", ref=ref)
    return text
