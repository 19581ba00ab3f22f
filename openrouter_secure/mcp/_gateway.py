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
or hidden, and every decision is written to the audit log with ``observed: true``.

Each decision it shares with :func:`~openrouter_secure.mcp.secure` (policy, rate
limits, argument confinement, sanitizing, audit records) is made by the same
:class:`~._guard.Guard`; this module only relays JSON-RPC around it.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import CLIENT_INFO_META_KEY

from .._exceptions import ConfigurationError, UnsafePathError
from .._files import confine_path
from .._protocols import AsyncLimiter, AuditSink
from .._sanitize._sanitizer import Sanitizer, default_sanitizer
from ..launch._stream import FragmentMasker
from ._guard import Guard, completion_target
from ._records import FAILED, outcome_of
from ._resources import AmbiguousResourceError, resource_target
from ._types import TOOL_DENIED, ClientIdentity, Policy, PolicyDecision

__all__ = ["Channel", "Gateway", "resource_key"]

log = logging.getLogger("openrouter_secure.mcp.gateway")

_MAX_NAME = 100
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
    # The host cancelled it: its id stays in use until the upstream answers, and
    # that answer is dropped (it must not be taken for a later request's).
    cancelled: bool = False


# The members JSON-RPC 2.0 defines; any other top-level member is dropped.
_ENVELOPE = ("jsonrpc", "id", "method", "params", "result", "error")


