"""Realistic MCP config documents (Claude Desktop, Claude Code, Cursor, VS Code shapes).

Each builder takes the secret to hide (made at run time by the test) and returns the
document plus the JSON path where the secret sits. ``clean_*`` builders hold only
references.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Doc = dict[str, Any]


def claude_desktop_env(key: str) -> tuple[Doc, str]:
    return (
        {
            "mcpServers": {
                "filesystem": {
                    "command": "npx",
                    "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/notes"],
                },
                "openrouter": {
                    "command": "uvx",
                    "args": ["openrouter-mcp"],
                    "env": {"OPENROUTER_API_KEY": key, "LOG_LEVEL": "info"},
                },
            },
            "globalShortcut": "Ctrl+Space",
        },
        "mcpServers.openrouter.env.OPENROUTER_API_KEY",
    )


def claude_desktop_args(key: str) -> tuple[Doc, str]:
    return (
        {
            "mcpServers": {
                "llm": {
                    "command": "python",
                    "args": ["-m", "my_llm_server", "--api-key", key, "--verbose"],
                }
            }
        },
        "mcpServers.llm.args[3]",
    )


def claude_desktop_args_equals(key: str) -> tuple[Doc, str]:
    return (
        {"mcpServers": {"llm": {"command": "node", "args": ["server.js", f"--token={key}"]}}},
        "mcpServers.llm.args[1]",
    )


def claude_code_project(key: str) -> tuple[Doc, str]:
    return (
        {
            "numStartups": 12,
            "projects": {
                "/home/me/code/app": {
                    "allowedTools": [],
                    "mcpServers": {
                        "search": {
                            "type": "stdio",
                            "command": "search-mcp",
                            "env": {"SEARCH_TOKEN": key},
                        }
                    },
                }
            },
            "mcpServers": {},
        },
        'projects["/home/me/code/app"].mcpServers.search.env.SEARCH_TOKEN',
    )


def cursor_headers(key: str) -> tuple[Doc, str]:
    return (
        {
            "mcpServers": {
                "remote": {
                    "url": "https://mcp.example.com/sse",
                    "headers": {"Authorization": f"Bearer {key}"},
                }
            }
        },
        "mcpServers.remote.headers.Authorization",
    )


def cursor_url_query(key: str) -> tuple[Doc, str]:
    return (
        {"mcpServers": {"remote": {"url": f"https://mcp.example.com/mcp?key={key}&v=2"}}},
        "mcpServers.remote.url",
    )


def url_userinfo(key: str) -> tuple[Doc, str]:
    return (
        {"mcpServers": {"db": {"url": f"https://admin:{key}@mcp.example.com/mcp"}}},
        "mcpServers.db.url",
    )


def vscode_nested(key: str) -> tuple[Doc, str]:
    return (
        {
            "servers": {
                "tools": {
                    "type": "stdio",
                    "command": "tools-mcp",
                    "options": {"auth": {"credentials": [{"name": "API_KEY", "value": key}]}},
                }
            }
        },
        "servers.tools.options.auth.credentials[0].value",
    )


def docker_env_arg(key: str) -> tuple[Doc, str]:
    return (
        {
            "mcpServers": {
                "github": {
                    "command": "docker",
                    "args": [
                        "run",
                        "-i",
                        "--rm",
                        "-e",
                        f"GITHUB_PERSONAL_ACCESS_TOKEN={key}",
                        "gh",
                    ],
                }
            }
        },
        "mcpServers.github.args[4]",
    )


def shell_command(key: str) -> tuple[Doc, str]:
    return (
        {"mcpServers": {"sh": {"command": f"sh -c 'exec my-server --api-key {key} --port 9'"}}},
        "mcpServers.sh.command",
    )


LEAKY: dict[str, Callable[[str], tuple[Doc, str]]] = {
    "docker-env-arg": docker_env_arg,
    "shell-command": shell_command,
    "claude-desktop-env": claude_desktop_env,
    "claude-desktop-args": claude_desktop_args,
    "claude-desktop-args-equals": claude_desktop_args_equals,
    "claude-code-project": claude_code_project,
    "cursor-headers": cursor_headers,
    "cursor-url-query": cursor_url_query,
    "url-userinfo": url_userinfo,
    "vscode-nested": vscode_nested,
}


def clean_config() -> Doc:
    return {
        "mcpServers": {
            "openrouter": {
                "command": "uvx",
                "args": [
                    "openrouter-mcp",
                    "--api-key",
                    "${secret:keyring://openrouter-mcp/api_key}",
                ],
                "env": {
                    "OPENROUTER_API_KEY": "${secret:keyring://openrouter-mcp/api_key}",
                    "OPENROUTER_BASE": "${OPENROUTER_BASE:-https://openrouter.ai/api/v1}",
                    "GOOGLE_APPLICATION_CREDENTIALS": "/home/me/.config/gcloud/sa.json",
                },
                "allowedTools": ["chat"],
                "default": "deny",
            },
            "remote": {
                "url": "https://mcp.example.com/mcp?v=2",
                "headers": {"Authorization": "Bearer ${secret:env://REMOTE_TOKEN}"},
            },
            "local": {
                "url": "http://127.0.0.1:8765/mcp",
                "allowInsecureLoopback": True,
                "env": {"API_TOKEN": "${env:LOCAL_TOKEN}"},
            },
        }
    }
