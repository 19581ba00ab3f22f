"""A chat completion from request to answer, shared by the sync and async clients:
the request checked and built before any I/O, its log lines and usage event, and the
stream's events turned into chunks.

Logging, logger ``openrouter_secure.client``: at DEBUG, metadata only: model, message
count, roles, content lengths, latency, token usage and cost. Content is logged only
with ``log_content=True``, then each text is sanitized and cut to 100 characters, and a
one-time ``PRIVACY WARNING`` says so. All the work is skipped when DEBUG is off for
the logger, which keeps the client's overhead small.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import logging
import math
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from .. import _events
from .._exceptions import ConfigurationError, OpenRouterConnectionError, OpenRouterError
from .._sanitize._sanitizer import default_sanitizer
from ._call import Call, parse_json
from ._errors import error_from_payload, error_from_transport
from ._sse import DONE, SSEDecoder
from ._types import ChatChunk, ChatCompletion, Usage

__all__ = [
    "ABANDONED_STREAM_TOKENS",
    "CHAT_PATH",
    "PRIVACY_WARNING",
    "ChatLog",
    "ChatRequest",
    "StreamCharge",
    "StreamCore",
    "close_quietly",
    "estimate_tokens",
    "outside_collection",
]

log = logging.getLogger("openrouter_secure.client")

PRIVACY_WARNING = (
    "PRIVACY WARNING: Logging prompt content is enabled. "
    "Prompts may contain sensitive or personal information."
)

CHAT_PATH = "/chat/completions"

#: Completion tokens charged for a stream closed before its end when the request set no
#: ``max_tokens``: OpenRouter may go on generating (and billing) after the client leaves.
ABANDONED_STREAM_TOKENS = 4096
#: Characters per token for an estimate (OpenRouter's own rule of thumb for English).
CHARS_PER_TOKEN = 4


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


def estimate_tokens(chars: int) -> int:
    """Tokens for ``chars`` characters, rounded up (:data:`CHARS_PER_TOKEN` each)."""
    return -(-chars // CHARS_PER_TOKEN)


def chat_body(
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


def _strings(value: Any, out: list[str]) -> None:
    """Every string in a JSON-like value (keys included), appended to ``out``."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _strings(key, out)
            _strings(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, out)


def _tool_call_texts(message: Mapping[str, Any], out: list[str]) -> None:
    calls = message.get("tool_calls")
    if not isinstance(calls, (list, tuple)):
        return
    for call in calls:
        function = call.get("function") if isinstance(call, Mapping) else None
        arguments = function.get("arguments") if isinstance(function, Mapping) else None
        if isinstance(arguments, str):
            out.append(arguments)
            with contextlib.suppress(ValueError):  # each value, as a server would quote it
                _strings(json.loads(arguments), out)
        elif arguments is not None:
            _strings(arguments, out)


