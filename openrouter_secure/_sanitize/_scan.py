"""The scanning engine: a literal prefilter, then each rule's regex only at candidates.

Finding secrets in a 50 MB log one regex at a time is slow (a Python ``re``
alternation of the rules runs at a few MB/s). Almost every byte of a log is not near
any secret, so the engine first finds the rules' literal *anchors* (``sk-``, ``AKIA``,
``password``, ``://`` ...) in one pass, and then runs a rule's regex anchored at each
hit. The pass uses the first installed of:

- ``hyperscan`` (the ``[fast]`` extra, where wheels exist; see ``_hyperscan``), for
  ASCII text: the rare anchors as literals, and for the rules whose anchors are common
  in logs (``auth:``, ``api_key``, ``@``) their *gate* (``Rule.gate``), so Python only
  sees text where such a rule can match;
- ``ahocorasick-rs`` (also ``[fast]``): a Rust Aho-Corasick automaton over the UTF-8
  bytes (and the ``str`` automaton for non-ASCII text, also under ``hyperscan``);
- otherwise a pure-Python fallback: one ``re`` alternation of the literal anchors,
  searched again one character after each hit so overlapping anchors are all found
  (1 to 2 MB/s on a log full of secret words; correct, just slower).

All three give the same findings. Text a rule's match covered (accepted or not) is
not re-tried for that rule, and anchors with no separator in reach are skipped, so
adversarial input (a megabyte of ``password=password=...``) stays linear.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from . import _hyperscan
from ._checksums import nkey_checksum_ok, private_key_in_base64
from ._context import (
    OBJECT_NAME,
    column_value_spans,
    cookie_value_spans,
    csv_value_spans,
    is_password_name,
    is_secret_identifier,
    list_singular,
    list_value_spans,
    looks_like_token,
    native_label_accepted,
    printed_secret_accepted,
    session_cookie_spans,
    validation_field,
    value_kind,
    value_spans,
)
from ._literals import trie_pattern
from ._manifests import kubernetes_secret_spans
from ._names import (
    ESCAPED_PARAM_DELIMITERS,
    PARAM_DELIMITERS,
    decode_param_name,
    is_distinctive_param,
    is_generated_param,
    is_key_param,
    is_secret_param,
)
from ._rules import (
    MYSQL_COMMAND,
    RULES,
    Rule,
    boundaries,
    has_sequence,
    is_placeholder,
    looks_random,
)

# A JSON Web Key's private member and its base64url value (a JSON string's escaped
# quotes too)
_JWK_PRIVATE = re.compile(
    r"""\\?["'](?:d|p|q|dp|dq|qi|k)\\?["'][ \t]*:[ \t]*\\?["']([A-Za-z0-9_\-]{16,8192})\\?["']"""
)

__all__ = [
    "BACKENDS",
    "KNOWN",
    "Hit",
    "Scanner",
    "fast_backend_available",
    "hyperscan_available",
]

_BACKENDS = ("hyperscan", "ahocorasick", "python")
#: What ``Sanitizer(backend=...)`` accepts.
BACKENDS = ("auto", *_BACKENDS)

KNOWN = -1  # rule index of a known-value hit
#: How far the hit of a known value's head or tail is widened to its whole token.
ECHO_REACH = 256
_TOKEN_LEFT = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+/~*\u2026"
)
# (to the right also base64 padding; never to the left: ``api_key=<key>`` keeps its name)
_TOKEN_CHARS = _TOKEN_LEFT | {"="}
#: What continues a key found by a format rule (letters, digits, ``-``, ``_``)
_GLUED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
#: Values of this many characters found by a rule are masked wherever else they occur
#: in the same text (shorter ones would mask ordinary words), every one of them.
PROPAGATE_MIN = 8
PROPAGATE_MAX = 512
#: Up to this many values, their copies are looked for with ``str.find`` in a short
#: text; more are looked for in one pass (an automaton, or one regex): a log of
#: thousands of secrets costs one pass, not one per secret.
FIND_EACH_UP_TO = 16

# A hit: (context start, secret start, secret end, rule index or KNOWN, keep).
Hit = tuple[int, int, int, int, int]

# Every ASCII byte that is not [A-Za-z0-9_-]: what may stand before a bounded key.
_DELIMITERS = [bytes([c]) for c in range(128) if not (chr(c).isalnum() or chr(c) in "_-")]
# What may stand before a key whose rule excludes only letters and digits.
_NON_ALNUM = [bytes([c]) for c in range(128) if not chr(c).isalnum()]
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_DIGIT = re.compile(r"\d")
_SEP_CHAR = re.compile(r"[:=]")
# Everything up to the last character that cannot be part of an identifier.
_LAST_DELIM = re.compile(r"(?s:.*)[^\w.\-]")
_RUNS = re.compile(r"(.)\1{3,}")
_PLACEHOLDER_WORDS = re.compile(r"(?i)MASKED|REDACTED|example|dummy|placeholder|changeme")
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=]{20}")
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase"})
_WORDS = frozenset(
    {"password", "passwd", "pass", "secret", "token", "test", "user", "username", "admin"}
)
_SEG = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
# A found value that is itself an assignment: a name, ``=`` or ``:``, the rest.
_NAMED_VALUE = re.compile(r"([A-Za-z_][\w.-]{0,63})[=:](.+)", re.S)
# What a generated token is judged without: base64's padding and percent-escapes
_ESCAPES_AND_PADDING = re.compile(r"%[0-9A-Fa-f]{2}|=")
# A name in a validation error's location (``["body", "password"]``, ``('keys', 0)``)
_QUOTED_NAME = re.compile(r"""["']([^"'\n]{1,128})["']""")

