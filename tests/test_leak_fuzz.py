"""Fuzzing the data walk, exception copies and log records: hypothesis builds nested
data, exception chains and records around a canary held as a ``Secret``, and no
output may hold any fragment of it."""

from __future__ import annotations

import io
import json
import logging
import traceback
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_secure import SanitizingFilter, Secret, default_sanitizer
from openrouter_secure.testing import assert_no_leak, make_canary

CANARY = make_canary("plain")
_HELD = Secret(CANARY)  # held for the module's life: a known value, as a resolved key is


class _Box:
    """Any object: its ``str`` and ``repr`` show what it holds."""

    def __init__(self, held: object) -> None:
        self.held = held

    def __repr__(self) -> str:
        return f"Box({self.held!r})"

    def __str__(self) -> str:
        return f"box of {self.held}"


_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
_with_canary = st.builds(lambda a, b: f"{a}{CANARY}{b}", _words, _words)
_leaves = st.one_of(
    _with_canary,
    _words,
    st.integers(),
    st.none(),
    _with_canary.map(str.encode),
    _with_canary.map(lambda s: _Box(s)),
)


def _hashable(child: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(_with_canary, _words, st.tuples(_with_canary, st.integers()))


_data = st.recursive(
    _leaves,
    lambda child: st.one_of(
        st.lists(child, max_size=4),
        st.tuples(child, child),
        st.dictionaries(st.one_of(_with_canary, _words), child, max_size=4),
        st.frozensets(_hashable(child), max_size=3),
        st.sets(_hashable(child), max_size=3),
        child.map(_Box),
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_data)
def test_sanitize_data_never_returns_the_canary(data: object) -> None:
    out = default_sanitizer().sanitize_data(data)
    assert_no_leak(CANARY, repr(out), str(out), json.dumps(out, default=str))


def _chain(payloads: list[object], suppress: list[bool]) -> BaseException:
    """Raise one exception per payload, each inside the handler of the one before."""
    current: BaseException | None = None
    for payload, hide in zip(payloads, suppress, strict=False):
        try:
            try:
                if current is not None:
                    raise current
            except BaseException as inner:
                err = ValueError(payload, f"while {payload}")
                if hide:
                    raise err from None
                raise err from inner
            raise ValueError(payload)
        except ValueError as exc:
            current = exc
    assert current is not None
    return current


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_data, min_size=1, max_size=4), st.lists(st.booleans(), min_size=4, max_size=4))
def test_exception_chains_scrubbed_never_show_the_canary(
    payloads: list[object], suppress: list[bool]
) -> None:
    clone = default_sanitizer().scrub_exception(_chain(payloads, suppress))
    shown = traceback.TracebackException.from_exception(clone, capture_locals=True)
    assert_no_leak(CANARY, clone, "".join(shown.format()))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["%s", "%r", "x %s y", "%(a)s"]),
    _data,
    st.dictionaries(st.sampled_from(["a", "note", "password", "usage"]), _data, max_size=3),
    st.booleans(),
)
def test_log_records_never_show_the_canary(
    template: str, arg: object, extra: dict[str, object], with_exc: bool
) -> None:
    args: Any = ({"a": arg},) if "(a)" in template else (arg,)
    exc_info = None
    if with_exc:
        try:
            raise RuntimeError(arg)
        except RuntimeError as exc:
            exc_info = (RuntimeError, exc, exc.__traceback__)
    record = logging.LogRecord("fuzz", logging.INFO, "p", 1, template, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    SanitizingFilter().filter(record)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.handle(record)
    assert_no_leak(CANARY, stream.getvalue(), repr(vars(record)))
