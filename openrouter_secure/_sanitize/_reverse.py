"""Regexes read backwards: :func:`reverse_pattern` turns a pattern into one that matches
exactly the reversed strings.

A pattern that must end at a known place (where a Hyperscan gate ended) is cheap to
test read backwards: the reversed pattern is matched at the start of the reversed text
before that place, where searching forwards would try every place it could start.
"""

from __future__ import annotations

import re

__all__ = ["reverse_pattern"]

_GROUP_OPEN = re.compile(r"\((?:\?(?:[aiLmsu]*(?:-[imsu]+)?:|P<\w+>))?")
_QUANTIFIER = re.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})\??")
# Escapes that match one character (or none, ``\b``: a boundary reads the same both
# ways; an octal one is ``\0`` and up to two more digits); ``\A``, ``\Z`` and back
# references (``\1``: also what Python reads as octal, ``\101``) have no mirror here.
_ESCAPE = re.compile(
    r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|0[0-7]{0,2}|[^AZ0-9gPpNu])"
)


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0

    def error(self, what: str) -> ValueError:
        return ValueError(f"cannot reverse {what} at {self.pos} in {self.pattern!r}")

    def alternatives(self) -> str:
        """The reversed alternatives up to the closing parenthesis (or the end)."""
        p = self.pattern
        alts: list[list[str]] = [[]]
        while self.pos < len(p) and p[self.pos] != ")":
            if p[self.pos] == "|":
                alts.append([])
                self.pos += 1
                continue
            atom = self.atom()
            m = _QUANTIFIER.match(p, self.pos)
            if m:
                self.pos = m.end()
                atom += m.group()
            alts[-1].append(atom)
        return "|".join("".join(reversed(items)) for items in alts)

    def atom(self) -> str:
        p, c = self.pattern, self.pattern[self.pos]
        if c == "(":
            m = _GROUP_OPEN.match(p, self.pos)
            if m is None or (m.end() == self.pos + 1 and p.startswith("(?", self.pos)):
                raise self.error("a group")
            self.pos = m.end()
            # (a capture becomes a plain group: nothing reads the reversed groups)
            opener = m.group() if m.group().endswith(":") else "(?:"
            body = self.alternatives()
            if self.pos >= len(p):
                raise self.error("an unclosed group")
            self.pos += 1
            return f"{opener}{body})"
        if c == "[":
            end = self.pos + 1
            if p.startswith("^", end):
                end += 1
            if p.startswith("]", end):
                end += 1
            while end < len(p) and p[end] != "]":
                end += 2 if p[end] == "\\" else 1
            if end >= len(p):
                raise self.error("an unclosed class")
            atom, self.pos = p[self.pos : end + 1], end + 1
            return atom
        if c == "\\":
            m = _ESCAPE.match(p, self.pos)
            if m is None:
                raise self.error("an escape")
            self.pos = m.end()
            return m.group()
        if c in "^$":
            raise self.error("an anchor")
        self.pos += 1
        return c


def reverse_pattern(pattern: str) -> str:
    """A regex matching exactly the reversed strings ``pattern`` matches (for patterns
    of characters, classes, groups, alternatives and quantifiers; no anchors other than
    ``\\b``, lookarounds or back references: ``ValueError``)."""
    parser = _Parser(pattern)
    out = parser.alternatives()
    if parser.pos != len(pattern):
        raise parser.error("an unbalanced parenthesis")
    return out
