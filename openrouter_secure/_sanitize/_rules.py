"""The detection table: which text is a secret, as data.

Each :class:`Rule` names the literal *anchors* that must occur for it to match (the
prefilter looks for those first, so regexes only ever run next to a candidate), a
regular expression that is matched **at** an anchor (``back`` characters before it),
which group holds the secret, and how much of the secret may stay visible (``keep``:
4 for keys whose first characters are a public prefix such as ``sk-o``, 0 for
passwords and free-form values).

Every pattern is linear-time: quantifiers are bounded, and a repeated class never
overlaps the literal that ends it, so a match attempt costs at most a few hundred
steps whatever the input (``tests/test_rules.py`` feeds adversarial megabytes to each).

``kind`` selects the extra checks a match must pass:

- ``token``: a vendor-format key; rejected only when it is a placeholder.
- ``context``: a value after a secret-looking name (``api_key = ...``), read and judged
  by ``_context.value_spans``: the name must be secret-looking by segment
  (``max_tokens`` is not) and the value must look generated (any non-trivial value
  under a password name).
- ``named``: the same judgment for a name and a value in two fields
  (``{"name": "API_KEY", "value": ...}``, ``<key>ApiKey</key><string>...``).
- ``password``: a value under a password-like name or in a URL/connection string;
  any non-placeholder value counts.
- ``argument``: a password as a call's argument, judged as a value under a password
  name is (``_context.value_kind``: not a word, a path, a reference, code), or under
  the plain ``auth``/``login`` (group ``generic``) as a generated value.
- ``auth``: an ``Authorization`` value; it must hold a digit or mixed case.
- ``param``: a URL query parameter's value (``_names``).
- ``generated``: a value no name marks, in a place a token stands (a URL's or curl's
  user, after ``Bearer``): ``_context.looks_like_token``.
- ``pem``: a private key block with a body.
- ``listed``: the items of a list or mapping under a plural secret name
  (``_context.list_value_spans``), each judged as under the singular name.
- ``columns``: the values an SQL ``INSERT`` gives to secret-named columns
  (``_context.column_value_spans``).
- ``cookies``: each pair of a cookie header, judged by its name
  (``_context.cookie_pairs``).
- ``cookie``: one cookie outside a header, judged the same way
  (``_context.session_cookie_spans``).
- ``jwk``: the private members of a JSON Web Key's object (group ``s``).
- ``manifest``: the values of a Kubernetes Secret's ``data`` or ``stringData`` block
  (``_manifests.kubernetes_secret_spans``).
- ``nkey``: a NATS NKey's seed whose checksum holds (``_checksums.nkey_checksum_ok``).
- ``format``: a value whose strict format is the evidence, with no other check
  (Django's keys hold ``%(`` and ``$(``, which read as templates elsewhere).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._context import (
    FALLBACK_BEFORE,
    FALLBACK_OPERATORS,
    FALLBACK_OPERATORS_RE,
    PAIR_ATTRIBUTES,
    PAIR_BETWEEN,
    PAIR_FIELD,
    PAIR_VALUE,
    PIPELINE_VARIABLE,
    PLACEHOLDER_WORDS,
    REDACTION_LABEL,
    X_RUN,
    dominant_run,
    singular,
)
from ._context import NOT_KEY_OWNERS as _NOT_KEY_OWNERS
from ._context import NOT_TOKEN_OWNERS as _NOT_TOKEN_OWNERS
from ._literals import trie_pattern
from ._names import (
    DISTINCTIVE_PARAMS,
    ENCODED_PARAM_DELIMITERS,
    ESCAPED_PARAM_DELIMITERS,
    FOREIGN_SECRET_PHRASES,
    FOREIGN_SECRET_WORDS,
    GENERATED_QUERY_PARAMS,
    NATIVE_SECRET_WORDS,
    PARAM_DELIMITERS,
    SECRET_QUERY_PARAMS,
    UPPER_SECRET_WORDS,
    param_spellings,
)

__all__ = [
    "MYSQL_COMMAND",
    "PAIR_VALUE_NO_SECRET",
    "RULES",
    "RUN_CHAR",
    "RUN_TAIL",
    "SHORT_RUN",
    "Rule",
    "boundaries",
    "has_sequence",
    "is_placeholder",
    "is_secret_identifier",
    "looks_random",
]


@dataclass(frozen=True)
class Rule:
    """One detection rule (see the module docstring)."""

    id: str
    anchors: tuple[str, ...]
    pattern: str
    back: int = 0
    group: str = "s"
    keep: int = 4
    kind: str = "token"
    max_len: int = 1024
    #: the character before the anchor must not be a letter, digit, ``_`` or ``-``
    #: (checked before the regex runs: ``task-`` never costs a regex call for ``sk-``)
    left_boundary: bool = False
    #: the boundary also excludes ``_`` and ``-`` (set from the pattern)
    boundary_strict: bool = field(default=False, init=False, compare=False)
    #: the regex starts at the last occurrence of this literal within ``max_len`` before
    #: the anchor: URL credentials are anchored on the rare ``@`` and matched from the
    #: ``://`` before it (``://`` is in nearly every log line, ``@`` is not)
    start_at: str | None = None
    #: the regex needs ``=`` or ``:`` within this many characters of the anchor (0: no
    #: such need); lets the engine skip runs of anchors with no separator after them
    sep_within: int = 0
    #: for the ``hyperscan`` engine: a Hyperscan pattern that matches wherever
    #: ``pattern`` can match (a prefix of it is enough), starting at or before the
    #: anchor the regex runs at. Rules whose anchors are frequent in ordinary logs
    #: (``auth:``, ``api_key``, ``@``) are gated so that only text shaped like a match
    #: reaches Python; other rules are found by their anchors.
    gate: str | None = None
    #: when set, the gate is compiled without start of match (which costs Hyperscan half
    #: its speed on a gate whose first literals are common words): a match is taken to
    #: start this many characters before its end (at least the gate's longest match);
    #: when negative, the match ends at most three characters after a value's run
    #: (``[A-Za-z0-9!#$%&*+/?@^~_.-]``, then ``:`` or ``:/``) and is taken to start this
    #: many characters before the run
    gate_window: int = 0
    #: for the ``hyperscan`` engine, in place of ``gate``: patterns that together match
    #: wherever the rule can accept, each with its window (as ``gate_window``; 0:
    #: compiled with start of match). They may accept less than ``gate`` where Python
    #: would reject anyway (a value the rule could never mask). A rule without a
    #: ``gate`` (a key format) is then found by them instead of its anchors, so an
    #: anchor in text that cannot be a key costs nothing.
    hs_gates: tuple[tuple[str, int], ...] = ()
    #: for a gated rule: patterns of a name and what follows it up to its value
    #: (``cache_key=``) under which the rule rejects any value; a match of one of its
    #: first ``name_not_gates`` Hyperscan gates (the others are written not to match
    #: there) is dropped when the value's run it read starts right where one of them
    #: ends (Hyperscan engine)
    name_not: tuple[str, ...] = ()
    name_not_gates: int = 0
    gate_not_cancels: int = 1
    #: patterns whose matches end exactly where such a gate match does, for text the
    #: rule rejects, honoured only when the gate match ends after a value's run of at
    #: most ``SHORT_RUN`` characters (a placeholder must lie within the head that is
    #: judged); compiled into the rules' database
    gate_not_short: tuple[str, ...] = ()
    #: for the ``hyperscan`` engine: (index of an ``hs_gates`` pattern, how the value its
    #: match ends in is read back): the quick check drops a match whose value the rule
    #: rejects, before any other Python work. ``"pair"``: a pair's value field, from its
    #: first character (after its quote and a mask's stars), one no name makes a secret
    #: (``PAIR_VALUE_NO_SECRET``: ``"value": 42``); ``"six"``: six characters into a
    #: value under a password's name, or to the bracket closing it, a placeholder or a
    #: redaction's label (``password=REDACTED``, ``password=[FILTERED]``); ``"prose"``:
    #: eight characters into a bare value in prose, the next assignment (``invalid
    #: password username=bob``); ``"auth"``: eight characters into an ``Authorization``
    #: header's credentials, a placeholder or no token (``Bearer [REDACTED]``)
    gate_value_checks: tuple[tuple[int, str], ...] = ()
    #: for a gated rule: a regex finding, in the lower-cased text of a gate's match,
    #: where its anchors may start (default: the anchors themselves, case-sensitive); a
    #: smaller one (the words without what follows them) is cheaper, the engine
    #: checking the gate at each position anyway
    finder: str | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern))
        # The engines search short anchors behind the class the pattern's lookbehind
        # excludes: ``[^A-Za-z0-9_-]`` for ``(?<![A-Za-z0-9_\-])``, ``[^A-Za-z0-9]`` for
        # ``(?<![A-Za-z0-9])`` (which lets ``_SK...`` through).
        if self.back == 0 and self.pattern.startswith("(?<![A-Za-z0-9_\\-])"):
            object.__setattr__(self, "left_boundary", True)
            object.__setattr__(self, "boundary_strict", True)
        elif self.back == 0 and self.pattern.startswith("(?<![A-Za-z0-9])"):
            object.__setattr__(self, "left_boundary", True)


def _case(*words: str) -> tuple[str, ...]:
    """``word``, ``WORD`` and ``Word`` for each word (anchors are case-sensitive)."""
    out: list[str] = []
    for w in words:
        for v in (w.lower(), w.upper(), w[:1].upper() + w[1:].lower(), w):
            if v not in out:
                out.append(v)
    return tuple(out)


# Boundaries, only for short ambiguous prefixes (``task-`` is not ``sk-``): a rule with
# a distinctive prefix (``sk-or-v1-``) matches even when glued to other text.
_L = r"(?<![A-Za-z0-9_\-])"
_R = r"(?![A-Za-z0-9_\-])"
_B64 = r"A-Za-z0-9+/"
_UUID_SHAPE = r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"


def _upper_escape(m: re.Match[str]) -> str:
    return "\\u" + m.group()[2:].upper()


# What opens the line a REPL echoed a value on: irb's ``=> ``, IPython's ``Out[3]: ``, a
# debugger's history number and a C string's address (``$1 = 0x5555... "v"``), R's
# ``[1] ``
_ECHOED_HEAD = (
    r"(?:=>[ \t]|Out\[[0-9]{1,6}\]:[ \t]|\$[0-9]{1,4} = (?:0x[0-9a-f]{1,16} )?|\[1\][ \t])?"
)
# A secret's word, a colon and a line break, maybe a blank line, then a value's first
# eight characters alone (``value-next-line``)
_NEXT_LINE_GATE = (
    r"""{words}(?:[ \t]{{1,4}}is)?:[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]{{0,16}}["'`]?[^\s"'`]{{8}}"""
)
_NEXT_LINE_ANCHORS = tuple(
    w
    for word in ("password", "passwd", "passphrase", "pwd", "pass", "secret", "token", "key")
    for w in _case(word)
) + _case("auth", "credentials", "credential", "creds")
# Commands that print a secret (``printed-secret``)
_PRINTING_COMMANDS = (
    *("op read ", "op item get ", "base64 -d", "base64 --decode", "base64 -D", " -field="),
    *("get-secret-value", "get-parameter", "secrets versions access", "keyvault secret show"),
    *("find-generic-password", "pass show ", "cat /run/secrets/", "config:get ", "secrets get "),
    *("bw get ", "lpass show", "gh auth token", "print-access-token", "get-access-token"),
    *("configure get ", "find-internet-password", "gopass show ", "cat /var/run/secrets/"),
    *("output -raw ", "chamber read "),
)


# Another script's words for a secret (``_names.NATIVE_SECRET_WORDS``), and each as
# JSON escapes it (``json.dumps`` by default: ``\\u5bc6\\u7801``)
_NATIVE_SPELLINGS = tuple(
    dict.fromkeys(
        spelling
        for word in NATIVE_SECRET_WORDS
        for escaped in (json.dumps(word)[1:-1],)
        for spelling in (word, escaped, re.sub(r"\\u[0-9a-f]{4}", _upper_escape, escaped))
    )
)
# What stands between such a word and its value: up to 16 of the script's characters
# (or escapes) and blanks, and maybe a colon (``密钥是 v``, ``APIキーはこちらです: v``);
# up to 24 of any before a colon (``Пароль для root: v``, ``**密码**: v``); or before a
# copula (``Mật khẩu là v``, ``La contraseña del servidor es v``); not across a
# sentence's end
_NATIVE_STOPS = "\\n\\u3002\\uff01\\uff1f\\uff1b"
_NATIVE_SEPARATOR = r"[:=\uff1a\uff1d]"
_NATIVE_BETWEEN = (
    rf"(?:(?:[^\x00-\x7f{_NATIVE_STOPS}]|\\u[0-9a-fA-F]{{4}}|[ \t]){{0,16}}?[ \t]{{0,4}}"
    rf"(?:{_NATIVE_SEPARATOR}[ \t]{{0,4}})?"
    rf"|[^:={_NATIVE_STOPS}\uff1a\uff1d]{{1,24}}?[ \t]{{0,4}}{_NATIVE_SEPARATOR}[ \t]{{0,4}}"
    rf"|[^:={_NATIVE_STOPS}\uff1a\uff1d]{{0,24}}?[ \t]"
    r"(?:l\u00e0|es|est|ist|\u00e9|\u00e8|adalah|jest|je|er|\u00e4r|lautet"
    r"|\u044d\u0442\u043e)[ \t]{1,4})"
)
# (each spelling written out: ``(?i:...)`` made Hyperscan start at each ``key``)
_AZURE_KEY_NAME = "(?:primary|PRIMARY|Primary|secondary|SECONDARY|Secondary)[_\\-]?(?:key|KEY|Key)"
# (its separator: an assignment's, an element's ``>``, a table's ``|``, or blanks alone,
# ``--primary-key v``, ``PrimaryKey   v``)
_AZURE_KEY_NAME_SEP = (
    _AZURE_KEY_NAME + r"""\\{0,3}["']?(?:>|[ \t]{0,8}(?:=>|:=|[:=|])[ \t]{0,8}|[ \t]{1,8})"""
)
# (``az storage account keys list``: ``"keyName": "key1", ..., "value": "v"``)
_AZURE_KEYS_LIST = (
    r"""["']keyName["'][ \t]*:[ \t]*["']key[12]["'][^{}]{0,300}?["']value["'][ \t]*:[ \t]*"""
)


def _generated(length: int | str, inside: str = "") -> str:
    """A body of ``length`` letters and digits (and ``inside``, a class's characters:
    ``_=\\-``) as keys are generated: two digits, a capital and a small letter (a word,
    an identifier or a test's name has fewer). (Each look ahead is bounded: unbounded, a
    long run of letters cost each anchor in it a pass to the run's end.)"""
    return (
        rf"(?=(?:[A-Za-z{inside}]{{0,50}}[0-9]){{2}})(?=[a-z0-9{inside}]{{0,50}}[A-Z])"
        rf"(?=[A-Z0-9{inside}]{{0,50}}[a-z])[A-Za-z0-9{inside}]{{{length}}}"
    )


# (``_``, ``=`` and ``-`` inside a generated body too)
_DASHED = r"_=\-"

# The separator between a name and its value: ``=``, ``:``, ``:=``, ``=>``, ``?=`` ...
_SEP = r"""\\?(?:["']\]?|\])?[ \t]{0,8}(?:=>|:{1,3}=|\?=|[:=])[ \t]{0,8}"""
# Context detection (``secret-assignment``; see ``_context``): a secret word that ends a
# name, a separator, a value. The anchors are the words with the character that may
# follow them, so the prefilter never reports ``tokens`` or ``tokenizer`` and the regex
# never runs there; the name before the word (``brandAPI`` in ``brandAPIKey``) and the
# value are judged in Python, after the Hyperscan gate (below) has let only text
# shaped like ``name sep value`` through.
_NAME_WORDS = (
    *("password", "passwd", "passphrase", "pwd", "pass", "secret", "token", "key", "auth"),
    *("credentials", "credential", "creds", "cookie", "sessionid"),
)
_FOLLOW = "\"'=: \t>]\\`-?,(!0123456789["


# camelCase spellings of the two-word password names (``dbPassWord``, ``passPhrase``)
_CAMEL = {
    "password": ("passWord", "PassWord"),
    "passphrase": ("passPhrase", "PassPhrase"),
}


def _followed(word: str) -> tuple[str, ...]:
    spellings = (*_case(word), *_CAMEL.get(word, ()))
    return tuple(v + f for v in spellings for f in _FOLLOW + "_.")


_KEY_ANCHORS = (
    *(a for w in _NAME_WORDS for a in _followed(w)),
    *_followed("LOGIN"),
    *("secretId", "SecretId", "secretID", "SecretID", "SECRETID", "secretid"),
)
_WORD_RE = "(?i:" + "|".join(_NAME_WORDS) + ")|LOGIN"
# After the word, what keeps it the name's last word (``_context._name_words``): digits
# (``bot_token1``) and a value's suffix (``api_key_value``), or, in an environment
# variable's upper case, one or two variants or stages (``API_KEY_1``, ``API_KEY_V2``,
# ``STRIPE_KEY_PROD``, ``SECRET_KEY_BASE``, ``API_KEY_PROD_V2``). (In lower case, or
# for the other value suffixes ``_context`` reads in structured data, ``_b64``, ``_hex``,
# ``_raw``, ``_str``, each costs every scan of a log a tenth more: not read in text.)
_VALUE_SUFFIX = r"[_.\-](?i:value|string|data)"
_UPPER_SUFFIX = (
    r"(?:_(?:[0-9]{1,8}|V[0-9]{1,4}|(?:PROD|PRODUCTION|LIVE|DEV|TEST|STAGING|STAGE|SANDBOX"
    r"|BASE|OLD|NEW|PRIMARY|SECONDARY|BACKUP)[0-9]{0,3})){1,2}(?:_(?:VALUE|STRING|DATA))?"
)
# (and a C array's brackets, ``API_KEY[] = "v"``, ``token[33] = "v"``,
# ``token[TOKEN_LEN]``, and a subscript, ``api_key[i] = "v"``; not with blanks around
# them: read after every secret word, they cost a JSON record naming secrets a tenth
# more)
_ARRAY = r"\[\w{0,24}\]"
_SUFFIX_RE = rf"(?:\d{{1,3}}(?:{_VALUE_SUFFIX})?|{_VALUE_SUFFIX}|{_ARRAY})?"
# (the variants and stages only after a word in upper case: after any case, the pattern
# would start at every ``token_`` of a log, ``token_type``, ``session_token_ttl``)
_UPPER_PASSWORD_WORDS = "(?:PASSWORD|PASSWD|PASSPHRASE|PWD|PASS|SECRET)"  # noqa: S105 - a pattern
_UPPER_OTHER_WORDS = "(?:TOKEN|KEY|AUTH|CREDENTIALS|CREDENTIAL|CREDS|COOKIE|SESSIONID|LOGIN)"
# A Vault AppRole's ``secret_id`` (``role_id=... secret_id=v``, ``VAULT_SECRET_ID``) and
# a Nomad ACL token's ``Secret ID = v`` are the credential itself, unlike other ids: read
# as a name of their own.
# (its spellings written out, and Nomad's ``Secret ID`` alone with a blank: Hyperscan
# finds each as a literal, where a class between the words, or any case with a blank,
# costs every text naming a secret)
_SECRET_ID_RE = rf"(?:(?i:secret_id|secret-id|secretid)|Secret ID)(?:{_UPPER_SUFFIX})?"
# ``=``, ``:``, ``:=``, ``=>``, ``->``, ``?=``, ``||=``, ``??=``, ``<-``, ``>`` ending an
# XML start tag, and ``(`` opening a call right after the name (``setApiKey("v")``: a
# quoted value only; not ``oauth (session_count=4)``), after an optional closing quote
# or bracket of the name (``"name": v``, ``["name"] = v``, ``$c['api_key'] = v``).
# Up to 64 blanks on either side of the operator: column-aligned blocks (``terraform
# fmt``, aligned ``.env`` files and YAML) put many there (``password        = "v"``).
# A type between a name and its ``=`` (``api_key: str = v``, ``apiKey: Optional[str] =
# v``, ``let k: &str = v``), read as part of the separator (a blank before the ``=``, or
# a ``]``: ``auth: password=v`` is no type). Hyperscan's first value gate reads it as a
# value's run followed by blanks and ``=``, or by a bracket.
_TYPED = r""":[ \t]{0,4}&?[A-Za-z_][\w.]{0,30}(?:\[[^\]\n]{0,40}\][ \t]{0,4}|[ \t]{1,4})="""
_OPERATOR = r"(?::{1,3}=|=>|->|\?=|\|\|=|\?\?=|<-|={2,3}|!={1,2}|[:=])"
# (also ``>``, the end of an XML start tag: under a password word)
_PASSWORD_OPERATOR = _OPERATOR[:-1] + "|>)"
_SEP_PLAIN = _TYPED + "|" + rf"""\\{{0,7}}(?:["']\]?|\])?(?:[ \t]{{0,64}}{_PASSWORD_OPERATOR}|\()"""
# (a quoted name, a comma, a quoted value, aligned or not: ``getenv("api_token", "v")``,
# WordPress's ``define( 'AUTH_KEY',         'v' )``, and pairs as
# Python shows them, ``('x-api-key', 'v')``, ``(b'x-api-key', b'v')``, or as indented
# JSON writes them, the value on the next line; JSON-escaped quotes too)
_SEP_COMMA = r"""\\{0,7}["'],(?:\r?\n[ \t]{0,40})?"""
# (an element's attributes before its content: ``<Password encrypted="false">v``)
_XML_ATTRS = (
    r"""(?:[ \t]{1,4}[\w:.\-]{1,32}=(?:"[^"<>\n]{0,256}"|'[^'<>\n]{0,256}')){1,8}[ \t]{0,4}>"""
)
# (a C# auto-property's initializer, ``public string ApiKey { get; set; } = "v";``, and a
# YAML block scalar's head, ``api_key: >-``, the value on the next line; their heads
# written out, so that Hyperscan finds each as a literal with the word before it, where
# a class after the word cost every scan of a log a sixth more)
_SEP_MORE = (
    r"""(?: \{ get;| \{get;|\{ get;)[^}\n]{0,40}\}[ \t]{0,8}="""
    r"""|(?:: \||: >)[-+]?[0-9]?[ \t]{0,8}\r?\n[ \t]{1,40}"""
    # (a value object, as ARM parameter files and secret stores' exports write one:
    # ``"adminPassword": {"value": "v"}``, over lines or not, and YAML's ``api_key:`` then
    # ``value: v``)
    r"""|\\{0,7}["'](?:: \{|:\{| : \{)(?: ?|\r?\n[ \t]{0,40}|(?:\\r)?\\n[ \t]{0,40})"""
    r"""\\{0,7}["'](?i:value)\\{0,7}["'] ?:"""
    r"""|: ?\r?\n[ \t]{1,40}(?i:value):"""
    # (and unquoted, as YAML's flow and HCL write it: ``adminPassword: { value: v }``,
    # ``admin_password = { value = "v" }``)
    r"""|(?:: ?\{ ?| = \{ ?)(?i:value)(?:: | = |=)"""
    # (a long literal black wraps in brackets: ``API_TOKEN = (`` then ``"v"``)
    r"""|(?: = |=)\(\r?\n[ \t]{0,40}"""
)
_SEP_RE = (
    _SEP_MORE
    + "|"
    + _SEP_PLAIN
    + "|"
    + _SEP_COMMA
    + r"""(?=[ \t]{0,16}[bBrRuU@]{0,2}\\{0,7}["'])"""
    + "|"
    + _XML_ATTRS
)
# The gate (see ``Rule.gate``), a superset of what ``_context.value_spans`` accepts: a
# name word, then a separator and the first characters of a value that can pass the
# value gate. Under a password word (any non-trivial value counts) six characters of
# anything but a delimiter or a placeholder start (``$``, ``*``, ``{``, ``<``); under
# every other word ten characters of a token alphabet (letters, digits, ``+/=_-.~``
# and a few symbols; a ``:`` only after the sixth), so ``"key": "user:926382"``,
# ``key: env://...`` and ``auth (session`` never reach Python.
_PASSWORD_WORD_RE = "(?i:password|passwd|passphrase|pwd|pass|secret)"  # noqa: S105 - a pattern
_OTHER_WORD_RE = "(?:(?i:token|key|auth|credentials|credential|creds|cookie|sessionid)|LOGIN)"
# The same words in the cases names spell them (``auth``, ``AUTH``, ``Auth``,
# ``sessionId``): Hyperscan 5.4 loses matches of the case-insensitive words before a
# log's verbs (``x auth set to v``, ``x pwd set to v`` were found only within a text's
# first dozen characters); written out, it finds them all.
_PASSWORD_WORDS_CASED = (
    "(?:"
    + "|".join(
        (
            *_case("password", "passwd", "passphrase", "pwd", "pass", "secret"),
            *("PassWord", "passWord", "PassPhrase", "passPhrase", "PassWd", "passWd"),
        )
    )
    + ")"
)
_OTHER_WORDS_CASED = (
    "(?:"
    + "|".join(
        _case("token", "key", "auth", "credentials", "credential", "creds", "cookie")
        + _case("sessionid")
        + ("sessionId", "SessionId", "SessionID", "sessionID", "LOGIN")
    )
    + ")"
)
_TOK = r"[A-Za-z0-9+/=_\-.~!@#%^&?]"
_TOK_NEXT = r"[A-Za-z0-9+/=_\-.~!@#%^&?*$]"
# After a name and a blank (``Using token v``): no ``=`` or ``:`` (``KEY tenant=42``
# is the next assignment, not a value).
_TOK_WORD = r"[A-Za-z0-9+/_\-.~!@#%^&?*$]"
# An application password as Google and WordPress show one, in groups of four
# (``abcd efgh ijkl mnop``): its first four groups, as the gates read it
_APP_GROUPS = r"[A-Za-z0-9]{4}(?:[ \t][A-Za-z0-9]{4}){3}"
# A passphrase's first four words when the first is short (``blue horse battery staple``;
# a longer first word passes as any value's six characters)
_SHORT_FIRST_WORDS = r"[A-Za-z]{3,5}(?: [A-Za-z]{3,12}){3}"
# (ten of them, or a numeric id, a ``:`` and six: ``using token 12345678:<secret>``)
_PROSE_TOKEN = rf"(?:{_TOK_WORD}{{10}}|[0-9]{{4,16}}:{_TOK_WORD}{{6}})"
_VAL_FIRST = r"""[^\s"'`,;)}\]<>|\\$*{(\[]"""
# (after an operator, a password may open with a ``*`` that opens no YAML alias and no
# run of masks, ``GF_ADMIN_PASSWORD=*WS7%Th``, or with a bracket it does not close in
# its first seven characters, ``DB_PASSWORD=(bRP=N!^6MuQ2``, where ``(hidden)`` is a
# label; ``_context`` rejects an alias's shape and reads an expression from its bracket)
_VAL_FIRST_SET = rf"""(?:{_VAL_FIRST}|\*[^\s*"'`,;<>|\\]|\([^\s"'`,;<>|\\()]{{6}})"""
_VAL_NEXT = r"""[^\s"'`,;)}\]<>|\\]"""
# (a closing bracket inside a password's first characters too: ``_context`` reads a
# generated password with brackets in it whole, ``or]PLX``, ``2}kiS??/``)
_VAL_NEXT_CLOSERS = r"""[^\s"'`,;<>|\\]"""
# (a Python bytes or raw literal, ``b'...'``, opens like a quote)
# (any first character but a template's or a placeholder's, ``$``, ``{{``, ``**``, ``<``;
# the other quotes and JSON escapes inside: ``"cmbt'g%Ac"``, ``"NLa\\"w7rP"``)
_QUOTED_6 = "|".join(
    rf"""(?:[bBrRuUfFL8@$]{{0,2}}\\{{0,7}}{q}(?:[^\s{q}$*{{<\\]|[*{{][^\s{q}$*{{])(?:[^{q}\n\\]|\\.){{5}})"""
    for q in ('"', "'", "`")
)
_BRACKET = r"[\[(<]"
# A token closed by its bracket on its line, blanks inside or not (``[v]``, ``( v )``):
# a bracket that is not closed there is no value (``password=[password=[...`` would
# send each name to Python, to read on to the end of the run)
_IN_BRACKET = r"""[^\s"'`,;(){}\[\]<>|\\]"""
_BRACKETED = rf"{_BRACKET}[ \t]*{_IN_BRACKET}{{6}}{_IN_BRACKET}*[ \t]*[\])>]"
# (or a bracket around a token, as logs print one: ``api_key=[v]``, ``Using token (v)``;
# before the quote a string literal's prefix: Python's ``b r u f``, C#'s ``@``, C and
# C++'s ``L``, ``u8``, ``u``, ``U``)
_QUOTE = rf"""(?:[bBrRuUfFL8@$]{{0,2}}\\{{0,7}}["'`]|{_BRACKET})?"""
# (no bracket: in the gates of upper-case names, too large for Hyperscan with one)
_QUOTE_MARK = r"""(?:[bBrRuUfFL8@$]{0,2}\\{0,7}["'`])?"""
# (``_KEY_GATE``'s, which no Hyperscan pattern holds: blanks inside the bracket too,
# ``api_key=[ v ]``)
_QUOTE_OPEN = rf"""(?:[bBrRuUfFL8@$]{{0,2}}\\{{0,7}}["'`]|{_BRACKET}[ \t]{{0,8}})?"""
# (a digit early, or 16 token characters: not a short next name of a list,
# ``"api_key", "password"``; longer names, ``"password_file"``, are identifiers to the
# value gate)
# (under a password word any six characters but a blank, ``os.Setenv("DB_PASSWORD",
# "t_fU*+^M8")``: a call's message is words, ``errors.add("password", "is too short")``)
_PASSWORD_COMMA_VALUE = _SEP_COMMA + r"""[ \t]{0,16}[bBrRuU@]{0,2}\\{0,7}["'][^"'\s\\]{6}"""
_COMMA_VALUE = (
    _SEP_COMMA
    + r"""[ \t]{0,16}[bBrRuU@]{0,2}\\{0,7}["'](?:"""
    + _TOK
    + r"{0,9}[0-9]|[A-Za-z0-9+/=_\-.~]{16})"
)
# (content, a CDATA section, ``<apiKey><![CDATA[v]]></apiKey>``, or content on the next line)
_XML_CONTENT = r"""(?:[^<\n]{6}|<!\[CDATA\[[^\]\n]{6}|\r?\n[ \t]{0,40}[^<\s]{6})"""
_XML_VALUE = rf"""(?:["']?>|{_XML_ATTRS}){_XML_CONTENT}"""
_XML_NO_ATTRIBUTES = rf"""["']?>{_XML_CONTENT}"""
# Prose between a name and its value: ``token is v``, ``set token to v``, ``token set
# to v``, ``auth header changed to v``.
_LINK = r"(?:(?:is|was|to|as)[ \t]{1,4})?"
# A log's verb, or a header's, between a name and its value, after one blank (``token
# set to v``, ``auth header changed to v``: its words spelled out, a literal Hyperscan
# finds, where a run of blanks before them cost every scan of a log 4%; its own heads
# there, ``_SET_HEADS``; in a rule's regex tried before the link words, which it may
# begin with)
_LINK_VERB = (
    r"(?:(?:header )?(?:(?:was|is|has been|successfully) )?"
    r"(?:set|changed|updated|rotated|reset|refreshed) to|header (?:is|was)|is now)[ \t]{1,4}"
)
# (a table's cell border between a name and its value: ``|  SecretAccessKey  |  v  |``)
_CELL = r"(?:\|[ \t]{1,40})?"
# A log's words between a name and a ``:`` (``auth header set: v``, ``api key loaded:
# v``); ``_context`` judges the words (not ``key id:``) and the value as prose. (Single
# blanks, as a log writes them: runs of blanks cost every scan of a log 3% more.) Whom
# a secret is for, up to three words of any kind after ``for`` (``API key for Zentrix
# Cloud: v``, ``Token for user 42: v``, ``password for root@db01:5432: v``, git's
# ``Password for 'https://bob@github.com': v``); or where it was read from, the same
# way (``loaded consumerSecret from vault: v``, ``api_key from env APP_KEY: v``).
# (Hyperscan reads only the first in the tails of its gates, which grow too large with
# the second, and both in a gate of their own, ``_SAID_FOR_VALUE``)
_SAID_WORDS = r" (?:[a-z]{2,12} )?[a-z]{2,12}:"
_SAID_FOR = r" (?:[a-z]{2,12} )?(?:for|from) (?:[^\s]{1,64} ){0,2}[^\s]{1,64}? ?:(?=\s)"
_SAID = f"(?:{_SAID_WORDS}|{_SAID_FOR})"


