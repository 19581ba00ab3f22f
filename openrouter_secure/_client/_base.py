"""Everything the sync and async OpenRouter clients share: all but the I/O.

httpx's split, applied to the API: :class:`ClientCore` holds the settings and, for
each API method, builds the :class:`~._call.Call` that method sends and reads the
answer into the typed result; :class:`Attempts` decides retries and maps failures to
the error tree; a chat completion is a :class:`~._chat.ChatRequest`. ``_sync`` and
``_async`` only send, sleep, read bodies and close, so the two surfaces cannot drift
apart.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from .. import _events
from .._exceptions import (
    ConfigurationError,
    ManagementKeyError,
    RateLimitExceeded,
)
from .._protocols import AsyncLimiter, Limiter
from ._auth import HttpSettings, KeySpec, shown_path, url_secrets
from ._call import Call, parse_json
from ._chat import CHAT_PATH, ChatLog, ChatRequest, sent_texts
from ._errors import (
    RETRY_STATUSES,
    error_from_response,
    error_from_transport,
)
from ._types import (
    ActivityItem,
    ApiKey,
    CreatedKey,
    Credits,
    Generation,
    KeyInfo,
    Model,
    ModelEndpoints,
)

__all__ = ["Attempts", "ClientCore"]

T = TypeVar("T")

log = logging.getLogger("openrouter_secure.client")


def _rows(data: Any) -> list[dict[str, Any]]:
    """The objects of a ``{"data": [...]}`` listing; anything else in it is skipped."""
    rows = data.get("data", []) if isinstance(data, dict) else []
    return [r for r in rows if isinstance(r, dict)]


def _given(**fields: Any) -> dict[str, Any]:
    """The fields of a request body the caller gave: ``None`` means "leave it out"."""
    return {name: value for name, value in fields.items() if value is not None}


def _deleted(data: Any) -> bool:
    # An answer without the flag still means the DELETE succeeded (it was a 2xx).
    return bool(data.get("deleted", True)) if isinstance(data, dict) else True


#: Transport failures that happen before a request leaves: nothing can have been billed.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


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
        any later failure may have reached OpenRouter, and a completion costs money
        (such an attempt is charged, see :meth:`interrupted`)."""
        error = error_from_transport(exc, self._call.where, self._core.timeout)
        if not isinstance(exc, _NOT_SENT):
            self.interrupted()
        if isinstance(exc, httpx.ConnectError):
            wait = self._again(None)
            if wait is not None:
                return wait
        raise error from None

    def interrupted(self) -> None:
        """The attempt ended, after its request may have reached OpenRouter, without
        an answer read (a read timeout, a dropped connection, a cancelled task): a
        completion is charged its worst case, since OpenRouter may still bill it."""
        if self._call.lost is not None:
            self._call.lost()

    def after_answer(self, request: httpx.Request, response: httpx.Response) -> float:
        """After an answer of 300 or more to ``request``, its body read and closed:
        408, 429 and 5xx are retried (honouring ``Retry-After``), anything else raised."""
        call, status = self._call, response.status_code
        # Any endpoint's error may quote a prompt this client sent earlier (an upstream
        # that echoes what it saw): check against those too, not only this call's.
        error = error_from_response(response, call.where, (*call.sent, *self._core.recent_sent))
        if status >= 500:
            self._core.upstream_error(status, call.method, shown_path(request.url.path))
        if status in RETRY_STATUSES:
            wait = self._again(error.retry_after)
            if wait is not None:
                return wait
        raise error


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
        limiter: Limiter | AsyncLimiter | None,
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
        #: a credential in the base URL (a gateway's path token) is a known value while
        #: the client lives, so httpx's own request lines are masked too
        self.url_secrets = url_secrets(self.base_url)
        self.source = self.http.source
        self.timeout = timeout
        self.prefix = self.base_url.path.rstrip("/")
        self.limiter = limiter
        self.limiter_wait = limiter_wait
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_max_wait = retry_max_wait
        self.retry_budget = retry_budget
        self.check_key_type = check_key_type
        self.chat_log = ChatLog(self.key_ref, log_content)
        self._salt = secrets.token_bytes(16)
        self._key_kinds: dict[str, bool] = {}
        self._last: tuple[str, bool] | None = None
        #: the texts of the last prompts sent, kept only to withhold an error that
        #: quotes one (in this process's memory, bounded)
        self.recent_sent: collections.deque[str] = collections.deque(maxlen=16)

    @property
    def key_ref(self) -> str:
        return self.source.ref

    def where(self, method: str, path: str) -> str:
        return f"{method} {shown_path(self.prefix + path)}"

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
        request = ChatRequest(
            self.chat_log,
            self.where("POST", CHAT_PATH),
            self.timeout,
            model,
            messages,
            stream,
            options,
        )
        self.recent_sent.extend(sent_texts(request.messages))
        return request

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
        body = {"name": name, **_given(limit=limit, expires_at=expires_at, limit_reset=limit_reset)}
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
        body = _given(disabled=disabled, name=name, limit=limit)
        return self._json("PATCH", f"/keys/{hash}", ApiKey.parse, json=body, shown="/keys/{hash}")

    def delete_key(self, hash: str) -> Call[bool]:
        return self._json("DELETE", f"/keys/{hash}", _deleted, shown="/keys/{hash}")
