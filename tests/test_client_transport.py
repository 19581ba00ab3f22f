"""RedactingClient against the loopback OpenRouter server: the 401 refresh, HTTPS-only
key attachment, redirects, every error status, retries and timeouts.

Every test talks to a real HTTP server on 127.0.0.1 (``OpenRouterTestServer``); nothing
is patched. Backoffs are configured in milliseconds to keep the suite fast.
"""

from __future__ import annotations

import json
import secrets
import ssl
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openrouter_secure import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    InsecureTransportError,
    NotFoundError,
    OpenRouterConnectionError,
    OpenRouterError,
    PaymentRequiredError,
    RateLimitError,
    RedactingClient,
    RequestTimeoutError,
    Secret,
    UpstreamError,
    register_backend,
    secure_async_http_client,
    secure_http_client,
    unregister_backend,
)
from openrouter_secure._client._auth import OriginPolicy
from openrouter_secure.testing import (
    FakeProvider,
    OpenRouterTestServer,
    ScriptedResponse,
    StoredKey,
    make_canary,
)
from tests.client_fixtures import HELLO, MODEL, MakeClient
from tests.services import free_port

# -- 401: refresh once, retry once -------------------------------------------------------------


@pytest.fixture
def rotating_store() -> Iterator[FakeProvider]:
    provider = FakeProvider(name="rotating")
    register_backend("rotating", provider, replace=True)
    yield provider
    unregister_backend("rotating")


def test_401_refreshes_the_reference_once_and_retries(
    make_client: MakeClient,
    openrouter_server: OpenRouterTestServer,
    rotating_store: FakeProvider,
    events: list[tuple[str, dict[str, Any]]],
) -> None:
    old, new = make_canary(), make_canary()
    rotating_store.put(_ref("rotating://app/key"), old)
    client = make_client("rotating://app/key", check_key_type=False)
    client.key_ref  # noqa: B018 - nothing resolved yet
    assert rotating_store.calls == 0
    # The old key is cached, then rotated in the store; the server only knows the new one.
    client.models()
    rotating_store.put(_ref("rotating://app/key"), new)
    openrouter_server.add_key(new)
    assert client.chat(model=MODEL, messages=HELLO).content
    sent = openrouter_server.requests_to("/chat/completions")
    assert [r.header("authorization") for r in sent] == [f"Bearer {old}", f"Bearer {new}"]
    assert rotating_store.calls == 2
    failed = [f for name, f in events if name == "auth.failed"]
    assert failed == [
        {
            "status": 401,
            "method": "POST",
            "path": "/api/v1/chat/completions",
            "key_ref": "rotating://app/key",
        }
    ]


def test_a_second_401_raises_without_more_retries(
    make_client: MakeClient, openrouter_server: OpenRouterTestServer, rotating_store: FakeProvider
) -> None:
    rotating_store.put(_ref("rotating://app/key"), make_canary())
    client = make_client("rotating://app/key", check_key_type=False)
    with pytest.raises(AuthenticationError) as info:
        client.chat(model=MODEL, messages=HELLO)
    assert info.value.status_code == 401
    assert len(openrouter_server.requests_to("/chat/completions")) == 1  # value did not change
    rotating_store.put(_ref("rotating://app/key"), make_canary())
    with pytest.raises(AuthenticationError):
        client.chat(model=MODEL, messages=HELLO)
    assert len(openrouter_server.requests_to("/chat/completions")) == 3  # one retry, no more