# A token after the id of its row (Laravel Sanctum's ``<id>|<token>``)
_ID_TOKEN = r"[0-9]{1,12}\|[A-Za-z0-9]{20}"  # noqa: S105 - a pattern


# A short word, a ``:`` and a run that shows a letter beside a digit or capitals (Hyperscan
# reads it in gates of its own, ``_HS_COLON_PAIR_GATES``)
# (not a scheme's ``://``: ``env://OPENROUTER_API_KEY`` is a reference)
# (after the ``:``, more ``:`` may follow, ``prod:v2:<key>``, ``admin::<pw>``)
_COLON_PAIR = (
    r"[A-Za-z0-9!#%&+/?@^~_.\-][A-Za-z0-9!#$%&*+/?@^~_.\-]{0,5}:"
    r"(?:/?[A-Za-z0-9!#$%&*+?@^~_.\-:][A-Za-z0-9!#$%&*+/?@^~_.\-:]*)?"
    r"(?:[A-Za-z][0-9]|[0-9][A-Za-z]|[A-Z][A-Z]|[A-Z][a-z][A-Z])"
)
# (a short prefix with a digit or two capitals, as the Hyperscan gates' *mark*, and a
# ``:`` before a generated value, ``api_key=v1:<key>``: a version, a key's id; not
# ``"key": "user:926382"``)
_SHORT_PREFIXED = (
    r"|(?=[A-Za-z]{0,4}[0-9]|[A-Za-z]{0,3}[A-Z]{2})[A-Za-z0-9]{1,5}:"
    r"(?=[A-Za-z0-9+/=_\-]{0,40}[0-9])(?=[A-Za-z0-9+/=_\-]{0,40}[A-Za-z])"
    r"[A-Za-z0-9+/=_\-]{16}"
)


def _tails(
    xml: str,
    *,
    cell: bool = True,
    id_token: bool = True,
    fallback: bool = True,
    password_verbs: bool = True,
    said: str = _SAID,
    bracket: str = _BRACKETED + "|",
    quote: str = _QUOTE_OPEN,
    app: bool = True,
) -> tuple[str, str]:
    """What follows a password word's name, and another word's, in ``_KEY_GATE``;
    ``xml``: an element's content (and attributes) after the name; ``cell``: a table
    cell's border may stand between the name and its value (not after a name with
    digits or a suffix: Hyperscan's patterns for those would be too large);
    ``password_verbs``: a log's verb between a password word and its value (``password
    set to v``; Hyperscan finds those by heads of their own, ``_SET_HEADS``); ``said``:
    a log's words between a name and a ``:``; ``bracket``: a bracketed token, as an
    alternative (ending in ``|``) to a password's value after an operator, or empty;
    ``quote``: what may open a value; ``app``: an application password may be the
    value (``abcd efgh ijkl mnop``) after an operator or, under other words, a blank."""
    app_password = f"|{_APP_GROUPS}" if app else ""
    words = f"|{_SHORT_FIRST_WORDS}" if app else ""
    prose_token = f"(?:{_PROSE_TOKEN}{app_password})"
    prose_password = f"(?:{_VAL_FIRST}{_VAL_NEXT}{{7}}{app_password})"
    border = _CELL if cell else ""
    verbs = f"| {_LINK_VERB}{quote}{prose_password}" if password_verbs else ""
    listed = f"|{_ID_TOKEN}" if id_token else ""
    # (an expression, then a literal it falls back on: ``os.getenv("K") or "v"``)
    # (the operator a word of its own, as Hyperscan's heads spell it: ``token: org:v`` is
    # no ``or``)
    falls = (
        rf"|(?:{_SEP_PLAIN}){FALLBACK_BEFORE}(?:{FALLBACK_OPERATORS_RE})(?![A-Za-z0-9_])"
        if fallback
        else ""
    )
    password = (
        f"(?:(?:{_SEP_PLAIN})[ \\t]{{0,64}}"
        f"(?:{_QUOTED_6}|{bracket}{_VAL_FIRST_SET}{_VAL_NEXT_CLOSERS}{{5}}{listed}{app_password}"
        f"{words})"
        + f"|{_PASSWORD_COMMA_VALUE}|{xml}"
        + f"|`?[ \\t]{{1,40}}{border}{_LINK}{quote}{prose_password}"
        + f"|{said}[ \\t]{{0,4}}{quote}{prose_password}{falls}{verbs})"
    )
    other = (
        f"(?:(?:{_SEP_PLAIN})[ \\t]{{0,64}}{quote}"
        f"(?:{_TOK}{_TOK_NEXT}{{5}}(?:{_TOK_NEXT}|:){{4}}{_SHORT_PREFIXED}{listed}"
        f"{app_password})"
        + f"|{_COMMA_VALUE}|{xml}|`?[ \\t]{{1,40}}{border}{_LINK}{quote}{prose_token}"
        + f"|{said}[ \\t]{{0,4}}{quote}{prose_token}{falls}| {_LINK_VERB}{quote}{prose_token})"
    )
    return password, other


_PASSWORD_TAIL, _OTHER_TAIL = _tails(_XML_VALUE)
# (after a password word with digits or a suffix, no ``<id>|<token>``: Hyperscan's
# pattern for it would be too large)
# (nor a bracket around the value: that pattern too would be too large, and every
# engine reads the same)
_PASSWORD_TAIL_NO_CELL = _tails(
    _XML_VALUE, cell=False, id_token=False, bracket="", quote=_QUOTE_MARK, app=False
)[0]
# (nor blanks inside a bracket around the value, ``TOKEN_PROD=[ v ]``: Hyperscan's
# patterns for the names with a suffix would be too large with them)
_OTHER_TAIL_NO_CELL = _tails(_XML_VALUE, cell=False, app=False, quote=_QUOTE)[1]
_SUFFIXED = rf"(?:\d{{1,3}}(?:{_VALUE_SUFFIX})?|{_VALUE_SUFFIX}|{_ARRAY})"
# (after any secret word: six characters of a value, read in Python)
_ANY_WORD_SEP_MORE = (
    f"""(?:{_PASSWORD_WORD_RE}|{_OTHER_WORD_RE}){_SUFFIXED}?(?:{_SEP_MORE})"""
    r"""[ \t]{0,8}\\{0,7}["'`]?[^\s"'`]{6}"""
)
# (a YAML anchor before the value, ``api_key: &key v``: six characters of it, read in
# Python; a pattern of its own, as the tails above would be too large with it; one
# blank each side of the anchor, as YAML is written: blanks in a class there cost every
# scan of a JSON record naming secrets two fifths more)
_ANY_WORD_ANCHORED = (
    f"""(?:{_PASSWORD_WORD_RE}|{_OTHER_WORD_RE}){_SUFFIXED}?: &[^\\s,\\[\\]{{}}]+ """
    r"""(?:["'][^\s"'`]|[^\s"'`&*])[^\s"'`]{5}"""
)
# (a bracketed value after an upper-case password word with a suffix, ``DB_PASSWORD_PROD=
# [v]``: a pattern of its own, as the tail above would be too large for Hyperscan with it)
_UPPER_PASSWORD_BRACKETED = (
    f"{_UPPER_PASSWORD_WORDS}{_UPPER_SUFFIX}[ \\t]*(?:[:=][ \\t]*)?{_BRACKETED}"
)
# (as Hyperscan reads it: the bracket's first six characters, within a window; the
# whole form, compiled with start of match, cost every scan of a log 7%)
_HS_UPPER_PASSWORD_BRACKETED = (
    f"{_UPPER_PASSWORD_WORDS}{_UPPER_SUFFIX}[ \\t]{{0,8}}(?:[:=][ \\t]{{0,8}})?"
    f"{_BRACKET}[ \\t]{{0,8}}{_IN_BRACKET}{{6}}"
)
_KEY_GATE_FORMS = (
    f"(?:{_PASSWORD_WORD_RE}(?:{_PASSWORD_TAIL}|{_SUFFIXED}{_PASSWORD_TAIL_NO_CELL})"
    f"|{_OTHER_WORD_RE}(?:{_OTHER_TAIL}|{_SUFFIXED}{_OTHER_TAIL_NO_CELL})"
    f"|{_UPPER_PASSWORD_WORDS}{_UPPER_SUFFIX}{_PASSWORD_TAIL_NO_CELL}"
    f"|{_UPPER_PASSWORD_BRACKETED}"
    f"|{_UPPER_OTHER_WORDS}{_UPPER_SUFFIX}{_OTHER_TAIL_NO_CELL}"
    f"|{_SECRET_ID_RE}{_OTHER_TAIL_NO_CELL}"
    f"|{_ANY_WORD_SEP_MORE}|{_ANY_WORD_ANCHORED})"
)
# -- The gate as Hyperscan scans for it ----------------------------------------------
# Python engines check ``_KEY_GATE`` at each anchor; Hyperscan scans for the patterns
# below (``Rule.hs_gates``), which accept less: a value under a non-password word must
# also carry a *mark*, as ``_context.looks_generated`` requires of it (a digit or one
# of ``!#%&+/?@^~``, two upper-case letters in a row, a lower-case letter between two
# upper-case ones), so a clean record such as ``token: MissingDependencyError`` or
# ``"key": "user_cache"`` never reaches Python.
#
# The value's first *run* (``_RUN``: the characters of generated tokens) is read to the
# first character that is not in it, and the pattern ends just after that character:
# whatever else ends there (a cancellation, below) speaks of the same value. The value
# passes when the run holds a mark, or when the character after it does not end the
# value (``=``, ``:``, a blank or bracket inside quotes): the rest is Python's to judge.
# Every separator holds a character outside ``_RUN``, so a name inside another value
# ends later than that value's run: two names never share an end.
_RUN = r"[A-Za-z0-9!#$%&*+/?@^~_.\-]"
_RUN_FIRST = r"[A-Za-z0-9!#%&+/?@^~_.\-]"
_RUN_END = r"[^A-Za-z0-9!#$%&*+/?@^~_.\-]"
_MARKED = r"(?:[0-9!#%&+/?@^~]|[A-Z][A-Z]|[A-Z][a-z][A-Z])"
# After a run of six or more, a ``:`` passes (``host:8443``, ``user:pass``), read with
# what follows it. Not a scheme's (``keyring://``, ``postgres://``: ``_context`` drops a
# reference, and the URL rules read the credentials inside a URL): a run before ``://``
# passes only if it cannot be a scheme (a symbol in it, or no letter first).
_COLON = (
    rf"{_RUN}{{6}}{_RUN}*:(?:[^/]|/[^/])"
    rf"|(?:[0-9_+.\-]{_RUN}{{5}}|{_RUN}*[!#$%&*/?@^~]){_RUN}*://"
)
_NOT_RUN = r"A-Za-z0-9!#$%&*+/?@^~_.\-"


def _value_run(inside: str, *, prose: bool, app: bool) -> str:
    """A value's first run, passing; ``inside``: the characters after the run that do
    not end the value; ``app``: or an application password's first groups. (``gate``,
    checked by every engine, wants ten token characters first, a ``:`` not before the
    seventh; a ``$`` or ``*`` opens a value only after a blank.)"""
    first = _RUN if prose else _RUN_FIRST
    # (``=`` ends a value's run: another assignment, or a type's, ``: str =``)
    separated = "" if prose else rf"|{_RUN}*[ \t]{{0,4}}=|{_COLON}"
    return (
        rf"(?:(?:{_MARKED}|{first}{_RUN}*{_MARKED}){_RUN}*{_RUN_END}"
        rf"{separated}|{first}{_RUN}*{inside}" + (rf"|{_APP_GROUPS}[^A-Za-z0-9])" if app else ")")
    )


def _value(*, prose: bool = False, loose: bool = False, app: bool = True) -> str:
    """A value under a non-password word, bare or in quotes. (After a blank, ``:`` is
    read as any other character inside a value.) ``loose``: a bracketed token need not
    hold a mark, nor blanks inside its brackets, and no application password is read
    (a pattern small enough for the names with a suffix); ``app``: an application
    password is read (``abcd efgh ijkl mnop``)."""
    app = app and not loose
    inside = r"\n" if prose else r"\n=:"
    # (after an escaped quote, ``\"``, a quote alone is inside the value, and an escape
    # ends it)
    # (and blanks inside the quote, before the value: ``' v'``, as ``_context`` reads it)
    blanks = "" if prose or loose else "[ \t]*"
    quoted = (
        prefix + blanks + _value_run(f"[^{_NOT_RUN}{ends}{inside}]", prose=prose, app=app)
        for q, letters in (('"', "[bBrRuUfFL8@$]{0,2}"), ("'", "[bBrRuUfFL8]{0,2}"), ("`", ""))
        for prefix, ends in ((letters + q, q), (letters + r"\\{1,7}" + q, r"\\"))
    )
    # (a bracket around a token: ``[v]``, ``(v)``, ``<v>``; in prose sixteen token
    # characters, as ``_context`` wants there: a log's ``auth [worker-3]`` passes no gate)
    if prose:
        bracketed = _BRACKET + r"[ \t]*" + _TOK_WORD + "{16}"
    elif loose:
        # (or its padding: ``[<base64>==]``)
        bracketed = rf"{_BRACKET}{_RUN_FIRST}{_RUN}*[ \t\])>=:]"
    else:
        # (base64's padding before the bracket, ``api_key=[<base64>==]``; a prefix and a
        # ``:``, ``[v1:<key>]``, ``[base64:<key>]``)
        # (or a name and a ``:`` before them, ``[cache_key:<hex>]``)
        marked = (
            rf"(?:{_RUN}+:)?(?:{_MARKED}|{_RUN_FIRST}{_RUN}*{_MARKED}){_RUN}*(?::{_RUN}+)?={{0,2}}"
        )
        bracketed = rf"{_BRACKET}[ \t]*{marked}[ \t]*[\])>]"
    # (in a bare value, what ``_context`` reads on: brackets, and control characters)
    bare = _value_run(
        r"[({\[:\x00-\x08\x0e-\x1b\x7f]" if prose else r"[({\[\x00-\x08\x0e-\x1b\x7f]",
        prose=prose,
        app=app,
    )
    return "(?:" + "|".join((bare, *quoted, bracketed)) + ")"


# A separator that is not the end of an XML start tag (judged by ``_XML``)
_SEP_ASSIGN = rf"""\\{{0,7}}(?:["']\]?|\])?(?:[ \t]*{_OPERATOR}|\()"""
_BEFORE_VALUE = rf"(?:{_SEP_ASSIGN}[ \t]*|[ \t]{{1,40}}{_CELL}{_LINK})"
#: A character of a value's run
RUN_CHAR = _RUN
#: What ends a value's run: a character outside the run, or a ``:`` and one or two
#: characters after it, as the gates read them
RUN_TAIL = rf"(?:{_RUN_END}|:[^/]|:/[^/]|://)"
# Where a value's run ends, mark or not (a superset of where the gates below end)
_VALUE_END = rf"{_BEFORE_VALUE}{_QUOTE}{_RUN}*{RUN_TAIL}"
# An element's content: six characters, or a quoted value that its element closes right
# after, ``<`` inside it or not (``"<token>", "x"`` in JSON is no element)
_XML_AFTER_TAG = (
    r"""(?:[^<\n"'][^<\n]{5}|"[^"\n]+"<|'[^'\n]+'<|<!\[CDATA\[[^\]\n]{6}"""
    r"""|\r?\n[ \t]{0,40}[^<\s]{6})"""
)
_XML = r"""(?:>|["']>)""" + _XML_AFTER_TAG
# An element named by a secret word, with a namespace or not, and its first attribute
# (``<Password encrypted="``, ``<wsse:Password Type="``): Hyperscan reads no further,
# Python reads the attributes and the content. (A longer name, ``<apiKey type="``, is
# not read: the name before the word costs every scan of a log 7%.)
_XML_OPEN = r"<(?:[A-Za-z][\w.\-]{0,15}:)?"
_XML_ATTR_NAME = r"""[\w:.\-]{1,32}=["']"""
_XML_ATTR_START = r"[ \t]{1,4}" + _XML_ATTR_NAME
_XML_ATTR_WINDOW = 160
# The start of a value after a log's words (a superset: eight characters, or an
# application password's groups, ``Your app password for your device: <groups>``)
_SAID_START = rf"""{_QUOTE}(?:[^\s"'`,;<>]{{8}}|{_APP_GROUPS})"""
_SAID_VALUE = rf"""{_SAID_WORDS}[ \t]{{0,4}}{_SAID_START}"""
# (without the groups, after names with digits or a suffix: Hyperscan's patterns for
# those would be too large with them)
_SAID_VALUE_PLAIN = rf"""{_SAID_WORDS}[ \t]{{0,4}}{_QUOTE}[^\s"'`,;<>]{{8}}"""
# (unbounded runs, cheaper for Hyperscan than bounded ones; Python reads the bounded
# form, ``_SAID_FOR``)
_SAID_FOR_VALUE = rf""" (?:[a-z]+ )?(?:for|from) (?:[^\s]+ ){{0,2}}[^\s]+ ?:[ \t]+{_SAID_START}"""
_SAID_WINDOW = 112
_SAID_FOR_WINDOW = 208
# (quoted content is read to the quote that closes it before ``<``: up to 1,024)
_XML_WINDOW = 1100
# The longest text from a word to its value (word 11, suffix 10, separator 13 and
# blanks 128, or a blank and a link word 11, quote 4), with a margin: the value gates are
# compiled without start of match (which would cost a second to compile), and read back
# over the value's run and this far (``Rule.gate_window``).
_RUN_WINDOW = -192
# (the comma form: a line break and an indent of 40 between name and value; a type)
_RUN_WINDOW_WIDE = -240
_ANY_WORD_RE = f"(?:{_PASSWORD_WORD_RE}|{_OTHER_WORD_RE})"
# -- Heads -------------------------------------------------------------------------------
# Hyperscan finds a pattern by a literal in it, then runs the rest from each place the
# literal occurs: a literal of the word alone (``key``) starts that work at every
# secret word of a text (a JSON record naming a dozen secrets pays it a dozen times per
# pattern), a literal of the word and what follows it (``key=``, ``key"``) only where a
# value may follow. Hyperscan extends a literal over fixed characters only, not over a
# class or an alternative, so each form is written once per character that can follow
# the word (its *head*), each a pattern of its own. Names with digits or a value suffix
# after the word (``key2``, ``token_value``), rare in text, have a pattern per digit
# (and one for the suffix) of all forms, as ``_KEY_GATE`` reads them.
_BLANKS = r"[ \t]*"


def _assign_heads(operator: str, *, tag: bool = False) -> tuple[tuple[str, str], ...]:
    """``_SEP_ASSIGN``, with ``operator`` for its operators (and ``>`` ending an XML
    start tag when ``tag``), as (head, rest) pairs."""
    after_quote = rf"(?:{_BLANKS}{operator}|\()"
    unquoted = (
        (" ", rf"{_BLANKS}{operator}"),
        (r"\t", rf"{_BLANKS}{operator}"),
        (":", r"(?::{0,2}=)?"),
        ("=", "(?:>|={1,2})?"),
        ("-", ">"),
        (r"\?", r"\??="),
        (r"\|", r"\|="),
        ("<", "-"),
        (r"\(", ""),
        ("!", "={1,2}"),
        *(((">", ""),) if tag else ()),
    )
    return (
        (r"\\", rf"""\\{{0,6}}(?:["']\]?|\])?{after_quote}"""),
        ("'", rf"\]?{after_quote}"),
        (r"\]", after_quote),
        *unquoted,
        # (after a double quote, each of those a head of its own: JSON writes ``"key":``
        # for every field, and the quote alone would start this work at each of them)
        (r"\x22\]", after_quote),
        *((r"\x22" + head, rest) for head, rest in unquoted),
    )


_ASSIGN_HEADS = _assign_heads(_OPERATOR)
# (under a password word also ``>`` and a type)
_PASSWORD_HEADS = tuple(
    (head, rf"(?:{rest}|{_TYPED[1:]})" if head == ":" else rest)
    for head, rest in _assign_heads(_PASSWORD_OPERATOR, tag=True)
)
# (blanks, then a link word: ``token is v``)
# (any run of blanks: Python reads up to 40, in a table's row, and Hyperscan scans an
# unbounded run at no cost where a bounded one of 40 cost every scan of a log 3%; and a
# cell's border between them, as the AWS CLI's and Markdown's tables draw it)
# (a name in Markdown's backticks too: ``Set `SHOPIFY_API_KEY` to `v` ``)
_BLANK_HEADS = tuple((head, rf"[ \t]*(?:\|[ \t]*)?{_LINK}") for head in (" ", r"\t", "` ", r"`\t"))
_SET_HEADS = ((" ", _LINK_VERB),)
# (``"api_token", "v"``: unbounded blanks here cost Hyperscan less than bounded ones,
# and Python reads the bounded form)
_COMMA_REST = (
    r""",(?:\r?\n[ \t]*)?[ \t]*[bBrRuU@]{0,2}\\{0,7}["'](?:"""
    + _TOK
    + r"{0,9}[0-9]|[A-Za-z0-9+/=_\-.~]{16})"
)
_COMMA_HEADS = (
    (r"\\", r"""\\{0,6}["']""" + _COMMA_REST),
    (r"\x22", _COMMA_REST),
    ("'", _COMMA_REST),
)
_PASSWORD_COMMA_REST = r""",(?:\r?\n[ \t]*)?[ \t]*[bBrRuU@]{0,2}\\{0,7}["'][^"'\s\\]{6}"""  # noqa: S105 - a pattern
_PASSWORD_COMMA_HEADS = (
    (r"\\", r"""\\{0,6}["']""" + _PASSWORD_COMMA_REST),
    (r"\x22", _PASSWORD_COMMA_REST),
    ("'", _PASSWORD_COMMA_REST),
)
_XML_HEADS = tuple((head, _XML_AFTER_TAG) for head in (">", r"\x22>", "'>"))
# (``_KEY_GATE``'s tails, an element's attributes read to the first only, a superset
# that compiles in a tenth of the time; under other words the value gates above)
_LOOSE_PASSWORD_TAIL = _tails(
    f"(?:{_XML_ATTR_START}|{_XML})",
    cell=False,
    id_token=False,
    fallback=False,
    password_verbs=False,
    said=_SAID_WORDS,
    bracket="",
    quote=_QUOTE_MARK,
    app=False,
)[0]
_LOOSE_OTHER_TAIL = (
    f"(?:{_SEP_ASSIGN}{_BLANKS}{_value(loose=True)}|[ \t]{{1,40}}{_LINK}{_QUOTE}{_PROSE_TOKEN}"
    f"|{_COMMA_VALUE}|{_XML_ATTR_START}|{_XML}|{_SAID_VALUE_PLAIN})"
)


def _named(name_end: str) -> str:
    """A gate for a name whose word ``name_end`` follows (digits, a value suffix), as
    ``_KEY_GATE`` reads it."""
    return (
        f"(?:{_PASSWORD_WORD_RE}{name_end}{_LOOSE_PASSWORD_TAIL}"
        f"|{_OTHER_WORD_RE}{name_end}{_LOOSE_OTHER_TAIL})"
    )


_Gates = tuple[tuple[str, int], ...]


def _headed(words: str, heads: Sequence[tuple[str, str]], tail: str, window: int) -> _Gates:
    return tuple((f"{words}{head}{rest}{tail}", window) for head, rest in heads)


def _owner_variants(words: frozenset[str]) -> list[str]:
    """``words`` as ``_context`` reads a segment: each in lower, upper and capitalized
    case (``metaData`` is ``meta`` then ``data``), none with a digit (``S3`` is ``s``
    then ``3``)."""
    return [v for w in sorted(words) if w.isalpha() for v in _case(w)]


def _owned(owners: frozenset[str], words: str) -> str:
    """A name the rule rejects (an owner, then the word it owns) and any separator that
    may stand before a value."""
    owned = "|".join(_owner_variants(owners))
    return rf"[^A-Za-z0-9](?:{owned})[_.\-]{words}{_BEFORE_VALUE}{_QUOTE}"


_PUBLIC = frozenset({"public", "publishable"})
# What may close a quoted column's name in SQL (```value```, ``[Value]``, ``"value"``)
_SQL_CLOSERS = ("", "`", "]", '"')
# (from a value set to the ``WHERE`` that names its row: on the same line or up to four
# lines on; lazy in Python, where a greedy run read each anchor's gate to the text's
# end, and unbounded in Hyperscan, where a bounded one took a minute to compile. There
# what follows the value opens with blanks and then ``WHERE``, another column's ``,`` or
# a comment's ``--``, as the rule reads it: read on over any text, every XML attribute
# ``value="v"`` of a text was read on for five lines.)
_SQL_ON = r"""[^;\n]{0,400}?(?:\n[^;\n]{0,400}?){0,4}?\s(?i:where)\s"""
_HS_SQL_ON = r"""\s{0,40}(?:[,\-][^;\n]*(?:\n[^;\n]*){0,4})?\s(?i:where)\s"""
# Words in a class's name that make what it is built from no secret: an id, a hash, an
# address, a public key, plain data
_NOT_SDK_CLASS = "|".join(
    (
        *("Id", "ID", "Ids", "Guid", "GUID", "Uuid", "UUID", "Ulid", "Oid", "Hash", "Digest"),
        *("Checksum", "Address", "Public", "Buffer", "Date", "Time", "Url", "URL", "Uri"),
        *("URI", "Path", "File", "String", "Text", "Number", "Decimal", "Big", "Int"),
        *("Regex", "RegExp", "Pattern", "Color", "Colour", "Version", "Error", "Exception"),
        *("Locale", "Name", "Label", "Message", "Event", "Type", "Enum", "Base64", "Hex"),
        *("Bytes", "Array", "Blob", "Image", "Icon", "Font", "Style", "Mime", "Format"),
        # (a chain's or a repository's data: a key pair's public half, a hash, a number)
        *("Pubkey", "Keypair", "Mint", "Account", "Contract", "Transaction", "Tx", "BN"),
        *("Sha", "SHA", "Md5", "MD5", "Commit", "Revision", "Signature", "Merkle", "Root"),
        *("Integrity", "Certificate", "Cert", "Nonce", "Salt", "IV", "Script", "Symbol"),
        # (a record, a test's data)
        *("User", "Tenant", "Order", "Channel", "Identifier", "Principal", "Mock", "Test"),
        *("Fixture", "Stub", "Fake", "Dummy", "Sample"),
        # (a record's or a run's id: ``Span("<hex>")``, ``Sku("PRD-...")``)
        *("Span", "Trace", "Sku", "Document", "Doc", "Job", "Run", "Task", "Item"),
        *("Product", "Ticket", "Invoice", "Build", "Step", "Record", "Entity", "Node"),
    )
)
# What a class is built from that is no key whatever the class: a UUID, a hex number or
# hash (``0x...``, 40 or 64 hex digits), digits, a file's name, a subresource's
# integrity (``sha384-...``)
_NOT_SDK_VALUE = (
    r"""(?![^"'`]{0,4096}[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-)(?!0x)(?![0-9]+["'`])"""
    r"""(?!(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})["'`])(?![^"'`]{1,4096}\.[a-z]{2,4}["'`])"""
    r"""(?!sha(?:256|384|512)-)"""
)
# (not names made up, ``fake_token``, ``example_key``: rare in a log, and left to
# ``_context``)
_KEY_NAME_NOT = (
    _owned(_NOT_KEY_OWNERS, "(?i:key)"),
    _owned(_NOT_TOKEN_OWNERS, "(?i:token)"),
    _owned(_PUBLIC, "(?i:token|auth|credentials|credential|creds|cookie|sessionid)"),
)
_LETTERS_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _class(chars: str) -> str:
    """A character class of ``chars`` (letters and digits), in ranges."""
    codes = sorted(set(map(ord, chars)))
    parts: list[str] = []
    while codes:
        run = 1
        while run < len(codes) and codes[run] == codes[0] + run:
            run += 1
        first, last = chr(codes[0]), chr(codes[run - 1])
        parts.append(first if run == 1 else f"{first}{last}" if run == 2 else f"{first}-{last}")
        codes = codes[run:]
    return "[" + "".join(parts) + "]"


_Trie = dict[str, "_Trie"]


def _not_owned(owners: frozenset[str]) -> str:
    """What a gate reads before a secret word so that it never matches where
    ``_owned`` would (``[^A-Za-z0-9]<owner>[_.-]``): a character that is not a
    separator, or a separator after text that does not end with an owner after a
    character that is not a letter or digit. Hyperscan has no lookbehind: this is its
    complement, written out over the owners read backwards."""
    trie: _Trie = {}
    for owner in _owner_variants(owners):
        node = trie
        for char in reversed(owner):
            node = node.setdefault(char, {})
        node[""] = {}

    def before(node: _Trie) -> str:
        letters = sorted(c for c in node if c)
        if "" in node:  # a whole owner: only a letter or digit before it keeps the name
            first = _class("".join(c for c in _LETTERS_DIGITS if c not in letters))
        else:
            first = f"[^{''.join(letters)}]"
        return "(?:" + "|".join((first, *(before(node[c]) + c for c in letters))) + ")"

    return rf"(?:[^_.\-]|{before(trie)}[_.\-])"


