"""``verify_audit_file``: check an audit log's hash chain and say where it breaks.

A chain must start at genesis (``seq`` 1, ``prev`` = 64 zeros) or, when older rotated
files were deleted, at an ``audit.rotated`` record (then ``from_genesis`` is
``False``: what came before cannot be checked). By default the rotated siblings
``<path>.<seq>`` are verified first, oldest to newest, as one chain with ``path``.

What a chain cannot show by itself: lines cut from the end, or a whole log replaced
by a fresh one. Keep :attr:`AuditLog.head` elsewhere and pass it as ``expect_head``
to catch those too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .._secret import Secret
from ._chain import GENESIS, ROTATED_EVENT, line_digest, split_line
from ._sinks import rotated_files

__all__ = ["VerifyResult", "verify_audit_file"]


@dataclass(frozen=True)
class VerifyResult:
    """The outcome. Truthy when ``ok``.

    ``first_bad_line`` is the 1-based line number in ``file`` where the chain first
    fails (``None`` when ok); ``reason`` says how; ``count`` is how many records were
    verified good before it; ``head`` the digest of the last good line (compare it
    with a head you kept); ``from_genesis`` whether the chain starts at its genesis.
    """

    ok: bool
    first_bad_line: int | None
    reason: str
    count: int
    file: str | None = None
    head: str = GENESIS
    last_seq: int = 0
    from_genesis: bool = True

    def __bool__(self) -> bool:
        return self.ok


class _Walker:
    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.prev_digest: str | None = None  # None: nothing read yet
        self.seq = 0
        self.count = 0
        self.from_genesis = True

    def check(self, line: bytes, first_in_file: bool) -> str:
        record, reason = split_line(line, self.key)
        if record is None:
            return reason
        if self.prev_digest is None:
            if record["seq"] == 1 and record["prev"] == GENESIS:
                pass
            elif record["event"] == ROTATED_EVENT:
                self.from_genesis = False  # older files are gone: anchor here
            else:
                return (
                    f"the chain does not start at genesis (seq {record['seq']}); "
                    "records before it are missing"
                )
        else:
            if record["prev"] != self.prev_digest:
                return (
                    "link broken: prev does not match the previous line "
                    "(a line was deleted, inserted or reordered here, or the one before edited)"
                )
            if record["seq"] != self.seq + 1:
                return f"seq {record['seq']} where {self.seq + 1} was expected"
            if first_in_file and record["event"] != ROTATED_EVENT:
                return "a rotated file does not start with an audit.rotated record"
        self.prev_digest = line_digest(line)
        self.seq = record["seq"]
        self.count += 1
        return ""


def verify_audit_file(
    path: str | os.PathLike[str],
    *,
    rotated: bool = True,
    key: Secret | bytes | None = None,
    expect_head: str | None = None,
) -> VerifyResult:
    """Verify the audit log at ``path`` (and, with ``rotated``, its rotated files).

    ``key`` must be the one the log was written with, if any. ``expect_head`` is the
    digest of the last record you expect (:attr:`AuditHead.digest`); a log that ends
    before it, or past it without that record, fails.
    """
    main = os.path.abspath(os.fspath(path))
    files = [*rotated_files(main), main] if rotated else [main]
    walker = _Walker(key.reveal_bytes() if isinstance(key, Secret) else key)
    seen_head = expect_head is None
    last_file, last_lineno = main, 0
    for index, name in enumerate(files):
        try:
            with open(name, "rb") as fh:
                lineno = 0
                for raw in fh:
                    lineno += 1
                    if not raw.endswith(b"\n"):
                        return _bad(walker, name, lineno, "the last line is incomplete")
                    line = raw[:-1]
                    first = lineno == 1 and index > 0
                    reason = walker.check(line, first)
                    if reason:
                        return _bad(walker, name, lineno, reason)
                    if not seen_head and walker.prev_digest == expect_head:
                        seen_head = True
                    elif seen_head and expect_head is not None:
                        return _bad(walker, name, lineno, "records after the expected head")
                last_file, last_lineno = name, lineno
        except OSError as exc:
            return _bad(walker, name, 0, f"cannot read the file: {exc.strerror}")
    if not seen_head:
        return _bad(
            walker,
            last_file,
            last_lineno + 1,
            "the log ends before the expected head record (lines were cut from the end)",
        )
    return VerifyResult(
        ok=True,
        first_bad_line=None,
        reason="",
        count=walker.count,
        file=main,
        head=walker.prev_digest or GENESIS,
        last_seq=walker.seq,
        from_genesis=walker.from_genesis,
    )


def _bad(walker: _Walker, name: str, lineno: int, reason: str) -> VerifyResult:
    return VerifyResult(
        ok=False,
        first_bad_line=lineno,
        reason=reason,
        count=walker.count,
        file=name,
        head=walker.prev_digest or GENESIS,
        last_seq=walker.seq,
        from_genesis=walker.from_genesis,
    )
