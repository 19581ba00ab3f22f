"""Where a credential may travel: loopback hosts, TLS-or-loopback URLs, OpenRouter's address.

Every place that lets a token, key or webhook URL cross a connection asks the same
question, so it is answered once here:

- :func:`is_loopback`: whether a host is certainly this machine;
- :func:`transport_allowed`: whether a URL may carry a credential (TLS, or plain text
  to a loopback host when the caller opted in);
- :data:`DEFAULT_BASE_URL` and :data:`DEFAULT_ALLOWED_HOSTS`: OpenRouter's API and the
  hosts the client sends the key to unless told otherwise.

Nothing here resolves a name or opens a socket: the answers depend on the text alone,
so they are the same on every machine and cannot be steered by DNS.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

__all__ = [
    "DEFAULT_ALLOWED_HOSTS",
    "DEFAULT_BASE_URL",
    "is_loopback",
    "parsers_may_disagree",
    "shown_url",
    "transport_allowed",
]

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
"""OpenRouter's API, the default ``base_url`` of every client, CLI command and server."""

DEFAULT_ALLOWED_HOSTS = ("openrouter.ai",)
"""The hosts the client sends the API key to (over ``https://``) unless ``allowed_hosts=``."""

_LOOPBACK_V4 = ipaddress.IPv4Network("127.0.0.0/8")
_LOOPBACK_V6 = ipaddress.IPv6Address("::1")
_TLS_SCHEMES = frozenset({"https", "wss"})
_CLEARTEXT_SCHEMES = frozenset({"http", "ws"})
# Characters on which URL parsers disagree about where the host is.
_AMBIGUOUS = re.compile(r"[\\\x00-\x20\x7f]")


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` certainly names this machine, so plain text to it stays local.

    True for an IPv4 literal in ``127.0.0.0/8`` (``127.0.0.1``, ``127.1.2.3``), for
    ``::1`` with or without brackets (``[::1]``, ``0:0:0:0:0:0:0:1``), and for the name
    ``localhost`` in any case. False for everything else, including ``None`` and ``""``.

    Deliberately refused, though some systems route them locally:

    - other names: ``localhost.`` (trailing dot), ``*.localhost`` and
      ``localhost.localdomain`` reach the loopback only where the resolver special-cases
      them (RFC 6761 asks it to; glibc without systemd-resolved sends them to DNS, and
      ``/etc/hosts`` lists ``localhost.localdomain`` on some distributions only), so on
      another machine a DNS answer could send the token anywhere. Bare ``localhost`` is
      in every ``hosts`` file and special-cased by the common resolvers;
    - IPv4-mapped and scoped IPv6 (``::ffff:127.0.0.1``, ``::1%lo``): Python versions
      disagree on whether the first is loopback, and a test server never needs either;
    - shorthand IPv4 (``127.1``, ``0x7f.0.0.1``, ``2130706433``) and ``0.0.0.0``: C's
      ``inet_aton`` accepts some of them, ``ipaddress`` does not, and a check must not
      be looser than the parser it guards.

    Refusing a loopback host only costs a test setup its ``https://``; accepting a
    remote one would send a credential in clear text.
    """
    if not isinstance(host, str) or not host.isascii():
        return False
    if host.startswith("[") and host.endswith("]"):
        inner = host[1:-1]
        return ":" in inner and _is_loopback_ip(inner)
    if host.lower() == "localhost":
        return True
    return _is_loopback_ip(host)


def _is_loopback_ip(text: str) -> bool:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return ip in _LOOPBACK_V4
    # Equality, not ``is_loopback``: it excludes a scope id and the IPv4-mapped forms.
    return ip == _LOOPBACK_V6


def parsers_may_disagree(url: str) -> bool:
    """Whether URL parsers may read a different host out of ``url``: it holds a
    backslash (WHATWG parsers, Node and requests take it for ``/``; Python's
    ``urlsplit`` does not), white space or a control character."""
    return _AMBIGUOUS.search(url) is not None


def shown_url(url: object) -> str:
    """``url`` as text safe to show in a ``repr``, a log line or an error: userinfo
    (``user:password@``) becomes ``[secure]@`` and a query ``?[secure]``, as httpx masks
    a password in its own ``repr``. Text that does not parse as a URL is shown as
    ``[secure]`` whole."""
    text = str(url)
    try:
        parts = urlsplit(text)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "[secure]"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        host = "[secure]@" + host
    shown = f"{parts.scheme}://{host}{parts.path}" if parts.scheme else f"{host}{parts.path}"
    if parts.query:
        shown += "?[secure]"
    if parts.fragment:
        shown += "#[secure]"
    return shown


def transport_allowed(url: str | SplitResult, *, allow_insecure_loopback: bool) -> bool:
    """Whether ``url`` may carry a credential: ``https://`` / ``wss://`` to any host, or
    plain ``http://`` / ``ws://`` to a loopback host (:func:`is_loopback`) when
    ``allow_insecure_loopback`` is true.

    A URL with no host, another scheme, or that does not parse is refused, and so is one
    that URL parsers read differently: a backslash, white space or a control character
    anywhere in it (``http://evil.example\\@127.0.0.1/`` is loopback to Python's
    ``urlsplit`` but ``evil.example`` to a WHATWG parser, to requests and to Node), and
    userinfo in a plain-text URL (``http://127.0.0.1@evil.example``). The caller says
    whether loopback plain text is acceptable: the OpenRouter client, webhooks and MCP
    server URLs need their user's opt-in (``allow_insecure_loopback=True``,
    ``"allowInsecureLoopback": true``); secret backends always accept it, since a local
    Vault dev server or cloud emulator listens on plain ``http://``.
    """
    try:
        parts = urlsplit(url) if isinstance(url, str) else url
        scheme, host = parts.scheme.lower(), parts.hostname
        text = url if isinstance(url, str) else parts.geturl()
    except ValueError:
        return False
    if not host or parsers_may_disagree(text):
        return False
    if scheme in _TLS_SCHEMES:
        return True
    return (
        scheme in _CLEARTEXT_SCHEMES
        and allow_insecure_loopback
        and "@" not in parts.netloc
        and is_loopback(host)
    )