def _request_id(value: Any) -> bool:
    """Whether ``value`` is an id the gateway records (a string or an integer; never a
    bool or a float, which would compare equal to an integer id)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


class AmbiguousUriError(AmbiguousResourceError):
    """A resource URI :func:`resource_key` refuses."""


class Gateway:
    """Relay MCP between a host and one upstream, applying the policy on the way.

    ``policy`` decides (a :class:`~openrouter_secure.mcp.Policy` such as
    :class:`~openrouter_secure.config.ToolPolicy`; deny-all when it does not know
    ``server_name``); ``limiter`` is one :class:`~openrouter_secure.mcp.AsyncLimiter`
    or a mapping of name globs to limiters (``"*"`` for the rest); ``audit`` an
    :class:`~openrouter_secure.mcp.AuditSink`; ``allowed_roots`` confines path
    arguments and ``file://`` resources; ``observe`` records without refusing.

    Every decision it shares with :func:`~openrouter_secure.mcp.secure` is made by
    the same :class:`~openrouter_secure.mcp.Guard` (``self.guard``): policy, rate
    limits, argument confinement, sanitizing and the audit records, so both write the
    same records for the same decision. What is left here is relaying JSON-RPC.
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
        self.client_key = client_key
        self.client_name: str | None = None
        self._pending: dict[Any, _Pending] = {}
        # kind -> what the upstream listed; None until the host has asked for the list
        self._known: dict[str, set[str] | None] = {"tool": None, "prompt": None, "resource": None}
        self._templates: list[str] = []
        try:
            self.guard = Guard(
                server_name=server_name,
                policy=policy,
                limiter=limiter,
                audit=audit,
                sanitizer=sanitizer or default_sanitizer(),
                log_arguments=False,
                known_names=self._known.get,
                allowed_roots=allowed_roots,
                resolve_resource=self._resolve,
                observe=observe,
            )
        except ConfigurationError:
            raise ConfigurationError(
                "--allowed-root: each root must be an existing directory"
            ) from None

    @property
    def sanitizer(self) -> Sanitizer:
        """The sanitizer applied to everything the upstream sends."""
        return self.guard.sanitizer

    @property
    def observe(self) -> bool:
        """Observe-only: every refusal is recorded and nothing is refused or hidden."""
        return self.guard.observe

    @property
    def pending(self) -> int:
        """How many forwarded requests still wait for the upstream's answer (those the
        host cancelled not counted)."""
        return sum(not p.cancelled for p in self._pending.values())

    def for_client(self, client_key: str) -> Gateway:
        """A gateway with this one's settings for another client (an HTTP session):
        its own pending requests and listed names, rate limits counted under
        ``client_key``; the policy, limiters, audit log and folded refusals shared."""
        other = copy.copy(self)
        other.client_key = client_key
        other.client_name = None
        other._pending = {}
        other._known = {k: None if v is None else set(v) for k, v in self._known.items()}
        other._templates = list(self._templates)
        other.guard = copy.copy(self.guard)
        other.guard._known_names = other._known.get
        other.guard._resolve_resource = other._resolve
        return other

    def mask_fragments_of(self, values: Iterable[str]) -> None:
        """Also mask any piece (8 characters or more) of ``values`` in what the upstream
        sends: the secrets put in its environment, which a wrapped or cut text may
        carry in pieces the sanitizer cannot recognise."""
        fragments = FragmentMasker(values)
        self.guard.mask = fragments.mask if fragments else None

    # -- decisions -----------------------------------------------------------------------

    def _resolve(self, uri: str) -> str:
        """The URI the policy decides on: :func:`resource_key`, then the upstream's
        listed templates (:func:`._resources.resource_target`)."""
        key = resource_key(uri)
        if key is None:
            raise AmbiguousUriError("ambiguous resource URI")
        return resource_target(key, self._templates, self._known["resource"] or ())

    def decide(self, kind: str, name: str) -> PolicyDecision:
        """The policy's decision for a tool, prompt or resource (``name`` is a URI)."""
        return self.guard.decide(name, kind)

    def _client(self) -> ClientIdentity:
        return ClientIdentity(self.client_key, self.client_name)

    @staticmethod
    def _error(msg_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
        error: dict[str, Any] = {"code": code, "message": message}
        error["data"] = {} if data is None else data
        return {"jsonrpc": "2.0", "id": msg_id, "error": error}

    @classmethod
    def _refusal(cls, msg_id: Any, exc: MCPError) -> dict[str, Any]:
        return cls._error(msg_id, exc.code, exc.message, exc.data)

    async def admit(
        self, msg_id: Any, kind: str, name: str, arguments: Any
    ) -> dict[str, Any] | None:
        """Decide one request (:meth:`Guard.admit_client`); the error response to send
        back, or ``None`` to forward."""
        try:
            await self.guard.admit_client(name, arguments, self._client(), kind)
        except MCPError as exc:
            return self._refusal(msg_id, exc)
        return None

    def _confine(self, msg_id: Any, name: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """Confine the arguments (:meth:`Guard.confine_arguments`); an error result when
        one leaves the roots."""
        arguments = params.get("arguments")
        if not isinstance(arguments, dict):
            return None
        try:
            params["arguments"] = self.guard.confine_arguments(name, arguments, self.client_key)
        except ToolError as exc:
            return {
                "jsonrpc": "2.0",
                "id": msg_id,
                "result": {"content": [{"type": "text", "text": str(exc)}], "isError": True},
            }
        return None

    def _confine_uri(self, uri: str) -> bool:
        roots = self.guard.allowed_roots
        if roots is None or not uri.lower().startswith("file:"):
            return True
        key = resource_key(uri)
        if key is None:
            return False
        try:
            confine_path(urllib.parse.urlsplit(key).path, roots)
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
                cancelled = (
                    self._pending.get(params.get("requestId")) if isinstance(params, dict) else None
                )
                if cancelled is not None:
                    cancelled.cancelled = True
            await to_upstream(message)
            return
        msg_id = message["id"]
        if not _request_id(msg_id):
            await to_host(self._error(None, -32600, "Invalid Request: id", {}))
            return
        if msg_id in self._pending:
            # Two requests under one id: the answers could not be told apart, and the
            # one to a listing might pass as the other's (unfiltered).
            await to_host(self._error(msg_id, -32600, "Invalid Request: id already in use", {}))
            return
        params = message.get("params")
        params = dict(params) if isinstance(params, dict) else {}
        refusal: dict[str, Any] | None = None
        pending = _Pending(method)
        self._learn_client(method, params)
        if method in _GOVERNED:
            kind = _GOVERNED[method]
            name = params.get("name") if kind != "resource" else params.get("uri")
            name = name if isinstance(name, str) else ""
            pending = _Pending(method, kind, name)
            refusal = await self.admit(msg_id, kind, name, params.get("arguments"))
            if refusal is None and kind == "tool":
                refusal = self._confine(msg_id, name, params)
                message = {**message, "params": params}
            if refusal is None and kind == "resource" and not self._confine_uri(name):
                shown = self.sanitizer.truncate(name, _MAX_NAME)
                self.guard.record(
                    "resource.path_refused",
                    server=self.server_name,
                    resource=shown,
                    client=self.client_key,
                )
                refusal = self._error(
                    msg_id,
                    TOOL_DENIED,
                    "Resource is outside the directories this server may use",
                    {"resource": shown, "reason": "denied"},
                )
        elif method == "completion/complete":
            target = completion_target(params)
            if target is not None:
                refusal = self._reference(msg_id, target[1], target[0], method)
        elif method == "subscriptions/listen":
            message = {**message, "params": self._listen_filter(params)}
        if refusal is not None:
            await to_host(refusal)
            return
        self._pending[msg_id] = pending
        await to_upstream(message)

    def _learn_client(self, method: str, params: dict[str, Any]) -> None:
        """The host's ``name/version`` for ``client_name``: from ``initialize``, or from
        the ``_meta`` envelope every request carries in protocol revisions without an
        ``initialize`` (what ``secure()`` records for the same host)."""
        meta = params.get("_meta")
        info = (
            params.get("clientInfo")
            if method == "initialize"
            else meta.get(CLIENT_INFO_META_KEY)
            if isinstance(meta, dict)
            else None
        )
        if isinstance(info, dict):
            label = f"{info.get('name')}/{info.get('version')}"
            self.client_name = self.sanitizer.truncate(label, _MAX_NAME)

    def _reference(self, msg_id: Any, name: str, kind: str, request: str) -> dict[str, Any] | None:
        """:meth:`Guard.check_reference`: the refusal to answer, or None."""
        try:
            self.guard.check_reference(name, kind, self._client(), request)
        except MCPError as exc:
            return self._refusal(msg_id, exc)
        return None

    def _listened(self, uri: Any) -> bool:
        """Whether a ``subscriptions/listen`` may watch ``uri`` (a refusal is audited)."""
        name = uri if isinstance(uri, str) else ""
        return self._reference(None, name, "resource", "subscriptions/listen") is None

    def _listen_filter(self, params: Any, depth: int = 0) -> Any:
        """``subscriptions/listen`` params without the denied ``resourceSubscriptions``
        (their updates would be dropped anyway; the upstream need not watch them)."""
        if not isinstance(params, dict) or depth > 4:
            return params
        out: dict[str, Any] = {}
        for key, value in params.items():
            if key == "resourceSubscriptions" and isinstance(value, list):
                out[key] = [uri for uri in value if self._listened(uri)]
            else:
                out[key] = self._listen_filter(value, depth + 1)
        return out

    # -- upstream -> host ----------------------------------------------------------------

    def from_upstream(self, message: Any) -> Any:
        """One message from the upstream as the host may see it (``None``: drop it)."""
        if not isinstance(message, dict):
            return self.guard.clean(message)
        if "method" in message:
            if message.get("method") == "notifications/resources/updated":
                params = message.get("params")
                uri = params.get("uri") if isinstance(params, dict) else None
                allowed = isinstance(uri, str) and self.guard.visible(uri, "resource")
                if not allowed and not self.observe:
                    return None
            return self._clean_message(message, keep_id=False)
        # A response is handled by what the gateway recorded when it forwarded the
        # request under that id, never by the response's own shape: one with no
        # request behind it (an id never sent, answered already, or cancelled) is
        # dropped, as the host is not waiting for it.
        msg_id = message.get("id")
        pending = self._pending.pop(msg_id, None) if _request_id(msg_id) else None
        if pending is None or pending.cancelled:
            log.warning("dropped a response to no request in flight")
            return None
        if "error" in message:
            self._outcome(pending, None)
            return self._clean_message(message, keep_id=True)
        result = message.get("result")
        if pending.method in _LISTS:
            result = self._filter(pending.method, result if isinstance(result, dict) else {})
        elif isinstance(result, dict):
            self._outcome(pending, result)
        return self._clean_message({**message, "result": result}, keep_id=True)

    def _clean_message(self, message: dict[str, Any], *, keep_id: bool) -> dict[str, Any]:
        """The JSON-RPC members only (any other top-level member is dropped: its name
        as well as its value could carry a secret), each value cleaned; the ``id`` too
        unless it is one the host sent."""
        return {
            k: message[k]
            if k == "id" and (keep_id or not isinstance(message[k], str))
            else self.guard.clean(message[k])
            for k in _ENVELOPE
            if k in message
        }

    def _outcome(self, pending: _Pending, result: Any) -> None:
        """Audit ``<kind>.finished`` for a governed request the upstream answered
        (``result`` None for an error response)."""
        if pending.method == "resources/subscribe" or pending.kind is None:
            return
        name = pending.name or ""
        outcome = (
            FAILED if result is None else outcome_of(result, self.guard.known(name, pending.kind))
        )
        self.guard.finished(pending.kind, name, self.client_key, outcome, pending.started)

    def _filter(self, method: str, result: dict[str, Any]) -> dict[str, Any]:
        """A listing without the items the policy denies (kept, and recorded as
        ``<kind>.list_filtered``, in observe mode); the names kept are learnt for the
        rate-limit buckets and the templates for deciding resources."""
        key, kind, attr = _LISTS[method]
        items = result.get(key)
        if not isinstance(items, list):
            return result
        template = attr == "uriTemplate"
        kept: list[Any] = []
        hidden: list[str] = []
        listed: list[str] = []
        for item in items:
            name = item.get(attr) if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            listed.append(name)
            if self.guard.visible(name, kind, resolve=not template):
                kept.append(item)
            else:
                hidden.append(self.sanitizer.truncate(name, _MAX_NAME))
                if self.observe:
                    kept.append(item)
        # Pages of one listing add up (a cursor's next page is another answer).
        if template:
            self._templates += [t for t in listed if t not in self._templates]
        else:
            self._known[kind] = (self._known[kind] or set()) | set(listed)
        if hidden and self.observe:
            self.guard.record(
                f"{kind}.list_filtered",
                server=self.server_name,
                client=self.client_key,
                hidden=hidden[:50],
                hidden_count=len(hidden),
                observed=True,
            )
        return {**result, key: kept}

    def clean(self, obj: Any) -> Any:
        """A copy of ``obj`` with every secret masked (:meth:`Guard.clean`)."""
        return self.guard.clean(obj)
