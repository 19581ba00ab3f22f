"""Model benchmarks with privacy mode on by default.

:func:`benchmark_models` (and :func:`abenchmark_models`) send one prompt to several
models and report latency, time to first token, throughput, cost and errors per model,
without keeping the prompt or the answers unless asked to. They send requests through
a :class:`~openrouter_secure.RedactingClient` (or an async one), or through any client
that fits :class:`ChatClient` (:class:`AsyncChatClient`).
"""

from __future__ import annotations

from ._benchmark import BenchmarkResult, abenchmark_models, benchmark_models
from ._protocols import AsyncChatClient, AsyncChunkStream, ChatClient, ChunkStream
from ._run import RunResult
from ._stats import ModelStats

__all__ = [
    "AsyncChatClient",
    "AsyncChunkStream",
    "BenchmarkResult",
    "ChatClient",
    "ChunkStream",
    "ModelStats",
    "RunResult",
    "abenchmark_models",
    "benchmark_models",
]
