"""Where the API key enters a request, and the rules that keep it there.

- :class:`KeySource` resolves the key lazily from a secret reference, a ``Secret`` or a
  callable, keeps it briefly, and refreshes it on demand (after a 401).
- :class:`OriginPolicy` decides which URLs may carry the key: ``https://`` on an
  allowed host (``openrouter.ai`` by default), or plain ``http://`` to the loopback
  origin of ``base_url`` when the caller set ``allow_insecure_loopback=True``.
- :class:`KeyAuth` (an ``httpx.Auth``) checks the URL, adds ``Authorization: Bearer``,
  and on a 401 refreshes the key once and retries once, emitting ``auth.failed``.
- :class:`GuardTransport` / :class:`AsyncGuardTransport` wrap the real transport and see
  every request that leaves, redirects included (httpx sends those without the Auth
  flow): a request to an origin the policy does not allow never carries the
  ``Authorization`` header. They also write the metadata-only DEBUG request log.
- :class:`GuardedClient` / :class:`AsyncGuardedClient` are that ``httpx`` client: only
  a bodiless ``GET`` or ``HEAD`` follows a redirect, so no prompt is re-sent to wherever
  a ``307``/``308`` points, whoever sends through it (the ``openai`` SDK included).
- :class:`HttpSettings` assembles these into the ``httpx`` client of every sync and
  async client; :func:`secure_http_client` / :func:`secure_async_http_client` hand
  that same client out, for the official ``openai`` SDK's ``http_client=``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Iterable
from typing import Any

import httpx
from httpx._client import UseClientDefault  # the type of the public httpx.USE_CLIENT_DEFAULT
from httpx._types import AuthTypes

from .. import _events
from .._exceptions import ConfigurationError, InsecureTransportError
from .._net import (
    DEFAULT_ALLOWED_HOSTS,
    DEFAULT_BASE_URL,
    is_loopback,
    parsers_may_disagree,
    shown_url,
)
from .._refs import SecretRef, as_ref, looks_like_a_credential
from .._registry import arefresh, aresolve, refresh, resolve
from .._sanitize._sanitizer import default_sanitizer
from .._secret import Secret

__all__ = [
    "DEFAULT_TIMEOUT",
    "REDIRECT_METHODS",
    "AsyncGuardTransport",
    "AsyncGuardedClient",
    "GuardTransport",
    "GuardedClient",
    "HttpSettings",
    "KeyAuth",
    "KeySource",
    "KeySpec",
    "OriginPolicy",
    "attribution_headers",
    "secure_async_http_client",
    "secure_http_client",
    "shown_base_url",
    "shown_path",
    "url_secrets",
]


def shown_path(path: str) -> str:
    """A URL path safe for a log line or an error: each segment the Sanitizer flags, or
    that reads as a credential (a held value, a known token format, a long random run),
    becomes ``[secure]``. A gateway URL may carry a key in its path
    (``https://host/v1/<key>/...``)."""
    if not path:
        return path
    sanitizer = default_sanitizer()
    shown = "/".join("[secure]" if _is_credential_segment(seg) else seg for seg in path.split("/"))
    return sanitizer.sanitize(shown) if sanitizer.find(shown) else shown


def _is_credential_segment(segment: str) -> bool:
    return bool(segment) and bool(
        default_sanitizer().find(segment) or looks_like_a_credential(segment)
    )


def url_secrets(url: object) -> list[Secret]:
    """The credentials a URL carries, each held as a :class:`Secret` (so registered: every
    sanitized output masks it, httpx's own request log lines included, for as long as
    the caller keeps the list): a userinfo part that reads as one, each path segment
    :func:`shown_path` would show as ``[secure]``, and each query value that reads as
    a credential."""
    parsed = httpx.URL(str(url))
    found = [part for part in (parsed.username, parsed.password) if _is_credential_segment(part)]
    found.extend(seg for seg in parsed.path.split("/") if _is_credential_segment(seg))
    found.extend(value for _, value in parsed.params.multi_items() if _is_credential_segment(value))
    return [Secret(value) for value in dict.fromkeys(found)]


def shown_base_url(url: object) -> str:
    """:func:`~openrouter_secure._net.shown_url` (userinfo and query masked) with its path
    shown through :func:`shown_path`."""
    text = shown_url(url)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return shown_path(text)
    host, slash, path = rest.partition("/")
    tail = ""
    for mark in ("?[secure]", "#[secure]"):
        if path.endswith(mark) or mark in path:
            cut = path.index(mark)
            path, tail = path[:cut], path[cut:] + tail
    return f"{scheme}://{host}{slash}{shown_path(path)}{tail}"


log = logging.getLogger("openrouter_secure.client")

KeyValue = Secret | str
KeySpec = str | SecretRef | Secret | Callable[[], KeyValue | Awaitable[KeyValue]]


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme, url.host.lower(), port)


