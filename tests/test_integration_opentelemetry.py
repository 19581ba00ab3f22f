"""The OpenTelemetry exporter wrapper, with the real SDK and its in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_secure import Secret
from openrouter_secure.testing import assert_no_leak, make_canary

pytest.importorskip("opentelemetry.sdk")
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import Status, StatusCode

from openrouter_secure.integrations.opentelemetry import (
    SanitizingSpanExporter,
    sanitize_span,
)


def everything(span: ReadableSpan) -> str:
    """All a backend would receive of ``span``, as text."""
    parts: list[Any] = [span.name, span.status.description, dict(span.attributes or {})]
    parts += [dict(span.resource.attributes)]
    parts += [(e.name, dict(e.attributes or {})) for e in span.events]
    parts += [dict(link.attributes or {}) for link in span.links]
    return repr(parts)


@pytest.fixture
def traced() -> Iterator[tuple[Any, InMemorySpanExporter, str]]:
    canary = make_canary()
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource({"service.name": "app", "deploy.note": canary}))
    provider.add_span_processor(SimpleSpanProcessor(SanitizingSpanExporter(memory)))
    yield provider.get_tracer("test"), memory, canary
    provider.shutdown()


def test_attributes_events_links_status_and_resource_are_sanitized(
    traced: tuple[Any, InMemorySpanExporter, str],
) -> None:
    tracer, memory, canary = traced
    with tracer.start_as_current_span(f"call with {canary}") as span:
        span.set_attribute("http.request.header.authorization", f"Bearer {canary}")
        span.set_attribute("url.full", f"https://api.example.test/v1?key={canary}")
        span.set_attribute("app.items", [canary, "plain"])
        span.set_attribute("gen_ai.request.model", "openai/gpt-4o-mini")
        span.set_attribute("gen_ai.usage.input_tokens", 12)
        span.add_event("retry", {"reason": f"401 for {canary}"})
        span.set_status(Status(StatusCode.ERROR, f"refused {canary}"))
    (exported,) = memory.get_finished_spans()
    assert exported.attributes is not None
    assert exported.attributes["gen_ai.request.model"] == "openai/gpt-4o-mini"
    assert exported.attributes["gen_ai.usage.input_tokens"] == 12
    assert exported.attributes["http.request.header.authorization"] == "***MASKED***"
    assert exported.attributes["app.items"][1] == "plain"
    assert exported.resource.attributes["service.name"] == "app"
    assert exported.status.status_code is StatusCode.ERROR
    assert_no_leak(canary, everything(exported))


def test_prompts_and_completions_are_dropped_by_default(
    traced: tuple[Any, InMemorySpanExporter, str],
) -> None:
    tracer, memory, _ = traced
    prompt, answer = "tell me about my diagnosis", "here is what it means"
    with tracer.start_as_current_span("chat openai/gpt-4o-mini") as span:
        span.set_attribute("gen_ai.prompt.0.content", prompt)
        span.set_attribute("gen_ai.completion.0.content", answer)
        span.set_attribute("gen_ai.input.messages", f'[{{"role":"user","content":"{prompt}"}}]')
        span.set_attribute("gen_ai.output.messages", [answer])
        span.add_event("gen_ai.content.prompt", {"gen_ai.prompt": prompt})
        span.add_event("gen_ai.content.completion", {"gen_ai.completion": answer})
    (exported,) = memory.get_finished_spans()
    text = everything(exported)
    assert "diagnosis" not in text
    assert "what it means" not in text
    assert exported.attributes is not None
    assert exported.attributes["gen_ai.prompt.0.content"] == f"<REDACTED: {len(prompt)} chars>"


def test_drop_content_false_keeps_prompts_but_still_masks_keys() -> None:
    canary = make_canary()
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(
        SimpleSpanProcessor(SanitizingSpanExporter(memory, drop_content=False))
    )
    with provider.get_tracer("t").start_as_current_span("chat") as span:
        span.set_attribute("gen_ai.prompt.0.content", f"my key is {canary}, why?")
    (exported,) = memory.get_finished_spans()
    assert exported.attributes is not None
    assert "my key is" in str(exported.attributes["gen_ai.prompt.0.content"])
    assert_no_leak(canary, everything(exported))
    provider.shutdown()


def test_a_value_held_in_a_secret_is_masked_without_a_recognizable_shape(
    traced: tuple[Any, InMemorySpanExporter, str],
) -> None:
    tracer, memory, _ = traced
    value = "opaque-" + make_canary()[-20:]
    with Secret(value) as secret, tracer.start_as_current_span("x") as span:
        span.set_attribute("note", f"used {secret.reveal()}")
    assert_no_leak(value, everything(memory.get_finished_spans()[0]))


def test_a_span_that_cannot_be_sanitized_is_dropped() -> None:
    class Broken:
        def sanitize(self, text: str) -> str:
            raise RuntimeError("boom")

    memory = InMemorySpanExporter()
    provider = TracerProvider()
    exporter = SanitizingSpanExporter(memory, Broken())  # type: ignore[arg-type]
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span("x"):
        pass
    assert memory.get_finished_spans() == ()
    provider.shutdown()


def test_sanitize_span_leaves_the_original_unchanged(
    traced: tuple[Any, InMemorySpanExporter, str],
) -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    canary = make_canary()
    with provider.get_tracer("t").start_as_current_span("x") as span:
        span.set_attribute("note", canary)
    (raw,) = memory.get_finished_spans()
    clean = sanitize_span(raw)
    assert raw.attributes is not None
    assert raw.attributes["note"] == canary
    assert_no_leak(canary, everything(clean))
    provider.shutdown()


def test_the_docs_example_runs_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.docs_examples import run_python_after

    namespace = run_python_after("integrations.md", "## OpenTelemetry")
    (span,) = namespace["memory"].get_finished_spans()
    assert span.attributes["gen_ai.input.messages"].startswith("<REDACTED:")
    namespace["provider"].shutdown()


def test_a_secret_in_an_attribute_name_is_masked(
    traced: tuple[Any, InMemorySpanExporter, str],
) -> None:
    tracer, memory, canary = traced
    with tracer.start_as_current_span("x") as span:
        span.set_attribute(f"app.cache.{canary}", 1)
    assert_no_leak(canary, everything(memory.get_finished_spans()[0]))


def test_instrumentation_scope_name_version_and_attributes_are_sanitized() -> None:
    canary = make_canary()
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SanitizingSpanExporter(memory)))
    tracer = provider.get_tracer(
        f"lib-{canary}", f"1.0+{canary}", attributes={"lib.token": canary, "note": f"k={canary}"}
    )
    with tracer.start_as_current_span("call"):
        pass
    provider.shutdown()
    (exported,) = memory.get_finished_spans()
    scope = exported.instrumentation_scope
    assert scope is not None
    assert scope.attributes["lib.token"] == "***MASKED***"
    assert_no_leak(canary, scope.name, str(scope.version), repr(dict(scope.attributes)))


@pytest.mark.parametrize(
    "name",
    [
        "traceloop.entity.input",
        "traceloop.entity.output",
        "llm.prompt_template.variables",
        "llm.prompt_template.template",
        "retrieval.documents.0.document.content",
        "reranker.input_documents.1.document.content",
        "embedding.embeddings.0.embedding.text",
        "llm.input_messages.0.message.content",
        "message.content",
    ],
)
def test_openllmetry_and_openinference_content_attributes_are_dropped(
    traced: tuple[Any, InMemorySpanExporter, str], name: str
) -> None:
    tracer, memory, _ = traced
    prompt = "tell me about my diagnosis"
    with tracer.start_as_current_span("workflow") as span:
        span.set_attribute(name, f'{{"messages": [{{"content": "{prompt}"}}]}}')
        span.set_attribute("llm.token_count.prompt", 12)
        span.set_attribute("traceloop.entity.name", "answer")
    (exported,) = memory.get_finished_spans()
    assert "diagnosis" not in everything(exported)
    assert exported.attributes is not None
    assert exported.attributes["llm.token_count.prompt"] == 12
    assert exported.attributes["traceloop.entity.name"] == "answer"


@pytest.mark.parametrize(
    "name",
    [
        # Pydantic AI (agent run and tool spans)
        "all_messages_events",
        "final_result",
        "tool_arguments",
        "tool_response",
        "pydantic_ai.all_messages",
        # Langfuse
        "langfuse.observation.input",
        "langfuse.observation.output",
        "langfuse.trace.input",
        "langfuse.trace.output",
        # MLflow
        "mlflow.spanInputs",
        "mlflow.spanOutputs",
        "mlflow.chat.messages",
        # Vercel AI SDK
        "ai.prompt",
        "ai.prompt.messages",
        "ai.response.text",
        "ai.response.toolCalls",
        "ai.response.object",
        "ai.toolCall.args",
        "ai.toolCall.result",
        # Haystack, Laminar, OpenInference function calls
        "haystack.component.input",
        "lmnr.span.output",
        "message.function_call_arguments_json",
    ],
)
def test_agent_framework_content_attributes_are_dropped(
    traced: tuple[Any, InMemorySpanExporter, str], name: str
) -> None:
    tracer, memory, _ = traced
    prompt = "my private prompt " + make_canary()[-12:]
    with tracer.start_as_current_span("agent run") as span:
        span.set_attribute(name, f'[{{"role": "user", "content": "{prompt}"}}]')
    (exported,) = memory.get_finished_spans()
    assert exported.attributes is not None
    assert str(exported.attributes[name]).startswith("<REDACTED: ")
    assert_no_leak(prompt, everything(exported))


ORDINARY_ATTRIBUTES: dict[str, Any] = {
    "http.response.status_code": 200,
    "http.request.method": "POST",
    "gen_ai.request.model": "openai/gpt-4o-mini",
    "gen_ai.response.model": "openai/gpt-4o-mini-2024-07-18",
    "gen_ai.response.id": "gen-123",
    "gen_ai.response.finish_reasons": ("stop",),
    "gen_ai.output.type": "text",
    "gen_ai.tool.name": "search",
    "gen_ai.tool.call.id": "call_1",
    "gen_ai.usage.input_tokens": 12,
    "gen_ai.usage.output_tokens": 30,
    "ai.response.model": "gpt-4o",
    "ai.response.finishReason": "stop",
    "ai.toolCall.name": "search",
    "ai.usage.promptTokens": 12,
    "langfuse.observation.type": "generation",
    "langfuse.observation.prompt.name": "support-answer",
    "mlflow.spanType": "CHAT_MODEL",
    "mcp.tool.name": "search",
    "input.mime_type": "application/json",
    "llm.model_name": "gpt-4o",
    "traceloop.entity.name": "answer",
}


def test_ordinary_attributes_under_genai_namespaces_stay(
    traced: tuple[Any, InMemorySpanExporter, str],
) -> None:
    tracer, memory, _ = traced
    with tracer.start_as_current_span("chat") as span:
        span.set_attributes(ORDINARY_ATTRIBUTES)
    (exported,) = memory.get_finished_spans()
    assert dict(exported.attributes or {}) == ORDINARY_ATTRIBUTES


def test_llamaindex_event_fields_holding_content_are_dropped(
    traced: tuple[Any, InMemorySpanExporter, str],
) -> None:
    # LlamaIndex's OpenTelemetry handler adds each instrumentation event as a span event
    # whose attributes are the event's fields, under their bare names.
    tracer, memory, _ = traced
    prompt = "my private question " + make_canary()[-10:]
    with tracer.start_as_current_span("RetrieverQueryEngine.query-1") as span:
        span.add_event("QueryStartEvent", {"query": prompt, "span_id": "q-1"})
        span.add_event("LLMChatEndEvent", {"messages": [prompt], "response": prompt})
        span.add_event("RetrievalEndEvent", {"str_or_query_bundle": prompt, "nodes": [prompt]})
        span.add_event("GetResponseStartEvent", {"query_str": prompt, "text_chunks": [prompt]})
    (exported,) = memory.get_finished_spans()
    assert exported.events[0].attributes is not None
    assert exported.events[0].attributes["span_id"] == "q-1"
    assert_no_leak(prompt, everything(exported))
