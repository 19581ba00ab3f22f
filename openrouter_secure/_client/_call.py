"""One API request as a client method sends it, and how its answer is read."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from .._exceptions import UpstreamError

__all__ = ["Call", "parse_json"]

T = TypeVar("T")


def parse_json(response: httpx.Response, where: str) -> Any:
    """The decoded JSON body of a 2xx ``response``; :class:`UpstreamError` (naming the
    body's size, never its text) when it is not JSON."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise UpstreamError(
            f"OpenRouter answered {where} with a body that is not JSON "
            f"({len(response.content)} bytes, HTTP {response.status_code})",
            status_code=response.status_code,
        ) from None


@dataclass(frozen=True)
class Call(Generic[T]):
    """One API request as a client method sends it, and how to read its answer.

    ``where`` (``"GET /api/v1/models"``) names it in errors and logs; ``sent`` holds the
    texts that must not be quoted back in an error. A client sends it with
    :meth:`~._base.ClientCore.attempts` deciding retries, then passes the 2xx response to
    :attr:`read`; a ``stream`` call's open response goes to a stream object instead.
    ``lost`` (completions) is called for each attempt that may have reached OpenRouter
    but whose answer was never read, so that it is charged.
    """

    method: str
    path: str
    where: str
    read: Callable[[httpx.Response], T]
    json: Any = None
    params: Mapping[str, Any] | None = None
    stream: bool = False
    sent: Sequence[str] = ()
    lost: Callable[[], None] | None = None

    @property
    def url(self) -> str:
        # Relative, so it is joined under base_url's path (which ends in "/").
        return self.path.lstrip("/")

    @property
    def follow_redirects(self) -> bool:
        # A request with a body (a prompt) is never re-sent to wherever a 307 points:
        # the 3xx answer is raised as an error instead.
        return self.method == "GET"
