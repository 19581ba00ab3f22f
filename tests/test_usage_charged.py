"""Every completion that may have reached OpenRouter is charged once, whatever the
caller or the connection does: a stream dropped unread, a task cancelled, a read
timeout, a usage block with numbers as strings or not numbers at all. Sync and async
clients, over the loopback OpenRouter server (real HTTP)."""

from __future__ import annotations

import asyncio
import gc
import math
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openrouter_secure import (
    AsyncRedactingClient,
    OpenRouterConnectionError,
    RedactingClient,
    RequestTimeoutError,
    Secret,
    UpstreamError,
)
from openrouter_secure._client import _chat
from openrouter_secure.audit import subscribe, unsubscribe
from openrouter_secure.limits import Budget
from openrouter_secure.testing import (
    LeakCheck,
    OpenRouterTestServer,
    ScriptedResponse,
    StoredKey,
    make_canary,
)
from openrouter_secure.types import AsyncChatStream
from tests.test_stream_usage import MESSAGES, MODEL, WORDS, Events, _usage


def _collect() -> None:
    """Collect garbage and wait for the charges of the streams it freed (a finalizer
    called by the collector emits from a thread of its own)."""
    gc.collect()
    for thread in threading.enumerate():
        if thread.name == _chat._THREAD_NAME:
            thread.join()


def _completion_body(usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "model": MODEL,
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}
        ],
        "usage": usage,
    }


@pytest.fixture
def client(
    openrouter_client_factory: Callable[..., RedactingClient], openrouter_key: StoredKey
) -> RedactingClient:
    return openrouter_client_factory(openrouter_key, max_retries=0, check_key_type=False)


def _async_client(
    server: OpenRouterTestServer, key: StoredKey, **kwargs: Any
) -> AsyncRedactingClient:
    kwargs.setdefault("max_retries", 0)
    return AsyncRedactingClient(
        Secret(key.key),
        base_url=server.base_url,
        allow_insecure_loopback=True,
        check_key_type=False,
        **kwargs,
    )


# -- a stream dropped without being read -----------------------------------------------


def test_a_stream_dropped_unread_is_charged_its_max_tokens(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))

    def start_and_fail() -> None:
        client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=700)
        raise RuntimeError("the caller fails before its loop")

    with pytest.raises(RuntimeError):
        start_and_fail()
    _collect()
    charged = _usage(openrouter_events)
    assert [(e["completion_tokens"], e["estimated"]) for e in charged] == [(700, True)]


def test_an_async_stream_dropped_unread_is_charged_its_max_tokens(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key) as client:
            openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
            await client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=700)
            _collect()

    asyncio.run(run())
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [700]


def test_a_stream_left_by_an_exception_in_the_loop_is_charged_once(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))

    def read_and_fail() -> None:
        for _ in client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=600):
            raise ValueError("the caller's loop body fails")

    with pytest.raises(ValueError, match="loop body"):
        read_and_fail()
    _collect()
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [600]


def test_a_stream_closed_twice_then_dropped_is_charged_once(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
    stream = client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=80)
    stream.close()
    stream.close()
    del stream
    _collect()
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [80]


def test_a_finished_stream_dropped_afterwards_is_charged_once_from_its_usage(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
    stream = client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=900)
    for _ in stream:
        pass
    del stream
    _collect()
    assert [(e["completion_tokens"], e["estimated"]) for e in _usage(openrouter_events)] == [
        (len(WORDS), False)
    ]


def test_an_async_stream_whose_task_is_cancelled_is_charged_once(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key) as client:
            openrouter_server.script(
                "/chat/completions", ScriptedResponse.stream(WORDS, sse_delay=0.05)
            )

            async def read() -> None:
                stream = await client.chat(
                    model=MODEL, messages=MESSAGES, stream=True, max_tokens=333
                )
                async for _ in stream:
                    pass

            task = asyncio.create_task(read())
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            _collect()

    asyncio.run(run())
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [333]


# -- the worst case of a request with two bounds -----------------------------------------


