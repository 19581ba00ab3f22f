"""The Sentry hook, with the real sentry_sdk and a transport that keeps the envelopes it
would send (nothing leaves the process)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_secure import Secret
from openrouter_secure.testing import assert_no_leak, make_canary

sentry_sdk = pytest.importorskip("sentry_sdk")
from sentry_sdk.integrations.logging import LoggingIntegration  # noqa: E402
from sentry_sdk.transport import Transport  # noqa: E402

from openrouter_secure.integrations.sentry import (  # noqa: E402
    SentryScrubber,
    before_send,
    before_send_log,
    before_send_span,
    before_send_transaction,
)

DSN = "http://public@127.0.0.1:9/1"  # never contacted: the transport below sends nothing


class KeepingTransport(Transport):
    """Keeps every envelope, serialized exactly as it would go over the wire."""

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.sent: list[bytes] = []

    def capture_envelope(self, envelope: Any) -> None:
        self.sent.append(envelope.serialize())

    def text(self) -> str:
        return b"\n".join(self.sent).decode("utf-8", "replace")


@pytest.fixture
def transport() -> Iterator[KeepingTransport]:
    kept = KeepingTransport()
    sentry_sdk.init(
        dsn=DSN,
        transport=kept,
        before_send=before_send,
        before_send_transaction=before_send_transaction,
        traces_sample_rate=1.0,
        include_local_variables=True,
        default_integrations=False,
        integrations=[LoggingIntegration(event_level=None)],
    )
    yield kept
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


def fail_with(canary: str) -> None:
    api_key = canary  # a local variable Sentry records with the frame
    password = "hunter2-" + canary[-8:]
    raise RuntimeError(f"OpenRouter refused key {api_key} ({len(password)})")


def test_exception_value_and_frame_locals_are_scrubbed(transport: KeepingTransport) -> None:
    canary = make_canary()
    try:
        fail_with(canary)
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush()
    text = transport.text()
    assert "OpenRouter refused key" in text  # the event was sent, scrubbed
    assert "fail_with" in text
    assert_no_leak(canary, text)
    assert "hunter2-" not in text


def test_message_breadcrumbs_tags_extra_and_contexts_are_scrubbed(
    transport: KeepingTransport,
) -> None:
    canary = make_canary()
    logging.getLogger("app").warning("retrying with %s", canary)  # becomes a breadcrumb
    sentry_sdk.set_tag("key_used", canary)
    sentry_sdk.set_extra("settings", {"model": "m", "token": "abc", "note": f"key={canary}"})
    sentry_sdk.set_context("openrouter", {"authorization": f"Bearer {canary}"})
    sentry_sdk.capture_message(f"quota exceeded for {canary}")
    sentry_sdk.flush()
    text = transport.text()
    assert "quota exceeded for" in text
    assert "retrying with" in text
    assert_no_leak(canary, text)
    assert '"abc"' not in text


def test_request_headers_query_cookies_and_body_are_scrubbed(transport: KeepingTransport) -> None:
    canary = make_canary()

    def add_request(event: dict[str, Any], hint: Any) -> dict[str, Any]:
        event["request"] = {
            "url": "https://api.example.test/v1/chat",
            "query_string": f"api_key={canary}&page=2",
            "headers": {"Authorization": f"Bearer {canary}", "User-Agent": "app/1.0"},
            "cookies": {"session": canary},
            "data": {"prompt": "hi", "api_key": canary},
        }
        return event

    with sentry_sdk.new_scope() as scope:
        scope.add_event_processor(add_request)
        sentry_sdk.capture_message("upstream error")
    sentry_sdk.flush()
    text = transport.text()
    assert "app/1.0" in text
    assert_no_leak(canary, text)


def test_a_value_held_in_a_secret_is_masked_wherever_it_appears(
    transport: KeepingTransport,
) -> None:
    value = "opaque-" + make_canary()[-20:]  # no recognizable shape: found as a known value
    with Secret(value) as secret:
        sentry_sdk.capture_message(f"login failed with {secret.reveal()}")
        sentry_sdk.flush()
    assert "login failed with" in transport.text()
    assert_no_leak(value, transport.text())


def test_transactions_drop_prompts_and_scrub_span_data(transport: KeepingTransport) -> None:
    canary, prompt = make_canary(), "my private question about " + make_canary()[-10:]
    transaction = sentry_sdk.start_transaction(name="chat")
    with transaction, transaction.start_child(op="gen_ai.chat", name="chat") as span:
        span.set_data("gen_ai.request.messages", [{"role": "user", "content": prompt}])
        span.set_data("gen_ai.response.text", "the answer")
        span.set_data("gen_ai.request.model", "openai/gpt-4o-mini")
        span.set_data("http.header", f"Bearer {canary}")
    sentry_sdk.flush()
    text = transport.text()
    assert "openai/gpt-4o-mini" in text
    assert "<REDACTED:" in text
    assert "private question" not in text
    assert "the answer" not in text
    assert_no_leak(canary, text)


def test_scrubbing_that_fails_drops_the_event() -> None:
    class Broken:
        def sanitize(self, text: str) -> str:
            raise RuntimeError("boom")

    scrubber = SentryScrubber(Broken())  # type: ignore[arg-type]
    assert scrubber({"message": "x"}, {}) is None


def test_the_original_event_is_not_modified() -> None:
    canary = make_canary()
    event = {"extra": {"api_key": canary}}
    scrubbed = before_send(event, {})
    assert event["extra"]["api_key"] == canary
    assert scrubbed["extra"]["api_key"] == "***MASKED***"


def test_the_docs_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.docs_examples import run_python_after

    monkeypatch.delenv("SENTRY_DSN", raising=False)  # no DSN: the client sends nothing
    run_python_after("integrations.md", "## Sentry")
    options = sentry_sdk.get_client().options
    assert options["before_send"] is before_send
    assert options["before_send_transaction"] is before_send_transaction
    sentry_sdk.init(dsn=None)


def test_a_secret_used_as_a_mapping_key_is_masked() -> None:
    canary = make_canary()
    scrubbed = before_send({"extra": {"per_model": {canary: "usage 12"}}}, {})
    assert "usage 12" in repr(scrubbed)
    assert_no_leak(canary, repr(scrubbed))


def test_headers_as_a_list_of_pairs_are_masked_by_name() -> None:
    canary = make_canary()
    event = {"request": {"headers": [["X-Api-Key", "abc-" + canary[-6:]], ["Accept", "*/*"]]}}
    scrubbed = before_send(event, {})
    assert scrubbed["request"]["headers"] == [["X-Api-Key", "***MASKED***"], ["Accept", "*/*"]]


def test_sentry_logs_are_scrubbed() -> None:
    from sentry_sdk import logger as sentry_logger

    canary = make_canary()
    kept = KeepingTransport()
    sentry_sdk.init(
        dsn=DSN,
        transport=kept,
        enable_logs=True,
        before_send_log=before_send_log,
        default_integrations=False,
    )
    try:
        sentry_logger.info("calling with {key}", key=canary, attributes={"api_key": "abc"})
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
    assert "calling with" in kept.text()
    assert_no_leak(canary, kept.text())
    assert '"abc"' not in kept.text()


def opaque_token() -> str:
    """A credential of no recognizable shape: only its name can give it away."""
    return "opaque" + make_canary()[-24:]


@pytest.mark.parametrize(
    "place",
    ["query_string", "tags", "data", "extra", "contexts"],
)
def test_a_secret_named_pair_is_masked_wherever_the_protocol_allows_pairs(
    transport: KeepingTransport, place: str
) -> None:
    token = opaque_token()

    def add_pairs(event: dict[str, Any], hint: Any) -> dict[str, Any]:
        pairs = [["access_token", token], ["page", "2"]]
        if place == "query_string":
            event["request"] = {"url": "https://api.example.test/v1", "query_string": pairs}
        elif place == "data":
            event["request"] = {"method": "POST", "data": [["password", token], ["page", "2"]]}
        elif place == "tags":
            event["tags"] = [["api_key", token], ["page", "2"]]
        elif place == "extra":
            event["extra"] = {"sent": [("Authorization", f"Bearer {token}"), ("page", "2")]}
        else:
            event["contexts"] = {"upstream": {"headers": [["X-Api-Key", token]], "page": "2"}}
        return event

    with sentry_sdk.new_scope() as scope:
        scope.add_event_processor(add_pairs)
        sentry_sdk.capture_message("upstream error")
    sentry_sdk.flush()
    text = transport.text()
    assert "upstream error" in text
    assert "***MASKED***" in text
    assert '"2"' in text  # the harmless pair stays
    assert_no_leak(token, text)


# Content recorded by sentry-sdk's own AI and MCP integrations, by their SPANDATA names.
SENTRY_CONTENT_NAMES = [
    "AI_INPUT_MESSAGES",
    "AI_RESPONSES",
    "AI_TEXTS",
    "AI_TOOL_CALLS",
    "AI_FUNCTION_CALL",
    "AI_TOOLS",
    "AI_PREAMBLE",
    "AI_DOCUMENTS",
    "AI_CITATIONS",
    "AI_SEARCH_QUERIES",
    "AI_SEARCH_RESULTS",
    "GEN_AI_CHOICE",
    "GEN_AI_EMBEDDINGS_INPUT",
    "GEN_AI_INPUT_MESSAGES",
    "GEN_AI_OUTPUT_MESSAGES",
    "GEN_AI_REQUEST_MESSAGES",
    "GEN_AI_REQUEST_AVAILABLE_TOOLS",
    "GEN_AI_RESPONSE_TEXT",
    "GEN_AI_RESPONSE_TOOL_CALLS",
    "GEN_AI_SYSTEM_INSTRUCTIONS",
    "GEN_AI_TOOL_CALL_ARGUMENTS",
    "GEN_AI_TOOL_CALL_RESULT",
    "GEN_AI_TOOL_DEFINITIONS",
    "GEN_AI_TOOL_INPUT",
    "GEN_AI_TOOL_OUTPUT",
    "GEN_AI_USER_MESSAGE",
    "MCP_TOOL_RESULT_CONTENT",
    "MCP_PROMPT_RESULT_MESSAGE_CONTENT",
]


@pytest.mark.parametrize("constant", SENTRY_CONTENT_NAMES)
def test_content_recorded_by_sentry_ai_and_mcp_integrations_is_dropped(
    transport: KeepingTransport, constant: str
) -> None:
    from sentry_sdk.consts import SPANDATA

    name = getattr(SPANDATA, constant, None)
    if name is None:
        pytest.skip(f"this sentry-sdk has no SPANDATA.{constant}")
    content = "user asked about their medical file " + make_canary()[-10:]
    transaction = sentry_sdk.start_transaction(name="tools/call search")
    with transaction, transaction.start_child(op="mcp.server", name="search") as span:
        span.set_data(name, [{"role": "user", "content": content}])
    sentry_sdk.flush()
    text = transport.text()
    assert "<REDACTED:" in text
    assert_no_leak(content, text)


def test_mcp_tool_arguments_are_dropped_whatever_their_names(
    transport: KeepingTransport,
) -> None:
    content = "my home address " + make_canary()[-10:]
    transaction = sentry_sdk.start_transaction(name="tools/call lookup")
    with transaction, transaction.start_child(op="mcp.server", name="lookup") as span:
        span.set_data("mcp.request.argument.id", content)  # as sentry-sdk's MCP integration
        span.set_data("mcp.request.argument.where", f'"{content}"')
    sentry_sdk.flush()
    assert_no_leak(content, transport.text())


def test_ordinary_ai_and_mcp_span_data_stays(transport: KeepingTransport) -> None:
    ordinary = {
        "gen_ai.request.model": "openai/gpt-4o-mini",
        "gen_ai.response.model": "openai/gpt-4o-mini-2024-07-18",
        "gen_ai.response.id": "gen-123",
        "gen_ai.operation.name": "chat",
        "gen_ai.output.type": "text",
        "llm.token_count.prompt": 12,
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 30,
        "gen_ai.tool.name": "search",
        "mcp.tool.name": "search",
        "mcp.method.name": "tools/call",
        "mcp.tool.result.content_count": 3,
        "mcp.prompt.result.message_role": "user",
        "http.response.status_code": 200,
    }
    transaction = sentry_sdk.start_transaction(name="chat")
    with transaction, transaction.start_child(op="gen_ai.chat", name="chat") as span:
        for key, value in ordinary.items():
            span.set_data(key, value)
    sentry_sdk.flush()
    data = sent_span_data(transport)
    assert {key: data[key] for key in ordinary} == ordinary


def sent_span_data(transport: KeepingTransport) -> dict[str, Any]:
    """Every span's data as sent: in the transaction's ``spans``, or (sentry-sdk 2.x for
    ``gen_ai`` spans) as separate span items whose attributes carry it."""
    data: dict[str, Any] = {}
    for line in transport.text().splitlines():
        item = json.loads(line) if line.startswith("{") else {}
        for span in item.get("spans", []):
            data.update(span.get("data", {}))
        for span in item.get("items", []):
            data.update({k: v["value"] for k, v in span.get("attributes", {}).items()})
    return data


def test_a_secret_named_entry_in_name_value_form_is_masked() -> None:
    token = opaque_token()
    event = {
        "request": {"data": {"headers": [{"name": "Authorization", "value": token}]}},
        "extra": {"tags": [{"Key": "api_key", "Value": token}, {"Key": "env", "Value": "prod"}]},
    }
    scrubbed = before_send(event, {})
    assert scrubbed["extra"]["tags"][1] == {"Key": "env", "Value": "prod"}
    assert_no_leak(token, repr(scrubbed))


def test_the_value_after_a_secret_named_option_in_an_argument_list_is_masked() -> None:
    token = opaque_token()
    event = {"extra": {"argv": ["serve", "--api-key", token, "--port", "8080"]}}
    scrubbed = before_send(event, {})
    assert scrubbed["extra"]["argv"] == ["serve", "--api-key", "***MASKED***", "--port", "8080"]


def test_a_pair_named_in_bytes_is_masked_by_name() -> None:
    token = opaque_token()
    scrubbed = before_send({"tags": [(b"api_key", token)]}, {})
    assert_no_leak(token, repr(scrubbed))


def test_genai_attributes_nested_rather_than_dotted_are_dropped() -> None:
    prompt = "my private question " + make_canary()[-10:]
    event = {
        "type": "transaction",
        "contexts": {"trace": {"data": {"gen_ai": {"request": {"messages": prompt}}}}},
        "extra": {"mcp": {"request": {"argument": {"path": prompt}}}},
    }
    scrubbed = before_send_transaction(event, {})
    assert "<REDACTED:" in repr(scrubbed)
    assert_no_leak(prompt, repr(scrubbed))


def streamed(hook: Any) -> Iterator[KeepingTransport]:
    """sentry-sdk in span streaming mode: spans skip ``before_send_transaction``."""
    kept = KeepingTransport()
    sentry_sdk.init(
        dsn=DSN,
        transport=kept,
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
        before_send_span=hook,
        default_integrations=False,
    )
    yield kept
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


@pytest.mark.parametrize("hook", ["default", "failing"])
def test_streamed_spans_are_scrubbed_and_never_sent_raw(hook: str) -> None:
    from sentry_sdk import traces

    class Broken:
        def sanitize(self, text: str) -> str:
            raise RuntimeError("boom")

    scrubber = SentryScrubber(Broken()) if hook == "failing" else None  # type: ignore[arg-type]
    canary, token = make_canary(), opaque_token()
    prompt = "my private question " + make_canary()[-10:]
    for kept in streamed(scrubber.scrub_span if scrubber else before_send_span):
        with traces.start_span(name=f"chat {canary}") as span:
            span.set_attribute("gen_ai.input.messages", prompt)
            span.set_attribute("api_key", token)
            span.set_attribute("gen_ai.request.model", "openai/gpt-4o-mini")
        sentry_sdk.flush()
        text = kept.text()
        assert ("openai/gpt-4o-mini" in text) is (hook == "default")
        assert_no_leak(canary, text)
        assert_no_leak(token, text)
        assert_no_leak(prompt, text)
