"""A per-reference cache for resolved secrets.

- **TTL with jitter**: entries live ``ttl`` seconds, each shortened by up to
  ``jitter`` (a fraction), so replicas that started together do not all refetch at
  the same instant.
- **Single flight**: concurrent misses for one reference make one backend call,
  whether the callers are threads (a per-reference lock) or asyncio tasks (one shared
  task per event loop).
- **Stale on error**: when a refetch fails because the backend is *unavailable*
  (down, slow, throttled), the last good value is served for up to ``stale_for``
  seconds past its expiry, with a warning naming the reference. Not-found and
  access-denied are never papered over: those mean the secret is gone or revoked.
- ``invalidate(ref)`` drops an entry; ``refresh(ref)`` refetches now (the "got a 401,
  refetch once" case).

Callers get a *copy* of the cached :class:`Secret`, so wiping it does not break
anyone else.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._exceptions import BackendUnavailableError

if TYPE_CHECKING:
    import asyncio
from ._secret import Secret

__all__ = ["SecretCache"]

log = logging.getLogger("openrouter_secure.cache")

Fetch = Callable[[], Secret]
AsyncFetch = Callable[[], Awaitable[Secret]]


@dataclass
class _Entry:
    secret: Secret
    fetched_at: float
    expires_at: float


class SecretCache:
    """Cache resolved secrets per reference text; see the module docstring."""

    def __init__(
        self,
        ttl: float = 300.0,
        *,
        jitter: float = 0.1,
        stale_for: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl < 0 or stale_for < 0 or not 0 <= jitter < 1:
            raise ValueError("ttl and stale_for must be >= 0 and jitter in [0, 1)")
        self.ttl = ttl
        self.jitter = jitter
        self.stale_for = stale_for
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._tasks: dict[tuple[int, str], asyncio.Task[Secret]] = {}

    def _fresh(self, key: str) -> Secret | None:
        entry = self._entries.get(key)
        if entry is not None and self._clock() < entry.expires_at:
            return entry.secret.copy()
        return None

    def _store(self, key: str, secret: Secret) -> Secret:
        now = self._clock()
        life = self.ttl * (1 - random.random() * self.jitter)  # noqa: S311 - not for security
        old = self._entries.get(key)
        self._entries[key] = _Entry(secret, now, now + life)
        if old is not None and old.secret is not secret:
            old.secret.wipe()
        return secret

    def _stale_or_raise(self, key: str, error: Exception) -> Secret:
        entry = self._entries.get(key)
        if (
            isinstance(error, BackendUnavailableError)
            and entry is not None
            and self._clock() < entry.expires_at + self.stale_for
        ):
            log.warning(
                "serving the last good value of %s: the backend is unavailable (%s)",
                key,
                type(error).__name__,
            )
            return entry.secret
        raise error

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, key: str, fetch: Fetch, *, force: bool = False) -> Secret:
        """The cached value for ``key``, calling ``fetch`` once on a miss."""
        if not force and (hit := self._fresh(key)) is not None:
            return hit
        started = self._clock()
        with self._lock_for(key):
            entry = self._entries.get(key)
            # Another thread refreshed while we waited: use its result.
            if (
                entry is not None
                and (not force or entry.fetched_at >= started)
                and self._clock() < entry.expires_at
            ):
                return entry.secret.copy()
            try:
                secret = self._store(key, fetch())
            except Exception as error:  # noqa: BLE001 - re-raised unless stale is allowed
                secret = self._stale_or_raise(key, error)
            return secret.copy()

    async def aget(self, key: str, fetch: AsyncFetch, *, force: bool = False) -> Secret:
        """Async ``get``: concurrent misses in one event loop share one fetch."""
        if not force and (hit := self._fresh(key)) is not None:
            return hit
        # Imported here: a synchronous program (a launcher) never pays for asyncio.
        import asyncio

        loop_key = (id(asyncio.get_running_loop()), key)
        task = self._tasks.get(loop_key)
        if task is None or (force and task.done()):
            task = asyncio.ensure_future(self._afetch(key, fetch))
            self._tasks[loop_key] = task
            task.add_done_callback(lambda t: self._forget(loop_key, t))
        secret = await asyncio.shield(task)
        return secret.copy()

    async def _afetch(self, key: str, fetch: AsyncFetch) -> Secret:
        try:
            secret = await fetch()
        except Exception as error:  # noqa: BLE001 - re-raised unless stale is allowed
            return self._stale_or_raise(key, error)
        return self._store(key, secret)

    def _forget(self, loop_key: tuple[int, str], task: asyncio.Task[Secret]) -> None:
        if self._tasks.get(loop_key) is task:
            del self._tasks[loop_key]
        if not task.cancelled():
            task.exception()  # mark retrieved: the awaiting callers got it

    def invalidate(self, key: str) -> None:
        """Forget ``key``: the next read refetches."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            entry.secret.wipe()

    def clear(self) -> None:
        """Forget everything."""
        for key in list(self._entries):
            self.invalidate(key)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<SecretCache {len(self._entries)} entries, ttl={self.ttl}s>"
