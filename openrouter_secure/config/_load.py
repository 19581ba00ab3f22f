"""Secure MCP configuration files: load, validate, save, fix permissions.

A config is an MCP-style document with a map of servers (``mcpServers``; also
``mcp_servers`` (Codex), ``servers`` (VS Code), ``context_servers`` (Zed) and Claude
Code's ``projects.<dir>.mcpServers``), each with ``command``/``args``/``env`` or
``url``/``headers``, and optional tool-policy keys (see :mod:`._policy`).

- **No literal secrets.** Every string anywhere in the document is checked (see
  :mod:`._scan`); any hit refuses the whole config with an
  :class:`InsecureConfigError` whose ``findings`` give the JSON path, the rule and
  the reference to write instead. Checked on load and on save.
- **Interpolation** inside server entries: ``${VAR}``, ``${env:VAR}``,
  ``${VAR:-fallback}``, ``${secret:REF}``. Nothing is read from the environment or a
  backend unless ``load_config(..., resolve=True)``. Resolved, a string that used a
  ``${secret:...}`` (or sits under a secret-looking name such as ``OPENROUTER_API_KEY``
  or ``Authorization``) becomes a :class:`Secret`; other strings stay ``str``.
- **Transport**: a server ``url`` (``serverUrl``, ``httpUrl``) must be ``https://`` or
  ``wss://``; plain ``http://``/``ws://`` only to a loopback host and only with
  ``"allowInsecureLoopback": true`` on that server.
- **Warnings** (:class:`InsecureConfigWarning`, or errors with ``strict=True``): the
  file or its directory is accessible by others; two servers share a credential
  reference (or, after resolution, the same value).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import _events
from .._exceptions import ConfigurationError, InsecureConfigError
from .._files import write_private
from .._net import is_loopback, transport_allowed
from .._sanitize._names import decode_param_name, is_secret_param
from .._sanitize._sanitizer import default_sanitizer
from .._secret import Secret
from ._allow import Baseline
from ._check import scan_source
from ._formats import Source, dump_document, file_format, parse_source, read_source
from ._interpolate import Literal, Placeholder, has_placeholder, interpolate, parse_template
from ._permissions import fix_permissions, is_config_dir, permission_findings, tighten_dir
from ._policy import check_policies
from ._scan import (
    ConfigFinding,
    is_credential_name,
    iter_server_maps,
    render_path,
    scan_document,
)

__all__ = [
    "ConfigFinding",
    "InsecureConfigWarning",
    "fix_permissions",
    "load_config",
    "save_config",
    "validate_config",
]

_URL_KEYS = ("url", "serverUrl", "httpUrl")


class InsecureConfigWarning(UserWarning):
    """A config is usable but not as private as it should be (permissions, shared keys)."""


def server_checks(data: Mapping[str, Any]) -> tuple[list[ConfigFinding], list[ConfigFinding]]:
    """(errors, warnings) from the per-server rules: shapes, URLs, shared credentials."""
    errors: list[ConfigFinding] = []
    warns: list[ConfigFinding] = []
    for root, servers in iter_server_maps(data):
        seen: dict[str, list[str]] = {}
        for name, server in servers.items():
            where = render_path((*root, str(name)))
            if not isinstance(server, Mapping):
                raise ConfigurationError(f"{where}: a server must be an object")
            _check_shapes(server, where)
            for key in _URL_KEYS:
                url = server.get(key)
                if isinstance(url, str):
                    problem = _url_problem(url, server, f"{where}.{key}")
                    if problem is not None:
                        errors.append(problem)
            for ref in sorted(_credential_refs(server, where)):
                seen.setdefault(ref, []).append(str(name))
        for ref, names in seen.items():
            if len(names) > 1:
                warns.append(
                    ConfigFinding(
                        render_path((*root, names[0])),
                        "shared-credential",
                        "give each server its own key (create one per server on OpenRouter)",
                        "warning",
                        f"servers {', '.join(names)} use the same credential {ref}",
                    )
                )
    return errors, warns


def _check_shapes(server: Mapping[str, Any], where: str) -> None:
    for key, kind, label in (
        ("env", Mapping, "an object of NAME: value"),
        ("headers", Mapping, "an object of Header: value"),
        ("args", list, "a list of strings"),
    ):
        value = server.get(key)
        if value is not None and not isinstance(value, kind):
            raise ConfigurationError(f"{where}.{key}: must be {label}")
    for key in ("command", *_URL_KEYS):
        value = server.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigurationError(f"{where}.{key}: must be a string")
    flag = server.get("allowInsecureLoopback", False)
    if not isinstance(flag, bool):
        raise ConfigurationError(f"{where}.allowInsecureLoopback: must be true or false")


def _url_problem(url: str, server: Mapping[str, Any], where: str) -> ConfigFinding | None:
    if "${" in url:
        try:
            parts = parse_template(url, where)
        except ConfigurationError:
            return None  # the placeholder check reports it
        if any(isinstance(p, Placeholder) and p.default is None for p in parts):
            return None  # depends on the environment: checked when resolved
        # Every placeholder has a fallback: the URL used when none is set must pass too.
        url = "".join(p.text if isinstance(p, Literal) else (p.default or "") for p in parts)
    allowed = server.get("allowInsecureLoopback") is True
    if transport_allowed(url, allow_insecure_loopback=allowed):
        return None
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in ("http", "ws"):
        return ConfigFinding(
            where,
            "insecure-url",
            "https://...",
            "error",
            "a server URL must be https:// or wss:// with a host",
        )
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if is_loopback(host):
        return ConfigFinding(
            where,
            "insecure-url",
            '"allowInsecureLoopback": true',
            "error",
            f"plain {scheme}:// to a loopback host needs allowInsecureLoopback on the server",
        )
    return ConfigFinding(
        where,
        "insecure-url",
        "an https:// URL",  # never echo the URL: it may carry a credential
        "error",
        f"plain {scheme}:// to a non-loopback host would send credentials in clear",
    )


def _credential_refs(obj: object, where: str, key: str | None = None) -> set[str]:
    """References a server's credentials come from: ``${secret:...}`` anywhere, and
    ``${env:VAR}`` under a secret-looking name or with a secret-looking variable."""
    refs: set[str] = set()
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            refs |= _credential_refs(v, where, str(k))
    elif isinstance(obj, list):
        for item in obj:
            refs |= _credential_refs(item, where, key)
    elif isinstance(obj, str) and "${" in obj:
        for part in parse_template(obj, where):
            if isinstance(part, Placeholder):
                if part.kind == "secret":
                    refs.add(f"${{secret:{part.name}}}")
                elif is_credential_name(part.name) or (key is not None and is_credential_name(key)):
                    refs.add(f"${{env:{part.name}}}")
    return refs


_STORE_HINT = (
    "Store each secret in a backend (e.g. the OS keychain: openrouter-secure doctor --fix) "
    "and reference it"
)
_STRICT_HINT = (
    "Tighten permissions with fix_permissions(path) or openrouter-secure doctor --fix, "
    "and give each server its own credential"
)


def _refuse(
    where: str, findings: list[ConfigFinding], what: str, hint: str = _STORE_HINT
) -> InsecureConfigError:
    lines = "\n".join(f"  - {f}" for f in findings)
    return InsecureConfigError(f"{where}: {what}. {hint}:\n{lines}", findings=findings)


def validate_config(data: object, *, format: str | None = None) -> list[ConfigFinding]:
    """Check a config; return its warnings, raise on anything unsafe or invalid.

    ``data`` is a parsed document, or the text of a file (``str``) in ``format``
    (``"json"``, the default, which accepts comments; ``"yaml"``; ``"toml"``). Given text,
    what parsing drops is checked too: comments, repeated keys, ``!!binary`` values.

    Raises :class:`InsecureConfigError` (with ``findings``) for literal secrets, repeated
    keys and insecure server URLs, :class:`ConfigurationError` for a malformed document,
    placeholder or tool policy. Never reads the environment or a secret backend.
    """
    if isinstance(data, str):
        source = parse_source(data, format or "json", "config")
        return _validate(source.doc, "config", source)
    return _validate(data, "config")


def _validate(
    data: object, where: str, source: Source | None = None, baseline: Baseline | None = None
) -> list[ConfigFinding]:
    if not isinstance(data, Mapping):
        raise ConfigurationError(f"{where}: the document must be an object at the top level")
    hits = scan_source(source, baseline=baseline) if source is not None else scan_document(data)
    try:
        errors, warns = server_checks(data)
    except ConfigurationError:
        if hits:  # a key in the file outranks its shape: report where it is first
            findings = [h.finding for h in hits]
            raise _refuse(where, findings, f"refused: {len(findings)} problem(s)") from None
        raise
    findings = [h.finding for h in hits] + errors
    if findings:
        raise _refuse(where, findings, f"refused: {len(findings)} problem(s)")
    check_policies(data)
    return warns


def _emit_rejected(path: Path, exc: ConfigurationError) -> None:
    findings = getattr(exc, "findings", [])
    _events.emit(
        "config.rejected",
        path=str(path),
        findings=[{"path": f.path, "rule": f.rule} for f in findings],
        error=type(exc).__name__,
    )


def load_config(
    path: str | os.PathLike[str], *, resolve: bool = False, strict: bool = False
) -> dict[str, Any]:
    """Read, check and (if asked) resolve the config at ``path``.

    Returns the document as a ``dict``. With ``resolve=False`` placeholders stay as
    written. With ``resolve=True`` every placeholder inside a server entry is filled
    in; see the module docstring for which values become :class:`Secret`. Warnings are
    issued as :class:`InsecureConfigWarning`; with ``strict=True`` they raise
    :class:`InsecureConfigError` instead.
    """
    target = Path(path).expanduser()
    try:
        source = read_source(target)
        data = source.doc
        warns = _validate(data, str(target), source, Baseline.find(target.parent))
        warns = [*permission_findings(target), *warns]
        if resolve:
            data, more = _resolve(data)
            warns += more
        if strict and warns:
            raise _refuse(str(target), warns, "refused in strict mode", _STRICT_HINT)
    except ConfigurationError as exc:
        _emit_rejected(target, exc)
        raise
    for finding in warns:
        warnings.warn(f"{target}: {finding}", InsecureConfigWarning, stacklevel=2)
    _events.emit(
        "config.loaded",
        path=str(target),
        servers=sum(len(s) for _, s in iter_server_maps(data)),
        warnings=[f.rule for f in warns],
    )
    return dict(data)


def _resolve(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[ConfigFinding]]:
    out: dict[str, Any] = _copy(data)
    warns: list[ConfigFinding] = []
    for root, _ in iter_server_maps(data):
        servers = out
        for seg in root:
            servers = servers[str(seg)]
        values: list[tuple[str, Secret]] = []
        for name, server in servers.items():
            where = render_path((*root, str(name)))
            resolved = _resolve_value(server, where, None, values, str(name))
            _recheck_urls(server, resolved, where)
            servers[name] = resolved
        for i, (first, a) in enumerate(values):
            for second, b in values[i + 1 :]:
                if first != second and a == b:
                    warns.append(
                        ConfigFinding(
                            render_path((*root, first)),
                            "shared-credential",
                            "give each server its own key",
                            "warning",
                            f"servers {first} and {second} resolve to the same credential value",
                        )
                    )
    return out, warns


def _recheck_urls(server: Mapping[str, Any], resolved: Mapping[str, Any], where: str) -> None:
    """A URL filled in from the environment obeys the same transport rule as a written one."""
    for key in _URL_KEYS:
        value = resolved.get(key)
        if value is None or value == server.get(key):
            continue
        url = value.reveal() if isinstance(value, Secret) else str(value)
        problem = _url_problem(url, server, f"{where}.{key}")
        if problem is not None:
            raise _refuse(where, [problem], "refused after resolving its placeholders")


def _copy(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {k: _copy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_copy(v) for v in obj]
    return obj


def _resolve_value(
    obj: Any, where: str, key: str | None, values: list[tuple[str, Secret]], server: str
) -> Any:
    if isinstance(obj, dict):
        return {
            k: _resolve_value(v, f"{where}.{k}", str(k), values, server) for k, v in obj.items()
        }
    if isinstance(obj, list):
        out: list[Any] = []
        previous: object = None
        for i, item in enumerate(obj):
            item_key = key
            if _is_flag(previous):
                item_key = str(previous)  # --api-key ${VAR}: the flag names the value
            elif key is not None and key.lower() in {"args", "arguments", "argv"}:
                item_key = None
            out.append(_resolve_value(item, f"{where}[{i}]", item_key, values, server))
            previous = item
        return out
    if isinstance(obj, str):
        parts = parse_template(obj, where)
        if not has_placeholder(parts):
            return obj
        secret = (key is not None and is_credential_name(key)) or _names_a_secret(parts)
        value = interpolate(parts, where, as_secret=secret)
        if isinstance(value, str) and holds_a_secret(value):
            value = Secret(value)
        if isinstance(value, Secret):
            values.append((server, value))
        return value
    return obj


def holds_a_secret(text: str) -> bool:
    """Whether a filled-in string holds a secret as the config check would judge it
    written in the file: the Sanitizer finds one (a key, ``"token": "..."``), or the
    scan finds a URL password or secret param, or a secret ``NAME=value`` or
    ``--flag=value`` inside it."""
    if default_sanitizer().find(text):
        return True
    return bool(scan_document({"args": [text]}, strict_syntax=False))


def _is_flag(item: object) -> bool:
    return isinstance(item, str) and item.startswith("-") and "=" not in item


_NAME_BEFORE = re.compile(
    r"(?:^|[\s?&;,{\"'])-{0,2}([A-Za-z_%][\w.%-]*)[\"']?(?:=|\s+|\s*:\s*)[\"']?$"
)


def _names_a_secret(parts: list[Literal | Placeholder]) -> bool:
    """Whether any placeholder in ``parts`` fills in a secret: a secret-looking variable
    (``${OPENROUTER_API_KEY}``) or one written after a secret name in the same string
    (``--token=${T}``, ``GITHUB_TOKEN=${T}``, ``?key=${K}``, ``Authorization: ${A}``)."""
    before = ""
    for part in parts:
        if isinstance(part, Literal):
            before += part.text
            continue
        if is_credential_name(part.name):
            return True
        found = _NAME_BEFORE.search(before)
        if found is not None:
            name = found.group(1)
            if is_credential_name(decode_param_name(name)) or is_secret_param(name):
                return True
        before += "\0"
    return False


def save_config(path: str | os.PathLike[str], data: Mapping[str, Any]) -> Path:
    """Validate ``data`` and write it to ``path`` atomically (mode 0600).

    Refuses (raising like :func:`validate_config`) before touching the file. An
    existing file's stricter mode is kept; a symbolic link is written through (the
    link stays). Missing directories are created 0700. An existing directory is
    tightened to 0700 only when it is one of your config directories (see
    :func:`~openrouter_secure.config.fix_permissions`); any other directory (a
    project, ``/tmp``, your home) is left exactly as it is. The format follows the
    file name (JSON, YAML; TOML needs ``tomli-w``).
    """
    target = Path(path).expanduser()
    try:
        _validate(data, str(target))
        text = dump_document(data, file_format(target), str(target))
    except ConfigurationError as exc:
        _emit_rejected(target, exc)
        raise
    real = Path(os.path.realpath(target))
    existed = real.parent.is_dir()
    written = write_private(real, text)
    if existed and is_config_dir(real.parent):
        tighten_dir(real.parent)
    _events.emit("config.saved", path=str(target))
    return written
