"""The leak matrix: every output channel reachable in this process, with a canary in
every input slot, in every form the Sanitizer claims to mask.

Rows are channels (log handlers, ``str``/``repr``/``format`` of public types,
exception copies and their tracebacks with locals, ``sanitize_data``, audit records,
files, the CLI); columns are how the canary goes in: a value the process holds as a
``Secret`` (plain, base64 inside a ``Basic`` header, URL-encoded, JSON-escaped), and a
key of a known format the process was never told about (plain). Each cell drives the
channel and searches everything it produced with ``assert_no_leak``, which looks for
any 12-character fragment of the canary in plain, JSON, URL and base64 forms.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import secrets
import string
import subprocess
import sys
import traceback
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import openrouter_secure as ors
from openrouter_secure import (
    OpenRouterSecureError,
    RedactingClient,
    Secret,
    default_sanitizer,
    install_log_redaction,
    remove_log_redaction,
    structlog_processor,
)
from openrouter_secure.audit import AuditLog
from openrouter_secure.testing import FakeProvider, assert_no_leak, make_canary

ROOT = Path(__file__).resolve().parents[1]


def _password() -> str:
    """A password of no known format whose encoded forms differ from it."""
    alphabet = string.ascii_letters + string.digits
    half = "".join(secrets.choice(alphabet) for _ in range(16))
    other = "".join(secrets.choice(alphabet) for _ in range(16))
    return f'{half}"/ +é{other}'


@dataclass
class Planted:
    """The canary (what must never come out) and the form it goes in as."""

    value: str
    payload: str


_FORMS: dict[str, Callable[[str], str]] = {
    "plain": lambda v: v,
    "base64": lambda v: "Basic " + base64.b64encode(f"admin:{v}".encode()).decode(),
    "url": lambda v: "https://api.internal/cb?state=" + urllib.parse.quote(v, safe=""),
    "json": lambda v: json.dumps({"password": v})[14:-2],
}
CELLS = [("known", form) for form in _FORMS] + [("format", "plain")]


@pytest.fixture(params=CELLS, ids=[f"{k}-{f}" for k, f in CELLS])
def planted(request: pytest.FixtureRequest) -> Iterator[Planted]:
    kind, form = request.param
    if kind == "known":
        value = _password()
        held = Secret(value)
        yield Planted(value, _FORMS[form](value))
        held.wipe()
    else:
        value = make_canary()
        yield Planted(value, value)


class _Rendered:
    """An object whose ``repr`` is harmless and whose ``str`` carries the payload."""

    def __init__(self, payload: str) -> None:
        self._payload = payload

    def __repr__(self) -> str:
        return "<Rendered>"

    def __str__(self) -> str:
        return f"dsn=postgresql://app:{self._payload}@db/app"


def _logger(name: str, formatter: logging.Formatter) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"matrix.{name}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    install_log_redaction(logger)
    return logger, stream


def _raise_holding(payload: str) -> BaseException:
    """An exception whose message, args, attributes, context and locals hold it."""
    header = payload  # a local of the raising frame
    try:
        try:
            json.loads("{" + payload)
        except ValueError as inner:
            error = RuntimeError(f"refused: {header}", {payload: [payload]}, _Rendered(payload))
            error.detail = payload  # type: ignore[attr-defined]
            error.__notes__ = [f"while sending {payload}"]  # add_note() is 3.11+
            raise error from inner
    except RuntimeError as exc:
        return exc
    raise AssertionError("unreachable")


# -- the channels: each takes the planted payload and returns what it produced ---------


def ch_log_text(payload: str) -> list[object]:
    fmt = logging.Formatter("%(levelname)s %(message)s | %(note)s | %(dsn)s | %(usage)s")
    logger, stream = _logger("text", fmt)
    try:
        extra = {"note": payload, "dsn": _Rendered(payload), "usage": {payload: {payload}}}
        logger.info("sending %s", payload, extra=extra)
        logger.info(f"plain {payload}", extra=extra)
        logger.info("stack", extra=extra, stack_info=True)
        try:
            raise _raise_holding(payload)
        except RuntimeError:
            logger.exception("failed", extra=extra)
    finally:
        remove_log_redaction(logger)
    return [stream.getvalue()]


def ch_log_json(payload: str) -> list[object]:
    jsonlogger = pytest.importorskip("pythonjsonlogger.json")
    logger, stream = _logger("json", jsonlogger.JsonFormatter("%(levelname)s %(message)s"))
    try:
        extra = {"note": payload, "dsn": _Rendered(payload), "usage": {payload: 1}, payload: 2}
        logger.info("sending %s", payload, extra=extra)
        try:
            raise _raise_holding(payload)
        except RuntimeError:
            logger.exception("failed", extra=extra)
    finally:
        remove_log_redaction(logger)
    return [stream.getvalue()]


def ch_log_last_resort(payload: str) -> list[object]:
    err = io.StringIO()
    install_log_redaction()
    try:
        assert logging.lastResort is not None
        record = logging.LogRecord("app", logging.ERROR, "p", 1, "key %s", (payload,), None)
        with contextlib.redirect_stderr(err):
            logging.lastResort.handle(record)
    finally:
        remove_log_redaction()
    assert "key " in err.getvalue()
    return [err.getvalue()]


def ch_log_locals_formatter(payload: str) -> list[object]:
    class Locals(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            assert record.exc_info is not None
            tb = traceback.TracebackException(*record.exc_info, capture_locals=True)  # type: ignore[arg-type]
            return "".join(tb.format())

    logger, stream = _logger("locals", Locals())
    try:
        try:
            raise _raise_holding(payload)
        except RuntimeError:
            logger.exception("failed")
    finally:
        remove_log_redaction(logger)
    return [stream.getvalue()]


def ch_structlog(payload: str) -> list[object]:
    event = {"event": f"sent {payload}", "usage": {payload: 1}, "o": _Rendered(payload)}
    return [repr(structlog_processor(None, "info", event))]


def ch_public_reprs(payload: str) -> list[object]:
    secret = Secret(payload)
    out: list[object] = [str(secret), repr(secret), f"{secret}", f"{secret!r:>40}"]
    out += [f"{secret!s}{secret!r}", "%s %r" % (secret, secret)]
    client = RedactingClient(secret, base_url="https://openrouter.ai/api/v1")
    out += [repr(client), str(client)]
    client.close()
    out += [repr(FakeProvider({"app/key": payload})), str(FakeProvider({"a": payload}))]
    for name in ors.__all__:
        cls = getattr(ors, name)
        if isinstance(cls, type) and issubclass(cls, OpenRouterSecureError):
            with contextlib.suppress(TypeError):
                exc = cls(f"failed with {payload}")
                out += [str(exc), repr(exc), f"{exc}", exc.args]
    return out


def ch_resolved(payload: str) -> list[object]:
    from openrouter_secure.backends.env import EnvProvider

    os.environ["LEAK_MATRIX_VALUE"] = payload
    try:
        secret = ors.resolve("env://LEAK_MATRIX_VALUE")
        cache = ors.get_cache()
        out: list[object] = [secret, repr(cache), str(cache), repr(EnvProvider())]
        out += [repr(vars(cache)), repr(ors.SecretRef.parse("env://LEAK_MATRIX_VALUE"))]
        secret.wipe()
    finally:
        del os.environ["LEAK_MATRIX_VALUE"]
    return out


def ch_exception_copies(payload: str) -> list[object]:
    clone = default_sanitizer().scrub_exception(_raise_holding(payload))
    tb = traceback.TracebackException.from_exception(clone, capture_locals=True)
    return [
        clone,
        "".join(tb.format()),
        repr(vars(clone)),
        clone.args,
        getattr(clone, "__notes__", None),
        repr(clone.__cause__),
    ]


def ch_sanitize_data(payload: str) -> list[object]:
    data = {
        "text": f"key {payload}",
        "password": payload,
        payload: {"nested": [payload, (payload,), {payload}, frozenset({payload})]},
        "bytes": payload.encode(),
        "object": _Rendered(payload),
        "error": ValueError(payload),
    }
    out = default_sanitizer().sanitize_data(data)
    return [repr(out), json.dumps(out, default=str)]


def ch_audit_file(payload: str, tmp_path: Path) -> list[object]:
    path = tmp_path / "audit.jsonl"
    with AuditLog(path) as log:
        log.log(
            f"custom {payload}",
            note=payload,
            userPrompt=f"prompt {payload}",
            nested={payload: [payload, {payload}]},
            error=ValueError(payload),
            obj=_Rendered(payload),
        )
    return [path.read_bytes()]


def ch_saved_config(payload: str, tmp_path: Path) -> list[object]:
    from openrouter_secure.config import save_config

    path = tmp_path / "mcp.json"
    outputs: list[object] = []
    doc = {"mcpServers": {"x": {"command": "run", "env": {"API_KEY": payload}}}}
    try:
        save_config(path, doc)
    except OpenRouterSecureError as exc:
        outputs.append(exc)
    if path.exists():
        outputs.append(path.read_bytes())
    return outputs


CHANNELS: dict[str, Callable[..., list[object]]] = {
    "log-text": ch_log_text,
    "log-json": ch_log_json,
    "log-last-resort": ch_log_last_resort,
    "log-locals-formatter": ch_log_locals_formatter,
    "structlog": ch_structlog,
    "public-reprs": ch_public_reprs,
    "resolved-secret-cache-provider": ch_resolved,
    "exception-copies": ch_exception_copies,
    "sanitize-data": ch_sanitize_data,
    "audit-file": ch_audit_file,
    "saved-config": ch_saved_config,
}


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_no_channel_leaks_a_canary(channel: str, planted: Planted, tmp_path: Path) -> None:
    fn = CHANNELS[channel]
    args: list[object] = [planted.payload]
    if "tmp_path" in fn.__code__.co_varnames[: fn.__code__.co_argcount]:
        args.append(tmp_path)
    outputs = fn(*args)
    assert outputs, "the channel produced nothing to search"
    # An exception as raised keeps raw locals in its frames (Python's, not ours to
    # change); what a reporter should get is its scrubbed copy, checked with locals.
    assert_no_leak(planted.value, *outputs, frame_locals=False)
    scrub = default_sanitizer().scrub_exception
    assert_no_leak(planted.value, *(scrub(o) for o in outputs if isinstance(o, BaseException)))


def test_cli_doctor_never_prints_a_key_it_finds(tmp_path: Path) -> None:
    # A separate process that was never told about these values: it finds them by
    # format and by name, and prints neither.
    key, password = make_canary(), _password().replace('"', "").replace(" ", "")
    env_file = tmp_path / ".env"
    env_file.write_text(f"OPENROUTER_API_KEY={key}\nDB_PASSWORD={password}\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "NO_PROXY": "*"}
    env.pop("OPENROUTER_API_KEY", None)
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "openrouter_secure.cli", "doctor", "--no-discover", *extra,
             str(env_file)],
            env=env, capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert ".env" in done.stdout
        assert_no_leak([key, password], done.stdout, done.stderr)
