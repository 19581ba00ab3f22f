"""Typed results of the OpenRouter client: small frozen dataclasses, no heavy dependency.

Every result keeps the parsed JSON in ``raw`` for fields this module does not name.
Fields that may hold the user's text or the model's answer (``content``, ``choices``,
``raw``) are left out of ``repr()``, so printing or logging a result by accident shows
its identity and usage, not the conversation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._secret import Secret

__all__ = [
    "ActivityItem",
    "ApiKey",
    "ChatChoice",
    "ChatChunk",
    "ChatCompletion",
    "CreatedKey",
    "Credits",
    "Generation",
    "KeyInfo",
    "Model",
    "ModelEndpoints",
    "Usage",
]


def _f(data: Mapping[str, Any], name: str) -> float | None:
    value = data.get(name)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _i(data: Mapping[str, Any], name: str) -> int:
    value = data.get(name)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _s(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


def _data(payload: Any) -> Any:
    """The ``data`` member OpenRouter wraps most answers in."""
    return payload.get("data", payload) if isinstance(payload, Mapping) else payload


# A number sent as a JSON string by a gateway or proxy ("900", "0.5", "1e-05"): plain
# ASCII digits only, so int()/float()'s leniency (spaces, "_", other scripts' digits,
# "nan", "inf") never turns text into an amount.
_TOKENS_TEXT = re.compile(r"[0-9]{1,18}")
_COST_TEXT = re.compile(r"[0-9]{1,30}(?:\.[0-9]{0,30})?(?:[eE][-+]?[0-9]{1,3})?")


def _usage_number(data: Mapping[str, Any], name: str, *, whole: bool) -> tuple[float | None, bool]:
    """``(value, readable)`` for a usage amount: a JSON number as is (the budget judges
    negative or non-finite ones), a plain decimal string parsed, absent or ``null`` as
    ``None``; anything else is unreadable."""
    value = data.get(name)
    if value is None:
        return None, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # NaN or infinity has no whole number: a token count that is one is unreadable.
        return (value, True) if not whole or math.isfinite(value) else (None, False)
    if isinstance(value, str) and (_TOKENS_TEXT if whole else _COST_TEXT).fullmatch(value):
        number = int(value) if whole else float(value)
        if whole or math.isfinite(number):
            return number, True
    return None, False


@dataclass(frozen=True)
class Usage:
    """Token accounting and cost (USD credits) of one completion.

    Amounts sent as strings of plain digits (``"900"``, ``"0.5"``) are read as numbers;
    ``unreadable`` names the fields (``prompt_tokens``, ``completion_tokens``,
    ``cost``) whose value was present but not a number, which are then 0 (``None``
    for ``cost``) here and counted as the worst case by the ``usage.recorded`` event
    (see :doc:`limits-budgets-audit`).
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    unreadable: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, data: Any) -> Usage | None:
        if not isinstance(data, Mapping):
            return None
        amounts: dict[str, float | None] = {}
        unreadable: list[str] = []
        for name in ("prompt_tokens", "completion_tokens", "total_tokens", "cost"):
            value, readable = _usage_number(data, name, whole=name != "cost")
            amounts[name] = value
            if not readable and name != "total_tokens":
                unreadable.append(name)
        prompt = int(amounts["prompt_tokens"] or 0)
        completion = int(amounts["completion_tokens"] or 0)
        total = int(amounts["total_tokens"] or 0) or prompt + completion
        cost = amounts["cost"]
        return cls(
            prompt,
            completion,
            total,
            None if cost is None else float(cost),
            data,  # type: ignore[arg-type]
            tuple(unreadable),
        )


