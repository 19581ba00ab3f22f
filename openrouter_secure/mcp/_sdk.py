"""Which ``mcp`` SDK this package supports, and the error when another one is installed.

Imported by :mod:`openrouter_secure.mcp` before the SDK itself, so it must not import
the SDK.
"""

from __future__ import annotations

import importlib.metadata
import re

from .._exceptions import MissingDependencyError

__all__ = ["SUPPORTED_MCP", "sdk_import_error"]

#: The ``mcp`` releases the in-process adapter runs on (the ``[mcp]`` extra's range).
SUPPORTED_MCP = ">=2.3,<3"
_MIN = (2, 3)
_MAX_MAJOR = 2


def _installed() -> str | None:
    try:
        return importlib.metadata.version("mcp")
    except importlib.metadata.PackageNotFoundError:
        return None


def _supported(version: str) -> bool:
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]]
    if len(parts) < 2:
        return False
    return (parts[0], parts[1]) >= _MIN and parts[0] <= _MAX_MAJOR


def sdk_import_error() -> MissingDependencyError:
    """The error for a failed ``import mcp.server.mcpserver``.

    With no ``mcp`` installed: the ``pip install`` line of the extra. With a release
    outside :data:`SUPPORTED_MCP` (mcp 1.x, say): the installed version, the
    supported range, and the two ways on: upgrade, or keep the server as it is and put
    the gateway (``openrouter-secure gateway``), which works with any server, in front.
    """
    error = MissingDependencyError("mcp", module="mcp")
    version = _installed()
    if version is not None and not _supported(version):
        message = (
            f"openrouter_secure.mcp needs the MCP Python SDK mcp{SUPPORTED_MCP}, and mcp "
            f'{version} is installed. Upgrade it with  pip install "openrouter-secure[mcp]" '
            f"; or, to keep this server on mcp {version} (or secure a server in any "
            "language, unchanged), run it behind the gateway: "
            "openrouter-secure gateway --policy FILE -- COMMAND [ARGS...]"
        )
        error.args = (message,)
    return error
