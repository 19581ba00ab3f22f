"""An in-memory secret backend for tests, with call counts and injectable faults."""

from __future__ import annotations

import asyncio
import threading
import time

from .._exceptions import SecretNotFoundError
from .._provider import SecretProvider, SecretVersion, select_field
from .._refs import SecretRef
from .._secret import Secret


class FakeProvider(SecretProvider):
    """An in-memory backend: seed it, point references at it, count the calls.

    ``fail_with`` makes every read raise that error (e.g. a ``BackendUnavailableError``
    to test stale serving); ``delay`` makes reads slow (for single-flight tests).
    Supports ``put``, ``delete`` and ``versions``; ``?version=N`` reads the Nth value put.
    """

    name = "fake"
    params = frozenset({"version"})

    def __init__(self, secrets_: dict[str, str] | None = None, *, name: str = "fake") -> None:
        self.name = name  # type: ignore[misc]
        self._data: dict[str, list[str]] = {k: [v] for k, v in (secrets_ or {}).items()}
        self._lock = threading.Lock()
        self.calls = 0
        self.fail_with: BaseException | None = None
        self.delay = 0.0

    def get(self, ref: SecretRef) -> Secret:
        with self._lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        history = self._data.get(ref.path)
        if not history:
            raise SecretNotFoundError(f"no secret at {ref}", ref=ref, backend=self.name)
        version = ref.param("version")
        value = history[-1] if version is None else history[int(version) - 1]
        return select_field(ref, value)

    async def aget(self, ref: SecretRef) -> Secret:
        if self.delay:
            await asyncio.sleep(self.delay)
            saved, self.delay = self.delay, 0.0
            try:
                return self.get(ref)
            finally:
                self.delay = saved
        return self.get(ref)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        text = value.reveal() if isinstance(value, Secret) else value
        with self._lock:
            history = self._data.setdefault(ref.path, [])
            history.append(text)
            return str(len(history))

    def delete(self, ref: SecretRef) -> None:
        with self._lock:
            if self._data.pop(ref.path, None) is None:
                raise SecretNotFoundError(
                    f"no secret to delete at {ref}", ref=ref, backend=self.name
                )

    def versions(self, ref: SecretRef) -> list[SecretVersion]:
        history = self._data.get(ref.path)
        if not history:
            raise SecretNotFoundError(f"no secret at {ref}", ref=ref, backend=self.name)
        return [SecretVersion(str(i)) for i in range(len(history), 0, -1)]
