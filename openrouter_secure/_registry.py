"""Finding backends and resolving references through them.

Backends are found by entry point (group ``openrouter_secure.backends``; the name is
the URI scheme and the extra), lazily, on first use. The built-in names are pinned
to this package's own entry-point targets, so an installed plugin can add
``myvault://`` but can never take over ``env://`` or ``aws://``. Everything else about a
backend is its own to say: whether it can run here (``availability()``, which names a
missing extra), which params it reads (``params``) and whether it writes (``put``). A
plugin that fails to load is reported by :func:`available_backends` and logged, never
fatal to the others.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _events
from ._cache import SecretCache
from ._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    InvalidReferenceError,
    MissingDependencyError,
    NoProviderError,
    OpenRouterSecureError,
    ProviderError,
    SecretNotFoundError,
)
from ._provider import Availability, SecretProvider, without_param_values
from ._refs import SecretRef, as_ref
from ._secret import Secret

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = [
    "ENTRY_POINT_GROUP",
    "BackendInfo",
    "arefresh",
    "aresolve",
    "available_backends",
    "backend_names",
    "configure_cache",
    "get_cache",
    "get_provider",
    "invalidate",
    "refresh",
    "register_backend",
    "resolve",
    "resolve_first",
    "unregister_backend",
]

ENTRY_POINT_GROUP = "openrouter_secure.backends"

log = logging.getLogger("openrouter_secure.registry")

# name -> entry-point target, as in pyproject.toml (a test keeps the two equal). Pinned
# here rather than read from metadata so that a plugin registering the same name cannot
# shadow one, and a source checkout without installed metadata still has them.
BUILTIN: dict[str, str] = {
    "env": "openrouter_secure.backends.env:EnvProvider",
    "keyring": "openrouter_secure.backends.keyring:KeyringProvider",
    "aws": "openrouter_secure.backends.aws:AwsProvider",
    "vault": "openrouter_secure.backends.vault:VaultProvider",
    "azure": "openrouter_secure.backends.azure:AzureProvider",
    "gcp": "openrouter_secure.backends.gcp:GcpProvider",
    "file": "openrouter_secure.backends.file:FileProvider",
    "dotenv": "openrouter_secure.backends.dotenv:DotenvProvider",
}

ProviderFactory = SecretProvider | type[SecretProvider] | Callable[[], SecretProvider]


@dataclass(frozen=True)
class BackendInfo:
    """One row of :func:`available_backends`.

    ``reason`` is the backend's own ``availability()`` answer (or why it failed to
    load); ``writable`` whether it defines ``put``, i.e. can store a key.
    """

    name: str
    available: bool
    reason: str
    source: str
    target: str
    writable: bool = False


_lock = threading.RLock()
_registered: dict[str, ProviderFactory] = {}
_instances: dict[str, SecretProvider] = {}
_cache = SecretCache()


_plugins: dict[str, list[EntryPoint]] | None = None


def _plugin_entry_points() -> dict[str, list[EntryPoint]]:
    """Entry points by name, scanned once per process.

    Distributions are walked directly because ``entry_points()`` keeps only the first
    of two same-named entry points, which would hide a conflict between two plugins.
    """
    global _plugins
    if _plugins is None:
        # Imported here: resolving a built-in backend never needs package metadata.
        from importlib.metadata import distributions

        found: dict[str, list[EntryPoint]] = {}
        seen: set[tuple[str, str]] = set()
        for dist in distributions():
            for ep in dist.entry_points:
                if ep.group == ENTRY_POINT_GROUP and (ep.name, ep.value) not in seen:
                    seen.add((ep.name, ep.value))
                    found.setdefault(ep.name, []).append(ep)
        _plugins = found
    return _plugins


def backend_names() -> frozenset[str]:
    """Every backend name a reference may use: built in, registered, or from a plugin.

    Never raises: unreadable package metadata only hides the plugins it describes.
    """
    with _lock:
        names = {*BUILTIN, *_registered}
    try:
        names |= set(_plugin_entry_points())
    except Exception as exc:  # noqa: BLE001 - broken metadata must not break callers
        log.warning("cannot list secret backend plugins: %s: %s", type(exc).__name__, exc)
    return frozenset(names)


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return str(dist.name) if dist is not None else "unknown distribution"


def _load_target(target: str) -> Any:
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _factory_for(name: str) -> tuple[ProviderFactory, str]:
    """The factory registered for ``name`` and where it came from; raises if none."""
    if name in _registered:
        return _registered[name], "registered"
    if name in BUILTIN:
        try:
            return _load_target(BUILTIN[name]), "openrouter-secure"
        except Exception as exc:  # noqa: BLE001 - reported like a broken plugin
            raise BackendUnavailableError(
                f"the built-in {name}:// backend failed to load: {type(exc).__name__}: {exc}",
                backend=name,
                retryable=False,
            ) from None
    eps = _plugin_entry_points().get(name, [])
    if not eps:
        known = ", ".join(sorted(backend_names()))
        raise NoProviderError(
            f"no secret backend is registered for {name}:// (known: {known}). "
            "Install the package that provides it, or register one with register_backend()",
            backend=name,
        )
    if len({ep.value for ep in eps}) > 1:
        dists = ", ".join(sorted(_dist_name(ep) for ep in eps))
        raise BackendUnavailableError(
            f"several packages register the {name}:// backend ({dists}); uninstall all but one",
            backend=name,
            retryable=False,
        )
    ep = eps[0]
    try:
        return ep.load(), _dist_name(ep)
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, not fatal
        raise BackendUnavailableError(
            f"the {name}:// backend from {_dist_name(ep)} failed to load: "
            f"{type(exc).__name__}: {exc}",
            backend=name,
            retryable=False,
        ) from None


def _availability(backend: type[SecretProvider]) -> Availability:
    """``backend.availability()``, with a raising one reported as its answer."""
    try:
        return backend.availability()
    except Exception as exc:  # noqa: BLE001 - a plugin bug must not break listing or others
        return Availability(False, f"availability() raised {type(exc).__name__}: {exc}")


def _instantiate(name: str, factory: ProviderFactory) -> SecretProvider:
    if isinstance(factory, SecretProvider):
        return factory
    if isinstance(factory, type) and issubclass(factory, SecretProvider):
        availability = _availability(factory)
        if availability.missing_module is not None:
            raise MissingDependencyError(factory.extra or name, module=availability.missing_module)
        if not availability:
            raise BackendUnavailableError(
                f"the {name}:// backend cannot run here: {availability.reason}",
                backend=name,
                retryable=False,
            )
    provider = factory()
    if not isinstance(provider, SecretProvider):
        raise BackendUnavailableError(
            f"the {name}:// backend factory returned {type(provider).__name__}, "
            "not a SecretProvider",
            backend=name,
            retryable=False,
        )
    return provider


def _shared(name: str, ref: SecretRef | None = None) -> SecretProvider:
    """The shared provider for ``name``, built on first use.

    With ``ref``, its params are checked against the class before the provider is
    built, so a misspelt param is reported the same way whether or not the backend can
    run on this machine (the provider's own methods check every later call).
    """
    with _lock:
        provider = _instances.get(name)
        if provider is None:
            factory, _ = _factory_for(name)
            if (
                ref is not None
                and isinstance(factory, type)
                and issubclass(factory, SecretProvider)
            ):
                factory.check_params(ref)  # before availability() and the build
            provider = _instances[name] = _instantiate(name, factory)
    return provider


def get_provider(name: str) -> SecretProvider:
    """The (shared) provider for backend ``name``, loading it on first use.

    Raises :class:`NoProviderError` for an unknown name, :class:`MissingDependencyError`
    when its extra is not installed, :class:`BackendUnavailableError` when it cannot
    run here (the message says why).
    """
    return _shared(name)


def register_backend(name: str, provider: ProviderFactory, *, replace: bool = False) -> None:
    """Register ``provider`` (an instance, a class, or a factory) under ``name``.

    Meant for tests and for applications with an in-house backend; packages should
    use the entry point. Built-in names need ``replace=True``.
    """
    with _lock:
        if not replace and (name in _registered or name in BUILTIN):
            raise ValueError(f"a backend named {name!r} exists; pass replace=True to replace it")
        _registered[name] = provider
        old = _instances.pop(name, None)
    if old is not None and old is not provider:
        old.close()


def unregister_backend(name: str) -> None:
    """Undo :func:`register_backend` (and drop the cached instance)."""
    with _lock:
        _registered.pop(name, None)
        old = _instances.pop(name, None)
    if old is not None:
        old.close()


def available_backends() -> list[BackendInfo]:
    """Every known backend, whether it can run here, and why not. Never raises.

    Each backend answers for itself through ``availability()`` (a missing extra names
    its ``pip install`` command); a plugin that fails to load, or whose
    ``availability()`` raises, is reported in its row. Nothing is logged above DEBUG:
    the rows are the report.
    """
    rows = []
    for name in sorted(backend_names()):
        target = BUILTIN.get(name, "")
        source = "openrouter-secure" if name in BUILTIN else ""
        try:
            factory, source = _factory_for(name)
            target = target or getattr(factory, "__module__", "") + ":" + getattr(
                factory, "__qualname__", type(factory).__name__
            )
            cls = factory if isinstance(factory, type) else type(factory)
            writable = issubclass(cls, SecretProvider) and cls.supports("put")
            if isinstance(factory, type) and issubclass(factory, SecretProvider):
                availability = _availability(factory)
                rows.append(
                    BackendInfo(
                        name,
                        availability.available,
                        availability.reason or "ok",
                        source,
                        target,
                        writable,
                    )
                )
            else:
                rows.append(BackendInfo(name, True, "ok", source, target, writable))
        except OpenRouterSecureError as exc:
            # The row is the report: a listing logs nothing above DEBUG, so a missing
            # extra or a broken plugin never reaches stderr (through Python's last-resort
            # handler) of a program that only asked what is available.
            log.debug("secret backend %s:// is not usable: %s", name, exc)
            eps = _plugin_entry_points().get(name)
            if eps and not target:
                target, source = eps[0].value, _dist_name(eps[0])
            rows.append(BackendInfo(name, False, str(exc), source or "unknown", target))
    return rows


def _wrap_unexpected(ref: SecretRef, exc: Exception) -> ProviderError:
    return BackendUnavailableError(
        f"the {ref.backend}:// backend failed reading {ref}: {type(exc).__name__}: {exc}",
        ref=ref,
        retryable=False,
    )


def _checked(ref: SecretRef, value: object) -> Secret:
    if isinstance(value, Secret):
        return value
    if isinstance(value, (str, bytes)):
        return Secret(value)
    raise _wrap_unexpected(ref, TypeError(f"get() returned {type(value).__name__}, not a Secret"))


# Events mark real backend reads (cache misses), not every resolve(): a client that
# resolves its key per request would otherwise flood the audit log.
@contextlib.contextmanager
def _reading(ref: SecretRef) -> Iterator[None]:
    """Around one backend read: a backend bug becomes a ``BackendUnavailableError`` (raw
    SDK text must not leak), every failure is announced, and a success too."""
    try:
        try:
            yield
        except OpenRouterSecureError:
            raise
        except Exception as exc:  # noqa: BLE001 - a backend bug must not leak raw SDK text
            raise _wrap_unexpected(ref, exc) from None
    except OpenRouterSecureError as exc:
        _announce_failure(ref, exc)
        raise
    _events.emit("secret.resolved", backend=ref.backend, ref=str(ref))


def _fetch(ref: SecretRef) -> Secret:
    with _reading(ref):
        secret = _checked(ref, _shared(ref.backend, ref).get(ref))
    return secret


async def _afetch(ref: SecretRef) -> Secret:
    with _reading(ref):
        secret = _checked(ref, await _shared(ref.backend, ref).aget(ref))
    return secret


def _announce_failure(ref: SecretRef, exc: OpenRouterSecureError) -> None:
    # Events reach every subscriber and audit logs are kept, so a failed reference is
    # recorded only as far as it is known to be a reference: with an unknown backend it
    # was likely never one (a mistyped storage URL, ``rediz://user:password@host``), so
    # only its scheme is; one refused as malformed has its param values elided (a
    # misplaced value may be a pasted credential, see check_params).
    if isinstance(exc, NoProviderError):
        shown = f"{ref.backend}://..."
    elif isinstance(exc, InvalidReferenceError):
        shown = str(without_param_values(ref))
    else:
        shown = str(ref)
    _events.emit("secret.resolve_failed", backend=ref.backend, ref=shown, error=type(exc).__name__)


def resolve(ref: str | SecretRef, *, cache: bool = True) -> Secret:
    """The secret at ``ref`` (text or :class:`SecretRef`), through the cache.

    >>> resolve("env://OPENROUTER_API_KEY")   # doctest: +SKIP
    Secret('***MASKED***')
    """
    parsed = as_ref(ref)
    return _cache.get(str(parsed), lambda: _fetch(parsed)) if cache else _fetch(parsed)


async def aresolve(ref: str | SecretRef, *, cache: bool = True) -> Secret:
    """Async :func:`resolve`: never blocks the event loop; concurrent calls share one fetch."""
    parsed = as_ref(ref)
    if cache:
        return await _cache.aget(str(parsed), lambda: _afetch(parsed))
    return await _afetch(parsed)


def resolve_first(refs: Iterable[str | SecretRef], *, cache: bool = True) -> Secret:
    """The secret at the first reference that has one (e.g. env, then the keychain).

    A reference is passed over when its secret does not exist or its backend cannot
    answer (not installed, down); access denied and malformed references still raise,
    since falling past them would hide a misconfiguration.
    """
    reasons = []
    parsed_refs = [as_ref(r) for r in refs]
    if not parsed_refs:
        raise ValueError("resolve_first() needs at least one reference")
    for parsed in parsed_refs:
        try:
            return resolve(parsed, cache=cache)
        except AccessDeniedError:
            raise
        except (SecretNotFoundError, BackendUnavailableError, NoProviderError) as exc:
            reasons.append(f"{parsed}: {type(exc).__name__}")
    raise SecretNotFoundError(
        "none of the references holds a secret (" + "; ".join(reasons) + ")",
        ref=parsed_refs[0],
    )


def invalidate(ref: str | SecretRef) -> None:
    """Drop ``ref`` from the cache; the next resolve refetches."""
    _cache.invalidate(str(as_ref(ref)))


def refresh(ref: str | SecretRef) -> Secret:
    """Refetch ``ref`` now (after a 401, after a rotation) and cache the new value."""
    parsed = as_ref(ref)
    return _cache.get(str(parsed), lambda: _fetch(parsed), force=True)


async def arefresh(ref: str | SecretRef) -> Secret:
    """Async :func:`refresh`."""
    parsed = as_ref(ref)
    return await _cache.aget(str(parsed), lambda: _afetch(parsed), force=True)


def get_cache() -> SecretCache:
    """The process-wide cache behind :func:`resolve`."""
    return _cache


def configure_cache(
    *, ttl: float | None = None, stale_for: float | None = None, jitter: float | None = None
) -> SecretCache:
    """Change the process-wide cache's settings (and empty it)."""
    global _cache
    new = SecretCache(
        ttl=_cache.ttl if ttl is None else ttl,
        stale_for=_cache.stale_for if stale_for is None else stale_for,
        jitter=_cache.jitter if jitter is None else jitter,
    )
    old, _cache = _cache, new
    old.clear()
    return new
