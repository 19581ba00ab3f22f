"""A loopback fake of the Azure Key Vault secrets REST API, over HTTPS.

Just enough of the data plane for the real ``azure-keyvault-secrets`` client: get (latest
or a version), set (new version), list versions, delete (soft delete), get deleted. It
speaks the protocol the SDK expects, including the bearer challenge: a request without
the expected ``Authorization`` header gets ``401`` with a ``WWW-Authenticate`` header,
after which the SDK asks its credential for a token and retries.

The certificate is self-signed, made at start-up with ``cryptography`` and written to a
temporary directory; clients trust it with ``connection_verify=fake.ca_file`` (and
``verify_challenge_resource=False``, since the host is not ``*.vault.azure.net``).

Faults are scripted per instance: :meth:`fail` answers every authenticated request with a
status and error code (403, 429, 500...), :attr:`delay` makes each answer slow, and
:meth:`stop` takes the server away (connection refused).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import re
import secrets
import shutil
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeKeyVault", "FakeTokenCredential", "self_signed_certificate"]

TENANT = "00000000-0000-0000-0000-000000000000"
CHALLENGE = (
    f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", '
    'resource="https://vault.azure.net"'
)
_SECRET_PATH = re.compile(r"/(secrets|deletedsecrets)(?:/([A-Za-z0-9-]+))?(?:/([A-Za-z0-9]*))?/?")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """Write a fresh self-signed certificate for 127.0.0.1/localhost; returns (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "openrouter-secure test vault")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "vault-cert.pem", directory / "vault-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return cert_file, key_file


