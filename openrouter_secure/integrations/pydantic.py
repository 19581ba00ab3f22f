"""pydantic and pydantic-settings: secret fields, and references resolved on validation.

``Secret`` itself is a pydantic field type (validated from a string, masked in
``repr``, ``model_dump`` keeps the masked ``Secret``, JSON output writes the mask).
:data:`SecretReference` is a field that holds a *reference* in the input (a config
file, an environment variable) and a resolved :class:`~openrouter_secure.Secret` in the
model::

    from pydantic_settings import BaseSettings
    from openrouter_secure.integrations.pydantic import SecretReference

    class Settings(BaseSettings):
        openrouter_api_key: SecretReference  # OPENROUTER_API_KEY=keyring://app/api_key

Needs ``pip install "openrouter-secure[pydantic]"``.
"""

from __future__ import annotations

from typing import Annotated, Any

try:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic_core import PydanticCustomError, core_schema
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "openrouter_secure.integrations.pydantic needs pydantic: "
        'pip install "openrouter-secure[pydantic]"'
    ) from exc

from .._exceptions import InvalidReferenceError, OpenRouterSecureError
from .._refs import SecretRef
from .._registry import resolve
from .._secret import Secret

__all__ = ["ResolveReference", "SecretReference"]


class _Unparsed:
    """Stands in for input that is not a reference, so errors never print it (a pasted
    key is the usual reason a reference fails to parse)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return "<not a secret reference; not shown>"


class ResolveReference:
    """The pydantic annotation behind :data:`SecretReference`: a reference in, a
    :class:`~openrouter_secure.Secret` out.

    ``cache`` is passed to :func:`~openrouter_secure.resolve` (the shared cache by
    default). A ``Secret`` given directly (from code) is kept as it is. A reference that
    does not parse, or does not resolve, fails validation with the library's message;
    the input is shown only when it parsed as a reference (which is safe to print).
    """

    def __init__(self, *, cache: bool = True) -> None:
        self.cache = cache

    def _parse(self, value: object) -> Secret | SecretRef | _Unparsed:
        if isinstance(value, (Secret, SecretRef)):
            return value
        if not isinstance(value, str):
            return _Unparsed(f"a secret reference is a string, not {type(value).__name__}")
        try:
            return SecretRef.parse(value)
        except InvalidReferenceError as exc:
            return _Unparsed(str(exc))

    def _resolve(self, value: Secret | SecretRef | _Unparsed) -> Secret:
        if isinstance(value, Secret):
            return value
        if isinstance(value, _Unparsed):
            raise PydanticCustomError("secret_reference", "{reason}", {"reason": value.message})
        try:
            return resolve(value, cache=self.cache)
        except OpenRouterSecureError as exc:
            raise PydanticCustomError(
                "secret_reference",
                "{reference} did not resolve: {reason}",
                {"reference": str(value), "reason": str(exc)},
            ) from None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        secret = handler.generate_schema(Secret)
        return core_schema.chain_schema(
            [
                core_schema.no_info_plain_validator_function(self._parse),
                core_schema.no_info_plain_validator_function(self._resolve),
            ],
            serialization=secret.get("serialization"),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {
            "type": "string",
            "format": "secret-reference",
            "description": "a secret reference, e.g. env://OPENROUTER_API_KEY",
        }


SecretReference = Annotated[Secret, ResolveReference()]
"""A field given a secret reference (``keyring://app/api_key``) that holds the resolved
:class:`~openrouter_secure.Secret`. ``Annotated[Secret, ResolveReference(cache=False)]``
reads the backend on every validation."""
