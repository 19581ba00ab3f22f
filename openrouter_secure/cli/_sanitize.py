"""``openrouter-secure sanitize [FILE...]``: a log pipe filter that masks secrets.

Reads the files (or stdin, or ``-``) in large binary chunks and writes them to stdout
through one :class:`StreamSanitizer`, so a secret split across two reads is still
masked. Bytes that are not UTF-8 pass through unchanged: each run of them closes the
current stream (releasing what it held back, sanitized) and is written as it came,
so binary junk in a log neither breaks the filter nor is altered.
"""

from __future__ import annotations

import argparse
import codecs
import os
import re
import sys
from typing import Any, BinaryIO

# Measured (benchmarks/bench_sanitize_cli.py): 32-128 KiB reads run about twice as fast
# as 1 MiB ones, whose scans fall out of the CPU caches; the text held back between
# reads (the longest possible match) is small next to them.
CHUNK = 1 << 16
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
    """Bytes in, sanitized bytes out, across any number of inputs."""

    def __init__(self, out: BinaryIO, line_buffered: bool) -> None:
        from .._sanitize._sanitizer import default_sanitizer
        from .._sanitize._stream import StreamSanitizer

        self._sanitizer = default_sanitizer()
        self._stream_type = StreamSanitizer
        self._stream = StreamSanitizer(self._sanitizer)
        self._out = out
        self._lines = line_buffered
        self._pending = ""  # line mode: the unfinished last line

    def _text(self, text: str) -> None:
        if not text:
            return
        if self._lines:
            text = self._pending + text
            cut = text.rfind("\n") + 1
            self._pending = text[cut:]
            if cut:
                self._write(self._sanitizer.sanitize(text[:cut]))
            return
        self._write(self._stream.feed(text))

    def _close_text(self) -> None:
        if self._lines:
            rest, self._pending = self._pending, ""
            self._write(self._sanitizer.sanitize(rest) if rest else "")
        else:
            self._write(self._stream.flush())
            self._stream = self._stream_type(self._sanitizer)

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


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    filt = _Filter(out, args.line_buffered)
    status = 0
    try:
        for name in args.files or ["-"]:
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
