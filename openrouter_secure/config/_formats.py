"""Reading and writing config documents: JSON (and JSON with comments), TOML, YAML.

The format follows the file name: ``.toml`` is TOML (``tomllib`` on Python 3.11+, else
``tomli``, a dependency there), ``.yaml``/``.yml`` is YAML (PyYAML, imported only when such a
file is read), anything else JSON. VS Code, Cursor and Zed allow ``//`` and ``/* */``
comments and trailing commas in their JSON; those are accepted on read, and such a file
is refused for rewriting (the comments would be lost).

Parse errors report a line and column, never the text around them: the text may be a
pasted key.

A key given twice in one mapping is recorded in :attr:`Source.duplicates` (JSON, YAML)
or refused by the parser (TOML): parsers disagree on which copy wins, so a checker that
sees only one copy could pass a document whose other copy holds a key.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._exceptions import ConfigurationError

__all__ = [
    "MAX_CONFIG_BYTES",
    "Source",
    "dump_document",
    "file_format",
    "parse_document",
    "parse_source",
    "read_document",
    "read_source",
    "read_text",
]

Segment = str | int


@dataclass(frozen=True)
class Source:
    """A config file as read: its raw ``text``, format, parsed ``doc``, whether it had
    JSON comments, and the key paths given more than once (each with its 1-based line,
    or ``None`` where the parser does not say)."""

    text: str
    fmt: str
    doc: Any
    had_comments: bool
    duplicates: tuple[tuple[tuple[Segment, ...], int | None], ...] = ()


MAX_CONFIG_BYTES = 16 * 1024 * 1024
MAX_YAML_VALUES = 200_000


def file_format(path: str | os.PathLike[str]) -> str:
    """``"toml"``, ``"yaml"`` or ``"json"``, from the file name."""
    suffix = Path(path).suffix.lower()
    if suffix == ".toml":
        return "toml"
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    return "json"


def read_text(path: Path) -> str:
    """The text of the config file at ``path`` (size-capped, UTF-8)."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigurationError(
                f"{path}: {size} bytes is too large for a config file (limit {MAX_CONFIG_BYTES})"
            )
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such config file") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read it ({exc.strerror})") from None


def read_source(path: Path) -> Source:
    """The :class:`Source` of the file at ``path``; raises :class:`ConfigurationError`."""
    return parse_source(read_text(path), file_format(path), str(path))


def read_document(path: Path) -> tuple[Any, bool]:
    """``(document, had_comments)`` for the file at ``path``."""
    source = read_source(path)
    return source.doc, source.had_comments


def parse_document(text: str, fmt: str, where: str) -> tuple[Any, bool]:
    source = parse_source(text, fmt, where)
    return source.doc, source.had_comments


def parse_source(text: str, fmt: str, where: str) -> Source:
    """Parse ``text`` as ``fmt``; raises :class:`ConfigurationError` when it is not valid."""
    try:
        return _parse(text, fmt, where)
    except RecursionError:
        raise ConfigurationError(f"{where}: nested too deeply to be a config file") from None


def _parse(text: str, fmt: str, where: str) -> Source:
    if fmt == "toml":
        return Source(text, fmt, _toml(text, where), False)
    if fmt == "yaml":
        doc, dups = _yaml(text, where)
        return Source(text, fmt, doc, False, dups)
    try:
        doc, dups = _json(text)
        return Source(text, fmt, doc, False, dups)
    except json.JSONDecodeError as first:
        stripped = strip_jsonc(text)
        if stripped != text:
            try:
                doc, dups = _json(stripped)
                return Source(text, fmt, doc, True, dups)
            except json.JSONDecodeError:
                pass
        raise ConfigurationError(
            f"{where}: not valid JSON ({first.msg} at line {first.lineno}, column {first.colno})"
        ) from None


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers the keys its text gave more than once."""

    dups: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.dups = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return obj


def _json(text: str) -> tuple[Any, tuple[tuple[tuple[Segment, ...], int | None], ...]]:
    doc = json.loads(text, object_pairs_hook=_object)
    dups: list[tuple[tuple[Segment, ...], int | None]] = []
    return _plain(doc, (), dups), tuple(dups)


def _plain(obj: Any, segs: tuple[Segment, ...], dups: list[Any]) -> Any:
    """``obj`` with plain dicts, collecting the duplicated keys' paths (iteratively deep)."""
    if isinstance(obj, dict):
        for key in getattr(obj, "dups", ()):
            dups.append(((*segs, key), None))
        return {k: _plain(v, (*segs, k), dups) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v, (*segs, i), dups) for i, v in enumerate(obj)]
    return obj


