"""The doctor's ``OPENROUTER_API_KEY`` check: format, and with ``--online`` ``GET /key``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._report import DoctorFinding

__all__ = ["api_key_findings"]

_KEY_SHAPE = re.compile(r"sk-or-v1-[0-9a-f]{64}")


def api_key_findings(
    environ: Mapping[str, str], online: bool, base_url: str | None
) -> list[DoctorFinding]:
    """What to say about ``OPENROUTER_API_KEY`` (never its value; at most its length)."""
    out: list[DoctorFinding] = []
    value = environ.get("OPENROUTER_API_KEY")
    if not value:  # empty counts as unset, as it does for env://
        out.append(
            DoctorFinding(
                "api-key",
                "info",
                "OPENROUTER_API_KEY is not set (fine if your apps read the key from a "
                "secret store such as keyring://)",
            )
        )
        return out
    if not _KEY_SHAPE.fullmatch(value.strip()):
        out.append(
            DoctorFinding(
                "api-key",
                "warning",
                f"OPENROUTER_API_KEY is set ({len(value)} characters) but does not look "
                "like an OpenRouter key (sk-or-v1- then 64 hex digits)",
                rule="format",
                fix="check that the whole key was copied, with no quotes or spaces",
            )
        )
        return out
    out.append(
        DoctorFinding(
            "api-key", "info", "OPENROUTER_API_KEY is set and looks like an OpenRouter key"
        )
    )
    if online:
        out.append(_online_check(base_url))
    return out


def _online_check(base_url: str | None) -> DoctorFinding:
    try:
        from ..._client._sync import RedactingClient
    except ImportError:
        return DoctorFinding(
            "api-key-online",
            "info",
            "skipped the online check: this version has no OpenRouter client",
        )
    from ..._exceptions import AuthenticationError, OpenRouterSecureError

    kwargs: dict[str, Any] = {}
    if base_url:
        kwargs["base_url"] = base_url
        kwargs["allow_insecure_loopback"] = base_url.startswith("http://")
    try:
        with RedactingClient(api_key="env://OPENROUTER_API_KEY", **kwargs) as client:
            info = client.key_info()
    except AuthenticationError:
        return DoctorFinding(
            "api-key-online",
            "error",
            "OpenRouter rejected OPENROUTER_API_KEY (401): it is invalid, disabled or expired",
            fix="create a new key at https://openrouter.ai/settings/keys",
        )
    except OpenRouterSecureError as exc:  # unreachable, refused base URL, keychain down, ...
        return DoctorFinding("api-key-online", "warning", f"could not check the key online: {exc}")
    limit = getattr(info, "limit", None)
    remaining = getattr(info, "limit_remaining", None)
    detail = "no spending limit" if limit is None else f"limit {limit}, remaining {remaining}"
    return DoctorFinding(
        "api-key-online", "info", f"OpenRouter accepts OPENROUTER_API_KEY ({detail})"
    )
