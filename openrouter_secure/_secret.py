"""``Secret``: a value that will not print itself."""

from __future__ import annotations

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

    Nothing generic reaches the value: the slot that holds it has no attribute name
    (so ``"{k._buf}".format(k=key)``, ``getattr``, ``vars`` and serializers that walk
    ``__slots__`` find nothing), ``__getstate__``/``__reduce__``/``__reduce_ex__``
    raise, and ``copy.copy``/``copy.deepcopy`` return the same object (the value never
    leaves it). Only ``reveal()``/``reveal_bytes()`` (and ``copy()``, which makes
    another ``Secret``) read it.

    The value lives in a ``bytearray`` that ``wipe()`` (or leaving a ``with`` block)
    overwrites with zeros. This is best effort, and honest about it: ``reveal()``
    returns an immutable ``str`` that Python may copy and keep until the garbage
    collector frees it, and the bytes it was built from belonged to the caller. What
    wiping guarantees is that *this object* no longer holds the value. The sanitizer
    stops treating it as a known secret once no ``Secret`` holds it, unless it was
    ever revealed: a revealed copy may live on in the program (a connection string, a
    client's header), so such a value stays masked for the life of the process
    (bounded: the registry keeps the latest 256 such values).

    Every ``Secret`` registers its value with the process's known-secrets registry
    (unless ``register=False``), so the sanitizer masks that exact value anywhere.
    """

    # ``_buf`` is a slot whose name is removed from the class right after it is made
    # (see ``_BUF`` below): the storage exists, but no attribute lookup reaches it.
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
        _BUF.__set__(self, buf)
        self._wiped = False
        # Whether the value is registered; never the value itself (a str copy here
        # would be one more place a generic walker could find it).
        self._registered = False
        if register:
            text = _text(buf)
            if text is not None and _known.register(text):
                self._registered = True

    def reveal(self) -> str:
        """The value as text. Raises ``ValueError`` once wiped, or if it is not UTF-8."""
        self._check()
        text = _text(_BUF.__get__(self))
        if text is None:
            raise ValueError("this Secret holds binary data; use reveal_bytes()")
        if self._registered and text not in _known._revealed:
            _known.mark_revealed(text)
        return text

    def reveal_bytes(self) -> bytes:
        """The value as bytes."""
        self._check()
        buf = _BUF.__get__(self)
        if self._registered:
            text = _text(buf)
            if text is not None and text not in _known._revealed:
                _known.mark_revealed(text)
        return bytes(buf)

    def copy(self) -> Secret:
        """An independent ``Secret`` with the same value (wiping one leaves the other)."""
        self._check()
        return Secret(_BUF.__get__(self), register=self._registered)

    def wipe(self) -> None:
        """Overwrite the stored bytes and forget the value. Safe to call twice."""
        if self._wiped:
            return
        buf: bytearray = _BUF.__get__(self)
        text = _text(buf) if self._registered else None
        for i in range(len(buf)):
            buf[i] = 0
        _BUF.__set__(self, bytearray())
        self._wiped = True
        if text is not None:
            _known.unregister(text)
        self._registered = False

    @property
    def wiped(self) -> bool:
        return self._wiped

    def _check(self) -> None:
        if self._wiped:
            raise ValueError("this Secret has been wiped")

    def __len__(self) -> int:
        return len(_BUF.__get__(self))

    def __bool__(self) -> bool:
        return not self._wiped and len(_BUF.__get__(self)) > 0

    def __repr__(self) -> str:
        return "Secret('<wiped>')" if self._wiped else f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return format(MASK, format_spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            theirs = bytes(_BUF.__get__(other))
        elif isinstance(other, str):
            theirs = other.encode("utf-8")
        elif isinstance(other, (bytes, bytearray)):
            theirs = bytes(other)
        else:
            return NotImplemented
        import hmac  # here: loading OpenSSL for it costs every start-up a few ms

        return hmac.compare_digest(bytes(_BUF.__get__(self)), theirs)

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    # A hash would be a cheap oracle on the value; secrets are not dict keys.
    __hash__ = None  # type: ignore[assignment]

    # Serializers (pickle, copyreg, jsonpickle, dill, ...) ask for the state through
    # these; every one refuses, naming what to store instead.
    def __getstate__(self) -> NoReturn:
        raise TypeError(_NO_PICKLE)

    def __setstate__(self, state: object) -> NoReturn:
        raise TypeError(_NO_PICKLE)

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError(_NO_PICKLE)

    def __reduce__(self) -> NoReturn:
        raise TypeError(_NO_PICKLE)

    # The value never leaves the object: a copy is the object itself (it is immutable
    # but for ``wipe()``; ``copy()`` makes an independent one on purpose).
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

        The model (or ``TypeAdapter``) being built gets ``hide_input_in_errors=True``
        unless its config sets that key itself: pydantic prints the whole input of a
        model (``{'api_key': '...', ...}``) when *another* field is missing or
        invalid, and the raw input of this field when a constraint such as
        ``Field(max_length=...)`` fails, so a model that holds a ``Secret`` must not
        show its input in any error.
        """
        from pydantic_core import PydanticCustomError, core_schema

        hide_input_in_errors(handler)

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
        try:
            buf = _BUF.__get__(self)
        except AttributeError:  # ``__init__`` refused the value before storing it
            return
        for i in range(len(buf)):
            buf[i] = 0


_NO_PICKLE = "Secret objects cannot be pickled or serialized: store the reference, not the value"


def _text(buf: bytearray) -> str | None:
    try:
        return buf.decode("utf-8")
    except UnicodeDecodeError:
        return None


# The value's slot, taken off the class: the descriptor stays usable here (the
# storage is part of every instance's layout), but ``getattr(key, "_buf")``, a format
# string's ``{key._buf}``, ``vars``/``__slots__`` walkers and ``object.__getstate__``
# find no attribute of that name. The advertised ``__slots__`` lists only what is safe.
_BUF: Any = Secret.__dict__["_buf"]
del Secret._buf  # type: ignore[attr-defined]
Secret.__slots__ = ("__weakref__", "_registered", "_wiped")  # type: ignore[assignment]


def hide_input_in_errors(handler: Any) -> None:
    """Set ``hide_input_in_errors`` on the config of the pydantic model (or
    ``TypeAdapter``, dataclass, ``validate_call``) whose schema ``handler`` is building,
    unless that config sets the key itself.

    pydantic offers no public hook for a field type to reach its model's config, so
    this reads the schema generator's current config; the integration tests check that
    it still takes effect on the pydantic version installed (a model with a ``Secret``
    field and a missing other field must not print the value).
    """
    generator = getattr(handler, "_generate_schema", None)
    config = getattr(getattr(generator, "_config_wrapper", None), "config_dict", None)
    if not isinstance(config, dict):
        return
    config.setdefault("hide_input_in_errors", True)
    if config["hide_input_in_errors"] is not True:
        return
    stack = getattr(generator, "model_type_stack", None)
    model = stack.get() if stack is not None else None
    if model is not None and hasattr(model, "__pydantic_on_complete__"):
        _hide_input_in_error_data(model)


def _hide_input_in_error_data(model: Any) -> None:
    """Once ``model`` is built, wrap its validator so that a ``ValidationError`` it raises
    carries no input in its data (``errors()``, ``json()``) either: pydantic keeps the
    input there whatever ``hide_input_in_errors`` says, and FastAPI returns ``errors()``
    in its 422 bodies."""
    current = model.__dict__.get("__pydantic_on_complete__")
    if getattr(getattr(current, "__func__", None), "_hides_input", False):
        return
    original = model.__pydantic_on_complete__

    def on_complete(cls: Any) -> None:
        original()
        if not isinstance(cls.__pydantic_validator__, _InputHidingValidator):
            cls.__pydantic_validator__ = _InputHidingValidator(cls.__pydantic_validator__)

    on_complete._hides_input = True  # type: ignore[attr-defined]
    model.__pydantic_on_complete__ = classmethod(on_complete)


class _NotShown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<not shown>"


class _InputHidingValidator:
    """A pydantic validator whose ``validate_*`` methods raise a ``ValidationError``
    rebuilt with each error's type, location and message, and no input."""

    __slots__ = ("_validator",)

    def __init__(self, validator: Any) -> None:
        self._validator = validator

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._validator, name)
        if not name.startswith("validate_") or not callable(attr):
            return attr

        def validate(*args: Any, **kwargs: Any) -> Any:
            from pydantic_core import ValidationError

            try:
                return attr(*args, **kwargs)
            except ValidationError as exc:
                raise _without_input(exc) from None

        return validate


def _without_input(exc: Any) -> Any:
    from pydantic_core import PydanticCustomError, ValidationError

    hidden = _NotShown()
    details: list[Any] = [
        {
            # Without a context, pydantic takes the rendered message as it is.
            "type": PydanticCustomError(error["type"], error["msg"]),
            "loc": error["loc"],
            "input": hidden,
        }
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]
    return ValidationError.from_exception_data(exc.title, details, hide_input=True)


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
