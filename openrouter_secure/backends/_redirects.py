"""Redirects that leave the configured server: never followed by a backend's HTTP session.

requests drops ``Authorization`` when a redirect changes host, but keeps every other
header (hvac's ``X-Vault-Token``, a namespace) and re-sends the body of a ``307`` or
``308`` (a secret being written) to wherever ``Location`` points, in clear text if
that is ``http://``. :func:`guard_session` makes a ``requests.Session`` refuse any
redirect to another origin (scheme, host or port) before a byte goes there; redirects
within the origin are followed as before. Nothing here imports requests: the session
comes from the backend that already imported it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["RedirectRefused", "guard_session", "origin"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class RedirectRefused(Exception):  # noqa: N818 - a signal each backend maps to its error
    """A server redirected to another origin; nothing was sent there.

    ``target`` is that origin as ``scheme://host:port``: no userinfo, path or query.
    """

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of ``url``, lowercase, with the scheme's default port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number: never anyone's origin
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def guard_session(session: Any) -> Any:
    """Make ``session`` (a ``requests.Session``) raise :class:`RedirectRefused` on a
    redirect to another origin, before the redirected request is built; returns it."""
    follow = session.rebuild_auth

    def rebuild_auth(prepared_request: Any, response: Any) -> None:
        there = origin(str(prepared_request.url))
        if origin(str(response.request.url)) != there:
            raise RedirectRefused(f"{there[0]}://{there[1]}:{there[2]}")
        follow(prepared_request, response)

    session.rebuild_auth = rebuild_auth
    return session