def test_a_stream_left_early_is_charged_the_larger_of_two_bounds(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
    with client.chat(
        model=MODEL, messages=MESSAGES, stream=True, max_tokens=10, max_completion_tokens=2000
    ) as stream:
        next(iter(stream))
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [2000]


def test_an_async_stream_left_early_is_charged_the_larger_of_two_bounds(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key) as client:
            openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
            async with await client.chat(
                model=MODEL,
                messages=MESSAGES,
                stream=True,
                max_completion_tokens=1500,
                max_tokens=9,
            ) as stream:
                await stream.__anext__()

    asyncio.run(run())
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [1500]


# -- sent, then failed client-side ---------------------------------------------------


@pytest.mark.parametrize(("options", "worst"), [({"max_tokens": 1000}, 1000), ({}, None)])
def test_a_completion_that_times_out_is_charged_the_worst_case(
    openrouter_server: OpenRouterTestServer,
    openrouter_client_factory: Callable[..., RedactingClient],
    openrouter_key: StoredKey,
    openrouter_events: Events,
    options: dict[str, Any],
    worst: int | None,
) -> None:
    client = openrouter_client_factory(
        openrouter_key, max_retries=2, check_key_type=False, timeout=0.2
    )
    openrouter_server.script(
        "/chat/completions", ScriptedResponse(200, _completion_body({}), delay=1.0)
    )
    with pytest.raises(RequestTimeoutError):
        client.chat(model=MODEL, messages=MESSAGES, **options)
    charged = _usage(openrouter_events)
    expected = worst if worst is not None else _chat.ABANDONED_STREAM_TOKENS
    assert [(e["completion_tokens"], e["estimated"], e["cost"]) for e in charged] == [
        (expected, True, None)
    ]


def test_an_async_completion_that_times_out_is_charged_the_worst_case(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key, timeout=0.2) as client:
            openrouter_server.script(
                "/chat/completions", ScriptedResponse(200, _completion_body({}), delay=1.0)
            )
            with pytest.raises(RequestTimeoutError):
                await client.chat(model=MODEL, messages=MESSAGES, max_tokens=1000)

    asyncio.run(run())
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [1000]


def test_a_stream_whose_headers_time_out_is_charged(
    openrouter_server: OpenRouterTestServer,
    openrouter_client_factory: Callable[..., RedactingClient],
    openrouter_key: StoredKey,
    openrouter_events: Events,
) -> None:
    client = openrouter_client_factory(
        openrouter_key, max_retries=0, check_key_type=False, timeout=0.2
    )
    slow = ScriptedResponse.stream(WORDS)
    slow.delay = 1.0
    openrouter_server.script("/chat/completions", slow)
    with pytest.raises(RequestTimeoutError):
        client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=444)
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [444]


def test_an_async_completion_whose_task_is_cancelled_is_charged(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key) as client:
            openrouter_server.script(
                "/chat/completions", ScriptedResponse(200, _completion_body({}), delay=1.0)
            )
            task = asyncio.create_task(client.chat(model=MODEL, messages=MESSAGES, max_tokens=250))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(run())
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [250]


def test_a_2xx_body_that_is_not_json_is_charged_the_worst_case(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse(200, "<html>oops</html>"))
    with pytest.raises(UpstreamError):
        client.chat(model=MODEL, messages=MESSAGES, max_tokens=321)
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [321]


def test_a_request_that_never_left_is_not_charged(
    openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        RedactingClient(
            Secret(openrouter_key.key),
            base_url=f"http://127.0.0.1:{port}/api/v1",
            allow_insecure_loopback=True,
            max_retries=1,
            backoff_base=0.01,
            check_key_type=False,
        ) as client,
        pytest.raises(OpenRouterConnectionError),
    ):
        client.chat(model=MODEL, messages=MESSAGES, max_tokens=100)
    assert _usage(openrouter_events) == []


# -- the usage block itself ---------------------------------------------------------


