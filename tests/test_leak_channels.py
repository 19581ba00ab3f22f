"""Paths around the Sanitizer inside the process, one test per path: the last-resort
log handler, exception copies (their args, locals and suppressed contexts), log extras
judged by the rendering that is printed, walks over keys and sets, and content field
names in the audit log. Each plants a random canary and searches what comes out."""

from __future__ import annotations

import builtins
import io
import json
import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter_secure import (
    OpenRouterError,
    RedactingClient,
    Secret,
    default_sanitizer,
    install_log_redaction,
    remove_log_redaction,
    structlog_processor,
)
from openrouter_secure.audit import AuditLog
from openrouter_secure.config import load_config
from openrouter_secure.testing import (
    OpenRouterTestServer,
    ScriptedResponse,
    assert_no_leak,
    make_canary,
)

ROOT = Path(__file__).resolve().parents[1]


class _DSN:
    """An object whose repr is harmless and whose str() is a URL with a password."""

    def __init__(self, password: str) -> None:
        self._password = password

    def __repr__(self) -> str:
        return "<DSN>"

    def __str__(self) -> str:
        return f"postgresql://app:{self._password}@db.internal/app"


def _json_logger(stream: io.StringIO) -> logging.Logger:
    jsonlogger = pytest.importorskip("pythonjsonlogger.json")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(jsonlogger.JsonFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"leaks.json.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    install_log_redaction(logger)
    return logger


# -- logging ---------------------------------------------------------------------------


def test_last_resort_handler_is_covered(capsys: pytest.CaptureFixture[str]) -> None:
    # What Python does with a record no handler took (pytest captures every logger,
    # so the handler is driven directly here; the next test runs a real program).
    key = Secret(make_canary())
    install_log_redaction()
    try:
        record = logging.LogRecord(
            "app", logging.WARNING, __file__, 1, "calling upstream with %s", (key.reveal(),), None
        )
        assert logging.lastResort is not None
        logging.lastResort.handle(record)
    finally:
        remove_log_redaction()
    assert logging.lastResort.filters == []
    err = capsys.readouterr().err
    assert "calling upstream with" in err
    assert_no_leak(key.reveal(), err)


@pytest.mark.parametrize("configured", [False, True], ids=["no-logging-setup", "basicConfig"])
def test_a_real_program_prints_no_key_through_logging_or_warnings(configured: bool) -> None:
    # A real process: without any handler (Python's last resort prints the record)
    # and with basicConfig; warnings routed through logging in both.
    canary = make_canary()
    script = (
        "import logging, os, warnings\n"
        "from openrouter_secure import Secret, install_log_redaction\n"
        "key = Secret(os.environ['LEAK_CANARY'])\n"
        + ("logging.basicConfig()\n" if configured else "")
        + "install_log_redaction()\n"
        "logging.captureWarnings(True)\n"
        "logging.getLogger('app').error('key=%s', key.reveal())\n"
        "warnings.warn('retrying with ' + key.reveal())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEAK_CANARY": canary}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert "key=" in done.stderr
    if configured:  # unconfigured, Python gives py.warnings a NullHandler: nothing shows
        assert "retrying with" in done.stderr
    assert_no_leak(canary, done.stdout, done.stderr)


def test_json_formatter_rendering_exc_info_itself_sees_only_the_scrubbed_copy() -> None:
    password = make_canary("plain")
    Secret(password)  # a known value, as a backend's password is once resolved
    stream = io.StringIO()
    logger = _json_logger(stream)
    try:
        raise ConnectionError(httpx.URL(f"https://admin:{password}@broker.internal/vhost"))
    except ConnectionError:
        logger.exception("broker unreachable")
    out = stream.getvalue()
    assert "ConnectionError" in json.loads(out)["exc_info"]
    assert_no_leak(password, out)


def test_extra_values_are_judged_by_their_str_too() -> None:
    password = make_canary("plain")
    Secret(password)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s %(dsn)s"))
    logger = logging.getLogger("leaks.extra")
    logger.propagate = False
    logger.addHandler(handler)
    install_log_redaction(logger)
    try:
        logger.warning("connecting", extra={"dsn": _DSN(password)})
    finally:
        remove_log_redaction(logger)
    assert "postgresql://app:" in stream.getvalue()
    assert_no_leak(password, stream.getvalue())


def test_extra_attribute_names_are_sanitized_for_json_formatters(canary: str) -> None:
    stream = io.StringIO()
    logger = _json_logger(stream)
    logger.warning("usage", extra={canary: 1, "model": "m"})
    out = json.loads(stream.getvalue())
    assert out["model"] == "m"
    assert out["sk-o...***MASKED***"] == 1
    assert_no_leak(canary, stream.getvalue())


def test_structlog_processor_sanitizes_event_keys(canary: str) -> None:
    out = structlog_processor(None, "info", {"event": "e", canary: 1})
    assert_no_leak(canary, repr(out))


def test_extra_dict_keys_and_sets_are_sanitized(canary: str) -> None:
    record = logging.LogRecord("t", logging.INFO, "p", 1, "m", None, None)
    record.usage = {canary: {"cost": 0.42}}
    record.seen = [{canary}]
    from openrouter_secure import SanitizingFilter

    SanitizingFilter().filter(record)
    assert record.usage == {"sk-o...***MASKED***": {"cost": 0.42}}
    assert_no_leak(canary, repr(vars(record)))


# -- exceptions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arg",
    [
        lambda k: httpx.URL(f"https://admin:{k}@broker.internal/vhost"),
        lambda k: {k},
        lambda k: frozenset({("token", k)}),
        lambda k: _DSN(k),
        lambda k: {k: {"cost": 1}},
    ],
    ids=["httpx-url", "set", "frozenset-of-tuples", "object-str", "dict-key"],
)
def test_scrub_exception_cleans_non_string_args(arg: object) -> None:
    password = make_canary("plain")
    Secret(password)
    exc = RuntimeError(arg(password))  # type: ignore[operator]
    clone = default_sanitizer().scrub_exception(exc)
    rendered = "".join(traceback.format_exception(clone))
    assert "RuntimeError" in rendered
    assert_no_leak(password, rendered, repr(clone.args), clone)


