"""A griffe extension that renders the package's reST-flavoured docstrings as Markdown.

The docstrings are prose written for ``help()`` and Sphinx-like readers: ``:class:`X```
roles, ``Text::`` literal blocks and ``>>>`` examples. mkdocstrings renders docstrings as
Markdown, where a role shows as raw text, ``>>>`` starts a block quote and ``::``
stays. Before rendering, this extension turns

- roles (``:class:``, ``:func:``, ``:meth:``, ``:mod:``, ``:data:``, ``:attr:``,
  ``:exc:``, ``:obj:``, ``:const:``; ``~`` keeps the last component) into optional
  cross-references: a link when the target is rendered somewhere in the reference,
  plain code otherwise (so a private target never breaks ``mkdocs build --strict``);
- ``Text::`` followed by an indented block into ``Text:`` and a fenced block;
- runs of ``>>>`` lines (with their continuation and output lines) into ``pycon``
  fences, without ``# doctest:`` directives;
- reST simple tables (``=====  =====`` borders) into fenced text;
- ``#:`` comment lines above an attribute into its docstring.

Loaded by mkdocs.yml (``extensions:`` of the python handler); not part of the package.
"""

from __future__ import annotations

import html
import re
import textwrap
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?:class|func|meth|mod|data|attr|exc|obj|const):`(?P<body>[^`]+)`",
)
_TITLED = re.compile(r"(?P<title>.*?)\s*<(?P<target>[^<>]+)>\s*$", re.DOTALL)
_DOCTEST_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")
_TABLE_BORDER = re.compile(r"^\s*={3,}(?:\s+={3,})+\s*$")


def _identifier(obj: griffe.Object, target: str) -> str:
    """The full dotted path ``target`` names from ``obj``'s scope, as best known."""
    target = target.lstrip(".").rstrip("()")
    head, _, rest = target.partition(".")
    if head == "openrouter_secure":
        return target
    try:
        resolved = obj.resolve(head)
    except (griffe.NameResolutionError, LookupError, AttributeError):
        return target
    return f"{resolved}.{rest}" if rest else resolved


def _role(obj: griffe.Object, match: re.Match[str]) -> str:
    body = match["body"].strip()
    titled = _TITLED.match(body)
    if titled:
        title, target = titled["title"], titled["target"]
    else:
        target = body.lstrip("~")
        title = target.rsplit(".", 1)[-1] if body.startswith("~") else target.lstrip(".")
    identifier = html.escape(_identifier(obj, target.lstrip("~")), quote=True)
    code = f"<code>{html.escape(title)}</code>"
    return f'<autoref identifier="{identifier}" optional>{code}</autoref>'


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blocks(text: str) -> str:
    """Literal blocks and doctest runs to fenced code; everything else unchanged."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">>>"):
            margin = _indent(line)
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(_DOCTEST_DIRECTIVE.sub("", lines[i][margin:]))
                i += 1
            out += ["", "```pycon", *block, "```", ""]
            continue
        if _TABLE_BORDER.match(line):
            margin = _indent(line)
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i][margin:])
                i += 1
            out += ["", "```text", *block, "```", ""]
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            before = line.rstrip()[:-2].rstrip()
            margin = _indent(line)
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            block = []
            while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > margin):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            if block:
                if before.strip():
                    out.append(before + ":")
                pad = " " * margin
                code = [pad + x if x else x for x in textwrap.dedent("\n".join(block)).split("\n")]
                out += ["", pad + "```text", *code, pad + "```", ""]
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _comment_docstring(obj: griffe.Object) -> None:
    """Give an attribute documented by ``#:`` comment lines above it (Sphinx's
    convention) that text as its docstring."""
    if not obj.is_attribute or obj.docstring is not None or obj.lineno is None:
        return
    filepath = obj.filepath
    if isinstance(filepath, list) or filepath not in obj.lines_collection:
        return
    lines = obj.lines_collection[filepath]
    comment: list[str] = []
    n = obj.lineno - 2
    while n >= 0 and lines[n].lstrip().startswith("#:"):
        comment.insert(0, lines[n].lstrip()[2:].strip())
        n -= 1
    if comment:
        obj.docstring = griffe.Docstring("\n".join(comment), parent=obj)


def _rewrite(obj: griffe.Object) -> None:
    _comment_docstring(obj)
    docstring = obj.docstring
    if docstring is not None and docstring.value:
        lines = _blocks(docstring.value).split("\n")
        fenced = False
        for n, line in enumerate(lines):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced:
                lines[n] = _ROLE.sub(lambda m: _role(obj, m), line)
        docstring.value = "\n".join(lines)
    for member in obj.members.values():
        if not member.is_alias:
            _rewrite(member)  # type: ignore[arg-type]


class RestDocstrings(griffe.Extension):
    """Rewrite every docstring of a package once it is fully loaded (names then resolve)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _rewrite(pkg)
