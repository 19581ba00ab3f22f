"""The argument parser of every ``openrouter-secure`` command: errors name options, never values.

argparse quotes what was typed in its errors (``unrecognized arguments: --prompt my SSN
is ...``, ``invalid choice: 'sk-or-v1-...'``). On a shared terminal, in CI logs or in a
shell history that echo is a leak: what a user types by mistake is often the very secret
they meant to put somewhere else. :class:`SafeArgumentParser` is the parser class of the
top-level command and, through ``add_subparsers``, of every subcommand (those added later
included), so one rule holds everywhere:

- an error names the options involved (``--prompt``) and counts the other words, and
  never repeats a value, a positional argument, or a path;
- an option typed on the top level that the top level does not know is reported as
  such, not as a missing ``COMMAND``;
- the exit status of a usage error is 2, as argparse's.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .._refs import looks_like_a_credential

__all__ = ["SafeArgumentParser", "option_name"]

# What an option may look like to be named in an error: a flag, no value.
_OPTION = re.compile(r"--?[A-Za-z][A-Za-z0-9-]{0,40}")
# argparse's message templates (3.10-3.13) that quote a value, cut before the value.
_VALUE_TEMPLATES = (
    re.compile(r"(argument [^:]+: invalid choice): .*?( \(choose from .*\))?$", re.S),
    re.compile(r"(argument [^:]+: invalid \S+ value): .*$", re.S),
    re.compile(r"(argument [^:]+: ignored explicit argument) .*$", re.S),
)
_AMBIGUOUS = re.compile(r"ambiguous option: (\S+?)(=\S*)? could match (.*)$", re.S)
_SHOWN_QUOTED = re.compile(r"'[^']*'")


def option_name(token: str) -> str | None:
    """The option name in ``token`` (``--prompt`` of ``--prompt=x``), if it is safe to show."""
    name = token.split("=", 1)[0]
    if _OPTION.fullmatch(name) and not looks_like_a_credential(name):
        return name
    return None


def _describe_extras(extras: Sequence[str]) -> str:
    names = [n for n in (option_name(t) for t in extras) if n]
    others = len(extras) - len(names)
    parts = []
    if names:
        parts.append(" ".join(dict.fromkeys(names)))
    if others:
        parts.append(f"{others} other word{'s' if others != 1 else ''} (not shown)")
    return " and ".join(parts)


class SafeArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors never quote what was typed (see the module)."""

    #: The words being parsed, for :meth:`error` to scrub out of any message.
    _words: tuple[str, ...] = ()

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = tuple(sys.argv[1:] if args is None else args)
        if SafeArgumentParser._words:  # a subcommand's parser, inside the outer parse
            return super().parse_known_args(words, namespace)
        SafeArgumentParser._words = words
        try:
            self._check_leading_options(words)
            return super().parse_known_args(words, namespace)
        finally:
            SafeArgumentParser._words = ()

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        words = tuple(sys.argv[1:] if args is None else args)
        outer = not SafeArgumentParser._words
        if outer:
            SafeArgumentParser._words = words
        try:
            if outer:
                self._check_leading_options(words)
            parsed, extras = super().parse_known_args(words, namespace)
            if extras:
                self.error(f"unrecognized arguments: {_describe_extras(extras)}")
            result: argparse.Namespace = parsed
            return result
        finally:
            if outer:
                SafeArgumentParser._words = ()

    def _check_leading_options(self, words: Sequence[str]) -> None:
        """An unknown option before the subcommand is an unknown option, not a missing
        ``COMMAND`` (argparse reports the missing subcommand first)."""
        if not any(isinstance(a, argparse._SubParsersAction) for a in self._actions):
            return
        known = {s for a in self._actions for s in a.option_strings}
        for word in words:
            if word == "--" or not word.startswith("-"):
                return
            name = word.split("=", 1)[0]
            if name not in known and not any(k.startswith(name) for k in known if name[1:2] == "-"):
                shown = option_name(word)
                self.error(
                    f"unrecognized option {shown}" if shown else "unrecognized option (not shown)"
                )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {self.scrub(message)}\n")

    def scrub(self, message: str) -> str:
        """``message`` without any value typed on the command line."""
        for template in _VALUE_TEMPLATES:
            match = template.match(message)
            if match:
                groups = [g for g in match.groups() if g]
                message = "".join(groups)
                break
        match = _AMBIGUOUS.match(message)
        if match:
            shown = option_name(match.group(1)) or "an option"
            message = f"ambiguous option: {shown} could match {match.group(3)}"
        for word in sorted(set(SafeArgumentParser._words), key=len, reverse=True):
            for piece in (word, *word.split("=", 1)[1:]):
                if len(piece) >= 3 and option_name(piece) is None and piece in message:
                    message = message.replace(piece, "...")
        return message
