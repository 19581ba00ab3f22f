"""Everything the sync and async OpenRouter clients share: all but the I/O.

httpx's split, applied to the API: :class:`ClientCore` holds the settings and, for
each API method, builds the :class:`Call` that method sends and reads the answer
into the typed result; :class:`Attempts` decides retries and maps failures to the
error tree; :class:`ChatRequest` checks, logs and reads one completion;
:class:`StreamCore` turns stream events into chunks. ``_sync`` and ``_async`` only
send, sleep, read bodies and close, so the two surfaces cannot drift apart.

Logging, logger ``openrouter_secure.client``: at DEBUG, metadata only: method, path,
status, latency, model, message count, roles, content lengths, token usage and cost.
Content is logged only with ``log_content=True``, then each text is sanitized and cut
to 100 characters, and a one-time ``PRIVACY WARNING`` says so. All the work is skipped
when DEBUG is off for the logger, which keeps the client's overhead small.
"""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from .. import _events
from .._exceptions import (
    ConfigurationError,
    ManagementKeyError,
    OpenRouterConnectionError,
    OpenRouterError,
    RateLimitExceeded,
    UpstreamError,
)
from .._sanitize._sanitizer import default_sanitizer
from ._auth import HttpSettings, KeySpec
from ._errors import (
    RETRY_STATUSES,
    error_from_payload,
    error_from_response,
    error_from_transport,
)
from ._sse import DONE, SSEDecoder
from ._types import (
    ActivityItem,
    ApiKey,
    ChatChunk,
    ChatCompletion,
    CreatedKey,
    Credits,
    Generation,
    KeyInfo,
    Model,
    ModelEndpoints,
    Usage,
)

__all__ = [
    "PRIVACY_WARNING",
    "Attempts",
    "Call",
    "ChatRequest",
    "ClientCore",
    "StreamCore",
    "parse_json",
]

T = TypeVar("T")

log = logging.getLogger("openrouter_secure.client")

PRIVACY_WARNING = (
    "PRIVACY WARNING: Logging prompt content is enabled. "
    "Prompts may contain sensitive or personal information."
)

_CHAT_PATH = "/chat/completions"


def _text_of(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a parts list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(p.get("text", "")) for p in content if isinstance(p, Mapping) and "text" in p
        )
    return ""


