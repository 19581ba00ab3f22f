"""Fixtures that run real services on 127.0.0.1 for the tests.

Each fixture starts its service itself, waits until it answers, and stops it. A
service that cannot start calls :func:`service_missing`: skip locally, fail in CI.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

__all__ = ["free_port", "keychain", "service_missing"]


def service_missing(reason: str) -> NoReturn:
    """Skip with ``reason`` locally; fail when ``CI`` is set (see the module docstring)."""
    if os.environ.get("CI"):
        pytest.fail(f"required test service missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Any, timeout: float = 10.0, what: str = "service") -> None:
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:
            last = exc
        time.sleep(0.02)
    raise TimeoutError(f"{what} did not become ready in {timeout}s (last error: {last!r})")


@pytest.fixture(scope="session")
def keychain() -> Iterator[Any]:
    """A real Secret Service: a private D-Bus session bus with gnome-keyring unlocked.

    Yields keyring's SecretService backend bound to that bus. The process's
    ``DBUS_SESSION_BUS_ADDRESS`` points at it for the session, so ``keyring`` picks it
    like it would on a desktop.
    """
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            service_missing(f"{tool} is not installed (apt-get install gnome-keyring dbus-daemon)")
    try:
        import keyring
        from keyring.backends import SecretService
    except ImportError:
        service_missing('keyring is not installed (pip install "openrouter-secure[keyring]")')
    home = Path(tempfile.mkdtemp(prefix="ors-keychain-"))
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    if not address:
        bus.kill()
        service_missing("dbus-daemon did not print a bus address")
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
        input="test-keychain-password",
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    saved = {k: os.environ.get(k) for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")}
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    pid = None
    for line in daemon.stdout.splitlines():
        if line.startswith("GNOME_KEYRING_PID="):
            pid = int(line.split("=", 1)[1])
    try:
        backend = SecretService.Keyring()
        wait_for(lambda: backend.get_password("ors-probe", "probe") is None, what="gnome-keyring")
        previous = keyring.get_keyring()
        keyring.set_keyring(backend)
        yield backend
        keyring.set_keyring(previous)
    except TimeoutError as exc:
        service_missing(f"gnome-keyring did not answer on D-Bus: {exc}")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
        bus.terminate()
        bus.wait(5)
        bus.stdout.close()
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def run_redis(password: str | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start a private ``redis-server`` on a free 127.0.0.1 port; yields ``(url, process)``.

    No persistence (``--save ''``, no AOF). With ``password`` the URL carries it, the way
    a deployment would hand it over. The server is stopped on exit (if still running).
    """
    if shutil.which("redis-server") is None:
        service_missing("redis-server is not installed (apt-get install redis-server)")
    try:
        import redis
    except ImportError:
        service_missing('redis-py is not installed (pip install "openrouter-secure[redis]")')
    port = free_port()
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    cmd += ["--save", "", "--appendonly", "no"]
    if password:
        cmd += ["--requirepass", password]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    auth = f":{password}@" if password else ""
    url = f"redis://{auth}127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            wait_for(client.ping, what="redis-server")
        except TimeoutError as exc:
            service_missing(f"redis-server did not answer PING: {exc}")
        finally:
            client.close()
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the whole session: ``redis://127.0.0.1:PORT/0``."""
    with run_redis() as (url, _proc):
        yield url
