"""What the sync and async OpenRouter clients share: settings, retry timing, the local
rate limiter, the management-key check, and privacy-preserving logging.

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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx

from .. import _events
from .._exceptions import ConfigurationError, ManagementKeyError, RateLimitExceeded
from .._sanitize._sanitizer import default_sanitizer
from ._auth import (
    DEFAULT_LIMITS,
    KeyAuth,
    KeySource,
    KeySpec,
    OriginPolicy,
    attribution_headers,
)
from ._types import Usage

__all__ = ["PRIVACY_WARNING", "ClientCore", "client_kwargs"]

log = logging.getLogger("openrouter_secure.client")

PRIVACY_WARNING = (
    "PRIVACY WARNING: Logging prompt content is enabled. "
    "Prompts may contain sensitive or personal information."
)


def _text_of(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a parts list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(p.get("text", "")) for p in content if isinstance(p, Mapping) and "text" in p
        )
    return ""


class ClientCore:
    """Settings and the transport-independent half of a client. Not public."""

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
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self.policy = OriginPolicy(
            self.base_url,
            allowed_hosts=allowed_hosts,
            allow_insecure_loopback=allow_insecure_loopback,
        )
        self.source = KeySource(api_key)
        self.auth = KeyAuth(self.source, self.policy)
        self.prefix = self.base_url.path.rstrip("/")
        self.headers = attribution_headers(app_url, app_title)
        self.timeout = timeout
        self.limits = DEFAULT_LIMITS
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

    # -- the local limiter ---------------------------------------------------------

    def limit_keys(self, model: str) -> list[str]:
        return [f"key:{self.key_ref}", f"model:{model}"]

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

    def management_error(self) -> ManagementKeyError:
        return ManagementKeyError(
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


def client_kwargs(
    core: ClientCore,
) -> dict[str, Any]:
    """Arguments shared by the ``httpx.Client`` and ``httpx.AsyncClient`` a client builds."""
    return {
        "base_url": core.base_url,
        "auth": core.auth,
        "timeout": core.timeout,
        "headers": core.headers,
        "follow_redirects": True,
        "max_redirects": 5,
    }
