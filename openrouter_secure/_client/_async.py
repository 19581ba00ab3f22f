"""``AsyncRedactingClient``: :class:`~openrouter_secure.RedactingClient` over
``httpx.AsyncClient``. Same rules, same results, same errors: everything but the I/O
is shared with it in :mod:`._base` and :mod:`._chat`; see :mod:`._sync` for the rules."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar, cast, overload

import httpx

from .._exceptions import OpenRouterSecureError
from .._net import DEFAULT_ALLOWED_HOSTS, DEFAULT_BASE_URL
from .._protocols import AsyncLimiter, Limiter, LimitResult
from ._auth import DEFAULT_TIMEOUT, KeySpec, shown_base_url
from ._base import ClientCore
from ._call import Call
from ._chat import ChatRequest, StreamCore
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

__all__ = ["AsyncChatStream", "AsyncRedactingClient"]

T = TypeVar("T")


async def _hit(limiter: AsyncLimiter, key: str) -> LimitResult:
    # A limiter with only a sync hit() (returning an answer or an awaitable) is taken
    # too, so a limiter written for the sync client also serves this one.
    if hasattr(limiter, "ahit"):
        return await limiter.ahit(key)
    answer = cast(Limiter, limiter).hit(key)
    return cast(LimitResult, await answer) if inspect.isawaitable(answer) else answer


class AsyncChatStream(StreamCore):
    """A streamed completion for ``async for``; see :class:`~openrouter_secure.types.ChatStream`."""

    usage: Usage | None
    """Tokens and cost of the whole answer, from the chunk that carries them (the last);
    None until then, or when the request asked for no usage."""
    id: str
    """The generation id (for ``generation()``), from the first chunk that names it."""

    def __init__(self, chat: ChatRequest, response: httpx.Response) -> None:
        super().__init__(chat, response, sync=False)
        # Made on the first __anext__(): a generator holds the stream, so a stream
        # dropped unread is freed (and charged by its finalizer) as soon as it is
        # unreferenced.
        self._gen: AsyncGenerator[ChatChunk, None] | None = None

    async def _run(self) -> AsyncGenerator[ChatChunk, None]:
        response = self._response
        try:
            async for event in self._decoder.aiter(response.aiter_lines()):
                chunk = self._chunk(event)
                if chunk is not None:
                    yield chunk
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        except BaseException:
            # Closed, dropped, the task cancelled while reading: OpenRouter may go on.
            self._left()
            raise
        finally:
            await response.aclose()
        self._ended()

    def __aiter__(self) -> AsyncIterator[ChatChunk]:
        return self

    async def __anext__(self) -> ChatChunk:
        if self._gen is None:
            self._gen = self._run()
        return await self._gen.__anext__()

    async def aclose(self) -> None:
        """Stop reading; a stream left before its end is recorded with an estimate."""
        self._left()
        if self._gen is not None:
            await self._gen.aclose()
        await self._response.aclose()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncRedactingClient:
    """:class:`RedactingClient` over ``httpx.AsyncClient``: the same methods as coroutines.

    ``await client.chat(..., stream=True)`` returns an :class:`AsyncChatStream` to
    iterate with ``async for``. The limiter's ``ahit`` is used when it has one.

    >>> async with AsyncRedactingClient("env://OPENROUTER_API_KEY") as client:  # doctest: +SKIP
    ...     reply = await client.chat(model="openai/gpt-4o-mini",
    ...                         messages=[{"role": "user", "content": "Hi"}])

    ``limiter`` is any object with ``hit(key)`` returning something truthy when allowed
    (with ``retry_after`` when not), such as :class:`openrouter_secure.limits.RateLimiter`; each
    completion hits ``key:<reference>`` and ``model:<model>``. When refused the client
    raises :class:`RateLimitExceeded`, or waits with ``limiter_wait=True``.
    """

    def __init__(
        self,
        api_key: KeySpec = "env://OPENROUTER_API_KEY",
        *,
        base_url: str = DEFAULT_BASE_URL,
        allow_insecure_loopback: bool = False,
        allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
        limiter: AsyncLimiter | None = None,
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
        transport: httpx.AsyncBaseTransport | None = None,
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
        self._http = self._core.http.async_client(transport)

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The underlying ``httpx.AsyncClient`` (key injection, HTTPS checks and redirect guard
        included): pass it to ``openai.AsyncOpenAI(http_client=...)`` to share them."""
        return self._http

    @property
    def key_ref(self) -> str:
        """The key's reference as text (safe to show)."""
        return self._core.key_ref

    # -- the I/O -----------------------------------------------------------------------

    async def _send(self, call: Call[Any]) -> httpx.Response:
        """``call``'s 2xx response (open when streaming), retrying as the core decides."""
        attempts = self._core.attempts(call)
        while True:
            request = self._http.build_request(
                call.method, call.url, json=call.json, params=call.params
            )
            try:
                response = await self._http.send(
                    request, stream=call.stream, follow_redirects=call.follow_redirects
                )
            except httpx.HTTPError as exc:
                await asyncio.sleep(attempts.after_failure(exc))
                continue
            except OpenRouterSecureError:
                raise  # this library's refusal (a key, a URL) before anything is sent
            except BaseException:
                attempts.interrupted()  # a cancelled task, an interrupt, a broken transport
                raise
            if response.status_code < 300:
                return response
            if call.stream:
                await response.aread()
            await response.aclose()
            await asyncio.sleep(attempts.after_answer(request, response))

    async def _call(self, call: Call[T]) -> T:
        return call.read(await self._send(call))

    async def _acquire(self, model: str) -> None:
        core = self._core
        if core.limiter is None:
            return
        limiter = cast(AsyncLimiter, core.limiter)  # this client's constructor takes one
        deadline = core.limit_deadline()
        for key in core.limit_keys(model):
            while not (result := await _hit(limiter, key)):
                await asyncio.sleep(core.limit_refused(key, result, deadline))

    async def _check_key_type(self) -> None:
        core = self._core
        if not core.check_key_type:
            return
        kind = core.known_kind(await core.source.aget())
        core.refuse_management(
            kind if kind is not None else (await self.key_info()).is_management_key
        )

    # -- completions -------------------------------------------------------------------

    @overload
    async def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[False] = False,
        **options: Any,
    ) -> ChatCompletion: ...

    @overload
    async def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[True],
        **options: Any,
    ) -> AsyncChatStream: ...

    async def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: bool = False,
        **options: Any,
    ) -> ChatCompletion | AsyncChatStream:
        """``POST /chat/completions``. ``options`` go into the body as they are:
        ``models`` (fallbacks), ``temperature``, ``max_tokens``, ``tools``, ``provider``,
        ``usage`` (``{"include": True}`` is the default), ..."""
        chat = self._core.chat(model=model, messages=messages, stream=stream, **options)
        await self._acquire(model)
        await self._check_key_type()
        call = chat.begin()
        if stream:
            return AsyncChatStream(chat, await self._send(call))
        return await self._call(call)

    # -- read endpoints ----------------------------------------------------------------

    async def models(self) -> list[Model]:
        """``GET /models``: the catalogue."""
        return await self._call(self._core.models())

    async def model_endpoints(self, author: str, slug: str) -> ModelEndpoints:
        """``GET /models/{author}/{slug}/endpoints``: the providers serving a model."""
        return await self._call(self._core.model_endpoints(author, slug))

    async def generation(self, id: str) -> Generation:
        """``GET /generation?id=``: cost and tokens of a finished generation."""
        return await self._call(self._core.generation(id))

    async def key_info(self) -> KeyInfo:
        """``GET /key``: the calling key's usage, limit and kind."""
        info = await self._call(self._core.key_info())
        self._core.note_kind(await self._core.source.aget(), info.is_management_key)
        return info

    async def credits(self) -> Credits:
        """``GET /credits`` (management key)."""
        return await self._call(self._core.credits())

    async def activity(self, date: str | None = None) -> list[ActivityItem]:
        """``GET /activity`` (management key): per-day, per-model use for 30 days."""
        return await self._call(self._core.activity(date))

    # -- key management (management key) -------------------------------------------------

    async def list_keys(self, *, offset: int | None = None) -> list[ApiKey]:
        """``GET /keys``: the account's keys, from ``offset``."""
        return await self._call(self._core.list_keys(offset=offset))

    async def create_key(
        self,
        name: str,
        *,
        limit: float | None = None,
        expires_at: str | None = None,
        limit_reset: str | None = None,
    ) -> CreatedKey:
        """``POST /keys``: a new key, returned once as a :class:`Secret`."""
        return await self._call(
            self._core.create_key(name, limit=limit, expires_at=expires_at, limit_reset=limit_reset)
        )

    async def get_key(self, hash: str) -> ApiKey:
        """``GET /keys/{hash}``: one key's settings and usage."""
        return await self._call(self._core.get_key(hash))

    async def update_key(
        self,
        hash: str,
        *,
        disabled: bool | None = None,
        name: str | None = None,
        limit: float | None = None,
    ) -> ApiKey:
        """``PATCH /keys/{hash}``: change the fields given (the others stay)."""
        return await self._call(
            self._core.update_key(hash, disabled=disabled, name=name, limit=limit)
        )

    async def delete_key(self, hash: str) -> bool:
        """``DELETE /keys/{hash}``: whether OpenRouter deleted it."""
        return await self._call(self._core.delete_key(hash))

    # -- lifecycle ---------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncRedactingClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        base_url = shown_base_url(self._core.base_url)
        return f"<AsyncRedactingClient base_url={base_url!r} key={self.key_ref!r}>"
