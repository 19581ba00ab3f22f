"""What a rotation asks of the management client: :class:`ManagementClient`.

A small type to implement, in the way of httpx's ``Auth`` and ``BaseTransport``:
the key-management calls a rotation makes, each returning the library's own result
types from :mod:`openrouter_secure.types`. :class:`~openrouter_secure.RedactingClient`
built on a management key fits it (mypy checks it below); so does a wrapper that
adds auditing or approval around those calls.

:data:`ManagementKey` is how the key itself may be given instead: a secret reference
(``"keyring://openrouter/management"`` or a :class:`~openrouter_secure.SecretRef`) or
a :class:`~openrouter_secure.Secret`. Never the key as plain text: a ``str`` is read
as a reference, as everywhere in this library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeAlias

from .._client._types import ApiKey, CreatedKey, KeyInfo
from .._refs import SecretRef
from .._secret import Secret

__all__ = ["ManagementClient", "ManagementKey"]

#: A management key: a secret reference (text or parsed) or a :class:`Secret`.
ManagementKey: TypeAlias = str | SecretRef | Secret


class ManagementClient(Protocol):
    """The OpenRouter key-management calls a rotation makes (management key required)."""

    def key_info(self) -> KeyInfo:
        """``GET /key``: the calling key's kind (a rotation checks it is a management key)."""

    def list_keys(self) -> Sequence[ApiKey]:
        """``GET /keys``: the account's keys, by hash and label."""

    def create_key(
        self, name: str, *, limit: float | None = None, expires_at: str | None = None
    ) -> CreatedKey:
        """``POST /keys``: a new key, with its value as a :class:`Secret`."""

    def update_key(self, hash: str, /, *, disabled: bool | None = None) -> ApiKey:
        """``PATCH /keys/{hash}``: a rotation only disables the old key."""

    def delete_key(self, hash: str, /) -> bool:
        """``DELETE /keys/{hash}``."""


if TYPE_CHECKING:
    from .._client._sync import RedactingClient

    def _fits(client: RedactingClient) -> ManagementClient:
        return client
