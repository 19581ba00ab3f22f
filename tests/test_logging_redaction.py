"""Log redaction: the filter on message, args, exc_info, stack_info and extras, and
install_log_redaction covering records from child loggers at root handlers."""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Iterator

import pytest

from openrouter_secure import (
    Sanitizer,
    SanitizingFilter,
    Secret,
    install_log_redaction,
    remove_log_redaction,
    structlog_processor,
)
from openrouter_secure.testing import assert_no_leak


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    """A real StreamHandler on the root logger, formatting everything a handler can."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s %(extra_field)s"))
    root = logging.getLogger()
    saved = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield root, stream, handler
    finally:
        remove_log_redaction()
        root.removeHandler(handler)
        root.setLevel(saved)


def _record(**kw: object) -> logging.LogRecord:
    base = {"name": "t", "level": logging.INFO, "pathname": "p", "lineno": 1, "msg": "m"}
    base.update({"args": None, "exc_info": None})
    base.update(kw)
    return logging.LogRecord(**base)  # type: ignore[arg-type]


def test_filter_masks_message_and_args(canary: str) -> None:
    rec = _record(msg="key %s and %d", args=(canary, 3))
    assert SanitizingFilter().filter(rec) is True
    assert rec.getMessage() == "key sk-o...***MASKED*** and 3"
    assert rec.args is None


def test_filter_masks_a_plain_message_without_args(canary: str) -> None:
    rec = _record(msg=f"calling with {canary}")
    SanitizingFilter().filter(rec)
    assert rec.getMessage() == "calling with sk-o...***MASKED***"


def test_filter_renders_object_args_before_masking(canary: str) -> None:
    class Holder:
        def __str__(self) -> str:
            return f"holder({canary})"

    rec = _record(msg="got %s", args=(Holder(),))
    SanitizingFilter().filter(rec)
    assert rec.args is None
    assert_no_leak(canary, rec.getMessage())


def test_filter_keeps_a_record_whose_argument_cannot_be_rendered(canary: str) -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no str")

        def __repr__(self) -> str:
            return "<unprintable>"

    rec = _record(msg="got %s with %s", args=(Unprintable(), canary))
    SanitizingFilter().filter(rec)
    text = rec.getMessage()
    assert text.startswith("got %s with %s (<unprintable>, ")
    assert_no_leak(canary, text)


def test_filter_masks_mapping_args(canary: str) -> None:
    rec = _record(msg="key %(k)s", args=({"k": canary},))
    SanitizingFilter().filter(rec)
    assert rec.getMessage() == "key sk-o...***MASKED***"


def test_filter_keeps_both_parts_of_a_bad_format_string(canary: str) -> None:
    rec = _record(msg="two %s %s", args=(canary,))
    SanitizingFilter().filter(rec)
    text = rec.getMessage()
    assert text.startswith("two %s %s (")
    assert_no_leak(canary, text)


def test_filter_leaves_a_clean_record_text_unchanged() -> None:
    rec = _record(msg="GET %s %d in %.3fs", args=("/api/v1/models", 200, 0.5))
    SanitizingFilter().filter(rec)
    assert rec.getMessage() == "GET /api/v1/models 200 in 0.500s"


def test_filter_runs_a_subclass_sanitize_even_on_clean_text() -> None:
    class Shouting(Sanitizer):
        def sanitize(self, text: str) -> str:
            return super().sanitize(text).replace("internal", "***")

    flt = SanitizingFilter(Shouting())
    for _ in range(2):  # the first record builds the scanner the fast path would use
        rec = _record(msg="GET %s", args=("/internal/health",))
        flt.filter(rec)
        assert rec.getMessage() == "GET /***/health"


def test_filter_follows_a_replaced_sanitizer() -> None:
    class Shouting(Sanitizer):
        def sanitize(self, text: str) -> str:
            return text.upper()

    flt = SanitizingFilter()
    flt.filter(_record(msg="warm the fast path"))
    flt.sanitizer = Shouting()
    rec = _record(msg="quiet %s", args=("words",))
    flt.filter(rec)
    assert rec.getMessage() == "QUIET WORDS"


def test_filter_masks_a_value_registered_after_its_first_record() -> None:
    flt = SanitizingFilter()
    value = "db-pass-" + secrets.token_hex(6)  # no recognisable format: only known
    flt.filter(_record(msg="connected as %s", args=(value,)))  # not yet a secret
    secret = Secret(value)
    try:
        rec = _record(msg="connected as %s", args=(value,))
        flt.filter(rec)
        assert_no_leak(value, rec.getMessage())
    finally:
        secret.wipe()


def test_filter_masks_exception_text_and_exc_info(canary: str) -> None:
    try:
        raise ValueError(f"bad key {canary}")
    except ValueError as exc:
        rec = _record(exc_info=(ValueError, exc, exc.__traceback__))
    SanitizingFilter().filter(rec)
    assert "ValueError: bad key sk-o..." in (rec.exc_text or "")
    assert_no_leak(canary, rec.exc_text, rec.exc_info[1])  # type: ignore[index]


def test_filter_masks_stack_info(canary: str) -> None:
    rec = _record(sinfo=f"Stack (most recent call last):\n  token={canary}")
    SanitizingFilter().filter(rec)
    assert_no_leak(canary, rec.stack_info)


def test_filter_masks_extra_attributes(canary: str) -> None:
    rec = _record()
    rec.note = f"saw {canary}"
    rec.api_key = "plain-value-123"
    rec.payload = {"nested": [canary], "max_tokens": 5}
    rec.error = RuntimeError(canary)
    rec.count = 7
    SanitizingFilter().filter(rec)
    assert rec.api_key == "***MASKED***"
    assert rec.payload["max_tokens"] == 5
    assert rec.count == 7
    assert_no_leak(canary, repr(vars(rec)))


def test_filter_fails_closed_but_keeps_the_record(canary: str) -> None:
    class Boom(Sanitizer):
        def sanitize(self, text: str) -> str:
            raise RuntimeError("broken")

    rec = _record(msg=f"key {canary}")
    assert SanitizingFilter(Boom()).filter(rec) is True
    assert_no_leak(canary, rec.getMessage())
    assert "sanitizer failed" in rec.getMessage()


def test_install_covers_child_logger_records_at_root_handlers(
    capture: tuple[logging.Logger, io.StringIO, logging.Handler], canary: str
) -> None:
    _, stream, _ = capture
    install_log_redaction()
    child = logging.getLogger("app.payments.worker")
    child.info("calling with %s", canary, extra={"extra_field": f"x {canary}"})
    try:
        raise ConnectionError(f"refused for {canary}")
    except ConnectionError:
        child.exception("failed", extra={"extra_field": "-"})
    child.warning("stack", stack_info=True, extra={"extra_field": canary})
    out = stream.getvalue()
    assert "calling with sk-o...***MASKED***" in out
    assert "ConnectionError: refused for sk-o..." in out
    assert_no_leak(canary, out)


def test_install_is_idempotent_and_removable(
    capture: tuple[logging.Logger, io.StringIO, logging.Handler], canary: str
) -> None:
    root, stream, handler = capture
    flt = install_log_redaction()
    assert install_log_redaction() is flt
    assert handler.filters.count(flt) == 1
    assert root.filters.count(flt) == 1
    remove_log_redaction()
    assert flt not in handler.filters
    assert flt not in root.filters
    logging.getLogger("app").info("raw %s", "visible", extra={"extra_field": "-"})
    assert "raw visible" in stream.getvalue()


def test_install_on_one_logger_covers_its_handlers(canary: str) -> None:
    stream = io.StringIO()
    lg = logging.getLogger("only.this")
    lg.propagate = False
    h = logging.StreamHandler(stream)
    lg.addHandler(h)
    lg.setLevel(logging.INFO)
    try:
        install_log_redaction(lg)
        logging.getLogger("only.this.child").info("k=%s", canary)
        assert_no_leak(canary, stream.getvalue())
        assert "sk-o...***MASKED***" in stream.getvalue()
    finally:
        remove_log_redaction(lg)
        lg.removeHandler(h)


def test_structlog_processor_with_real_structlog(canary: str) -> None:
    structlog = pytest.importorskip("structlog")
    out = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(out),
        processors=[structlog_processor, structlog.processors.JSONRenderer()],
    )
    logger.info("calling", key=canary, password="hunter2hunter2", max_tokens=10)
    text = out.getvalue()
    assert '"max_tokens": 10' in text
    assert '"password": "***MASKED***"' in text
    assert_no_leak([canary, "hunter2hunter2"], text)
