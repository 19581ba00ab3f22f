"""The data shapes of the loopback OpenRouter server (see ``_openrouter_server``): the model
catalogue, stored keys, scripted answers, recorded requests, SSE chunks and errors."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "API",
    "DEFAULT_MODELS",
    "RecordedRequest",
    "ReplyError",
    "ScriptedResponse",
    "StoredKey",
    "error_chunk",
    "json_body",
    "key_hash",
    "now_iso",
    "sse_chunk",
    "usage_body",
]

API = "/api/v1"

DEFAULT_MODELS: tuple[dict[str, Any], ...] = tuple(
    {
        "id": slug,
        "canonical_slug": slug,
        "name": name,
        "created": 1_720_000_000,
        "description": f"{name} served by the loopback test server.",
        "context_length": ctx,
        "architecture": {
            "modality": "text->text",
            "input_modalities": ["text"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
        },
        "pricing": {"prompt": price, "completion": price, "request": "0", "image": "0"},
        "top_provider": {"context_length": ctx, "max_completion_tokens": 4096, "is_moderated": mod},
        "supported_parameters": ["max_tokens", "temperature", "tools", "stream"],
    }
    for slug, name, ctx, price, mod in (
        ("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", 128_000, "0.00000015", True),
        ("anthropic/claude-3.5-haiku", "Anthropic: Claude 3.5 Haiku", 200_000, "0.0000008", True),
        ("meta-llama/llama-3.1-8b-instruct", "Meta: Llama 3.1 8B", 131_072, "0.00000002", False),
    )
)


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def key_hash(value: str) -> str:
    """The hash the server uses as a key's identifier (SHA-256 hex of the key)."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (``None`` when empty)."""
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        """A header by name, case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


@dataclass
class ScriptedResponse:
    """A canned answer for the next request to a path (see :meth:`OpenRouterTestServer.script`).

    ``body``: a dict or list is sent as JSON, ``str``/``bytes`` as is. ``delay`` waits
    before the status line (a slow server, for timeouts). ``sse``: a list of raw SSE
    events (``'data: {...}'``, ``': OPENROUTER PROCESSING'``, ``'data: [DONE]'``), each
    sent as its own chunk after ``sse_delay`` seconds.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    sse: list[str] | None = None
    sse_delay: float = 0.0

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        *,
        metadata: dict[str, Any] | None = None,
        retry_after: float | None = None,
        http_status: int | None = None,
        delay: float = 0.0,
    ) -> ScriptedResponse:
        """OpenRouter's error body; ``http_status=200`` gives an error inside a 200."""
        error: dict[str, Any] = {"code": status, "message": message}
        if metadata is not None:
            error["metadata"] = metadata
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        return cls(
            http_status if http_status is not None else status,
            {"error": error},
            headers,
            delay=delay,
        )

    @classmethod
    def redirect(cls, location: str, status: int = 307) -> ScriptedResponse:
        """A redirect to ``location`` (to check what the client sends after one)."""
        return cls(status, b"", {"Location": location})

    @classmethod
    def stream(
        cls,
        words: list[str],
        *,
        model: str = "openai/gpt-4o-mini",
        error_after: int | None = None,
        error_code: int | str = 502,
        error_message: str = "Provider returned error",
        sse_delay: float = 0.0,
    ) -> ScriptedResponse:
        """An SSE stream of ``words``; with ``error_after=N`` an error event after N words."""
        gid = "gen-" + secrets.token_hex(8)
        events = [
            ": OPENROUTER PROCESSING",
            "data: " + json.dumps(sse_chunk(gid, model, "", "role")),
        ]
        for i, word in enumerate(words):
            if error_after is not None and i == error_after:
                events.append(
                    "data: " + json.dumps(error_chunk(gid, model, error_code, error_message))
                )
                return cls(200, sse=events, sse_delay=sse_delay)
            events.append("data: " + json.dumps(sse_chunk(gid, model, word)))
        if error_after is not None:
            events.append("data: " + json.dumps(error_chunk(gid, model, error_code, error_message)))
            return cls(200, sse=events, sse_delay=sse_delay)
        usage = usage_body(3, len(words))
        events.append("data: " + json.dumps(sse_chunk(gid, model, "", "stop", usage)))
        events.append("data: [DONE]")
        return cls(200, sse=events, sse_delay=sse_delay)


@dataclass
class StoredKey:
    """A key in the server's store. ``key`` is the secret value; ``hash`` its identifier."""

    key: str
    hash: str
    name: str
    management: bool = False
    limit: float | None = None
    usage: float = 0.0
    disabled: bool = False
    expires_at: str | None = None
    limit_reset: str | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str | None = None

    def record(self) -> dict[str, Any]:
        """The key as the keys API shows it (never the key itself)."""
        return {
            "hash": self.hash,
            "name": self.name,
            "label": f"{self.key[:11]}...{self.key[-3:]}",
            "disabled": self.disabled,
            "limit": self.limit,
            "limit_remaining": None if self.limit is None else max(self.limit - self.usage, 0.0),
            "limit_reset": self.limit_reset,
            "include_byok_in_limit": False,
            "usage": self.usage,
            "usage_daily": self.usage,
            "usage_weekly": self.usage,
            "usage_monthly": self.usage,
            "byok_usage": 0.0,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "expires_at": self.expires_at,
        }


def usage_body(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost": round((prompt + completion) * 1e-6, 9),
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def sse_chunk(
    gid: str, model: str, text: str, finish: str | None = None, usage: dict[str, Any] | None = None
) -> dict[str, Any]:
    delta: dict[str, Any] = {"content": text}
    if finish == "role":
        delta, finish = {"role": "assistant", "content": ""}, None
    chunk: dict[str, Any] = {
        "id": gid,
        "provider": "Loopback",
        "model": model,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        chunk["usage"] = usage
    return chunk


def error_chunk(gid: str, model: str, code: int | str, message: str) -> dict[str, Any]:
    event = sse_chunk(gid, model, "", "error")
    event["error"] = {"code": code, "message": message}
    return event


class ReplyError(Exception):
    """Raised inside a handler to answer with an OpenRouter error body."""

    def __init__(self, status: int, message: str, metadata: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.metadata = status, message, metadata


def json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise ReplyError(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ReplyError(400, "the request body must be a JSON object")
    return data