class FakeTokenCredential:
    """An Azure ``TokenCredential``: ``get_token()`` is all the challenge policy needs."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls = 0
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.calls += 1
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


@dataclass
class _Version:
    version: str
    value: str
    created: int
    enabled: bool = True


@dataclass
class _Fault:
    status: int
    code: str
    headers: dict[str, str] = field(default_factory=dict)
    inner: str | None = None


class FakeKeyVault:
    """The fake vault. ``with FakeKeyVault() as vault: ...`` starts and stops it."""

    def __init__(self) -> None:
        self.token = "test-token-" + secrets.token_hex(16)
        self.secrets: dict[str, list[_Version]] = {}
        self.deleted: dict[str, list[_Version]] = {}
        self.requests: list[tuple[str, str, bool]] = []  # method, path, authorized
        self.delay = 0.0
        self._fault: _Fault | None = None
        self._lock = threading.Lock()
        self._dir = Path(tempfile.mkdtemp(prefix="ors-azure-fake-"))
        self.ca_file, key_file = self_signed_certificate(self._dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-key-vault", daemon=True
        )
        self._running = False
        self._connections: set[Any] = set()

    def start(self) -> FakeKeyVault:
        self._thread.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop serving: later requests see connection refused."""
        if self._running:
            self._running = False
            self._server.shutdown()
            self._server.server_close()
            # Kept-alive connections would otherwise go on being served.
            for conn in list(self._connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> FakeKeyVault:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- scripting ------------------------------------------------------------------
    def fail(
        self,
        status: int,
        code: str,
        headers: dict[str, str] | None = None,
        inner: str | None = None,
    ) -> None:
        """Answer every authenticated request with ``status``, error ``code`` (and inner code)."""
        self._fault = _Fault(status, code, dict(headers or {}), inner)

    def heal(self) -> None:
        self._fault = None
        self.delay = 0.0

    def seed(self, name: str, value: str) -> str:
        """Store a new version out of band; returns its id."""
        with self._lock:
            return self._add(name, value).version

    def _add(self, name: str, value: str) -> _Version:
        history = self.secrets.setdefault(name, [])
        # Creation times one second apart keep "newest first" well defined.
        created = max([int(time.time())] + [v.created + 1 for v in history])
        version = _Version(secrets.token_hex(16), value, created)
        history.append(version)
        return version

    # -- wire format ----------------------------------------------------------------
    def _bundle(self, name: str, version: _Version, *, value: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": f"{self.url}/secrets/{name}/{version.version}",
            "attributes": {
                "enabled": version.enabled,
                "created": version.created,
                "updated": version.created,
                "recoveryLevel": "Recoverable+Purgeable",
                "recoverableDays": 90,
            },
        }
        if value:
            body["value"] = version.value
        return body

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes, auth: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any] | None]:
        authorized = auth == f"Bearer {self.token}"
        self.requests.append((method, path, authorized))
        if not query.get("api-version"):
            return _error(400, "BadParameter", "The api-version query parameter is required")
        if not authorized:
            return 401, {"WWW-Authenticate": CHALLENGE}, _error(401, "Unauthorized", "")[2]
        if self.delay:
            time.sleep(self.delay)
        if self._fault is not None:
            fault = self._fault
            body = _error(fault.status, fault.code, "scripted")[2]
            if fault.inner:
                body["error"]["innererror"] = {"code": fault.inner}
            return fault.status, fault.headers, body
        match = _SECRET_PATH.fullmatch(path)
        if match is None:
            return _error(404, "NotFound", "no such operation")
        collection, name, version = match.groups()
        with self._lock:
            return self._route(method, collection, name, version, body)

    def _route(
        self, method: str, collection: str, name: str | None, version: str | None, body: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any] | None]:
        if collection == "deletedsecrets":
            if method == "GET" and name and name in self.deleted:
                return (
                    200,
                    {},
                    {
                        **self._bundle(name, self.deleted[name][-1], value=False),
                        "recoveryId": f"{self.url}/deletedsecrets/{name}",
                    },
                )
            return _error(404, "SecretNotFound", f"Deleted Secret not found: {name}")
        if name is None:
            if method != "GET":
                return _error(405, "MethodNotAllowed", f"{method} /secrets is not supported")
            items = [
                {**self._bundle(n, h[-1], value=False), "id": f"{self.url}/secrets/{n}"}
                for n, h in sorted(self.secrets.items())
                if h
            ]
            return 200, {}, {"value": items, "nextLink": None}
        if method == "PUT" and version is None:
            if name in self.deleted:
                return _error(
                    409,
                    "Conflict",
                    f"Secret {name} is currently in a deleted but recoverable state",
                )
            value = json.loads(body or b"{}").get("value")
            if not isinstance(value, str):
                return _error(400, "BadParameter", "value is required")
            return 200, {}, self._bundle(name, self._add(name, value))
        history = self.secrets.get(name)
        if not history:
            return _error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found")
        if method == "DELETE" and version is None:
            self.deleted[name] = self.secrets.pop(name)
            return (
                200,
                {},
                {
                    **self._bundle(name, history[-1], value=False),
                    "recoveryId": f"{self.url}/deletedsecrets/{name}",
                    "deletedDate": int(time.time()),
                    "scheduledPurgeDate": int(time.time()) + 90 * 86400,
                },
            )
        if method == "GET" and version == "versions":
            items = [self._bundle(name, v, value=False) for v in history]
            return 200, {}, {"value": items, "nextLink": None}
        if method == "GET":
            found = (
                history[-1]
                if not version
                else next((v for v in history if v.version == version), None)
            )
            if found is None:
                return _error(
                    404, "SecretNotFound", f"A secret with (name/id) {name}/{version} was not found"
                )
            return 200, {}, self._bundle(name, found)
        return _error(405, "MethodNotAllowed", f"{method} is not supported here")


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    return status, {}, {"error": {"code": code, "message": message}}


def _handler_for(vault: FakeKeyVault) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm and
            # delayed ACKs add ~40 ms to every answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            vault._connections.add(self.connection)

        def finish(self) -> None:
            vault._connections.discard(self.connection)
            with contextlib.suppress(OSError, ssl.SSLError):
                super().finish()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            status, headers, payload = vault.handle(
                self.command,
                url.path,
                parse_qs(url.query),
                body,
                self.headers.get("Authorization"),
            )
            data = b"" if payload is None else json.dumps(payload).encode()
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the client gave up (a timeout test)

        do_GET = do_PUT = do_DELETE = do_POST = do_PATCH = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
