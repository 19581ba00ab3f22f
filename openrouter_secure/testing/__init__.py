"""Helpers for testing code that uses openrouter-secure, and for testing backends.

- :class:`FakeProvider`: an in-memory backend with call counts and injectable faults.
- :func:`make_canary`: a random, real-looking key built at run time (never commit one).
- :class:`LeakCheck`: capture every log record and assert a canary appears nowhere.
- :class:`OpenRouterTestServer`: a real loopback HTTP server speaking OpenRouter's API,
  with scripted faults and a record of every request.
- :class:`ProviderContract`: a pytest mixin every backend's tests subclass, third-party
  backends included.

Nothing here imports pytest until a ``ProviderContract`` test runs.
"""

from __future__ import annotations

from ._contract import ProviderContract
from ._fake_provider import FakeProvider
from ._leaks import LeakCheck, assert_no_leak, make_canary
from ._openrouter_server import OpenRouterTestServer, RecordedRequest, ScriptedResponse, StoredKey

__all__ = [
    "FakeProvider",
    "LeakCheck",
    "OpenRouterTestServer",
    "ProviderContract",
    "RecordedRequest",
    "ScriptedResponse",
    "StoredKey",
    "assert_no_leak",
    "make_canary",
]