# The assignment gates are written not to match under a name the rule rejects: each
# word after what is not such a name (``_not_owned``), so ``cache_key=<hex>`` or
# ``public_key=<base64>`` matches no pattern at all. (A pattern of the rejected name,
# ending where the gate match does, cost a log record two match reports, and every scan
# a sixth of its time in its long lists of words.) Not after a quote (``"cache_key":
# v``): there every name of a JSON record would pay for the complement, which Hyperscan
# reads at each of them, more than the few rejected names cost Python, which reads the
# name back from the gate match (``name_not``). ``key``'s owners alone are a pattern
# near Hyperscan's limit on length.
_OWNED_WORDS = (
    f"{_not_owned(_NOT_KEY_OWNERS | _PUBLIC)}(?i:key)",
    f"(?:{_not_owned(_NOT_TOKEN_OWNERS | _PUBLIC)}(?i:token)"
    f"|{_not_owned(_PUBLIC)}(?i:auth|credentials|credential|creds|cookie|sessionid)|LOGIN)",
)
_PASSWORD_VALUE = (
    rf"{_BLANKS}(?:{_QUOTED_6}|{_BRACKETED}|{_VAL_FIRST_SET}{_VAL_NEXT_CLOSERS}{{5}}|{_ID_TOKEN}"
    rf"|{_APP_GROUPS}|{_SHORT_FIRST_WORDS})"
)
_AFTER_QUOTE = tuple(h for h in _ASSIGN_HEADS if h[0].startswith(("\\\\", "'", r"\x22")))
#: the gates of the assignment form, first (their matches are the ones cancelled below),
#: those after a quote first (their matches are the ones whose name is read back)
_HS_ASSIGN_GATES = (
    *_headed(_OTHER_WORD_RE, _AFTER_QUOTE, _BLANKS + _value(), _RUN_WINDOW),
    *(
        gate
        for head in _ASSIGN_HEADS
        if head not in _AFTER_QUOTE
        for words in _OWNED_WORDS
        for gate in _headed(words, (head,), _BLANKS + _value(), _RUN_WINDOW)
    ),
)
# (each written out: Hyperscan finds them as literals, where ``or`` alone, then a
# class, would start work at every ``or`` of a log)
_FALLBACK_HEADS = "|".join(
    re.escape(f"{op}{blank}{prefix}{quote}")
    for op in FALLBACK_OPERATORS
    for blank in (" ", "")
    for prefix in ("", "f", "r")
    for quote in ('"', "'", "`")
)
# (after ``=``, `` = `` and ``'`` only: after ``"``, where JSON names every field, a
# pattern of its own would cost each JSON record that names secrets a tenth more; and not
# under ``key``, the word logs name most, ``cache_key=<v>``: one more pattern to start at
# each of them cost such a record a tenth more)
_HS_COLON_PAIR_GATES = _headed(
    "(?:(?i:token|auth|credentials|credential|creds|cookie|sessionid)|LOGIN)",
    # (``name = v`` with one blank each side only: other blanks, a class in the
    # pattern, made Hyperscan start it at every ``": "`` of a JSON record; not after
    # ``:``, where it started at every ``:`` of a log record, ``token: <exception>``)
    (*(h for h in _ASSIGN_HEADS if h[0] in ("=", "'")), (" = ", "")),
    _BLANKS + _QUOTE + _COLON_PAIR,
    _RUN_WINDOW,
)
# (every engine reads those forms, as Hyperscan does)
_KEY_GATE = "(?:" + "|".join((_KEY_GATE_FORMS, *(g for g, _ in _HS_COLON_PAIR_GATES))) + ")"
# (``Rule.gate_value_checks``: eight characters into a value in prose)
_HS_PROSE_PASSWORD_GATES = _headed(
    _PASSWORD_WORD_RE,
    _BLANK_HEADS,
    f"{_QUOTE_OPEN}(?:{_VAL_FIRST}{_VAL_NEXT}{{7}}|{_APP_GROUPS})",
    _RUN_WINDOW_WIDE,
)
# (``Rule.gate_value_checks``: six characters into a value, or its bracketed token)
_HS_PASSWORD_GATES = _headed(_PASSWORD_WORD_RE, _PASSWORD_HEADS, _PASSWORD_VALUE, _RUN_WINDOW_WIDE)
_HS_KEY_GATES = (
    *_HS_ASSIGN_GATES,
    *_HS_COLON_PAIR_GATES,
    (_ANY_WORD_SEP_MORE, 320),
    (_ANY_WORD_ANCHORED, 320),
    *_headed(_OTHER_WORD_RE, _BLANK_HEADS, _value(prose=True), _RUN_WINDOW_WIDE),
    *_headed(_OTHER_WORDS_CASED, _SET_HEADS, _value(prose=True), _RUN_WINDOW_WIDE),
    *_headed(_OTHER_WORD_RE, _COMMA_HEADS, "", _RUN_WINDOW_WIDE),
    *_HS_PASSWORD_GATES,
    *_HS_PROSE_PASSWORD_GATES,
    *_headed(
        _PASSWORD_WORDS_CASED,
        _SET_HEADS,
        # (blanks inside a bracket too: ``password set to [ v ]``)
        f"{_QUOTE_OPEN}(?:{_VAL_FIRST}{_VAL_NEXT}{{7}}|{_APP_GROUPS})",
        _RUN_WINDOW_WIDE,
    ),
    *_headed(_PASSWORD_WORD_RE, _PASSWORD_COMMA_HEADS, "", _RUN_WINDOW_WIDE),
    *_headed(_ANY_WORD_RE, _XML_HEADS, "", _XML_WINDOW),
    *_headed(
        # (a compound name too, ``<apiKey encrypted="false">``)
        rf"{_XML_OPEN}(?:[A-Za-z][\w.\-]{{0,24}})?{_ANY_WORD_RE}",
        ((" ", r"[ \t]{0,3}"), (r"\t", r"[ \t]{0,3}")),
        _XML_ATTR_NAME,
        _XML_ATTR_WINDOW,
    ),
    # (one pattern for both: a second one for whom a secret is for cost every scan 5%)
    (f"{_ANY_WORD_RE}(?:{_SAID_VALUE}|{_SAID_FOR_VALUE})", _SAID_FOR_WINDOW),
    # (read back over a value's run, however long, and an element's quoted content)
    *((_named(f"{digit}[0-9]{{0,2}}(?:{_VALUE_SUFFIX})?"), -_XML_WINDOW) for digit in "0123456789"),
    (_named(_VALUE_SUFFIX), -_XML_WINDOW),
    (_named(_ARRAY), -_XML_WINDOW),
    # (a pattern per kind of word: one for both is too large for Hyperscan)
    (f"{_UPPER_PASSWORD_WORDS}{_UPPER_SUFFIX}{_LOOSE_PASSWORD_TAIL}", -_XML_WINDOW),
    (f"{_UPPER_OTHER_WORDS}{_UPPER_SUFFIX}{_LOOSE_OTHER_TAIL}", -_XML_WINDOW),
    (_HS_UPPER_PASSWORD_BRACKETED, 96),
    (f"{_SECRET_ID_RE}{_LOOSE_OTHER_TAIL}", -_XML_WINDOW),
    # (a log's verb between such a name and its value, ``TOKEN_PROD set to v``,
    # ``db_password2 was set to v``: patterns of their own, as the tails above with it
    # are too large)
    (
        f"(?:{_PASSWORD_WORD_RE}{_SUFFIXED}|{_UPPER_PASSWORD_WORDS}{_UPPER_SUFFIX})"
        f" {_LINK_VERB}{_QUOTE_OPEN}{_VAL_FIRST}{_VAL_NEXT}{{7}}",
        _RUN_WINDOW_WIDE,
    ),
    (
        f"(?:{_OTHER_WORD_RE}{_SUFFIXED}|{_UPPER_OTHER_WORDS}{_UPPER_SUFFIX}|{_SECRET_ID_RE})"
        f" {_LINK_VERB}{_QUOTE_OPEN}{_PROSE_TOKEN}",
        _RUN_WINDOW_WIDE,
    ),
    # (a literal an expression falls back on, ``apiKey = args.token || "v"``: read from
    # the name before it, as ``_context`` reads it)
    # (the name may be two lines up: ``API_KEY = (``, ``os.getenv("K")``, ``or "v"``)
    (f"""(?:{_FALLBACK_HEADS})[^\\s"'`]{{4}}""", 520),
)
# Where a gate of the assignment form matches a value whose run (read without ``&``: a
# URL query's value ends there) holds a placeholder (``sk-or-v1-your-key-here``,
# ``YOUR_API_KEY``, ``REDACTED``), one of these ends at the same place: Hyperscan drops
# that gate match before any Python work. They are a subset of ``_context``'s
# placeholders, so they never drop a value the rule would mask (bounded repeats cost
# these patterns most).
_RUN_NO_AMP = r"[A-Za-z0-9!#$%*+/?@^~_.\-]"
_PLACEHOLDER_WORD = "(?i:" + "|".join(PLACEHOLDER_WORDS) + ")"
# (only at the start of a run or after a character that is not a letter, and not
# followed by one or a digit: ``other_token`` and ``MyPassword12`` hold none, as
# ``_context`` reads them)
_PLACEHOLDER_YOUR = (
    rf"(?:{_RUN_NO_AMP}*[0-9!#$%*+/?@^~_.\-])?"
    r"(?i:your[_\-]?(?:api[_\-])?(?:key|token|secret|pass|password|here))"
)


# a placeholder in the run (honoured only for a short run: the head ``_context`` judges
# must hold it), after the common separators: ``=`` and ``:`` (logs, environments,
# YAML), a blank, and a quote and a colon (JSON, Python's dicts: ``{"token":
# "REDACTED"}``; the quote alone, with its brackets and operators, costs a JSON record
# that names a dozen secrets a tenth more)
_PLACEHOLDER_RUN = (
    # (the run opening as a gate's can: ``***MASKED***`` opens none)
    rf"(?:(?:[A-Za-z0-9!#%+/?@^~_.\-]{_RUN_NO_AMP}*)?{_PLACEHOLDER_WORD}{_RUN}*{_RUN_END}"
    + rf"|{_PLACEHOLDER_YOUR}(?:[!#$%&*+/?@^~_.\-]{_RUN}*)?{_RUN_END}"
    + rf"|{_RUN_NO_AMP}*(?i:[_\-]here)(?:[!#$%&*+/?@^~.\-]{_RUN}*)?{_RUN_END})"
)
# An upper-case identifier as the value (``key=LOG_LEVEL``), under 20 characters
# (``_context`` wants 20 random capitals): bare, and not before ``=``, ``:`` or a
# bracket, where a bare value goes on, or whole in its quotes (a quoted value goes on
# past a blank). After ``=`` and ``:`` only, as logs write them: within the
# placeholders' pattern, or after ``":``, it cost a JSON record naming a dozen secrets
# a fifth more.
_UPPER_IDENT_RUN = (
    r"""(?:[A-Z][A-Z_]{1,18}[^A-Za-z0-9!#$%&*+/?@^~_.\-=:({\[\x00-\x08\x0e-\x1b\x7f"'`]"""
    r"""|"[A-Z][A-Z_]{1,18}"|'[A-Z][A-Z_]{1,18}')"""
)
_KEY_GATE_NOT_SHORT = (
    *(
        f"{_OTHER_WORD_RE}{head}{rest}{_BLANKS}{_QUOTE}{_PLACEHOLDER_RUN}"
        for head, rest in (
            *(pair for pair in _ASSIGN_HEADS if pair[0] in (":", "=", " ", r"\x22:")),
            ("':", r"(?::{0,2}=)?"),
        )
    ),
    *(
        f"{_OTHER_WORD_RE}{head}{rest}{_BLANKS}{_UPPER_IDENT_RUN}"
        for head, rest in _ASSIGN_HEADS
        if head in (":", "=")
    ),
)
#: The longest run a placeholder cancels a gate match in (``_context`` judges a value's
#: first 160 characters).
SHORT_RUN = 150
# A name and its value as two fields. The field of the name: ``name`` (Kubernetes, ECS),
# ``key`` (``<add key="ApiKey" value="v"/>`` in .NET configs, ``{"key": .., "value":
# ..}``), ``Key``/``ParameterKey`` (AWS tags, CloudFormation parameters); a quote, ``=``
# or a list item marks the short words, which are everywhere in text otherwise. (A
# lower-case ``key=`` only as a word of its own, ``{key=DB_PASSWORD, value=v}``,
# ``key="ApiKey"``: one that ends a longer name ends every ``cache_key=<v>`` of a log,
# and reading on from each cost Hyperscan more than the rest of such a line.)
_PAIR_ANCHORS = (
    "name", '"Name', "'Name", "Name=", '"key', "'key", "key=", 'Key"', "Key'", "Key=",
    "- key:", "- Key:", "ParameterKey:",
)  # fmt: skip
_PAIR_NAME = (
    r"""(?:name|["']Name|Name=|["']key|(?<![\w.\-])key=|Key["'=]|- [Kk]ey:|ParameterKey:)"""
)
# A name field's value that can name a secret (it holds a secret word: a superset of
# what ``_context.is_secret_identifier`` accepts), so a clean pair never reaches Python
# (not every short upper-case word: with ``PW`` and ``PSK`` too, Hyperscan's engines for
# the pair gates cost a record with a ``valueFrom`` field three times more)
_PAIR_SECRET_WORD = r"(?:(?i:pass|pwd|secret|token|key|auth|cred|cookie|sessionid)|PAT|SAS|PIN)"  # noqa: S105
_PAIR_SECRET_NAME = rf"[\w./:\-]{{0,112}}{_PAIR_SECRET_WORD}[\w./:\-]{{0,24}}"
_NAMED_GATE = (
    rf"""{_PAIR_NAME}["']?[ \t]{{0,8}}[:=]?[ \t]{{0,8}}["']?{_PAIR_SECRET_NAME}"""
    + PAIR_BETWEEN
    + PAIR_VALUE
)
# JSON fields stand between the two only in JSON, where the name field's name is quoted
# and its value closes with a quote (``"name": "API_KEY", "slotSetting": false,``): the
# group ``j`` marks a name field's name after (or opening with) a quote, ``"ParameterKey``
# too (read from its ``Key``).
_NAMED_BETWEEN = (
    r"""(?:(?(j)"[ \t]{0,8},[ \t]{0,8}(?:\r?\n[ \t]{0,40})?"""
    + PAIR_FIELD
    + r"""{1,2}|(?!))|["']?[ \t]{0,8}(?:,[ \t]{0,8}(?:\r?\n[ \t]{0,40})?|\r?\n[ \t]{0,40}|"""
    + PAIR_ATTRIBUTES
    + r"""))["']?"""
)
# Hyperscan's gates: a superset of the rule in two patterns, a value field after a
# comma, a line break, blanks or attributes; and after JSON fields. Their repeats are
# unbounded (but for line breaks: a text is split for its cores where no match can span
# more than a few lines) and the value field's name is a capital or small ``v`` and four
# letters: bounded repeats, or a literal ``value`` at the end (which Hyperscan then
# starts from, running what comes before it from every ``name`` and ``"key``), made a
# record with one such field cost several times more, whether or not a secret word
# followed. The two patterns open differently: two that open alike Hyperscan merges
# into one engine, which cost more than both. (It has no lookbehind: the character
# before ``key=`` is read.)
_HS_PAIR_SECRET_NAME = rf"""["']?[ \t]*[:=]?[ \t]*["']?[\w./:\-]*{_PAIR_SECRET_WORD}[\w./:\-]*"""
# (and the value's first characters: an empty value, ``"value": ""``, is no secret, nor
# one that opens with a mask's ``***``, ``"Value": "***MASKED***"``)
_HS_PAIR_VALUE = (
    r"""["']?(?:android:)?(?:[Pp]arameter)?[Vv][a-z]{4}["']?[ \t]*[:=][ \t]*"""
    r"""(?:"\*{0,2}[^"\n*]|'\*{0,2}[^'\n*]|\*{0,2}[^\s"',})\]*])"""
)
_HS_NAMED_GATES = (
    _PAIR_NAME.replace("(?<![\\w.\\-])key=", "[^\\w.\\-]key=", 1)
    + _HS_PAIR_SECRET_NAME
    + r"""["']?(?:[ \t]*(?:,[ \t]*(?:\r?\n[ \t]*)?|\r?\n[ \t]*|[ \t]+)"""
    + r"""|[ \t]+[\w:.\-]+=["'][^<>\n]*[ \t])"""
    + _HS_PAIR_VALUE,
    r"""["'](?:name|Name|key|Key|ParameterKey)"""
    + _HS_PAIR_SECRET_NAME
    + r""""[ \t]*,[ \t]*(?:\r?\n[ \t]*)?"""
    + r"""(?:"[\w\-]+"[ \t]*:[ \t]*(?:"[^"\n]*"|[\w.\-]+)[ \t]*,[ \t]*(?:\r?\n[ \t]*)?){1,2}"""
    + _HS_PAIR_VALUE,
)
# (a quoted value is read to its closing quote, a bare one to a blank or delimiter,
# ``)`` too: ``Tag(key=api_key, value=v)``)
_PAIR_FIELD_VALUE = (
    r"""[ \t]{0,8}(?:(?P<q>["'])(?P<s>(?:(?!(?P=q))[^\n\\]|\\.){1,4096})(?P=q)"""
    r"""|(?P<u>[^\s"',})\]]{1,4096}))"""
)
# A number (a sign or a point, or under eight digits: not a run of digits a password or a
# token may be), up to 160 characters (a longer value is judged by its head)
_PLAIN_NUMBER = r"[+\-]?[0-9]{1,7}|[+\-]?[0-9]{1,150}\.[0-9]{1,150}|[+\-][0-9]{1,150}"
# (or in quotes a variable's template, ``"${DB_PASSWORD}"``: a bare value ends at ``}``)
_NO_SECRET = rf"{_PLAIN_NUMBER}|\$\{{[A-Za-z_][\w.\-]{{0,62}}\}}"
#: From a pair's value field's opening quote or first character: a value, read as
#: ``named-value`` reads one, that ``_context.value_kind`` rejects under any name (under
#: six characters, ``42``, ``true``; a number, ``0.8734``; a template, ``${API_KEY}``),
#: so no pair masks it.
PAIR_VALUE_NO_SECRET = re.compile(
    rf"""(?:"(?:[^"\n\\]{{1,5}}|{_NO_SECRET})"|'(?:[^'\n\\]{{1,5}}|{_NO_SECRET})'"""
    rf"""|(?:[^\s"',}})\]]{{1,5}}|{_PLAIN_NUMBER})(?![^\s"',}})\]]))"""
)
_NAMED_VALUE = (
    r"""(?P<j>(?<=["'])(?=[nNkK])|(?=["'][nNkK])|(?<=["']Parameter)(?=Key))?"""
    r"""(?:name|["']Name|Name(?==)|["']key|(?<![\w.\-])key(?==)|Key(?=["'=])|- [Kk]ey(?=:)"""
    r"""|ParameterKey(?=:))["']?[ \t]{0,8}[:=][ \t]{0,8}["']?(?P<n>[A-Za-z_/][\w./:\-]{0,135})"""
    + _NAMED_BETWEEN
    + PAIR_VALUE
    + _PAIR_FIELD_VALUE
)
# (a value field first, as ``named-value`` reads one second; then its name field,
# Android's namespace included)
_VALUE_FIELD = PAIR_VALUE + r"[ \t]{0,8}"
_NAME_FIELD = (
    r"""(?:android:)?(?:name|Name|key|Key|ParameterKey)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?"""
)
_VALUE_NAMED = (
    _VALUE_FIELD
    + r"""(?P<q>["'])(?P<s>(?:(?!(?P=q))[^\n\\]|\\.){1,1024})(?P=q)"""
    + PAIR_BETWEEN
    + _NAME_FIELD
    + r"""(?P<n>[A-Za-z_/][\w./:\-]{0,135})"""
)
_VALUE_NAMED_GATE = (
    _VALUE_FIELD
    + r"""["'](?:[^"'\n\\]|\\.){1,1024}["']"""
    + PAIR_BETWEEN
    + _NAME_FIELD
    + _PAIR_SECRET_NAME
)
# Hyperscan's: a superset on one line, and over up to three line breaks. Unbounded
# repeats, as in ``named-value``'s: its bounded ones cost a record with a value field
# (``{"value": "v", "ts": 3}``) about 0.6 us.
_HS_NAME_FIELD = (
    r"""(?:android:)?(?:name|Name|key|Key|ParameterKey)["']?[ \t]*[:=][ \t]*["']?"""
    + rf"[\w./:\-]*{_PAIR_SECRET_WORD}"
)
_HS_VALUE_FIELD = r"""(?:android:)?(?:[Pp]arameter)?(?:value|Value)["']?[ \t]*[:=][ \t]*["']"""
_HS_VALUE_NAMED_GATES = (
    _HS_VALUE_FIELD + r"[^\n]*" + _HS_NAME_FIELD,
    _HS_VALUE_FIELD
    + r"""[^\n]*\r?\n(?:[^\n]*\r?\n)?(?:[^\n]*\r?\n)?[ \t]*["']?"""
    + _HS_NAME_FIELD,
)
# The name in one element, the value in the next: property lists
# (``<key>ApiKey</key><string>v</string>``), .NET settings and resources (``<setting
# name="ApiKey" serializeAs="String"><value>v</value>``, ``<data name=..><value>``),
# Hadoop and Spring configs (``<property><name>fs.s3a.secret.key</name><value>v``,
# ``<property name="password"><value>v``), Java ``web.xml`` (``<param-name>``).
_NAMED_ELEMENT_HEAD = (
    r"""(?:<key>|<Key>|<name>|<param-name>|<setting name=["']|<data name=["']"""
    r"""|<property name=["']|<entry key=["'])"""
)
_NAMED_ELEMENT_CLOSE = r"""(?:</key>|</Key>|</name>|</param-name>|["'][^<>\n]{0,64}>)"""
_NAMED_ELEMENT = (
    _NAMED_ELEMENT_HEAD
    + r"""(?P<n>[A-Za-z_][\w.:\-]{0,127})"""
    + r"""(?:"""
    + _NAMED_ELEMENT_CLOSE
    # (KeePass writes attributes on its ``<Value>``: ``<Value ProtectInMemory="True">``)
    + r"""\s{0,40}<(?:string|value|param-value|Value(?:[ \t][^<>\n]{0,128})?)>"""
    # (or the element named in an attribute holds the value: Java's properties in XML,
    # ``<entry key="api.token">v</entry>``, Hibernate's ``<property name="..">v``)
    + r"""|["'][^<>\n]{0,64}>)"""
    + r"""\s{0,40}(?P<s>[^<\s][^<\n]{0,4095})(?=\s{0,40}<)"""
)
_NAMED_ELEMENT_GATE = (
    _NAMED_ELEMENT_HEAD + _PAIR_SECRET_NAME + r"""(?:</key>|</Key>|</name>|</param-name>|["'])"""
)
# Vendors' documented variables whose last word names no secret (a certificate, an id,
# a record key, a private half, ``SK``), in upper snake case, lower snake case and camel
# case: their value is the vendor's secret
_VENDOR_VARIABLES = (
    ("MJ", "APIKEY", "PRIVATE"),  # Mailjet's secret key
    ("HUAWEICLOUD", "SDK", "SK"),  # Huawei Cloud's secret access key
    ("CYPRESS", "RECORD", "KEY"),  # Cypress Cloud's record key
    ("CURRENTS", "RECORD", "KEY"),  # Currents' record key
    ("AGORA", "APP", "CERTIFICATE"),  # Agora's app certificate (it signs tokens)
    ("EBAY", "CERT", "ID"),  # eBay's client secret
)
_VENDOR_VARIABLE_NAMES = tuple(
    name
    for words in _VENDOR_VARIABLES
    for name in (
        "_".join(words),
        "_".join(words).lower(),
        words[0].lower() + "".join(w.capitalize() for w in words[1:]),
    )
)


def _cfn_between(indent: str) -> str:
    """A CloudFormation parameter's lines between two of its properties: at the indent
    of group ``indent`` or deeper (other properties, a list's items, a folded
    description's lines), comments and blank lines; a line indented less opens the next
    parameter."""
    # (the two kinds of line apart: a line read both ways would cost a try per way, two
    # to the power of the lines)
    return (
        rf"""(?:(?P={indent})(?![ \t]{{0,40}}(?:\#|\r?\n|$))[^\r\n]{{0,200}}\r?\n"""
        rf"""|[ \t]{{0,40}}(?:\#[^\r\n]{{0,200}})?\r?\n){{0,16}}?"""
    )


# The commands that store a secret read from their input, besides GitHub's
_STDIN_STORE_COMMANDS = (
    # (run by a package runner, ``npx --yes wrangler@latest``, or by its path,
    # ``./node_modules/.bin/wrangler``; global options before the subcommand, ``vercel
    # --token t env add``, ``docker --context prod secret create``)
    r"(?:(?:npx|bunx|pnpm(?:[ \t]+dlx)?|yarn(?:[ \t]+dlx)?|npm[ \t]+exec)"
    r"(?:[ \t]+--?[\w\-]{1,32})*[ \t]+)?(?:[\w.~\-]{0,64}/){0,8}"
    r"(?:vercel|wrangler|docker)(?:@[\w.\-]{1,32})?"
    r"(?:[ \t]+--?[\w\-]{1,32}(?:=[^\s|;&]{1,256}"
    r"|[ \t]+(?!env\b|secret\b|pages\b)[^\s|;&\-][^\s|;&]{0,255})?){0,4}"
    r"[ \t]+(?:env[ \t]+add|(?:pages[ \t]+)?secret[ \t]+(?:put|create))"
)
# ``sudo`` and its options before a command that reads from its input
_SUDO = r"(?:sudo(?:[ \t]+-[A-Za-z]{1,8})*[ \t]+)?"
# At a line's start or after up to eight blanks there (a doctest's indent): each width a
# lookbehind of its own, as ``re`` wants them fixed
_LINE_START_INDENTED = (
    "(?:(?<![^\\n])|"
    + "|".join(rf"(?<=[ \t]{{{k}}})(?<![^\n][ \t]{{{k}}})" for k in range(1, 9))
    + ")"
)
# What stands between Django's ``SECRET_KEY`` and its value: an assignment's ``=`` or
# ``:`` (and a list's bracket), a type's annotation, or a lookup's comma and ``default=``
_DJANGO_KEY_SEPARATOR = (
    r"""(?:[ \t]{0,8}[=:|][ \t]{0,8}\[?|[ \t]{0,8}:[ \t]{0,8}[\w\[\].]{1,24}[ \t]{0,8}=[ \t]{0,8}"""
    r"""|[ \t]{0,8},[ \t]{0,8}(?:default[ \t]{0,4}=[ \t]{0,4})?)"""
    # (a call's default, ``Field(default='<key>')``; a parenthesis opening the value's
    # lines, ``(\n    '<key>'\n)``)
    r"""(?:[\w.]{1,24}\([ \t]{0,4}(?:default[ \t]{0,4}=[ \t]{0,4})?"""
    r"""|\([ \t]{0,8}\r?\n[ \t]{0,40})?"""
    # (a string's prefix and its quotes, three of them too)
    r"""[ \t]{0,8}[rRuUfFbB]{0,2}(?:\\?["']){0,3}"""
)
_CFN_TRUE = r"""["']?NoEcho["']?:[ \t]*["']?(?:true|True|TRUE)["']?[ \t]*(?:\#[^\r\n]{0,200})?"""
# The callees that take a user and then a password (``auth`` and ``login`` only as a
# method, ``.login(``, or a keyword argument, ``auth=(``: see the rule)
_CREDENTIAL_CALLS = (
    "HTTPBasicAuth", "HTTPDigestAuth", "HTTPProxyAuth", "BasicAuth", "DigestAuth",
    "basic_auth", "basicAuth", "SetBasicAuth", "setBasicAuth", "withBasicAuth",
    "NetworkCredential", "UsernamePasswordCredentials", "UsernamePasswordCredential",
    "PasswordAuthentication", "PlainAuth", "Credentials.basic", "BASIC_AUTH",
    "set_password", "login", "auth", "AUTH",
)  # fmt: skip
_CREDENTIAL_CALL_RE = "|".join(re.escape(name) for name in _CREDENTIAL_CALLS[:-4])
# (the password third: Go's ``smtp.PlainAuth(identity, user, v, host)``, Python's
# ``keyring.set_password(service, user, v)``)
_THIRD_ARGUMENT_CALLS = "(?:PlainAuth|set_password)"
_CALL_BLANKS = r"\s{0,40}"
_CALL_OPEN = rf"{_CALL_BLANKS}\({_CALL_BLANKS}"
_CALL_NEXT = rf"{_CALL_BLANKS},{_CALL_BLANKS}"
# (a string's prefix: Python's ``b""``, ``r""``, C#'s verbatim ``@""``)
_CALL_PREFIX = "[bBrRuUfF@]{0,2}"


def _call_string(n: str, least: int, most: int, *, secret: bool = False) -> str:
    """A quoted argument (groups ``e<n>``, ``q<n>``; its content ``s`` when
    ``secret``): escaped as its opening quote is, once or more in JSON (``\"v\"``),
    with the other quotes and escapes inside it."""
    e, q = f"e{n}", f"q{n}"
    # (a doubled quote is one inside the string: C#'s ``@"a""b"``, VB, PowerShell's
    # ``'a''b'``)
    content = (
        rf"""(?:(?!(?P={e})(?P={q}))(?:[^\s\\]|\\\S)|(?P={e})(?P={q})(?P={e})(?P={q}))"""
        rf"""{{{least},{most}}}"""
    )
    # (the secret may be an application password in groups, ``login(user, "abcd efgh ijkl
    # mnop")``, as Google's and WordPress's are shown)
    return (
        rf"""{_CALL_PREFIX}(?P<{e}>\\{{0,7}})(?P<{q}>["'`])"""
        + (f"(?P<s>{content}|{_APP_GROUPS}(?:[ \t][A-Za-z0-9]{{4}}){{0,8}})" if secret else content)
        + rf"""(?P={e})(?P={q})"""
    )


# An argument that is an expression: a name, a call, a subscript, a default
# (``os.getenv("U")``, ``settings["user"]``, ``user or "admin"``, two brackets deep); no
# comma outside its brackets and quotes (each run of other characters ends where one of
# them opens).
_CALL_BRACKETED = (
    r"""\((?:[^()\n]|\([^()\n]{0,64}\)){0,128}\)|\[(?:[^\[\]\n]|\[[^\[\]\n]{0,64}\]){0,128}\]"""
)
# (atoms, each a whole run, a bracketed part or a string, blanks only between them: no
# two quantifiers read the same blanks, so a failed match is tried one way only)
_CALL_ATOM = (
    r"""(?:[^\s,"'`()\[\]\\]{1,64}(?![^\s,"'`()\[\]\\])"""
    rf"""|{_CALL_BRACKETED}|"[^"\n]{{0,128}}"|'[^'\n]{{0,128}}')"""
)
_CALL_EXPRESSION = rf"{_CALL_ATOM}(?:[ \t]{{0,4}}{_CALL_ATOM}){{0,8}}"
# (unbounded where the rule is bounded: a larger bound makes the pattern too large for
# Hyperscan, and the window holds whatever the rule accepts)
_CALL_STRING_GATE = rf"""{_CALL_PREFIX}\\{{0,7}}["'`][^\n]*["'`]"""
_CALL_EXPRESSION_GATE = r"""[^\n]+"""
_CALL_REST_GATE = (
    rf"""{_CALL_BLANKS}(?:{_CALL_STRING_GATE}|{_CALL_EXPRESSION_GATE}){_CALL_NEXT}"""
    rf"""(?:Some\({_CALL_BLANKS})?{_CALL_PREFIX}\\{{0,7}}["'`][^\s]{{4}}"""
)
# (the commands of rule ``cli-password``; their options up to the password, within
# one command: no ``|``, ``;``, ``&`` or redirection)
_CLI_PASSWORD_COMMANDS = (
    "mysql", "mariadb", "sshpass", "redis-cli", "docker", "podman", "nerdctl", "helm",
    "az login", "zip", "unzip", "7z", "rar", "unrar", "vault login", "mongo", "ldap",
    "smbclient", "lftp", "openssl", "twine", "poetry", "vsce", "ovsx", "sqlcmd", "htpasswd",
    "doctl", "codecov", "-u ", "-U ", "-u=", "-U=", "--user ", "--username ",
    *(f"-{a}{b}pass" for a in ("", "src", "dest") for b in ("store", "key")),
)  # fmt: skip
_CLI_MYSQL = "(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlsh|mariadb|mariadb-dump)(?:\\.exe)?"
#: MySQL's and MariaDB's clients as a command word, after a blank or a path (their ``-p``
#: with a blank asks for the password: what follows is the database); not a host's name,
#: ``--host mysql.internal``
MYSQL_COMMAND = re.compile(rf"(?<![^\s/]){_CLI_MYSQL}(?!\S)")
_CLI_LOGIN = r"(?:(?:docker|podman|nerdctl|az)[ \t]+login|helm[ \t]+registry[ \t]+login)"
# A command-line value: quoted, read whole as the shell reads it (``-p 'a&b c'``), or
# bare, no blank, no shell operator (``$TOKEN`` is judged a variable later), and its
# first characters as the Hyperscan gates read them
_CLI_VALUE = (
    # (not a command's output, ``-p "$(aws ecr get-login-password)"``)
    r"""(?P<q>["'])?(?P<s>(?(q)(?!\$\(|`)[^"'\r\n]{4,256}|[^\s"'|;&<>`]{4,256}))"""
    r"""(?(q)(?P=q))(?![^\s"'|;&<>`])"""
)
# (a user's option's value and the blanks after it: no ``:``, ``curl -u user:pw``)
_CLI_USER_BLANKS = r"[ \t]{1,4}"
_CLI_USER = rf"""[^\s\-"'|;&<>`:][^\s"'|;&<>`:]{{0,63}}{_CLI_USER_BLANKS}"""
_CLI_VALUE_START = r"""(?:["'][^"'\r\n]{4}|[^\s"'|;&<>`]{4})"""
# (the arguments between a command and its option, over shell line continuations)
_CLI_ARGS = r"(?:(?:[ \t]|\\\r?\n)(?:[^\n|;&<>\\]|\\\r?\n|\\[^\r\n]){0,256}?)?"
# (a path before the tool, ``/usr/bin/docker``; global options before ``login``,
# ``docker --config DIR login``)
_CLI_STDIN_LOGIN = (
    r"(?:[\w.~\-]{0,64}/){0,8}(?:(?:docker|podman|nerdctl|buildah|skopeo|oras|crane|cosign)"
    r"(?:\.exe)?"
    r"(?:[ \t]+--?[\w\-]{1,32}(?:[ \t=][^\s|;&-][^\s|;&]{0,255})?){0,3}[ \t]+login"
    r"|helm[ \t]+registry[ \t]+login|crane[ \t]+auth[ \t]+login|az[ \t]+acr[ \t]+login)"
)
_KEY_PATTERN = (
    # (``Secret ID = v`` read as one name before ``Secret`` alone with a value ``ID``)
    f"(?P<name>{_SECRET_ID_RE}|(?:{_UPPER_PASSWORD_WORDS}|{_UPPER_OTHER_WORDS}){_UPPER_SUFFIX}"
    f"|(?:{_WORD_RE}){_SUFFIX_RE})"
    + r"(?:(?P<sep>"
    + _SEP_RE
    + r")[ \t]{0,64}|(?P<said>"
    + _SAID
    + r")[ \t]{0,4}|(?P<sp>`?[ \t]{1,40}(?:\|[ \t]{1,40}|"
    + rf"{_LINK_VERB}|(?:is|was|to|as)[ \t]{{1,4}})?))"
    + r"""(?:[bBrRuUfFL8@$]{1,2}(?=\\{0,7}["']))?(?P<q>\\{0,7}["'`]|[\[(<])?"""
)

