"""Regexes for sets of literal strings (the engines' anchor lists)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["trie_pattern"]


def trie_pattern(words: Sequence[str]) -> str:
    """One regex for a set of literals, factored as a trie (``tok(?:en(?:=|:))``), so
    ``re`` tests each position against a few branches rather than every literal;
    longer literals win at a position."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        # A run of nodes with one child and no literal ending there is written as a
        # plain string, without recursing: known values (and their encoded forms) can
        # be thousands of characters long, deeper than Python's recursion limit.
        run: list[str] = []
        while "" not in node and len(node) == 1:
            ch, node = next(iter(node.items()))
            run.append(re.escape(ch))
        alts = [re.escape(ch) + build(child) for ch, child in node.items() if ch]
        if not alts:
            return "".join(run)
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "".join(run) + (f"(?:{body})?" if "" in node else body)

    return build(trie)
