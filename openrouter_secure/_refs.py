"""Secret references: ``<backend>://<path>[?params][#field]``.

One grammar for every backend. The backend is the entry-point name (and the URI
scheme, and the extra's name); the path means what the backend says it means;
params tune the read (region, version, endpoint); ``#field`` picks one key out of a
secret stored as a JSON object::

    env://OPENROUTER_API_KEY
    keyring://openrouter-mcp/api_key
    aws://prod/openrouter?region=eu-west-1&stage=AWSCURRENT#api_key
    vault://secret/openrouter/prod#api_key

A reference is *where* a secret lives, never the secret: params that look like
credentials (``token=``, ``password=``) are refused, so a reference is always safe
to log, print and commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from urllib.parse import parse_qsl, quote, unquote, urlencode

from ._exceptions import InvalidReferenceError

__all__ = ["SecretRef"]

_SHAPE = "<backend>://<path>[?name=value&...][#field], e.g. env://OPENROUTER_API_KEY"
_SCHEME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_REF = re.compile(
    r"(?P<scheme>[^:/?#]*)://(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#(?P<field>.*))?", re.S
)
# Credentials belong in the backend's own auth chain, never in a reference that ends up
# in config files and logs. A param may *point at* a credential (token_file, secret_id_env).
_CREDENTIAL_PARAM = re.compile(
    r"(?:^|[_-])(?:token|password|passwd|pwd|secret|credentials?|api[_-]?key|apikey)(?:$|[_-])",
    re.I,
)
_POINTER_SUFFIX = re.compile(r"[_-](?:file|path|env|var|mount)$", re.I)
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class SecretRef:
    """A parsed secret reference. ``SecretRef.parse(text)`` and ``str(ref)`` round-trip.

    ``params`` keep their order; ``param(name)`` reads one.
    """

    backend: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    field: str | None = None
    _text: str = dc_field(default="", compare=False, repr=False)

    @classmethod
    def parse(cls, text: str | SecretRef) -> SecretRef:
        """Parse ``text``; raises :class:`InvalidReferenceError` saying what is wrong.

        The error never echoes the text itself: a string that is not a reference may
        well be a pasted key.
        """
        if isinstance(text, SecretRef):
            return text
        if not isinstance(text, str):
            raise InvalidReferenceError(
                f"a secret reference must be a string, not {type(text).__name__}; expected {_SHAPE}"
            )
        match = _REF.fullmatch(text.strip())
        if match is None:
            raise InvalidReferenceError(
                f"not a secret reference (a string of {len(text)} characters with no '://'); "
                f"expected {_SHAPE}. If this is the secret itself, store it in a backend "
                "and pass its reference instead"
            )
        scheme = match["scheme"]
        if not _SCHEME.fullmatch(scheme):
            raise InvalidReferenceError(
                "the backend name before '://' must be lowercase letters, digits, '-' or '_' "
                f"(at most 32, starting with a letter); expected {_SHAPE}"
            )
        raw_path = match["path"]
        if not raw_path.strip("/"):
            raise InvalidReferenceError(
                f"{scheme}:// reference has an empty path; expected {_SHAPE}"
            )
        if any(c.isspace() for c in raw_path):
            raise InvalidReferenceError(
                f"{scheme}:// reference path contains white space; percent-encode it (%20)"
            )
        params = cls._parse_params(scheme, match["query"])
        fld = match["field"]
        if fld is not None:
            fld = unquote(fld)
            if not fld:
                raise InvalidReferenceError(f"{scheme}:// reference has an empty #field")
        return cls(scheme, unquote(raw_path), params, fld)

    @staticmethod
    def _parse_params(scheme: str, query: str | None) -> tuple[tuple[str, str], ...]:
        if query is None:
            return ()
        if not query:
            raise InvalidReferenceError(f"{scheme}:// reference has '?' with no params")
        try:
            pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
        except ValueError:
            raise InvalidReferenceError(
                f"{scheme}:// reference has malformed params: use ?name=value&name2=value2"
            ) from None
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise InvalidReferenceError(f"{scheme}:// reference repeats the param {name!r}")
            seen.add(name)
            _check_param_name(scheme, name)
        return tuple(pairs)

    @classmethod
    def build(
        cls,
        backend: str,
        path: str,
        params: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        field: str | None = None,
    ) -> SecretRef:
        """Make a reference from parts, validated as if parsed."""
        pairs = tuple(params.items()) if isinstance(params, Mapping) else tuple(params)
        return cls.parse(str(cls(backend, path, pairs, field)))

    def param(self, name: str, default: str | None = None) -> str | None:
        """The value of param ``name``, or ``default``."""
        for key, value in self.params:
            if key == name:
                return value
        return default

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)

    def with_params(self, **updates: str | None) -> SecretRef:
        """A copy with params set (``None`` removes one)."""
        merged = dict(self.params)
        for key, value in updates.items():
            if value is None:
                merged.pop(key, None)
            else:
                _check_param_name(self.backend, key)
                merged[key] = value
        return replace(self, params=tuple(merged.items()), _text="")

    def with_field(self, field: str | None) -> SecretRef:
        return replace(self, field=field, _text="")

    def __str__(self) -> str:
        if not self._text:
            text = f"{self.backend}://{quote(self.path, safe=_PATH_SAFE)}"
            if self.params:
                text += "?" + urlencode(self.params, quote_via=quote, safe="/:@-._~")
            if self.field is not None:
                text += "#" + quote(self.field, safe="/:@-._~")
            object.__setattr__(self, "_text", text)
        return self._text

    def __repr__(self) -> str:
        return f"SecretRef({str(self)!r})"


def _check_param_name(scheme: str, name: str) -> None:
    if not name:
        raise InvalidReferenceError(f"{scheme}:// reference has a param with no name")
    if _CREDENTIAL_PARAM.search(name) and not _POINTER_SUFFIX.search(name):
        raise InvalidReferenceError(
            f"{scheme}:// reference has the param {name!r}, which looks like a credential. "
            "A reference must never carry a secret: give the backend its credentials through "
            f"its usual environment or a file (e.g. {name}_file=/path)"
        )


def as_ref(ref: str | SecretRef) -> SecretRef:
    """``ref`` as a :class:`SecretRef` (parsing text)."""
    return ref if isinstance(ref, SecretRef) else SecretRef.parse(ref)
