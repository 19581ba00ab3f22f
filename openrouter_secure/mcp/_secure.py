"""``secure(server)``: policy, rate limits, sanitizing and auditing for an ``MCPServer``.

Imported only through :mod:`openrouter_secure.mcp` (it imports the ``mcp`` SDK).

The guard hooks into the SDK at three layers, outermost first, so that no single
extension point has to be trusted:

1. **Server middleware** (``MCPServer.middleware``, which the SDK marks provisional):
   filters ``tools/list``, ``prompts/list``, ``resources/list`` and
   ``resources/templates/list``, and admits or refuses ``tools/call``,
   ``prompts/get`` and ``resources/read`` before the SDK even looks the name up;
   scrubs the wire result on the way out.
2. **``call_tool``, ``get_prompt`` and ``read_resource``** (the instance methods every
   request and every nested or programmatic call goes through): admit the request if
   the middleware did not (so the guard holds even if a future SDK changes the
   middleware contract), sanitize the result, and turn failures into sanitized errors
   before the SDK logs them.
3. **Each registered tool function** (those present now and those added later, via
   the tool manager's ``add_tool``): re-checks the policy right before the function
   runs. It is a backstop; in normal operation layers 1-2 already decided.

A request is admitted once (a context variable carries the admission from layer 1 to
layer 2, so the rate limiter counts it once), and its outcome is recorded once, where it
was admitted. The policy sees prompts as ``prompt:<name>`` and resources as
``resource:<uri>`` (the URI the function receives, parameters decoded; the URI template,
for a template in a listing), so a default-deny policy exposes none until allowed.
Every result and error leaving the server goes through one sanitizing walk
(:mod:`._results`); ``completion/complete`` is refused for a denied prompt or resource.

A ``fastmcp.FastMCP`` server runs its own request pipeline: :mod:`._fastmcp` installs
the same guard as fastmcp middleware instead.

**Who is the client?** Rate limits are per ``(server, tool, client)``. The client key
is, in order: the authenticated principal from the SDK's auth context (the bearer
token's ``client_id``: the only identity a client cannot choose); the transport's
session id (the ``Mcp-Session-Id`` the server issued, on stateful streamable HTTP: a
client can open new sessions, so without authentication this bounds one session, not
one user; the header itself is never trusted, as a stateless server checks none); the peer
address on stateless HTTP (behind a reverse proxy, the proxy's); else ``local`` —
stdio has exactly one peer per server process, and an in-process client is the host
itself. The self-declared ``clientInfo`` name is recorded in the audit log as
``client_name`` but never used as identity. Pass ``identify=`` to :func:`secure` to
supply your own key function.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import os
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.shared.exceptions import MCPError

from .._exceptions import ConfigurationError
from .._protocols import AsyncLimiter, AuditSink
from .._sanitize._logging import install_log_redaction
from .._sanitize._sanitizer import Sanitizer, default_sanitizer
from ._guard import Guard, completion_target
from ._outbound import clean_session
from ._records import COMPLETED, FAILED, UNKNOWN, outcome_of
from ._resources import resource_resolver
from ._types import TOOL_DENIED, ClientIdentity, Policy

__all__ = ["guard_of", "secure"]

# An MCPServer or a fastmcp.FastMCP; anything else is refused at run time.
S = TypeVar("S")


@dataclass(frozen=True)
class _Admitted:
    kind: str
    name: str
    guard: Guard


_ADMITTED: contextvars.ContextVar[_Admitted | None] = contextvars.ContextVar(
    "openrouter_secure_mcp_admitted", default=None
)


def _wrap_fn(fn: Callable[..., Any], tool_name: str, guard: Guard, is_async: bool) -> Any:
    """Layer 3: re-check the policy right before the tool function runs."""

    def check() -> None:
        decision = guard.decide(tool_name)
        if not decision.allowed:
            guard.record(
                "tool.denied",
                server=guard.server_name,
                tool=tool_name,
                rule=decision.rule,
                client=None,
                layer="tool-function",
            )
            raise MCPError(
                TOOL_DENIED,
                f"Tool {tool_name!r} is not available on this server: refused by its tool policy",
                {"tool": tool_name, "reason": "denied"},
            )

    if is_async:

        @functools.wraps(fn)
        async def async_guarded(*args: Any, **kwargs: Any) -> Any:
            check()
            return await fn(*args, **kwargs)

        async_guarded.__openrouter_secure__ = True  # type: ignore[attr-defined]
        return async_guarded

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check()
        return fn(*args, **kwargs)

    guarded.__openrouter_secure__ = True  # type: ignore[attr-defined]
    return guarded


def _guard_tool(tool: Tool, guard: Guard) -> Tool:
    if not getattr(tool.fn, "__openrouter_secure__", False):
        tool.fn = _wrap_fn(tool.fn, tool.name, guard, tool.is_async)
    return tool


# method -> (the result's list, the kind of its entries, the entry's name field)
_LISTINGS = {
    "tools/list": ("tools", "tool", "name"),
    "prompts/list": ("prompts", "prompt", "name"),
    "resources/list": ("resources", "resource", "uri"),
    "resources/templates/list": ("resourceTemplates", "resource", "uriTemplate"),
}
# method -> (kind, the param naming it, the param holding arguments)
_DECIDED = {
    "tools/call": ("tool", "name", "arguments"),
    "prompts/get": ("prompt", "name", "arguments"),
    "resources/read": ("resource", "uri", None),
}


async def _admit_once(
    guard: Guard, kind: str, name: str, arguments: Any, client: ClientIdentity
) -> bool:
    """Layer 2's decision, unless layer 1 already admitted this very request.
    True if decided here (the caller then records the outcome)."""
    admitted = _ADMITTED.get()
    if admitted == _Admitted(kind, name, guard):
        return False
    # Not seen by the middleware: a nested or programmatic call, or an SDK whose
    # middleware contract changed. Decide here.
    await guard.admit_client(name, arguments, client, kind)
    return True


class _GuardMiddleware:
    """Layer 1: server middleware (``ServerMiddleware``) for the listings, for
    ``tools/call``, ``prompts/get``, ``resources/read`` and ``completion/complete``;
    every result and error on its way out goes through the generic sanitizing walk."""

    __openrouter_secure__ = True

    def __init__(self, guard: Guard, on_first_request: Callable[[], None]) -> None:
        self.guard = guard
        self._on_first_request: Callable[[], None] | None = on_first_request

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        if self._on_first_request is not None:
            first, self._on_first_request = self._on_first_request, None
            first()
        guard = self.guard
        # What the handler sends the client meanwhile (log, progress, sampling,
        # elicitation) takes the same walk as its result.
        ctx = dataclasses.replace(ctx, session=clean_session(ctx.session, guard.clean))
        try:
            clean: HandlerResult = guard.clean(await self._handle(ctx, call_next))
            return clean
        except MCPError as exc:
            raise guard.clean_mcp_error(exc) from None

    async def _handle(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        guard = self.guard
        listing = _LISTINGS.get(ctx.method)
        if listing is not None:
            key, kind, field = listing
            # A listed template is decided as written (there is nothing to decode).
            resolve = key != "resourceTemplates"
            result = await call_next(ctx)
            if isinstance(result, dict) and isinstance(result.get(key), list):
                result = {
                    **result,
                    key: [
                        t
                        for t in result[key]
                        if isinstance(t, dict)
                        and guard.visible(str(t.get(field)), kind, resolve=resolve)
                    ],
                }
            return result
        params = ctx.params if isinstance(ctx.params, Mapping) else None
        if ctx.method == "completion/complete" and params is not None:
            target = completion_target(params)
            if target is not None:
                await guard.admit_reference(target[1], target[0], guard.identify(ctx))
            return await call_next(ctx)
        decided = _DECIDED.get(ctx.method)
        if decided is None or params is None:
            return await call_next(ctx)
        kind, name_param, arguments_param = decided
        name = str(params.get(name_param))
        arguments = params.get(arguments_param) if arguments_param else None
        client = guard.identify(ctx)
        await guard.admit_client(name, arguments, client, kind)
        token = _ADMITTED.set(_Admitted(kind, name, guard))
        started = time.perf_counter()
        outcome = FAILED
        try:
            result = await call_next(ctx)
            outcome = outcome_of(result, True)
        finally:
            _ADMITTED.reset(token)
            if not guard.known(name, kind):
                outcome = UNKNOWN
            guard.finished(kind, name, client.key, outcome, started)
        return result


def _request_context(context: Any) -> ServerRequestContext[Any, Any] | None:
    """The low-level request context of an ``MCPServer`` ``Context`` (None outside a request)."""
    if context is None:
        return None
    try:
        request: ServerRequestContext[Any, Any] = context.request_context
    except (AttributeError, ValueError):
        return None
    return request


def _install_call_tool(server: MCPServer[Any], guard: Guard) -> None:
    original = server.call_tool

    async def call_tool(name: str, arguments: dict[str, Any], context: Any | None = None) -> Any:
        client = guard.identify(_request_context(context))
        here = await _admit_once(guard, "tool", name, arguments, client)
        started = time.perf_counter()
        outcome = FAILED
        token = _ADMITTED.set(None)  # a nested call from inside this tool is decided anew
        try:
            arguments = guard.confine_arguments(name, arguments, client.key)
            result = await original(name, arguments, context)
            outcome = outcome_of(result, True)
        except MCPError as exc:
            raise guard.clean_mcp_error(exc) from None
        except ToolError as exc:
            clean = guard.failure(name, exc, client.key)
            raise clean from clean.__cause__
        finally:
            _ADMITTED.reset(token)
            if here:
                if not guard.known(name, "tool"):
                    outcome = UNKNOWN
                guard.finished("tool", name, client.key, outcome, started)
        # Admitted by the middleware: it sanitizes the wire form on the way out, so
        # the walk runs once per request.
        return guard.clean(result) if here else result

    server.call_tool = call_tool  # type: ignore[method-assign]


async def _run_admitted(
    guard: Guard,
    kind: str,
    name: str,
    arguments: Any,
    context: Any | None,
    call: Callable[[], Awaitable[Any]],
    failed: type[Exception],
    failure: Callable[[str, Any, str], Exception],
) -> Any:
    """Layer 2 for prompts and resources: admit, run ``call``, and replace an
    ``MCPError`` or a ``failed`` exception by its sanitized form (without its cause)."""
    client = guard.identify(_request_context(context))
    here = await _admit_once(guard, kind, name, arguments, client)
    started = time.perf_counter()
    outcome = FAILED
    token = _ADMITTED.set(None)  # a nested request is decided anew
    try:
        result = await call()
        outcome = COMPLETED
        return guard.clean(result) if here else result
    except MCPError as exc:
        raise guard.clean_mcp_error(exc) from None
    except failed as exc:
        raise failure(name, exc, client.key) from None
    finally:
        _ADMITTED.reset(token)
        if here:
            if not guard.known(name, kind):
                outcome = UNKNOWN
            guard.finished(kind, name, client.key, outcome, started)


def _install_get_prompt(server: MCPServer[Any], guard: Guard) -> None:
    original = server.get_prompt

    async def get_prompt(
        name: str, arguments: dict[str, Any] | None = None, context: Any | None = None
    ) -> Any:
        # Any exception: the SDK wraps every failure of a prompt in a ValueError.
        return await _run_admitted(
            guard, "prompt", name, arguments, context,
            lambda: original(name, arguments, context), Exception, guard.prompt_failure,
        )  # fmt: skip

    server.get_prompt = get_prompt  # type: ignore[method-assign]


def _install_read_resource(server: MCPServer[Any], guard: Guard) -> None:
    original = server.read_resource

    async def read_resource(uri: Any, context: Any | None = None) -> Any:
        return await _run_admitted(
            guard, "resource", str(uri), None, context,
            lambda: original(uri, context), ResourceError, guard.resource_failure,
        )  # fmt: skip

    server.read_resource = read_resource  # type: ignore[method-assign]


def _known_names(server: MCPServer[Any]) -> Callable[[str], set[str]]:
    """kind -> the names registered on ``server`` now (URIs of static resources)."""
    tools = server._tool_manager
    prompts = getattr(server, "_prompt_manager", None)
    resources = getattr(server, "_resource_manager", None)

    def known(kind: str) -> set[str]:
        if kind == "tool":
            return {t.name for t in tools.list_tools()}
        if kind == "prompt" and prompts is not None:
            return {p.name for p in prompts.list_prompts()}
        if kind == "resource" and resources is not None:
            return {str(r.uri) for r in resources.list_resources()}
        return set()

    return known


def _resolver(server: MCPServer[Any]) -> Callable[[str], str]:
    """The server's :func:`resource_target`: its static URIs and templates, now."""
    resources = server._resource_manager

    return resource_resolver(
        lambda: [t.uri_template for t in resources.list_templates()],
        lambda: {str(r.uri) for r in resources.list_resources()},
    )


