"""One benchmark request: send it, time it, and record it privately.

:class:`RunResult` is one request to one model. Timings use ``time.perf_counter``:
``latency_s`` from sending the request to the end of the response, ``ttft_s`` to the
first chunk that carries text. ``tokens_per_second`` is completion tokens over the
time spent generating (latency minus time to first token; the whole latency when
not streamed). Cost comes from ``usage.cost`` in the response, else from
``GET /generation?id=`` (``cost_source`` says which).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .._client._types import ChatChunk, ChatCompletion, Generation, Usage
from .._exceptions import OpenRouterError, UsageLimitError
from .._sanitize._sanitizer import Sanitizer
from ._protocols import AsyncChatClient, ChatClient

__all__ = ["Recorder", "RunResult", "run_async", "run_sync"]

log = logging.getLogger("openrouter_secure.benchmark")

# Failures a benchmark records as a run's outcome: what the API (or the network, or a
# local rate limit or budget) answered to that request. A configuration problem (no
# key at the reference, http:// refused, a management key) would fail every run the
# same way, so it propagates instead of filling a table with one error.
_RECORDED_ERRORS = (OpenRouterError, UsageLimitError, httpx.HTTPError, TimeoutError)


@dataclass(frozen=True)
class RunResult:
    """One request to one model. ``response`` is redacted unless the caller consented."""

    model: str
    run: int
    ok: bool
    error: str | None = None
    status_code: int | None = None
    latency_s: float | None = None
    ttft_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tokens_per_second: float | None = None
    cost: float | None = None
    cost_source: str | None = None
    generation_id: str | None = None
    response: str | None = None
    response_fingerprint: str | None = None


class Recorder:
    """Turns what one request produced into a :class:`RunResult`, privately."""

    def __init__(self, sanitizer: Sanitizer, consent: bool) -> None:
        self.sanitizer = sanitizer
        self.consent = consent

    def content(self, text: str) -> str:
        return self.sanitizer.sanitize(text) if self.consent else self.sanitizer.redact(text)

    def ok(
        self,
        model: str,
        run: int,
        *,
        started: float,
        first: float | None,
        ended: float,
        text: str,
        usage: Usage | None,
        generation_id: str | None,
        cost: float | None,
        cost_source: str | None,
    ) -> RunResult:
        latency = ended - started
        ttft = None if first is None else first - started
        completion = usage.completion_tokens if usage is not None else None
        generating = latency - ttft if ttft is not None and latency - ttft > 0 else latency
        tps = completion / generating if completion and generating > 0 else None
        result = RunResult(
            model=model,
            run=run,
            ok=True,
            latency_s=latency,
            ttft_s=ttft,
            prompt_tokens=usage.prompt_tokens if usage is not None else None,
            completion_tokens=completion,
            tokens_per_second=tps,
            cost=cost,
            cost_source=cost_source,
            generation_id=generation_id,
            response=self.content(text),
            response_fingerprint=self.sanitizer.fingerprint(text),
        )
        log.debug(
            "benchmark %s run %d: %.3fs, ttft %s, %s tokens out",
            model,
            run,
            latency,
            "-" if ttft is None else f"{ttft:.3f}s",
            completion,
        )
        if self.consent:
            log.info("benchmark %s run %d response: %s", model, run, self.sanitizer.truncate(text))
        return result

    def failed(self, model: str, run: int, exc: BaseException, started: float) -> RunResult:
        status = getattr(exc, "status_code", None)
        log.debug("benchmark %s run %d failed: %s (%s)", model, run, type(exc).__name__, status)
        return RunResult(
            model=model,
            run=run,
            ok=False,
            error=type(exc).__name__,
            status_code=status if isinstance(status, int) else None,
            latency_s=time.perf_counter() - started,
        )


def _cost(usage: Usage | None) -> tuple[float | None, str | None]:
    cost = usage.cost if usage is not None else None
    return (cost, "usage") if cost is not None else (None, None)


class _Reply:
    """What one run gathers from a completion, or from the chunks of its stream."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.parts: list[str] = []
        self.usage: Usage | None = None
        self.gen_id: str | None = None

    def add_chunk(self, chunk: ChatChunk) -> None:
        text = chunk.content
        if text and self.first is None:
            self.first = time.perf_counter()
        self.parts.append(text)
        self.usage = chunk.usage or self.usage
        self.gen_id = self.gen_id or chunk.id or None

    def add_completion(self, completion: ChatCompletion) -> None:
        self.parts.append(completion.content)
        self.usage, self.gen_id = completion.usage, completion.id or None

    def result(
        self,
        rec: Recorder,
        model: str,
        run: int,
        started: float,
        ended: float,
        cost: tuple[float | None, str | None],
    ) -> RunResult:
        return rec.ok(
            model,
            run,
            started=started,
            first=self.first,
            ended=ended,
            text="".join(self.parts),
            usage=self.usage,
            generation_id=self.gen_id,
            cost=cost[0],
            cost_source=cost[1],
        )


def _generation_cost(generation: Generation) -> tuple[float | None, str | None]:
    cost = generation.total_cost
    return (cost, "generation") if cost is not None else (None, None)


def _no_generation_cost(model: str, exc: BaseException) -> None:
    log.debug("no cost for %s: generation lookup failed (%s)", model, type(exc).__name__)


def run_sync(
    client: ChatClient,
    model: str,
    run: int,
    messages: list[dict[str, Any]],
    stream: bool,
    options: Mapping[str, Any],
    rec: Recorder,
) -> RunResult:
    started = time.perf_counter()
    reply = _Reply()
    try:
        if stream:
            chunks = client.chat(model=model, messages=messages, stream=True, **options)
            try:
                for chunk in chunks:
                    reply.add_chunk(chunk)
            finally:
                chunks.close()
        else:
            reply.add_completion(client.chat(model=model, messages=messages, **options))
        ended = time.perf_counter()
    except _RECORDED_ERRORS as exc:
        return rec.failed(model, run, exc, started)
    cost = _cost(reply.usage)
    if cost[0] is None and reply.gen_id:
        try:
            cost = _generation_cost(client.generation(reply.gen_id))
        except _RECORDED_ERRORS as exc:
            _no_generation_cost(model, exc)
    return reply.result(rec, model, run, started, ended, cost)


async def run_async(
    client: AsyncChatClient,
    model: str,
    run: int,
    messages: list[dict[str, Any]],
    stream: bool,
    options: Mapping[str, Any],
    rec: Recorder,
) -> RunResult:
    started = time.perf_counter()
    reply = _Reply()
    try:
        if stream:
            chunks = await client.chat(model=model, messages=messages, stream=True, **options)
            try:
                async for chunk in chunks:
                    reply.add_chunk(chunk)
            finally:
                await chunks.aclose()
        else:
            reply.add_completion(await client.chat(model=model, messages=messages, **options))
        ended = time.perf_counter()
    except _RECORDED_ERRORS as exc:
        return rec.failed(model, run, exc, started)
    cost = _cost(reply.usage)
    if cost[0] is None and reply.gen_id:
        try:
            cost = _generation_cost(await client.generation(reply.gen_id))
        except _RECORDED_ERRORS as exc:
            _no_generation_cost(model, exc)
    return reply.result(rec, model, run, started, ended, cost)
