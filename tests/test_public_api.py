from __future__ import annotations

import openrouter_secure as ors


def test_all_is_sorted() -> None:
    assert list(ors.__all__) == sorted(ors.__all__)


def test_all_names_exist() -> None:
    missing = [name for name in ors.__all__ if not hasattr(ors, name)]
    assert not missing


def test_no_private_module_leaks_into_all() -> None:
    assert not [name for name in ors.__all__ if name.startswith("_") and name != "__version__"]


def test_issue_named_public_api_is_present() -> None:
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
    ):
        assert name in ors.__all__


def test_every_public_object_has_a_docstring() -> None:
    undocumented = [
        name
        for name in ors.__all__
        if callable(getattr(ors, name)) and not (getattr(ors, name).__doc__ or "").strip()
    ]
    assert not undocumented, undocumented
