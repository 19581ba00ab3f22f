"""What ``openrouter-secure gateway`` adds to an MCP tool call over stdio.

The SDK's client calls a tool on the same upstream two ways in the same run, in
alternating rounds: directly over stdio, and through the gateway (a tool policy,
result sanitizing, and with ``--audit`` an audit log file). Reports p50 and p99 per
call for each, the difference at p50 and the ratio at p99 (targets: at most 1 ms
added at p50, at most 1.3x at p99).

The upstream is ``@modelcontextprotocol/server-everything``'s ``echo`` run with node
(installed by the gateway tests into ``.cache/npm-mcp``, or ``--everything PATH``),
or with ``--python`` a small ``MCPServer`` echo tool.

Run:  python benchmarks/bench_gateway.py [--calls 2000] [--rounds 4] [--audit] [--python]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parent.parent
EVERYTHING = ROOT / ".cache/npm-mcp/node_modules/@modelcontextprotocol/server-everything"
PY_ECHO = (
    "from mcp.server.mcpserver import MCPServer\n"
    "s = MCPServer('bench')\n"
    "@s.tool()\n"
    "def echo(message: str) -> str:\n"
    "    return 'Echo: ' + message\n"
    "s.run('stdio')\n"
)


def upstream(args: argparse.Namespace) -> list[str]:
    if args.python:
        return [sys.executable, "-c", PY_ECHO]
    index = Path(args.everything) / "dist" / "index.js"
    node = shutil.which("node")
    if node is None or not index.is_file():
        sys.exit(f"needs node and {index} (run tests/test_gateway.py once, or pass --python)")
    return [node, str(index), "stdio"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(command: list[str], calls: int, env: dict[str, str]) -> list[float]:
    params = StdioServerParameters(command=command[0], args=command[1:], env=env)
    times: list[float] = []
    with open(os.devnull, "w") as devnull:
        async with Client(stdio_client(params, devnull)) as client:
            for _ in range(20):  # warm up
                await client.call_tool("echo", {"message": "warm"})
            for i in range(calls):
                start = time.perf_counter()
                await client.call_tool("echo", {"message": f"hello {i}"})
                times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per way, in total")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--audit", action="store_true", help="the gateway also writes an audit log")
    parser.add_argument("--python", action="store_true", help="a Python upstream, not node")
    parser.add_argument("--everything", default=os.environ.get("ORS_NPM_EVERYTHING", EVERYTHING))
    args = parser.parse_args()
    direct = upstream(args)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "*"}
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policy.json"
        name = "bench" if args.python else "everything"
        policy.write_text(json.dumps({"mcpServers": {name: {"allowedTools": ["echo"]}}}))
        policy.chmod(0o600)
        gateway = [
            sys.executable,
            "-m",
            "openrouter_secure.cli",
            "gateway",
            "--policy",
            str(policy),
        ]
        if args.audit:
            gateway += ["--audit", str(Path(tmp) / "audit.jsonl")]
        gateway += ["--", *direct]
        per_round = max(1, args.calls // args.rounds)
        plain: list[float] = []
        gated: list[float] = []
        for _ in range(args.rounds):
            plain += anyio.run(measure, direct, per_round, env)
            gated += anyio.run(measure, gateway, per_round, env)
    ms = 1000.0
    p50d, p50g = percentile(plain, 0.5) * ms, percentile(gated, 0.5) * ms
    p99d, p99g = percentile(plain, 0.99) * ms, percentile(gated, 0.99) * ms
    print(
        f"upstream: {'python MCPServer' if args.python else 'node server-everything'}, "
        f"{len(plain)} calls each way, audit {'on' if args.audit else 'off'}"
    )
    print(
        f"direct : p50 {p50d:.3f} ms  p99 {p99d:.3f} ms  mean {statistics.mean(plain) * ms:.3f} ms"
    )
    print(
        f"gateway: p50 {p50g:.3f} ms  p99 {p99g:.3f} ms  mean {statistics.mean(gated) * ms:.3f} ms"
    )
    print(
        f"added at p50: {p50g - p50d:.3f} ms (target <= 1 ms); "
        f"p99 ratio: {p99g / p99d:.2f}x (target <= 1.3x)"
    )


if __name__ == "__main__":
    main()
