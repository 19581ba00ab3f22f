"""Shared test set-up.

Services (gnome-keyring, redis-server, moto, OpenBao, the loopback OpenRouter server)
are started by fixtures on 127.0.0.1. When one cannot start, :func:`service_missing`
skips the test with the reason on a developer's machine, and *fails* it when the
``CI`` environment variable is set, so a green CI never hides a gap.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import openrouter_secure as ors
from openrouter_secure import _known

pytest_plugins = [
    "tests.services",
    "tests.secrets_services",
    "tests.openrouter_services",
    "tests.client_fixtures",
    "tests.mcp_audit",
    "tests.redirect_servers",
]


def pytest_configure(config: pytest.Config) -> None:
    # No test may write a fingerprint key (or anything else) into the real home.
    os.environ.setdefault("OPENROUTER_SECURE_FINGERPRINT_KEY", "test-fingerprint-key-0123456789")
    # Tests run the CLI in subprocesses under a fresh HOME each: with the compiled
    # Hyperscan databases kept in that HOME's cache, every one of them would compile the
    # rules again (about three seconds of CPU). They share one directory instead, outside
    # any home; the tests of the cache itself set their own.
    os.environ.setdefault("OPENROUTER_SECURE_CACHE_DIR", str(_shared_database_cache()))


def _shared_database_cache() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    root = Path(tempfile.gettempdir()) / f"openrouter-secure-tests-{uid}"
    root.mkdir(mode=0o700, exist_ok=True)
    root.chmod(0o700)  # (the cache reads only a directory nobody else may write)
    cache = root / "hyperscan-databases"
    cache.mkdir(mode=0o700, exist_ok=True)
    return cache


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The live test needs a real key and the internet: without a key it is left out of
    # the run (deselected, and counted as such), never reported as a skip.
    if os.environ.get("OPENROUTER_API_KEY"):
        return
    live = [item for item in items if item.get_closest_marker("live") is not None]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [item for item in items if item.get_closest_marker("live") is None]


@pytest.fixture(autouse=True)
def _isolated_cache() -> Iterator[None]:
    """Each test starts with an empty resolve() cache."""
    ors.get_cache().clear()
    yield
    ors.get_cache().clear()


@pytest.fixture(autouse=True)
def _no_retired_values_from_earlier_tests() -> Iterator[None]:
    """Values a test revealed stay masked for the life of the process (retired, up to
    256): each test starts without those of the tests before it, so no test depends on
    the order of the run, and no sanitizer compiles hundreds of stale values."""
    yield
    with _known._lock:
        if _known._retired:
            _known._retired.clear()
            _known._retired_chars = 0
            _known._publish()


@pytest.fixture
def canary() -> str:
    """A fresh random OpenRouter-shaped key, made at run time."""
    from openrouter_secure.testing import make_canary

    return make_canary()


@pytest.fixture
def known_values_snapshot() -> frozenset[str]:
    return _known.known_values()


@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home
