"""Running the examples of the docs pages as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs"


def block_after(page: str, heading: str, language: str = "python") -> str:
    """The first fenced ``language`` block after ``heading`` on ``page``."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return text.split(heading, 1)[1].split(f"```{language}\n", 1)[1].split("```", 1)[0]


def run_python_after(page: str, heading: str) -> dict[str, Any]:
    """Run the first Python block after ``heading``; return its namespace."""
    code = compile(block_after(page, heading), f"docs/{page}", "exec", dont_inherit=True)
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    try:
        exec(code, namespace)  # noqa: S102 - our own documentation
    finally:
        # An example's resolved secrets stay known to the process (and so masked) while
        # the cache holds them: drop them, or later tests see a sample value as a secret.
        from openrouter_secure import get_cache

        get_cache().clear()
    return namespace
