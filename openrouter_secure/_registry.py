"""Finding backends and resolving references through them.

Backends are found by entry point (group ``openrouter_secure.backends``; the name is
the URI scheme and the extra), lazily, on first use. The built-in names are pinned
to this package's own modules, so an installed plugin can add ``myvault://`` but can
never take over ``env://`` or ``aws://``. A plugin that fails to load is reported by
:func:`available_backends` and logged, never fatal to the others.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, distributions
from typing import Any

from . import _events
from ._cache import SecretCache
from ._exceptions import (
    AccessDeniedError,
    BackendUnavailableError,
    MissingDependencyError,
    NoProviderError,
    OpenRouterSecureError,
    ProviderError,
    SecretNotFoundError,
)
from ._provider import SecretProvider
from ._refs import SecretRef, as_ref
from ._secret import Secret

__all__ = [
    "ENTRY_POINT_GROUP",
    "BackendInfo",
    "arefresh",
    "aresolve",
    "available_backends",
    "configure_cache",
    "get_cache",
    "get_provider",
    "invalidate",
    "refresh",
    "register_backend",
    "rescan_plugins",
    "resolve",
    "resolve_first",
    "unregister_backend",
]

ENTRY_POINT_GROUP = "openrouter_secure.backends"

log = logging.getLogger("openrouter_secure.registry")

# name -> (module:attr, modules its extra brings). Pinned: plugins cannot shadow these.
BUILTIN: dict[str, tuple[str, tuple[str, ...]]] = {
    "env": ("openrouter_secure.backends.env:EnvProvider", ()),
    "keyring": ("openrouter_secure.backends.keyring:KeyringProvider", ("keyring",)),
    "aws": ("openrouter_secure.backends.aws:AwsProvider", ("boto3",)),
    "vault": ("openrouter_secure.backends.vault:VaultProvider", ("hvac",)),
    "azure": (
        "openrouter_secure.backends.azure:AzureProvider",
        ("azure.keyvault.secrets", "azure.identity"),
    ),
    "gcp": (
        "openrouter_secure.backends.gcp:GcpProvider",
        ("google.cloud.secretmanager", "google_crc32c"),
    ),
}

ProviderFactory = SecretProvider | type[SecretProvider] | Callable[[], SecretProvider]


@dataclass(frozen=True)
class BackendInfo:
    """One row of :func:`available_backends`."""

    name: str
    available: bool
    reason: str
    source: str
    target: str


_lock = threading.RLock()
_registered: dict[str, ProviderFactory] = {}
_instances: dict[str, SecretProvider] = {}
_cache = SecretCache()


_plugins: dict[str, list[EntryPoint]] | None = None


def _plugin_entry_points() -> dict[str, list[EntryPoint]]:
    """Entry points by name, scanned once per process (see :func:`rescan_plugins`).

    Distributions are walked directly because ``entry_points()`` keeps only the first
    of two same-named entry points, which would hide a conflict between two plugins.
    """
    global _plugins
    if _plugins is None:
        found: dict[str, list[EntryPoint]] = {}
        seen: set[tuple[str, str]] = set()
        for dist in distributions():
            for ep in dist.entry_points:
                if ep.group == ENTRY_POINT_GROUP and (ep.name, ep.value) not in seen:
                    seen.add((ep.name, ep.value))
                    found.setdefault(ep.name, []).append(ep)
        _plugins = found
    return _plugins


def rescan_plugins() -> None:
    """Forget the scanned entry points (after installing a plugin at run time)."""
    global _plugins
    with _lock:
        _plugins = None


def _dist_name(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return str(dist.name) if dist is not None else "unknown distribution"


def _load_target(target: str) -> Any:
    module, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _missing_modules(modules: Iterable[str]) -> list[str]:
    missing = []
    for module in modules:
        try:
            if not _findable(module):
                missing.append(module)
        except (ImportError, ValueError):
            missing.append(module)
    return missing


def _findable(module: str) -> bool:
    """Whether ``module`` could be imported, importing neither it nor its parents.

    ``importlib.util.find_spec("azure.keyvault.secrets")`` imports ``azure`` and
    ``azure.keyvault`` to learn where to look; this asks the path finders level by level
    instead (namespace packages included), so listing backends loads no SDK.
    """
    if module in sys.modules:
        return True
    parts = module.split(".")
    top = importlib.util.find_spec(parts[0])  # a top-level lookup imports nothing
    if top is None:
        return False
    locations = list(top.submodule_search_locations or [])
    for depth in range(2, len(parts) + 1):
        name = ".".join(parts[:depth])
        loaded = sys.modules.get(name)
        if loaded is not None:
            locations = list(getattr(loaded, "__path__", None) or [])
        else:
            found = _find_in(name, locations)
            if found is None:
                return False
            locations = found
        if not locations and depth < len(parts):
            return False  # a plain module has no submodules
    return True


def _find_in(name: str, entries: list[str]) -> list[str] | None:
    """Where submodules of ``name`` live (``[]`` for a plain module), or None if absent."""
    portions: list[str] = []
    for entry in entries:
        finder = sys.path_importer_cache.get(entry)
        if finder is None:
            for hook in sys.path_hooks:
                try:
                    finder = hook(entry)
                    break
                except ImportError:
                    continue
        spec = finder.find_spec(name) if finder is not None else None
        if spec is None:
            continue
        if spec.loader is not None:  # a regular package or module wins outright
            return list(spec.submodule_search_locations or [])
        portions.extend(spec.submodule_search_locations or [])  # a namespace portion
    return portions or None


def _factory_for(name: str) -> tuple[ProviderFactory, str]:
    """The factory registered for ``name`` and where it came from; raises if none."""
    if name in _registered:
        return _registered[name], "registered"
    if name in BUILTIN:
        target, modules = BUILTIN[name]
        if missing := _missing_modules(modules):
            raise MissingDependencyError(name, module=missing[0])
        try:
            return _load_target(target), "openrouter-secure"
        except Exception as exc:  # noqa: BLE001 - reported like a broken plugin
            raise BackendUnavailableError(
                f"the built-in {name}:// backend failed to load: {type(exc).__name__}: {exc}",
                backend=name,
                retryable=False,
            ) from None
    eps = _plugin_entry_points().get(name, [])
    if not eps:
        known = ", ".join(sorted({*BUILTIN, *_registered, *_plugin_entry_points()}))
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


def _instantiate(name: str, factory: ProviderFactory) -> SecretProvider:
    if isinstance(factory, SecretProvider):
        return factory
    if isinstance(factory, type) and issubclass(factory, SecretProvider):
        availability = factory.availability()
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


def get_provider(name: str) -> SecretProvider:
    """The (shared) provider for backend ``name``, loading it on first use.

    Raises :class:`NoProviderError` for an unknown name, :class:`MissingDependencyError`
    when its extra is not installed, :class:`BackendUnavailableError` when it cannot
    run here (the message says why).
    """
    with _lock:
        provider = _instances.get(name)
        if provider is None:
            factory, _ = _factory_for(name)
            provider = _instances[name] = _instantiate(name, factory)
        return provider


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
    """Every known backend, whether it can run here, and why not. Never raises."""
    names = sorted({*BUILTIN, *_registered, *_plugin_entry_points()})
    rows = []
    for name in names:
        target = BUILTIN[name][0] if name in BUILTIN else ""
        source = "openrouter-secure" if name in BUILTIN else ""
        try:
            factory, source = _factory_for(name)
            target = target or getattr(factory, "__module__", "") + ":" + getattr(
                factory, "__qualname__", type(factory).__name__
            )
            if isinstance(factory, type) and issubclass(factory, SecretProvider):
                availability = factory.availability()
                rows.append(
                    BackendInfo(
                        name, availability.available, availability.reason or "ok", source, target
                    )
                )
            else:
                rows.append(BackendInfo(name, True, "ok", source, target))
        except OpenRouterSecureError as exc:
            log.warning("secret backend %s:// is not usable: %s", name, exc)
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
def _fetch(ref: SecretRef) -> Secret:
    try:
        provider = get_provider(ref.backend)
        try:
            secret = _checked(ref, provider.get(ref))
        except OpenRouterSecureError:
            raise
        except Exception as exc:  # noqa: BLE001 - a backend bug must not leak raw SDK text
            raise _wrap_unexpected(ref, exc) from None
    except OpenRouterSecureError as exc:
        _announce_failure(ref, exc)
        raise
    _events.emit("secret.resolved", backend=ref.backend, ref=str(ref))
    return secret


async def _afetch(ref: SecretRef) -> Secret:
    try:
        provider = get_provider(ref.backend)
        try:
            secret = _checked(ref, await provider.aget(ref))
        except OpenRouterSecureError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _wrap_unexpected(ref, exc) from None
    except OpenRouterSecureError as exc:
        _announce_failure(ref, exc)
        raise
    _events.emit("secret.resolved", backend=ref.backend, ref=str(ref))
    return secret


def _announce_failure(ref: SecretRef, exc: OpenRouterSecureError) -> None:
    _events.emit(
        "secret.resolve_failed", backend=ref.backend, ref=str(ref), error=type(exc).__name__
    )


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
