"""Which resource a ``resources/read`` really reads: the URI the policy decides on.

A client may percent-encode any part of a URI. The SDK looks a static resource up by
the exact URI string, then matches the URI against each template and **decodes** the
parameters before it calls the function: ``files://%73ecret`` read through
``files://{name}`` hands the function ``name="secret"``. Deciding on the raw URI would
let ``files://%73ecret`` past ``deny resource:files://secret*``, and
``files://public-%2E%2E%2Fsecret`` past ``allow resource:files://public-*``.

:func:`resource_target` therefore answers the URI as the function sees it: the
template with the decoded values written in literally (``files://secret``,
``files://public-../secret``), and the policy's globs apply to that (``*`` stops at
``/`` and ``.``). A read whose decoded values cannot be judged unambiguously is
refused (:class:`AmbiguousResourceError`): a value that still holds a percent-escape
after decoding (a function that decodes again would read another name than the one
decided on), a control character, or a ``.`` or ``..`` segment between ``/`` or ``\\``
separators, written or encoded (``public%2F..%2Fprivate``: the policy's
``docs://public/**`` would match ``public/../private`` by its letters, while a
function that joins it into a file path reads ``private``).

Free of the in-process server: it takes the template strings, so the MCP gateway can
pass those an upstream lists in ``resources/templates/list``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Container, Iterable, Mapping

from mcp.shared.uri_template import InvalidUriTemplate, UriTemplate

__all__ = ["AmbiguousResourceError", "resource_resolver", "resource_target"]

_EXPRESSION = re.compile(r"\{([+#./;?&]?)([^{}]*)\}")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A '.' or '..' segment, whichever separator (a function may join the value into a
# file path on any system).
_DOT_SEGMENT = re.compile(r"(?:^|[/\\])\.{1,2}(?:[/\\]|$)")
# operator -> (prefix, separator between values, named form)
_OPERATORS = {
    "": ("", ",", False),
    "+": ("", ",", False),
    "#": ("#", ",", False),
    ".": (".", ".", False),
    "/": ("/", "/", False),
    ";": (";", ";", True),
    "?": ("?", "&", True),
    "&": ("&", "&", True),
}


class AmbiguousResourceError(ValueError):
    """A resource URI whose decoded parameters cannot be judged unambiguously."""


@functools.lru_cache(maxsize=256)
def _parse(template: str) -> UriTemplate | None:
    try:
        return UriTemplate.parse(template)
    except (InvalidUriTemplate, ValueError):
        return None


def _literal(template: str, params: Mapping[str, str | list[str]]) -> str:
    """``template`` with ``params`` written in as they are (no percent-encoding)."""

    def expand(match: re.Match[str]) -> str:
        prefix, separator, named = _OPERATORS[match.group(1)]
        parts: list[str] = []
        for spec in match.group(2).split(","):
            name = spec.rstrip("*").split(":", 1)[0]
            if name not in params:
                continue
            value = params[name]
            text = separator.join(value) if isinstance(value, list) else value
            parts.append(f"{name}={text}" if named else text)
        return prefix + separator.join(parts) if parts else ""

    return _EXPRESSION.sub(expand, template)


Matcher = Callable[[str, str], "Mapping[str, str | list[str]] | None"]


def _sdk_match(uri: str, template: str) -> Mapping[str, str | list[str]] | None:
    parsed = _parse(template)
    return None if parsed is None else parsed.match(uri)


def resource_target(
    uri: str,
    templates: Iterable[str],
    static: Container[str] = (),
    *,
    match: Matcher | None = None,
) -> str:
    """The URI a read of ``uri`` hands the resource function, for the policy to decide on.

    ``static``: the URIs of the static resources (looked up by exact string, first);
    ``templates``: the URI templates, in the order the server tries them. A URI no
    template matches is answered as it is (the server will not find it either).
    ``match(uri, template)``: the server's own matcher, answering the decoded
    parameters or ``None`` (default: the ``mcp`` SDK's ``UriTemplate``); a server
    whose template syntax differs (fastmcp's ``{path*}``) must pass its own, or its
    templates match nothing here and the raw URI is decided on.

    Raises :class:`AmbiguousResourceError` if a decoded parameter holds a
    percent-escape, a control character, or a ``.``/``..`` segment.
    """
    if uri in static:
        return uri
    matcher = match or _sdk_match
    for template in templates:
        try:
            params = matcher(uri, template)
        except ValueError:
            return uri  # too long or malformed: the server refuses it too
        if params is None:
            continue
        for name, value in params.items():
            for item in value if isinstance(value, list) else [value]:
                if _ESCAPE.search(item) or _CONTROL.search(item):
                    raise AmbiguousResourceError(
                        f"parameter {name!r} of resource template {template!r} is "
                        "percent-encoded twice or holds a control character"
                    )
                if _DOT_SEGMENT.search(item):
                    raise AmbiguousResourceError(
                        f"parameter {name!r} of resource template {template!r} holds a "
                        "'.' or '..' segment: a function that joins it into a path would "
                        "read outside what the policy decided on"
                    )
        return _literal(template, params)
    return uri


def resource_resolver(
    templates: Callable[[], Iterable[str]], static: Callable[[], Container[str]]
) -> Callable[[str], str]:
    """:func:`resource_target` bound to a server's current templates and resources."""

    def resolve(uri: str) -> str:
        return resource_target(uri, templates(), static())

    return resolve
