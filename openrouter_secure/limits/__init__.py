"""Rate limits and usage budgets, in memory or shared through Redis.

- :class:`RateLimiter` counts requests (or any cost) per key over a window, on the
  ``limits`` library (``pip install "openrouter-secure[ratelimit]"``, or ``[redis]``
  to share one budget across processes);
- :class:`Budget` caps spend per period from the costs OpenRouter reports, warns at
  thresholds and notices spikes.

The client's ``limiter=`` and :func:`openrouter_secure.mcp.secure`'s take any
:class:`Limiter` / :class:`AsyncLimiter` (answering a :class:`LimitResult`), not only
a :class:`RateLimiter`; :meth:`Budget.sync_from_key_info` takes any :class:`KeyUsage`,
such as what ``client.key_info()`` returns.
"""

from __future__ import annotations

from .._protocols import AsyncLimiter, Limiter, LimitResult
from ._budget import Budget, BudgetStatus, KeyUsage
from ._ratelimit import RateLimiter, RateLimitResult

__all__ = [
    "AsyncLimiter",
    "Budget",
    "BudgetStatus",
    "KeyUsage",
    "LimitResult",
    "Limiter",
    "RateLimitResult",
    "RateLimiter",
]
