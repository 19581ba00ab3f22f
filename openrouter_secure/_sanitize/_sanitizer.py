"""The Sanitizer: find and mask secrets in text, headers, payloads and exceptions.

Two kinds of secret are found:

- **formats** (``_rules.RULES``): vendor keys (OpenRouter, OpenAI, Anthropic, Google,
  AWS, GitHub, Slack, Stripe, ...), JWTs, PEM private keys, credentials in URLs and
  ``curl -u``, ``Authorization:`` values, and values under secret-looking names;
- **known values** (``_known``): every value a :class:`~openrouter_secure.Secret` holds,
  wherever it appears, also base64-encoded (at any alignment, so inside a ``Basic``
  header too), URL-encoded and JSON-escaped, even when it has no recognisable format.

Masks keep at most a key's public prefix: ``sk-o...***MASKED***`` (4 characters, and
only for rules whose keys start with a public prefix); passwords and free-form values
become ``***MASKED***``. The engine (``_scan``) runs a literal prefilter and then each
rule's regex only next to a candidate; it is rebuilt lazily when the set of known
values changes. Every public method fails closed: if the sanitizer itself raises, the
output is ``<REDACTED: N chars; sanitizer failed>``, never the raw text.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import functools
import itertools
import json
import os
import re
import threading
import urllib.parse
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import _known
from .._exceptions import MissingDependencyError, install_scrubber
from .._secret import MASK, Secret
from ._context import (
    PLURALS,
    describes_secret,
    foreign_secret,
    is_password_name,
    is_public_key,
    list_singular,
    looks_generated,
    not_list_owner,
    value_kind,
)
from ._fingerprint import fingerprint as _keyed_fingerprint
from ._names import UPPER_SECRET_WORDS
from ._render import render
from ._rules import _SEGMENT, RULES, Rule, has_sequence, is_secret_identifier, looks_random
from ._scan import (
    BACKENDS,
    KNOWN,
    Hit,
    Scanner,
    fast_backend_available,
    hyperscan_available,
)
from ._terminal import terminal_views
from ._traceback import scrubbed_traceback
from ._views import HIDDEN_CHARS, View, base64_view, visible_view

__all__ = [
    "MASK",
    "Finding",
    "Sanitizer",
    "default_sanitizer",
    "is_secret_field",
    "mask_value",
    "scrub_text",
]

T = TypeVar("T")

_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-goog-api-key",
        "x-vault-token",
        "x-amz-security-token",
        "openai-api-key",
        "x-openrouter-api-key",
        "anthropic-api-key",
        "x-csrf-token",
        "x-xsrf-token",
    }
)
_HEADER_SCHEMES = frozenset(
    {"bearer", "basic", "token", "digest", "negotiate", "ntlm", "bot", "key", "sso", "ssws"}
)
_DATA_SECRET_WORDS = frozenset(
    {
        "password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "apikey",
        "authorization", "auth", "credential", "credentials", "cookie", "privatekey",
        "accesskey", "secretkey", "sessionid", "signature", "clientsecret", "cookies",
        "sessionids", "passwords", "passphrases", "pwds",
    }
)  # fmt: skip
_NOT_COUNTS = ("max_", "num_", "min_", "total_")
_DATA_PLURALS = {
    **PLURALS, "cookies": "cookie", "sessionids": "sessionid", "passphrases": "passphrase",
    "pwds": "pwd",
}  # fmt: skip
_SCALARS = (bool, int, float, complex)


@dataclass(frozen=True)
class Finding:
    """Where a secret was found: the rule that matched and the span. Never the value."""

    rule: str
    start: int
    end: int


def mask_value(value: str) -> str:
    """``sk-o...***MASKED***``: the first 4 characters (a key's public prefix), then the mask."""
    return MASK if len(value) <= 4 else f"{value[:4]}...{MASK}"


def _mask(value: str, keep: int) -> str:
    return mask_value(value) if keep else MASK


# Header and field names for values that are credentials, beyond what the name rules
# below derive: vendors that call their API key something else.
_SECRET_FIELD_NAMES = frozenset(
    {"x-honeycomb-team", "x-honeycomb-key", "x-rapidapi-key", "x-jfrog-art-api"}
)
# Words a credential's name may hold as one of its segments (after splitting on ``-``,
# ``_``, ``.`` and case): a personal access token (``GITHUB_PAT``), a JWT, ...
_FIELD_SECRET_WORDS = frozenset(
    {"authentication", "passcode", "jwt", "bearer", "connectionstring", "sig"}
    | {w.lower() for w in UPPER_SECRET_WORDS}
)
# ``<owner>_key`` names a credential (``subscription_key``, ``x-functions-key``,
# ``licenseKey``) unless the owner says it is an identifier or a lookup key.
_NOT_CREDENTIAL_KEYS = frozenset(
    {
        "public", "pub", "primary", "foreign", "sort", "partition", "cache", "hash", "range",
        "row", "composite", "unique", "shard", "routing", "idempotency", "dedup",
        "deduplication", "lookup", "map", "dict", "object", "index", "group", "message",
        "event", "record", "entity", "resource", "table", "column", "field", "node", "item",
        "hot", "label", "display", "translation", "i18n", "name", "value", "id", "json",
        "config", "setting", "settings", "property", "attribute", "metadata", "tag", "max",
        "min", "next", "page", "cursor", "continuation", "redis", "s3", "bucket", "file",
        "state", "query", "template", "prompt", "model", "schema", "sequence", "natural",
        "surrogate", "candidate", "alternate", "compound", "music", "keyboard",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def is_secret_field(name: str) -> bool:
    """Whether the value under a field, mapping key or header name is masked whole.

    The name test of :meth:`Sanitizer.sanitize_headers` and :meth:`Sanitizer.sanitize_data`
    (and of the log filter and audit log): broad, since masking a harmless value costs
    little. Every :func:`._rules.is_secret_identifier` name, the known credential headers,
    any name with a secret word among its segments (``api_key``, ``apiKey``, ``password``,
    ``password_hash``, ``client_secret``, ``X-Api-Key``, ``private_key``, ``auth_token``,
    ``AZURE_DEVOPS_EXT_PAT``, ``Authentication``), and any ``<owner>-key`` whose owner is
    not an identifier's (``Ocp-Apim-Subscription-Key``, ``x-functions-key``; not
    ``primary_key``, ``sort_key``, ``public_key``); not ``max_tokens``, ``total_tokens``,
    ``model``.
    """
    low = name.lower()
    if low in _SECRET_HEADERS or low in _SECRET_FIELD_NAMES:
        return True
    if low.startswith(_NOT_COUNTS):
        return False
    if is_secret_identifier(name) or list_singular(name, data=True):
        return True
    # Any segment pair or single segment that is a secret word (``password_hash``).
    segs = [s for s in low.replace("-", "_").replace(".", "_").split("_") if s]
    if len(segs) == 1 and name != low:  # camelCase: split on capitals instead
        segs = [s.lower() for s in _SEGMENT.findall(name)]
    if len(segs) > 1 and segs[-1] in _DATA_PLURALS and not not_list_owner(segs[-2], segs[-1]):
        # a list of secrets (``refresh_tokens``, ``stripe_keys``, ``session_cookies``);
        # not counts of tokens (``prompt_tokens``) nor public keys (``ssh_keys``)
        segs[-1] = _DATA_PLURALS[segs[-1]]
    joined = {a + b for a, b in itertools.pairwise(segs)}
    if any(s in _DATA_SECRET_WORDS or s in _FIELD_SECRET_WORDS for s in segs):
        return True
    if foreign_secret(segs) is not None:
        return True  # (``passwort``, ``chiave_api``, ``mot_de_passe``)
    # (a numbered segment, ``GH_PAT2``, ``pin1``: the word it numbers)
    if any(s.rstrip("0123456789") in _FIELD_SECRET_WORDS for s in segs if s[-1:].isdigit()):
        return True
    if joined & (_DATA_SECRET_WORDS | _FIELD_SECRET_WORDS):
        return True
    while segs and segs[-1].isdigit():  # key2, KEY_1
        segs.pop()
    return (
        len(segs) > 1
        and segs[-1] == "key"
        and segs[-2] not in _NOT_CREDENTIAL_KEYS
        and not segs[-2].isdigit()
    )


def _working_directory(key: str, value: str) -> bool:
    """``{"PWD": "/home/user"}``: a shell's working directory (``PWD``, ``OLDPWD``), not a
    password, in an environment's dump."""
    return key.lower() in ("pwd", "oldpwd") and value.startswith(("/", "~", "\\"))


def _held_secret(value: str, held: str) -> bool:
    """Whether ``value``, found below the secret-named field ``held``, is such a secret:
    judged as a value under that name (generated, or under a password name any
    non-trivial value)."""
    return value_kind(value, password=is_password_name(held))


def _check_backend(backend: str) -> None:
    """A configuration mistake is an error here, not a sanitizer that withholds every
    text: an unknown name raises ``ValueError``, a known engine whose package is not
    installed :class:`~openrouter_secure.MissingDependencyError` (``[fast]`` extra)."""
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown sanitizer backend {backend!r}; choose one of "
            + ", ".join(repr(b) for b in BACKENDS)
        )
    if backend == "hyperscan" and not hyperscan_available():
        raise MissingDependencyError("fast", module="hyperscan")
    if backend == "ahocorasick" and not fast_backend_available():
        raise MissingDependencyError("fast", module="ahocorasick_rs")


_ESCAPE_HEX = re.compile(r"%[0-9A-F]{2}|\\u[0-9a-f]{4}")


def _other_case_escapes(text: str) -> str:
    """``text`` with its ``%XX`` escapes lower-cased and its ``\\uxxxx`` escapes
    upper-cased (the case other encoders write them in); the rest stays as it is."""
    return _ESCAPE_HEX.sub(
        lambda m: (
            m.group().lower() if m.group()[0] == "%" else m.group().upper().replace("\\U", "\\u")
        ),
        text,
    )


def _all_u_escaped(raw_utf16: bytes) -> str:
    """The JSON form some encoders write: every character as ``\\uxxxx``."""
    return "".join(
        f"\\u{int.from_bytes(raw_utf16[i : i + 2], 'big'):04x}" for i in range(0, len(raw_utf16), 2)
    )


def encoded_forms(value: str) -> set[str]:
    """The encodings of ``value`` that code commonly writes it in (``value`` included).

    JSON escapes (``ensure_ascii`` both ways, ``\\u`` hex in either case, and every
    character escaped); URL escapes (``quote`` with ``safe="/"`` and ``safe=""``,
    ``quote_plus``, escapes in either case); hex of the UTF-8 bytes (``bytes.hex()``,
    ``%x``, either case); ``repr``/``ascii`` of the text and ``repr`` of its UTF-8 bytes
    (``b'\\xc3\\xbc'``); and each of these ``repr``-escaped once more (a container's
    or a traceback's rendering). Base64 is not here: it depends on the alignment.
    """
    raw = value.encode("utf-8", "surrogatepass")
    utf16 = value.encode("utf-16-be", "surrogatepass")
    all_u = _all_u_escaped(utf16)
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        all_u,
        all_u.upper().replace("\\U", "\\u"),
        raw.hex(),
        raw.hex().upper(),
    }
    for safe in ("", "/"):
        forms.add(urllib.parse.quote(value, safe=safe))
        forms.add(urllib.parse.quote_plus(value, safe=safe))
    forms |= {_other_case_escapes(form) for form in forms}
    # ``repr`` escapes again what it prints (a container's repr, a traceback's locals):
    # a value with a backslash or quote, and its JSON-escaped form, look different there.
    forms |= {repr(form)[1:-1] for form in forms}
    forms |= {repr(value)[1:-1], ascii(value)[1:-1], repr(raw)[2:-1]}
    return forms


def _encodings(value: str) -> list[str]:
    """The forms of ``value`` to look for besides itself (each differs from it), and
    of ``value`` without the blanks around it."""
    forms: set[str] = set()
    # A value read from a file or a secret store often ends with a line break that the
    # program strips before use: what it then writes is the stripped value.
    # (without them only when still long enough: ``"   abc\n"`` would mask the hex of
    # ``abc``)
    stripped = value.strip()
    for held in {value, stripped if len(stripped) >= _known.MIN_KNOWN_LENGTH else value}:
        forms |= encoded_forms(held)
        raw = held.encode("utf-8", "surrogatepass")
        # base64 of a value embedded in a longer base64 text (``Basic
        # base64(user:key)``) depends on its offset mod 3: take the stable middle for
        # each alignment.
        for shift in range(3):
            for enc in (base64.b64encode, base64.urlsafe_b64encode):
                full = enc(b"\0" * shift + raw).decode("ascii").rstrip("=")
                lo = -(-4 * shift // 3)
                hi = (8 * (shift + len(raw))) // 6
                core = full[lo:hi]
                if len(core) >= 8:
                    forms.add(core)
    forms.discard(value)
    return sorted(f for f in forms if len(f) >= _known.MIN_KNOWN_LENGTH)


#: Values a rule found that ``learn=True`` remembers: 12 to 512 characters.
LEARN_MIN = 12
LEARN_MAX = 512
#: A known value this long or longer is also found by its head and its tail
#: (``ECHO_LENGTH`` characters each), with the whole token around them: the
#: shortened forms loggers and validators print (``sk-or-v1-b2bca...fd27cdd64ca6c1``).
ECHO_FROM = 20
ECHO_LENGTH = 12


def _echoes(value: str, prefix: int) -> list[tuple[str, bool]]:
    """The head and tail of a known value that also mark it (see :data:`ECHO_FROM`),
    each with whether it is the head; after a public prefix of ``prefix`` characters
    (``sk-or-``) the head holds 8 more."""
    if len(value) < ECHO_FROM or not value.isascii():
        return []
    # Only a piece that looks generated is distinctive: the head of a URL
    # (``http://127.0``), of a header value (``Bearer sk-or``) or of a sentence would
    # mark every text that shares it.
    # A run of letters and digits (an exact 12-character match, so chance is no
    # concern) needs only five different characters and no typed run: the entropy floor
    # of ``looks_random`` passes over one random hex tail in seven, and the number
    # rule of ``looks_generated`` over every all-digit one.
    pieces = [(value[: max(ECHO_LENGTH, prefix + 8)], True), (value[-ECHO_LENGTH:], False)]
    return [
        (piece, head)
        for piece, head in pieces
        if (
            (looks_random(piece) and looks_generated(piece))
            or (piece.isalnum() and len(set(piece)) >= 5 and not has_sequence(piece))
        )
        and not any(c.isspace() for c in piece)
    ]


def _prefix_keep(rules: Iterable[Rule]) -> tuple[str, ...]:
    return tuple(a for r in rules if r.keep and r.kind == "token" for a in r.anchors)


#: The newest scanner per (rules, backend): sanitizers with the same configuration
#: and nothing learned share one, so making a ``Sanitizer`` is cheap and a change of
#: the known values is compiled once per process, not once per instance.
_SHARED: dict[tuple[tuple[Rule, ...], str], tuple[_known.State, Scanner]] = {}
_SHARED_MAX = 8
_shared_lock = threading.Lock()


#: every live :class:`Sanitizer`, for :func:`_after_fork_in_child`
_sanitizers: weakref.WeakSet[Sanitizer] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    # Held while a scanner compiles (a second or two), maybe by a thread that a child
    # made by ``fork`` lacks: its first text would wait forever.
    global _shared_lock
    _shared_lock = threading.Lock()
    for sanitizer in list(_sanitizers):
        sanitizer._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _shared_scanner(sanitizer: Sanitizer, known: _known.State) -> Scanner:
    key = (sanitizer._rules, sanitizer._backend)
    with _shared_lock:
        entry = _SHARED.get(key)
        if entry is not None and entry[0] is known:
            return entry[1]
        scanner = sanitizer._build(known)
        _SHARED.pop(key, None)
        _SHARED[key] = (known, scanner)
        while len(_SHARED) > _SHARED_MAX:
            del _SHARED[next(iter(_SHARED))]
        return scanner


class Sanitizer:
    """Finds and masks secrets. Thread-safe; one instance serves a whole process.

    ``rules`` replaces the detection table (default: all of ``_rules.RULES``);
    ``backend`` picks the prefilter: ``"auto"`` (``hyperscan``, else ``ahocorasick-rs``,
    when installed), ``"hyperscan"``, ``"ahocorasick"`` or ``"python"``; another name
    raises ``ValueError``, an engine whose package is missing
    :class:`~openrouter_secure.MissingDependencyError`.

    ``learn=True`` remembers the values rules find (the newest ``learn_limit``, in
    memory only) and masks them later wherever they appear; off by default, since it
    lets logged text change what is masked later (see the Sanitizer guide).
    """

    def __init__(
        self,
        rules: Iterable[Rule] | None = None,
        *,
        backend: str = "auto",
        learn: bool = False,
        learn_limit: int = 256,
    ) -> None:
        _check_backend(backend)
        if learn_limit < 0:
            raise ValueError(f"learn_limit must be 0 or more, not {learn_limit}")
        self._rules = tuple(RULES if rules is None else rules)
        self._backend = backend
        self._prefixes = _prefix_keep(self._rules)
        self._lock = threading.Lock()
        _sanitizers.add(self)
        # Built on first use (importing the package must not import the native
        # prefilter), and again whenever the set of known values changes.
        #: the known-values state the scanner was built for, and the scanner
        self._state: tuple[_known.State, Scanner] | None = None
        self._learn = learn
        self._learn_limit = learn_limit
        #: values found by rules, remembered in this process (``learn=True``), oldest first
        self._learned: dict[str, None] = {}
        #: whether there are known values, so a text with line breaks must be looked at
        #: for wrapped base64 too (see ``_views``)
        self._wrapped = False

    @property
    def backend(self) -> str:
        """The prefilter in use: ``"hyperscan"``, ``"ahocorasick"`` or ``"python"``."""
        return self._scanner().backend

    # -- engine ------------------------------------------------------------------------

    def _scanner(self) -> Scanner:
        state = self._state
        known = _known.current
        if state is not None and state[0] is known:
            return state[1]
        with self._lock:
            state = self._state
            known = _known.current
            if state is None or state[0] is not known:
                learned = tuple(self._learned)
                self._wrapped = bool(known.values or learned)
                scanner = self._build(known, learned) if learned else _shared_scanner(self, known)
                self._state = state = (known, scanner)
        return state[1]

    def _build(self, known: _known.State, learned: tuple[str, ...] = ()) -> Scanner:
        needles: list[tuple[str, int]] = []
        echoes: list[tuple[str, bool]] = []
        for value in (*known.values, *learned):
            keep = 4 if value.startswith(self._prefixes) else 0
            needles.append((value, keep))
            needles.extend((form, 0) for form in _encodings(value))
            # (its head and tail as a program writes it: without blanks around it)
            held = value.strip()
            prefix = max((len(p) for p in self._prefixes if held.startswith(p)), default=0)
            echoes.extend(_echoes(held, prefix))
        needles.extend((e, 4 if e.startswith(self._prefixes) else 0) for e, _ in echoes)
        # Hidden characters are needles too: a text without one stays clean for the
        # prefilter, a text with one is looked at as a reader sees it.
        needles.extend((c, 0) for c in HIDDEN_CHARS)
        return Scanner(self._rules, needles, backend=self._backend, echoes=echoes)

    def _remember(self, text: str, hits: list[Hit]) -> None:
        """``learn=True``: keep the values rules found as known values of this sanitizer
        (the newest ``learn_limit``, each 12 to 512 characters)."""
        new = [
            text[h[1] : h[2]]
            for h in hits
            if h[3] != KNOWN and LEARN_MIN <= h[2] - h[1] <= LEARN_MAX
        ]
        new = [v for v in dict.fromkeys(new) if v not in self._learned]
        if not new or not self._learn_limit:
            return
        with self._lock:
            for value in new[-self._learn_limit :]:
                self._learned[value] = None
            while len(self._learned) > self._learn_limit:
                del self._learned[next(iter(self._learned))]
            self._state = None  # rebuilt with the new values on next use

    def forget(self) -> None:
        """Drop every value this sanitizer learned (``learn=True``)."""
        with self._lock:
            if self._learned:
                self._learned.clear()
                self._state = None

    @property
    def max_match_length(self) -> int:
        """The longest text one finding can cover (what a stream must hold back)."""
        return self._scanner().max_match

    def _hits(self, scanner: Scanner, text: str) -> list[Hit]:
        """Every hit in ``text``, also those only a reader sees (see ``_views``):

        - where the text holds a hidden character (an escape sequence, a zero-width
          space, a NUL), the findings in the text without them, each covering the
          hidden characters inside it;
        - where it also moves the cursor (backspace, a carriage return inside a line,
          cursor moves), the findings in the text as a terminal draws it, each covering
          the original text from the first to the last character it shows;
        - where known values exist and the text holds wrapped base64 lines, the known
          values (and their encodings) found in those lines joined, in each view.
        """
        hits = scanner.scan(text)
        views: list[View] = []
        if hits:
            # A hit of one character is a hidden character: known values are longer.
            hidden = [h for h in hits if h[2] - h[1] == 1 and h[3] == KNOWN]
            if hidden:
                hits = [h for h in hits if not (h[2] - h[1] == 1 and h[3] == KNOWN)]
                # A line break's carriage return hides nothing.
                if any(text[h[1] : h[1] + 2] != "\r\n" for h in hidden):
                    visible = visible_view(text)
                    if visible is not None:
                        views.append(visible)
                        hits.extend(_mapped(visible, scanner.scan(visible.text), False))
                    try:
                        drawings = terminal_views(text)
                    except ValueError:
                        # Cursor moves too wild to draw: what a terminal shows is
                        # unknown, so the whole text is masked.
                        return [(0, 0, len(text), KNOWN, 0)]
                    for drawn in drawings:
                        if all(drawn.text != v.text for v in views):
                            views.append(drawn)
                            hits.extend(_mapped(drawn, scanner.scan(drawn.text), False, text))
        if self._wrapped and "\n" in text:
            # Wrapped base64 is looked for as a reader sees it, too (a zero-width
            # space inside a line must not hide the block).
            sources: list[View | None] = [*views] if views else [None]
            for seen in sources:
                view = base64_view(seen.text if seen is not None else text)
                if view is not None:
                    found = _mapped(view, scanner.scan(view.text), True)
                    hits.extend(_mapped(seen, found, False, text) if seen is not None else found)
        return hits

    def _spans(self, text: str, hits: list[Hit] | None = None) -> list[tuple[int, int, int, int]]:
        """Merged, sorted, non-overlapping (start, end, keep, rule index) spans."""
        if hits is None:
            hits = self._hits(self._scanner(), text)
        if not hits:
            return []
        hits.sort(key=lambda h: (h[1], -h[2], h[3]))
        out: list[list[int]] = []
        for _, start, end, ri, keep in hits:
            if out and start < out[-1][1]:
                last = out[-1]
                if end > last[1]:
                    last[1] = end
                continue
            out.append([start, end, keep, ri])
        return [(s, e, k, r) for s, e, k, r in out]

    def _render(self, text: str, spans: list[tuple[int, int, int, int]]) -> str:
        return render(text, [(s, e, _mask(text[s:e], k)) for s, e, k, _ in spans])

    def _rule_id(self, ri: int) -> str:
        return "known-secret" if ri == KNOWN else self._rules[ri].id

    # -- public API --------------------------------------------------------------------

    def find(self, text: str) -> list[Finding]:
        """Where the secrets in ``text`` are: rule id and span, sorted, never the value."""
        return [Finding(self._rule_id(r), s, e) for s, e, _, r in self._spans(text)]

    def sanitize_prefix(self, text: str, cut: int) -> tuple[str, int]:
        """Sanitize ``text`` up to ``cut``, moving ``cut`` back so that no finding made
        over the *whole* text straddles it; returns the masked head and the final cut.

        This is what a stream needs: text after ``cut`` may still change (a secret can
        continue in the next chunk), so only the head is released, masked with what
        the whole buffer revealed. A cut of 0 releases nothing.
        """
        hits = self._hits(self._scanner(), text)
        moved = True
        while moved:  # moving the cut back may make it fall inside an earlier finding
            moved = False
            for context, _, end, _, _ in hits:
                if context < cut < end:
                    cut = context
                    moved = True
        if cut <= 0:
            return "", 0
        spans = self._spans(text, [h for h in hits if h[2] <= cut])
        return self._render(text[:cut], spans), cut

    def sanitize(self, text: str) -> str:
        """``text`` with every secret masked (fails closed: never returns the raw text)."""
        try:
            # The engine as in ``_scanner``, inlined: this runs for every log record.
            state = self._state
            scanner = state[1] if state and state[0] is _known.current else self._scanner()
            if scanner.clean(text) and not (self._wrapped and "\n" in text):
                return text
            hits = self._hits(scanner, text)
            if not hits:
                return text
            if self._learn:
                self._remember(text, hits)
            return self._render(text, self._spans(text, hits))
        except Exception:  # noqa: BLE001 - fail closed
            return _withheld(text)

    def sanitize_joined(self, pieces: Sequence[str]) -> str:
        """``pieces`` joined, with every secret masked that a reader of the joined text
        or of any piece alone would see: a key split across pieces (a file paged in
        blocks) is masked, and joining never unmasks what a piece showed alone (two
        keys glued end to start no longer stand apart). Fails closed."""
        try:
            joined = "".join(pieces)
            scanner = self._scanner()
            hits = self._hits(scanner, joined)
            offset = 0
            for piece in pieces:
                if offset:
                    hits.extend(
                        (c + offset, a + offset, b + offset, ri, keep)
                        for c, a, b, ri, keep in self._hits(scanner, piece)
                    )
                else:
                    hits.extend(self._hits(scanner, piece))
                offset += len(piece)
            return self._render(joined, self._spans(joined, hits)) if hits else joined
        except Exception:  # noqa: BLE001 - fail closed
            return _withheld("".join(pieces))

    def sanitize_headers(
        self, headers: Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]
    ) -> dict[str, str]:
        """Mask secret headers by name (keeping the scheme word); scan every other value.

        Raw ``(name, value)`` pairs of bytes (an ASGI scope's ``headers``,
        ``httpx.Headers.raw``) are read as Latin-1, as HTTP sends them."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        out: dict[str, str] = {}
        for name, value in items:
            key = _header_text(name)
            text = _header_text(value)
            if is_secret_field(key):
                scheme, sep, rest = text.strip().partition(" ")
                if sep and rest and scheme.lower() in _HEADER_SCHEMES:
                    out[key] = f"{scheme} {self._mask_whole(rest.strip())}"
                else:
                    out[key] = self._mask_whole(text)
            else:
                out[key] = self.sanitize(text)
        return out

    def _mask_whole(self, value: str) -> str:
        """Mask a value known to be secret (by its name) as a whole.

        The public prefix (``sk-o...``) is kept only when the entire value is one key of
        a prefixed format; anything else (a password, or a value that merely *contains*
        a known secret) becomes the bare mask, so no part of it is shown.
        """
        spans = self._spans(value)
        if len(spans) == 1:
            start, end, keep, _ = spans[0]
            if keep and start == 0 and end == len(value):
                return mask_value(value)
        return MASK

    def sanitize_data(self, obj: T) -> T:
        """A copy of a JSON-like payload: secret-named values masked, other strings scanned.

        The walk reaches everything a printer would show: mapping values *and keys*,
        lists, tuples (named tuples keep their type), sets and frozensets at any depth;
        a 2-item list or tuple whose first item is a name (``str`` or ``bytes``) is a
        ``(name, value)`` pair and its value is judged under that name, as in a mapping
        (``[(b"authorization", b"Bearer ...")]`` in an ASGI scope, ``parse_qsl``
        output); bytes are decoded, scanned and given back as bytes; exceptions become
        :meth:`scrub_exception` copies; ``Secret`` objects stay (they print as the
        mask). Any other object is kept when neither its ``str()`` nor its ``repr()``
        shows a secret, and is otherwise replaced by its sanitized ``str()`` (under a
        secret-looking name, by the mask). Mappings come back as ``dict``.
        """
        return self._walk(obj, None, 0)  # type: ignore[no-any-return]

    def _walk(self, obj: Any, key: str | None, depth: int, held: str | None = None) -> Any:
        # ``held``: the nearest secret-named field above (``api_keys`` in
        # ``{"api_keys": {"openai": k}}``): under it, a string that looks like a secret
        # (as under that name in text) is one, whatever its own key says; its ids,
        # names and dates stay.
        if depth > 100:
            return "<REDACTED: nesting too deep>"
        if isinstance(obj, str):
            if (
                key is not None
                and is_secret_field(key)
                and not _working_directory(key, obj)
                and not is_public_key(obj)
            ):
                return self._mask_whole(obj)
            if held is not None and not describes_secret(key) and _held_secret(obj, held):
                return self._mask_whole(obj)
            return self.sanitize(obj)
        if obj is None or isinstance(obj, _SCALARS):
            return obj
        if isinstance(obj, Mapping):
            if key is not None and is_secret_field(key):
                held = key
            return {
                # A bytes key (``dict(scope["headers"])``) names its value as a str does.
                self._walk_held_key(k, held, depth): self._walk(
                    v, k if isinstance(k, str) else (_pair_name(k) or key), depth + 1, held
                )
                for k, v in obj.items()
            }
        if isinstance(obj, (list, tuple)):
            fields = getattr(obj, "_fields", None) if type(obj) is not tuple else None
            if isinstance(obj, tuple) and isinstance(fields, tuple) and len(fields) == len(obj):
                # a named tuple's items are judged under their field names, as a
                # dataclass's are
                items = [
                    self._walk(v, f if isinstance(f, str) else key, depth + 1, held)
                    for f, v in zip(fields, obj, strict=True)
                ]
            else:
                items = [self._walk(v, key, depth + 1, held) for v in obj]
            if len(obj) == 2 and (name := _pair_name(obj[0])) is not None:
                # A (name, value) pair is judged as ``{name: value}`` is: ASGI and WSGI
                # headers, ``httpx.Headers.raw``, ``parse_qsl`` output, ``[["password", v]]``.
                items[1] = self._walk(obj[1], name, depth + 1, held)
            if isinstance(obj, list):
                return items
            if fields is not None:  # a named tuple
                with contextlib.suppress(Exception):
                    return type(obj)(*items)
            return tuple(items)
        if isinstance(obj, (set, frozenset)):
            if key is not None and is_secret_field(key):
                # (a set's members are hashable: each is judged as a value under its name)
                members = {self._walk_member(v, key, depth) for v in obj}
            else:
                members = {self._walk_held_key(v, held, depth) for v in obj}
            return members if isinstance(obj, set) else frozenset(members)
        if isinstance(obj, (bytes, bytearray)):
            # Scanned as text and given back as the same type (an ASGI scope stays one);
            # bytes where nothing was found come back as they were.
            text = bytes(obj).decode("utf-8", "replace")
            clean = self._walk(text, key, depth + 1, held)
            if clean == text:
                return obj
            return type(obj)(clean.encode("utf-8", "replace"))
        if isinstance(obj, BaseException):
            return self.scrub_exception(obj)
        return self._scrub_object(obj, key)

    def _walk_held_key(self, obj: Any, held: str | None, depth: int) -> Any:
        """A mapping's key or a set's member: under a secret-named field, masked when it
        looks like that secret (``{"api_keys": {k: "team-a"}}``)."""
        if held is not None and isinstance(obj, (str, bytes)):
            text = obj if isinstance(obj, str) else obj.decode("utf-8", "replace")
            if _held_secret(text, held):
                return self._mask_whole(text) if isinstance(obj, str) else MASK.encode()
        return self._walk_key(obj, depth)

    def _walk_member(self, obj: Any, key: str, depth: int) -> Any:
        """A set's member under a secret-named field, masked as a value there."""
        if isinstance(obj, (str, bytes, bytearray, tuple, frozenset)):
            return self._walk(obj, key, depth + 1)
        return self._walk_key(obj, depth)

    def _walk_key(self, obj: Any, depth: int) -> Any:
        """A mapping key or set member, cleaned like a value and still hashable."""
        clean = self._walk(obj, None, depth + 1)
        try:
            hash(clean)
        except TypeError:
            return self.sanitize(str(clean))
        return clean

    def _scrub_object(self, obj: Any, key: str | None = None) -> Any:
        """``obj`` itself when neither its ``str()`` nor its ``repr()`` shows a secret;
        else its sanitized ``str()`` (the mask under a secret-looking ``key``).

        Both renderings are judged because printers differ (``%s`` and most JSON
        encoders' ``default=str`` use ``str()``, containers and ``%r`` use ``repr()``).
        An object neither can render becomes a placeholder.
        """
        if isinstance(obj, Secret):
            return obj  # prints as the mask, and must stay maskable by name
        texts = [t for t in (_render(str, obj), _render(repr, obj)) if t is not None]
        if not texts:
            return f"<REDACTED: unprintable {type(obj).__name__}>"
        if key is not None and is_secret_field(key):
            return MASK
        if len(texts) == 2 and all(self.sanitize(t) == t for t in texts):
            return obj
        return self.sanitize(texts[0])

    def redact(self, text: str) -> str:
        """``<REDACTED: N chars>``: for content that must not be kept at all (prompts)."""
        return f"<REDACTED: {len(text)} chars>"

    def fingerprint(self, text: str) -> str:
        """A keyed HMAC-SHA256 fingerprint (``hmac-sha256:<16 hex>``) of ``text``.

        The key lives in ``OPENROUTER_SECURE_FINGERPRINT_KEY`` or, when unset, in
        ``$XDG_CONFIG_HOME/openrouter-secure/fingerprint.key`` (see ``_fingerprint``), so
        a guessed short prompt cannot be confirmed offline from the fingerprint alone.
        """
        return _keyed_fingerprint(text)

    def truncate(self, text: str, limit: int = 100) -> str:
        """Sanitize first, then cut to ``limit`` characters (plus ``...``)."""
        clean = self.sanitize(text)
        if len(clean) <= limit:
            return clean
        cut = clean[:limit]
        # Never leave half a mask behind: a cut mask reads like a value.
        star = cut.rfind("*")
        if star != -1 and not clean[: star + 1].endswith(MASK):
            begin = clean.rfind("...", 0, star)
            cut = cut[: begin if begin != -1 else star]
        return cut + "..."

    def scrub_exception(self, exc: BaseException) -> BaseException:
        """A copy of ``exc`` safe to hand to any formatter, reporter or serializer.

        - ``args`` and attributes go through :meth:`sanitize_data` (strings scanned,
          containers walked, any other object judged by its ``str()`` and ``repr()``),
          notes are sanitized; if the copy's own ``str()``/``repr()`` would still show
          a secret (a class that renders from hidden state), the copy is a stand-in of
          the same name holding only the sanitized message;
        - the traceback is a made-up one over the same files, lines and functions whose
          frames hold stand-ins for the locals (the library's own frames show none; see
          ``_traceback``), so tools that print locals print no raw value;
        - ``__cause__`` is a scrubbed copy; ``__context__`` too, unless the exception
          suppressed it (``raise ... from None``): then the copy has no context at all,
          since whoever raised it meant it to be hidden.
        """
        return self._scrub_exc(exc, {})

    def _scrub_exc(self, exc: BaseException, seen: dict[int, BaseException]) -> BaseException:
        if id(exc) in seen:
            return seen[id(exc)]
        cls = type(exc)
        if _GROUP_TYPE is not None and isinstance(exc, _GROUP_TYPE):
            clone = self._scrub_group(exc, seen)
        else:
            try:
                clone = cls.__new__(cls)
            except Exception:  # noqa: BLE001 - an exotic class: fall back to a plain Exception
                clone = Exception()
            seen[id(exc)] = clone
            try:
                clone.args = tuple(self._walk(a, None, 1) for a in exc.args)
            except Exception:  # noqa: BLE001
                clone.args = (_withheld(str(len(exc.args))),)
        state = getattr(exc, "__dict__", None)
        if state:
            # Read-only attributes: keep the scrubbed args only.
            with contextlib.suppress(Exception):
                clone.__dict__.update(
                    {k: self._walk(v, k, 1) for k, v in state.items() if not k.startswith("__")}
                )
        notes = getattr(exc, "__notes__", None)
        if notes:
            clone.__notes__ = [self.sanitize(str(n)) for n in notes]  # type: ignore[attr-defined]
        clone = self._checked(clone, seen, id(exc))
        try:
            clone.__traceback__ = scrubbed_traceback(exc.__traceback__, self._show_local)
        except Exception:  # noqa: BLE001 - fail closed: no traceback rather than the raw one
            clone.__traceback__ = None
        clone.__suppress_context__ = exc.__suppress_context__
        if exc.__cause__ is not None:
            clone.__cause__ = self._scrub_exc(exc.__cause__, seen)
        if exc.__context__ is not None and not exc.__suppress_context__:
            clone.__context__ = self._scrub_exc(exc.__context__, seen)
        return clone

    def _scrub_group(self, exc: Any, seen: dict[int, BaseException]) -> BaseException:
        """An exception group: its message sanitized, each member a scrubbed copy (the
        members live outside ``args``, so a group is rebuilt rather than cloned)."""
        members = [self._scrub_exc(e, seen) for e in exc.exceptions]
        message = self.sanitize(str(exc.message))
        try:
            clone: BaseException = type(exc)(message, members)
        except Exception:  # noqa: BLE001 - a subclass with another constructor
            clone = _GROUP_TYPE(message, members)
        seen[id(exc)] = clone
        return clone

    def _checked(
        self, clone: BaseException, seen: dict[int, BaseException], key: int
    ) -> BaseException:
        """``clone``, or a same-named stand-in when its rendering still shows a secret."""
        texts = [_render(str, clone) or "", _render(repr, clone) or ""]
        if all(self.sanitize(t) == t for t in texts):
            return clone
        stand_in = _stand_in(type(clone))(self.sanitize(texts[0]))
        seen[key] = stand_in
        return stand_in

    def _show_local(self, name: str, value: Any) -> str:
        """How a local of a user's frame appears in a scrubbed traceback."""
        if isinstance(value, (str, bytes, bytearray)) and is_secret_field(name):
            return MASK
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001
            return f"<unprintable {type(value).__name__}>"
        return self.sanitize(text)


def _header_text(item: object) -> str:
    if isinstance(item, (bytes, bytearray)):
        return bytes(item).decode("latin-1")
    return item if isinstance(item, str) else str(item)


def _pair_name(first: object) -> str | None:
    """The first item of a 2-item list or tuple when it is a secret-looking name."""
    if isinstance(first, (bytes, bytearray)):
        if len(first) > 256:
            return None
        first = bytes(first).decode("utf-8", "replace")
    if isinstance(first, str) and len(first) <= 256 and is_secret_field(first):
        return first
    return None


def _mapped(view: View, hits: list[Hit], known_only: bool, text: str | None = None) -> list[Hit]:
    """``hits`` made in ``view``, as spans of the original text (``known_only``: the
    hits of known values alone, without the hidden characters' own). With ``text``
    (the original), a mask keeps a key's prefix only when the original span starts
    with the same characters the view shows: in a drawn view it may start with junk
    or with a later part of the key."""
    out: list[Hit] = []
    for context, start, end, ri, keep in hits:
        if (ri == KNOWN and end - start == 1) or (known_only and ri != KNOWN):
            continue
        lo, hi = view.span(start, end)
        if keep and text is not None and text[lo : lo + 4] != view.text[start : start + 4]:
            keep = 0
        out.append((min(view.original(context), lo), lo, hi, ri, keep))
    return out


def _render(how: Callable[[object], str], obj: object) -> str | None:
    try:
        return how(obj)
    except Exception:  # noqa: BLE001 - an object that cannot render is judged without it
        return None


_stand_ins: dict[type[BaseException], type[Exception]] = {}
#: ``BaseExceptionGroup`` (Python 3.11+), or None
_GROUP_TYPE: Any = getattr(builtins, "BaseExceptionGroup", None)


def _stand_in(cls: type[BaseException]) -> type[Exception]:
    """An ``Exception`` subclass named like ``cls`` (tracebacks print the same name)."""
    made = _stand_ins.get(cls)
    if made is None:
        names = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        made = _stand_ins.setdefault(cls, type(cls.__name__, (Exception,), names))
    return made


def _withheld(text: object) -> str:
    try:
        size = len(text)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001
        size = 0
    return f"<REDACTED: {size} chars; sanitizer failed>"


_default = Sanitizer()


def default_sanitizer() -> Sanitizer:
    """The process-wide :class:`Sanitizer`."""
    return _default


def scrub_text(text: str) -> str:
    """Sanitize ``text`` with the default sanitizer; on any failure, withhold it entirely."""
    try:
        return _default.sanitize(text)
    except Exception:  # noqa: BLE001 - fail closed: never hand back the raw text
        return _withheld(text)


# Every library error scrubs its message with the default sanitizer. The errors live
# in the core, below this package, so the function is handed to them here, as soon as
# there is a sanitizer to use (see the module docstring of ``_exceptions``).
install_scrubber(scrub_text)
