"""What ``openrouter-secure run`` adds to a command's start.

Starts, in the same run and in alternating order, ``true`` directly, ``python -c
pass`` (the interpreter's own start-up, which ``run`` cannot avoid), and ``true``
through ``openrouter-secure run --env X=env://BENCH_SECRET -- true`` (the ``env``
backend: no network latency of its own). Reports the median wall time of each and
what ``run`` adds over ``true`` (target: at most 80 ms) and over ``python -c pass``,
in wall time and in CPU time (which other load on the machine does not inflate).

It also measures what the child's start waits for: the command is ``date +%s%N``,
which prints the time it started, and the delay is that time minus the moment the
launcher (or ``date`` itself, directly) was invoked. ``run`` starts the child before
it builds the sanitizer of the child's stderr, so this delay is less than the whole
run's time.

Run:  python benchmarks/bench_run.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time, and CPU time (user + system) of the process and its children: the
    second does not grow when other work shares the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def start_delay(command: list[str], env: dict[str, str]) -> float:
    """Seconds from invoking ``command`` (ending in ``date +%s%N``) until ``date`` ran."""
    start = time.time_ns()
    out = subprocess.run(
        command, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True
    ).stdout
    return (int(out.split()[-1]) - start) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    true = shutil.which("true") or "/bin/true"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_SECRET": "bench-secret-value-0123"}
    # What the ``openrouter-secure`` console script runs (``python -m`` adds runpy).
    cli = [
        sys.executable,
        "-c",
        "import sys; from openrouter_secure.cli import main; sys.exit(main())",
    ]
    ways = {
        "true": [true],
        "python -c pass": [sys.executable, "-c", "pass"],
        "run -- true": [*cli, "run", "--", true],
        "run --env X=env://... -- true": [*cli, "run", "--env", "X=env://BENCH_SECRET", "--", true],
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    cpus: dict[str, list[float]] = {name: [] for name in ways}
    for command in ways.values():  # warm the file cache
        timed(command, env)
    for _ in range(args.runs):
        for name, command in ways.items():
            wall, cpu = timed(command, env)
            times[name].append(wall)
            cpus[name].append(cpu)
    med = {name: statistics.median(values) * 1000 for name, values in times.items()}
    for name, value in med.items():
        cpu = statistics.median(cpus[name]) * 1000
        print(f"{name:32s} median {value:7.1f} ms wall, {cpu:7.1f} ms CPU")
    date = shutil.which("date") or "/bin/date"
    starts = {
        "date": [date, "+%s%N"],
        "run --env X=env://... -- date": [
            *cli,
            "run",
            "--env",
            "X=env://BENCH_SECRET",
            "--",
            date,
            "+%s%N",
        ],
    }
    delays: dict[str, list[float]] = {name: [] for name in starts}
    for _ in range(args.runs):
        for name, command in starts.items():
            delays[name].append(start_delay(command, env))
    start_med = {name: statistics.median(values) * 1000 for name, values in delays.items()}
    for name, value in start_med.items():
        print(f"{name:32s} median {value:7.1f} ms from invocation until the command starts")
    # The launcher's own CPU time when the command starts (Linux: /proc/PID/schedstat,
    # in nanoseconds): what the start waits for, without the waiting for a core.
    probe = [*cli, "run", "--env", "X=env://BENCH_SECRET", "--", "sh", "-c"]
    probe.append("cut -d' ' -f1 /proc/$PPID/schedstat")
    if os.path.exists("/proc/self/schedstat"):
        spent = [
            int(
                subprocess.run(
                    probe, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True
                ).stdout
            )
            / 1e6
            for _ in range(args.runs)
        ]
        print(
            f"CPU time of the launcher when the command starts: median "
            f"{statistics.median(spent):.1f} ms (interpreter start-up included)"
        )
    print(
        "run delays the command's start by "
        f"{start_med['run --env X=env://... -- date'] - start_med['date']:.1f} ms (wall)"
    )
    cpu_added = statistics.median(cpus["run --env X=env://... -- true"]) * 1000 - (
        statistics.median(cpus["true"]) * 1000
    )
    print(f"run adds {cpu_added:.1f} ms of CPU time to 'true'")
    added = med["run --env X=env://... -- true"] - med["true"]
    print(
        f"run adds {added:.1f} ms to 'true' (target <= 80 ms); "
        f"{med['run --env X=env://... -- true'] - med['python -c pass']:.1f} ms more than "
        "a bare Python start-up"
    )


if __name__ == "__main__":
    main()
