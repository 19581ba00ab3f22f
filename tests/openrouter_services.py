"""Fixtures for the loopback OpenRouter API (``openrouter_secure.testing.OpenRouterTestServer``).

Registered in ``tests/conftest.py``. Every test that talks to "OpenRouter" uses these:
a real HTTP server on 127.0.0.1, a normal key and a management key made at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from openrouter_secure import RedactingClient, Secret
from openrouter_secure._events import subscribe, unsubscribe
from openrouter_secure.testing import OpenRouterTestServer, StoredKey

__all__ = [
    "openrouter_client_factory",
    "openrouter_events",
    "openrouter_key",
    "openrouter_management_key",
    "openrouter_server",
]


@pytest.fixture
def openrouter_server() -> Iterator[OpenRouterTestServer]:
    """A fresh loopback OpenRouter server (starts in milliseconds; one per test)."""
    try:
        server = OpenRouterTestServer().start()
    except OSError as exc:  # pragma: no cover - only when loopback sockets are forbidden
        from tests.services import service_missing

        service_missing(f"cannot listen on 127.0.0.1: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def openrouter_key(openrouter_server: OpenRouterTestServer) -> StoredKey:
    """A normal (completion) key stored in the server; ``.key`` is the value."""
    return openrouter_server.add_key(name="test key")


@pytest.fixture
def openrouter_management_key(openrouter_server: OpenRouterTestServer) -> StoredKey:
    """A management key stored in the server."""
    return openrouter_server.add_key(management=True, name="management key")


@pytest.fixture
def openrouter_client_factory(
    openrouter_server: OpenRouterTestServer,
) -> Iterator[Callable[..., RedactingClient]]:
    """``make(api_key, **kwargs)``: a ``RedactingClient`` for the loopback server, with
    millisecond backoffs; a ``StoredKey`` is passed as a ``Secret``. Closed afterwards."""
    made: list[RedactingClient] = []

    def make(api_key: Any, **kwargs: Any) -> RedactingClient:
        kwargs.setdefault("base_url", openrouter_server.base_url)
        kwargs.setdefault("allow_insecure_loopback", True)
        kwargs.setdefault("backoff_base", 0.01)
        kwargs.setdefault("backoff_max", 0.02)
        if isinstance(api_key, StoredKey):
            api_key = Secret(api_key.key)
        client = RedactingClient(api_key, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def openrouter_events() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every in-process event emitted during the test, as (name, fields)."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def listener(name: str, fields: dict[str, Any]) -> None:
        seen.append((name, fields))

    subscribe(listener)
    yield seen
    unsubscribe(listener)