def sent_texts(messages: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The texts a chat request sends, to keep them out of error messages: each
    message's content and the arguments of the tool calls it carries."""
    out: list[str] = []
    for message in messages:
        if text := _text_of(message.get("content")):
            out.append(text)
        _tool_call_texts(message, out)
    return tuple(t for t in out if t)


class ChatLog:
    """The client's log lines and ``usage.recorded`` events for chat requests: metadata
    at DEBUG, content only with ``log_content=True`` (sanitized, cut to 100 characters,
    after a one-time :data:`PRIVACY_WARNING`)."""

    def __init__(self, key_ref: str, log_content: bool) -> None:
        self.key_ref = key_ref
        self.log_content = log_content
        self._warned = False
        self._warn_lock = threading.Lock()

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

    def charge(self, *, model: str, generation_id: str, usage: Usage, estimated: bool) -> None:
        """The ``usage.recorded`` event. An amount OpenRouter sent that is not a number
        (``usage.unreadable``) goes out as NaN, which budgets count as the worst case
        (their limits used up), and the event is ``estimated``."""
        unreadable = usage.unreadable

        def amount(name: str, value: float | None) -> float | None:
            return math.nan if name in unreadable else value

        _events.emit(
            "usage.recorded",
            key_ref=self.key_ref,
            model=model,
            prompt_tokens=amount("prompt_tokens", usage.prompt_tokens),
            completion_tokens=amount("completion_tokens", usage.completion_tokens),
            cost=amount("cost", usage.cost),
            generation_id=generation_id,
            estimated=estimated or bool(unreadable),
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
        estimated: bool = False,
    ) -> None:
        """After a completion: the metadata log line and the ``usage.recorded`` event
        (``estimated=True`` when no usage block came and the tokens are an estimate)."""
        if usage is not None:
            self.charge(model=model, generation_id=generation_id, usage=usage, estimated=estimated)
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


class ChatRequest:
    """One chat completion: checked and built on creation (before any I/O), then
    :meth:`begin` logs it and starts its clock, and :meth:`completion` or a stream reads
    the answer and :meth:`finish` records it."""

    def __init__(
        self,
        chat_log: ChatLog,
        where: str,
        timeout: float | httpx.Timeout | None,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: bool,
        options: dict[str, Any],
    ) -> None:
        self.body = chat_body(model, messages, stream, options)
        self.log = chat_log
        self.where = where
        self.timeout = timeout
        self.model = model
        self.messages = messages
        self.stream = stream
        self.sent: tuple[str, ...] = ()
        self.started = 0.0

    def begin(self) -> Call[ChatCompletion]:
        """Log the request and start the latency clock: the call to send now."""
        self.log.log_request(self.model, self.messages, self.stream)
        self.started = time.perf_counter()
        self.sent = sent_texts(self.messages)
        return Call(
            "POST",
            CHAT_PATH,
            self.where,
            self.completion,
            json=self.body,
            stream=self.stream,
            sent=self.sent,
            lost=self.lost,
        )

    def lost(self) -> None:
        """Charge one attempt that may have reached OpenRouter but whose answer the
        client never read (a read timeout, a dropped connection, a cancelled task, a
        2xx body that is not JSON): OpenRouter may still run and bill it, so the worst
        case (``max_tokens``, else :data:`ABANDONED_STREAM_TOKENS`), ``estimated``."""
        self.log.charge(
            model=self.model,
            generation_id="",
            usage=self.estimate("", abandoned=True),
            estimated=True,
        )

    def completion(self, response: httpx.Response) -> ChatCompletion:
        """The completion in a 2xx answer; an ``error`` object in it (OpenRouter reports
        some upstream failures inside HTTP 200) raises the matching error."""
        try:
            data = parse_json(response, self.where)
        except OpenRouterError:
            self.lost()  # a 2xx whose usage cannot be read: the generation may be billed
            raise
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

    def finish(
        self, generation_id: str, usage: Usage | None, content: str, *, abandoned: bool = False
    ) -> None:
        """The metadata log line and the ``usage.recorded`` event of an answer. With no
        usage block (the request turned it off, the stream failed or was left early)
        the event carries an estimate (see :meth:`estimate`)."""
        estimated = usage is None
        if usage is None:
            usage = self.estimate(content, abandoned=abandoned)
        self.log.finish(
            model=self.model,
            generation_id=generation_id,
            usage=usage,
            content=content,
            started=self.started,
            stream=self.stream,
            estimated=estimated,
        )

    def worst_completion(self) -> int:
        """The most completion tokens OpenRouter may bill for this request: the larger
        of ``max_tokens`` and ``max_completion_tokens`` (a provider may honour either),
        else :data:`ABANDONED_STREAM_TOKENS`."""
        caps = [
            cap
            for cap in (self.body.get("max_tokens"), self.body.get("max_completion_tokens"))
            if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0
        ]
        return max(caps, default=ABANDONED_STREAM_TOKENS)

    def estimate(self, received: str, *, abandoned: bool) -> Usage:
        """Tokens for an answer OpenRouter did not account for: the prompt from the
        characters sent, the completion from the characters received, and, for a
        stream the caller left (or whose connection dropped) before its end, at least
        the request's ``max_tokens`` (else :data:`ABANDONED_STREAM_TOKENS`), since
        OpenRouter may bill the whole generation. The cost is unknown (``None``)."""
        prompt = estimate_tokens(sum(len(t) for t in self.sent))
        completion = estimate_tokens(len(received))
        if abandoned:
            completion = max(completion, self.worst_completion())
        return Usage(prompt, completion, prompt + completion, None)


class StreamCharge:
    """The one ``usage.recorded`` event of a stream, and what it is computed from.

    Kept apart from the stream object so that a finalizer can still emit it when the
    caller drops the stream without closing it (never iterated included): the
    finalizer must not hold the stream, or the stream would never be collected.
    """

    def __init__(self, chat: ChatRequest) -> None:
        self.chat = chat
        self.parts: list[str] = []
        self.usage: Usage | None = None
        self.id = ""
        self.done = False  # [DONE] arrived
        self._recorded = False
        # A finalizer may run in whichever thread the garbage collector does.
        self._lock = threading.Lock()
        # A forked child holds a copy of the stream: its finalizer must not charge the
        # parent's request a second time.
        self._pid = os.getpid()

    def record(self, *, abandoned: bool) -> None:
        """Emit the event once, however the stream ends: from its usage block, else
        estimated (a stream left early, failed or cut is billed too)."""
        if os.getpid() != self._pid:
            return  # checked first: the lock may have been held when the process forked
        with self._lock:
            if self._recorded:
                return
            self._recorded = True
        self.chat.finish(self.id, self.usage, "".join(self.parts), abandoned=abandoned)

    def left(self) -> None:
        """The caller closed or dropped the stream (a stream left before ``[DONE]`` is
        charged the worst case).

        Called by the garbage collector (a dropped stream in a reference cycle), the
        event goes out from a thread of its own: the collector may have interrupted
        code that holds a lock a subscriber takes (a budget's, the audit log's), which
        would deadlock. Otherwise, and at interpreter exit, it goes out here and now.
        """
        outside_collection(self.record, abandoned=not self.done)


_THREAD_NAME = "openrouter-secure-stream-charge"


def outside_collection(work: Callable[..., None], /, **kwargs: Any) -> None:
    """Run ``work(**kwargs)`` now, or, when the garbage collector is running (it called
    a finalizer), in a thread of its own: the collector may have stopped code that holds
    a lock ``work`` takes (a budget's, the audit log's, the connection pool's), which
    would deadlock. At interpreter exit it runs now (threads started then never run)."""
    if _gc_state.collecting and not _gc_state.exiting:
        try:
            threading.Thread(target=work, kwargs=kwargs, name=_THREAD_NAME).start()
            return
        except RuntimeError:  # no new threads (interpreter shutting down)
            pass
    work(**kwargs)


class _GcState:
    """Whether a garbage collection is running (finalizers called by it must not take
    locks) and whether the interpreter is exiting (threads started then never run)."""

    def __init__(self) -> None:
        self.collecting = False
        self.exiting = False
        self.watching = False
        self._lock = threading.Lock()

    def phase(self, phase: str, info: Mapping[str, Any]) -> None:
        self.collecting = phase == "start"

    def exit(self) -> None:
        self.exiting = True

    def watch(self) -> None:
        """Start following collections and exit, once, after the first stream's
        finalizer exists: ``atexit`` runs last-registered first, so :meth:`exit` runs
        before ``weakref.finalize`` calls the finalizers still pending."""
        if self.watching:
            return
        with self._lock:
            if not self.watching:
                gc.callbacks.append(self.phase)
                atexit.register(self.exit)
                self.watching = True


_gc_state = _GcState()


def _dropped(charge: StreamCharge, response: httpx.Response | None) -> None:
    """Finalizer of a stream object: charge it and, for a sync stream, free its
    connection. Runs when the stream is freed or collected, or at interpreter exit."""
    charge.left()
    if response is not None:
        outside_collection(close_quietly, response=response)


def close_quietly(response: httpx.Response) -> None:
    """Close a dropped stream's response: best effort, the connection may be gone."""
    with contextlib.suppress(Exception):
        response.close()


class StreamCore:
    """What ``ChatStream`` and ``AsyncChatStream`` share: events in, chunks out.

    ``usage`` is set by the chunk that carries it (the last); ``id`` is the generation
    id. The subclasses read lines from the response and call :meth:`_chunk` for each
    decoded event, :meth:`_transport_error` when the connection fails and
    :meth:`_ended` when the body is done. The stream is charged once, whatever the
    caller does with it: read to its end, closed, left in a loop that raised, or
    dropped unread (then by a finalizer, see :class:`StreamCharge`).
    """

    def __init__(self, chat: ChatRequest, response: httpx.Response, *, sync: bool) -> None:
        self._chat = chat
        self._response = response
        self._decoder = SSEDecoder()
        self._charge = StreamCharge(chat)
        self._parts = self._charge.parts
        self.usage: Usage | None = None
        self.id = ""
        self._finalizer = weakref.finalize(self, _dropped, self._charge, response if sync else None)
        _gc_state.watch()

    @property
    def _done(self) -> bool:
        return self._charge.done

    def _chunk(self, event: Any) -> ChatChunk | None:
        """The chunk ``event`` carries, or None to skip it; an error event raises."""
        if event is DONE:
            # Read on to the end of the body rather than stop: a fully read response
            # returns its connection to the pool.
            self._charge.done = True
            return None
        if self._done or not isinstance(event, dict):
            return None
        if "error" in event:
            self._record(abandoned=False)  # upstream stopped the generation
            raise error_from_payload(
                event["error"],
                http_status=200,
                where=self._chat.where,
                sent=self._chat.sent,
                generation_id=_generation_id(event),
            )
        chunk = ChatChunk.parse(event)
        self.id = self._charge.id = chunk.id or self.id
        self._parts.append(chunk.content)
        if chunk.usage is not None:
            self.usage = self._charge.usage = chunk.usage
        return chunk

    def _transport_error(self, exc: httpx.HTTPError) -> OpenRouterError:
        self._record(abandoned=True)  # the connection dropped: upstream may go on
        return error_from_transport(exc, self._chat.where, self._chat.timeout)

    def _record(self, *, abandoned: bool) -> None:
        self._charge.record(abandoned=abandoned)

    def _left(self) -> None:
        """The caller closed the stream, dropped it, or its task was cancelled."""
        self._charge.left()

    def _ended(self) -> None:
        """The body is read: a stream cut before ``[DONE]`` raises, else it is recorded."""
        self._record(abandoned=False)
        if not self._done:
            raise OpenRouterConnectionError(
                f"the stream of {self._chat.where} ended before [DONE]; the answer may be cut short"
            )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} model={self._chat.model!r} id={self.id!r}>"
