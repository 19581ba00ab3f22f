"""``file:///PATH[#field]``: a secret kept in a file of its own (no dependency).

Docker and Kubernetes secrets (``/run/secrets/NAME``), systemd credentials
(``$CREDENTIALS_DIRECTORY/NAME``) and pydantic-settings' ``secrets_dir`` all hold one
secret per file. See :mod:`openrouter_secure.backends._localfile` for the rules on
links, owners and modes that every read and write follows.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from .._exceptions import AccessDeniedError, SecretFormatError, SecretNotFoundError
from .._provider import Availability, SecretEntry, SecretProvider, select_field
from .._refs import SecretRef
from .._secret import Secret
from ._localfile import checked_path, read_checked, remove_checked, write_checked

__all__ = ["FileProvider"]


class FileProvider(SecretProvider):
    """One secret per file: ``file:///run/secrets/openrouter``.

    The whole file is the secret, without its trailing line breaks (``echo KEY > file``
    works). ``#field`` picks a key out of a file holding a JSON object. ``put`` replaces
    the file atomically with mode 0600 (with ``#field``, that key of the JSON object,
    keeping the others); ``delete`` removes it; ``list_secrets`` lists the files of a
    directory (``file:///run/secrets/``). Takes no params.
    """

    name = "file"

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True, "no dependency; files you own with mode 0600 (or stricter)")

    def get(self, ref: SecretRef) -> Secret:
        raw = read_checked(ref)
        if raw is None:
            raise SecretNotFoundError(f"{ref}: no such file", ref=ref)
        raw = raw.rstrip(b"\r\n")
        if not raw:
            raise SecretNotFoundError(f"{ref}: the file is empty", ref=ref)
        return select_field(ref, raw)

    def put(self, ref: SecretRef, value: Secret | str) -> str | None:
        text = value.reveal() if isinstance(value, Secret) else value
        if ref.field is None:
            write_checked(ref, text.encode("utf-8") + b"\n")
            return None
        raw = read_checked(ref)
        data: dict[str, object] = {}
        if raw is not None and raw.strip():
            try:
                loaded = json.loads(raw)
            except ValueError:
                loaded = None
            if not isinstance(loaded, dict):
                raise SecretFormatError(
                    f"{ref}: cannot set #{ref.field}: the file does not hold a JSON object",
                    ref=ref,
                )
            data = loaded
        data[ref.field] = text
        write_checked(ref, json.dumps(data, indent=2).encode("utf-8") + b"\n")
        return None

    def delete(self, ref: SecretRef) -> None:
        if ref.field is not None:
            raise SecretFormatError(
                f"{ref}: delete removes the whole file; drop the #field", ref=ref
            )
        remove_checked(ref)

    def list_secrets(self, prefix: SecretRef) -> list[SecretEntry]:
        text = prefix.path or "."
        directory = Path(os.path.expanduser(text) if text.startswith("~/") else text)
        stem = ""
        if not text.endswith("/") and not directory.is_dir():
            directory, stem = directory.parent, directory.name
        try:
            names = sorted(os.listdir(directory))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise AccessDeniedError(
                f"{prefix}: cannot list the directory ({exc.strerror})", ref=prefix
            ) from None
        found: list[SecretEntry] = []
        for entry in names:
            if entry.startswith(".") or not entry.startswith(stem):
                continue
            ref = SecretRef.build("file", os.path.join(os.path.abspath(directory), entry))
            try:
                path = checked_path(ref)
                info = path.stat()
            except (OSError, AccessDeniedError, ValueError):
                continue  # a link out of the directory is not one of its secrets
            if not path.is_file():
                continue
            updated = datetime.fromtimestamp(info.st_mtime, tz=timezone.utc)
            found.append(SecretEntry(ref, updated, f"mode {info.st_mode & 0o777:04o}"))
        return found
