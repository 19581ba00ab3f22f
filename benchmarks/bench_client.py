"""RedactingClient overhead over plain httpx, against the same loopback OpenRouter server.

2,000 small chat completions per mode (sync, async, streamed), the client and plain
httpx measured in the same run, request by request in pairs run in a random order, so
that machine noise falls on both alike; the server runs in its own process. Plain
httpx does what a careful caller would: keep-alive pool, bearer header, JSON parse
(and, streamed, SSE line parsing). The client adds key resolution, the HTTPS
allow-list, the redirect guard, typed results, usage events and the management-key
check (one ``GET /key`` per client).

Run:  python benchmarks/bench_client.py [--requests 2000]
Expect ratios (client / plain httpx) within 1.10: the client's own work is tens of
microseconds per request, against a millisecond for the loopback round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator

import httpx

from openrouter_secure import AsyncRedactingClient, RedactingClient, Secret

MODEL = "openai/gpt-4o-mini"
Times = tuple[float, float]  # (wall seconds, CPU seconds)
Pair = tuple[Times, Times]  # (plain httpx, client)
MESSAGES = [{"role": "user", "content": "Say hello in five words."}]
BODY = {"model": MODEL, "messages": MESSAGES, "usage": {"include": True}}


def compare(plain: Callable[[], None], client: Callable[[], None], n: int) -> list[Pair]:
    """``n`` pairs, each pair run in a random order: noise falls on both alike."""
    for fn in (plain, client, plain, client):  # warm pools and caches
        fn()
    pairs = []
    for _ in range(n):
        order = [0, 1]
        random.shuffle(order)
        got: dict[int, Times] = {}
        for which in order:
            wall, cpu = time.perf_counter(), time.process_time()
            (plain, client)[which]()
            got[which] = (time.perf_counter() - wall, time.process_time() - cpu)
        pairs.append((got[0], got[1]))
    return pairs


async def acompare(
    plain: Callable[[], Awaitable[None]], client: Callable[[], Awaitable[None]], n: int
) -> list[Pair]:
    for fn in (plain, client, plain, client):
        await fn()
    pairs = []
    for _ in range(n):
        order = [0, 1]
        random.shuffle(order)
        got: dict[int, Times] = {}
        for which in order:
            wall, cpu = time.perf_counter(), time.process_time()
            await (plain, client)[which]()
            got[which] = (time.perf_counter() - wall, time.process_time() - cpu)
        pairs.append((got[0], got[1]))
    return pairs


SERVER = """
import sys
from openrouter_secure.testing import OpenRouterTestServer
server = OpenRouterTestServer(reply="Hello there, nice to meet.", record=False).start()
print(server.base_url, server.add_key().key, flush=True)
sys.stdin.read()
server.stop()
"""


@contextlib.contextmanager
def serve() -> Iterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url, key = proc.stdout.readline().split()
        yield url, key
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # as in production: DEBUG off
    n = args.requests

    # The server runs in its own process: in-process, its thread would fight the
    # client for the GIL and the 5 ms switch interval would dominate the figures.
    with serve() as (url, key):
        headers = {"Authorization": f"Bearer {key}"}
        plain = httpx.Client(base_url=url + "/", headers=headers)
        client = RedactingClient(Secret(key), base_url=url, allow_insecure_loopback=True)

        def plain_sync() -> None:
            r = plain.post("chat/completions", json=BODY)
            r.raise_for_status()
            assert r.json()["choices"][0]["message"]["content"]

        def client_sync() -> None:
            assert client.chat(model=MODEL, messages=MESSAGES).content

        def plain_stream() -> None:
            with plain.stream("POST", "chat/completions", json={**BODY, "stream": True}) as r:
                r.raise_for_status()
                text = []
                for line in r.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        choices = json.loads(line[6:]).get("choices") or [{}]
                        text.append(choices[0].get("delta", {}).get("content") or "")
                assert text

        def client_stream() -> None:
            assert [c.content for c in client.chat(model=MODEL, messages=MESSAGES, stream=True)]

        async def run_async() -> list[Pair]:
            aplain = httpx.AsyncClient(base_url=url + "/", headers=headers)
            aclient = AsyncRedactingClient(Secret(key), base_url=url, allow_insecure_loopback=True)

            async def plain_async() -> None:
                r = await aplain.post("chat/completions", json=BODY)
                r.raise_for_status()
                assert r.json()["choices"][0]["message"]["content"]

            async def client_async() -> None:
                assert (await aclient.chat(model=MODEL, messages=MESSAGES)).content

            pairs = await acompare(plain_async, client_async, n)
            await aplain.aclose()
            await aclient.aclose()
            return pairs

        results = {
            "sync": compare(plain_sync, client_sync, n),
            "async": asyncio.run(run_async()),
            "streamed": compare(plain_stream, client_stream, n),
        }
        plain.close()
        client.close()

    print(f"RedactingClient vs plain httpx, {n} chat completions per mode, loopback server")
    print(
        f"{'mode':<10}{'p50 ms httpx':>13}{'client':>8}{'p50 ratio':>10}{'mean ratio':>11}"
        f"{'CPU us httpx':>13}{'client':>8}{'CPU ratio':>10}"
    )
    for name in ("sync", "async", "streamed"):
        pairs = results[name]
        p50_p = statistics.median(p[0] for p, _ in pairs)
        p50_c = statistics.median(c[0] for _, c in pairs)
        mean_ratio = sum(c[0] for _, c in pairs) / sum(p[0] for p, _ in pairs)
        cpu_p = sum(p[1] for p, _ in pairs) / n
        cpu_c = sum(c[1] for _, c in pairs) / n
        print(
            f"{name:<10}{p50_p * 1e3:>13.2f}{p50_c * 1e3:>8.2f}{p50_c / p50_p:>10.3f}"
            f"{mean_ratio:>11.3f}{cpu_p * 1e6:>13.0f}{cpu_c * 1e6:>8.0f}{cpu_c / cpu_p:>10.3f}"
        )
    print("ratios = client / plain httpx: median latency, total time, this process's CPU time")
    print("target: <= 1.10")


if __name__ == "__main__":
    main()
