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
- Logging is metadata only unless ``log_content=True`` (see ``_client_base``).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, overload

import httpx

from .._exceptions import OpenRouterConnectionError, UpstreamError
from ._auth import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    GuardTransport,
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


def _json(response: httpx.Response, where: str) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise UpstreamError(
            f"OpenRouter answered {where} with a body that is not JSON "
            f"({len(response.content)} bytes, HTTP {response.status_code})",
            status_code=response.status_code,
        ) from None


class ChatStream:
    """A streamed completion: iterate for :class:`ChatChunk` objects (``content`` is the
    delta text; the last chunk has ``usage``). An error event inside the stream raises
    the matching :class:`OpenRouterError`. Close it (or use ``with``) to stop early."""

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

    def _run(self) -> Generator[ChatChunk, None, None]:
        core, response = self._core, self._response
        parts: list[str] = []
        done = False
        decoder = SSEDecoder()
        try:
            for event in decoder.iter(response.iter_lines()):
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
            response.close()
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

    def __iter__(self) -> Iterator[ChatChunk]:
        return self

    def __next__(self) -> ChatChunk:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()
        self._response.close()

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ChatStream model={self._model!r} id={self.id!r}>"


class RedactingClient:
    """OpenRouter's API with the key kept out of logs, errors and the wrong hosts.

    >>> with RedactingClient("env://OPENROUTER_API_KEY") as client:   # doctest: +SKIP
    ...     reply = client.chat(model="openai/gpt-4o-mini",
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
        inner = (
            transport if transport is not None else httpx.HTTPTransport(limits=self._core.limits)
        )
        self._http = httpx.Client(
            transport=GuardTransport(inner, self._core.policy), **client_kwargs(self._core)
        )

    @property
    def http_client(self) -> httpx.Client:
        """The underlying ``httpx.Client`` (key injection, HTTPS checks and redirect guard
        included): pass it to ``openai.OpenAI(http_client=...)`` to share them."""
        return self._http

    @property
    def key_ref(self) -> str:
        """The key's reference as text (safe to show)."""
        return self._core.key_ref

    # -- plumbing --------------------------------------------------------------------

    def _request(
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
                response = self._http.send(request, stream=stream, follow_redirects=method == "GET")
            except httpx.HTTPError as exc:
                error = error_from_transport(exc, where, core.timeout)
                if isinstance(exc, httpx.ConnectError):
                    wait = core.retry_wait(attempt, None, deadline)
                    if wait is not None:
                        time.sleep(wait)
                        attempt += 1
                        continue
                raise error from None
            status = response.status_code
            if status < 300:
                return response
            if stream:
                response.read()
            response.close()
            error = error_from_response(response, where, sent)
            if status >= 500:
                core.upstream_error(status, method, request.url.path)
            if status in RETRY_STATUSES:
                wait = core.retry_wait(attempt, error.retry_after, deadline)
                if wait is not None:
                    time.sleep(wait)
                    attempt += 1
                    continue
            raise error

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return _json(self._request("GET", path, params=params), self._core.where("GET", path))

    def _acquire(self, model: str) -> None:
        limiter = self._core.limiter
        if limiter is None:
            return
        deadline = time.monotonic() + self._core.retry_budget
        for key in self._core.limit_keys(model):
            while not (result := limiter.hit(key)):
                time.sleep(self._core.limit_refused(key, result, deadline))

    def _check_key_type(self) -> None:
        core = self._core
        if not core.check_key_type:
            return
        kind = core.known_kind(core.source.get())
        if kind is None:
            kind = self.key_info().is_management_key
        if kind:
            raise core.management_error()

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
        core = self._core
        body = core.chat_body(model, messages, stream, options)
        self._acquire(model)
        self._check_key_type()
        core.log_request(model, messages, stream)
        started = time.perf_counter()
        where = core.where("POST", "/chat/completions")
        sent = core.sent_texts(messages)
        if stream:
            response = self._request("POST", "/chat/completions", json=body, stream=True, sent=sent)
            return ChatStream(core, response, model, started, sent)
        response = self._request("POST", "/chat/completions", json=body, sent=sent)
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

    def models(self) -> list[Model]:
        """``GET /models``: the catalogue."""
        data = self._get("/models")
        rows = data.get("data", []) if isinstance(data, dict) else []
        return [Model.parse(m) for m in rows if isinstance(m, dict)]

    def model_endpoints(self, author: str, slug: str) -> ModelEndpoints:
        """``GET /models/{author}/{slug}/endpoints``: the providers serving a model."""
        return ModelEndpoints.parse(self._get(f"/models/{author}/{slug}/endpoints"))

    def generation(self, id: str) -> Generation:
        """``GET /generation?id=``: cost and tokens of a finished generation."""
        return Generation.parse(self._get("/generation", {"id": id}))

    def key_info(self) -> KeyInfo:
        """``GET /key``: the calling key's usage, limit and kind."""
        info = KeyInfo.parse(self._get("/key"))
        self._core.note_kind(self._core.source.get(), info.is_management_key)
        return info

    def credits(self) -> Credits:
        """``GET /credits`` (management key)."""
        return Credits.parse(self._get("/credits"))

    def activity(self, date: str | None = None) -> list[ActivityItem]:
        """``GET /activity`` (management key): per-day, per-model use for 30 days."""
        return ActivityItem.parse_list(self._get("/activity", {"date": date} if date else None))

    # -- key management (management key) -------------------------------------------------

    def list_keys(self, *, offset: int | None = None) -> list[ApiKey]:
        data = self._get("/keys", {"offset": offset} if offset else None)
        rows = data.get("data", []) if isinstance(data, dict) else []
        return [ApiKey.parse(r) for r in rows if isinstance(r, dict)]

    def create_key(
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
        response = self._request("POST", "/keys", json=body)
        return CreatedKey.parse(_json(response, self._core.where("POST", "/keys")))

    def get_key(self, hash: str) -> ApiKey:
        return ApiKey.parse(self._get(f"/keys/{hash}"))

    def update_key(
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
        response = self._request("PATCH", f"/keys/{hash}", json=body)
        return ApiKey.parse(_json(response, self._core.where("PATCH", "/keys/{hash}")))

    def delete_key(self, hash: str) -> bool:
        response = self._request("DELETE", f"/keys/{hash}")
        data = _json(response, self._core.where("DELETE", "/keys/{hash}"))
        return bool(data.get("deleted", True)) if isinstance(data, dict) else True

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
        return f"<RedactingClient base_url={str(self._core.base_url)!r} key={self.key_ref!r}>"