# (what may stand before a command line's option: ``-Dname=v``, ``JAVA_OPTS=-Dname=v``,
# ``[-Dname=v]``, ``-Dx=1,-Dname=v``, Maven's ``<argLine>-Dname=v``, ``args:-Dname=v``)
_OPTION_BEFORE = frozenset(("", *" \t\"'\n\r=,[({;`>:|"))
# (sbt passes the JVM's options behind ``-J``: ``-J-Dname=v``)
_OPTION_PREFIXES = ("-D", "-J-D")


_WORD = re.compile(r"[A-Za-z]+(?:_(?:b64|base64|hex|B64|BASE64|HEX)(?![A-Za-z0-9]))?")


def _names_list(text: str, start: int) -> bool:
    """Whether the plural word at ``start`` and the identifier before it can name a list
    of secrets (``API_KEYS``; not ``keys`` alone or ``ssh_keys``)."""
    word = _WORD.match(text, start)
    return word is not None and bool(list_singular(_ident_before(text, start) + word.group()))


def _ident_before(text: str, end: int) -> str:
    """The identifier (``[\\w.-]``) ending at ``end`` (``OPENROUTER_`` before the anchor
    ``API_KEY``): its last 64 characters when it is longer, which hold the segments the
    name is judged by (``<70 characters>.cache_key`` is a cache key, as the Hyperscan
    engine's cancelling pattern reads it)."""
    lo = max(0, end - 64)
    window = text[lo:end]
    m = _LAST_DELIM.match(window)
    if m is not None:
        return window[m.end() :]
    return window


def _real_despite_words(value: str) -> bool:
    """A key glued to a placeholder word (``<key>REDACTED``, ``<key>_example``) is still a
    key: without the words, a long value that looks generated is real."""
    core = _PLACEHOLDER_WORDS.sub("", value)
    return core != value and len(core) >= 32 and looks_random(core)


def _real_despite_runs(value: str) -> bool:
    """A key glued to a run of one character (``<key>0000000000000000``) is still a
    key: without its runs, a vendor-format value that is long and not a placeholder
    is real (``sk-or-v1-xxxx...`` or ``sk-or-v1-0000...`` is left with its prefix)."""
    core = _RUNS.sub("", value)
    return core != value and len(core) >= 32 and not is_placeholder(core, strict=False)


def _one_word(value: str) -> bool:
    return value.isalpha() and (value.islower() or value.isupper() or value.istitle())


def _is_word(value: str) -> bool:
    return value.strip("<>[]{}()").lower() in _WORDS


_PARAM_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.~%-")
# A value that names what belongs there (``?access_token=ACCESS_TOKEN``, ``YOUR_API_KEY``):
# upper-case words joined by ``_``, which no generated token is.
_CONSTANT_NAME = re.compile(r"[A-Z]{2,}(?:_[A-Z]{2,})+")


# (a word of a URL's path: ``api``, ``users``, ``v2``)
_PATH_WORD = re.compile(r"[a-z]{3,}|v[0-9]{1,3}")
# (an OAuth redirect: its path, or its ``state`` beside the code)
_OAUTH_PATH = re.compile(r"(?i:callback|auth|redirect|signin|sign-in|login|sso)")
_OAUTH_STATE = re.compile(r"(?:[?&;]|session_)state=")
_URL_END = re.compile(r"""[\s"'`<>]""")
# (the URL before a parameter: read back to a blank, a quote or a bracket)
_URL_BEFORE = re.compile(r"""[^\s"'`<>]{0,512}\Z""")


def _oauth_callback(text: str, name_at: int, value_end: int) -> bool:
    """Whether the ``code`` parameter named at ``name_at`` is an OAuth authorization
    code on its way back to the client (``/oauth/callback?code=v&state=s``): a one-use
    code the client exchanges, logged by every web server, where Azure Functions' key
    (``/api/Fn?code=v``) is a secret. The URL is read 512 characters either side."""
    before = _URL_BEFORE.search(text, max(0, name_at - 512), name_at)
    lo = before.start() if before is not None else name_at
    end = _URL_END.search(text, value_end, value_end + 512)
    url = text[lo : end.start() if end is not None else value_end + 512]
    if ".azurewebsites.net/" in url:
        return False  # (a function app's host: its ``code`` is the function's key)
    return _OAUTH_STATE.search(url) is not None or (
        _OAUTH_PATH.search(text, lo, name_at) is not None
    )


