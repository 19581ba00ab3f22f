"""A loopback fake of the Google Secret Manager v1 REST API (JSON over plain HTTP).

Enough for the real ``google-cloud-secret-manager`` client with ``transport="rest"``:
create a secret, add a version, access a version (``latest`` or a number), list versions
(newest first), destroy a version, delete a secret. Payloads travel as base64 in
``payload.data`` with the CRC32C as a decimal string in ``payload.dataCrc32c``; errors
are ``{"error": {"code", "message", "status"}}`` like the real service.

Faults are scripted per instance: :meth:`fail` answers every request with an HTTP status
and gRPC status name, :attr:`delay` slows every answer, :attr:`corrupt` makes ``access``
return a wrong checksum, :meth:`stop` takes the server away.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import google_crc32c

__all__ = ["FakeSecretManager", "FakeSecretManagerGrpc"]

_SECRET = r"projects/([^/]+)/secrets/([A-Za-z0-9_-]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(rf"/v1/{_SECRET}/versions/([^/:]+):access"), "access"),
    ("POST", re.compile(rf"/v1/{_SECRET}/versions/([^/:]+):destroy"), "destroy"),
    ("GET", re.compile(rf"/v1/{_SECRET}/versions"), "list"),
    ("POST", re.compile(rf"/v1/{_SECRET}:addVersion"), "add"),
    ("POST", re.compile(r"/v1/projects/([^/]+)/secrets"), "create"),
    ("GET", re.compile(r"/v1/projects/([^/]+)/secrets"), "list_secrets"),
    ("DELETE", re.compile(rf"/v1/{_SECRET}"), "delete"),
]


@dataclass
class _Version:
    number: int
    data: bytes
    created: float
    state: str = "ENABLED"


class FakeSecretManager:
    """The fake service. ``with FakeSecretManager() as gsm: ...`` starts and stops it."""

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], list[_Version]] = {}
        self.requests: list[tuple[str, str]] = []
        self.delay = 0.0
        self.corrupt = False
        # When set, the next addVersion to a missing secret creates it (as if another writer
        # did so at that moment) yet still answers 404: the caller's create then meets 409.
        self.race_create = False
        self._fault: tuple[int, str] | None = None
        self._lock = threading.Lock()
        self._connections: set[Any] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-secret-manager", daemon=True
        )
        self._running = False

    def start(self) -> FakeSecretManager:
        self._thread.start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop serving: later requests see connection refused."""
        if self._running:
            self._running = False
            self._server.shutdown()
            self._server.server_close()
            for conn in list(self._connections):  # kept-alive connections too
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()

    def __enter__(self) -> FakeSecretManager:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ------------------------------------------------------------------
    def fail(self, status: int, grpc_status: str) -> None:
        self._fault = (status, grpc_status)

    def heal(self) -> None:
        self._fault = None
        self.delay = 0.0
        self.corrupt = False
        self.race_create = False

    def seed(self, project: str, secret: str, value: str | bytes) -> int:
        """Add a version out of band (creating the secret); returns its number."""
        data = value.encode() if isinstance(value, str) else value
        with self._lock:
            history = self.secrets.setdefault((project, secret), [])
            history.append(_Version(len(history) + 1, data, time.time()))
            return len(history)

    # -- wire format ----------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        self.requests.append((method, path))
        if self.delay:
            time.sleep(self.delay)
        if self._fault is not None:
            return _error(*self._fault, "scripted fault")
        for verb, pattern, action in _ROUTES:
            match = pattern.fullmatch(path)
            if match and verb == method:
                with self._lock:
                    return getattr(self, "_" + action)(*match.groups(), query=query, body=body)
        return _error(404, "NOT_FOUND", f"no route for {method} {path}")

    def _history(self, project: str, secret: str) -> list[_Version] | None:
        return self.secrets.get((project, secret))

    def _version_json(self, project: str, secret: str, v: _Version) -> dict[str, Any]:
        created = dt.datetime.fromtimestamp(v.created, dt.timezone.utc)
        return {
            "name": f"projects/{project}/secrets/{secret}/versions/{v.number}",
            "createTime": created.isoformat().replace("+00:00", "Z"),
            "state": v.state,
        }

    def _access(self, project: str, secret: str, version: str, **_: Any) -> tuple[int, Any]:
        history = self._history(project, secret)
        if history is None:
            return _error(
                404, "NOT_FOUND", f"Secret [projects/{project}/secrets/{secret}] not found"
            )
        if version == "latest":  # the most recently created version, whatever its state
            found = history[-1] if history else None
        else:
            found = next((v for v in history if str(v.number) == version), None)
        if found is None:
            return _error(404, "NOT_FOUND", f"Secret Version [{version}] not found")
        if found.state != "ENABLED":
            return _error(
                400, "FAILED_PRECONDITION", f"Secret Version [{version}] is in {found.state} state"
            )
        crc = google_crc32c.value(found.data) ^ (1 if self.corrupt else 0)
        return 200, {
            "name": f"projects/{project}/secrets/{secret}/versions/{found.number}",
            "payload": {"data": base64.b64encode(found.data).decode(), "dataCrc32c": str(crc)},
        }

    def _create(self, project: str, query: dict[str, list[str]], **_: Any) -> tuple[int, Any]:
        secret = (query.get("secretId") or [""])[0]
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", secret):
            return _error(400, "INVALID_ARGUMENT", "secretId is invalid")
        if (project, secret) in self.secrets:
            return _error(409, "ALREADY_EXISTS", f"Secret [{secret}] already exists")
        self.secrets[(project, secret)] = []
        return 200, {
            "name": f"projects/{project}/secrets/{secret}",
            "replication": {"automatic": {}},
        }

    def _add(self, project: str, secret: str, body: bytes, **_: Any) -> tuple[int, Any]:
        history = self._history(project, secret)
        if history is None:
            if self.race_create:
                self.race_create = False
                self.secrets[(project, secret)] = []
            return _error(
                404, "NOT_FOUND", f"Secret [projects/{project}/secrets/{secret}] not found"
            )
        payload = json.loads(body or b"{}").get("payload") or {}
        data = base64.b64decode(payload.get("data", ""))
        claimed = payload.get("dataCrc32c")
        if claimed is not None and int(claimed) != google_crc32c.value(data):
            return _error(400, "INVALID_ARGUMENT", "Checksum mismatch")
        history.append(_Version(len(history) + 1, data, time.time()))
        return 200, self._version_json(project, secret, history[-1])

    def _list(self, project: str, secret: str, **_: Any) -> tuple[int, Any]:
        history = self._history(project, secret)
        if history is None:
            return _error(
                404, "NOT_FOUND", f"Secret [projects/{project}/secrets/{secret}] not found"
            )
        versions = [self._version_json(project, secret, v) for v in reversed(history)]
        return 200, {"versions": versions, "totalSize": len(versions)}

    def _list_secrets(self, project: str, **_: Any) -> tuple[int, Any]:
        found = []
        for (owner, secret), history in sorted(self.secrets.items()):
            if owner != project:
                continue
            first = history[0].created if history else time.time()
            created = dt.datetime.fromtimestamp(first, dt.timezone.utc)
            found.append(
                {
                    "name": f"projects/{project}/secrets/{secret}",
                    "createTime": created.isoformat().replace("+00:00", "Z"),
                }
            )
        return 200, {"secrets": found, "totalSize": len(found)}

    def _destroy(self, project: str, secret: str, version: str, **_: Any) -> tuple[int, Any]:
        history = self._history(project, secret) or []
        found = next((v for v in history if str(v.number) == version), None)
        if found is None:
            return _error(404, "NOT_FOUND", f"Secret Version [{version}] not found")
        found.state, found.data = "DESTROYED", b""
        return 200, self._version_json(project, secret, found)

    def _delete(self, project: str, secret: str, **_: Any) -> tuple[int, Any]:
        if self.secrets.pop((project, secret), None) is None:
            return _error(
                404, "NOT_FOUND", f"Secret [projects/{project}/secrets/{secret}] not found"
            )
        return 200, {}


