"""Turning OpenRouter error answers (and transport failures) into the typed error tree.

One rule everywhere: an error's message is the HTTP status plus OpenRouter's own
``error.message``, sanitized and cut to 100 characters. Request headers, the key and
the prompt never get in (the message is built from the response body only, and the
sanitizer masks any known secret that a server might echo back). ``metadata`` passes
through the sanitizer too, and the user's own text that moderation echoes
(``flagged_input``) is replaced by its length.
"""

from __future__ import annotations

import html
import json
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote_plus

import httpx

from .._exceptions import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    OpenRouterConnectionError,
    OpenRouterError,
    PaymentRequiredError,
    RateLimitError,
    RequestTimeoutError,
    UpstreamError,
)
from .._sanitize._sanitizer import default_sanitizer

__all__ = [
    "RETRY_STATUSES",
    "error_for_status",
    "error_from_payload",
    "error_from_response",
    "error_from_transport",
    "normalize",
    "parse_retry_after",
    "quotes",
]

#: Answers worth trying again: OpenRouter's timeout, rate limit and upstream failures.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

_BY_STATUS: dict[int, type[OpenRouterError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: ForbiddenError,
    404: NotFoundError,
    408: RequestTimeoutError,
    429: RateLimitError,
}

_HINTS = {
    400: "check the request parameters",
    401: "the key is invalid, disabled or expired; check the secret reference",
    402: "add credits or raise the key's limit",
    403: "the input was flagged or the key may not do this",
    404: "check the model, generation id or key hash",
    408: "the request took too long; retry, or raise the timeout",
    429: "slow down; wait retry_after seconds",
}

# Fields of moderation metadata that repeat the user's own text.
_USER_TEXT_FIELDS = frozenset({"flagged_input", "input", "prompt", "messages", "raw"})


def error_for_status(status: int | None) -> type[OpenRouterError]:
    if status is None:
        return OpenRouterError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return UpstreamError if status >= 500 else OpenRouterError


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(when - (time.time() if now is None else now), 0.0)


_WINDOW = 16
# JSON and C escapes a server may apply when it quotes text back (\u00e9, \n, \").
_NOT_ALNUM = re.compile(r"[\W_]+")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return chr(int(code, 16)) if code else " "


def decode(text: str) -> str:
    """``text`` with the encodings a server may apply when it quotes text back undone:
    percent-encoding (``%20``, ``+``), HTML entities (``&#x27;``, ``&amp;``) and JSON or
    C escapes (``\\u00e9``, ``\\n``), each repeated up to three times (a text encoded
    twice decodes too)."""
    for _ in range(3):
        before = text
        if "%" in text or "+" in text:
            text = unquote_plus(text)
        if "&" in text:
            text = html.unescape(text)
        if "\\" in text:
            text = _ESCAPE.sub(_unescape, text)
        if text == before:
            break
    return text


def normalize(text: str) -> str:
    """``text`` reduced to what survives a near-copy: decoded (:func:`decode`), NFKC,
    case folded, and only letters and digits kept (white space and punctuation dropped),
    so doubled spaces, line breaks, changed case or quotes, and URL, HTML or JSON
    escaping compare equal."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", decode(text)).casefold())


def quotes(text: str, sent: Sequence[str]) -> bool:
    """Whether ``text`` repeats any 16-character stretch of the texts the caller sent
    (or the whole of a sent text of 8 to 15 characters), compared after
    :func:`normalize`: near-copies count.

    A server that echoes the prompt in an error message (or moderation metadata) must
    not carry it into an exception; such text is withheld whole, since a partial echo
    cannot be masked reliably. Linear in the sizes: the 16-grams of ``text`` go in a set
    and each sent text is slid over it once.
    """
    if not sent:
        return False
    text = normalize(text)
    grams: set[str] | None = None
    for raw in sent:
        item = normalize(raw)
        if len(item) < _WINDOW:
            if len(item) >= 8 and item in text:
                return True
            continue
        if grams is None:
            grams = {text[i : i + _WINDOW] for i in range(len(text) - _WINDOW + 1)}
            if not grams:
                return False
        if any(item[i : i + _WINDOW] in grams for i in range(len(item) - _WINDOW + 1)):
            return True
    return False


def _clean_value(value: Any, sent: Sequence[str]) -> Any:
    if isinstance(value, str):
        return default_sanitizer().redact(value) if quotes(value, sent) else value
    if isinstance(value, Mapping):
        # A field that repeats the user's text is replaced at any depth, not only at the top.
        return {
            str(k): _user_text(v) if str(k) in _USER_TEXT_FIELDS else _clean_value(v, sent)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_clean_value(v, sent) for v in value]
    return value


def _user_text(value: Any) -> str:
    """A field that repeats the user's own text, replaced by its length."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return default_sanitizer().redact(text)


def _clean_metadata(metadata: Any, sent: Sequence[str] = ()) -> dict[str, Any]:
    if not isinstance(metadata, Mapping):
        return {}
    sanitizer = default_sanitizer()
    out: dict[str, Any] = {}
    for name, value in metadata.items():
        if str(name) in _USER_TEXT_FIELDS:
            out[str(name)] = _user_text(value)
        else:
            out[str(name)] = _clean_value(sanitizer.sanitize_data(value), sent)
    return out


def _message(status: int | None, text: str, where: str, sent: Sequence[str] = ()) -> str:
    sanitizer = default_sanitizer()
    if text and sent and quotes(text, sent):
        said = f"message withheld: it quotes the request ({len(text)} chars)"
    else:
        said = sanitizer.truncate(text, 100) if text else "no message"
    label = f"HTTP {status}" if status is not None else "error"
    hint = _HINTS.get(status or 0)
    return f"OpenRouter {label} on {where}: {said}" + (f" ({hint})" if hint else "")


def error_from_payload(
    error: Any,
    *,
    http_status: int | None,
    where: str,
    retry_after: float | None = None,
    generation_id: str | None = None,
    sent: Sequence[str] = (),
) -> OpenRouterError:
    """The error for an ``{"error": {...}}`` object, found in a body or an SSE event.

    ``error.code`` decides the class when it is an HTTP status (an error inside a 200
    answer says what really happened); a non-numeric code inside a stream is upstream.
    """
    error = error if isinstance(error, Mapping) else {"message": str(error)}
    code = error.get("code")
    status = code if isinstance(code, int) and 100 <= code < 600 else None
    if status is None and http_status is not None and http_status >= 400:
        status = http_status
    message = error.get("message")
    cls = error_for_status(status) if status is not None else UpstreamError
    if cls is OpenRouterError and http_status == 200:
        cls = UpstreamError
    return cls(
        _message(status if status is not None else http_status, str(message or ""), where, sent),
        status_code=status if status is not None else http_status,
        code=code if isinstance(code, (int, str)) else None,
        metadata=_clean_metadata(error.get("metadata"), sent),
        retry_after=retry_after,
        generation_id=generation_id,
    )


def error_from_response(
    response: httpx.Response, where: str, sent: Sequence[str] = ()
) -> OpenRouterError:
    """The error for a non-2xx answer whose body has been read. ``sent``: the texts of
    the request (the prompt), withheld from the error if the answer quotes them."""
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    generation_id = response.headers.get("x-generation-id")
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, Mapping) and "error" in body:
        err = error_from_payload(
            body["error"],
            http_status=response.status_code,
            where=where,
            retry_after=retry_after,
            generation_id=generation_id,
            sent=sent,
        )
        # The HTTP status is the truth for the class when the two disagree.
        if err.status_code != response.status_code:
            err = error_for_status(response.status_code)(
                err.message,
                status_code=response.status_code,
                code=err.code,
                metadata=err.metadata,
                retry_after=retry_after,
                generation_id=generation_id,
            )
        return err
    text = response.text if body is None else json.dumps(body)
    status = response.status_code
    if 300 <= status < 400:
        target = httpx.URL(response.headers.get("location", "")).host or "an unknown host"
        text = f"redirected to {target}; not followed"
    return error_for_status(status)(
        _message(status, text, where, sent),
        status_code=status,
        retry_after=retry_after,
        generation_id=generation_id,
    )


def error_from_transport(exc: httpx.HTTPError, where: str, timeout: object) -> OpenRouterError:
    """The error for a request that got no answer. httpx's own text is not reused:
    only the exception's type name, which cannot carry a header or a body."""
    kind = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(
            f"OpenRouter did not answer {where} in time ({kind}; timeout={timeout}); "
            "retry, or pass a larger timeout="
        )
    return OpenRouterConnectionError(
        f"could not reach OpenRouter for {where} ({kind}); check the network and base_url"
    )