class OriginPolicy:
    """Which URLs may carry the key. Immutable; cheap to check per request."""

    def __init__(
        self,
        base_url: str | httpx.URL = DEFAULT_BASE_URL,
        *,
        allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
        allow_insecure_loopback: bool = False,
    ) -> None:
        if parsers_may_disagree(str(base_url)):
            # Checked on the text as given: httpx.URL percent-encodes a backslash, which
            # hides what other tools reading the same setting take for the host.
            raise InsecureTransportError(
                "refusing a base_url with a backslash, white space or a control character: "
                "URL parsers disagree on which host it names"
            )
        self.base_url = httpx.URL(str(base_url))
        self.allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self.allow_insecure_loopback = allow_insecure_loopback
        base = self.base_url
        self._loopback_origin = (
            _origin(base) if allow_insecure_loopback and is_loopback(base.host) else None
        )
        self._cache: dict[tuple[str, str, int | None], bool] = {}
        self.check(base)

    def __repr__(self) -> str:
        return (
            f"OriginPolicy(base_url={shown_base_url(self.base_url)!r}, "
            f"allowed_hosts={sorted(self.allowed_hosts)!r}, "
            f"allow_insecure_loopback={self.allow_insecure_loopback!r})"
        )

    def allows(self, url: httpx.URL) -> bool:
        origin = _origin(url)
        hit = self._cache.get(origin)
        if hit is None:
            hit = (origin[0] == "https" and origin[1] in self.allowed_hosts) or (
                origin == self._loopback_origin
            )
            self._cache[origin] = hit
        return hit

    def check(self, url: httpx.URL) -> None:
        """Raise :class:`InsecureTransportError` unless ``url`` may carry the key."""
        if self.allows(url):
            return
        where = f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")
        if url.scheme != "https" and is_loopback(url.host):
            fix = "pass allow_insecure_loopback=True (local test servers only), or use https://"
        elif url.scheme != "https":
            fix = "use https://; plain http:// would send the key and prompts in clear text"
        else:
            hosts = sorted(self.allowed_hosts)
            fix = f"add the host to allowed_hosts= if it is really OpenRouter (now: {hosts})"
        raise InsecureTransportError(f"refusing to send the API key to {where}: {fix}")


