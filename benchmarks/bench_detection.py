"""Detection benchmark: secrets of formats no rule names, in many syntaxes, and clean
lines that look like them; this library and detect-secrets 1.5.0 (every plugin, line by
line) on the same inputs in the same run, with the cases one catches and the other
misses. Also the gitleaks-derived corpus (``$OPENROUTER_SECURE_CORPUS`` or
``../shared/corpus/``).

    python benchmarks/bench_detection.py                 # 3,000 + 3,000 cases
    python benchmarks/bench_detection.py --n 800 --show 40

A secret case counts as caught by the Sanitizer when the secret does not survive
``sanitize``; by detect-secrets when any line of it is reported. A clean line counts as
changed when ``sanitize`` changes it, or as flagged when detect-secrets reports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openrouter_secure import Sanitizer  # noqa: E402
from tests.detection_corpus import clean_cases, secret_cases  # noqa: E402


def detect_secrets_flags(texts: list[str]) -> list[bool]:
    """Whether detect-secrets (all plugins of its default settings) reports any line."""
    # What ``detect-secrets scan`` does for each line of a ``.txt`` file: every plugin,
    # then its filters (``scan_line`` would report every plugin's raw candidates).
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    with default_settings():
        return [
            any(
                True
                for _ in _process_line_based_plugins(list(enumerate(t.splitlines(), 1)), "case.txt")
            )
            for t in texts
        ]


def corpus_path() -> Path:
    import os

    env = os.environ.get("OPENROUTER_SECURE_CORPUS")
    base = Path(env) if env else ROOT.parent / "shared" / "corpus"
    if not env and not base.exists():  # a git worktree beside the main checkout
        base = Path("/work/shared/corpus")
    return base / "gitleaks-cases.jsonl" if base.is_dir() else base


def _table(rows: list[tuple[str, bool, bool]]) -> None:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, ours, theirs in rows:
        per[key][0] += 1
        per[key][1] += ours
        per[key][2] += theirs
    for key, (n, a, b) in sorted(per.items()):
        print(f"    {key:22s} {n:5d}   ours {a / n:6.1%}   detect-secrets {b / n:6.1%}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="secret cases (and clean lines)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=15, help="disagreements listed per side")
    parser.add_argument("--no-detect-secrets", action="store_true")
    args = parser.parse_args(argv)

    s = Sanitizer()
    secrets_ = secret_cases(args.n, args.seed)
    clean = clean_cases(args.n, args.seed + 1)
    ours_hit = [value not in s.sanitize(text) for _, _, text, value in secrets_]
    ours_changed = [s.sanitize(text) != text for _, text in clean]
    if args.no_detect_secrets:
        ds_hit = [False] * len(secrets_)
        ds_flag = [False] * len(clean)
    else:
        ds_hit = detect_secrets_flags([t for _, _, t, _ in secrets_])
        ds_flag = detect_secrets_flags([t for _, t in clean])

    n, m = len(secrets_), len(clean)
    print(f"generated corpus: {n} secret cases, {m} clean lines (seed {args.seed})")
    print(
        f"  recall          ours {sum(ours_hit) / n:6.1%}   detect-secrets {sum(ds_hit) / n:6.1%}"
    )
    print(
        f"  clean changed   ours {sum(ours_changed) / m:6.1%}   "
        f"detect-secrets {sum(ds_flag) / m:6.1%} (flagged)"
    )
    print("  recall by context:")
    _table([(c, a, b) for (c, _, _, _), a, b in zip(secrets_, ours_hit, ds_hit, strict=True)])
    print("  recall by value shape:")
    _table([(sh, a, b) for (_, sh, _, _), a, b in zip(secrets_, ours_hit, ds_hit, strict=True)])
    print("  clean lines changed (ours) / flagged (detect-secrets) by kind:")
    _table([(k, a, b) for (k, _), a, b in zip(clean, ours_changed, ds_flag, strict=True)])

    def show(title: str, items: list[str]) -> None:
        counts = Counter(items)
        print(f"\n  {title}: {len(items)}")
        for text, _ in counts.most_common(args.show):
            print("    " + text.replace("\n", "\\n")[:150])

    show(
        "secret missed by ours, caught by detect-secrets",
        [t for (_, _, t, _), a, b in zip(secrets_, ours_hit, ds_hit, strict=True) if b and not a],
    )
    show(
        "secret caught by ours, missed by detect-secrets",
        [t for (_, _, t, _), a, b in zip(secrets_, ours_hit, ds_hit, strict=True) if a and not b],
    )
    show(
        "secret missed by both",
        [t for (_, _, t, _), a, b in zip(secrets_, ours_hit, ds_hit, strict=True) if not (a or b)],
    )
    show(
        "clean line changed by ours",
        [s.sanitize(t) for (_, t), a in zip(clean, ours_changed, strict=True) if a],
    )

    path = corpus_path()
    if not path.exists():
        print(f"\ncorpus not found at {path}; set OPENROUTER_SECURE_CORPUS")
        return
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    ours_c = [bool(s.find(c["text"])) for c in cases]
    ds_c = (
        [False] * len(cases)
        if args.no_detect_secrets
        else detect_secrets_flags([c["text"] for c in cases])
    )
    print(f"\ngitleaks-derived corpus ({path.name}):")
    for label, what in (("secret", "recall"), ("not_secret", "flagged")):
        for src in ("literal", "sample_value", "generated", "all"):
            sel = [
                (a, b)
                for c, a, b in zip(cases, ours_c, ds_c, strict=True)
                if c["label"] == label and src in (c["source"], "all")
            ]
            if sel:
                a = sum(x for x, _ in sel) / len(sel)
                b = sum(y for _, y in sel) / len(sel)
                print(
                    f"  {label:10s} {src:12s} {what:7s} n={len(sel):4d}  "
                    f"ours {a:6.1%}   detect-secrets {b:6.1%}"
                )
    missed = [
        c["text"] for c, a in zip(cases, ours_c, strict=True) if c["label"] == "secret" and not a
    ]
    flagged = [
        c["text"] for c, a in zip(cases, ours_c, strict=True) if c["label"] == "not_secret" and a
    ]
    show("corpus secrets missed by ours", missed)
    show("corpus negatives flagged by ours", flagged)


if __name__ == "__main__":
    main()
