"""A small Server-Sent Events reader for OpenRouter's streamed completions.

It follows the SSE framing (``data:`` fields joined by newlines until a blank line;
lines starting with ``:`` are comments, such as OpenRouter's ``: OPENROUTER
PROCESSING`` keep-alive; ``event:``, ``id:`` and ``retry:`` are ignored) and stops at
``data: [DONE]``. Turning an event into a chunk or an error is the client's job.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

__all__ = ["DONE", "SSEDecoder"]

DONE = object()


class SSEDecoder:
    """Feed lines, get decoded ``data`` payloads (dicts) or :data:`DONE`.

    ``comments`` counts keep-alive comments seen (for the DEBUG log).
    """

    def __init__(self) -> None:
        self._data: list[str] = []
        self.comments = 0

    def feed(self, line: str) -> Any:
        """One line (without its newline); returns a payload when an event completes."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return None
        name, _, value = line.partition(":")
        if name == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)
        return None

    def _dispatch(self) -> Any:
        if not self._data:
            return None
        text, self._data = "\n".join(self._data), []
        if text.strip() == "[DONE]":
            return DONE
        try:
            return json.loads(text)
        except ValueError:
            # Not JSON: report it as a stream error without echoing the text.
            return {"error": {"message": f"undecodable stream event ({len(text)} chars)"}}

    def flush(self) -> Any:
        """Dispatch an event left without its closing blank line at the end of the stream."""
        return self._dispatch()

    def iter(self, lines: Iterable[str]) -> Iterator[Any]:
        for line in lines:
            event = self.feed(line)
            if event is not None:
                yield event
        tail = self.flush()
        if tail is not None:
            yield tail

    async def aiter(self, lines: AsyncIterator[str]) -> AsyncIterator[Any]:
        async for line in lines:
            event = self.feed(line)
            if event is not None:
                yield event
        tail = self.flush()
        if tail is not None:
            yield tail
