"""Integrations with the tools applications already use, one public module each.

- :mod:`openrouter_secure.integrations.pydantic`: ``Secret`` fields and references that
  resolve on validation, for pydantic models and pydantic-settings
  (``pip install "openrouter-secure[pydantic]"``).
- :mod:`openrouter_secure.integrations.sentry`: a ``before_send`` hook that scrubs
  error reports (``pip install "openrouter-secure[sentry]"``).
- :mod:`openrouter_secure.integrations.opentelemetry`: a span processor that masks
  secrets in traces and drops prompts and completions
  (``pip install "openrouter-secure[opentelemetry]"``).

Each module imports its SDK when it is imported (and raises ``ImportError`` naming the
extra if it is missing); this package imports none of them.
"""

from __future__ import annotations

__all__: list[str] = []
