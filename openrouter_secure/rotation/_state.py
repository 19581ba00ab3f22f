"""The rotation state file: what a later ``finish_rotation`` needs, and nothing secret.

One JSON document, mode 0600, written atomically, holding per store reference the
hash of the key it holds now, when it was rotated, and the pending rotation (the old
key's hash, when to disable and delete it, what is done). OpenRouter key *hashes*
are identifiers for the management API; the keys themselves are never written.

Default location: ``$OPENROUTER_SECURE_ROTATION_STATE``, else
``$XDG_STATE_HOME/openrouter-secure/rotation.json`` (``~/.local/state/...``).
Read-modify-write is serialised across processes with an advisory ``flock`` on a
sibling ``.lock`` file (POSIX; elsewhere only within the process), removed when the
lock is released, whatever happened under it. Neither file is ever opened through a
symbolic link: a link planted at either name is refused (read) or replaced (write).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._exceptions import ConfigurationError, UnsafePathError
from .._files import ensure_dir, lock_file, open_nofollow, replace_file

__all__ = ["STATE_ENV", "RotationState", "default_state_path"]

STATE_ENV = "OPENROUTER_SECURE_ROTATION_STATE"
_VERSION = 1
_process_lock = threading.RLock()


def default_state_path() -> Path:
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "openrouter-secure" / "rotation.json"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class RotationState:
    """The state file at ``path``; use :meth:`locked` around a read-modify-write."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_state_path()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state lock (threads of this process, and other processes on POSIX)."""
        with _process_lock:
            ensure_dir(self.path.parent)
            with lock_file(self.path.with_name(self.path.name + ".lock")):
                yield

    def load(self) -> dict[str, Any]:
        try:
            fd = open_nofollow(self.path, os.O_RDONLY)
            with os.fdopen(fd, encoding="utf-8") as fh:
                data = json.loads(fh.read())
        except FileNotFoundError:
            return {"version": _VERSION, "stores": {}}
        except UnsafePathError as exc:
            raise ConfigurationError(f"the rotation state file: {exc}") from None
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"the rotation state file {self.path} cannot be read ({type(exc).__name__}); "
                "fix or move it (it holds key hashes only, never keys)"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("stores"), dict):
            raise ConfigurationError(
                f"the rotation state file {self.path} is not in the expected format"
            )
        return data

    def entry(self, store: str) -> dict[str, Any]:
        entry = self.load()["stores"].get(store)
        return dict(entry) if isinstance(entry, dict) else {}

    def save_entry(self, store: str, entry: dict[str, Any] | None) -> None:
        """Replace ``store``'s entry (``None`` removes it). Call under :meth:`locked`."""
        data = self.load()
        if entry is None:
            data["stores"].pop(store, None)
        else:
            data["stores"][store] = entry
        data["version"] = _VERSION
        # Renamed over the name, never written through a link planted there.
        ensure_dir(self.path.parent)
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        replace_file(self.path, text.encode("utf-8"), 0o600)
