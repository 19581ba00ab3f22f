"""The ready OpenRouter MCP server (``create_server``) against the loopback OpenRouter API.

The MCP side is the SDK's in-process client; the OpenRouter side is
``OpenRouterTestServer``, a real HTTP server on 127.0.0.1 reached through the real
``AsyncRedactingClient``. The key lives in an environment variable the config only
references.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.shared.exceptions import MCPError

from openrouter_secure import AsyncRedactingClient, Secret
from openrouter_secure._exceptions import ConfigurationError, InsecureConfigError
from openrouter_secure.mcp import RATE_LIMITED, TOOL_DENIED, create_server
from openrouter_secure.mcp._server_config import parse_reference
from openrouter_secure.testing import (
    LeakCheck,
    OpenRouterTestServer,
    ScriptedResponse,
    StoredKey,
    assert_no_leak,
    make_canary,
)

KEY_VAR = "ORS_TEST_MCP_OPENROUTER_KEY"


@pytest.fixture
def config(
    openrouter_server: OpenRouterTestServer,
    openrouter_key: StoredKey,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> dict[str, Any]:
    monkeypatch.setenv(KEY_VAR, openrouter_key.key)
    return {
        "mcpServers": {
            "openrouter": {
                "allowedTools": [
                    "chat_with_model",
                    "list_models",
                    "get_generation",
                    "track_usage",
                    "benchmark_models",
                ],
                "default": "deny",
            }
        },
        "openrouter": {
            "apiKey": f"env://{KEY_VAR}",
            "baseUrl": openrouter_server.base_url,
            "allowInsecureLoopback": True,
        },
        "serve": {
            "auditLog": str(tmp_path / "audit.jsonl"),
            "resultsDir": str(tmp_path / "results"),
        },
    }


def structured(result: Any) -> dict[str, Any]:
    assert result.is_error is False, result.content
    assert result.structured_content is not None
    return dict(result.structured_content)


async def test_every_tool_is_listed_with_schemas(config: dict[str, Any]) -> None:
    async with Client(create_server(config)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {
        "chat_with_model",
        "list_models",
        "get_generation",
        "track_usage",
        "benchmark_models",
    }
    chat = tools["chat_with_model"]
    assert chat.input_schema["required"] == ["model", "prompt"]
    assert "ctx" not in chat.input_schema["properties"]
    assert chat.output_schema is not None
    assert "generation_id" in chat.output_schema["properties"]


async def test_chat_returns_the_answer_and_cost_and_never_the_key(
    config: dict[str, Any], openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    with LeakCheck(openrouter_key.key) as leaks:
        async with Client(create_server(config)) as client:
            result = await client.call_tool(
                "chat_with_model", {"model": "openai/gpt-4o-mini", "prompt": "Say hello"}
            )
    data = structured(result)
    assert data["content"] == openrouter_server.reply
    assert data["generation_id"]
    assert data["completion_tokens"] > 0
    leaks.check(result.model_dump_json())
    sent = openrouter_server.requests_to("/api/v1/chat/completions")[-1]
    assert sent.json()["messages"] == [{"role": "user", "content": "Say hello"}]


async def test_generation_and_usage_follow_a_chat(config: dict[str, Any]) -> None:
    async with Client(create_server(config)) as client:
        chat = structured(
            await client.call_tool(
                "chat_with_model", {"model": "openai/gpt-4o-mini", "prompt": "Hi"}
            )
        )
        gen = structured(
            await client.call_tool("get_generation", {"generation_id": chat["generation_id"]})
        )
        usage = structured(await client.call_tool("track_usage", {}))
    assert gen["id"] == chat["generation_id"]
    assert gen["model"] == "openai/gpt-4o-mini"
    assert usage["session"]["requests"] == 1
    assert usage["session"]["completion_tokens"] == chat["completion_tokens"]
    assert usage["key_usage"] >= 0


async def test_list_models_filters(
    config: dict[str, Any], openrouter_server: OpenRouterTestServer
) -> None:
    free = dict(openrouter_server.models[0])
    free.update(
        id="vendor/free-vision:free",
        name="Free Vision",
        context_length=8_000,
        pricing={"prompt": "0", "completion": "0"},
        architecture={"input_modalities": ["text", "image"], "output_modalities": ["text"]},
    )
    openrouter_server.models.append(free)
    async with Client(create_server(config)) as client:

        async def ids(**filters: Any) -> list[str]:
            data = structured(await client.call_tool("list_models", filters))
            return [m["id"] for m in data["models"]]

        assert await ids(free=True) == ["vendor/free-vision:free"]
        assert await ids(modality="image") == ["vendor/free-vision:free"]
        assert "anthropic/claude-3.5-haiku" not in await ids(max_prompt_price=0.5)
        assert "openai/gpt-4o-mini" in await ids(max_prompt_price=0.5)
        assert "vendor/free-vision:free" not in await ids(min_context_length=100_000)
        assert await ids(search="llama") == ["meta-llama/llama-3.1-8b-instruct"]
        assert len(await ids(limit=2)) == 2


async def test_model_prices_per_million_tokens_are_exact(config: dict[str, Any]) -> None:
    """Per-token prices are decimal strings: "0.0000008" per token is 0.8 per million,
    not 0.7999999999999999."""
    async with Client(create_server(config)) as client:
        data = structured(await client.call_tool("list_models", {}))
    prices = {m["id"]: m["prompt_price_per_mtok"] for m in data["models"]}
    assert prices["anthropic/claude-3.5-haiku"] == 0.8
    assert prices["openai/gpt-4o-mini"] == 0.15
    assert prices["meta-llama/llama-3.1-8b-instruct"] == 0.02


async def test_the_config_policy_hides_and_refuses_tools(
    config: dict[str, Any], tmp_path: Path
) -> None:
    config["mcpServers"]["openrouter"]["allowedTools"].remove("chat_with_model")
    async with Client(create_server(config)) as client:
        listed = {t.name for t in (await client.list_tools()).tools}
        with pytest.raises(MCPError) as caught:
            await client.call_tool("chat_with_model", {"model": "x/y", "prompt": "hi"})
        await client.call_tool("track_usage", {})
    assert "chat_with_model" not in listed
    assert caught.value.code == TOOL_DENIED
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    decisions = [(r["event"], r["fields"]["tool"], r["fields"].get("rule")) for r in records]
    assert ("tool.denied", "chat_with_model", "default:deny") in decisions
    assert ("tool.allowed", "track_usage", "allow:exact:track_usage") in decisions


async def test_allowed_models_limit_what_can_be_called(config: dict[str, Any]) -> None:
    config["serve"]["allowedModels"] = ["meta-llama/*"]
    async with Client(create_server(config)) as client:
        refused = await client.call_tool(
            "chat_with_model", {"model": "openai/gpt-4o-mini", "prompt": "hi"}
        )
        ok = await client.call_tool(
            "chat_with_model", {"model": "meta-llama/llama-3.1-8b-instruct", "prompt": "hi"}
        )
    assert refused.is_error is True
    assert "not allowed" in refused.content[0].text  # type: ignore[union-attr]
    assert ok.is_error is False


async def test_rate_limits_from_the_config(config: dict[str, Any]) -> None:
    config["serve"]["toolRateLimits"] = {"list_models": "1/minute"}
    async with Client(create_server(config)) as client:
        await client.call_tool("list_models", {})
        with pytest.raises(MCPError) as caught:
            await client.call_tool("list_models", {})
        assert (await client.call_tool("track_usage", {})).is_error is False
    assert caught.value.code == RATE_LIMITED
    assert caught.value.data["retry_after"] > 0


async def test_an_upstream_error_echoing_the_key_reaches_the_client_masked(
    config: dict[str, Any], openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/chat/completions",
        ScriptedResponse.error(402, f"insufficient credits for key {openrouter_key.key}"),
    )
    with LeakCheck(openrouter_key.key) as leaks:
        async with Client(create_server(config)) as client:
            result = await client.call_tool(
                "chat_with_model", {"model": "openai/gpt-4o-mini", "prompt": "hi"}
            )
    assert result.is_error is True
    assert "402" in result.content[0].text  # type: ignore[union-attr]
    leaks.check(result.model_dump_json())


async def test_a_missing_key_is_reported_without_naming_the_backend(
    config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_VAR)
    async with Client(create_server(config)) as client:
        result = await client.call_tool("track_usage", {})
    assert result.is_error is True
    text = result.content[0].text  # type: ignore[union-attr]
    assert "could not obtain a credential" in text
    assert KEY_VAR not in text


async def test_benchmark_saves_a_result_without_the_prompt(
    config: dict[str, Any], tmp_path: Path
) -> None:
    prompt = "a private prompt about the merger"
    async with Client(create_server(config)) as client:
        data = structured(
            await client.call_tool(
                "benchmark_models",
                {
                    "models": ["openai/gpt-4o-mini", "meta-llama/llama-3.1-8b-instruct"],
                    "prompt": prompt,
                    "save_as": "run1.json",
                },
            )
        )
        escape = await client.call_tool(
            "benchmark_models",
            {"models": ["openai/gpt-4o-mini"], "prompt": "x", "save_as": "../escape.json"},
        )
    assert [m["model"] for m in data["models"]] == [
        "openai/gpt-4o-mini",
        "meta-llama/llama-3.1-8b-instruct",
    ]
    assert data["privacy_mode"] is True
    saved = tmp_path / "results" / "run1.json"
    assert data["saved_as"] == "run1.json"
    assert prompt not in saved.read_text()
    assert escape.is_error is True
    assert not (tmp_path / "escape.json").exists()


class MemoryAudit:
    """An AuditSink of the caller's own: keeps the records in a list."""

    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    def log(self, event: str, **fields: Any) -> None:
        self.records.append((event, fields))


