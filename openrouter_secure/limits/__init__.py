"""Rate limits and usage budgets, in memory or shared through Redis.

- :class:`RateLimiter` counts requests (or any cost) per key over a window, on the
  ``limits`` library (``pip install "openrouter-secure[ratelimit]"``, or ``[redis]``
  to share one budget across processes);
- :class:`Budget` caps spend per period from the costs OpenRouter reports, warns at
  thresholds and notices spikes.
"""

from __future__ import annotations

from ._budget import Budget, BudgetStatus
from ._ratelimit import RateLimiter, RateLimitResult

__all__ = [
    "Budget",
    "BudgetStatus",
    "RateLimitResult",
    "RateLimiter",
]
