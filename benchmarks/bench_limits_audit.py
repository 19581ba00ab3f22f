"""Throughput of RateLimiter (memory and Redis) and AuditLog, next to their baselines.

Run:  python benchmarks/bench_limits_audit.py [--quick] [--only memory|redis|audit]

* In-memory limiter checks/s on one core (target >= 200,000/s), next to the ``limits``
  library's own strategy on the same storage, so the ratio is our wrapper's cost.
* Redis limiter checks/s against a local redis-server this script starts, next to a
  raw ``INCR`` round trip and ``limits``' own Redis strategy (aim: within 2x of INCR).
* AuditLog events/s to a file with the hash chain (target >= 20,000/s), with and
  without ``fsync`` per record, next to a naive two-pass field cleaning
  (``sanitize_data`` then a second walk) and to no cleaning at all, in the same run.

Every figure is the best of a few repetitions (the machine may be shared).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def best_rate(make: Callable[[], Callable[[int], None]], n: int, repeat: int = 3) -> float:
    """Best rate of ``make()(n)`` over ``repeat`` runs; ``make`` (untimed) gives fresh state."""
    best = 0.0
    for _ in range(repeat):
        fn = make()
        start = time.perf_counter()
        fn(n)
        best = max(best, n / (time.perf_counter() - start))
    return best


def memory_limiter(n: int) -> None:
    import limits
    from limits import storage, strategies

    from openrouter_secure.limits import RateLimiter

    keys = [f"tool:t{i}" for i in range(100)]
    print(f"\nIn-memory limiter, {n:,} checks over 100 keys, limit 1e9/minute (all allowed)")
    print(f"{'strategy':<16}{'RateLimiter/s':>16}{'limits/s':>14}{'ratio':>8}")
    for name, cls in (
        ("moving-window", strategies.MovingWindowRateLimiter),
        ("sliding-window", strategies.SlidingWindowCounterRateLimiter),
        ("fixed-window", strategies.FixedWindowRateLimiter),
    ):
        item = limits.parse("1000000000/minute")

        def make_ours(name: str = name) -> Callable[[int], None]:
            hit = RateLimiter("1000000000/minute", strategy=name).hit

            def run(count: int) -> None:
                for i in range(count):
                    hit(keys[i % 100])

            return run

        def make_raw(cls: type = cls, item: object = item) -> Callable[[int], None]:
            hit = cls(storage.MemoryStorage()).hit

            def run(count: int) -> None:
                for i in range(count):
                    hit(item, "ors", keys[i % 100])

            return run

        # Interleaved, so a burst of load from other processes hits both alike.
        a = b = 0.0
        for _ in range(3):
            a, b = max(a, best_rate(make_ours, n, 1)), max(b, best_rate(make_raw, n, 1))
        print(f"{name:<16}{a:>16,.0f}{b:>14,.0f}{a / b:>8.2f}")


NO_AOF = ("--appendonly", "no")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_limiter(n: int) -> None:
    if shutil.which("redis-server") is None:
        print("\nRedis: skipped (redis-server not installed)")
        return
    import limits
    import redis
    from limits import storage, strategies

    from openrouter_secure.limits import RateLimiter

    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", *NO_AOF],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

        def raw_incr(count: int) -> None:
            for i in range(count):
                client.incr(f"bench:{i % 100}")

        base = best_rate(lambda: raw_incr, n)
        print(f"\nRedis (local redis-server), {n:,} checks over 100 keys")
        print(f"{'what':<30}{'ops/s':>12}{'vs INCR':>10}")
        print(f"{'raw INCR (redis-py)':<30}{base:>12,.0f}{1.0:>10.2f}")
        for name, cls in (
            ("fixed-window", strategies.FixedWindowRateLimiter),
            ("sliding-window", strategies.SlidingWindowCounterRateLimiter),
            ("moving-window", strategies.MovingWindowRateLimiter),
        ):
            client.flushdb()
            item = limits.parse("1000000000/minute")

            def make_ours(name: str = name) -> Callable[[int], None]:
                hit = RateLimiter("1000000000/minute", storage=url, strategy=name).hit

                def run(count: int) -> None:
                    for i in range(count):
                        hit(f"k{i % 100}")

                return run

            def make_raw(cls: type = cls, item: object = item) -> Callable[[int], None]:
                hit = cls(storage.storage_from_string(url)).hit

                def run(count: int) -> None:
                    for i in range(count):
                        hit(item, "raw", f"k{i % 100}")

                return run

            a, b = best_rate(make_ours, n), best_rate(make_raw, n)
            print(f"{'RateLimiter ' + name:<30}{a:>12,.0f}{a / base:>10.2f}")
            print(f"{'limits ' + name:<30}{b:>12,.0f}{b / base:>10.2f}")
    finally:
        proc.terminate()
        proc.wait(5)


def two_pass_clean_fields(fields: Mapping[str, Any], max_chars: int = 1024) -> dict[str, Any]:
    """The field cleaning ``AuditLog`` used before the single walk, kept to compare.

    ``Sanitizer.sanitize_data`` over a copy, then a second walk that made the result
    JSON-safe, stripped control characters (re-sanitizing what that changed), redacted
    content-named fields and cut long strings.
    """
    from openrouter_secure._sanitize._sanitizer import default_sanitizer
    from openrouter_secure._secret import MASK, Secret
    from openrouter_secure.audit._log import _CONTENT_KEY, _strip

    def clean(value: Any, limit: int, key: str | None, depth: int = 0) -> Any:
        if value is None or isinstance(value, (bool, int)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, str):
            if key is not None and _CONTENT_KEY.search(key):
                return default_sanitizer().redact(value)
            stripped = _strip(value)
            if stripped is not value:
                stripped = _strip(default_sanitizer().sanitize(stripped))
            if len(stripped) > limit:
                return stripped[:limit] + f"...<{len(stripped) - limit} more chars>"
            return stripped
        if isinstance(value, Secret):
            return MASK
        if depth >= 8:
            return "<nested too deep>"
        if isinstance(value, Mapping):
            return {
                clean(str(k), 128, None): clean(v, limit, str(k), depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple, set, frozenset)):
            return [clean(v, limit, key, depth + 1) for v in value]
        return clean(default_sanitizer().sanitize(str(value)), limit, key, depth)

    cleaned: dict[str, Any] = clean(
        default_sanitizer().sanitize_data(dict(fields)), max_chars, None
    )
    return cleaned


def no_clean_fields(fields: Mapping[str, Any], max_chars: int = 1024) -> dict[str, Any]:
    del max_chars  # same signature as clean_fields; nothing is cleaned
    return dict(fields)


def tool_denied(log: Any) -> Callable[[], Callable[[int], None]]:
    """A ``best_rate`` maker that logs ``count`` tool.denied records to ``log``."""

    def run(count: int) -> None:
        for i in range(count):
            log.log("tool.denied", server="files", tool=f"t{i}", rule="deny:*", client="c")

    return lambda: run


def audit(n: int) -> None:
    from openrouter_secure import Secret
    from openrouter_secure.audit import AuditLog, verify_audit_file

    print(f"\nAuditLog to a file with the hash chain ({n:,} tool.denied events)")
    print(f"{'mode':<34}{'events/s':>12}")
    folder = tempfile.mkdtemp(prefix="ors-bench-audit-")
    try:
        for label, kwargs, count in (
            ("flush (write(2) per record)", {}, n),
            ("flush + HMAC key", {"key": Secret(os.urandom(32))}, n),
            ("fsync per record", {"fsync": True}, max(n // 10, 500)),
        ):
            path = os.path.join(folder, f"{len(os.listdir(folder))}.jsonl")
            log = AuditLog(path, **kwargs)
            print(f"{label:<34}{best_rate(tool_denied(log), count):>12,.0f}")
            log.close()
        # The same records with the previous two-pass cleaning, and with no cleaning at
        # all (chain and locked append only), to show what the cleaning costs.
        from openrouter_secure.audit import _log as _audit

        saved = _audit.clean_fields
        for label, replacement in (
            ("(previous two-pass cleaning)", two_pass_clean_fields),
            ("(chain + file only, no sanitizer)", no_clean_fields),
        ):
            _audit.clean_fields = replacement
            try:
                log = AuditLog(os.path.join(folder, f"{len(os.listdir(folder))}.jsonl"))
                print(f"{label:<34}{best_rate(tool_denied(log), n):>12,.0f}")
                log.close()
            finally:
                _audit.clean_fields = saved
        path = os.path.join(folder, "0.jsonl")
        start = time.perf_counter()
        result = verify_audit_file(path)
        rate = result.count / (time.perf_counter() - start)
        print(
            f"{'verify_audit_file':<34}{rate:>12,.0f}   ({result.count:,} records, ok={result.ok})"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument(
        "--only", choices=("memory", "redis", "audit"), help="run just this section"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    scale = 10 if args.quick else 1
    print(f"python {sys.version.split()[0]}, pinned to one core, pid {os.getpid()}")
    if args.only in (None, "memory"):
        memory_limiter(200_000 // scale)
    if args.only in (None, "redis"):
        redis_limiter(20_000 // scale)
    if args.only in (None, "audit"):
        audit(50_000 // scale)


if __name__ == "__main__":
    main()