async def test_a_callers_audit_sink_gets_the_records(config: dict[str, Any]) -> None:
    audit = MemoryAudit()
    async with Client(create_server(config, audit=audit)) as client:
        await client.call_tool("list_models", {})
    assert ("tool.allowed", "list_models") in [(e, f.get("tool")) for e, f in audit.records]
    assert not (Path(config["serve"]["auditLog"])).exists()


async def test_a_callers_client_is_used_and_left_open(
    config: dict[str, Any],
    openrouter_key: StoredKey,
    openrouter_server: OpenRouterTestServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(KEY_VAR)  # a client built from the config would have no key
    async with AsyncRedactingClient(
        Secret(openrouter_key.key),
        base_url=openrouter_server.base_url,
        allow_insecure_loopback=True,
    ) as mine:
        async with Client(create_server(config, client=mine)) as client:
            usage = structured(await client.call_tool("track_usage", {}))
        assert usage["key_usage"] == (await mine.key_info()).usage
        assert not mine.http_client.is_closed


def test_a_config_holding_a_key_is_refused(config: dict[str, Any]) -> None:
    canary = make_canary()
    config["openrouter"]["apiKey"] = canary
    with pytest.raises(InsecureConfigError) as caught:
        create_server(config)
    assert_no_leak(canary, caught.value)


def test_a_config_file_is_loaded_by_path(config: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "serve.json"
    path.write_text(json.dumps(config))
    path.chmod(0o600)
    server = create_server(path)
    assert server.name == "openrouter"


def test_unknown_settings_are_named(config: dict[str, Any]) -> None:
    config["serve"]["rateLimt"] = "1/minute"
    with pytest.raises(Exception, match="did you mean 'rateLimit'"):
        create_server(config)


@pytest.mark.parametrize(
    ("written", "ref"),
    [
        ("env://OPENROUTER_API_KEY", "env://OPENROUTER_API_KEY"),
        ("${secret:keyring://openrouter-secure/api-key}", "keyring://openrouter-secure/api-key"),
        ("${env:MY_KEY}", "env://MY_KEY"),
    ],
)
def test_key_references_are_read_in_every_spelling(written: str, ref: str) -> None:
    assert parse_reference(written, "openrouter.apiKey") == ref


def test_a_value_that_is_not_a_reference_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="secret reference"):
        parse_reference("just-some-text", "openrouter.apiKey")
