"""Third-party MCP servers for the gateway tests, installed from the registries.

``npm_servers`` installs ``@modelcontextprotocol/server-everything`` and
``@modelcontextprotocol/server-filesystem`` (pinned) once into ``.cache/npm-mcp`` at
the repository root (ignored by git) and runs them with the machine's ``node``. A
missing ``node``/``npm`` or a failed install skips locally and fails when ``CI`` is set.
The Python servers (``mcp-server-time``) come from the test dependency group.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.services import service_missing

ROOT = Path(__file__).resolve().parent.parent
NPM_PACKAGES = {
    "@modelcontextprotocol/server-everything": "2026.8.31",
    "@modelcontextprotocol/server-filesystem": "2026.8.31",
}
GATEWAY = [sys.executable, "-m", "openrouter_secure.cli", "gateway"]


@dataclass(frozen=True)
class NpmServers:
    node: str
    everything: Path
    filesystem: Path


@pytest.fixture(scope="session")
def npm_servers() -> NpmServers:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        service_missing("node and npm are needed (apt-get install nodejs npm)")
    cache = Path(os.environ.get("ORS_NPM_CACHE", ROOT / ".cache" / "npm-mcp"))
    modules = cache / "node_modules" / "@modelcontextprotocol"
    everything = modules / "server-everything" / "dist" / "index.js"
    filesystem = modules / "server-filesystem" / "dist" / "index.js"

    def installed() -> bool:
        for name, version in NPM_PACKAGES.items():
            meta = cache / "node_modules" / name / "package.json"
            if not meta.is_file() or json.loads(meta.read_text())["version"] != version:
                return False
        return everything.is_file() and filesystem.is_file()

    cache.mkdir(parents=True, exist_ok=True)
    # Test workers running at once install one copy: the first holds the lock.
    with (cache / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not installed():
            specs = [f"{name}@{version}" for name, version in NPM_PACKAGES.items()]
            try:
                subprocess.run(
                    [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", *specs],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
            except (subprocess.SubprocessError, OSError) as exc:
                service_missing(f"npm install of the MCP test servers failed: {exc}")
            if not installed():
                service_missing("npm install did not produce the MCP test servers")
    return NpmServers(node, everything, filesystem)


def child_env(**extra: str) -> dict[str, str]:
    """The gateway's environment: this one, the repository on the path, no proxies."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        NO_PROXY="*",
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def write_policy(path: Path, server: str, **rules: Any) -> Path:
    path.write_text(json.dumps({"mcpServers": {server: rules}}))
    path.chmod(0o600)
    return path


@asynccontextmanager
async def gateway_client(args: list[str], errlog: Path, env: dict[str, str], **client: Any) -> Any:
    """An SDK ``Client`` talking to ``openrouter-secure gateway ARGS`` over stdio."""
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=GATEWAY[0], args=[*GATEWAY[1:], *args], env=env)
    with errlog.open("a") as err:
        async with Client(stdio_client(params, err), **client) as session:
            yield session


def read_audit(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def events(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for record in read_audit(path):
        yield record["event"], record["fields"]
