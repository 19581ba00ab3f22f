"""``openrouter-secure sanitize [FILE...]``: a log pipe filter that masks secrets.

Reads the files (or stdin, or ``-``) in large binary chunks and writes them to stdout
as one stream (see :class:`_Filter`), so a secret split across two reads is still
masked. Bytes that are not UTF-8 pass through unchanged: each run of them closes the
current stream (releasing what it held back, sanitized) and is written as it came,
so binary junk in a log neither breaks the filter nor is altered.
"""

from __future__ import annotations

import argparse
import codecs
import os
import re
import stat
import sys
import threading
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from .._sanitize._sanitizer import Sanitizer

# Measured (benchmarks/bench_sanitize_cli.py): 32-128 KiB reads run about twice as fast
# as 1 MiB ones, whose scans fall out of the CPU caches; the text held back between
# reads (the longest possible match) is small next to them.
CHUNK = 1 << 16
#: Inputs of this many bytes or more get the fastest engine from the start: about where
#: its build time is won back (Hyperscan: about 60 ms more to build than Aho-Corasick,
#: about 6 ms less per MB in this command).
SWITCH_AT = 8 << 20
#: A stream of unknown size (a pipe) builds the fastest engine in a background thread
#: (Hyperscan's compiler runs without the GIL) once it has seen this many characters,
#: and moves to it when it is ready.
BUILD_AT = 4 << 20
# What the surrogateescape error handler turns undecodable bytes into.
_RAW = re.compile("[\udc80-\udcff]+")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "sanitize",
        help="copy files or stdin to stdout with secrets masked (a log pipe filter)",
        description="Copy FILEs (or stdin) to stdout with every secret the Sanitizer finds "
        "masked. Secrets split across reads are masked too: the stream holds back the last "
        "few kilobytes until more input (or the end) shows what they are.",
    )
    parser.add_argument(
        "files", metavar="FILE", nargs="*", help="files to read in turn; none or '-' is stdin"
    )
    parser.add_argument(
        "--line-buffered",
        action="store_true",
        help="write each line as soon as it is complete, sanitized on its own (for "
        "tail -f); a secret spanning lines, such as a PEM private key, is then not masked "
        "whole",
    )
    parser.set_defaults(handler=run)


class _Filter:
    """Bytes in, sanitized bytes out, across any number of inputs.

    The default mode is a stream: the text read is buffered and, once there is more
    than :data:`CHUNK` beyond the longest possible match, released up to that point
    (``Sanitizer.sanitize_prefix``: never inside a finding made over the whole buffer),
    so a secret split across reads, a PEM block included, is masked whole.

    ``size`` is how much input there is, when known (regular files): the engine is
    chosen for it (:func:`_engine`). A stream of unknown size starts on the engine
    that is quickest to build and moves to the fastest one (:data:`BUILD_AT`); every
    engine finds the same secrets.
    """

    def __init__(self, out: BinaryIO, line_buffered: bool, size: int | None = None) -> None:
        self._sanitizer, self._final = _engine(size)
        self._out = out
        self._lines = line_buffered
        self._buffer = ""  # stream: the text not released yet; lines: the unfinished line
        self._seen = 0
        self._ready: threading.Event | None = None

    def _text(self, text: str) -> None:
        if not text:
            return
        self._buffer += text
        self._seen += len(text)
        if not self._final:
            self._upgrade()
        if self._lines:
            cut = self._buffer.rfind("\n") + 1
            if cut:
                head, self._buffer = self._buffer[:cut], self._buffer[cut:]
                self._write(self._sanitizer.sanitize(head))
            return
        limit = len(self._buffer) - self._sanitizer.max_match_length
        if limit < CHUNK:
            return
        try:
            head, cut = self._sanitizer.sanitize_prefix(self._buffer, limit)
        except Exception:  # noqa: BLE001 - fail closed: withhold, never echo raw text
            head = f"<REDACTED: {len(self._buffer)} chars; sanitizer failed>"
            cut = len(self._buffer)
        self._buffer = self._buffer[cut:]
        self._write(head)

    def _upgrade(self) -> None:
        """Move to the fastest engine once it is built (building it once enough text
        went by to be worth it)."""
        from .._sanitize._sanitizer import default_sanitizer

        if self._ready is None and self._seen >= BUILD_AT:
            ready = self._ready = threading.Event()

            def build() -> None:
                try:
                    default_sanitizer().max_match_length  # noqa: B018 - builds the engine
                finally:
                    ready.set()

            threading.Thread(target=build, name="openrouter-secure-build", daemon=True).start()
        if self._ready is not None and self._ready.is_set():
            # Every engine finds the same secrets: the text held back is scanned again
            # by the new one with what follows it.
            self._sanitizer, self._final = default_sanitizer(), True

    def _close_text(self) -> None:
        rest, self._buffer = self._buffer, ""
        self._write(self._sanitizer.sanitize(rest) if rest else "")

    def _write(self, text: str) -> None:
        if text:
            self._out.write(text.encode("utf-8", "surrogateescape"))

    def feed(self, decoded: str, clean: bool) -> None:
        """``decoded`` text; ``clean`` when it decoded strictly (no escaped bytes)."""
        if clean:
            self._text(decoded)
        else:
            start = 0
            for raw in _RAW.finditer(decoded):
                self._text(decoded[start : raw.start()])
                self._close_text()
                self._write(raw.group())
                start = raw.end()
            self._text(decoded[start:])
        if self._lines:
            self._out.flush()

    def finish(self) -> None:
        self._close_text()
        self._out.flush()


