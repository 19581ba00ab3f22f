"""What a benchmark asks of a client: :class:`ChatClient`, :class:`AsyncChatClient`.

Small types to implement, in the way of httpx's ``Auth`` and ``BaseTransport``: a
benchmark calls ``chat`` (streamed or not) and, when a completion reports no cost,
``generation``. :class:`~openrouter_secure.RedactingClient` and
:class:`~openrouter_secure.AsyncRedactingClient` fit them (mypy checks it below); a
wrapper or a test double fits by having these methods and returning the library's
own result types from :mod:`openrouter_secure.types` (build them from a JSON body
with ``ChatCompletion.parse``, ``ChatChunk.parse``, ``Generation.parse``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, overload

from .._client._types import ChatChunk, ChatCompletion, Generation

__all__ = ["AsyncChatClient", "AsyncChunkStream", "ChatClient", "ChunkStream"]


class ChunkStream(Protocol):
    """A streamed completion: its chunks, and ``close()`` to release the connection
    early (the benchmark closes every stream it opens)."""

    def __iter__(self) -> Iterator[ChatChunk]: ...
    def close(self) -> None: ...


class AsyncChunkStream(Protocol):
    """:class:`ChunkStream` for ``async for``, closed with ``aclose()``."""

    def __aiter__(self) -> AsyncIterator[ChatChunk]: ...
    async def aclose(self) -> None: ...


class ChatClient(Protocol):
    """The client :func:`~openrouter_secure.benchmark.benchmark_models` sends requests
    through. ``options`` are the benchmark's ``options=`` (``max_tokens``, ...)."""

    @overload
    def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[False] = False,
        **options: Any,
    ) -> ChatCompletion: ...
    @overload
    def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[True],
        **options: Any,
    ) -> ChunkStream: ...
    def generation(self, id: str, /) -> Generation:
        """``GET /generation``: the cost of a finished generation."""


class AsyncChatClient(Protocol):
    """:class:`ChatClient` for :func:`~openrouter_secure.benchmark.abenchmark_models`."""

    @overload
    async def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[False] = False,
        **options: Any,
    ) -> ChatCompletion: ...
    @overload
    async def chat(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        stream: Literal[True],
        **options: Any,
    ) -> AsyncChunkStream: ...
    async def generation(self, id: str, /) -> Generation:
        """``GET /generation``: the cost of a finished generation."""


if TYPE_CHECKING:
    from .._client._async import AsyncRedactingClient
    from .._client._sync import RedactingClient

    def _fits(
        sync: RedactingClient, concurrent: AsyncRedactingClient
    ) -> tuple[ChatClient, AsyncChatClient]:
        return sync, concurrent
