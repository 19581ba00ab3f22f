"""The public test kit: the contract holds for FakeProvider, and the leak checks bite."""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse

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


@pytest.mark.parametrize(
    "encode",
    [
        lambda c: c[len(c) // 2 - 6 : len(c) // 2 + 6],  # a 12-character window
        lambda c: c[: len(c) // 2],  # the head half
        lambda c: c[len(c) // 2 :],  # the tail half
        lambda c: base64.b64encode(f"user:{c}".encode()).decode(),  # a Basic header
        lambda c: base64.urlsafe_b64encode(c.encode()).decode(),
        lambda c: urllib.parse.quote(f"{c} ", safe=""),
        lambda c: json.dumps({"k": c + '"'}),
    ],
    ids=["window", "head", "tail", "basic", "base64url", "url", "json"],
)
@pytest.mark.parametrize("kind", ["openrouter", "plain", "anthropic"])
def test_assert_no_leak_finds_fragments_in_every_encoding(kind: str, encode: object) -> None:
    canary = make_canary(kind)
    leaked = encode(canary)  # type: ignore[operator]
    with pytest.raises(AssertionError, match="leaked") as info:
        assert_no_leak(canary, f"prefix {leaked} suffix")
    # The message says where, never what.
    message = str(info.value)
    assert canary[:12] not in message
    assert all(canary[i : i + 8] not in message for i in range(len(canary) - 8))


def test_assert_no_leak_passes_a_mask_and_an_unrelated_text() -> None:
    canary = make_canary()
    assert_no_leak(canary, "sk-o...***MASKED***", make_canary(), b"bytes", {"k": 1})


def test_assert_no_leak_finds_a_fragment_of_a_long_canary_in_bytes() -> None:
    canary = make_canary("plain") * 20  # many fragments: the one-pass search
    assert_no_leak(canary, "clean " * 1000)
    # (a prefix of characters no canary holds: a digit before the fragment could
    # extend the match one character left when the canary holds it there)
    with pytest.raises(AssertionError, match="offset 7"):
        assert_no_leak(canary, ("       " + canary[100:113]).encode())


def test_assert_no_leak_searches_the_attributes_of_shown_exceptions() -> None:
    canary = make_canary()
    error = RuntimeError("clean message")
    error.metadata = {"echo": canary}  # type: ignore[attr-defined]
    with pytest.raises(AssertionError, match="leaked"):
        assert_no_leak(canary, error)
    hidden = RuntimeError("outer")
    hidden.__context__ = error
    hidden.__suppress_context__ = True  # not shown by a traceback: not searched
    assert_no_leak(canary, hidden)
