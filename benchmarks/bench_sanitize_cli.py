"""``openrouter-secure sanitize`` throughput, with ``cat`` (the ceiling of a pipe filter on
this machine) and the library's in-process ``Sanitizer.sanitize`` on the same input, in
the same run.

    python benchmarks/bench_sanitize_cli.py            # 50 MB log
    python benchmarks/bench_sanitize_cli.py --mb 10    # quicker

Builds the realistic log of ``bench_sanitizer.py`` (clean application logs, about one
line in 1,000 carrying a secret), then times, median of ``--runs``, each program
reading it from a file and from a pipe and writing to ``/dev/null``. Both the wall
time and the CPU time (user + system of the program; other load on the machine does
not inflate it) are reported. The command's start-up is measured on a one-line input
(which makes it build its scanner, as any real input does) and reported apart. The
"marginal" rates are those of the log's second half (the full log's time minus that
of its first half alone): the filter's own rate on long inputs, start-up and engine
choice aside, to set against the in-process figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(command: list[str], path: Path, piped: bool) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` over ``path`` (the feeding ``cat`` of a pipe
    is not counted in the CPU time)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if piped:
        with subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE) as feeder:
            before = _children_cpu()
            start = time.perf_counter()
            with subprocess.Popen(
                command, stdin=feeder.stdout, stdout=subprocess.DEVNULL, env=env
            ) as proc:
                assert feeder.stdout is not None
                feeder.stdout.close()
                code = proc.wait()
            wall = time.perf_counter() - start
            cpu = _children_cpu() - before
    else:
        before = _children_cpu()
        start = time.perf_counter()
        code = subprocess.run(
            [*command, str(path)], stdout=subprocess.DEVNULL, env=env, check=False
        ).returncode
        wall = time.perf_counter() - start
        cpu = _children_cpu() - before
    if code:
        sys.exit(f"{command} failed with {code}")
    return wall, cpu


def _median(command: list[str], path: Path, piped: bool, runs: int) -> tuple[float, float]:
    walls, cpus = zip(*(_once(command, path, piped) for _ in range(runs)), strict=True)
    return statistics.median(walls), statistics.median(cpus)


def _in_process(text: str, runs: int) -> dict[str, float]:
    """CPU seconds (median) of the library on ``text`` in this process."""
    from openrouter_secure import StreamSanitizer, default_sanitizer

    sanitizer = default_sanitizer()
    sanitizer.sanitize("warm up: build the scanner first")

    def whole() -> None:
        sanitizer.sanitize(text)

    def blocks() -> None:
        for i in range(0, len(text), 1 << 16):
            sanitizer.sanitize(text[i : i + (1 << 16)])

    def stream() -> None:
        s = StreamSanitizer(sanitizer)
        for i in range(0, len(text), 1 << 16):
            s.feed(text[i : i + (1 << 16)])
        s.flush()

    out: dict[str, float] = {}
    for label, work in (
        ("sanitize(whole log)", whole),
        ("sanitize per 64 KiB", blocks),
        ("StreamSanitizer, 64 KiB feeds", stream),
    ):
        times = []
        for _ in range(runs):
            start = time.process_time()
            work()
            times.append(time.process_time() - start)
        out[label] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the log in MB")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (median)")
    args = parser.parse_args()
    cat = shutil.which("cat")
    if cat is None:
        sys.exit("cat is not on PATH")
    from openrouter_secure import Sanitizer

    print(f"engine: {Sanitizer().backend}; building a {args.mb:g} MB log...")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    text = _log(args.mb)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.log"
        path.write_text(text, encoding="utf-8")
        one_line = Path(tmp) / "one.log"
        one_line.write_text("GET /health 200\n", encoding="utf-8")
        size = path.stat().st_size / 1e6
        half = Path(tmp) / "half.log"
        half.write_text(text[: text.rfind("\n", 0, len(text) // 2) + 1], encoding="utf-8")
        half_size = half.stat().st_size / 1e6
        start_wall, start_cpu = _median(CLI, one_line, False, args.runs)
        print(
            f"log: {size:.1f} MB; `sanitize` start-up on a one-line input: "
            f"{start_cpu * 1000:.0f} ms CPU, {start_wall * 1000:.0f} ms wall"
        )
        print(f"{'':36s} {'MB/s CPU':>9s} {'MB/s wall':>10s} {'CPU vs cat':>11s}")
        for label, piped in (("from a file", False), ("from a pipe (cat | ...)", True)):
            cat_wall, cat_cpu = _median([cat], path, piped, args.runs)
            wall, cpu = _median(CLI, path, piped, args.runs)
            cat_cpu = max(cat_cpu, 1e-3)  # below the clock's resolution on small logs
            print(f"cat, {label:31s} {size / cat_cpu:9.0f} {size / cat_wall:10.0f}")
            print(
                f"sanitize, {label:26s} {size / cpu:9.1f} {size / wall:10.1f} {cat_cpu / cpu:11.1%}"
            )
            half_wall, half_cpu = _median(CLI, half, piped, args.runs)
            if cpu > half_cpu and wall > half_wall:
                rest = size - half_size
                print(
                    f"  marginal (the log's second half) {'':2s} {rest / (cpu - half_cpu):9.1f} "
                    f"{rest / (wall - half_wall):10.1f}"
                )
        for label, seconds in _in_process(text, args.runs).items():
            print(f"in process, {label:24s} {size / seconds:9.1f}")


if __name__ == "__main__":
    main()
