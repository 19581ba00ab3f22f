"""One long text through the Hyperscan engine: the rate against a ``bytes.count``
ceiling, where the time goes, and each choice the engine makes for long texts against
its alternative, measured alternately in the same run (best of ``--runs``).

    python benchmarks/bench_long_text.py            # the realistic 50 MB log
    python benchmarks/bench_long_text.py --mb 10

The choices: one stream scan of the merged database of rules and known values
(hidden characters are known values too) against one scan of each; the text's own
bytes scanned in place against each chunk encoded; the stream database without the
patterns of names a rule rejects (each gate match's name read backwards in Python
instead) against with them; the search for copies of found values with fewer than 64
literals padded up to 64 (so Hyperscan picks FDR) against unpadded; and the masked
text written into a new string against appended in megabyte groups and against one
fresh copy of the text by slicing; and the scan in parts on every core against whole
on one.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_sanitizer import realistic_log, wait_until_steady  # noqa: E402

from openrouter_secure import Sanitizer  # noqa: E402
from openrouter_secure._sanitize import _hyperscan, _render  # noqa: E402
from openrouter_secure._sanitize._sanitizer import _mask  # noqa: E402
from openrouter_secure._sanitize._scan import hyperscan_available  # noqa: E402


def alternate(runs: int, **fns: Callable[[], object]) -> dict[str, float]:
    """Best seconds of each function, called in turn ``runs`` times (a burst of load
    on a shared machine then lands on no single one)."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the realistic log")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    if not hyperscan_available():
        sys.exit("hyperscan is not installed (the [fast] extra)")
    text, planted = realistic_log(args.mb)
    raw = text.encode()
    mb = len(raw) / 1e6
    sanitizer = Sanitizer(backend="hyperscan")
    sanitizer.sanitize("warm up")
    sanitizer.sanitize(text)  # asks the worker thread for the merged stream database
    scanner = sanitizer._scanner()
    prefilter = scanner._hs
    assert prefilter is not None
    wait_until_steady(sanitizer)

    print(f"realistic log: {mb:.1f} MB, {planted} planted secrets, best of {args.runs}")
    t = alternate(
        args.runs, ceiling=lambda: raw.count(b"\n"), sanitize=lambda: sanitizer.sanitize(text)
    )
    rate = mb / t["sanitize"]
    print(f"  bytes.count ceiling        {mb / t['ceiling']:6.0f} MB/s")
    print(
        f"  sanitize                   {rate:6.0f} MB/s  {_ms(t['sanitize'])}  "
        f"({t['ceiling'] / t['sanitize']:.2f}x ceiling)"
    )

    # -- where the time goes ----------------------------------------------------------
    hits = scanner._scan(text)
    spans = sanitizer._spans(text, sanitizer._hits(scanner, text))
    masks = [(s, e, _mask(text[s:e], k)) for s, e, k, _ in spans]
    t = alternate(
        args.runs,
        scan=lambda: prefilter._matches(text),
        rules=lambda: scanner._scan(text),
        copies=lambda: scanner._propagate(text, list(hits)),
        render=lambda: _render.render(text, masks),
    )
    print(f"  parts ({_hyperscan.workers()} cores):")
    print(f"    Hyperscan pass (rules and known values)   {_ms(t['scan'])}")
    print(f"    rules judged in Python                    {_ms(t['rules'] - t['scan'])}")
    print(f"    search for copies of found values         {_ms(t['copies'])}")
    print(f"    masked text built                         {_ms(t['render'])}")

    # -- one scan of the merged database, or one of each --------------------------------
    rules, needles, merged = prefilter.rules.db, prefilter._needles, prefilter._merged[0]
    assert needles is not None
    t = alternate(
        args.runs,
        one=lambda: merged.stream_matches(text),
        two=lambda: (rules.stream_matches(text), needles.stream_matches(text)),
    )
    print("  rules and known values:")
    print(f"    one scan of the merged database           {_ms(t['one'])}")
    print(f"    a scan of each                            {_ms(t['two'])}")

    # -- in parts on every core, or whole on one ----------------------------------------
    cores = _hyperscan.workers

    def one_core(fn: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            _hyperscan.workers = lambda: 1  # type: ignore[assignment]
            try:
                return fn()
            finally:
                _hyperscan.workers = cores  # type: ignore[assignment]

        return run

    t = alternate(
        args.runs,
        parts=lambda: merged.stream_matches(text),
        whole=one_core(lambda: merged.stream_matches(text)),
        sanitize_parts=lambda: sanitizer.sanitize(text),
        sanitize_whole=one_core(lambda: sanitizer.sanitize(text)),
    )
    print(f"  scanned in parts on {cores()} cores, or whole on one:")
    print(f"    Hyperscan pass in parts                   {_ms(t['parts'])}")
    print(f"    Hyperscan pass whole                      {_ms(t['whole'])}")
    print(f"    sanitize, in parts                        {_ms(t['sanitize_parts'])}")
    print(f"    sanitize, whole                           {_ms(t['sanitize_whole'])}")

    # -- the text's own bytes, or each chunk encoded ------------------------------------
    in_place = _hyperscan.held_bytes

    def encoded(fn: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            _hyperscan.held_bytes = lambda _text: None
            try:
                return fn()
            finally:
                _hyperscan.held_bytes = in_place

        return run

    copies = [text[f.start : f.end] for f in sanitizer.find(text)]
    t = alternate(
        args.runs,
        rules_held=lambda: rules.stream_matches(text),
        rules_encoded=encoded(lambda: rules.stream_matches(text)),
        copies_held=lambda: _hyperscan.occurrences(text, copies),
        copies_encoded=encoded(lambda: _hyperscan.occurrences(text, copies)),
    )
    print("  the text's own bytes scanned in place, or each 256 KiB chunk encoded:")
    print(f"    rules, in place                           {_ms(t['rules_held'])}")
    print(f"    rules, encoded                            {_ms(t['rules_encoded'])}")
    print(f"    copies of {len(copies)} found values, in place        {_ms(t['copies_held'])}")
    print(f"    copies, encoded                           {_ms(t['copies_encoded'])}")

    # -- rejected names: read backwards in Python, or in the stream database -----------
    rdb = prefilter.rules
    with_names = _hyperscan.Database(
        [p.decode() for p in rules._patterns], [bool(f) for f in rules._flags], block=False
    )
    with_names.prepare_stream()
    gates = [
        (rdb.cancellable[pid], end)
        for pid, _, end in rules.stream_matches(text)
        if rdb.cancellable.get(pid) in rdb.rejects_name
    ]
    t = alternate(
        args.runs,
        without=lambda: rules.stream_matches(text),
        with_names=lambda: with_names.stream_matches(text),
        backwards=lambda: [rdb.rejects_name[ri](text, end) for ri, end in gates],
    )
    print("  names a rule rejects (cache_key=, public_key=):")
    print(f"    stream scan without their patterns        {_ms(t['without'])}")
    print(f"    {len(gates)} gate matches' names read backwards  {_ms(t['backwards'])}")
    print(f"    stream scan with their patterns           {_ms(t['with_names'])}")

    # -- the search for copies: padded to 64 literals or not ----------------------------
    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits
    print("  search for copies of n found values (random 24-character values):")
    for n in (2, 8, 16, 48):  # padded from 5 values on
        values = ["".join(rng.choice(alphabet) for _ in range(24)) for _ in range(n)]
        patterns = [_hyperscan.literal(v) for v in values]
        plain = _hyperscan.Database(patterns, block=False)
        padded = _hyperscan.Database(patterns + _hyperscan._PADDING[n:], block=False)
        plain.prepare_stream()
        padded.prepare_stream()
        t = alternate(
            args.runs,
            plain=lambda d=plain: d.stream_matches(text),  # type: ignore[misc]
            padded=lambda d=padded: d.stream_matches(text),  # type: ignore[misc]
        )
        print(
            f"    n={n:<3d} padded to 64 {_ms(t['padded'])}   unpadded {_ms(t['plain'])}"
            f"   ({t['plain'] / t['padded']:.2f}x)"
        )

    # -- the masked text: against one fresh copy of the text (its floor) ----------------
    t = alternate(
        args.runs,
        written=lambda: _render.render(text, masks),
        appended=lambda: _render._appended(text, masks),
        copy=lambda: text[1:],
    )
    print("  masked text:")
    print(f"    written into a new string (huge pages)    {_ms(t['written'])}")
    print(f"    built in megabyte groups appended in place {_ms(t['appended'])}")
    print(f"    one fresh copy of the text by slicing     {_ms(t['copy'])}")


if __name__ == "__main__":
    main()
