from __future__ import annotations

import stat
from pathlib import Path

import pytest

from openrouter_secure import ConfigurationError
from openrouter_secure._sanitize._fingerprint import fingerprint, fingerprint_key_path


def test_same_text_same_fingerprint() -> None:
    assert fingerprint("hello") == fingerprint("hello")
    assert fingerprint("hello") != fingerprint("hello!")


def test_fingerprint_depends_on_the_key() -> None:
    assert fingerprint("x", key=b"k" * 32) != fingerprint("x", key=b"j" * 32)


def test_format() -> None:
    value = fingerprint("x")
    assert value.startswith("hmac-sha256:")
    assert len(value.split(":")[1]) == 16


def test_key_file_is_created_private(tmp_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_SECURE_FINGERPRINT_KEY")
    first = fingerprint("x")
    path = fingerprint_key_path()
    assert path.is_relative_to(tmp_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert fingerprint("x") == first


def test_short_env_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_SECURE_FINGERPRINT_KEY", "short")
    with pytest.raises(ConfigurationError, match="16 characters"):
        fingerprint("x")