def policy_for(policy: Policy | Mapping[str, Any] | None, server_name: str) -> Policy | None:
    """The policy :func:`secure` uses: a mapping built into a ``ToolPolicy``; a warning
    (at start-up, naming the servers it has) when it has no entry for ``server_name``,
    since it then denies everything."""
    if isinstance(policy, Mapping):
        from ..config._policy import ToolPolicy

        policy = ToolPolicy.from_config(policy)
    has_server = getattr(policy, "has_server", None)
    if callable(has_server) and not has_server(server_name):
        servers: list[str] = list(getattr(policy, "servers", list)())
        warnings.warn(
            f"the tool policy has no entry for the server name {server_name!r} (it has: "
            f"{', '.join(repr(n) for n in servers) or 'none'}), so it denies every tool, "
            "prompt and resource; pass server_name= the name the policy uses, or add an "
            "entry for this name",
            UserWarning,
            stacklevel=3,
        )
    return policy


def setup_log_redaction(enabled: bool, *, warn: bool = True) -> None:
    """Install the process's log redaction (:func:`install_log_redaction`), or warn
    that it is not installed and how to."""
    if enabled:
        install_log_redaction()
    elif warn:
        warnings.warn(
            "secure(log_redaction=False): log records are not sanitized, so a "
            "dependency's DEBUG log can carry a key to stderr; call "
            "openrouter_secure.install_log_redaction() after configuring logging",
            UserWarning,
            stacklevel=3,
        )