def _param_accepted(text: str, m: re.Match[str], value: str) -> bool:
    """A query parameter (rule kind ``param``): its whole name, read back to the
    character before it when the match did not begin at a delimiter (an escape inside
    the name, a distinctive name's own anchor), percent-decoded. A name of
    ``_names.SECRET_QUERY_PARAMS`` after a delimiter, or a distinctive one anywhere,
    makes its value a secret: a signature or password after a delimiter whatever it
    looks like (not a placeholder), a key or token, or a name without a delimiter, when
    the value passes the value gate of a password name. Another
    secret-looking name written with escapes needs a generated-looking value."""
    lo = m.start("n")
    delimited = lo > m.start()
    if not delimited and not is_distinctive_param(decode_param_name(text[lo : m.end("n")])):
        # (a distinctive name is judged from its own anchor: ``\u0026X-Amz-Signature=``)
        floor = max(0, lo - 128)
        while lo > floor and text[lo - 1] in _PARAM_NAME_CHARS:
            lo -= 1
        delimited = lo > 0 and text[lo - 1] in PARAM_DELIMITERS
        if not delimited and text.startswith(ESCAPED_PARAM_DELIMITERS, lo - 1):
            lo += 5  # (``\u0026`` read back as part of the name)
            delimited = True
    raw = text[lo : m.end("n")]
    name = decode_param_name(raw)
    if is_generated_param(name):
        if not delimited or not looks_like_token(value):
            return False
        if name.lower() != "code":
            return True
        # (a promotion's code is upper case, ``BLACKFRIDAY-2024``; Google's authorization
        # codes start ``4/``)
        if value.isupper() or value.startswith(("4/", "4%2F", "4%2f")):
            return False
        return not _oauth_callback(text, lo, m.end("s"))
    if is_secret_param(raw) and (delimited or is_distinctive_param(name)):
        if (
            len(value) < 4
            or is_placeholder(value, strict=True)
            or _is_word(value)
            or _CONSTANT_NAME.fullmatch(value) is not None
        ):
            return False
        # A signature or password after a query delimiter counts whatever it looks like;
        # a key, or a distinctive name in prose (``Signature=valid``), needs a
        # password-like value.
        if delimited and not is_key_param(name):
            return True
        if name.lower() == "key" and OBJECT_NAME.search(value[:1024]) is not None:
            return False  # a storage object's name (``?key=reports/Q3-2024v2.pdf``)
        return value_kind(value[:1024], password=True)
    return (
        delimited
        and name != raw
        and is_secret_identifier(name)
        and value_kind(value, password=is_password_name(name))
    )


def _apart(found: list[tuple[int, int]], values: list[str]) -> list[tuple[int, int]]:
    """Occurrences of each value that do not overlap the one before (as ``str.find``
    reports them): a value that overlaps itself (``abcabc...``) is not reported at
    every period."""
    found.sort()
    out: list[tuple[int, int]] = []
    last_vi, last_end = -1, -1
    for vi, start in found:
        if vi != last_vi:
            last_vi, last_end = vi, -1
        if start >= last_end:
            out.append((vi, start))
            last_end = start + len(values[vi])
    return out


def _never_clean(_: str) -> bool:
    return False


def hyperscan_available() -> bool:
    """Whether the Hyperscan engine (``hyperscan``, in the ``[fast]`` extra) imports."""
    return _hyperscan.available()


def _auto_backend() -> str:
    if hyperscan_available():
        return "hyperscan"
    return "ahocorasick" if fast_backend_available() else "python"


def fast_backend_available() -> bool:
    """Whether the native Aho-Corasick prefilter (``ahocorasick-rs``) can be imported."""
    try:
        import ahocorasick_rs  # noqa: F401
    except ImportError:
        return False
    return True


#: How far around a character outside ASCII the ``str`` engine looks again: beyond the
#: longest span a Hyperscan gate reads (4,016 characters, a JWT's)
NEAR = 4200
#: A text shorter than this is read whole by the ``str`` engine when it holds such a
#: character (a log record: one pass, not two)
_NEAR_FROM = 4 * NEAR
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _near_other_characters(text: str) -> list[tuple[int, int]] | None:
    """The spans within :data:`NEAR` of a character outside ASCII, merged; None when the
    text is short or they cover a quarter of it or more (Cyrillic or Chinese text:
    read whole by the ``str`` engine, as one pass is cheaper than two)."""
    n = len(text)
    if n < _NEAR_FROM:
        return None
    spans: list[tuple[int, int]] = []
    covered = 0
    m = _NOT_ASCII.search(text)
    while m is not None:
        lo, hi = max(0, m.start() - NEAR), min(n, m.start() + NEAR)
        if spans and lo <= spans[-1][1]:
            covered += hi - spans[-1][1]
            spans[-1] = (spans[-1][0], hi)
        else:
            covered += hi - lo
            spans.append((lo, hi))
        if 4 * covered >= n:
            return None
        m = _NOT_ASCII.search(text, m.end())
    return spans


