"""LeakCheck sees every record however it is routed, and console writes."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from openrouter_secure import Secret, install_log_redaction, remove_log_redaction
from openrouter_secure.testing import LeakCheck, make_canary


@pytest.fixture
def isolated() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    log = logging.getLogger("test.leakcheck.sdk")
    log.propagate = False
    handler = logging.StreamHandler(out)
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    yield log, out
    log.removeHandler(handler)
    log.propagate = True


def test_a_non_propagating_logger_with_its_own_handler_is_caught(isolated: tuple) -> None:
    log, out = isolated
    canary = make_canary()
    with pytest.raises(AssertionError, match="canary #1"), LeakCheck(canary):
        log.debug("Authorization: Bearer %s", canary)
    assert canary in out.getvalue()  # the handler really wrote it


def test_what_a_handler_filter_masked_passes(isolated: tuple) -> None:
    log, out = isolated
    canary = make_canary()
    install_log_redaction(log)
    try:
        with Secret(canary), LeakCheck(canary) as leaks:
            log.debug("Authorization: Bearer %s", canary)
        assert leaks.records, "the record was captured"
        assert canary not in out.getvalue()
    finally:
        remove_log_redaction(log)


def test_a_record_only_last_resort_writes_is_caught() -> None:
    log = logging.getLogger("test.leakcheck.nohandler")
    log.propagate = False
    canary = make_canary()
    try:
        with pytest.raises(AssertionError, match="canary #1"), LeakCheck(canary):
            log.error("key %s", canary)
    finally:
        log.propagate = True


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_console_writes_are_caught(stream: str) -> None:
    canary = make_canary()
    with pytest.raises(AssertionError, match="canary #1"), LeakCheck(canary):
        print("debug", canary, file=getattr(sys, stream))


def test_the_handler_hook_and_streams_are_restored() -> None:
    handle, streams = logging.Handler.handle, (sys.stdout, sys.stderr)
    with LeakCheck(make_canary()):
        assert logging.Handler.handle is not handle
    assert logging.Handler.handle is handle
    assert (sys.stdout, sys.stderr) == streams
