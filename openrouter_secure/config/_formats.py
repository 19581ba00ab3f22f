"""Reading and writing config documents: JSON (and JSON with comments), TOML, YAML.

The format follows the file name: ``.toml`` is TOML (``tomllib`` on Python 3.11+, else
``tomli`` if installed), ``.yaml``/``.yml`` is YAML (PyYAML, imported only when such a
file is read), anything else JSON. VS Code, Cursor and Zed allow ``//`` and ``/* */``
comments and trailing commas in their JSON; those are accepted on read, and such a file
is refused for rewriting (the comments would be lost).

Parse errors report a line and column, never the text around them: the text may be a
pasted key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._exceptions import ConfigurationError

__all__ = ["MAX_CONFIG_BYTES", "dump_document", "file_format", "parse_document", "read_document"]

MAX_CONFIG_BYTES = 16 * 1024 * 1024


def file_format(path: str | os.PathLike[str]) -> str:
    """``"toml"``, ``"yaml"`` or ``"json"``, from the file name."""
    suffix = Path(path).suffix.lower()
    if suffix == ".toml":
        return "toml"
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    return "json"


def read_document(path: Path) -> tuple[Any, bool]:
    """``(document, had_comments)`` for the file at ``path``."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigurationError(
                f"{path}: {size} bytes is too large for a config file (limit {MAX_CONFIG_BYTES})"
            )
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such config file") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read it ({exc.strerror})") from None
    return parse_document(text, file_format(path), str(path))


def parse_document(text: str, fmt: str, where: str) -> tuple[Any, bool]:
    try:
        return _parse(text, fmt, where)
    except RecursionError:
        raise ConfigurationError(f"{where}: nested too deeply to be a config file") from None


def _parse(text: str, fmt: str, where: str) -> tuple[Any, bool]:
    if fmt == "toml":
        return _toml(text, where), False
    if fmt == "yaml":
        return _yaml(text, where), False
    try:
        return json.loads(text), False
    except json.JSONDecodeError as first:
        stripped = strip_jsonc(text)
        if stripped != text:
            try:
                return json.loads(stripped), True
            except json.JSONDecodeError:
                pass
        raise ConfigurationError(
            f"{where}: not valid JSON ({first.msg} at line {first.lineno}, column {first.colno})"
        ) from None


def _toml(text: str, where: str) -> Any:
    try:
        import tomllib as toml
    except ImportError:  # Python 3.10
        try:
            import tomli as toml  # type: ignore[no-redef,import-not-found,unused-ignore]
        except ImportError:
            raise ConfigurationError(
                f"{where}: reading TOML on Python 3.10 needs tomli: pip install tomli"
            ) from None
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as exc:
        lineno = getattr(exc, "lineno", None)
        at = f" at line {lineno}" if lineno else ""
        raise ConfigurationError(f"{where}: not valid TOML{at}") from None


def _yaml(text: str, where: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigurationError(
            f"{where}: reading YAML needs PyYAML: pip install pyyaml"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigurationError(f"{where}: not valid YAML{at}") from None


def dump_document(data: Any, fmt: str, where: str) -> str:
    """Serialise ``data``; a resolved ``Secret`` inside is refused (save references)."""
    from .._secret import Secret

    def refuse(obj: Any) -> Any:
        if isinstance(obj, Secret):
            raise ConfigurationError(
                f"{where}: the data holds a resolved Secret; save the ${{secret:...}} "
                "reference (load_config without resolve=True), never the value"
            )
        raise ConfigurationError(f"{where}: cannot save a {type(obj).__name__} value")

    _walk_refuse(data, refuse)
    if fmt == "yaml":
        try:
            import yaml
        except ImportError:
            raise ConfigurationError(
                f"{where}: writing YAML needs PyYAML: pip install pyyaml"
            ) from None
        return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    if fmt == "toml":
        try:
            import tomli_w  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            raise ConfigurationError(
                f"{where}: writing TOML needs tomli-w: pip install tomli-w"
            ) from None
        return str(tomli_w.dumps(data))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _walk_refuse(obj: Any, refuse: Any) -> None:
    if isinstance(obj, dict):
        for value in obj.values():
            _walk_refuse(value, refuse)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _walk_refuse(value, refuse)
    elif obj is not None and not isinstance(obj, (str, int, float, bool)):
        refuse(obj)


def strip_jsonc(text: str) -> str:
    """``text`` without ``//`` and ``/* */`` comments and trailing commas (outside strings)."""
    return _drop_trailing_commas(_drop_comments(text))


def _string_end(text: str, i: int) -> int:
    """Index just past the JSON string starting at ``text[i] == '"'``."""
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j + 1
        j += 1
    return len(text)


def _drop_comments(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end == -1 else end + 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _drop_trailing_commas(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
            continue
        if c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                i += 1
                continue
        out.append(c)
        i += 1
    return "".join(out)