def test_usage_numbers_sent_as_plain_strings_are_read(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    usage = {"prompt_tokens": "5", "completion_tokens": "900", "cost": "0.5"}
    openrouter_server.script("/chat/completions", ScriptedResponse(200, _completion_body(usage)))
    reply = client.chat(model=MODEL, messages=MESSAGES)
    assert reply.usage is not None
    assert (reply.usage.completion_tokens, reply.usage.cost) == (900, 0.5)
    assert [
        (e["prompt_tokens"], e["completion_tokens"], e["cost"], e["estimated"])
        for e in _usage(openrouter_events)
    ] == [(5, 900, 0.5, False)]


@pytest.mark.parametrize(
    "usage",
    [
        {"prompt_tokens": 5, "completion_tokens": "lots", "cost": 0.001},
        {"prompt_tokens": 5, "completion_tokens": "٩٠٠", "cost": 0.001},  # not ASCII digits
        {"prompt_tokens": 5, "completion_tokens": "1_000", "cost": 0.001},
        {"prompt_tokens": 5, "completion_tokens": [900], "cost": 0.001},
    ],
)
def test_a_token_count_that_is_not_a_number_uses_up_the_token_budget(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, usage: dict[str, Any]
) -> None:
    budget = Budget("100000 tokens/day").attach(lambda f: "t")
    try:
        openrouter_server.script(
            "/chat/completions", ScriptedResponse(200, _completion_body(usage))
        )
        client.chat(model=MODEL, messages=MESSAGES)
        assert not budget.check("t")
    finally:
        budget.detach()


@pytest.mark.parametrize("cost", ["half a dollar", " 0.5", "nan", "inf", True, {"usd": 1}])
def test_a_cost_that_is_not_a_number_uses_up_the_dollar_budget(
    openrouter_server: OpenRouterTestServer,
    client: RedactingClient,
    openrouter_events: Events,
    cost: Any,
) -> None:
    budget = Budget("$100/day").attach(lambda f: "d")
    try:
        usage = {"prompt_tokens": 5, "completion_tokens": 9, "cost": cost}
        openrouter_server.script(
            "/chat/completions", ScriptedResponse(200, _completion_body(usage))
        )
        client.chat(model=MODEL, messages=MESSAGES)
        assert not budget.check("d")
        (event,) = _usage(openrouter_events)
        assert math.isnan(event["cost"])
        assert event["estimated"] is True
    finally:
        budget.detach()


def test_async_usage_numbers_as_strings_reach_a_budget(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey
) -> None:
    budget = Budget("$0.10/day; 500 tokens/day").attach(lambda f: "b")

    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key) as client:
            usage = {"prompt_tokens": "5", "completion_tokens": "900", "cost": "0.5"}
            openrouter_server.script(
                "/chat/completions", ScriptedResponse(200, _completion_body(usage))
            )
            await client.chat(model=MODEL, messages=MESSAGES)

    try:
        asyncio.run(run())
        status = budget.check("b")
        assert not status
    finally:
        budget.detach()


# -- a normal completion ------------------------------------------------------------


def test_a_completion_is_charged_exactly_once(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    usage = {"prompt_tokens": 7, "completion_tokens": 11, "cost": 0.002}
    openrouter_server.script("/chat/completions", ScriptedResponse(200, _completion_body(usage)))
    client.chat(model=MODEL, messages=MESSAGES, max_tokens=5000)
    _collect()
    assert [
        (e["prompt_tokens"], e["completion_tokens"], e["cost"], e["estimated"])
        for e in _usage(openrouter_events)
    ] == [(7, 11, 0.002, False)]


def test_async_completions_and_streams_are_charged_exactly_once(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key) as client:
            usage = {"prompt_tokens": 7, "completion_tokens": 11, "cost": 0.002}
            openrouter_server.script(
                "/chat/completions", ScriptedResponse(200, _completion_body(usage))
            )
            await client.chat(model=MODEL, messages=MESSAGES, max_tokens=5000)
            openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
            stream = await client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=5000)
            async for _ in stream:
                pass
            await stream.aclose()
            del stream
            _collect()

    asyncio.run(run())
    assert [(e["completion_tokens"], e["estimated"]) for e in _usage(openrouter_events)] == [
        (11, False),
        (len(WORDS), False),
    ]


@pytest.fixture(autouse=True)
def _collect_between_tests() -> None:
    # A stream left over from an earlier test must not be charged into this one.
    _collect()


# -- dropped streams, the garbage collector and exit -----------------------------------


def test_a_half_read_stream_dropped_is_charged_once(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
    stream = client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=555)
    next(iter(stream))
    del stream
    _collect()
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [555]


def test_a_stream_collected_while_a_subscriber_lock_is_held_does_not_deadlock(
    openrouter_server: OpenRouterTestServer, client: RedactingClient
) -> None:
    # The collector may run inside any code, a budget's locked section included: the
    # charge must wait for the lock, not take it from inside the collection.
    lock = threading.Lock()
    acquired: list[bool] = []

    def listener(name: str, fields: dict[str, Any]) -> None:
        if name == "usage.recorded":
            ok = lock.acquire(timeout=3)
            acquired.append(ok)
            if ok:
                lock.release()

    subscribe(listener)
    try:
        openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
        stream = client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=10)
        next(iter(stream))  # started: the generator and the stream form a cycle
        del stream
        with lock:
            gc.collect()
        _collect()
    finally:
        unsubscribe(listener)
    assert acquired == [True]


