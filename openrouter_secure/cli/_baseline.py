"""``openrouter-secure baseline FILE...``: accept the key-shaped sample values in files.

Writes ``.openrouter-secure-baseline.json`` (or ``--output``) with a fingerprint of each
value the config checks and ``doctor`` report in the files, never the value itself.
Review the findings first: everything listed is accepted from then on, in every file
the baseline covers.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "baseline",
        help="accept the sample values (placeholders) in files: write a baseline of fingerprints",
    )
    parser.add_argument("files", metavar="FILE", nargs="+", type=Path, help="config or .env files")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="baseline file to write (default: .openrouter-secure-baseline.json here)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..config._allow import BASELINE_NAME, write_baseline
    from ..config._check import baseline_entries

    entries, refused = baseline_entries(list(args.files))
    for line in refused:
        print(f"not accepted (fix it instead): {line}")
    output = args.output or Path(BASELINE_NAME)
    written = write_baseline(entries, output)
    for entry in entries:
        print(f"accepted {entry.file}: {entry.path}: {entry.rule}")
    print(f"wrote {len(entries)} fingerprint(s) to {written}")
    return 1 if refused else 0
