"""``SecretProvider``: the small abstract base every secret backend implements."""

from __future__ import annotations

import abc
import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar

from ._exceptions import (
    MissingDependencyError,
    SecretFormatError,
    SecretNotFoundError,
    UnsupportedOperationError,
)
from ._refs import SecretRef
from ._secret import Secret

__all__ = ["Availability", "SecretProvider", "SecretVersion", "select_field"]


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run here, and if not, why (and what to do about it)."""

    available: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.available


@dataclass(frozen=True)
class SecretVersion:
    """One stored version of a secret (metadata only, never the value)."""

    version: str
    created: datetime | None = None
    stages: tuple[str, ...] = ()
    enabled: bool = True


class SecretProvider(abc.ABC):
    """Where secrets come from. Subclass it to add a backend.

    Only :meth:`get` is required. ``put``/``delete``/``versions`` raise
    :class:`UnsupportedOperationError` unless a backend supports them; ``aget`` runs
    ``get`` in a worker thread unless a backend has a native async client.

    A backend is registered under its URI scheme in the entry-point group
    ``openrouter_secure.backends``; the class attribute :attr:`name` must match it, and
    :attr:`extra` names the ``pip install "openrouter-secure[extra]"`` that brings its
    SDK. :meth:`availability` says whether it can run on this machine, and why not,
    without raising: ``openrouter-secure backends`` prints it.

    Providers are constructed with no arguments by the registry; per-read settings
    (region, endpoint, version) come from the reference's params. Error messages name
    the reference, never the value.
    """

    name: ClassVar[str] = ""
    extra: ClassVar[str | None] = None

    @classmethod
    def availability(cls) -> Availability:
        """Whether this backend can run here. The default: yes."""
        return Availability(True)

    @abc.abstractmethod
    def get(self, ref: SecretRef) -> Secret:
        """The secret at ``ref`` (with ``#field`` applied)."""

    async def aget(self, ref: SecretRef) -> Secret:
        """``get`` without blocking the event loop."""
        return await asyncio.to_thread(self.get, ref)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        """Store ``value`` at ``ref`` as a new version; returns the version id if any."""
        raise self._unsupported("put", ref)

    def delete(self, ref: SecretRef) -> None:
        """Delete the secret at ``ref`` (with the backend's recovery window, if any)."""
        raise self._unsupported("delete", ref)

    def versions(self, ref: SecretRef) -> list[SecretVersion]:
        """The stored versions of the secret at ``ref``, newest first."""
        raise self._unsupported("versions", ref)

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

    def _unsupported(self, operation: str, ref: SecretRef) -> UnsupportedOperationError:
        return UnsupportedOperationError(
            f"the {self.name!r} backend does not support {operation}() (asked for {ref})",
            ref=ref,
            backend=self.name,
        )

    @classmethod
    def _import(cls, module: str) -> Any:
        """Import an optional SDK, or raise the error that names the pip command."""
        import importlib

        try:
            return importlib.import_module(module)
        except ImportError:
            raise MissingDependencyError(cls.extra or cls.name, module=module) from None


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
