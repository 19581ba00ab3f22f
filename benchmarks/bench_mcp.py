"""What ``openrouter_secure.mcp.secure`` adds to an MCP tool call.

1. ``tools/call`` round trips through the SDK's in-process client to a trivial tool
   on a plain ``MCPServer`` and on the same server secured with a tool policy, a
   memory rate limiter, an audit log file and result sanitizing; measured in the
   same run in alternating rounds, reported per call and as a ratio.
2. ``confine_path`` on a relative path inside a root (it resolves symlinks with
   ``realpath``, so the figure is mostly file-system calls).

Run:  python benchmarks/bench_mcp.py [--calls 400] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.server.mcpserver import MCPServer

from openrouter_secure.audit._log import AuditLog
from openrouter_secure.limits._ratelimit import RateLimiter
from openrouter_secure.mcp import confine_path, secure


def make_server() -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("bench")

    @server.tool()
    def echo(text: str) -> str:
        return text

    return server


async def time_calls(server: MCPServer[Any], calls: int) -> float:
    async with Client(server) as client:
        await client.call_tool("echo", {"text": "warm-up"})
        start = time.perf_counter()
        for i in range(calls):
            await client.call_tool("echo", {"text": f"message {i}"})
        return (time.perf_counter() - start) / calls


async def main_async(calls: int, rounds: int, workdir: Path) -> None:
    plain = make_server()
    audit = AuditLog(workdir / "audit.jsonl")
    secured = secure(
        make_server(),
        policy={"bench": {"allowedTools": ["echo"]}},
        limiter=RateLimiter("1000000/minute"),
        audit=audit,
    )
    plain_times, secured_times = [], []
    for _ in range(rounds):
        plain_times.append(await time_calls(plain, calls))
        secured_times.append(await time_calls(secured, calls))
    audit.close()
    p, s = statistics.median(plain_times), statistics.median(secured_times)
    print(f"tools/call, plain MCPServer     : {p * 1e6:8.0f} us/call (median of {rounds})")
    print(f"tools/call, secured (policy, limiter, audit file, sanitizer): {s * 1e6:8.0f} us/call")
    print(f"secured / plain                 : {s / p:8.2f}x  (+{(s - p) * 1e6:.0f} us/call)")


def bench_confine(workdir: Path, n: int = 20000) -> None:
    root = workdir / "root"
    (root / "a" / "b").mkdir(parents=True)
    start = time.perf_counter()
    for _ in range(n):
        confine_path("a/b/file.txt", root)
    per = (time.perf_counter() - start) / n
    print(f"confine_path (3 components)     : {per * 1e6:8.1f} us/call")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main_async(args.calls, args.rounds, Path(tmp)))
        bench_confine(Path(tmp))


if __name__ == "__main__":
    main()
