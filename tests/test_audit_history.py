"""verify_audit_file and ``audit verify`` on rotated logs whose oldest files are gone:
deleted by the writer's own ``backup_count`` (fine), or by someone else (a failure)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from openrouter_secure import Secret
from openrouter_secure.audit import AuditLog, verify_audit_file
from openrouter_secure.audit._chain import ROTATED_EVENT, build_line, build_record
from tests.test_audit import cli

ROOT = Path(__file__).resolve().parent.parent


def write_log(path: Path, n: int, **kwargs: object) -> AuditLog:
    log = AuditLog(path, max_bytes=2_000, **kwargs)  # type: ignore[arg-type]
    for i in range(n):
        log.log("tool.allowed", server="files", tool=f"read-{i}", rule="allow:read-*", client="c")
    return log


def rotated(path: Path) -> list[Path]:
    """The rotated files of ``path``, oldest first."""
    found = [p for p in path.parent.glob(path.name + ".*") if p.suffix[1:].isdigit()]
    return sorted(found, key=lambda p: int(p.suffix[1:]))


def test_a_keep_all_log_whose_rotated_files_were_all_deleted_fails(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    key = Secret(secrets.token_hex(32))
    log = write_log(path, 200, key=key)
    assert log.head is not None
    head = log.head.digest
    log.close()
    for old in rotated(path):
        old.unlink()
    result = verify_audit_file(path, key=key, expect_head=head)
    assert not result.ok
    assert (result.history, result.from_genesis, result.first_bad_line) == ("missing", False, 1)
    assert "removed by someone else" in result.reason
    assert result.first_seq > 1


def test_a_keep_all_log_missing_only_its_oldest_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 200).close()
    files = rotated(path)
    files[0].unlink()
    result = verify_audit_file(path)
    assert not result.ok
    assert result.file == str(files[1])
    assert result.history == "missing"


def test_a_missing_beginning_can_be_accepted_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 200).close()
    for old in rotated(path):
        old.unlink()
    result = verify_audit_file(path, from_genesis=False)
    assert result.ok
    assert result.history == "missing"


def test_files_deleted_by_backup_count_pass_unless_genesis_is_required(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 200, backup_count=2).close()
    assert len(rotated(path)) == 2
    result = verify_audit_file(path)
    assert result.ok
    assert (result.history, result.from_genesis) == ("pruned", False)
    required = verify_audit_file(path, from_genesis=True)
    assert not required.ok
    assert "not at genesis" in required.reason


def test_a_kept_file_deleted_beyond_backup_count_fails(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 200, backup_count=3).close()
    files = rotated(path)
    assert len(files) == 3
    files[0].unlink()
    result = verify_audit_file(path)
    assert not result.ok
    assert result.history == "missing"
    assert "keeps 3 rotated files" in result.reason


def test_a_backup_count_raised_later_still_explains_the_deleted_files(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 200, backup_count=2).close()
    write_log(path, 30, backup_count=10).close()  # restarted with a larger policy
    assert 2 < len(rotated(path)) < 10
    result = verify_audit_file(path)
    assert result.ok, result
    assert result.history == "pruned"


def test_a_log_without_a_recorded_policy_passes_but_says_so(tmp_path: Path) -> None:
    """A live file anchored at a rotation record that does not name its backup_count."""
    path = tmp_path / "audit.jsonl"
    prev = secrets.token_hex(32)
    lines = [
        build_line(41, "2026-01-01T00:00:00Z", ROTATED_EVENT, {"previous_last_seq": 40}, prev, None)
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = verify_audit_file(path)
    assert result.ok
    assert (result.history, result.first_seq) == ("unknown", 41)
    out = cli(str(path))
    assert out.returncode == 0
    assert "WARNING: records 1 to 40 are not in these files" in out.stdout
    assert cli("--from-genesis", str(path)).returncode == 1


def test_a_log_upgraded_mid_way_is_unknown_until_its_files_contradict_it(
    tmp_path: Path,
) -> None:
    """An older file's anchor does not name its policy; the newer one keeps all."""
    path = tmp_path / "audit.jsonl"
    when = "2026-01-01T00:00:00Z"
    first, digest = build_record(5, when, ROTATED_EVENT, {}, secrets.token_hex(32), None)
    second, digest = build_record(6, when, "app.event", {}, digest, None)
    Path(f"{path}.{5:012d}").write_bytes(first + b"\n" + second + b"\n")
    anchor, _ = build_record(7, when, ROTATED_EVENT, {"backup_count": None}, digest, None)
    path.write_bytes(anchor + b"\n")
    result = verify_audit_file(path)
    assert result.ok
    assert (result.history, result.first_seq) == ("unknown", 5)
    Path(f"{path}.{5:012d}").unlink()  # the file the new writer kept
    assert verify_audit_file(path).history == "missing"


def test_an_edited_policy_in_an_hmac_log_is_found(tmp_path: Path) -> None:
    """Someone who deletes the history cannot make the anchor claim a pruning policy."""
    path = tmp_path / "audit.jsonl"
    key = Secret(secrets.token_hex(32))
    write_log(path, 200, key=key).close()
    for old in rotated(path):
        old.unlink()
    first, rest = path.read_bytes().split(b"\n", 1)
    assert b'"backup_count":null' in first
    path.write_bytes(first.replace(b'"backup_count":null', b'"backup_count":0') + b"\n" + rest)
    result = verify_audit_file(path, key=key)
    assert not result.ok
    assert "edited" in result.reason


def test_cli_exit_status_and_output_for_a_missing_beginning(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    hex_key = secrets.token_hex(32)
    log = write_log(path, 200, key=Secret(hex_key))
    assert log.head is not None
    head = log.head.digest
    log.close()
    for old in rotated(path):
        old.unlink()
    env = {"AUDIT_KEY_" + secrets.token_hex(3).upper(): hex_key}
    ref = "env://" + next(iter(env))
    bad = cli("--expect-head", head, "--key-ref", ref, str(path), env=env)
    assert bad.returncode == 1, bad.stdout
    assert f"{path}:1: the chain starts at a rotation anchor" in bad.stdout
    assert "records from there on verify" in bad.stdout
    accepted = cli("--no-from-genesis", "--key-ref", ref, str(path), env=env)
    assert accepted.returncode == 0
    assert "are MISSING" in accepted.stdout
    as_json = json.loads(cli("--json", "--key-ref", ref, str(path), env=env).stdout)
    assert (as_json["ok"], as_json["history"]) == (False, "missing")
    assert hex_key not in bad.stdout + bad.stderr + accepted.stdout + accepted.stderr


@pytest.mark.parametrize("flag", [[], ["--from-genesis"]])
def test_cli_on_a_complete_log_says_from_genesis(tmp_path: Path, flag: list[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 200).close()
    out = cli(*flag, str(path))
    assert out.returncode == 0
    assert "verified from genesis" in out.stdout


def test_cli_from_genesis_refuses_a_pruned_log(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    write_log(path, 200, backup_count=1).close()
    pruned = cli(str(path))
    assert pruned.returncode == 0
    assert "the log's backup_count deleted" in pruned.stdout
    assert cli("--from-genesis", str(path)).returncode == 1
