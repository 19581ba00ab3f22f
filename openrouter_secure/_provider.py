"""``SecretProvider``: the small abstract base every secret backend implements."""

from __future__ import annotations

import abc
import functools
import importlib
import importlib.util
import inspect
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType, TracebackType
from typing import Any, ClassVar, Literal

from ._exceptions import (
    InvalidReferenceError,
    MissingDependencyError,
    SecretFormatError,
    SecretNotFoundError,
    UnsupportedOperationError,
)
from ._refs import SecretRef
from ._secret import Secret

__all__ = ["Availability", "SecretEntry", "SecretProvider", "SecretVersion", "select_field"]


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here, and if not, why (and what to do about it).

    ``missing_module`` is set when the reason is an SDK that is not installed
    (:meth:`SecretProvider.check_sdk` sets it): the registry then raises
    :class:`MissingDependencyError` naming the backend's extra rather than a plain
    :class:`BackendUnavailableError`.
    """

    available: bool
    reason: str = ""
    missing_module: str | None = None

    def __bool__(self) -> bool:
        return self.available


@dataclass(frozen=True)
class SecretVersion:
    """One stored version of a secret (metadata only, never the value)."""

    version: str
    created: datetime | None = None
    stages: tuple[str, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class SecretEntry:
    """One secret a backend lists (:meth:`SecretProvider.list_secrets`): where it is and
    what the backend knows about it, never its value (nor its length)."""

    ref: SecretRef
    updated: datetime | None = None
    description: str = ""


class SecretProvider(abc.ABC):
    """Where secrets come from. Subclass it to add a backend.

    Only :meth:`get` is required. ``put``/``delete``/``versions``/``list_secrets`` raise
    :class:`UnsupportedOperationError` unless a backend supports them; ``aget`` runs
    ``get`` in a worker thread unless a backend has a native async client.

    A backend is registered under its URI scheme in the entry-point group
    ``openrouter_secure.backends``; the class attribute :attr:`name` must match it, and
    :attr:`extra` names the ``pip install "openrouter-secure[extra]"`` that brings its
    SDK. :meth:`availability` says whether it can run on this machine, and why not,
    without raising: ``openrouter-secure backends`` prints it, and the registry asks it
    before building the provider.

    Providers are constructed with no arguments by the registry; per-read settings
    (region, endpoint, version) come from the reference's params, and :attr:`params`
    names the ones a backend reads. A reference with any other is refused
    (:meth:`check_params`) before the backend sees it, however it was reached:
    :func:`~openrouter_secure.resolve` checks before the backend is even built, and
    ``get``, ``aget``, ``put``, ``delete`` and ``versions`` check first, whether a
    subclass defines them or inherits the defaults, so a misspelt ``?regoin=`` fails
    loudly instead of quietly reading or writing somewhere else. Whether a backend can
    write is whether it defines ``put`` (:meth:`supports`). Error messages name the
    reference, never the value.
    """

    name: ClassVar[str] = ""
    extra: ClassVar[str | None] = None
    params: ClassVar[frozenset[str]] = frozenset()
    """The reference params this backend reads; references with any other are refused."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _REF_METHODS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "_checks_params", False):
                setattr(cls, name, _checking_params(method))

    @classmethod
    def check_params(cls, ref: SecretRef) -> None:
        """Raise :class:`InvalidReferenceError` if ``ref`` names a param this backend
        does not read (:attr:`params`). The message shows the reference with every
        param value replaced by ``...``: a misplaced param is just where someone may
        have pasted a credential."""
        unknown = sorted({name for name, _ in ref.params} - cls.params)
        if not unknown:
            return
        names = ", ".join(repr(name) for name in unknown)
        takes = f"accepts {', '.join(sorted(cls.params))}" if cls.params else "takes no params"
        raise InvalidReferenceError(
            f"{without_param_values(ref)}: unknown {ref.backend}:// "
            f"param{'s' if len(unknown) > 1 else ''} {names}; {ref.backend}:// {takes}"
        )

    @classmethod
    def availability(cls) -> Availability:
        """Whether this backend can run here. The default: yes."""
        return Availability(True)

    @classmethod
    def check_sdk(cls, *modules: str) -> Availability:
        """Whether every one of ``modules`` (the SDK the extra brings) is installed.

        Looked up without importing any of them, namespace parents included, so
        ``availability()`` built on it keeps listing backends free of SDK imports. If one
        is missing the answer is unavailable, names it and the ``pip install`` command for
        :attr:`extra`, and sets ``missing_module``.
        """
        for module in modules:
            try:
                found = _installed(module)
            except (ImportError, ValueError):  # a broken finder or package counts as absent
                found = False
            if not found:
                command = f'pip install "openrouter-secure[{cls.extra or cls.name}]"'
                return Availability(False, f"{module} is not installed: {command}", module)
        return Availability(True)

    @classmethod
    def supports(cls, operation: Literal["put", "delete", "versions", "list_secrets"]) -> bool:
        """Whether this backend implements ``operation``: exactly when it overrides it.

        The base class's ``put``, ``delete``, ``versions`` and ``list_secrets`` raise
        :class:`UnsupportedOperationError`, so defining the method is the declaration;
        a backend cannot claim to write without a ``put`` that does.
        """
        return getattr(cls, operation) is not getattr(SecretProvider, operation)

    @abc.abstractmethod
    def get(self, ref: SecretRef) -> Secret:
        """The secret at ``ref`` (with ``#field`` applied)."""

    async def aget(self, ref: SecretRef) -> Secret:
        """``get`` without blocking the event loop."""
        import asyncio  # here: a synchronous program (a launcher) never pays for it

        return await asyncio.to_thread(self.get, ref)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        """Store ``value`` at ``ref`` as a new version; returns the version id if any."""
        raise self.unsupported("put", ref)

    def delete(self, ref: SecretRef) -> None:
        """Delete the secret at ``ref`` (with the backend's recovery window, if any)."""
        raise self.unsupported("delete", ref)

    def versions(self, ref: SecretRef) -> list[SecretVersion]:
        """The stored versions of the secret at ``ref``, newest first."""
        raise self.unsupported("versions", ref)

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        """The secrets whose path starts with ``prefix.path`` (metadata only, sorted).

        ``prefix`` may have an empty path (build it as ``SecretRef("aws", "")``): every
        secret the backend can see. Its params apply as for a read (region, endpoint).
        """
        raise self.unsupported("list_secrets", prefix)

    def close(self) -> None:
        """Release clients and connections. Safe to call twice."""

    def __enter__(self) -> SecretProvider:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}://>"

    def unsupported(self, operation: str, ref: SecretRef) -> UnsupportedOperationError:
        """The error for an ``operation`` this backend lacks (override to say what to use)."""
        return UnsupportedOperationError(
            f"the {self.name!r} backend does not support {operation}() (asked for {ref})",
            ref=ref,
            backend=self.name,
        )

    @classmethod
    def import_sdk(cls, module: str) -> Any:
        """Import an optional SDK, or raise the error that names the pip command."""
        try:
            return importlib.import_module(module)
        except ImportError:
            raise MissingDependencyError(cls.extra or cls.name, module=module) from None