class Scanner:
    """Immutable: rules plus known-value needles, compiled for one backend.

    ``needles`` are exact strings (known secret values and their encodings) with the
    number of characters each may keep visible.
    """

    def __init__(
        self,
        rules: Sequence[Rule] = RULES,
        needles: Sequence[tuple[str, int]] = (),
        *,
        backend: str = "auto",
        echoes: Sequence[tuple[str, bool]] = (),
    ) -> None:
        if backend == "auto":
            backend = _auto_backend()
        if backend not in _BACKENDS:
            raise ValueError(
                f"unknown scanner backend {backend!r}; use one of {', '.join(_BACKENDS)}"
            )
        self.backend = backend
        self.rules = tuple(rules)
        #: needles that are the head (True) or tail (False) of a known value: a hit
        #: covers the whole token around it (``sk-or-v1-b2bca...fd27cdd64ca6c1``)
        self._echoes = dict(echoes)
        anchors: list[str] = []
        owners: list[list[int]] = []
        index: dict[str, int] = {}
        for ri, rule in enumerate(self.rules):
            for a in rule.anchors:
                if a not in index:
                    index[a] = len(anchors)
                    anchors.append(a)
                    owners.append([])
                owners[index[a]].append(ri)
        self._n_rule_anchors = len(anchors)
        self._needle_keep: list[int] = []
        self._needle_len: list[int] = []
        for needle, keep in needles:
            if needle in index and index[needle] < self._n_rule_anchors:
                continue  # a known value equal to an anchor would mask every anchor: skip
            if needle not in index:
                index[needle] = len(anchors)
                anchors.append(needle)
                owners.append([])
                self._needle_keep.append(keep)
                self._needle_len.append(len(needle))
        self._owners = [tuple(o) for o in owners]
        self.max_match = max([r.max_len for r in self.rules] + self._needle_len + [0])
        self._regexes = [r.regex for r in self.rules]
        #: rules whose findings depend on their context (a name, a URL, a header):
        #: their values are spread to every copy in the text. A vendor format finds
        #: every copy of its keys by itself.
        self._spread = frozenset(ri for ri, r in enumerate(self.rules) if r.kind != "token")
        #: the public prefixes of key formats (what a mask may keep of an
        #: ``Authorization`` value)
        self._public = tuple(
            a for r in self.rules if r.kind == "token" and r.keep for a in r.anchors if len(a) >= 3
        )
        self._gates = {
            ri: re.compile(r.gate).match
            for ri, r in enumerate(self.rules)
            if r.kind in ("context", "named", "listed", "mnemonic") and r.gate is not None
        }
        self._backs = [r.back for r in self.rules]
        self._anchors = anchors
        self._hs: _hyperscan.Prefilter | None = None
        #: ``clean(text)``: True only when nothing can match (a quick answer for a
        #: short log record; False when the engine has none, or is unsure)
        self.clean: Callable[[str], bool] = _never_clean
        if backend == "hyperscan":
            self._hs = _hyperscan.Prefilter(self.rules, needles, KNOWN)
            self.clean = self._hs.clean
            # (the ``str`` engine for text outside ASCII: a short or dense one whole, a
            # long one around such characters, ``_look_again``)
            backend = "ahocorasick" if fast_backend_available() else "python"
        if backend == "ahocorasick":
            # The automata are built on first need: with Hyperscan the bytes one never
            # is, and the ``str`` one only for non-ASCII text. A DFA over thousands of
            # known-value needles takes most of a second to build.
            self._boundary = boundaries(self.rules)
            self._has_ac = True
        else:
            self._has_ac = False
            # The regex finds the longest literal starting at a position; the search
            # resumes one character later (not after the hit), so literals that overlap
            # (``SharedAccessKey=`` and ``AccessKey``; a known value inside a longer
            # anchor) are all found. What the longest hid is the literals that are its
            # prefixes (``sk-`` under ``sk-or-``): each hit stands for those too.
            self._re = re.compile(trie_pattern(anchors))
            self._anchor_index = {a: i for i, a in enumerate(anchors)}
            self._prefixes = [
                tuple(j for j, b in enumerate(anchors) if a.startswith(b)) for a in anchors
            ]

    @functools.cached_property
    def _ac_bytes(self) -> Any:
        """The ASCII automaton, searched as bytes behind one extra "\\n". Short anchors
        of rules that need a word boundary on the left (``sk-``: not ``task-``) are
        searched together with every ASCII character that may precede them, so the
        boundary costs nothing; a pattern maps back to (anchor, offset)."""
        import ahocorasick_rs as ac

        boundary = self._boundary
        patterns: list[bytes] = []
        pat_anchor: list[int] = []
        pat_off: list[int] = []
        for i, a in enumerate(self._anchors):
            raw = a.encode("utf-8", "surrogatepass")
            if i < self._n_rule_anchors and a in boundary:
                for d in _DELIMITERS if boundary[a] else _NON_ALNUM:
                    patterns.append(d + raw)
                    pat_anchor.append(i)
                    pat_off.append(0)
            else:
                patterns.append(raw)
                pat_anchor.append(i)
                pat_off.append(-1)
        self._pat_anchor = pat_anchor
        self._pat_off = pat_off
        return ac.BytesAhoCorasick(patterns, implementation=ac.Implementation.DFA)

    @functools.cached_property
    def _ac_str(self) -> Any:
        """The automaton for non-ASCII text (offsets in characters)."""
        import ahocorasick_rs as ac

        return ac.AhoCorasick(self._anchors)

    # -- prefilter ---------------------------------------------------------------------

    def _candidates(self, text: str) -> list[tuple[int, int]]:
        """(anchor index, start) pairs, sorted by start."""
        if self.backend == "ahocorasick" or (self.backend == "hyperscan" and self._has_ac):
            if text.isascii():
                automaton = self._ac_bytes
                found = automaton.find_matches_as_indexes(
                    b"\n" + text.encode("ascii"), overlapping=True
                )
                if not found:  # the common case for a clean log record: return at once
                    return []
                pa, po = self._pat_anchor, self._pat_off
                out = [(pa[p], s + po[p]) for p, s, _ in found]
            else:
                found = self._ac_str.find_matches_as_indexes(text, overlapping=True)
                out = [(a, s) for a, s, _ in found]
            out.sort(key=itemgetter(1))
            return out
        index, prefixes, search = self._anchor_index, self._prefixes, self._re.search
        out = []
        m = search(text)
        while m is not None:
            start = m.start()
            out.extend((j, start) for j in prefixes[index[m.group()]])
            m = search(text, start + 1)
        return out

    # -- matching ----------------------------------------------------------------------

    def scan(self, text: str) -> list[Hit]:
        """Every hit in ``text`` (unsorted, possibly overlapping), each value a rule
        found also wherever else it occurs in ``text``."""
        hits = self._scan(text)
        if hits:
            n = len(text)
            if any(h[1] < 0 or h[2] > n for h in hits):
                # A known value that starts or ends with a line break also matches the
                # line break the scan reads before and after the text (the sentinel):
                # what the text holds of it is masked.
                hits[:] = [
                    (max(0, ctx), max(0, start), min(n, end), ri, keep)
                    for ctx, start, end, ri, keep in hits
                    if min(n, end) > max(0, start)
                ]
            if self._echoes:
                self._widen_echoes(text, hits)
            self._propagate(text, hits)
        return hits

    def _widen_echoes(self, text: str, hits: list[Hit]) -> None:
        """A hit of a known value's head or tail covers the whole token around it, the
        elision included (``...``, ``\u2026``), so nothing of a shortened secret
        survives next to its mask (at most :data:`ECHO_REACH` characters each way)."""
        echoes = self._echoes
        n = len(text)
        # A head or tail inside a whole known value is that value, found already: it
        # is not widened (``note-<key>`` keeps ``note-``).
        whole = sorted(
            (h[1], h[2]) for h in hits if h[3] == KNOWN and text[h[1] : h[2]] not in echoes
        )
        starts = [w[0] for w in whole]
        for i, (ctx, start, end, ri, _) in enumerate(hits):
            if ri != KNOWN:
                continue
            head = echoes.get(text[start:end])
            if head is None:
                continue
            k = bisect_left(starts, start + 1) - 1
            if k >= 0 and whole[k][1] >= end:
                continue
            # A head reaches right (over the rest, an elision, the tail); a tail
            # reaches left. Not the other way: ``note-<key>`` keeps ``note-``.
            lo = start
            hi = end
            if head:
                ceiling = min(n, end + ECHO_REACH)
                while hi < ceiling and text[hi] in _TOKEN_CHARS:
                    hi += 1
            else:
                floor = max(0, start - ECHO_REACH)
                while lo > floor and text[lo - 1] in _TOKEN_LEFT:
                    lo -= 1
                while hi < n and text[hi] == "=":
                    hi += 1
            # The public prefix (``sk-o``) may show when the token starts with one.
            hits[i] = (min(ctx, lo), lo, hi, ri, 4 if text.startswith(self._public, lo) else 0)

    def _propagate(self, text: str, hits: list[Hit]) -> None:
        """Same-text propagation: a value a context rule found (a name, a URL, a
        header marks it) is masked wherever else it occurs in the text, whatever the
        context there (``token = 'v' | 'v'``). Values shorter than :data:`PROPAGATE_MIN` are not
        spread: a short password would mask ordinary words. A value that itself reads
        ``<secret name>=<secret>`` (``auth: password=<v>`` finds ``password=<v>``)
        spreads its secret too, so a bare copy of ``<v>`` is masked as well. A word (the
        letters of one case, or capitalized) is not spread either: ``postgres://postgres:
        postgres@db`` masks the password, not the scheme and the user."""
        found: dict[str, tuple[int, int]] = {}
        spread = self._spread
        for _, start, end, ri, keep in hits:
            if ri in spread and PROPAGATE_MIN <= end - start <= PROPAGATE_MAX:
                value = text[start:end]
                if _one_word(value):
                    continue
                named = _NAMED_VALUE.fullmatch(value)
                pairs = [(value, keep)]
                if (
                    named is not None
                    and len(named.group(2)) >= PROPAGATE_MIN
                    and is_secret_identifier(named.group(1))
                ):
                    pairs.append((named.group(2), 0))
                for one, one_keep in pairs:
                    first = found.get(one)
                    if first is None:
                        found[one] = (ri, one_keep)
                    elif ri < first[0]:
                        # The copies are reported under the value's first rule in the
                        # table, whatever order an engine found its hits in.
                        found[one] = (ri, one_keep)
        if not found:
            return
        values = list(found)
        extra = self._occurrences(text, values)
        if len(extra) == len(values):  # each value once, where it was found: the usual case
            return
        done = {(h[1], h[2]) for h in hits}
        for vi, start in extra:
            end = start + len(values[vi])
            if (start, end) not in done:
                ri, keep = found[values[vi]]
                hits.append((start, start, end, ri, keep))

    def _occurrences(self, text: str, values: list[str]) -> list[tuple[int, int]]:
        """(value index, start) of every occurrence of ``values`` in ``text``: a
        ``str.find`` loop on short texts, one automaton pass on long ones (with one
        value, only on texts so long that compiling a database costs less than
        ``str.find``, which runs at about 2 GB/s) and for more than
        :data:`FIND_EACH_UP_TO` values; without an automaton, one regex pass."""
        many = len(values) > FIND_EACH_UP_TO
        long = many or (
            len(text) >= 1 << 16 and (len(values) > 1 or len(text) >= _hyperscan.STREAM_FROM)
        )
        if long and self._hs is not None and all(v.isascii() for v in values):
            return _apart(_hyperscan.occurrences(text, values), values)
        long = long and len(values) > 1
        if long and self._has_ac:
            import ahocorasick_rs as ac

            found = ac.AhoCorasick(values).find_matches_as_indexes(text, overlapping=True)
            return _apart([(vi, start) for vi, start, _ in found], values)
        if many:
            # (the longest value at each place, read by a trie of them all: testing each
            # value whose first characters stand there cost every place where many
            # values begin alike, ``app:1.2-<v>`` on each line, a pass over them all)
            index = {value: vi for vi, value in enumerate(values)}
            finder = re.compile(f"(?=({trie_pattern(values)}))")
            return _apart([(index[m.group(1)], m.start()) for m in finder.finditer(text)], values)
        out = []
        for vi, value in enumerate(values):
            i = text.find(value)
            while i >= 0:
                out.append((vi, i))
                i = text.find(value, i + len(value))
        return out

    def _look_again(
        self,
        text: str,
        spans: list[tuple[int, int]],
        hits: list[Hit],
        per_rule: dict[int, list[int]],
    ) -> None:
        """Add the candidates the ``str`` engine finds in ``spans`` (around characters
        outside ASCII, which Hyperscan read as one byte each) to Hyperscan's: there the
        Python engines' reading is the one to follow (``\\s`` holds a no-break space,
        ``\\w`` an accented letter, a rule may start with a word of another script)."""
        nra = self._n_rule_anchors
        owners = self._owners
        seen = set(hits)
        added: set[int] = set()
        for lo, hi in spans:
            for a, start in self._candidates(text[lo:hi]):
                start += lo
                if a >= nra:
                    k = a - nra
                    hit = (start, start, start + self._needle_len[k], KNOWN, self._needle_keep[k])
                    if hit not in seen:
                        hits.append(hit)
                        seen.add(hit)
                for ri in owners[a]:
                    per_rule.setdefault(ri, []).append(start)
                    added.add(ri)
        for ri in added:
            per_rule[ri] = sorted(set(per_rule[ri]))

    def _scan(self, text: str) -> list[Hit]:
        near = None if text.isascii() else _near_other_characters(text)
        if self._hs is not None and (text.isascii() or near is not None):
            hits, per_rule = self._hs.candidates(text)
            if near:
                self._look_again(text, near, hits, per_rule)
            if not per_rule:
                return hits
        else:
            hits = []
            cands = self._candidates(text)
            if not cands:
                return []
            nra = self._n_rule_anchors
            owners = self._owners
            per_rule = {}
            for a, start in cands:
                if a >= nra:
                    k = a - nra
                    hits.append(
                        (start, start, start + self._needle_len[k], KNOWN, self._needle_keep[k])
                    )
                for ri in owners[a]:
                    lst = per_rule.get(ri)
                    if lst is None:
                        per_rule[ri] = [start]
                    else:
                        lst.append(start)
        alnum = _ALNUM
        find = text.find
        rfind = text.rfind
        for ri, starts in per_rule.items():
            rule = self.rules[ri]
            match = self._regexes[ri].match
            back = rule.back
            left = rule.left_boundary
            start_at = rule.start_at
            reach = rule.max_len
            sep_within = rule.sep_within
            # A context rule reads its value past the regex match and skips the anchors
            # in it; every engine first checks the gate at the anchor, so that they all
            # judge the same anchors (Hyperscan reports only those) in the same order.
            gate = self._gates.get(ri)
            listed = rule.kind == "listed"
            covered = -1
            i, n = 0, len(starts)
            while i < n:
                start = starts[i]
                i += 1
                # (a rule reading back from its anchor reads from the text's start when
                # the anchor is nearer: its pattern's prefix is bounded, not fixed)
                pos = max(0, start - back)
                if pos < covered:
                    continue
                if left and start and text[start - 1] in alnum:
                    continue
                if listed and not _names_list(text, start):
                    continue  # (``keys``, ``ssh_keys``: judged before any regex runs)
                if gate is not None and gate(text, start) is None:
                    continue
                if start_at is not None:
                    pos = rfind(start_at, max(0, start - reach), start)
                    if pos < 0:
                        # No anchor can match before the next ``start_at``: jump there.
                        nxt = find(start_at, start)
                        if nxt < 0:
                            break
                        i = bisect_left(starts, nxt, i)
                        continue
                    if pos < covered:
                        continue
                m = match(text, pos)
                if m is None:
                    if sep_within:
                        # The rule needs ``=``/``:`` within ``sep_within`` of its anchor:
                        # skip every anchor too far before the next one.
                        sep = _SEP_CHAR.search(text, start)
                        if sep is None:
                            break
                        i = bisect_left(starts, sep.start() - sep_within, i)
                    continue
                # Rejected or not, the text this match covered is done for this rule:
                # re-trying every anchor inside it would make adversarial input
                # (``authorization=authorization=...``) quadratic. A context rule says
                # where its reading ended: at least past the name, and before the words
                # after it when they may be a name themselves (``auth token: v``).
                if rule.kind == "context":
                    covered = max(m.end("name"), self._context(text, ri, m, hits))
                elif rule.kind == "listed":
                    name = _ident_before(text, m.start()) + m.group("name")
                    spans, end = list_value_spans(text, name, m)
                    hits.extend((m.start(), lo, hi, ri, 0) for lo, hi in spans)
                    covered = max(m.end(), end)
                elif rule.kind == "csv":
                    # (a table's rows end where their fields stop matching its header:
                    # what follows is read again, another table's header may be there)
                    spans, end = csv_value_spans(text, m)
                    hits.extend((m.start(), lo, hi, ri, 0) for lo, hi in spans)
                    covered = end
                else:
                    covered = m.end()
                    self._accept(text, rule, ri, m, hits)
        return hits

    def _context(self, text: str, ri: int, m: re.Match[str], hits: list[Hit]) -> int:
        """A context rule's match (``_context``): its hits; returns where the text it
        read ends, so anchors inside a value already judged are not tried again."""
        start = m.start()
        ident = _ident_before(text, start)
        at = start - len(ident)
        before = text[at - 1 : at] if at else ""
        if before == "\\" and text.startswith(ESCAPED_PARAM_DELIMITERS, at - 1):
            # ``?user=1\u0026token=v``: a URL query in JSON as Go writes it
            before = chr(int(text[at + 1 : at + 5], 16))
            ident = ident[5:]
        elif before == "\\" and ident[:1] in ("n", "r", "t"):
            # ``"...\\napi_key=v"``: a line of a JSON string, after an escaped line break
            ident = ident[1:]
            before = "\n"
        elif ident.startswith(_OPTION_PREFIXES) and before in _OPTION_BEFORE:
            # ``java -Dpassword=v``, ``-Ddb.password=v``: a system property's name
            # follows the option's letter
            ident = ident[ident.index("-D") + 2 :]
        spans, end = value_spans(text, ident + text[start : m.end("name")], before, m)
        for lo, hi in spans:
            hits.append((start, lo, hi, ri, 0))
        return end

    def _accept(self, text: str, rule: Rule, ri: int, m: re.Match[str], hits: list[Hit]) -> bool:
        kind = rule.kind
        if kind in ("columns", "cookies", "manifest", "cookie", "jwk"):
            if kind == "manifest":
                found = kubernetes_secret_spans(text, m)
            elif kind == "cookie":
                found = session_cookie_spans(text, m)
            elif kind == "jwk":
                found = [p.span(1) for p in _JWK_PRIVATE.finditer(text, m.start("s"), m.end("s"))]
            else:
                found = column_value_spans(m) if kind == "columns" else cookie_value_spans(m)
            hits.extend((m.start(), lo, hi, ri, rule.keep) for lo, hi in found)
            return bool(found)
        s = m.group("s")
        span = m.span("s")
        if s is None:  # the unquoted alternative of a value
            s = m.group("u")
            span = m.span("u")
            if "(" in s or "[" in s or text[span[1] : span[1] + 1] == "(":
                return False  # ``secret = CASES[name]()``: code, not a value
        if kind == "token":
            if (
                is_placeholder(s, strict=False)
                and not _real_despite_runs(s)
                and not _real_despite_words(s)
            ) or has_sequence(s):
                return False
        elif kind == "named":
            # (a rule whose name may stand in a second place, or be a subscript's key,
            # names that one ``m``: it is the name when it is there)
            name = (m.group("m") or m.group("n")) if "m" in m.re.groupindex else m.group("n")
            if not is_secret_identifier(name) or not value_kind(
                s[:1024], password=is_password_name(name)
            ):
                return False  # (a longer value is judged by its head, and masked whole)
        elif kind == "pem64":
            if not private_key_in_base64(s):
                return False
        elif kind == "printed":
            if not printed_secret_accepted(text, m):
                return False
        elif kind == "native":
            if not native_label_accepted(text, m):
                return False
        elif kind == "password":
            # A user that looks like a token is a secret too, whatever the password
            # (``https://<token>:x-oauth-basic@github.com``).
            user = m.group("user") if "user" in m.re.groupindex else None
            token_user = user is not None and looks_like_token(user)
            if token_user:
                hits.append((m.start(), m.start("user"), m.end("user"), ri, 0))
            if len(s) < 4 or is_placeholder(s, strict=True) or _is_word(s):
                return token_user
            if s.isdigit() and user is not None and user.isdigit():
                return False  # ``docker run -u 1000:1000``: a user and group id
            if "/" in s:
                # A path after a host (``host:docs/guide@v2``) or a port and a path
                # (``host:8080/v1/file@2x.png``), unless it reads as one generated value;
                # a port and a path with a word in it whatever the rest
                # (``registry:5000/v2/library/nginx@sha256:...``)
                port, _, path = s.partition("/")
                ported = port.isdigit() and len(port) <= 5
                if ported and any(_PATH_WORD.fullmatch(p) for p in path.split("/")):
                    return token_user
                if not looks_like_token(s.replace("/", "")) and (
                    ported or all(p.isalpha() or p.isdigit() for p in s.split("/") if p)
                ):
                    return token_user
        elif kind == "argument":
            # (under a plain ``auth``/``login`` only a generated value; a placeholder,
            # ``<password>``, is no password in either)
            generic = "generic" in m.re.groupindex and m.group("generic") is not None
            if (s[:1] == "<" and s[-1:] == ">") or not value_kind(s, password=not generic):
                return False
            if (
                "pair" in m.re.groupindex
                and m.group("pair") is not None
                and MYSQL_COMMAND.search(
                    text, max(text.rfind(c, 0, m.start()) for c in "\n;|&") + 1, m.start()
                )
            ):
                # (``mysql -u root -p shop``, in the same command: MySQL asks, and opens
                # the database ``shop``)
                return False
        elif kind == "auth":
            if len(s) < 8 or is_placeholder(s, strict=False):
                return False
            if not (_DIGIT.search(s) or (not s.islower() and not s.isupper())):
                return False
            if not s.startswith(self._public):
                # An opaque token (no public prefix such as ``sk-or-``): nothing of it
                # is shown.
                hits.append((m.start(), span[0], span[1], ri, 0))
                return True
        elif kind == "param":
            if not _param_accepted(text, m, s):
                return False
        elif kind in ("validation", "location"):
            # A validation error's input, judged under its field's name: on the line
            # before (``validation``), or the last name of its location (``location``:
            # ``["body", "password"]``); an input pydantic shortened,
            # ``'sk-or-v1-b2bca...4fd27cdd64ca6c1'``, by its two ends.
            if kind == "validation":
                name = validation_field(text, m.start())
            else:
                names = [n for n in _QUOTED_NAME.findall(m.group("path")) if not n.isdigit()]
                name = names[-1] if names else None
            if (
                name is None
                or not is_secret_identifier(name)
                or not value_kind(s.replace("...", "")[:1024], password=is_password_name(name))
            ):
                return False
        elif kind == "mnemonic":
            if len(set(s.split())) < 4:
                return False  # (``abandon abandon ... about``: a test vector)
        elif kind == "generated":
            # (``Bearer a=b``, X's ``...%3D...``)
            if not looks_like_token(_ESCAPES_AND_PADDING.sub("", s)):
                return False
        elif (kind == "pem" and _PEM_BODY.search(s) is None) or (
            kind == "nkey" and not nkey_checksum_ok(s)
        ):
            return False
        end = span[1]
        if kind == "token":
            # A key glued to more key characters (two keys end to start, a key with a
            # suffix) is masked to the end of the run: where the rule stopped is not
            # where the secret does (the anchors inside this match are not tried
            # again, so a second key would otherwise keep all but its first letters).
            limit = min(len(text), end + ECHO_REACH)
            while end < limit and text[end] in _GLUED:
                end += 1
        hits.append((m.start(), span[0], end, ri, rule.keep))
        return True
