"""Audit fields named with a content word run together with others hold content; the
same names ending in a metadata word stay metadata."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from openrouter_secure.audit import AuditLog

RUN_TOGETHER = [
    "userprompt", "systemprompt", "prompttext", "rawprompt", "usermessage", "chatmessages",
    "htmlcontent", "llmcompletion", "systeminstructions", "USERPROMPT",
]  # fmt: skip
METADATA = [
    "prompt_tokens", "prompt_name", "message_id", "content_type", "content_length",
    "prompttokens", "messageid", "contenttype", "contentlength", "completioncount",
]  # fmt: skip


def _fields(tmp_path: Path, name: str, value: str) -> dict[str, object]:
    path = tmp_path / f"{name}.jsonl"
    AuditLog(path).log("llm.request", **{name: value})
    line = path.read_text(encoding="utf-8").splitlines()[0]
    fields: dict[str, object] = json.loads(line)["fields"]
    return fields


@pytest.mark.parametrize("name", RUN_TOGETHER)
def test_run_together_content_names_are_redacted(tmp_path: Path, name: str) -> None:
    prompt = "private user prompt " + secrets.token_hex(8)
    fields = _fields(tmp_path, name, prompt)
    assert fields[name] == f"<REDACTED: {len(prompt)} chars>"


@pytest.mark.parametrize("name", METADATA)
def test_metadata_names_stay_in_clear(tmp_path: Path, name: str) -> None:
    assert _fields(tmp_path, name, "text/plain-42")[name] == "text/plain-42"
