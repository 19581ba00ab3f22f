"""``StreamSanitizer``: sanitize text that arrives in chunks (SSE, log tails, pipes).

A secret split across two chunks (``...sk-or-v1-ab`` | ``cd12...``) is in neither
chunk on its own, so sanitizing chunk by chunk would let both halves through. The
stream keeps the last ``holdback`` characters of what it was given (the longest text
one finding can cover: the longest rule match or known value) and only releases text
that no future chunk can change:

- everything up to ``len(buffer) - holdback`` is released, masked with the findings
  made over the *whole* buffer;
- unless a finding (counting its context, e.g. the ``password=`` before a value)
  straddles that point: then the release stops where the finding begins.

``flush()`` releases the rest; leaving a ``with`` block without flushing discards it
(it is never emitted raw).
"""

from __future__ import annotations

from types import TracebackType

from ._sanitizer import Sanitizer, default_sanitizer

__all__ = ["StreamSanitizer"]


class StreamSanitizer:
    """Feed chunks with :meth:`feed`, get back the text that is safe to emit now.

    ``holdback`` defaults to the sanitizer's longest possible match; a smaller value
    lowers latency but a secret longer than it may be split unmasked (known values
    and keys are short: PEM private-key blocks are the long ones).
    """

    def __init__(self, sanitizer: Sanitizer | None = None, *, holdback: int | None = None) -> None:
        self._sanitizer = sanitizer or default_sanitizer()
        self._holdback = holdback
        self._buffer = ""
        self._closed = False

    @property
    def holdback(self) -> int:
        """How many characters may be held back at most."""
        if self._holdback is not None:
            return self._holdback
        return self._sanitizer.max_match_length

    @property
    def pending(self) -> int:
        """How many characters are held back now."""
        return len(self._buffer)

    def feed(self, chunk: str) -> str:
        """Add ``chunk``; return the sanitized text that can be released now (maybe "")."""
        if self._closed:
            raise ValueError("this StreamSanitizer was flushed and closed; create a new one")
        self._buffer += chunk
        hold = self.holdback
        if len(self._buffer) <= hold:
            return ""
        try:
            return self._release(len(self._buffer) - hold)
        except Exception:  # noqa: BLE001 - fail closed: withhold, never echo raw text
            size = len(self._buffer)
            self._buffer = ""
            return f"<REDACTED: {size} chars; sanitizer failed>"

    def _release(self, cut: int) -> str:
        head, cut = self._sanitizer.sanitize_prefix(self._buffer, cut)
        self._buffer = self._buffer[cut:]
        return head

    def flush(self) -> str:
        """Release (sanitized) everything still held back and close the stream."""
        rest, self._buffer = self._buffer, ""
        self._closed = True
        return self._sanitizer.sanitize(rest) if rest else ""

    def __enter__(self) -> StreamSanitizer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._buffer = ""
        self._closed = True
