"""Which telemetry attributes carry prompt or completion content (GenAI conventions).

OpenTelemetry's GenAI semantic conventions (and the older names instrumentations still
emit), OpenLLMetry's ``gen_ai.prompt.N.content``, and the names Sentry's AI monitoring
uses. Matching is by prefix on the attribute name, so indexed forms
(``gen_ai.prompt.0.content``) are covered.
"""

from __future__ import annotations

__all__ = ["CONTENT_PREFIXES", "is_content_key"]

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


def is_content_key(name: str) -> bool:
    """Whether the attribute ``name`` holds prompt, completion or tool content."""
    return name.startswith(CONTENT_PREFIXES)
