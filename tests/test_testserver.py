"""The loopback OpenRouter server itself (``openrouter_secure.testing.OpenRouterTestServer``),
spoken to with plain httpx, so the other suites can rely on its shapes."""

from __future__ import annotations

import httpx
import pytest

from openrouter_secure.testing import OpenRouterTestServer, ScriptedResponse, StoredKey


@pytest.fixture
def http(openrouter_server: OpenRouterTestServer) -> httpx.Client:
    return httpx.Client(base_url=openrouter_server.base_url + "/")


def _auth(key: StoredKey | str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key if isinstance(key, str) else key.key}"}


CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi there"}]}


def test_error_bodies_follow_openrouters_shape(http: httpx.Client) -> None:
    response = http.post("chat/completions", json=CHAT)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "No auth credentials found"}}


def test_keys_created_by_post_authenticate_and_deleted_ones_do_not(
    http: httpx.Client, openrouter_management_key: StoredKey
) -> None:
    created = http.post(
        "keys", json={"name": "k", "limit": 1}, headers=_auth(openrouter_management_key)
    )
    assert created.status_code == 201
    key, key_hash = created.json()["key"], created.json()["data"]["hash"]
    assert "key" not in created.json()["data"]
    assert http.post("chat/completions", json=CHAT, headers=_auth(key)).status_code == 200
    info = http.get("key", headers=_auth(key)).json()["data"]
    assert info["is_management_key"] is False
    assert info["limit"] == 1
    assert info["limit_remaining"] < 1
    http.patch(
        f"keys/{key_hash}", json={"disabled": True}, headers=_auth(openrouter_management_key)
    )
    assert http.get("key", headers=_auth(key)).status_code == 401
    deleted = http.delete(f"keys/{key_hash}", headers=_auth(openrouter_management_key))
    assert deleted.json() == {"deleted": True}
    assert http.get(f"keys/{key_hash}", headers=_auth(openrouter_management_key)).status_code == 404


def test_expired_keys_get_401(http: httpx.Client, openrouter_server: OpenRouterTestServer) -> None:
    key = openrouter_server.add_key(expires_at="2000-01-01T00:00:00Z")
    assert http.get("key", headers=_auth(key)).status_code == 401


def test_management_and_normal_keys_are_kept_apart(
    http: httpx.Client, openrouter_key: StoredKey, openrouter_management_key: StoredKey
) -> None:
    assert http.get("keys", headers=_auth(openrouter_key)).status_code == 403
    assert (
        http.post(
            "chat/completions", json=CHAT, headers=_auth(openrouter_management_key)
        ).status_code
        == 403
    )
    assert http.get("key", headers=_auth(openrouter_management_key)).json()["data"][
        "is_management_key"
    ]


def test_scripts_are_served_in_order_then_normal_answers_resume(
    http: httpx.Client, openrouter_server: OpenRouterTestServer
) -> None:
    openrouter_server.script(
        "/models",
        ScriptedResponse.error(429, "slow", retry_after=2),
        ScriptedResponse.error(503, "down"),
        method="GET",
    )
    first, second, third = (http.get("models") for _ in range(3))
    assert (first.status_code, first.headers["retry-after"]) == (429, "2")
    assert second.status_code == 503
    assert third.status_code == 200
    assert [r.path for r in openrouter_server.requests] == ["/api/v1/models"] * 3


def test_streams_end_with_usage_and_done(http: httpx.Client, openrouter_key: StoredKey) -> None:
    with http.stream(
        "POST", "chat/completions", json={**CHAT, "stream": True}, headers=_auth(openrouter_key)
    ) as r:
        lines = [line for line in r.iter_lines() if line]
    assert r.headers["content-type"] == "text/event-stream"
    assert ": OPENROUTER PROCESSING" in lines
    assert lines[-1] == "data: [DONE]"
    assert '"usage"' in lines[-2]
