"""``Secret``: a value that will not print itself."""

from __future__ import annotations

import hmac
from types import TracebackType
from typing import Any, NoReturn

from . import _known

__all__ = ["MASK", "Secret"]

MASK = "***MASKED***"


class Secret:
    """A secret value that hides itself from ``repr``, ``str``, f-strings and logs.

    ``reveal()`` is the one way to read it. Equality is constant-time. A ``Secret``
    refuses to be pickled (so it cannot slip into a cache file or a process pool by
    accident) and ``json.dumps`` raises rather than serialising it.

    The value lives in a ``bytearray`` that ``wipe()`` (or leaving a ``with`` block)
    overwrites with zeros. This is best effort, and honest about it: ``reveal()``
    returns an immutable ``str`` that Python may copy and keep until the garbage
    collector frees it, and the bytes it was built from belonged to the caller. What
    wiping guarantees is that *this object* no longer holds the value, and that the
    sanitizer stops treating it as a known secret.

    Every ``Secret`` registers its value with the process's known-secrets registry
    (unless ``register=False``), so the sanitizer masks that exact value anywhere.
    """

    __slots__ = ("__weakref__", "_buf", "_registered", "_wiped")

    def __init__(self, value: str | bytes | bytearray, *, register: bool = True) -> None:
        raw: object = value  # checked at run time too: untyped callers pass anything
        if isinstance(raw, str):
            buf = bytearray(raw.encode("utf-8"))
        elif isinstance(raw, (bytes, bytearray)):
            buf = bytearray(raw)
        else:
            hint = "; use secret.copy()" if isinstance(raw, Secret) else ""
            raise TypeError(f"Secret value must be str or bytes, not {type(raw).__name__}{hint}")
        self._buf = buf
        self._wiped = False
        self._registered: str | None = None
        if register:
            text = self._text()
            if text is not None and _known.register(text):
                self._registered = text

    def _text(self) -> str | None:
        try:
            return self._buf.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def reveal(self) -> str:
        """The value as text. Raises ``ValueError`` once wiped, or if it is not UTF-8."""
        self._check()
        text = self._text()
        if text is None:
            raise ValueError("this Secret holds binary data; use reveal_bytes()")
        return text

    def reveal_bytes(self) -> bytes:
        """The value as bytes."""
        self._check()
        return bytes(self._buf)

    def copy(self) -> Secret:
        """An independent ``Secret`` with the same value (wiping one leaves the other)."""
        self._check()
        return Secret(self._buf, register=self._registered is not None)

    def wipe(self) -> None:
        """Overwrite the stored bytes and forget the value. Safe to call twice."""
        if self._wiped:
            return
        for i in range(len(self._buf)):
            self._buf[i] = 0
        self._buf = bytearray()
        self._wiped = True
        if self._registered is not None:
            _known.unregister(self._registered)
            self._registered = None

    @property
    def wiped(self) -> bool:
        return self._wiped

    def _check(self) -> None:
        if self._wiped:
            raise ValueError("this Secret has been wiped")

    def __len__(self) -> int:
        return len(self._buf)

    def __bool__(self) -> bool:
        return not self._wiped and len(self._buf) > 0

    def __repr__(self) -> str:
        return "Secret('<wiped>')" if self._wiped else f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return format(MASK, format_spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            theirs = bytes(other._buf)
        elif isinstance(other, str):
            theirs = other.encode("utf-8")
        elif isinstance(other, (bytes, bytearray)):
            theirs = bytes(other)
        else:
            return NotImplemented
        return hmac.compare_digest(bytes(self._buf), theirs)

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    # A hash would be a cheap oracle on the value; secrets are not dict keys.
    __hash__ = None  # type: ignore[assignment]

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("Secret objects cannot be pickled: store the reference, not the value")

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secret objects cannot be pickled: store the reference, not the value")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Make ``Secret`` a pydantic (v2) field type.

        Validates from ``str``, ``bytes`` or a ``Secret``; ``model_dump()`` keeps the
        ``Secret`` (masked in any ``repr``), and JSON output (``model_dump_json``,
        ``mode="json"``) writes the mask, never the value. pydantic calls this, so
        pydantic_core is already loaded; nothing is imported otherwise.
        """
        from pydantic_core import PydanticCustomError, core_schema

        def serialize(value: Secret, info: Any) -> Any:
            return MASK if info.mode_is_json() else value

        def check(value: Secret | _Hidden) -> Secret:
            # A second step, so that pydantic's error shows the _Hidden stand-in as the
            # input: a wrongly typed value (a numeric PIN) is still never printed.
            if isinstance(value, _Hidden):
                raise PydanticCustomError("secret_type", value.message)
            return value

        return core_schema.chain_schema(
            [
                core_schema.no_info_plain_validator_function(_from_field),
                core_schema.no_info_plain_validator_function(check),
            ],
            serialization=core_schema.plain_serializer_function_ser_schema(
                serialize, info_arg=True, when_used="always"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "format": "password", "writeOnly": True}

    def __enter__(self) -> Secret:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.wipe()

    def __del__(self) -> None:
        # Zero the buffer before the memory is freed, but keep the value registered:
        # a revealed copy may still be in use, and must stay maskable.
        buf = getattr(self, "_buf", None)
        if buf:
            for i in range(len(buf)):
                buf[i] = 0


class _Hidden:
    """Stands in for a refused pydantic input, so that errors show this, not the input."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return "<not shown>"


def _from_field(value: object) -> Secret | _Hidden:
    """A pydantic field's input as a :class:`Secret` (its type named, never its value)."""
    if isinstance(value, Secret):
        return value
    if isinstance(value, (str, bytes, bytearray)):
        return Secret(value)
    return _Hidden(f"a Secret field takes a string, not {type(value).__name__}")