def _engine(size: int | None) -> tuple[Sanitizer, bool]:
    """The sanitizer to start with, and whether it is the one to keep.

    Building the Hyperscan database (the fastest engine) costs more than scanning
    megabytes with the Aho-Corasick one, which builds in a fraction of that time: for
    a short input the quicker build wins (measured by
    ``benchmarks/bench_sanitize_cli.py``).
    """
    from .._sanitize._sanitizer import Sanitizer, default_sanitizer
    from .._sanitize._scan import fast_backend_available, hyperscan_available

    if (size is not None and size >= SWITCH_AT) or not (
        hyperscan_available() and fast_backend_available()
    ):
        return default_sanitizer(), True
    return Sanitizer(backend="ahocorasick"), size is not None


def _copy(source: BinaryIO, filt: _Filter) -> None:
    read = getattr(source, "read1", source.read)  # read1: what a pipe has now, no waiting
    tail = b""  # an incomplete UTF-8 sequence at the end of the last read
    while True:
        chunk = read(CHUNK)
        final = not chunk
        data = tail + chunk if tail else chunk
        # Strict decoding (in C) proves a chunk clean at once; only a chunk holding
        # bytes that are not UTF-8 is decoded again with those bytes escaped.
        try:
            text, used = codecs.utf_8_decode(data, "strict", final)
            clean = True
        except UnicodeDecodeError:
            text, used = codecs.utf_8_decode(data, "surrogateescape", final)
            clean = False
        tail = data[used:]
        filt.feed(text, clean)
        if final:
            return


def _input_size(names: list[str]) -> int | None:
    """The bytes to read, when every input is a regular file (else ``None``)."""
    total = 0
    for name in names:
        try:
            info = os.fstat(sys.stdin.fileno()) if name == "-" else os.stat(name)
        except (OSError, ValueError):
            continue  # reported when it is opened
        if not stat.S_ISREG(info.st_mode):
            return None
        total += info.st_size
    return total


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    names = args.files or ["-"]
    filt = _Filter(out, args.line_buffered, _input_size(names))
    status = 0
    try:
        for name in names:
            if name == "-":
                _copy(sys.stdin.buffer, filt)
                continue
            try:
                source = open(name, "rb", buffering=0)  # noqa: SIM115 - closed just below
            except OSError as exc:
                # Like cat: say which input failed, go on with the others, exit 1.
                print(f"openrouter-secure sanitize: {name}: {exc.strerror or exc}", file=sys.stderr)
                status = 1
                continue
            with source:
                _copy(source, filt)
        filt.finish()
    except BrokenPipeError:  # `... | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        return 0
    return status
