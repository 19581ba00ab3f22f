"""``OpenRouterTestServer``: a real HTTP server on 127.0.0.1 that speaks OpenRouter's API.

Tests of the client, the rate limiter, budgets, benchmarks and key rotation talk to
it over real sockets instead of patching methods. It is stdlib only
(``http.server``, one thread per connection, HTTP/1.1 keep-alive, chunked SSE) and
follows the shapes of OpenRouter's API reference:

=======================================================  ========================================
``POST /api/v1/chat/completions``                        JSON, or SSE with ``"stream": true``
``GET  /api/v1/models``                                  public, no key needed
``GET  /api/v1/models/{author}/{slug}/endpoints``        public
``GET  /api/v1/generation?id=``                          any key
``GET  /api/v1/key``                                     any key (``is_management_key`` etc.)
``GET  /api/v1/credits`` / ``/activity?date=``           management key
``GET|POST /api/v1/keys``, ``GET|PATCH|DELETE /keys/h``  management key
=======================================================  ========================================

Errors use OpenRouter's body ``{"error": {"code": N, "message": ..., "metadata": ...}}``.
Keys live in an in-memory store: :meth:`add_key` seeds one (normal or management),
``POST /keys`` creates more that work at once, a disabled, expired or deleted key gets
401, a key past its ``limit`` gets 402 on completions, a management key gets 403 on
completions and a normal key 403 on management endpoints.

Faults are scripted per path: :meth:`script` queues :class:`ScriptedResponse` objects
that the next matching requests get instead of the normal answer (any status, body,
headers, a delay before the answer, an SSE event list with pauses, a redirect made
with :meth:`ScriptedResponse.redirect`). Every request is recorded
(:attr:`requests`: method, path, query, headers, body) so a test can assert exactly
what was sent, for example that a redirect did not carry the ``Authorization`` header::

    with OpenRouterTestServer() as server:
        key = server.add_key()                       # a random normal key, made now
        server.script("/chat/completions", ScriptedResponse.error(429, "slow down",
                                                                  retry_after=1))
        client = RedactingClient(Secret(key.key), base_url=server.base_url,
                                 allow_insecure_loopback=True)
        ...
        assert server.requests[-1].path == "/api/v1/chat/completions"

``tls=True`` serves HTTPS on ``https://localhost:PORT`` with a self-signed certificate
made at start-up (``ca_file`` is the file to trust), for end-to-end tests of the
client's HTTPS-only rule; plain loopback ``http://`` needs the client's
``allow_insecure_loopback=True``.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import Any

from ._server_http import QuietServer, make_handler, self_signed_context
from ._server_shapes import (
    API,
    DEFAULT_MODELS,
    RecordedRequest,
    ReplyError,
    ScriptedResponse,
    StoredKey,
    json_body,
    key_hash,
    now_iso,
    sse_chunk,
    usage_body,
)

__all__ = ["OpenRouterTestServer", "RecordedRequest", "ScriptedResponse", "StoredKey", "key_hash"]


class OpenRouterTestServer:
    """A loopback OpenRouter API on 127.0.0.1, over real sockets.

    It serves chat completions (JSON, or SSE with ``"stream": true``), ``/models`` and
    a model's endpoints, ``/generation``, ``/key``, ``/credits``, ``/activity`` and the
    ``/keys`` management API, with OpenRouter's error bodies. Keys live in an
    in-memory store (:meth:`add_key`); a disabled, expired or deleted key gets 401, a
    key past its ``limit`` 402 on completions, a management key 403 on completions.
    :meth:`script` queues :class:`ScriptedResponse` faults for the next requests to a
    path; every request is kept in ``requests`` (and :meth:`requests_to`) so a test
    can assert what was sent. ``tls=True`` serves HTTPS on ``https://localhost:PORT``
    with a self-signed certificate made at start-up (trust ``ca_file``).

    ``reply`` is the assistant's answer to every completion (one token per word);
    ``models`` replaces the model catalogue; ``total_credits`` is what ``/credits``
    reports. Use as a context manager, or :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        *,
        reply: str = "Hello from the loopback OpenRouter test server.",
        models: list[dict[str, Any]] | None = None,
        total_credits: float = 100.0,
        record: bool = True,
        tls: bool = False,
    ) -> None:
        self.reply = reply
        self.tls = tls
        self.ca_file: str | None = None
        self.models = [dict(m) for m in (models or DEFAULT_MODELS)]
        self.total_credits = total_credits
        self.record = record
        self.requests: list[RecordedRequest] = []
        self.keys: dict[str, StoredKey] = {}  # by hash
        self.generations: dict[str, dict[str, Any]] = {}
        self._scripts: dict[tuple[str | None, str], deque[ScriptedResponse]] = {}
        self._lock = threading.Lock()
        self._httpd: QuietServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> OpenRouterTestServer:
        httpd = QuietServer(("127.0.0.1", 0), make_handler(self))
        httpd.daemon_threads = True
        httpd.block_on_close = False
        if self.tls:
            context, self.ca_file = self_signed_context()
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self.ca_file is not None:
            shutil.rmtree(Path(self.ca_file).parent, ignore_errors=True)
            self.ca_file = None

    def __enter__(self) -> OpenRouterTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running; call start()")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the origin); ``https://localhost:PORT`` with ``tls``."""
        if self.tls:
            return f"https://localhost:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v1``: pass as the client's ``base_url``."""
        return self.url + API

    # -- keys and scripts ------------------------------------------------------------

    def add_key(
        self,
        value: str | None = None,
        *,
        management: bool = False,
        name: str = "test key",
        limit: float | None = None,
        disabled: bool = False,
        expires_at: str | None = None,
    ) -> StoredKey:
        """Store a key (a random ``sk-or-v1-`` key made now when ``value`` is None)."""
        value = value if value is not None else "sk-or-v1-" + secrets.token_hex(32)
        stored = StoredKey(
            value,
            key_hash(value),
            name,
            management=management,
            limit=limit,
            disabled=disabled,
            expires_at=expires_at,
        )
        with self._lock:
            self.keys[stored.hash] = stored
        return stored

    def script(self, path: str, *responses: ScriptedResponse, method: str | None = None) -> None:
        """Answer the next requests to ``path`` with ``responses``, in order.

        ``path`` may omit the ``/api/v1`` prefix; the query string is ignored when
        matching. ``method`` restricts the match (``"POST"``); None matches any.
        """
        full = path if path.startswith(API) else API + path
        with self._lock:
            self._scripts.setdefault((method, full), deque()).extend(responses)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests to ``path`` (``/api/v1`` may be omitted), oldest first."""
        full = path if path.startswith(API) else API + path
        with self._lock:
            return [r for r in self.requests if r.path == full]

    def clear(self) -> None:
        """Forget recorded requests and pending scripts (keys stay)."""
        with self._lock:
            self.requests.clear()
            self._scripts.clear()

    def keep_request(self, request: RecordedRequest) -> None:
        """Keep ``request`` in :attr:`requests` (the HTTP handler calls this)."""
        with self._lock:
            self.requests.append(request)

    def next_script(self, method: str, path: str) -> ScriptedResponse | None:
        """Take the next scripted answer for ``method path``, if any (the HTTP handler
        calls this before answering from the model of the API)."""
        with self._lock:
            for key in ((method, path), (None, path)):
                queue = self._scripts.get(key)
                if queue:
                    return queue.popleft()
        return None

    # -- the API -----------------------------------------------------------------------

    def _authenticate(self, headers: dict[str, str], *, management: bool | None) -> StoredKey:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ReplyError(401, "No auth credentials found")
        with self._lock:
            stored = self.keys.get(key_hash(token))
        if stored is None:
            raise ReplyError(401, "User not found.")
        if stored.disabled:
            raise ReplyError(401, "This API key is disabled.")
        if stored.expires_at and stored.expires_at < now_iso():
            raise ReplyError(401, "This API key has expired.")
        if management is True and not stored.management:
            raise ReplyError(403, "Only management keys can perform this operation")
        if management is False and stored.management:
            raise ReplyError(403, "Management keys cannot be used for completions")
        return stored

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, Any]:
        """Route one request; returns (status, body). Raises ``ReplyError`` for errors."""
        if not path.startswith(API):
            raise ReplyError(404, "Not Found")
        route = path[len(API) :].rstrip("/") or "/"
        if route == "/models" and method == "GET":
            return 200, {"data": self.models}
        if m := re.fullmatch(r"/models/([^/]+)/([^/]+)/endpoints", route):
            return 200, self._endpoints(f"{m.group(1)}/{m.group(2)}")
        if route == "/chat/completions" and method == "POST":
            key = self._authenticate(headers, management=False)
            return 200, self._complete(key, json_body(body))
        if route == "/key" and method == "GET":
            return 200, {"data": self._key_info(self._authenticate(headers, management=None))}
        if route == "/generation" and method == "GET":
            self._authenticate(headers, management=None)
            gid = (query.get("id") or [""])[0]
            if not gid:
                raise ReplyError(400, "id is required")
            with self._lock:
                gen = self.generations.get(gid)
            if gen is None:
                raise ReplyError(404, f"Generation {gid} not found")
            return 200, {"data": gen}
        if route == "/credits" and method == "GET":
            self._authenticate(headers, management=True)
            with self._lock:
                used = sum(k.usage for k in self.keys.values())
            return 200, {"data": {"total_credits": self.total_credits, "total_usage": used}}
        if route == "/activity" and method == "GET":
            self._authenticate(headers, management=True)
            dates = query.get("date")
            return 200, {"data": self._activity(dates[0] if dates else None)}
        if route == "/keys" or route.startswith("/keys/"):
            self._authenticate(headers, management=True)
            return self._keys(method, route[len("/keys") :].strip("/"), query, body)
        raise ReplyError(404, "Not Found")

    def _endpoints(self, slug: str) -> dict[str, Any]:
        model = next((m for m in self.models if m["id"] == slug), None)
        if model is None:
            raise ReplyError(404, f"Model {slug} not found")
        endpoint = {
            "name": f"Loopback | {slug}",
            "model_name": model["name"],
            "context_length": model["context_length"],
            "pricing": model["pricing"],
            "provider_name": "Loopback",
            "tag": "loopback",
            "quantization": "fp16",
            "max_completion_tokens": 4096,
            "max_prompt_tokens": None,
            "supported_parameters": model["supported_parameters"],
            "status": 0,
            "uptime_last_30m": 100.0,
        }
        fields = ("id", "name", "created", "description", "architecture")
        return {"data": {**{k: model[k] for k in fields}, "endpoints": [endpoint]}}

    def _key_info(self, key: StoredKey) -> dict[str, Any]:
        record = key.record()
        return {
            "label": record["label"],
            "limit": key.limit,
            "limit_remaining": record["limit_remaining"],
            "limit_reset": key.limit_reset,
            "usage": key.usage,
            "usage_daily": key.usage,
            "usage_weekly": key.usage,
            "usage_monthly": key.usage,
            "byok_usage": 0.0,
            "include_byok_in_limit": False,
            "is_free_tier": False,
            "is_management_key": key.management,
            "is_provisioning_key": key.management,
            "expires_at": key.expires_at,
            "rate_limit": {"requests": -1, "interval": "10s", "note": "deprecated"},
        }

    def _complete(self, key: StoredKey, req: dict[str, Any]) -> dict[str, Any]:
        messages = req.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ReplyError(400, "messages: a non-empty list of messages is required")
        candidates = [req["model"]] if isinstance(req.get("model"), str) else []
        candidates += [m for m in req.get("models") or [] if isinstance(m, str)]
        known = {m["id"] for m in self.models}
        model = next((c for c in candidates if c in known), None)
        if model is None:
            raise ReplyError(400, f"{(candidates or ['(none)'])[0]} is not a valid model ID")
        if key.limit is not None and key.usage >= key.limit:
            raise ReplyError(402, "This key's credit limit is used up; raise it or add credits.")
        words = self.reply.split()
        max_tokens = req.get("max_tokens")
        if isinstance(max_tokens, int) and max_tokens > 0:
            words = words[:max_tokens]
        prompt_tokens = sum(
            len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict)
        )
        usage = usage_body(prompt_tokens, len(words))
        gid = "gen-" + secrets.token_hex(12)
        with self._lock:
            key.usage = round(key.usage + usage["cost"], 9)
            self.generations[gid] = {
                "id": gid,
                "model": model,
                "created_at": now_iso(),
                "total_cost": usage["cost"],
                "usage": usage["cost"],
                "tokens_prompt": prompt_tokens,
                "tokens_completion": len(words),
                "native_tokens_prompt": prompt_tokens,
                "native_tokens_completion": len(words),
                "provider_name": "Loopback",
                "streamed": bool(req.get("stream")),
                "cancelled": False,
                "finish_reason": "stop",
                "latency": 1,
                "generation_time": 1,
                "is_byok": False,
                "api_key_hash": key.hash,
            }
        if req.get("stream"):
            return {"__sse__": self._stream_events(gid, model, words, usage)}
        return {
            "id": gid,
            "provider": "Loopback",
            "model": model,
            "object": "chat.completion",
            "created": int(time.time()),
            "choices": [
                {
                    "index": 0,
                    "logprobs": None,
                    "finish_reason": "stop",
                    "native_finish_reason": "stop",
                    "message": {"role": "assistant", "content": " ".join(words), "refusal": None},
                }
            ],
            "usage": usage,
        }

    @staticmethod
    def _stream_events(gid: str, model: str, words: list[str], usage: dict[str, Any]) -> list[str]:
        events = [
            "data: " + json.dumps(sse_chunk(gid, model, "", "role")),
            ": OPENROUTER PROCESSING",
        ]
        events += ["data: " + json.dumps(sse_chunk(gid, model, w + " ")) for w in words]
        events.append("data: " + json.dumps(sse_chunk(gid, model, "", "stop", usage)))
        events.append("data: [DONE]")
        return events

    def _activity(self, date: str | None) -> list[dict[str, Any]]:
        if date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ReplyError(400, "date must be YYYY-MM-DD")
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        with self._lock:
            gens = list(self.generations.values())
        for gen in gens:
            day = gen["created_at"][:10]
            if date is not None and day != date:
                continue
            row = rows.setdefault(
                (day, gen["model"]),
                {
                    "date": day,
                    "model": gen["model"],
                    "model_permaslug": gen["model"],
                    "endpoint_id": "loopback-" + gen["model"].replace("/", "-"),
                    "provider_name": "Loopback",
                    "usage": 0.0,
                    "byok_usage_inference": 0.0,
                    "requests": 0,
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "reasoning_tokens": 0,
                },
            )
            row["usage"] = round(row["usage"] + gen["total_cost"], 9)
            row["requests"] += 1
            row["prompt_tokens"] += gen["tokens_prompt"]
            row["completion_tokens"] += gen["tokens_completion"]
        return list(rows.values())

    def _keys(
        self, method: str, hash_: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any]:
        if not hash_:
            if method == "GET":
                offset = int((query.get("offset") or ["0"])[0])
                with self._lock:
                    records = [k.record() for k in self.keys.values() if not k.management]
                return 200, {"data": records[offset : offset + 100]}
            if method == "POST":
                req = json_body(body)
                name = req.get("name")
                if not isinstance(name, str) or not name:
                    raise ReplyError(400, "name is required")
                created = self.add_key(name=name, limit=req.get("limit"))
                created.expires_at = req.get("expires_at")
                created.limit_reset = req.get("limit_reset")
                return 201, {"data": created.record(), "key": created.key}
            raise ReplyError(405, "Method not allowed")
        with self._lock:
            stored = self.keys.get(hash_)
        if stored is None or stored.management:
            raise ReplyError(404, "API key not found")
        if method == "GET":
            return 200, {"data": stored.record()}
        if method == "PATCH":
            req = json_body(body)
            with self._lock:
                for name in ("name", "disabled", "limit", "limit_reset"):
                    if name in req:
                        setattr(stored, name, req[name])
                stored.updated_at = now_iso()
            return 200, {"data": stored.record()}
        if method == "DELETE":
            with self._lock:
                self.keys.pop(hash_, None)
            return 200, {"deleted": True}
        raise ReplyError(405, "Method not allowed")
