"""benchmark_models against the loopback OpenRouter server, through the real client.

Canaries (a key, a secret inside the prompt, a word of the prompt, a word of the
model's answer) are made at run time; every test that saves reads the file's bytes.
"""

from __future__ import annotations

import json
import logging
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import openrouter_secure as ors
from openrouter_secure import AsyncRedactingClient, RedactingClient, Secret, UnsafePathError
from openrouter_secure._sanitize._sanitizer import default_sanitizer
from openrouter_secure.benchmark import _benchmark as bench_mod
from openrouter_secure.benchmark import abenchmark_models, benchmark_models
from openrouter_secure.testing import (
    LeakCheck,
    OpenRouterTestServer,
    ScriptedResponse,
    assert_no_leak,
    make_canary,
)

MODELS = ["openai/gpt-4o-mini", "anthropic/claude-3.5-haiku"]


def word() -> str:
    return "w" + secrets.token_hex(10)


@pytest.fixture
def server() -> Iterator[OpenRouterTestServer]:
    with OpenRouterTestServer() as srv:
        yield srv


@pytest.fixture
def api_key(server: OpenRouterTestServer) -> str:
    return server.add_key(make_canary()).key


@pytest.fixture
def client(server: OpenRouterTestServer, api_key: str) -> Iterator[RedactingClient]:
    with RedactingClient(
        Secret(api_key), base_url=server.base_url, allow_insecure_loopback=True, max_retries=0
    ) as c:
        yield c


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return tmp_path / "results"


def test_saved_file_holds_no_prompt_response_or_key(
    server: OpenRouterTestServer, client: RedactingClient, api_key: str, results: Path
) -> None:
    prompt_word, answer_word, planted = word(), word(), make_canary()
    server.reply = f"The answer is {answer_word} indeed"
    prompt = f"Summarise {prompt_word} and keep {planted} safe"
    with LeakCheck(api_key, planted, prompt_word, answer_word) as leaks:
        result = benchmark_models(MODELS, prompt, client=client, runs=2, results_dir=results)
        assert result.path is not None
        raw = result.path.read_bytes()
        leaks.check(raw, repr(result), result.to_json(), result.to_markdown(), result.to_csv())
    data = json.loads(raw)
    assert data["privacy_mode"] is True
    assert data["prompt"] == f"<REDACTED: {len(prompt)} chars>"
    assert {r["response"] for r in data["runs"]} == {
        f"<REDACTED: {len(' '.join(server.reply.split())) + 1} chars>"
    }


def test_every_run_succeeds_and_reaches_the_server(
    server: OpenRouterTestServer, client: RedactingClient, results: Path
) -> None:
    result = benchmark_models(MODELS, "hi there", client=client, runs=3, results_dir=results)
    assert [m.ok for m in result.models] == [3, 3]
    assert len(server.requests_to("/chat/completions")) == 6


def test_saved_file_is_private_and_inside_the_results_dir(
    client: RedactingClient, results: Path
) -> None:
    result = benchmark_models(MODELS[:1], "hello", client=client, results_dir=results)
    assert result.path is not None
    assert result.path.parent == results.resolve()
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert [p.name for p in results.iterdir()] == [result.path.name]


def test_fingerprints_let_the_prompt_holder_match_the_result(
    server: OpenRouterTestServer, client: RedactingClient, results: Path
) -> None:
    prompt = f"what is {word()}?"
    result = benchmark_models(MODELS[:1], prompt, client=client, results_dir=results)
    fingerprint = default_sanitizer().fingerprint
    assert result.prompt_fingerprint == fingerprint(prompt)
    answer = "".join(w + " " for w in server.reply.split())
    assert result.runs[0].response_fingerprint == fingerprint(answer)
    assert result.prompt_fingerprint != fingerprint(prompt + " ")


def test_tokens_cost_and_timings_are_reported_per_model(
    server: OpenRouterTestServer, client: RedactingClient
) -> None:
    server.reply = "one two three four five"
    result = benchmark_models(
        MODELS, "a b c", client=client, runs=2, save_results=False, concurrency=1
    )
    for stats in result.models:
        assert stats.prompt_tokens_mean == 3
        assert stats.completion_tokens_mean == 5
        assert stats.cost_mean == pytest.approx(8e-6)
        assert stats.latency_p50 is not None
        assert stats.ttft_p50 is not None
        assert stats.ttft_p50 <= stats.latency_p50
        assert stats.tokens_per_second_mean is not None
    assert {r.cost_source for r in result.runs} == {"usage"}