def _error(status: int, grpc_status: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message, "status": grpc_status}}


def _handler_for(fake: FakeSecretManager) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm and
            # delayed ACKs add ~40 ms to every answer.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            fake._connections.add(self.connection)

        def finish(self) -> None:
            fake._connections.discard(self.connection)
            with contextlib.suppress(OSError):
                super().finish()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            status, payload = fake.handle(self.command, url.path, parse_qs(url.query), body)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        do_GET = do_POST = do_DELETE = do_PATCH = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class FakeSecretManagerGrpc:
    """The same fake over gRPC (insecure, loopback): a generic handler, no generated stubs.

    Each RPC is translated to the REST fake's route, so both transports share one state
    and one set of scripted faults; an error's status name becomes the gRPC status code.
    """

    SERVICE = "google.cloud.secretmanager.v1.SecretManagerService"

    def __init__(self, rest: FakeSecretManager) -> None:
        import grpc

        self.rest = rest
        self._server = grpc.server(ThreadPoolExecutor(max_workers=8))
        handlers = {
            name: self._unary(name, request_type, response_type, route)
            for name, request_type, response_type, route in self._methods()
        }
        self._server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(self.SERVICE, handlers),)
        )
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._running = False

    @staticmethod
    def _methods() -> list[tuple[str, Any, Any, Any]]:
        from google.cloud import secretmanager as sm
        from google.protobuf import empty_pb2

        def access(req: Any) -> tuple[str, str, dict[str, list[str]], bytes]:
            return "GET", f"/v1/{req.name}:access", {}, b""

        def add(req: Any) -> tuple[str, str, dict[str, list[str]], bytes]:
            body = sm.AddSecretVersionRequest.to_json(req).encode()
            return "POST", f"/v1/{req.parent}:addVersion", {}, body

        def create(req: Any) -> tuple[str, str, dict[str, list[str]], bytes]:
            return "POST", f"/v1/{req.parent}/secrets", {"secretId": [req.secret_id]}, b""

        def versions(req: Any) -> tuple[str, str, dict[str, list[str]], bytes]:
            return "GET", f"/v1/{req.parent}/versions", {}, b""

        def destroy(req: Any) -> tuple[str, str, dict[str, list[str]], bytes]:
            return "POST", f"/v1/{req.name}:destroy", {}, b""

        def delete(req: Any) -> tuple[str, str, dict[str, list[str]], bytes]:
            return "DELETE", f"/v1/{req.name}", {}, b""

        return [
            (
                "AccessSecretVersion",
                sm.AccessSecretVersionRequest,
                sm.AccessSecretVersionResponse,
                access,
            ),
            ("AddSecretVersion", sm.AddSecretVersionRequest, sm.SecretVersion, add),
            ("CreateSecret", sm.CreateSecretRequest, sm.Secret, create),
            (
                "ListSecretVersions",
                sm.ListSecretVersionsRequest,
                sm.ListSecretVersionsResponse,
                versions,
            ),
            ("DestroySecretVersion", sm.DestroySecretVersionRequest, sm.SecretVersion, destroy),
            ("DeleteSecret", sm.DeleteSecretRequest, empty_pb2.Empty, delete),
        ]

    def _unary(self, name: str, request_type: Any, response_type: Any, route: Any) -> Any:
        import grpc

        def call(request: Any, context: Any) -> Any:
            method, path, query, body = route(request)
            status, payload = self.rest.handle(method, path, query, body)
            if status >= 400:
                error = payload["error"]
                context.abort(grpc.StatusCode[error["status"]], error["message"])
            if response_type.__name__ == "Empty":
                return response_type()
            return response_type.from_json(json.dumps(payload), ignore_unknown_fields=True)

        if response_type.__name__ == "Empty":
            serialize = response_type.SerializeToString
        else:
            serialize = response_type.serialize
        return grpc.unary_unary_rpc_method_handler(
            call,
            request_deserializer=request_type.deserialize,
            response_serializer=serialize,
        )

    def start(self) -> FakeSecretManagerGrpc:
        self._server.start()
        self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._server.stop(grace=None)

    def __enter__(self) -> FakeSecretManagerGrpc:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
