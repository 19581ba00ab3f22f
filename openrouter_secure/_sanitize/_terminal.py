"""A text drawn as a terminal draws it: cursor moves applied, not deleted.

A terminal does not delete what moves the cursor, it applies it. A key written with a
junk character erased after every few of its characters (``sk-or-#\\bv1-...``, or
``#\\x1b[1D``), or written over a decoy after a carriage return, shows whole on screen
while the text without controls (:func:`~._views.visible_view`) holds only junk-split
pieces. :func:`terminal_view` draws the text as a terminal does (backspace, carriage
return, tabs, cursor moves, save and restore, erase, insert and delete characters,
wide characters) and keeps, for each cell on screen, the character written there last
and where in the original text it came from; :func:`terminal_views` draws it each way
terminals differ (C1 controls honoured or not, fillers given cells or not).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TypeVar

from ._views import _HIDDEN_CHAR, View

__all__ = ["terminal_view", "terminal_views"]

#: what makes a drawn text differ from the text without its controls: backspace, a
#: carriage return that does not end a line, vertical moves (VT, FF, IND, NEL, RI), any
#: CSI but a plain colour (SGR), and any other escape but a string (OSC, DCS, ...).
#: Lenient on purpose: a terminal executes a control inside a sequence
#: (``\x1b[1\bD``), so a sequence with one is a move too.
_MOVES = re.compile(
    r"[\x08\x0b\x0c\x84\x85\x8d]|\r(?!\n)"
    r"|(?:\x1b\[|\x9b)(?![0-9;:]*m)"
    r"|\x1b[^\[\]PX^_]"
)
#: where a move may start (searched first: ``_MOVES`` itself has no literal prefix)
_MAYBE_MOVE = re.compile("[\x08\x0b\x0c\r\x1b\x84\x85\x8d\x9b]")
#: invisible characters that take cells on a terminal following glibc's ``wcwidth``
#: (soft hyphen, Hangul fillers); other terminals draw them as nothing
_FILLERS = {"\u00ad": 1, "\u115f": 2, "\u3164": 2, "\uffa0": 1}
_FILLER = re.compile("[\u00ad\u115f\u3164\uffa0]")
#: C1 controls: with ``c1=False`` the text is drawn as a terminal that ignores them
_C1 = re.compile("[\x80-\x9f]")
#: a run of characters that each take one cell (drawn in one slice assignment)
_PLAIN = re.compile(r"[ -~]+")
#: a whole line of them
_CLEAN_LINE = re.compile(r"[ -~]*\n")
#: the widest line drawn: a cursor stops at the right margin, as on a terminal
_COLUMNS = 4096
#: first row of absolute positioning (CUP, VPA): rows above are the text's own
_ABSOLUTE = 1 << 30


_T = TypeVar("_T")


def _shift(rows: dict[int, _T], by: int, start: int | None) -> None:
    moved = {r: rows.pop(r) for r in list(rows) if start is None or r >= start}
    rows.update({r + by: v for r, v in moved.items()})


class _Screen:
    """Cells of a drawn text: per row, the character in each cell and the original
    offset of what was written there last (a wide character's second cell holds ``""``)."""

    def __init__(self, text: str, budget: int) -> None:
        self.text = text
        self.rows: dict[int, tuple[list[str], list[int]]] = {}
        #: rows written in one go from a line without controls: ``text[lo:hi]``, made
        #: cells only if the cursor comes back to them
        self.kept: dict[int, tuple[int, int]] = {}
        self.row = self.col = 0
        self.saved = (0, 0)
        self.last = ""
        self.fillers = True
        #: cells that may still be made: moves cannot make a huge screen of blanks
        self.budget = budget

    def line(self) -> tuple[list[str], list[int]]:
        got = self.rows.get(self.row)
        if got is None:
            lo, hi = self.kept.pop(self.row, (0, 0))
            got = self.rows[self.row] = (list(self.text[lo:hi]), list(range(lo, hi)))
        return got

    def _reach(self, cells: list[str], origins: list[int], end: int, at: int) -> None:
        """Grow the row with blanks up to ``end`` cells."""
        grow = end - len(cells)
        if grow > 0:
            self.budget -= grow
            if self.budget < 0:
                raise ValueError("text moves the cursor over too many blank cells to draw")
            cells.extend(" " * grow)
            origins.extend([at] * grow)

    def write(self, text: str, at: int) -> None:
        """Draw ``text`` (one-cell characters; the first from original offset ``at``)."""
        cells, origins = self.line()
        col = self.col
        if col >= _COLUMNS:  # at the margin each character lands on the last cell
            col, text, at = _COLUMNS - 1, text[-1], at + len(text) - 1
        end = min(col + len(text), _COLUMNS)
        text = text[: end - col]
        self._reach(cells, origins, col, at)
        if col < len(cells) and cells[col] == "":
            cells[col - 1] = " "  # the first half of a wide character is broken
        cells[col:end] = text
        origins[col:end] = range(at, at + len(text))
        if end < len(cells) and cells[end] == "":
            cells[end] = " "  # the second half of a wide character is left
        self.col = end
        self.last = text[-1]

    def wide(self, char: str, at: int) -> None:
        """Draw a character two cells wide."""
        cells, origins = self.line()
        self.write("  ", at)
        cells[self.col - 2 : self.col] = [char, ""]
        origins[self.col - 2 : self.col] = [at, at]
        self.last = char

    def mark(self, char: str) -> None:
        """A combining mark joins the cell before the cursor."""
        cells, _ = self.line()
        if 0 < self.col <= len(cells):
            cells[self.col - 1] += char

    def blank(self, lo: int, hi: int, at: int) -> None:
        cells, origins = self.line()
        hi = min(hi, len(cells))
        if lo < hi:
            cells[lo:hi] = " " * (hi - lo)
            origins[lo:hi] = [at] * (hi - lo)

    def csi(self, params: str, final: str, at: int) -> None:
        if params[:1] in ("<", "=", ">", "?"):
            return  # private modes: nothing is drawn
        args = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")]
        n = min(max(args[0], 1), _COLUMNS)
        if final in "D":
            self.col = max(0, min(self.col, _COLUMNS) - n)
        elif final in "Ca":
            self.col = min(self.col + n, _COLUMNS)
        elif final in "G`":
            self.col = n - 1
        elif final in "Ae":
            self.row -= n if final == "A" else -n
        elif final == "B":
            self.row += n
        elif final in "EF":
            self.row += n if final == "E" else -n
            self.col = 0
        elif final in "Hf":
            self.row = _ABSOLUTE + n - 1
            self.col = min(max(args[1] if len(args) > 1 else 1, 1), _COLUMNS) - 1
        elif final == "d":
            self.row = _ABSOLUTE + n - 1
        elif final == "I":
            self.col = min((self.col // 8 + n) * 8, _COLUMNS - 1)
        elif final == "Z":
            self.col = max(0, (self.col - 1) // 8 - n + 1) * 8 if self.col else 0
        elif final in "KJ":
            self.erase(args[0], final == "J", at)
        elif final == "X":
            self.blank(self.col, self.col + n, at)
        elif final == "P":
            cells, origins = self.line()
            del cells[self.col : self.col + n], origins[self.col : self.col + n]
        elif final == "@":
            cells, origins = self.line()
            if self.col < len(cells):
                cells[self.col : self.col] = " " * n
                origins[self.col : self.col] = [at] * n
                self.budget -= n
                if self.budget < 0:
                    raise ValueError("text inserts too many blank cells to draw")
                del cells[_COLUMNS:], origins[_COLUMNS:]
        elif final == "b" and self.last:
            self.budget -= n
            if self.budget < 0:
                raise ValueError("text repeats a character too many times to draw")
            if unicodedata.east_asian_width(self.last) in "WF":
                for _ in range(n):
                    self.wide(self.last, at)
            else:
                self.write(self.last * n, at)
        elif final in "ST":  # scroll up, down: the rows move, the cursor stays
            self.shift(-n if final == "S" else n, None)
        elif final in "LM":  # insert, delete lines: the rows below move
            if final == "M":
                for row in range(self.row, self.row + n):
                    self.rows.pop(row, None)
                    self.kept.pop(row, None)
                self.shift(-n, self.row + n)
            else:
                self.shift(n, self.row)
            self.col = 0
        elif final == "s":
            self.saved = (self.row, self.col)
        elif final == "u":
            self.row, self.col = self.saved

    def shift(self, by: int, start: int | None) -> None:
        """Move every row (``start``: from that row down) ``by`` rows."""
        _shift(self.rows, by, start)
        _shift(self.kept, by, start)

    def erase(self, how: int, screen: bool, at: int) -> None:
        """EL (``K``) and ED (``J``): 0 from the cursor on, 1 up to it, 2 (3) all."""
        cells, origins = self.line()
        if how == 0:
            del cells[self.col :], origins[self.col :]
        elif how == 1:
            self.blank(0, self.col + 1, at)
        else:
            self.blank(0, len(cells), at)
        if screen:
            for row in [*self.rows, *self.kept]:
                above, below = row < self.row, row > self.row
                if (how == 0 and below) or (how == 1 and above) or (how >= 2 and row != self.row):
                    self.rows.pop(row, None)
                    self.kept.pop(row, None)

    def control(self, char: str) -> None:
        """A one-character control (or a two-character escape's final)."""
        if char == "\b":
            self.col = max(0, min(self.col, _COLUMNS) - 1)
        elif char == "\r":
            self.col = 0
        elif char == "\t":
            self.col = min((self.col // 8 + 1) * 8, _COLUMNS - 1)
        elif char in "\n\x85E":  # a new line starts at the left (``onlcr``)
            self.row += 1
            self.col = 0
        elif char in "\x0b\x0c\x84D":
            self.row += 1
        elif char in "\x8dM":
            self.row -= 1
        elif char == "7":
            self.saved = (self.row, self.col)
        elif char == "8":
            self.row, self.col = self.saved
        elif char == "c":
            self.rows.clear()
            self.kept.clear()
            self.row = self.col = 0

    def draw(self, text: str, c1: bool, fillers: bool) -> None:
        """Apply ``text`` as a terminal's parser does (the DEC state machine, as
        xterm follows it): a control character is executed inside an escape
        sequence too, CAN and SUB cancel one, ESC starts another, a malformed
        sequence is ignored up to its final byte, strings (OSC, DCS, SOS, PM, APC)
        draw nothing up to their terminator. ``c1``: whether C1 controls
        (``\x9b`` for CSI, ...) act as controls or draw nothing; ``fillers``: whether
        the invisible characters ``wcwidth`` gives a width take their cells."""
        self.fillers = fillers
        state = _GROUND
        params = inter = ""
        bad = osc = False
        seq = pos = 0
        end = len(text)
        rows, kept = self.rows, self.kept
        while pos < end:
            if state == _GROUND:
                if (
                    (pos == 0 or text[pos - 1] == "\n")
                    and self.row not in rows
                    and self.row not in kept
                    and (line := _CLEAN_LINE.match(text, pos)) is not None
                ):
                    # A line without controls on a fresh row: kept as a slice (a
                    # long log with one control in it is drawn at ``re`` speed).
                    pos = line.end()
                    kept[self.row] = (line.start(), pos - 1)
                    if pos - 1 > line.start():
                        self.last = text[pos - 2]
                    self.row += 1
                    self.col = 0
                    continue
                plain = _PLAIN.match(text, pos)
                if plain is not None:
                    self.write(plain.group(), pos)
                    pos = plain.end()
                    continue
            char = text[pos]
            at = pos
            pos += 1
            if char in "\x18\x1a":  # CAN, SUB: cancel the sequence
                state = _GROUND
            elif char == "\x1b":
                state, inter, seq = _ESCAPE, "", at
            elif char == "\x7f":
                pass  # DEL: ignored everywhere
            elif c1 and "\x80" <= char <= "\x9f":
                state = _GROUND
                if char == "\x9b":
                    state, params, inter, bad, seq = _CSI, "", "", False, at
                elif char in "\x90\x98\x9d\x9e\x9f":  # DCS SOS OSC PM APC
                    state, osc = _STRING, char == "\x9d"
                else:
                    self.control(char)
            elif state == _STRING:
                if char == "\x07" and osc:
                    state = _GROUND
            elif char < " ":
                self.control(char)  # executed in any state but a string
            elif state == _GROUND:
                self.glyph(char, at)
            elif state == _ESCAPE:
                if char == "[":
                    state, params, bad = _CSI, "", False
                elif char in "]PX^_":
                    state, osc = _STRING, char == "]"
                elif " " <= char <= "/":
                    inter += char
                elif "0" <= char <= "~":
                    state = _GROUND
                    if not inter and char in "78DEMc":
                        self.control(char)
                else:  # not a sequence after all: the character is drawn
                    state = _GROUND
                    self.glyph(char, at)
            elif "0" <= char <= "?":  # CSI parameter
                bad = bad or bool(inter)
                params += char
            elif " " <= char <= "/":
                inter += char
            elif "@" <= char <= "~":
                state = _GROUND
                if not bad and not inter:
                    self.csi(params, char, seq)
            else:
                bad = True  # ignored up to the final byte

    def glyph(self, char: str, at: int) -> None:
        """Draw one character that is not a control."""
        if _HIDDEN_CHAR.match(char) is not None:
            width = _FILLERS.get(char, 0) if self.fillers else 0
            if width:  # blank cells, as a terminal following ``wcwidth`` draws it
                self.write(" " * width, at)
        elif unicodedata.combining(char) or unicodedata.category(char) == "Me":
            self.mark(char)
        elif unicodedata.east_asian_width(char) in "WF":
            self.wide(char, at)
        else:
            self.write(char, at)

    def pieces(self, sep: int) -> tuple[list[str], list[int], list[int]]:
        """The drawn rows, top to bottom (apart by a line feed standing for offset
        ``sep``), as ``View`` parts: strings, where each starts in the view and
        where in the original."""
        parts: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        size = 0
        for i, row in enumerate(sorted({*self.rows, *self.kept})):
            if i:
                parts.append("\n")
                starts.append(size)
                origins.append(sep)
                size += 1
            if row in self.kept:
                lo, hi = self.kept[row]
                if hi > lo:
                    parts.append(self.text[lo:hi])
                    starts.append(size)
                    origins.append(lo)
                    size += hi - lo
                continue
            cells, offsets = self.rows[row]
            if not cells:
                continue
            first = offsets[0]
            if offsets == list(range(first, first + len(offsets))) and all(
                len(c) == 1 for c in cells
            ):
                parts.append("".join(cells))  # written in one go: one piece
                starts.append(size)
                origins.append(first)
                size += len(cells)
                continue
            last = -2
            for cell, at in zip(cells, offsets, strict=True):
                for char in cell:
                    if at != last + 1 or len(cell) > 1:
                        starts.append(size)
                        origins.append(at)
                    parts.append(char)
                    size += 1
                    last = at
        return parts, starts, origins


_GROUND, _ESCAPE, _CSI, _STRING = range(4)


def _moves(text: str) -> bool:
    """Whether ``text`` moves the cursor (see ``_MOVES``)."""
    return any(_MOVES.match(text, m.start()) for m in _MAYBE_MOVE.finditer(text))


def terminal_view(text: str, *, c1: bool = True, fillers: bool = True) -> View | None:
    """``text`` as a terminal draws it, or None when it moves no cursor (then it draws
    as :func:`visible_view`), or for ``c1=False``, when it holds no C1 control.

    Each cell holds what was written there last; the view maps every character to
    the original offset of that write, so it is not ``ordered``. Rows are joined by
    line feeds, in order (a line feed starts a row at the left, as a terminal's
    ``onlcr`` does). Lines are taken as wider than the text (no wrapping at a
    margin, at most 4,096 columns), tab stops every 8 columns, East Asian wide
    characters two cells wide. ``c1=False`` draws as a terminal that ignores C1
    controls (``\x9b`` draws nothing, and what follows it is text);
    ``fillers=False`` as one that gives the soft hyphen and the Hangul fillers no
    cell. Raises
    ValueError for a text that would draw far more blank cells than it has
    characters (the cursor sent to the right margin on every row).
    """
    if not (_moves(text) if c1 else _C1.search(text) is not None):
        return None
    screen = _Screen(text, budget=4 * len(text) + 8 * _COLUMNS)
    screen.draw(text, c1, fillers)
    if text.endswith("\n"):
        screen.line()  # the row a final line feed starts is on screen, empty
    parts, starts, origins = screen.pieces(0)
    if not parts:
        return View("", [0], [0], ordered=False)
    return View("".join(parts), starts, origins, ordered=False)


def terminal_views(text: str) -> list[View]:
    """Every distinct drawing of ``text`` (:func:`terminal_view`) by the terminals
    that differ on it: one when it moves the cursor, more only when it holds a C1
    control or a filler, none when it does neither. Raises ValueError as
    :func:`terminal_view` does."""
    moves = _moves(text)
    c1s = [True] if moves else []
    if _C1.search(text) is not None:
        c1s.append(False)
    fills = [True, False] if _FILLER.search(text) is not None else [True]
    out: list[View] = []
    for c1 in c1s:
        for fillers in fills:
            view = terminal_view(text, c1=c1, fillers=fillers)
            if view is not None and all(view.text != v.text for v in out):
                out.append(view)
    return out
