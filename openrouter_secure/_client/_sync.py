"""``RedactingClient``: OpenRouter's API over ``httpx.Client``, one choke point that never
leaks the key or the user's content.

- The key is resolved lazily from a reference (``env://OPENROUTER_API_KEY`` by
  default), a ``Secret`` or a callable, and added per request by an ``httpx.Auth``
  that refuses any URL but ``https://`` on an allowed host (``openrouter.ai``), or the
  loopback ``base_url`` with ``allow_insecure_loopback=True``. On a 401 the reference
  is refreshed once and the request retried once. Redirects to another origin never
  carry the key (a guard transport strips it from every request that leaves), and
  only GET requests follow redirects at all: a request with a body (a prompt) is not
  re-sent to wherever a 307 points; the 3xx answer is raised as an error instead.
- Answers are typed (:mod:`openrouter_secure._client._types`); errors are the
  :class:`~openrouter_secure.OpenRouterError` tree with sanitized messages.
- 408, 429 and 5xx answers and failed connections are retried with exponential
  backoff and jitter, honouring ``Retry-After``, within ``max_retries`` and a total
  ``retry_budget`` in seconds.
- Completions are refused with a management key. How the client knows: before the
  first completion with a given key it asks ``GET /key`` and caches
  ``is_management_key`` for that key (keyed by a salted digest, in memory). Turn the
  check off with ``check_key_type=False`` (saves that one request per key).
- Logging is metadata only unless ``log_content=True`` (see ``_chat``).

Everything but the I/O (building each request, reading answers, retry decisions,
logging, error mapping) lives in :mod:`._base`, shared with the async client.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar, cast, overload

import httpx

from .._exceptions import OpenRouterSecureError
from .._net import DEFAULT_ALLOWED_HOSTS, DEFAULT_BASE_URL
from .._protocols import Limiter
from ._auth import DEFAULT_TIMEOUT, KeySpec, shown_base_url
from ._base import ClientCore
from ._call import Call
from ._chat import ChatRequest, StreamCore, close_quietly, outside_collection
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

__all__ = ["ChatStream", "RedactingClient"]

T = TypeVar("T")


class ChatStream(StreamCore):
    """A streamed completion: iterate for :class:`ChatChunk` objects (``content`` is the
    delta text; the last chunk has ``usage``). An error event inside the stream raises
    the matching :class:`OpenRouterError`. Close it (or use ``with``) to stop early."""

    usage: Usage | None
    """Tokens and cost of the whole answer, from the chunk that carries them (the last);
    None until then, or when the request asked for no usage."""
    id: str
    """The generation id (for ``generation()``), from the first chunk that names it."""

    def __init__(self, chat: ChatRequest, response: httpx.Response) -> None:
        super().__init__(chat, response, sync=True)
        # Made on the first next(): a generator holds the stream, so a stream dropped
        # unread is freed (and charged by its finalizer) as soon as it is unreferenced.
        self._gen: Generator[ChatChunk, None, None] | None = None

    def _run(self) -> Generator[ChatChunk, None, None]:
        response = self._response
        try:
            for event in self._decoder.iter(response.iter_lines()):
                chunk = self._chunk(event)
                if chunk is not None:
                    yield chunk
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        except BaseException:
            # Closed, dropped, or an interrupt while reading: OpenRouter may go on.
            self._left()
            raise
        finally:
            # A dropped stream is closed by the garbage collector, which must not take
            # the connection pool's lock (the code it stopped may hold it).
            outside_collection(close_quietly, response=response)
        self._ended()

    def __iter__(self) -> Iterator[ChatChunk]:
        return self

    def __next__(self) -> ChatChunk:
        if self._gen is None:
            self._gen = self._run()
        return next(self._gen)

    def close(self) -> None:
        """Stop reading; a stream left before its end is recorded with an estimate
        (see :doc:`limits-budgets-audit`)."""
        if self._gen is not None:
            self._gen.close()
        self._response.close()
        self._left()

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RedactingClient:
    """OpenRouter's API with the key kept out of logs, errors and the wrong hosts.

    >>> with RedactingClient("env://OPENROUTER_API_KEY") as client:   # doctest: +SKIP
    ...     reply = client.chat(model="openai/gpt-4o-mini",
    ...                         messages=[{"role": "user", "content": "Hi"}])

    ``limiter`` is any :class:`~openrouter_secure.limits.Limiter`: an object with
    ``hit(key)`` returning something truthy when allowed (with ``retry_after`` when not),
    such as :class:`~openrouter_secure.limits.RateLimiter` (the async client takes an
    :class:`~openrouter_secure.limits.AsyncLimiter`); each completion hits
    ``key:<reference>`` and ``model:<model>``. When refused the client
    raises :class:`RateLimitExceeded`, or waits with ``limiter_wait=True``.
    """

    def __init__(
        self,
        api_key: KeySpec = "env://OPENROUTER_API_KEY",
        *,
        base_url: str = DEFAULT_BASE_URL,
        allow_insecure_loopback: bool = False,
        allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
        limiter: Limiter | None = None,
        limiter_wait: bool = False,
        log_content: bool = False,
        app_url: str | None = None,
        app_title: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        retry_max_wait: float = 60.0,
        retry_budget: float = 120.0,
        check_key_type: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key,
            base_url=base_url,
            allow_insecure_loopback=allow_insecure_loopback,
            allowed_hosts=allowed_hosts,
            limiter=limiter,
            limiter_wait=limiter_wait,
            log_content=log_content,
            app_url=app_url,
            app_title=app_title,
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            retry_max_wait=retry_max_wait,
            retry_budget=retry_budget,
            check_key_type=check_key_type,
        )
        self._http = self._core.http.client(transport)

    @property
    def http_client(self) -> httpx.Client:
        """The underlying ``httpx.Client`` (key injection, HTTPS checks and redirect guard
        included): pass it to ``openai.OpenAI(http_client=...)`` to share them."""
        return self._http

    @property
    def key_ref(self) -> str:
        """The key's reference as text (safe to show)."""
        return self._core.key_ref

    # -- the I/O -----------------------------------------------------------------------

    def _send(self, call: Call[Any]) -> httpx.Response:
        """``call``'s 2xx response (open when streaming), retrying as the core decides."""
        attempts = self._core.attempts(call)
        while True:
            request = self._http.build_request(
                call.method, call.url, json=call.json, params=call.params
            )
            try:
                response = self._http.send(
                    request, stream=call.stream, follow_redirects=call.follow_redirects
                )
            except httpx.HTTPError as exc:
                time.sleep(attempts.after_failure(exc))
                continue
            except OpenRouterSecureError:
                raise  # this library's refusal (a key, a URL) before anything is sent
            except BaseException:
                attempts.interrupted()  # a cancelled task, an interrupt, a broken transport
                raise
            if response.status_code < 300:
                return response
            if call.stream:
                response.read()
            response.close()
            time.sleep(attempts.after_answer(request, response))

    def _call(self, call: Call[T]) -> T:
        return call.read(self._send(call))

    def _acquire(self, model: str) -> None:
        core = self._core
        if core.limiter is None:
            return
        limiter = cast(Limiter, core.limiter)  # this client's constructor takes a Limiter
        deadline = core.limit_deadline()
        for key in core.limit_keys(model):
            while not (result := limiter.hit(key)):
                time.sleep(core.limit_refused(key, result, deadline))

    def _check_key_type(self) -> None:
        core = self._core
        if not core.check_key_type:
            return
        kind = core.known_kind(core.source.get())
        core.refuse_management(kind if kind is not None else self.key_info().is_management_key)

    # -- completions -------------------------------------------------------------------

    @overload
    def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[False] = False,
        **options: Any,
    ) -> ChatCompletion: ...

    @overload
    def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[True],
        **options: Any,
    ) -> ChatStream: ...

    def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: bool = False,
        **options: Any,
    ) -> ChatCompletion | ChatStream:
        """``POST /chat/completions``. ``options`` go into the body as they are:
        ``models`` (fallbacks), ``temperature``, ``max_tokens``, ``tools``, ``provider``,
        ``usage`` (``{"include": True}`` is the default), ..."""
        chat = self._core.chat(model=model, messages=messages, stream=stream, **options)
        self._acquire(model)
        self._check_key_type()
        call = chat.begin()
        if stream:
            return ChatStream(chat, self._send(call))
        return self._call(call)

    # -- read endpoints ----------------------------------------------------------------

    def models(self) -> list[Model]:
        """``GET /models``: the catalogue."""
        return self._call(self._core.models())

    def model_endpoints(self, author: str, slug: str) -> ModelEndpoints:
        """``GET /models/{author}/{slug}/endpoints``: the providers serving a model."""
        return self._call(self._core.model_endpoints(author, slug))

    def generation(self, id: str) -> Generation:
        """``GET /generation?id=``: cost and tokens of a finished generation."""
        return self._call(self._core.generation(id))

    def key_info(self) -> KeyInfo:
        """``GET /key``: the calling key's usage, limit and kind."""
        info = self._call(self._core.key_info())
        self._core.note_kind(self._core.source.get(), info.is_management_key)
        return info

    def credits(self) -> Credits:
        """``GET /credits`` (management key)."""
        return self._call(self._core.credits())

    def activity(self, date: str | None = None) -> list[ActivityItem]:
        """``GET /activity`` (management key): per-day, per-model use for 30 days."""
        return self._call(self._core.activity(date))

    # -- key management (management key) -------------------------------------------------

    def list_keys(self, *, offset: int | None = None) -> list[ApiKey]:
        """``GET /keys``: the account's keys, from ``offset``."""
        return self._call(self._core.list_keys(offset=offset))

    def create_key(
        self,
        name: str,
        *,
        limit: float | None = None,
        expires_at: str | None = None,
        limit_reset: str | None = None,
    ) -> CreatedKey:
        """``POST /keys``: a new key, returned once as a :class:`Secret`."""
        return self._call(
            self._core.create_key(name, limit=limit, expires_at=expires_at, limit_reset=limit_reset)
        )

    def get_key(self, hash: str) -> ApiKey:
        """``GET /keys/{hash}``: one key's settings and usage."""
        return self._call(self._core.get_key(hash))

    def update_key(
        self,
        hash: str,
        *,
        disabled: bool | None = None,
        name: str | None = None,
        limit: float | None = None,
    ) -> ApiKey:
        """``PATCH /keys/{hash}``: change the fields given (the others stay)."""
        return self._call(self._core.update_key(hash, disabled=disabled, name=name, limit=limit))

    def delete_key(self, hash: str) -> bool:
        """``DELETE /keys/{hash}``: whether OpenRouter deleted it."""
        return self._call(self._core.delete_key(hash))

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RedactingClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        base_url = shown_base_url(self._core.base_url)
        return f"<RedactingClient base_url={base_url!r} key={self.key_ref!r}>"
