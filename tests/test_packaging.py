"""The sdist is enough to build the docs and run the tests, as a packager does.

It is built here with hatchling, the project's build backend, from this tree; what
the docs build and the tests read is worked out from mkdocs.yml, the docs pages and
the tests themselves, so a new page, snippet or benchmark script is covered as soon
as something uses it.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hatchling.builders.sdist import SdistBuilder

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = re.compile(r"""^\s*-{1,}8<-{1,}\s+["']([^"']+)["']""", re.MULTILINE)
# A benchmark script a test loads: benchmarks/x.py, or "benchmarks" / "x.py".
BENCHMARK = re.compile(r"""benchmarks["']?\s*[/,]\s*["']?([\w.-]+\.py)""")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The paths in a freshly built sdist, relative to its top folder."""
    out = tmp_path_factory.mktemp("sdist")
    (archive,) = SdistBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])
    with tarfile.open(archive) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}


def _mkdocs() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _strings(config: Any) -> Iterator[str]:
    """Every string value in a YAML tree (list items and mapping values, at any depth)."""
    if isinstance(config, str):
        yield config
    elif isinstance(config, list):
        for item in config:
            yield from _strings(item)
    elif isinstance(config, dict):
        for value in config.values():
            yield from _strings(value)


def _pages(nav: Any) -> Iterator[str]:
    return (page for page in _strings(nav) if page.endswith(".md"))


def _extension_files(config: Any) -> Iterator[str]:
    """Files named by ``path/to/file.py:Name`` entries anywhere in the config."""
    for value in _strings(config):
        match = re.fullmatch(r"([\w./-]+\.py):\w+", value)
        if match:
            yield match.group(1)


def test_the_docs_build_has_its_config_pages_and_extensions(shipped: set[str]) -> None:
    config = _mkdocs()
    docs_dir = config.get("docs_dir", "docs")
    needed = {"mkdocs.yml", "pyproject.toml"}
    needed |= {f"{docs_dir}/{page}" for page in _pages(config["nav"])}
    needed |= set(_extension_files(config.get("plugins", [])))
    assert len(needed) > 20  # the nav was read: the check is not vacuous
    assert sorted(needed - shipped) == []


def test_every_file_a_docs_page_includes_ships(shipped: set[str]) -> None:
    included = {
        name
        for page in (ROOT / "docs").rglob("*.md")
        for name in SNIPPET.findall(page.read_text(encoding="utf-8"))
    }
    assert "CHANGELOG.md" in included
    assert sorted(included - shipped) == []


def test_the_benchmark_scripts_tests_load_ship(shipped: set[str]) -> None:
    loaded = {
        f"benchmarks/{name}"
        for test in (ROOT / "tests").glob("*.py")
        if test.name != Path(__file__).name
        for name in BENCHMARK.findall(test.read_text(encoding="utf-8"))
    }
    assert "benchmarks/bench_sanitizer.py" in loaded
    assert sorted(loaded - shipped) == []


def test_the_tests_and_the_commands_that_run_them_ship(shipped: set[str]) -> None:
    tests = {str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("*.py")}
    assert sorted(tests - shipped) == []
    assert {"noxfile.py", "scripts/check", "README.md", "LICENSE"} <= shipped


def test_nothing_private_to_this_checkout_ships(shipped: set[str]) -> None:
    assert not {p for p in shipped if p.startswith((".ci/", ".venv/", "site/", ".git/"))}
    assert not {p for p in shipped if "__pycache__" in p or p.endswith(".pyc")}


def test_the_package_index_description_works_without_the_repository() -> None:
    """The README becomes the package index page: its links must be absolute (a relative
    one is a dead link there), and installing must not need a clone."""
    from hatchling.metadata.core import ProjectMetadata

    readme = ProjectMetadata(str(ROOT), None).core.readme
    targets = re.findall(r"\]\(([^)\s]+)\)", readme) + re.findall(r'(?:href|src)="([^"]+)"', readme)
    relative = [t for t in targets if not re.match(r"(https://|#)", t)]
    assert not relative, f"relative links on the package index: {relative}"
    assert 'pip install "openrouter-secure[' in readme