class KeySource:
    """The API key, resolved lazily and kept for ``recheck_after`` seconds.

    ``api_key`` is a reference (``"env://OPENROUTER_API_KEY"`` or a :class:`SecretRef`,
    resolved through the process cache), a :class:`Secret`, or a callable returning a
    ``Secret`` or ``str`` (sync, or awaitable for the async client). ``ref`` is the
    text safe to show in logs and events: the reference, ``"<Secret>"`` or
    ``"<callable NAME>"``; never the key.
    """

    def __init__(self, api_key: KeySpec, *, recheck_after: float = 30.0) -> None:
        self._ref: SecretRef | None = None
        self._fixed: Secret | None = None
        self._call: Callable[[], Any] | None = None
        if isinstance(api_key, Secret):
            self._fixed, self.ref = api_key, "<Secret>"
        elif isinstance(api_key, (str, SecretRef)):
            self._ref = as_ref(api_key)
            self.ref = str(self._ref)
        elif callable(api_key):
            self._call = api_key
            self.ref = f"<callable {getattr(api_key, '__qualname__', type(api_key).__name__)}>"
        else:
            raise ConfigurationError(
                "api_key must be a secret reference such as 'env://OPENROUTER_API_KEY', "
                f"a Secret, or a callable returning one; got {type(api_key).__name__}"
            )
        self.recheck_after = recheck_after
        self._held: Secret | None = None
        self._value: str | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    @property
    def can_refresh(self) -> bool:
        return self._fixed is None

    def _keep(self, secret: Secret | str) -> str:
        if isinstance(secret, str):
            secret = Secret(secret)
        value = secret.reveal()
        with self._lock:
            self._held, self._value, self._at = secret, value, time.monotonic()
        return value

    def _current(self) -> str | None:
        value = self._value
        if value is not None and time.monotonic() - self._at < self.recheck_after:
            return value
        return None

    def _fixed_value(self) -> str:
        fixed = self._fixed
        assert fixed is not None
        if self._value is None or fixed.wiped:
            self._value = fixed.reveal()  # raises once the caller wiped it
        return self._value

    def get(self) -> str:
        """The key as text, for one request header."""
        if self._fixed is not None:
            return self._fixed_value()
        value = self._current()
        if value is not None:
            return value
        if self._ref is not None:
            return self._keep(resolve(self._ref))
        assert self._call is not None
        result = self._call()
        if inspect.isawaitable(result):
            raise ConfigurationError(
                f"api_key callable {self.ref} returned an awaitable; use AsyncRedactingClient"
            )
        return self._keep(result)

    async def aget(self) -> str:
        if self._fixed is not None:
            return self._fixed_value()
        value = self._current()
        if value is not None:
            return value
        if self._ref is not None:
            return self._keep(await aresolve(self._ref))
        assert self._call is not None
        result = self._call()
        if inspect.isawaitable(result):
            result = await result
        return self._keep(result)

    def refresh(self) -> str | None:
        """Fetch the key again (after a 401); None when it cannot change (a fixed Secret)."""
        if self._fixed is not None:
            return None
        if self._ref is not None:
            return self._keep(refresh(self._ref))
        with self._lock:
            self._value = None
        return self.get()

    async def arefresh(self) -> str | None:
        if self._fixed is not None:
            return None
        if self._ref is not None:
            return self._keep(await arefresh(self._ref))
        with self._lock:
            self._value = None
        return await self.aget()


class KeyAuth(httpx.Auth):
    """Adds the key to requests the policy allows; refreshes once and retries once on 401."""

    requires_request_body = True

    def __init__(self, source: KeySource, policy: OriginPolicy) -> None:
        self.source = source
        self.policy = policy

    def _failed(self, request: httpx.Request, response: httpx.Response) -> None:
        _events.emit(
            "auth.failed",
            status=response.status_code,
            method=request.method,
            path=shown_path(request.url.path),
            key_ref=self.source.ref,
        )
        log.warning(
            "OpenRouter rejected the key from %s (HTTP %s on %s %s)",
            self.source.ref,
            response.status_code,
            request.method,
            shown_path(request.url.path),
        )

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        self.policy.check(request.url)
        key = self.source.get()
        request.headers["Authorization"] = f"Bearer {key}"
        response = yield request
        if response.status_code != 401:
            return
        self._failed(request, response)
        fresh = self.source.refresh()
        if fresh is not None and fresh != key:
            request.headers["Authorization"] = f"Bearer {fresh}"
            response = yield request
            if response.status_code == 401:
                self._failed(request, response)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        self.policy.check(request.url)
        key = await self.source.aget()
        request.headers["Authorization"] = f"Bearer {key}"
        response = yield request
        if response.status_code != 401:
            return
        self._failed(request, response)
        fresh = await self.source.arefresh()
        if fresh is not None and fresh != key:
            request.headers["Authorization"] = f"Bearer {fresh}"
            response = yield request
            if response.status_code == 401:
                self._failed(request, response)


def _strip_if_disallowed(policy: OriginPolicy, request: httpx.Request) -> None:
    if not policy.allows(request.url) and "authorization" in request.headers:
        del request.headers["authorization"]
        log.warning(
            "dropped the Authorization header from a request to %s://%s (not an allowed "
            "origin; usually a redirect)",
            request.url.scheme,
            request.url.host,
        )