def test_a_fixed_secret_is_not_retried_on_401(
    make_client: MakeClient, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(Secret(make_canary()), check_key_type=False)
    with pytest.raises(AuthenticationError):
        client.chat(model=MODEL, messages=HELLO)
    assert len(openrouter_server.requests_to("/chat/completions")) == 1


def _ref(text: str) -> Any:
    from openrouter_secure import SecretRef

    return SecretRef.parse(text)


# -- HTTPS only ---------------------------------------------------------------------------------


def test_plain_http_is_refused_at_construction() -> None:
    with pytest.raises(InsecureTransportError, match="https://"):
        RedactingClient(Secret(make_canary()), base_url="http://openrouter.ai/api/v1")


def test_loopback_http_needs_explicit_permission(openrouter_server: OpenRouterTestServer) -> None:
    with pytest.raises(InsecureTransportError, match="allow_insecure_loopback"):
        RedactingClient(Secret(make_canary()), base_url=openrouter_server.base_url)


def test_https_to_a_host_not_allowed_is_refused() -> None:
    with pytest.raises(InsecureTransportError, match="allowed_hosts"):
        RedactingClient(Secret(make_canary()), base_url="https://openrouter.ai.evil.example/api/v1")


def test_over_https_the_key_reaches_an_allowed_host_without_any_loopback_exception() -> None:
    pytest.importorskip("cryptography")
    with OpenRouterTestServer(tls=True) as server:
        key = server.add_key()
        assert server.ca_file is not None
        trust = ssl.create_default_context(cafile=server.ca_file)
        with RedactingClient(
            Secret(key.key),
            base_url=server.base_url,
            allowed_hosts=["localhost"],
            transport=httpx.HTTPTransport(verify=trust),
        ) as client:
            assert client.chat(model=MODEL, messages=HELLO).content
        assert server.requests_to("/chat/completions")[0].header("authorization") == (
            f"Bearer {key.key}"
        )
        with pytest.raises(InsecureTransportError):  # the same host over http:// is refused
            RedactingClient(
                Secret(key.key),
                base_url=server.base_url.replace("https://", "http://"),
                allowed_hosts=["localhost"],
            )


def test_origin_policy_rules() -> None:
    policy = OriginPolicy()
    assert policy.allows(httpx.URL("https://openrouter.ai/api/v1/models"))
    assert not policy.allows(httpx.URL("http://openrouter.ai/api/v1/models"))
    assert not policy.allows(httpx.URL("https://api.openrouter.ai.example/"))
    assert not policy.allows(httpx.URL("http://127.0.0.1:8080/api/v1"))
    custom = OriginPolicy("https://gw.example.com/v1", allowed_hosts=["gw.example.com"])
    assert custom.allows(httpx.URL("https://gw.example.com/v1/models"))
    assert not custom.allows(httpx.URL("https://openrouter.ai/api/v1"))
    loop = OriginPolicy("http://127.0.0.1:8080/api/v1", allow_insecure_loopback=True)
    assert loop.allows(httpx.URL("http://127.0.0.1:8080/x"))
    assert not loop.allows(httpx.URL("http://127.0.0.1:8081/x"))  # only the base origin


@pytest.fixture
def loopback_http(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> Iterator[httpx.Client]:
    """``secure_http_client`` for the loopback server with the test key; closed after."""
    with secure_http_client(
        Secret(openrouter_key.key),
        base_url=openrouter_server.base_url,
        allow_insecure_loopback=True,
    ) as http:
        yield http


def test_a_request_to_another_host_is_refused_before_sending(
    openrouter_server: OpenRouterTestServer, loopback_http: httpx.Client
) -> None:
    with pytest.raises(InsecureTransportError):
        loopback_http.get(f"http://localhost:{openrouter_server.port}/api/v1/models")
    assert openrouter_server.requests == []


def test_a_cross_host_redirect_does_not_carry_the_key(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    with OpenRouterTestServer() as other:
        openrouter_server.script("/models", ScriptedResponse.redirect(other.base_url + "/models"))
        assert client.models()  # followed, answered by the other host
        assert other.requests
        assert other.requests[0].header("authorization") is None
    assert openrouter_server.requests_to("/models")[0].header("authorization")


def test_a_redirected_completion_is_not_resent_elsewhere(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    with OpenRouterTestServer() as other:
        openrouter_server.script(
            "/chat/completions", ScriptedResponse.redirect(other.base_url + "/chat/completions")
        )
        with pytest.raises(OpenRouterError, match="not followed") as info:
            client.chat(model=MODEL, messages=HELLO)
        assert info.value.status_code == 307
        assert other.requests == []  # neither the key nor the prompt went there


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("same_origin", [False, True])
def test_the_openai_sdk_never_resends_a_prompt_where_a_redirect_points(
    openrouter_server: OpenRouterTestServer,
    loopback_http: httpx.Client,
    status: int,
    same_origin: bool,
) -> None:
    """secure_http_client() as the docs show it: a POST's 3xx comes back to the SDK as
    an error; the prompt is sent once, to base_url, and never again (same origin or not)."""
    openai = pytest.importorskip("openai")
    prompt = "my card is " + make_canary("plain")
    with OpenRouterTestServer() as other:
        target = openrouter_server.base_url if same_origin else other.base_url
        openrouter_server.script(
            "/chat/completions",
            ScriptedResponse.redirect(target + "/chat/completions?again=1", status=status),
        )
        sdk = openai.OpenAI(
            base_url=openrouter_server.base_url,
            api_key="set-by-openrouter-secure",
            http_client=loopback_http,
            max_retries=0,
        )
        with pytest.raises(openai.APIStatusError) as info:
            sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": prompt}])
        assert info.value.status_code == status
        assert other.requests == []
        assert len(openrouter_server.requests_to("/chat/completions")) == 1


async def test_the_async_openai_sdk_never_resends_a_prompt_elsewhere(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    openai = pytest.importorskip("openai")
    with OpenRouterTestServer() as other:
        openrouter_server.script(
            "/chat/completions", ScriptedResponse.redirect(other.base_url + "/chat/completions")
        )
        http = secure_async_http_client(
            Secret(openrouter_key.key),
            base_url=openrouter_server.base_url,
            allow_insecure_loopback=True,
        )
        sdk = openai.AsyncOpenAI(
            base_url=openrouter_server.base_url,
            api_key="set-by-openrouter-secure",
            http_client=http,
            max_retries=0,
        )
        async with http:
            with pytest.raises(openai.APIStatusError):
                await sdk.chat.completions.create(model=MODEL, messages=HELLO)
        assert other.requests == []


def test_a_get_with_a_body_does_not_follow_a_redirect(
    openrouter_server: OpenRouterTestServer, loopback_http: httpx.Client
) -> None:
    with OpenRouterTestServer() as other:
        openrouter_server.script("/models", ScriptedResponse.redirect(other.base_url + "/models"))
        body = b"a body " + make_canary().encode()
        response = loopback_http.request("GET", "models", content=body)
        assert response.status_code == 307
        assert other.requests == []


def test_a_get_still_follows_a_redirect_without_the_key(
    openrouter_server: OpenRouterTestServer, loopback_http: httpx.Client
) -> None:
    with OpenRouterTestServer() as other:
        openrouter_server.script("/models", ScriptedResponse.redirect(other.base_url + "/models"))
        assert loopback_http.get("models").status_code == 200
        assert other.requests[0].header("authorization") is None


def test_the_guard_transport_strips_the_key_from_disallowed_origins(
    loopback_http: httpx.Client,
) -> None:
    # A request built by hand with the header (auth disabled for it) still loses it
    # on its way out: the transport guard is the last line, below httpx's own rules.
    with OpenRouterTestServer() as other:
        loopback_http.get(
            other.base_url + "/models",
            headers={"Authorization": "Bearer " + make_canary()},
            auth=None,
        )
        assert other.requests[0].header("authorization") is None


# -- errors and retries -------------------------------------------------------------------------

STATUS_CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (402, PaymentRequiredError),
    (403, ForbiddenError),
    (404, NotFoundError),
    (408, RequestTimeoutError),
    (429, RateLimitError),
    (500, UpstreamError),
    (502, UpstreamError),
    (503, UpstreamError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_each_error_status_raises_its_class_with_a_short_message(
    make_client: MakeClient,
    openrouter_key: StoredKey,
    openrouter_server: OpenRouterTestServer,
    status: int,
    cls: type[Exception],
) -> None:
    client = make_client(openrouter_key, max_retries=0, check_key_type=False)
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.error(status, "why: " + "x" * 300)
    )
    with pytest.raises(cls) as info:
        client.chat(model=MODEL, messages=HELLO)
    err: Any = info.value
    assert err.status_code == status
    assert err.code == status
    assert f"HTTP {status}" in str(err)
    assert "why: xxx" in str(err)
    assert "x" * 101 not in str(err)  # OpenRouter's message is cut to 100 characters


def test_moderation_metadata_is_kept_but_the_flagged_input_is_withheld(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_key, check_key_type=False)
    flagged = "some words the user typed " * 3
    openrouter_server.script(
        "/chat/completions",
        ScriptedResponse.error(
            403,
            "Your input was flagged",
            metadata={
                "reasons": ["harassment"],
                "flagged_input": flagged,
                "provider_name": "Mod",
                "model_slug": MODEL,
            },
        ),
    )
    with pytest.raises(ForbiddenError) as info:
        client.chat(model=MODEL, messages=HELLO)
    meta = info.value.metadata
    assert meta["reasons"] == ["harassment"]
    assert meta["provider_name"] == "Mod"
    assert meta["flagged_input"] == f"<REDACTED: {len(flagged)} chars>"


def test_an_error_that_quotes_the_prompt_is_withheld(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    prompt = "my private question about " + make_canary("plain")
    client = make_client(openrouter_key, check_key_type=False)
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.error(400, f"cannot process: {prompt[:40]}")
    )
    with pytest.raises(BadRequestError) as info:
        client.chat(model=MODEL, messages=[{"role": "user", "content": prompt}])
    assert "withheld" in str(info.value)
    assert prompt[:40] not in str(info.value)


def _near_copies() -> dict[str, Any]:
    def spaced(t: str) -> str:
        return t.replace(" ", "  ")

    def lines(t: str) -> str:
        return t.replace(" ", "\n\t")

    def upper(t: str) -> str:
        return t.upper()

    def punctuated(t: str) -> str:
        return t.replace(" ", ", ").replace("-", "_") + "!"

    def json_escaped(t: str) -> str:
        return json.dumps(t.replace(" ", "\n"))[1:-1]

    return {f.__name__: f for f in (spaced, lines, upper, punctuated, json_escaped)}


@pytest.mark.parametrize("variant", sorted(_near_copies()))
def test_an_error_that_quotes_a_near_copy_of_the_prompt_is_withheld(
    make_client: MakeClient,
    openrouter_key: StoredKey,
    openrouter_server: OpenRouterTestServer,
    variant: str,
) -> None:
    words = [secrets.token_hex(3) for _ in range(6)]
    prompt = "patient " + " ".join(words) + " reports pain"
    echo = _near_copies()[variant](" ".join(words))
    client = make_client(openrouter_key, check_key_type=False)
    openrouter_server.script(
        "/chat/completions",
        ScriptedResponse.error(400, f"cannot process: {echo}", metadata={"detail": echo}),
    )
    with pytest.raises(BadRequestError) as info:
        client.chat(model=MODEL, messages=[{"role": "user", "content": prompt}])
    assert "withheld" in str(info.value)
    for word in words:
        assert word.lower() not in str(info.value).lower()
        assert word.lower() not in repr(info.value.metadata).lower()


def test_an_error_that_echoes_tool_call_arguments_is_withheld(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    account = "acct " + secrets.token_hex(8)
    messages = [
        {"role": "user", "content": "look it up"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup", "arguments": json.dumps({"account": account})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "done"},
    ]
    client = make_client(openrouter_key, check_key_type=False)
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.error(400, f"invalid account {account.upper()}")
    )
    with pytest.raises(BadRequestError) as info:
        client.chat(model=MODEL, messages=messages)
    assert "withheld" in str(info.value)
    assert account.split()[1] not in str(info.value).lower()


def test_429_waits_for_retry_after_then_succeeds(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.error(429, "slow", retry_after=0.3)
    )
    started = time.monotonic()
    assert client.chat(model=MODEL, messages=HELLO).content
    assert time.monotonic() - started >= 0.3
    assert len(openrouter_server.requests_to("/chat/completions")) == 2


def test_a_retry_after_beyond_the_limit_is_raised_with_its_value(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_key, retry_max_wait=1.0)
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.error(429, "later", retry_after=30)
    )
    with pytest.raises(RateLimitError) as info:
        client.chat(model=MODEL, messages=HELLO)
    assert info.value.retry_after == 30
    assert len(openrouter_server.requests_to("/chat/completions")) == 1


def test_retries_are_bounded_by_max_retries(
    make_client: MakeClient,
    openrouter_key: StoredKey,
    openrouter_server: OpenRouterTestServer,
    events: list[tuple[str, dict[str, Any]]],
) -> None:
    client = make_client(openrouter_key, max_retries=2)
    openrouter_server.script(
        "/models", *[ScriptedResponse.error(503, "no provider") for _ in range(5)]
    )
    with pytest.raises(UpstreamError):
        client.models()
    assert len(openrouter_server.requests_to("/models")) == 3
    assert [f["status"] for name, f in events if name == "upstream.error"] == [503, 503, 503]


def test_retries_are_bounded_by_the_time_budget(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_key, max_retries=10, retry_budget=0.0)
    openrouter_server.script(
        "/models", ScriptedResponse.error(502, "down"), ScriptedResponse.error(502, "down")
    )
    with pytest.raises(UpstreamError):
        client.models()
    assert len(openrouter_server.requests_to("/models")) == 1


def test_client_errors_are_not_retried(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script("/models", ScriptedResponse.error(400, "bad"))
    with pytest.raises(BadRequestError):
        client.models()
    assert len(openrouter_server.requests_to("/models")) == 1


def test_a_slow_answer_raises_a_timeout_error(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_key, timeout=0.2, max_retries=0)
    openrouter_server.script("/models", ScriptedResponse(200, {"data": []}, delay=1.0))
    with pytest.raises(RequestTimeoutError) as info:
        client.models()
    assert info.value.status_code is None
    assert "timeout" in str(info.value)


def test_an_unreachable_server_raises_a_connection_error(make_client: MakeClient) -> None:
    port = free_port()
    client = make_client(
        Secret(make_canary()), base_url=f"http://127.0.0.1:{port}/api/v1", max_retries=1
    )
    with pytest.raises(OpenRouterConnectionError, match="could not reach"):
        client.models()


def test_a_non_json_answer_raises_upstream(
    client: RedactingClient, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script("/models", ScriptedResponse(200, "<html>oops</html>"))
    with pytest.raises(UpstreamError, match="not JSON"):
        client.models()
