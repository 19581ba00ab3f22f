"""docs/writing-a-backend.md runs as written.

Every fenced block there whose first line is ``# <path>`` is a file of an example
project: the backend module, its ``pyproject.toml`` entry point, and its contract test.
They are laid out the way an installer would (module plus a ``.dist-info`` carrying the
entry points) and exercised in a fresh interpreter, so discovery goes through
``importlib.metadata`` exactly as for a pip-installed plugin.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openrouter_secure._registry import ENTRY_POINT_GROUP

DOC = Path(__file__).parents[1] / "docs" / "writing-a-backend.md"
FENCE = re.compile(r"^```[a-z]+\n# (?P<path>[\w./-]+)\n(?P<body>.*?)^```$", re.M | re.S)


def example_files() -> dict[str, str]:
    return {m["path"]: m["body"] for m in FENCE.finditer(DOC.read_text(encoding="utf-8"))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The example project, installed into ``tmp_path/site``; returns the project root."""
    tomllib = pytest.importorskip("tomllib")
    files = example_files()
    root, site = tmp_path / "project", tmp_path / "site"
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(body, encoding="utf-8")
    (site / "my_package").mkdir(parents=True)
    for module in (root / "my_package").glob("*.py"):
        (site / "my_package" / module.name).write_text(module.read_text(encoding="utf-8"))
    entry_points = tomllib.loads(files["pyproject.toml"])["project"]["entry-points"]
    info = site / "my_package-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-package\nVersion: 1.0\n")
    lines = [f"[{ENTRY_POINT_GROUP}]"]
    lines += [f"{name} = {target}" for name, target in entry_points[ENTRY_POINT_GROUP].items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return root


def run(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(project.parent / "site"), *sys.path])
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path, **env},
        timeout=120,
        check=False,
    )


def test_the_page_holds_the_backend_its_entry_point_and_its_test() -> None:
    assert set(example_files()) == {
        "my_package/filevault.py",
        "pyproject.toml",
        "tests/test_filevault.py",
    }


def test_the_example_passes_the_contract_as_written(project: Path) -> None:
    result = run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\d+ passed in ", result.stdout, re.M), result.stdout  # none skipped


def test_the_example_is_found_by_entry_point_and_refuses_a_misspelt_param(
    project: Path, tmp_path: Path
) -> None:
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    (secrets_dir / "openrouter_api_key").write_text("value-from-a-file\n")
    result = run(
        project,
        "-c",
        """if True:
        import json, openrouter_secure as s
        row = next(b for b in s.available_backends() if b.name == "filevault")
        try:
            s.resolve("filevault://openrouter_api_key?dri=/srv/keys")
            refused = "not refused"
        except s.InvalidReferenceError as exc:
            refused = str(exc)
        value = s.resolve("filevault://openrouter_api_key").reveal()
        print(json.dumps([row.available, row.writable, row.source, value, refused]))
        """,
        FILEVAULT_DIR=str(secrets_dir),
    )
    assert result.returncode == 0, result.stderr
    available, writable, source, value, refused = json.loads(result.stdout)
    assert (available, writable, source, value) == (True, True, "my-package", "value-from-a-file")
    assert refused.endswith("unknown filevault:// param 'dri'; filevault:// accepts dir")
