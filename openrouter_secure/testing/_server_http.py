"""The HTTP plumbing of the loopback OpenRouter server: a quiet threading server, the
request handler (keep-alive, chunked SSE, TCP_NODELAY) and the TLS certificate."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import ssl
import tempfile
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._server_shapes import RecordedRequest, ReplyError, ScriptedResponse

__all__ = ["QuietServer", "make_handler", "self_signed_context"]


def self_signed_context() -> tuple[ssl.SSLContext, str]:
    """A server context with a fresh self-signed certificate for localhost/127.0.0.1.

    Returns the context and the certificate file to trust. Needs ``cryptography`` (a
    test dependency), imported only here.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loopback openrouter")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="ors-tls-"))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.touch(mode=0o600)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, str(cert_file)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, closed pools) are normal here: no traceback."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
    # and the client's delayed ACK add ~40 ms to every keep-alive answer.
    disable_nagle_algorithm = True
    server_state: Any  # the OpenRouterTestServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _serve(self) -> None:
        state = self.server_state
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = parse_qs(split.query)
        headers = dict(self.headers.items())
        if state.record:
            state.keep_request(RecordedRequest(self.command, split.path, query, headers, body))
        scripted = state.next_script(self.command, split.path)
        if scripted is not None:
            self._send_scripted(scripted)
            return
        try:
            status, payload = state.handle(self.command, split.path, query, headers, body)
        except ReplyError as reply:
            error: dict[str, Any] = {"code": reply.status, "message": reply.message}
            if reply.metadata is not None:
                error["metadata"] = reply.metadata
            self._send_json(reply.status, {"error": error})
            return
        if isinstance(payload, dict) and "__sse__" in payload:
            self._send_sse(payload["__sse__"], 0.0)
        else:
            self._send_json(status, payload)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = (
            payload
            if isinstance(payload, bytes)
            else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        )
        self.send_response(status)
        ctype = "application/json" if not isinstance(payload, (bytes, str)) else "text/plain"
        hdrs = {"Content-Type": ctype, **(headers or {})}
        for name, value in hdrs.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_sse(
        self, events: list[str], pause: float, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(200)
        for name, value in {"Content-Type": "text/event-stream", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in events:
            if pause:
                time.sleep(pause)
            data = (event + "\n\n").encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def _send_scripted(self, scripted: ScriptedResponse) -> None:
        if scripted.delay:
            time.sleep(scripted.delay)
        if scripted.sse is not None:
            self._send_sse(scripted.sse, scripted.sse_delay, scripted.headers)
        else:
            body = b"" if scripted.body is None else scripted.body
            self._send_json(scripted.status, body, scripted.headers)

    def _guarded(self) -> None:
        # A client that timed out closes its socket while we sleep: not an error here.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._serve()

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _guarded  # noqa: N815


def make_handler(state: Any) -> type[BaseHTTPRequestHandler]:
    """A handler class bound to ``state`` (an ``OpenRouterTestServer``)."""
    return type("_BoundHandler", (_Handler,), {"server_state": state})
