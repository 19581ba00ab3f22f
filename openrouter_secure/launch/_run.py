"""Start a command with secrets in its environment, its stderr sanitized.

The child inherits stdin, and stdout unless ``sanitize_stdout`` is set: an MCP stdio
channel between a host and the child then runs over them untouched, byte for byte.
Its stderr goes through a pipe and :class:`~._stream.LineSanitizer` before it reaches
this process's stderr (the host's log).

Signals: ``SIGTERM``, ``SIGHUP``, ``SIGQUIT``, ``SIGUSR1``, ``SIGUSR2`` and
``SIGWINCH`` sent to the launcher are passed on to the child, and so is ``SIGINT``
unless the launcher runs in the foreground of a terminal (then the terminal has
already sent Ctrl-C to the whole process group, child included, and passing it on
would deliver it twice). The launcher's exit code is the child's; a child killed by
signal N gives ``128 + N``, as shells report it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from types import FrameType
from typing import BinaryIO

from .._exceptions import ConfigurationError
from ._env import ResolvedEnvironment, resolve_environment
from ._stream import Pump, pump

__all__ = ["FORWARDED_SIGNALS", "exit_code", "run", "start"]

FORWARDED_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH")
    if hasattr(signal, name)
)


def exit_code(returncode: int) -> int:
    """The launcher's exit code for a child's ``returncode``: the same, or ``128 + N``
    for a child killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def start(
    command: Sequence[str],
    environment: ResolvedEnvironment,
    *,
    sanitize_stdout: bool = False,
) -> subprocess.Popen[bytes]:
    """Start ``command`` with ``environment``'s variables; stderr (and stdout when
    asked) piped for sanitizing. Raises :class:`ConfigurationError` when the command
    cannot be started, naming the command; its ``exit_code`` attribute is 127 (not
    found) or 126 (not executable), as a shell reports them."""
    if not command:
        raise ConfigurationError("no command to run; put it after '--'")
    try:
        return subprocess.Popen(
            list(command),
            env=environment.child_env(),
            stdout=subprocess.PIPE if sanitize_stdout else None,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
    except FileNotFoundError:
        error = ConfigurationError(f"command not found: {command[0]!r}")
        error.exit_code = 127  # type: ignore[attr-defined]  # the shells' code for it
        raise error from None
    except PermissionError:
        error = ConfigurationError(f"command not executable: {command[0]!r}")
        error.exit_code = 126  # type: ignore[attr-defined]
        raise error from None


def _in_terminal_foreground() -> bool:
    try:
        with open("/dev/tty", "rb") as tty:
            return os.tcgetpgrp(tty.fileno()) == os.getpgrp()
    except (OSError, AttributeError):  # no terminal, or no process groups (Windows)
        return False


def run(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | Iterable[str] | None = None,
    env_file: str | os.PathLike[str] | None = None,
    sanitize_stdout: bool = False,
    stderr: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
) -> int:
    """Resolve the references, run ``command`` to its end and return its exit code.

    ``env`` and ``env_file`` are as in :func:`resolve_environment`; a reference that
    cannot be resolved raises before anything is started. ``stderr`` (and ``stdout``
    with ``sanitize_stdout``) are where the sanitized output goes (default: this
    process's). From the main thread, signals are forwarded to the child while it runs
    (the previous handlers are restored on return); from another thread they are not.
    """
    environment = resolve_environment(env, env_file=env_file)
    with environment:
        return _supervise(command, environment, sanitize_stdout, stderr, stdout)


def _supervise(
    command: Sequence[str],
    environment: ResolvedEnvironment,
    sanitize_stdout: bool,
    stderr: BinaryIO | None,
    stdout: BinaryIO | None,
) -> int:
    forward_int = not _in_terminal_foreground()
    started: list[subprocess.Popen[bytes]] = []
    #: signals that arrived before the child existed, delivered once it does
    early: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGINT and not forward_int:
            return
        if not started:
            early.append(signum)
            return
        with contextlib.suppress(ProcessLookupError):
            started[0].send_signal(signum)

    # Installed before the child starts: a signal sent once the child is up (it may
    # already have said so) must reach it, not end this process by its default action.
    # Signal handlers can only be installed from the main thread; elsewhere the child
    # still runs, and signals reach this process's own handlers.
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS} if main else {}
    threads: list[Pump] = []
    try:
        child = start(command, environment, sanitize_stdout=sanitize_stdout)
        started.append(child)
        for signum in early:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)
        assert child.stderr is not None
        values = environment.known_values()
        threads.append(
            pump(os.dup(child.stderr.fileno()), stderr or sys.stderr.buffer, None, values)
        )
        child.stderr.close()
        if child.stdout is not None:
            threads.append(
                pump(os.dup(child.stdout.fileno()), stdout or sys.stdout.buffer, None, values)
            )
            child.stdout.close()
        returncode = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for thread in threads:
        # A grandchild may keep the pipe open after the child exits: wait for the end
        # of the child's output, not for the grandchild's.
        thread.finish()
    return exit_code(returncode)
