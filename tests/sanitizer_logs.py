"""Realistic clean log lines (no secrets) for the sanitizer's false-positive tests and
its benchmark: HTTP access logs, JSON logs with ids, hashes, UUIDs, git SHAs, base64
blobs and token counts, Python logging lines, syslog, Kubernetes events.

Seeded, so every run sees the same lines."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_PATHS = (
    "/api/v1/chat/completions", "/api/v1/models", "/api/v1/generation?id=gen-{}",
    "/static/js/app.{}.js", "/healthz", "/v1/task-queue/{}/status", "/users/{}/settings",
    "/search?q=disk-usage&page=2", "/auth/callback?state={}", "/api/v1/keys?page=1",
)  # fmt: skip
_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
    "python-httpx/0.27.0", "curl/8.5.0", "Go-http-client/1.1", "okhttp/4.12.0",
)  # fmt: skip


def clean_log_lines(n: int, seed: int = 7, *, hard_share: float = 2 / 11) -> list[str]:
    """``n`` lines; ``hard_share`` of them are hard negatives that name secrets without
    holding one (``"api_key": "env://..."``, ``token_type=bearer``, ``oauth``)."""
    r = random.Random(seed)

    def hexs(k: int) -> str:
        return "".join(r.choice("0123456789abcdef") for _ in range(k))

    def b64(k: int) -> str:
        return base64.b64encode(r.randbytes(k)).decode()

    def uid() -> str:
        return str(uuid.UUID(int=r.getrandbits(128)))

    def ts() -> str:
        return (
            f"2026-11-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:"
            f"{r.randint(0, 59):02d}.{r.randint(0, 999):03d}Z"
        )

    def line() -> str:
        kind = r.choice((8, 10)) if r.random() < hard_share else r.randrange(8) + (r.random() < 0.2)
        if kind == 0:
            path = r.choice(_PATHS).format(hexs(12))
            return (
                f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)} - - "
                f"[23/Nov/2026:13:{r.randint(0, 59):02d}:{r.randint(0, 59):02d} +0000] "
                f'"{r.choice(["GET", "POST"])} {path} HTTP/1.1" {r.choice([200, 201, 304, 404])} '
                f'{r.randint(100, 90000)} "https://app.example.com/dashboard" '
                f'"{r.choice(_AGENTS)}" rt={r.random():.3f}'
            )
        if kind == 1:
            return json.dumps(
                {"ts": ts(), "level": "info", "logger": "app.worker", "msg": "job finished",
                 "job_id": uid(), "commit": hexs(40), "duration_ms": r.randint(1, 5000),
                 "trace_id": hexs(32), "span_id": hexs(16)}
            )  # fmt: skip
        if kind == 2:
            return (
                f"{ts()[:10]} {ts()[11:19]},{r.randint(0, 999):03d} INFO app.client: POST "
                f"https://openrouter.ai/api/v1/chat/completions -> 200 in {r.random() * 3:.2f}s "
                f"(model=openai/gpt-4o, prompt_tokens={r.randint(1, 4000)}, "
                f"completion_tokens={r.randint(1, 900)}, cost={r.random() / 100:.6f})"
            )
        if kind == 3:
            return json.dumps(
                {"ts": ts(), "level": "debug", "msg": "cache put",
                 "key": f"user:{r.randint(1, 10**6)}", "etag": f'W/"{hexs(16)}"',
                 "digest": "sha256:" + hashlib.sha256(r.randbytes(8)).hexdigest(),
                 "blob": b64(r.randint(30, 90))}
            )  # fmt: skip
        if kind == 4:
            return (
                f"{ts()} WARN scheduler: task-runner-{r.randint(1, 99)} retry {r.randint(1, 5)}/5 "
                f"for job {uid()}: upstream returned 503 (request_id=req_{hexs(24)})"
            )
        if kind == 5:
            return json.dumps(
                {"time": ts(), "level": "info", "event": "usage.recorded",
                 "model": "anthropic/claude-sonnet-4", "max_tokens": 1024,
                 "usage": {"prompt_tokens": r.randint(1, 9000),
                           "completion_tokens": r.randint(1, 900),
                           "total_tokens": r.randint(1, 9900)},
                 "generation_id": f"gen-{hexs(10)}-{''.join(r.choice(_ALNUM) for _ in range(20))}"}
            )  # fmt: skip
        if kind == 6:
            return (
                f"Nov 23 13:{r.randint(0, 59):02d}:{r.randint(0, 59):02d} host-{r.randint(1, 9)} "
                f"sshd[{r.randint(100, 99999)}]: Accepted publickey for deploy from "
                f"10.0.{r.randint(0, 255)}.{r.randint(1, 254)} port {r.randint(1024, 65535)} ssh2: "
                f"ED25519 SHA256:{b64(32)[:43]}"
            )
        if kind == 7:
            return (
                f"{ts()} INFO k8s: pod/api-{hexs(10)}-{hexs(5)} "
                f"image=registry.example.com/api@sha256:{hexs(64)} ready=true "
                f"restarts={r.randint(0, 3)} node=ip-10-0-{r.randint(0, 255)}-"
                f"{r.randint(0, 255)}.ec2.internal"
            )
        if kind == 8:
            return (
                f"{ts()} INFO auth: user {r.randint(1, 99999)} logged in via oauth "
                f"(session_count={r.randint(1, 9)}, token_type=bearer, expires_in=3600, "
                f"scope=openid profile email)"
            )
        if kind == 9:
            return (
                f"{ts()} DEBUG git: fetched {hexs(40)}..{hexs(40)} from "
                f"https://github.com/acme/api.git ({r.randint(1, 999)} objects, "
                f"{r.randint(1, 99)} KiB)"
            )
        return json.dumps(
            {"ts": ts(), "msg": "config loaded", "api_key": "env://OPENROUTER_API_KEY",
             "password_file": "/run/secrets/db", "secret_ref": "aws://prod/openrouter#api_key",
             "max_tokens": 4096, "temperature": 0.7, "token_limit": 128000}
        )  # fmt: skip

    return [line() for _ in range(n)]
