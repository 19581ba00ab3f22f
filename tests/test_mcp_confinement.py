"""``secure(allowed_roots=...)``: every string argument that is or names a path, under
any name and at any depth, stays inside the roots. A real ``MCPServer`` whose tool
reads the file it is given, driven by the SDK's in-process client; the file outside the
roots holds a canary that must never come back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.server.mcpserver import MCPServer

from openrouter_secure.audit._log import AuditLog
from openrouter_secure.mcp import is_path_argument, looks_like_path, secure
from openrouter_secure.testing import make_canary
from tests.mcp_audit import events, fields


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, str]:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("inside")
    secret = make_canary()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(secret)
    return root, outside, secret


def reader(seen: list[Any]) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer("files")

    @server.tool()
    def read_any(arguments: dict[str, Any]) -> str:
        """Reads every string it finds, as a careless tool would."""
        seen.append(arguments)
        out = []

        def walk(value: Any) -> None:
            if isinstance(value, str):
                try:
                    out.append(Path(value).expanduser().read_text())
                except OSError:
                    out.append("-")
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk(arguments)
        return " | ".join(out)

    return server


async def call_reader(
    root: Path, arguments: dict[str, Any], **options: Any
) -> tuple[Any, list[Any]]:
    """Call :func:`reader`'s tool on a server secured with ``allowed_roots=[root]`` (and
    ``options``): the result, and the arguments the tool received (none if refused)."""
    seen: list[Any] = []
    server = secure(reader(seen), allowed_roots=[root], **options)
    async with Client(server) as client:
        result = await client.call_tool("read_any", {"arguments": arguments})
    return result, seen


@pytest.mark.parametrize(
    "arguments",
    [
        {"file_name": "{outside}/secret.txt"},
        {"fileName": "{outside}/secret.txt"},
        {"pathname": "{outside}/secret.txt"},
        {"dest": "{outside}/secret.txt"},
        {"target": "{outside}/secret.txt"},
        {"options": {"file_name": "{outside}/secret.txt"}},
        {"items": [{"source": "{outside}/secret.txt"}]},
        {"message": "file://{outside}/secret.txt"},
        {"what": "sub/../../outside/secret.txt"},
        {"paths": ["sub/a.txt", "../outside/secret.txt"]},
        {"what": "  {outside}/secret.txt\n"},
        # URL schemes are case-insensitive; a local host and escapes change nothing.
        {"url": "FILE://{outside}/secret.txt"},
        {"url": "File://localhost{outside}/secret.txt"},
        {"url": "fIlE:{outside}/%73ecret.txt"},
        {"url": "file://other-host{outside}/secret.txt"},
        # No length lets a path skip the check (a tool may normalise it before opening).
        {"target": "/" * 4100 + "{outside}/secret.txt"},
        {"target": "./" * 2100 + "../outside/secret.txt"},
        {"url": "file://" + "/" * 4100 + "{outside}/secret.txt"},
    ],
    ids=lambda a: repr(a)[:40],
)
async def test_a_path_under_any_name_at_any_depth_is_refused(
    layout: tuple[Path, Path, str],
    arguments: dict[str, Any],
    audit: AuditLog,
    audit_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, outside, secret = layout
    monkeypatch.chdir(root)  # relative paths a tool opens resolve inside the root
    filled = eval(repr(arguments).replace("{outside}", str(outside)))  # noqa: S307 - test data
    result, seen = await call_reader(root, filled, audit=audit)
    assert result.is_error
    assert secret not in result.model_dump_json()
    assert seen == []
    [refused] = [fields(r) for r in events(audit_path, "tool.path_refused")]
    assert refused["argument"].startswith("arguments.")


async def test_a_bare_name_of_a_file_in_the_working_directory_is_checked(
    layout: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, outside, secret = layout
    monkeypatch.chdir(outside)  # the server runs outside its roots
    result, _ = await call_reader(root, {"target": "secret.txt"})
    assert result.is_error
    assert secret not in result.model_dump_json()


async def test_paths_inside_and_plain_text_pass_and_named_ones_are_resolved(
    layout: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _, _ = layout
    monkeypatch.chdir(root)
    arguments = {
        "options": {"file_name": "sub/a.txt"},
        "message": "hello world, see https://example.com/../x",
        "note": "a/b",
    }
    result, seen = await call_reader(root, arguments)
    assert not result.is_error
    assert seen[0]["options"]["file_name"] == str((root / "sub" / "a.txt").resolve())
    assert seen[0]["message"] == arguments["message"]
    assert "inside" in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("file_name", True), ("fileName", True), ("pathname", True), ("dest", True),
     ("dir_names", True), ("target", False), ("profile", False)],
)  # fmt: skip
def test_path_names(name: str, expected: bool) -> None:
    assert is_path_argument(name) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/etc/passwd", True), ("C:\\x", True), ("~/.ssh/id_rsa", True), ("../x", True),
     ("a/../../b", True), ("file:///etc/passwd", True), ("FILE:///etc/passwd", True),
     ("File:/etc/passwd", True), ("hello", False), ("a/b", False),
     ("https://example.com/../x", False), ("x..y", False)],
)  # fmt: skip
def test_path_shapes(value: str, expected: bool) -> None:
    assert looks_like_path(value) is expected


async def test_a_long_padded_path_inside_the_roots_and_long_text_pass(
    layout: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _, _ = layout
    monkeypatch.chdir(root)
    arguments = {
        "target": "/" * 4100 + str(root / "sub" / "a.txt").lstrip("/"),
        "text": "word " * 2000 + "https://example.com/a/b",
    }
    result, seen = await call_reader(root, arguments)
    assert not result.is_error
    assert seen == [arguments]


async def test_a_path_too_long_to_resolve_is_refused(
    layout: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Resolving it would take time growing with its length: it is refused, not skipped.
    root, _, _ = layout
    monkeypatch.chdir(root)
    result, seen = await call_reader(root, {"target": str(root) + "/sub" * 2000})
    assert result.is_error
    assert "too long" in result.content[0].text  # type: ignore[union-attr]
    assert seen == []


async def test_a_lexical_escape_through_a_link_is_refused(
    layout: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # root/deep -> root/sub/x: 'deep/../../outside' stays inside for the system but
    # leaves the root for a tool that normalises the path before opening it.
    root, _, secret = layout
    (root / "sub" / "x").mkdir()
    (root / "deep").symlink_to(root / "sub" / "x")
    monkeypatch.chdir(root)
    result, seen = await call_reader(root, {"target": "deep/../../outside/secret.txt"})
    assert result.is_error
    assert secret not in result.model_dump_json()
    assert seen == []
