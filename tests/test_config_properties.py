"""Property tests: a planted key is always found; references alone always pass."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import openrouter_secure as ors
import openrouter_secure.config
from openrouter_secure.config._scan import is_credential_name, render_path
from openrouter_secure.testing import assert_no_leak, make_canary

# Key names that carry meaning for the server checks or the tool policy are left out,
# so a random document is never invalid for reasons other than the planted secret.
_RESERVED = {
    "servers",
    "mcp_servers",
    "context_servers",
    "projects",
    "env",
    "headers",
    "args",
    "command",
    "url",
    "default",
    "name",
    "value",
    "key",
}
# (nor a credential's name, ``pat``, ``pwd``: a literal under one is refused by design)
names = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True).filter(
    lambda s: s not in _RESERVED and "tool" not in s and not is_credential_name(s)
)
words = st.sampled_from(["", "hello", "stdio", "info", "eu-west-1", "/usr/bin/node", "42"])
scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | words


def documents(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    tree = st.recursive(
        leaf,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(names, children, max_size=4)
        ),
        max_leaves=20,
    )
    return st.dictionaries(names, tree, max_size=5)


def plant(doc: dict[str, Any], data: st.DataObject, value: str, name: str | None) -> str:
    """Put ``value`` somewhere in ``doc``; return its JSON path."""
    node: Any = doc
    segs: list[str | int] = []
    while True:
        children = (
            [(k, v) for k, v in node.items() if isinstance(v, (dict, list))]
            if isinstance(node, dict)
            else [(i, v) for i, v in enumerate(node) if isinstance(v, (dict, list))]
        )
        if children and data.draw(st.booleans()):
            k, node = data.draw(st.sampled_from(children))
            segs.append(k)
            continue
        if isinstance(node, dict):
            taken = set(node)
            key = name or data.draw(names.filter(lambda s, taken=taken: s not in taken))
            node[key] = value
            segs.append(key)
        else:
            if name is not None:  # a named secret goes into a one-entry object
                node.append({name: value})
                segs += [len(node) - 1, name]
            else:
                node.append(value)
                segs.append(len(node) - 1)
        return render_path(tuple(segs))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(scalars), st.data())
def test_a_recognisable_key_planted_anywhere_is_rejected(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    key = make_canary()
    value = data.draw(st.sampled_from([key, f"token is {key} ok", f"--api-key={key}"]))
    where = plant(doc, data, value, None)
    if data.draw(st.booleans()):  # inside a server entry, where placeholders are parsed
        doc = {"mcpServers": {"srv": doc}}
        where = f"mcpServers.srv.{where}"
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config(doc)
    assert where in [f.path for f in caught.value.findings]
    assert_no_leak(key, caught.value, repr(caught.value.findings))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(scalars), st.data())
def test_an_unrecognisable_value_under_a_secret_name_is_rejected(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    key = make_canary("plain")
    name = data.draw(
        st.sampled_from(["OPENROUTER_API_KEY", "apiKey", "password", "X-Api-Key", "client_secret"])
    )
    where = plant(doc, data, key, name)
    if data.draw(st.booleans()):
        doc = {"mcpServers": {"srv": doc}}
        where = f"mcpServers.srv.{where}"
    with pytest.raises(ors.InsecureConfigError) as caught:
        ors.config.validate_config(doc)
    assert where in [f.path for f in caught.value.findings]
    assert_no_leak(key, caught.value, repr(caught.value.findings))


references = st.sampled_from(
    [
        "${secret:keyring://openrouter-mcp/api_key}",
        "${secret:env://OPENROUTER_API_KEY}",
        "${secret:vault://secret/openrouter#api_key}",
        "${env:OPENROUTER_API_KEY}",
        "${OPENROUTER_API_KEY}",
        "Bearer ${secret:env://TOKEN}",
        "keyring://openrouter-mcp/api_key",
    ]
)
secret_names = st.sampled_from(["OPENROUTER_API_KEY", "apiKey", "Authorization", "token"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents(st.none() | st.booleans() | st.integers() | references),
    st.dictionaries(secret_names, references, max_size=4),
)
def test_documents_with_only_references_pass(doc: dict[str, Any], named: dict[str, str]) -> None:
    doc.update(named)
    assert ors.config.validate_config(doc) == []
    server_doc = {"mcpServers": {"s": {"command": "x", "env": dict(named), "extra": doc}}}
    assert ors.config.validate_config(server_doc) == []
