"""Files the library creates beside user data refuse symbolic links and odd file types."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from openrouter_secure import AuditLogError, UnsafePathError
from openrouter_secure._files import lock_file, open_nofollow
from openrouter_secure.audit import AuditLog


@pytest.mark.parametrize("suffix", [".lock", ""])
def test_audit_log_refuses_a_planted_link(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / "audit.jsonl"
    elsewhere = tmp_path / "elsewhere"
    Path(str(path) + suffix).symlink_to(elsewhere)
    with pytest.raises(AuditLogError, match=r"symlink|symbolic link"):
        AuditLog(path)
    assert not elsewhere.exists()


def test_audit_log_refuses_a_fifo_as_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    os.mkfifo(str(path) + ".lock")
    with pytest.raises(AuditLogError, match="not a regular file"):
        AuditLog(path)


def test_open_nofollow_refuses_a_link_to_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "t"
    target.write_text("x")
    (tmp_path / "l").symlink_to(target)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        open_nofollow(tmp_path / "l", os.O_RDWR)


def test_lock_file_is_removed_on_release_even_after_an_error(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    seen = []

    def fail_under_lock() -> None:
        with lock_file(lock):
            seen.append(lock.exists())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_under_lock()
    assert seen == [True]
    assert not lock.exists()


def test_lock_file_refuses_a_planted_link(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnsafePathError), lock_file(lock):
        pass
    assert not (tmp_path / "elsewhere").exists()


def test_lock_file_excludes_another_process(tmp_path: Path) -> None:
    """A second process waits while the lock is held, and gets it once released."""
    import subprocess
    import sys

    lock = tmp_path / "x.lock"
    marker = tmp_path / "got-it"
    code = (
        "import sys; from pathlib import Path; from openrouter_secure._files import lock_file\n"
        f"with lock_file(Path({str(lock)!r})): Path({str(marker)!r}).write_text('1')\n"
    )
    with lock_file(lock):
        child = subprocess.Popen([sys.executable, "-c", code], env={**os.environ})
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)
        assert not marker.exists()
    assert child.wait(timeout=30) == 0
    assert marker.exists()
    assert not lock.exists()
