"""The MCP gateway's decisions, applied to JSON-RPC messages relayed between a host and
one upstream server (any language, any SDK).

The gateway relays messages rather than re-implementing both ends with the SDK's
session classes: what the policy does not concern (progress, logging, subscriptions,
sampling and elicitation requests from the upstream, list-changed notifications,
cancellation, pings, methods added to the protocol later) goes through as the
upstream sent it, and only these are governed:

- ``tools/call``, ``prompts/get``, ``resources/read`` and ``resources/subscribe``:
  the policy decides (a tool by its name, a prompt as ``prompt:<name>``, a resource
  as ``resource:<uri>``, as :func:`~openrouter_secure.mcp.secure` does), then the
  rate limiter; a refusal is answered by the gateway and never reaches the upstream;
- ``completion/complete``: refused for a prompt or resource the policy denies;
- ``tools/list``, ``prompts/list``, ``resources/list``, ``resources/templates/list``:
  denied items are removed from the answer;
- ``notifications/resources/updated`` for a denied resource is dropped, and a
  ``subscriptions/listen`` request loses the denied URIs it asks to watch.

Everything the upstream sends to the host (results, errors, notifications, its own
requests) is sanitized: every string, keys included; base64 payloads are checked in
decoded form. Resource URIs are decided on their decoded form; a URI whose
percent-encoding could decode to something else on the upstream (``%2E%2E%2F``) or
that holds ``.``/``..`` segments is refused. With ``observe=True`` nothing is refused
or hidden, and every decision is written to the audit log with ``observe: true``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import fnmatch
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import _events
from .._exceptions import ConfigurationError, UnsafePathError
from .._files import confine_path
from .._protocols import AsyncLimiter, AuditSink
from .._sanitize._sanitizer import Sanitizer, default_sanitizer, is_secret_field
from ..launch._stream import FragmentMasker
from ._types import (
    RATE_LIMITED,
    TOOL_DENIED,
    Policy,
    PolicyDecision,
    argument_shape,
    is_path_argument,
)

__all__ = ["Channel", "Gateway", "resource_key"]

log = logging.getLogger("openrouter_secure.mcp.gateway")

_MAX_NAME = 100
_FIELD = {"tool": "tool", "prompt": "prompt_name", "resource": "resource"}
_GOVERNED = {
    "tools/call": "tool",
    "prompts/get": "prompt",
    "resources/read": "resource",
    "resources/subscribe": "resource",
}
_LISTS = {
    "tools/list": ("tools", "tool", "name"),
    "prompts/list": ("prompts", "prompt", "name"),
    "resources/list": ("resources", "resource", "uri"),
    "resources/templates/list": ("resourceTemplates", "resource", "uriTemplate"),
}
# Percent-escapes whose decoded character changes how a path or URI is read: '.', '/',
# '\\', '%' (double encoding), and control characters.
_AMBIGUOUS = re.compile(r"%(?:2[eEfF5]|5[cC]|[01][0-9a-fA-F]|7[fF])")
_BINARY_KEYS = frozenset({"blob", "data"})


class Channel(Protocol):
    """One side of the relay: JSON-RPC messages as decoded JSON (``dict``)."""

    async def receive(self) -> Any:
        """The next message, or ``None`` when the peer has gone."""

    async def send(self, message: Mapping[str, Any]) -> None:
        """Send one message."""


def resource_key(uri: str) -> str | None:
    """The form of a resource URI the policy decides on: percent-decoded, or ``None``
    when the URI is ambiguous (an encoded ``.``, ``/``, ``\\``, ``%`` or control
    character, or a ``.``/``..`` path segment), and so refused."""
    if not isinstance(uri, str) or not uri or len(uri) > 4096 or _AMBIGUOUS.search(uri):
        return None
    decoded = urllib.parse.unquote(uri)
    if any(ord(c) < 32 or ord(c) == 127 for c in decoded):
        return None
    path = decoded.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    if any(seg in (".", "..") for seg in re.split(r"[/\\]", path)):
        return None
    return decoded


@dataclass
class _Pending:
    method: str
    kind: str | None = None
    name: str | None = None
    started: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class _Decision:
    allowed: bool
    rule: str


class Gateway:
    """Relay MCP between a host and one upstream, applying the policy on the way.

    ``policy`` decides (a :class:`~openrouter_secure.mcp.Policy` such as
    :class:`~openrouter_secure.config.ToolPolicy`; deny-all when it does not know
    ``server_name``); ``limiter`` is one :class:`~openrouter_secure.mcp.AsyncLimiter`
    or a mapping of name globs to limiters (``"*"`` for the rest); ``audit`` an
    :class:`~openrouter_secure.mcp.AuditSink`; ``allowed_roots`` confines path-named
    tool arguments and ``file://`` resources; ``observe`` records without refusing.
    """

    def __init__(
        self,
        *,
        server_name: str,
        policy: Policy,
        limiter: AsyncLimiter | Mapping[str, AsyncLimiter] | None = None,
        audit: AuditSink | None = None,
        sanitizer: Sanitizer | None = None,
        observe: bool = False,
        allowed_roots: Sequence[str | os.PathLike[str]] | None = None,
        client_key: str = "local",
    ) -> None:
        self.server_name = server_name
        self.policy = policy
        self.limiter = limiter
        self.audit = audit
        self.sanitizer = sanitizer or default_sanitizer()
        self.observe = observe
        self.client_key = client_key
        self.client_name: str | None = None
        self.roots: list[str] | None = None
        if allowed_roots is not None:
            roots = [os.path.realpath(os.fspath(r)) for r in allowed_roots]
            if not roots or not all(os.path.isdir(r) for r in roots):
                raise ConfigurationError("--allowed-root: each root must be an existing directory")
            self.roots = roots
        self.fragments = FragmentMasker()
        self._pending: dict[Any, _Pending] = {}
        self._known: dict[str, set[str]] = {"tool": set(), "prompt": set(), "resource": set()}

    @property
    def pending(self) -> int:
        """How many forwarded requests still wait for the upstream's answer."""
        return len(self._pending)

    def for_client(self, client_key: str) -> Gateway:
        """A gateway with this one's settings for another client (an HTTP session):
        its own pending requests, and rate limits counted under ``client_key``."""
        other = copy.copy(self)
        other.client_key = client_key
        other.client_name = None
        other._pending = {}
        other._known = {kind: set(names) for kind, names in self._known.items()}
        return other

    def mask_fragments_of(self, values: Iterable[str]) -> None:
        """Also mask any piece (8 characters or more) of ``values`` in what the upstream
        sends: the secrets put in its environment, which a wrapped or cut text may
        carry in pieces the sanitizer cannot recognise."""
        self.fragments = FragmentMasker(values)

    # -- decisions -----------------------------------------------------------------------

    def decide(self, kind: str, name: str) -> PolicyDecision:
        """The policy's decision for a tool, prompt or resource (``name`` is a URI)."""
        if kind == "resource":
            key = resource_key(name)
            if key is None:
                return _Decision(False, "deny:ambiguous-uri")
            name = key
        target = name if kind == "tool" else f"{kind}:{name}"
        try:
            return self.policy.check(self.server_name, target)
        except Exception:
            log.exception("the policy failed to decide; denying")
            return _Decision(False, "deny:policy-error")

    def record(self, event: str, **fields: Any) -> None:
        """Emit ``event`` in-process and write it to the audit log (never raises)."""
        if self.observe:
            fields["observe"] = True
        _events.emit(event, **fields)
        if self.audit is not None:
            try:
                self.audit.log(event, **fields)
            except Exception:
                log.exception("audit log failed to record %s", event)

    def _fields(self, kind: str, name: str, rule: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "server": self.server_name,
            _FIELD[kind]: self.sanitizer.truncate(str(name), _MAX_NAME),
            "client": self.client_key,
            "client_name": self.client_name,
        }
        if rule is not None:
            out["rule"] = rule
        return out

    def _limiter_for(self, name: str) -> AsyncLimiter | None:
        limiter = self.limiter
        if limiter is None or not isinstance(limiter, Mapping):
            return limiter
        if name in limiter:
            return limiter[name]
        for pattern in sorted(limiter, key=len, reverse=True):
            if fnmatch.fnmatchcase(name, pattern):
                return limiter[pattern]
        return None

    def _error(self, msg_id: Any, code: int, message: str, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "jsonrpc": "2.0",
            "id": msg_id,
            "error": {"code": code, "message": message, "data": data},
        }

    async def admit(
        self, msg_id: Any, kind: str, name: str, arguments: Any, *, limited: bool = True
    ) -> dict[str, Any] | None:
        """Decide one request; the error response to send back, or ``None`` to forward."""
        shown = self.sanitizer.truncate(str(name), _MAX_NAME)
        decision = self.decide(kind, name)
        fields = self._fields(kind, name, decision.rule)
        if kind != "resource":
            fields["argument_shape"] = argument_shape(arguments or {}, self.sanitizer)
        if not decision.allowed:
            self.record(f"{kind}.denied", **fields)
            if not self.observe:
                return self._error(
                    msg_id,
                    TOOL_DENIED,
                    f"{kind.capitalize()} {shown!r} is not available on this server: "
                    "refused by its policy",
                    {_FIELD[kind]: shown, "reason": "denied"},
                )
        limiter = self._limiter_for(name if kind == "tool" else f"{kind}:{name}")
        if limited and limiter is not None:
            # A name counts on its own once the upstream has listed it or the policy
            # names it exactly; other names share one bucket per kind, so a glob rule
            # cannot be used to mint fresh budgets (and grow the store) at will.
            exact = decision.rule == f"allow:exact:{name if kind == 'tool' else f'{kind}:{name}'}"
            bucket = name if exact or name in self._known[kind] else "<unknown>"
            try:
                result: Any = await limiter.ahit(
                    f"mcp:{self.server_name}/{kind}:{bucket}/client:{self.client_key}"
                )
            except Exception:
                log.exception("the rate limiter failed; refusing the call")
                result = None
            if not result:
                retry = round(float(getattr(result, "retry_after", 1.0) or 1.0), 3)
                self.record(f"{kind}.rate_limited", **fields, retry_after=retry)
                if not self.observe:
                    return self._error(
                        msg_id,
                        RATE_LIMITED,
                        f"Rate limit exceeded for {kind} {shown!r}; retry after {retry:g} s",
                        {_FIELD[kind]: shown, "reason": "rate_limited", "retry_after": retry},
                    )
        if decision.allowed:
            self.record(f"{kind}.allowed", **fields)
        return None

    def _confine(self, msg_id: Any, name: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Rewrite path-named arguments to their confined form; an error result when
        one leaves the roots."""
        arguments = params.get("arguments")
        if self.roots is None or not isinstance(arguments, dict):
            return None
        out = dict(arguments)
        for arg, value in arguments.items():
            if not is_path_argument(str(arg)):
                continue
            try:
                if isinstance(value, str):
                    out[arg] = str(confine_path(value, self.roots))
                elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                    out[arg] = [str(confine_path(v, self.roots)) for v in value]
            except UnsafePathError as exc:
                shown = self.sanitizer.truncate(str(arg), 64)
                self.record(
                    "tool.path_refused",
                    **self._fields("tool", name, None),
                    argument=shown,
                )
                if self.observe:
                    continue
                text = f"Error executing tool {self.sanitizer.truncate(name, _MAX_NAME)}: "
                text += f"argument {shown!r}: {exc}"
                return {
                    "jsonrpc": "2.0",
                    "id": msg_id,
                    "result": {"content": [{"type": "text", "text": text}], "isError": True},
                }
        params["arguments"] = out
        return None

    def _confine_uri(self, uri: str) -> bool:
        if self.roots is None or not uri.startswith("file://"):
            return True
        key = resource_key(uri)
        if key is None:
            return False
        try:
            confine_path(urllib.parse.urlsplit(key).path, self.roots)
        except UnsafePathError:
            return False
        return True

    # -- host -> upstream ----------------------------------------------------------------

    async def from_host(
        self,
        message: Any,
        to_upstream: Callable[[Mapping[str, Any]], Awaitable[None]],
        to_host: Callable[[Mapping[str, Any]], Awaitable[None]],
    ) -> None:
        """Handle one message from the host: forward it, or answer it (a refusal).

        Only a request (a ``method`` and an ``id`` that is a string or a number) is
        decided; a message that could pass for one without being decided (a
        ``tools/call`` sent as a notification, an ``id`` of ``null``, a batch, a
        non-object) is refused or dropped, so no upstream gets to interpret it."""
        if not isinstance(message, dict):
            await to_host(self._error(None, -32600, "Invalid Request: one JSON object", {}))
            return
        method = message.get("method")
        if "method" not in message:
            await to_upstream(message)  # the host's answer to the upstream's request
            return
        if not isinstance(method, str):
            await to_host(self._error(message.get("id"), -32600, "Invalid Request", {}))
            return
        if "id" not in message:
            if not method.startswith("notifications/"):
                log.warning("dropped a %r sent as a notification", self.sanitizer.truncate(method))
                return
            if method == "notifications/cancelled":
                params = message.get("params")
                if isinstance(params, dict):
                    self._pending.pop(params.get("requestId"), None)
            await to_upstream(message)
            return
        msg_id = message["id"]
        if isinstance(msg_id, bool) or not isinstance(msg_id, (str, int)):
            await to_host(self._error(None, -32600, "Invalid Request: id", {}))
            return
        params = message.get("params")
        params = dict(params) if isinstance(params, dict) else {}
        refusal: dict[str, Any] | None = None
        pending = _Pending(method)
        if method == "initialize":
            info = params.get("clientInfo")
            if isinstance(info, dict):
                label = f"{info.get('name')}/{info.get('version')}"
                self.client_name = self.sanitizer.truncate(label, _MAX_NAME)
        elif method in _GOVERNED:
            kind = _GOVERNED[method]
            name = params.get("name") if kind != "resource" else params.get("uri")
            name = name if isinstance(name, str) else ""
            pending = _Pending(method, kind, name)
            refusal = await self.admit(
                msg_id, kind, name, params.get("arguments"), limited=method != "resources/subscribe"
            )
            if refusal is None and kind == "tool":
                refusal = self._confine(msg_id, name, params)
                message = {**message, "params": params}
            if refusal is None and kind == "resource" and not self._confine_uri(name):
                self.record("resource.path_refused", **self._fields(kind, name, None))
                if not self.observe:
                    refusal = self._error(
                        msg_id,
                        TOOL_DENIED,
                        "Resource is outside the allowed roots",
                        {"resource": self.sanitizer.truncate(name, _MAX_NAME), "reason": "denied"},
                    )
        elif method == "completion/complete":
            refusal = self._completion(msg_id, params)
        elif method == "subscriptions/listen":
            message = {**message, "params": self._listen_filter(params)}
        if refusal is not None:
            await to_host(refusal)
            return
        self._pending[msg_id] = pending
        await to_upstream(message)

    def _listen_filter(self, params: Any, depth: int = 0) -> Any:
        """``subscriptions/listen`` params without the denied ``resourceSubscriptions``
        (their updates would be dropped anyway; the upstream need not watch them)."""
        if not isinstance(params, dict) or depth > 4:
            return params
        out: dict[str, Any] = {}
        for key, value in params.items():
            if key == "resourceSubscriptions" and isinstance(value, list):
                kept = []
                for uri in value:
                    uri_text = uri if isinstance(uri, str) else ""
                    decision = self.decide("resource", uri_text)
                    if decision.allowed:
                        kept.append(uri)
                        continue
                    self.record(
                        "resource.denied", **self._fields("resource", uri_text, decision.rule)
                    )
                    if self.observe:
                        kept.append(uri)
                out[key] = kept
            else:
                out[key] = self._listen_filter(value, depth + 1)
        return out

    def _completion(self, msg_id: Any, params: dict[str, Any]) -> dict[str, Any] | None:
        ref = params.get("ref")
        if not isinstance(ref, dict):
            return None
        kind, name = (
            ("prompt", ref.get("name"))
            if ref.get("type") == "ref/prompt"
            else (
                "resource",
                ref.get("uri"),
            )
        )
        name = name if isinstance(name, str) else ""
        decision = self.decide(kind, name)
        if decision.allowed:
            return None
        self.record(f"{kind}.completion_denied", **self._fields(kind, name, decision.rule))
        if self.observe:
            return None
        shown = self.sanitizer.truncate(name, _MAX_NAME)
        return self._error(
            msg_id,
            TOOL_DENIED,
            f"{kind.capitalize()} {shown!r} is not available on this server: refused by its policy",
            {_FIELD[kind]: shown, "reason": "denied"},
        )

    # -- upstream -> host ----------------------------------------------------------------

    def from_upstream(self, message: Any) -> Any:
        """One message from the upstream as the host may see it (``None``: drop it)."""
        if not isinstance(message, dict):
            return self.clean(message)
        if "method" in message:
            if message.get("method") == "notifications/resources/updated":
                params = message.get("params")
                uri = params.get("uri") if isinstance(params, dict) else None
                allowed = isinstance(uri, str) and self.decide("resource", uri).allowed
                if not allowed and not self.observe:
                    return None
            return self._clean_message(message, keep_id=False)
        pending = self._pending.pop(message.get("id"), None)
        if "error" in message:
            if pending is not None and pending.kind is not None:
                self._outcome(pending, "failed")
            return self._clean_message(message, keep_id=pending is not None)
        result = message.get("result")
        if pending is not None and isinstance(result, dict):
            if pending.method in _LISTS:
                result = self._filter(pending.method, result)
            elif pending.kind is not None:
                self._outcome(pending, "error" if result.get("isError") else "ok")
        return self._clean_message({**message, "result": result}, keep_id=pending is not None)

    def _clean_message(self, message: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
        """Every member cleaned; the ``id`` too unless it is one the host sent."""
        return {
            k: v
            if k == "jsonrpc" or (k == "id" and (keep_id or not isinstance(v, str)))
            else self.clean(v, k)
            for k, v in message.items()
        }

    def _outcome(self, pending: _Pending, outcome: str) -> None:
        if pending.method == "resources/subscribe":
            return
        assert pending.kind is not None
        fields = self._fields(pending.kind, pending.name or "", None)
        duration = round((time.perf_counter() - pending.started) * 1000, 3)
        self.record(f"{pending.kind}.completed", **fields, outcome=outcome, duration_ms=duration)

    def _filter(self, method: str, result: dict[str, Any]) -> dict[str, Any]:
        key, kind, attr = _LISTS[method]
        items = result.get(key)
        if not isinstance(items, list):
            return result
        kept: list[Any] = []
        hidden: list[str] = []
        for item in items:
            name = item.get(attr) if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if self.decide(kind, name).allowed:
                kept.append(item)
                if attr != "uriTemplate":
                    self._known[kind].add(name)
            else:
                hidden.append(self.sanitizer.truncate(name, _MAX_NAME))
                if self.observe:
                    kept.append(item)
        if hidden and self.observe:
            self.record(
                f"{kind}.list_filtered",
                server=self.server_name,
                client=self.client_key,
                hidden=hidden[:50],
                hidden_count=len(hidden),
            )
        return {**result, key: kept}

    # -- sanitizing ----------------------------------------------------------------------

    def clean(self, obj: Any, key: str | None = None, depth: int = 0) -> Any:
        """A copy of ``obj`` with every secret masked: every string, keys included.

        A string under a secret-looking key is masked whole; a base64 payload
        (``blob``, ``data``) is checked in decoded form and kept byte-exact unless it
        holds a secret.
        """
        s = self.sanitizer
        if isinstance(obj, str):
            if key in _BINARY_KEYS and len(obj) >= 16:
                return self._clean_binary(obj)
            if key is not None and is_secret_field(key):
                return str(s.sanitize_data({key: obj})[key])
            text = s.sanitize(obj)
            return self.fragments.mask(text) if self.fragments else text
        if isinstance(obj, dict):
            if depth > 64:
                return "<REDACTED: nesting too deep>"
            return {self.clean(str(k)): self.clean(v, str(k), depth + 1) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.clean(v, key, depth + 1) for v in obj]
        return obj

    def _clean_binary(self, text: str) -> str:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return self.sanitizer.sanitize(text)
        decoded = raw.decode("latin-1")
        clean = self.sanitizer.sanitize(decoded)
        if self.fragments:
            clean = self.fragments.mask(clean)
        if clean == decoded:
            return text
        return base64.b64encode(clean.encode("latin-1", "replace")).decode("ascii")