def _generation_id(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("id")
    return value if isinstance(value, str) else None


def _rows(data: Any) -> list[dict[str, Any]]:
    """The objects of a ``{"data": [...]}`` listing; anything else in it is skipped."""
    rows = data.get("data", []) if isinstance(data, dict) else []
    return [r for r in rows if isinstance(r, dict)]


def _deleted(data: Any) -> bool:
    # An answer without the flag still means the DELETE succeeded (it was a 2xx).
    return bool(data.get("deleted", True)) if isinstance(data, dict) else True


def parse_json(response: httpx.Response, where: str) -> Any:
    """The decoded JSON body of a 2xx ``response``; :class:`UpstreamError` (naming the
    body's size, never its text) when it is not JSON."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise UpstreamError(
            f"OpenRouter answered {where} with a body that is not JSON "
            f"({len(response.content)} bytes, HTTP {response.status_code})",
            status_code=response.status_code,
        ) from None


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API request as a client method sends it, and how to read its answer.

    ``where`` (``"GET /api/v1/models"``) names it in errors and logs; ``sent`` holds the
    texts that must not be quoted back in an error. A client sends it with
    :meth:`ClientCore.attempts` deciding retries, then passes the 2xx response to
    :attr:`read`; a ``stream`` call's open response goes to a stream object instead.
    """

    method: str
    path: str
    where: str
    read: Callable[[httpx.Response], T]
    json: Any = None
    params: Mapping[str, Any] | None = None
    stream: bool = False
    sent: Sequence[str] = ()

    @property
    def url(self) -> str:
        # Relative, so it is joined under base_url's path (which ends in "/").
        return self.path.lstrip("/")

    @property
    def follow_redirects(self) -> bool:
        # A request with a body (a prompt) is never re-sent to wherever a 307 points:
        # the 3xx answer is raised as an error instead.
        return self.method == "GET"


class Attempts:
    """The retry decisions for one :class:`Call`, within ``max_retries`` and the total
    ``retry_budget``: each method returns the seconds to sleep before sending again, or
    raises the call's final error (a sanitized :class:`OpenRouterError`)."""

    def __init__(self, core: ClientCore, call: Call[Any]) -> None:
        self._core = core
        self._call = call
        self._deadline = time.monotonic() + core.retry_budget
        self._attempt = 0

    def _again(self, retry_after: float | None) -> float | None:
        wait = self._core.retry_wait(self._attempt, retry_after, self._deadline)
        if wait is not None:
            self._attempt += 1
        return wait

    def after_failure(self, exc: httpx.HTTPError) -> float:
        """After the transport raised ``exc``. Only a refused connection is retried:
        any later failure may have reached OpenRouter, and a completion costs money."""
        error = error_from_transport(exc, self._call.where, self._core.timeout)
        if isinstance(exc, httpx.ConnectError):
            wait = self._again(None)
            if wait is not None:
                return wait
        raise error from None

    def after_answer(self, request: httpx.Request, response: httpx.Response) -> float:
        """After an answer of 300 or more to ``request``, its body read and closed:
        408, 429 and 5xx are retried (honouring ``Retry-After``), anything else raised."""
        call, status = self._call, response.status_code
        error = error_from_response(response, call.where, call.sent)
        if status >= 500:
            self._core.upstream_error(status, call.method, request.url.path)
        if status in RETRY_STATUSES:
            wait = self._again(error.retry_after)
            if wait is not None:
                return wait
        raise error


class ChatRequest:
    """One chat completion: checked and built on creation (before any I/O), then
    :meth:`begin` logs it and starts its clock, and :meth:`completion` or a stream reads
    the answer and :meth:`finish` records it."""

    def __init__(
        self,
        core: ClientCore,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: bool,
        options: dict[str, Any],
    ) -> None:
        self.body = core.chat_body(model, messages, stream, options)
        self.core = core
        self.model = model
        self.messages = messages
        self.stream = stream
        self.where = core.where("POST", _CHAT_PATH)
        self.sent: tuple[str, ...] = ()
        self.started = 0.0

    def begin(self) -> Call[ChatCompletion]:
        """Log the request and start the latency clock: the call to send now."""
        core = self.core
        core.log_request(self.model, self.messages, self.stream)
        self.started = time.perf_counter()
        self.sent = core.sent_texts(self.messages)
        return Call(
            "POST",
            _CHAT_PATH,
            self.where,
            self.completion,
            json=self.body,
            stream=self.stream,
            sent=self.sent,
        )

    def completion(self, response: httpx.Response) -> ChatCompletion:
        """The completion in a 2xx answer; an ``error`` object in it (OpenRouter reports
        some upstream failures inside HTTP 200) raises the matching error."""
        data = parse_json(response, self.where)
        if isinstance(data, dict) and "error" in data:
            raise error_from_payload(
                data["error"],
                http_status=response.status_code,
                where=self.where,
                sent=self.sent,
                generation_id=_generation_id(data),
            )
        result = ChatCompletion.parse(data if isinstance(data, dict) else {})
        self.finish(result.id, result.usage, result.content)
        return result

    def finish(self, generation_id: str, usage: Usage | None, content: str) -> None:
        """The metadata log line and the ``usage.recorded`` event of a finished answer."""
        self.core.finish(
            model=self.model,
            generation_id=generation_id,
            usage=usage,
            content=content,
            started=self.started,
            stream=self.stream,
        )


class StreamCore:
    """What ``ChatStream`` and ``AsyncChatStream`` share: events in, chunks out.

    ``usage`` is set by the chunk that carries it (the last); ``id`` is the generation
    id. The subclasses read lines from the response and call :meth:`_chunk` for each
    decoded event, :meth:`_transport_error` when the connection fails and
    :meth:`_ended` when the body is done.
    """

    def __init__(self, chat: ChatRequest, response: httpx.Response) -> None:
        self._chat = chat
        self._response = response
        self._decoder = SSEDecoder()
        self._parts: list[str] = []
        self._done = False
        self.usage: Usage | None = None
        self.id = ""

    def _chunk(self, event: Any) -> ChatChunk | None:
        """The chunk ``event`` carries, or None to skip it; an error event raises."""
        if event is DONE:
            # Read on to the end of the body rather than stop: a fully read response
            # returns its connection to the pool.
            self._done = True
            return None
        if self._done or not isinstance(event, dict):
            return None
        if "error" in event:
            raise error_from_payload(
                event["error"],
                http_status=200,
                where=self._chat.where,
                sent=self._chat.sent,
                generation_id=_generation_id(event),
            )
        chunk = ChatChunk.parse(event)
        self.id = chunk.id or self.id
        self._parts.append(chunk.content)
        if chunk.usage is not None:
            self.usage = chunk.usage
        return chunk

    def _transport_error(self, exc: httpx.HTTPError) -> OpenRouterError:
        return error_from_transport(exc, self._chat.where, self._chat.core.timeout)

    def _ended(self) -> None:
        """The body is read: a stream cut before ``[DONE]`` raises, else it is recorded."""
        if not self._done:
            raise OpenRouterConnectionError(
                f"the stream of {self._chat.where} ended before [DONE]; the answer may be cut short"
            )
        self._chat.finish(self.id, self.usage, "".join(self._parts))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} model={self._chat.model!r} id={self.id!r}>"


