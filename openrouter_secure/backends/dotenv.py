"""``dotenv://PATH#NAME``: one variable of a ``.env`` file, parsed by python-dotenv.

``dotenv://.env#OPENROUTER_API_KEY`` (relative to the current directory),
``dotenv:///etc/myapp/.env#OPENROUTER_API_KEY`` (absolute), ``dotenv://~/.config/app/.env#KEY``.
The file follows the same rules as ``file://`` (links stay in their directory, nobody
else may read or write it; :mod:`openrouter_secure.backends._localfile`). Values are
read literally: ``${OTHER}`` is not expanded, because a secret that happens to contain
``$`` must come back as it was stored.
"""

from __future__ import annotations

import io
import re
from typing import Any

from .._exceptions import InvalidReferenceError, SecretFormatError, SecretNotFoundError
from .._provider import Availability, SecretEntry, SecretProvider
from .._refs import SecretRef
from .._secret import Secret
from ._localfile import read_checked, write_checked

__all__ = ["DotenvProvider"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class DotenvProvider(SecretProvider):
    """A ``.env`` file: ``dotenv://PATH#NAME`` is the variable ``NAME`` in ``PATH``.

    ``#NAME`` is required: it names the variable (the way ``keyring://``'s last segment
    names the user), so a value cannot also be picked apart as JSON. ``put`` sets the
    variable, keeping every other line, comment and blank as it was, and writes the file
    atomically with mode 0600 (python-dotenv's own ``set_key`` rewrites in place);
    ``delete`` removes its lines; ``list_secrets`` lists the variable names. Takes no
    params. Needs ``pip install "openrouter-secure[dotenv]"``.
    """

    name = "dotenv"
    extra = "dotenv"

    @classmethod
    def availability(cls) -> Availability:
        if not (sdk := cls.check_sdk("dotenv")):
            return sdk
        from importlib.metadata import version

        return Availability(True, f"python-dotenv {version('python-dotenv')}")

    def _variable(self, ref: SecretRef) -> str:
        if ref.field is None or not _NAME.fullmatch(ref.field):
            raise InvalidReferenceError(
                f"{ref}: a dotenv:// reference names one variable after '#', "
                "e.g. dotenv://.env#OPENROUTER_API_KEY"
            )
        return ref.field

    def _text(self, ref: SecretRef) -> str | None:
        raw = read_checked(ref)
        if raw is None:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise SecretFormatError(f"{ref}: the file is not UTF-8 text", ref=ref) from None

    def _values(self, text: str) -> dict[str, str | None]:
        dotenv = self.import_sdk("dotenv")
        values: dict[str, str | None] = dotenv.dotenv_values(
            stream=io.StringIO(text), interpolate=False
        )
        return values

    def get(self, ref: SecretRef) -> Secret:
        name = self._variable(ref)
        text = self._text(ref)
        if text is None:
            raise SecretNotFoundError(f"{ref}: no such file", ref=ref)
        value = self._values(text).get(name)
        if not value:
            state = "is empty" if value is not None or name in self._values(text) else "is not set"
            raise SecretNotFoundError(f"{ref}: the variable {name} {state} in the file", ref=ref)
        return Secret(value)

    def _bindings(self, text: str) -> list[Any]:
        parser = self.import_sdk("dotenv.parser")
        return list(parser.parse_stream(io.StringIO(text)))

    def _rewrite(self, ref: SecretRef, text: str, name: str, line: str | None) -> str:
        """``text`` with every binding of ``name`` removed, and ``line`` put where the
        first one was (or appended)."""
        out: list[str] = []
        placed = line is None
        for binding in self._bindings(text):
            if binding.key == name:
                # The parser hands blank lines before a binding to the binding: keep them.
                original: str = binding.original.string
                blank = original[: len(original) - len(original.lstrip())]
                out.append(blank[: blank.rfind("\n") + 1])
                if line is not None and not placed:
                    out.append(line)
                    placed = True
                continue
            out.append(binding.original.string)
        if line is not None and not placed:
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            out.append(line)
        return "".join(out)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        name = self._variable(ref)
        secret_text = value.reveal() if isinstance(value, Secret) else value
        text = self._text(ref) or ""
        # Single quotes keep the value literal ($, #, spaces, newlines); python-dotenv
        # decodes only \' and \\ inside them.
        quoted = secret_text.replace("\\", "\\\\").replace("'", "\\'")
        new = self._rewrite(ref, text, name, f"{name}='{quoted}'\n")
        if self._values(new).get(name) != secret_text:  # fail closed, never half-right
            raise SecretFormatError(
                f"{ref}: this value cannot be stored in a .env file so that it reads back "
                "unchanged",
                ref=ref,
            )
        write_checked(ref, new.encode("utf-8"))
        return None

    def delete(self, ref: SecretRef) -> None:
        name = self._variable(ref)
        text = self._text(ref)
        if text is None or name not in self._values(text):
            raise SecretNotFoundError(f"{ref}: the variable {name} is not in the file", ref=ref)
        write_checked(ref, self._rewrite(ref, text, name, None).encode("utf-8"))

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        base = prefix.with_field(None)
        text = self._text(base)
        if text is None:
            return []
        start = prefix.field or ""
        return [
            SecretEntry(base.with_field(name))
            for name in sorted(self._values(text))
            if name.startswith(start)
        ]
