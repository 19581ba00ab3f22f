"""The documentation sends users only to public names, its examples run, and the API
reference renders every exception class."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

import openrouter_secure as ors
from openrouter_secure.testing import OpenRouterTestServer

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
# Logger names look like module paths but are not.
LOGGERS = {"openrouter_secure.client", "openrouter_secure.rotation", "openrouter_secure.events"}


def resolves(path: str) -> bool:
    """Whether ``a.b.c`` is an importable module, or an attribute chain from one."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            if not hasattr(obj, part):
                return False
            obj = getattr(obj, part)
        return True
    return False


def python_block_after(page: str, heading: str) -> str:
    text = (DOCS / page).read_text(encoding="utf-8")
    return text.split(heading, 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


def exception_tree() -> list[type]:
    found = []
    pending: list[type] = [ors.OpenRouterSecureError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return [cls for cls in found if not cls.__name__.startswith("_")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_imports_in_the_docs_exist_and_are_public(page: Path) -> None:
    if page.name == "mcp.md":
        pytest.importorskip("mcp")
    text = page.read_text(encoding="utf-8")
    wrong = []
    for m in re.finditer(r"^\s*from (openrouter_secure[\w.]*) import (\([^)]*\)|.*)$", text, re.M):
        names = re.findall(r"\w+", m[2].split(" as ", 1)[0])
        wrong += [f"{m[1]}.{n}" for n in names if "._" in m[1] or not resolves(f"{m[1]}.{n}")]
    assert not wrong


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_names_the_docs_mention_are_public(page: Path) -> None:
    if page.name == "mcp.md":
        pytest.importorskip("mcp")
    text = page.read_text(encoding="utf-8")
    dotted = re.findall(r"`[^`\n]*?\b(openrouter_secure(?:\.\w+)+)", text)
    wrong = [p for p in dotted if p not in LOGGERS and ("._" in p or not resolves(p))]
    assert not wrong


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_ors_examples_use_top_level_names(page: Path) -> None:
    used = re.findall(r"\bors\.(\w+)", page.read_text(encoding="utf-8"))
    assert not [name for name in used if name not in ors.__all__]


def test_the_loopback_testing_example_runs() -> None:
    code = python_block_after("client.md", "## Testing against a loopback OpenRouter")
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(code, "docs/client.md", "exec"), namespace)  # noqa: S102 - our own docs
    tests = [v for k, v in namespace.items() if k.startswith("test_")]
    assert len(tests) == 1
    with OpenRouterTestServer() as server:
        tests[0](server)


def test_the_events_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code = python_block_after("limits-budgets-audit.md", "## Events")
    exec(compile(code, "docs/limits-budgets-audit.md", "exec"), {"__name__": "docs_example"})  # noqa: S102
    assert "usage.recorded" in capsys.readouterr().out


def test_every_exception_class_has_an_entry_in_the_api_reference() -> None:
    page = (DOCS / "api" / "exceptions.md").read_text(encoding="utf-8")
    rendered = re.findall(r"^::: openrouter_secure\.([A-Z]\w*)$", page, re.M)
    assert sorted(rendered) == sorted(cls.__name__ for cls in exception_tree())


def test_the_tree_diagram_names_every_exception_class() -> None:
    doc = importlib.import_module("openrouter_secure._exceptions").__doc__ or ""
    named = set(re.findall(r"^\s*(?:[│├└─ ]*)(\w+)", doc, re.M))
    assert not [cls.__name__ for cls in exception_tree() if cls.__name__ not in named]


def test_the_core_page_filter_leaves_out_exactly_the_exceptions() -> None:
    # docs/api/core.md hides names ending in Error or Exceeded: they have their own page.
    errors = {cls.__name__ for cls in exception_tree()}
    hidden = {n for n in ors.__all__ if re.search(r"(Error|Exceeded)$", n)}
    assert hidden == errors


def test_every_public_namespace_has_an_api_page() -> None:
    pages = {p.stem for p in (DOCS / "api").glob("*.md")}
    namespaces = {"backends", "config", "limits", "audit", "rotation", "benchmark", "types"}
    assert namespaces | {"mcp", "testing", "core", "exceptions"} <= pages
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert not [p for p in pages if f"api/{p}.md" not in nav]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_python_block_is_python(page: Path) -> None:
    """A ``python`` fence holds code (top-level ``await`` allowed, as in an asyncio
    REPL); a signature or pseudo-code goes in a ``text`` fence."""
    import ast

    text = page.read_text(encoding="utf-8")
    broken = []
    for block in re.finditer(r"^```python\n(.*?)^```", text, re.M | re.S):
        line = text[: block.start()].count("\n") + 2
        try:
            compile(block[1], f"{page.name}:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except SyntaxError as exc:
            broken.append(f"{page.name}:{line}: {exc.msg}")
    assert not broken


def test_rules_in_documented_audit_records_are_ones_the_policy_writes() -> None:
    from openrouter_secure.config import ToolPolicy

    shown = set()
    for page in ("limits-budgets-audit.md", "mcp.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        shown |= set(re.findall(r'"rule":\s*"([^"]+)"', text))
    policy = ToolPolicy.from_config(
        {"files": {"denyToolsGlob": ["delete*"], "allowedTools": ["read", "chat"]}}
    )
    written = {
        policy.check("files", "delete").rule,
        policy.check("files", "read").rule,
        policy.check("files", "chat").rule,
        policy.check("files", "other").rule,
    }
    assert shown <= written, f"documented rules no policy writes: {shown - written}"
