"""Tool access policy: precedence, glob semantics, validation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter_secure import ConfigurationError
from openrouter_secure.config import CodeMode, Decision, ToolPolicy
from openrouter_secure.config._policy import Glob

GITHUB: dict[str, Any] = {
    "mcpServers": {
        "github": {
            "command": "github-mcp",
            "env": {"GITHUB_TOKEN": "${secret:keyring://github/token}"},
            "allowedTools": ["get_issue", "delete_repo", "admin.list"],
            "allowedToolsGlob": ["read_*", "repos/**", "admin.*"],
            "deniedTools": ["delete_repo"],
            "denyToolsGlob": ["*_secret", "admin.**.purge"],
        },
        "open": {"command": "x", "default": "allow", "deniedTools": ["rm"]},
        "closed": {"command": "y"},
    }
}


@pytest.fixture
def policy() -> ToolPolicy:
    return ToolPolicy.from_config(GITHUB)


@pytest.mark.parametrize(
    ("server", "tool", "allowed", "rule"),
    [
        ("github", "delete_repo", False, "deny:exact:delete_repo"),  # deny exact beats allow exact
        ("github", "read_secret", False, "deny:glob:*_secret"),  # deny glob beats allow glob
        ("github", "admin.x.purge", False, "deny:glob:admin.**.purge"),
        ("github", "get_issue", True, "allow:exact:get_issue"),
        ("github", "admin.list", True, "allow:exact:admin.list"),
        ("github", "read_file", True, "allow:glob:read_*"),
        ("github", "repos/a/b/c", True, "allow:glob:repos/**"),
        ("github", "admin.users", True, "allow:glob:admin.*"),
        ("github", "write_file", False, "default:deny"),
        ("open", "anything", True, "default:allow"),
        ("open", "rm", False, "deny:exact:rm"),
        ("closed", "anything", False, "default:deny"),
        ("nobody", "read_file", False, "deny:unknown-server"),
    ],
)
def test_precedence_and_rules(
    policy: ToolPolicy, server: str, tool: str, allowed: bool, rule: str
) -> None:
    assert policy.check(server, tool) == Decision(allowed, rule)


def test_deny_glob_beats_allow_exact() -> None:
    policy = ToolPolicy.from_config({"allowedTools": ["drop_table"], "denyToolsGlob": ["drop_*"]})
    assert policy.check("any", "drop_table") == Decision(False, "deny:glob:drop_*")


def test_allow_exact_beats_allow_glob() -> None:
    policy = ToolPolicy.from_config({"allowedTools": ["read_x"], "allowedToolsGlob": ["read_*"]})
    assert policy.check("s", "read_x").rule == "allow:exact:read_x"


def test_one_block_applies_to_every_server() -> None:
    policy = ToolPolicy.from_config({"allowedToolsGlob": ["search*"]})
    assert policy.check("a", "search").allowed
    assert policy.check("b", "searchAll").allowed
    assert not policy.check("b", "write")


def test_server_map_without_wrapper() -> None:
    policy = ToolPolicy.from_config({"s": {"allowedTools": ["t"]}})
    assert policy.check("s", "t").allowed
    assert policy.servers() == ["s"]


def test_aliases_of_other_clients_deny() -> None:
    policy = ToolPolicy.from_config(
        {"mcpServers": {"w": {"default": "allow", "disabledTools": ["a"], "excludeTools": ["b"]}}}
    )
    assert not policy.check("w", "a")
    assert not policy.check("w", "b")
    assert policy.check("w", "c")


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("read_*", "read_file", True),
        ("read_*", "read_", True),
        ("read_*", "read_a/b", False),  # * stops at /
        ("read_*", "read_a.b", False),  # * stops at .
        ("**", "a/b.c", True),
        ("repos/**", "repos/x/y.z", True),
        ("repos/**", "repos", False),
        ("a.*.c", "a.b.c", True),
        ("a.*.c", "a.b.x.c", False),
        ("a.**.c", "a.b.x.c", True),
        ("a.**.c", "a..c", True),
        ("get_?", "get_x", True),
        ("get_?", "get_.", False),
        ("get_?", "get_xy", False),
        ("[abc]_tool", "b_tool", True),
        ("[abc]_tool", "d_tool", False),
        ("[!abc]_tool", "d_tool", True),
        ("[a-c]x", "cx", True),
        ("[a-c]x", "dx", False),
        ("\\*lit", "*lit", True),
        ("\\*lit", "xlit", False),
        ("exact", "exact", True),
        ("exact", "exactly", False),
        ("*", "", True),
    ],
)
def test_glob_semantics(pattern: str, name: str, matches: bool) -> None:
    assert Glob(pattern).match(name) is matches


@pytest.mark.parametrize("pattern", ["", "[abc", "a]", "***", "x\\", "[]", "[z-a]", "a" * 300])
def test_invalid_globs_are_configuration_errors(pattern: str) -> None:
    with pytest.raises(ConfigurationError, match=r"(?i)glob"):
        ToolPolicy.from_config({"mcpServers": {"s": {"allowedToolsGlob": [pattern]}}})


def test_glob_matching_is_linear_in_the_name() -> None:
    # A pattern that makes a backtracking matcher explode on a near-miss.
    glob = Glob("**a**a**a**a**a**a**a**b")
    assert not glob.match("a" * 5000)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab./_", max_size=12), st.text(alphabet="ab./_*?", max_size=8))
def test_glob_agrees_with_a_reference_regex(name: str, pattern: str) -> None:
    import re

    if "***" in pattern:
        return
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            regex += ".*"
            i += 2
        elif pattern[i] == "*":
            regex += "[^/.]*"
            i += 1
        elif pattern[i] == "?":
            regex += "[^/.]"
            i += 1
        else:
            regex += re.escape(pattern[i])
            i += 1
    if not pattern:
        return
    expected = re.fullmatch(regex, name, re.S) is not None
    assert Glob(pattern).match(name) is expected


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"allowTools": ["x"]}, "did you mean 'allowedTools'"),
        ({"deniedToolsGlob": ["x"]}, "unknown tool-policy key"),
        ({"default": "maybe"}, 'must be "deny" or "allow"'),
        ({"allowedTools": "read"}, "expected a list"),
        ({"allowedTools": [""]}, "non-empty string"),
        ({"codeMode": {"enabled": True, "timeout": 0}}, "timeout"),
        ({"codeMode": {"enabled": True, "timeout": 3600}}, "at most 300"),
        ({"codeMode": {"enabled": "yes"}}, "true or false"),
        ({"codeMode": {"allowNetwork": True}}, "unknown codeMode key"),
        ({"codeMode": []}, "must be an object"),
    ],
)
def test_bad_policy_blocks_are_clear_errors(block: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ToolPolicy.from_config({"mcpServers": {"s": {"command": "x", **block}}})


def test_code_mode_defaults_and_values() -> None:
    policy = ToolPolicy.from_config(
        {
            "mcpServers": {
                "a": {"codeMode": {"enabled": True, "timeout": 12.5}},
                "b": {"command": "x"},
            }
        }
    )
    assert policy.code_mode("a") == CodeMode(enabled=True, timeout=12.5, allow_fetch=False)
    assert policy.code_mode("b") == CodeMode()
    assert policy.code_mode("missing") == CodeMode(enabled=False)


def test_non_policy_server_keys_are_ignored() -> None:
    policy = ToolPolicy.from_config(
        {"mcpServers": {"s": {"command": "x", "args": [], "env": {}, "type": "stdio"}}}
    )
    assert policy.check("s", "t") == Decision(False, "default:deny")


def test_invalid_tool_names_are_denied(policy: ToolPolicy) -> None:
    assert policy.check("open", "") == Decision(False, "deny:invalid-name")
    assert policy.check("open", "x" * 5000) == Decision(False, "deny:invalid-name")


@pytest.mark.parametrize(
    "block",
    [
        {"default": "allow", "disabledTools": ["a"], "deniedTools": ["b"]},
        {"default": "allow", "deniedTools": ["b"], "disabledTools": ["a"]},
        {"default": "allow", "deniedTools": ["b"], "excludeTools": ["a"]},
    ],
    ids=["alias-first", "canonical-first", "gemini-after-canonical"],
)
def test_a_deny_list_in_two_spellings_keeps_both(block: dict[str, object]) -> None:
    policy = ToolPolicy.from_config({"mcpServers": {"w": block}})
    assert not policy.check("w", "a")
    assert not policy.check("w", "b")
    assert policy.check("w", "c")


def test_an_allow_list_in_two_spellings_keeps_both() -> None:
    block = {"allowedTools": ["a"], "includeTools": ["b"]}
    policy = ToolPolicy.from_config({"mcpServers": {"w": block}})
    assert policy.check("w", "a")
    assert policy.check("w", "b")
    assert not policy.check("w", "c")


def test_validate_config_checks_both_spellings_of_a_list() -> None:
    from openrouter_secure.config import validate_config

    doc = {"mcpServers": {"w": {"command": "x", "deniedTools": ["a"], "disabledTools": [3]}}}
    with pytest.raises(ConfigurationError, match="disabledTools"):
        validate_config(doc)


def test_allow_globs_reach_prompts_and_resources_only_by_naming_them() -> None:
    policy = ToolPolicy.from_config(
        {"s": {"allowedToolsGlob": ["*", "prompt:sum*", "resource:docs://**"]}}
    )
    assert policy.check("s", "search")
    assert policy.check("s", "prompt:summarize")
    assert not policy.check("s", "prompt:debug_dump")
    assert policy.check("s", "resource:docs://a/b")
    assert not policy.check("s", "resource:files://a")


def test_deny_globs_reach_every_kind() -> None:
    block = {"allowedToolsGlob": ["prompt:*"], "denyToolsGlob": ["*secret*"]}
    policy = ToolPolicy.from_config({"s": block})
    assert policy.check("s", "prompt:summarize")
    assert not policy.check("s", "prompt:secret_dump")


def test_has_server_names_what_the_policy_covers() -> None:
    policy = ToolPolicy.from_config({"mcpServers": {"git": {"allowedTools": ["log"]}}})
    assert policy.has_server("git")
    assert not policy.has_server("mcp-git")
    assert ToolPolicy.from_config({"allowedTools": ["x"]}).has_server("anything")
