from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from openrouter_secure import InvalidReferenceError, SecretNotFoundError, SecretRef
from openrouter_secure.backends.env import EnvProvider
from openrouter_secure.testing import ProviderContract, assert_no_leak


class TestEnvContract(ProviderContract):
    @pytest.fixture
    def provider(self) -> Iterator[EnvProvider]:
        saved = dict(os.environ)
        yield EnvProvider()
        os.environ.clear()
        os.environ.update(saved)

    def new_ref(self, name: str) -> SecretRef:
        return SecretRef.parse("env://ORS_TEST_" + name.upper().replace("-", "_"))

    def store(self, provider: object, ref: SecretRef, value: str) -> None:
        os.environ[ref.path] = value


def test_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORS_EMPTY", "")
    with pytest.raises(SecretNotFoundError, match="is empty"):
        EnvProvider().get(SecretRef.parse("env://ORS_EMPTY"))


def test_bad_variable_name_is_a_reference_error() -> None:
    with pytest.raises(InvalidReferenceError, match="one variable name"):
        EnvProvider().get(SecretRef.parse("env://A/B"))


def test_put_refusal_explains_where_to_store_instead(canary: str) -> None:
    from openrouter_secure import UnsupportedOperationError

    with pytest.raises(UnsupportedOperationError, match="keyring://") as info:
        EnvProvider().put(SecretRef.parse("env://A"), canary)
    assert_no_leak(canary, info.value)