def test_an_async_stream_left_by_an_exception_in_the_loop_is_charged_once(
    openrouter_server: OpenRouterTestServer, openrouter_key: StoredKey, openrouter_events: Events
) -> None:
    async def run() -> None:
        async with _async_client(openrouter_server, openrouter_key) as client:
            openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
            stream = await client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=222)

            async def read(chunks: AsyncChatStream) -> None:
                async for _ in chunks:
                    raise ValueError("the caller's loop body fails")

            with pytest.raises(ValueError, match="loop body"):
                await read(stream)
            del stream
            _collect()
            await asyncio.sleep(0.05)  # the loop's async-generator finalizer runs

    asyncio.run(run())
    _collect()
    assert [e["completion_tokens"] for e in _usage(openrouter_events)] == [222]


_AT_EXIT = """
import sys
from openrouter_secure import RedactingClient, Secret
from openrouter_secure.audit import subscribe
from openrouter_secure.testing import OpenRouterTestServer

subscribe(lambda name, f: name == "usage.recorded" and print("charged", f["completion_tokens"]))
server = OpenRouterTestServer(reply="word " * 100).start()
client = RedactingClient(Secret(server.add_key().key), base_url=server.base_url,
                         allow_insecure_loopback=True, check_key_type=False)
kept = client.chat(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
                   stream=True, max_tokens=77)
next(iter(kept))
print("exiting", flush=True)
"""


def test_a_stream_still_open_at_exit_is_charged(tmp_path: Any) -> None:
    script = tmp_path / "at_exit.py"
    script.write_text(_AT_EXIT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "NO_PROXY": "*"}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.stdout.split("\n")[:2] == ["exiting", "charged 77"], done.stderr[-2000:]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_does_not_charge_the_parents_stream_again(
    openrouter_server: OpenRouterTestServer, client: RedactingClient, openrouter_events: Events
) -> None:
    openrouter_server.script("/chat/completions", ScriptedResponse.stream(WORDS))
    stream = client.chat(model=MODEL, messages=MESSAGES, stream=True, max_tokens=40)
    next(iter(stream))
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop its copy, report what it charged, leave at once
        os.close(read)
        del stream
        _collect()
        os.write(write, str(len(_usage(openrouter_events))).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        charged_in_child = pipe.read()
    os.waitpid(pid, 0)
    stream.close()
    assert (charged_in_child, len(_usage(openrouter_events))) == ("0", 1)


# -- nothing leaks on the new paths ---------------------------------------------------


def test_unreadable_usage_and_lost_requests_leak_nothing(
    openrouter_server: OpenRouterTestServer,
    openrouter_client_factory: Callable[..., RedactingClient],
    openrouter_key: StoredKey,
    openrouter_events: Events,
) -> None:
    prompt = make_canary("plain")
    in_usage = make_canary("plain")
    messages = [{"role": "user", "content": f"remember {prompt}"}]
    client = openrouter_client_factory(
        openrouter_key, max_retries=0, check_key_type=False, timeout=0.2
    )
    budget = Budget("$1/day; 1000 tokens/day").attach(lambda f: "leak")
    outputs: list[object] = []
    try:
        with LeakCheck(prompt, in_usage, openrouter_key.key) as leaks:
            usage = {"prompt_tokens": in_usage, "completion_tokens": [in_usage], "cost": in_usage}
            openrouter_server.script(
                "/chat/completions", ScriptedResponse(200, _completion_body(usage))
            )
            reply = client.chat(model=MODEL, messages=messages)
            outputs += [repr(reply), repr(reply.usage), str(reply.usage)]
            openrouter_server.script(
                "/chat/completions", ScriptedResponse(200, _completion_body({}), delay=1.0)
            )
            with pytest.raises(RequestTimeoutError) as timed_out:
                client.chat(model=MODEL, messages=messages, max_tokens=5)
            outputs += [str(timed_out.value), repr(timed_out.value)]
            openrouter_server.script("/chat/completions", ScriptedResponse(200, f"<{prompt}>"))
            with pytest.raises(UpstreamError) as not_json:
                client.chat(model=MODEL, messages=messages, max_tokens=5)
            outputs += [str(not_json.value), repr(not_json.value)]
            openrouter_server.script("/chat/completions", ScriptedResponse.stream([prompt] * 5))
            client.chat(model=MODEL, messages=messages, stream=True, max_tokens=5)
            _collect()
            outputs += [repr(budget.check("leak")), repr(openrouter_events)]
            leaks.check(*outputs)
    finally:
        budget.detach()
    assert not budget.check("leak")
    assert len(_usage(openrouter_events)) == 4
