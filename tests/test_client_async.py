"""AsyncRedactingClient and the openai SDK interop, against the loopback OpenRouter server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from openrouter_secure import (
    AsyncRedactingClient,
    AuthenticationError,
    ForbiddenError,
    InsecureTransportError,
    ManagementKeyError,
    NotFoundError,
    RateLimitError,
    RateLimitExceeded,
    RequestTimeoutError,
    Secret,
    SecretRef,
    UpstreamError,
    register_backend,
    secure_async_http_client,
    secure_http_client,
    unregister_backend,
)
from openrouter_secure.testing import (
    FakeProvider,
    LeakCheck,
    OpenRouterTestServer,
    ScriptedResponse,
    StoredKey,
    make_canary,
)

MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "Say hello"}]

MakeClient = Callable[..., AsyncRedactingClient]


@pytest.fixture
async def make_client(openrouter_server: OpenRouterTestServer) -> AsyncIterator[MakeClient]:
    made: list[AsyncRedactingClient] = []

    def make(api_key: Any, **kwargs: Any) -> AsyncRedactingClient:
        kwargs.setdefault("base_url", openrouter_server.base_url)
        kwargs.setdefault("allow_insecure_loopback", True)
        kwargs.setdefault("backoff_base", 0.01)
        kwargs.setdefault("backoff_max", 0.02)
        if isinstance(api_key, StoredKey):
            api_key = Secret(api_key.key)
        client = AsyncRedactingClient(api_key, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


async def test_async_chat_and_stream(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    async with AsyncRedactingClient(
        Secret(openrouter_key.key),
        base_url=openrouter_server.base_url,
        allow_insecure_loopback=True,
    ) as client:
        result = await client.chat(model=MODEL, messages=HELLO)
        assert result.content == openrouter_server.reply
        assert result.usage is not None
        stream = await client.chat(model=MODEL, messages=HELLO, stream=True)
        chunks = [chunk async for chunk in stream]
    assert "".join(c.content for c in chunks).strip() == openrouter_server.reply
    assert chunks[-1].usage is not None
    sent = openrouter_server.requests_to("/chat/completions")[0]
    assert sent.header("authorization") == f"Bearer {openrouter_key.key}"


async def test_async_concurrent_requests_share_one_client(
    make_client: MakeClient, openrouter_key: StoredKey
) -> None:
    client = make_client(openrouter_key)
    results = await asyncio.gather(*(client.chat(model=MODEL, messages=HELLO) for _ in range(10)))
    assert len({r.id for r in results}) == 10


async def test_async_mid_stream_error(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.stream(["a", "b"], error_after=1)
    )
    client = make_client(openrouter_key)
    got = []

    async def consume() -> None:
        async for chunk in await client.chat(model=MODEL, messages=HELLO, stream=True):
            got.append(chunk.content)

    with pytest.raises(UpstreamError):
        await consume()
    assert got == ["", "a"]


async def test_async_error_with_http_200(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/chat/completions", ScriptedResponse.error(503, "no provider", http_status=200)
    )
    with pytest.raises(UpstreamError):
        await make_client(openrouter_key).chat(model=MODEL, messages=HELLO)


async def test_async_endpoints(
    make_client: MakeClient,
    openrouter_key: StoredKey,
    openrouter_management_key: StoredKey,
) -> None:
    client = make_client(openrouter_key)
    result = await client.chat(model=MODEL, messages=HELLO)
    assert MODEL in [m.id for m in await client.models()]
    assert (await client.model_endpoints("openai", "gpt-4o-mini")).providers == ["Loopback"]
    assert (await client.generation(result.id)).id == result.id
    assert (await client.key_info()).is_management_key is False
    admin = make_client(openrouter_management_key)
    assert (await admin.credits()).total_usage > 0
    assert (await admin.activity())[0].requests == 1
    created = await admin.create_key("async-key")
    assert created.hash in [k.hash for k in await admin.list_keys()]
    assert (await admin.update_key(created.hash, disabled=True)).disabled
    assert (await admin.get_key(created.hash)).disabled
    assert await admin.delete_key(created.hash)
    with pytest.raises(NotFoundError):
        await admin.get_key(created.hash)
    with pytest.raises(ManagementKeyError):
        await admin.chat(model=MODEL, messages=HELLO)
    with pytest.raises(ForbiddenError):
        await client.credits()


async def test_async_retry_after_then_success_and_bounded_retries(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_key, max_retries=1)
    openrouter_server.script("/models", ScriptedResponse.error(429, "wait", retry_after=0.05))
    assert await client.models()
    openrouter_server.script("/models", *[ScriptedResponse.error(429, "wait") for _ in range(3)])
    with pytest.raises(RateLimitError):
        await client.models()
    assert len(openrouter_server.requests_to("/models")) == 2 + 2


async def test_async_timeout(
    make_client: MakeClient, openrouter_key: StoredKey, openrouter_server: OpenRouterTestServer
) -> None:
    client = make_client(openrouter_key, timeout=0.2, max_retries=0)
    openrouter_server.script("/models", ScriptedResponse(200, {"data": []}, delay=1.0))
    with pytest.raises(RequestTimeoutError):
        await client.models()


async def test_async_http_is_refused() -> None:
    with pytest.raises(InsecureTransportError):
        AsyncRedactingClient(Secret(make_canary()), base_url="http://openrouter.ai/api/v1")


@pytest.fixture
def rotating_store() -> Iterator[FakeProvider]:
    provider = FakeProvider(name="arotating")
    register_backend("arotating", provider, replace=True)
    yield provider
    unregister_backend("arotating")


async def test_async_401_refreshes_once(
    make_client: MakeClient, openrouter_server: OpenRouterTestServer, rotating_store: FakeProvider
) -> None:
    ref = SecretRef.parse("arotating://svc/key")
    old, new = make_canary(), make_canary()
    rotating_store.put(ref, old)
    client = make_client(str(ref), check_key_type=False)
    await client.models()  # resolves and keeps the old key
    rotating_store.put(ref, new)
    openrouter_server.add_key(new)
    assert (await client.chat(model=MODEL, messages=HELLO)).content
    auth = [r.header("authorization") for r in openrouter_server.requests_to("/chat/completions")]
    assert auth == [f"Bearer {old}", f"Bearer {new}"]
    rotating_store.put(ref, make_canary())
    openrouter_server.clear()
    client2 = make_client(Secret(make_canary()), check_key_type=False)
    with pytest.raises(AuthenticationError):
        await client2.chat(model=MODEL, messages=HELLO)


async def test_async_limiter_uses_ahit(make_client: MakeClient, openrouter_key: StoredKey) -> None:
    class Refuse:
        retry_after = 2.0

        def __bool__(self) -> bool:
            return False

    class AsyncLimiter:
        def __init__(self) -> None:
            self.calls: list[str] = []

        async def ahit(self, key: str) -> Any:
            self.calls.append(key)
            return Refuse()

    limiter = AsyncLimiter()
    with pytest.raises(RateLimitExceeded):
        await make_client(openrouter_key, limiter=limiter).chat(model=MODEL, messages=HELLO)
    assert limiter.calls == ["key:<Secret>"]


# -- the official openai SDK, pointed at OpenRouter through our httpx client ----------------


def test_openai_sdk_gets_the_key_from_our_client_only(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    openai = pytest.importorskip("openai")
    placeholder = "set-by-openrouter-secure"
    http = secure_http_client(
        Secret(openrouter_key.key),
        base_url=openrouter_server.base_url,
        allow_insecure_loopback=True,
        app_title="Interop",
    )
    with LeakCheck(openrouter_key.key) as leaks:
        sdk = openai.OpenAI(
            base_url=openrouter_server.base_url, api_key=placeholder, http_client=http
        )
        reply = sdk.chat.completions.create(model=MODEL, messages=HELLO)
        streamed = "".join(
            c.choices[0].delta.content or ""
            for c in sdk.chat.completions.create(model=MODEL, messages=HELLO, stream=True)
            if c.choices
        )
        leaks.check(repr(sdk), repr(reply))
    assert reply.choices[0].message.content == openrouter_server.reply
    assert streamed.strip() == openrouter_server.reply
    for sent in openrouter_server.requests_to("/chat/completions"):
        assert sent.header("authorization") == f"Bearer {openrouter_key.key}"
        assert sent.header("x-title") == "Interop"
    http.close()


def test_openai_sdk_through_a_redacting_clients_http_client(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    openai = pytest.importorskip("openai")
    from openrouter_secure import RedactingClient

    with RedactingClient(
        Secret(openrouter_key.key),
        base_url=openrouter_server.base_url,
        allow_insecure_loopback=True,
    ) as client:
        sdk = openai.OpenAI(
            base_url=openrouter_server.base_url, api_key="unused", http_client=client.http_client
        )
        assert next(m.id for m in sdk.models.list())


def test_openai_sdk_cannot_send_the_key_over_plain_http(openrouter_key: StoredKey) -> None:
    openai = pytest.importorskip("openai")
    http = secure_http_client(Secret(openrouter_key.key))
    sdk = openai.OpenAI(
        base_url="http://openrouter.ai/api/v1", api_key="unused", http_client=http, max_retries=0
    )
    with pytest.raises(InsecureTransportError):
        sdk.models.list()
    http.close()


def test_openai_sdk_401_goes_through_the_refresh(
    openrouter_server: OpenRouterTestServer, rotating_store: FakeProvider
) -> None:
    openai = pytest.importorskip("openai")
    ref = SecretRef.parse("arotating://sdk/key")
    old, new = make_canary(), make_canary()
    rotating_store.put(ref, old)
    http = secure_http_client(
        str(ref), base_url=openrouter_server.base_url, allow_insecure_loopback=True
    )
    http.get(openrouter_server.base_url + "/models")  # the old key is now held
    rotating_store.put(ref, new)
    openrouter_server.add_key(new)
    sdk = openai.OpenAI(
        base_url=openrouter_server.base_url, api_key="unused", http_client=http, max_retries=0
    )
    assert sdk.chat.completions.create(model=MODEL, messages=HELLO).choices
    http.close()


async def test_async_openai_sdk(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    openai = pytest.importorskip("openai")
    http = secure_async_http_client(
        Secret(openrouter_key.key),
        base_url=openrouter_server.base_url,
        allow_insecure_loopback=True,
    )
    sdk = openai.AsyncOpenAI(
        base_url=openrouter_server.base_url, api_key="unused", http_client=http
    )
    reply = await sdk.chat.completions.create(model=MODEL, messages=HELLO)
    assert reply.choices[0].message.content == openrouter_server.reply
    sent = openrouter_server.requests_to("/chat/completions")[-1]
    assert sent.header("authorization") == f"Bearer {openrouter_key.key}"
    await http.aclose()
