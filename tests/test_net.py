"""One answer to "may a credential travel to this URL": ``_net.is_loopback`` and
``_net.transport_allowed``, and every gate that asks it (client, webhook, config,
Vault, AWS, GCP) giving the same answer."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

import openrouter_secure as ors
from openrouter_secure import (
    ConfigurationError,
    InsecureConfigError,
    InsecureTransportError,
    InvalidReferenceError,
)
from openrouter_secure._client._auth import OriginPolicy
from openrouter_secure._net import DEFAULT_BASE_URL, is_loopback, transport_allowed
from openrouter_secure._refs import SecretRef
from openrouter_secure.audit import WebhookAlert
from openrouter_secure.backends._vault_auth import connection_for
from openrouter_secure.backends.gcp import GcpProvider
from openrouter_secure.config import validate_config

PACKAGE = Path(ors.__file__).resolve().parent


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("0:0:0:0:0:0:0:1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("LocalHost", True),
        # Not certainly this machine: resolver-dependent names, lookalikes, other forms.
        ("localhost.", False),
        ("localhost.localdomain", False),
        ("app.localhost", False),
        ("ip6-localhost", False),
        ("evil-localhost", False),
        ("localhost.evil.example", False),
        ("127.0.0.1.nip.io", False),
        ("::ffff:127.0.0.1", False),
        ("[::ffff:127.0.0.1]", False),
        ("::1%lo", False),
        ("[127.0.0.1]", False),
        ("[::1", False),
        ("127.1", False),
        ("2130706433", False),
        ("0x7f.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - a host to refuse, not an address to bind
        ("::", False),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54", False),  # fullwidth
        ("\u0661\u0662\u0667.0.0.1", False),  # Arabic-Indic digits
        (" localhost", False),
        ("", False),
        (None, False),
    ],
)
def test_is_loopback(host: str | None, expected: bool) -> None:
    assert is_loopback(host) is expected


@pytest.mark.parametrize(
    ("url", "flag", "expected"),
    [
        ("https://openrouter.ai/api/v1", False, True),
        ("wss://mcp.example.com/ws", False, True),
        ("http://127.0.0.1:8080/x", True, True),
        ("HTTP://LOCALHOST:8080/x", True, True),
        ("http://[::1]:8200", True, True),
        ("ws://127.0.0.1/ws", True, True),
        ("http://127.0.0.1:8080/x", False, False),
        ("http://openrouter.ai/api/v1", True, False),
        ("http://127.0.0.1.nip.io/", True, False),
        ("http://127.0.0.1@evil.example/", True, False),  # userinfo, not host
        ("http://evil.example#@127.0.0.1", True, False),
        ("ftp://127.0.0.1/", True, False),
        ("https:///no-host", False, False),
        ("127.0.0.1:8080", True, False),
        ("http://[::1/", True, False),  # does not parse
        # Parsers disagree on the host: urlsplit reads 127.0.0.1, WHATWG/requests evil.
        ("http://evil.example\\@127.0.0.1/", True, False),
        ("ws://evil.example\\@127.0.0.1/ws", True, False),
        ("https://openrouter.ai\\@evil.example/", False, False),
        ("http://127.0.0.1\t/", True, False),
        ("http://127.0.0.1/a b", True, False),
        ("http://user:pw@127.0.0.1/", True, False),  # no userinfo in plain text
        ("", True, False),
    ],
)
def test_transport_allowed(url: str, flag: bool, expected: bool) -> None:
    assert transport_allowed(url, allow_insecure_loopback=flag) is expected


def test_transport_allowed_takes_a_parsed_url() -> None:
    assert transport_allowed(urlsplit("http://[::1]:1/"), allow_insecure_loopback=True)


# -- every gate gives the same answer ------------------------------------------------------


def _client(url: str) -> None:
    try:
        OriginPolicy(url, allow_insecure_loopback=True)
    except InsecureTransportError as exc:
        raise ValueError from exc


def _webhook(url: str) -> None:
    try:
        WebhookAlert(url + "/hook", allow_insecure_loopback=True).close()
    except ConfigurationError as exc:
        raise ValueError from exc


def _config(url: str) -> None:
    doc = {"mcpServers": {"s": {"url": url + "/mcp", "allowInsecureLoopback": True}}}
    try:
        validate_config(doc)
    except InsecureConfigError as exc:
        raise ValueError from exc


def _vault(url: str) -> None:
    try:
        connection_for(SecretRef.parse(f"vault://secret/x?addr={quote(url, safe='')}"))
    except InvalidReferenceError as exc:
        raise ValueError from exc


def _gcp(url: str) -> None:
    try:
        GcpProvider._channel(SecretRef.parse(f"gcp://my-project/key?endpoint={quote(url)}"))
    except InvalidReferenceError as exc:
        raise ValueError from exc


GATES: dict[str, Callable[[str], None]] = {
    "client": _client,
    "webhook": _webhook,
    "config": _config,
    "vault": _vault,
    "gcp": _gcp,
}


@pytest.mark.parametrize("gate", sorted(GATES))
@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("http://127.1.2.3:8000", True),
        ("http://[::1]:8000", True),
        ("http://LOCALHOST:8000", True),
        ("http://localhost.:8000", False),
        ("http://app.localhost:8000", False),
        ("http://127.0.0.1.nip.io:8000", False),
        ("http://[::ffff:127.0.0.1]:8000", False),
        ("http://10.0.0.1:8000", False),
        ("http://evil.example\\@127.0.0.1:8000", False),
    ],
)
def test_every_gate_agrees_on_plain_http(gate: str, url: str, accepted: bool) -> None:
    check = GATES[gate]
    if accepted:
        check(url)
    else:
        with pytest.raises(ValueError):  # noqa: PT011 - each gate's own error, wrapped
            check(url)


def test_aws_endpoint_refuses_a_host_parsers_disagree_on() -> None:
    pytest.importorskip("boto3")
    from openrouter_secure.backends.aws import AwsProvider

    url = "http://evil.example\\@127.0.0.1:9/"
    ref = SecretRef.build("aws", "x", {"endpoint_url": url, "region": "r"})
    with pytest.raises(InvalidReferenceError):
        AwsProvider()._client(ref)


def test_aws_endpoint_follows_the_same_rule() -> None:
    pytest.importorskip("boto3")
    from openrouter_secure.backends.aws import AwsProvider

    provider = AwsProvider()
    accepted = SecretRef.build("aws", "x", {"endpoint_url": "http://127.1.2.3:1", "region": "r"})
    refused = SecretRef.build("aws", "x", {"endpoint_url": "http://app.localhost:1"})
    assert provider._client(accepted) is not None
    with pytest.raises(InvalidReferenceError, match="unencrypted"):
        provider._client(refused)


def test_the_base_url_is_written_once() -> None:
    """Only ``_net`` spells OpenRouter's API URL as a value (docstrings may show it)."""
    spelled = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value == DEFAULT_BASE_URL:
                spelled.append(str(path.relative_to(PACKAGE)))
    assert spelled == ["_net.py"]


@pytest.mark.parametrize("make", [ors.RedactingClient, ors.AsyncRedactingClient])
def test_a_client_refuses_a_base_url_parsers_disagree_on(make: type) -> None:
    # httpx would percent-encode the backslash and connect to 127.0.0.1; the setting is
    # refused anyway, since other tools reading it (a proxy, a Node host) take "evil".
    with pytest.raises(InsecureTransportError, match="parsers disagree"):
        make(
            "env://OPENROUTER_API_KEY",
            base_url="http://evil.example\\@127.0.0.1:8000/api/v1",
            allow_insecure_loopback=True,
        )
