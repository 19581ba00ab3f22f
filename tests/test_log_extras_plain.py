"""The log filter hands formatters plain data only: every ``extra=`` value that is not
``str``/``int``/``float``/``bool``/``None`` or a builtin container of those becomes its
sanitized text, so no formatter hook (``__format__``, ``dataclasses.asdict``) reaches
the live object."""

from __future__ import annotations

import dataclasses
import enum
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_secure import Secret, install_log_redaction, remove_log_redaction
from openrouter_secure.testing import assert_no_leak, make_canary


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    log = logging.getLogger("test.extras.plain")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    install_log_redaction(log)
    yield log, buf, handler
    remove_log_redaction(log)
    log.removeHandler(handler)


class _Credential:
    def __init__(self, secret: Secret) -> None:
        self._secret = secret

    def __str__(self) -> str:
        return "Credential(...)"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return format(self._secret.reveal(), spec)


@dataclasses.dataclass
class _Config:
    model: str
    api_key: str = dataclasses.field(repr=False)


class _Text(str):
    def __format__(self, spec: str) -> str:
        return "formatted:" + _HIDDEN[0]


_HIDDEN: list[str] = [""]


def test_brace_formatter_cannot_reach_an_extras_dunder_format(logger: Any) -> None:
    log, buf, handler = logger
    canary = make_canary()
    with Secret(canary) as key:
        handler.setFormatter(logging.Formatter("{message} cred={cred}", style="{"))
        log.info("calling upstream", extra={"cred": _Credential(key)})
        log.info("nested", extra={"cred": [{"c": _Credential(key)}]})
        assert "cred=Credential(...)" in buf.getvalue()
        assert_no_leak(canary, buf.getvalue())


def test_json_formatter_cannot_reach_a_repr_false_dataclass_field(logger: Any) -> None:
    from pythonjsonlogger.json import JsonFormatter

    log, buf, handler = logger
    canary, password = make_canary(), make_canary("plain")
    with Secret(canary), Secret(password):
        handler.setFormatter(JsonFormatter("%(levelname)s %(message)s"))
        log.info("starting", extra={"config": _Config("openai/gpt-4o", canary)})
        log.info("starting", extra={"configs": (_Config("m", password),)})
        line = buf.getvalue()
        assert "openai/gpt-4o" in line
        assert_no_leak([canary, password], line)


def test_a_str_subclass_extra_becomes_plain_text(logger: Any) -> None:
    log, buf, handler = logger
    _HIDDEN[0] = make_canary()
    with Secret(_HIDDEN[0]):
        handler.setFormatter(logging.Formatter("{message} v={v}", style="{"))
        log.info("x", extra={"v": _Text("shown")})
        assert "v=shown" in buf.getvalue()
        assert_no_leak(_HIDDEN[0], buf.getvalue())


class _Colour(enum.Enum):
    RED = "red"


def test_extras_a_handler_receives_are_plain_data(logger: Any) -> None:
    log, _, handler = logger
    seen: list[logging.LogRecord] = []
    handler.emit = seen.append  # type: ignore[method-assign]
    with Secret(make_canary()) as key:
        log.info(
            "x",
            extra={
                "n": 3, "f": 1.5, "b": True, "none": None, "s": "text",
                "d": {"k": [1, ("a", 2)], 3: {"x"}}, "obj": _Colour.RED, "secret": key,
            },
        )  # fmt: skip
    record = vars(seen[0])
    assert record["d"] == {"k": [1, ("a", 2)], 3: {"x"}}
    assert (record["n"], record["f"], record["b"], record["none"]) == (3, 1.5, True, None)
    assert record["obj"] == "_Colour.RED"
    assert record["secret"] == "***MASKED***"
    json.dumps({k: record[k] for k in ("n", "f", "b", "none", "s", "obj", "secret")})
