"""``openrouter-secure sanitize`` throughput, with ``cat`` on the same input in the same
run (the ceiling of a pipe filter on this machine).

    python benchmarks/bench_sanitize_cli.py            # 50 MB log
    python benchmarks/bench_sanitize_cli.py --mb 10    # quicker

Builds the realistic log of ``bench_sanitizer.py`` (clean application logs, about one
line in 1,000 carrying a secret), then times, best of three, each program reading it
from a file and from a pipe and writing to ``/dev/null``. Interpreter start-up is
measured on empty input and reported apart; the MB/s include it, and the
"without start-up" line subtracts it (the filter's own rate on long inputs).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "openrouter_secure.cli", "sanitize"]


def _log(mb: float) -> str:
    spec = importlib.util.spec_from_file_location(
        "bench_sanitizer", ROOT / "benchmarks" / "bench_sanitizer.py"
    )
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text, _ = bench.realistic_log(mb)
    return str(text)


def _best(command: list[str], path: Path | None, piped: bool, runs: int = 3) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        if path is None:
            subprocess.run(command, input=b"", stdout=subprocess.DEVNULL, env=env, check=True)
        elif piped:
            with subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE) as feeder:
                subprocess.run(
                    command, stdin=feeder.stdout, stdout=subprocess.DEVNULL, env=env, check=True
                )
        else:
            subprocess.run([*command, str(path)], stdout=subprocess.DEVNULL, env=env, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the log in MB")
    args = parser.parse_args()
    cat = shutil.which("cat")
    if cat is None:
        sys.exit("cat is not on PATH")
    from openrouter_secure import Sanitizer

    print(f"engine: {Sanitizer().backend}; building a {args.mb:g} MB log...")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.log"
        path.write_text(_log(args.mb), encoding="utf-8")
        size = path.stat().st_size / 1e6
        startup = _best(CLI, None, False)
        print(f"log: {size:.1f} MB; `sanitize` start-up on empty input: {startup * 1000:.0f} ms")
        print(f"{'':28s} {'MB/s':>9s} {'vs cat':>8s}")
        for label, piped in (("from a file", False), ("from a pipe (cat | ...)", True)):
            cat_s = _best([cat], path, piped)
            ours = _best(CLI, path, piped)
            rate, cat_rate = size / ours, size / cat_s
            print(f"cat, {label:23s} {cat_rate:9.0f}")
            print(f"sanitize, {label:18s} {rate:9.1f} {rate / cat_rate:8.1%}")
            if ours > startup:
                print(f"  without start-up {'':9s} {size / (ours - startup):9.1f}")


if __name__ == "__main__":
    main()
