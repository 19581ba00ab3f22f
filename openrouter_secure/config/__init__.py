"""Secure MCP configuration files and the tool policy.

- :func:`load_config`, :func:`validate_config` and :func:`save_config` read, check and
  write MCP-style config documents (JSON, JSON with comments, TOML, YAML) that hold no
  literal secret, only ``${VAR}`` and ``${secret:REF}`` references;
- :func:`fix_permissions` makes a config file private to its owner;
- :func:`write_private` writes any sensitive file (a config, results, state) atomically
  with mode 0600, never loosening an existing mode;
- :class:`ToolPolicy` decides which tools, prompts and resources a server exposes,
  from allow and deny globs, denying by default.
"""

from __future__ import annotations

from .._files import write_private
from ._load import (
    ConfigFinding,
    InsecureConfigWarning,
    load_config,
    save_config,
    validate_config,
)
from ._permissions import fix_permissions
from ._policy import CodeMode, Decision, ToolPolicy

__all__ = [
    "CodeMode",
    "ConfigFinding",
    "Decision",
    "InsecureConfigWarning",
    "ToolPolicy",
    "fix_permissions",
    "load_config",
    "save_config",
    "validate_config",
    "write_private",
]
