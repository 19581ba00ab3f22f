"""The public test kit: the contract holds for FakeProvider, and the leak checks bite."""

from __future__ import annotations

import logging

import pytest

from openrouter_secure import SecretRef
from openrouter_secure.testing import (
    FakeProvider,
    LeakCheck,
    ProviderContract,
    assert_no_leak,
    make_canary,
)


class TestFakeProviderContract(ProviderContract):
    @pytest.fixture
    def provider(self) -> FakeProvider:
        return FakeProvider()

    def new_ref(self, name: str) -> SecretRef:
        return SecretRef.parse(f"fake://{name}")


@pytest.mark.parametrize("kind", ["openrouter", "openai", "anthropic", "plain"])
def test_canaries_are_random_and_shaped(kind: str) -> None:
    first, second = make_canary(kind), make_canary(kind)
    assert first != second
    assert len(first) >= 32


def test_unknown_canary_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown canary kind"):
        make_canary("nope")


def test_assert_no_leak_finds_the_canary_in_an_exception_cause() -> None:
    canary = make_canary()
    try:
        try:
            raise KeyError(canary)
        except KeyError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError as exc:
        with pytest.raises(AssertionError, match="leaked"):
            assert_no_leak(canary, exc)


def test_assert_no_leak_finds_a_mask_that_kept_too_much() -> None:
    canary = make_canary()
    with pytest.raises(AssertionError):
        assert_no_leak(canary, "sk-o..." + canary[-20:])


def test_leak_check_catches_a_canary_in_extra_fields() -> None:
    canary = make_canary()
    with pytest.raises(AssertionError, match="leaked"), LeakCheck(canary):
        logging.getLogger("t").info("clean message", extra={"payload": canary})


def test_leak_check_restores_the_root_level() -> None:
    root = logging.getLogger()
    before = root.level
    with LeakCheck():
        pass
    assert root.level == before


def test_an_empty_canary_is_refused() -> None:
    with pytest.raises(ValueError, match="empty canary"):
        assert_no_leak("", "anything")