# A query parameter whose value is a credential (``_names.SECRET_QUERY_PARAMS``): found
# by its name after a delimiter (``?X-Amz-Signature=``, ``&sig=``, ``#access_token=``),
# by a distinctive name anywhere (``X-Amz-Signature=`` at the start of a query string, the
# ``Signature=`` of an AWS SigV4 ``Authorization`` header), or by a percent-escape of a
# name's character (``?api%5Fkey=``, ``?s%69g=``), which
# no encoder writes for a letter, ``_`` or ``-``; the scanner then reads the whole
# name back to its delimiter and judges it decoded (kind ``param``).
_PARAM_SPELLINGS = param_spellings(SECRET_QUERY_PARAMS + GENERATED_QUERY_PARAMS)
_PARAM_ANCHORS = (
    *(d + n + "=" for n in _PARAM_SPELLINGS for d in PARAM_DELIMITERS),
    *(d + n + "=" for n in _PARAM_SPELLINGS for d in ESCAPED_PARAM_DELIMITERS),
    *(d + n + "%3" for n in _PARAM_SPELLINGS for d in ENCODED_PARAM_DELIMITERS),
    # (a distinctive name counts wherever it stands: no delimiter in its anchor)
    *(n + "=" for n in param_spellings(DISTINCTIVE_PARAMS) if n.lower() != "signature"),
    "Signature=",
)
_NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
_ESCAPE_ANCHORS = tuple(
    dict.fromkeys(v for c in _NAME_CHARS for v in (f"%{ord(c):02X}", f"%{ord(c):02x}"))
)
# (the value ends at a delimiter; a ``.`` or ``:`` after it is punctuation:
# ``?token=<v>: ConnectError``)
_PARAM_PATTERN = (
    r"(?:[?&;#]|\\u00(?:26|3[fF]|23)|(?P<enc>%(?:3[fF]|26|23)))?"
    r"(?P<n>[A-Za-z0-9_.~%\-]{1,128}?)(?(enc)%3[dD]|=)"
    r"""(?P<s>[^&#?\s"'`<>,;)}\]|\\]{0,4095}[^&#?\s"'`<>,;)}\]|\\.:])"""
)
# ``GH_PAT=v``, ``"SAS": "v"``: the ``secret-assignment`` syntaxes under an upper-case
# name ending in a short secret word (``_names.UPPER_SECRET_WORDS``); the value must
# look generated, as under ``token`` or ``key``.
# And the plural of a secret word ending an environment variable's name
# (``OPENAI_API_KEYS=k1,k2``, ``ALLOWED_TOKENS``): in text only in upper case, where
# ``keys`` and ``tokens`` are not the words of a log (``tokens=812``, ``cache keys``).
_UPPER_PLURALS = ("KEYS", "TOKENS", "SECRETS", "PASSWORDS")
_UPPER_WORDS = (*UPPER_SECRET_WORDS, *_UPPER_PLURALS)
_UPPER_WORD_RE = "|".join(_UPPER_WORDS)
_UPPER_ANCHORS = tuple(w + f for w in _UPPER_WORDS for f in _FOLLOW + "_.")
_UPPER_PATTERN = _KEY_PATTERN.replace(
    _KEY_PATTERN[: _KEY_PATTERN.index(f"(?:{_WORD_RE})") + len(f"(?:{_WORD_RE})")],
    f"(?P<name>(?:{_UPPER_WORD_RE})",
    1,
)
# (no application password: Hyperscan's pattern for it would be too large; the words
# alone read one, ``WORDPRESS_TOKEN=abcd efgh ijkl mnop``)
_UPPER_GATE = f"(?:{_UPPER_WORD_RE}){_SUFFIX_RE}{_tails(_XML_VALUE, app=False)[1]}"


def _named_gates(
    name: str, password_name: str, *, attributes: bool = True
) -> tuple[tuple[str, int], ...]:
    """The Hyperscan gates of a rule reading ``secret-assignment``'s syntaxes after a
    name matched by ``name`` (``password_name``: those judged as a password's;
    ``attributes``: an element so named with attributes before its content)."""
    element = (
        (
            (
                rf"{_XML_OPEN}(?:[A-Za-z][\w.\-]{{0,24}})?{name}{_XML_ATTR_START}",
                _XML_ATTR_WINDOW,
            ),
        )
        if attributes
        else ()
    )
    return (
        (f"{name}{_SEP_ASSIGN}{_BLANKS}{_value(app=False)}", _RUN_WINDOW),
        (
            f"{name}(?:[ \t]{{1,40}}{_CELL}{_LINK}{_value(prose=True, app=False)}|{_COMMA_VALUE})",
            _RUN_WINDOW_WIDE,
        ),
        # (a log's verb between them: ``GH_PAT set to v``)
        (f"{name} {_LINK_VERB}{_value(prose=True, app=False)}", _RUN_WINDOW_WIDE),
        (f"{name}{_XML}", _XML_WINDOW),
        *element,
        (f"{name}{_SAID_VALUE_PLAIN}", _SAID_WINDOW),
        # (a password's name: any value, as under a password word)
        (f"{password_name}{_SEP_ASSIGN}{_PASSWORD_VALUE}", _RUN_WINDOW_WIDE),
        (
            f"{password_name}[ \t]{{1,40}}{_QUOTE}{_VAL_FIRST}{_VAL_NEXT}{{7}}",
            _RUN_WINDOW_WIDE,
        ),
    )


_HS_UPPER_GATES = _named_gates(
    f"(?:{_UPPER_WORD_RE}){_SUFFIX_RE}", f"(?:PASSWORDS|SECRETS|PW){_SUFFIX_RE}"
)

# ``passwort=v``, ``CHIAVE_API=v``, ``"clave-acceso": "v"``: the same syntaxes under a
# name holding another language's secret word (``_names.FOREIGN_SECRET_WORDS``) as any
# of its segments, judged under the whole name (``_context.is_secret_identifier``)
_FOREIGN_PHRASES_RE = "|".join(p.replace(" ", r"[_\-]?") for p in FOREIGN_SECRET_PHRASES)
_FOREIGN_WORD_RE = (
    "(?i:"
    + "|".join(sorted(FOREIGN_SECRET_WORDS, key=len, reverse=True))
    + f"|{_FOREIGN_PHRASES_RE})"
)
_FOREIGN_PASSWORD_RE = (
    "(?i:"
    + "|".join(sorted((w for w, k in FOREIGN_SECRET_WORDS.items() if k == "password"), key=len))
    + f"|{_FOREIGN_PHRASES_RE})"
)
# (the segments after the word: ``CHIAVE_API``, ``ChiaveApi``, ``jeton-acces``)
_FOREIGN_TAIL = r"[A-Za-z0-9_.\-]{0,48}"
_FOREIGN_NAME = f"{_FOREIGN_WORD_RE}{_FOREIGN_TAIL}"


def _phrase_spellings(phrase: str) -> tuple[str, ...]:
    """``mot de passe`` as names spell it: ``motdepasse``, ``mot_de_passe``,
    ``MOT-DE-PASSE``, ``motDePasse``, ``MotDePasse``."""
    words = phrase.split()
    joined = tuple(v for sep in ("", "_", "-") for v in _case(sep.join(words)))
    camel = "".join(w.capitalize() for w in words)
    return (*joined, camel, camel[:1].lower() + camel[1:])


