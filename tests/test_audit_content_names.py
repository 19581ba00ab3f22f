"""Audit fields named with a content word run together with others hold content; the
same names ending in a metadata word stay metadata."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from openrouter_secure.audit import AUDITED_EVENTS, AuditLog

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


# Plurals, single words and chat vocabulary a caller may use for what a user said or a
# model answered.
CHAT_VOCABULARY = [
    "texts", "bodies", "msg", "user_msg", "userMsg", "usermsg", "msgs", "question",
    "answer", "answers", "reply", "replies", "chat_history", "chatHistory", "chathistory",
    "history", "conversation", "conversation_log", "dialogue", "utterances", "queries",
    "context", "documents", "passage", "summary", "result", "payload", "generation",
    "text2", "reply_1", "answer3", "txt", "resp", "llm_resp",
]  # fmt: skip
# Ordinary audit fields: tool names, outcome, duration, counts, ids, model names.
ORDINARY = [
    "tool", "tool_name", "outcome", "duration_ms", "count", "message_count", "request_id",
    "model", "model_name", "chat_model", "response_time", "conversation_id", "chat_id",
    "question_id", "reply_to", "text_length", "history_len", "document_ids", "status",
]  # fmt: skip


@pytest.mark.parametrize("name", CHAT_VOCABULARY)
def test_chat_vocabulary_and_plural_names_are_redacted(tmp_path: Path, name: str) -> None:
    said = "patient record " + secrets.token_hex(8)
    path = tmp_path / "audit.jsonl"
    AuditLog(path).log("app.chat", **{name: said})
    text = path.read_text(encoding="utf-8")
    assert said not in text
    assert json.loads(text)["fields"][name] == f"<REDACTED: {len(said)} chars>"


def test_everything_nested_under_a_chat_history_is_redacted(tmp_path: Path) -> None:
    said = "patient record " + secrets.token_hex(8)
    path = tmp_path / "audit.jsonl"
    AuditLog(path).log("app.chat", chat_history=[{"role": "user", "parts": [said]}])
    assert said not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    ORDINARY + sorted({field for fields in AUDITED_EVENTS.values() for field in fields}),
)
def test_ordinary_audit_fields_stay_readable(tmp_path: Path, name: str) -> None:
    assert _fields(tmp_path, name, "gpt-4o ok 12")[name] == "gpt-4o ok 12"
