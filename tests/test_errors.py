"""Every error class: no secret value in its message, repr, traceback or pickle."""

from __future__ import annotations

import inspect
import pickle
import subprocess
import sys
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import openrouter_secure as ors
from openrouter_secure import OpenRouterSecureError, Secret
from openrouter_secure.testing import assert_no_leak, make_canary


def iter_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from iter_subclasses(sub)


ERROR_CLASSES = sorted(
    {OpenRouterSecureError, *iter_subclasses(OpenRouterSecureError)}, key=lambda c: c.__name__
)


def build(cls: type[OpenRouterSecureError], text: str) -> OpenRouterSecureError:
    """Construct ``cls`` with ``text`` wherever it takes a string, whatever its signature."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in list(inspect.signature(cls).parameters.values()):
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or (
            param.default is not param.empty
        ):
            continue
        annotation = str(param.annotation)
        value: Any = 400 if "int" in annotation and "str" not in annotation else text
        if param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)


def render(error: BaseException) -> list[str]:
    try:
        raise error
    except BaseException as raised:
        tb = traceback.format_exc()
        return [str(raised), repr(raised), tb, *map(str, raised.args)]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_known_secret_values_never_reach_the_message(cls: type[OpenRouterSecureError]) -> None:
    canary = make_canary("plain")
    with Secret(canary):
        error = build(cls, f"backend said: value was {canary} (ref env://X)")
        assert_no_leak(canary, *render(error))


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_errors_pickle_and_keep_the_scrubbed_message(cls: type[OpenRouterSecureError]) -> None:
    canary = make_canary("plain")
    with Secret(canary):
        error = build(cls, f"value {canary}")
        clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is cls
    assert str(clone) == str(error)
    assert_no_leak(canary, *render(clone))


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_is_exported_from_the_package(cls: type[OpenRouterSecureError]) -> None:
    assert getattr(ors, cls.__name__) is cls


def test_the_tree_is_drawn_in_the_module_docstring() -> None:
    from openrouter_secure import _exceptions

    doc = _exceptions.__doc__ or ""
    missing = [c.__name__ for c in ERROR_CLASSES if c.__name__ not in doc]
    assert not missing, f"add these to the tree in _exceptions.py's docstring: {missing}"


def test_missing_dependency_names_the_pip_command() -> None:
    error = ors.MissingDependencyError("aws", module="boto3")
    assert 'pip install "openrouter-secure[aws]"' in str(error)
    assert isinstance(error, ImportError)
    assert error.retryable is False


def test_provider_errors_carry_the_reference_and_backend() -> None:
    error = ors.SecretNotFoundError("nope", ref=ors.SecretRef.parse("aws://prod/x#k"))
    assert (error.ref, error.backend) == ("aws://prod/x#k", "aws")


def test_configuration_errors_are_value_errors() -> None:
    assert issubclass(ors.ConfigurationError, ValueError)
    assert issubclass(ors.InvalidReferenceError, ors.ConfigurationError)


# -- the scrubber the sanitizer installs ---------------------------------------------------


def test_the_core_module_alone_scrubs_without_importing_the_sanitizer_itself() -> None:
    """Importing only ``_exceptions`` runs the package's ``__init__``, which loads the
    sanitizer and so installs its scrubber: the error masks a key it never saw."""
    canary = make_canary()
    code = (
        "import sys\n"
        "from openrouter_secure._exceptions import OpenRouterSecureError\n"
        "print(OpenRouterSecureError('upstream said ' + sys.argv[1]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, canary], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.startswith("upstream said ")
    assert_no_leak(canary, out.stdout, out.stderr)


def test_without_a_scrubber_the_message_is_withheld(monkeypatch: pytest.MonkeyPatch) -> None:
    from openrouter_secure import _exceptions

    canary = make_canary()
    monkeypatch.setattr(_exceptions, "_scrubber", None)
    error = ors.ConfigurationError(f"bad value {canary}")
    assert str(error) == f"<REDACTED: {len(canary) + 10} chars; no sanitizer loaded>"


def test_a_failing_scrubber_withholds_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from openrouter_secure import _exceptions

    def broken(text: str) -> str:
        raise RuntimeError("scanner crashed")

    canary = make_canary()
    monkeypatch.setattr(_exceptions, "_scrubber", broken)
    error = ors.ProviderError("backend said " + canary)
    assert_no_leak(canary, *render(error))
    assert "sanitizer failed" in str(error)


_BLOCK_IMPORTS = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize(
    ("blocked", "code", "expected"),
    [
        ("mcp", "import openrouter_secure.mcp", "the MCP adapter (openrouter_secure.mcp) needs"),
        (
            "limits",
            "from openrouter_secure.limits import RateLimiter; RateLimiter('1/second')",
            "rate limiting (RateLimiter) needs the 'ratelimit' extra",
        ),
        ("boto3", "import openrouter_secure as s; s.get_provider('aws')", "the 'aws' backend"),
    ],
)
def test_missing_dependency_names_what_needs_it_by_kind(
    blocked: str, code: str, expected: str
) -> None:
    script = (
        _BLOCK_IMPORTS.format(blocked={blocked})
        + f"""
from openrouter_secure import MissingDependencyError
try:
    {code}
except MissingDependencyError as exc:
    print(exc, "|", exc.backend)
"""
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "pip install" in result.stdout
    is_backend = blocked == "boto3"
    assert result.stdout.strip().endswith("| aws" if is_backend else "| None")
    assert ("backend" in result.stdout.split("|")[0]) is is_backend
