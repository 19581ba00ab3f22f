"""Developer tasks. ``nox`` runs them in fresh virtualenvs; ``scripts/check`` (the
README's test command and CI) installs everything once and runs them with
``nox --no-venv`` in ./.venv."""

from __future__ import annotations

import os
import sys
import tempfile

import nox

nox.options.sessions = ["lint", "typecheck", "docs", "tests"]
nox.options.reuse_existing_virtualenvs = True

ALL = ("-e", ".[all]")


def install(session: nox.Session, *args: str) -> None:
    # Under --no-venv (scripts/check) everything is installed already.
    if session.venv_backend != "none":
        session.install(*args)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and formatting), and import-linter: the package's layers (pyproject's
    ``[tool.importlinter]``) hold for every import, function-level ones included."""
    install(session, "--group", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    if sys.version_info < (3, 11):
        # import-linter needs 3.11+: the layers go unchecked here, never silently in CI.
        if os.environ.get("CI"):
            session.error("import-linter needs Python 3.11+; run CI on 3.11 or later")
        session.warn("import-linter needs Python 3.11+: the layer contracts were not checked")
        return
    # It reads the package's source, not an installed copy; no cache left in the tree.
    session.run("lint-imports", "--no-cache")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package."""
    install(session, *ALL, "--group", "lint")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site, failing on any warning."""
    install(session, ".", "--group", "docs")
    with tempfile.TemporaryDirectory() as site:
        session.run(
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "--site-dir",
            site,
            env={"NO_MKDOCS_2_WARNING": "1"},
        )


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite (real services are started by the tests), a test file per
    process on up to four processes; ``nox -s tests -- -n 0`` runs it in one."""
    install(session, *ALL, "--group", "test")
    session.run(
        "pytest", "-n", "auto", "--maxprocesses", "4", "--dist", "loadfile", *session.posargs
    )


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks under benchmarks/ (they print their figures)."""
    install(session, *ALL, "--group", "bench")
    for script in sorted(__import__("pathlib").Path("benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
