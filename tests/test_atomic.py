"""``write_private`` and ``write_temp_beside``: atomic, private writes that never loosen a mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from openrouter_secure._files import ensure_dir, write_private, write_temp_beside


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_is_0600_in_new_0700_directories(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "f.json"
    assert write_private(target, "data") == target.resolve()
    assert target.read_text() == "data"
    assert (mode(target), mode(target.parent), mode(target.parent.parent)) == (0o600, 0o700, 0o700)


def test_bytes_are_written_as_is(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    write_private(target, b"\x00\xffabc")
    assert target.read_bytes() == b"\x00\xffabc"


@pytest.mark.parametrize(
    ("existing", "requested", "final"),
    [(0o644, 0o600, 0o600), (0o400, 0o600, 0o400), (0o600, 0o640, 0o600), (0o640, 0o640, 0o640)],
)
def test_an_existing_file_only_ever_tightens(
    tmp_path: Path, existing: int, requested: int, final: int
) -> None:
    target = tmp_path / "f"
    target.write_text("old")
    os.chmod(target, existing)
    write_private(target, "new", requested)
    assert target.read_text() == "new"
    assert mode(target) == final


def test_existing_directory_is_left_alone_unless_asked(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    os.chmod(d, 0o755)  # noqa: S103 - a loose directory is what is tested
    write_private(d / "f", "x")
    assert mode(d) == 0o755
    write_private(d / "f", "x", tighten_dir=True)
    assert mode(d) == 0o700


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.write_text("old")
    link = tmp_path / "link"
    link.symlink_to(real)
    write_private(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_a_failed_write_leaves_the_target_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f"
    target.write_text("old")

    # A full disk cannot be produced portably in a test: make os.replace fail instead.
    def failing_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space"):
        write_private(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_a_directory_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        write_private(tmp_path / "d", "x")


def test_ensure_dir_creates_with_mode_despite_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = ensure_dir(tmp_path / "x" / "y", 0o700)
    finally:
        os.umask(old)
    assert mode(path) == 0o700
    assert mode(path.parent) == 0o700


def test_a_temp_file_that_fails_to_sync_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        write_temp_beside(tmp_path / "f", b"data", 0o600)
    assert list(tmp_path.iterdir()) == []


def test_a_temp_file_has_exactly_the_mode_asked_for(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        tmp = write_temp_beside(tmp_path / "f", b"data", 0o640)
    finally:
        os.umask(old)
    assert (stat.S_IMODE(tmp.stat().st_mode), tmp.read_bytes()) == (0o640, b"data")
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".f.")
