"""Where rate-limit and budget counters live: one reading of ``storage=``.

:class:`~openrouter_secure.limits.RateLimiter`, :class:`~openrouter_secure.limits.Budget`
and the MCP server's ``rateLimitStorage`` accept the same three forms:

- a storage URL whose scheme is in :data:`SCHEMES`: ``memory://``,
  ``redis://[:password@]host:port/db``, ``rediss://``, ``redis+unix:///path.sock``
  (``unix://``, redis-py's spelling, means the same), ``redis+sentinel://``,
  ``redis+cluster://``, their ``valkey`` twins, ``memcached://``, ``mongodb://``;
  ``async+`` in front asks a rate limiter for the asyncio storage only;
- a secret reference (``"env://REDIS_URL"``, ``"vault://secret/redis#url"``) or a
  :class:`~openrouter_secure.SecretRef` holding such a URL, resolved once;
- a :class:`~openrouter_secure.Secret` holding one.

A string whose scheme is not a storage scheme is read as a secret reference, so the
list is what tells the two apart. Each user then states which schemes it can open: a
rate limiter all of them (through ``limits``), a budget ``memory://`` and the
single-server Redis URLs (through redis-py). Anything else gets one error, which
never repeats the value (it may be a URL with a password, or the secret's content).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from .._exceptions import ConfigurationError, InvalidReferenceError, NoProviderError
from .._refs import SecretRef
from .._registry import resolve
from .._secret import Secret

__all__ = [
    "BUDGET_SCHEMES",
    "RATE_LIMIT_SCHEMES",
    "SCHEMES",
    "StorageUrl",
    "display_url",
    "resolve_storage",
]

SCHEMES = (
    "memory",
    "redis",
    "rediss",
    "redis+unix",
    "redis+sentinel",
    "redis+cluster",
    "valkey",
    "valkeys",
    "valkey+unix",
    "valkey+sentinel",
    "valkey+cluster",
    "memcached",
    "mongodb",
    "mongodb+srv",
)
"""Every storage URL scheme, as the ``limits`` library names them."""

_HOST = r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
_HOSTS = re.compile(rf"(?:{_HOST}(?:,{_HOST})*)?")  # a sentinel or cluster URL lists several
_ALIASES = {"unix": "redis+unix"}  # redis-py's name for a Redis unix socket
_ASYNC = "async+"

RATE_LIMIT_SCHEMES = frozenset(SCHEMES) | {_ASYNC + s for s in SCHEMES}
"""What :class:`~openrouter_secure.limits.RateLimiter` opens (through ``limits``)."""

BUDGET_SCHEMES = frozenset({"memory", "redis", "rediss", "redis+unix"})
"""What :class:`~openrouter_secure.limits.Budget` opens: counters need ``INCRBYFLOAT``
and a script on one Redis server, which redis-py's ``from_url`` reaches."""


@dataclass(frozen=True)
class StorageUrl:
    """A resolved storage URL. ``url`` may hold a password: show ``display`` instead.

    ``scheme`` is the canonical scheme (``unix`` reads as ``redis+unix``), ``async+``
    kept. ``held`` are the password (and, when the URL came from a secret, the whole
    URL) as registered :class:`~openrouter_secure.Secret` values: keep the object
    while the storage is in use, so the sanitizer masks them in any error text a
    storage client produces.
    """

    url: str = field(repr=False)
    scheme: str
    display: str
    held: tuple[Secret, ...] = field(default=(), repr=False)

    @property
    def redis_py_url(self) -> str:
        """The URL in redis-py's spelling (``redis+unix://`` becomes ``unix://``)."""
        if self.scheme == "redis+unix":
            return "unix://" + self.url.split("://", 1)[1]
        return self.url