_FOREIGN_ANCHORS = (
    *(v for w in FOREIGN_SECRET_WORDS for v in _case(w)),
    *(v for p in FOREIGN_SECRET_PHRASES for v in _phrase_spellings(p)),
)
_FOREIGN_PATTERN = _KEY_PATTERN.replace(
    _KEY_PATTERN[: _KEY_PATTERN.index(f"(?:{_WORD_RE})") + len(f"(?:{_WORD_RE}){_SUFFIX_RE}")],
    f"(?P<name>{_FOREIGN_NAME}",
    1,
)
# (an element's content after ``>``, no attributes: as Hyperscan's gates read it)
_FOREIGN_GATE = f"{_FOREIGN_NAME}{_tails(_XML_NO_ATTRIBUTES, app=False)[1]}"
# (for Hyperscan the words in two halves: past about fifty words in one alternation,
# its stream mode, a long text's, ran thirty times slower)
_FOREIGN_ALTERNATIVES = [*sorted(FOREIGN_SECRET_WORDS, key=len, reverse=True), _FOREIGN_PHRASES_RE]
_FOREIGN_WORD_HALVES = (
    _FOREIGN_ALTERNATIVES[: len(_FOREIGN_ALTERNATIVES) // 2],
    _FOREIGN_ALTERNATIVES[len(_FOREIGN_ALTERNATIVES) // 2 :],
)
# (not an element so named with attributes, ``<passwort enc="x">``: its pattern cost an
# XML element's every scan a fifth more)
_HS_FOREIGN_GATES = tuple(
    dict.fromkeys(
        gate
        for half in _FOREIGN_WORD_HALVES
        for gate in _named_gates(
            "(?i:" + "|".join(half) + f"){_FOREIGN_TAIL}",
            f"{_FOREIGN_PASSWORD_RE}{_FOREIGN_TAIL}",
            attributes=False,
        )
    )
)


# A list of secrets under a plural name (``_context.list_value_spans``): code's lists,
# sets and tuples (``API_KEYS = ["k1", "k2"]``, ``frozenset({...})``, ``List.of(...)``,
# ``[]string{...}``, over lines), JSON arrays (``"api_keys": [...]``), YAML's flow and
# block sequences (``api_keys:`` then ``- k1`` lines), a quoted string (``api_keys =
# "k1,k2"``), and a comma list (``API_KEYS_PROD=k1,k2``, ``api_keys = k1, k2``). The
# name is judged in Python (``_context.list_singular``): ``ssh_keys``,
# ``prompt_tokens``, ``keys`` alone are no lists of secrets.
_LIST_WORDS = ("keys", "tokens", "secrets", "passwords")
# (``tokens`` only in upper case: LLM usage records write ``"prompt_tokens": 12`` so
# often that reading lists after the lower-case word costs every scan of such a log a
# fifth more)
_LIST_CASED = tuple(
    w for word in _LIST_WORDS if word != "tokens" for w in (word, word.capitalize())
)
_LIST_LOWER = "(?:" + "|".join(_LIST_CASED) + ")"
# (a variant, a stage, or an index as .NET's configuration writes one, ``API_KEYS__0``)
_LIST_UPPER = (
    "(?:" + "|".join(w.upper() for w in _LIST_WORDS) + ")[0-9]{0,3}(?:__?[A-Z0-9]{1,12}){0,2}"
)
_LIST_ANCHORS = (
    *(w + f for w in _LIST_CASED for f in "\"'`=: \t]\\?,"),
    *(w + sfx for w in _LIST_CASED for sfx in ("_b64", "_hex", "_base64")),
    *(word.upper() + f for word in _LIST_WORDS for f in "\"'`=: \t]\\?,_0123456789"),
)
# (a type between the name and ``=``: ``API_KEYS: list[str] = [...]``, ``apiKeys:
# readonly string[] = [...]``, ``api_keys: [&str; 2] = [...]``)
_LIST_TYPE = r"""[A-Za-z_&\[(][\w\[\]<>&;:.|?()* ]{0,60}?="""
# (a YAML anchor or tag after the ``:``: ``api_keys: &keys``, ``!!seq``)
_LIST_TAG = r"""(?:[&!][^\s]{0,40}[ \t]{0,8})?"""
# (in the rule's regex, the tag read whole: not its last letters as an item)
_LIST_TAG_WHOLE = r"""(?:[&!][^\s]{0,40}(?=\s)[ \t]{0,8})?"""
_LIST_SEP = (
    rf"""(?:\\{{0,7}}(?:["'`]\]?|\])?(?::[ \t]{{0,4}}{_LIST_TYPE}"""
    rf"""|[ \t]{{0,8}}(?:=>|:=|\?=|=|:[ \t]{{0,8}}{_LIST_TAG}))[ \t]{{0,8}}"""
    # (a quoted name and a comma: ``getenv("API_KEYS", "k1,k2")``)
    r"""|\\{0,7}["'],[ \t]{0,4})"""
)
# (a constructor before the bracket: ``frozenset({``, ``List.of(``, ``vec![``, ``new
# String[] {``, Go's ``[]string{`` and ``map[string]string{``, Rust's ``&[``, Ruby's
# ``%w[``, Elixir's ``%{``)
_LIST_CALL = (
    r"""(?:&|@|%[wWiI]|%|~[wWsS]|<[\w<>, ]{1,40}>|\[\][\w.*]{1,40}"""
    r"""|map\[[\w.*]{1,40}\][\w.*]{1,40}"""
    r"""|(?:new[ \t]+)?[A-Za-z_][\w.!]{0,40}(?:<[^<>\n]{0,60}>)?(?:\[\])?)"""
    r"""[ \t]{0,4}(?:\([ \t]{0,4})?"""
)
_LIST_QUOTE = r"""[bBrRuUfF@]{0,2}\\{0,7}["'`]"""
# (blank and comment lines before the first item)
_LIST_LINES = r"""(?:[ \t]{0,40}(?:#[^\n]{0,200})?\r?\n){0,4}"""
_LIST_BLOCK = (
    rf"""\\{{0,7}}["']?[ \t]{{0,8}}:[ \t]{{0,8}}{_LIST_TAG}(?:#[^\n]{{0,200}})?\r?\n{_LIST_LINES}"""
)
# (a plural with a value's suffix: Vault's ``unseal_keys_b64``, ``keys_base64``)
_LIST_SUFFIX = "(?:_(?:b64|base64|hex))?"
_LIST_PATTERN = (
    rf"""(?P<name>{_LIST_LOWER}{_LIST_SUFFIX}|{_LIST_UPPER})(?:{_LIST_SEP}(?:(?:{_LIST_CALL})?"""
    rf"""(?P<open>[\[{{(])|(?P<q>(?={_LIST_QUOTE}))|(?P<bare>(?=[^\s"'`\[{{(#&!])))"""
    rf"""|{_LIST_BLOCK}(?:(?P<ind>[ \t]{{0,40}})-[ \t]{{1,8}}"""
    # (a block mapping of names to secrets, ``api_keys:`` then ``prod: k1``)
    rf"""|(?P<mind>[ \t]{{1,40}})(?=[\w.\-]{{1,64}}:[ \t]))"""
    # (a TOML table, ``[api_keys]`` then ``prod = "k1"``)
    r"""|[ \t]{0,4}\]\]?[ \t]*\r?\n(?:[ \t]*(?:#[^\n]{0,200})?\r?\n){0,4}(?P<table>)"""
    r"""(?=[\w.\-"']{1,64}[ \t]*=))"""
).replace(_LIST_TAG, _LIST_TAG_WHOLE)
# The gates: the shape of a list's start (its items are judged in Python). Every engine
# checks them, at the word.
_LIST_TOK = r"[A-Za-z0-9+/=_\-.~!@#%^&?*$]"
# (a string may hold a JSON array: ``API_KEYS='["k1", "k2"]'``)
_LIST_STRING = rf"""{_LIST_QUOTE}(?:[\[{{]["']?)?{_LIST_TOK}{{6}}"""
_LIST_DASH = r"""[ \t]{0,40}-[ \t]{1,8}[^\s]"""
_LIST_MAP_LINE = r"""[ \t]{1,40}[\w.\-]{1,64}:[ \t]{1,8}[^\s#]"""
_LIST_TABLE = (
    r"""[ \t]{0,4}\]\]?[ \t]*\r?\n(?:[ \t]*(?:#[^\n]{0,200})?\r?\n){0,4}[\w.\-"']{1,64}[ \t]*="""
)
_LIST_BARE_ITEM = r"""[^\s"'`\[{(#&!,;|]{6}"""
# Under a lower-case or capitalized word, the word, its separator and the list's
# opening are written out, so that Hyperscan finds them as one literal; rarer forms
# start at the word and a blank: a constructor (``api_keys = frozenset({``), a comment
# or tag before a block sequence, a type (``apiKeys: string[] =``), aligned blanks
# (``api_keys     = [``).
_LIST_SEPS = (
    '": ', '":', "': ", "':", '\\": ', '\\":', " = ", "=", ": ", ":", " := ", " => ",
    '" => ', "' => ", '"=>', "'=>", '", ', "', ", '",', "',", '" : ', "' : ", "= ", " =",
)  # fmt: skip
_LIST_OPEN_HEADS = "(?:" + "|".join(re.escape(s + o) for s in _LIST_SEPS for o in "[{(") + ")"
_LIST_QUOTE_HEADS = (
    "(?:" + "|".join(re.escape(s + o) for s in _LIST_SEPS for o in ('"', "'", "`", '\\"')) + ")"
)
_LIST_NAMED = _LIST_LOWER + _LIST_SUFFIX
_LIST_GATES = (
    rf"""{_LIST_UPPER}{_LIST_SEP}(?:(?:{_LIST_CALL})?[\[{{(]|{_LIST_STRING})""",
    rf"""{_LIST_UPPER}{_LIST_BLOCK}(?:{_LIST_DASH}|{_LIST_MAP_LINE})""",
    rf"""{_LIST_UPPER}{_LIST_TABLE}""",
    # (an environment variable's comma list, or its one value after a stage: its first
    # item, or an empty one)
    rf"""{_LIST_UPPER}{_LIST_SEP}[^\s"'`\[{{(#&!;|]""",
    rf"""{_LIST_NAMED}{_LIST_OPEN_HEADS}""",
    rf"""{_LIST_NAMED}{_LIST_QUOTE_HEADS}(?:[\[{{]["']?)?{_LIST_TOK}{{6}}""",
    rf"""{_LIST_LOWER}(?:=| = |: |:| := ){_LIST_BARE_ITEM}""",
    rf"""{_LIST_NAMED}["']?:\r?\n{_LIST_LINES}(?:{_LIST_DASH}|{_LIST_MAP_LINE})""",
    rf"""{_LIST_LOWER}{_LIST_TABLE}""",
    rf"""{_LIST_LOWER}(?: = | := |: | => |": |': |" => |' => ){_LIST_CALL}[\[{{(]""",
    rf"""{_LIST_LOWER}: [&!][^\s]{{0,40}}[ \t]{{0,8}}(?:[\[{{(]|(?:#[^\n]{{0,200}})?\r?\n"""
    rf"""{_LIST_LINES}{_LIST_DASH})""",
    rf"""{_LIST_LOWER}:[ \t]{{1,8}}(?:#[^\n]{{0,200}})?\r?\n{_LIST_LINES}{_LIST_DASH}""",
    rf"""{_LIST_LOWER}:[ \t]{{1,4}}{_LIST_TYPE}[ \t]{{0,8}}(?:{_LIST_CALL})?[\[{{(]""",
    rf"""{_LIST_LOWER}(?:  |\t)[ \t]{{0,62}}(?:=|:=|=>|:)[ \t]{{0,8}}"""
    rf"""(?:(?:{_LIST_CALL})?[\[{{(]|{_LIST_STRING})""",
    rf"""{_LIST_LOWER}:[ \t]{{2,62}}(?:(?:{_LIST_CALL})?[\[{{(]|{_LIST_STRING})""",
)
# (for Hyperscan, ``KEYS`` and ``TOKENS`` in upper case after an owner's last character,
# as ``_scan`` asks of every engine before the gate: a text of ``KEYS:`` alone, over and
# over, then costs no Python work)
_HS_LIST_UPPER = (
    "(?:[A-Za-z0-9][_.\\-]*(?:KEYS|TOKENS)|SECRETS|PASSWORDS)[0-9]{0,3}(?:__?[A-Z0-9]{1,12}){0,2}"
)
_HS_LIST_GATES = tuple(g.replace(_LIST_UPPER, _HS_LIST_UPPER) for g in _LIST_GATES)
# (the longest gate match: a name of 35, a separator with a type of 80 and a tag of 50,
# a constructor of 110, a block's comment and four lines before its first item, with a
# margin)
_LIST_WINDOW = 1400

# The secret words that end a field of a table's header (``csv-column``), in each case
_CSV_WORD_LIST = tuple(
    word
    for w in ("key", "token", "secret", "password", "passwd", "pwd", "credentials")
    for word in _case(w)
)
_CSV_WORDS = "(?:" + "|".join(_CSV_WORD_LIST) + ")"


RULES: tuple[Rule, ...] = (
    # --- LLM providers -------------------------------------------------------------
    # (the Hyperscan gates of the next rules read a key's first characters: the
    # placeholder ``sk-or-v1-your-key-here`` costs no Python work)
    Rule(
        "openrouter-api-key",
        ("sk-or-",),
        r"(?P<s>sk-or-v\d{1,16}-[A-Za-z0-9]{32,128})",
        hs_gates=((r"sk-or-v[0-9]{1,16}-[A-Za-z0-9]{32}", 64),),
    ),
    # Anthropic's documented shape is exact (93 characters, then ``AA``), so a malformed
    # ``sk-ant-`` string is not reported as a key (and not taken by the OpenAI rule).
    Rule(
        "anthropic-api-key",
        ("sk-ant-",),
        r"(?P<s>sk-ant-(?:api|admin|sid|oat)\d{2}-[\w\-]{93}AA)",
    ),
    Rule(
        "openai-api-key",
        ("sk-",),
        _L + r"(?P<s>sk-(?!ant-)(?:[a-z]{2,8}-)?[A-Za-z0-9_\-]{20,256})" + _R,
        hs_gates=((r"[^A-Za-z0-9_\-]sk-[A-Za-z0-9_\-]{20}", 24),),
    ),
    # Project, service-account and admin keys have a distinctive prefix: no boundary
    # needed (a key glued to the word before it is still a key).
    Rule(
        "openai-project-key",
        ("sk-proj-", "sk-svcacct-", "sk-admin-"),
        r"(?P<s>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,256})",
    ),
    Rule("groq-api-key", ("gsk_",), r"(?P<s>gsk_[A-Za-z0-9]{32,64})"),
    # X's (Twitter's) app-only bearer token: 21 ``A``s, then a percent-encoded run; a
    # percent-escape early in it tells it from a run of ``A``s in base64 (zero bytes)
    Rule(
        "twitter-bearer-token",
        ("AAAAAAAAAAAAAAAAAAAAA",),
        r"(?<![A-Za-z0-9+/])(?P<s>A{21}[A-Za-z0-9]{1,60}%[0-9A-Fa-f]{2}[A-Za-z0-9%]{20,400})",
        keep=0,
        # (to the percent-escape: a long run of ``A``s alone costs no Python work)
        gate=r"A{21}[A-Za-z0-9]{1,60}%[0-9A-Fa-f]{2}",
        gate_window=84,
    ),
    Rule("xai-api-key", ("xai-",), r"(?P<s>xai-[A-Za-z0-9]{40,100})"),
    Rule("perplexity-api-key", ("pplx-",), r"(?P<s>pplx-[A-Za-z0-9]{40,64})"),
    Rule("huggingface-token", ("hf_",), _L + r"(?P<s>hf_[A-Za-z0-9]{30,40})" + _R),
    Rule("huggingface-org-token", ("api_org_",), _L + r"(?P<s>api_org_[A-Za-z0-9]{30,40})" + _R),
    Rule(
        "mistral-cohere-api-key",
        _case("mistral", "cohere", "co_api_key"),
        r"(?i:mistral|cohere|co_api_key)[\w.\-]{0,24}?"
        + _SEP
        + r"""\\?["'`]?(?P<s>[A-Za-z0-9]{32,40})"""
        + _R,
        sep_within=80,
    ),
    # --- Clouds ------------------------------------------------------------------------
    Rule("google-api-key", ("AIza",), r"(?P<s>AIzaSy[A-Za-z0-9_\-]{33})"),
    Rule(
        "aws-access-key-id",
        ("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        r"(?<![A-Za-z0-9])(?P<s>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?![A-Za-z0-9])",
    ),
    # A key id and its secret side by side: a credentials CSV row (``id,secret``), a
    # ``id:secret`` pair, columns of a table.
    Rule(
        "aws-credentials-pair",
        ("AKIA", "ASIA"),
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}[,;:|\t ]{1,4}"
        r"(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        keep=0,
    ),
    Rule(
        "aws-secret-access-key",
        _case("secret_access_key", "secretaccesskey", "aws_secret", "secret-access-key"),
        r"(?i:secret_?access_?key|aws_secret|secret-access-key)[\w.\-]{0,16}?"
        + _SEP
        + r"""\\?["'`]?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])""",
        keep=0,
        sep_within=80,
    ),
    Rule(
        "azure-storage-key",
        ("AccountKey=", "SharedAccessKey=", "accountkey=", "sharedaccesskey="),
        r"(?i:AccountKey|SharedAccessKey)=(?P<s>[" + _B64 + r"]{20,100}={0,2})",
        keep=0,
    ),
    Rule("azure-sas-signature", ("sig=",), r"sig=(?P<s>[A-Za-z0-9%+/]{30,120}={0,2})", keep=0),
    Rule(
        "azure-ad-client-secret",
        ("Q~",),
        r"(?<![\w~.\-])(?P<s>[\w~.\-]{3}\dQ~[\w~.\-]{31,34})(?![\w~.\-])",
        back=4,
        keep=0,
    ),
    # --- Code hosting, CI, package registries -------------------------------------
    Rule(
        "github-token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        r"(?P<s>gh[pousr]_[A-Za-z0-9]{36,255})",
    ),
    Rule("github-fine-grained-pat", ("github_pat_",), r"(?P<s>github_pat_[A-Za-z0-9_]{40,255})"),
    Rule(
        "gitlab-token",
        (
            *(f"gl{p}-" for p in ("pat", "ptt", "rt", "dt", "ft", "imt", "agent", "oas")),
            *("glsoat-", "glcbt-", "glffct-", "glsa_", "glc_", "GR1348941"),
        ),
        r"(?P<s>(?:gl(?:pat|ptt|rt|dt|ft|imt|agent|oas|soat|cbt|ffct)-|glsa_|glc_|GR1348941)"
        r"[\w.\-=+/]{20,400})",
    ),
    Rule("npm-token", ("npm_",), r"(?P<s>npm_[A-Za-z0-9]{36})"),
    Rule("pypi-token", ("pypi-AgE",), r"(?P<s>pypi-AgE[\w\-]{50,400})"),
    # --- Chat, payments, SaaS --------------------------------------------------------
    Rule(
        "slack-token",
        ("xox", "xapp-"),
        r"(?<![A-Za-z0-9])(?P<s>(?:xox[abposre]-(?:\d-)?\d{6,}-[A-Za-z0-9\-]{6,200}"
        r"|xoxe\.xox[bp]-\d-[A-Za-z0-9]{40,300}|xoxe-\d-[A-Za-z0-9]{40,300}"
        r"|xapp-\d-[A-Z0-9]{6,20}-\d{6,20}-[a-z0-9]{32,128}))(?![\w#\-])",
    ),
    Rule(
        "slack-webhook",
        ("hooks.slack.com/",),
        r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9+/_\-]{20,200})",
        keep=0,
    ),
    Rule(
        "zapier-webhook",
        ("hooks.zapier.com/",),
        r"hooks\.zapier\.com/hooks/catch/(?P<s>[0-9]{4,12}/[A-Za-z0-9]{4,32})",
        keep=0,
    ),
    # Other vendors' webhook and deploy-hook URLs, whose path holds the credential: IFTTT
    # (``maker.ifttt.com/trigger/<event>/with/key/<key>``), Feishu and Lark bots
    # (``/open-apis/bot/v2/hook/<id>``), Netlify build hooks, Vercel deploy hooks, Webex
    # incoming webhooks, Airtable automations (``.../wtr<id>``); escaped slashes too
    Rule(
        "vendor-webhook",
        (
            *("maker.ifttt.com", "open.feishu.cn", "open.larksuite.com", "api.netlify.com"),
            *("api.vercel.com", "webexapis.com", "api.ciscospark.com", "hooks.airtable.com"),
        ),
        r"""(?:maker\.ifttt\.com\\?/(?:trigger\\?/[\w\-.]{1,64}\\?/(?:json\\?/)?with\\?/key|use)"""
        r"""|open\.(?:feishu\.cn|larksuite\.com)\\?/open-apis\\?/bot\\?/(?:v2\\?/)?hook"""
        r"""|api\.netlify\.com\\?/build_hooks"""
        r"""|api\.vercel\.com\\?/v1\\?/integrations\\?/deploy\\?/prj_[A-Za-z0-9]{8,40}"""
        r"""|(?:webexapis|api\.ciscospark)\.com\\?/v1\\?/webhooks\\?/incoming"""
        r"""|hooks\.airtable\.com\\?/workflows\\?/v1\\?/genericWebhook"""
        r""")"""
        # (the path's ids with the token: Airtable's ``app.../wfl.../wtr...``)
        r"""\\?/(?P<s>[A-Za-z0-9_\-=]{8,400}(?:\\?/[A-Za-z0-9_\-=]{8,400}){0,2})""",
        keep=0,
    ),
    # Self-hosted chats' incoming webhooks, on any host: Mattermost's
    # (``https://<host>/hooks/<26>``) and Rocket.Chat's (``/hooks/<17>/<token>``), read
    # from the URL's ``://`` (a file's path, ``src/hooks/<name>``, is none)
    Rule(
        "chat-webhook",
        ("/hooks/", "\\/hooks\\/"),
        r"""://[\w.\-]{1,253}(?::[0-9]{1,5})?(?:\\?/[\w.\-]{1,64}){0,3}\\?/hooks\\?/"""
        r"""(?P<s>[a-z0-9]{26}(?![A-Za-z0-9])|[A-Za-z0-9]{17}\\?/[A-Za-z0-9]{40,64}(?![A-Za-z0-9]))""",
        keep=0,
        max_len=600,
        start_at="://",
    ),
    Rule(
        "teams-webhook",
        ("webhook.office.com/",),
        r"webhook\.office\.com/webhookb2/(?P<s>[\w\-@/]{40,300})",
        keep=0,
    ),
    Rule(
        "bundler-credentials",
        ("BUNDLE_",),
        r"BUNDLE_[A-Z0-9_]{1,80}__[A-Z]{2,10}"
        + _SEP
        + r"""\\?["']?[\w.\-]{1,64}:(?P<s>[^\s"';&]{3,128})""",
        keep=0,
        kind="password",
        sep_within=140,
    ),
    Rule(
        "stripe-key",
        ("sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_", "whsec_"),
        r"(?<![A-Za-z0-9])(?P<s>(?:[sr]k_(?:live|test|prod)_|whsec_)[A-Za-z0-9]{20,255})",
    ),
    Rule("sendgrid-key", ("SG.",), _L + r"(?P<s>SG\.[\w\-]{20,24}\.[\w\-]{39,50})"),
    Rule("twilio-key", ("SK",), r"(?<![A-Za-z0-9])(?P<s>SK[0-9a-f]{32})(?![A-Za-z0-9])"),
    Rule(
        "vendor-token",
        (
            "ops_eyJ",
            "ntn_",
            "sgp_",
            "sntrys_",
            "sntryu_",
            "dapi",
            "HRKU-",
            "fo1_",
            "fm1r_",
            "fm2_",
            "hvs.",
            "hvb.",
            "sha256~",
            "sq0atp-",
            "sq0csp-",
            "EAAA",
            "pnu_",
            "rdme_",
            "ico-",
            "shpat_",
            "shpss_",
            "shpca_",
            "shppa_",
            "lin_api_",
            "dop_v1_",
            "doo_v1_",
            "dor_v1_",
            "pul-",
            "atlasv1",
            "AKCp",
            "dp.pt.",
            "PMAK-",
            "s-s4t2",
            "FLWSECK",
            "EZAK",
            "EZTK",
            "LTAI",
            "EAA",
            "A3-",
            "ya29.",
            "sl.",
            "ATATT3",
            "NRAK-",
            "NRII-",
            "dp.st.",
            "dp.ct.",
            "dp.sa.",
            "dp.scim.",
            "dp.audit.",
            "AGE-SECRET-KEY-1",
            "figd_",
            "pscale_",
            "rnd_",
            "sbp_",
            "dckr_pat_",
            "lin_oauth_",
            "CLOJARS_",
            "fio-u-",
            "shippo_",
            "sk.eyJ",
            "oauth:",
            *("phx_", "r8_", "squ_", "sqp_", "sqa_", "re_", "tfp_", "nfp_", "csk-", "sk_", "ATBB"),
        ),
        r"(?<![A-Za-z0-9])(?P<s>(?:ops_eyJ[" + _B64 + r"_\-]{60,2000}={0,2}"
        r"|ntn_\d{11}[A-Za-z0-9]{35}|sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}"
        r"|sntrys_eyJ[A-Za-z0-9+/=_\-]{60,400}|sntryu_[a-f0-9]{64}|dapi[a-f0-9]{32}(?:-\d)?|HRKU-[\w\-]{50,70}"
        r"|fo1_[\w\-]{30,50}|fm[12][ar]?_[" + _B64 + r"=_\-]{60,2000}"
        r"|hv[sb]\.[\w\-]{90,400}"
        r"|sha256~[\w\-]{43}|sq0atp-[\w\-]{22}|sq0csp-[\w\-]{43}|EAA[\w\-]{60,300}"
        r"|LTAI[A-Za-z0-9]{20}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})(?:-[A-Z0-9]{5}){3}"
        r"|pnu_[A-Za-z0-9]{36}|rdme_[a-z0-9]{70}|(?<!\.)ico-[A-Za-z0-9]{32}|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"
        r"|lin_api_[A-Za-z0-9]{40}|do[opr]_v1_[a-f0-9]{64}|pul-[a-f0-9]{40}"
        r"|[A-Za-z0-9]{14}\.atlasv1\.[\w\-=]{60,100}|AKCp[A-Za-z0-9]{69}|dp\.pt\.[A-Za-z0-9]{43}"
        r"|PMAK-[a-f0-9]{24}-[a-f0-9]{34}|s-s4t2(?:ud|af)-[a-f0-9]{64}"
        r"|FLWSECK(?:_TEST)?-[a-h0-9]{32}-X|EZ[AT]K[A-Za-z0-9]{54}"
        # Google OAuth access tokens, Dropbox, Atlassian, New Relic, Doppler, age,
        # Figma, PlanetScale, Render, Supabase, Docker Hub, Linear OAuth, Clojars,
        # Frame.io, Shippo, Mapbox secret tokens, Twitch chat tokens
        r"|ya29\.[\w\-]{30,400}|sl\.[\w\-=]{130,160}|ATATT3[\w\-=]{150,200}"
        r"|NRAK-[A-Z0-9]{27}|NRII-[\w\-]{32}"
        # (Doppler's service tokens name their environment: ``dp.st.dev.<40>``)
        r"|dp\.(?:st|ct|sa|scim|audit)\.(?:[a-z0-9_\-]{1,40}\.)?[A-Za-z0-9]{40,44}"
        r"|AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}|figd_[\w\-]{40}"
        r"|pscale_(?:pw|tkn|oauth)_[\w=.\-]{32,64}|rnd_[A-Za-z0-9]{32}|sbp_[a-f0-9]{40}"
        r"|dckr_pat_[\w\-]{27}|lin_oauth_[a-f0-9]{64}|CLOJARS_[a-z0-9]{60}|fio-u-[\w\-=]{64}"
        r"|shippo_(?:live|test)_[a-f0-9]{40}|sk\.eyJ[\w\-]{20,400}\.[\w\-]{20,100}"
        # Twitch chat (IRC) OAuth tokens
        r"|oauth:[a-z0-9]{30}"
        # PostHog personal keys, Replicate, SonarQube, Resend, Typeform, Netlify,
        # Cerebras, ElevenLabs, Bitbucket app passwords
        r"|phx_[A-Za-z0-9]{43,47}|r8_[A-Za-z0-9]{37}|sq[upa]_[a-f0-9]{40}"
        r"|re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}|tfp_[\w\-.=]{40,64}|nfp_[A-Za-z0-9]{36}"
        r"|csk-[a-z0-9]{48}|sk_[a-f0-9]{48}|ATBB[A-Za-z0-9_=.\-]{28,40}"
        r"))(?![A-Za-z0-9])",
        back=0,
    ),
    # Vendor keys whose prefix is long enough to stand out glued to the text before it
    # (``%2F<key>`` in an encoded URL, ``\n<key>`` in a JSON string, ``id=42<key>``):
    # HubSpot private apps, Google OAuth client secrets, NVIDIA, Docker Hub organisation
    # tokens, Tailscale, Contentful, LangSmith, Honeycomb, Tavily, RubyGems, Brevo,
    # Buildkite, Pinecone, Neon, dbt Cloud, Dynatrace, Scalingo, CircleCI, MailerSend,
    # SumUp, Supabase secret keys, Jina
    Rule(
        "vendor-key",
        (
            *("pat-na", "pat-eu", "pat-ap", "GOCSPX-", "nvapi-", "dckr_oat_", "tskey-"),
            *("CFPAT-", "lsv2_", "hcaik_", "hcxik_", "hcamk_", "hcxmk_", "tvly-"),
            *("rubygems_", "xkeysib-", "xsmtpsib-", "bkua_", "pcsk_", "napi_", "dbtc_"),
            *("dt0c01.", "dt0s01.", "dt0s02.", "tk-us-", "CCIPAT_", "CCIPRJ_", "mlsn."),
            *("sup_sk_", "sb_secret_", "jina_", "duffel_live_", "duffel_test_", "apify_api_"),
            *("access-production-", "access-sandbox-", "access-development-", "cfsk_ma_"),
            *("xnd_production_", "xnd_development_", "Mid-server-", "os_v2_app_", "APP_USR-"),
            *("y0_AgAAAA", "flb_live_", "sktsec_", "eyJrIjoi", "eyJhIjoi", "access_token$"),
            *("pk1_", "sk1_", "BBFF-", "BBUS-", "esecret_", "HRKU-"),
            *("RGAPI-", "amzn1.oa2-cs.v1.", "tgp_v1_", "NNSXS.", "perm:"),
            *("mainnet", "preprod", "preview"),
        ),
        r"(?P<s>pat-(?:na|eu|ap)[0-9]-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        r"|GOCSPX-[\w\-]{28}|nvapi-[\w\-]{64}|dckr_oat_[\w\-]{32}"
        r"|tskey-[a-z]{3,8}-[A-Za-z0-9]{6,20}-[A-Za-z0-9]{20,64}|CFPAT-[\w\-]{43}"
        r"|lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}|hc[ax][im]k_[a-z0-9]{58}"
        r"|tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}|rubygems_[a-f0-9]{48}"
        r"|x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}|bkua_[a-f0-9]{40}"
        r"|pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{40,80}|napi_[a-z0-9]{64}|dbtc_[\w\-]{40,64}"
        r"|dt0[cs]0[12]\.[A-Z0-9]{24}\.[A-Z0-9]{64}|tk-us-[\w\-]{48}"
        r"|CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40}|mlsn\.[a-f0-9]{64}|sup_sk_[A-Za-z0-9]{32}"
        r"|sb_secret_[\w\-]{31,64}|jina_[A-Za-z0-9_\-]{50,70}"
        # Duffel, Apify, Plaid's access tokens, Cashfree, Xendit, Midtrans server keys,
        # OneSignal, Mercado Pago access tokens, Yandex OAuth tokens, Fleetbase, Socket
        r"|duffel_(?:live|test)_[\w=\-]{43}|apify_api_[A-Za-z0-9]{36}"
        # (not inside a name: ``role/s3-access-production-<uuid>``)
        rf"|(?<![a-z_\-])access-(?:production|sandbox|development)-{_UUID_SHAPE}"
        r"|cfsk_ma_(?:prod|test)_[a-f0-9]{32}_[a-f0-9]{8}|xnd_(?:production|development)_[A-Za-z0-9]{40,100}"
        r"|Mid-server-[\w\-]{24}|os_v2_app_[a-z0-9]{100,120}|APP_USR-[0-9]{16}-[0-9]{6}-[a-f0-9]{32}-[0-9]{6,12}"
        r"|y0_AgAAAA[\w\-]{40,60}|flb_live_[A-Za-z0-9]{20,40}|sktsec_[A-Za-z0-9_\-]{40,80}"
        # Grafana's API keys and Cloudflare's tunnel tokens (base64 of ``{"k":"``, of
        # ``{"a":"``), Braintree's access tokens, Porkbun, Ubidots, Anyscale, Heroku
        r"|eyJrIjoi[A-Za-z0-9+/_\-]{40,400}={0,2}|eyJhIjoi[A-Za-z0-9+/_\-]{100,600}={0,2}"
        r"|access_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}"
        r"|[ps]k1_[a-f0-9]{64}|BB(?:FF|US)-[A-Za-z0-9]{30}|esecret_[a-z0-9]{26,40}"
        # Heroku's API keys (``HRKU-AA<58>``, and a UUID after ``HRKU-``)
        rf"|HRKU-(?:AA[\w\-]{{58}}|{_UUID_SHAPE})"
        # Riot Games, Amazon's Login with Amazon client secrets, Together AI, The Things
        # Network, YouTrack's permanent tokens, Blockfrost's project ids (a
        # network's name and 32 characters, a digit among them)
        rf"|RGAPI-{_UUID_SHAPE}|amzn1\.oa2-cs\.v1\.[a-f0-9]{{64}}|tgp_v1_[\w\-]{{43}}"
        r"|NNSXS\.[A-Z0-9]{39}\.[A-Z0-9]{52}"
        r"|perm:[A-Za-z0-9+/=_\-]{4,64}\.[A-Za-z0-9+/=_\-]{4,64}\.[A-Za-z0-9]{30}"
        r"|(?:mainnet|preprod|preview)(?=[A-Za-z]{0,31}[0-9])[A-Za-z0-9]{32}"
        r")(?![A-Za-z0-9])",
    ),
    # Asaas's API keys: ``$aact_`` (``%24aact_`` in a URL) and base64 whose runs of
    # ``MDAw`` (zeros the key holds) would read as a placeholder's; a digit, a capital
    # and a small letter in it (``$aact_xxxx...`` is one)
    Rule(
        "asaas-api-key",
        ("$aact_", "%24aact_"),
        r"(?P<s>(?:\$|%24)aact_(?=[A-Za-z0-9+/=_\-]{0,299}[0-9])(?=[A-Za-z0-9+/=_\-]{0,299}[A-Z])"
        r"(?=[A-Za-z0-9+/=_\-]{0,299}[a-z])[A-Za-z0-9+/=_\-]{40,300})(?![A-Za-z0-9])",
        kind="format",
    ),
    # The unseal and recovery keys ``vault operator init`` prints (``Unseal Key 1: <b64>``)
    Rule(
        "vault-unseal-key",
        ("Unseal Key ", "Recovery Key ", "operator unseal"),
        r"(?:(?:Unseal|Recovery) Key [0-9]{1,2}:[ \t]{1,8}"
        # (and the key given back to ``vault operator unseal``)
        r"|operator unseal(?:[ \t]{1,4}-[\w\-]{1,32}(?:=[^\s]{1,256})?){0,4}[ \t]{1,4})"
        r"(?P<s>[A-Za-z0-9+/]{20,128}={0,2})(?![A-Za-z0-9+/=])",
        keep=0,
    ),
    # Rails' and Phoenix's ``secret_key_base`` (``config/secrets.yml``,
    # ``config.secret_key_base =``, ``SecretKeyBase``, ``--secret-key-base v``): a stage's
    # word after ``key`` that the assignment reads in upper case only
    # (``SECRET_KEY_BASE``); 64 hex digits or more in one case, as ``rails secret``
    # prints, or 64 characters of base64 or more, as ``mix phx.gen.secret`` does; also as
    # the literal an expression falls back on (``ENV["SECRET_KEY_BASE"] || "v"``)
    Rule(
        "secret-key-base",
        ("secret_key_base", "secretKeyBase", "SecretKeyBase", "secret-key-base", "SECRET_KEY_BASE"),
        r"""(?:(?:secret_key_base|SECRET_KEY_BASE|[sS]ecretKeyBase|secret-key-base)"""
        # (a Markdown table's cell too: ``| SECRET_KEY_BASE | v |``)
        r"""(?:\\{0,3}["'`])?[ \t]*(?::|=>|:?=|\|)[ \t]*(?:[^\n|]{1,120}\|\|[ \t]*)?"""
        r"""|(?<=--)secret[_\-]key[_\-]base[ \t]+)"""
        r"""(?:\\{0,3}["'`])?(?P<s>[0-9a-f]{64,512}|[0-9A-F]{64,512}"""
        r"""|[A-Za-z0-9+/_\-]{64,512}={0,2})(?![0-9A-Za-z+/_\-])""",
        keep=0,
        # (generated, not a placeholder made of words nor a typed run)
        kind="generated",
    ),
    # Amazon Bedrock's API keys (``ABSK`` and base64), which ``AWS_BEARER_TOKEN_BEDROCK``
    # holds: a name whose last word is no secret's
    Rule(
        "aws-bedrock-api-key",
        ("ABSK",),
        # (in URL-safe base64 too)
        r"(?<![A-Za-z0-9+/_\-])(?P<s>ABSK[A-Za-z0-9+/_\-]{60,1024}={0,2})(?![A-Za-z0-9+/_\-=])",
    ),
    # A Jenkins secret as its credentials.xml and config.xml store it, encrypted with the
    # controller's key (``{AQAAABAAAA...}``): found by its head with the brace
    Rule(
        "jenkins-secret",
        ("{AQAAABAAAA",),
        r"\{(?P<s>AQAAABAAAA[A-Za-z0-9+/]{20,4096}={0,2})\}",
    ),
    # Login with Amazon's refresh and access tokens (``Atzr|``, ``Atza|``: Alexa skills,
    # the Selling Partner and Advertising APIs)
    Rule(
        "amazon-lwa-token",
        ("Atzr|", "Atza|"),
        r"(?<![A-Za-z0-9])(?P<s>Atz[ar]\|[A-Za-z0-9_\-+/=]{40,2048})",
    ),
    # A NATS NKey's seed (``S`` and the key's type, then base32, 58 in all: ``SUA...``
    # a user's, ``SAA...`` an account's, ``SOA...`` an operator's), as ``.creds`` files and
    # ``nsc`` print it
    Rule(
        "nats-nkey-seed",
        ("SUA", "SAA", "SOA", "SNA", "SCA", "SXA"),
        r"(?<![A-Za-z0-9])(?P<s>S[UAONCX]A[A-Z2-7]{55})(?![A-Za-z0-9])",
        # (its CRC-16 checked: Algorand's addresses have the same shape)
        kind="nkey",
    ),
    # A Salesforce session id or OAuth access token: the org's id (``00D`` and 12 or 15
    # characters), ``!`` and the token
    Rule(
        "salesforce-session-id",
        ("00D",),
        # (the ``!`` percent-encoded too, in a ``frontdoor.jsp?sid=`` URL)
        r"(?<![A-Za-z0-9])(?P<s>00D[A-Za-z0-9]{12,15}(?:!|%21)[A-Za-z0-9._]{40,1024})",
        hs_gates=((r"00D[A-Za-z0-9]{12,15}(?:!|%21)[A-Za-z0-9._]{40}", 0),),
    ),
    # An Unleash API token for all projects (``*:production.<56 hex>``, an admin's
    # ``*:*.<hex>``) or several (``[]:development.<hex>``); one for a named project reads
    # as a generated value
    # under its name (``UNLEASH_API_TOKEN=default:production.<hex>``)
    Rule(
        "unleash-api-token",
        ("*:", "[]:"),
        # (Unleash draws 28 random bytes: 56 hex digits; 64 in older versions; an admin
        # token's environment is ``*`` too)
        r"(?P<s>(?:\*|\[\]):(?:\*|[A-Za-z0-9_\-]{1,64})\.[0-9a-f]{56}(?:[0-9a-f]{8})?)"
        r"(?![A-Za-z0-9])",
    ),
    # An encrypted JWT (JWE, compact form: a header, an encrypted key that is empty for
    # ``dir``, an IV, the ciphertext and a tag), as NextAuth's session cookie holds one
    Rule(
        "jwe",
        ("eyJ",),
        r"(?<![A-Za-z0-9_\-])(?P<s>eyJ[A-Za-z0-9_\-]{8,1024}\.[A-Za-z0-9_\-]{0,2048}"
        # (a chunked cookie's first part, ``.session-token.0=``, ends before the tag)
        r"\.[A-Za-z0-9_\-]{8,256}\.[A-Za-z0-9_\-]{8,12000}(?:\.[A-Za-z0-9_\-]{8,128})?)"
        r"(?![A-Za-z0-9_\-.])",
        max_len=16000,
        hs_gates=(
            (r"eyJ[A-Za-z0-9_\-]{8}[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]{8}", 3300),
        ),
    ),
    # A PuTTY private key file's private lines (``.ppk``, versions 2 and 3; encrypted or
    # not), also as one JSON-escaped or environment-escaped string (``\\n``)
    Rule(
        "putty-private-key",
        ("Private-Lines:",),
        r"Private-Lines:[ \t]{0,8}[0-9]{1,3}[ \t]{0,8}(?:\r?\n|(?:\\r)?\\n)[ \t]{0,40}"
        # (each line whole: not the next line's ``Private-MAC``)
        r"(?P<s>[A-Za-z0-9+/=]{4,76}(?![\w+/=:\-])"
        r"(?:(?:\r?\n|(?:\\r)?\\n)[ \t]{0,40}[A-Za-z0-9+/=]{4,76}(?![\w+/=:\-])){0,127})",
        keep=0,
        max_len=16000,
    ),
    # The value of a vendor's documented variable whose name holds no secret word
    # (``MJ_APIKEY_PRIVATE``, ``CYPRESS_RECORD_KEY``, ``AGORA_APP_CERTIFICATE``), when it
    # reads as generated
    Rule(
        "vendor-secret-variable",
        _VENDOR_VARIABLE_NAMES,
        r"(?:" + "|".join(_VENDOR_VARIABLE_NAMES) + r""")\\?["']?\]?"""
        # (an assignment's separator, aligned too; a call's comma, a table's bar, an
        # element's ``>``, blanks (``ENV NAME v``), a Kubernetes ``env`` list's ``value:``
        # on the next line, a JSON pair's (``{"name": "NAME", "value": "v"}``), .NET's
        # ``<add key="NAME" value="v"/>``)
        r"""(?:[ \t]{0,40}(?::=|=>|[=:,|>])[ \t]{0,40}|[ \t]{1,40}"""
        r"""|[ \t]{0,8}\r?\n[ \t]{0,40}["']?value["']?:[ \t]{0,8}"""
        r"""|[ \t]{0,8},[ \t]{0,8}\\?["']value\\?["'][ \t]{0,8}:[ \t]{0,8}"""
        r"""|[ \t]{1,8}value=)\\?"""
        r"""(?P<q>["'])?(?P<s>[A-Za-z0-9+/_\-.=]{12,256})"""
        r"""(?(q)\\?(?P=q)|(?![A-Za-z0-9+/_\-.=]))""",
        keep=0,
        kind="generated",
    ),
    # A Kubernetes Secret's values, under ``data`` (base64) or ``stringData``, whatever
    # their keys are called, in YAML at any depth (a ``kind: List``'s items) or JSON;
    # judged in Python (the mapping holding them must be a Secret's). The pattern
    # matches the block's key alone: its lines are read in Python, so a block's match
    # never covers the next Secret's.
    Rule(
        "kubernetes-secret",
        ("data:", "stringData:", '"kind"'),
        r"(?:stringData|data):[ \t]{0,8}(?:#[^\r\n]{0,200})?(?=\r?\n)"
        r'|(?P<j>"kind")[ \t]*:[ \t]*"Secret"',
        keep=0,
        kind="manifest",
        gate=r'(?:stringData|data):[ \t]{0,8}(?:#[^\r\n]{0,200})?\r?\n|"kind"[ \t]*:[ \t]*"Secret"',
        hs_gates=(
            (
                r"\n[ \t]{0,40}(?:-[ \t]{1,8})?(?:stringData|data):[ \t]{0,8}"
                # (and what opens the next line, an entry's indent, a comment or a Helm
                # template's line: a gate ending in a line break is read as a table's
                # header)
                r"(?:#[^\r\n]{0,200})?\r?\n[ \t\r\n#{]",
                320,
            ),
            (r'"kind"[ \t]*:[ \t]*"Secret"', 0),
        ),
    ),
    # Django's ``SECRET_KEY`` as ``get_random_secret_key`` makes it: 50 characters of
    # lower-case letters, digits and ``!@#$%^&*(-_=+)``, brackets and all (which read as
    # code under any other name), with a digit and one of the symbols
    Rule(
        "django-secret-key",
        ("SECRET_KEY", "secret_key"),
        # (also the rotated keys of ``SECRET_KEY_FALLBACKS = ['<key>', ...]``, the first
        # read here, and a JSON string's escaped quote)
        # (and after a type, ``SECRET_KEY: str = '<key>'``, or as a lookup's default,
        # ``os.environ.get('DJANGO_SECRET_KEY', '<key>')``, ``config('SECRET_KEY',
        # default='<key>')``)
        r"""(?:SECRET_KEY(?:_FALLBACKS)?|secret_key)\\?["']?"""
        + _DJANGO_KEY_SEPARATOR
        + r"(?P<s>(?:django-insecure-)?"
        r"(?=[a-z0-9!@#$%^&*(\-_=+)]{0,49}[!@#$%^&*(=+)])(?=[a-z0-9!@#$%^&*(\-_=+)]{0,49}[0-9])"
        r"[a-z0-9!@#$%^&*(\-_=+)]{50})(?![a-z0-9!@#$%^&*(\-_=+)])",
        keep=0,
        # (its format is the evidence: ``%(`` and ``$(`` in it are no template's)
        kind="format",
        hs_gates=(
            (
                # (``django-insecure-`` is of the alphabet too)
                r"""(?:SECRET_KEY|secret_key)(?:_FALLBACKS)?\\?["']?"""
                + _DJANGO_KEY_SEPARATOR
                + r"""[a-z0-9!@#$%^&*(\-_=+)]{50}""",
                # (no start of match: with it, Hyperscan finds the pattern too large)
                160,
            ),
        ),
    ),
    # Make's (formerly Integromat's) webhook URLs: whoever has one can trigger the
    # scenario
    Rule(
        "make-webhook",
        (".make.com", ".make.celonis.com", "integromat.com"),
        # (its slash JSON-escaped or percent-encoded too)
        r"(?:\.make(?:\.celonis)?\.com|integromat\.com)(?:/|\\/|%2[Ff])(?P<s>[a-z0-9]{32})"
        r"(?![A-Za-z0-9])",
        keep=0,
    ),
    # An Oracle connect string's password: ``jdbc:oracle:thin:user/pw@host``, ``sqlplus
    # user/pw@db``, and Oracle's other tools' (``expdp``, ``impdp``, ``sqlldr``, ``rman
    # target``, ``dgmgrl``, ``userid=user/pw``, SQL*Plus's ``connect user/pw@db``)
    Rule(
        "oracle-connect-password",
        (
            *_case("jdbc:oracle:", "sqlplus", "sqlldr", "expdp", "impdp", "rman", "dgmgrl"),
            *_case("userid", "connect ", "conn ", "sql "),
            *("cx_Oracle.connect(", "oracledb.connect("),
        ),
        # (the connect string quoted whole, ``sqlplus "sys/pw@orcl as sysdba"``, or the
        # password alone, JDBC's ``app/"p@ss w/rd"@host``, whatever it holds)
        r"(?:(?i:jdbc:oracle:[a-z]{2,8}:)"
        # (``rman target / catalog rcat/pw@cat``; the connect string quoted, its quotes
        # escaped or nested: ``expdp \"sys/pw@orcl as sysdba\"``, ``"'sys/pw@db'"``)
        r"|(?i:sqlplus|sqlldr|expdp|impdp|rman|dgmgrl)(?:\.exe)?"
        r"""(?:[ \t]{1,8}(?:-[A-Za-z]{1,12}|(?i:target|auxiliary|catalog)|/)){0,4}"""
        r"""(?:[ \t]{1,8}|=)(?:\\?["']){0,2}"""
        r"""|(?i:userid)[ \t]{0,4}=[ \t]{0,4}(?:\\?["']){0,2}"""
        # (Python's drivers: ``cx_Oracle.connect('scott/pw@orcl')``, ``oracledb.connect(``)
        r"""|(?:cx_Oracle|oracledb)\.connect\([ \t]{0,4}["']"""
        # (``connect`` only before a connect string's ``@``: ``connect api/v1`` is a path;
        # and not before a word and its number, ``connect client/device42@broker``)
        r"""|(?<![\w\-])(?i:conn|connect|sql)[ \t]{1,8}["']?"""
        r"""(?=[A-Za-z][\w$#]{0,127}/(?:"[^"\r\n]{1,256}"|(?![a-z]{2,32}[0-9]{0,4}@)[^@\s"'/\\]{1,256})@))"""
        r"""(?P<user>[A-Za-z][\w$#]{0,127})/"""
        r"""(?:"(?P<s>[^"\r\n]{1,256})"|(?P<u>[^@\s"'/\\]{1,256}))(?=@|[ \t"']|$)""",
        keep=0,
        kind="password",
        hs_gates=(
            (r"(?i:jdbc:oracle:|sqlplus|sqlldr|expdp|impdp|rman|dgmgrl)", 0),
            (r"""(?:cx_Oracle|oracledb)\.connect\([ \t]{0,4}["'][A-Za-z][\w$#]{0,127}/""", 200),
            (r"""(?i:userid)[ \t]{0,4}=[ \t]{0,4}["']?[A-Za-z][\w$#]{0,127}/""", 160),
            (r"""(?i:conn|connect|sql)[ \t]{1,8}["']?[A-Za-z][\w$#]{0,127}/[^\s]{1,256}@""", 420),
        ),
    ),
    # An Oracle Easy Connect string's password, with no tool or scheme before it (a
    # ``DSN`` setting): ``user/password@host:1521/service``, found by Oracle's port and read
    # from the ``/`` before the password
    Rule(
        "oracle-ezconnect-password",
        (":1521/", ":1522/", ":1521:", ":1522:"),
        # (the password quoted, ``scott/"pw"@``; ``@//host``, as Easy Connect may write it;
        # a SID after a ``:``)
        r"""/(?<=[\w$#]/)"?(?P<s>[^@\s"'/\\:]{1,256})"?@(?://)?(?:[\w\-]{1,63}\.){0,8}[\w\-]{1,63}"""
        r""":152[12][/:]""",
        keep=0,
        kind="password",
        max_len=600,
        start_at="/",
    ),
    # A BIP32 extended private key (``xprv``, and testnet's and SegWit wallets'
    # ``tprv``, ``yprv``, ``zprv``, ``uprv``, ``vprv``, ``Yprv``, ``Zprv``): whoever holds
    # it holds the wallet (its prefix and length are no other data's)
    Rule(
        "bip32-private-key",
        ("xprv", "tprv", "yprv", "zprv", "uprv", "vprv", "Yprv", "Zprv"),
        r"(?<![A-Za-z0-9])(?P<s>[xtyzuvYZ]prv[1-9A-HJ-NP-Za-km-z]{107})(?![A-Za-z0-9])",
        keep=0,
        kind="format",
    ),
    # A Nostr private key: ``nsec1`` and 58 Bech32 characters
    Rule(
        "nostr-private-key",
        ("nsec1",),
        r"(?<![A-Za-z0-9])(?P<s>nsec1[02-9ac-hj-np-z]{58})(?![A-Za-z0-9])",
        keep=0,
        kind="format",
    ),
    # A JSON Web Key's private members (``d``, and RSA's ``p``, ``q``, ``dp``, ``dq``,
    # ``qi``; a symmetric key's ``k``), read in the key's object from its ``{`` (the
    # public members, ``n``, ``e``, ``x``, ``y``, stay); a JSON string's escaped quotes too
    Rule(
        "jwk-private-key",
        ('"kty"', '\\"kty\\"', "'kty'"),
        r"""\{(?P<s>[^{}]{1,16384})\}""",
        keep=0,
        kind="jwk",
        max_len=16400,
        start_at="{",
    ),
    # A minisign or signify secret key: its comment line, then the key's base64 (a
    # string's ``\n`` too)
    Rule(
        "minisign-secret-key",
        ("untrusted comment:",),
        r"""untrusted comment: [^\r\n\\]{0,40}secret key[^\r\n\\]{0,200}(?:\r?\n|\\(?:r\\)?n)"""
        r"""(?P<s>[A-Za-z0-9+/]{40,1024}={0,2})""",
        keep=0,
        kind="format",
        hs_gates=(
            (
                r"""untrusted comment: [^\r\n\\]{0,40}secret key[^\r\n\\]{0,200}"""
                r"""(?:\r?\n|\\(?:r\\)?n)[A-Za-z0-9+/]{40}""",
                320,
            ),
        ),
    ),
    # ``aws configure``'s prompt for the secret key, answered
    Rule(
        "aws-configure-secret",
        ("Secret Access Key [",),
        r"Secret Access Key \[[^\]\n]{0,64}\]:[ \t]*(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
        keep=0,
    ),
    # A CloudFormation parameter's default under ``NoEcho: true``, which hides it from
    # the console: the template's author marked it a secret (YAML, the properties in
    # either order with others between; JSON, in one object)
    Rule(
        "cloudformation-noecho-default",
        ("NoEcho", "Default:", '"Default"'),
        # (from the line's start: its indent is the parameter's)
        r"""(?s:.){0,41}?(?:(?<![^\r\n])(?P<i>[ \t]{1,40})"""
        + _CFN_TRUE
        + r"""\r?\n"""
        + _cfn_between("i")
        + r"""(?P=i)["']?Default["']?:[ \t]*"""
        r"""|NoEcho"[ \t]*:[ \t]*"?true"?[ \t]*,[^{}]{0,1024}?"Default"[ \t]*:[ \t]*"""
        # (the default first: ``NoEcho`` after it, in the same parameter)
        r"""|(?<![^\r\n])(?=(?P<j>[ \t]{1,40})["']?Default["']?:[^\r\n]{1,1024}\r?\n"""
        + _cfn_between("j")
        + r"""(?P=j)"""
        + _CFN_TRUE
        + r"""(?:\r?\n|$))(?P=j)["']?Default["']?:[ \t]*"""
        r"""|(?="Default"[ \t]*:[ \t]*"(?:[^"\r\n\\]|\\.){1,1024}"[^{}]{0,1024}?"NoEcho"[ \t]*:"""
        r"""[ \t]*"?true)"Default"[ \t]*:[ \t]*)"""
        # (a quoted value whole, escapes and all; a bare one to the line's end or comment)
        r"""(?:(?P<q>["'])(?P<s>(?:(?!(?P=q))[^\n\\]|\\.){1,1024})(?P=q)"""
        r"""|(?P<u>[^\s"'{}\[\]#|>][^\r\n]{0,1023}?)(?=[ \t]*(?:\r?\n|$|[ \t]\#)))""",
        back=41,
        keep=0,
        kind="argument",
        max_len=6000,
    ),
    # Mailgun's ``key-`` and 32 hex digits: a rule of its own, gated by its format, since
    # Notion's integration tokens before ``ntn_``: found by the whole token, as
    # ``secret_`` begins many names (``secret_key``, ``secret_ref``).
    Rule(
        "notion-legacy-token",
        ("secret_",),
        r"(?<![A-Za-z0-9])(?P<s>secret_[A-Za-z0-9]{43})(?![A-Za-z0-9])",
        hs_gates=((r"[^A-Za-z0-9]secret_[A-Za-z0-9]{43}", 51),),
    ),
    # Vendors' keys whose short prefix is common in text (``live_``, ``pa-``, ``sk_``):
    # found by the whole token's shape. Where the body is a free mix of letters and
    # digits, it must hold two digits, a capital and a small letter (``sk_``, ``pa-``
    # and ``private-`` also begin names and words). Not a UUID after ``api-`` or ``sk_``
    # (LaunchDarkly, Checkout.com): the gate for it cost a log of Kubernetes pods
    # (``pod/api-1d7d822b07-8fc91``) a fifth of its speed.
    Rule(
        "vendor-token-shaped",
        (
            *("cu_", "pk_", "sk_", "aio_", "API-", "web_", "pa-", "fw_", "md-", "ck-", "pd_"),
            *("xau_", "nbp_", "ddp_", "hbp_", "asat_", "bpk-", "figu_", "akab-", "live_"),
            *("private-", "sandbox-", "TEST_", "v1.0-", "essu_", "standard_", "prod:", "dev:"),
            "preview:",
        ),
        # (not inside a name or another key, ``pk_live_<hex>``)
        r"(?<![A-Za-z0-9_])(?P<s>"
        # Checkly, Klaviyo's private keys, Clearbit and IEX Cloud, AfterShip, Builder.io
        r"cu_[a-f0-9]{32}|pk_[a-f0-9]{34}|sk_[a-f0-9]{32}|asat_[a-f0-9]{32}|bpk-[a-f0-9]{32}"
        # RevenueCat, Pipedream, Fireworks, Adafruit IO, Xata, NetBird, Deno Deploy,
        # Honeybadger, Figma OAuth, Swiftype, Iyzico, Chroma
        rf"|sk_{_generated(32)}|pd_{_generated(32)}|fw_{_generated(24)}"
        rf"|aio_{_generated(28)}|(?:xau|nbp|ddp|hbp)_{_generated(36)}"
        rf"|figu_{_generated(40, _DASHED)}|private-{_generated(24)}"
        r"|private-(?=(?:[a-z]{0,23}[0-9]){2})(?=[0-9]{0,23}[a-z])[a-z0-9]{24}"
        rf"|sandbox-{_generated(32)}|ck-{_generated('40,50')}"
        # Voyage AI, Mailchimp Transactional (Mandrill), ShipEngine; Mollie, GoCardless
        # and Chargebee's live keys
        rf"|pa-{_generated(43, _DASHED)}|md-{_generated(22, _DASHED)}"
        rf"|TEST_{_generated(43, _DASHED)}"
        # (not ``test_``: ``test_OAuth2LoginFlowWithRefreshTokenRotation42`` is a test)
        rf"|live_{_generated('30,44', _DASHED)}"
        # Octopus Deploy, dfuse, Akamai client tokens, Cloudflare Origin CA keys, Elastic
        # (a letter past ``F``: ``/API-<32 hex>`` is a Notion page's address)
        # (nor a ULID, a request's id: Crockford's base32 from a timestamp's ``0``)
        r"|API-(?=[A-Z]{0,31}[0-9])(?=[A-Z0-9]{0,31}[G-Z])(?!0[0-9A-HJKMNP-TV-Z]{25}(?![A-Z0-9]))"
        r"[A-Z0-9]{25,32}"
        # (hex too; not a file's name, ``web_<md5>.js``)
        r"|web_(?=[a-z]{0,31}[0-9])(?=[0-9]{0,31}[a-z])[a-z0-9]{32}(?!\.[A-Za-z]{1,5}(?![A-Za-z0-9]))"
        # (not the API host named after the client token, ``akab-<..>.luna.akamaiapis.net``)
        r"|akab-[a-z0-9]{16}-[a-z0-9]{16}(?!\.[a-z])|v1\.0-[a-f0-9]{24}-[a-f0-9]{146}"
        r"|essu_[A-Za-z0-9+/]{60,120}={0,2}"
        # Lob's and Scale's live keys (hex), Appwrite, Convex's deploy keys
        # (``prod:<deployment>|<token>``)
        r"|live_[a-f0-9]{32,40}|standard_[a-f0-9]{128,512}"
        r"|(?:prod|dev|preview):[a-z0-9\-]{3,64}\|[A-Za-z0-9+/=_\-]{40,400}"
        r")(?![A-Za-z0-9])",
        hs_gates=(
            (
                r"[^A-Za-z0-9](?:(?:cu_|sk_|asat_|bpk-)[a-f0-9]{32}|pk_[a-f0-9]{34}"
                r"|(?:sk_|pd_|sandbox-)[A-Za-z0-9]{32}|fw_[A-Za-z0-9]{24}|aio_[A-Za-z0-9]{28}"
                r"|(?:xau|nbp|ddp|hbp)_[A-Za-z0-9]{36}|figu_[\w\-]{40}|private-[A-Za-z0-9]{24}"
                r"|ck-[A-Za-z0-9]{40}|pa-[\w\-]{43}|md-[\w\-]{22}|TEST_[\w\-]{43}"
                r"|live_[\w=\-]{30}|API-[A-Z0-9]{25}|web_[a-z0-9]{32}"
                r"|akab-[a-z0-9]{16}-[a-z0-9]{16}|v1\.0-[a-f0-9]{24}-[a-f0-9]{32}"
                r"|essu_[A-Za-z0-9+/]{60}|standard_[a-f0-9]{40})",
                70,
            ),
            # (a gate per word: as alternatives in one, Hyperscan read them at more
            # places, which cost a JSON record naming secrets a twentieth more)
            *(
                (rf"[^A-Za-z0-9]{word}:[a-z0-9\-]{{3,64}}\|[A-Za-z0-9+/=_\-]{{40}}", 120)
                for word in ("prod", "dev", "preview")
            ),
        ),
    ),
    # A primary or secondary key as Azure prints one (Cosmos DB, storage accounts,
    # Service Bus, Event Hubs): base64 of 64 or 32 bytes. ``primary_key`` names a
    # table's key column too, whose value is an id, never such a run.
    Rule(
        "azure-primary-key",
        (
            *_case("primary_key", "secondary_key", "primary-key", "secondary-key"),
            *_case("primaryKey", "secondaryKey"),
            *("PrimaryKey", "SecondaryKey", '"keyName"'),
        ),
        rf"""(?:{_AZURE_KEY_NAME_SEP}|{_AZURE_KEYS_LIST})"""
        r"""[\\]{0,2}["']?(?P<s>[A-Za-z0-9+/]{86}==|[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])""",
        keep=0,
        max_len=600,
        hs_gates=(
            (_AZURE_KEY_NAME_SEP + r"""[\\]{0,2}["']?[A-Za-z0-9+/]{43}""", 140),
            # (unbounded runs on a few lines: cheaper to compile than a bounded one)
            (
                _AZURE_KEYS_LIST.replace("[^{}]{0,300}?", r"[^{}\n]*(?:\n[^{}\n]*){0,6}")
                + r"""["']?[A-Za-z0-9+/]{43}""",
                600,
            ),
        ),
    ),
    # Vendors' headers whose name holds no secret word: Honeycomb's ``X-Honeycomb-Team``,
    # JFrog's ``X-JFrog-Art-Api``; in a request line, a curl flag, a dict or a call
    # (``Header.Set("X-Honeycomb-Team", "v")``). The value must hold two digits, as a
    # generated key does (``process.env.HONEYCOMB_KEY`` holds none).
    Rule(
        "vendor-header",
        _case("X-Honeycomb-Team", "X-JFrog-Art-Api"),
        # (also JSON-escaped, in a subscript, a bytes pair, a template literal, and after
        # a blank alone: nginx's ``proxy_set_header X-Honeycomb-Team v;``)
        r"(?i:x-honeycomb-team|x-jfrog-art-api)\\{0,3}[\"'`]?\]?"
        r"(?:[ \t]{0,8}(?:=>|[:=,])[ \t]{0,8}|[ \t]{1,8})[bB]?\\{0,3}[\"'`]?"
        r"(?P<s>(?=(?:[A-Za-z+/=_.\-]{0,512}[0-9]){2})[A-Za-z0-9+/=_.\-]{16,512})",
        keep=0,
        # (one pattern, not eight literals: each literal more costs a long text's scan)
        hs_gates=(
            (
                r"(?i:x-honeycomb-team|x-jfrog-art-api)\\{0,3}[\"'`]?\]?"
                r"(?:[ \t]{0,8}(?:=>|[:=,])[ \t]{0,8}|[ \t]{1,8})[bB]?\\{0,3}[\"'`]?"
                r"[A-Za-z0-9+/=_.\-]{16}",
                80,
            ),
        ),
    ),
    # ``-key-`` is common in names (``api-key-here``, ``cache-key-prefix``).
    Rule(
        "mailgun-api-key",
        ("key-",),
        r"(?<![A-Za-z0-9])(?P<s>key-[a-f0-9]{32})(?![A-Za-z0-9])",
        hs_gates=((r"[^A-Za-z0-9]key-[a-f0-9]{32}", 37),),
    ),
    # A Mailchimp API key: 32 hex digits, then its data center (``-us21``); found by the
    # data center, the hex digits read behind it.
    Rule(
        "mailchimp-api-key",
        ("-us",),
        # (also right after a URL's percent-escape: ``apikey%3D<key>``)
        r".{0,32}?(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))"
        r"(?P<s>[a-f0-9]{32}-us[0-9]{1,2})(?![A-Za-z0-9])",
        back=32,
        keep=0,
        gate=r"[a-f0-9]{32}-us[0-9]{1,2}",
    ),
    # A Facebook app access token: the app id, ``|``, the app secret.
    Rule(
        "facebook-app-token",
        ("|",),
        r".?(?<![0-9])[0-9]{15,16}\|(?P<s>[A-Za-z0-9_\-]{27})(?![A-Za-z0-9_\-])",
        back=16,
        keep=0,
        gate=r"[0-9]{15,16}\|[A-Za-z0-9_\-]{27}",
    ),
    # A Firebase Cloud Messaging legacy server key (``AAAA<7>:APA91b<134>``); a device's
    # registration token, ``<22>:APA91b<134>``, is no server key.
    Rule(
        "firebase-server-key",
        (":APA91b",),
        # (glued to the text before it too: ``\n<key>`` in a JSON string, ``id=42<key>``)
        # (and a ``.properties`` file's escaped colon, ``\:``)
        r".{0,17}?(?P<s>AAAA[A-Za-z0-9_\-]{7}\\?:APA91b[A-Za-z0-9_\-]{120,160})(?![A-Za-z0-9_\-])",
        back=17,
        gate=r"AAAA[A-Za-z0-9_\-]{7}\\?:APA91b[A-Za-z0-9_\-]{120}",
    ),
    # A Telegram bot token on its own (``<bot id>:AA<33 characters>``, as BotFather gives
    # it); the bot id stays visible.
    Rule(
        "telegram-bot-token-bare",
        (":AA",),
        r".{0,11}?(?<![0-9])[0-9]{5,16}:(?P<s>AA[A-Za-z0-9_\-]{33})(?![A-Za-z0-9_\-])",
        back=16,
        keep=0,
        gate=r"[0-9]{5,16}:AA[A-Za-z0-9_\-]{33}",
    ),
    # A Telegram bot token in the Bot API URL it is sent in (``/bot<id>:<token>/method``,
    # ``/file/bot<id>:<token>/path``); the bot id before the colon stays visible.
    Rule(
        "telegram-bot-token",
        _case("telegram"),
        r"(?i:telegram\.org)\\?/(?:file\\?/)?bot[0-9]{5,16}(?::|%3[Aa])"
        r"(?P<s>[A-Za-z0-9_\-]{30,64})",
        keep=0,
    ),
    # A Discord webhook URL: ``/api/webhooks/<id>/<token>`` (also ``discordapp.com``,
    # ``ptb.``/``canary.`` hosts and versioned ``/api/v10/``); the id stays visible.
    Rule(
        "discord-webhook",
        _case("discord"),
        r"(?i:discord(?:app)?\.com)\\?/api\\?/(?:v[0-9]{1,2}\\?/)?webhooks\\?/[0-9]{17,20}\\?/"
        r"(?P<s>[A-Za-z0-9_\-]{60,100})",
        keep=0,
    ),
    # --- Structured secrets ------------------------------------------------------------
    Rule(
        "jwt",
        ("eyJ",),
        # (after a percent-escape, twice encoded too, or a JSON string's escape: a token
        # in an encoded redirect, ``id_token%3DeyJ...``, ``%253DeyJ``, on a message's
        # next line, or after ``\u003d``)
        r"(?:(?<![A-Za-z0-9_\-])|(?<=%[0-9A-Fa-f]{2})|(?<=%25[0-9A-Fa-f]{2})|(?<=\\[nrt])"
        r"|(?<=\\u[0-9A-Fa-f]{4}))"
        r"(?P<s>eyJ[A-Za-z0-9_\-]{8,4000}\.eyJ[A-Za-z0-9_\-]{4,8000}"
        r"\.[A-Za-z0-9_\-]{0,4000})",
        # (for Hyperscan, to the payload's ``eyJ``: base64 JSON alone, a page's cursor
        # or an elided token, ``eyJhbGciOiJIUzI1NiJ9...``, is no token)
        hs_gates=((r"eyJ[A-Za-z0-9_\-]{8}[A-Za-z0-9_\-]*\.eyJ", 4016),),
    ),
    Rule(
        "private-key",
        ("-----BEGIN",),
        r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----"
        r"(?P<s>(?:[^\-]|-(?!----)){1,16000})"
        r"(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----)?",
        keep=0,
        kind="pem",
        max_len=16100,
    ),
    # A PEM private key in base64, as a Kubernetes Secret's data, a kubeconfig's
    # ``client-key-data``, a CI variable or a Helm value holds one (``LS0tLS1CRUdJTi...``,
    # the base64 of ``-----BEGIN``): whatever its name, also a bundle holding a
    # certificate and then the key, over the lines ``base64`` wraps it in (at any indent,
    # as a YAML block scalar holds them, or after a JSON string's ``\n``; a line of 16
    # characters or more, or a last one with its padding); decoded and judged in
    # ``_checksums.private_key_in_base64`` (a certificate's stays, so does a placeholder's)
    Rule(
        "base64-private-key",
        ("LS0tLS1CRUdJTi",),
        r"(?<![A-Za-z0-9+/])(?P<s>LS0tLS1CRUdJTi[A-Za-z0-9+/]{16,24000}"
        r"(?:(?:\r?\n|(?:\\r)?\\n)[ \t]{0,40}[A-Za-z0-9+/]{16,100}(?=\r?\n|\\[rn]|[\"']|$)){0,400}"
        r"(?:(?:\r?\n|(?:\\r)?\\n)[ \t]{0,40}[A-Za-z0-9+/]{0,99}={1,2}|={0,2}))",
        keep=0,
        kind="pem64",
        max_len=48000,
    ),
    Rule(
        "url-credentials",
        ("@",),
        # A ``/`` in the password (base64, written unescaped); ``_accept`` tells it from
        # a port and a path (``http://localhost:5173/@vite/client``).
        # (the user may be an e-mail address, ``smtp://alerts@example.com:v@host``; the
        # host may be empty, a Unix socket's URL, ``postgresql://app:v@/db?host=/run``,
        # or percent-encoded, ``@%2Frun%2Fpostgresql``)
        r"://(?P<user>[^\s/?#:'\"<>]{0,128}):(?P<s>[^\s?#@'\"<>]{1,256})"
        r"@(?=[\w\[/%])",
        keep=0,
        kind="password",
        max_len=400,
        start_at="://",
        # (unbounded, without start of match: bounded repeats and tracking a match's
        # start cost every scan; the ``@`` it ends at is the anchor the engine reads)
        gate=r"""://[^\s/?#:'"<>]*:[^\s?#@'"<>]+@[\w\[/%]""",
        gate_window=400,
    ),
    # A token as a URL's user, without a password (``https://<token>@host``: git
    # remotes, Sentry DSNs, webhook and API URLs); only a value that looks generated,
    # of 16 characters or more (``ssh://git@host``, ``https://alice.smith@host`` stay).
    Rule(
        "url-token-user",
        ("@",),
        # (not a Sentry DSN's public key, ``https://<key>@o1.ingest.sentry.io/2``: Sentry
        # publishes DSNs in web pages, and they only let one send events; a DSN's path is
        # its project's number, where a git remote's is a repository)
        # (base64's padding may end the token: ``https://<token>=@host``)
        r"://(?P<s>[A-Za-z0-9_.~+\-]{16,4096}={0,2})@(?=[\w\[])"
        r"(?![\w.\-]*\b(?i:sentry\.io)(?::\d{1,5})?/\d{1,12}/?(?![\w./\-]))",
        keep=0,
        kind="generated",
        max_len=4200,
        start_at="://",
        gate=r"://[A-Za-z0-9_.~+\-]{16}[A-Za-z0-9_.~+\-]*={0,2}@[\w\[]",
        gate_window=4200,
    ),
    Rule(
        "curl-user",
        # (HTTPie's and xh's ``-a``/``--auth`` too: ``-a`` only right after the command)
        (
            *("-u ", "-u\t", "--user ", "--user=", "-u'", '-u"', "--auth ", "--auth="),
            *("http -a ", "https -a ", "xh -a ", "xhs -a "),
        ),
        r"""(?<![\w\-])(?:-u|--user|--auth|(?:https?|xhs?) -a)(?:[ \t=]{1,8}|(?=["']))"""
        r"""(?P<q>["'])?(?P<user>[^\s"':]{0,128})["']?:["']?"""
        # (in quotes, blanks may stand inside the password, as in an application
        # password's groups: ``-u "bob:abcd efgh ijkl mnop"``)
        r"""(?P<s>(?(q)[^\s"']{1,256}(?:[ \t][^\s"']{1,64}){0,7}(?=["'])|[^\s"']{1,256}))""",
        keep=0,
        kind="password",
    ),
    # PowerShell's secure string from a literal (``ConvertTo-SecureString "v"
    # -AsPlainText -Force``, how scripts build a ``PSCredential``): the first quoted
    # argument of the same command, when ``-AsPlainText`` is one of its parameters.
    Rule(
        "powershell-securestring",
        ("ConvertTo-SecureString", "convertto-securestring", "CONVERTTO-SECURESTRING"),
        r"""(?i:ConvertTo-SecureString)(?=[^\n|;]{0,1280}?[ \t]-(?i:AsPlainText)\b)"""
        r"""[^\n|;"'`]{0,128}?(?P<q>["'])(?P<s>(?:(?!(?P=q))[^\n]){1,1024})(?P=q)""",
        keep=0,
        kind="password",
        max_len=1300,
    ),
    # A client built from a literal alone, the way SDKs take their key (``new
    # ZentrixClient("v")``, ``zentrix.Client('v')``, Go's ``zentrix.New("v")`` and
    # ``NewClient("v")``): only a value that looks generated, of 16 characters or more
    # (``HttpClient("https://...")``, ``NewClient("localhost:6379")`` stay).
    Rule(
        "client-literal",
        ('Client("', "Client('", '.New("', ".New('"),
        # (``uuid.New("<uuid>")`` parses an id)
        r"""(?:Client\(|\.New\((?![ \t]{0,8}["'][0-9a-fA-F]{8}-[0-9a-fA-F]{4}-))"""
        r"""[ \t]{0,8}["'](?P<s>[A-Za-z0-9+/=_\-.~]{16,4096})["'][ \t]{0,8}[,)]""",
        keep=0,
        kind="generated",
        max_len=4200,
    ),
    # An SDK built from a literal alone under the vendor's own name (``new
    # Klipfolio("v")``, ``new Mailgun("v", {timeout: 30})``, PHP's ``new
    # \Vendor\Sdk('v')``, ``new ethers.Wallet("v")``): only a value that looks generated,
    # of 16 characters or more, and not when the class holds an id, a hash, an address,
    # a public key or plain data (``new ObjectId("<hex>")``, ``new PublicKey("<base58>")``,
    # ``new Buffer("<base64>", "base64")``, ``new BigNumber("<digits>")``).
    Rule(
        "constructor-literal",
        ("new ",),
        r"""(?<![\w$.])new[ \t]{1,8}"""
        rf"""(?![\w$.\\]{{0,200}}?(?:{_NOT_SDK_CLASS})(?![a-z]))"""
        r"""(?:[A-Za-z_$][\w$]{0,40}\.|\\?[A-Z]\w{0,40}\\){0,4}[A-Z][\w$]{1,60}"""
        # (type arguments, ``new Client<Config>("v")``, and the literal on the next line)
        r"""(?:<[\w$.,<> \t]{0,80}>)?[ \t]{0,8}\([ \t]{0,8}(?:\r?\n[ \t]{0,40})?"""
        rf"""["'`]{_NOT_SDK_VALUE}(?P<s>[A-Za-z0-9+/=_\-.~]{{16,4096}})["'`][ \t]{{0,8}}[,)\r\n]""",
        keep=0,
        kind="generated",
        max_len=4600,
        # (a pattern per blank: Hyperscan finds it by ``new `` with what follows it)
        gate=r"""new[ \t]+[A-Za-z_$\\][\w$.\\]*(?:<[\w$.,<> \t]*>)?[ \t]*\([ \t]*"""
        r"""(?:\r?\n[ \t]*)?["'`][A-Za-z0-9+/=_\-.~]{16}""",
        gate_window=320,
    ),
    # The same without ``new``, as Python, Kotlin, Scala and Rust build one, assigned:
    # ``client = Vimeo("v")``, ``api = shopify.Session("v")``, ``let c =
    # Vimeo::new("v");`` (read from the ``=`` before the call), with the same exclusions
    Rule(
        "assigned-constructor-literal",
        ('("', "('", "(\n", "(\r\n", '(b"', "(b'", '(f"', "(f'", '(r"', "(r'"),
        r"""=(?<![=!<>]=)(?!=)[ \t]{0,8}(?:await[ \t]{1,8})?"""
        rf"""(?![\w$.:]{{0,200}}?(?:{_NOT_SDK_CLASS})(?![a-z]))"""
        r"""(?:[A-Za-z_][\w]{0,40}(?:\.|::)){0,4}[A-Z][\w]{1,60}(?:::new|\.new)?"""
        # (the literal on the next line, as formatters wrap it; a string's prefix, Rust's
        # ``.to_string()``)
        r"""\((?:\r?\n[ \t]{0,40})?[bBfFrRuU]?["']"""
        rf"""{_NOT_SDK_VALUE}(?P<s>[A-Za-z0-9+/=_\-.~]{{16,4096}})["']"""
        r"""(?:\.(?:to_string|to_owned|into)\(\))?[ \t]{0,8}[,)\r\n]""",
        keep=0,
        kind="generated",
        max_len=240,
        start_at="=",
        gate=r"""\((?:\r?\n[ \t]{0,40})?[bBfFrRuU]?["'][A-Za-z0-9+/=_\-.~]{16}""",
        # (found by the capitalized callee before the literal, each form a pattern with a
        # literal of its own: an optional run between ``(`` and the quote made Hyperscan
        # start at every ``(`` of a log; the ``=`` read in Python)
        hs_gates=tuple(
            (rf"""[A-Z][\w]{{1,60}}(?:::new|\.new)?\({opening}[A-Za-z0-9+/=_\-.~]{{16}}""", 120)
            for opening in (
                r"""["']""",
                r"""[bBfFrRuU]["']""",
                r"""\r?\n[ \t]{0,40}[bBfFrRuU]?["']""",
            )
        ),
    ),
    # A literal compared with what a secret-named lookup returns (``os.getenv("API_KEY")
    # == "v"``, ``request.headers.get("X-Api-Key") != "v"``, ``$req->input('api_key')
    # !== 'v'``), judged under the last name before the operator; a comparison with a
    # secret name itself is ``secret-assignment``'s.
    Rule(
        "compared-literal",
        (
            *(op + q for op in ("== ", "!= ", "==", "!=") for q in "\"'"),
            *(op + end for op in ("==", "!=") for end in ("\n", " \n", "\r\n", " \\\n")),
        ),
        # (read from up to 170 characters before the operator, lines before it too)
        # (the operator or the value may start the next line, as formatters wrap a long
        # condition)
        # (a lookup's default after the name: ``os.getenv("API_KEY", "") == "v"``)
        r"""(?s:.){0,170}?(?<![\w\-])(?P<n>[A-Za-z_][\w\-]{0,63})(?:["'`]?(?:,[ \t]{0,4}"""
        r"""(?:"[^"\n]{0,64}"|'[^'\n]{0,64}'|[\w.]{1,32}))?[\])]{0,2}(?:\(\))?)?"""
        r"""[ \t]{0,4}(?:\r?\n[ \t]{0,40})?(?:===?|!==?)[ \t]{0,4}(?:\\?\r?\n[ \t]{0,40})?"""
        r"""[bBrRuU]?(?P<q>["'])(?P<s>(?:(?!(?P=q))[^\n\\]){1,1024})(?P=q)""",
        back=170,
        keep=0,
        kind="named",
        max_len=1400,
        # (the operators written out: a class before them cost every scan of a log 2%)
        gate=(
            r"""(?:== ?|!= ?|=== ?|!== ?)[bBrRuU]?["'][^"'\n\\]{6}"""
            r"""|(?:==|!=|===|!==)[ \t]{0,4}\\?\r?\n[ \t]{0,40}[bBrRuU]?["'][^"'\n\\]{6}"""
        ),
        gate_window=64,
    ),
    # A literal on the left of a comparison with a secret name (``if "v" == api_key``,
    # ``"v" != $password``, ``"v" == os.environ["API_KEY"]``, ``"v" ==
    # os.getenv("API_KEY")``), judged under the name (the key of a subscript or the
    # argument of a lookup, when there is one).
    Rule(
        "literal-compared",
        tuple(q + op for q in "\"'" for op in (" ==", " !=", "==", "!=")),
        r"""(?s:.){0,170}?(?<![\w\\])(?P<q>["'])(?P<s>[^"'\n\\]{6,160})(?P=q)[ \t]{0,4}"""
        r"""(?:===?|!==?)[ \t]{0,4}[$@]?(?:[\w]{1,64}\.){0,4}(?P<n>[A-Za-z_]\w{0,63})"""
        r"""(?:[\[(]["'](?P<m>[A-Za-z_][\w\-]{0,63})["'])?""",
        back=170,
        keep=0,
        kind="named",
        max_len=400,
        gate=r"""["'][ \t]{0,4}(?:===?|!==?)[ \t]{0,4}[$@]?[A-Za-z_]""",
        gate_window=200,
    ),
    # A literal a secret-named value is checked against by a call (``apiKey.equals("v")``,
    # ``hmac.compare_digest(token, "v")``, ``string.Equals(apiKey, "v")``), judged under
    # that name.
    Rule(
        "equals-call",
        (
            *(".equals(", ".Equals(", ".equalsIgnoreCase(", ".eq(", "compare_digest(", "Equals("),
            # (a test's assertion: ``assertEqual(client.api_key, "v")``, ``assert_eq!``,
            # ``expect(config.apiKey).toBe("v")``, RSpec's ``.to eq("v")``)
            *("assertEqual(", "assertEquals(", "assert_eq!(", ".toBe(", ".toEqual(", ".to eq"),
            *(".toStrictEqual(", ".to.equal(", ".to.eq(", ".isEqualTo(", "Equal(", "AreEqual("),
        ),
        # (arguments one per line, as black wraps a long call; Go's ``assert.Equal(t, x,
        # "v")``; a subscript's key as the name, ``compare_digest(headers["X-Api-Key"],
        # "v")``; a bytes literal)
        r"""(?s:.){0,80}?(?:(?<![\w\-])(?P<n>[A-Za-z_]\w{0,63})(?:\.(?:equals|equalsIgnoreCase"""
        r"""|Equals|eq)\(|(?:\(\))?\)\.(?:toBe|toEqual|toStrictEqual|to\.equal|to\.eq|isEqualTo)"""
        r"""\(|\)\.to eq(?:\(|[ \t]{1,4}(?=[bB]?["'])))|(?:compare_digest|Equals|Equal|AreEqual"""
        r"""|assertEquals?|assert_eq!)\(\s{0,40}(?:t,\s{0,40})?(?:[\w.]{0,64}(?:\.|\[["']))?"""
        r"""(?P<m>[A-Za-z_][\w\-]{0,63})(?:["']\])?(?:\(\))?,)"""
        r"""\s{0,40}[bB]?(?P<q>["'])(?P<s>(?:(?!(?P=q))[^\n\\]){1,1024})(?P=q)""",
        back=80,
        keep=0,
        kind="named",
        max_len=1200,
    ),
    # A secret a REPL or a shell echoed: the prompt's line ends with an expression naming
    # it, the next line is the value alone (``>>> os.environ["API_KEY"]`` then
    # ``'v'``; Node's ``> process.env.API_KEY``, irb's ``=> "v"``, IPython's ``Out[3]:``,
    # ``$ echo $API_KEY``, PowerShell's ``$env:API_KEY``), judged under the last name
    Rule(
        "repl-echo",
        (
            *(">>> ", "> ", "$ ", "% ", "In [", "irb(", "PS ", "PS>", ")> ", "$ echo ", "# echo "),
            # (a debugger's: ``(Pdb) p self.api_key``, ``(gdb) p cfg->token``, ``ipdb>``)
            *("(Pdb) ", "(gdb) ", "(lldb) ", "ipdb> ", ">> "),
        ),
        # (a prompt at the line's start or after an indent, a doctest's; irb's and a Rails
        # console's or pry's ``(main)>``; a shell's ``user@host:~$ echo``)
        r"""(?:""" + _LINE_START_INDENTED + r""">>>|(?<![^\n])(?:>>?|\$|%|In[ \t]\[[0-9]{1,6}\]:"""
        r"""|irb\(\w{1,20}\):[0-9]{1,5}(?::[0-9]{1,3})?>|PS(?:[ \t][^>\r\n]{1,120})?>"""
        r"""|\((?:Pdb|gdb|lldb)\)|ipdb>)"""
        r"""|\)>|(?<=[\w~/\]])[$#](?=[ \t]{1,4}(?:echo|printenv)[ \t]))[ \t]{1,4}"""
        r"""(?:(?:echo|printenv|puts|p|print|Write-Output)[ \t]{1,4}|(?:print|console\.log)\()?"""
        # (the expression: a path of attributes, subscripts, ``${NAME}``, ``$env:NAME``)
        r"""["']?(?:[\w.$:]|->){0,80}?(?:\[["'][\w.\-]{1,64}["']\]){0,4}"""
        r"""(?:\[["']|\(["']|\.|->|\$\{?|env:)?"""
        r"""(?P<n>[A-Za-z_][\w\-]{0,80})(?:["']?[\])}]){0,3}["']?[ \t;]*\r?\n"""
        r"""[ \t]{0,8}""" + _ECHOED_HEAD + r"""(?P<q>["']?)(?P<s>[^\s"']{6,4096})(?P=q)"""
        r"""[ \t]*(?:\r?\n|$)""",
        keep=0,
        kind="named",
        max_len=4600,
        gate=(
            r"""(?:>>>|>|\$|%|#|In[ \t]\[[0-9]{1,6}\]:|irb\(|PS[ \t>]|\)>|\((?:Pdb|gdb|lldb)\)"""
            r"""|ipdb>)[^\r\n]{1,240}\r?\n"""
            r"""[ \t]{0,8}""" + _ECHOED_HEAD + r"""["']?[^\s"']{6}"""
        ),
        hs_gates=(
            (
                # (an indent before a doctest's ``>>>`` only: before any prompt, every
                # line break of a log started the pattern)
                r"""(?:\n(?:>>>[ \t]|>>?[ \t]|\$[ \t]|%[ \t]|In[ \t]\[[0-9]{1,6}\]:|irb\("""
                r"""|PS[ \t>]|\((?:Pdb|gdb|lldb)\)[ \t]|ipdb>[ \t])"""
                r"""|\n[ \t]{1,8}>>>[ \t]"""
                r"""|\)>[ \t]|[$#][ \t]{1,4}(?:echo|printenv)[ \t])[^\r\n]{1,240}\r?\n"""
                r"""[ \t]{0,8}""" + _ECHOED_HEAD + r"""["']?[^\s"']{6}""",
                300,
            ),
        ),
    ),
    # A value alone on the line after its name and a colon: YAML's plain scalar on the
    # next line (``api_key:`` then ``  v``), prose (``The Gitea token is:``, a blank line,
    # then ``    v``), judged under the name; the line holds the value alone
    Rule(
        "value-next-line",
        _NEXT_LINE_ANCHORS,
        r"""(?s:.){0,80}(?<![\w.\-])(?!is:)(?P<n>[A-Za-z][\w.\-]{0,63})(?:[ \t]{1,4}is)?:"""
        r"""[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]{0,16}(?P<q>["'`]?)(?P<s>[^\s"'`]{8,4096})(?P=q)"""
        r"""[ \t]*(?=\r?\n|$)""",
        back=80,
        keep=0,
        kind="named",
        max_len=4300,
        gate=_NEXT_LINE_GATE.format(words=_ANY_WORD_RE),
        hs_gates=(
            (_NEXT_LINE_GATE.format(words=_PASSWORD_WORDS_CASED), 150),
            (_NEXT_LINE_GATE.format(words=_OTHER_WORDS_CASED), 150),
        ),
    ),
    # PHP's ``var_dump``, a value under its key: ``["api_key"]=>`` then ``string(32)
    # "v"``, judged under the key
    Rule(
        "php-var-dump",
        ('"]=>',),
        r"""(?s:.){0,70}\["(?P<n>[A-Za-z_][\w.\-]{0,63})"\]=>\s{1,40}string\([0-9]{1,5}\)[ \t]"""
        r"""(?P<q>")(?P<s>[^"\n]{1,4096})(?P=q)""",
        back=70,
        keep=0,
        kind="named",
        max_len=4300,
    ),
    # A secret a command printed: the command's line reads one from a secret store or a
    # credential helper (``op read op://...``, ``kubectl get secret ... | base64 -d``,
    # ``vault kv get -field=password``, ``aws secretsmanager get-secret-value``, ``gcloud
    # secrets versions access``, ``az keyvault secret show``, ``security
    # find-generic-password -w``, ``pass show``, ``cat /run/secrets/db``, ``heroku
    # config:get``, ``doppler secrets get``, ``bw get``, ``lpass show``, ``gh auth
    # token``, ``gcloud auth print-access-token``, ``az account get-access-token``, ``aws
    # configure get``), the next line is its output alone; judged in
    # ``_context.printed_secret_accepted``
    Rule(
        "printed-secret",
        _PRINTING_COMMANDS,
        # (the output after a blank line too)
        r"""(?:""" + "|".join(map(re.escape, _PRINTING_COMMANDS)) + r""")[^\r\n]{0,300}\r?\n"""
        r"""(?:[ \t]*\r?\n)?[ \t]{0,8}(?P<q>["']?)(?P<s>[^\s"']{8,4096})(?P=q)[ \t]*(?=\r?\n|$)""",
        keep=0,
        kind="printed",
        max_len=4500,
    ),
    # A value after a secret's name in bold, as Markdown notes and chat messages label
    # one (``**API Key**: v``, ``- **Password:** v``, ``**Token** - v``, a table's ``|
    # **API Key** | v |``), the value bare, in backticks or in bold, judged under the name
    Rule(
        "markdown-label",
        ("**:", ":**", "** :", "**=", "** =", "** -", "**|", "** |", "** \u2014", "** \u2013"),
        r"""\*\*(?P<n>[A-Za-z][\w.\-]{0,40}(?:[ \t][A-Za-z0-9][\w.\-]{0,40}){0,3})"""
        r"""(?:\*{2,3}[ \t]{0,4}[:=|\-\u2013\u2014]|[ \t]{0,4}:[ \t]{0,4}\*{2,3})[ \t]{0,8}"""
        r"""(?P<q>`|\*\*)?"""
        # (a star inside a password: ``4Pm0Sj*Pz1dx``)
        r"""(?P<s>[^\s`*|](?:[^\s`*|]|\*(?=[^\s`*|])){5,1023})(?(q)(?P=q))(?![^\s`*|])""",
        keep=0,
        kind="named",
        max_len=200,
        start_at="**",
    ),
    # WordPress's keys and salts (``define('AUTH_KEY',         '<64>');`` as its salt
    # service prints them, Bedrock's ``AUTH_SALT='<64>'``, ``wp config set AUTH_KEY
    # '<64>'``, ``putenv('AUTH_KEY=<64>')``, a compose list's ``- WORDPRESS_AUTH_KEY=<64>``):
    # 64 characters of its generator's alphabet, brackets and all (which read as code or
    # a template under any other name)
    Rule(
        "wordpress-auth-key",
        ("AUTH_KEY", "AUTH_SALT", "LOGGED_IN_KEY", "LOGGED_IN_SALT", "NONCE_KEY", "NONCE_SALT"),
        r"""(?:AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)"""
        r"""(?:\\?["']\]?[ \t]{0,16}(?:,|=>|=)|["']?[ \t]{0,16}[=:]|[ \t]{1,16}(?=["']))"""
        r"""[ \t]{0,16}(?P<q>\\?["'])?"""
        r"""(?P<s>(?=[^'"\\\r\n]{0,63}[0-9])(?=[^'"\\\r\n]{0,63}[^A-Za-z0-9'"\\\r\n])"""
        r"""[^'"\\\r\n]{64})(?(q)\\?["']|(?=["']|\r?\n|$))""",
        keep=0,
        kind="format",
    ),
    # A literal its author declared secret: pydantic's ``SecretStr("v")`` and
    # ``SecretBytes(b"v")``, under any name or none (``Settings(api_key=SecretStr("v"))``).
    Rule(
        "secret-wrapper",
        (
            *("SecretStr(", "SecretBytes(", "SecretStr =", "SecretStr=", "SecretStr] ="),
            *("SecretStr | None =", "SecretBytes =", "SecretBytes] ="),
        ),
        # (over lines as black wraps it, with a string prefix, triple-quoted, or with
        # JSON-escaped quotes; also a field's default, ``openai: SecretStr = "v"``)
        r"""Secret(?:Str|Bytes)(?:\(\s{0,40}|\]?(?: \| None)?[ \t]{0,4}=[ \t]{0,4})"""
        r"""[bBrRuUfF]{0,2}\\{0,7}(?P<q>["'])(?:(?P=q)(?P=q))?"""
        r"""(?P<s>(?:(?!(?P=q))[^\n\\]){1,1024})\\{0,7}(?P=q)""",
        keep=0,
        kind="password",
        max_len=1100,
    ),
    # A key given to an SDK's credential object: Azure's ``AzureKeyCredential("v")``,
    # ``AzureNamedKeyCredential("account", "v")``, ``AzureSasCredential("v")``, OpenAI's
    # and others' ``ApiKeyCredential("v")``: a literal there is the key (a name before
    # a second argument, ``AzureNamedKeyCredential("account", key)``, is none).
    Rule(
        "key-credential",
        ("KeyCredential(", "SasCredential("),
        r"""(?:Key|Sas)Credential\(\s{0,40}"""
        r"""(?:[bBrRuUfF@]{0,2}(?P<n>["'`])[^"'`\n]{1,128}(?P=n)\s{0,40},\s{0,40})?"""
        r"""[bBrRuUfF@]{0,2}\\{0,7}(?P<q>["'`])(?P<s>[^"'`\n\\]{8,1024})\\{0,7}(?P=q)"""
        r"""(?!\s{0,40},)""",
        keep=0,
        kind="password",
        max_len=1400,
    ),
    # A user and a password as a call's arguments: HTTP clients' basic auth
    # (``auth=("user", "v")``, ``HTTPBasicAuth(user, "v")``, ``SetBasicAuth``),
    # ``NetworkCredential``, ``UsernamePasswordCredentials``, ``PasswordAuthentication``,
    # Go's ``smtp.PlainAuth(identity, "user", "v", host)``, a client's
    # ``.login("user", "v")`` or ``.auth("user", "v")``, OkHttp's ``Credentials.basic``;
    # one argument per line or aligned, string prefixes (``b"v"``), backticks,
    # JSON-escaped quotes. The user may be a variable; the password is a literal with no
    # blank (``login("admin", "login failed")`` is a message). Under the plain
    # ``auth``/``login`` the value must look generated (``app.auth("region",
    # "us-east-1")`` is no password); under a name that only takes a password, it is
    # judged as under a password name.
    Rule(
        "credential-call",
        _CREDENTIAL_CALLS,
        rf"""(?<![A-Za-z0-9])(?:{_THIRD_ARGUMENT_CALLS}{_CALL_OPEN}"""
        rf"""(?:{_call_string("0", 0, 128)}|{_CALL_EXPRESSION}){_CALL_NEXT}"""
        rf"""|(?:(?:{_CREDENTIAL_CALL_RE})[ \t]{{0,4}}(?:[:=][ \t]{{0,4}})?\("""
        r"""|(?:basic_auth|basicAuth)(?=[ \t])|(?<=["'])auth["'][ \t]{0,4}=>[ \t]{0,4}\["""
        r"""|(?P<generic>(?<=\.)(?:auth|login)[ \t]{0,4}\(|(?:auth|AUTH) ?=[ \t]{0,4}\()))"""
        rf"""{_CALL_BLANKS}(?:{_call_string("1", 0, 128)}|{_CALL_EXPRESSION}){_CALL_NEXT}"""
        rf"""(?:Some\({_CALL_BLANKS})?{_call_string("", 4, 1024, secret=True)}""",
        keep=0,
        kind="argument",
        max_len=2200,
        # (each form a pattern of its own, its literal as long as it is fixed: ``auth``
        # alone would start this work at every ``auth`` of a log)
        hs_gates=tuple(
            (head + _CALL_REST_GATE, 2200)
            for head in (
                rf"""{_THIRD_ARGUMENT_CALLS}{_CALL_OPEN}"""
                rf"""(?:{_CALL_STRING_GATE}|{_CALL_EXPRESSION_GATE})""" + _CALL_NEXT,
                rf"(?:{_CREDENTIAL_CALL_RE})[ \t]{{0,4}}(?:[:=][ \t]{{0,4}})?\(",
                r"(?:basic_auth|basicAuth)[ \t]{1,4}",
                r"""["']auth["'][ \t]{0,4}=>[ \t]{0,4}\[""",
                r"\.(?:auth|login)\(",
                r"\.(?:auth|login)[ \t]{1,4}\(",
                r"(?:auth|AUTH)=[ \t]{0,4}\(",
                r"(?:auth|AUTH) =[ \t]{0,4}\(",
            )
        ),
    ),
    # A password given on a command line to the tools that take one there: MySQL's and
    # MariaDB's glued ``-p<password>`` (``-p <db>`` asks for it), ``sshpass -p``,
    # ``redis-cli -a``, and ``-p`` of a registry ``login`` (``docker login -u u -p v``)
    # or ``az login``;
    # their long options (``--password=v``) are names the context rules read.
    Rule(
        "cli-password",
        _CLI_PASSWORD_COMMANDS,
        rf"""(?:(?<![\w\-])(?:{_CLI_MYSQL}{_CLI_ARGS}[ \t]-p"""
        rf"""|sshpass{_CLI_ARGS}[ \t]-p[ \t]{{0,4}}"""
        rf"""|redis-cli{_CLI_ARGS}[ \t]-a[ \t]{{1,4}}"""
        rf"""|{_CLI_LOGIN}{_CLI_ARGS}[ \t]-p(?:[ \t]{{1,4}}|=|(?=[^\s\-]))"""
        # (an archive's password: ``zip -P v``, ``zip -rP v``, ``unzip -Pv``, ``7z a
        # -pv``; a Java keystore's, ``keytool -storepass v -keypass v``; a token given to
        # ``vault login``, after its options)
        rf"""|(?<!\.)(?:zip|unzip)(?:\.exe)?{_CLI_ARGS}[ \t]-(?:r|q|j|9|rq|qr)?P[ \t]{{0,4}}"""
        rf"""|(?:7z[arz]?|(?:un)?rar)(?:\.exe)?["']?{_CLI_ARGS}[ \t]-p(?=[^\s\-])"""
        r"""|vault login (?:-[\w\-]{1,32}(?:=[^\s]{1,256})?[ \t]{1,4}){0,4}"""
        r"""(?=[A-Za-z0-9._]{16,256}(?![^\s]))"""
        # (a database's or a directory's client: ``mongosh -u u -p v``, ``ldapsearch -D dn
        # -w v``, ``smbclient -U user%v``, ``lftp -u user,v``, ``openssl enc -k v``)
        rf"""|mongo(?:sh|dump|restore|export|import|stat|top)?(?:\.exe)?{_CLI_ARGS}"""
        r"""[ \t]-p[ \t]{1,4}(?=[^\s\-])"""
        r"""|ldap(?:search|add|modify|delete|passwd|whoami|compare|modrdn)"""
        rf"""{_CLI_ARGS}[ \t]-w[ \t]{{1,4}}"""
        rf"""|smbclient{_CLI_ARGS}[ \t]-U[ \t]{{0,4}}[^\s%]{{1,64}}%"""
        rf"""|lftp{_CLI_ARGS}[ \t]-u[ \t]{{1,4}}[^\s,]{{1,64}},"""
        rf"""|openssl{_CLI_ARGS}[ \t]-k[ \t]{{1,4}}"""
        # (any command's user and password options in a row, ``-u admin -p v``,
        # ``-U admin -P v``, ``--user admin -p v``; not ``curl -u user:v -p``, where
        # ``-p`` takes no value, nor MySQL's ``-p db``, read in Python)
        rf"""|(?P<pair>(?<![\w\-])(?:-[uU]=|(?:-[uU]|--user(?:name)?){_CLI_USER_BLANKS})"""
        rf"""{_CLI_USER}-[pP])(?:[ \t]{{1,4}}|=)(?=[^\s\-])"""
        # (a package registry's token or password: ``twine upload -u __token__ -p v``,
        # ``poetry publish -p v``, ``vsce publish -p v``, ``ovsx publish -p v``; SQL
        # Server's ``sqlcmd -P v``; DigitalOcean's and Codecov's ``-t v``)
        r"""|(?:twine(?:\.exe)?[ \t]+upload|poetry(?:\.exe)?[ \t]+publish"""
        rf"""|(?:vsce|ovsx)(?:\.cmd)?){_CLI_ARGS}[ \t](?:-p|--pat)(?:[ \t]{{1,4}}|=)"""
        rf"""|sqlcmd(?:\.exe)?{_CLI_ARGS}[ \t]-P[ \t]{{0,4}}"""
        # (also Codecov's uploader fetched by its URL, ``bash <(curl codecov.io/bash) -t v``)
        rf"""|(?:doctl(?:\.exe)?|codecov[^\s]{{0,64}}){_CLI_ARGS}[ \t]-t(?:[ \t]{{1,4}}|=)"""
        # (``htpasswd -b file user v``, the password after the file and the user)
        r"""|htpasswd[ \t]+(?:-[A-Za-z]{1,8}[ \t]+){0,4}?-[A-Za-z]{0,7}b[A-Za-z]{0,7}"""
        # (with ``-n``, no file: ``htpasswd -nb user v``; a cost's argument, ``-C 10``)
        r"""(?:[ \t]+-[A-Za-z]{1,8}){0,4}(?:[ \t]+[^\s\-][^\s]{0,255}){1,3}[ \t]+)"""
        r"""|-(?:src|dest)?(?:store|key)pass(?:[ \t]{1,4}|[ \t]*\\\r?\n[ \t]{0,40}))"""
        + _CLI_VALUE,
        keep=0,
        kind="argument",
        max_len=700,
        # (found by the option and the password's first characters, the command read in
        # Python: a gate from each command word to its option stays active to the end of
        # the line, and costs every scan of a log that names ``docker`` a tenth)
        hs_gates=(
            (r"[ \t]-p=?" + _CLI_VALUE_START, 700),
            (r"[ \t]-[pPa][ \t]{1,4}" + _CLI_VALUE_START, 700),
            # (zip's flags before its ``P``, spelled out: a class there costs every scan)
            (r"[ \t]-(?:r|q|j|9|rq|qr)?P(?:[ \t]{0,4}|=)" + _CLI_VALUE_START, 700),
            (r"[ \t]-[wkUut][ \t]{1,4}" + _CLI_VALUE_START, 700),
            (r"[ \t]-t=" + _CLI_VALUE_START, 700),
            (r"[ \t]--pat(?:[ \t]{1,4}|=)" + _CLI_VALUE_START, 700),
            (r"htpasswd[ \t]+(?:-[A-Za-z]{1,8}[ \t]+){0,4}-[A-Za-z]{0,7}b", 700),
            # (each option and ``vault login`` spelled out: one literal each)
            (
                "(?:" + "|".join(_CLI_PASSWORD_COMMANDS[-6:]) + r")(?:[ \t]{1,4}|[ \t]*\\\r?\n"
                r"[ \t]{0,40})" + _CLI_VALUE_START,
                700,
            ),
            (r"vault login [^\s]" + _CLI_VALUE_START, 700),
        ),
    ),
    # A secret's value given on the command line of the tools that store one: GitHub's
    # ``gh secret set NAME --body v``, Azure's ``az keyvault secret set ... --value v``,
    # AWS's ``aws ssm put-parameter ... --type SecureString --value v``, Vercel's ``vercel
    # env add NAME production <<< "v"``. Judged as a
    # password; variables (``--body "$TOKEN"``) stay.
    # (and NuGet's key, ``nuget push a.nupkg -k v``, ``/ApiKey v``, also ``dotnet nuget
    # push``)
    Rule(
        "cli-secret-value",
        (
            *("secret set", "env add", "put-parameter", "nuget push", "choco", "cargo login"),
            "pypi-token.",
            *("http-basic.", "--with-token", "set-agent-token", "bw", "nuget", "cargo"),
        ),
        rf"""(?:(?:(?:(?<=\bgh )|(?<=keyvault ))secret[ \t]+set|(?<=\bvercel )env[ \t]+add)"""
        rf"""{_CLI_ARGS}"""
        r"""(?:[ \t](?:--body|-b|--value)(?:[ \t]{1,4}|=|(?=["']))|[ \t]*<<<[ \t]{0,4})"""
        rf"""|put-parameter(?=(?:[^\n\\]|\\\r?\n|\\[^\r\n]){{0,512}}SecureString)"""
        rf"""{_CLI_ARGS}[ \t]--value(?:[ \t]{{1,4}}|=)"""
        rf"""|nuget[ \t]+push{_CLI_ARGS}[ \t](?:-k|[-/](?i:apikey)|--api-key)"""
        r"""(?:[ \t]{1,4}|=|:)"""
        # (NuGet's key after the package, Chocolatey's ``choco push|apikey -k v``)
        r"""|nuget(?:\.exe)?[ \t]+push[ \t]+(?:-[^\s]{1,64}[ \t]+){0,4}[^\s\-][^\s]{0,255}"""
        r"""\.s?nupkg[ \t]+(?=[^\s\-])(?![^\s]{0,255}\.s?nupkg(?![^\s]))"""
        # (and after the package and version it deletes, ``nuget delete Pkg 1.0.0 v``)
        r"""|nuget(?:\.exe)?[ \t]+delete[ \t]+[^\s\-][^\s]{0,255}[ \t]+[0-9][^\s]{0,64}"""
        r"""[ \t]+(?=[^\s\-])"""
        rf"""|choco(?:\.exe)?{_CLI_ARGS}[ \t](?:-k|--key|--api-?key)(?:[ \t]{{1,4}}|=)"""
        # (Cargo's ``cargo login v``, Poetry's ``poetry config pypi-token.pypi v`` and
        # ``http-basic.<repo> user v``, GitHub's ``gh auth login --with-token <<< v``,
        # Consul's ``consul acl set-agent-token agent v``, Bitwarden's ``bw unlock v``)
        # (a toolchain, ``cargo +nightly login v``; the end of options, ``login -- v``)
        r"""|cargo(?:\.exe)?(?:[ \t]+\+[\w.\-]{1,40})?[ \t]+login"""
        r"""(?:[ \t]+--registry(?:[ \t]+|=)[^\s]{1,64})?(?:[ \t]+--)?[ \t]+(?=[^\s\-])"""
        r"""|(?:pypi-token\.[\w\-]{1,64}|http-basic\.[\w\-]{1,64}[ \t]+[^\s\-][^\s]{0,127})[ \t]+"""
        r"""(?=[^\s\-])"""
        r"""|--with-token[ \t]*<<<[ \t]{0,4}|set-agent-token[ \t]+[\w\-]{1,40}[ \t]+"""
        # (Bitwarden's options before the password, ``bw unlock --raw v``; ``bw login
        # <email> v``)
        r"""|bw(?:\.exe)?[ \t]+(?:unlock|login(?:[ \t]+--[\w\-]{1,32})*[ \t]+"""
        r"""[^\s@\-][^\s@]{0,64}@[^\s]{1,255})"""
        r"""(?:[ \t]+--(?:raw|nointeraction|quiet|pretty|response|cleanexit))*[ \t]+(?=[^\s\-]))"""
        + _CLI_VALUE,
        keep=0,
        kind="argument",
        max_len=900,
        # (found by the option and the value's first characters, the command read in
        # Python)
        hs_gates=(
            (r"[ \t](?:--body|-b|--value)(?:[ \t]{1,4}|=)?" + _CLI_VALUE_START, 900),
            (r"<<<[ \t]{0,4}" + _CLI_VALUE_START, 900),
            (
                # (over a few of the shell's line continuations)
                r"nuget[ \t]+push[^\n]*(?:\\\r?\n[^\n]*){0,8}[ \t](?:-k|[-/](?i:apikey)|--api-key)"
                r"(?:[ \t]{1,4}|=|:)" + _CLI_VALUE_START,
                900,
            ),
            (r"nuget(?:\.exe)?[ \t]+push[ \t][^\n]*\.s?nupkg[ \t]+[^\s\-]" + _CLI_VALUE_START, 900),
            (r"choco[^\n]*[ \t](?:-k|--key|--api-?key)(?:[ \t]{1,4}|=)" + _CLI_VALUE_START, 900),
            (r"cargo(?:\.exe)?[ \t]+(?:\+[\w.\-]+[ \t]+)?login[ \t]", 900),
            (r"nuget(?:\.exe)?[ \t]+delete[ \t]", 900),
            (r"pypi-token\.[\w\-]+[ \t]" + _CLI_VALUE_START, 900),
            (r"http-basic\.[\w\-]+[ \t]+[^\s\-][^\s]*[ \t]+" + _CLI_VALUE_START, 900),
            (r"set-agent-token[ \t]+[\w\-]+[ \t]+" + _CLI_VALUE_START, 900),
            (r"bw(?:\.exe)?[ \t]+(?:unlock|login)[ \t]", 900),
        ),
    ),
    # A password file made of the password itself, by the shell's process substitution:
    # ``--password-file <(echo v)``, Ansible's ``--vault-password-file <(echo "v")``, GnuPG's
    # ``--passphrase-file <(printf '%s' v)``. The value ends at the closing bracket; a
    # variable (``<(echo $TOKEN)``) stays.
    Rule(
        "cli-password-file",
        ("password-file", "passphrase-file", "passwd-file", "pass-file"),
        r"""(?:password|passphrase|passwd|pass)-file(?:[ \t]{1,4}|=)<\([ \t]{0,4}"""
        r"""(?:echo(?:[ \t]+-[neE]{1,3})?|printf(?:[ \t]+(?P<f>["'])%s(?P=f))?)[ \t]+"""
        r"""(?P<q>["']?)(?P<s>[^\s"'|;&<>`()]{4,256})(?P=q)[ \t]*\)""",
        keep=0,
        kind="argument",
        max_len=400,
        hs_gates=((r"-file(?:[ \t]{1,4}|=)<\([ \t]{0,4}(?:echo|printf)", 400),),
    ),
    # A database user's password in SQL: MySQL's and Oracle's ``IDENTIFIED BY 'v'``
    # (``IDENTIFIED WITH mysql_native_password BY 'v'``; Oracle's unquoted
    # ``IDENTIFIED BY v``). Judged as a password. (PostgreSQL's ``PASSWORD 'v'`` is a
    # password word and its value, read by the context rules.)
    Rule(
        "sql-identified-by",
        ("IDENTIFIED", "identified", "Identified", "SET PASSWORD", "set password"),
        r"""(?:(?i:identified)\s{1,40}(?:(?i:with)\s{1,40}[\w$]{1,64}\s{1,40})?(?i:by)\s{1,40}"""
        # (unquoted only as a statement's end: prose says ``identified by <uuid>``; a
        # national string, ``N'v'``; not a bind variable or a template, ``:pw``, ``{pw}``;
        # quotes JSON-escaped in a log, ``\"v\"``)
        r"""(?:(?i:password)\s{1,40})?N?(?P<q>\\?['"`]?)(?P<s>[^\s'"`;:{$%@?\\][^\s'"`;\\]{0,255})"""
        r"""(?P=q)(?:(?<=['"`])|(?=[ \t]*;|\s{1,40}(?i:account|default|temporary|profile"""
        r"""|password|quota|container)\b))"""
        # MySQL's ``SET PASSWORD [FOR user] = 'v'``, also ``= PASSWORD('v')``
        r"""|(?i:set\s{1,40}password)(?:\s{1,40}(?i:for)\s{1,40}[^=;\n]{1,128}?)?\s{0,40}="""
        r"""\s{0,40}(?:(?i:(?:old_)?password)\(\s{0,8})?(?P<uq>\\?['"])(?P<u>[^'"\n\\]{1,256})(?P=uq))""",
        keep=0,
        kind="argument",
        max_len=400,
        # (to the value's quote or first character: ``reset password for user 42`` and
        # ``identified by email`` are no statements)
        hs_gates=(
            (
                r"""(?i:identified)\s{1,40}(?:(?i:with)\s{1,40}[\w$]{1,64}\s{1,40})?(?i:by)"""
                r"""\s{1,40}(?:(?i:password)\s{1,40})?N?\\?['"`]?[^\s'"`;:{$%@?\\]""",
                400,
            ),
            (
                r"""(?i:set\s{1,40}password)(?:\s{1,40}(?i:for)\s{1,40}[^=;\n]{1,128})?\s{0,40}="""
                r"""\s{0,40}(?:(?i:(?:old_)?password)\(\s{0,8})?\\?['"]""",
                400,
            ),
        ),
    ),
    # A secret-named column's value in an SQL ``INSERT INTO t (name, password) VALUES
    # ('bob', 'v')``: each value is judged under its column's name, as in an assignment.
    Rule(
        "sql-insert-values",
        ("INSERT", "insert", "Insert", "REPLACE", "replace", "Replace"),
        # (MySQL's ``REPLACE INTO``, ``INSERT IGNORE``, SQLite's ``INSERT OR REPLACE``)
        r"""(?i:insert|replace)\s{1,40}(?:(?i:ignore|or\s{1,40}[a-z]{1,10})\s{1,40})?(?i:into\s{1,40})?"""
        r"""[\w."`\[\]]{1,128}\s{0,40}\((?P<cols>[^()]{1,2048})\)"""
        # (``'it''s'`` read as two strings: one reading of each quote, so no input
        # makes the regex try many)
        r"""\s{0,40}(?i:values?)\s{0,40}\((?P<s>(?:'(?:[^'\\\n]|\\.){0,1024}'"""
        r"""|"(?:[^"\\\n]|\\.){0,1024}"|\((?:[^()'"]|'[^'\n]{0,256}'|\([^()]{0,256}\)){0,256}\)"""
        r"""|[^'"()]){1,256})\)""",
        keep=0,
        kind="columns",
        max_len=8192,
    ),
    # A table whose header names a secret column (``service,env,api_key,created``, then
    # its rows: CSV exports, ``;`` or tab separated): found by a secret word that ends a
    # header's field; the values under each secret-named column judged as under
    # their name (``_context.csv_value_spans``).
    Rule(
        "csv-column",
        tuple(
            word + delimiter
            for word in _CSV_WORD_LIST
            for delimiter in (
                ",",
                ";",
                "\t",
                "\n",
                "\r",
                '",',
                '";',
                '"\t',
                '"\n',
                '"\r',
                " |",
                "|",
            )
        ),
        # (the rows' start: ``_context`` reads them to the table's end)
        _CSV_WORDS + r"""[^\n]{0,65536}\n(?P<rows>)""",
        keep=0,
        kind="csv",
        max_len=8192,
        # (for Hyperscan, a pattern per delimiter, each a literal of the word and the
        # delimiter: one with a class of them, the word alone its literal, cost every
        # scan of a log 28%; a quoted name only as CSV quotes it, ``"api_key","``,
        # where JSON's ``".../key", "next"`` would send its records to Python; or before
        # a delimiter that ends the header's line, ``"id","api_key",``)
        hs_gates=tuple(
            (_CSV_WORDS + head, 16)
            for head in (
                *(",", ";", r"\t", r"\n", r"\r\n", r'"[,;\t]"', r'"\r?\n'),
                *(r'"[,;\t]\r?\n', r" \|", r"\|"),
            )
        ),
    ),
    # Every pair of a ``Cookie:`` or ``Set-Cookie:`` header, not only the first: a
    # session's cookie is usually behind analytics and preference ones (``_ga=...;
    # theme=dark; session=v``); each value judged by its name (``_context``).
    Rule(
        "cookie-header",
        (
            *("Cookie:", "cookie:", "COOKIE:", "Cookie'", 'Cookie"'),
            *("-b '", '-b "', "--cookie '", '--cookie "', "--cookie='", '--cookie="'),
        ),
        # (``Set-Cookie:`` read from its ``Cookie``; also the header quoted, as a dict of
        # headers prints it, ``{'Cookie': 'a=b; sid=v'}``, ``("Cookie", "...")``, and
        # curl's quoted ``-b``/``--cookie`` with a pair in it)
        r"""(?<!\w)(?:(?i:cookie):|Cookie["'][ \t]{0,8}[:,][ \t]{0,40}[bBrRuU]?["']"""
        r"""|(?<![\w\-])(?:-b|--cookie)[ =]["'](?=[^"'\s=;]{1,128}=))"""
        # (the pairs to the line's end: a value may be quoted, ``session="v"``; where the
        # header itself is quoted the pairs end at its closing quote)
        r"""[ \t]{0,40}(?P<s>[^\r\n]{1,8192})""",
        keep=0,
        kind="cookies",
        max_len=8300,
        # (a quoted header only with a pair's ``=`` in its first 128 characters, and
        # spelled as HTTP spells it: ``"cookie": "none"`` in a JSON record starts no
        # work)
        gate=(
            r"""(?:(?i:cookie):|Cookie["'][ \t]{0,8}[:,][ \t]{0,40}[bBrRuU]?["'])"""
            r"""[ \t]{0,40}[^"'\r\n]|(?:-b|--cookie)[ =]["'][^"'\s=;]{1,128}="""
        ),
        gate_window=200,
        hs_gates=(
            (r"(?:Cookie|cookie|COOKIE):", 8),
            (r"""Cookie["'][ \t]*[:,][ \t]*[bBrRuU]?["'][^"'\r\n=;]{1,128}=""", 200),
            (r"""(?:-b|--cookie)[ =]["'][^"'\s=;]{1,128}=""", 200),
        ),
    ),
    # A session's cookie written outside a ``Cookie`` header, judged by its name as in
    # one: a Netscape ``cookies.txt`` line (``<domain>\tTRUE\t/\tTRUE\t<expiry>\t<name>\t
    # <value>``), a HAR file's or a browser driver's pair (``{"name": "JSESSIONID",
    # "value": "v"}``), a client's call (``s.cookies.set('laravel_session', 'v')``,
    # ``res.cookie(...)``), and in prose a well-known session cookie
    # (``JSESSIONID=v``, ``_myapp_session=v``) whose value looks generated
    Rule(
        "session-cookie",
        (
            *("\tTRUE\t", "\tFALSE\t", '"name"', "'name'"),
            *("cookies.set(", "set_cookie(", ".cookie(", "setCookie(", "add_cookie("),
            *("JSESSIONID=", "PHPSESSID=", "ASP.NET_SessionId=", "connect.sid=", "_session="),
        ),
        r"""(?:\t(?:TRUE|FALSE)\t[0-9]{1,11}\t(?P<n1>[^\t\r\n]{1,128})\t(?P<s1>[^\t\r\n]{6,4096})"""
        # (only under a session's name: a HAR file's every header is such a pair)
        r"""|["']name["'][ \t]*:[ \t]*["'](?P<n2>[^"'\r\n]{0,64}"""
        r"""(?:[Ss][Ee][Ss][Ss]|[Ss][Ii][Dd]|\.AspNetCore|wordpress_)[^"'\r\n]{0,64})["']"""
        r"""[ \t]*,[ \t]*["']value["']"""
        r"""[ \t]*:[ \t]*["'](?P<s2>[^"'\r\n]{6,4096})["']"""
        r"""|(?:cookies\.set|set_cookie|\.cookie|setCookie|add_cookie)\([ \t]{0,8}["']"""
        r"""(?P<n3>[^"'\r\n]{1,128})["'][ \t]{0,8},[ \t]{0,8}["'](?P<s3>[^"'\r\n]{6,4096})["']"""
        # (a name ending in ``_session`` read back from its end, in Python)
        r"""|(?:(?<![\w.\-])(?P<n4>JSESSIONID|PHPSESSID|ASP\.NET_SessionId|connect\.sid)"""
        r"""|(?<=[A-Za-z0-9])_session)=(?P<s4>[^\s;&"'<>,]{16,4096}))""",
        keep=0,
        kind="cookie",
        max_len=4400,
        gate=(
            r"""\t(?:TRUE|FALSE)\t[0-9]{1,11}\t[^\t\r\n]{1,128}\t[^\t\r\n]{6}"""
            r"""|["']name["'][ \t]*:[ \t]*["'][^"'\r\n]{0,64}"""
            r"""(?:[Ss][Ee][Ss][Ss]|[Ss][Ii][Dd]|\.AspNetCore|wordpress_)[^"'\r\n]{0,64}["']"""
            r"""[ \t]*,[ \t]*["']value"""
            r"""|(?:cookies\.set|set_cookie|\.cookie|setCookie|add_cookie)\([ \t]{0,8}["']"""
            r"""|(?:JSESSIONID|PHPSESSID|ASP\.NET_SessionId|connect\.sid|_session)=[^\s;&"'<>,]{16}"""
        ),
        hs_gates=(
            (r"""\t(?:TRUE|FALSE)\t[0-9]{1,11}\t[^\t\r\n]{1,128}\t[^\t\r\n]{6}""", 170),
            (
                # (from the session's word: from ``"name"``, a JSON record's every name
                # started the pattern)
                r"""(?:[Ss][Ee][Ss][Ss]|[Ss][Ii][Dd]|\.AspNetCore|wordpress_)[^"'\r\n]{0,64}["']"""
                r"""[ \t]*,[ \t]*["']value["'][ \t]*:[ \t]*["'][^"'\r\n]{6}""",
                320,
            ),
            (
                r"""(?:cookies\.set|set_cookie|\.cookie|setCookie|add_cookie)\([ \t]{0,8}["']"""
                r"""[^"'\r\n]{1,128}["'][ \t]{0,8},[ \t]{0,8}["'][^"'\r\n]{6}""",
                320,
            ),
            (
                r"""(?:JSESSIONID|PHPSESSID|ASP\.NET_SessionId|connect\.sid|_session)"""
                r"""=[^\s;&"'<>,]{16}""",
                64,
            ),
        ),
    ),
    # A password echoed into a registry login (``echo "v" | docker login -u u
    # --password-stdin``, PowerShell's ``Write-Output "v" |``), or given to it as a
    # here-string (``--password-stdin <<< "v"``), judged as a password; a variable
    # (``echo $TOKEN``) stays.
    Rule(
        "cli-password-stdin",
        ("echo ", "printf ", "Write-Output ", "--password-stdin"),
        # (``printf '%s' v``; a line continuation after the pipe; ``sudo -E``)
        r"""(?:(?<![\w\-])(?:echo(?:[ \t]+-[neE]{1,2})*|printf(?:[ \t]+(["']?)%s(?:\\n)?\1)?"""
        r"""|Write-Output)[ \t]+"""
        # (a quoted password whole, whatever the shell would read in it bare: ``"a&b c"``)
        r"""(?P<q>["'])?(?P<s>(?(q)(?:(?!(?P=q))[^\r\n`$]){4,256}|[^\s"'|;&<>`$]{4,256}))"""
        r"""(?(q)(?P=q))[ \t]*\|[ \t]*(?:\\\r?\n[ \t]*)?"""
        r"""(?:sudo(?:[ \t]+-[A-Za-z]{1,8})*[ \t]+)?"""
        rf"""(?:{_CLI_STDIN_LOGIN}[^\n|;&]{{0,256}}?[ \t]--password-stdin"""
        # (GitHub's CLI reads a secret's value from its input: ``echo v | gh secret set X``,
        # and a token, ``| gh auth login --with-token``; ``sudo -S`` and ``passwd --stdin``
        # read a password)
        # (so do Vercel's ``env add``, Cloudflare's ``wrangler secret put`` and Docker's
        # ``secret create``)
        r"""|gh[ \t]+secret[ \t]+set|gh[ \t]+auth[ \t]+login[^\n|;&]{0,256}?[ \t]--with-token"""
        rf"""|{_STDIN_STORE_COMMANDS}"""
        r"""|sudo[ \t]+(?:-S|--stdin)|passwd[ \t]+--stdin|chpasswd)(?![\w\-])"""
        r"""|--password-stdin[ \t]*<<<[ \t]*(?P<uq>["'])?"""
        r"""(?P<u>(?(uq)(?:(?!(?P=uq))[^\r\n`$]){4,256}|[^\s"'|;&<>`$]{4,256}))"""
        r"""(?(uq)(?P=uq)|(?![^\s"'|;&<>`])))""",
        keep=0,
        kind="argument",
        max_len=900,
        # (found by its option, the command and the value read in Python)
        hs_gates=(
            (r"""[ \t]--password-stdin""", 900),
            (rf"""\|[ \t]*(?:\\\r?\n[ \t]*)?{_SUDO}gh[ \t]+secret[ \t]+set""", 900),
            (
                r"""\|[ \t]*(?:\\\r?\n[ \t]*)?[^\r\n|;&]{0,200}(?:vercel|wrangler|docker)"""
                r"""[^\r\n|;&]{0,600}[ \t](?:env[ \t]+add|secret[ \t]+(?:put|create))""",
                900,
            ),
            (r"""[ \t]--with-token""", 900),
            (
                rf"""\|[ \t]*{_SUDO}(?:sudo[ \t]+(?:-S|--stdin)|passwd[ \t]+--stdin|chpasswd)""",
                900,
            ),
        ),
    ),
    # An API key as curl's user, with an empty password or none (``curl -u KEY:``, as
    # Stripe and many APIs document it); only a value that looks generated.
    Rule(
        "curl-user-token",
        ("-u ", "-u\t", "--user ", "--user=", "-u'", '-u"'),
        # (read up to the command's first ``-u`` only: each anchor runs this from the
        # ``curl`` before it, and reading on past a short user to the next ``-u`` cost a
        # line of ``curl -u curl -u ...`` a read of 2,048 characters per anchor)
        r"""curl(?:(?!(?<![\w\-])(?:-u|--user)[ \t="'])(?:[^\n|;&\\]|\\\r?\n|\\|&(?!&))){0,2048}?"""
        r"""(?<![\w\-])(?:-u|--user)(?:[ \t=]{1,8}|(?=["']))["']?"""
        r"""(?P<s>[^\s"':]{16,4096})(?=["']?(?::["']?)?(?:[\s"']|$))""",
        keep=0,
        kind="generated",
        max_len=4200,
        # (``-u`` of other commands is a user, a file or ``uid:gid``: ``diff -u``,
        # ``sudo -u``, ``docker run -u``; curl's may be lines after ``curl``, continued
        # with ``\``, past a URL's ``&``)
        start_at="curl",
    ),
    Rule(
        "authorization",
        _case("authorization", "proxy-authorization"),
        # (the value a Python f-string or bytes, ``"Authorization": f"Bearer {v}"``)
        r"""(?i:(?:proxy-)?authorization)\\?["']?[ \t]{0,8}[:=][ \t]{0,8}"""
        r"""(?:[bBrRuUfF]{0,2}\\?["'])?[ \t]{0,8}"""
        # (a scheme of any length, and the credentials in their own quotes too: ``Bearer
        # "v"``)
        r"""(?:(?P<scheme>[A-Za-z][\w\-]{0,20})[ \t]{1,8}\\?["'`]?)?"""
        r"""(?P<s>[^\s"'`,;\\]{1,2048})""",
        kind="auth",
        sep_within=60,
        gate=r"""(?i:(?:proxy-)?authorization)\\?["']?[ \t]{0,8}[:=]""",
        # (for Hyperscan, to eight characters of the credentials, which the rule wants:
        # ``Authorization: ***`` is turned away; not a ``<`` or ``{`` first, a
        # placeholder's)
        hs_gates=(
            (
                r"""(?i:(?:proxy-)?authorization)\\?["']?[ \t]*[:=][ \t]*"""
                r"""(?:[bBrRuUfF]{0,2}\\?["'])?[ \t]*"""
                r"""(?:[A-Za-z][\w\-]{0,20}[ \t]+\\?["'`]?)?[^\s"'`,;\\<{][^\s"'`,;\\]{7}""",
                128,
            ),
        ),
        gate_value_checks=((0, "auth"),),
    ),
    # The same headers as ``(name, value)`` pairs, as Python shows them: ASGI scopes
    # (``(b'authorization', b'Bearer v')``), ``httpx.Headers.raw``, Werkzeug's
    # ``Headers([...])``. Anchored on the name's closing quote, which prose lacks.
    Rule(
        "authorization-pair",
        tuple(a + q for a in _case("authorization") for q in ("'", '"', '\\"')),
        r"""(?i:authorization)\\?["'],(?:[ \t]{0,8}|\r?\n[ \t]{0,40})[bBrRuU]{0,2}\\?["']"""
        r"[ \t]{0,8}"
        r"(?:(?P<scheme>[A-Za-z][\w\-]{1,20})[ \t]{1,8})?"
        r"""(?P<s>[^\s"'`,;\\]{1,2048})""",
        kind="auth",
        # (for Hyperscan, to the value's quote: a JSON object's ``"Authorization": ..``
        # is no pair)
        hs_gates=(
            (
                r"""(?i:authorization)\\?["'],[ \t]*(?:\r?\n[ \t]*)?[bBrRuU]{0,2}\\?["']""",
                96,
            ),
        ),
    ),
    # A bearer token outside an ``Authorization`` header: ``Authorization header: Bearer
    # v``, ``using bearer v``, ``Bearer: v`` in debug logs; only a value that looks
    # generated, of 16 characters or more (``Bearer token required`` stays).
    Rule(
        "bearer-token",
        _case("bearer"),
        # (with the id of its row first, as Laravel Sanctum makes them, ``17|<token>``,
        # or a client's id and a colon, ``1042:<secret>``, ``<uuid>:<secret>``: the token
        # judged and masked, the id not)
        # (after a URL-encoded blank too, ``Bearer%20v``; percent-escapes and ``=`` in
        # it, as X's are sent: ``...%3D...``)
        r"(?<![A-Za-z0-9])(?:bearer|Bearer|BEARER)(?:[ \t]{1,4}|:[ \t]{0,4}|%20)"
        r"(?:[0-9]{1,12}\||[A-Za-z0-9_\-]{1,64}:)?(?P<s>[A-Za-z0-9_.~+/%\-]{16}"
        r"[A-Za-z0-9_.~+/%=\-]{0,4080})",
        keep=0,
        kind="generated",
        gate=(
            r"(?:bearer|Bearer|BEARER)(?:[ \t]{1,4}|:[ \t]{0,4}|%20)"
            r"(?:[0-9]{1,12}\||[A-Za-z0-9_\-]{1,64}:)?"
            r"[A-Za-z0-9_.~+/%\-]{16}"
        ),
        gate_window=48,
    ),
    # A name and its value as two fields: Kubernetes and CI environment lists
    # (``- name: API_KEY`` then ``value: ...``), ECS task definitions
    # (``{"name": "API_KEY", "value": "..."}``), .NET and Java configs, AWS tags and
    # CloudFormation parameters; judged as ``secret-assignment`` is.
    Rule(
        "named-value",
        _PAIR_ANCHORS,
        _NAMED_VALUE,
        keep=0,
        kind="named",
        max_len=4400,
        gate=_NAMED_GATE,
        # (the name field, up to 136, and up to four attributes of 256 between)
        gate_window=1500,
        hs_gates=tuple((gate, 1500) for gate in _HS_NAMED_GATES),
        gate_value_checks=tuple((k, "pair") for k in range(len(_HS_NAMED_GATES))),
    ),
    # A Terraform variable's default, judged under the variable's name (``variable
    # "stripe_api_key" { default = "v" }``, its description, type and ``sensitive``
    # first or not, over lines).
    Rule(
        "terraform-default",
        ('variable "',),
        r"""variable[ \t]{1,8}"(?P<n>[A-Za-z_][\w\-]{0,127})"[ \t]{0,8}\{"""
        r"""(?:[^{}]|\{[^{}]{0,512}\}){0,1024}?(?<![\w.])default[ \t]{0,8}=[ \t]{0,8}"""
        r'"(?P<s>[^"\\\n]{1,1024})"',
        keep=0,
        kind="named",
        max_len=2400,
    ),
    # A wallet's recovery phrase (BIP-39: 12, 15, 18, 21 or 24 words of three to eight
    # letters) under a name that keeps one: ``MNEMONIC=``, ``SEED_PHRASE=``,
    # ``"recoveryPhrase": "..."``, ``WALLET_SEED:``. A sentence has shorter words (``a``,
    # ``is``, ``of``). (Not after ``key`` or ``secret``: Hyperscan would read on after
    # every secret's name in a text.)
    Rule(
        "mnemonic-phrase",
        _case("mnemonic", "phrase", "seed"),
        r"""(?i:mnemonic|phrase|seed)s?["']?[ \t]{0,8}[:=][ \t]{0,8}["']?"""
        r"(?P<s>(?:[a-z]{3,8} ){11}(?:(?:[a-z]{3,8} ){3}){0,4}[a-z]{3,8})(?! ?[a-z])",
        keep=0,
        kind="mnemonic",
        max_len=240,
        gate=r"""(?i:mnemonic|phrase|seed)s?["']?[ \t]{0,8}[:=][ \t]{0,8}["']?"""
        r"(?:[a-z]{3,8} ){11}[a-z]{3,8}",
        # (for Hyperscan, to the twelfth word: no other text costs any Python work)
        hs_gates=(
            (
                r"""(?i:mnemonic|phrase|seed)s?["']?[ \t]*[:=][ \t]*["']?"""
                r"(?:[a-z]{3,8} ){11}[a-z]{3,8}",
                136,
            ),
        ),
    ),
    # An HTML ``<meta>`` tag's content, judged under the tag's name (``<meta
    # name="stripe-secret-key" content="v">``): the two attributes in either order, in
    # any case, quoted or not, over lines, with blanks around ``=``, and in a JSON
    # string (``\"``).
    Rule(
        "meta-content",
        ("<meta", "<META", "<Meta"),
        r"""(?i:<meta)(?=[^<>]{0,512}?[ \t\r\n](?i:name|property|itemprop|http-equiv)"""
        r"""[ \t]{0,4}=[ \t]{0,4}"""
        r"""(?P<nq>\\{0,3}["']?)(?P<n>[\w.:\-]{1,128})(?P=nq)(?![\w.:\-]))"""
        r"""[^<>]{0,512}?[ \t\r\n](?i:content)[ \t]{0,4}=[ \t]{0,4}"""
        r"""(?:(?P<q>\\{0,3}["'])(?P<s>[^"'<>\n\\]{1,1024})(?P=q)|(?P<u>[^\s"'<>\\]{1,1024}))""",
        keep=0,
        kind="named",
        max_len=2200,
        gate=r"""(?i:<meta)[^<>]{0,512}?[ \t\r\n](?i:name|property|itemprop|http-equiv)"""
        r"""[ \t]{0,4}=[ \t]{0,4}\\{0,3}["']?[\w.:\-]{0,112}""" + _PAIR_SECRET_WORD,
        # (unbounded for Hyperscan, to the name's secret word)
        hs_gates=(
            (
                # (over eight lines at most: a text is cut for its cores where no match
                # spans more)
                r"""(?i:<meta)(?:[^<>\n]*\n){0,8}[^<>\n]*[ \t\r\n](?i:name|property|itemprop"""
                r"""|http-equiv)[ \t]*=[ \t]*\\*["']?[\w.:\-]*""" + _PAIR_SECRET_WORD,
                700,
            ),
        ),
    ),
    # A validation error's echo of a field's input, judged under the field's name on
    # the line before (pydantic: ``db_password\n  Value error [type=value_error,
    # input_value='v', input_type=str]``), the input shortened or not.
    Rule(
        "validation-input",
        ("input_value=",),
        r"""input_value=(?P<q>['"])(?P<s>(?:(?!(?P=q))[^\n\\]|\\.){1,4096})(?P=q)""",
        keep=0,
        kind="validation",
        max_len=4200,
    ),
    # A validation error as data, its input judged under the last name of its location:
    # pydantic's ``errors()`` and ``json()``, FastAPI's 422 body (``{"type":
    # "string_too_short", "loc": ["body", "password"], "msg": "...", "input": "v"}``).
    Rule(
        "validation-location",
        ('"loc"', "'loc'"),
        # (over lines too, as ``json(indent=2)`` writes it)
        # (between the location and the input, strings read whole, brackets in them too,
        # ``"msg": "should match '^[a-z]+$'"``, and no bracket outside them: each anchor
        # reads on to the next one at most)
        r"""(?P<lq>["'])loc(?P=lq)[ \t]{0,8}:[ \t]{0,8}[\[(](?P<path>[^\[\]()]{1,400})[\])]"""
        r"""(?:"(?:[^"\\\n]|\\.){0,600}"|'(?:[^'\\\n]|\\.){0,600}'|[^{}\[\]"']){0,1200}?"""
        r"""["']input["'][ \t]{0,8}:[ \t]{0,8}"""
        r"""(?P<q>["'])(?P<s>(?:(?!(?P=q))[^\n\\]|\\.){1,4096})(?P=q)""",
        keep=0,
        kind="location",
        max_len=5800,
    ),
    # A value field before its name field, as the AWS CLI prints tags (``{"Value":
    # "v", "Key": "ApiKey"}``) and .NET configs may order attributes (``<add value="v"
    # key="ApiKey"/>``); judged as ``named-value`` is.
    Rule(
        "value-named",
        ('value"', "value'", "value=", 'Value"', "Value'", "Value="),
        _VALUE_NAMED,
        keep=0,
        kind="named",
        max_len=1600,
        gate=_VALUE_NAMED_GATE,
        gate_window=1500,
        hs_gates=tuple((gate, 1500) for gate in _HS_VALUE_NAMED_GATES),
    ),
    # A settings table's row updated by its name: ``UPDATE settings SET value = 'v' WHERE
    # name = 'stripe_secret_key'``, WordPress's ``SET option_value = 'v' WHERE
    # option_name = '...'``; judged as under the name the row has. Quoted columns
    # (```value```, ``[Value]``, ``"value"``), double quotes, ``N'v'`` and ``E'v'``, a
    # statement over lines, a comment line before ``WHERE``, other conditions before
    # the name's (``env = 'prod' AND``) and ``name IN ('k')`` too.
    Rule(
        "sql-update-named",
        # (more blanks before ``=`` too, as formatters align a statement's columns)
        _case(*(f"value{closer}{op}" for closer in _SQL_CLOSERS for op in ("=", " =", "  ", "\t"))),
        r"""(?i:value)[`"\]]?[ \t]{0,8}=[ \t]{0,8}[ENen]?"""
        r"""(?P<q>['"])(?P<s>(?:(?!(?P=q))[^\\\n]|(?P=q)(?P=q)){1,1024})(?P=q)"""
        # (other columns set after it, ``, updated_at = now()``)
        r"""(?:\s{0,40},\s{0,40}[\w."`\[\]]{1,64}[ \t]{0,8}=[ \t]{0,8}"""
        r"""(?:'[^'\n]{0,256}'|"[^"\n]{0,256}"|[\w.()]{1,64})){0,8}"""
        r"""\s{1,40}(?:--[^\n]{0,200}\n\s{0,40})?(?i:where)\s{1,40}"""
        r"""(?:[\w."`\[\]]{1,64}[ \t]{0,8}=[ \t]{0,8}(?:'[^'\n]{0,128}'|"[^"\n]{0,128}"|\d{1,20})"""
        r"""\s{1,40}(?i:and)\s{1,40}){0,3}"""
        r"""(?:[\w"`\[\]]{1,64}\.)?[\["`]?"""
        r"""(?i:(?:option_|setting_|config_)?(?:name|key)|setting|param)[\]"`]?"""
        r"""[ \t]{0,8}(?:=|(?i:in)[ \t]{0,8}\()[ \t]{0,8}[ENen]?['"](?P<n>[^'"\n]{1,128})['"]""",
        keep=0,
        kind="named",
        max_len=2200,
        # (a statement of five lines at most, so that a text scanned in parts is cut
        # where no match can span the cut)
        gate=rf"""(?i:value)[`"\]]?[ \t]*=[ \t]*[ENen]?['"][^'"\n]{{1,1024}}['"]{_SQL_ON}""",
        gate_window=2200,
        # (for Hyperscan, a pattern per spelling of the operator and the column's
        # closing quote, each a literal from the word to the operator: the word alone
        # would start this work at every ``value`` of a log)
        hs_gates=tuple(
            (
                # (a quote doubled inside the value escapes it: ``'it''s'``)
                rf"""(?i:value){re.escape(closer)}{op}[ \t]*[ENen]?"""
                rf"""(?:'(?:[^'\n]|'')+'|"(?:[^"\n]|"")+"){_HS_SQL_ON}""",
                2200,
            )
            for closer in _SQL_CLOSERS
            for op in ("=", " =", r"  [ \t]*=", r"\t[ \t]*=")
        ),
    ),
    # A build setting Gradle writes into an Android app (``buildConfigField "String",
    # "MAPS_API_KEY", "\"v\""``, Kotlin's ``buildConfigField("String", "K", "\"v\"")``,
    # ``resValue "string", "maps_key", "v"``): judged as under the name it gets.
    Rule(
        "gradle-field",
        ("buildConfigField", "resValue"),
        r"""(?:buildConfigField|resValue)[ \t]{0,8}\(?[ \t]{0,8}["'][\w.]{1,40}["'][ \t]{0,8},"""
        r"""[ \t]{0,8}["'](?P<n>[A-Za-z_][\w.]{0,127})["'][ \t]{0,8},[ \t]{0,8}"""
        # (the value in Java's quotes inside Groovy's or Kotlin's, escaped or not, or
        # through a Kotlin template: ``"\"${"v"}\""``; or a resource's bare string)
        r"""(?:"\\"(?:\$\{")?|'"|["'])(?P<s>[^"'\\\n]{1,1024})["'\\]""",
        keep=0,
        kind="named",
        max_len=1400,
    ),
    # A header's value given before its name: Swift's ``request.setValue("v",
    # forHTTPHeaderField: "X-Api-Key")`` and ``addValue``, Objective-C's ``[request
    # setValue:@"v" forHTTPHeaderField:@"X-Api-Key"]``; judged as under the header's name.
    Rule(
        "header-value-call",
        ("setValue", "addValue"),
        r"""(?:set|add)Value(?:\([ \t]{0,8}|:[ \t]{0,8}@?)"(?P<s>[^"\\\n]{1,1024})"[ \t]{0,8},?"""
        r"""\s{0,40}forHTTPHeaderField:[ \t]{0,8}@?"(?P<n>[A-Za-z][\w.\-]{0,127})(?=")""",
        keep=0,
        kind="named",
        max_len=1300,
    ),
    Rule(
        "named-element",
        (
            *("<key>", "<Key>", "<name>", "<param-name>", "<setting name="),
            *("<data name=", "<property name=", "<entry key="),
        ),
        _NAMED_ELEMENT,
        keep=0,
        kind="named",
        max_len=4400,
        gate=_NAMED_ELEMENT_GATE,
        # (the head, a name of up to 137 characters and what closes it)
        gate_window=200,
    ),
    Rule(
        "secret-assignment",
        _KEY_ANCHORS,
        _KEY_PATTERN,
        keep=0,
        kind="context",
        gate=_KEY_GATE,
        hs_gates=_HS_KEY_GATES,
        gate_not_cancels=len(_HS_ASSIGN_GATES),
        name_not=_KEY_NAME_NOT,
        name_not_gates=len(_AFTER_QUOTE),
        gate_not_short=_KEY_GATE_NOT_SHORT,
        gate_value_checks=(
            *((_HS_KEY_GATES.index(gate), "six") for gate in _HS_PASSWORD_GATES),
            *((_HS_KEY_GATES.index(gate), "prose") for gate in _HS_PROSE_PASSWORD_GATES),
        ),
        # (factored as a trie: ``re`` tries a few branches per position, not 15 words)
        finder=trie_pattern((*_NAME_WORDS, "login")),
    ),
    Rule(
        "secret-assignment-upper",
        _UPPER_ANCHORS,
        _UPPER_PATTERN,
        keep=0,
        kind="context",
        gate=_UPPER_GATE,
        hs_gates=_HS_UPPER_GATES,
        finder=trie_pattern(tuple(w.lower() for w in _UPPER_WORDS)),
    ),
    Rule(
        "secret-assignment-foreign",
        _FOREIGN_ANCHORS,
        _FOREIGN_PATTERN,
        keep=0,
        kind="context",
        gate=_FOREIGN_GATE,
        hs_gates=_HS_FOREIGN_GATES,
        finder=trie_pattern(tuple(FOREIGN_SECRET_WORDS)) + f"|{_FOREIGN_PHRASES_RE}",
    ),
    # Prose in another script naming a credential before its value (``密码: v``,
    # ``APIキーはこちらです: v``, ``密钥是 v``, ``Пароль от сервера: v``, ``La contraseña
    # del servidor es v``), the words also as JSON escapes them (``\\u5bc6\\u7801: v``);
    # judged in ``_context.native_label_accepted`` (found by the Python engines alone in
    # text outside ASCII: Hyperscan cannot read these words)
    Rule(
        "secret-label-native",
        _NATIVE_SPELLINGS,
        f"(?P<n>{'|'.join(map(re.escape, sorted(_NATIVE_SPELLINGS, key=len, reverse=True)))})"
        + _NATIVE_BETWEEN
        + r"""[\u300c\u300e\u3010\u00ab\u2039\u201c"'`(\uff08]?"""
        r"""(?P<s>[A-Za-z0-9+/=_\-.~!@#$%^&*?]{7,511}[A-Za-z0-9+/=_\-~!@#$%^&*?])"""
        r"""(?![A-Za-z0-9+/=_\-.~!@#$%^&*?])""",
        keep=0,
        kind="native",
    ),
    Rule(
        "secret-list",
        _LIST_ANCHORS,
        _LIST_PATTERN,
        keep=0,
        kind="listed",
        gate="(?:" + "|".join(_LIST_GATES) + ")",
        hs_gates=tuple((g, _LIST_WINDOW) for g in _HS_LIST_GATES),
    ),
    Rule(
        "url-secret-param",
        (*_PARAM_ANCHORS, *_ESCAPE_ANCHORS),
        _PARAM_PATTERN,
        keep=0,
        kind="param",
        max_len=4300,
        sep_within=130,
    ),
)


