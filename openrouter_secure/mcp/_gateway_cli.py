"""Build a :class:`~._gateway.Gateway` from a policy file and command-line settings,
and serve it: what ``openrouter-secure gateway`` runs."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .._exceptions import ConfigurationError
from ._gateway import Gateway

__all__ = ["build_and_serve", "build_gateway", "pick_server_name"]

log = logging.getLogger("openrouter_secure.mcp.gateway")


def pick_server_name(policy: Any, given: str | None) -> str:
    """The server's name in the policy: ``given``, or the policy's only server.

    A name the policy does not list is refused, naming the names it has: the policy
    would deny everything, which is never what was meant."""
    names: list[str] = list(policy.servers()) if hasattr(policy, "servers") else []
    if given is None:
        if len(names) == 1:
            return names[0]
        raise ConfigurationError(
            "--server-name is needed: the policy lists "
            + (", ".join(repr(n) for n in names) if names else "no server")
        )
    if names and given not in names:
        raise ConfigurationError(
            f"--server-name {given!r}: the policy has no entry for it, so it would deny "
            f"everything; it lists {', '.join(repr(n) for n in names)}"
        )
    return given


def build_gateway(
    *,
    policy_file: str | os.PathLike[str],
    server_name: str | None = None,
    audit: str | os.PathLike[str] | None = None,
    observe: bool = False,
    allowed_roots: Sequence[str] | None = None,
    rate_limit: str | None = None,
    rate_limit_storage: str | None = None,
) -> Gateway:
    """A gateway configured from ``policy_file`` (read as ``serve`` reads its config:
    ``mcpServers`` is the policy; ``serve.rateLimit``, ``serve.toolRateLimits``,
    ``serve.rateLimitStorage`` and ``serve.auditLog`` apply unless overridden)."""
    from ..config._policy import ToolPolicy
    from ._server_config import load_settings, rate_limiters

    settings = load_settings(policy_file)
    if settings.policy is None:
        raise ConfigurationError(
            f"{policy_file}: no mcpServers block, so no policy; add one naming the server, "
            'e.g. {"mcpServers": {"everything": {"allowedTools": ["echo"]}}}'
        )
    policy = ToolPolicy.from_config(settings.policy)
    name = pick_server_name(policy, server_name)
    audit_path = audit or settings.audit_log
    sink = None
    if audit_path is not None:
        from ..audit._log import AuditLog

        sink = AuditLog(Path(audit_path).expanduser())
    return Gateway(
        server_name=name,
        policy=policy,
        limiter=rate_limiters(settings, rate_limit=rate_limit, storage=rate_limit_storage),
        audit=sink,
        observe=observe,
        allowed_roots=allowed_roots,
    )


def build_and_serve(
    *,
    policy_file: str,
    server_name: str | None,
    audit: str | None,
    env: Iterable[str],
    env_file: str | None,
    observe: bool,
    allowed_roots: Sequence[str] | None,
    rate_limit: str | None,
    rate_limit_storage: str | None,
    url: str | None,
    bearer_token: str | None,
    command: Sequence[str],
    transport: str = "stdio",
    host: str | None = None,
    port: int | None = None,
    http_token: str | None = None,
) -> int:
    """Build the gateway, resolve the upstream's secrets, serve the host on stdio
    (or on streamable HTTP, one upstream per session)."""
    import anyio

    from .._client._auth import url_secrets
    from .._registry import resolve
    from ..launch._env import resolve_environment
    from ._gateway_io import HttpUpstream, ProcessUpstream, serve_stdio

    gateway = build_gateway(
        policy_file=policy_file,
        server_name=server_name,
        audit=audit,
        observe=observe,
        allowed_roots=allowed_roots,
        rate_limit=rate_limit,
        rate_limit_storage=rate_limit_storage,
    )
    if url is not None:
        if command:
            raise ConfigurationError("give either --url or a command after '--', not both")
        token = None if bearer_token is None else resolve(bearer_token, cache=False)
        # A hosted server's URL may carry its credential (``.../s/<secret>/mcp``):
        # known while the gateway runs, so the SDK's and httpx's log lines mask it.
        held = url_secrets(url)  # noqa: F841 - held for the life of the gateway
        if transport == "http":
            return _serve_http(
                gateway,
                lambda: HttpUpstream(url, token).connect(),
                policy_file,
                host,
                port,
                http_token,
            )
        return anyio.run(serve_stdio, gateway, HttpUpstream(url, token))
    if bearer_token is not None:
        raise ConfigurationError("--bearer-token goes with --url")
    if not command:
        raise ConfigurationError("no upstream: put its command after '--', or use --url")
    with resolve_environment(list(env), env_file=env_file) as environment:
        gateway.mask_fragments_of(environment.known_values())
        if transport == "http":
            from ._gateway_io import open_process_upstream

            return _serve_http(
                gateway,
                lambda: open_process_upstream(command, environment),
                policy_file,
                host,
                port,
                http_token,
            )
        return anyio.run(serve_stdio, gateway, ProcessUpstream(command, environment))


def _serve_http(
    gateway: Gateway,
    open_upstream: Any,
    policy_file: str,
    host: str | None,
    port: int | None,
    http_token: str | None,
) -> int:  # pragma: no cover - runs in a subprocess in the tests
    """Serve the host side on streamable HTTP behind a bearer token, until interrupted."""
    import uvicorn

    from .._registry import resolve
    from ._gateway_http import GatewayHttpApp
    from ._http import BearerTokenApp
    from ._server_config import load_settings

    http = load_settings(policy_file).http
    ref = http_token or http.bearer_token
    if ref is None:
        raise ConfigurationError(
            "--transport http needs a bearer token clients must send: --http-token REF "
            "(e.g. env://MCP_GATEWAY_TOKEN) or serve.http.bearerToken in the policy file"
        )
    bind = host or http.host
    app = GatewayHttpApp(
        new_gateway=lambda sid: gateway.for_client(f"session:{sid}"),
        open_upstream=open_upstream,
        host=bind,
        path=http.path,
    )
    token = resolve(ref, cache=False)
    uvicorn.run(
        BearerTokenApp(app, token),
        host=bind,
        port=http.port if port is None else port,
        log_level="warning",
        lifespan="on",
    )
    return 0
