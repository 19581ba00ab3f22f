"""``${...}`` interpolation in config strings.

Three forms, all inside one string value::

    ${VAR}                  the environment variable VAR
    ${env:VAR}              the same, spelled out
    ${VAR:-fallback}        VAR, or the literal fallback when VAR is unset or empty
    ${secret:REF}           a secret reference, e.g. ${secret:keyring://openrouter-mcp/api_key}

``$${`` writes a literal ``${``. A string may mix text and placeholders
(``"Bearer ${secret:env://TOKEN}"``). Parsing never reads the environment or a backend;
:func:`interpolate` does, and only when the caller asked for resolution. Errors name
the JSON path and the variable or reference, never the surrounding text (which may
be a pasted key).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .._exceptions import ConfigurationError, InvalidReferenceError
from .._refs import SecretRef
from .._secret import Secret

__all__ = ["Literal", "Placeholder", "interpolate", "parse_template"]

_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOLLAR = re.compile(r"\$\$\{|\$\{")


@dataclass(frozen=True)
class Literal:
    """Plain text between placeholders; ``start``/``end`` index the original string."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Placeholder:
    """One ``${...}``: ``kind`` is ``"env"`` or ``"secret"``; ``name`` the variable or reference."""

    kind: str
    name: str
    default: str | None
    start: int
    end: int


Part = Literal | Placeholder


def parse_template(text: str, where: str) -> list[Part]:
    """Split ``text`` into literals and placeholders; raises :class:`ConfigurationError`.

    ``where`` is the JSON path used in messages.
    """
    if "${" not in text:
        return [Literal(text, 0, len(text))] if text else []
    parts: list[Part] = []
    buf: list[str] = []
    buf_start = 0
    i = 0
    for match in _DOLLAR.finditer(text):
        if match.start() < i:
            continue
        if match.start() > i:
            if not buf:
                buf_start = i
            buf.append(text[i : match.start()])
        if match.group(0) == "$${":
            if not buf:
                buf_start = match.start()
            buf.append("${")
            i = match.end()
            continue
        close = text.find("}", match.end())
        if close == -1:
            raise ConfigurationError(
                f"{where}: a '${{' placeholder is never closed with '}}'; "
                "write $${ for a literal '${'"
            )
        if buf:
            parts.append(Literal("".join(buf), buf_start, match.start()))
            buf = []
        parts.append(_placeholder(text[match.end() : close], where, match.start(), close + 1))
        i = close + 1
    if i < len(text):
        if not buf:
            buf_start = i
        buf.append(text[i:])
    if buf:
        parts.append(Literal("".join(buf), buf_start, len(text)))
    return parts


def _placeholder(inner: str, where: str, start: int, end: int) -> Placeholder:
    if inner.startswith("secret:"):
        ref = inner[len("secret:") :]
        problem = _ref_problem(ref)
        if problem is not None:
            raise ConfigurationError(f"{where}: invalid ${{secret:...}} reference: {problem}")
        return Placeholder("secret", ref, None, start, end)
    body = inner[len("env:") :] if inner.startswith("env:") else inner
    name, sep, default = body.partition(":-")
    if not _VAR.fullmatch(name):
        raise ConfigurationError(
            f"{where}: invalid placeholder of {len(inner)} characters; use ${{VAR}}, "
            "${env:VAR}, ${VAR:-fallback} or ${secret:<backend>://<path>}"
        )
    return Placeholder("env", name, default if sep else None, start, end)


@functools.lru_cache(maxsize=1024)
def _ref_problem(ref: str) -> str | None:
    try:
        SecretRef.parse(ref)
    except InvalidReferenceError as exc:
        return str(exc)
    return None


def has_placeholder(parts: list[Part]) -> bool:
    return any(isinstance(p, Placeholder) for p in parts)


def interpolate(
    parts: list[Part],
    where: str,
    *,
    environ: Mapping[str, str] | None = None,
    as_secret: bool = False,
) -> str | Secret:
    """Fill in ``parts``; a ``Secret`` when a ``${secret:...}`` took part or ``as_secret``.

    A missing or empty variable without a fallback is a :class:`ConfigurationError`
    naming it; a reference that cannot be resolved raises the backend's error.
    """
    from .._registry import resolve

    env = os.environ if environ is None else environ
    out: list[str] = []
    secret = as_secret
    for part in parts:
        if isinstance(part, Literal):
            out.append(part.text)
        elif part.kind == "secret":
            out.append(resolve(part.name).reveal())
            secret = True
        else:
            value = env.get(part.name)
            if not value:
                if part.default is None:
                    state = "is empty" if value == "" else "is not set"
                    raise ConfigurationError(
                        f"{where}: the environment variable {part.name} {state}; set it, "
                        f"or give a fallback with ${{{part.name}:-...}}"
                    )
                value = part.default
            out.append(value)
    text = "".join(out)
    return Secret(text) if secret else text
