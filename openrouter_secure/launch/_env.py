"""Resolve the environment of a child process from secret references.

Three sources, applied in this order (a later one wins for the same variable):

1. the current environment, where a value holding ``${secret:REF}`` placeholders
   (the form ``doctor --fix`` writes into host configs) has each placeholder replaced
   by the secret (a value holding a malformed ``${secret:`` placeholder, such as one
   with a space or without its closing brace, raises
   :class:`~openrouter_secure.ConfigurationError` naming the variable); other values
   pass as they are;
2. an env file (:func:`parse_env_file`): ``NAME=REF`` lines, dotenv style;
3. ``NAME=REF`` pairs given by the caller (``--env``).

A reference is written bare (``keyring://svc/key``) or as ``${secret:REF}``. Values
are only ever read from the backends into memory: nothing is written to disk, and
the values never appear in a command line. Each resolved value stays a
:class:`~openrouter_secure.Secret` while the :class:`ResolvedEnvironment` lives, so
the process-wide sanitizer masks it wherever it shows up (the child's stderr, logs).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .._exceptions import ConfigurationError, OpenRouterSecureError, _rebuild
from .._refs import SecretRef
from .._registry import BUILTIN, backend_names, resolve
from .._secret import Secret

__all__ = [
    "ResolvedEnvironment",
    "parse_env_assignment",
    "parse_env_file",
    "resolve_environment",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\$\{secret:([^}\s]+)\}")
#: The start of anything meant as a placeholder, as a reader would take it.
_OPENING = re.compile(r"\$\{\s*secret\s*:", re.IGNORECASE)
_LINE = re.compile(r"(?:export\s+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*)")


@dataclass
class ResolvedEnvironment:
    """The environment a child gets, with the secrets it holds.

    ``resolved`` maps each variable filled from a secret to the reference it came
    from (safe to print). The values are in :meth:`child_env` only; ``repr`` shows the
    variable names, never a value. Call :meth:`wipe` (or use it as a context manager)
    once the child has exited, to drop the values from the sanitizer's known set.
    """

    resolved: dict[str, str]
    _env: dict[str, str] = field(repr=False)
    _secrets: list[Secret] = field(default_factory=list, repr=False)

    def child_env(self) -> dict[str, str]:
        """A copy of the whole environment for the child, secrets included."""
        return dict(self._env)

    def known_values(self) -> list[str]:
        """The resolved values (for a sanitizer of the child's output)."""
        return [s.reveal() for s in self._secrets]

    def wipe(self) -> None:
        """Forget the values (they stop being masked by the process-wide sanitizer)."""
        for secret in self._secrets:
            secret.wipe()
        self._secrets.clear()
        self._env = {k: v for k, v in self._env.items() if k not in self.resolved}

    def __enter__(self) -> ResolvedEnvironment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wipe()

    def __repr__(self) -> str:
        return f"ResolvedEnvironment(resolved={sorted(self.resolved)!r})"


def _reference(value: str, where: str) -> str:
    """The reference in ``value`` (bare or ``${secret:REF}``); never echoes a value."""
    text = value.strip()
    match = _PLACEHOLDER.fullmatch(text)
    if match:
        text = match.group(1)
    scheme = text.split("://", 1)[0] if "://" in text else ""
    # The built-in names first: listing plugins reads every installed package's metadata.
    if not scheme or (scheme not in BUILTIN and scheme not in backend_names()):
        known = ", ".join(sorted(backend_names()))
        raise ConfigurationError(
            f"{where}: the value is not a secret reference; write one such as "
            f"env://NAME or keyring://service/name (backends: {known}), never the value "
            "itself"
        )
    return str(SecretRef.parse(text))


def parse_env_assignment(text: str, where: str = "--env") -> tuple[str, str]:
    """``NAME=REF`` as ``(name, reference)``; raises :class:`ConfigurationError`."""
    name, sep, value = text.partition("=")
    if not sep or not _NAME.fullmatch(name):
        raise ConfigurationError(
            f"{where}: expected NAME=REF with NAME a variable name, e.g. "
            "OPENROUTER_API_KEY=keyring://openrouter-secure/api-key"
        )
    return name, _reference(value, f"{where} {name}")


def _unquote(value: str) -> str:
    value = value.strip()
    if value[:1] in ("'", '"'):
        end = value.find(value[0], 1)
        rest = value[end + 1 :].strip() if end > 0 else "?"
        if end > 0 and (not rest or rest.startswith("#")):
            return value[1:end]
    # An unquoted value ends at a comment (" #"), as in dotenv.
    return re.split(r"\s+#", value, maxsplit=1)[0].strip()


def parse_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read an env file whose values are references: ``{name: reference}``.

    One ``NAME=REF`` per line (``export NAME=REF`` too); blank lines and lines starting
    with ``#`` are skipped; a value may be quoted. A value that is not a reference is
    refused (the file would then hold a secret); the error names the line and the
    variable, never the value.
    """
    target = Path(path).expanduser()
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read env file {target}: {exc.strerror or type(exc).__name__}"
        ) from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"env file {target}: not UTF-8 text") from None
    out: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise ConfigurationError(
                f"{target}:{number}: expected NAME=REF (e.g. API_KEY=keyring://svc/api-key)"
            )
        name = match.group("name")
        out[name] = _reference(_unquote(match.group("value")), f"{target}:{number} {name}")
    return out


def _resolve_one(name: str, ref: str) -> Secret:
    try:
        return resolve(ref, cache=False)
    except OpenRouterSecureError as exc:
        # Same error type, with the variable in front: the caller learns which entry
        # failed. Messages are scrubbed when built and never hold the value.
        raise _rebuild(type(exc), f"variable {name} ({ref}): {exc}", exc.__dict__.copy()) from None


def _filler(name: str, get: Callable[[str, str], str]) -> Callable[[re.Match[str]], str]:
    def fill(match: re.Match[str]) -> str:
        return get(name, _reference(match.group(1), f"environment variable {name}"))

    return fill


def resolve_environment(
    env: Mapping[str, str] | Iterable[str] | None = None,
    *,
    env_file: str | os.PathLike[str] | None = None,
    base: Mapping[str, str] | None = None,
) -> ResolvedEnvironment:
    """Resolve the child's environment (see the module docstring).

    ``env`` is a mapping ``{name: reference}`` or ``NAME=REF`` strings; ``base`` the
    environment to start from (default: this process's). Every reference is resolved
    before anything is returned: the first that fails raises its own error type
    (:class:`~openrouter_secure.SecretNotFoundError`, ...) with a message naming the
    variable and the reference, never a value.
    """
    wanted: dict[str, str] = {}
    if env_file is not None:
        wanted.update(parse_env_file(env_file))
    if env is not None:
        pairs = (
            [(k, _reference(v, f"--env {k}")) for k, v in env.items()]
            if isinstance(env, Mapping)
            else [parse_env_assignment(item) for item in env]
        )
        for name, ref in pairs:
            if not _NAME.fullmatch(name):
                raise ConfigurationError(f"--env {name!r}: not a variable name")
            wanted[name] = ref
    source = dict(os.environ if base is None else base)
    secrets: list[Secret] = []
    by_ref: dict[str, Secret] = {}
    resolved: dict[str, str] = {}

    def get(name: str, ref: str) -> str:
        secret = by_ref.get(ref)
        if secret is None:
            secret = by_ref[ref] = _resolve_one(name, ref)
            secrets.append(secret)
        return secret.reveal()

    try:
        for name, value in source.items():
            if name in wanted or not _OPENING.search(value):
                continue
            if _OPENING.search(_PLACEHOLDER.sub("", value)):
                # A malformed placeholder would reach the child as literal text, and
                # the launch would look fine: refuse it as ``--env`` refuses it.
                raise ConfigurationError(
                    f"environment variable {name}: a ${{secret:...}} placeholder is "
                    "malformed; write ${secret:REF} with a reference such as "
                    "env://NAME or keyring://service/name, no spaces, and the closing }"
                )
            refs = _PLACEHOLDER.findall(value)
            for ref in refs:
                _reference(ref, f"environment variable {name}")
            source[name] = _PLACEHOLDER.sub(_filler(name, get), value)
            resolved[name] = refs[0] if len(refs) == 1 else ", ".join(refs)
        for name, ref in wanted.items():
            source[name] = get(name, ref)
            resolved[name] = ref
    except BaseException:
        for secret in secrets:
            secret.wipe()
        raise
    return ResolvedEnvironment(resolved, source, secrets)
