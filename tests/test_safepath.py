"""Result files stay inside their directory: names that escape are refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_secure import UnsafePathError
from openrouter_secure._files import confined_path, write_confined


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "../../etc/passwd",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "..",
        ".",
        ".hidden",
        "",
        "x\x00y",
        "~/x",
        "C:x",
        "x" * 129,
        "name with space",
    ],
)
def test_escaping_or_odd_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        write_confined(tmp_path / "results", name, b"data")
    assert name not in str(info.value) or len(name) < 2
    assert [p for p in tmp_path.rglob("*") if p.name != "results"] == []


def test_plain_name_is_written_inside_with_mode_0600(tmp_path: Path) -> None:
    path = write_confined(tmp_path / "results", "run-1.json", "{}")
    assert path == (tmp_path / "results" / "run-1.json").resolve()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "{}"


def test_new_results_directory_is_private(tmp_path: Path) -> None:
    write_confined(tmp_path / "results", "a.json", "{}")
    assert stat.S_IMODE((tmp_path / "results").stat().st_mode) == 0o700


def test_symlink_at_the_target_name_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (results / "report.md").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        write_confined(results, "report.md", "overwritten?")
    assert outside.read_text() == "precious"


def test_dangling_symlink_at_the_target_name_is_refused(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "x.json").symlink_to(tmp_path / "created-elsewhere")
    with pytest.raises(UnsafePathError):
        write_confined(results, "x.json", "{}")
    assert not (tmp_path / "created-elsewhere").exists()


def test_directory_at_the_target_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r" / "sub").mkdir(parents=True)
    with pytest.raises(UnsafePathError):
        confined_path(tmp_path / "r", "sub")


def test_overwrite_false_refuses_an_existing_file(tmp_path: Path) -> None:
    write_confined(tmp_path, "a.csv", "1")
    with pytest.raises(UnsafePathError):
        write_confined(tmp_path, "a.csv", "2", overwrite=False)
    assert (tmp_path / "a.csv").read_text() == "1"


def test_missing_parent_directories_are_private_too(tmp_path: Path) -> None:
    write_confined(tmp_path / "a" / "b", "x.json", "{}")
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=0, max_size=40))
def test_no_name_whatever_its_characters_leaves_the_directory(tmp_path: Path, name: str) -> None:
    base = tmp_path / "results"
    try:
        path = confined_path(base, name)
    except UnsafePathError:
        return
    assert path.parent == base.resolve()
    assert path.name == name
