"""Against the real OpenRouter API: runs only when ``OPENROUTER_API_KEY`` is set.

Deselected otherwise (``conftest.py``; CI has no key and no internet).
``OPENROUTER_LIVE_MODEL`` picks the model for the one tiny completion (default
``openai/gpt-4o-mini``, 5 tokens).
"""

from __future__ import annotations

import os

import pytest

from openrouter_secure import RedactingClient
from openrouter_secure.testing import LeakCheck

pytestmark = pytest.mark.live


@pytest.fixture
def live_client() -> RedactingClient:
    return RedactingClient("env://OPENROUTER_API_KEY", app_title="openrouter-secure tests")


def test_live_key_info_models_and_a_tiny_completion(live_client: RedactingClient) -> None:
    key = os.environ["OPENROUTER_API_KEY"]
    model = os.environ.get("OPENROUTER_LIVE_MODEL", "openai/gpt-4o-mini")
    with live_client, LeakCheck(key) as leaks:
        info = live_client.key_info()
        assert isinstance(info.usage, float)
        assert any(m.id == model for m in live_client.models())
        reply = live_client.chat(
            model=model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=5
        )
        assert reply.id
        assert reply.usage is not None
        leaks.check(repr(reply), repr(info), repr(live_client))