def boundaries(rules: Sequence[Rule]) -> dict[str, bool]:
    """Short anchors the prefilters search behind a boundary class: True for
    ``[^A-Za-z0-9_-]`` (every rule of the anchor excludes ``_`` and ``-``), False for
    ``[^A-Za-z0-9]``. Not an anchor a rule without a boundary shares (``key-``: Mailgun's
    keys, and ``apikey-data=`` for ``secret-assignment``): that one is searched as it
    is, each rule checking its own boundary."""
    out: dict[str, bool] = {}
    free: set[str] = set()
    for r in rules:
        for a in r.anchors:
            if len(a) > 4:
                continue
            if r.left_boundary:
                out[a] = out.get(a, True) and r.boundary_strict
            else:
                free.add(a)
    return {a: strict for a, strict in out.items() if a not in free}


# --- Checks applied after a regex matched ------------------------------------------------

_PLACEHOLDER = re.compile(
    rf"(?i){REDACTION_LABEL}|"
    r"\*{3,}|MASKED|REDACTED|(?:your|my|the)[_\-]?(?:api[_\-]?)?(?:key|token|secret|pass)"
    r"|_here\b|-here\b|placeholder|changeme|example|dummy|<[^>]*>|^<|^\{|\$\{|\{\{|\$\(|%\(|%s\b"
    r"|^\$[A-Za-z_]|([A-Za-z])\1{9,}|(\d)\2{15,}|#{4,}|abcdefghij"
    # (a pipeline's or a batch file's variable, ``#{DbPassword}``, ``%DB_PASSWORD%``)
    rf"|#\{{[\w.\-]{{1,64}}\}}|{PIPELINE_VARIABLE}"
    # (the nil UUID, an example's: ``pat-na1-00000000-0000-0000-0000-000000000000``)
    r"|0{8}-0{4}-0{4}-0{4}-0{12}"
)
# Extra signs of a made-up value, for free-form values only (real vendor keys can hold
# runs such as ``AAAAAA`` in their base64 body).
_STRICT = re.compile(r"(?i)0123456789a|\.\.\.|\u2026")
# Runs that mark a made-up value (``sk-xxxx``, ``password=aaaaa``) only when they are a
# large part of it: a random key holds ``xXxx`` or ``aaAaa`` somewhere about once in
# 30,000 keys, and must not then be taken for a placeholder and left unmasked.
_CHAR_RUN = re.compile(r"(?i)(.)\1{4,}")
_REPEAT = re.compile(r"(.{3,4})\1{3,}")
_CONST = frozenset({"true", "false", "null", "none", "nil", "undefined", "bearer", "basic"})


