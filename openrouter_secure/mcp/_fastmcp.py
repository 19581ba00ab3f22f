"""``secure(server)`` for a standalone ``fastmcp.FastMCP`` server, through fastmcp's own
middleware API (``FastMCP.add_middleware``).

fastmcp (the package, 3.x and later, on the ``mcp`` 2.x SDK) runs its own request
pipeline, so the SDK hooks :mod:`._secure` uses do not see its requests. One
middleware, put first in the server's chain, applies the same :class:`Guard`: listings
filtered by the policy; ``tools/call``, ``prompts/get`` and ``resources/read`` admitted
or refused (policy, rate limits, audit, path confinement for tool arguments), their
outcome and duration audited; ``completion/complete`` refused for a denied prompt or
resource; every result, error message and error ``data`` sanitized by the same walk.

``fastmcp`` is imported only when a FastMCP server is passed to :func:`secure`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from mcp.shared.exceptions import MCPError

from .._exceptions import ConfigurationError
from ._guard import Guard, completion_target
from ._outbound import CleanOutgoing
from ._records import COMPLETED, FAILED, UNKNOWN, outcome_of
from ._resources import resource_target
from ._types import ClientIdentity

__all__ = ["is_fastmcp", "known_names", "resolver", "secure_fastmcp"]


def is_fastmcp(server: object) -> bool:
    """Whether ``server`` is a ``fastmcp.FastMCP`` (without importing fastmcp if it is
    not loaded: a FastMCP object can only exist once it is)."""
    import sys

    module = sys.modules.get("fastmcp")
    cls = getattr(module, "FastMCP", None) if module is not None else None
    return isinstance(cls, type) and isinstance(server, cls)


def _components(server: Any) -> list[Any]:
    provider = getattr(server, "local_provider", None)
    found = getattr(provider, "_components", None)
    return list(found.values()) if isinstance(found, Mapping) else []


def known_names(server: Any) -> Callable[[str], set[str]]:
    from fastmcp.prompts import Prompt
    from fastmcp.resources import Resource
    from fastmcp.tools import Tool

    def known(kind: str) -> set[str]:
        items = _components(server)
        if kind == "tool":
            return {c.name for c in items if isinstance(c, Tool)}
        if kind == "prompt":
            return {c.name for c in items if isinstance(c, Prompt)}
        if kind == "resource":
            return {str(c.uri) for c in items if isinstance(c, Resource)}
        return set()

    return known


def resolver(server: Any) -> Callable[[str], str]:
    from fastmcp.resources import Resource, ResourceTemplate
    from fastmcp.resources.template import match_uri_template

    def resolve(uri: str) -> str:
        items = _components(server)
        return resource_target(
            uri,
            [c.uri_template for c in items if isinstance(c, ResourceTemplate)],
            {str(c.uri) for c in items if isinstance(c, Resource)},
            # fastmcp's own matcher: its templates ({path*}) are not all RFC 6570.
            match=match_uri_template,
        )

    return resolve


def _build_middleware(guard: Guard, on_first_request: Callable[[], None]) -> Any:
    from fastmcp.exceptions import PromptError, ResourceError, ToolError
    from fastmcp.server.middleware import Middleware
    from mcp.server.mcpserver.exceptions import ToolError as SdkToolError

    def identify(context: Any) -> ClientIdentity:
        fast = getattr(context, "fastmcp_context", None)
        try:
            request = fast.request_context if fast is not None else None
        except (AttributeError, LookupError, RuntimeError, ValueError):
            # Outside a session there is no request context yet.
            request = None
        return guard.identify(request)

    failures = {"tool": ToolError, "prompt": PromptError, "resource": ResourceError}

    class GuardMiddleware(Middleware):
        """The guard as fastmcp middleware (see the module docstring)."""

        __openrouter_secure__ = True

        def __init__(self) -> None:
            self._first: Callable[[], None] | None = on_first_request

        async def on_message(self, context: Any, call_next: Any) -> Any:
            if self._first is not None:
                first, self._first = self._first, None
                first()
            try:
                return guard.clean(await call_next(context))
            except MCPError as exc:
                raise guard.clean_mcp_error(exc) from None

        async def on_request(self, context: Any, call_next: Any) -> Any:
            if context.method == "completion/complete":
                # The outer pass hands the raw params mapping; a typed model is
                # read the same way.
                target = completion_target(context.message)
                if target is not None:
                    await guard.admit_reference(target[1], target[0], identify(context))
            return await call_next(context)

        async def on_list_tools(self, context: Any, call_next: Any) -> Any:
            return [t for t in await call_next(context) if guard.visible(t.name)]

        async def on_list_prompts(self, context: Any, call_next: Any) -> Any:
            return [p for p in await call_next(context) if guard.visible(p.name, "prompt")]

        async def on_list_resources(self, context: Any, call_next: Any) -> Any:
            items = await call_next(context)
            return [r for r in items if guard.visible(str(r.uri), "resource")]

        async def on_list_resource_templates(self, context: Any, call_next: Any) -> Any:
            items = await call_next(context)
            return [t for t in items if guard.visible(t.uri_template, "resource", resolve=False)]

        async def _decided(
            self, kind: str, name: str, arguments: Any, context: Any, call_next: Any
        ) -> Any:
            client = identify(context)
            await guard.admit_client(name, arguments, client, kind)
            if kind == "tool" and isinstance(arguments, dict):
                try:
                    confined = guard.confine_arguments(name, arguments, client.key)
                except SdkToolError as exc:
                    # fastmcp answers its own ToolError as a tool error result.
                    raise ToolError(str(exc)) from None
                if confined is not arguments:
                    context = context.copy(
                        message=context.message.model_copy(update={"arguments": confined})
                    )
            started = time.perf_counter()
            outcome = FAILED
            try:
                result = await call_next(context)
                outcome = outcome_of(result, True) if kind == "tool" else COMPLETED
                return result
            except MCPError:
                raise
            except failures[kind] as exc:
                raise type(exc)(guard.sanitizer.sanitize(str(exc))) from None
            except Exception as exc:  # noqa: BLE001 - logged by guard.crashed, sanitized
                shown = guard.sanitizer.truncate(name, 100)
                guard.crashed(kind, shown, exc, client.key)
                raise failures[kind](f"Error in {kind} {shown}") from None
            finally:
                if not guard.known(name, kind):
                    outcome = UNKNOWN
                guard.finished(kind, name, client.key, outcome, started)

        async def on_call_tool(self, context: Any, call_next: Any) -> Any:
            message = context.message
            return await self._decided(
                "tool", message.name, message.arguments or {}, context, call_next
            )

        async def on_get_prompt(self, context: Any, call_next: Any) -> Any:
            message = context.message
            return await self._decided(
                "prompt", message.name, message.arguments or {}, context, call_next
            )

        async def on_read_resource(self, context: Any, call_next: Any) -> Any:
            return await self._decided(
                "resource", str(context.message.uri), None, context, call_next
            )

    return GuardMiddleware()


def secure_fastmcp(server: Any, guard: Guard, first_request: Callable[[], None]) -> None:
    """Install ``guard`` on a ``fastmcp.FastMCP`` server (see :func:`secure`);
    ``first_request`` runs once, before the first request is decided."""
    # First in the chain: it decides before any other middleware runs.
    server.middleware.insert(0, _build_middleware(guard, first_request))
    # Log, progress, sampling and elicitation messages take the walk results take.
    lowlevel: Any = getattr(server, "_mcp_server", None)
    if not isinstance(getattr(lowlevel, "middleware", None), list):
        raise ConfigurationError(
            "this fastmcp release has no SDK server to sanitize outgoing messages on; "
            "use a fastmcp release openrouter-secure supports"
        )
    lowlevel.middleware.insert(0, CleanOutgoing(guard.clean))
