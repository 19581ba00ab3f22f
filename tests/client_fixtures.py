"""Fixtures and constants shared by the sync client's test modules (a pytest plugin
registered in conftest.py; modules import the constants)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openrouter_secure import RedactingClient
from openrouter_secure.testing import StoredKey

MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "Say hello"}]

MakeClient = Callable[..., RedactingClient]


@pytest.fixture
def make_client(openrouter_client_factory: MakeClient) -> MakeClient:
    return openrouter_client_factory


@pytest.fixture
def client(make_client: MakeClient, openrouter_key: StoredKey) -> RedactingClient:
    return make_client(openrouter_key)


@pytest.fixture
def events(
    openrouter_events: list[tuple[str, dict[str, Any]]],
) -> list[tuple[str, dict[str, Any]]]:
    return openrouter_events