def unsupported_server(server: object) -> str:
    """The message for a server object :func:`secure` cannot guard."""
    cls = type(server)
    return (
        f"secure() cannot guard a {cls.__module__}.{cls.__qualname__}: it supports the "
        "official SDK's mcp.server.mcpserver.MCPServer (mcp 2.x) and standalone "
        "fastmcp.FastMCP servers; for any other server (the low-level Server, another "
        "language, mcp 1.x) run it behind the gateway: openrouter-secure gateway -- COMMAND"
    )


def secure(
    server: S,
    *,
    policy: Policy | Mapping[str, Any] | None = None,
    limiter: AsyncLimiter | Mapping[str, AsyncLimiter] | None = None,
    audit: AuditSink | None = None,
    sanitizer: Sanitizer | None = None,
    server_name: str | None = None,
    log_arguments: bool = False,
    identify: Callable[[ServerRequestContext[Any, Any] | None], ClientIdentity] | None = None,
    allowed_roots: Sequence[str | os.PathLike[str]] | None = None,
    log_redaction: bool = True,
) -> S:
    """Secure every tool, prompt and resource of an ``MCPServer`` (registered already,
    or later). Returns it.

    - ``policy``: a ``ToolPolicy`` (or the mapping ``ToolPolicy.from_config`` takes), or
      any :class:`~openrouter_secure.mcp.Policy`.
      It sees tools by name, prompts as ``prompt:<name>`` and resources as
      ``resource:<uri>``. Denied ones vanish from the listings; asking for one by name
      is refused with JSON-RPC error ``-32602`` (``data.reason == "denied"``).
      Decided on every request.
    - ``limiter``: a ``RateLimiter`` or any :class:`~openrouter_secure.mcp.AsyncLimiter`
      (for every request), or a mapping from such a name or an ``fnmatch`` glob to one
      (the exact name, then the longest matching glob: ``"prompt:*"``,
      ``"resource:*"``). Counted per name and per client; a refusal is JSON-RPC error
      ``-32029`` with ``data.retry_after`` in seconds.
    - ``audit``: an ``AuditLog`` or any :class:`~openrouter_secure.mcp.AuditSink`; gets
      ``<kind>.allowed``, ``<kind>.denied`` (with the deciding ``rule``),
      ``<kind>.rate_limited``, ``<kind>.error`` and ``<kind>.finished`` (``outcome``:
      ``completed``, ``failed`` or ``unknown``; ``duration_ms``) for each kind
      (``tool``, ``prompt``, ``resource``), and ``tool.path_refused``, each with the
      client key and every argument's shape (content only with
      ``log_arguments=True``, and sanitized even then). Identical refusals are folded
      into one record per minute with ``repeated=N``; denied calls count toward the
      rate limit. The same events are emitted in-process.
    - ``sanitizer``: defaults to the process-wide one; masks secrets in every field of
      every result and error (keys included; see :mod:`._results`). Unexpected
      exceptions reach the client as ``Error executing tool <name>`` (``Error
      rendering prompt``, ``Error reading resource``); the traceback goes to the
      ``openrouter_secure.mcp`` logger once, sanitized.
    - ``server_name``: the name the policy sees; defaults to ``server.name``. A
      ``ToolPolicy`` without an entry for it denies everything: ``secure`` warns,
      naming the names it has.
    - ``identify``: ``(request context or None) -> ClientIdentity``; see the module
      docstring for the default.
    - ``allowed_roots``: directories; every string argument that is or names a path,
      at any depth, must stay inside them (see :meth:`Guard.confine_arguments`):
      path-named ones are replaced by the resolved absolute path, others checked as
      the tool would open them; a path outside refuses the call (``tool.path_refused``).
    - ``log_redaction``: install the process's log redaction (default), or warn that
      it is not installed.

    ``server`` is an ``MCPServer`` or a ``fastmcp.FastMCP``; anything else raises
    :class:`ConfigurationError` naming its class and pointing to the gateway.
    """
    if guard_of(server) is not None:
        raise ConfigurationError(
            "this MCP server is already secured; call secure() once per server"
        )
    if isinstance(server, MCPServer):
        manager = _tool_manager(server)
        name = server_name or server.name
        known, resolve = _known_names(server), _resolver(server)
    else:
        from . import _fastmcp

        if not _fastmcp.is_fastmcp(server):
            raise ConfigurationError(unsupported_server(server))
        name = server_name or str(getattr(server, "name", "") or "")
        known, resolve = _fastmcp.known_names(server), _fastmcp.resolver(server)
    policy = policy_for(policy, name)
    setup_log_redaction(log_redaction)
    guard = Guard(
        server_name=name,
        policy=policy,
        limiter=limiter,
        audit=audit,
        sanitizer=sanitizer or default_sanitizer(),
        log_arguments=log_arguments,
        identify=identify,
        known_names=known,
        allowed_roots=allowed_roots,
        resolve_resource=resolve,
    )
    # Installed again at the first request: handlers added after secure() get it too.
    first = functools.partial(setup_log_redaction, log_redaction, warn=False)
    if isinstance(server, MCPServer):
        _guard_mcpserver(server, manager, guard, first)
    else:
        _fastmcp.secure_fastmcp(server, guard, first)
    setattr(server, _GUARD_ATTRIBUTE, guard)
    return server


