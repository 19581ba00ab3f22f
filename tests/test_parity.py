"""Every sync/async twin in the package offers the same API.

Twins are found, not listed, so a new one is checked without touching this file:
classes ``X``/``AsyncX``; methods ``m``/``am`` whose ``am`` is a coroutine (or async
generator); functions ``f``/``af`` likewise; ``async_``/``sync_`` name pairs. For
each twin the public names match (``close`` pairing with ``aclose``, ``__iter__``
with ``__aiter__``...), every method takes the same parameters (names, kinds,
defaults, and annotations once ``Async``/``async_`` is read away), overloads
included, and the async side's methods are coroutines or async generators.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import openrouter_secure
from openrouter_secure import (
    AsyncRedactingClient,
    RedactingClient,
    secure_async_http_client,
    secure_http_client,
)
from openrouter_secure._client._base import ClientCore

# Names that differ only by being the async form of the same protocol.
ASYNC_NAME = {
    "close": "aclose",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
    "__iter__": "__aiter__",
    "__next__": "__anext__",
    "handle_request": "handle_async_request",
}
# Members compared although private: construction and the iteration protocols.
DUNDERS = {"__init__", "__call__", *ASYNC_NAME, *ASYNC_NAME.values()}
# Async-side members that are plain functions by design.
SYNC_IN_BOTH = {"__init__", "__aiter__"}


# Overloads are recorded from Python 3.11 on; on 3.10 only implementations compare.
_get_overloads: Callable[[Any], list[Callable[..., Any]]] = getattr(
    typing, "get_overloads", lambda func: []
)


def _norm(annotation: object) -> str:
    """An annotation as text with the sync/async difference read away."""
    if annotation is inspect.Parameter.empty:
        return ""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    text = re.sub(r"\bAsync(?=[A-Z])", "", text)
    text = re.sub(r"\basync_", "", text)
    # An async twin takes the async form of the same iterable.
    return re.sub(r"\b(?:Iterator|Iterable)\b", "Iterable", text)


def _params(func: Callable[..., Any]) -> list[tuple[str, str, str, str]]:
    return [
        (p.name, p.kind.name, repr(p.default), _norm(p.annotation))
        for p in inspect.signature(func).parameters.values()
    ]


def _is_async(func: object) -> bool:
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)


def _forms(owner: type | None, name: str, func: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The overloads of ``func`` (found by its defining class and name, since an
    overload-only method is a stand-in), then the implementation if there is one."""
    qualname, module = name, func.__module__
    if owner is not None:
        definer = next(k for k in owner.__mro__ if name in vars(k))
        qualname, module = f"{definer.__qualname__}.{name}", definer.__module__
    key = types.SimpleNamespace(__module__=module, __qualname__=qualname)
    forms = list(_get_overloads(key))
    if func.__qualname__ != "_overload_dummy":
        forms.append(func)
    return forms


def compare_functions(
    sync: Callable[..., Any],
    concurrent: Callable[..., Any],
    *,
    owners: tuple[type | None, type | None] = (None, None),
    name: str = "",
    async_name: str = "",
    must_await: bool = True,
) -> list[str]:
    """The differences between a sync function or method and its async twin."""
    label = name or sync.__name__
    s_forms = _forms(owners[0], label, sync)
    a_forms = _forms(owners[1], async_name or concurrent.__name__, concurrent)
    if len(s_forms) != len(a_forms):
        return [f"{label}: {len(s_forms)} forms (overloads) against {len(a_forms)}"]
    problems = []
    for s, a in zip(s_forms, a_forms, strict=True):
        if _params(s) != _params(a):
            problems.append(f"{label}: parameters {_params(s)} != {_params(a)}")
        if _is_async(s):
            problems.append(f"{label}: the sync twin is a coroutine")
        if must_await and not _is_async(a):
            problems.append(f"{label}: the async twin is not a coroutine or async generator")
    return problems


def _members(cls: type) -> dict[str, object]:
    """Public members (and the compared dunders) of ``cls``, declared attributes too."""
    found: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        if klass is object:
            continue
        for attr in getattr(klass, "__annotations__", {}):
            found.setdefault(attr, None)
    for attr in dir(cls):
        if (not attr.startswith("_") or attr in DUNDERS) and attr in _defined(cls):
            found[attr] = inspect.getattr_static(cls, attr)
    return {k: v for k, v in found.items() if not k.startswith("_") or k in DUNDERS}


def _defined(cls: type) -> set[str]:
    """Names some class in ``cls``'s MRO other than ``object`` defines."""
    return {attr for klass in cls.__mro__ if klass is not object for attr in vars(klass)}


def _ours(cls: type, name: str) -> bool:
    """Whether ``cls.name`` comes from ``cls``'s own package, not from a base class in
    httpx or typing (whose twins follow their own naming)."""
    definer = next((k for k in cls.__mro__ if name in vars(k)), object)
    return definer.__module__.split(".")[0] == cls.__module__.split(".")[0]


