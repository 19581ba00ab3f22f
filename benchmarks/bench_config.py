"""Cost of config checks and tool-policy decisions.

Run:  python benchmarks/bench_config.py [--servers 50] [--rounds 20]

* ``validate_config`` on a realistic document (``--servers`` servers, each with args,
  env and headers made only of references): milliseconds per document, next to plain
  ``json.loads`` of the same document (the ratio is what the secret scan costs).
* ``ToolPolicy.check``: decisions per second on a 6-rule server.
* Glob matching, ours (an automaton, linear in the name) against Python's ``re`` with
  the equivalent anchored regex, on an ordinary pattern and on an adversarial one
  (``**a**a...**b`` against ``aaaa...``), where backtracking explodes.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openrouter_secure as ors
import openrouter_secure.config
from openrouter_secure.config._policy import Glob


def timed(fn: Callable[[], object], rounds: int) -> float:
    """Median seconds of ``fn`` over ``rounds`` calls."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def document(servers: int) -> dict[str, object]:
    return {
        "mcpServers": {
            f"server-{i}": {
                "command": "npx",
                "args": [
                    "-y",
                    f"@example/server-{i}",
                    "--api-key",
                    "${secret:keyring://s/k" + str(i) + "}",
                ],
                "env": {
                    "OPENROUTER_API_KEY": "${secret:keyring://openrouter-mcp/key-" + str(i) + "}",
                    "LOG_LEVEL": "info",
                    "DATA_DIR": f"/home/me/data/{i}",
                },
                "headers": {"Authorization": "Bearer ${secret:env://TOKEN_" + str(i) + "}"},
                "allowedToolsGlob": ["read_*", "repos/**"],
                "deniedTools": ["delete_repo"],
            }
            for i in range(servers)
        }
    }


def to_regex(pattern: str) -> str:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/.]*"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    doc = document(args.servers)
    text = json.dumps(doc)
    ors.config.validate_config(doc)  # warm up (sanitizer rules, registry names)
    t_validate = timed(lambda: ors.config.validate_config(json.loads(text)), args.rounds)
    t_parse = timed(lambda: json.loads(text), args.rounds)
    print(f"validate_config, {args.servers} servers ({len(text)} bytes):")
    print(f"  {t_validate * 1000:.2f} ms per document; json.loads alone {t_parse * 1000:.3f} ms")
    print(f"  ratio validate/parse: {t_validate / t_parse:.0f}x")

    policy = ors.config.ToolPolicy.from_config(doc)
    names = ["read_file", "repos/a/b", "delete_repo", "write_file"] * 250
    t_check = timed(lambda: [policy.check("server-0", n) for n in names], args.rounds)
    print(f"ToolPolicy.check: {len(names) / t_check:,.0f} decisions/s")

    ordinary = ("read_*", "read_file_contents")
    glob, regex = Glob(ordinary[0]), re.compile(to_regex(ordinary[0]))
    t_ours = timed(lambda: [glob.match(ordinary[1]) for _ in range(1000)], args.rounds)
    t_re = timed(lambda: [regex.fullmatch(ordinary[1]) for _ in range(1000)], args.rounds)
    print(f"glob {ordinary[0]!r}: ours {t_ours * 1000:.2f} ms / 1000, re {t_re * 1000:.2f} ms")
    print(f"  ratio ours/re: {t_ours / t_re:.1f}x (re is C; ours is Python, but bounded)")

    print("adversarial glob '**a' * k + '**b' against 'a' * n (no match):")
    for k, n in ((3, 200), (4, 100), (4, 200)):
        pattern = "**a" * k + "**b"
        name = "a" * n
        glob, regex = Glob(pattern), re.compile(to_regex(pattern), re.S)
        t_ours = timed(lambda glob=glob, name=name: glob.match(name), 3)
        t_re = timed(lambda regex=regex, name=name: regex.fullmatch(name), 1)
        print(
            f"  k={k} n={n}: ours {t_ours * 1000:.2f} ms, re {t_re * 1000:.1f} ms, "
            f"ratio re/ours {t_re / t_ours:.0f}x"
        )


if __name__ == "__main__":
    main()
