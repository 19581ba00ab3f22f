"""``AsyncRedactingClient``: :class:`~openrouter_secure.RedactingClient` over
``httpx.AsyncClient``. Same rules, same results, same errors; see ``_client``."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, overload

import httpx

from .._exceptions import OpenRouterConnectionError
from ._auth import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    AsyncGuardTransport,
    KeySpec,
)
from ._base import ClientCore, client_kwargs
from ._errors import (
    RETRY_STATUSES,
    error_from_payload,
    error_from_response,
    error_from_transport,
)
from ._sse import DONE, SSEDecoder
from ._sync import _json
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


async def _hit(limiter: Any, key: str) -> Any:
    ahit = getattr(limiter, "ahit", None)
    if ahit is not None:
        return await ahit(key)
    result = limiter.hit(key)
    return await result if inspect.isawaitable(result) else result


class AsyncChatStream:
    """A streamed completion for ``async for``; see :class:`ChatStream`."""

    def __init__(
        self,
        core: ClientCore,
        response: httpx.Response,
        model: str,
        started: float,
        sent: Sequence[str] = (),
    ) -> None:
        self._core = core
        self._response = response
        self._model = model
        self._started = started
        self._sent = sent
        self._where = core.where("POST", "/chat/completions")
        self._gen = self._run()
        self.usage: Usage | None = None
        self.id = ""

    async def _run(self) -> AsyncGenerator[ChatChunk, None]:
        core, response = self._core, self._response
        parts: list[str] = []
        done = False
        decoder = SSEDecoder()
        try:
            async for event in decoder.aiter(response.aiter_lines()):
                if event is DONE:
                    # Read on to the end of the body rather than break: a fully read
                    # response returns its connection to the pool.
                    done = True
                    continue
                if done or not isinstance(event, dict):
                    continue
                if "error" in event:
                    raise error_from_payload(
                        event["error"],
                        http_status=200,
                        where=self._where,
                        sent=self._sent,
                        generation_id=event.get("id") if isinstance(event.get("id"), str) else None,
                    )
                chunk = ChatChunk.parse(event)
                self.id = chunk.id or self.id
                parts.append(chunk.content)
                if chunk.usage is not None:
                    self.usage = chunk.usage
                yield chunk
        except httpx.HTTPError as exc:
            raise error_from_transport(exc, self._where, core.timeout) from None
        finally:
            await response.aclose()
        if not done:
            raise OpenRouterConnectionError(
                f"the stream of {self._where} ended before [DONE]; the answer may be cut short"
            )
        core.finish(
            model=self._model,
            generation_id=self.id,
            usage=self.usage,
            content="".join(parts),
            started=self._started,
            stream=True,
        )

    def __aiter__(self) -> AsyncIterator[ChatChunk]:
        return self

    async def __anext__(self) -> ChatChunk:
        return await self._gen.__anext__()

    async def aclose(self) -> None:
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

    def __repr__(self) -> str:
        return f"<AsyncChatStream model={self._model!r} id={self.id!r}>"


class AsyncRedactingClient:
    """:class:`RedactingClient` over ``httpx.AsyncClient``: the same methods as coroutines.

    ``await client.chat(..., stream=True)`` returns an :class:`AsyncChatStream` to
    iterate with ``async for``. The limiter's ``ahit`` is used when it has one.

    >>> async with AsyncRedactingClient("env://OPENROUTER_API_KEY") as client:  # doctest: +SKIP
    ...     reply = await client.chat(model="openai/gpt-4o-mini",
    ...                         messages=[{"role": "user", "content": "Hi"}])

    ``limiter`` is any object with ``hit(key)`` returning something truthy when allowed
    (with ``retry_after`` when not), such as :class:`openrouter_secure.RateLimiter`; each
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
        limiter: Any = None,
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
        inner = (
            transport
            if transport is not None
            else httpx.AsyncHTTPTransport(limits=self._core.limits)
        )
        self._http = httpx.AsyncClient(
            transport=AsyncGuardTransport(inner, self._core.policy), **client_kwargs(self._core)
        )

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The underlying ``httpx.AsyncClient`` (key injection, HTTPS checks and redirect guard
        included): pass it to ``openai.AsyncOpenAI(http_client=...)`` to share them."""
        return self._http

    @property
    def key_ref(self) -> str:
        """The key's reference as text (safe to show)."""
        return self._core.key_ref

    # -- plumbing --------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        sent: Sequence[str] = (),
    ) -> httpx.Response:
        core = self._core
        where = core.where(method, path)
        deadline = time.monotonic() + core.retry_budget
        attempt = 0
        while True:
            request = self._http.build_request(method, path.lstrip("/"), json=json, params=params)
            try:
                response = await self._http.send(
                    request, stream=stream, follow_redirects=method == "GET"
                )
            except httpx.HTTPError as exc:
                error = error_from_transport(exc, where, core.timeout)
                if isinstance(exc, httpx.ConnectError):
                    wait = core.retry_wait(attempt, None, deadline)
                    if wait is not None:
                        await asyncio.sleep(wait)
                        attempt += 1
                        continue
                raise error from None
            status = response.status_code
            if status < 300:
                return response
            if stream:
                await response.aread()
            await response.aclose()
            error = error_from_response(response, where, sent)
            if status >= 500:
                core.upstream_error(status, method, request.url.path)
            if status in RETRY_STATUSES:
                wait = core.retry_wait(attempt, error.retry_after, deadline)
                if wait is not None:
                    await asyncio.sleep(wait)
                    attempt += 1
                    continue
            raise error

    async def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return _json(await self._request("GET", path, params=params), self._core.where("GET", path))

    async def _acquire(self, model: str) -> None:
        limiter = self._core.limiter
        if limiter is None:
            return
        deadline = time.monotonic() + self._core.retry_budget
        for key in self._core.limit_keys(model):
            while not (result := await _hit(limiter, key)):
                await asyncio.sleep(self._core.limit_refused(key, result, deadline))

    async def _check_key_type(self) -> None:
        core = self._core
        if not core.check_key_type:
            return
        kind = core.known_kind(await core.source.aget())
        if kind is None:
            kind = (await self.key_info()).is_management_key
        if kind:
            raise core.management_error()

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
        core = self._core
        body = core.chat_body(model, messages, stream, options)
        await self._acquire(model)
        await self._check_key_type()
        core.log_request(model, messages, stream)
        started = time.perf_counter()
        where = core.where("POST", "/chat/completions")
        sent = core.sent_texts(messages)
        if stream:
            response = await self._request(
                "POST", "/chat/completions", json=body, stream=True, sent=sent
            )
            return AsyncChatStream(core, response, model, started, sent)
        response = await self._request("POST", "/chat/completions", json=body, sent=sent)
        data = _json(response, where)
        if isinstance(data, dict) and "error" in data:
            raise error_from_payload(
                data["error"],
                http_status=response.status_code,
                where=where,
                sent=sent,
                generation_id=data.get("id") if isinstance(data.get("id"), str) else None,
            )
        result = ChatCompletion.parse(data if isinstance(data, dict) else {})
        core.finish(
            model=model,
            generation_id=result.id,
            usage=result.usage,
            content=result.content,
            started=started,
            stream=False,
        )
        return result

    # -- read endpoints ----------------------------------------------------------------

    async def models(self) -> list[Model]:
        """``GET /models``: the catalogue."""
        data = await self._get("/models")
        rows = data.get("data", []) if isinstance(data, dict) else []
        return [Model.parse(m) for m in rows if isinstance(m, dict)]

    async def model_endpoints(self, author: str, slug: str) -> ModelEndpoints:
        """``GET /models/{author}/{slug}/endpoints``: the providers serving a model."""
        return ModelEndpoints.parse(await self._get(f"/models/{author}/{slug}/endpoints"))

    async def generation(self, id: str) -> Generation:
        """``GET /generation?id=``: cost and tokens of a finished generation."""
        return Generation.parse(await self._get("/generation", {"id": id}))

    async def key_info(self) -> KeyInfo:
        """``GET /key``: the calling key's usage, limit and kind."""
        info = KeyInfo.parse(await self._get("/key"))
        self._core.note_kind(await self._core.source.aget(), info.is_management_key)
        return info

    async def credits(self) -> Credits:
        """``GET /credits`` (management key)."""
        return Credits.parse(await self._get("/credits"))

    async def activity(self, date: str | None = None) -> list[ActivityItem]:
        """``GET /activity`` (management key): per-day, per-model use for 30 days."""
        return ActivityItem.parse_list(
            await self._get("/activity", {"date": date} if date else None)
        )

    # -- key management (management key) -------------------------------------------------

    async def list_keys(self, *, offset: int | None = None) -> list[ApiKey]:
        data = await self._get("/keys", {"offset": offset} if offset else None)
        rows = data.get("data", []) if isinstance(data, dict) else []
        return [ApiKey.parse(r) for r in rows if isinstance(r, dict)]

    async def create_key(
        self,
        name: str,
        *,
        limit: float | None = None,
        expires_at: str | None = None,
        limit_reset: str | None = None,
    ) -> CreatedKey:
        """``POST /keys``: a new key, returned once as a :class:`Secret`."""
        body: dict[str, Any] = {"name": name}
        for field, value in (
            ("limit", limit),
            ("expires_at", expires_at),
            ("limit_reset", limit_reset),
        ):
            if value is not None:
                body[field] = value
        response = await self._request("POST", "/keys", json=body)
        return CreatedKey.parse(_json(response, self._core.where("POST", "/keys")))

    async def get_key(self, hash: str) -> ApiKey:
        return ApiKey.parse(await self._get(f"/keys/{hash}"))

    async def update_key(
        self,
        hash: str,
        *,
        disabled: bool | None = None,
        name: str | None = None,
        limit: float | None = None,
    ) -> ApiKey:
        body = {
            k: v
            for k, v in (("disabled", disabled), ("name", name), ("limit", limit))
            if v is not None
        }
        response = await self._request("PATCH", f"/keys/{hash}", json=body)
        return ApiKey.parse(_json(response, self._core.where("PATCH", "/keys/{hash}")))

    async def delete_key(self, hash: str) -> bool:
        response = await self._request("DELETE", f"/keys/{hash}")
        data = _json(response, self._core.where("DELETE", "/keys/{hash}"))
        return bool(data.get("deleted", True)) if isinstance(data, dict) else True

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
        return f"<AsyncRedactingClient base_url={str(self._core.base_url)!r} key={self.key_ref!r}>"
