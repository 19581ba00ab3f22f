"""A prompt quoted back encoded (percent, HTML entities, JSON escapes, width forms) is
still withheld from errors, and a key in the base URL's path shows in no repr, error or
log line of the client."""

from __future__ import annotations

import html
import json
import logging
import secrets
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest

from openrouter_secure import OpenRouterError, RedactingClient, Secret
from openrouter_secure._client import _errors
from openrouter_secure.testing import (
    OpenRouterTestServer,
    ScriptedResponse,
    StoredKey,
    assert_no_leak,
    make_canary,
)
from tests.services import free_port

MODEL = "openai/gpt-4o-mini"


def _words() -> list[str]:
    return [secrets.token_hex(4) for _ in range(10)]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


ENCODINGS: dict[str, Callable[[str], str]] = {
    "percent": lambda t: urllib.parse.quote(t),
    "percent-plus": lambda t: urllib.parse.quote_plus(t),
    "percent-twice": lambda t: urllib.parse.quote(urllib.parse.quote(t)),
    "html": lambda t: html.escape(t.replace(" ", "' "), quote=True),
    "html-decimal": lambda t: "".join(f"&#{ord(c)};" for c in t),
    "json-escaped": lambda t: json.dumps(t.replace(" ", "\n"))[1:-1].replace("\\n", "\\u000a"),
    "fullwidth": _fullwidth,
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("where", ["message", "metadata", "nested-metadata"])
def test_an_encoded_quote_of_the_prompt_is_withheld(
    openrouter_server: OpenRouterTestServer,
    openrouter_client_factory: Callable[..., RedactingClient],
    openrouter_key: StoredKey,
    encoding: str,
    where: str,
) -> None:
    words = _words()
    prompt = "Summarise the file of patient: " + " ".join(words)
    quoted = ENCODINGS[encoding](prompt)
    if where == "message":
        response = ScriptedResponse.error(400, "rejected: " + quoted)
    elif where == "metadata":
        response = ScriptedResponse.error(400, "Provider error", metadata={"detail": quoted})
    else:
        response = ScriptedResponse.error(
            400, "Provider error", metadata={"a": {"b": [{"input": quoted}, {"echo": quoted}]}}
        )
    openrouter_server.script("/chat/completions", response)
    client = openrouter_client_factory(openrouter_key, max_retries=0, check_key_type=False)
    with pytest.raises(OpenRouterError) as info:
        client.chat(model=MODEL, messages=[{"role": "user", "content": prompt}])
    exc = info.value
    blob = str(exc) + repr(exc.args) + json.dumps(exc.metadata, default=str)
    assert not [w for w in words if w in blob]


def test_decode_undoes_nested_encodings() -> None:
    text = "a b&c"
    assert _errors.decode(urllib.parse.quote(html.escape(text))) == text


# -- the base URL's path ------------------------------------------------------------------
def _gateway_paths() -> list[tuple[str, str]]:
    key, opaque = make_canary(), secrets.token_urlsafe(24)
    return [
        (f"/api/v1/{key}", key),
        (f"/gateway/{key}/api/v1", key),
        (f"/gw/{opaque}/api/v1", opaque),
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_repr_masks_a_credential_in_the_base_url_path(index: int) -> None:
    path, canary = _gateway_paths()[index]
    key = Secret(make_canary("plain"))
    client = RedactingClient(key, base_url="https://openrouter.ai" + path)
    try:
        assert_no_leak(canary, repr(client))
        assert "openrouter.ai" in repr(client)
    finally:
        client.close()
        key.wipe()


@pytest.mark.parametrize("index", [0, 2])
def test_connection_errors_and_debug_logs_mask_the_base_url_path(
    caplog: pytest.LogCaptureFixture, index: int
) -> None:
    path, canary = _gateway_paths()[index]
    base = f"http://127.0.0.1:{free_port()}{path}"
    caplog.set_level(logging.DEBUG, logger="openrouter_secure")
    key = Secret(make_canary("plain"))
    client = RedactingClient(key, base_url=base, allow_insecure_loopback=True, max_retries=0)
    try:
        with pytest.raises(OpenRouterError) as info:
            client.models()
    finally:
        client.close()
        key.wipe()
    exc = info.value
    texts: list[Any] = [str(exc), repr(exc), repr(exc.args)]
    texts += [r.getMessage() for r in caplog.records]
    assert_no_leak(canary, *texts)
