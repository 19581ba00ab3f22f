"""The OpenRouter API's response types, as :class:`~openrouter_secure.RedactingClient`
returns them.

Each is a frozen dataclass; fields that hold a key are :class:`~openrouter_secure.Secret`.
"""

from __future__ import annotations

from ._client._async import AsyncChatStream
from ._client._sync import ChatStream
from ._client._types import (
    ActivityItem,
    ApiKey,
    ChatChoice,
    ChatChunk,
    ChatCompletion,
    CreatedKey,
    Credits,
    Generation,
    KeyInfo,
    Model,
    ModelEndpoints,
    Usage,
)

__all__ = [
    "ActivityItem",
    "ApiKey",
    "AsyncChatStream",
    "ChatChoice",
    "ChatChunk",
    "ChatCompletion",
    "ChatStream",
    "CreatedKey",
    "Credits",
    "Generation",
    "KeyInfo",
    "Model",
    "ModelEndpoints",
    "Usage",
]
