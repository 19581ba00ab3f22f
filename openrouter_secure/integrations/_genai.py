"""Which telemetry attributes carry prompt, completion or tool content.

One predicate, :func:`is_content_key`, serves the OpenTelemetry exporter and the Sentry
hook. A name is content when either rule below says so; case is ignored.

1. It is one of :data:`CONTENT_NAMES`, or lies under one (``gen_ai.prompt.0.role`` is
   under ``gen_ai.prompt``; ``gen_ai.prompts`` is not). The list holds the names the
   GenAI semantic conventions, sentry-sdk's AI and MCP integrations, OpenLLMetry,
   OpenInference, Langfuse, MLflow, Pydantic AI and the Vercel AI SDK document for
   content, including those whose last segment is a user-chosen name
   (``mcp.request.argument.<name>``, ``traceloop.prompt.template_variables.<name>``).
2. Its first dotted segment is a GenAI/LLM tracing namespace (:data:`NAMESPACES`) and
   either its last segment names content (its last word, camelCase and snake_case
   split, is in :data:`LEAF_WORDS`: ``langfuse.observation.input``,
   ``mlflow.spanOutputs``, ``ai.toolCall.args``, ``mcp.tool.result.content``), or an
   inner segment does (:data:`SUBTREE_WORDS`: ``retrieval.documents.0.document.metadata``)
   and the last segment is not plainly descriptive (:data:`DESCRIPTIVE_WORDS`: an
   ``id``, ``name``, ``type``, ``role``, ``model``, a count).

So ``gen_ai.usage.input_tokens`` (last word ``tokens``), ``gen_ai.response.model``,
``gen_ai.output.type``, ``mcp.tool.name`` and ``langfuse.observation.prompt.name`` are
not content, and attributes outside those namespaces (``http.response.status_code``)
never are. Callers keep numbers and booleans whatever the name: a count under
``llm.token_count.prompt`` is not text.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "BARE_NAMES",
    "BARE_WORDS",
    "CONTENT_NAMES",
    "DESCRIPTIVE_WORDS",
    "LEAF_WORDS",
    "NAMESPACES",
    "SUBTREE_WORDS",
    "is_content_key",
]

CONTENT_NAMES = frozenset(
    {
        # OpenTelemetry GenAI semantic conventions, current and older names.
        "gen_ai.prompt",
        "gen_ai.completion",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "gen_ai.tool.call.arguments",
        "gen_ai.tool.call.result",
        "gen_ai.tool.definitions",
        "gen_ai.choice",
        "gen_ai.content",
        "gen_ai.user.message",
        "gen_ai.system.message",
        "gen_ai.assistant.message",
        "gen_ai.tool.message",
        # sentry-sdk's AI integrations (sentry_sdk.consts.SPANDATA), deprecated ones too.
        "gen_ai.request.messages",
        "gen_ai.request.available_tools",
        "gen_ai.response.text",
        "gen_ai.response.tool_calls",
        "gen_ai.embeddings.input",
        "gen_ai.tool.input",
        "gen_ai.tool.output",
        "ai.input_messages",
        "ai.responses",
        "ai.texts",
        "ai.tool_calls",
        "ai.function_call",
        "ai.tools",
        "ai.preamble",
        "ai.documents",
        "ai.citations",
        "ai.search_queries",
        "ai.search_results",
        # sentry-sdk's MCP integration.
        "mcp.request.argument",
        "mcp.tool.result.content",
        "mcp.prompt.result.message_content",
        # Vercel AI SDK telemetry.
        "ai.prompt",
        "ai.response.text",
        "ai.response.tool_calls",
        "ai.response.toolcalls",
        "ai.response.object",
        "ai.response.reasoning",
        "ai.toolcall.args",
        "ai.toolcall.result",
        "ai.value",
        "ai.values",
        # OpenInference (Arize Phoenix; LlamaIndex, CrewAI, LangChain instrumentations).
        "input.value",
        "output.value",
        "llm.prompts",
        "llm.completions",
        "llm.input_messages",
        "llm.output_messages",
        "llm.prompt_template",
        "llm.function_call",
        "llm.tools",
        # OpenLLMetry (Traceloop).
        "traceloop.entity.input",
        "traceloop.entity.output",
        "traceloop.prompt.template",
        "traceloop.prompt.template_variables",
        # Langfuse.
        "langfuse.observation.input",
        "langfuse.observation.output",
        "langfuse.trace.input",
        "langfuse.trace.output",
        # MLflow tracing.
        "mlflow.spaninputs",
        "mlflow.spanoutputs",
        "mlflow.traceinputs",
        "mlflow.traceoutputs",
        "mlflow.chat.messages",
        "mlflow.chat.tools",
        # Pydantic AI (instrumentation version 1 and later).
        "all_messages_events",
        "final_result",
        "tool_arguments",
        "tool_response",
        "pydantic_ai.all_messages",
    }
)
"""Content attribute names; anything under one of them (``name.…``) is content too."""

NAMESPACES = frozenset(
    {
        "gen_ai",
        "llm",
        "ai",
        "mcp",
        "traceloop",
        "langfuse",
        "langsmith",
        "mlflow",
        "pydantic_ai",
        "openinference",
        "haystack",
        "lmnr",
        "braintrust",
        "crewai",
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
"""First segments of GenAI and LLM tracing attributes."""

SUBTREE_WORDS = frozenset(
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
        "args",
        "argument",
        "arguments",
        "variables",
        "template",
        "choice",
        "choices",
    }
)
"""Words that make a whole subtree content (``...documents.0.document.metadata``)."""

LEAF_WORDS = SUBTREE_WORDS | frozenset(
    {
        "text",
        "texts",
        "query",
        "queries",
        "result",
        "results",
        "response",
        "responses",
        "instructions",
        "preamble",
        "citations",
        "explanation",
        "call",
        "calls",
        "object",
        "reasoning",
        "value",
        "values",
        "json",
    }
)
"""Words that make a last segment content (``ai.toolCall.result``, ``llm.function_call``)."""

DESCRIPTIVE_WORDS = frozenset(
    {
        "id",
        "ids",
        "name",
        "names",
        "type",
        "types",
        "kind",
        "role",
        "model",
        "version",
        "count",
        "tokens",
        "token",
        "reason",
        "reasons",
        "format",
        "level",
        "status",
        "code",
        "size",
        "length",
        "time",
        "timestamp",
        "provider",
        "system",
        "language",
        "encoding",
        "score",
    }
)
"""Last words of metadata inside a content subtree (``gen_ai.output.type``)."""

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _last_word(segment: str) -> str:
    words = _WORD.findall(segment)
    return words[-1].lower() if words else ""


BARE_NAMES = frozenset({"query_str", "str_or_query_bundle"})
"""Undotted content names beyond the word rule (LlamaIndex's event fields)."""

BARE_WORDS = LEAF_WORDS | frozenset({"nodes", "chunks"})
"""Last words of undotted content names (``messages``, ``tool_response``, ``text_chunks``)."""


@lru_cache(maxsize=4096)  # telemetry repeats the same few hundred names
def is_content_key(name: str, *, bare: bool = False) -> bool:
    """Whether the attribute ``name`` holds prompt, completion or tool content.

    ``bare=True`` also counts an undotted name whose last word is one of
    :data:`BARE_WORDS`, or one of :data:`BARE_NAMES` (``prompt``, ``messages``,
    ``tool_response``, ``text_chunks``, ``query_str``: LlamaIndex's OpenTelemetry events
    and Pydantic AI record content so). The span exporter sets it; the Sentry hook does not, since
    ``message`` or ``response`` there are an event's fields or a frame's locals.
    """
    low = name.lower()
    if low in CONTENT_NAMES:
        return True
    parts = low.split(".")
    for i in range(1, len(parts)):
        if ".".join(parts[:i]) in CONTENT_NAMES:
            return True
    if len(parts) == 1 and bare:
        return low in BARE_NAMES or _last_word(name) in BARE_WORDS
    if parts[0] not in NAMESPACES or len(parts) < 2:
        return False
    segments = [s for s in name.split(".")[1:] if s and not s.isdigit()]
    if not segments:
        return False
    if _last_word(segments[-1]) in LEAF_WORDS:
        return True
    if _last_word(segments[-1]) in DESCRIPTIVE_WORDS:
        return False
    return any(_last_word(s) in SUBTREE_WORDS for s in segments[:-1])