class ClientCore:
    """Settings and the transport-independent half of a client. Not public.

    Each API method of the clients has a method of the same name and parameters here
    that returns the :class:`Call` to send (``chat`` returns a :class:`ChatRequest`).
    """

    def __init__(
        self,
        api_key: KeySpec,
        *,
        base_url: str,
        allow_insecure_loopback: bool,
        allowed_hosts: Iterable[str],
        limiter: Any,
        limiter_wait: bool,
        log_content: bool,
        app_url: str | None,
        app_title: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        backoff_base: float,
        backoff_max: float,
        retry_max_wait: float,
        retry_budget: float,
        check_key_type: bool,
    ) -> None:
        if max_retries < 0 or backoff_base < 0 or retry_budget < 0:
            raise ConfigurationError("max_retries, backoff_base and retry_budget must be >= 0")
        self.http = HttpSettings(
            api_key,
            base_url=base_url,
            allowed_hosts=allowed_hosts,
            allow_insecure_loopback=allow_insecure_loopback,
            app_url=app_url,
            app_title=app_title,
            timeout=timeout,
        )
        self.base_url = self.http.base_url
        self.source = self.http.source
        self.timeout = timeout
        self.prefix = self.base_url.path.rstrip("/")
        self.limiter = limiter
        self.limiter_wait = limiter_wait
        self.log_content = log_content
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_max_wait = retry_max_wait
        self.retry_budget = retry_budget
        self.check_key_type = check_key_type
        self._salt = secrets.token_bytes(16)
        self._key_kinds: dict[str, bool] = {}
        self._last: tuple[str, bool] | None = None
        self._warned = False
        self._warn_lock = threading.Lock()

    @property
    def key_ref(self) -> str:
        return self.source.ref

    def where(self, method: str, path: str) -> str:
        return f"{method} {self.prefix}{path}"

    # -- retries ---------------------------------------------------------------------

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half fixed, half random, capped."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0**attempt)
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - timing jitter only

    def retry_wait(self, attempt: int, retry_after: float | None, deadline: float) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up now."""
        if attempt >= self.max_retries:
            return None
        if retry_after is not None and retry_after > self.retry_max_wait:
            return None
        wait = retry_after if retry_after is not None else self.backoff(attempt)
        if time.monotonic() + wait > deadline:
            return None
        return wait

    def attempts(self, call: Call[Any]) -> Attempts:
        """The retry decisions for one sending of ``call``; its budget starts now."""
        return Attempts(self, call)

    # -- the local limiter ---------------------------------------------------------

    def limit_keys(self, model: str) -> list[str]:
        return [f"key:{self.key_ref}", f"model:{model}"]

    def limit_deadline(self) -> float:
        return time.monotonic() + self.retry_budget

    def limit_refused(self, key: str, result: Any, deadline: float) -> float:
        """Seconds to wait for the limiter, or raise :class:`RateLimitExceeded`."""
        wait = float(getattr(result, "retry_after", 0.0) or 0.0)
        if self.limiter_wait and time.monotonic() + wait <= deadline:
            log.debug("local rate limit on %s: waiting %.2fs", key, wait)
            return wait
        raise RateLimitExceeded(
            f"the client's rate limit for {key} is used up; retry in {wait:.1f}s "
            "(or pass limiter_wait=True to wait)",
            key=key,
            limit=str(getattr(self.limiter, "limit", "?")),
            retry_after=wait,
        )

    # -- management keys -------------------------------------------------------------

    def fingerprint(self, key: str) -> str:
        # Keyed with a per-client random salt: the digest means nothing outside this object.
        return hashlib.blake2b(key.encode(), key=self._salt, digest_size=16).hexdigest()

    def known_kind(self, key: str) -> bool | None:
        # Fast path: the key source hands out the same str object while it holds a key.
        last = self._last
        if last is not None and last[0] is key:
            return last[1]
        kind = self._key_kinds.get(self.fingerprint(key))
        if kind is not None:
            self._last = (key, kind)
        return kind

    def note_kind(self, key: str, is_management: bool) -> None:
        self._key_kinds[self.fingerprint(key)] = is_management
        self._last = (key, is_management)

    def refuse_management(self, is_management: bool) -> None:
        """Raise :class:`ManagementKeyError` before a completion with a management key."""
        if is_management:
            raise ManagementKeyError(
                f"the key from {self.key_ref} is a management key: it may manage keys but "
                "must not send completions; use a normal API key for chat()"
            )

    # -- the chat request and its log lines ------------------------------------------

    def chat_body(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: bool,
        options: dict[str, Any],
    ) -> dict[str, Any]:
        if not isinstance(model, str) or not model:
            raise ConfigurationError("chat() needs model='author/slug'")
        if isinstance(messages, (str, bytes)) or not messages:  # type: ignore[unreachable]
            raise ConfigurationError("chat() needs messages=[{'role': ..., 'content': ...}, ...]")
        body: dict[str, Any] = {"model": model, "messages": list(messages), **options}
        body.setdefault("usage", {"include": True})
        if stream:
            body["stream"] = True
        return body

    @staticmethod
    def sent_texts(messages: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
        """The texts a chat request sends, to keep them out of error messages."""
        return tuple(t for t in (_text_of(m.get("content")) for m in messages) if t)

    def warn_once(self) -> None:
        if self._warned:
            return
        with self._warn_lock:
            if not self._warned:
                self._warned = True
                log.warning(PRIVACY_WARNING)

    def log_request(self, model: str, messages: Sequence[Mapping[str, Any]], stream: bool) -> None:
        if self.log_content:
            self.warn_once()
        if not log.isEnabledFor(logging.DEBUG):
            return
        roles = [str(m.get("role", "?")) for m in messages]
        lengths = [len(_text_of(m.get("content"))) for m in messages]
        log.debug(
            "chat request model=%s stream=%s messages=%d roles=%s content_chars=%s",
            model,
            stream,
            len(messages),
            roles,
            lengths,
        )
        if self.log_content:
            sanitizer = default_sanitizer()
            for role, message in zip(roles, messages, strict=True):
                log.debug(
                    "chat content role=%s: %s",
                    role,
                    sanitizer.truncate(_text_of(message.get("content")), 100),
                )

    def finish(
        self,
        *,
        model: str,
        generation_id: str,
        usage: Usage | None,
        content: str,
        started: float,
        stream: bool,
    ) -> None:
        """After a completion: the metadata log line and the ``usage.recorded`` event."""
        if usage is not None:
            _events.emit(
                "usage.recorded",
                key_ref=self.key_ref,
                model=model,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cost=usage.cost,
                generation_id=generation_id,
            )
        if not log.isEnabledFor(logging.DEBUG):
            return
        log.debug(
            "chat response model=%s id=%s stream=%s latency_ms=%.1f response_chars=%d "
            "prompt_tokens=%s completion_tokens=%s cost=%s",
            model,
            generation_id,
            stream,
            (time.perf_counter() - started) * 1000,
            len(content),
            usage.prompt_tokens if usage else None,
            usage.completion_tokens if usage else None,
            usage.cost if usage else None,
        )
        if self.log_content:
            log.debug("chat content role=assistant: %s", default_sanitizer().truncate(content, 100))

    def upstream_error(self, status: int, method: str, path: str) -> None:
        _events.emit("upstream.error", status=status, method=method, path=path)

    # -- the API, one Call per client method -----------------------------------------

    def _json(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        shown: str | None = None,
    ) -> Call[T]:
        """A call whose answer is JSON read by ``parse``; ``shown`` is the path a body
        that is not JSON is reported under, when it differs (a template)."""
        where = self.where(method, path)
        label = where if shown is None else self.where(method, shown)
        return Call(
            method,
            path,
            where,
            lambda response: parse(parse_json(response, label)),
            json=json,
            params=params,
        )

    def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: bool = False,
        **options: Any,
    ) -> ChatRequest:
        """``POST /chat/completions``, checked and built; nothing is sent or logged yet."""
        return ChatRequest(self, model, messages, stream, options)

    def models(self) -> Call[list[Model]]:
        return self._json("GET", "/models", lambda data: [Model.parse(m) for m in _rows(data)])

    def model_endpoints(self, author: str, slug: str) -> Call[ModelEndpoints]:
        return self._json("GET", f"/models/{author}/{slug}/endpoints", ModelEndpoints.parse)

    def generation(self, id: str) -> Call[Generation]:
        return self._json("GET", "/generation", Generation.parse, params={"id": id})

    def key_info(self) -> Call[KeyInfo]:
        # The client notes is_management_key for the key it sent (see known_kind).
        return self._json("GET", "/key", KeyInfo.parse)

    def credits(self) -> Call[Credits]:
        return self._json("GET", "/credits", Credits.parse)

    def activity(self, date: str | None = None) -> Call[list[ActivityItem]]:
        params = {"date": date} if date else None
        return self._json("GET", "/activity", ActivityItem.parse_list, params=params)

    def list_keys(self, *, offset: int | None = None) -> Call[list[ApiKey]]:
        params = {"offset": offset} if offset else None
        return self._json(
            "GET", "/keys", lambda data: [ApiKey.parse(r) for r in _rows(data)], params=params
        )

    def create_key(
        self,
        name: str,
        *,
        limit: float | None = None,
        expires_at: str | None = None,
        limit_reset: str | None = None,
    ) -> Call[CreatedKey]:
        body: dict[str, Any] = {"name": name}
        for field, value in (
            ("limit", limit),
            ("expires_at", expires_at),
            ("limit_reset", limit_reset),
        ):
            if value is not None:
                body[field] = value
        return self._json("POST", "/keys", CreatedKey.parse, json=body)

    def get_key(self, hash: str) -> Call[ApiKey]:
        return self._json("GET", f"/keys/{hash}", ApiKey.parse)

    def update_key(
        self,
        hash: str,
        *,
        disabled: bool | None = None,
        name: str | None = None,
        limit: float | None = None,
    ) -> Call[ApiKey]:
        body = {
            k: v
            for k, v in (("disabled", disabled), ("name", name), ("limit", limit))
            if v is not None
        }
        return self._json("PATCH", f"/keys/{hash}", ApiKey.parse, json=body, shown="/keys/{hash}")

    def delete_key(self, hash: str) -> Call[bool]:
        return self._json("DELETE", f"/keys/{hash}", _deleted, shown="/keys/{hash}")