def _sequence_pattern(length: int) -> str:
    runs = ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "01234567890123456789")
    return "|".join(r[i : i + length] for r in runs for i in range(len(r) - length + 1))


# Eleven characters in alphabet or digit order (``klmnopqrstu``, ``12345678901``):
# typed, not generated (a random base62 key holds such a run about once in 10^17).
# Shorter runs (``12345678-ABCD-...``) are left alone: example keys with them are
# still masked, as a real key pasted over an example would be.
_SEQUENCE = re.compile(_sequence_pattern(11))


def has_sequence(value: str) -> bool:
    """Whether ``value`` holds a typed run such as ``12345678901`` or ``klmnopqrstu``: a
    sign of an example key. Not applied to passwords (``pw12345678901`` is one)."""
    return _SEQUENCE.search(value, 0, 400) is not None


def is_placeholder(value: str, *, strict: bool = True) -> bool:
    """``sk-or-v1-your-api-key-here``, ``xxxx``, ``<API_KEY>``, ``${VAR}``, masks ..."""
    value = value[:160]  # placeholders are short; bounds the cost on long values
    if value.lower() in _CONST or _PLACEHOLDER.search(value) is not None:
        return True
    # A short chunk repeated (``123123123123``) is typed, not generated.
    if any(len(set(m.group(1))) > 1 for m in _REPEAT.finditer(value)):
        return True
    if dominant_run(value, X_RUN):
        return True
    return strict and (_STRICT.search(value) is not None or dominant_run(value, _CHAR_RUN))


