"""``env://NAME``: a secret from an environment variable (no dependency)."""

from __future__ import annotations

import os
import re

from .._exceptions import InvalidReferenceError, SecretNotFoundError, UnsupportedOperationError
from .._provider import SecretEntry, SecretProvider, select_field
from .._refs import SecretRef
from .._secret import Secret

__all__ = ["EnvProvider"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EnvProvider(SecretProvider):
    """Reads ``os.environ``. Read-only: a library cannot set another process's environment.

    ``env://OPENROUTER_API_KEY``; ``#field`` when the variable holds a JSON object. An
    empty variable counts as unset. Takes no params. ``list_secrets`` lists variable names.
    """

    name = "env"

    def _variable(self, ref: SecretRef) -> str:
        if not _NAME.fullmatch(ref.path):
            raise InvalidReferenceError(
                f"{ref}: an env:// path is one variable name (letters, digits, '_'), "
                "e.g. env://OPENROUTER_API_KEY"
            )
        return ref.path

    def get(self, ref: SecretRef) -> Secret:
        name = self._variable(ref)
        value = os.environ.get(name)
        if not value:
            state = "is empty" if value == "" else "is not set"
            raise SecretNotFoundError(
                f"the environment variable {name} {state} (asked for {ref}); "
                f"export {name}=... or use another backend such as keyring://",
                ref=ref,
            )
        return select_field(ref, value)

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        """The names of the set, non-empty variables starting with ``prefix.path``."""
        return [
            SecretEntry(SecretRef.build("env", name))
            for name in sorted(os.environ)
            if name.startswith(prefix.path) and _NAME.fullmatch(name) and os.environ[name]
        ]

    def unsupported(self, operation: str, ref: SecretRef) -> UnsupportedOperationError:
        if operation != "put":
            return super().unsupported(operation, ref)
        return UnsupportedOperationError(
            f"env:// cannot be written ({ref}): a library cannot change the environment of "
            "the processes that read it. Store the key in a backend with put() "
            "(keyring://, aws://, azure://, gcp://, vault://) and point at that instead",
            ref=ref,
        )