_REF_METHODS = ("get", "aget", "put", "delete", "versions", "list_secrets")


def without_param_values(ref: SecretRef) -> SecretRef:
    """``ref`` with every param value replaced by ``...`` (for messages and audit records
    about a reference that was refused as malformed)."""
    return ref.with_params(**{name: "..." for name, _ in ref.params})


def _checking_params(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (taking a reference first) that checks the reference's params first."""
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def checked_async(self: SecretProvider, ref: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(ref, SecretRef):
                type(self).check_params(ref)
            return await method(self, ref, *args, **kwargs)

        checked_async._checks_params = True  # type: ignore[attr-defined]
        return checked_async

    @functools.wraps(method)
    def checked(self: SecretProvider, ref: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(ref, SecretRef):
            type(self).check_params(ref)
        return method(self, ref, *args, **kwargs)

    checked._checks_params = True  # type: ignore[attr-defined]
    return checked


# The base class's own defaults check too: a backend without ``put`` must refuse a
# misspelt param as such, not as an unsupported operation that echoes the reference.
for _name in ("aget", "put", "delete", "versions", "list_secrets"):
    setattr(SecretProvider, _name, _checking_params(getattr(SecretProvider, _name)))
del _name


def select_field(ref: SecretRef, payload: str | bytes | Mapping[str, Any]) -> Secret:
    """Turn what a backend read into the :class:`Secret` that ``ref`` asks for.

    Without ``#field`` the payload is the secret (a mapping is re-serialised as JSON).
    With ``#field`` the payload must be a JSON object (or a mapping) holding that key;
    a scalar field value becomes the secret, a nested object its JSON text.
    """
    if ref.field is None:
        if isinstance(payload, Mapping):
            return Secret(json.dumps(payload, separators=(",", ":")))
        return Secret(payload)
    data: Any = payload
    if not isinstance(payload, Mapping):
        try:
            text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
            data = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            raise SecretFormatError(
                f"{ref} asks for #{ref.field}, but the secret is not a JSON object; "
                "drop the #field or store the secret as JSON",
                ref=ref,
            ) from None
    if not isinstance(data, Mapping):
        raise SecretFormatError(
            f"{ref} asks for #{ref.field}, but the secret is JSON {type(data).__name__}, "
            "not an object",
            ref=ref,
        )
    if ref.field not in data:
        raise SecretNotFoundError(
            f"{ref}: the secret has no field {ref.field!r} "
            f"(it has {len(data)} field{'s' if len(data) != 1 else ''})",
            ref=ref,
        )
    value = data[ref.field]
    if isinstance(value, str):
        return Secret(value)
    return Secret(json.dumps(value, separators=(",", ":")))


def _installed(module: str) -> bool:
    """Whether ``module`` could be imported, importing neither it nor its parents.

    ``importlib.util.find_spec("azure.keyvault.secrets")`` imports ``azure`` and
    ``azure.keyvault`` to learn where to look; this asks the path finders level by level
    instead (namespace packages included). A ``None`` in ``sys.modules`` is Python's
    "import of this fails" marker, so it counts as missing.
    """
    if module in sys.modules:
        return sys.modules[module] is not None
    parts = module.split(".")
    top = importlib.util.find_spec(parts[0])  # a top-level lookup imports nothing
    if top is None:
        return False
    locations = list(top.submodule_search_locations or [])
    for depth in range(2, len(parts) + 1):
        name = ".".join(parts[:depth])
        if name in sys.modules:
            loaded: ModuleType | None = sys.modules[name]  # typeshed omits the None marker
            if loaded is None:
                return False
            locations = list(getattr(loaded, "__path__", None) or [])
        else:
            found = _find_in(name, locations)
            if found is None:
                return False
            locations = found
        if not locations and depth < len(parts):
            return False  # a plain module has no submodules
    return True


def _find_in(name: str, entries: list[str]) -> list[str] | None:
    """Where submodules of ``name`` live (``[]`` for a plain module), or None if absent."""
    portions: list[str] = []
    for entry in entries:
        finder = sys.path_importer_cache.get(entry)
        if finder is None:
            for hook in sys.path_hooks:
                try:
                    finder = hook(entry)
                    break
                except ImportError:
                    continue
        spec = finder.find_spec(name) if finder is not None else None
        if spec is None:
            continue
        if spec.loader is not None:  # a regular package or module wins outright
            return list(spec.submodule_search_locations or [])
        portions.extend(spec.submodule_search_locations or [])  # a namespace portion
    return portions or None
