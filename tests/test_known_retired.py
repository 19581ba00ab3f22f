"""A value that left a Secret as plaintext stays masked after every holder let go."""

from __future__ import annotations

import io
import logging

import pytest

import openrouter_secure as ors
from openrouter_secure import Secret, _known, default_sanitizer
from openrouter_secure.testing import assert_no_leak, make_canary


@pytest.fixture
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_known, "MAX_RETIRED", 3)


def test_a_revealed_value_stays_known_after_wipe() -> None:
    value = make_canary("plain")
    with Secret(value) as secret:
        kept = f"dsn pw={secret.reveal()}"
    assert value in _known.known_values()
    assert_no_leak(value, default_sanitizer().sanitize(kept))


def test_reveal_bytes_counts_as_revealed() -> None:
    value = make_canary("plain")
    with Secret(value) as secret:
        secret.reveal_bytes()
    assert value in _known.known_values()


def test_a_value_never_revealed_is_forgotten_on_wipe() -> None:
    value = make_canary("plain")
    Secret(value).wipe()
    assert value not in _known.known_values()


def test_resolve_then_cache_eviction_keeps_the_revealed_value_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    value = make_canary("plain")
    monkeypatch.setenv("ORS_TEST_RETIRED_PASSWORD", value)
    with ors.resolve("env://ORS_TEST_RETIRED_PASSWORD") as secret:
        dsn = f"host=127.0.0.1 user=app password {secret.reveal()}"
    ors.invalidate("env://ORS_TEST_RETIRED_PASSWORD")
    out = io.StringIO()
    log = logging.getLogger("test.retired")
    log.propagate = False
    handler = logging.StreamHandler(out)
    log.addHandler(handler)
    ors.install_log_redaction(log)
    try:
        log.warning("connection failed: %s", dsn)
    finally:
        ors.remove_log_redaction(log)
        log.removeHandler(handler)
    assert "connection failed" in out.getvalue()
    assert_no_leak(value, out.getvalue())


def test_retired_values_are_bounded_oldest_first(small_bounds: None) -> None:
    values = [make_canary("plain") for _ in range(5)]
    for value in values:
        with Secret(value) as secret:
            secret.reveal()
    known = _known.known_values()
    assert [v in known for v in values] == [False, False, True, True, True]


def test_a_retired_value_registered_again_is_held_again() -> None:
    value = make_canary("plain")
    with Secret(value) as secret:
        secret.reveal()
    again = Secret(value)
    again.wipe()  # the new holder never revealed it, but the value was revealed before
    assert value in _known.known_values()
