"""The client's pure parts: the SSE reader, Retry-After parsing, error building, request bodies."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from openrouter_secure import (
    BadRequestError,
    OpenRouterError,
    RateLimitError,
    RedactingClient,
    Secret,
    UpstreamError,
)
from openrouter_secure._client._errors import (
    error_from_payload,
    error_from_response,
    parse_retry_after,
    quotes,
)
from openrouter_secure._client._sse import DONE, SSEDecoder
from openrouter_secure.testing import make_canary


def test_sse_joins_data_lines_and_skips_comments_and_other_fields() -> None:
    lines = [
        ": OPENROUTER PROCESSING",
        "event: message",
        "id: 7",
        'data: {"a":',
        "data: 1}",
        "",
        "retry: 10",
        "data: [DONE]",
        "",
    ]
    decoder = SSEDecoder()
    assert list(decoder.iter(lines)) == [{"a": 1}, DONE]
    assert decoder.comments == 1


def test_sse_dispatches_a_last_event_without_a_blank_line() -> None:
    assert list(SSEDecoder().iter(['data: {"x": 2}'])) == [{"x": 2}]


def test_sse_undecodable_data_becomes_an_error_without_its_text() -> None:
    (event,) = list(SSEDecoder().iter(["data: not json at all", ""]))
    assert "error" in event
    assert "not json" not in str(event)


def test_retry_after_seconds_and_http_dates() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 < (parse_retry_after(format_datetime(when, usegmt=True)) or 0) <= 31


def test_quotes_finds_any_long_stretch_of_what_was_sent() -> None:
    sent = ["the patient reports chest pain since Tuesday morning"]
    assert quotes("error near 'chest pain since Tues'", sent)
    assert quotes("...since Tuesday morning", sent)
    assert not quotes("...Tuesday morning", sent)  # 15 characters: below the window
    assert not quotes("context length exceeded", sent)
    assert not quotes("anything", [])


def test_error_from_response_maps_status_and_reads_retry_after() -> None:
    response = httpx.Response(
        429,
        json={"error": {"code": 429, "message": "Rate limit exceeded: free-models-per-day"}},
        headers={"Retry-After": "3"},
    )
    err = error_from_response(response, "POST /api/v1/chat/completions")
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 3.0
    assert str(err).startswith("OpenRouter HTTP 429 on POST /api/v1/chat/completions")


def test_error_from_a_non_json_body_keeps_a_sanitized_excerpt() -> None:
    key = make_canary()
    Secret(key)
    response = httpx.Response(502, text=f"<html>bad gateway {key}</html>")
    err = error_from_response(response, "GET /api/v1/models")
    assert isinstance(err, UpstreamError)
    assert key not in str(err)


def test_a_payload_code_inside_http_200_decides_the_class() -> None:
    err = error_from_payload({"code": 400, "message": "bad"}, http_status=200, where="x")
    assert isinstance(err, BadRequestError)
    err = error_from_payload({"message": "no code"}, http_status=200, where="x")
    assert isinstance(err, UpstreamError)


@pytest.mark.parametrize("status", [418, 451])
def test_unknown_client_statuses_fall_back_to_the_base_class(status: int) -> None:
    err = error_from_response(httpx.Response(status, json={"error": {"message": "?"}}), "x")
    assert type(err) is OpenRouterError
    assert err.status_code == status


def test_errors_survive_pickling() -> None:
    import pickle

    err = error_from_response(
        httpx.Response(
            429, json={"error": {"code": 429, "message": "m"}}, headers={"Retry-After": "1"}
        ),
        "x",
    )
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, RateLimitError)
    assert again.retry_after == 1.0
    assert str(again) == str(err)


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "body"),
    [
        ("create_key", ("n",), {}, {"name": "n"}),
        (
            "create_key",
            ("n",),
            {"limit": 0.0, "limit_reset": "monthly"},
            {"name": "n", "limit": 0.0, "limit_reset": "monthly"},
        ),
        ("update_key", ("h",), {"disabled": False}, {"disabled": False}),
        ("update_key", ("h",), {"name": "x", "limit": 0.0}, {"name": "x", "limit": 0.0}),
    ],
)
def test_key_management_bodies_carry_the_fields_given_and_only_those(
    method: str, args: tuple[str, ...], kwargs: dict[str, object], body: dict[str, object]
) -> None:
    # A falsy value (0.0, False) is given; only None is left out.
    with RedactingClient("env://ORS_UNUSED_KEY") as client:
        assert getattr(client._core, method)(*args, **kwargs).json == body