_TOML_KEY = re.compile(
    r"""\s*\[{0,2}\s*((?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*'))*)"""
)


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
        lineno = getattr(exc, "lineno", None) or _toml_line(str(exc))
        at = f" at line {lineno}" if lineno else ""
        message = str(exc)
        if "overwrite" in message or "twice" in message:
            # The parser's own message may quote the key; find and check it ourselves.
            key, lineno = _toml_duplicate(text)
            raise _duplicate(where, key, lineno) from None
        raise ConfigurationError(f"{where}: not valid TOML{at}") from None


def _toml_line(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None


def _toml_duplicate(text: str) -> tuple[str | None, int | None]:
    """The first dotted key path (and its line) that ``text`` defines twice, by a
    line-wise reading: enough to name what the parser refused."""
    table = ""
    seen: set[str] = set()
    arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        found = _TOML_KEY.match(line)
        if found is None:
            continue
        name = re.sub(r"\s*\.\s*", ".", found.group(1))
        name = re.sub(r"([\"'])([A-Za-z0-9_-]+)\1", r"\2", name)  # "k" and k are one key
        stripped = line.lstrip()
        if stripped.startswith("[["):
            arrays[name] = arrays.get(name, 0) + 1
            table = f"{name}[{arrays[name]}]"
            continue
        if stripped.startswith("["):
            table = name
            full = name
        elif "=" in line[found.end() :].lstrip()[:1]:
            full = f"{table}.{name}" if table else name
        else:
            continue
        if full in seen:
            return full, number
        seen.add(full)
    return None, None


def _duplicate(where: str, key: str | None, lineno: int | None) -> ConfigurationError:
    from .._exceptions import InsecureConfigError
    from .._sanitize._sanitizer import default_sanitizer
    from ._scan import ConfigFinding

    if key is None or default_sanitizer().find(key) or len(key) > 200:
        key = "[<redacted>]" if key else ""
    at = f" (line {lineno})" if lineno else ""
    finding = ConfigFinding(
        key,
        "duplicate-key",
        "one entry per key",
        "error",
        f"a key is given twice{at}; parsers disagree on which copy wins",
    )
    return InsecureConfigError(f"{where}: refused: {finding}", findings=[finding])


def _yaml(text: str, where: str) -> tuple[Any, tuple[tuple[tuple[Segment, ...], int | None], ...]]:
    try:
        import yaml
    except ImportError:
        raise ConfigurationError(
            f"{where}: reading YAML needs PyYAML: pip install pyyaml"
        ) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        dups: list[tuple[tuple[Segment, ...], int | None]] = []
        if node is not None:
            if _expanded_size(node, {}, set()) > MAX_YAML_VALUES:
                # Aliases of aliases ("billion laughs") expand exponentially when walked.
                raise ConfigurationError(
                    f"{where}: expands to more than {MAX_YAML_VALUES} values through YAML "
                    "aliases; a config file does not need that"
                )
            _yaml_duplicates(node, (), dups, set())
        doc = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigurationError(f"{where}: not valid YAML{at}") from None
    finally:
        loader.dispose()
    return doc, tuple(dups)


def _expanded_size(node: Any, memo: dict[int, int], stack: set[int]) -> int:
    """How many values ``node`` stands for once every alias is expanded (capped)."""
    import yaml

    ident = id(node)
    if ident in memo:
        return memo[ident]
    if ident in stack or isinstance(node, yaml.ScalarNode):
        return 1  # a recursive alias is refused later, by depth
    stack.add(ident)
    total = 1
    children = (
        [c for pair in node.value for c in pair]
        if isinstance(node, yaml.MappingNode)
        else list(node.value)
    )
    for child in children:
        total += _expanded_size(child, memo, stack)
        if total > MAX_YAML_VALUES:
            break
    stack.discard(ident)
    memo[ident] = total
    return total


def _yaml_duplicates(node: Any, segs: tuple[Segment, ...], dups: list[Any], seen: set[int]) -> None:
    """Keys given twice in one YAML mapping (merge keys ``<<`` excepted: they are defaults)."""
    import yaml

    if id(node) in seen:  # an alias to a node already walked (or a recursive one)
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[tuple[str, str]] = set()
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                _yaml_duplicates(value_node, segs, dups, seen)
                continue
            if isinstance(key_node, yaml.ScalarNode):
                ident = (key_node.tag, key_node.value)
                child = (*segs, str(key_node.value))
                if ident in keys:
                    dups.append((child, key_node.start_mark.line + 1))
                keys.add(ident)
            else:
                child = (*segs, "?")
            _yaml_duplicates(value_node, child, dups, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _yaml_duplicates(item, (*segs, i), dups, seen)


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
