"""Secrets a terminal draws whole though the text holds junk between their characters:
a junk character written and erased (backspace, cursor left), a decoy written over
after a carriage return, and other cursor moves."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_secure import Sanitizer, Secret, StreamSanitizer
from openrouter_secure._sanitize._terminal import terminal_view, terminal_views
from openrouter_secure.launch import LineSanitizer
from openrouter_secure.testing import make_canary

ROOT = Path(__file__).resolve().parent.parent
RUN = [sys.executable, "-m", "openrouter_secure.cli", "run"]
_CSI = re.compile(r"\x1b\[([0-9;]*)([@-~])")


def render(text: str) -> str:
    """A small reference terminal for one line: backspace, CR, tab, CSI ``D C G K P @``
    and ``s``/``u``, printable characters overwrite; other sequences draw nothing."""
    cells: list[str] = []
    col = saved = 0
    i = 0
    while i < len(text):
        m = _CSI.match(text, i)
        if m:
            n = int(m.group(1).split(";")[0] or 0)
            final = m.group(2)
            if final == "D":
                col = max(0, col - max(n, 1))
            elif final == "C":
                col += max(n, 1)
            elif final == "G":
                col = max(n, 1) - 1
            elif final == "K":
                if n == 0:
                    del cells[col:]
                else:
                    cells = [" "] * len(cells)
            elif final == "P":
                del cells[col : col + max(n, 1)]
            elif final == "@" and col < len(cells):
                cells[col:col] = [" "] * max(n, 1)
            elif final == "s":
                saved = col
            elif final == "u":
                col = saved
            i = m.end()
            continue
        c = text[i]
        i += 1
        if c == "\b":
            col = max(0, col - 1)
        elif c == "\r":
            col = 0
        elif c == "\t":
            col = (col // 8 + 1) * 8
        elif c == "\x1b":
            i += 1  # a two-character escape (``ESC 7`` and ``ESC 8`` are not drawn here)
        elif c.isprintable():
            cells.extend(" " * (col + 1 - len(cells)))
            cells[col] = c
            col += 1
    return "".join(cells)


def interleave(key: str, every: int, erase: str) -> str:
    """``key`` with a junk ``#`` written and erased by ``erase`` after every ``every``
    characters."""
    return "".join(key[i : i + every] + "#" + erase for i in range(0, len(key), every))


ERASERS = {"backspace": "\b", "csi-left": "\x1b[1D"}


@pytest.mark.parametrize("erase", ERASERS.values(), ids=ERASERS.keys())
@pytest.mark.parametrize("every", range(1, 9))
def test_an_openrouter_key_with_erased_junk_is_masked(erase: str, every: int) -> None:
    key = make_canary()
    text = f"got {interleave(key, every, erase)} back"
    assert key in render(text)
    out = Sanitizer().sanitize(text)
    assert key not in render(out)
    assert "***MASKED***" in out


@pytest.mark.parametrize("erase", ERASERS.values(), ids=ERASERS.keys())
@pytest.mark.parametrize("every", range(1, 9))
def test_a_known_random_value_with_erased_junk_is_masked(erase: str, every: int) -> None:
    value = secrets.token_urlsafe(24)
    text = f"got {interleave(value, every, erase)} back"
    with Secret(value):
        out = Sanitizer().sanitize(text)
    assert value not in render(out)
    assert "***MASKED***" in out


def overwritten(key: str, every: int) -> str:
    """``key`` written with a wrong character after every ``every`` characters, then,
    after a carriage return, those characters alone written right (cursor moved right
    over the others): the text holds no run of more than ``every`` characters of it."""
    first = "".join(key[i : i + every] + "#" for i in range(0, len(key), every + 1))
    fixes = "".join(f"\x1b[{every}C{key[i]}" for i in range(every, len(key), every + 1))
    return f"got {first}\rgot {fixes}"


@pytest.mark.parametrize("kind", ["openrouter", "random"])
def test_a_key_written_over_a_decoy_after_a_carriage_return_is_masked(kind: str) -> None:
    key = make_canary() if kind == "openrouter" else secrets.token_urlsafe(24)
    text = overwritten(key, 5)
    assert render(text).startswith(f"got {key}")
    with Secret(key):
        out = Sanitizer().sanitize(text)
    assert key not in render(out)
    assert "***MASKED***" in out


def test_a_key_drawn_from_its_end_keeps_no_piece_of_it() -> None:
    # Written last part first: the original span starts with the key's tail, which a
    # kept prefix would show.
    key = make_canary()
    half = len(key) // 2
    text = f"{' ' * half}{key[half:]}\r{key[:half]}"
    out = Sanitizer().sanitize(text)
    assert key[half : half + 4] not in out
    assert key[half:] not in render(out)
    assert "***MASKED***" in out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(st.integers(1, 9), min_size=1, max_size=40),
    junk=st.lists(st.text("#x0Z-_ ", min_size=1, max_size=3), min_size=1, max_size=40),
    how=st.lists(st.sampled_from(["bs", "csi", "csi-n", "save", "col"]), min_size=1),
    known=st.booleans(),
)
def test_a_terminal_never_shows_a_key_with_erased_junk(
    cuts: list[int], junk: list[str], how: list[str], known: bool
) -> None:
    key = make_canary() if not known else secrets.token_urlsafe(24)
    parts: list[str] = []
    pos = i = 0
    while pos < len(key):
        step = cuts[i % len(cuts)]
        piece, pad, kind = key[pos : pos + step], junk[i % len(junk)], how[i % len(how)]
        pos += step
        col = pos
        if kind == "bs":
            parts.append(piece + pad + "\b" * len(pad))
        elif kind == "csi":
            parts.append(piece + "".join(c + "\x1b[D" for c in pad))
        elif kind == "csi-n":
            parts.append(piece + pad + f"\x1b[{len(pad)}D")
        elif kind == "save":
            parts.append(piece + "\x1b[s" + pad + "\x1b[u")
        else:
            parts.append(piece + pad + f"\x1b[{col + 1}G")
        i += 1
    text = "".join(parts)
    assert render(text).startswith(key)
    if known:
        with Secret(key):
            out = Sanitizer().sanitize(text)
    else:
        out = Sanitizer().sanitize(text)
    assert key not in render(out)
    assert key not in out


def test_stream_sanitizer_masks_a_key_with_erased_junk_across_chunks() -> None:
    key = make_canary()
    text = f"log {interleave(key, 3, chr(8))} end\n"
    stream = StreamSanitizer(Sanitizer())
    out = "".join(stream.feed(text[i : i + 5]) for i in range(0, len(text), 5)) + stream.flush()
    assert key not in render(out)
    assert "***MASKED***" in out


def test_line_sanitizer_masks_pieces_of_a_launched_value_split_over_lines_with_junk() -> None:
    # Cut across lines (no line holds it whole) and junk-split within each line: only
    # the drawn view shows a long enough piece of it.
    value = secrets.token_urlsafe(24)
    head, tail = value[:16], value[16:]
    lines = LineSanitizer(Sanitizer(), fragments_of=[value])
    data = f"a {interleave(head, 5, chr(8))}\nb {interleave(tail, 5, chr(8))}\n"
    out = (lines.feed(data.encode()) + lines.flush()).decode()
    for line in out.split("\n"):
        assert head not in render(line)
    assert "***MASKED***" in out


_CHILD = r"""
import os, sys
k = os.environ["SEC"]; w = sys.stderr
for erase in ("\b", "\x1b[1D"):
    for every in range(1, 9):
        w.write("".join(k[i:i + every] + "#" + erase for i in range(0, len(k), every)) + "\n")