def display_url(url: str) -> str:
    """``url`` safe to log: credentials become ``***``, the query and fragment are dropped.

    ``redis://:pw@127.0.0.1:6379/0?x=1`` shows as ``redis://***@127.0.0.1:6379/0``;
    a sentinel or cluster host list is kept. When the URL does not split cleanly (a
    password with an unencoded ``/``, ``?`` or ``#`` ends the host part early, leaving
    an ``@`` after it or a host part that is no host), only ``scheme://***`` is shown.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable storage URL>"
    _userinfo, at, hosts = parts.netloc.rpartition("@")
    if "," not in hosts:  # one host: its port must be a number (a list is matched below)
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            return f"{parts.scheme}://***"
    split_late = "@" in parts.path or "@" in parts.query or "@" in parts.fragment
    if split_late or not _HOSTS.fullmatch(hosts):
        return f"{parts.scheme}://***"
    return f"{parts.scheme}://{'***@' if at else ''}{hosts}{parts.path}"


def resolve_storage(
    storage: str | SecretRef | Secret, *, what: str, schemes: Collection[str]
) -> StorageUrl:
    """The storage URL ``storage`` stands for, checked against ``schemes``.

    ``what`` names the user in errors (``"rate-limit"``, ``"budget"``). Raises
    :class:`~openrouter_secure.ConfigurationError` for a scheme outside ``schemes``
    or text that is neither a storage URL nor a reference to a registered backend;
    a reference's own failures (not found, access denied) propagate as they are.
    """
    from_secret = True
    if isinstance(storage, Secret):
        url = storage.reveal()
    elif isinstance(storage, str) and _scheme(storage) is not None:
        url, from_secret = storage, False
    else:
        try:
            ref = SecretRef.parse(storage)
        except InvalidReferenceError:
            raise _refused(what, schemes, "text that is neither a URL nor a reference") from None
        try:
            with resolve(ref) as secret:
                url = secret.reveal()
        except NoProviderError:
            got = f"{ref.backend}://, neither a storage scheme nor a registered backend"
            raise _refused(what, schemes, got) from None
    scheme = _scheme(url)
    if scheme is None:
        raise _refused(what, schemes, "a secret that holds no storage URL")
    if scheme not in schemes:
        raise _refused(what, schemes, f"a {scheme}:// URL")
    if scheme != url.split("://", 1)[0]:
        url = f"{scheme}://{url.split('://', 1)[1]}"
    shown = display_url(url)
    if shown == f"{scheme}://***":
        # The storage library would fail on it with its own message, which quotes
        # whatever it took for the port: often a piece of the password.
        raise ConfigurationError(
            f"the {what} storage URL {shown} does not split into password, host and port: "
            "percent-encode '/', '?', '#', '@' and ':' in the password (e.g. '/' as %2F)"
        )
    return StorageUrl(url, scheme, shown, _held(url, from_secret))


def _scheme(url: str) -> str | None:
    """The canonical storage scheme of ``url``, or None when it is not a storage URL."""
    raw, sep, _rest = url.partition("://")
    if not sep:
        return None
    raw = raw.lower()
    prefix = _ASYNC if raw.startswith(_ASYNC) else ""
    base = raw.removeprefix(prefix)
    base = _ALIASES.get(base, base)
    return prefix + base if base in SCHEMES else None


def _refused(what: str, schemes: Collection[str], got: str) -> ConfigurationError:
    bases = sorted({s.removeprefix(_ASYNC) for s in schemes}, key=SCHEMES.index)
    choices = ", ".join(f"{s}://" for s in bases)
    if any(s.startswith(_ASYNC) for s in schemes):
        choices += " (async+ in front for asyncio only)"
    return ConfigurationError(
        f"{what} storage must be a URL ({choices}) or a secret reference holding one; got {got}"
    )


def _held(url: str, from_secret: bool) -> tuple[Secret, ...]:
    try:
        parts = urlsplit(url)
        passwords = [parts.password or ""]
    except ValueError:
        passwords = []
    else:
        # redis-py also takes ``?password=`` (the only way to give one to a unix socket).
        passwords += parse_qs(parts.query).get("password", [])
    held = [Secret(p) for p in passwords if p]
    if from_secret and len(url) >= 6:
        held.append(Secret(url))
    return tuple(held)
