"""``verify_audit_file``: check an audit log's hash chain and say where it breaks.

A chain must start at genesis (``seq`` 1, ``prev`` = 64 zeros) or, when older rotated
files were deleted, at an ``audit.rotated`` record (then ``from_genesis`` is
``False``: what came before cannot be checked). By default the rotated siblings
``<path>.<seq>`` are verified first, oldest to newest, as one chain with ``path``.

Whether a missing beginning is allowed: every ``audit.rotated`` record holds the
writer's ``backup_count`` at that rotation (``null``: it keeps every file). From those,
the verifier knows whether the writer itself deleted the files before the first one
present (``history`` ``"pruned"``) or someone else did (``"missing"``, a failure by
default); ``from_genesis=True`` requires the chain from genesis whatever the policy.
Records written before the policy was recorded leave it ``"unknown"``.

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

__all__ = ["MISSING_START", "VerifyResult", "verify_audit_file"]

#: How the reason for a missing beginning starts (the records after it all verified).
MISSING_START = "the chain starts at a rotation anchor"


@dataclass(frozen=True)
class VerifyResult:
    """The outcome. Truthy when ``ok``.

    ``first_bad_line`` is the 1-based line number in ``file`` where the chain first
    fails (``None`` when ok); ``reason`` says how; ``count`` is how many records were
    verified good before it (for a missing beginning, found once the whole chain was
    read: all of them); ``head`` the digest of the last good line (compare it with a
    head you kept); ``from_genesis`` whether the chain starts at its genesis;
    ``first_seq`` the ``seq`` it starts at. ``history`` says what precedes it:
    ``"complete"`` (genesis), ``"pruned"`` (files the writer deleted under its
    ``backup_count``), ``"missing"`` (files the writer kept, so someone else removed
    them), ``"unknown"`` (the log does not record its policy, or rotated files were
    not read).
    """

    ok: bool
    first_bad_line: int | None
    reason: str
    count: int
    file: str | None = None
    head: str = GENESIS
    last_seq: int = 0
    from_genesis: bool = True
    first_seq: int = 1
    history: str = "complete"

    def __bool__(self) -> bool:
        return self.ok


_UNKNOWN = object()


def _policy(record: dict[str, object]) -> object:
    """An ``audit.rotated`` record's ``backup_count``: an int, None (keeps all), or unknown."""
    fields = record.get("fields")
    if not isinstance(fields, dict) or "backup_count" not in fields:
        return _UNKNOWN
    value = fields["backup_count"]
    if value is None or (type(value) is int and value >= 0):
        return value
    return _UNKNOWN


def _pruned(policies: list[object], unknown_fits: bool) -> bool:
    """Whether the writer's own deletions explain the files missing before the first.

    ``policies[j - 1]`` is the ``backup_count`` of the rotation that started the j-th
    file present (the first file starts with one, as its predecessor is gone). Before
    rotation j deletes, the rotated files from the first present one on number j - 1;
    it deleted the file before the first present one and kept that one exactly when
    its count was j - 1, and every later rotation j' kept it when its count was at
    least j' - 1 (or None). ``unknown_fits``: a policy the record does not state may
    be any count.
    """
    for j, count in enumerate(policies, start=1):
        if (count == j - 1 or (unknown_fits and count is _UNKNOWN)) and all(
            later is None
            or (isinstance(later, int) and later >= k - 1)
            or (unknown_fits and later is _UNKNOWN)
            for k, later in enumerate(policies[j:], start=j + 1)
        ):
            return True
    return False


class _Walker:
    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.prev_digest: str | None = None  # None: nothing read yet
        self.seq = 0
        self.count = 0
        self.from_genesis = True
        self.first_seq = 0
        # The backup_count of each audit.rotated record that starts a file, in order.
        self.policies: list[object] = []

    def history(self, rotated: bool) -> str:
        """What precedes the chain (see :class:`VerifyResult`)."""
        if self.from_genesis:
            return "complete"
        if not rotated:
            return "unknown"
        if _pruned(self.policies, unknown_fits=False):
            return "pruned"
        # Only a policy the records do not state could explain it: cannot tell.
        return "unknown" if _pruned(self.policies, unknown_fits=True) else "missing"

    def check(self, line: bytes, first_in_file: bool) -> str:
        record, reason = split_line(line, self.key)
        if record is None:
            return reason
        if self.prev_digest is None:
            if record["seq"] == 1 and record["prev"] == GENESIS:
                pass
            elif record["event"] == ROTATED_EVENT:
                self.from_genesis = False  # older files are gone: anchor here
                self.policies.append(_policy(record))
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
            if first_in_file:
                if record["event"] != ROTATED_EVENT:
                    return "a rotated file does not start with an audit.rotated record"
                self.policies.append(_policy(record))
        if not self.first_seq:
            self.first_seq = record["seq"]
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
    from_genesis: bool | None = None,
) -> VerifyResult:
    """Verify the audit log at ``path`` (and, with ``rotated``, its rotated files).

    ``key`` must be the one the log was written with, if any. ``expect_head`` is the
    digest of the last record you expect (:attr:`AuditHead.digest`); a log that ends
    before it, or past it without that record, fails. ``from_genesis``: ``True``
    fails a chain that does not start at genesis; ``False`` accepts any missing
    beginning; ``None`` (default) fails one the log's own ``backup_count`` records do
    not explain (``history == "missing"``) and accepts the others.
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
    history = walker.history(rotated)
    missing = _missing_beginning(walker, history, from_genesis)
    if missing:
        return _bad(walker, files[0], 1, missing, history)
    return VerifyResult(
        ok=True,
        first_bad_line=None,
        reason="",
        count=walker.count,
        file=main,
        head=walker.prev_digest or GENESIS,
        last_seq=walker.seq,
        from_genesis=walker.from_genesis,
        first_seq=walker.first_seq or 1,
        history=history,
    )


def _missing_beginning(walker: _Walker, history: str, from_genesis: bool | None) -> str:
    """Why the chain's start fails under ``from_genesis`` (empty: it does not)."""
    if walker.from_genesis or from_genesis is False:
        return ""
    before = f"records 1 to {walker.first_seq - 1} are not in these files"
    if history == "missing":
        newest = walker.policies[-1]
        kept = "every rotated file" if newest is None else f"{newest} rotated files"
        return (
            f"{MISSING_START} (seq {walker.first_seq}) and {before}, "
            f"but the log's writer keeps {kept}: rotated files were removed by someone else"
        )
    if from_genesis:
        return f"{MISSING_START} (seq {walker.first_seq}), not at genesis: {before}"
    return ""


def _bad(
    walker: _Walker, name: str, lineno: int, reason: str, history: str | None = None
) -> VerifyResult:
    return VerifyResult(
        ok=False,
        first_bad_line=lineno,
        reason=reason,
        count=walker.count,
        file=name,
        head=walker.prev_digest or GENESIS,
        last_seq=walker.seq,
        from_genesis=walker.from_genesis,
        first_seq=walker.first_seq or 1,
        history=history or ("complete" if walker.from_genesis else "unknown"),
    )
