"""The audit log's record format and hash chain, shared by the writer and the verifier.

One record is one line of ASCII JSON (no raw control character can appear: every
non-ASCII or control character is ``\\u``-escaped)::

    {"seq":7,"time":"2026-11-23T14:02:11.123456Z","event":"tool.denied",
     "fields":{...},"prev":"<64 hex>","hash":"<64 hex>"}

* ``seq`` counts from 1 and never restarts, not even across rotated files.
* ``prev`` is the SHA-256 of the previous record's exact line bytes (without the
  trailing newline). The first record of a chain has ``prev`` = :data:`GENESIS`
  (64 zeros).
* ``hash`` is the SHA-256 (or, with a key, the HMAC-SHA256) of this record's *body*:
  the exact bytes of the line up to, and not including, ``,"hash":``, with the
  closing ``}`` appended. It makes an edited line fail *at that line*; ``prev`` makes
  a deleted, inserted or reordered line fail where the link breaks.

Both hashes are computed over bytes as written, never over re-serialised JSON, so a
verifier in any language can check a file with a JSON parser and SHA-256 alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

__all__ = [
    "GENESIS",
    "ROTATED_EVENT",
    "RecordKey",
    "body_digest",
    "build_line",
    "build_record",
    "line_digest",
    "record_key",
    "split_line",
]

GENESIS = "0" * 64
ROTATED_EVENT = "audit.rotated"
_SUFFIX = re.compile(rb',"hash":"([0-9a-f]{64})"\}\Z')
_BODY_KEYS = ("seq", "time", "event", "fields", "prev")


def body_digest(body: bytes, key: bytes | None) -> str:
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def line_digest(line: bytes) -> str:
    """The ``prev`` value the next record carries: SHA-256 of this line's bytes."""
    return hashlib.sha256(line).hexdigest()


# Built once: ``json.dumps`` with options makes a new encoder on every call.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode

#: A record key: raw bytes, or a keyed HMAC object to ``copy()`` (saves re-keying).
RecordKey = bytes | hmac.HMAC | None


def record_key(key: bytes | None) -> RecordKey:
    """``key`` ready for :func:`build_record` (the HMAC is keyed once, then copied)."""
    return None if key is None else hmac.new(key, digestmod=hashlib.sha256)


def build_record(
    seq: int, when: str, event: str, fields: dict[str, Any], prev: str, key: RecordKey
) -> tuple[bytes, str]:
    """The exact bytes of one record (no newline) and their :func:`line_digest`.

    The body and the line share every byte up to the body's closing brace, so that
    prefix is hashed once and the hash state copied for the body.
    """
    text = _ENCODE({"seq": seq, "time": when, "event": event, "fields": fields, "prev": prev})
    head = text[:-1].encode("ascii")
    line_hash = hashlib.sha256(head)
    if key is None:
        body_hash = line_hash.copy()
        body_hash.update(b"}")
        digest = body_hash.hexdigest()
    else:
        mac = key.copy() if isinstance(key, hmac.HMAC) else hmac.new(key, None, hashlib.sha256)
        mac.update(head)
        mac.update(b"}")
        digest = mac.hexdigest()
    tail = b',"hash":"' + digest.encode("ascii") + b'"}'
    line_hash.update(tail)
    return head + tail, line_hash.hexdigest()


def build_line(
    seq: int, when: str, event: str, fields: dict[str, Any], prev: str, key: bytes | None
) -> bytes:
    """The exact bytes of one record, without the newline."""
    return build_record(seq, when, event, fields, prev, key)[0]


def split_line(line: bytes, key: bytes | None) -> tuple[dict[str, Any] | None, str]:
    """Parse and self-check one line; returns ``(record, "")`` or ``(None, reason)``."""
    match = _SUFFIX.search(line)
    if match is None:
        return None, "not an audit record (no trailing hash field)"
    body = line[: match.start()] + b"}"
    if not hmac.compare_digest(body_digest(body, key), match.group(1).decode("ascii")):
        return None, "record hash does not match its content (the line was edited)"
    try:
        record = json.loads(body)
    except ValueError:
        return None, "record is not valid JSON"
    if not isinstance(record, dict) or tuple(record) != _BODY_KEYS:
        return None, "record does not have the fields seq, time, event, fields, prev"
    if not isinstance(record["seq"], int) or not isinstance(record["prev"], str):
        return None, "record has a malformed seq or prev"
    return record, ""
