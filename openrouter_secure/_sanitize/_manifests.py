"""The values of a Kubernetes Secret manifest (rule ``kubernetes-secret``).

Every value under a Secret's ``data`` (base64) or ``stringData`` (plain) is a secret by
the manifest's own word, whatever its key is called (``database_url``,
``webhook_url``): ``kubectl get secret -o yaml`` (or ``-o json``) prints them, and such
output is pasted into issues and logs. The rule matches a ``data:`` or ``stringData:``
block in YAML, or a ``"kind": "Secret"`` in JSON; the mapping (or object) holding it
must say ``kind: Secret``, so a ConfigMap's ``data`` stays. In YAML that is the
mapping the block's key belongs to, at any depth: a document's top level, an item of a
``kind: List`` (``kubectl get secrets -o yaml``), a Helm template's.

The structure is read around each block, over the run of YAML lines holding it (a
manifest pasted into a log is read alone, not with the log's every line), once per run
whatever number of blocks it holds, and in one pass: the cost stays linear in the text.
"""

from __future__ import annotations

import functools
import re

from ._rules import is_placeholder

__all__ = ["kubernetes_secret_spans"]

# One line of YAML: its indent, the ``- `` of the list items it opens, and its content
# (none on a blank or comment line)
_YAML_LINE = re.compile(r"(?m)^([ \t]*)((?:-[ \t]+)*)([^\s#][^\r\n]*)?")
_SECRET_KIND = re.compile(r"""kind:[ \t]*(["']?)Secret\1[ \t]*(?:#[^\n]*)?""")
_BLOCK_KEY = re.compile(r"(?:stringData|data):")
# A key's line in the block: its indent, the key, and what follows the ``:``
_ENTRY = re.compile(r"""([ \t]+)["']?[\w.\-]{1,253}["']?:(?:[ \t]+([^\n]*?))?[ \t]*\r?$""")
# A value's YAML tag (``!!binary``) or anchor (``&db``), which are no part of it
_DECORATION = re.compile(r"(?:(?:!!?[\w\-]*|&[\w\-]+)[ \t]+)+")
# A block scalar's head (``tls.key: |``): the value is on the lines below, indented more
_BLOCK_HEAD = re.compile(r"[|>][+\-]?[0-9]?(?:[ \t]+#[^\n]*)?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{2,}={0,2}")
# What a GitOps tool puts in a Secret for it to fill in: 1Password's ``op://``, Bank-
# Vaults' ``vault:``, vals' ``ref+``, argocd-vault-plugin's ``<path:...>``, SOPS's
# ``ENC[...]``, Octopus's ``#{Name}``, replace-token's ``__NAME__``, Concourse's
# ``((name))``, an AWS ARN
_REFERENCE = re.compile(
    r"op://|vault:|ref\+[a-z0-9]+://|ENC\[|arn:aws|#\{[\w.\-]+\}|__[A-Z][A-Z0-9_]*__$"
    r"|\(\([\w.\-/:]+\)\)$"
)

# JSON: a string (a key when ``:`` follows it) or a brace
_JSON_TOKEN = re.compile(r'"((?:[^"\\\n]|\\.){0,4096})"([ \t\r\n]*:)?|[{}]')
_JSON_PAIR = re.compile(r'"(?:[^"\\\n]|\\.){1,253}"[ \t\r\n]*:[ \t\r\n]*"((?:[^"\\\n]|\\.)*)"')


# A line YAML may hold in a manifest: indented, blank, a comment, a list item, a
# document's marker, a Helm template's line, or a key and its ``:`` (a log's line,
# ``2026-11-23T13:00:00Z INFO ...``, is none)
_YAML_LIKE = re.compile(
    r"""[ \t\r]|$|#|-(?:[ \t]|-|$)|\.\.\.|\{\{|["']?[\w.\-/$]+["']?:(?:[ \t\r]|$)"""
)
#: the last run of YAML lines read (its text, and its span): the blocks of a text are
#: read in its order, so the next block in the same run finds it here (one entry, not a
#: list searched per block, which text of many short runs would make quadratic)
_LAST_RUN: list[tuple[str, int, int]] = []


