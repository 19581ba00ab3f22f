"""The public surface: the top level and every public namespace export a curated,
sorted, documented ``__all__``, and nothing private."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import openrouter_secure as ors

NAMESPACES = (
    "openrouter_secure",
    "openrouter_secure.audit",
    "openrouter_secure.backends",
    "openrouter_secure.benchmark",
    "openrouter_secure.config",
    "openrouter_secure.launch",
    "openrouter_secure.integrations",
    "openrouter_secure.integrations.opentelemetry",
    "openrouter_secure.integrations.pydantic",
    "openrouter_secure.integrations.sentry",
    "openrouter_secure.limits",
    "openrouter_secure.mcp",
    "openrouter_secure.rotation",
    "openrouter_secure.testing",
    "openrouter_secure.types",
)


def namespace(name: str) -> ModuleType:
    if name == "openrouter_secure.mcp":
        pytest.importorskip("mcp")
    sdk = {
        "openrouter_secure.integrations.opentelemetry": "opentelemetry.sdk",
        "openrouter_secure.integrations.pydantic": "pydantic",
        "openrouter_secure.integrations.sentry": "sentry_sdk",
    }.get(name)
    if sdk:
        pytest.importorskip(sdk)
    return importlib.import_module(name)


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in: constants, then classes, then the rest."""
    if name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("name", NAMESPACES)
def test_all_is_sorted_and_unique(name: str) -> None:
    exported = list(namespace(name).__all__)
    assert exported == sorted(set(exported), key=isort_key)


@pytest.mark.parametrize("name", NAMESPACES)
def test_all_names_exist(name: str) -> None:
    module = namespace(name)
    assert not [n for n in module.__all__ if not hasattr(module, n)]


@pytest.mark.parametrize("name", NAMESPACES)
def test_no_private_name_in_all(name: str) -> None:
    exported = namespace(name).__all__
    assert not [n for n in exported if n.startswith("_") and n != "__version__"]


@pytest.mark.parametrize("name", NAMESPACES)
def test_every_public_callable_has_a_docstring(name: str) -> None:
    module = namespace(name)
    undocumented = [
        n
        for n in module.__all__
        if callable(getattr(module, n)) and not (getattr(module, n).__doc__ or "").strip()
    ]
    assert not undocumented


@pytest.mark.parametrize("name", NAMESPACES)
def test_every_namespace_has_a_docstring(name: str) -> None:
    assert (namespace(name).__doc__ or "").strip()


def test_top_level_stays_small() -> None:
    assert len(ors.__all__) <= 60


def test_the_core_is_at_the_top_level() -> None:
    for name in (
        "Secret",
        "SecretRef",
        "SecretProvider",
        "resolve",
        "aresolve",
        "resolve_first",
        "get_provider",
        "available_backends",
        "OpenRouterSecureError",
        "Sanitizer",
        "SanitizingFilter",
        "StreamSanitizer",
        "install_log_redaction",
        "RedactingClient",
        "AsyncRedactingClient",
        "secure_http_client",
    ):
        assert name in ors.__all__


def test_the_whole_exception_tree_is_at_the_top_level() -> None:
    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    # Every subpackage is imported first, so an error class defined anywhere is seen.
    for info in pkgutil.walk_packages(ors.__path__, "openrouter_secure."):
        if info.name.endswith("__main__") or info.name.startswith(
            ("openrouter_secure.mcp", "openrouter_secure.integrations.")
        ):
            continue
        importlib.import_module(info.name)
    tree = {ors.OpenRouterSecureError} | subclasses(ors.OpenRouterSecureError)
    public = {cls for cls in tree if not cls.__name__.startswith("_")}
    assert not [cls.__name__ for cls in public if getattr(ors, cls.__name__, None) is not cls]


@pytest.mark.parametrize("name", NAMESPACES[1:])
def test_a_name_lives_in_one_namespace(name: str) -> None:
    """A name is exported from the top level or from one namespace, not from both
    (``confine_path`` is the one exception: the MCP adapter's users look for it there)."""
    shared = set(namespace(name).__all__) & set(ors.__all__) - {"confine_path"}
    assert not shared
