"""Secret references: ``<backend>://<path>[?params][#field]``.

One grammar for every backend. The backend is the entry-point name (and the URI
scheme, and the extra's name); the path means what the backend says it means;
params tune the read (region, version, endpoint); ``#field`` picks one key out of a
secret stored as a JSON object::

    env://OPENROUTER_API_KEY
    keyring://openrouter-mcp/api_key
    aws://prod/openrouter?region=eu-west-1&stage=AWSCURRENT#api_key
    vault://secret/openrouter/prod#api_key

A reference is *where* a secret lives, never the secret: a param named like a
credential (``token=``, ``password=``, ``bearer=``, ``clientAssertion=``, ``dsn=``) or
whose value looks like one (a URL with a password, a known token format, a long random
token) is refused, with an error naming the param and never its value, so a reference
is always safe to log, print and commit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from itertools import pairwise
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlencode

from . import _known
from ._exceptions import InvalidReferenceError

__all__ = ["SecretRef", "looks_like_a_credential", "names_a_credential"]

_SHAPE = "<backend>://<path>[?name=value&...][#field], e.g. env://OPENROUTER_API_KEY"
_SCHEME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_REF = re.compile(
    r"(?P<scheme>[^:/?#]*)://(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#(?P<field>.*))?", re.S
)
# Credentials belong in the backend's own auth chain, never in a reference that ends up
# in config files and logs. A param may *point at* a credential (token_file, secret_id_env).
# Names are split into words (snake, kebab and camelCase alike): a param is refused when a
# word names a credential, or its last word is "key" (api_key, accessKey, private-key).
_CREDENTIAL_WORDS = frozenset(
    {
        "token", "password", "passwd", "pwd", "pass", "passphrase", "secret", "credential",
        "credentials", "creds", "apikey", "bearer", "authorization", "session", "cookie",
        "assertion", "dsn", "jwt", "sig", "signature", "sas", "otp", "pin", "privatekey",
    }
)  # fmt: skip
# Found inside a run-together word too (apitoken, clientsecret, sessioncookie).
_CREDENTIAL_STEMS = (
    "token", "passw", "secret", "bearer", "credential", "passphrase", "cookie", "assertion",
    "session",
)  # fmt: skip
_POINTER_WORDS = frozenset({"file", "path", "env", "var", "mount"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# Values that are credentials whatever the param is called: a URL with a password, a
# well-known token format, or a long run of mixed-case letters and digits (no path, host
# or ARN looks like that; a UUID or a version id is lowercase hex).
_KNOWN_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:sk-|sk_(?:live|test)_|rk_live_|gh[pousr]_|github_pat_|glpat-|xox[abpr]-|AKIA|ASIA|"
    r"AIza|hv[sb]\.|eyJ)[A-Za-z0-9._~+/=-]{12,}"
)
_URL_PASSWORD = re.compile(r"://[^/?#\s@]*:[^/?#\s@]+@")
#: A reference's own authority with a password (``vault://user:pw@host/path``): its path
#: starts with it
_AUTHORITY_PASSWORD = re.compile(r"/*[^/?#\s@:]*:[^/?#\s@:]*@")
_TOKENISH = re.compile(r"[A-Za-z0-9+/=_~.-]{24,}")
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

    def __post_init__(self) -> None:
        # However a reference is made (parsed, built, replaced, constructed), it holds
        # no credential: str(ref) goes into errors, logs and config files.
        for name, value in self.params:
            _check_param(self.backend, name, value)
        for part, text in (("path", self.path), ("#field", self.field or "")):
            forms = _decoded_forms(text)
            if (part == "path" and any(_AUTHORITY_PASSWORD.match(f) for f in forms)) or any(
                _KNOWN_TOKEN.search(f) or _has_password(f) or _holds_known(f) for f in forms
            ):
                raise InvalidReferenceError(
                    f"{self.backend}:// reference has a {part} that looks like a credential "
                    "(not shown): a reference names where a secret is stored, never the secret; "
                    "store it in a backend and reference it there"
                )

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


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


def names_a_credential(name: str) -> bool:
    """Whether a param (or field, or variable) called ``name`` would hold a credential
    rather than point at one (``token``, ``accessToken``, ``apitoken`` yes; ``token_file``
    no)."""
    words = _words(name)
    if not words or words[-1].endswith(tuple(_POINTER_WORDS)):
        return False
    return words[-1].endswith("key") or any(
        w in _CREDENTIAL_WORDS or any(s in w for s in _CREDENTIAL_STEMS) for w in words
    )


def _has_password(text: str) -> bool:
    """Whether ``text`` holds a URL with a password (``scheme://user:pw@host``)."""
    return _URL_PASSWORD.search(text) is not None


def looks_like_a_credential(value: str) -> bool:
    """Whether ``value`` is a credential whatever it is called: a value this process
    holds as a :class:`~openrouter_secure.Secret`, a URL with a password, a well-known
    token format, a long mixed-case run of letters and digits, or one of letters alone
    whose cases mix as a random draw's do."""
    forms = _decoded_forms(value)
    if any(_holds_known(form) for form in forms):
        return True  # a held value, whatever is around it (``a-<pw>``, ``<pw>%00``)
    if any(_KNOWN_TOKEN.search(form) or _has_password(form) for form in forms):
        return True
    for run in _TOKENISH.findall(value):
        classes = sum(any(test(c) for c in run) for test in (str.isupper, str.islower, str.isdigit))
        if classes == 3 or (len(run) >= 40 and all(c in "0123456789abcdefABCDEF" for c in run)):
            return True
        # (letters alone, or joined by ``_`` and ``-`` as a URL-safe token's can be)
        letters = run.replace("_", "").replace("-", "")
        if len(letters) >= 24 and letters.isalpha() and _random_cases(letters):
            return True
    return False


def _random_cases(run: str) -> bool:
    """Whether a run of letters mixes its cases as a random token does (a quarter of
    each case at least, and as many changes of case): one of 52 letters drawn 24 times
    or more does, almost always, where words in camelCase (``HTTPServerConfigManager``)
    have a capital per word."""
    upper = sum(c.isupper() for c in run)
    changes = sum(a.isupper() != b.isupper() for a, b in pairwise(run))
    quarter = len(run) // 4
    return min(upper, len(run) - upper) >= quarter and changes >= quarter


# A held value shorter than this counts only when it is the whole text: a six-digit
# PIN inside a long path or parameter is more likely chance than a pasted secret, and
# refusing such references would make ordinary ones fail at random.
_MIN_INSIDE = 10


def _holds_known(text: str) -> bool:
    """Whether ``text`` is, or contains, a value this process holds as a Secret."""
    return any(k == text or (len(k) >= _MIN_INSIDE and k in text) for k in _known.current.values)


def _decoded_forms(value: str) -> set[str]:
    """``value`` as written, percent-decoded once more, Unicode-normalized (NFKC) and
    without control or blank characters: each form a value could be read back as."""
    forms = {value, unquote(value), unquote_plus(value)}
    for form in list(forms):
        normal = unicodedata.normalize("NFKC", form)
        forms.add(normal)
        forms.add("".join(c for c in normal if c.isprintable() and not c.isspace()))
    return forms


def _check_param(scheme: str, name: str, value: str) -> None:
    if not name:
        raise InvalidReferenceError(f"{scheme}:// reference has a param with no name")
    fix = (
        "A reference must never carry a secret: give the backend its credentials through "
        "its usual environment or a file"
    )
    if looks_like_a_credential(name):
        raise InvalidReferenceError(
            f"{scheme}:// reference has a param whose name looks like a credential. {fix}"
        )
    if names_a_credential(name):
        raise InvalidReferenceError(
            f"{scheme}:// reference has the param {name!r}, which looks like a credential. "
            f"{fix} (e.g. {name}_file=/path)"
        )
    if looks_like_a_credential(value):
        raise InvalidReferenceError(
            f"{scheme}:// reference has the param {name!r} with a value that looks like a "
            f"credential (not shown). {fix}"
        )


def as_ref(ref: str | SecretRef) -> SecretRef:
    """``ref`` as a :class:`SecretRef` (parsing text)."""
    return ref if isinstance(ref, SecretRef) else SecretRef.parse(ref)
