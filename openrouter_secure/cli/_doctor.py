"""``openrouter-secure doctor``: find leaked or exposed keys on this machine, and fix them.

Exit codes: 0 nothing wrong (or everything fixed), 1 problems remain, 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from ._output import print_json


class _DoctorParser(argparse.ArgumentParser):
    """Reports an unknown option itself, with the doctor's usage (argparse would leave
    it to the top-level parser, which prints the usage of ``openrouter-secure``)."""

    def parse_known_args(  # type: ignore[override]
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "doctor",
        help="check MCP configs, .env files and saved results for exposed keys (and fix them)",
        description=(
            "Check the MCP/agent config files in their usual places (Claude Desktop, Claude "
            "Code, Cursor, Windsurf, VS Code, ...), .env files here, saved benchmark results "
            "and logs, and OPENROUTER_API_KEY, for keys in clear and loose permissions. "
            "Never prints a secret. Exit code 0 when all is well, 1 when something is wrong."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="more files or directories to check"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON report")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="fix what is safe to fix: tighten permissions, move plaintext keys into the "
        "OS keychain and reference them (asks first)",
    )
    parser.add_argument("--yes", "-y", action="store_true", help="with --fix: do not ask")
    parser.add_argument(
        "--online", action="store_true", help="also check OPENROUTER_API_KEY with GET /key"
    )
    parser.add_argument(
        "--no-discover",
        action="store_true",
        help="check only the given paths, not the usual places",
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="OpenRouter API base URL for --online (a proxy)"
    )
    parser.add_argument(
        "--max-key-age",
        type=_positive_days,
        default=90.0,
        metavar="DAYS",
        help="report a key older than DAYS as due for rotation (default 90)",
    )
    parser.add_argument(
        "--policy",
        metavar="FILE",
        type=_existing_file,
        help="with --fix: start rewritten servers through openrouter-secure gateway with "
        "this policy file, instead of openrouter-secure run",
    )
    parser.add_argument(
        "--undo",
        metavar="FILE",
        help="put back the config FILE as it was before doctor --fix rewrote it",
    )
    parser.__class__ = _DoctorParser
    parser.set_defaults(handler=run)


def _existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path.resolve()


def _positive_days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not days > 0 or days == float("inf"):
        raise argparse.ArgumentTypeError("the maximum key age must be a positive number of days")
    return days


def run(args: argparse.Namespace) -> int:
    from .doctor._fix import apply_plan, plan_fixes
    from .doctor._run import run_doctor

    if args.undo is not None:
        return _undo(args.undo)
    if args.policy is not None and not args.fix:
        print("openrouter-secure doctor: --policy only applies with --fix", file=sys.stderr)
        return 2
    report = run_doctor(
        args.paths,
        discover=not args.no_discover,
        online=args.online,
        base_url=args.base_url,
        max_key_age_days=args.max_key_age,
    )
    fix_errors: list[str] = []
    plan = None
    if args.fix:
        plan = plan_fixes(report, policy=args.policy)
        if not plan:
            fix_errors = list(plan.errors)  # nothing else to do: say why
        elif args.yes or _confirm(plan):
            fix_errors = apply_plan(plan)
            _rotation_advice(report, plan)
    if args.json:
        data = report.as_json()
        data["fix_errors"] = fix_errors
        if plan is not None:
            data["plan"] = plan.as_json()
        print_json(_clean(data))
    else:
        _print_report(
            report, fix_errors, fixing=args.fix, discovered=not args.no_discover, out=sys.stdout
        )
    return 0 if report.ok else 1


def _undo(file: str) -> int:
    from .._exceptions import ConfigurationError
    from .doctor._backup import restore_backup

    try:
        used = restore_backup(Path(file).expanduser())
    except ConfigurationError as exc:
        print(f"openrouter-secure doctor: {_tilde(str(exc))}", file=sys.stderr)
        return 1
    print(
        f"Restored {_tilde(file)} from {_tilde(str(used))} (backup removed). The keys "
        "doctor --fix stored stay in the keychain.",
        file=sys.stdout,
    )
    return 0


def _rotation_advice(report: Any, plan: Any) -> None:
    """Name, in each exposed-key finding, where its keys are now, to rotate them there."""
    for fp in plan.files:
        if not fp.findings or not all(f.fixed for f in fp.findings):
            continue
        refs = ", ".join(dict.fromkeys(str(m.ref) for m in fp.moves))
        for f in report.findings:
            if f.check == "exposed-key" and f.file == str(fp.path):
                f.fix = (
                    f"the keys are in the keychain now ({refs}), but others could have "
                    "copied them: rotate each (openrouter-secure rotate --store REF for an "
                    "OpenRouter key; a new key from its provider for others)"
                )


def _clean(obj: Any) -> Any:
    """Defence in depth: pass every string of the output through the sanitizer."""
    from .._sanitize._sanitizer import default_sanitizer

    s = default_sanitizer()
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, str):
        return s.sanitize(obj)
    return obj


def _confirm(plan: Any) -> bool:
    from .._sanitize._sanitizer import default_sanitizer

    clean = default_sanitizer().sanitize
    err = sys.stderr
    print("openrouter-secure doctor --fix will:", file=err)
    for line in plan.lines():
        indent = "  " if line.startswith(" ") else "  - "
        print(clean(_tilde(f"{indent}{line}")), file=err)
    for message in plan.errors:
        print(clean(_tilde(f"  (skipped: {message})")), file=err)
    if not sys.stdin.isatty():
        print("not a terminal: nothing changed (pass --yes to apply)", file=err)
        return False
    err.write(f"Apply {'this fix' if len(plan) == 1 else f'these {len(plan)} fixes'}? [y/N] ")
    err.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _short(path: str | None) -> str:
    """``path`` relative to the current directory (``./.env``) or the home (``~/...``)."""
    if not path:
        return ""
    cwd = str(Path.cwd())
    if path.startswith(cwd + os.sep):
        return "." + os.sep + path[len(cwd) + 1 :]
    return _tilde(path)


def _tilde(text: str) -> str:
    home = str(Path.home())
    return text.replace(home + os.sep, "~" + os.sep) if home not in ("", os.sep) else text


_LABEL = {"error": "ERROR", "warning": "WARN", "info": "ok"}


def _print_report(
    report: Any, fix_errors: list[str], *, fixing: bool, discovered: bool, out: TextIO
) -> None:
    from .._sanitize._sanitizer import default_sanitizer

    clean = default_sanitizer().sanitize

    def say(text: str = "") -> None:
        print(clean(_tilde(text)), file=out)

    errors, warns = report.count("error"), report.count("warning")
    fixed = sum(1 for f in report.findings if f.fixed)
    say("openrouter-secure doctor")
    say()
    if not report.files and discovered:
        say("No MCP config files, .env files or saved results found in the usual places.")
        say("Check a specific file with:  openrouter-secure doctor path/to/config.json")
        say()
    by_file: dict[str | None, list[Any]] = {}
    for f in report.findings:
        by_file.setdefault(f.file, []).append(f)
    for entry in report.files:
        client = f"  ({entry.client})" if entry.client else ""
        findings = by_file.pop(entry.path, [])
        status = "ok" if not any(f.problem for f in findings) else "problems"
        say(f"{_short(entry.path)}{client}: {status}")
        _rows(findings, say)
        say()
    for file, findings in by_file.items():
        say(_short(file) if file else "Environment")
        _rows(findings, say)
        say()
    for message in fix_errors:
        say(f"could not fix: {message}")
    if fixed:
        say(f"Fixed {fixed} problem(s).")
    if errors or warns:
        can_fix = sum(1 for f in report.findings if f.fixable and not f.fixed)
        say(f"Found {errors} error(s) and {warns} warning(s).")
        if can_fix and not fixing:
            say(
                f"Run  openrouter-secure doctor --fix  to fix {can_fix} of them "
                "(it lists the changes and asks first)."
            )
        say(
            "Keep keys in the OS keychain or a secret manager: an MCP client starts a server "
            "through openrouter-secure run --env NAME=keyring://openrouter-secure/NAME; a "
            "config openrouter-secure reads takes ${secret:REF} (docs: 'openrouter-secure "
            "doctor')."
        )
    else:
        say("All good: no exposed keys found.")


def _rows(findings: list[Any], say: Any) -> None:
    for f in findings:
        label = "FIXED" if f.fixed else _LABEL.get(f.severity, f.severity)
        where = f"{f.location}: " if f.location else ""
        rule = f" [{f.rule}]" if f.rule else ""
        say(f"  {label:<6} {where}{f.message}{rule}")
        if f.fix and f.severity != "info":
            say(f"         fix: {f.fix}")
