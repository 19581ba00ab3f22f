"""Keyed fingerprints: tell whether two texts are equal without keeping either.

A plain SHA-256 of a short prompt or a weak password lets anyone holding the hash
confirm a guess offline. An HMAC-SHA256 under a key that never leaves the machine
does not. The key comes from, in order:

1. ``OPENROUTER_SECURE_FINGERPRINT_KEY`` (hex or any text of 16+ characters), so a team
   can share fingerprints across machines;
2. ``$XDG_CONFIG_HOME/openrouter-secure/fingerprint.key`` (``~/.config/...`` when
   unset), created on first use with 32 random bytes, mode 0600, written atomically.

Fingerprints look like ``hmac-sha256:1f2e3d4c5b6a7988`` (64 bits: enough to tell
texts apart, too short to be a useful oracle).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

__all__ = ["fingerprint", "fingerprint_key_path"]

_ENV = "OPENROUTER_SECURE_FINGERPRINT_KEY"
_lock = threading.Lock()
_cached: tuple[str, bytes] | None = None


def fingerprint_key_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "openrouter-secure" / "fingerprint.key"


def _load_or_create(path: Path) -> bytes:
    try:
        data = path.read_bytes()
        if len(data) >= 16:
            return data
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() fails if another process won the race: then use its key.
        os.link(tmp, path)
    except FileExistsError:
        return path.read_bytes()
    finally:
        tmp.unlink()
    return key


def _key() -> bytes:
    global _cached
    env = os.environ.get(_ENV)
    source = f"env:{env}" if env else f"file:{fingerprint_key_path()}"
    cached = _cached
    if cached is not None and cached[0] == source:
        return cached[1]
    with _lock:
        if env:
            if len(env) < 16:
                from .._exceptions import ConfigurationError

                raise ConfigurationError(f"{_ENV} must be at least 16 characters long")
            key = env.encode()
        else:
            key = _load_or_create(fingerprint_key_path())
        _cached = (source, key)
        return key


def fingerprint(data: str | bytes, *, key: bytes | None = None) -> str:
    """``hmac-sha256:<16 hex>`` of ``data`` under the machine's fingerprint key."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    digest = hmac.new(key if key is not None else _key(), raw, hashlib.sha256).hexdigest()
    return f"hmac-sha256:{digest[:16]}"
