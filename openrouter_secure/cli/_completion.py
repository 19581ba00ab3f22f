"""``openrouter-secure completion bash|zsh|fish``: print a shell completion script.

The script is generated from the command's own argparse tree (commands, their
sub-commands and options, with their help), so it always matches the installed
version; no completion library is needed. Options that take a value and positional
arguments complete file names.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from typing import Any

PROG = "openrouter-secure"


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for SHELL. bash: add "
        '`eval "$(openrouter-secure completion bash)"` to ~/.bashrc; zsh: add '
        '`eval "$(openrouter-secure completion zsh)"` to ~/.zshrc (after compinit); fish: '
        "openrouter-secure completion fish > ~/.config/fish/completions/openrouter-secure.fish",
    )
    parser.add_argument("shell", metavar="SHELL", choices=("bash", "zsh", "fish"))
    parser.set_defaults(handler=run)


@dataclass
class Node:
    """One command level: its sub-commands and its options."""

    commands: dict[str, tuple[str, Node]] = field(default_factory=dict)
    # (option strings, help, takes a value)
    options: list[tuple[list[str], str, bool]] = field(default_factory=list)


def tree(parser: argparse.ArgumentParser) -> Node:
    """The command tree of ``parser``."""
    node = Node()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, child in action.choices.items():
                node.commands[name] = (str(helps.get(name, "")), tree(child))
        elif not action.option_strings and action.choices:
            for choice in action.choices:  # a positional's fixed values (SHELL)
                node.commands[str(choice)] = ("", Node())
        elif action.option_strings and action.help != argparse.SUPPRESS:
            takes = action.nargs != 0 and not isinstance(
                action, (argparse._HelpAction, argparse._VersionAction)
            )
            node.options.append((list(action.option_strings), action.help or "", takes))
    return node


def _walk(node: Node, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Node]]:
    out = [(path, node)]
    for name, (_, child) in node.commands.items():
        out += _walk(child, (*path, name))
    return out


def _label(path: tuple[str, ...]) -> str:
    """A command path as a quoted shell ``case`` label (the top level is ``''``)."""
    return shlex.quote(" ".join(path))


def _path_cases(root: Node) -> str:
    """``case`` arms that extend the command path by one known sub-command."""
    arms = [f"            {_label(p)}) cmdpath={_label(p)} ;;" for p, _ in _walk(root) if p]
    return "\n".join(arms)


def _select(root: Node, cases: list[str], *, first: int, before: str, word: str) -> str:
    """Shell for bash and zsh alike: walk the words typed before the cursor (``word``
    at index ``i``, from ``first`` to ``before``), skipping options, to the deepest
    known command path, then run that path's arm of ``cases`` (which sets
    ``commands`` and ``options``)."""
    return f"""    for ((i = {first}; i < {before}; i++)); do
        w="{word}"
        [[ $w == -* ]] && continue
        case "${{cmdpath:+$cmdpath }}$w" in
{_path_cases(root)}
        esac
    done
    case "$cmdpath" in
{chr(10).join(cases)}
    esac"""


def bash(root: Node) -> str:
    cases = []
    for path, node in _walk(root):
        commands = shlex.quote(" ".join(node.commands))
        options = shlex.quote(" ".join(o for opts, _, _ in node.options for o in opts))
        cases.append(f"        {_label(path)}) commands={commands} options={options} ;;")
    return f"""# bash completion for {PROG}
_openrouter_secure() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" cmdpath="" commands="" options="" i w
{_select(root, cases, first=1, before="COMP_CWORD", word="${COMP_WORDS[i]}")}
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
    elif [[ -n $commands ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    fi
    if [[ ${{#COMPREPLY[@]}} -eq 0 ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _openrouter_secure {PROG}
"""


def _zsh_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:").replace("'", "'\\''")


def zsh(root: Node) -> str:
    cases = []
    for path, node in _walk(root):
        commands = " ".join(
            f"'{_zsh_quote(name)}:{_zsh_quote(help_.splitlines()[0] if help_ else '')}'"
            for name, (help_, _) in node.commands.items()
        )
        options = " ".join(f"'{_zsh_quote(o)}'" for opts, _, _ in node.options for o in opts)
        cases.append(f"        {_label(path)}) commands=({commands}); options=({options}) ;;")
    return f"""#compdef {PROG}
# zsh completion for {PROG}
_openrouter_secure() {{
    local cmdpath="" w i
    local -a commands options
{_select(root, cases, first=2, before="CURRENT", word="${words[i]}")}
    if [[ ${{words[CURRENT]}} == -* ]]; then
        compadd -a options
    elif (( ${{#commands}} )); then
        _describe -t commands '{PROG} command' commands
    else
        _files
    fi
}}
compdef _openrouter_secure {PROG}
"""


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(root: Node) -> str:
    lines = [f"# fish completion for {PROG}", f"complete -c {PROG} -f"]
    for path, node in _walk(root):
        if path:
            condition = f"__fish_seen_subcommand_from {path[-1]}"
            if len(path) > 1:
                condition = f"__fish_seen_subcommand_from {path[-2]}; and {condition}"
        else:
            condition = "__fish_use_subcommand"
        children = " ".join(node.commands)
        if children and path:
            condition += f"; and not __fish_seen_subcommand_from {children}"
        for name, (help_, _) in node.commands.items():
            short = help_.splitlines()[0] if help_ else ""
            lines.append(
                f"complete -c {PROG} -n {_fish_quote(condition)} -a {name} -d {_fish_quote(short)}"
            )
        for opts, help_, takes in node.options:
            flags = " ".join(f"-l {o[2:]}" if o.startswith("--") else f"-s {o[1:]}" for o in opts)
            value = " -r -F" if takes else ""
            lines.append(
                f"complete -c {PROG} -n {_fish_quote(condition)} {flags}{value} "
                f"-d {_fish_quote(help_.splitlines()[0] if help_ else '')}"
            )
        if not node.commands and path:
            lines.append(f"complete -c {PROG} -n {_fish_quote(condition)} -F")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from . import build_parser

    root = tree(build_parser())
    script = {"bash": bash, "zsh": zsh, "fish": fish}[args.shell](root)
    print(script, end="")
    return 0