def _yaml_run(text: str, line: int) -> tuple[int, int]:
    """The span of the YAML lines around the line starting at ``line``: a manifest pasted
    into a log is read alone, not with the whole log (whose every line was read)."""
    last = _LAST_RUN[0] if _LAST_RUN else None
    if last is not None and last[0] is text and last[1] <= line < last[2]:
        return last[1], last[2]
    lo = line
    while lo > 0:
        start = text.rfind("\n", 0, lo - 1) + 1
        if _YAML_LIKE.match(text, start, lo - 1) is None:
            break
        lo = start
    hi = line
    while hi < len(text):
        end = text.find("\n", hi)
        end = len(text) if end < 0 else end
        if hi != line and _YAML_LIKE.match(text, hi, end) is None:
            break
        hi = end + 1
    hi = min(hi, len(text))
    _LAST_RUN[:] = [(text, lo, hi)]
    return lo, hi


@functools.lru_cache(maxsize=8)
def _yaml_layout(text: str, lo: int, hi: int) -> tuple[dict[int, int], frozenset[int]]:
    """Per line that opens a ``data:`` or ``stringData:`` block (by its start), the id
    of the mapping its key belongs to; and the ids of the mappings that say ``kind:
    Secret``. A mapping is its keys at one column, from the line that opens it (a key
    deeper than the one before, or a list item's ``- ``) to the first line less
    indented, or the next item of its list; ``---`` starts the next document."""
    opens: dict[int, int] = {}
    secrets: set[int] = set()
    stack: list[tuple[int, int]] = []  # (column, id) of the mappings open here
    last = 0
    for line in _YAML_LINE.finditer(text, lo, hi):
        content = line.group(3)
        if content is None:
            continue  # (blank, or a comment)
        indent, dashes = line.group(1), line.group(2)
        if not indent and not dashes and content.startswith(("---", "...")):
            stack.clear()
            continue
        column = len(indent) + len(dashes)
        # (an item's ``- `` closes the previous item's mapping at its column)
        while stack and (stack[-1][0] > column or (dashes and stack[-1][0] == column)):
            stack.pop()
        if stack and stack[-1][0] == column:
            mapping = stack[-1][1]
        else:
            last += 1
            mapping = last
            stack.append((column, mapping))
        if _BLOCK_KEY.match(content):
            opens[line.start()] = mapping
        elif _SECRET_KIND.fullmatch(content.rstrip()):
            secrets.add(mapping)
    return opens, frozenset(secrets)


@functools.lru_cache(maxsize=1)
def _json_layout(text: str) -> tuple[dict[int, int], dict[int, list[tuple[str, int, int]]]]:
    """Per ``"kind"`` key followed by ``"Secret"`` (by its start), the id of the object
    holding it; per object id, the ``data`` and ``stringData`` objects it holds (the
    key and the span inside their braces)."""
    kinds: dict[int, int] = {}
    blocks: dict[int, list[tuple[str, int, int]]] = {}
    stack: list[tuple[int, str | None, int]] = []  # (id, the key it is a value of, start)
    last = 0
    key: str | None = None
    key_at = -1
    for token in _JSON_TOKEN.finditer(text):
        t = token.group()
        if t == "{":
            last += 1
            stack.append((last, key, token.end()))
            key = None
        elif t == "}":
            if stack:
                _, held_as, start = stack.pop()
                if held_as in ("data", "stringData") and stack:
                    blocks.setdefault(stack[-1][0], []).append((held_as, start, token.start()))
            key = None
        elif token.group(2) is not None:  # a key
            key, key_at = token.group(1), token.start()
        else:  # a string value
            if key == "kind" and token.group(1) == "Secret" and stack:
                kinds[key_at] = stack[-1][0]
            key = None
    return kinds, blocks


