"""Costs of privacy-mode benchmarking and of a key rotation, on the loopback server.

1. ``benchmark_models`` against the same streamed requests made with the client in a
   plain loop (same client, same concurrency of 1, same server), measured in the same
   run in alternating rounds: the ratio is what timing, redaction, fingerprinting,
   statistics and the atomic 0600 save add per request.
2. ``rotate_key`` end to end (preflight, create, verify, state, store, refresh, and
   with zero grace the disable and delete) with an in-memory store: wall time per
   rotation, i.e. the management-API round trips plus local work.

Run:  python benchmarks/bench_benchmark_rotation.py [--requests 400] [--rotations 20]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from openrouter_secure import RedactingClient, Secret, register_backend, unregister_backend
from openrouter_secure.benchmark import benchmark_models
from openrouter_secure.rotation import rotate_key
from openrouter_secure.testing import FakeProvider, OpenRouterTestServer

MODEL = "openai/gpt-4o-mini"
PROMPT = "Say hello in five words."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--rotations", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("OPENROUTER_SECURE_FINGERPRINT_KEY", "bench-fingerprint-key-0123456789")
    per_round = args.requests // args.rounds
    tmp = Path(tempfile.mkdtemp(prefix="ors-bench-"))

    with OpenRouterTestServer(reply="Hello there, nice to meet.", record=False) as server:
        key = server.add_key().key
        client = RedactingClient(
            Secret(key), base_url=server.base_url, allow_insecure_loopback=True
        )
        messages = [{"role": "user", "content": PROMPT}]

        def loop(n: int) -> None:
            for _ in range(n):
                text = "".join(
                    c.content for c in client.chat(model=MODEL, messages=messages, stream=True)
                )
                assert text

        def bench(n: int) -> None:
            result = benchmark_models(
                [MODEL], PROMPT, client=client, runs=n, concurrency=1, results_dir=tmp
            )
            assert result.models[0].ok == n

        loop(20)
        bench(20)
        plain = ours = 0.0
        for _ in range(args.rounds):
            started = time.perf_counter()
            loop(per_round)
            plain += time.perf_counter() - started
            started = time.perf_counter()
            bench(per_round)
            ours += time.perf_counter() - started
        total = per_round * args.rounds
        print(f"streamed requests: {total} per side, {args.rounds} alternating rounds")
        print(f"  client loop       {plain / total * 1e3:7.3f} ms/request")
        print(f"  benchmark_models  {ours / total * 1e3:7.3f} ms/request")
        print(f"  ratio benchmark_models / client loop = {ours / plain:.3f}")

        mgmt = server.add_key(management=True).key
        store = FakeProvider({"k": key}, name="benchrot")
        register_backend("benchrot", store)
        times = []
        for _ in range(args.rotations):
            started = time.perf_counter()
            rotate_key(
                "benchrot://k",
                Secret(mgmt),
                base_url=server.base_url,
                allow_insecure_loopback=True,
                grace_period=timedelta(0),
                delete_after=timedelta(0),
                state_path=tmp / "state.json",
            )
            times.append(time.perf_counter() - started)
        unregister_backend("benchrot")
        print(f"rotations (zero grace, disable + delete included): {args.rotations}")
        print(
            f"  median {statistics.median(times) * 1e3:.1f} ms, "
            f"max {max(times) * 1e3:.1f} ms per rotation"
        )
        client.close()


if __name__ == "__main__":
    main()
