"""Property tests: a key planted anywhere in a config *file* (values, keys, comments,
arrays, repeated keys, escaped or encoded forms) is refused, and nothing refused names it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_secure import InsecureConfigError
from openrouter_secure.config import validate_config
from openrouter_secure.testing import assert_no_leak, make_canary
from tests.test_config_properties import documents, names, plant

words = st.sampled_from(["", "hello", "stdio", "info", "eu-west-1", "/usr/bin/node", "42"])
# TOML has no null; every format here can hold these.
scalars = st.booleans() | st.integers(-1000, 1000) | words
FORMATS = ["json", "jsonc", "yaml", "toml"]
PLACES = ["value", "key", "array", "comment", "duplicate", "escaped"]


def dump(doc: dict[str, Any], fmt: str) -> str:
    if fmt in ("json", "jsonc"):
        return json.dumps(doc, indent=2)
    if fmt == "yaml":
        return str(yaml.safe_dump(doc, sort_keys=False))
    return tomli_w.dumps(doc)


def comment(fmt: str, text: str) -> str:
    return ("// " if fmt in ("json", "jsonc") else "# ") + text


def escaped(key: str, fmt: str) -> str:
    """``key`` as a quoted scalar whose every character is escaped (or YAML's !!binary)."""
    if fmt == "yaml":
        return "!!binary " + base64.b64encode(key.encode()).decode()
    return '"' + "".join(f"\\u{ord(c):04x}" for c in key) + '"'


def build(doc: dict[str, Any], fmt: str, place: str, key: str, data: st.DataObject) -> str:
    if place == "value":
        plant(doc, data, key, None)
        return dump(doc, fmt)
    if place == "array":
        doc[data.draw(names.filter(lambda n: n not in doc))] = ["a", key, "b"]
        return dump(doc, fmt)
    if place == "key":
        doc[key] = "x"
        return dump(doc, fmt)
    marker = "ZZPLANTEDZZ"
    name = data.draw(names.filter(lambda n: n not in doc))
    if place == "duplicate":
        # The key first, then a second entry of the same name holding a reference.
        doc[name] = "${secret:env://ORS_T}"
        text = dump(doc, fmt)
        if fmt in ("json", "jsonc"):
            return text.replace("{", "{" + json.dumps(name) + ": " + json.dumps(key) + ",", 1)
        if fmt == "yaml":
            return f"{name}: {key}\n{text}"
        return f'{name} = "{key}"\n{text}'
    if place == "escaped":
        doc[name] = marker
        return dump(doc, fmt).replace(
            {"yaml": marker, "toml": f'"{marker}"'}.get(fmt, f'"{marker}"'), escaped(key, fmt)
        )
    # a comment on a line of its own, anywhere between the lines of the document
    lines = dump(doc, fmt).splitlines()
    at = data.draw(st.integers(0, len(lines)))
    lines.insert(at, comment(fmt, f"old key: {key}"))
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents(scalars),
    st.sampled_from(FORMATS),
    st.sampled_from(PLACES),
    st.booleans(),
    st.data(),
)
def test_a_key_planted_anywhere_in_the_file_is_refused(
    doc: dict[str, Any], fmt: str, place: str, in_server: bool, data: st.DataObject
) -> None:
    if fmt == "json" and place == "comment":
        fmt = "jsonc"
    key = make_canary()
    if in_server:
        doc = {"mcpServers": {"srv": {"command": "x", "extra": doc}}}
    text = build(doc, fmt, place, key, data)
    parse_as = "json" if fmt == "jsonc" else fmt
    with pytest.raises(InsecureConfigError) as caught:
        validate_config(text, format=parse_as)
    findings = caught.value.findings
    assert findings
    assert_no_leak(key, caught.value, repr(findings), *map(str, findings))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(scalars), st.sampled_from(FORMATS))
def test_the_same_file_without_the_key_passes(doc: dict[str, Any], fmt: str) -> None:
    text = dump(doc, fmt)
    if fmt == "jsonc":
        text = comment(fmt, "a note") + "\n" + text
    assert validate_config(text, format="json" if fmt == "jsonc" else fmt) == []