def _kept(value: str, encoded: bool) -> bool:
    """Whether a value stays: empty, a template, a placeholder or a reference
    (``${DB_PASSWORD}``, ``<base64>``, ``op://vault/db/password``), or under ``data``
    no base64."""
    stripped = value.strip("\"'")
    if not stripped or is_placeholder(stripped, strict=True):
        return True
    if _REFERENCE.match(stripped) or _REFERENCE.search(stripped[-40:]) is not None:
        return True
    return encoded and _BASE64.fullmatch(stripped) is None


def _json_spans(text: str, at: int) -> list[tuple[int, int]]:
    kinds, blocks = _json_layout(text)
    owner = kinds.get(at)
    if owner is None:
        return []
    spans: list[tuple[int, int]] = []
    for key, lo, hi in blocks.get(owner, ()):
        for pair in _JSON_PAIR.finditer(text, lo, hi):
            if not _kept(pair.group(1), encoded=key == "data"):
                spans.append(pair.span(1))
    return spans


# What may stand before a block's key on its line: its indent, a list item's ``- ``
_KEY_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)*")
#: how many of a block's lines are read, and how far
_BLOCK_LINES = 400
_BLOCK_REACH = 16000


def kubernetes_secret_spans(text: str, m: re.Match[str]) -> list[tuple[int, int]]:
    """The spans of a Secret's values: in the YAML ``data`` or ``stringData`` block
    whose key ``m`` matched, each key's value and the lines of a block scalar's value;
    or, for a JSON ``"kind": "Secret"`` (group ``j``), every value of the ``data`` and
    ``stringData`` objects beside it."""
    if m.group("j") is not None:
        return _json_spans(text, m.start("j"))
    line = text.rfind("\n", 0, m.start()) + 1
    if _KEY_PREFIX.fullmatch(text, line, m.start()) is None:
        return []  # (``metadata:``; a key after other text)
    opens, secrets = _yaml_layout(text, *_yaml_run(text, line))
    if opens.get(line, -1) not in secrets:
        return []
    return _block_spans(text, m.end(), m.start() - line, encoded=m.group().startswith("data"))


def _block_spans(text: str, after: int, column: int, encoded: bool) -> list[tuple[int, int]]:
    """The values of the block whose key (at ``column``) ends at ``after``: its lines
    indented deeper, past blank lines, comments and a Helm template's control lines."""
    spans: list[tuple[int, int]] = []
    pos = text.find("\n", after) + 1
    if not pos:
        return spans
    hi = min(len(text), pos + _BLOCK_REACH)
    indent: str | None = None
    scalar = False  # (inside a block scalar's lines)
    for _ in range(_BLOCK_LINES):
        if pos >= hi:
            break
        end = text.find("\n", pos, hi)
        end = hi if end < 0 else end
        line = text[pos:end]
        body = line.strip()
        entry = _ENTRY.fullmatch(line)
        if not body or body.startswith(("#", "{{")):
            pass  # (a blank line, a comment, a Helm template's control line)
        elif (
            entry is not None
            and (indent is None or entry.group(1) == indent)
            and len(entry.group(1)) > column
        ):
            indent = entry.group(1)
            value = entry.group(2) or ""
            tag = _DECORATION.match(value)
            if tag is not None:
                value = value[tag.end() :]
            scalar = _BLOCK_HEAD.fullmatch(value) is not None
            if value and not scalar and not _kept(value, encoded):
                start = pos + entry.start(2) + (tag.end() if tag is not None else 0)
                quoted = len(value) > 1 and value[0] in "\"'" and value[-1] == value[0]
                spans.append((start + quoted, start + len(value) - quoted))
        elif scalar and indent is not None and line.startswith(indent):
            if not _kept(body, encoded=False):
                start = pos + len(line) - len(line.lstrip(" \t"))
                spans.append((start, start + len(body)))
        else:
            break  # (the block ends: a line of another indent)
        pos = end + 1
    return spans
