"""The values of a Kubernetes Secret manifest (rule ``kubernetes-secret``).

Every value under a Secret's ``data`` (base64) or ``stringData`` (plain) is a secret by
the manifest's own word, whatever its key is called (``database_url``,
``webhook_url``): ``kubectl get secret -o yaml`` prints them, and such output is pasted
into issues and logs. The rule matches a top-level ``data:`` or ``stringData:`` block;
its document must say ``kind: Secret`` (before or after the block, between the
``---`` lines that bound it), so a ConfigMap's ``data`` stays.
"""

from __future__ import annotations

import bisect
import functools
import re

from ._rules import is_placeholder

__all__ = ["kubernetes_secret_spans"]

_SECRET_KIND = re.compile(r"""(?m)^kind:[ \t]*["']?Secret["']?[ \t]*\r?$""")
_DOCUMENT_BREAK = re.compile(r"(?m)^---")
# A key's line in the block: its indent, the key, and what follows the ``:``
_ENTRY = re.compile(r"""([ \t]+)["']?[\w.\-]{1,253}["']?:(?:[ \t]+([^\n]*?))?[ \t]*\r?$""")
# A block scalar's head (``tls.key: |``): the value is on the lines below, indented more
_BLOCK_HEAD = re.compile(r"[|>][+\-]?[0-9]?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]{2,}={0,2}")


@functools.lru_cache(maxsize=1)
def _layout(text: str) -> tuple[list[int], list[int]]:
    """Where ``text``'s documents break, and where it says ``kind: Secret``: read once
    per text, however many blocks it holds (a text is hashed once, by Python; the last
    one is kept until the next, as the prefilter keeps it)."""
    breaks = [b.start() for b in _DOCUMENT_BREAK.finditer(text)]
    kinds = [k.start() for k in _SECRET_KIND.finditer(text)]
    return breaks, kinds


def _in_secret(text: str, at: int) -> bool:
    breaks, kinds = _layout(text)
    if not kinds:
        return False
    i = bisect.bisect_right(breaks, at)
    start = breaks[i - 1] if i else 0
    end = breaks[i] if i < len(breaks) else len(text)
    k = bisect.bisect_left(kinds, start)
    return k < len(kinds) and kinds[k] < end


def _kept(value: str, encoded: bool) -> bool:
    """Whether a value stays: empty, a template or a placeholder (``${DB_PASSWORD}``,
    ``<base64>``), or under ``data`` no base64."""
    stripped = value.strip("\"'")
    if not stripped or is_placeholder(stripped, strict=True):
        return True
    return encoded and _BASE64.fullmatch(stripped) is None


def kubernetes_secret_spans(text: str, m: re.Match[str]) -> list[tuple[int, int]]:
    """The spans of the values in the ``data`` or ``stringData`` block matched by ``m``
    (group ``s``, its lines), when its document is a Secret: each key's value, and the
    lines of a block scalar's value."""
    if not _in_secret(text, m.start()):
        return []
    encoded = not m.group(0).startswith("stringData")
    spans: list[tuple[int, int]] = []
    lo, hi = m.span("s")
    indent: str | None = None
    scalar = False  # (inside a block scalar's lines)
    pos = lo
    while pos < hi:
        end = text.find("\n", pos, hi)
        end = hi if end < 0 else end
        line = text[pos:end]
        entry = _ENTRY.fullmatch(line)
        if entry is not None and (indent is None or entry.group(1) == indent):
            indent = entry.group(1)
            value = entry.group(2) or ""
            scalar = _BLOCK_HEAD.fullmatch(value) is not None
            if value and not scalar and not _kept(value, encoded):
                start = pos + entry.start(2)
                quoted = len(value) > 1 and value[0] in "\"'" and value[-1] == value[0]
                spans.append((start + quoted, start + len(value) - quoted))
        elif scalar and indent is not None and line.startswith(indent) and line.strip():
            body = line.strip()
            if not _kept(body, encoded=False):
                start = pos + len(line) - len(line.lstrip(" \t"))
                spans.append((start, start + len(line.strip())))
        else:
            break  # (the block ends: a line of another indent)
        pos = end + 1
    return spans