def test_an_exception_rendering_hidden_state_becomes_a_same_named_stand_in(canary: str) -> None:
    class HiddenError(Exception):
        def __init__(self, key: str) -> None:
            super().__init__("connect failed")
            self.__key = key

        def __str__(self) -> str:
            return f"connect failed with {self.__key}"

    Secret(canary)
    clone = default_sanitizer().scrub_exception(HiddenError(canary))
    assert type(clone).__name__ == "HiddenError"
    assert "connect failed" in str(clone)
    assert_no_leak(canary, clone)


def _broken_config(tmp_path: Path) -> tuple[str, Path]:
    # A password of no known format, never wrapped in a Secret: only the file holds it.
    password = make_canary("plain")
    path = tmp_path / "mcp.json"
    path.write_text(
        '{"mcpServers": {"db": {"command": "run", "env": {"DB": "%s"}}}, oops' % password
    )
    path.chmod(0o600)
    return password, path


def _load_error(path: Path) -> BaseException:
    try:
        load_config(path)
    except Exception as exc:
        return exc
    raise AssertionError("the config should have been refused")


def test_scrubbed_traceback_shows_no_library_local(tmp_path: Path) -> None:
    password, path = _broken_config(tmp_path)
    exc = _load_error(path)
    clone = default_sanitizer().scrub_exception(exc)
    shown = "".join(
        traceback.TracebackException.from_exception(clone, capture_locals=True).format()
    )
    # The same places as the original: file, function and source line.
    assert "_formats.py" in shown
    assert "in read_source" in shown
    assert "text = <not shown>" in shown
    assert_no_leak(password, shown)


