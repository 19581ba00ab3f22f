"""The guard's decisions: policy, rate limits, path arguments, sanitizing, auditing.

One :class:`Guard` per secured server; :mod:`._secure` installs it into the SDK's
extension points. Imports the ``mcp`` SDK; reached only through
:mod:`openrouter_secure.mcp`.

Three kinds of request are decided: ``tools/call`` (the tool's name), ``prompts/get``
and ``resources/read``. The policy sees a prompt as ``prompt:<name>`` and a resource as
``resource:<uri>`` (see :func:`policy_name`), so one default-deny policy covers all
three and a rule for a prompt never matches a tool of the same name (the spec's
tool-name format has no colon).
"""

from __future__ import annotations

import atexit
import fnmatch
import logging
import os
import re
import time
import traceback
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver.exceptions import (
    ResourceError,
    ToolError,
    UnexpectedResourceError,
    UnexpectedToolError,
)
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS
from pydantic import ValidationError

from .. import _events
from .._exceptions import (
    ConfigurationError,
    OpenRouterSecureError,
    ProviderError,
    UnsafePathError,
)
from .._files import confine_path
from .._protocols import AsyncLimiter, AuditSink
from .._sanitize._sanitizer import Sanitizer
from ._paths import unnamed_path_refusal
from ._records import RepeatFolder
from ._resources import AmbiguousResourceError
from ._results import sanitize_result
from ._types import (
    RATE_LIMITED,
    TOOL_DENIED,
    ClientIdentity,
    Policy,
    PolicyDecision,
    default_identify,
    is_path_argument,
    shape_list,
)

__all__ = ["FIELD", "Guard", "completion_target", "policy_name"]

log = logging.getLogger("openrouter_secure.mcp")

_MAX_NAME = 100
_MAX_ARGUMENT_DEPTH = 32

#: The field naming the request in audit records and error data. Not ``prompt``: the
#: audit log takes a field of that name for content and redacts it.
FIELD = {"tool": "tool", "prompt": "prompt_name", "resource": "resource"}


# pydantic's "[type=..., input_value=<repr>, input_type=...]": greedy to the line's
# last input_type, so a value that spells one out is hidden whole.
_INPUT_VALUE = re.compile(r"(input_value=).*(, input_type=)")


def policy_name(kind: str, name: str) -> str:
    """The name the policy and a limiter mapping see: a tool's own name,
    ``prompt:<name>`` or ``resource:<uri>``."""
    return name if kind == "tool" else f"{kind}:{name}"


def _flush_at_exit(folder: weakref.ref[RepeatFolder]) -> None:
    alive = folder()
    if alive is not None:
        try:
            alive.flush()
        except Exception:
            log.exception("could not write the folded refusal counts at exit")


def completion_target(params: Any) -> tuple[str, str] | None:
    """``(kind, name)`` a ``completion/complete`` request is about (``("prompt",
    name)`` or ``("resource", uri or URI template)``), from its params as a mapping
    (wire form) or a typed ``CompleteRequestParams``; None if it names neither."""
    ref = params.get("ref") if isinstance(params, Mapping) else getattr(params, "ref", None)

    def field(name: str) -> Any:
        return ref.get(name) if isinstance(ref, Mapping) else getattr(ref, name, None)

    if ref is None:
        return None
    kind = {"ref/prompt": "prompt", "ref/resource": "resource"}.get(str(field("type")))
    if kind is None:
        return None
    return kind, str(field("name") if kind == "prompt" else field("uri"))


@dataclass(frozen=True)
class _Allow:
    allowed: bool = True
    rule: str = "no policy configured (allow)"


class _PathRefusedError(Exception):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(reason)
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class _Refused:
    retry_after: float = 1.0

    def __bool__(self) -> bool:
        return False