def _log_exchange(request: httpx.Request, status: int | str, started: float) -> None:
    log.debug(
        "%s %s -> %s in %.1f ms headers=%s",
        request.method,
        shown_path(request.url.path),
        status,
        (time.perf_counter() - started) * 1000,
        default_sanitizer().sanitize_headers(request.headers.multi_items()),
    )


class GuardTransport(httpx.BaseTransport):
    """Wraps a transport: strips the key from disallowed origins; logs metadata at DEBUG."""

    def __init__(self, inner: httpx.BaseTransport, policy: OriginPolicy) -> None:
        self.inner = inner
        self.policy = policy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _strip_if_disallowed(self.policy, request)
        if not log.isEnabledFor(logging.DEBUG):
            return self.inner.handle_request(request)
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
        except Exception as exc:
            _log_exchange(request, type(exc).__name__, started)
            raise
        _log_exchange(request, response.status_code, started)
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncGuardTransport(httpx.AsyncBaseTransport):
    """Async :class:`GuardTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, policy: OriginPolicy) -> None:
        self.inner = inner
        self.policy = policy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _strip_if_disallowed(self.policy, request)
        if not log.isEnabledFor(logging.DEBUG):
            return await self.inner.handle_async_request(request)
        started = time.perf_counter()
        try:
            response = await self.inner.handle_async_request(request)
        except (Exception, asyncio.CancelledError) as exc:
            _log_exchange(request, type(exc).__name__, started)
            raise
        _log_exchange(request, response.status_code, started)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


#: Methods that may follow a redirect, when the request has no body. Any other request
#: carries a body (a prompt, a key update) or changes state, and its 3xx answer is
#: returned instead.
REDIRECT_METHODS = frozenset({"GET", "HEAD"})


def _follow(
    request: httpx.Request, follow_redirects: bool | UseClientDefault
) -> bool | UseClientDefault:
    # A GET can carry a body too (httpx allows it): only a bodiless one may follow.
    bodiless = request.headers.get("content-length", "0") == "0" and (
        "transfer-encoding" not in request.headers
    )
    return follow_redirects if request.method in REDIRECT_METHODS and bodiless else False


class GuardedClient(httpx.Client):
    """An ``httpx.Client`` on which only a bodiless ``GET`` or ``HEAD`` follows redirects.

    httpx (like every HTTP library) re-sends a request's body to wherever a ``307`` or
    ``308`` points, to any host; it drops ``Authorization`` there, not the prompt. Here
    a ``POST`` (or any method but ``GET``/``HEAD``) never follows a redirect, same
    origin or not, whoever sends it (this library's clients, the ``openai`` SDK, or a
    caller's own ``send(..., follow_redirects=True)``): the 3xx answer comes back, and
    the ``openai`` SDK raises it as an ``APIStatusError`` with that status.
    """

    def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        return super().send(
            request, stream=stream, auth=auth, follow_redirects=_follow(request, follow_redirects)
        )


class AsyncGuardedClient(httpx.AsyncClient):
    """Async :class:`GuardedClient`."""

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: AuthTypes | UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        return await super().send(
            request, stream=stream, auth=auth, follow_redirects=_follow(request, follow_redirects)
        )


DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
MAX_REDIRECTS = 5


def attribution_headers(app_url: str | None, app_title: str | None) -> dict[str, str]:
    """OpenRouter's app attribution: ``HTTP-Referer`` and ``X-Title``, when configured."""
    headers = {}
    if app_url:
        headers["HTTP-Referer"] = app_url
    if app_title:
        headers["X-Title"] = app_title
    return headers


class HttpSettings:
    """The one recipe for every ``httpx`` client that carries the key.

    ``RedactingClient``, ``AsyncRedactingClient``, :func:`secure_http_client` and
    :func:`secure_async_http_client` all build their client with :meth:`client` or
    :meth:`async_client`, so their rules cannot drift apart: the :class:`OriginPolicy`
    from ``base_url``, ``allowed_hosts`` and ``allow_insecure_loopback`` (checked here,
    so a bad ``base_url`` fails at construction); a :class:`KeyAuth` over one
    :class:`KeySource`; ``base_url`` with a trailing ``/`` (relative paths keep its
    ``/api/v1``); the timeout; the attribution headers; redirects followed by ``GET``
    and ``HEAD`` only (:class:`GuardedClient`), at most :data:`MAX_REDIRECTS`, each hop
    seen by the guard transport; and that
    :class:`GuardTransport` around the caller's transport or a pooled one of ``limits``.
    """

    def __init__(
        self,
        api_key: KeySpec,
        *,
        base_url: str,
        allowed_hosts: Iterable[str],
        allow_insecure_loopback: bool,
        app_url: str | None,
        app_title: str | None,
        timeout: float | httpx.Timeout | None,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        self.policy = OriginPolicy(
            base_url,  # as given: the policy checks the text before httpx normalizes it
            allowed_hosts=allowed_hosts,
            allow_insecure_loopback=allow_insecure_loopback,
        )
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self.source = KeySource(api_key)
        self.auth = KeyAuth(self.source, self.policy)
        self.timeout = timeout
        self.headers = attribution_headers(app_url, app_title)
        self.limits = limits

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "auth": self.auth,
            "timeout": self.timeout,
            "headers": self.headers,
            "follow_redirects": True,
            "max_redirects": MAX_REDIRECTS,
        }

    def client(self, transport: httpx.BaseTransport | None = None) -> httpx.Client:
        """An ``httpx.Client`` with these settings, sending through ``transport``."""
        inner = transport if transport is not None else httpx.HTTPTransport(limits=self.limits)
        return GuardedClient(transport=GuardTransport(inner, self.policy), **self._client_kwargs())

    def async_client(self, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` with these settings, sending through ``transport``."""
        inner = transport if transport is not None else httpx.AsyncHTTPTransport(limits=self.limits)
        return AsyncGuardedClient(
            transport=AsyncGuardTransport(inner, self.policy), **self._client_kwargs()
        )


def secure_http_client(
    api_key: KeySpec = "env://OPENROUTER_API_KEY",
    *,
    base_url: str = DEFAULT_BASE_URL,
    allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
    allow_insecure_loopback: bool = False,
    app_url: str | None = None,
    app_title: str | None = None,
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.Client:
    """An ``httpx.Client`` that injects the key, enforces HTTPS and guards redirects
    (the key never goes to another origin; a request with a body follows no redirect, so
    the SDK gets a ``307`` back as ``APIStatusError`` instead of re-sending the prompt):
    the very client a ``RedactingClient`` with the same arguments sends through.

    Hand it to the official SDK; the SDK never holds the key (give it any placeholder)::

        http = secure_http_client("env://OPENROUTER_API_KEY")
        sdk = openai.OpenAI(base_url="https://openrouter.ai/api/v1",
                            api_key="set-by-openrouter-secure", http_client=http)
    """
    return HttpSettings(
        api_key,
        base_url=base_url,
        allowed_hosts=allowed_hosts,
        allow_insecure_loopback=allow_insecure_loopback,
        app_url=app_url,
        app_title=app_title,
        timeout=timeout,
        limits=limits,
    ).client(transport)


def secure_async_http_client(
    api_key: KeySpec = "env://OPENROUTER_API_KEY",
    *,
    base_url: str = DEFAULT_BASE_URL,
    allowed_hosts: Iterable[str] = DEFAULT_ALLOWED_HOSTS,
    allow_insecure_loopback: bool = False,
    app_url: str | None = None,
    app_title: str | None = None,
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.AsyncClient:
    """Async :func:`secure_http_client`, for ``openai.AsyncOpenAI(http_client=...)``."""
    return HttpSettings(
        api_key,
        base_url=base_url,
        allowed_hosts=allowed_hosts,
        allow_insecure_loopback=allow_insecure_loopback,
        app_url=app_url,
        app_title=app_title,
        timeout=timeout,
        limits=limits,
    ).async_client(transport)