def test_scrubbed_traceback_keeps_callers_locals_sanitized(canary: str) -> None:
    Secret(canary)

    def caller_keeping() -> BaseException:
        header = f"Bearer {canary}"
        attempts = 3
        try:
            raise ValueError(f"upstream refused after {attempts}")
        except ValueError as exc:
            assert header
            return exc

    clone = default_sanitizer().scrub_exception(caller_keeping())
    shown = "".join(
        traceback.TracebackException.from_exception(clone, capture_locals=True).format()
    )
    assert "ValueError: upstream refused" in shown
    assert_no_leak(canary, shown)
    assert "attempts = 3" in shown
    assert "header = 'Bearer sk-o...***MASKED***'" in shown


def test_suppressed_context_is_dropped_from_the_copy(tmp_path: Path) -> None:
    password, path = _broken_config(tmp_path)
    exc = _load_error(path)
    assert exc.__suppress_context__  # the library hid the JSONDecodeError (its .doc)
    clone = default_sanitizer().scrub_exception(exc)
    assert clone.__context__ is None
    assert_no_leak(password, clone, repr(vars(clone)))


def test_log_record_of_a_library_error_shows_no_local_through_rich(tmp_path: Path) -> None:
    rich_logging = pytest.importorskip("rich.logging")
    rich_console = pytest.importorskip("rich.console")
    password, path = _broken_config(tmp_path)
    out = io.StringIO()
    handler = rich_logging.RichHandler(
        console=rich_console.Console(file=out, width=200),
        rich_tracebacks=True,
        tracebacks_show_locals=True,
    )
    logger = logging.getLogger("leaks.rich")
    logger.propagate = False
    logger.addHandler(handler)
    install_log_redaction(logger)
    try:
        load_config(path)
    except Exception:
        logger.exception("config refused")
    finally:
        remove_log_redaction(logger)
        logger.removeHandler(handler)
    assert "config refused" in out.getvalue()
    assert "read_document" in out.getvalue()
    assert_no_leak(password, out.getvalue())


def test_log_record_exc_info_is_safe_for_a_formatter_showing_locals(tmp_path: Path) -> None:
    class LocalsFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            assert record.exc_info is not None
            tb = traceback.TracebackException(*record.exc_info, capture_locals=True)  # type: ignore[arg-type]
            return record.getMessage() + "\n" + "".join(tb.format())

    password, path = _broken_config(tmp_path)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LocalsFormatter())
    logger = logging.getLogger("leaks.locals")
    logger.propagate = False
    logger.addHandler(handler)
    install_log_redaction(logger)
    try:
        load_config(path)
    except Exception:
        logger.exception("config refused")
    finally:
        remove_log_redaction(logger)
    assert "in _parse" in stream.getvalue()
    assert_no_leak(password, stream.getvalue())


# -- data walks ------------------------------------------------------------------------


def test_sanitize_data_reaches_keys_sets_and_tuples_at_any_depth(canary: str) -> None:
    data = {
        "usage": {canary: {"cost": 0.42}},
        "tags": [{canary, "other"}],
        "pairs": ({"k": frozenset({canary})}, (canary,)),
        (canary, 1): "tuple key",
    }
    out = default_sanitizer().sanitize_data(data)
    assert out["usage"] == {"sk-o...***MASKED***": {"cost": 0.42}}
    assert isinstance(out["tags"][0], set)
    assert_no_leak(canary, repr(out))


def test_structlog_processor_reaches_dict_keys(canary: str) -> None:
    out = structlog_processor(None, "info", {"event": "usage", "usage": {canary: 1}})
    assert_no_leak(canary, repr(out))


