"""Every stream is charged, however it ends: a stream left early, cut by an upstream
error, or dropped by the connection records usage (an estimate when OpenRouter sent no
usage block), so an attached Budget sees it. Over the loopback OpenRouter server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from openrouter_secure import (
    AsyncRedactingClient,
    BudgetExceeded,
    OpenRouterError,
    RedactingClient,
    Secret,
)
from openrouter_secure._client import _chat
from openrouter_secure.limits import Budget
from openrouter_secure.testing import OpenRouterTestServer, ScriptedResponse, StoredKey

MODEL = "openai/gpt-4o-mini"
WORDS = ["word "] * 200
MESSAGES = [{"role": "user", "content": "write a long story"}]


Events = list[tuple[str, dict[str, Any]]]


def _usage(events: Events) -> list[dict[str, Any]]:
    return [fields for name, fields in events if name == "usage.recorded"]


@pytest.fixture
def client(
    openrouter_client_factory: Callable[..., RedactingClient], openrouter_key: StoredKey
) -> RedactingClient:
    return openrouter_client_factory(openrouter_key, max_retries=0, check_key_type=False)


def _stream(server: OpenRouterTestServer, client: RedactingClient, **options: Any) -> Any:
    server.script("/chat/completions", ScriptedResponse.stream(WORDS, model=MODEL))
    return client.chat(model=MODEL, messages=MESSAGES, stream=True, **options)


def test_a_stream_closed_after_two_chunks_is_charged_its_max_tokens(
    openrouter_server: OpenRouterTestServer,
    client: RedactingClient,
    openrouter_events: Events,
) -> None:
    stream = _stream(openrouter_server, client, max_tokens=300)
    it = iter(stream)
    next(it)
    next(it)
    stream.close()
    stream.close()  # closing twice records once
    assert len(_usage(openrouter_events)) == 1
    assert _usage(openrouter_events)[0]["completion_tokens"] == 300
    assert _usage(openrouter_events)[0]["estimated"] is True
    assert _usage(openrouter_events)[0]["prompt_tokens"] > 0


def test_without_max_tokens_a_left_stream_is_charged_the_default_worst_case(
    openrouter_server: OpenRouterTestServer,
    client: RedactingClient,
    openrouter_events: Events,
) -> None:
    with _stream(openrouter_server, client) as stream:
        next(iter(stream))
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [
        _chat.ABANDONED_STREAM_TOKENS
    ]


def test_a_stream_never_read_is_charged(
    openrouter_server: OpenRouterTestServer,
    client: RedactingClient,
    openrouter_events: Events,
) -> None:
    _stream(openrouter_server, client, max_tokens=50).close()
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [50]


def test_a_stream_cut_by_an_upstream_error_is_charged_what_it_produced(
    openrouter_server: OpenRouterTestServer,
    client: RedactingClient,
    openrouter_events: Events,
) -> None:
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.stream(WORDS, model=MODEL, error_after=150)
    )
    with pytest.raises(OpenRouterError):
        for _ in client.chat(model=MODEL, messages=MESSAGES, stream=True):
            pass
    assert len(_usage(openrouter_events)) == 1
    assert _usage(openrouter_events)[0]["completion_tokens"] == len("word " * 150) // 4 + 1
    assert _usage(openrouter_events)[0]["estimated"] is True


def test_a_finished_stream_is_charged_once_from_its_usage_block(
    openrouter_server: OpenRouterTestServer,
    client: RedactingClient,
    openrouter_events: Events,
) -> None:
    stream = _stream(openrouter_server, client)
    for _ in stream:
        pass
    stream.close()
    assert len(_usage(openrouter_events)) == 1
    assert _usage(openrouter_events)[0]["completion_tokens"] == len(WORDS)
    assert _usage(openrouter_events)[0]["estimated"] is False


def test_a_budget_stops_a_caller_who_abandons_streams(
    openrouter_server: OpenRouterTestServer, client: RedactingClient
) -> None:
    budget = Budget("2000 tokens/day").attach()
    try:
        started = 0

        def abandon_streams() -> None:
            nonlocal started
            for _ in range(20):
                budget.require(client.key_ref)
                stream = _stream(openrouter_server, client, max_tokens=500)
                it = iter(stream)
                next(it)
                next(it)
                stream.close()
                started += 1

        with pytest.raises(BudgetExceeded):
            abandon_streams()
        assert started == 4
    finally:
        budget.detach()


def test_async_streams_left_early_are_charged(
    openrouter_server: OpenRouterTestServer,
    openrouter_key: StoredKey,
    openrouter_events: Events,
) -> None:
    async def run() -> None:
        async with AsyncRedactingClient(
            Secret(openrouter_key.key),
            base_url=openrouter_server.base_url,
            allow_insecure_loopback=True,
            max_retries=0,
            check_key_type=False,
        ) as client:
            openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
            stream = await client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=120)
            async for _ in stream:
                break
            await stream.aclose()

    asyncio.run(run())
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [120]