def _entropy(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def looks_random(value: str) -> bool:
    """A generated token rather than a word, number, path, URL or version string."""
    if (
        len(value) < 10
        or (value.isdigit() and len(value) < 16)
        or "://" in value
        or value.startswith(("/", "./", "$", "%", "@", "~"))
        or is_placeholder(value)
        or has_sequence(value)
    ):
        return False
    has_digit = _DIGIT.search(value) is not None
    mixed = not value.islower() and not value.isupper()
    if not (has_digit or mixed):
        return False
    return _entropy(value) >= 2.75


_DIGIT = re.compile(r"\d")
_SEGMENT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_LAST = frozenset(
    {
        "password", "passwd", "passphrase", "pwd", "pass", "secret", "token",
        "apikey", "credential", "credentials", "creds", "auth", "authorization", "cookie",
        "accesskey", "privatekey", "secretkey", "sessionid", "sid", "signature",
    }
)  # fmt: skip
_KEY_OWNERS = frozenset(
    {
        "api", "access", "secret", "private", "client", "master", "encryption", "signing",
        "account", "auth", "app", "service", "license", "shared", "storage", "session",
        "webhook", "sas", "admin", "management", "provisioning", "ssh", "deploy",
    }
)  # fmt: skip
_NOT_SECRET_OWNERS = frozenset({"public", "max", "min", "num", "total", "next", "page", "csrf"})


def is_secret_identifier(name: str) -> bool:
    """Whether an identifier met in free text names a secret, judged by its last segments.

    The name side of the ``secret-assignment`` rule (``NAME = value`` in code, logs,
    ``.env`` lines): narrow on purpose, since prose and code are full of names that
    merely mention a secret. ``client_secret``, ``OPENROUTER_API_KEY``, ``apiKey``,
    ``bot_token1``, ``db.password`` name one; ``max_tokens``, ``token_type``,
    ``secret_name``, ``public_key``, ``kms_key_id``, ``password_hash`` do not. Structured
    data uses the broader :func:`._sanitizer.is_secret_field`.
    """
    segs = [s.lower() for s in _SEGMENT.findall(name)]
    while segs and segs[-1].isdigit():
        segs.pop()
    if not segs:
        return False
    segs = singular(name, segs, _KEY_OWNERS)  # ``API_KEYS``, ``client_secrets``: lists
    last = segs[-1]
    prev = segs[-2] if len(segs) > 1 else ""
    if prev in _NOT_SECRET_OWNERS:
        return False
    if last in _SECRET_LAST:
        return True
    if last == "key":
        if prev in _KEY_OWNERS:
            return True
        # SCREAMING_CASE constants ending in _KEY (HEROKU_KEY) are configuration secrets.
        return len(segs) > 1 and name.isupper() and prev not in {"cache", "sort", "primary"}
    if last == "login" and name.isupper():  # SONAR_LOGIN: CI tools name tokens so
        return True
    if last in {"value", "string", "data"} and len(segs) > 1:
        return is_secret_identifier("_".join(segs[:-1]))
    return False
