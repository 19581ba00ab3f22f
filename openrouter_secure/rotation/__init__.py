"""Zero-downtime rotation of an OpenRouter API key through the key-management API.

:func:`plan_rotation` says what :func:`rotate_key` would do; :func:`rotate_key` creates
the new key, stores it and checks it works; :func:`finish_rotation` disables the old
one after a grace period. :func:`key_age` and :func:`rotation_due` answer from the
local rotation state, offline.

Each takes the management key as a :data:`ManagementKey` (a secret reference or a
:class:`~openrouter_secure.Secret`), or an already-built client that fits
:class:`ManagementClient`, such as a :class:`~openrouter_secure.RedactingClient` on a
management key.
"""

from __future__ import annotations

from ._common import RotationResult
from ._finish import RotationDue, finish_rotation, key_age, rotation_due
from ._protocols import ManagementClient, ManagementKey
from ._rotate import RotationPlan, plan_rotation, rotate_key

__all__ = [
    "ManagementClient",
    "ManagementKey",
    "RotationDue",
    "RotationPlan",
    "RotationResult",
    "finish_rotation",
    "key_age",
    "plan_rotation",
    "rotate_key",
    "rotation_due",
]
