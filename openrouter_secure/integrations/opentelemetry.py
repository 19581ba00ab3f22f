"""OpenTelemetry: traces without keys, and without prompts and completions.

::

    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from openrouter_secure.integrations.opentelemetry import SanitizingSpanExporter

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(SanitizingSpanExporter(your_exporter)))

:class:`SanitizingSpanExporter` wraps any span exporter (OTLP, console, in-memory):
each finished span is copied with its name, attributes, events (names and
attributes), links' attributes, status description, resource attributes and
instrumentation scope (name, version, attributes) passed through the Sanitizer, and
handed to the wrapped exporter; spans themselves are immutable once ended, so the
copy is what leaves. Prompt, completion and tool content is replaced by
``<REDACTED: N chars>`` by default, as the client's privacy mode does: the GenAI
semantic conventions' ``gen_ai.prompt*``, ``gen_ai.input.messages``,
``gen_ai.output.messages``, tool-call arguments and results, every attribute of a
content event such as ``gen_ai.content.prompt``, and the content attributes of
OpenInference, OpenLLMetry, Langfuse, MLflow, Pydantic AI and the Vercel AI SDK
(``input.value``, ``traceloop.entity.input``, ``langfuse.observation.output``,
``mlflow.spanInputs``, ``tool_arguments``, ``ai.toolCall.args``, ...); numbers and
booleans stay. The names and the rule are in ``docs/integrations.md``.
Needs ``pip install "openrouter-secure[opentelemetry]"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

try:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import Link, Status
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "openrouter_secure.integrations.opentelemetry needs opentelemetry-sdk: "
        'pip install "openrouter-secure[opentelemetry]"'
    ) from exc

from .._sanitize._sanitizer import MASK, Sanitizer, default_sanitizer, is_secret_field
from ._genai import is_content_key

__all__ = ["SanitizingSpanExporter", "sanitize_span"]


class SanitizingSpanExporter(SpanExporter):
    """A span exporter that sanitizes every span, then hands it to ``exporter``.

    ``sanitizer`` defaults to the process's shared one (which also knows every value
    held in a :class:`~openrouter_secure.Secret`); ``drop_content=False`` keeps prompt
    and completion attributes (still sanitized). A span that cannot be sanitized is
    dropped, never exported as it was.
    """

    def __init__(
        self,
        exporter: SpanExporter,
        sanitizer: Sanitizer | None = None,
        *,
        drop_content: bool = True,
    ) -> None:
        self.exporter = exporter
        self._sanitizer = sanitizer
        self.drop_content = drop_content

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        sanitizer = self._sanitizer or default_sanitizer()
        clean: list[ReadableSpan] = []
        for span in spans:
            try:
                clean.append(sanitize_span(span, sanitizer, drop_content=self.drop_content))
            except Exception:  # noqa: BLE001, S112 - fail closed: drop, never export raw
                continue
        return self.exporter.export(clean)

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporter.force_flush(timeout_millis)


def sanitize_span(
    span: ReadableSpan, sanitizer: Sanitizer | None = None, *, drop_content: bool = True
) -> ReadableSpan:
    """A sanitized copy of a finished ``span`` (see :class:`SanitizingSpanExporter`)."""
    san = sanitizer or default_sanitizer()

    def attrs(values: Mapping[str, Any] | None, content: bool = False) -> dict[str, Any]:
        return {
            san.sanitize(key): _value(
                san, key, value, drop_content and (content or is_content_key(key, bare=True))
            )
            for key, value in (values or {}).items()
        }

    status = span.status
    if status.description:
        status = Status(status.status_code, san.sanitize(status.description))
    resource = span.resource
    scope = span.instrumentation_scope
    if scope is not None:
        scope = InstrumentationScope(
            san.sanitize(scope.name),
            san.sanitize(scope.version) if scope.version else scope.version,
            san.sanitize(scope.schema_url) if scope.schema_url else scope.schema_url,
            attrs(scope.attributes),
        )
    return ReadableSpan(
        name=san.sanitize(span.name),
        context=span.context,
        parent=span.parent,
        resource=Resource(
            attrs(resource.attributes),
            san.sanitize(resource.schema_url) if resource.schema_url else resource.schema_url,
        ),
        attributes=attrs(span.attributes),
        events=[
            Event(
                san.sanitize(event.name),
                attrs(event.attributes, content=is_content_key(event.name)),
                event.timestamp,
            )
            for event in span.events
        ],
        links=[Link(link.context, attrs(link.attributes)) for link in span.links],
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=scope,
    )


def _value(san: Sanitizer, key: str, value: Any, drop: bool) -> Any:
    """One attribute value: content redacted, secret-named masked, strings sanitized."""
    if drop and isinstance(value, (str, bytes, Sequence)):
        size = len(value) if isinstance(value, (str, bytes)) else sum(len(str(v)) for v in value)
        return f"<REDACTED: {size} chars>"
    if is_secret_field(key) and value is not None and not isinstance(value, (bool, int, float)):
        return MASK
    if isinstance(value, str):
        return san.sanitize(value)
    if isinstance(value, bytes):
        return san.sanitize(value.decode("utf-8", "replace"))
    if isinstance(value, Sequence):
        return tuple(_value(san, key, item, False) for item in value)
    return value