def _pair(name: str, other: dict[str, object], table: dict[str, str], prefix: str) -> str:
    """The twin of member ``name`` among ``other``: by the table, the same name, or
    the name with (or without) the ``a`` prefix, as ``hit``/``ahit``."""
    if name in table:
        return table[name]
    if name in other:
        return name
    if prefix and prefix + name in other:
        return prefix + name
    if not prefix and name.startswith("a") and name[1:] in other:
        return name[1:]
    return name


def compare_classes(sync: type, concurrent: type) -> list[str]:
    """The differences between a sync class and its async twin."""
    s_members, a_members = _members(sync), _members(concurrent)
    back = {v: k for k, v in ASYNC_NAME.items()}
    problems = []
    paired = {_pair(n, a_members, ASYNC_NAME, "a") for n in s_members}
    if missing := sorted(paired - set(a_members)):
        problems.append(f"{concurrent.__name__} lacks {missing}")
    if extra := sorted({_pair(n, s_members, back, "") for n in a_members} - set(s_members)):
        problems.append(f"{sync.__name__} lacks the twins of {extra}")
    for s_name, s_member in sorted(s_members.items()):
        a_name = _pair(s_name, a_members, ASYNC_NAME, "a")
        if a_name not in a_members or not (_ours(sync, s_name) or _ours(concurrent, a_name)):
            continue
        a_member = a_members[a_name]
        if isinstance(s_member, property) or isinstance(a_member, property):
            if not (isinstance(s_member, property) and isinstance(a_member, property)):
                problems.append(f"{s_name}: a property on one side only")
            else:
                s_type = _norm(inspect.signature(s_member.fget).return_annotation)  # type: ignore[arg-type]
                a_type = _norm(inspect.signature(a_member.fget).return_annotation)  # type: ignore[arg-type]
                if s_type != a_type:
                    problems.append(f"{s_name}: property types {s_type} != {a_type}")
        elif isinstance(s_member, (staticmethod, classmethod)) or inspect.isfunction(s_member):
            problems += compare_functions(
                getattr(sync, s_name),
                getattr(concurrent, a_name),
                owners=(sync, concurrent),
                name=s_name,
                async_name=a_name,
                must_await=a_name not in SYNC_IN_BOTH,
            )
    return problems


@dataclass(frozen=True)
class Twin:
    label: str
    sync: Any
    concurrent: Any
    owners: tuple[type | None, type | None] = (None, None)

    def problems(self) -> list[str]:
        if inspect.isclass(self.sync):
            return compare_classes(self.sync, self.concurrent)
        async_name = self.concurrent.__name__
        return compare_functions(
            self.sync,
            self.concurrent,
            owners=self.owners,
            name=self.sync.__name__,
            async_name=async_name,
            must_await=async_name.startswith("a") and not async_name.startswith("async_"),
        )


def _modules() -> Iterator[types.ModuleType]:
    prefix = openrouter_secure.__name__ + "."
    yield openrouter_secure
    for info in pkgutil.walk_packages(openrouter_secure.__path__, prefix):
        if not info.name.endswith("__main__"):  # running it is the CLI
            yield importlib.import_module(info.name)


def _async_names(name: str) -> list[str]:
    return ["a" + name, name.replace("sync_", "async_", 1), f"async_{name}"] + [
        name[:i] + "async_" + name[i:] for i in range(len(name)) if name[i - 1 : i] == "_"
    ]


def _function_twins(owner: Any, label: str) -> Iterator[tuple[str, Any, Any]]:
    space = {n: getattr(owner, n) for n in dir(owner) if not n.startswith("__")}
    for name, obj in space.items():
        if not callable(obj) or inspect.isclass(obj):
            continue
        for a_name in _async_names(name):
            twin = space.get(a_name)
            if a_name == name or twin is None or not callable(twin):
                continue
            if getattr(obj, "__module__", "").split(".")[0] != openrouter_secure.__name__:
                continue  # inherited from httpx or typing: their naming, not ours
            if a_name == "a" + name and not _is_async(twin):
                continue  # acquire/cquire and the like: not a twin
            yield f"{label}{name}/{a_name}", obj, twin


def discover() -> dict[str, Twin]:
    classes: dict[str, type] = {}
    twins: dict[str, Twin] = {}
    for module in _modules():
        for name, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj):
                classes[name] = obj
                for label, s, a in _function_twins(obj, f"{name}."):
                    twins[label] = Twin(label, s, a, (obj, obj))
        for label, s, a in _function_twins(module, ""):
            if getattr(s, "__module__", None) == module.__name__:
                twins[label] = Twin(label, s, a)
    for name, cls in classes.items():
        if name.startswith("Async") and name[5:] in classes:
            label = f"{name[5:]}/{name}"
            twins[label] = Twin(label, classes[name[5:]], cls)
    return twins


