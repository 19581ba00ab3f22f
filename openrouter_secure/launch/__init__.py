"""Launch any command with secrets resolved into its environment only.

What ``openrouter-secure run`` does, as a Python API:

- :func:`resolve_environment` resolves ``NAME=REF`` pairs, an env file of references
  (:func:`parse_env_file`) and ``${secret:REF}`` placeholders already in the
  environment into a :class:`ResolvedEnvironment`;
- :func:`run` starts a command with it, passes stdin and stdout through untouched,
  sanitizes the child's stderr line by line (:class:`LineSanitizer`), forwards
  signals and returns the child's exit code (:func:`exit_code`).

The values live in the child's environment and this process's memory only: never in
a command line, never on disk.
"""

from __future__ import annotations

from ._env import ResolvedEnvironment, parse_env_assignment, parse_env_file, resolve_environment
from ._run import FORWARDED_SIGNALS, exit_code, run, start
from ._stream import LineSanitizer

__all__ = [
    "FORWARDED_SIGNALS",
    "LineSanitizer",
    "ResolvedEnvironment",
    "exit_code",
    "parse_env_assignment",
    "parse_env_file",
    "resolve_environment",
    "run",
    "start",
]
