"""Importing the package loads nothing optional (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

OPTIONAL = [
    "boto3",
    "botocore",
    "hvac",
    "keyring",
    "azure",
    "google",
    "grpc",
    "mcp",
    "limits",
    "redis",
    "structlog",
    "ahocorasick_rs",
    "re2",
    "yaml",
    "matplotlib",
    "openai",
    "cryptography",
    "dotenv",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "sentry_sdk",
    "opentelemetry",
]


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout))


def test_import_loads_no_optional_dependency() -> None:
    modules = loaded_after("import openrouter_secure")
    leaked = sorted(m for m in modules if m.split(".")[0] in OPTIONAL)
    assert not leaked, f"import openrouter_secure loaded optional modules: {leaked}"


def test_listing_backends_loads_no_sdk() -> None:
    modules = loaded_after(
        "import openrouter_secure as s\n"
        "[b for b in s.available_backends() if b.name not in ('keyring',)]"
    )
    leaked = sorted(
        m for m in modules if m.split(".")[0] in {"boto3", "botocore", "hvac", "azure", "google"}
    )
    assert not leaked, f"available_backends() imported SDKs: {leaked}"


def test_cli_help_loads_no_optional_dependency() -> None:
    modules = loaded_after(
        "import contextlib, io\n"
        "from openrouter_secure.cli import build_parser\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    build_parser().format_help()"
    )
    leaked = sorted(m for m in modules if m.split(".")[0] in OPTIONAL)
    assert not leaked, f"building the CLI loaded optional modules: {leaked}"


NAMESPACES = [
    "openrouter_secure.audit",
    "openrouter_secure.backends",
    "openrouter_secure.benchmark",
    "openrouter_secure.config",
    "openrouter_secure.limits",
    "openrouter_secure.rotation",
    "openrouter_secure.testing",
    "openrouter_secure.types",
]


def test_import_loads_no_namespace() -> None:
    """The top level is the core: each larger concern loads only when asked for."""
    modules = loaded_after("import openrouter_secure")
    loaded = sorted({*NAMESPACES, "openrouter_secure.mcp", "openrouter_secure.cli"} & modules)
    assert not loaded, f"import openrouter_secure loaded namespaces: {loaded}"


def test_namespaces_load_no_optional_dependency() -> None:
    modules = loaded_after("\n".join(f"import {name}" for name in NAMESPACES))
    leaked = sorted(m for m in modules if m.split(".")[0] in OPTIONAL)
    assert not leaked, f"importing the public namespaces loaded optional modules: {leaked}"


def test_an_error_built_before_the_sanitizer_loads_is_still_scrubbed() -> None:
    from openrouter_secure.testing import make_canary

    canary = make_canary()
    code = (
        "import sys\n"
        "import openrouter_secure\n"
        "loaded = 'openrouter_secure._sanitize._sanitizer' in sys.modules\n"
        f"error = openrouter_secure.ConfigurationError('bad key ' + {canary!r})\n"
        "print(loaded)\n"
        "print(error)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    loaded, message = out.splitlines()
    assert loaded == "False"  # importing the package does not build the sanitizer
    assert message.startswith("bad key ")
    assert "MASKED" in message
    assert canary not in out