REQUIRED = {
    "RedactingClient/AsyncRedactingClient",
    "ChatStream/AsyncChatStream",
    "GuardTransport/AsyncGuardTransport",
    "benchmark_models/abenchmark_models",
    "resolve/aresolve",
    "refresh/arefresh",
    "SecretProvider.get/aget",
    "SecretCache.get/aget",
    "KeySource.get/aget",
    "RateLimiter.hit/ahit",
    "secure_http_client/secure_async_http_client",
    "HttpSettings.client/async_client",
}


@pytest.fixture(scope="module")
def twins() -> dict[str, Twin]:
    return discover()


def test_the_twins_the_api_promises_are_found(twins: dict[str, Twin]) -> None:
    assert set(twins) >= REQUIRED, sorted(REQUIRED - set(twins))


def test_every_async_twin_matches_its_sync_twin(twins: dict[str, Twin]) -> None:
    problems = {label: twin.problems() for label, twin in sorted(twins.items())}
    assert {label: found for label, found in problems.items() if found} == {}


def test_each_client_method_is_a_shell_over_a_core_method_of_its_parameters() -> None:
    # The request a method sends is built in ClientCore, once for both clients.
    lifecycle = {"close", "aclose", "http_client", "key_ref"}
    for client in (RedactingClient, AsyncRedactingClient):
        for name, member in _members(client).items():
            if name in lifecycle or name.startswith("_") or not inspect.isfunction(member):
                continue
            core = getattr(ClientCore, name, None)
            assert core is not None, f"ClientCore has no {name}()"
            assert _params(core) == _params(member), name


def _settings(http: httpx.Client | httpx.AsyncClient) -> dict[str, object]:
    """What decides where a client's requests go and what they carry, as comparable
    values (class names with ``Async`` read away)."""
    auth, guard = http.auth, http._transport
    policy = getattr(auth, "policy", None)
    return {
        "base_url": str(http.base_url),
        "follow_redirects": http.follow_redirects,
        "max_redirects": http.max_redirects,
        "timeout": http.timeout,
        "headers": sorted(http.headers.multi_items()),
        "event_hooks": {k: len(v) for k, v in http.event_hooks.items()},
        "trust_env": http.trust_env,
        "auth": _norm(type(auth).__name__),
        "key_ref": getattr(getattr(auth, "source", None), "ref", None),
        "allowed_hosts": sorted(getattr(policy, "allowed_hosts", ())),
        "insecure_loopback": getattr(policy, "allow_insecure_loopback", None),
        "transport": _norm(type(guard).__name__),
        "inner_transport": _norm(type(getattr(guard, "inner", None)).__name__),
        "one_policy": getattr(guard, "policy", None) is policy,
    }


SETTINGS_CASES = [
    {},
    {
        "base_url": "http://127.0.0.1:9/api/v1/",
        "allow_insecure_loopback": True,
        "allowed_hosts": ("openrouter.ai", "gateway.example"),
        "app_url": "https://app.example",
        "app_title": "Parity",
        "timeout": httpx.Timeout(3.0, connect=1.0),
    },
]


@pytest.mark.parametrize("kwargs", SETTINGS_CASES, ids=["defaults", "custom"])
async def test_the_four_key_carrying_clients_are_built_alike(kwargs: dict[str, Any]) -> None:
    ref = "env://PARITY_UNSET_KEY"  # resolved lazily: nothing is read here
    sync, concurrent = RedactingClient(ref, **kwargs), AsyncRedactingClient(ref, **kwargs)
    sdk, sdk_async = secure_http_client(ref, **kwargs), secure_async_http_client(ref, **kwargs)
    try:
        built = {
            "RedactingClient": _settings(sync.http_client),
            "AsyncRedactingClient": _settings(concurrent.http_client),
            "secure_http_client": _settings(sdk),
            "secure_async_http_client": _settings(sdk_async),
        }
    finally:
        sync.close()
        sdk.close()
        await concurrent.aclose()
        await sdk_async.aclose()
    reference = built["RedactingClient"]
    assert reference["auth"] == "KeyAuth"
    assert reference["transport"] == "GuardTransport"
    assert reference["one_policy"] is True
    assert {name: s for name, s in built.items() if s != reference} == {}


class _Sync:
    def send(self, text: str, *, retries: int = 2) -> str:
        return text

    def close(self) -> None:
        pass


def test_the_comparison_reports_a_missing_method_and_a_changed_parameter() -> None:
    class AsyncMissing:
        async def aclose(self) -> None:
            pass

    class AsyncRenamed:
        async def send(self, text: str, *, attempts: int = 2) -> str:
            return text

        async def aclose(self) -> None:
            pass

    class AsyncNotAwaited:
        def send(self, text: str, *, retries: int = 2) -> str:
            return text

        async def aclose(self) -> None:
            pass

    assert compare_classes(_Sync, AsyncMissing) == ["AsyncMissing lacks ['send']"]
    assert len(compare_classes(_Sync, AsyncRenamed)) == 1
    assert compare_classes(_Sync, AsyncNotAwaited) == [
        "send: the async twin is not a coroutine or async generator"
    ]
