"""Views of a text as a reader sees it: hidden characters removed, wrapped base64 joined.

A secret need not be contiguous in the text to be whole on the screen:

- **hidden characters**: an ANSI colour code, a zero-width space, a soft hyphen, a
  NUL, a byte-order mark or a carriage return inside a key (``sk-or-v1-\\x1b[1m<hex>``)
  splits it for a scanner, while a terminal, a log viewer or a browser draws the key
  whole. :func:`visible_view` is the text with every such character and escape
  sequence removed (cursor movement is drawn, not removed, in ``_terminal``);
- **wrapped base64**: the ``base64`` command, :func:`base64.encodebytes`, MIME and PEM
  break encoded text into lines (76 or 64 columns, or any other width); a decoder
  ignores the breaks, so a known value encoded in it is whole once decoded.
  :func:`base64_view` joins every run of such lines.

Each view is a :class:`View`: the joined text and the map from its offsets back to the
original text, so a finding in the view masks the original span, the hidden
characters or line breaks inside it included; in a drawn view, from the first to the
last original character the finding shows, the overwritten junk and the controls
between them included. All are cheap to rule out: one compiled ``search`` for a
hidden character (which every cursor control is), and a search for a line break
after a long base64 run (only when known values exist) for the last.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

__all__ = [
    "View",
    "base64_view",
    "has_hidden",
    "visible_view",
]

# C0 controls other than tab and line feed, DEL, C1 controls (``\x9b`` is the one-byte
# CSI), the Unicode format characters (category Cf: soft hyphen, zero-width space and
# joiners, bidirectional controls, word joiner, BOM, tag characters, ...) and the other
# characters Unicode says a renderer may draw as nothing (Default_Ignorable_Code_Point:
# combining grapheme joiner, Hangul fillers, variation selectors).
_RANGES = (
    (0x00, 0x08), (0x0B, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x34F, 0x34F), (0x600, 0x605),
    (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2),
    (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip
#: every character a reader does not see: the scanner looks for each of them along
#: with the known values, so a text without one costs nothing more
HIDDEN_CHARS = "".join(chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1))
_HIDDEN_CLASS = "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _RANGES) + "]"
_HIDDEN_CHAR = re.compile(_HIDDEN_CLASS)
#: what a reader does not see: whole escape sequences first (``\x1b[1;31m``: dropping
#: only the ESC would leave ``[1;31m`` inside the key), then single characters
_HIDDEN = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase (SGR, K)
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC: titles, hyperlinks
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # two-character escapes (charset selection, ESC c, ESC 7)
    + "|"
    + _HIDDEN_CLASS
)

# Wrapped base64: a run of 16 or more base64 characters that ends its line, then lines
# that hold only base64 (indentation and a ``> `` quote marker allowed, padding at the
# end of a line). ``_PAIR`` finds the first line break of such a run: it starts with
# a line feed, so ``re`` skips ahead to each one at memchr speed.
_B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"
_B64 = r"[A-Za-z0-9+/_-]"
_PAIR = re.compile(
    rf"\n(?:(?<={_B64}{{16}}\n)|(?<={_B64}{{16}}\r\n))[ \t>]*{_B64}+={{0,2}}\r?$", re.M
)
_WRAPPED = re.compile(rf"{_B64}{{16,}}(?:\r?\n[ \t>]*{_B64}+={{0,2}}(?=\r?\n|\Z))+")
_BREAK = re.compile(r"={0,2}\r?\n[ \t>]*")


@dataclass(frozen=True)
class View:
    """``text``, made of pieces of an original text; ``starts[i]`` is where piece ``i``
    begins in ``text`` and ``origins[i]`` where it begins in the original."""

    text: str
    starts: list[int]
    origins: list[int]
    #: whether original offsets grow with view offsets (not so in a drawn view, where
    #: a character written later may stand left of one written earlier)
    ordered: bool = True

    def original(self, pos: int) -> int:
        """The original offset of the character at ``pos`` in the view."""
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.origins[i] + pos - self.starts[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering view span ``start:end`` (what lies between its
        first and last character in the original, hidden characters included)."""
        if end <= start:
            at = self.original(min(start, len(self.text) - 1)) if self.text else 0
            return at, at
        if self.ordered:
            return self.original(start), self.original(end - 1) + 1
        shown = [self.original(pos) for pos in range(start, end)]
        return min(shown), max(shown) + 1


def has_hidden(text: str) -> bool:
    """Whether ``text`` holds a character a reader does not see (one ``search``)."""
    return _HIDDEN_CHAR.search(text) is not None


def _joined(text: str, cuts: list[tuple[int, int]]) -> View:
    """``text`` without the spans in ``cuts`` (sorted, disjoint)."""
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    pos = size = 0
    for start, end in cuts:
        if start > pos:
            parts.append(text[pos:start])
            starts.append(size)
            origins.append(pos)
            size += start - pos
        pos = end
    if pos < len(text) or not parts:
        parts.append(text[pos:])
        starts.append(size)
        origins.append(pos)
    return View("".join(parts), starts, origins)


def visible_view(text: str) -> View | None:
    """``text`` without its hidden characters and escape sequences, or None when nothing
    in it is hidden."""
    if _HIDDEN_CHAR.search(text) is None:
        return None
    return _joined(text, [m.span() for m in _HIDDEN.finditer(text)])


def base64_view(text: str) -> View | None:
    """Every run of wrapped base64 lines in ``text``, each joined into one line (the
    runs apart by a space), or None when ``text`` has none.

    A run is a base64 run of 16 or more characters that ends its line, and the lines
    after it that hold only base64. Line lengths are not compared: a width of any
    size, and a block that starts anywhere in its first line (``dump: dXNlcjpz...``),
    are joined alike.
    """
    if "\n" not in text:
        return None
    found = _PAIR.search(text)
    if found is None:
        return None
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    size = 0
    while found is not None:
        end = found.start()
        if text[end - 1] == "\r":
            end -= 1
        line = text.rfind("\n", 0, end) + 1
        start = line + len(text[line:end].rstrip(_B64_CHARS))
        block = _WRAPPED.match(text, start)
        if block is None:  # pragma: no cover - ``_PAIR`` found the same shape
            found = _PAIR.search(text, found.end())
            continue
        pos = start
        for brk in _BREAK.finditer(text, pos, block.end()):
            parts.append(text[pos : brk.start()])
            starts.append(size)
            origins.append(pos)
            size += brk.start() - pos
            pos = brk.end()
        parts.append(text[pos : block.end()] + " ")
        starts.append(size)
        origins.append(pos)
        size += block.end() - pos + 1
        found = _PAIR.search(text, block.end())
    return View("".join(parts), starts, origins)