def _tool_manager(server: MCPServer[Any]) -> Any:
    manager = getattr(server, "_tool_manager", None)
    if manager is None or not hasattr(manager, "add_tool") or not hasattr(manager, "list_tools"):
        raise ConfigurationError(
            "this version of the mcp SDK has no tool manager openrouter-secure knows how to "
            'guard; install a supported one: pip install "openrouter-secure[mcp]"'
        )
    return manager


def _guard_mcpserver(
    server: MCPServer[Any], manager: Any, guard: Guard, first_request: Callable[[], None]
) -> None:
    """Put ``guard`` on every tool of ``server`` (those added later too), its prompt and
    resource reads, and its middleware chain."""
    for tool in manager.list_tools():
        _guard_tool(tool, guard)
    original_add = manager.add_tool

    @functools.wraps(original_add)
    def add_tool(*args: Any, **kwargs: Any) -> Tool:
        return _guard_tool(original_add(*args, **kwargs), guard)

    manager.add_tool = add_tool
    _install_call_tool(server, guard)
    _install_get_prompt(server, guard)
    _install_read_resource(server, guard)
    # Outermost of the user middleware: it decides before anything else runs.
    server.middleware.insert(_first_user_slot(server), _GuardMiddleware(guard, first_request))


# The server object is the SDK's: the guard rides on it under a name the SDK never uses.
_GUARD_ATTRIBUTE = "_openrouter_secure_guard"


def guard_of(server: object) -> Guard | None:
    """The :class:`Guard` that :func:`secure` installed on ``server`` (``None`` if none)."""
    guard = getattr(server, _GUARD_ATTRIBUTE, None)
    return guard if isinstance(guard, Guard) else None


def _first_user_slot(server: MCPServer[Any]) -> int:
    # The SDK's own boundaries (OpenTelemetry, request-state) come first; user
    # middleware follows. Insert after the SDK's, before the user's.
    from mcp.server.request_state import RequestStateBoundary

    chain = server.middleware
    for i, item in enumerate(chain):
        if isinstance(item, RequestStateBoundary):
            return i + 1
    return 0
