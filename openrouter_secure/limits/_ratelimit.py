"""``RateLimiter``: per-key rate limits on the ``limits`` library, in memory or Redis.

Keys are free-form text; use one convention so limits read well in logs and Redis:
``project:<id>``, ``key:<key reference>``, ``model:<author/slug>``, ``tool:<name>``,
``client:<id>`` (combine with ``/`` if needed: ``tool:search/client:alice``). A key is
stored as is (in Redis it is part of the key name), so it must never be a secret:
use a reference or :func:`~openrouter_secure.default_sanitizer().fingerprint`.

The ``limits`` package is imported when the first limiter is built, never when
``openrouter_secure`` is imported (extra ``[ratelimit]``; ``[redis]`` for Redis).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar, cast

from .._events import emit
from .._exceptions import ConfigurationError, MissingDependencyError, RateLimitExceeded
from .._refs import SecretRef
from .._sanitize._sanitizer import default_sanitizer
from .._secret import Secret
from ._storage import RATE_LIMIT_SCHEMES, resolve_storage

__all__ = ["STRATEGIES", "RateLimitResult", "RateLimiter"]

log = logging.getLogger("openrouter_secure.ratelimit")

F = TypeVar("F", bound=Callable[..., Any])

#: Strategy names accepted by ``RateLimiter(strategy=...)``.
STRATEGIES = ("moving-window", "sliding-window", "fixed-window")
_REDISH = ("redis", "rediss", "valkey", "valkeys")


@dataclass(frozen=True)
class RateLimitResult:
    """The answer to one ``hit``: truthy when the call may go ahead.

    ``limit`` is the limit that refused (or the first one, when allowed);
    ``retry_after`` the seconds until it frees room (0 when allowed);
    ``storage_error`` is set when the storage could not be asked and the answer
    comes from ``fail_open``.
    """

    allowed: bool
    key: str
    limit: str
    retry_after: float = 0.0
    storage_error: bool = False

    def __bool__(self) -> bool:
        return self.allowed


def _import_limits() -> Any:
    try:
        import limits
        import limits.errors
        import limits.storage
        import limits.strategies
    except ImportError:
        raise MissingDependencyError("ratelimit", module="limits") from None
    return limits


class RateLimiter:
    """Per-key rate limits: ``"60/minute"``, ``"1000/day"``, or several joined by ``;``.

    ``storage``: ``memory://`` (this process), a ``redis://[:password@]host:port/db``
    URL shared by every process that uses it (or ``rediss://``, ``redis+unix://``,
    ``redis+sentinel://``, ``redis+cluster://``, ``valkey://``, ``memcached://``,
    ``mongodb://``), or a secret reference / ``SecretRef`` / ``Secret`` holding such a
    URL (how to keep a Redis password out of config files).
    ``strategy``: ``moving-window`` (exact), ``sliding-window`` (approximate, O(1)
    storage) or ``fixed-window`` (cheapest; allows bursts at window edges).
    ``fail_open``: when the storage cannot be reached, allow (``True``) or refuse
    (``False``, the default) and log. ``retry_on_error`` is the ``retry_after`` a
    fail-closed refusal reports. ``storage_options`` go to the storage (Redis socket
    timeouts default to 0.5 s so a dead Redis cannot stall every call).

    With several limits a hit is counted against each in order and stops at the first
    that refuses (the ones before it have counted the hit, as in ``limits``' own
    integrations).
    """

    def __init__(
        self,
        limit: str,
        *,
        storage: str | SecretRef | Secret = "memory://",
        fail_open: bool = False,
        strategy: str = "moving-window",
        namespace: str = "ors",
        retry_on_error: float = 1.0,
        storage_options: dict[str, Any] | None = None,
    ) -> None:
        lib = _import_limits()
        if strategy not in STRATEGIES:
            raise ConfigurationError(
                f"unknown rate-limit strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}"
            )
        try:
            self._items = tuple(lib.parse_many(limit))
        except ValueError:
            raise ConfigurationError(
                f"cannot parse rate limit {limit!r}; write it like '60/minute' or "
                "'10/second;1000/day'"
            ) from None
        if not self._items:
            raise ConfigurationError(f"rate limit {limit!r} names no limit")
        self.limit = limit
        self.fail_open = fail_open
        self.strategy = strategy
        self.namespace = namespace
        self.retry_on_error = retry_on_error
        # Kept while the limiter lives: it holds the password as a registered secret.
        self._storage = resolve_storage(storage, what="rate-limit", schemes=RATE_LIMIT_SCHEMES)
        self._url = self._storage.url
        self.storage_url = self._storage.display
        scheme = self._storage.scheme
        self._base_scheme = scheme.removeprefix("async+")
        options: dict[str, Any] = {"wrap_exceptions": True}
        if self._base_scheme.split("+", 1)[0] in _REDISH:
            options.update(socket_timeout=0.5, socket_connect_timeout=0.5)
        options.update(storage_options or {})
        self._options = options
        self._sync: Any = None
        self._async: Any = None
        self._labels = tuple(str(item) for item in self._items)
        self._ok: dict[str, RateLimitResult] = {}
        self._last_warning = 0.0
        self._suppressed = 0
        self._storage_error = lib.errors.StorageError
        if not scheme.startswith("async+"):
            self._sync = self._build(lib, self._base_scheme, sync=True)

    # -- construction ------------------------------------------------------------------

    def _build(self, lib: Any, scheme: str, *, sync: bool) -> Any:
        rest = self._url.split("://", 1)[1]
        url = f"{scheme}://{rest}" if sync else f"async+{scheme}://{rest}"
        options = dict(self._options)
        if not sync and scheme.split("+", 1)[0] in _REDISH:
            # limits' async Redis defaults to coredis; the [redis] extra ships redis-py.
            options.setdefault("implementation", "redispy")
        try:
            store = lib.storage.storage_from_string(url, **options)
        except ImportError:
            raise MissingDependencyError("redis", module="redis") from None
        except lib.errors.ConfigurationError as exc:
            raise ConfigurationError(
                f"cannot use rate-limit storage {self.storage_url}: {exc}"
            ) from None
        if sync:
            module = lib.strategies
        else:
            import limits.aio.strategies as module
        cls = {
            "moving-window": module.MovingWindowRateLimiter,
            "sliding-window": module.SlidingWindowCounterRateLimiter,
            "fixed-window": module.FixedWindowRateLimiter,
        }[self.strategy]
        return cls(store)

    def _sync_strategy(self) -> Any:
        if self._sync is None:
            self._sync = self._build(_import_limits(), self._base_scheme, sync=True)
        return self._sync

    def _async_strategy(self) -> Any:
        if self._async is None:
            self._async = self._build(_import_limits(), self._base_scheme, sync=False)
        return self._async

    # -- checks ------------------------------------------------------------------------

    def hit(self, key: str, *, cost: int = 1) -> RateLimitResult:
        """Count one call (``cost`` calls) for ``key``; the result says whether it may run.

        ``cost`` is a whole number ``>= 0``; anything else raises :class:`ValueError` (a
        negative cost would hand back calls already made)."""
        _check_cost(cost)
        strategy = self._sync or self._sync_strategy()
        ns = self.namespace
        try:
            for item in self._items:
                if not strategy.hit(item, ns, key, cost=cost):
                    stats = strategy.get_window_stats(item, ns, key)
                    return self._refused(key, str(item), stats.reset_time)
        except (self._storage_error, OSError) as exc:
            return self._failed(key, exc)
        return self._allowed(key)

    def _allowed(self, key: str) -> RateLimitResult:
        # An allowed result depends on the key alone and is immutable: reuse it, since
        # building a frozen dataclass costs about as much as an in-memory check.
        result = self._ok.get(key)
        if result is None:
            if len(self._ok) >= 4096:
                self._ok.clear()
            result = self._ok[key] = RateLimitResult(True, key, self._labels[0])
        return result

    async def ahit(self, key: str, *, cost: int = 1) -> RateLimitResult:
        """``hit`` for asyncio: Redis goes through ``limits.aio``; memory never blocks."""
        _check_cost(cost)
        if self._base_scheme == "memory":
            return self.hit(key, cost=cost)
        strategy = self._async or self._async_strategy()
        ns = self.namespace
        try:
            for item in self._items:
                if not await strategy.hit(item, ns, key, cost=cost):
                    stats = await strategy.get_window_stats(item, ns, key)
                    return self._refused(key, str(item), stats.reset_time)
        except (self._storage_error, OSError) as exc:
            return self._failed(key, exc)
        return self._allowed(key)

    def test(self, key: str, *, cost: int = 1) -> RateLimitResult:
        """Whether a hit would be allowed now, without counting it."""
        _check_cost(cost)
        strategy = self._sync_strategy()
        ns = self.namespace
        try:
            for item in self._items:
                if not strategy.test(item, ns, key, cost=cost):
                    stats = strategy.get_window_stats(item, ns, key)
                    reset = float(stats.reset_time)
                    return RateLimitResult(False, key, str(item), max(0.0, reset - time.time()))
        except (self._storage_error, OSError) as exc:
            return self._failed(key, exc, announce=False)
        return RateLimitResult(True, key, self._labels[0])

    def clear(self, key: str) -> None:
        """Forget every count for ``key`` (an operator's reset)."""
        strategy = self._sync_strategy()
        for item in self._items:
            strategy.clear(item, self.namespace, key)

    def _refused(self, key: str, limit: str, reset_time: float) -> RateLimitResult:
        retry_after = max(0.0, float(reset_time) - time.time())
        emit("ratelimit.hit", key=key, limit=limit, retry_after=round(retry_after, 3))
        return RateLimitResult(False, key, limit, retry_after)

    def _failed(self, key: str, exc: BaseException, *, announce: bool = True) -> RateLimitResult:
        error = default_sanitizer().sanitize(f"{type(exc).__name__}: {exc}")[:300]
        now = time.monotonic()
        if now - self._last_warning >= 30.0:
            log.warning(
                "rate-limit storage %s unreachable (%s); failing %s%s",
                self.storage_url,
                error,
                "open (allowing calls)" if self.fail_open else "closed (refusing calls)",
                f"; {self._suppressed} similar warnings suppressed" if self._suppressed else "",
            )
            self._last_warning, self._suppressed = now, 0
        else:
            self._suppressed += 1
        if announce:
            emit(
                "ratelimit.storage_error",
                key=key,
                storage=self.storage_url,
                fail_open=self.fail_open,
                error=error,
            )
        if self.fail_open:
            return RateLimitResult(True, key, self._labels[0], 0.0, storage_error=True)
        return RateLimitResult(False, key, self._labels[0], self.retry_on_error, True)

    # -- raising forms -----------------------------------------------------------------

    def require(self, key: str, *, cost: int = 1) -> RateLimitResult:
        """``hit`` that raises :class:`RateLimitExceeded` when refused."""
        return _raise_if_refused(self.hit(key, cost=cost))

    async def arequire(self, key: str, *, cost: int = 1) -> RateLimitResult:
        return _raise_if_refused(await self.ahit(key, cost=cost))

    def acquire(self, key: str, *, timeout: float = 0.0, cost: int = 1) -> RateLimitResult:
        """Wait up to ``timeout`` seconds for room, then raise :class:`RateLimitExceeded`.

        ``timeout=0`` fails fast. A storage failure is not waited on.
        """
        deadline = time.monotonic() + timeout
        while True:
            result = self.hit(key, cost=cost)
            left = deadline - time.monotonic()
            if result or result.storage_error or result.retry_after > left:
                return _raise_if_refused(result)
            time.sleep(max(result.retry_after, 0.001))

    async def aacquire(self, key: str, *, timeout: float = 0.0, cost: int = 1) -> RateLimitResult:
        deadline = time.monotonic() + timeout
        while True:
            result = await self.ahit(key, cost=cost)
            left = deadline - time.monotonic()
            if result or result.storage_error or result.retry_after > left:
                return _raise_if_refused(result)
            await asyncio.sleep(max(result.retry_after, 0.001))

    def guard(self, key: str | Callable[..., str], *, cost: int = 1) -> _Guard:
        """A decorator and (async) context manager that raises when ``key`` is limited.

        ``key`` may be a function of the decorated function's arguments::

            @limiter.guard("tool:search")
            async def search(query: str) -> str: ...

            with limiter.guard("tool:export"):
                export()
        """
        _check_cost(cost)
        return _Guard(self, key, cost)

    def __repr__(self) -> str:
        return (
            f"RateLimiter({self.limit!r}, storage={self.storage_url!r}, "
            f"strategy={self.strategy!r}, fail_open={self.fail_open})"
        )


def _raise_if_refused(result: RateLimitResult) -> RateLimitResult:
    if result:
        return result
    if result.storage_error:
        message = (
            f"rate limit for {result.key!r} could not be checked (storage unreachable) and "
            "the limiter fails closed; fix the storage or set fail_open=True"
        )
    else:
        message = (
            f"rate limit {result.limit} reached for {result.key!r}; "
            f"retry in {result.retry_after:.1f}s"
        )
    raise RateLimitExceeded(
        message,
        key=result.key,
        limit=result.limit,
        retry_after=result.retry_after,
        storage_error=result.storage_error,
    )


class _Guard:
    """What :meth:`RateLimiter.guard` returns."""

    def __init__(self, limiter: RateLimiter, key: str | Callable[..., str], cost: int) -> None:
        self._limiter = limiter
        self._key = key
        self._cost = cost

    def _fixed_key(self) -> str:
        if callable(self._key):
            raise TypeError("a guard whose key is a function can only decorate")
        return self._key

    def __enter__(self) -> RateLimitResult:
        return self._limiter.require(self._fixed_key(), cost=self._cost)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def __aenter__(self) -> RateLimitResult:
        return await self._limiter.arequire(self._fixed_key(), cost=self._cost)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def __call__(self, func: F) -> F:
        key = self._key

        def key_for(args: Any, kwargs: Any) -> str:
            return key(*args, **kwargs) if callable(key) else key

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                await self._limiter.arequire(key_for(args, kwargs), cost=self._cost)
                return await cast(Callable[..., Awaitable[Any]], func)(*args, **kwargs)

            return cast(F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self._limiter.require(key_for(args, kwargs), cost=self._cost)
            return func(*args, **kwargs)

        return cast(F, wrapper)


def _check_cost(cost: object) -> None:
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise ValueError(
            "RateLimiter: cost must be a whole number of calls >= 0 (got "
            + (repr(cost) if isinstance(cost, (int, float)) else f"a {type(cost).__name__}")
            + ")"
        )
