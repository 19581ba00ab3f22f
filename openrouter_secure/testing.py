"""Helpers for testing code that uses openrouter-secure, and for testing backends.

- :class:`FakeProvider`: an in-memory backend with call counts and injectable faults.
- :func:`make_canary`: a random, real-looking key built at run time (never commit one).
- :class:`LeakCheck`: capture every log record and assert a canary appears nowhere.
- :class:`OpenRouterTestServer`: a real loopback HTTP server speaking OpenRouter's API,
  with scripted faults and a record of every request (see ``_testserver``).
- :class:`ProviderContract`: a pytest mixin every backend's tests subclass, third-party
  backends included.

Nothing here imports pytest until a ``ProviderContract`` test runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import string
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, ClassVar

from ._exceptions import OpenRouterSecureError, SecretNotFoundError
from ._provider import SecretProvider, SecretVersion, select_field
from ._refs import SecretRef
from ._secret import Secret
from ._testserver import OpenRouterTestServer, RecordedRequest, ScriptedResponse, StoredKey

__all__ = [
    "FakeProvider",
    "LeakCheck",
    "OpenRouterTestServer",
    "ProviderContract",
    "RecordedRequest",
    "ScriptedResponse",
    "StoredKey",
    "assert_no_leak",
    "make_canary",
]

_PREFIXES = {
    "openrouter": "sk-or-v1-",
    "openrouter-management": "sk-or-v1-",
    "openai": "sk-proj-",
    "anthropic": "sk-ant-api03-",
    "plain": "",
}


def make_canary(kind: str = "openrouter") -> str:
    """A random secret of the given shape, made now, so none is ever committed.

    ``openrouter`` gives ``sk-or-v1-`` + 64 hex digits (OpenRouter's key shape);
    ``plain`` a 32-character random token with no recognisable format (to prove that
    known-value masking works without a rule).
    """
    if kind not in _PREFIXES:
        raise ValueError(f"unknown canary kind {kind!r}; choose from {sorted(_PREFIXES)}")
    if kind.startswith("openrouter"):
        body = secrets.token_hex(32)
    elif kind == "plain":
        alphabet = string.ascii_letters + string.digits
        body = "".join(secrets.choice(alphabet) for _ in range(32))
    else:
        alphabet = string.ascii_letters + string.digits + "-_"
        body = "".join(secrets.choice(alphabet) for _ in range(80))
    return _PREFIXES[kind] + body


def _describe(value: object) -> list[str]:
    texts = [repr(value)]
    with contextlib.suppress(Exception):  # an object whose str() fails still has a repr
        texts.append(str(value))
    if isinstance(value, BaseException):
        texts.append("".join(traceback.format_exception(type(value), value, value.__traceback__)))
    return texts


def assert_no_leak(canaries: str | Iterable[str], *outputs: object) -> None:
    """Fail if any canary (or a long enough piece of it) appears in any output.

    Outputs may be strings, bytes, exceptions (their full traceback is searched, causes
    included) or any object (its ``repr`` and ``str``). Besides the whole value the check
    looks for its secret part without the public prefix, so a mask that kept too much
    is caught too.
    """
    values = [canaries] if isinstance(canaries, str) else list(canaries)
    if not all(values):
        raise ValueError("an empty canary would match every output; pass a real value")
    needles = set()
    for value in values:
        needles.add(value)
        if len(value) > 24:
            needles.add(value[-20:])
    for output in outputs:
        if isinstance(output, bytes):
            texts = [output.decode("utf-8", "replace")]
        elif isinstance(output, str):
            texts = [output]
        else:
            texts = _describe(output)
        for text in texts:
            for needle in needles:
                if needle in text:
                    where = text.index(needle)
                    raise AssertionError(
                        f"a canary leaked into {type(output).__name__} output at offset {where}"
                    )


class LeakCheck(logging.Handler):
    """Capture every log record while active; ``check()`` asserts no canary leaked.

    Records are formatted the way a real handler would (message, args, exception
    text, stack info, and every extra attribute), so a canary hiding in ``extra=``
    or a traceback is found too::

        with LeakCheck(canary) as leaks:
            run_the_code()
        # leaving the block checks; leaks.records holds what was logged
    """

    def __init__(self, *canaries: str, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.canaries = list(canaries)
        self.records: list[logging.LogRecord] = []
        self.texts: list[str] = []
        self._formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
        self._saved_level = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        try:
            text = self._formatter.format(record)
        except Exception:  # noqa: BLE001 - a bad record must still be searched
            text = f"{record.msg!r} {record.args!r}"
        self.texts.append(text + " " + repr(vars(record)))

    def __enter__(self) -> LeakCheck:
        root = logging.getLogger()
        self._saved_level = root.level
        root.setLevel(min(self.level, root.level) if root.level else self.level)
        root.addHandler(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        root.setLevel(self._saved_level)
        if exc_type is None:
            self.check()

    def check(self, *more_outputs: object) -> None:
        """Assert no canary is in the captured records or in ``more_outputs``."""
        assert_no_leak(self.canaries, *self.texts, *more_outputs)

    @property
    def messages(self) -> list[str]:
        return [r.getMessage() for r in self.records]


class FakeProvider(SecretProvider):
    """An in-memory backend: seed it, point references at it, count the calls.

    ``fail_with`` makes every read raise that error (e.g. a ``BackendUnavailableError``
    to test stale serving); ``delay`` makes reads slow (for single-flight tests).
    Supports ``put``, ``delete`` and ``versions``.
    """

    name = "fake"

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


class ProviderContract:
    """The behaviour every backend promises. Subclass it in a pytest test class.

    Provide three things:

    - a ``provider`` pytest fixture returning the backend under test;
    - ``new_ref(self, name)``: a reference to a secret that does not exist yet;
    - ``store(self, provider, ref, value)``: put ``value`` there (out of band through the
      service's own SDK, or through ``provider.put``).

    Set ``supports_put = False`` for read-only backends; they must then raise
    ``UnsupportedOperationError`` from ``put``. Every check plants a fresh canary and
    asserts it appears in no error, repr or log record.
    """

    supports_put: ClassVar[bool] = True
    supports_delete: ClassVar[bool] = True

    def new_ref(self, name: str) -> SecretRef:
        raise NotImplementedError

    def store(self, provider: SecretProvider, ref: SecretRef, value: str) -> None:
        provider.put(ref, value)

    def _unique(self, stem: str) -> SecretRef:
        return self.new_ref(f"{stem}-{secrets.token_hex(4)}")

    def test_get_returns_the_stored_value_masked(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("get"), make_canary()
        self.store(provider, ref, canary)
        with LeakCheck(canary) as leaks:
            secret = provider.get(ref)
            assert isinstance(secret, Secret)
            assert secret.reveal() == canary
            leaks.check(repr(secret), str(secret), f"{secret}", repr(provider))

    def test_missing_secret_raises_not_found_naming_the_reference(
        self, provider: SecretProvider
    ) -> None:
        ref = self._unique("missing")
        try:
            provider.get(ref)
        except SecretNotFoundError as exc:
            assert exc.ref is not None
            assert ref.path.split("/")[-1] in exc.ref
        else:
            raise AssertionError("get() of a missing secret did not raise SecretNotFoundError")

    def test_field_selects_a_key_from_a_json_secret(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("json"), make_canary()
        self.store(provider, ref, f'{{"api_key": "{canary}", "other": "x"}}')
        assert provider.get(ref.with_field("api_key")).reveal() == canary

    def test_missing_field_raises_not_found_without_the_value(
        self, provider: SecretProvider
    ) -> None:
        ref, canary = self._unique("nofield"), make_canary()
        self.store(provider, ref, f'{{"api_key": "{canary}"}}')
        try:
            provider.get(ref.with_field("nope"))
        except SecretNotFoundError as exc:
            assert_no_leak(canary, exc)
        else:
            raise AssertionError("a missing #field did not raise SecretNotFoundError")

    def test_aget_matches_get(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("aget"), make_canary()
        self.store(provider, ref, canary)
        assert asyncio.run(provider.aget(ref)).reveal() == canary

    def test_put_then_get_round_trips_or_is_refused(self, provider: SecretProvider) -> None:
        from ._exceptions import UnsupportedOperationError

        ref, first, second = self._unique("put"), make_canary(), make_canary()
        if not self.supports_put:
            try:
                provider.put(ref, first)
            except UnsupportedOperationError as exc:
                assert_no_leak(first, exc)
                return
            raise AssertionError("a read-only backend accepted put()")
        provider.put(ref, first)
        provider.put(ref, Secret(second))
        assert provider.get(ref).reveal() == second

    def test_delete_removes_the_secret(self, provider: SecretProvider) -> None:
        if not (self.supports_put and self.supports_delete):
            return
        ref, canary = self._unique("delete"), make_canary()
        provider.put(ref, canary)
        provider.delete(ref)
        try:
            provider.get(ref)
        except SecretNotFoundError as exc:
            assert_no_leak(canary, exc)
        else:
            raise AssertionError("get() after delete() did not raise SecretNotFoundError")

    def test_errors_never_carry_the_value(self, provider: SecretProvider) -> None:
        ref, canary = self._unique("errors"), make_canary()
        self.store(provider, ref, canary)
        errors: list[Any] = []
        for bad in (ref.with_field("missing"), self._unique("absent")):
            try:
                provider.get(bad)
            except OpenRouterSecureError as exc:
                errors.append(exc)
        assert errors, "expected the bad reads to raise"
        assert_no_leak(canary, *errors)


def iter_subclasses(cls: type) -> Iterator[type]:
    """Every subclass of ``cls``, recursively (used to check every error class)."""
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from iter_subclasses(sub)
