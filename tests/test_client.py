"""RedactingClient against the loopback OpenRouter server: requests, results, streaming,
endpoints, management keys, limiter, events and logging (HTTPS rules, 401 handling,
errors and retries are in ``test_client_transport.py``).

Every test talks to a real HTTP server on 127.0.0.1 (``OpenRouterTestServer``); nothing
is patched. Backoffs are configured in milliseconds to keep the suite fast.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from openrouter_secure import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    ManagementKeyError,
    NotFoundError,
    OpenRouterConnectionError,
    PaymentRequiredError,
    RateLimitExceeded,
    RedactingClient,
    Secret,
    UpstreamError,
)
from openrouter_secure.testing import (
    LeakCheck,
    OpenRouterTestServer,
    ScriptedResponse,
    StoredKey,
    make_canary,
)
from openrouter_secure.types import ChatCompletion
from tests.client_fixtures import HELLO, MODEL, MakeClient

# -- chat --------------------------------------------------------------------------------


def test_chat_returns_a_typed_completion(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    result = client.chat(model=MODEL, messages=HELLO)
    assert isinstance(result, ChatCompletion)
    assert result.content == openrouter_server.reply
    assert result.model == MODEL
    assert result.id.startswith("gen-")
    assert result.usage is not None
    assert result.usage.completion_tokens == len(openrouter_server.reply.split())
    assert result.usage.cost is not None
    assert result.usage.cost > 0
    assert result.choices[0].finish_reason == "stop"


def test_chat_sends_the_key_as_bearer_and_the_body(
    client: RedactingClient, openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    client.chat(model=MODEL, messages=HELLO, temperature=0.2, max_tokens=3, models=[MODEL])
    sent = openrouter_server.requests_to("/chat/completions")[-1]
    assert sent.header("authorization") == f"Bearer {openrouter_key.key}"
    body = sent.json()
    assert body["model"] == MODEL
    assert body["messages"] == HELLO
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 3
    assert body["models"] == [MODEL]
    assert body["usage"] == {"include": True}


def test_max_tokens_is_honoured_by_the_server(client: RedactingClient) -> None:
    assert len(client.chat(model=MODEL, messages=HELLO, max_tokens=2).content.split()) == 2


def test_app_attribution_headers_are_sent(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_key, app_url="https://example.org/app", app_title="My App")
    client.chat(model=MODEL, messages=HELLO)
    sent = openrouter_server.requests_to("/chat/completions")[-1]
    assert sent.header("http-referer") == "https://example.org/app"
    assert sent.header("x-title") == "My App"


def test_no_attribution_headers_unless_configured(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    client.chat(model=MODEL, messages=HELLO)
    sent = openrouter_server.requests_to("/chat/completions")[-1]
    assert sent.header("http-referer") is None
    assert sent.header("x-title") is None


def test_the_key_reference_is_resolved_lazily(
    make_client: MakeClient,
    openrouter_key: StoredKey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ORS_TEST_LAZY_KEY", raising=False)
    client = make_client("env://ORS_TEST_LAZY_KEY")  # the variable does not exist yet
    monkeypatch.setenv("ORS_TEST_LAZY_KEY", openrouter_key.key)
    assert client.chat(model=MODEL, messages=HELLO).content


def test_a_callable_key_is_called_for_the_key(
    make_client: MakeClient, openrouter_key: StoredKey
) -> None:
    calls = []

    def key() -> Secret:
        calls.append(1)
        return Secret(openrouter_key.key)

    client = make_client(key)
    client.chat(model=MODEL, messages=HELLO)
    assert calls
    assert "<callable" in client.key_ref


def test_results_do_not_show_content_in_repr(client: RedactingClient) -> None:
    result = client.chat(model=MODEL, messages=HELLO)
    assert result.content not in repr(result)
    assert result.id in repr(result)


# -- streaming ---------------------------------------------------------------------------


def test_stream_yields_delta_chunks_and_usage_on_the_last(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    with client.chat(model=MODEL, messages=HELLO, stream=True) as stream:
        chunks = list(stream)
    assert "".join(c.content for c in chunks).strip() == openrouter_server.reply
    assert chunks[-1].usage is not None
    assert chunks[-1].finish_reason == "stop"
    assert all(c.usage is None for c in chunks[:-1])
    assert stream.usage == chunks[-1].usage


def test_stream_skips_processing_comments(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(["a", "b"]))
    chunks = list(client.chat(model=MODEL, messages=HELLO, stream=True))
    assert [c.content for c in chunks] == ["", "a", "b", ""]


def test_error_inside_a_stream_raises_after_the_chunks_before_it(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/chat/completions",
        ScriptedResponse.stream(["one", "two", "three"], error_after=2, error_message="boom"),
    )
    got: list[str] = []

    def consume() -> None:
        for chunk in client.chat(model=MODEL, messages=HELLO, stream=True):
            got.append(chunk.content)

    with pytest.raises(UpstreamError) as info:
        consume()
    assert got == ["", "one", "two"]
    assert info.value.status_code == 502
    assert "boom" in str(info.value)
    assert info.value.generation_id
    assert info.value.generation_id.startswith("gen-")


def test_stream_error_with_a_string_code_is_upstream(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/chat/completions",
        ScriptedResponse.stream(["x"], error_after=0, error_code="server_error"),
    )
    with pytest.raises(UpstreamError) as info:
        list(client.chat(model=MODEL, messages=HELLO, stream=True))
    assert info.value.code == "server_error"


def test_stream_cut_before_done_raises(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    events = ScriptedResponse.stream(["a"]).sse or []
    openrouter_server.script(
        "/chat/completions", ScriptedResponse(200, sse=[e for e in events if "[DONE]" not in e])
    )
    with pytest.raises(OpenRouterConnectionError, match="before \\[DONE\\]"):
        list(client.chat(model=MODEL, messages=HELLO, stream=True))


def test_error_status_before_a_stream_starts_raises_at_the_call(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.error(400, "bad model"))
    with pytest.raises(BadRequestError):
        client.chat(model=MODEL, messages=HELLO, stream=True)


def test_error_with_http_200_raises_by_its_code(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.error(502, "provider fell over", http_status=200)
    )
    with pytest.raises(UpstreamError) as info:
        client.chat(model=MODEL, messages=HELLO)
    assert info.value.status_code == 502


# -- the other endpoints -------------------------------------------------------------------


def test_models_and_endpoints(client: RedactingClient) -> None:
    models = client.models()
    assert MODEL in [m.id for m in models]
    assert all(m.context_length > 0 and m.pricing for m in models)
    endpoints = client.model_endpoints("openai", "gpt-4o-mini")
    assert endpoints.id == MODEL
    assert endpoints.providers == ["Loopback"]
    with pytest.raises(NotFoundError):
        client.model_endpoints("nobody", "nothing")


def test_generation_reports_the_cost_of_a_completion(client: RedactingClient) -> None:
    result = client.chat(model=MODEL, messages=HELLO)
    generation = client.generation(result.id)
    assert generation.id == result.id
    assert result.usage is not None
    assert generation.total_cost == result.usage.cost
    assert generation.tokens_completion == result.usage.completion_tokens
    with pytest.raises(NotFoundError):
        client.generation("gen-missing")


def test_key_info_reports_usage_and_limit(
    make_client: MakeClient, openrouter_server: OpenRouterTestServer
) -> None:
    key = openrouter_server.add_key(limit=5.0)
    client = make_client(key)
    client.chat(model=MODEL, messages=HELLO)
    info = client.key_info()
    assert info.limit == 5.0
    assert info.usage > 0
    assert info.limit_remaining == pytest.approx(5.0 - info.usage)
    assert info.is_management_key is False
    assert key.key not in repr(info)
    assert key.key not in info.label


def test_credits_and_activity_need_a_management_key(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_management_key: StoredKey
) -> None:
    make_client(openrouter_key).chat(model=MODEL, messages=HELLO)
    admin = make_client(openrouter_management_key)
    credits = admin.credits()
    assert credits.total_credits == 100.0
    assert 0 < credits.total_usage < 1
    assert credits.remaining == pytest.approx(100.0 - credits.total_usage)
    rows = admin.activity()
    assert rows
    assert rows[0].model == MODEL
    assert rows[0].requests == 1
    assert admin.activity(date="1999-01-01") == []
    with pytest.raises(BadRequestError):
        admin.activity(date="yesterday")
    with pytest.raises(ForbiddenError):
        make_client(openrouter_key).credits()


def test_key_management_round_trip(
    make_client: MakeClient, openrouter_management_key: StoredKey
) -> None:
    admin = make_client(openrouter_management_key)
    created = admin.create_key("rotation-test", limit=2.0, expires_at="2999-01-01T00:00:00Z")
    assert isinstance(created.key, Secret)
    assert created.hash
    assert created.key.reveal() not in repr(created)
    assert "key" not in created.info.raw
    worker = make_client(created.key)
    assert worker.chat(model=MODEL, messages=HELLO).content  # the new key works at once
    assert created.hash in [k.hash for k in admin.list_keys()]
    assert admin.get_key(created.hash).limit == 2.0
    updated = admin.update_key(created.hash, disabled=True, name="renamed")
    assert updated.disabled
    assert updated.name == "renamed"
    with pytest.raises(AuthenticationError):
        make_client(created.key, check_key_type=False).chat(model=MODEL, messages=HELLO)
    assert admin.delete_key(created.hash) is True
    with pytest.raises(NotFoundError):
        admin.get_key(created.hash)


def test_key_over_its_limit_gets_payment_required(
    make_client: MakeClient, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_server.add_key(limit=0.0))
    with pytest.raises(PaymentRequiredError) as info:
        client.chat(model=MODEL, messages=HELLO)
    assert info.value.status_code == 402


# -- management keys ------------------------------------------------------------------------


def test_completions_with_a_management_key_are_refused_before_sending(
    make_client: MakeClient,
    openrouter_management_key: StoredKey,
    openrouter_server: OpenRouterTestServer,
) -> None:
    client = make_client(openrouter_management_key)
    with pytest.raises(ManagementKeyError, match="management key"):
        client.chat(model=MODEL, messages=HELLO)
    with pytest.raises(ManagementKeyError):
        client.chat(model=MODEL, messages=HELLO, stream=True)
    assert openrouter_server.requests_to("/chat/completions") == []
    assert len(openrouter_server.requests_to("/key")) == 1  # the answer is cached


def test_the_key_type_is_checked_once_per_key(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    for _ in range(3):
        client.chat(model=MODEL, messages=HELLO)
    assert len(openrouter_server.requests_to("/key")) == 1


def test_key_type_check_can_be_turned_off(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    make_client(openrouter_key, check_key_type=False).chat(model=MODEL, messages=HELLO)
    assert openrouter_server.requests_to("/key") == []


# -- limiter ---------------------------------------------------------------------------------


class _Refusal:
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after

    def __bool__(self) -> bool:
        return False


class CountingLimiter:
    """A duck-typed limiter: refuses the first ``refusals`` hits of each key."""

    limit = "2/second"

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.hits: list[str] = []

    def hit(self, key: str) -> Any:
        self.hits.append(key)
        if self.hits.count(key) <= self.refusals:
            return _Refusal(0.01)
        return True


def test_a_refusing_limiter_fails_fast_without_sending(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    limiter = CountingLimiter(refusals=1)
    client = make_client(openrouter_key, limiter=limiter)
    with pytest.raises(RateLimitExceeded) as info:
        client.chat(model=MODEL, messages=HELLO)
    assert info.value.retry_after == 0.01
    assert openrouter_server.requests_to("/chat/completions") == []
    assert limiter.hits[0] == "key:<Secret>"


def test_a_limiter_can_make_the_client_wait(
    make_client: MakeClient, openrouter_key: StoredKey
) -> None:
    limiter = CountingLimiter(refusals=2)
    client = make_client(openrouter_key, limiter=limiter, limiter_wait=True)
    assert client.chat(model=MODEL, messages=HELLO).content
    assert limiter.hits.count(f"model:{MODEL}") == 3


# -- events and logging ------------------------------------------------------------------------


def test_usage_is_recorded_as_an_event(
    make_client: MakeClient,
    openrouter_key: StoredKey,
    monkeypatch: pytest.MonkeyPatch,
    events: list[tuple[str, dict[str, Any]]],
) -> None:
    monkeypatch.setenv("ORS_TEST_USAGE_KEY", openrouter_key.key)
    client = make_client("env://ORS_TEST_USAGE_KEY")
    result = client.chat(model=MODEL, messages=HELLO)
    list(client.chat(model=MODEL, messages=HELLO, stream=True))
    usage = [f for name, f in events if name == "usage.recorded"]
    assert len(usage) == 2
    assert result.usage is not None
    assert usage[0] == {
        "key_ref": "env://ORS_TEST_USAGE_KEY",
        "model": MODEL,
        "prompt_tokens": result.usage.prompt_tokens,
        "completion_tokens": result.usage.completion_tokens,
        "cost": result.usage.cost,
        "generation_id": result.id,
        "estimated": False,
    }


def test_debug_logs_hold_metadata_but_no_content(
    make_client: MakeClient, openrouter_key: StoredKey
) -> None:
    prompt = "tell me about " + make_canary("plain")
    client = make_client(openrouter_key)
    with LeakCheck(prompt, openrouter_key.key) as leaks:
        client.chat(
            model=MODEL,
            messages=[
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": prompt},
            ],
        )
    text = "\n".join(leaks.messages)
    assert "model=openai/gpt-4o-mini" in text
    assert "messages=2" in text
    assert "roles=['system', 'user']" in text
    assert f"content_chars=[8, {len(prompt)}]" in text
    assert "prompt_tokens=" in text
    assert "POST /api/v1/chat/completions -> 200" in text
    assert "PRIVACY WARNING" not in text


def test_log_content_warns_once_and_logs_sanitized_truncated_text(
    make_client: MakeClient, openrouter_key: StoredKey
) -> None:
    secret_in_prompt = make_canary()
    prompt = f"my key is {secret_in_prompt} " + "y" * 200
    Secret(secret_in_prompt)  # the sanitizer knows it now, as it would any resolved key
    client = make_client(openrouter_key, log_content=True)
    with LeakCheck(secret_in_prompt, openrouter_key.key) as leaks:
        client.chat(model=MODEL, messages=[{"role": "user", "content": prompt}])
        client.chat(model=MODEL, messages=[{"role": "user", "content": prompt}])
    warnings = [r for r in leaks.records if "PRIVACY WARNING" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    content = [m for m in leaks.messages if m.startswith("chat content role=user")]
    assert len(content) == 2
    assert "my key is" in content[0]
    assert "y" * 101 not in content[0]


def test_the_privacy_warning_is_logged_even_without_debug(
    make_client: MakeClient, openrouter_key: StoredKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="openrouter_secure.client")
    make_client(openrouter_key, log_content=True).chat(model=MODEL, messages=HELLO)
    assert any("PRIVACY WARNING" in r.getMessage() for r in caplog.records)


def test_the_real_rate_limiter_plugs_in(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    pytest.importorskip("limits")
    from openrouter_secure.limits import RateLimiter

    client = make_client(openrouter_key, limiter=RateLimiter("2/minute"))
    client.chat(model=MODEL, messages=HELLO)
    client.chat(model=MODEL, messages=HELLO)
    with pytest.raises(RateLimitExceeded) as info:
        client.chat(model=MODEL, messages=HELLO)
    assert info.value.retry_after is not None
    assert info.value.retry_after > 0
    assert len(openrouter_server.requests_to("/chat/completions")) == 2
