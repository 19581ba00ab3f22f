"""``openrouter-secure benchmark``: compare models on one prompt, privately.

The prompt is read from a file (``--prompt-file``) or standard input, never from the
command line: a process's arguments are visible to every user of the machine (``ps``,
``/proc/PID/cmdline``) and end up in shell history.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._net import DEFAULT_BASE_URL
from ._output import print_json


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "benchmark",
        help="run one prompt (from a file or stdin) against several models; results are "
        "saved with the prompt and responses redacted",
        description=(__doc__ or "").replace("``", ""),
        allow_abbrev=False,
    )
    parser.add_argument(
        "-m",
        "--model",
        dest="models",
        action="append",
        required=True,
        metavar="MODEL",
        help="a model id (repeat, or separate with commas), e.g. openai/gpt-4o-mini",
    )
    parser.add_argument(
        "--prompt-file",
        metavar="PATH",
        help="read the prompt from PATH ('-' or omitted: standard input)",
    )
    parser.add_argument("--runs", type=int, default=1, help="requests per model (default 1)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (4)")
    parser.add_argument("--max-tokens", type=int, help="max_tokens for each request")
    parser.add_argument("--no-stream", action="store_true", help="no streaming (no TTFT)")
    parser.add_argument(
        "--api-key",
        default="env://OPENROUTER_API_KEY",
        metavar="REF",
        help="secret reference of the API key (default env://OPENROUTER_API_KEY)",
    )
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL")
    parser.add_argument(
        "--allow-insecure-loopback",
        action="store_true",
        help="allow http:// to a loopback host: 127.x.x.x, ::1, localhost (test servers only)",
    )
    parser.add_argument("--results-dir", metavar="DIR", help="where results are saved")
    parser.add_argument("--name", help="file name of the saved result (inside the results dir)")
    parser.add_argument("--no-save", action="store_true", help="do not save the result")
    parser.add_argument(
        "--export",
        default="",
        metavar="FORMATS",
        help="also export, comma-separated: md,csv,json,png (png needs matplotlib)",
    )
    parser.add_argument(
        "--rank-by",
        choices=("speed", "cost", "errors"),
        default="speed",
        help="order of the printed table (default speed)",
    )
    parser.add_argument(
        "--include-prompts",
        action="store_true",
        help="keep prompt and response text in logs and results (secrets still masked); "
        "logs a PRIVACY WARNING",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def _read_prompt(path: str | None) -> str:
    from .._exceptions import ConfigurationError

    if path in (None, "-"):
        if sys.stdin is None or sys.stdin.isatty():
            raise ConfigurationError(
                "give the prompt on standard input or with --prompt-file PATH; it is never "
                "taken from the command line, where other users can see it (ps)"
            )
        text = sys.stdin.read()
    else:
        # The path is never repeated: it was typed on a command line, and may hold
        # anything (a misplaced key, a patient's name).
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigurationError(
                f"the --prompt-file is not UTF-8 text (byte {exc.start} cannot be decoded); "
                "save it as UTF-8"
            ) from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConfigurationError(
                f"cannot read the --prompt-file ({reason}); check the path and its permissions"
            ) from None
    if not text.strip():
        raise ConfigurationError("the prompt is empty")
    return text


def run(args: argparse.Namespace) -> int:
    from .._client._sync import RedactingClient
    from .._exceptions import ConfigurationError
    from ..benchmark._benchmark import benchmark_models
    from ..benchmark._report import FORMATS

    models = [m.strip() for item in args.models for m in item.split(",") if m.strip()]
    formats = [f.strip() for f in args.export.split(",") if f.strip()]
    if bad := [f for f in formats if f not in FORMATS]:
        raise ConfigurationError(f"unknown export format(s) {bad}; choose from {FORMATS}")
    prompt = _read_prompt(args.prompt_file)
    options = {} if args.max_tokens is None else {"max_tokens": args.max_tokens}
    with RedactingClient(
        api_key=args.api_key,
        base_url=args.base_url,
        allow_insecure_loopback=args.allow_insecure_loopback,
    ) as client:
        result = benchmark_models(
            models,
            prompt,
            client=client,
            runs=args.runs,
            concurrency=args.concurrency,
            save_results=not args.no_save,
            results_dir=args.results_dir,
            name=args.name,
            include_prompts_in_logs=args.include_prompts,
            stream=not args.no_stream,
            options=options,
        )
    if result.path is not None:
        print(f"saved {result.path}", file=sys.stderr)
    stem = (args.name or (result.path.stem if result.path else f"benchmark-{result.id}")).rsplit(
        ".json", 1
    )[0]
    for fmt in formats:
        path = result.export(stem, format=fmt, results_dir=args.results_dir)
        print(f"exported {path}", file=sys.stderr)
    if args.json:
        print_json(result.to_dict(), sys.stdout)
    else:
        sys.stdout.write(result.to_markdown(by=args.rank_by))
    return 0 if any(m.ok for m in result.models) else 1
