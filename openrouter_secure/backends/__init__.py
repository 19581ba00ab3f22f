"""Secret backends, and what a backend author needs.

One module per built-in backend (``env``, ``keyring``, ``aws``, ``azure``, ``gcp``,
``vault``, ``file``, ``dotenv``), each found through the ``openrouter_secure.backends``
entry-point group.
Each module imports its SDK only inside the provider's methods, so importing it (or
``openrouter_secure``) never needs the extra.

For writing a backend: subclass :class:`~openrouter_secure.SecretProvider`, declare
the reference params it reads in ``params``, return :class:`SecretVersion` from
``versions()`` and :class:`SecretEntry` from ``list_secrets()``, say whether it can
run here with :class:`Availability`, and use
:func:`select_field` for ``#field`` selectors; :func:`~openrouter_secure.available_backends`
lists :class:`BackendInfo` rows.
"""

from __future__ import annotations

from .._provider import Availability, SecretEntry, SecretVersion, select_field
from .._registry import BackendInfo

__all__ = [
    "Availability",
    "BackendInfo",
    "SecretEntry",
    "SecretVersion",
    "select_field",
]
