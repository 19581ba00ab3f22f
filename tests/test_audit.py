"""AuditLog and verify_audit_file: the hash chain, tampering, rotation, concurrency, CLI."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_secure import AuditLogError, Secret
from openrouter_secure._events import emit
from openrouter_secure.audit import AuditLog, verify_audit_file
from openrouter_secure.audit._chain import GENESIS
from openrouter_secure.audit._log import clean_fields
from openrouter_secure.testing import assert_no_leak, make_canary

ROOT = Path(__file__).resolve().parent.parent


def write_log(path: Path, n: int, **kwargs: object) -> AuditLog:
    log = AuditLog(path, **kwargs)  # type: ignore[arg-type]
    for i in range(n):
        log.log("tool.allowed", server="files", tool=f"read-{i}", rule="allow:read-*", client="c")
    return log


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


@pytest.fixture(scope="module")
def chain_10k(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("chain") / "audit.jsonl"
    write_log(path, 10_000).close()
    return path.read_bytes()


def test_chain_of_10000_events_verifies(chain_10k: bytes, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(chain_10k)
    result = verify_audit_file(path)
    assert result.ok, result
    assert (result.count, result.last_seq, result.from_genesis) == (10_000, 10_000, True)


def test_first_record_starts_at_genesis(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 1).close()
    record = json.loads(path.read_bytes())
    assert (record["seq"], record["prev"]) == (1, GENESIS)
    assert list(record) == ["seq", "time", "event", "fields", "prev", "hash"]


def tamper(lines: list[bytes], how: str, index: int) -> list[bytes]:
    out = list(lines)
    if how == "edit":
        out[index] = out[index].replace(b"read-", b"rEad-", 1)
    elif how == "delete":
        del out[index]
    elif how == "swap":
        out[index], out[index + 1] = out[index + 1], out[index]
    return out


@pytest.mark.parametrize("how", ["edit", "delete", "swap"])
@pytest.mark.parametrize("index", [0, 1, 4_999, 9_998])
def test_tampering_is_found_at_that_line(
    chain_10k: bytes, tmp_path: Path, how: str, index: int
) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"".join(tamper(chain_10k.splitlines(keepends=True), how, index)))
    result = verify_audit_file(path)
    assert not result.ok
    assert result.first_bad_line == index + 1, result.reason


def test_editing_the_last_line_is_found_at_it(chain_10k: bytes, tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"".join(tamper(chain_10k.splitlines(keepends=True), "edit", 9_999)))
    result = verify_audit_file(path)
    assert (result.ok, result.first_bad_line) == (False, 10_000)
    assert "edited" in result.reason


def test_edit_with_recomputed_hash_is_found_at_the_next_line(tmp_path: Path) -> None:
    # An editor who recomputes the record's own hash still breaks the next link.
    from openrouter_secure.audit._chain import build_line

    path = tmp_path / "audit.jsonl"
    write_log(path, 5).close()
    lines = lines_of(path)
    rec = json.loads(lines[2])
    forged = build_line(rec["seq"], rec["time"], rec["event"], {"x": 1}, rec["prev"], None)
    lines[2] = forged + b"\n"
    path.write_bytes(b"".join(lines))
    result = verify_audit_file(path)
    assert (result.ok, result.first_bad_line) == (False, 4)


def test_cut_from_the_end_is_found_with_expect_head(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = write_log(path, 20)
    head = log.head
    assert head is not None
    log.close()
    assert verify_audit_file(path, expect_head=head.digest).ok
    path.write_bytes(b"".join(lines_of(path)[:-1]))
    result = verify_audit_file(path, expect_head=head.digest)
    assert (result.ok, result.first_bad_line) == (False, 20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0, max_value=198), how=st.sampled_from(["edit", "swap"]))
def test_property_any_position(position: int, how: str) -> None:
    lines = _SMALL_CHAIN.splitlines(keepends=True)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit.jsonl"
        path.write_bytes(b"".join(tamper(lines, how, position)))
        result = verify_audit_file(path)
    assert result.first_bad_line == position + 1


def _small_chain() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit.jsonl"
        write_log(path, 200).close()
        return path.read_bytes()


_SMALL_CHAIN = _small_chain()


def test_incomplete_last_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 3).close()
    path.write_bytes(path.read_bytes()[:-10])
    result = verify_audit_file(path)
    assert (result.ok, result.first_bad_line) == (False, 3)


def test_writer_refuses_to_continue_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 3).close()
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(AuditLogError, match="incomplete line"):
        AuditLog(path).log("x")


def test_hmac_key_is_needed_to_verify(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    key = Secret(os.urandom(32))
    write_log(path, 5, key=key).close()
    assert verify_audit_file(path, key=key).ok
    plain = verify_audit_file(path)
    assert (plain.ok, plain.first_bad_line) == (False, 1)


def test_file_is_created_0600_and_appended(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 2).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    write_log(path, 2).close()  # a second writer continues the same chain
    result = verify_audit_file(path)
    assert (result.ok, result.count) == (True, 4)


def test_symlinked_log_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("")
    (tmp_path / "audit.jsonl").symlink_to(target)
    with pytest.raises(AuditLogError, match="symlink"):
        AuditLog(tmp_path / "audit.jsonl")


def test_rotation_continues_the_chain_across_files(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 400, max_bytes=8_000).close()
    rotated = sorted(tmp_path.glob("audit.jsonl.*[0-9]"))
    assert len(rotated) >= 3
    result = verify_audit_file(path)
    assert result.ok, result
    # 400 records plus one audit.rotated record per rotation
    assert result.count == 400 + len(rotated)
    first = json.loads(path.read_bytes().splitlines()[0])
    assert first["event"] == "audit.rotated"


def test_a_deleted_rotated_file_is_found(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 400, max_bytes=8_000).close()
    rotated = sorted(tmp_path.glob("audit.jsonl.*[0-9]"), key=lambda p: int(p.suffix[1:]))
    rotated[1].unlink()
    result = verify_audit_file(path)
    assert not result.ok
    assert result.file == str(rotated[2])
    assert result.first_bad_line == 1


def test_backup_count_keeps_the_newest_and_anchors_at_rotation(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 400, max_bytes=8_000, backup_count=2).close()
    assert len(list(tmp_path.glob("audit.jsonl.*[0-9]"))) == 2
    result = verify_audit_file(path)
    assert result.ok
    assert not result.from_genesis


def test_threads_share_one_log(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)

    def work(n: int) -> None:
        for i in range(300):
            log.log("tool.denied", server=f"s{n}", tool=f"t{i}", rule="deny", client="x" * 50)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    result = verify_audit_file(path)
    assert (result.ok, result.count) == (True, 1800)


WRITER = textwrap.dedent(
    """
    import sys
    from openrouter_secure.audit import AuditLog
    path, name, n, max_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    log = AuditLog(path, max_bytes=max_bytes or None)
    sys.stdin.readline()  # wait until every writer is ready
    for i in range(n):
        log.log("tool.allowed", server=name, tool=f"t{i}", rule="r", client="p" * 200)
    """
)


def run_writers(path: Path, count: int, n: int, max_bytes: int = 0) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"w{k}", str(n), str(max_bytes)],
            stdin=subprocess.PIPE,
            cwd=ROOT,
        )
        for k in range(count)
    ]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        proc.stdin.close()
    for proc in procs:
        assert proc.wait(120) == 0


def test_processes_append_whole_lines_to_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    run_writers(path, 4, 400)
    lines = lines_of(path)
    assert len(lines) == 1600
    assert all(line.endswith(b"}\n") for line in lines)
    per_writer = {json.loads(line)["fields"]["server"] for line in lines}
    assert per_writer == {"w0", "w1", "w2", "w3"}
    result = verify_audit_file(path)
    assert (result.ok, result.count) == (True, 1600), result


def test_processes_keep_the_chain_across_rotation(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    run_writers(path, 3, 300, max_bytes=40_000)
    result = verify_audit_file(path)
    assert result.ok, result
    rotated = list(tmp_path.glob("audit.jsonl.*[0-9]"))
    assert rotated
    assert result.count == 900 + len(rotated)


def test_fields_are_sanitized_and_stripped(tmp_path: Path, canary: str) -> None:
    secret = Secret(canary)
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        log.log(
            "custom.event\n{fake}",
            note=f"key={canary}\r\n\x1b[2J\u202eevil",
            api_key="some-value-123",
            prompt="please summarise this",
            nested={"list": [f"Bearer {canary}"]},
            obj=secret,
        )
    text = path.read_text()
    assert canary not in text
    assert canary[-20:] not in text
    record = json.loads(text)
    assert record["event"] == "custom.event {fake}"
    assert "\x1b" not in record["fields"]["note"]
    assert "\u202e" not in record["fields"]["note"]
    assert record["fields"]["prompt"] == "<REDACTED: 21 chars>"
    assert "some-value-123" not in text
    secret.wipe()


def test_control_characters_that_split_a_secret_are_not_a_way_around(canary: str) -> None:
    secret = Secret(canary)
    split = canary[:10] + "\x00" + canary[10:]
    assert canary[-20:] not in json.dumps(clean_fields({"note": split}))
    secret.wipe()


def test_strings_inside_sets_are_sanitized(canary: str) -> None:
    assert canary[-20:] not in json.dumps(clean_fields({"tags": {f"key={canary}", "x"}}))


def test_dict_keys_are_sanitized(canary: str) -> None:
    assert canary[-20:] not in json.dumps(clean_fields({"usage": {canary: 3}, canary: 1}))


def test_event_name_is_sanitized(tmp_path: Path, canary: str) -> None:
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        log.log(f"custom.{canary}")
    assert canary[-20:] not in path.read_text()


def test_objects_under_secret_names_are_masked() -> None:
    value = "plain" + os.urandom(8).hex()  # no secret format: only the name gives it away

    class Holder:
        def __str__(self) -> str:
            return value

    assert value not in json.dumps(clean_fields({"api_key": Holder(), "password": [Holder()]}))


def test_a_value_that_becomes_a_known_secret_is_masked_from_then_on() -> None:
    # Field names are cleaned through a cache: registering a secret must invalidate it.
    value = "plain" + os.urandom(8).hex()
    assert value in json.dumps(clean_fields({value: value}))
    secret = Secret(value)
    try:
        assert value not in json.dumps(clean_fields({value: value}))
    finally:
        secret.wipe()


def test_numbers_and_none_are_kept_as_they_are() -> None:
    fields = {"n": 3, "x": 1.5, "ok": True, "none": None, "inf": float("inf")}
    assert clean_fields(fields) == {"n": 3, "x": 1.5, "ok": True, "none": None, "inf": "inf"}


def test_two_logs_on_one_path_interleave_into_one_chain(tmp_path: Path) -> None:
    # Each writer caches the last hash it wrote; the other's appends must invalidate it.
    path = tmp_path / "audit.jsonl"
    a, b = AuditLog(path), AuditLog(path)
    for i in range(20):
        (a if i % 3 else b).log("tool.allowed", tool=f"t{i}")
    a.close()
    b.close()
    result = verify_audit_file(path)
    assert (result.ok, result.count) == (True, 20), result


@pytest.mark.parametrize("key", [None, b"k" * 32])
def test_record_digests_match_the_line_bytes(key: bytes | None) -> None:
    from openrouter_secure.audit._chain import build_record, line_digest, record_key, split_line

    line, digest = build_record(3, "t", "e", {"a": "\u00e9"}, GENESIS, record_key(key))
    assert digest == line_digest(line)
    record, reason = split_line(line, key)
    assert record is not None, reason
    assert record["fields"] == {"a": "\u00e9"}


def test_long_fields_are_cut(tmp_path: Path) -> None:
    fields = clean_fields({"note": "a" * 5000}, max_chars=100)
    assert len(fields["note"]) < 130
    assert fields["note"].endswith("more chars>")


def test_attach_records_events_with_their_schema_only(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path).attach()
    try:
        emit("tool.denied", server="s", tool="t", rule="deny:*", client="c", prompt="hi there")
        emit("not.audited", x=1)
    finally:
        log.close()
    records = [json.loads(line) for line in lines_of(path)]
    assert [r["event"] for r in records] == ["tool.denied"]
    assert records[0]["fields"] == {
        "server": "s",
        "tool": "t",
        "rule": "deny:*",
        "client": "c",
        "_dropped": ["prompt"],
    }
    emit("tool.denied", server="after-detach")
    assert len(lines_of(path)) == 1


def test_logger_and_callable_sinks_chain_in_memory() -> None:
    got: list[str] = []
    log = AuditLog(got.append)
    log.log("a")
    log.log("b", n=1)
    first, second = (json.loads(x) for x in got)
    assert (first["seq"], second["seq"]) == (1, 2)
    import hashlib

    assert second["prev"] == hashlib.sha256(got[0].encode()).hexdigest()

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("test.audit.sink")
    logger.setLevel(logging.INFO)
    logger.addHandler(Keep())
    AuditLog(logger).log("c")
    assert json.loads(records[0].getMessage())["event"] == "c"


def test_bad_sink_type_is_refused() -> None:
    with pytest.raises(TypeError, match="sink"):
        AuditLog(42)  # type: ignore[arg-type]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``openrouter-secure audit verify ARGS`` in a child process (``env`` added to this
    one's environment)."""
    return subprocess.run(
        [sys.executable, "-m", "openrouter_secure.cli", "audit", "verify", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_cli_verify_ok_and_broken(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 50).close()
    ok = cli(str(path))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: 50 records")
    lines = lines_of(path)
    del lines[16]
    path.write_bytes(b"".join(lines))
    bad = cli(str(path))
    assert bad.returncode == 1
    assert f"{path}:17:" in bad.stdout
    as_json = json.loads(cli(str(path), "--json").stdout)
    assert (as_json["ok"], as_json["first_bad_line"]) == (False, 17)


def test_cli_missing_file_is_a_usage_error_that_does_not_echo_the_path(tmp_path: Path) -> None:
    canary = make_canary()
    result = cli(str(tmp_path / f"{canary}.jsonl"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert_no_leak(canary, result.stdout, result.stderr)


def test_cli_a_broken_log_under_a_path_with_a_key_masks_it(tmp_path: Path) -> None:
    canary = make_canary()
    path = tmp_path / f"logs-{canary}" / "audit.jsonl"
    path.parent.mkdir()
    write_log(path, 5).close()
    lines = lines_of(path)
    del lines[2]
    path.write_bytes(b"".join(lines))
    for result in (cli(str(path)), cli(str(path), "--json")):
        assert result.returncode == 1
        assert "audit.jsonl" in result.stdout
        assert_no_leak(canary, result.stdout, result.stderr)


@pytest.mark.parametrize("digest", ["nothex", "ab" * 31, "zz" * 32])
def test_cli_a_malformed_expect_head_is_a_usage_error(tmp_path: Path, digest: str) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 3).close()
    result = cli(str(path), "--expect-head", digest)
    assert result.returncode == 2
    assert "--expect-head: must be the 64 hex digits" in result.stderr
    assert "cut from the end" not in result.stdout + result.stderr
    assert digest not in result.stderr


def _forked_writer(log: AuditLog, name: str, n: int) -> None:
    for i in range(n):
        log.log("tool.allowed", server=name, tool=f"t{i}", rule="r", client="c")


def test_forked_children_reuse_the_parents_log_object(tmp_path: Path) -> None:
    import multiprocessing

    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.log("parent.start")
    ctx = multiprocessing.get_context("fork")
    children = [ctx.Process(target=_forked_writer, args=(log, f"c{k}", 200)) for k in range(3)]
    for child in children:
        child.start()
    _forked_writer(log, "parent", 200)
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    log.close()
    result = verify_audit_file(path)
    assert result.ok, result
    assert result.count == 801