@dataclass(frozen=True)
class ChatChoice:
    """One choice of a completion: the assistant message and why generation stopped."""

    index: int
    role: str
    content: str | None = field(repr=False)
    finish_reason: str | None
    tool_calls: list[dict[str, Any]] | None = field(default=None, repr=False)
    message: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ChatChoice:
        message = data.get("message") or {}
        if not isinstance(message, Mapping):
            message = {}
        content = message.get("content")
        calls = message.get("tool_calls")
        return cls(
            _i(data, "index"),
            _s(message, "role") or "assistant",
            content if isinstance(content, str) else None,
            _s(data, "finish_reason"),
            calls if isinstance(calls, list) else None,
            message,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class ChatCompletion:
    """``POST /chat/completions`` without streaming. ``content`` is the first choice's text."""

    id: str
    model: str
    content: str = field(repr=False)
    choices: list[ChatChoice] = field(repr=False)
    usage: Usage | None
    provider: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ChatCompletion:
        choices = [ChatChoice.parse(c) for c in data.get("choices") or [] if isinstance(c, Mapping)]
        first = choices[0].content if choices else None
        return cls(
            _s(data, "id") or "",
            _s(data, "model") or "",
            first or "",
            choices,
            Usage.parse(data.get("usage")),
            _s(data, "provider"),
            data,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class ChatChunk:
    """One SSE chunk of a streamed completion: ``content`` is the delta text ('' if none);
    ``usage`` is set on the last chunk."""

    id: str
    model: str
    content: str = field(repr=False)
    finish_reason: str | None
    usage: Usage | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ChatChunk:
        choices = data.get("choices") or []
        first = choices[0] if choices and isinstance(choices[0], Mapping) else {}
        delta = first.get("delta") or {}
        text = delta.get("content") if isinstance(delta, Mapping) else None
        return cls(
            _s(data, "id") or "",
            _s(data, "model") or "",
            text if isinstance(text, str) else "",
            _s(first, "finish_reason"),
            Usage.parse(data.get("usage")),
            data,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Model:
    """One entry of ``GET /models``. ``pricing`` is USD per token, as strings."""

    id: str
    name: str
    context_length: int
    pricing: dict[str, str] = field(repr=False)
    description: str = field(default="", repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Model:
        pricing = data.get("pricing")
        return cls(
            _s(data, "id") or "",
            _s(data, "name") or "",
            _i(data, "context_length"),
            {str(k): str(v) for k, v in pricing.items()} if isinstance(pricing, Mapping) else {},
            _s(data, "description") or "",
            dict(data),
        )


@dataclass(frozen=True)
class ModelEndpoints:
    """``GET /models/{author}/{slug}/endpoints``: the providers serving one model."""

    id: str
    name: str
    endpoints: list[dict[str, Any]] = field(repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, payload: Any) -> ModelEndpoints:
        data = _data(payload)
        data = data if isinstance(data, Mapping) else {}
        endpoints = data.get("endpoints")
        return cls(
            _s(data, "id") or "",
            _s(data, "name") or "",
            [dict(e) for e in endpoints if isinstance(e, Mapping)]
            if isinstance(endpoints, list)
            else [],
            dict(data),
        )

    @property
    def providers(self) -> list[str]:
        return [str(e.get("provider_name", "")) for e in self.endpoints]


@dataclass(frozen=True)
class Generation:
    """``GET /generation?id=``: cost, tokens and timing of one finished generation."""

    id: str
    model: str
    total_cost: float | None
    tokens_prompt: int
    tokens_completion: int
    provider_name: str | None
    latency_ms: float | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, payload: Any) -> Generation:
        data = _data(payload)
        data = data if isinstance(data, Mapping) else {}
        return cls(
            _s(data, "id") or "",
            _s(data, "model") or "",
            _f(data, "total_cost"),
            _i(data, "tokens_prompt"),
            _i(data, "tokens_completion"),
            _s(data, "provider_name"),
            _f(data, "latency"),
            dict(data),
        )


@dataclass(frozen=True)
class KeyInfo:
    """``GET /key``: the calling key's usage (USD, in total and for the current UTC
    day, week and month) and limit. ``label`` is OpenRouter's own masked label (a few
    characters of each end), never the key."""

    label: str
    usage: float
    limit: float | None
    limit_remaining: float | None
    is_management_key: bool
    is_free_tier: bool = False
    limit_reset: str | None = None
    expires_at: str | None = None
    usage_daily: float | None = None
    usage_weekly: float | None = None
    usage_monthly: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, payload: Any) -> KeyInfo:
        data = _data(payload)
        data = data if isinstance(data, Mapping) else {}
        return cls(
            label=_s(data, "label") or "",
            usage=_f(data, "usage") or 0.0,
            limit=_f(data, "limit"),
            limit_remaining=_f(data, "limit_remaining"),
            is_management_key=bool(
                data.get("is_management_key") or data.get("is_provisioning_key")
            ),
            is_free_tier=bool(data.get("is_free_tier")),
            limit_reset=_s(data, "limit_reset"),
            expires_at=_s(data, "expires_at"),
            usage_daily=_f(data, "usage_daily"),
            usage_weekly=_f(data, "usage_weekly"),
            usage_monthly=_f(data, "usage_monthly"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class Credits:
    """``GET /credits`` (management key): credits bought and used, in USD."""

    total_credits: float
    total_usage: float

    @property
    def remaining(self) -> float:
        return self.total_credits - self.total_usage

    @classmethod
    def parse(cls, payload: Any) -> Credits:
        data = _data(payload)
        data = data if isinstance(data, Mapping) else {}
        return cls(_f(data, "total_credits") or 0.0, _f(data, "total_usage") or 0.0)


@dataclass(frozen=True)
class ActivityItem:
    """One row of ``GET /activity`` (management key): a day's use of one model endpoint."""

    date: str
    model: str
    usage: float
    requests: int
    prompt_tokens: int
    completion_tokens: int
    provider_name: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse_list(cls, payload: Any) -> list[ActivityItem]:
        rows = _data(payload)
        return [
            cls(
                _s(r, "date") or "",
                _s(r, "model") or "",
                _f(r, "usage") or 0.0,
                _i(r, "requests"),
                _i(r, "prompt_tokens"),
                _i(r, "completion_tokens"),
                _s(r, "provider_name"),
                dict(r),
            )
            for r in (rows if isinstance(rows, list) else [])
            if isinstance(r, Mapping)
        ]


@dataclass(frozen=True)
class ApiKey:
    """A key as the keys API lists it: identified by ``hash``; never the key itself."""

    hash: str
    name: str
    label: str
    disabled: bool
    limit: float | None
    limit_remaining: float | None
    usage: float
    created_at: str | None = None
    updated_at: str | None = None
    expires_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, payload: Any) -> ApiKey:
        data = _data(payload)
        data = data if isinstance(data, Mapping) else {}
        raw = {k: v for k, v in data.items() if k != "key"}
        return cls(
            _s(data, "hash") or "",
            _s(data, "name") or "",
            _s(data, "label") or "",
            bool(data.get("disabled")),
            _f(data, "limit"),
            _f(data, "limit_remaining"),
            _f(data, "usage") or 0.0,
            _s(data, "created_at"),
            _s(data, "updated_at"),
            _s(data, "expires_at"),
            raw,
        )


@dataclass(frozen=True)
class CreatedKey:
    """``POST /keys``: the new key as a :class:`Secret` (shown once by OpenRouter; store it
    straight into a backend) and its record."""

    key: Secret
    hash: str
    name: str
    info: ApiKey

    @classmethod
    def parse(cls, payload: Any) -> CreatedKey:
        value = payload.get("key") if isinstance(payload, Mapping) else None
        if not isinstance(value, str) or not value:
            raise ValueError("the create-key answer holds no key")
        info = ApiKey.parse(payload)
        return cls(Secret(value), info.hash, info.name, info)