def test_openrouter_error_metadata_keys_are_sanitized(
    openrouter_server: OpenRouterTestServer,
) -> None:
    key = make_canary()
    openrouter_server.add_key(key)
    openrouter_server.script(
        "/chat/completions",
        ScriptedResponse.error(402, "insufficient credits", metadata={"usage": {key: {"c": 1}}}),
    )
    client = RedactingClient(
        Secret(key), base_url=openrouter_server.base_url, allow_insecure_loopback=True,
        max_retries=0,
    )  # fmt: skip
    with pytest.raises(OpenRouterError) as info:
        client.chat(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert "usage" in info.value.metadata
    assert_no_leak(key, info.value, repr(info.value.metadata))


def test_an_error_on_another_endpoint_quoting_an_earlier_prompt_is_withheld(
    openrouter_server: OpenRouterTestServer,
) -> None:
    key = make_canary()
    prompt = "Please summarise my diagnosis " + make_canary("plain")
    openrouter_server.add_key(key)
    client = RedactingClient(
        Secret(key), base_url=openrouter_server.base_url, allow_insecure_loopback=True,
        max_retries=0,
    )  # fmt: skip
    client.chat(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
    openrouter_server.script("/key", ScriptedResponse.error(403, f"refused input: {prompt}"))
    with pytest.raises(OpenRouterError) as info:
        client.key_info()
    client.close()
    assert "withheld" in str(info.value)
    assert_no_leak(prompt, info.value, repr(vars(info.value)))


# -- audit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["userPrompt", "systemPrompt", "promptText", "completionText", "messages", "promptTemplate"],
)
def test_audit_redacts_camel_case_content_fields(tmp_path: Path, field: str) -> None:
    prompt = make_canary("plain")
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        log.log("custom.event", **{field: f"please summarise {prompt}"})
    record = json.loads(path.read_text())
    assert record["fields"][field].startswith("<REDACTED: ")
    assert_no_leak(prompt, path.read_text())


def test_audit_redacts_everything_nested_under_a_content_field(tmp_path: Path) -> None:
    prompt = make_canary("plain")
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        log.log("custom.event", messages=[{"role": "user", "parts": [{"data": prompt}]}])
    record = json.loads(path.read_text())
    assert record["fields"]["messages"][0]["parts"][0]["data"] == "<REDACTED: 32 chars>"
    assert_no_leak(prompt, path.read_text())


@pytest.mark.parametrize("field", ["prompt_name", "prompt_tokens", "message_id", "request_id"])
def test_audit_keeps_metadata_about_content(tmp_path: Path, field: str) -> None:
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        log.log("custom.event", **{field: "summarise-v2"})
    assert json.loads(path.read_text())["fields"][field] == "summarise-v2"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception groups are Python 3.11+")
def test_exception_groups_are_scrubbed_member_by_member(canary: str) -> None:
    group_type: Any = getattr(builtins, "ExceptionGroup")  # noqa: B009 - 3.11+ only
    group = group_type(
        f"many {canary}", [ValueError(canary), group_type("inner", [KeyError(canary)])]
    )
    clone = default_sanitizer().scrub_exception(group)
    shown = "".join(traceback.format_exception(type(clone), clone, clone.__traceback__))
    assert "2 sub-exceptions" in shown
    assert "KeyError" in shown
    assert_no_leak(canary, shown, clone)


_SENTRY_SCRIPT = """
import json, logging, sys
import sentry_sdk
from sentry_sdk.transport import Transport
from openrouter_secure import install_log_redaction
from openrouter_secure.config import load_config

events = []

class Capture(Transport):
    def capture_envelope(self, envelope):
        events.extend(i.payload.json for i in envelope.items if i.payload.json)

sentry_sdk.init(dsn="http://public@127.0.0.1:9/1", transport=Capture)
logging.basicConfig(stream=sys.stderr)
install_log_redaction()
try:
    load_config(sys.argv[1])
except Exception:
    logging.getLogger("app").exception("config refused")
sentry_sdk.flush()
print(json.dumps(events))
"""


def test_sentry_logging_integration_gets_no_library_local(tmp_path: Path) -> None:
    pytest.importorskip("sentry_sdk")  # a test dependency; see docs/dependencies.md
    password, path = _broken_config(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "*", "SENTRY_DSN": ""}
    done = subprocess.run(
        [sys.executable, "-c", _SENTRY_SCRIPT, str(path)],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    events = json.loads(done.stdout)
    assert events, done.stderr
    frames = events[0]["exception"]["values"][-1]["stacktrace"]["frames"]
    library = [f for f in frames if f.get("module", "").startswith("openrouter_secure")]
    assert library
    assert all(v == "<not shown>" for f in library for v in f.get("vars", {}).values())
    assert_no_leak(password, done.stdout, done.stderr)