class Guard:
    """The decisions :func:`secure` installs: one instance per secured server.

    It holds no server object, so a proxy in front of any MCP server (the MCP gateway
    does) builds one with plain callables (``known_names``: kind -> registered names,
    or None while they are not known; ``resolve_resource``: URI -> the URI the server's
    function receives, e.g. :func:`._resources.resource_target` over the upstream's
    templates; ``identify`` is for :meth:`admit` only) and calls, per request:
    :meth:`admit_client` with a :class:`ClientIdentity` (policy, rate limit, audit;
    raises ``MCPError``), :meth:`confine_arguments`, :meth:`check_reference`
    (completions, subscriptions), :meth:`clean` on the result and
    :meth:`clean_mcp_error` on an error, then :meth:`finished`. ``mask`` is applied to
    every string :meth:`clean` returns, after the sanitizer. ``observe=True`` records
    every refusal as it would be made (``observed: true``) and refuses nothing.
    """

    def __init__(
        self,
        *,
        server_name: str,
        policy: Policy | None,
        limiter: AsyncLimiter | Mapping[str, AsyncLimiter] | None,
        audit: AuditSink | None,
        sanitizer: Sanitizer,
        log_arguments: bool,
        identify: Callable[[ServerRequestContext[Any, Any] | None], ClientIdentity] | None = None,
        known_names: Callable[[str], set[str] | None],
        allowed_roots: Sequence[str | os.PathLike[str]] | None = None,
        resolve_resource: Callable[[str], str] | None = None,
        repeat_window: float = 60.0,
        observe: bool = False,
        mask: Callable[[str], str] | None = None,
    ) -> None:
        self.server_name = server_name
        self.policy = policy
        self.limiter = limiter
        self.audit = audit
        self.sanitizer = sanitizer
        self.log_arguments = log_arguments
        self.identify = identify or default_identify
        # kind -> the registered names (URIs for resources), for rate-limit buckets;
        # None while they are not known yet (a proxy before the host lists them)
        self._known_names = known_names
        # Applied to every string after the sanitizer (a proxy masks pieces of the
        # secrets it put in its upstream's environment).
        self.mask = mask
        # uri -> the URI the resource function will see (raises AmbiguousResourceError)
        self._resolve_resource = resolve_resource
        # Identical refusals in a loop: one record per window, with the count.
        self.repeats = RepeatFolder(self._write, window=repeat_window)
        # Observe-only: every refusal is recorded as it would be made (with
        # ``observed=True``), and nothing is refused. For adopting a policy on a running
        # server; path confinement still applies (it protects, it does not decide).
        self.observe = observe
        # Pending counts are written at exit too (the audit log outlives no process).
        atexit.register(_flush_at_exit, weakref.ref(self.repeats))
        # Resolved once, now: a relative root must not move if the working directory does.
        self.allowed_roots: list[str] | None = None
        if allowed_roots is not None:
            roots = [os.path.realpath(os.fspath(r)) for r in allowed_roots]
            if not roots or not all(os.path.isdir(r) for r in roots):
                raise ConfigurationError(
                    "secure(allowed_roots=...) needs one or more existing directories"
                )
            self.allowed_roots = roots

    # -- decisions ---------------------------------------------------------------------

    def decide(self, name: str, kind: str = "tool", *, resolve: bool = True) -> PolicyDecision:
        """The policy's decision for a tool, prompt or resource on this server
        (allow-all without a policy).

        A resource is decided on the URI its function will receive (see
        :mod:`._resources`; ``resolve=False`` for a listed URI template, decided as it
        is); one whose decoded parameters are ambiguous is denied
        (``deny:ambiguous-uri``). A tool whose name starts with ``prompt:`` or
        ``resource:`` is denied (``deny:ambiguous-name``): a rule written for a prompt
        or a resource must not admit it.
        """
        if self.policy is None:
            return _Allow()
        if kind == "tool" and str(name).startswith(("prompt:", "resource:")):
            return _Allow(False, "deny:ambiguous-name")
        if kind == "resource" and resolve and self._resolve_resource is not None:
            try:
                name = self._resolve_resource(name)
            except AmbiguousResourceError:
                return _Allow(False, "deny:ambiguous-uri")
            except Exception:
                log.exception("could not resolve a resource URI; denying")
                return _Allow(False, "deny:policy-error")
        try:
            return self.policy.check(self.server_name, policy_name(kind, name))
        except Exception:
            # Fail closed: a policy that cannot answer allows nothing.
            log.exception("the tool policy failed to decide; denying")
            return _Allow(False, "deny:policy-error")

    def known_names(self, kind: str) -> set[str] | None:
        """The names registered for ``kind`` (URIs for resources), None if not known."""
        return self._known_names(kind)

    def visible(self, name: str, kind: str = "tool", *, resolve: bool = True) -> bool:
        """Whether a listing shows ``name`` (its policy decision)."""
        return bool(self.decide(name, kind, resolve=resolve).allowed)

    def _limiter_for(self, name: str) -> AsyncLimiter | None:
        limiter = self.limiter
        if limiter is None or not isinstance(limiter, Mapping):
            return limiter
        if name in limiter:
            return limiter[name]
        # Most specific glob first: the longest pattern wins, then "*".
        for pattern in sorted(limiter, key=len, reverse=True):
            if fnmatch.fnmatchcase(name, pattern):
                return limiter[pattern]
        return None

    def record(self, event: str, **fields: Any) -> None:
        """Emit ``event`` in-process and write it to the audit log, if one was given
        (after the counts of folded refusals whose window has passed)."""
        self.repeats.tick()
        self._write(event, **fields)

    def refused(self, event: str, *, registered: bool = True, **fields: Any) -> None:
        """Record a refusal, folded with identical ones (:class:`RepeatFolder`).

        ``registered=False`` (a name the server does not have: the client chose it)
        folds by client and rule alone, so a client inventing a new name per call
        cannot grow the log either; the record written names the first one, and the
        count says how many followed."""
        names = FIELD.values() if registered else ()
        key = tuple(str(fields.get(k)) for k in ("server", *names, "client", "rule"))
        self.repeats.record(event, key, **fields)

    def _write(self, event: str, **fields: Any) -> None:
        _events.emit(event, **fields)
        if self.audit is not None:
            try:
                self.audit.log(event, **fields)
            except Exception:
                # Auditing must not break the call it audits; the failure is logged.
                log.exception("audit log failed to record %s", event)

    async def admit(
        self,
        name: str,
        arguments: Any,
        ctx: ServerRequestContext[Any, Any] | None,
        kind: str = "tool",
    ) -> None:
        """Decide one request (a tool call, a prompt or a resource read): raise
        :class:`MCPError` if denied or rate limited. Audited as ``<kind>.allowed``,
        ``<kind>.denied`` or ``<kind>.rate_limited`` (refusals folded, see
        :meth:`refused`).

        A denied request counts toward the client's rate limit too (one bucket per
        client for all its refused names): a client looping on a refused call is
        answered ``rate_limited`` once over the limit.
        """
        await self.admit_client(name, arguments, self.identify(ctx), kind)

    async def admit_client(
        self, name: str, arguments: Any, client: ClientIdentity, kind: str = "tool"
    ) -> None:
        """:meth:`admit` for a client already identified (what a proxy calls)."""
        shown = self.sanitizer.truncate(str(name), _MAX_NAME)
        decision = self.decide(name, kind)
        fields = self._decision_fields(kind, shown, decision.rule, client)
        if kind != "resource":  # a read has no arguments; the URI is its name
            if self.log_arguments:
                fields["arguments"] = self.sanitizer.sanitize_data(arguments)
            else:
                fields["argument_shape"] = shape_list(arguments or {}, self.sanitizer)
        limiter = self._limiter_for(policy_name(kind, name))
        if not decision.allowed:
            if limiter is not None:
                await self._limit(limiter, kind, "<denied>", client.key, shown, fields)
            self._deny(kind, name, shown, fields)
            return  # observe mode
        if limiter is not None:
            await self._limit(limiter, kind, self._bucket(name, kind), client.key, shown, fields)
        self.record(f"{kind}.allowed", **fields)

    def _decision_fields(
        self, kind: str, shown: str, rule: str, client: ClientIdentity
    ) -> dict[str, Any]:
        """The fields every decision record has (and ``observed`` in observe mode)."""
        fields: dict[str, Any] = {
            "server": self.server_name,
            FIELD[kind]: shown,
            "rule": rule,
            "client": client.key,
            "client_name": None if client.name is None else self.sanitizer.truncate(client.name),
        }
        if self.observe:
            fields["observed"] = True
        return fields

    def _deny(self, kind: str, name: str, shown: str, fields: dict[str, Any]) -> None:
        """Record ``<kind>.denied`` (folded) and raise the refusal, unless observing."""
        self.refused(f"{kind}.denied", registered=self._registered(name, kind), **fields)
        if self.observe:
            return
        raise MCPError(
            TOOL_DENIED,
            f"{kind.capitalize()} {shown!r} is not available on this server: "
            "refused by its tool policy",
            {FIELD[kind]: shown, "reason": "denied"},
        )

    def _registered(self, name: str, kind: str) -> bool:
        """Whether the server has ``name`` (False while its names are not known)."""
        names = self._known_names(kind)
        return names is not None and name in names

    def _bucket(self, name: str, kind: str) -> str:
        """The rate-limit bucket of an admitted request: the name the policy decided
        on (a resource's resolved URI). Once the registered names are known, a name
        the server does not have (and a resource read through a URI template) shares
        one ``<unknown>`` bucket per kind, so random names cannot grow the store."""
        names = self._known_names(kind)
        if names is not None and name not in names:
            return "<unknown>"
        if kind == "resource" and self._resolve_resource is not None:
            try:
                return self._resolve_resource(name)
            except ValueError:  # AmbiguousResourceError: denied before it gets here
                return "<unknown>"
        return name

    async def _limit(
        self,
        limiter: AsyncLimiter,
        kind: str,
        bucket: str,
        client: str,
        shown: str,
        fields: dict[str, Any],
    ) -> None:
        """Count one request in ``bucket``; raise ``RATE_LIMITED`` if over the limit
        (only record it, in observe mode)."""
        try:
            result = await limiter.ahit(f"mcp:{self.server_name}/{kind}:{bucket}/client:{client}")
        except Exception:
            # Fail closed, like RateLimiter(fail_open=False): refuse, ask to retry.
            log.exception("the rate limiter failed; refusing the call")
            result = _Refused()
        if result:
            return
        retry_after = round(float(getattr(result, "retry_after", 1.0) or 1.0), 3)
        self.refused(
            f"{kind}.rate_limited",
            # A shared bucket holds names the client chose: fold by client alone.
            registered=not bucket.endswith(("<denied>", "<unknown>")),
            **{k: v for k, v in fields.items() if k != "rule"},
            retry_after=retry_after,
        )
        if self.observe:
            return
        raise MCPError(
            RATE_LIMITED,
            f"Rate limit exceeded for {kind} {shown!r}; retry after {retry_after:g} s",
            {FIELD[kind]: shown, "reason": "rate_limited", "retry_after": retry_after},
        )

    def check_reference(
        self,
        name: str,
        kind: str,
        client: ClientIdentity,
        request: str = "completion/complete",
    ) -> None:
        """Refuse a request that names a prompt or resource the policy denies
        (``completion/complete``) like the item itself,
        audited as ``<kind>.denied`` with ``method`` naming the request's method (a
        field named ``request`` would be taken for content and redacted by the audit
        log); an allowed one is not audited (a host completes once per keystroke)."""
        decision = self.decide(name, kind)
        if decision.allowed:
            return
        shown = self.sanitizer.truncate(str(name), _MAX_NAME)
        fields = self._decision_fields(kind, shown, decision.rule, client)
        fields["method"] = request
        self._deny(kind, name, shown, fields)

    async def admit_reference(
        self,
        name: str,
        kind: str,
        client: ClientIdentity,
        request: str = "completion/complete",
    ) -> None:
        """:meth:`check_reference`, after counting the request against the item's
        limiter in a bucket of its own (``<kind>:completion:<name>``, so completing
        does not use up the item's own calls); a denied or unregistered name shares
        one bucket per client, like :meth:`admit_client`. Over the limit it raises
        ``RATE_LIMITED``, audited as ``<kind>.rate_limited`` with ``method``."""
        limiter = self._limiter_for(policy_name(kind, name))
        if limiter is not None:
            if not self.decide(name, kind).allowed:
                bucket = "<denied>"
            else:
                names = self._known_names(kind)
                bucket = name if names is None or name in names else "<unknown>"
            shown = self.sanitizer.truncate(str(name), _MAX_NAME)
            fields: dict[str, Any] = {
                "server": self.server_name,
                FIELD[kind]: shown,
                "client": client.key,
                "client_name": None
                if client.name is None
                else self.sanitizer.truncate(client.name),
                "method": request,
            }
            if self.observe:
                fields["observed"] = True
            await self._limit(limiter, kind, f"completion:{bucket}", client.key, shown, fields)
        self.check_reference(name, kind, client, request)

    def known(self, name: str, kind: str = "tool") -> bool:
        """Whether ``name`` is registered on the server now (a static resource's URI;
        a read through a template counts as known)."""
        if kind == "resource":
            return True
        names = self._known_names(kind)
        return names is None or name in names

    def finished(self, kind: str, name: str, client: str, outcome: str, started: float) -> None:
        """Audit ``<kind>.finished``: how an admitted request ended (``completed``,
        ``failed``, ``unknown``) and its duration in milliseconds, from ``started``
        (a :func:`time.perf_counter` value)."""
        self.record(
            f"{kind}.finished",
            server=self.server_name,
            **{FIELD[kind]: self.sanitizer.truncate(str(name), _MAX_NAME)},
            client=client,
            outcome=outcome,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    def confine_arguments(
        self, tool: str, arguments: dict[str, Any], client: str
    ) -> dict[str, Any]:
        """Check every string in the arguments, at any depth, against ``allowed_roots``.

        - A string under a path-named key (:func:`is_path_argument`: ``path``,
          ``file_name``, ``fileName``, ``pathname``, ``dest``, ``outputDir``...), or in
          a list under one, is confined with :func:`confine_path` and **replaced** by
          the resolved absolute path, so the tool opens exactly what was checked (a
          relative path is taken relative to the first root).
        - Any other string that is a path by its form (:func:`looks_like_path`:
          absolute, ``~``, ``./``, ``../``, ``file:``, a ``..`` segment) or that names an
          existing entry relative to the working directory is **checked** as the tool
          would open it (relative to the working directory, ``~`` expanded or not) and
          refuses the call if it leaves the roots; it is passed unchanged.

        A refusal is a :class:`ToolError` naming the argument (``options.file_name``),
        never the path, audited as ``tool.path_refused``. Arguments nested deeper than
        32 levels are refused: they cannot be judged.
        """
        if self.allowed_roots is None or not isinstance(arguments, dict):
            return arguments
        try:
            confined: dict[str, Any] = self._confine(arguments, "", False, 0)
        except _PathRefusedError as refused:
            shown = self.sanitizer.truncate(str(tool), _MAX_NAME)
            arg = self.sanitizer.truncate(refused.where or "arguments", 64)
            self.record(
                "tool.path_refused",
                server=self.server_name,
                tool=shown,
                client=client,
                argument=arg,
            )
            raise ToolError(
                f"Error executing tool {shown}: argument {arg!r}: {refused.reason}"
            ) from None
        return confined

    def _confine(self, value: Any, where: str, named: bool, depth: int) -> Any:
        roots = self.allowed_roots
        assert roots is not None
        if depth > _MAX_ARGUMENT_DEPTH:
            raise _PathRefusedError(where, "nested too deep to check against the allowed roots")
        if isinstance(value, str):
            if named:
                try:
                    return str(confine_path(value, roots))
                except UnsafePathError as exc:
                    raise _PathRefusedError(where, str(exc)) from None
            self._check_unnamed(value, where)
            return value
        if isinstance(value, Mapping):
            return {
                key: self._confine(
                    item,
                    f"{where}.{key}" if where else str(key),
                    is_path_argument(str(key)),
                    depth + 1,
                )
                for key, item in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [
                self._confine(item, f"{where}[{i}]", named, depth + 1)
                for i, item in enumerate(value)
            ]
        return value

    def _check_unnamed(self, value: str, where: str) -> None:
        """Refuse a string that is (or names) a path outside the roots, as a tool would
        open it: :func:`._paths.unnamed_path_refusal`."""
        reason = unnamed_path_refusal(value, self.allowed_roots or [])
        if reason is not None:
            raise _PathRefusedError(where, reason)

    # -- sanitizing --------------------------------------------------------------------

    def clean(self, value: Any) -> Any:
        """``value`` (any result, in SDK objects or in wire form) with every string,
        mapping keys included, sanitized: :func:`._results.sanitize_result`."""
        return sanitize_result(value, self.sanitizer, self.mask)

    # The SDK-typed entry points; each is the one generic walk.
    clean_result = clean
    clean_prompt = clean
    clean_contents = clean
    clean_wire = clean

    def clean_mcp_error(self, exc: MCPError) -> MCPError:
        """A copy of an ``MCPError`` with its message and ``data`` sanitized."""
        return MCPError(
            exc.code,
            self.clean(exc.message),
            None if exc.data is None else self.clean(exc.data),
        )

    def _unexpected(
        self, kind: str, shown: str, exc: BaseException, client: str, cause: BaseException
    ) -> None:
        """Log an unexpected failure's traceback (sanitized) and audit ``<kind>.error``
        with the type of ``cause``, the exception the server's own code raised."""
        detail = self.sanitizer.sanitize(
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        )
        if not self.log_arguments:
            # pydantic quotes the value that failed validation: an argument's content.
            detail = _INPUT_VALUE.sub(r"\1<hidden>\2", detail)
        log.error(
            "%s %r raised an unexpected exception (client %s):\n%s", kind, shown, client, detail
        )
        self.record(
            f"{kind}.error",
            server=self.server_name,
            **{FIELD[kind]: shown},
            client=client,
            error=type(cause).__name__,
        )

    def crashed(self, kind: str, shown: str, exc: BaseException, client: str) -> None:
        """Log once (sanitized) and audit ``<kind>.error`` for an exception the server's
        own code raised."""
        self._unexpected(kind, shown, exc, client, exc)

    def resource_failure(self, uri: str, exc: ResourceError, client: str) -> ResourceError:
        """A failed read as a sanitized error of the same class, without its cause.

        An unexpected failure is logged here once, sanitized, and answered as a plain
        ``ResourceError``, which the SDK does not log with a traceback again."""
        shown = self.sanitizer.truncate(uri, _MAX_NAME)
        if isinstance(exc, UnexpectedResourceError):
            self._unexpected("resource", shown, exc, client, exc.__cause__ or exc)
            return ResourceError(f"Error reading resource {shown}")
        return type(exc)(self.sanitizer.sanitize(str(exc)))

    def prompt_failure(self, name: str, exc: Exception, client: str) -> Exception:
        """A failed prompt as a sanitized ``MCPError``, without its cause.

        The SDK wraps every failure in a ``ValueError``: its own refusals (an unknown
        prompt, missing arguments) once, and an exception the prompt function raised
        twice. A refusal keeps its message (sanitized), as ``INVALID_PARAMS``; a raised
        exception is logged here once, sanitized, audited as ``prompt.error``, and
        answered ``INTERNAL_ERROR`` (an ``MCPError``, which the SDK does not log again)."""
        inner = exc.__cause__
        if inner is None or inner.__cause__ is None:
            return MCPError(INVALID_PARAMS, self.sanitizer.truncate(str(exc), 2 * _MAX_NAME))
        shown = self.sanitizer.truncate(name, _MAX_NAME)
        root = inner.__cause__
        while root.__cause__ is not None:
            root = root.__cause__
        self._unexpected("prompt", shown, exc, client, root)
        return MCPError(INTERNAL_ERROR, f"Error rendering prompt {shown}")

    def failure(self, tool: str, exc: ToolError, client: str) -> ToolError:
        """Turn a failed call into a sanitized error; log the detail, sanitized."""
        s = self.sanitizer
        shown = s.truncate(str(tool), _MAX_NAME)
        cause = exc.__cause__
        if isinstance(exc, UnexpectedToolError):
            if isinstance(cause, OpenRouterSecureError) and not isinstance(cause, ProviderError):
                # The library's own errors say what went wrong and how to fix it, and are
                # scrubbed when built (a bad path, a config problem, an API refusal).
                # Secret-backend failures stay generic: they describe infrastructure.
                message = f"Error executing tool {shown}: {s.sanitize(str(cause))}"
                log.info("tool %r refused: %s", shown, message)
                return ToolError(message)
            # Logged here once, sanitized; a plain ToolError is not logged with a
            # traceback again by the SDK.
            self._unexpected("tool", shown, exc, client, cause or exc)
            if isinstance(cause, ProviderError):
                return ToolError(
                    f"Error executing tool {shown}: the server could not obtain a credential "
                    "it needs (the reason is in the server's log)"
                )
            return ToolError(f"Error executing tool {shown}")
        clean = ToolError(s.sanitize(str(exc)))
        if isinstance(cause, ValidationError):
            # Keep the cause: the SDK then logs only the failing field names.
            clean.__cause__ = cause
        return clean