w.write("fake\r" + k + "\n")
w.flush()
"""


@pytest.mark.parametrize("kind", ["openrouter", "random"])
def test_run_masks_a_key_its_child_writes_with_erased_junk(kind: str) -> None:
    key = make_canary() if kind == "openrouter" else secrets.token_urlsafe(24)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "ORS_T_SRC": key,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "*",
    }
    proc = subprocess.run(
        [*RUN, "--env", "SEC=env://ORS_T_SRC", "--", sys.executable, "-c", _CHILD],
        capture_output=True,
        env=env,
        timeout=60,
    )
    lines = proc.stderr.decode().split("\n")[:-1]
    assert len(lines) == 17
    for line in lines:
        assert key not in render(line), repr(line)
        assert "***MASKED***" in line


@pytest.mark.parametrize(
    "text",
    [
        "abc\x1b[2Ddef",  # cursor left overwrites
        "ab\x1b[1Pc",  # delete character pulls the rest left
        "bc\x1b[2D\x1b[1@a",  # insert character pushes the rest right
        "ab\x1b[sxx\x1b[ucd",  # save and restore
        "abcd\x1b[1Gx",  # absolute column
        "a\tb\x1b[2Dc",  # a tab moves without erasing
    ],
)
def test_the_drawn_view_matches_the_reference_terminal(text: str) -> None:
    view = terminal_view(text)
    assert view is not None
    assert view.text == render(text)


def test_a_clean_or_coloured_text_is_not_drawn() -> None:
    assert terminal_view("plain text, a tab\tand a line\r\n") is None
    assert terminal_view("\x1b[31mred\x1b[0m") is None


def test_wild_cursor_moves_are_refused_not_drawn_forever() -> None:
    with pytest.raises(ValueError, match="blank cells"):
        terminal_view("x\x1b[4000C.\x1b[B" * 50)


def test_a_text_too_wild_to_draw_is_masked_whole_also_in_a_long_run_line() -> None:
    wild = "x\x1b[4000C.\x1b[B" * 50
    assert Sanitizer().sanitize(wild) == "***MASKED***"
    lines = LineSanitizer(Sanitizer(), max_line=256)
    out = lines.feed(wild.encode()) + lines.feed(b"next\n") + lines.flush()
    assert out.startswith(b"***MASKED***")
    assert b"4000C" not in out


def _every(key: str, junk: str, step: int = 6) -> str:
    return junk.join(key[i : i + step] for i in range(0, len(key), step))


#: texts a terminal draws with the key whole (reasoned by hand from xterm's parser),
#: and whether a terminal that honours C1 controls is the one that does
ATTACKS = {
    # a control inside a CSI is executed, and the sequence goes on
    "backspace-inside-csi": (lambda k: _every(k, "##\x1b[\bD"), True),
    "nul-inside-csi": (lambda k: _every(k, "#\x1b[1\x00D"), True),
    # CAN cancels a sequence: its parameters draw nothing
    "cancelled-csi": (lambda k: _every(k, "\x1b[9\x18"), True),
    # a terminal that ignores C1 draws ``\x9b`` as nothing and the next letter as text
    "ignored-c1-before-letters": (lambda k: re.sub("([a-f])", "\x9b\\1", k), False),
    "save-restore-across-lines": (lambda k: f"{k[:10]}\x1b[s\njunk\x1b[u{k[10:]}", True),
    "esc7-esc8": (lambda k: _every(k, "\x1b7###\x1b8"), True),
    "tab-then-back": (lambda k: f"{k[:5]}\t\x1b[{8 - 5}D{k[5:]}", True),
    "junk-on-the-row-above": (lambda k: _every(k, "\x1b[1A#\x1b[1B\x1b[1D"), True),
    "wide-junk": (lambda k: _every(k, "\u6f22\x1b[2D"), True),
    "deleted-junk": (lambda k: _every(k, "###\x1b[3D\x1b[3P"), True),
    "inserted-head": (lambda k: f"{k[9:]}\r\x1b[9@{k[:9]}", True),
    "erased-junk": (lambda k: _every(k, "#\x1b[1D\x1b[1X"), True),
    "absolute-column": (lambda k: "".join(f"{k[i]}#\x1b[{i + 2}G" for i in range(len(k))), True),
    # scrolled up a row, the cursor stays: the row above is where the key began
    "scroll-up": (lambda k: _every(k, "#\x1b[1S\x1b[1A\x1b[1D"), True),
}


@pytest.mark.parametrize("kind", ["openrouter", "random"])
@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_cursor_tricks_do_not_hide_a_key(
    attack: tuple[Callable[[str], str], bool], kind: str
) -> None:
    build, c1 = attack
    # (a random key holds one of ``a``-``f`` at least: the C1 attack needs a letter)
    key = make_canary() if kind == "openrouter" else secrets.token_urlsafe(24) + "af"
    text = build(key)
    drawn = terminal_view(text, c1=c1)
    assert drawn is not None
    assert key in drawn.text
    with Secret(key):
        out = Sanitizer().sanitize(text)
    assert "***MASKED***" in out
    assert key not in out
    for c1_shown in (True, False):
        view = terminal_view(out, c1=c1_shown)
        assert view is None or key not in view.text


@pytest.mark.parametrize(
    ("text", "drawn"),
    [
        ("abcdef\nxx\x1b[1A\x1b[3GY", "abYdef\nxx"),  # back up into a line drawn earlier
        ("abc\x1b[s\nline two\n\x1b[uZ", "abcZ\nline two"),  # restored across lines
        ("a\nb\nc\x1b[2J", " "),  # erase display
        ("a\x1b[1Db\n", "b\n"),  # a line's own line feed is kept
        ("ab\x1bcxy\bz", "xz"),  # reset
        ("k1\x1b[1S\x1b[1Ak2", "k1k2"),  # scrolled up: the row above is the first
        ("k1\n#\x1b[1M\x1b[1A\x1b[3Gk2", "k1k2"),  # a deleted line
    ],
)
def test_the_drawn_view_spans_lines(text: str, drawn: str) -> None:
    view = terminal_view(text)
    assert view is not None
    assert view.text == drawn


@pytest.mark.parametrize(
    "junk",
    [
        "\u00ad\b#\b",  # a soft hyphen takes a cell under glibc's wcwidth
        "\u3164\b\b#\b",  # a Hangul filler takes two
        "\u3164#\b",  # ... or none, on a terminal that draws it as nothing
        "\x9b#\x1b[1D",  # C1 ignored: the ``#`` is drawn, then erased
    ],
)
def test_invisible_characters_a_terminal_may_give_cells_do_not_hide_a_key(junk: str) -> None:
    value = secrets.token_urlsafe(24)
    text = f"got {_every(value, junk, 5)} back"
    with Secret(value):
        out = Sanitizer().sanitize(text)
    assert "***MASKED***" in out
    assert value not in "".join(v.text for v in terminal_views(out))


def test_the_sanitize_command_masks_a_key_with_erased_junk() -> None:
    key = make_canary()
    data = "".join(f"{interleave(key, every, chr(8))}\n" for every in range(1, 9)).encode()
    proc = subprocess.run(
        [sys.executable, "-m", "openrouter_secure.cli", "sanitize"],
        input=data,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_PROXY": "*"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0
    lines = proc.stdout.decode().split("\n")[:-1]
    assert len(lines) == 8
    for line in lines:
        assert key not in render(line)
        assert "***MASKED***" in line