def test_cost_comes_from_the_generation_endpoint_when_usage_has_none(
    server: OpenRouterTestServer, client: RedactingClient
) -> None:
    gid = "gen-" + secrets.token_hex(8)
    chunk = {
        "id": gid,
        "model": MODELS[0],
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    server.generations[gid] = {"id": gid, "model": MODELS[0], "total_cost": 0.25}
    server.script(
        "/chat/completions", ScriptedResponse(sse=["data: " + json.dumps(chunk), "data: [DONE]"])
    )
    result = benchmark_models(MODELS[:1], "x", client=client, save_results=False)
    assert (result.runs[0].cost, result.runs[0].cost_source) == (0.25, "generation")


def test_errors_are_counted_by_error_class(
    server: OpenRouterTestServer, client: RedactingClient
) -> None:
    secret_detail = word()
    server.script(
        "/chat/completions",
        ScriptedResponse.error(402, f"no credits {secret_detail}"),
        ScriptedResponse.stream(["a", "b"], error_after=1),
    )
    result = benchmark_models(
        MODELS[:1], "x", client=client, runs=3, concurrency=1, save_results=False
    )
    stats = result.models[0]
    assert stats.errors == {"PaymentRequiredError": 1, "UpstreamError": 1}
    assert (stats.ok, stats.error_rate) == (1, pytest.approx(2 / 3))
    assert next(r.status_code for r in result.runs if not r.ok) == 402
    assert_no_leak(secret_detail, result.to_json())


def test_an_unknown_model_is_recorded_as_bad_request(client: RedactingClient) -> None:
    result = benchmark_models(["no/such-model"], "x", client=client, runs=2, save_results=False)
    assert result.models[0].errors == {"BadRequestError": 2}
    assert result.models[0].error_rate == 1.0


def test_consent_keeps_content_masks_secrets_and_warns_once(
    server: OpenRouterTestServer,
    client: RedactingClient,
    api_key: str,
    results: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench_mod, "_warned", False)
    answer_word = word()
    server.reply = f"sure {answer_word}"
    planted = make_canary()  # never registered anywhere: found by the sanitizer's rules
    prompt = f"please use key {api_key} or {planted} for {answer_word}"
    with LeakCheck(api_key, planted) as leaks:
        first = benchmark_models(
            MODELS[:1], prompt, client=client, include_prompts_in_logs=True, results_dir=results
        )
        benchmark_models(
            MODELS[:1], prompt, client=client, include_prompts_in_logs=True, save_results=False
        )
        assert first.path is not None
        leaks.check(first.path.read_bytes(), repr(first))
    warnings = [m for m in leaks.messages if m.startswith("PRIVACY WARNING")]
    assert warnings == [bench_mod.PRIVACY_WARNING]
    assert first.privacy_mode is False
    assert answer_word in first.prompt
    assert first.runs[0].response is not None
    assert answer_word in first.runs[0].response


def test_privacy_mode_logs_no_warning_and_no_content(
    client: RedactingClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_mod, "_warned", False)
    prompt_word = word()
    with LeakCheck(prompt_word) as leaks:
        benchmark_models(MODELS[:1], f"say {prompt_word}", client=client, save_results=False)
    assert not any("PRIVACY WARNING" in m for m in leaks.messages)


def test_a_result_name_that_escapes_is_refused_before_any_request(
    server: OpenRouterTestServer, client: RedactingClient, tmp_path: Path
) -> None:
    for name in ("../escape.json", str(tmp_path / "abs.json"), "sub/x.json"):
        with pytest.raises(UnsafePathError):
            benchmark_models(MODELS[:1], "x", client=client, results_dir=tmp_path / "r", name=name)
    assert server.requests_to("/chat/completions") == []
    assert [p.name for p in tmp_path.iterdir()] in ([], ["r"])


def test_a_symlink_planted_as_the_result_name_is_not_followed(
    client: RedactingClient, tmp_path: Path
) -> None:
    results = tmp_path / "r"
    results.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (results / "out.json").symlink_to(victim)
    with pytest.raises(UnsafePathError):
        benchmark_models(MODELS[:1], "x", client=client, results_dir=results, name="out.json")
    assert victim.read_text() == "keep"


def test_default_results_dir_follows_xdg_data_home(
    client: RedactingClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(bench_mod.RESULTS_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = benchmark_models(MODELS[:1], "x", client=client)
    assert result.path is not None
    assert result.path.parent == (tmp_path / "data" / "openrouter-secure" / "benchmarks").resolve()


def test_messages_prompt_is_redacted_as_a_whole(client: RedactingClient) -> None:
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    result = benchmark_models(MODELS[:1], messages, client=client, save_results=False)
    assert result.prompt == "<REDACTED: 11 chars>"


def test_a_key_that_cannot_be_resolved_raises_instead_of_failing_every_run(
    server: OpenRouterTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ORS_NO_SUCH_KEY", raising=False)
    with (
        RedactingClient(
            "env://ORS_NO_SUCH_KEY", base_url=server.base_url, allow_insecure_loopback=True
        ) as client,
        pytest.raises(ors.SecretNotFoundError),
    ):
        benchmark_models(MODELS, "x", client=client, save_results=False)


async def test_async_configuration_error_raises_and_stops_the_other_runs(
    server: OpenRouterTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ORS_NO_SUCH_KEY", raising=False)
    async with AsyncRedactingClient(
        "env://ORS_NO_SUCH_KEY", base_url=server.base_url, allow_insecure_loopback=True
    ) as client:
        with pytest.raises(ors.SecretNotFoundError):
            await abenchmark_models(MODELS, "x", client=client, runs=3, save_results=False)
    assert server.requests_to("/chat/completions") == []


async def test_a_client_of_the_wrong_kind_is_refused(
    server: OpenRouterTestServer, client: RedactingClient, api_key: str
) -> None:
    with pytest.raises(ors.ConfigurationError, match="use benchmark_models"):
        await abenchmark_models(MODELS, "x", client=client, save_results=False)
    async with AsyncRedactingClient(
        Secret(api_key), base_url=server.base_url, allow_insecure_loopback=True
    ) as aclient:
        with pytest.raises(ors.ConfigurationError, match="use abenchmark_models"):
            benchmark_models(MODELS, "x", client=aclient, save_results=False)


class CountingClient:
    """A ChatClient of the caller's own: counts requests, passes them to a real client."""

    def __init__(self, inner: RedactingClient) -> None:
        self.inner = inner
        self.chats = 0

    def chat(self, *, model: str, messages: Any, stream: bool = False, **options: Any) -> Any:
        self.chats += 1
        return self.inner.chat(model=model, messages=messages, stream=stream, **options)

    def generation(self, id: str, /) -> ors.types.Generation:
        return self.inner.generation(id)


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
def test_any_client_that_fits_chat_client_is_benchmarked(
    client: RedactingClient, stream: bool
) -> None:
    counting = CountingClient(client)
    result = benchmark_models(
        MODELS[:1], "x", client=counting, stream=stream, runs=2, save_results=False
    )
    assert (counting.chats, result.models[0].ok) == (2, 2)


@pytest.mark.parametrize(
    ("models", "runs"), [([], 1), (["a", "a"], 1), (["a"], 0)], ids=["none", "dup", "zero"]
)
def test_bad_arguments_are_refused(client: RedactingClient, models: list[str], runs: int) -> None:
    with pytest.raises(ors.ConfigurationError):
        benchmark_models(models, "x", client=client, runs=runs, save_results=False)


async def test_async_benchmark_saves_the_same_private_result(
    server: OpenRouterTestServer, api_key: str, results: Path
) -> None:
    prompt_word, answer_word = word(), word()
    server.reply = f"async {answer_word}"
    async with AsyncRedactingClient(
        Secret(api_key), base_url=server.base_url, allow_insecure_loopback=True
    ) as client:
        result = await abenchmark_models(
            MODELS, f"tell {prompt_word}", client=client, runs=2, results_dir=results
        )
    assert [m.ok for m in result.models] == [2, 2]
    assert result.path is not None
    assert_no_leak([api_key, prompt_word, answer_word], result.path.read_bytes(), repr(result))
    assert all(r.ttft_s is not None for r in result.runs)


def test_client_is_made_from_api_key_reference_and_closed(
    server: OpenRouterTestServer, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORS_BENCH_KEY", api_key)
    # The default client talks to openrouter.ai; point this one at the loopback server.
    made: list[RedactingClient] = []

    class Loopback(RedactingClient):
        def __init__(self, api_key: str) -> None:
            super().__init__(api_key, base_url=server.base_url, allow_insecure_loopback=True)
            made.append(self)

    monkeypatch.setattr(bench_mod, "RedactingClient", Loopback)
    result = benchmark_models(MODELS[:1], "x", api_key="env://ORS_BENCH_KEY", save_results=False)
    assert result.models[0].ok == 1
    assert made
    assert made[0].http_client.is_closed


def test_logging_of_runs_never_includes_content(
    server: OpenRouterTestServer, client: RedactingClient, caplog: pytest.LogCaptureFixture
) -> None:
    answer_word = word()
    server.reply = answer_word
    with caplog.at_level(logging.DEBUG, logger="openrouter_secure"):
        benchmark_models(MODELS[:1], "x", client=client, save_results=False)
    assert any("benchmark" in r.getMessage() for r in caplog.records)
    assert_no_leak(answer_word, caplog.text)
