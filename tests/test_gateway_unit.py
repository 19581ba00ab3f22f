"""The gateway's decisions on single messages, without processes: resource URIs,
sanitizing of every field, list filtering, dropped notifications, observe mode."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp")

from openrouter_secure.config import ToolPolicy
from openrouter_secure.mcp import RATE_LIMITED, TOOL_DENIED
from openrouter_secure.mcp._gateway import Gateway, resource_key
from openrouter_secure.testing import assert_no_leak, make_canary

ROOT = Path(__file__).resolve().parent.parent


class Recorder:
    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    def log(self, event: str, **fields: Any) -> None:
        self.records.append((event, fields))


def gateway(observe: bool = False, **rules: Any) -> tuple[Gateway, Recorder]:
    audit = Recorder()
    policy = ToolPolicy.from_config({"srv": rules or {"allowedTools": ["echo"]}})
    return Gateway(server_name="srv", policy=policy, audit=audit, observe=observe), audit


async def send(gw: Gateway, message: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    up: list[Any] = []
    host: list[Any] = []

    async def to_up(m: Any) -> None:
        up.append(m)

    async def to_host(m: Any) -> None:
        host.append(m)

    await gw.from_host(message, to_up, to_host)
    return up, host


def asked(gw: Gateway, *ids: Any, method: str = "ping") -> Gateway:
    """``gw`` with a request in flight under each of ``ids`` (what a response needs to
    be relayed)."""
    for msg_id in ids:
        anyio.run(send, gw, {"jsonrpc": "2.0", "id": msg_id, "method": method})
    return gw


@pytest.mark.parametrize(
    "uri",
    [
        "file:///data/%2E%2E/etc/passwd",
        "file:///data/%2e%2e%2fetc",
        "demo://x/%252E%252E",
        "demo://x/a%5Cb",
        "demo://x/a%00b",
        "file:///data/../etc/passwd",
        "file:///data/./x",
        "demo://x/a\\..\\b",
    ],
)
def test_ambiguous_resource_uris_are_refused(uri: str) -> None:
    assert resource_key(uri) is None


def test_resource_uris_are_decided_decoded() -> None:
    assert resource_key("demo://x/a%20b") == "demo://x/a b"
    gw, _ = gateway(allowedToolsGlob=["resource:demo://x/**"])
    assert gw.decide("resource", "demo://x/a%20b").allowed
    assert not gw.decide("resource", "demo://x/%2E%2E/y").allowed


def test_a_denied_call_is_answered_by_the_gateway_and_not_forwarded() -> None:
    gw, audit = gateway()
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "rm"}}
    up, host = anyio.run(send, gw, call)
    assert up == []
    assert host[0]["id"] == 7
    assert host[0]["error"]["code"] == TOOL_DENIED
    assert audit.records[0][0] == "tool.denied"


def test_observe_forwards_what_it_would_refuse() -> None:
    gw, audit = gateway(observe=True)
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "rm"}}
    up, host = anyio.run(send, gw, call)
    assert host == []
    assert up[0]["params"]["name"] == "rm"
    assert audit.records[0][0] == "tool.denied"
    assert audit.records[0][1]["observed"] is True


def test_lists_are_filtered_and_unknown_responses_are_dropped() -> None:
    gw, _ = gateway()
    anyio.run(send, gw, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    out = gw.from_upstream(
        {"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "echo"}, {"name": "rm"}]}}
    )
    assert [t["name"] for t in out["result"]["tools"]] == ["echo"]
    # a response to no request in flight (an id never sent, or answered already)
    other = gw.from_upstream({"jsonrpc": "2.0", "id": 99, "result": {"tools": [{"name": "rm"}]}})
    again = gw.from_upstream({"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "rm"}]}})
    assert other is None
    assert again is None


def test_every_field_is_sanitized_keys_and_errors_included() -> None:
    canary = make_canary()
    gw = asked(gateway()[0], 3, 4)
    result = {
        "content": [{"type": "text", "text": f"key {canary}"}],
        "structuredContent": {canary: {"nested": [canary]}, "apiKey": "plain-looking-value"},
    }
    out = gw.from_upstream({"jsonrpc": "2.0", "id": 3, "result": result})
    error = gw.from_upstream(
        {"jsonrpc": "2.0", "id": 4, "error": {"code": 1, "message": canary, "data": {canary: 1}}}
    )
    note = gw.from_upstream(
        {"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": canary}}
    )
    request = gw.from_upstream(
        {
            "jsonrpc": "2.0",
            "id": "s1",
            "method": "sampling/createMessage",
            "params": {"messages": [{"content": {"text": canary}}]},
        }
    )
    assert None not in (out, error, note, request)
    assert out["result"]["structuredContent"]["apiKey"] != "plain-looking-value"
    assert request["id"] == "s1"
    assert_no_leak(canary, json.dumps([out, error, note, request]))


def test_base64_payloads_stay_exact_unless_they_hold_a_secret() -> None:
    canary = make_canary()
    gw = asked(gateway()[0], 1, 2)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).decode()
    image = {"type": "image", "data": png, "mimeType": "image/png"}
    out = gw.from_upstream({"jsonrpc": "2.0", "id": 1, "result": {"content": [image]}})
    assert out["result"]["content"][0]["data"] == png
    leaky = base64.b64encode(f"token: {canary}".encode()).decode()
    blob = {"uri": "x://y", "blob": leaky}
    out = gw.from_upstream({"jsonrpc": "2.0", "id": 2, "result": {"contents": [blob]}})
    decoded = base64.b64decode(out["result"]["contents"][0]["blob"])
    assert canary.encode() not in decoded


def test_pieces_of_the_upstreams_secrets_are_masked() -> None:
    canary = make_canary()
    gw = asked(gateway()[0], 1)
    gw.mask_fragments_of([canary])
    wrapped = f"│ cannot use {canary[:25]} │\n│ {canary[25:]} │"
    out = gw.from_upstream(
        {"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "text", "text": wrapped}]}}
    )
    text = out["result"]["content"][0]["text"]
    assert canary[:25] not in text
    assert canary[25:] not in text


def test_updates_of_denied_resources_are_dropped() -> None:
    gw, _ = gateway(allowedToolsGlob=["resource:demo://ok/**"])
    ok = {
        "jsonrpc": "2.0",
        "method": "notifications/resources/updated",
        "params": {"uri": "demo://ok/1"},
    }
    no = {
        "jsonrpc": "2.0",
        "method": "notifications/resources/updated",
        "params": {"uri": "demo://no/1"},
    }
    assert gw.from_upstream(ok) is not None
    assert gw.from_upstream(no) is None


def test_a_cancelled_request_keeps_its_id_until_its_late_answer_is_dropped() -> None:
    gw, _ = gateway()
    anyio.run(
        send, gw, {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "echo"}}
    )
    assert 5 in gw._pending
    cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 5}}
    up, _ = anyio.run(send, gw, cancel)
    assert up == [cancel]
    assert gw.pending == 0  # nothing the host still waits for
    # the id is not free: a listing under it would take the call's late answer
    up, host = anyio.run(send, gw, {"jsonrpc": "2.0", "id": 5, "method": "tools/list"})
    assert up == []
    assert host[0]["error"]["code"] == -32600
    late = {"jsonrpc": "2.0", "id": 5, "result": {"content": []}}
    assert gw.from_upstream(late) is None
    assert 5 not in gw._pending


def test_the_policy_example_in_the_docs_loads(tmp_path: Path) -> None:
    from openrouter_secure.mcp._gateway_cli import build_gateway

    text = (ROOT / "docs" / "gateway.md").read_text()
    block = text.split("## The policy file", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    doc = json.loads(block)
    doc["serve"]["auditLog"] = str(tmp_path / "audit.jsonl")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(doc))
    policy.chmod(0o600)
    gw = build_gateway(policy_file=policy)
    assert gw.server_name == "everything"
    assert gw.decide("tool", "echo").allowed
    assert not gw.decide("tool", "get-env").allowed
    assert gw.decide("resource", "demo://resource/static/document/a.md").allowed


class Queue:
    """An in-memory channel: ``incoming`` is what it yields, ``sent`` what it got."""

    def __init__(self, incoming: list[Any], *, wait: bool = False) -> None:
        self.incoming = list(incoming)
        self.sent: list[Any] = []
        self.wait = wait  # when empty: wait (a live peer) rather than close

    async def receive(self) -> Any:
        await anyio.sleep(0)
        if not self.incoming and self.wait:
            await anyio.sleep_forever()
        return self.incoming.pop(0) if self.incoming else None

    async def send(self, message: Any) -> None:
        self.sent.append(message)


def relay(gw: Gateway, from_host: list[Any]) -> tuple[Queue, Queue]:
    from openrouter_secure.mcp._gateway_io import relay as run_relay

    host, upstream = Queue(from_host), Queue([], wait=True)
    anyio.run(lambda: run_relay(gw, host, upstream, drain=0))
    return host, upstream


def call(name: str, msg_id: Any = 1, **extra: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": msg_id,
        "method": "tools/call",
        "params": {"name": name},
        **extra,
    }


def test_a_batch_is_decided_message_by_message() -> None:
    gw, _ = gateway()
    host, upstream = relay(gw, [[call("echo", 1), call("rm", 2)]])
    assert [m["params"]["name"] for m in upstream.sent] == ["echo"]
    assert host.sent[0]["id"] == 2
    assert host.sent[0]["error"]["code"] == TOOL_DENIED


def test_a_call_sent_as_a_notification_or_with_a_null_id_never_reaches_the_upstream() -> None:
    gw, _ = gateway()
    notification = {"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "rm"}}
    host, upstream = relay(gw, [notification, call("rm", None), call("rm", True), "x"])
    assert upstream.sent == []
    assert [m["error"]["code"] for m in host.sent] == [-32600, -32600, -32600]


def test_duplicate_keys_are_a_parse_error() -> None:
    from openrouter_secure.mcp._gateway_io import _INVALID, _decode

    line = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"rm"}}'
    assert _decode(line, strict=True) is _INVALID


def test_an_upstream_cannot_carry_a_key_in_ids_or_method_names() -> None:
    canary = make_canary()
    gw, _ = gateway()
    out = gw.from_upstream({"jsonrpc": "2.0", "id": canary, "method": f"notifications/{canary}"})
    stray = gw.from_upstream({"jsonrpc": "2.0", "id": canary, "result": {}})
    assert_no_leak(canary, json.dumps([out, stray]))


def test_listen_requests_lose_denied_resource_subscriptions() -> None:
    gw, audit = gateway(allowedToolsGlob=["resource:demo://ok/**"])
    listen = {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "subscriptions/listen",
        "params": {"filter": {"resourceSubscriptions": ["demo://ok/1", "demo://no/1"]}},
    }
    up, host = anyio.run(send, gw, listen)
    assert host == []
    assert up[0]["params"]["filter"]["resourceSubscriptions"] == ["demo://ok/1"]
    assert audit.records[0][0] == "resource.denied"


def limited_gateway(limit: str, **rules: Any) -> tuple[Gateway, Recorder]:
    from openrouter_secure.limits._ratelimit import RateLimiter

    audit = Recorder()
    policy = ToolPolicy.from_config({"srv": rules})
    gw = Gateway(server_name="srv", policy=policy, audit=audit, limiter=RateLimiter(limit))
    return gw, audit


def test_a_glob_allowed_tool_has_its_own_budget_before_the_tools_are_listed() -> None:
    gw, _ = limited_gateway("1/minute", allowedToolsGlob=["search_*"])
    _, first = anyio.run(send, gw, call("search_web", 1))
    _, second = anyio.run(send, gw, call("search_news", 2))
    assert first == []
    assert second == []


def test_once_listed_unlisted_names_share_one_bucket() -> None:
    gw, _ = limited_gateway("1/minute", allowedToolsGlob=["search_*"])
    anyio.run(send, gw, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    gw.from_upstream({"jsonrpc": "2.0", "id": 1, "result": {"tools": [{"name": "search_web"}]}})
    _, first = anyio.run(send, gw, call("search_x1", 2))
    _, second = anyio.run(send, gw, call("search_x2", 3))
    _, listed = anyio.run(send, gw, call("search_web", 4))
    assert first == []
    assert listed == []
    assert second[0]["error"]["code"] == RATE_LIMITED


def test_denied_calls_count_toward_the_limit_and_repeats_are_folded() -> None:
    gw, audit = limited_gateway("2/minute", allowedTools=["echo"])
    replies = [anyio.run(send, gw, call("rm", i))[1][0] for i in range(4)]
    assert [r["error"]["code"] for r in replies] == [TOOL_DENIED] * 2 + [RATE_LIMITED] * 2
    # one record per refusal kind; the repeats are counted, not written
    assert [e for e, _ in audit.records] == ["tool.denied", "tool.rate_limited"]
    gw.guard.repeats.flush()
    assert audit.records[-2:][0][1]["repeated"] == 1


def test_nested_path_arguments_are_confined(tmp_path: Path) -> None:
    audit = Recorder()
    policy = ToolPolicy.from_config({"srv": {"allowedTools": ["write"]}})
    gw = Gateway(server_name="srv", policy=policy, audit=audit, allowed_roots=[tmp_path])
    inside = {"options": {"file_name": "notes.txt"}, "items": [{"dest": "a/b.txt"}]}
    message = call("write", 1)
    message["params"]["arguments"] = inside
    up, host = anyio.run(send, gw, message)
    assert host == []
    sent = up[0]["params"]["arguments"]
    assert sent["options"]["file_name"] == str(tmp_path / "notes.txt")
    assert sent["items"][0]["dest"] == str(tmp_path / "a" / "b.txt")
    escape = call("write", 2)
    escape["params"]["arguments"] = {"options": {"targets": ["../../etc/passwd"]}}
    up, host = anyio.run(send, gw, escape)
    assert up == []
    assert host[0]["result"]["isError"] is True
    assert "options.targets[0]" in host[0]["result"]["content"][0]["text"]
    assert "passwd" not in json.dumps(host)
    assert audit.records[-1][0] == "tool.path_refused"


def test_base64_data_outside_media_and_binary_bytes_are_checked_decoded() -> None:
    canary = make_canary()
    gw = asked(gateway()[0], 1, 2)
    in_error = base64.b64encode(f"detail {canary}".encode()).decode()
    # non-UTF-8 bytes around the key: checked byte for byte
    in_image = base64.b64encode(b"\x89PNG\xff\xfe" + canary.encode() + b"\xff").decode()
    error = gw.from_upstream(
        {"jsonrpc": "2.0", "id": 1, "error": {"code": 1, "message": "x", "data": in_error}}
    )
    image = gw.from_upstream(
        {
            "jsonrpc": "2.0",
            "id": 2,
            "result": {"content": [{"type": "image", "data": in_image, "mimeType": "image/png"}]},
        }
    )
    decoded = [
        base64.b64decode(error["error"]["data"]),
        base64.b64decode(image["result"]["content"][0]["data"]),
    ]
    assert_no_leak(canary, *(d.decode("latin-1") for d in decoded))
    assert decoded[1].startswith(b"\x89PNG\xff\xfe")


@pytest.mark.parametrize("uri", ["file:///etc/passwd", "file:/etc/passwd", "FILE:///etc/passwd"])
def test_file_resources_outside_the_roots_are_refused_in_any_spelling(
    tmp_path: Path, uri: str
) -> None:
    audit = Recorder()
    policy = ToolPolicy.from_config({"srv": {"allowedToolsGlob": ["resource:**"]}})
    gw = Gateway(server_name="srv", policy=policy, audit=audit, allowed_roots=[tmp_path])
    read = {"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": uri}}
    up, host = anyio.run(send, gw, read)
    assert up == []
    assert host[0]["error"]["code"] == TOOL_DENIED
    assert audit.records[-1][0] == "resource.path_refused"


def test_top_level_member_names_never_reach_the_host() -> None:
    canary = make_canary()
    gw = asked(gateway()[0], 1, 2)
    note = gw.from_upstream(
        {"jsonrpc": "2.0", "method": "notifications/message", "params": {}, canary: 1}
    )
    result = gw.from_upstream({"jsonrpc": "2.0", "id": 1, "result": {}, f"debug:{canary}": 1})
    error = gw.from_upstream(
        {"jsonrpc": "2.0", "id": 2, "error": {"code": 1, "message": "x"}, "x": canary}
    )
    request = gw.from_upstream({"jsonrpc": canary, "id": 9, "method": "roots/list", canary: 1})
    assert sorted(result) == ["id", "jsonrpc", "result"]
    assert sorted(note) == ["jsonrpc", "method", "params"]
    assert sorted(error) == ["error", "id", "jsonrpc"]
    assert_no_leak(canary, json.dumps([note, result, error, request]))


@pytest.mark.parametrize(
    "encode",
    [
        lambda raw: base64.encodebytes(raw).decode(),  # MIME: a line break every 76
        lambda raw: base64.b64encode(raw).decode().replace("A", "A\r\n "),
        lambda raw: base64.urlsafe_b64encode(raw).decode(),
        lambda raw: base64.b64encode(raw).decode().rstrip("="),
    ],
    ids=["mime", "crlf-spaces", "urlsafe", "unpadded"],
)
def test_base64_in_any_form_a_host_decodes_is_checked(encode: Any) -> None:
    canary = make_canary()
    gw = asked(gateway()[0], 1)
    raw = b"\x89PNG\xff\xfe\xfb\xff" * 20 + canary.encode() + b" trailer \xfb\xff" * 20
    raw += b"\xff" * ((1 - len(raw)) % 3)  # one byte over: two "=" of padding
    image = {"type": "image", "data": encode(raw), "mimeType": "image/png"}
    blob = {"uri": "x://y", "blob": encode(raw)}
    out = gw.from_upstream({"jsonrpc": "2.0", "id": 1, "result": {"content": [image, blob]}})
    relayed = out["result"]["content"]
    decoded = [base64.b64decode(relayed[0]["data"]), base64.b64decode(relayed[1]["blob"])]
    assert_no_leak(canary, *(d.decode("latin-1") for d in decoded))
    assert decoded[0].startswith(b"\x89PNG\xff\xfe")


def test_a_request_id_in_flight_is_refused_and_the_list_stays_filtered() -> None:
    gw, _ = gateway()
    up, _ = anyio.run(send, gw, call("echo", 7))
    assert len(up) == 1
    up, host = anyio.run(send, gw, {"jsonrpc": "2.0", "id": 7, "method": "tools/list"})
    assert up == []
    assert host[0]["id"] == 7
    assert host[0]["error"] == {
        "code": -32600,
        "message": "Invalid Request: id already in use",
        "data": {},
    }
    # the upstream's answers are taken for what the gateway forwarded under id 7
    listing = {"tools": [{"name": "echo"}, {"name": "rm", "description": "x"}]}
    answer = gw.from_upstream({"jsonrpc": "2.0", "id": 7, "result": listing})
    again = gw.from_upstream({"jsonrpc": "2.0", "id": 7, "result": listing})
    assert answer is not None  # the call's answer, however it is shaped
    assert again is None  # nothing else is in flight under id 7


@pytest.mark.parametrize("msg_id", [7.0, True])
def test_a_response_id_equal_but_not_identical_to_a_request_id_is_dropped(msg_id: Any) -> None:
    gw = asked(gateway()[0], 1 if msg_id is True else 7, method="tools/list")
    listing = {"tools": [{"name": "rm"}]}
    assert gw.from_upstream({"jsonrpc": "2.0", "id": msg_id, "result": listing}) is None


def test_a_secret_in_clear_in_a_blob_is_masked_even_when_it_reads_as_base64() -> None:
    canary = make_canary()
    gw = asked(gateway()[0], 1)
    blob = f"k{canary}"
    blob += "x" * (-len(blob) % 4)  # base64-shaped once "-" is read as URL-safe
    out = gw.from_upstream(
        {"jsonrpc": "2.0", "id": 1, "result": {"contents": [{"uri": "x://y", "blob": blob}]}}
    )
    assert_no_leak(canary, json.dumps(out))
