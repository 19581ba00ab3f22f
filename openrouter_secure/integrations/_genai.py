"""Which telemetry attributes carry prompt or completion content (GenAI conventions).

OpenTelemetry's GenAI semantic conventions (and the older names instrumentations still
emit), OpenLLMetry's ``gen_ai.prompt.N.content``, and the names Sentry's AI monitoring
uses. Matching is by prefix on the attribute name, so indexed forms
(``gen_ai.prompt.0.content``) are covered.

Beyond those names, an attribute under a GenAI or LLM namespace (:data:`NAMESPACES`:
``gen_ai``, ``llm``, ``ai``, ``traceloop``, ``retrieval``, ``reranker``, ``embedding``,
``document``, ``message``, ``tool_call``, ``input``, ``output``) is content when any later
segment of its dotted name is one of :data:`CONTENT_SEGMENTS` (``input``, ``output``,
``prompt``, ``messages``, ``content``, ``document``, ``variables``, ``template``, ...).
This covers OpenLLMetry's ``traceloop.entity.input``/``output`` and OpenInference's
``llm.prompt_template.variables``, ``retrieval.documents.N.document.content`` and
``embedding.embeddings.N.embedding.text``, while counts such as
``gen_ai.usage.input_tokens`` (a segment ``input_tokens``) stay.
"""

from __future__ import annotations

__all__ = ["CONTENT_PREFIXES", "CONTENT_SEGMENTS", "NAMESPACES", "is_content_key"]

CONTENT_PREFIXES = (
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.request.messages",
    "gen_ai.response.text",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.tool.definitions",
    "gen_ai.choice",
    "gen_ai.content.",
    "gen_ai.user.message",
    "gen_ai.system.message",
    "gen_ai.assistant.message",
    "gen_ai.tool.message",
    "llm.prompts",
    "llm.completions",
    "llm.input_messages",
    "llm.output_messages",
    "input.value",
    "output.value",
    "ai.prompt",
    "ai.response",
    "ai.input_messages",
    "ai.responses",
)


NAMESPACES = frozenset(
    {
        "gen_ai",
        "llm",
        "ai",
        "traceloop",
        "retrieval",
        "reranker",
        "embedding",
        "document",
        "message",
        "tool_call",
        "input",
        "output",
    }
)

CONTENT_SEGMENTS = frozenset(
    {
        "input",
        "inputs",
        "output",
        "outputs",
        "prompt",
        "prompts",
        "completion",
        "completions",
        "message",
        "messages",
        "content",
        "contents",
        "document",
        "documents",
        "variables",
        "template",
        "text",
        "query",
        "arguments",
        "result",
        "instructions",
        "system_instructions",
    }
)


def is_content_key(name: str) -> bool:
    """Whether the attribute ``name`` holds prompt, completion or tool content."""
    if name.startswith(CONTENT_PREFIXES):
        return True
    parts = name.lower().split(".")
    return parts[0] in NAMESPACES and any(p in CONTENT_SEGMENTS for p in parts[1:])
