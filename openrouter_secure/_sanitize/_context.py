"""Context detection: a value under a secret-looking name is a secret, whatever its format.

Two judgments, both cheap and both conservative in their own direction:

- :func:`is_secret_identifier` decides from a name's *word segments* (``brandAPIKey`` is
  ``brand API Key``; ``stripe_secret``, ``x-auth-token``, ``db.password``) whether it
  names a secret: its last segment is a secret word (``key``, ``token``, ``secret``,
  ``password`` ...) and the segment before does not make it something else
  (``public_key``, ``cache_key``, ``next_token``, ``max_tokens``, ``csrf_token``). A word
  glued to the secret word without a boundary (``apikey``, ``clientsecret``) must be a
  known owner, so ``monkey`` and ``bypass`` are not names.
- :func:`value_kind` decides whether the text after the name is a value worth masking:
  not a word, an identifier (an exception or class name), a path, a number, a date or
  version, a placeholder (``<...>``, ``${...}``, ``your-key-here``, ``xxxx``), a masked
  value, a reference (``env://...``), an e-mail address or a code expression. Under a
  password name any other value of 6 characters or more counts (a lower-case word
  under 16 characters does not); under every other secret name the value must also
  *look generated*: 10 characters or more, a digit and a letter (or upper and lower
  case letters that are not camelCase words and show a symbol, two capitals in a row,
  or a lone lower-case letter among capitals; digits alone from 16 characters), a
  character entropy of at least 2.75 bits, or 0.6 of ``log2(length)`` when that is less
  (a random 12-character base62 string scores about 3.4, ``aaaa1111bbbb`` 1.6), and no
  11-character typed run (``12345678901``).

:func:`value_spans` reads the value after the separator the rule matched: quoted (to
the closing quote, on the same line), bare (to a delimiter, trailing ``.,:;`` left
out), or the content of an XML element (every generated-looking token in it). A value
after a blank (``Using token v``, ``--name v``) must look generated, or be a password
with a digit or symbol.

The thresholds are calibrated on ``benchmarks/bench_detection.py`` (generated
secrets of many shapes in many syntaxes, and clean lines from logs, code and configs).
"""

from __future__ import annotations

import functools
import math
import re
import string
import urllib.parse
from collections import Counter

from ._names import (
    FOREIGN_KEY_OWNERS,
    FOREIGN_SECRET_PHRASES,
    FOREIGN_SECRET_WORDS,
    NATIVE_SECRET_WORDS,
    UPPER_SECRET_WORDS,
)

__all__ = [
    "CSV_DELIMITERS",
    "FALLBACK_BEFORE",
    "FALLBACK_OPERATORS",
    "FALLBACK_OPERATORS_RE",
    "NAME_WORDS",
    "NEXT_FIELD",
    "NOT_KEY_OWNERS",
    "NOT_TOKEN_OWNERS",
    "OBJECT_NAME",
    "PAIR_ATTRIBUTES",
    "PAIR_BETWEEN",
    "PAIR_FIELD",
    "PAIR_VALUE",
    "PASSWORD_WORDS",
    "PIPELINE_VARIABLE",
    "PLACEHOLDER_WORDS",
    "PLURALS",
    "REDACTION_LABEL",
    "REDACTION_LABELS",
    "REDACTION_LABEL_WORDS",
    "X_RUN",
    "column_value_spans",
    "cookie_pairs",
    "cookie_value_spans",
    "describes_secret",
    "dominant_run",
    "foreign_secret",
    "in_brackets",
    "is_cookie_secret",
    "is_identifier",
    "is_password_name",
    "is_public_key",
    "is_secret_identifier",
    "list_singular",
    "list_value_spans",
    "looks_generated",
    "looks_like_token",
    "names_next_assignment",
    "native_label_accepted",
    "next_field_named",
    "not_list_owner",
    "printed_secret_accepted",
    "session_cookie_spans",
    "singular",
    "value_kind",
    "value_spans",
]

#: Last segments that make a name secret-looking (lower case).
NAME_WORDS = (
    "password", "passwd", "passphrase", "pwd", "pass", "secret", "token", "key", "apikey",
    "auth", "credential", "credentials", "creds", "cookie", "sessionid",
)  # fmt: skip
#: Names whose value is a secret even when it is not random (any non-trivial value).
PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "pass", "secret"})

# A secret word glued to the word before it (``apikey``, ``clientsecret``): only these
# owners make it a name (``monkey``, ``bypass``, ``oauth`` are words of their own).
_GLUED_OWNERS = frozenset(
    {
        "api", "access", "secret", "private", "client", "master", "encryption", "signing",
        "account", "auth", "app", "service", "license", "shared", "storage", "session",
        "webhook", "admin", "deploy", "bot", "refresh", "id", "user", "db", "root",
        "consumer", "bearer", "oauth", "personal", "sas", "subscription", "x", "api_",
        # (WebAuthn's ``passkey``, OpenSSL's ``privkey``, Duo's ``skey``)
        "pass", "priv", "s",
    }
)  # fmt: skip
# (the owners ``pass`` is glued to in a password's name: other words end in it,
# ``bypass``, ``compass``, ``overpass``)
_PASS_OWNERS = frozenset(
    {"db", "pg", "mysql", "root", "admin", "smtp", "mail", "ftp", "sftp", "ldap", "redis",
     "sql", "proxy", "vnc", "wifi", "mongo", "rabbit", "amqp", "kafka", "ssh", "keystore",
     "truststore", "store", "user", "sys", "app", "api", "web", "bind", "jks", "require"}
)  # fmt: skip
# (what makes a password's word glued after it no password's name: ``nopassword``,
# ``haspassword``, ``forgotpassword``)
_NOT_GLUED_PASSWORD = frozenset(
    {"no", "non", "not", "has", "is", "use", "by", "reset", "forgot", "forgotten", "change",
     "set", "get", "show", "hide", "check", "validate", "require", "requires"}
)  # fmt: skip
# (what makes a glued upper-case name something else besides each word's own:
# ``PUBLICTOKEN``, ``NOKEY``)
_NOT_GLUED_UPPER_OWNERS = frozenset({"public", "no", "non", "not"})
_GLUED_UPPER = frozenset(
    {"key", "token", "secret", "password", "passwd", "passphrase", "pwd", "apikey"}
    | {"credentials", "creds", "auth"}
)
# The segment before the secret word that makes the name something else.
# (not ``search``, ``redis``, ``host``, ``hash``, ``routing``: Azure AI Search admin
# keys, Azure Cache for Redis keys, Azure Functions host keys, HMAC keys and PagerDuty
# routing keys are credentials; their ids, ``routing_key=orders.created``, are words the
# value gate turns away)
NOT_KEY_OWNERS = frozenset(
    {
        "public", "pub", "publishable", "primary", "foreign", "cache", "sort", "partition",
        "idempotency", "composite", "unique", "lookup", "dedup", "deduplication",
        "object", "map", "dict", "index", "shard", "row", "column", "group", "message",
        "event", "metadata", "site", "translation", "i18n", "label", "range",
        "cluster", "join", "order", "distribution", "dist", "natural", "surrogate", "s3",
        "bucket", "registry", "hot", "short", "keyboard", "max", "min", "num",
        "total", "next", "page", "ssh", "gpg", "pgp", "known", "kms", "cmk", "schema",
        "field", "record", "entity", "state", "config", "env", "rotation", "idx", "dns",
        "query",
    }
)  # fmt: skip
NOT_TOKEN_OWNERS = frozenset(
    {
        "max", "min", "num", "total", "next", "page", "prev", "previous",
        "continuation", "pagination", "cursor", "sync", "csrf", "xsrf", "prompt", "completion",
        "input", "output", "reasoning", "cancellation", "stop", "special", "bos",
        "eos", "pad", "unk", "mask", "sep", "cls", "end", "start", "eof", "lexer", "parse",
        "anti", "forgery", "authenticity", "idempotency", "push", "device",
    }
)  # fmt: skip
_NOT_OWNERS: dict[str, frozenset[str]] = {
    "key": NOT_KEY_OWNERS,
    "token": NOT_TOKEN_OWNERS,
    "secret": frozenset({"public", "no", "non", "has", "is", "top", "trade"}),
    "pass": frozenset(
        {"by", "first", "second", "single", "multi", "one", "two", "boarding", "render"}
    ),
    "auth": frozenset({"o", "no", "basic_", "requires", "use", "has", "is", "two", "multi"}),
}
# (the segment before ``secret_id`` that makes it the id of a secret, not one)
_SECRET_ID_OWNERS = frozenset({"client", "app", "application", "key", "kv"})
# (not ``enable``: Cisco's ``enable secret`` and ``enable password`` are passwords, and a
# flag's value, ``true``, is no secret anyway)
_NOT_OWNER_ANY = frozenset({"max", "min", "num", "total", "count", "is", "has", "use"})
# A segment among the two before the secret word that says the value is made up or not
# a credential (``fakeToken``, ``example_client_secret``; not ``SAMPLE_APP_X_SECRET``),
# except a Java package's ``com.example``; and a negation right before the word or
# before what it negates (``noSuchKey``, ``nonMatchingToken``; not ``NON_PROD_PASSWORD``).
_NOT_REAL = frozenset(
    {"fake", "dummy", "example", "sample", "mock", "invalid", "wrong", "bad", "placeholder",
     "public", "publishable"}
)  # fmt: skip
_PUBLIC_WORDS = frozenset({"public", "publishable"})
_NEGATION = frozenset({"non", "not", "no"})
_NEGATED = frozenset({"matching", "existent", "existing", "such", "valid", "real"})
_DOMAINS = frozenset({"com", "org", "net"})
# Segments after the secret word that keep it the name of the value.
_VALUE_SUFFIX = frozenset({"value", "string", "str", "data", "b64", "base64", "hex", "raw"})
# A stage's suffix after the secret word (``STRIPE_KEY_LIVE``): still the secret's name.
_STAGE_SUFFIX = frozenset(
    {"prod", "production", "live", "dev", "test", "staging", "stage", "sandbox", "base",
     "old", "new", "primary", "secondary", "backup"}
)  # fmt: skip

_SEGMENT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _segments(name: str) -> list[str]:
    return [s.lower() for s in _SEGMENT.findall(name)]


def _joined(segs: list[str]) -> list[str]:
    """Words the segments split, joined: ``PassWord``, ``passPhrase`` (a password
    word), ``b64``, ``base64`` (a value suffix)."""
    out: list[str] = []
    for seg in segs:
        if out and (out[-1], seg) in _SPLIT_WORDS:
            out[-1] += seg
        else:
            out.append(seg)
    return out


def _pop_digits(segs: list[str]) -> bool:
    popped = False
    while segs and segs[-1].isdigit():
        segs.pop()
        popped = True
    return popped


# A secret word's plural names a list of secrets (``OPENAI_API_KEYS``, ``api_keys``,
# ``client_secrets``) in an environment variable's upper case or after an owner; alone
# (``keys``: a JWKS's public keys, ``tokens``: a count) or after another word
# (``prompt_tokens``) it is no secret's name.
PLURALS = {"keys": "key", "tokens": "token", "secrets": "secret", "passwords": "password"}
# Owners whose keys, in the plural, are public keys (``AUTHORIZED_KEYS``, ``ssh_keys``,
# ``HOST_KEYS``, ``trusted_keys``, Solana's ``accountKeys``, WireGuard's ``PEER_KEYS``),
# though ``SSH_KEY`` and ``FUNCTIONS_HOST_KEY`` alone may be secrets
NOT_PLURAL_OWNERS = frozenset(
    {"authorized", "host", "ssh", "known", "trusted", "public", "pub", "gpg", "pgp", "signing"}
    | {"account", "peer", "validator", "recipient", "recipients"}
)


# Owners of a plural that make it no list of secrets: counts and kinds of tokens
# (``prompt_tokens``, ``cached_tokens``, ``stop_tokens``), lists of values refused or
# let through (``bad_tokens``, ``allowed_tokens``); and for keys, the owners of public
# ones (above: ``signing_keys`` are public, ``signing_secrets`` are not)
_NOT_LIST_OWNERS = (
    NOT_TOKEN_OWNERS
    | {"cached", "audio", "image", "text", "accepted", "rejected", "prediction", "count"}
    | {"generated", "used", "remaining", "billed", "context", "thinking", "cache", "tool"}
    | {"bad", "added", "banned", "allowed", "extra", "new"}
    # (a tokenizer's vocabulary)
    | {"vocab", "vocabulary", "tokenizer"}
)


def not_list_owner(owner: str, plural: str) -> bool:
    """Whether ``owner``, the word before the plural ``plural``, makes the name no list
    of secrets (``prompt_tokens``, ``ssh_keys``)."""
    return owner in _NOT_LIST_OWNERS or (plural == "keys" and owner in NOT_PLURAL_OWNERS)


def singular(name: str, segs: list[str], owners: frozenset[str]) -> list[str]:
    """``name``'s word segments ``segs`` with a plural last word made singular where the
    name holds a list of secrets: in an environment variable's upper case
    (``API_KEYS``, ``PASSWORDS``), after one of ``owners`` (``client_secrets``), and
    ``passwords``/``secrets`` after any word (``db_passwords``); never after an owner
    of public keys (``ssh_keys``)."""
    if (
        len(segs) > 1
        and segs[-1] in PLURALS
        and not (segs[-1] == "keys" and segs[-2] in NOT_PLURAL_OWNERS)
        and (name.isupper() or segs[-2] in owners or segs[-1] in ("passwords", "secrets"))
    ):
        return [*segs[:-1], PLURALS[segs[-1]]]
    if segs == ["passwords"] and name.isupper():
        return ["password"]  # ``PASSWORDS=v1,v2``
    return segs


def _name_words(name: str) -> list[str]:
    """``name``'s words, without the digits and the value, variant or stage suffixes
    after the last (``bot_token1``, ``secret3.data``, ``API_KEY2_VALUE``, ``API_KEY_V2``,
    ``STRIPE_KEY_PROD``, ``SECRET_KEY_BASE``: their last word is the secret word), and a
    plural's last word made singular (``API_KEYS``)."""
    segs = singular(name, _joined(_segments(name)), _GLUED_OWNERS)
    digits = _pop_digits(segs)
    for _ in range(3):
        if len(segs) > 1 and (
            segs[-1] in _VALUE_SUFFIX or segs[-1] in _STAGE_SUFFIX or (digits and segs[-1] == "v")
        ):
            segs.pop()
            digits = _pop_digits(segs)
    return segs


_SPLIT_WORDS = frozenset(
    {
        ("pass", "word"), ("pass", "phrase"), ("pass", "wd"),
        ("b", "64"), ("base", "64"),
    }
)  # fmt: skip


def _made_up(before: list[str]) -> bool:
    """Whether the segments before a name's secret word say the value is made up."""
    last = len(before) - 1
    for i, seg in enumerate(before):
        if seg in _NEGATION and (i == last or before[i + 1] in _NEGATED):
            return True
        if (
            seg in _NOT_REAL
            and i >= last - 1
            and not (seg == "example" and i and before[i - 1] in _DOMAINS)
            # (the password of a key pair: ``public_key_passphrase``)
            and not (seg in _PUBLIC_WORDS and before[i + 1 :] == ["key"])
        ):
            return True
    return False


def _ends_in_secret_id(segs: list[str]) -> bool:
    return segs[-2:] == ["secret", "id"] or segs[-1:] == ["secretid"]


@functools.lru_cache(maxsize=8192)
def is_secret_identifier(name: str) -> bool:
    """Whether ``name`` (an identifier met in text or a key) names a secret.

    Judged by word segments, split at ``_``, ``-``, ``.``, ``/`` and case changes:
    ``client_secret``, ``OPENROUTER_API_KEY``, ``brandAPIKey``, ``x-auth-token``,
    ``bot_token1``, ``db.password``, ``azure_key``, ``AccessKey``, ``pwd``,
    ``credentials`` name one; ``max_tokens``, ``token_type``, ``secret_name``,
    ``public_key``, ``cache_key``, ``kms_key_id``, ``password_hash``, ``next_token``,
    ``monkey`` do not.
    """
    segs = _name_words(name)
    if not segs:
        return False
    last = segs[-1]
    prev = segs[-2] if len(segs) > 1 else ""
    if _ends_in_secret_id(segs):
        # A Vault AppRole's ``secret_id`` (not an application's ``client_secret_id``,
        # which names its secret)
        before = segs[: -2 if last == "id" else -1]
        return not (before and before[-1] in _SECRET_ID_OWNERS) and not _made_up(before)
    if prev in _NOT_OWNER_ANY or _made_up(segs[:-1]):
        return False
    if name in ("signingkey", "user.signingkey"):
        return False  # git's ``user.signingkey``: a GPG or SSH key's id, public
    if last == "login":  # SONAR_LOGIN: CI tools name tokens so
        return name.isupper() and len(segs) > 1
    if last.upper() in UPPER_SECRET_WORDS:  # GH_PAT, SAS, PIN; not ``pat`` (a pattern)
        return name.isupper()
    if name.isupper() and _glued_pw(last):  # slapd's ``ROOTPW``, nslcd's ``BINDPW``
        return True
    for word in NAME_WORDS:
        if last == word:
            return prev not in _NOT_OWNERS.get(word, ())
        if last.endswith(word) and len(last) > len(word):
            # A glued name (``apikey``, ``clientsecret``): the part before must be an owner.
            owner = last[: -len(word)]
            if owner in _GLUED_OWNERS or owner + "_" in _GLUED_OWNERS:
                return owner not in _NOT_OWNERS.get(word, ())
            if word in ("key", "token", "secret") and owner.endswith(("api", "access", "auth")):
                return True
            if (
                word in ("password", "passwd", "pwd")
                and owner.isalpha()
                and owner not in _NOT_GLUED_PASSWORD
            ) or (word == "pass" and owner in _PASS_OWNERS):
                # (a password's word is no other word's end: ``pgpassword``,
                # ``mysqlpassword``, ``rootpasswd``, ``dbpwd``; ``pass`` after the owners
                # it is glued to in a password's name, ``pgpass``, ``smtppass``, Redis's
                # ``requirepass``, where ``requirepassword`` is a switch)
                return True
            if name.isupper() and word in _GLUED_UPPER and len(owner) >= 2:
                # ``ZENDESKTOKEN``, ``SHOPCLIENTSECRET``, ``TWILIOAUTH``: an environment
                # variable (not ``NOAUTH``, ``PUBLICTOKEN``, ``ISKEY``, ``FAKEKEY``)
                return not (
                    owner in _NOT_OWNERS.get(word, ())
                    or owner in _NOT_OWNER_ANY
                    or owner in _NOT_GLUED_UPPER_OWNERS
                    or _made_up([owner])
                )
    return foreign_secret(segs) is not None


# What a name holding another language's secret word says instead of holding one
# (``longitud_contrasena``, ``senha_hash``, ``chave_id``, ``clave_publica``,
# ``chiave_pubblica``, ``clave_cache``), and the compounds that mean a keyword
# (``parola_chiave``, ``palabra_clave``)
_NOT_FOREIGN = frozenset(
    {
        "id", "name", "hash", "hashed", "length", "len", "min", "max", "policy", "file",
        "path", "url", "uri", "type", "hint", "field", "label", "prompt", "pattern", "regex",
        "expiry", "expires", "reset", "public", "cache", "publica", "publico", "pubblica",
        "pubblico", "publique", "publiczny", "publiek", "publik", "offentlich",
        "oeffentlich", "oeffentlicher", "offentlicher", "longitud", "lunghezza", "tamanho",
        "laenge", "nome", "nombre", "palabra", "palavra",
    }
)  # fmt: skip
_KEYWORD_PHRASES = ("parolachiave", "palabraclave", "palavrachave")


def foreign_secret(segs: list[str]) -> bool | None:
    """Whether a name's segments hold another language's secret word
    (``_names.FOREIGN_SECRET_WORDS``) as one of them, and none that says it holds
    something else: None when they do not, else whether it names a password. A key's
    word counts alone or with an owner (``CHIAVE_API``; not ``CLAVE_CURP``, an id)."""
    joined = "".join(segs)
    if any(seg in _NOT_FOREIGN for seg in segs) or any(p in joined for p in _KEYWORD_PHRASES):
        return None
    found: bool | None = None
    for seg in segs:
        kind = FOREIGN_SECRET_WORDS.get(seg)
        if kind is None or (
            kind == "key"
            and len(segs) > 1
            and not any(
                s in FOREIGN_KEY_OWNERS or s in FOREIGN_SECRET_WORDS for s in segs if s != seg
            )
        ):
            continue
        found = bool(found) or kind == "password"
    for phrase, kind in FOREIGN_SECRET_PHRASES.items():
        if phrase.replace(" ", "") in joined:
            found = bool(found) or kind == "password"
    return found


_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _secret_id_value(value: str) -> bool:
    """A Vault AppRole secret id (a UUID, as Vault makes them, or a long generated
    value), not the name or path of a secret, as AWS's ``--secret-id
    tutorials/MyFirstSecret``, ``MyTestDatabaseSecret2`` or
    ``ProdPaymentsStripeApiKeyV2`` give one."""
    if _UUID.fullmatch(value) is not None:
        return True
    # (a name holding one: AWS's ``rds!db-<uuid>``)
    return (
        len(value) >= 24
        and "/" not in value
        and ":" not in value
        and _UUID.search(value) is None
        and not _made_of_words(value)
    )


_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)


def _made_of_words(value: str) -> bool:
    """Words written together (``MyProductionDatabaseSecret``, ``app-beta2-webhook``):
    their letters in segments of three and a half on average, each of two letters or
    more with a vowel (or an acronym), and two numbers at most; a generated value's case
    changes and digits cut it into shorter ones and more."""
    segs = _SEGMENT.findall(value)
    letters = [seg for seg in segs if not seg.isdigit()]
    return (
        len(letters) >= 2
        and len(segs) - len(letters) <= 2
        and 2 * sum(map(len, letters)) >= 7 * len(letters)
        # (an acronym has none: ``MyRDSSecretForPostgres``)
        and all(len(seg) < 2 or seg.isupper() or _VOWEL.search(seg) for seg in letters)
    )


@functools.lru_cache(maxsize=8192)
def is_password_name(name: str) -> bool:
    """Whether ``name``'s last segment is a password word (any non-trivial value counts)."""
    segs = _name_words(name)
    return bool(segs) and (
        segs[-1] in PASSWORD_WORDS
        or segs[-1].endswith(("password", "passwd", "secret"))
        or (segs[-1].endswith("pass") and segs[-1][:-4] in _PASS_OWNERS)
        # (``LDAP_BIND_PW``, slapd's ``ROOTPW``: upper case, as the name is read)
        or (name.isupper() and (segs[-1] == "pw" or _glued_pw(segs[-1])))
        or bool(foreign_secret(segs))
    )


def _glued_pw(last: str) -> bool:
    """``rootpw``, ``bindpw``: ``pw`` after an owner a password is glued to."""
    return last.endswith("pw") and last[:-2] in _PASS_OWNERS


# -- values -------------------------------------------------------------------------------

_CONST = frozenset(
    {
        "true", "false", "null", "none", "nil", "undefined", "yes", "no", "on", "off",
        "required", "optional", "empty", "unset", "default", "hidden", "redacted", "masked",
        "bearer", "basic", "string", "str", "int", "bool", "bytes", "secret", "password",
        "token", "key", "test", "user", "username", "admin", "root", "guest",
    }
)  # fmt: skip
# A word or an identifier: letters in words (``MissingDependencyError``, ``TokenManager``,
# ``api_key``, ``x-auth-token``, ``HTTPServer``), possibly dotted (``config.api_key``)
# and with a short number at the end (``Version2``).
_WORD_UNIT = (
    r"(?:[A-Z]{2,}(?=[A-Z][a-z]|[_.\-:]|$)|[A-Z]?[a-z]{2,}(?:\d{1,3}(?=[_.\-:]|$))?"
    r"|[A-Z](?=[_.\-]|$))"
)
_IDENT = re.compile(
    _WORD_UNIT + r"(?:(?:[_.\-]|::)" + _WORD_UNIT + r"|(?=[A-Z])" + _WORD_UNIT + r")*(?:\(\))?"
)
# Two-letter words that open or join identifiers' words (``NoCredentialsError``,
# ``PyPIUploadToken``, ``IEnumerableOfT``)
_TWO_LETTER_WORDS = (
    "No|My|Py|Id|Of|Is|On|To|Io|Ui|Db|Js|Os|Go|Do|By|At|In|Or|Up|As|If|Ip|Ok|Qt|Tx|Rx|Vm|Ai|Ml"
)
# Words glued to acronyms, one-letter prefixes and numbers: ``IDisposableResource``,
# ``OAuthCallbackHandler``, ``SAMLIdPMetadata``, ``mTLSClientCertificate``,
# ``kSecAttrAccessible``, ``AmazonS3ReadOnlyAccess``, ``Base64Encoder``,
# ``IPv6AddressValidator``, ``X509CertificateLoader``
_GLUED_UNIT = (
    r"(?:[A-Z]{2,}(?=[A-Z][a-z]|[_.\-:]|$)|[A-Z]?[a-z]{2,}(?:\d{1,3}(?=[A-Z_.\-:]|$))?"
    r"|[A-Z]{1,3}\d(?=[A-Z][a-z]|[_.\-:]|$)"
    # (an acronym with its number: ``IPv6``, ``X509``, ``FIDO2``, ``K8s``, ``Ec2``)
    r"|[A-Z]{1,5}v?\d{1,3}[a-z]?(?=[A-Z]|[_.\-:]|$)|[A-Z][a-z]\d(?=[A-Z]|[_.\-:]|$)"
    rf"|(?:{_TWO_LETTER_WORDS})(?=[A-Z]|[_.\-:]|$)|[A-Z](?=[A-Z][a-z]{{2}}|[_.\-]|$))"
)
_GLUED_IDENT = re.compile(
    r"(?:[a-z](?=[A-Z]{2}|[A-Z][a-z]{2}))?"
    + _GLUED_UNIT
    + r"(?:(?:[_.\-]|::)"
    + _GLUED_UNIT
    + r"|(?=[A-Z])"
    + _GLUED_UNIT
    + r")*"
)
# (a word of six letters or more, its capital counted)
_LONG_WORD = re.compile(r"[A-Z][a-z]{5,}|[a-z]{6,}")
# An application password as Google and WordPress show one (``abcd efgh ijkl mnop``), in
# four to twelve groups, a blank or a tab between them
_APP_PASSWORD = re.compile(r"[A-Za-z0-9]{4}(?:[ \t][A-Za-z0-9]{4}){3,11}")
# (a group of a key's fingerprint, as GnuPG prints one: ``ABCD 1234 ...``)
_HEX_GROUP = re.compile(r"[0-9A-F]{4}")
_NUMBERISH = re.compile(r"[+\-]?\d[\d.,:_\-/ TZ+]*[a-zA-Z]{0,3}")  # numbers, dates, versions
# Words and a number (``user:926382``, ``order-12345``, ``page/2``, ``order-queue-19``,
# ``prod-us-east-1``): an id, not a secret (after several words, a short number only:
# ``live_sk_<20 digits>`` is a key).
_WORD_NUMBER = re.compile(
    r"[A-Za-z]{2,20}[:/#@_\-.]\d{1,20}|(?:[A-Za-z]{2,20}[:/#@_\-.]){2,4}\d{1,6}"
)


def _word_and_number(value: str) -> bool:
    """Words and a number (:data:`_WORD_NUMBER`) whose letters read as words: not 16
    random letters or more before the number (``NtBsphHSkNOPDDCX#853``, a password)."""
    if _WORD_NUMBER.fullmatch(value) is None:
        return False
    letters = value.rstrip(string.digits)[:-1]
    return not _random_letters(letters, lower=False)


# A container image and its version's tag (``postgres:16.2``, ``python:3.12-slim``,
# ``ghcr.io/acme/app:v1.2.3``, ``bitnami/postgresql:16.2.0-debian-12-r5``): the tag a
# version, then words or short numbers (a token after ``prod:`` holds neither)
_IMAGE_TAG = re.compile(
    r"(?:[a-z0-9][a-z0-9.\-]{0,62}(?::\d{1,5})?/)?(?:[a-z0-9][a-z0-9._\-]{0,62}/){0,4}"
    r"[a-z0-9][a-z0-9._\-]{0,62}:v?\d{1,4}(?:\.\d{1,4}){0,3}"
    r"(?:[\-._+](?:[a-z]{2,16}\d{0,3}|\d{1,4}|r\d{1,3}))*"
)
# An image a CI built, in a repository (a ``/`` in its name), tagged by the commit or the
# pull request it was built from (``ghcr.io/acme/app:sha-4f2a9c1``, ``acme/app:pr-1234``)
# or named by its digest (``acme/app@sha256:<hex>``)
_CI_IMAGE = re.compile(
    r"(?:[a-z0-9][a-z0-9.\-]{0,62}(?::\d{1,5})?/)(?:[a-z0-9][a-z0-9._\-]{0,62}/){0,4}"
    r"[a-z0-9][a-z0-9._\-]{0,62}(?::(?:(?:sha|git|commit|build|main|master|dev|develop"
    r"|release|nightly|edge|staging|prod)-[0-9a-f]{7,40}|(?:pr|build)-\d{1,8})|@sha256:[0-9a-f]{64})"
)
# A YAML tag (``!!str``, Home Assistant's ``!secret``, CloudFormation's ``!Ref``,
# ``!GetAtt``, Ansible's ``!vault``, ``!env_var``): words, not a value
# (a YAML alias's or an emphasised word's shape: ``*db-password``, ``*required*``)
_STARRED = re.compile(r"_?\*([A-Za-z][A-Za-z0-9_.\-]{0,63})\*?_?")
_YAML_TAG = re.compile(r"!{1,2}(?:[a-z]+(?:_[a-z]+)*|[A-Z][a-z]+(?:[A-Z][a-z]*)*|[A-Z]+)")
# A YAML anchor, the blanks after it and the value's opening quote, if any
# (its name: any character but a blank and YAML's flow indicators; then the value's
# opening quote, if any, or an alias; not the line's end: ``password: &Xk7...`` is more
# likely a password than the anchor of a block)
_YAML_ANCHOR = re.compile(
    r"""&[^\s,\[\]{}]{1,128}[ \t]+(?:(?P<q>["']?)(?=[^\s&*]|(?<=["'])&)|\*)"""
)
# (a release's version: PEP 440's pre, post and dev parts, ``1.2.3rc1.dev4``; what ``git
# describe`` adds, ``v3.4.2-161-g8041bb4``; a label after ``-`` or ``+``)
_VERSION = re.compile(
    r"v?\d+(?:\.\d+){1,3}(?:(?:a|b|rc)\d{1,3})?(?:\.post\d{1,4})?(?:\.dev\d{1,4})?"
    r"(?:-\d{1,6}-g[0-9a-f]{7,40})?(?:[\-+](?P<label>[\w.]{1,20}))?"
)
# A host's name: three labels or more, the last a top-level domain or a cluster's own
# (``ip-10-0-35-158.ec2.internal``, ``f8f7abd1093b.backend.io``)
_HOST_NAME = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){2,8}"
    r"(?:com|net|org|io|dev|app|cloud|ai|co|me|us|eu|uk|de|fr|jp|cn|in|info|biz|xyz"
    r"|tech|sh|gg|ly|so|to|tv|local|internal|localhost|lan|arpa|site|online)"
)
_EMAIL = re.compile(r"[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63})+")
# (an e-mail address as a user, then ``:``; Zendesk's API user also ``/token``)
_EMAIL_USER = re.compile(rf"{_EMAIL.pattern}(?:/token)?:")
# (a scheme as long as a value's head: the Hyperscan engine drops such runs unread)
# (and Vault's audit log's HMAC of a value, ``hmac-sha256:<hex>``: no secret itself;
# argocd-vault-plugin's ``<path:kv/data/db#password>``)
_REFERENCE = re.compile(
    r"[a-zA-Z][\w+.\-]{1,158}://|op://|vault:|arn:|projects/|env:[A-Z_]|hmac-sha[0-9]{1,3}:"
    r"|<?path:[\w\-]{1,64}/"
    # (a file a value is read from, ``file:/run/secrets/db``; AWS Secrets Manager's and
    # Parameter Store's references, ``secretsmanager:prod/db:SecretString:password``)
    r"|file:/[\w.\-]+(?:/[\w.\-]+)*$|(?:secretsmanager|ssm|parameterstore):/?[\w.\-]+/"
)
# (also a file curl and other tools read a value from, ``@/run/pw``)
_PATH_START = ("/", "./", "../", "~/", "\\\\", "@/", "@./", "@~/")
# (a Windows path: ``C:/secrets/pw.txt``, ``D:\\keys\\app.pem``, in a JSON string too)
_DRIVE_PATH = re.compile(r"[A-Za-z]:(?:/|\\{1,2})[\w.\-]")
# Standard base64 may start with "/" (one value in 64): such a value is a path only
# when, its slashes taken out, it is not a long mixed-case generated run.
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
# A path segment made of words (``UsersController``, ``Data2024``, ``site``)
_WORDS = re.compile(r"(?:[A-Z]?[a-z]{2,}|[A-Z]\d?)(?:[A-Z][a-z]{2,})*\d*")
# Code rather than a value: a call or subscript, a comparison, an attribute path
# (``settings.SECRET``), a template (``{{ x }}``, ``${X}``, ``%(x)s``), a variable
# (``$API_KEY``, ``%APPDATA%``).
_CODE = re.compile(
    r"(?P<name>[A-Za-z_][\w.]*)(?:\(.*\)|\[[^\]]*\])|^\(.*\)$|\s(?:==|!=)\s"
    r"|^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\.(?P<attr>[A-Za-z_]\w*)!?$|\{\{|\$\{|%\("
    r"|^[$%@&*#]\{?(?P<var>[A-Za-z_][\w.]*)\}?%?$"
)
_TEMPLATE = re.compile(r"\{\{.*\}\}|\$\{[^}]*\}|%\([A-Za-z_]\w*\)[sdrf]|^[$%][A-Za-z_]\w*%?$")
# ``my``/``the``... placeholders (``MyPassword``), which a password may start with (not
# ``your``, ``insert`` or ``enter``: ``sk-or-v1-your-key-here`` is a placeholder under a
# password's name too)
_OWNED = re.compile(r"(?i)(?:my|the|some|[_\-]here)")
# (what a password shows besides such words: a digit, a symbol that is no bracket)
_PASSWORD_MARK = re.compile(r"[0-9!#%&+/?@^~=:;,|]")
# Five lower-case letters in a row: a word, which a generated password seldom holds
# (about one in 50 of 16 printable characters; those are still judged as any value)
_LOWER_RUN = re.compile(r"[a-z]{5}")
_PATH_CHARS = re.compile(r"[\w./\\~\-+@:%]+")
# Words joined by ``-``, ``.`` or a blank, four or more (not ``_``: a snake_case name is
# code), or twenty lower-case letters glued
# (after a password's option: words joined by ``-``, maybe a number after the last,
# ``ribbon-copper-timber-66``; no prose word, ``for-this-demo-only`` is a note)
_OPTION_PASSPHRASE = re.compile(r"(?:[A-Za-z]{3,12}[-.]){3,7}[A-Za-z]{3,12}(?:-?\d{1,4})?")
_PASSPHRASE = re.compile(r"(?:[A-Za-z]{3,12}[-. ]){3,7}[A-Za-z]{3,12}\d{0,4}|[a-z]{20,64}")
# A lower-case dotted name (``jetbrains.mps.v8_elimination``, ``api.example.com``).
_DOTTED = re.compile(r"[a-z][a-z0-9_\-]*(?:\.[a-z][a-z0-9_\-]*)+")
#: Words that make a value a placeholder wherever they stand in it (``REDACTED``,
#: ``sk-or-v1-example``), in any case
PLACEHOLDER_WORDS = ("masked", "redacted", "placeholder", "changeme", "example", "dummy", "sample")
#: What redaction leaves in a value's place, in brackets (Rails' ``[FILTERED]``,
#: ``<hidden>``, ``(null)``): the whole value, in any case
REDACTION_LABELS = (
    *("filtered", "hidden", "redacted", "masked", "removed", "omitted", "sensitive"),
    *("protected", "censored", "private", "secret", "password", "token", "value"),
    *("none", "null", "scrubbed", "empty", "encrypted", "withheld", "elided"),
    *("obfuscated", "confidential", "not logged", "not shown"),
)

#: A pattern of a label's words: one of the labels, then up to three short words
REDACTION_LABEL_WORDS = (
    "(?:" + "|".join(REDACTION_LABELS).replace(" ", "[ _-]") + ")(?:[ _-][A-Za-z]{1,12}){0,3}"
)


def in_brackets(words: str) -> str:
    """A pattern of one of ``words`` (a pattern's alternatives) in square, angle or round
    brackets, a blank or two inside them: a label as redaction writes one."""
    return "|".join(
        rf"{re.escape(o)}[ \t]{{0,2}}(?:{words})[ \t]{{0,2}}{re.escape(c)}"
        for o, c in ("[]", "<>", "()")
    )


#: A redaction's label, the whole value, in any case: in brackets, a word or two after
#: it too (``[hidden by policy]``), or its opening bracket alone (a URL's query value
#: ends at ``]``: ``?token=[FILTERED]``)
REDACTION_LABEL = (
    rf"^(?:{in_brackets(REDACTION_LABEL_WORDS)}"
    + rf"|[\[(<][ \t]{{0,2}}(?:{REDACTION_LABEL_WORDS}))$"
)
#: A variable a release pipeline or a batch file fills in, as a whole value: Octopus
#: Deploy's ``#{ApiKey}`` (also closed by ``#``, or read up to its ``}``), the
#: replacement tokens of other pipelines (``__AdminPassword__``, ``@@DB_PASS@@``), a
#: Windows batch file's ``%DB_PASSWORD%``, ``%%DB_PASSWORD%%`` and delayed expansion's
#: ``!DB_PASSWORD!``
PIPELINE_VARIABLE = (
    r"^#\{[\w.\-]{1,64}(?:\}#?)?$|^__[A-Za-z][A-Za-z0-9_]{0,62}__$|^@@[A-Za-z][\w.\-]{0,62}@@$"
    r"|^%{1,2}[A-Za-z_][\w.\-]{0,64}%{1,2}$|^![A-Za-z_][\w.\-]{0,64}!$"
)
_PLACEHOLDER = re.compile(
    r"(?i)\*{3,}|"
    + "|".join(PLACEHOLDER_WORDS)
    + rf"|{REDACTION_LABEL}"
    + r"|(?<![a-z])(?:your|my|the|some|insert|enter)[_\- ]?"
    r"(?:[a-z]{1,12}[_\- ]){0,3}"
    r"(?:key|token|secret|pass|password|here)(?![a-z0-9])|_here\b|-here\b|"
    r"\.\.|\u2026|#{4,}|^(.)\1+$|0123456789|abcdefghij"
    # (a variable of MSBuild, Azure Pipelines, Make: ``$(DB_PASSWORD)``; PowerShell's
    # ``$env:API_KEY``; an SQL bind variable, ``:password``; a format field,
    # ``{password}``)
    r"|^\$\([A-Za-z_][\w.]*\)$|^\$(?:env|global|script|using):[A-Za-z_]\w{0,63}$"
    rf"|{PIPELINE_VARIABLE}"
    # (a keyboard's chord under ``key``: ``Ctrl+Shift+P``)
    r"|^(?:(?:ctrl|cmd|alt|shift|meta|super|option|opt|control|command|win)\+)+[^\s+]{1,12}$"
    r"|^:[A-Za-z_]\w{0,63}$|^\{[A-Za-z_]\w{0,63}\}$"
    # (a command's output the shell puts there: ``$(aws ecr get-login-password)``)
    r"|^\$\([^)]{1,256}\)$|^`[^`]{1,256}`$"
)
_DIGIT = re.compile(r"\d")
# Eleven characters in alphabet or digit order: typed, not generated (see ``_rules``).
_SEQUENCE = re.compile(
    "|".join(
        r[i : i + 11]
        for r in (string.ascii_lowercase, string.ascii_uppercase, "01234567890123456789")
        for i in range(len(r) - 10)
    )
)
_LETTER = re.compile(r"[A-Za-z]")
# (a secret store's path and the field read from it, ``secret/data/db:password``)
_PATHLIKE = re.compile(r"[a-z0-9_.\-]+(?:/[a-z0-9_.\-]+)+/?(?:[:#][a-z_]{1,32})?")


def is_identifier(value: str) -> bool:
    """A word or code identifier (``MissingDependencyError``, ``api_key``, ``HTTPServer``,
    ``SecretStr``), not a generated string (``uHOAdwfQsD``: its case changes at random)."""
    return _IDENT.fullmatch(value) is not None


# A record's field name: lower case first, in snake, kebab, dotted or camel case
# (``request_id``, ``user.name``, ``userId``); not a capitalized word (``Summer=2024!``)
_FIELD_NAME = re.compile(r"[a-z][a-z0-9]*(?:[_.\-][a-z0-9]+|[A-Z][a-z0-9]+)*")


# A field's name (``_FIELD_NAME``) and ``=`` before a letter or digit, at a value's start
# (the first ``=`` ends the name: no name holds one); a name of letters alone, or one
# with a digit (group 2)
NEXT_FIELD = (
    r"(?:[a-z]+(?:[_.\-][a-z]+|[A-Z][a-z]+)*"
    r"|([a-z][a-z0-9]*(?:[_.\-][a-z0-9]+|[A-Z][a-z0-9]+)*))=[A-Za-z0-9]"
)
_NEXT_FIELD = re.compile(NEXT_FIELD)


def names_next_assignment(value: str, at: int = 0) -> bool:
    """Whether a bare value (``value[at:]``) opens with a field's name and ``=`` before
    a letter or digit (``request_id=9cc9``, ``username=bob``): the line's next
    assignment, read after a secret's name that has none (``auth: request_id=<hex>``,
    ``invalid password username=bob``), not its value. A generated run or a
    capitalized word before the ``=`` is no field's name (``Xk7pQ2zr=9Lm``,
    ``Summer=2024!``: values); nor is one character, or over 64."""
    m = _NEXT_FIELD.match(value, at, at + 66)
    return m is not None and next_field_named(m, at, m.end() - 2)


def next_field_named(m: re.Match[str], at: int, name_end: int) -> bool:
    """Whether a match of ``NEXT_FIELD`` at ``at``, whose name ends at ``name_end``,
    names a field: 2 to 64 characters, and one with a digit (group 1) made of words
    (``ywuhT2=...`` is a generated password's start, ``user2=...`` a field's name)."""
    digits = m.group(1)
    return 2 <= name_end - at <= 64 and (digits is None or is_identifier(digits))


def _image_tag(value: str) -> bool:
    """A container image a CI built (``_CI_IMAGE``), or one and its version's tag
    (``_IMAGE_TAG``), the tag's words read as
    words (``alpine``, ``bookworm``, ``debian``: half of their letter pairs or more
    common in words; a token's random letters after a version, ``prod:1.2-qzvkwp928``,
    are no tag)."""
    if _CI_IMAGE.fullmatch(value) is not None:
        # (the repository's names read as words: ``acme/app``, not ``x/y`` or a
        # random run dressed as one)
        path = re.split(r"[:@]", value.partition("/")[2], maxsplit=1)[0]
        parts = re.findall("[a-z]+", path)
        return bool(parts) and all(
            len(w) >= 3
            and 2 * sum(w[i : i + 2] not in _COMMON_PAIRS for i in range(len(w) - 1)) <= len(w) - 1
            for w in parts
        )
    if _IMAGE_TAG.fullmatch(value) is None:
        return False
    tag = value.rpartition(":")[2].lower()
    return all(
        2 * sum(w[i : i + 2] not in _COMMON_PAIRS for i in range(len(w) - 1)) <= len(w) - 1
        for w in re.findall("[a-z]{4,}", tag)
    )


def _generated_groups(value: str) -> bool:
    """Whether an application password's groups (``_APP_PASSWORD``) are generated: not
    digits alone nor a fingerprint's upper-case hex; with a digit, as any value
    (:func:`looks_generated`); letters alone, when two
    letter pairs in five inside the groups are rare in words (``that have been with``
    is prose: none is; a random run's are seven in ten) and not most of them steps of
    a walk (``abcd efgh ijkl mnop``, the placeholder vendors' docs show)."""
    groups = value.split()
    joined = "".join(groups)
    if joined.isdigit() or all(_HEX_GROUP.fullmatch(g) for g in groups):
        return False  # a number in groups, a key's fingerprint (``ABCD 1234 ...``)
    if not joined.isalpha():
        return looks_generated(joined)
    pairs = [g[i : i + 2].lower() for g in groups for i in range(3)]
    rare = sum(p not in _COMMON_PAIRS for p in pairs)
    # (a letter twice, ``aaaa bbbb cccc dddd``, is typed as a walk is)
    walked = sum(p in _WALK_PAIRS or p[0] == p[1] for p in pairs)
    return 5 * rare >= 2 * len(pairs) and 5 * walked < 3 * len(pairs)


# (a dotted name's runs of letters and digits long enough to be judged; their letters;
# their digits inside them, not at an end)
_ALNUM_RUN = re.compile(r"[a-z0-9]{8,}")
_LOWER_WORD = re.compile(r"[a-z]+")
_INNER_DIGITS = re.compile(r"(?<=[a-z])\d+(?=[a-z])")


def _version(value: str) -> bool:
    """A release's version (``_VERSION``), its label after ``-`` or ``+`` no generated
    run of 12 characters or more (``1.2.3-<token>`` is a token)."""
    m = _VERSION.fullmatch(value)
    if m is None:
        return False
    label = m.group("label")
    return label is None or len(label) < 12 or not looks_generated(label)


def _random_segment(value: str, password: bool, shortest: int = 12) -> bool:
    """Whether a lower-case dotted value holds a run of letters and digits that no one
    would write as a word: ``shortest`` characters or more (8 with a digit under a
    password's name) whose letters' pairs are mostly (three in five) rare in words, or
    whose digits stand inside it in two places or more; or 16 digits. A token after its
    version (``v2.exl1gvevdnqiw3cpt9dk``), not a module's name (``oauth2client.client``,
    ``com.acme.pkcs11provider``); with ``shortest`` 24, a token dressed as a host's name
    (``<token>.backend.io``), not a host's (``d1a2b3c4d5e6f7.cloudfront.net``)."""
    for m in _ALNUM_RUN.finditer(value):
        run = m.group()
        if len(run) >= max(16, shortest) and run.isdigit():
            return True
        if len(run) < shortest and not (password and not run.isalpha()):
            continue
        if len(_INNER_DIGITS.findall(run)) >= 2:
            return True
        pairs = [w[i : i + 2] for w in _LOWER_WORD.findall(run) for i in range(len(w) - 1)]
        if len(pairs) >= (8 if len(run) >= 12 else 4) and 5 * sum(
            p not in _COMMON_PAIRS for p in pairs
        ) >= 3 * len(pairs):
            return True
    return False


def _glued_identifier(value: str) -> bool:
    """An identifier whose words meet acronyms, one-letter prefixes, two-letter words
    and numbers (``_GLUED_IDENT``), holding a word: six letters or more, its capital
    counted, with one letter pair at most that words seldom hold. (Of random values of
    12 to 24 characters that look generated, one to seven in 10,000 parse so; without
    the word, a few in a hundred.)"""
    if _GLUED_IDENT.fullmatch(value) is None:
        return False
    for m in _LONG_WORD.finditer(value):
        word = m.group().lower()
        if sum(word[i : i + 2] not in _COMMON_PAIRS for i in range(len(word) - 1)) <= 1:
            return True
    return False


def _entropy(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


# What a generated value without a digit shows that words do not: a symbol (not ``$``
# or ``*``, which mark templates and masks, nor ``=``, base64's padding), two upper-case
# letters in a row, a lower-case letter between two upper-case ones (``uHOAdwfQsD``).
# The Hyperscan engine's gate reads the same marks (``_rules._MARKED``), so text
# without them never reaches Python.
_MARK = re.compile(r"[!#%&+/?@^~]|[A-Z][A-Z]|[A-Z][a-z][A-Z]")


# Letter pairs common in words: the fewest that make up 92% of the pairs in the words of
# English prose and code identifiers (counted in Python's standard library). In a
# random run of letters seven pairs in ten are others; in words of 16 letters or more,
# half are others in fewer than one in a hundred.
_COMMON_PAIRS = frozenset(
    re.findall(
        "..",
        "abacadagaialamanaparasataubabebjblbobubycacechcickclcocrctcudadddedidldodrdsdueaec"
        "edeeefelemeneperesetevexeyfafefffifofrfugegigrgshahehihohtiaibicidieifigiliminioip"
        "irisitivizkelaldlelflilllolsltlulymamemimompnancndnenfngninonsntnuobocodofolomonoo"
        "oporosotouowpapepiplpoppprptpyqurarcrdrergrirmrnrorrrsrtrurysascseshsismsospssstsu"
        "sytatethtitotrtstttutyubueulumunupurusutvavewawhwixcxtypysytze",
    )
)


def _walks() -> frozenset[str]:
    rows = ("abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop")
    out: set[str] = set()
    for row in rows:
        for i in range(len(row) - 1):
            for step in (1, 2):
                if i + step < len(row):
                    out.update((row[i] + row[i + step], row[i + step] + row[i]))
    return frozenset(out)


#: letter pairs one or two steps apart on the alphabet or on a keyboard's row
_WALK_PAIRS = _walks()


def _random_letters(value: str, *, lower: bool) -> bool:
    """Letters, 20 or more (16 in mixed case, 12 with ``lower``), that are no words: in
    upper or mixed case (``RWYVXLCOVQDYFQMLPXAP``, ``ZJFRZPZGseFqzcOwlLze``, which the
    identifier pattern would read as words of capitals and lower-case runs), and with
    ``lower`` in lower case (``qzxtivauhntjawvpojcm``): half of their letter pairs or
    more are not common in words (``PRODUCTIONDATABASE``, ``kubernetesdashboard``,
    ``getApiKeyFromEnvironment`` are).

    Lower case only under a password name: elsewhere the Hyperscan engine's gate
    wants a mark (``_rules._MARKED``), which a run of lower-case letters lacks; reading
    such runs too would cost every scan of a log."""
    one_case = value.isupper() or value.islower()
    # (in mixed case from 16: a random run of 16 shows its case changes and rare pairs
    # as plainly, ``vlFKZLPUDXgiXjuF``, and from 12 under a password name, where one in
    # 15 random passwords of 12 to 15 letters read as words of capitals and lower-case
    # runs, ``xjUGNKZVefsfgl``; in lower case under a password name from 16, as
    # Google's application passwords are written without their blanks)
    shortest = 20 if one_case and not (lower and value.islower()) else 16
    if lower and not one_case:
        shortest = 12
    if len(value) < shortest or not value.isalpha():
        return False
    if value.islower() and not lower:
        return False
    # (in mixed case, the pairs inside its runs of one case: where words meet,
    # ``ThisIsMy``, pairs are rare)
    runs = [value[:160]] if one_case else _SEGMENT.findall(value[:160])
    pairs = [run[i : i + 2].lower() for run in runs for i in range(len(run) - 1)]
    if len(pairs) < (10 if len(value) >= 20 else 8):
        return False
    rare = sum(p not in _COMMON_PAIRS for p in pairs)
    # (a walk along the alphabet or a keyboard's rows, ``ABCDEFGHJKMNPQRSTVWXYZ``,
    # ``QWERTYUIOPASDFGHJKL``, is typed: most of its pairs are such steps, a quarter
    # of a random run's)
    walked = sum(p in _WALK_PAIRS for p in pairs)
    return 2 * rare >= len(pairs) and 5 * walked < 3 * len(pairs)


def looks_generated(value: str) -> bool:
    """10+ characters with a digit and a letter (or mixed case that is not camelCase
    words and shows a *mark*: a symbol, ``AB`` or ``AbC``),
    character entropy >= 2.75 bits (less for values under 24 characters: 0.6 of
    ``log2(length)``), no typed run (``01234567890``)."""
    if len(value) < 10:
        return False
    has_digit = _DIGIT.search(value) is not None
    if has_digit:
        if _LETTER.search(value) is None and len(value) < 16:
            return False  # a number, a date, a phone number
    elif _random_letters(value, lower=False) and _MARK.search(value, 0, 160) is not None:
        pass  # (with a mark, as the Hyperscan engine's gate reads one)
    elif (
        value.islower()
        or value.isupper()
        or is_identifier(value)
        or _MARK.search(value, 0, 160) is None
    ):
        return False
    head = value[:128]
    # 2.75 bits, or less for a short value (a random 16-character hex string scores
    # 3.3 on average but can fall to 2.6): 0.6 of the most its length allows.
    floor = min(2.75, 0.6 * math.log2(len(head)))
    return _entropy(head) >= floor and _SEQUENCE.search(value, 0, 160) is None


#: Values judged not secret recently (bounded; cleared when full): clean log records
#: repeat theirs (an exception name, a reference, a mask), and the judgment is a few
#: regexes. Secrets are not kept here.
_NOT_SECRET: dict[tuple[str, bool], None] = {}
# A public key as a value: an SSH public key's line (``ssh-ed25519 AAAA... user@host``),
# an age recipient (``age1...``)
_SSH_KEY_TYPE = r"(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d{3}|sk-(?:ssh|ecdsa)-[\w@.\-]{1,40})"
_PUBLIC_KEY = re.compile(
    rf"{_SSH_KEY_TYPE}(?: AAAA|$)|age1[02-9ac-hj-np-z]{{58}}$"
    # (a public key's fingerprint, as ``ssh-keygen -l`` and ``known_hosts`` tools print
    # one: ``SHA256:<base64>``, ``MD5:<hex pairs>``)
    r"|SHA256:[A-Za-z0-9+/]{43}=?$|MD5:(?:[0-9a-f]{2}:){15}[0-9a-f]{2}$"
    # (PostHog's project keys, which its web snippet publishes; its personal ones are
    # ``phx_...``)
    r"|phc_[A-Za-z0-9]{32,64}$"
    # (Mapbox's public tokens, which Mapbox has web pages publish; its secret ones are
    # ``sk.eyJ...``)
    r"|pk\.eyJ[\w\-]{10,}\.[\w\-]{10,}$"
    # (a publishable key, which Stripe, Paystack and Clerk have a web page's script
    # carry: ``Stripe('pk_live_...')``; their secret ones are ``sk_live_...``)
    r"|pk_(?:live|test)_[A-Za-z0-9]{16,255}={0,2}$"
)


def is_public_key(value: str) -> bool:
    """Whether ``value`` is a public key that shows its kind: an SSH public key's line
    (``ssh-ed25519 AAAA... user@host``) or its type alone, its fingerprint
    (``SHA256:<base64>``), an age recipient (``age1...``), a Mapbox public token
    (``pk.eyJ...``), a PostHog project key (``phc_...``), a publishable key
    (``pk_live_...``)."""
    return _PUBLIC_KEY.match(value) is not None


_NOT_SECRET_MAX = 4096


def value_kind(value: str, *, password: bool) -> bool:
    """Whether ``value`` (found after a secret-looking name) is to be masked.

    ``password``: the name is a password word, so any non-trivial value counts;
    otherwise the value must look generated (:func:`looks_generated`)."""
    key = (value, password)
    if key in _NOT_SECRET:
        return False
    if _value_kind(value, password):
        return True
    if len(_NOT_SECRET) >= _NOT_SECRET_MAX:
        _NOT_SECRET.clear()
    _NOT_SECRET[key] = None
    return False


# A Windows registry path (``@"HKEY_CURRENT_USER\\Software\\..."`` under ``key``)
_REGISTRY_ROOTS = ("hkey_", "hklm\\", "hkcu\\", "hkcr\\", "hku\\")
#: ``xxxx`` and longer, any case
X_RUN = re.compile(r"(?i)x{4,}")


def dominant_run(value: str, run: re.Pattern[str]) -> bool:
    """Whether ``value`` holds a match of ``run`` at least 8 long or covering a quarter
    of it: what marks a made-up value (``sk-xxxx``), where a random key holds ``xXxx``
    somewhere about once in 30,000 and stays a key."""
    return any((n := m.end() - m.start()) >= 8 or 4 * n >= len(value) for m in run.finditer(value))


def _base64_not_path(value: str) -> bool:
    if _BASE64.fullmatch(value) is None:
        return False
    pieces = value.rstrip("=").split("/")
    if any(len(p) >= 5 and _WORDS.fullmatch(p) is not None for p in pieces):
        return False
    run = "".join(pieces)
    return (
        len(run) >= 16
        and any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
        and looks_generated(run)
    )


def _value_kind(value: str, password: bool) -> bool:
    n = len(value)
    if n < 6 or n > 1024:
        return False
    low = value.lower()
    if low in _CONST or is_public_key(value) or low.startswith(_REGISTRY_ROOTS):
        return False
    user = _EMAIL_USER.match(value)
    if user is not None:
        # An e-mail address and a token or password, as basic auth pairs them
        # (Atlassian's and Zendesk's ``bob@example.com:<token>``): the part after the
        # address is judged (its domain may be an example's, ``example.com``)
        return _value_kind(value[user.end() :], password)
    head = value[:160]
    # (up to a ``&``: what follows it is the next parameter of a URL query)
    own = head.partition("&")[0]
    if _placeholder(own, password) or _REFERENCE.match(head) or dominant_run(own, X_RUN):
        return False
    if _YAML_TAG.fullmatch(value) is not None:
        return False  # a YAML tag before the value: ``!secret http_password``, ``!Ref DB``
    alias = _STARRED.fullmatch(value)
    if alias is not None and (not looks_generated(alias.group(1)) or _wordy(alias.group(1))):
        # a YAML alias (``*redis-auth``, ``*pg_pass_2``) or Markdown's emphasis
        # (``*optional*``); ``*Q7xmR2vL9k`` is a password
        return False
    if (" " in value and _interface_text(value)) or _secret_reference(value):
        return False
    if n > 160:
        # Long: judged by its head (bounds the cost on adversarial input)
        return _value_kind(value[:160], password)
    if _APP_PASSWORD.fullmatch(value) is not None:
        groups = value.split()
        if _placeholder("".join(groups), password) or all(len(set(g)) == 1 for g in groups):
            return False  # ``abcd efgh ijkl mnop``, ``xxxx xxxx xxxx xxxx``, ``aaaa bbbb ...``
        if not password:
            return _generated_groups(value)
    if password and _random_password(value):
        return True  # ``&Z7R01XZfjSr_hBM``, ``/Y!aYc#nfP^O*yvF``: not code, not a path
    if (
        (value.startswith(_PATH_START) or _DRIVE_PATH.match(value) is not None)
        and not _base64_not_path(value)
        and (not password or _PATH_CHARS.fullmatch(value) is not None)
    ):
        return False  # (under a password name, ``/\\;8hLf;}?wcpp.t`` is no path)
    if _NUMBERISH.fullmatch(value) is not None and not (
        value.isdigit() and (n >= 16 or (password and n >= 8))
    ):
        # numbers, dates, versions (a long run of digits may be a token, and eight
        # digits or more under a password name are that password: ``DB_PASSWORD=20481632``)
        return False
    if (
        _version(value)
        or _EMAIL.fullmatch(value)
        or (
            _HOST_NAME.fullmatch(value) is not None
            and not _random_segment(value, password=False, shortest=24)
        )
        or _looks_code(head)
    ):
        return False
    if not password and (_word_and_number(value) or _image_tag(value)):
        # an id (``user:926382``), an image (``postgres:16.2``); under a password name,
        # ``Summer@2024``
        return False
    if password and _PASSPHRASE.fullmatch(value) is not None:
        # ``correct-horse-battery-staple``, ``correcthorsebatterystaple``; not a note
        # (``please change this value``, ``required for all users``)
        # (after a short first word, one is enough: ``Must contain eight characters``)
        prose = len(_PROSE_WORD.findall(value))
        return " " not in value or prose < (1 if value.index(" ") < 6 else 2)
    if (
        (
            # (not under a password name: ``Summer2024Rocks`` is a password)
            (
                is_identifier(value)
                or (not password and _glued_identifier(value))
                or _numbered_constant(value)
            )
            # (under a password name, a word and a number is a password:
            # ``Welcome_123``, ``iloveyou1``; not code: ``auth0_api_key``)
            and not (password and value[-1:].isdigit())
            and not _random_letters(value, lower=password)
        )
        or _PATHLIKE.fullmatch(value) is not None
    ):
        return False
    if (
        _DOTTED.fullmatch(value) is not None
        and 4 * sum(c.isdigit() for c in value) <= n
        and not _random_segment(value, password)
    ):
        return False
    if password:
        # A lower-case word (``production``) is a setting; a long one may be a passphrase.
        return not (
            value.isalpha() and n < 16 and (value.islower() or value.isupper() or value.istitle())
        )
    return looks_generated(value) and not _wordy(value) and not _named_digest(value)


# A CI cache's key: the runner's system among its words, then a digest (GitHub Actions'
# ``Linux-node-<sha256>``, ``npm-Linux-x64-<sha256>``, ``Windows-x64-vcpkg-<sha256>``);
# other words and a digest may be a vendor's key (``signkey-prod-<hex>``).
_NAMED_DIGEST = re.compile(r"(?:[\w.]+-){1,16}[0-9a-f]{32,128}")
_RUNNER_SYSTEMS = frozenset({"linux", "macos", "windows", "darwin", "ubuntu", "win32", "win64"})


def _named_digest(value: str) -> bool:
    """A runner's system among the words before a hex digest of 32 characters or more."""
    if _NAMED_DIGEST.fullmatch(value) is None:
        return False
    return any(part.lower() in _RUNNER_SYSTEMS for part in value.split("-")[:-1])


# The word for a password in languages an interface is translated to, and other secret
# words, as an interface's text writes them
_INTERFACE_SECRET_WORDS = frozenset(
    {"password", "passwort", "passe", "contraseña", "contrasena", "senha", "wachtwoord",
     "parola", "hasło", "haslo", "lösenord", "passord", "adgangskode", "salasana", "heslo",
     "jelszó", "пароль", "passphrase", "pin", "token", "key", "secret", "code"}
)  # fmt: skip
# Words an interface's text about a secret opens with
_INTERFACE_OPENERS = frozenset(
    {"enter", "confirm", "forgot", "forgotten", "reset", "change", "show", "hide", "type",
     "choose", "create", "repeat", "retype", "current", "new", "old", "invalid",
     "incorrect", "wrong", "your", "please", "update", "remember", "lost"}
)  # fmt: skip


def _interface_text(value: str) -> bool:
    """Words an interface shows, which an i18n file keeps under a password's name:
    two or more words of letters that name a secret or open as a prompt does (``Enter
    your password``, ``Forgot password?``, ``Mot de passe``); not a passphrase of other
    words (``correct horse battery staple``)."""
    words = value.rstrip("?:.!\u2026").split(" ")
    if len(words) < 2 or not all(w.isalpha() for w in words):
        return False
    low = [w.lower() for w in words]
    return low[0] in _INTERFACE_OPENERS or any(w in _INTERFACE_SECRET_WORDS for w in low)


# A resource's name in lower-case words joined by ``-`` (a Kubernetes or cloud secret's,
# ``ingest-secret-v2``, ``api-gateway-api-key``)
_KEBAB_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_REFERENCED_WORDS = frozenset(
    {"secret", "secrets", "password", "passwd", "token", "key", "keys", "creds",
     "credentials", "apikey"}
)  # fmt: skip


def _secret_reference(value: str) -> bool:
    """The name of a secret kept elsewhere: lower-case words and short parts joined by
    ``-`` with a secret word among them (``existingSecret: ingest-secret-v2``,
    ``--secret=api-gateway-api-key``, ``secretName: db-password``)."""
    if _KEBAB_NAME.fullmatch(value) is None:
        return False
    parts = value.split("-")
    # (words and short parts only: ``api-key-<hex>`` is a vendor's key)
    return any(p in _REFERENCED_WORDS for p in parts) and all(
        (p.isalpha() and len(p) <= 20) or len(p) <= 4 for p in parts
    )


def _wordy(value: str) -> bool:
    """Words joined by ``-``, ``_`` or ``.`` with short parts besides them: a name, not a
    generated value (``X-Api-Key-Header-v2``, ``laravel_session2024``,
    ``remember_web_59ba36addc2b``, ``db-password-prod-2024``). Two words or more (three
    lower-case letters or more, or capitalized, maybe with a number after), the other
    parts 12 characters in all."""
    words = other = 0
    for part in _PART_SPLIT.split(value):
        if _PART_WORD.fullmatch(part) is not None:
            words += 1
        else:
            other += len(part)
    return words >= 2 and other <= 12


def _placeholder(value: str, password: bool) -> bool:
    """Whether ``value`` holds a placeholder. Under a password name, ``my...pass``,
    ``the...key`` or ``...-here`` with a digit or a symbol besides them is a password
    (``MyPassword!23``, ``mypass#2024``, ``Open-The-Door-Key!``, ``Meet-me-here-42``),
    not a placeholder (``<your-password>``, ``your_password_here`` are)."""
    for m in _PLACEHOLDER.finditer(value):
        if m.group() == ".." and _inside_generated(value, m.start(), m.end()):
            continue
        if not (
            password
            and _OWNED.match(m.group())
            and _PASSWORD_MARK.search(value[: m.start()] + " " + value[m.end() :]) is not None
        ):
            return True
    return False


def _inside_generated(value: str, start: int, end: int) -> bool:
    """Whether ``value[start:end]`` stands between two generated runs of eight characters
    or more (``3TLwRxAtQ1t8F..q21bTCtVdi``: a generator's two dots, not an elision)."""
    head, tail = value[:start], value[end:]
    return (
        len(head) >= 8
        and len(tail) >= 8
        and not tail.startswith(".")
        and looks_generated(head)
        and looks_generated(tail)
    )


def _random_password(value: str) -> bool:
    """A generated password: eight characters or more, of at least three of the four
    classes (upper, lower, digit, symbol) with no five lower-case letters in a row (a
    word); not an identifier (``auth0_api_key``), a template or a variable (``${X}``,
    ``{{ x }}``, ``%(x)s``, ``$X``) or an attribute (``e.apiToken``, minified code's)."""
    if (
        len(value) < 8
        or _TEMPLATE.search(value) is not None
        or is_identifier(value)
        or _numbered_constant(value)
        or ("." in value and _looks_code(value))
    ):
        return False
    classes = (
        any(c.isupper() for c in value)
        + any(c.islower() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )
    return classes >= 3 and _LOWER_RUN.search(value) is None


_DIGITS = re.compile(r"\d+")
_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_UPPER_WORD = re.compile(r"[A-Z]{4,}")


def _numbered_constant(value: str) -> bool:
    """A constant's name with a number in its words (``S3_PASSWORD``, ``REDIS6_TOKEN``):
    a word of four letters among them; ``Q7X_9MZ2_K4P`` is a password."""
    return (
        _CONSTANT.fullmatch(value) is not None
        and _UPPER_WORD.search(value) is not None
        and _word_made(value)
    )


# (digits between two lower-case letters, as a random run has them: ``exl1gvev``)
_DIGIT_IN_WORD = re.compile(r"[a-z]\d+[a-z]")
_DIGIT_IN_UPPER = re.compile(r"(?<=[A-Z])\d+(?=[A-Z])")


def _word_made(name: str) -> bool:
    """An identifier (:func:`is_identifier`), or one with numbers of up to four digits
    glued to its words (``AES256Key``, ``bucketV2``, ``S3Token``) but not between two
    lower-case letters (``ApiKey<20 digits>`` is a token)."""
    return is_identifier(name) or (
        _DIGIT_IN_WORD.search(name) is None
        # (upper-case runs split by digits more than once are base32, not a constant's
        # words: ``U6BF5CJKOJ2QKOD3P3AUQ``; ``AES256GCM`` is one)
        and len(_DIGIT_IN_UPPER.findall(name)) < 2
        and all(len(d) <= 4 for d in _DIGITS.findall(name))
        and all(len(w) < 2 or is_identifier(w.strip("_")) for w in _DIGITS.split(name))
    )


def _looks_code(head: str) -> bool:
    """Code rather than a value (see ``_CODE``): a call or subscript counts only after a
    name made of words (``get_token(request)``, ``os.environ["X"]``; not ``Tr0ub4(dor)``),
    an attribute only with such a name (``settings.SECRET_KEY``),
    a variable only with such a name (``$API_KEY``; not ``&Z7R01XZfjSr_hBM``), and not
    with a letter or digit glued after its closing bracket, which no code writes
    (``GoqkZX[0rZg42]4vlbnw``)."""
    for m in _CODE.finditer(head):
        if m.group("name") is not None and head[m.end() : m.end() + 1].isalnum():
            continue
        if m.group("attr") is not None:
            # (an attribute's names are made of words, with numbers glued to them or not,
            # or short: ``settings.API_KEY``, ``cfg.AES256Key``, ``k8s.bucketV2``,
            # TypeScript's ``process.env.API_KEY!``; not a token after its kind, Vault's
            # ``s.mnHvQVNXxrOmWXSfPnspJVPC``, nor runs with digits between their letters)
            *owners, attr = m.group().rstrip("!").split(".")
            if _word_made(attr) and all(len(o) <= 3 or _word_made(o) for o in owners):
                return True
            continue
        name = m.group("name") or m.group("var")
        if name is None or is_identifier(name.rpartition(".")[2]):
            return True
    return False


# -- values in text ----------------------------------------------------------------------

# (a password's whole run, brackets included)
_PASSWORD_RUN = re.compile(r"""[^\s"'`]{1,512}""")
# (a closing bracket with a letter or digit right after it: no call or subscript is
# written so, ``Ab3dEf[Gh1jK]Lm0p``)
_BRACKET_GLUED = re.compile(r"[)\]][A-Za-z0-9]")
_VARIABLE_SETS = frozenset({"=", "==", "===", "!=", "!=="})
_BARE = re.compile(r"""[^\s"'`,;)}\]&<>|\\]{1,512}""")
_BARE_AMP = re.compile(r"""[^\s"'`,;)}\]<>|\\]{1,512}""")
_BARE_REST = re.compile(r"""[^\s"'`,;)}\]&<>|\\]{0,65024}""")
_BARE_AMP_REST = re.compile(r"""[^\s"'`,;)}\]<>|\\]{0,65024}""")
#: A file a URL query names (``?key=uploads%2F2024%2Fa.png``, ``?key=Q3Report.pdf``): a
#: name with an extension. (Not any ``/``: base64 holds them.)
OBJECT_NAME = re.compile(r"(?i)\.[a-z][a-z0-9]{1,4}(?:\.(?:gz|bz2|xz|zst|zip))?$")
#: the longest value read after a name (a longer one is not a value)
_LONGEST = 1 << 16
# Four to eight words, to the line's end or a comment, and what may stand before a name
# that opens its line (an indent, a list's dash, ``export``, the name's own prefix)
# (a comment after a blank: ``#``, or INI's ``;``; before a name: a Dockerfile's ``ENV``
# and ``ARG``, a batch file's ``set``)
_PASSPHRASE_LINE = re.compile(
    r"[A-Za-z]{3,12}(?: [A-Za-z]{3,12}){3,7}\d{0,4}(?=[ \t]*(?:[ \t][#;][^\n]*)?\r?$)", re.M
)
_LINE_HEAD = re.compile(r"[ \t]*(?:- |(?:export|ENV|ARG|set|SET)[ \t]+)?[\w.\-]*")
# A word prose is made of and a passphrase's random words seldom are: a line of words
# under a password name holding two (``password: please change this value``), or one
# after a short first word, is a note (one may be a diceware word:
# ``correct horse and staple``)
_PROSE_WORD = re.compile(
    r"(?i)(?<![a-z])(?:the|an?|and|or|of|to|in|on|at|by|for|with|from|is|are|was|were|be|been"
    r"|this|that|these|those|it|its|not|no|all|any|see|must|should|will|can|may|please|you"
    r"|your|we|our|they|their|here|there|when|which|what|if|then|than|as|do|does|has|have"
    r"|had)(?![a-z])"
)
# (how far back the start of a line is looked for: an indent and a name's prefix)
_LINE_HEAD_MAX = 256


def _opens_line(text: str, at: int) -> bool:
    """Whether only ``_LINE_HEAD`` stands between the line's start and ``at`` (read
    back a bounded way: a long line of many names costs no pass to its start each)."""
    lo = max(0, at - _LINE_HEAD_MAX)
    line = text.rfind("\n", lo, at) + 1
    if not line and lo:
        return False
    return _LINE_HEAD.fullmatch(text, line, at) is not None


# (right before a name: ``#define NAME v``)
_DEFINE = re.compile(r"#[ \t]*define[ \t]+$")
# An application password's groups after its first (``abcd efgh ijkl mnop``, Google's
# four, WordPress's six), to the value's end
_APP_PASSWORD_TAIL = re.compile(r"(?:[ \t][A-Za-z0-9]{4}){3,11}(?![A-Za-z0-9])")
_ID_TOKEN_TAIL = re.compile(r"\|[A-Za-z0-9]{20,256}(?![A-Za-z0-9])")
_XML_TOKEN = re.compile(r"[^\s{}()\[\],;|<>\"']{12,512}")
_TRAILING = ".,:;"
#: an opening bracket around a token, and its closing one
_BRACKETS = {"[": "]", "(": ")", "<": ">"}
_BRACKETED = re.compile(r"""[ \t]*([^\s()\[\]<>{}"'`,;|\\]{1,1024})[ \t]*""")
# Words between a name and a ``:`` in a log that say the value is the secret itself
# (``auth header set: v``, ``api key loaded: v``); any other word may name something
# else (``key id: <uuid>``, ``token lookup failed: <request id>``), so only these count.
_SAID_WORDS = frozenset(
    {
        "set", "loaded", "used", "using", "is", "was", "value", "header", "received", "sent",
        "found", "created", "generated", "provided", "given", "configured", "injected",
        "applied", "resolved", "fetched", "retrieved", "returned", "obtained", "read",
        "parsed", "decoded", "raw", "plain", "full", "current", "new", "string", "env",
        "now", "in", "to", "as", "format", "supplied", "specified", "entered", "submitted",
        "pasted", "copied", "passed", "stored", "saved", "assigned", "here", "below",
        "follows",
        # (the same said in other languages: ``Das Passwort lautet: v``, ``la clave es: v``)
        "lautet", "ist", "es", "est", "era", "sono", "wynosi",
    }
)  # fmt: skip
_LOWER_WORD = re.compile(r"[a-z]+")
# The owners that make a name something else even with a blank between them: in prose
# most owner words qualify a credential (``Using cached token: v``, ``redis key: v``)
_SPACED_OWNERS = frozenset(
    {
        "public", "publishable", "primary", "foreign", "sort", "partition", "composite",
        "unique", "gpg", "pgp", "ssh", "idempotency", "csrf", "xsrf", "next", "max", "min",
        "num", "total", "cache", "index", "lookup", "count",
        # (a key named by its algorithm in prose is an id: ``gpg: using RSA key <id>``)
        "rsa", "dsa", "ecdsa", "eddsa", "ed25519",
    }
)  # fmt: skip
# (an algorithm names a key in prose before the key's id, as gpg prints one)
_KEY_ALGORITHMS = frozenset({"rsa", "dsa", "ecdsa", "eddsa", "ed25519"})
_KEY_ID_AFTER = re.compile(r"[ \t]{1,4}(?:0x)?(?:[0-9A-F]{8}|[0-9A-F]{16}|[0-9A-F]{40})(?![\w])")
_PART_SPLIT = re.compile(r"[-_.]")
# (a word is in one case or capitalized: a random token's letters change case at random,
# and a grouped base32 key's upper-case groups are no words)
_PART_WORD = re.compile(r"(?:[a-z]{3,}|[A-Z][a-z]{2,})\d{0,4}|v\d{1,3}")
# (``<`` or a namespace's ``<ns:`` right before an element's name)
_ELEMENT_OPEN = re.compile(r"<(?:[A-Za-z][\w.\-]{0,15}:)?$")
_SETTERS = ("set", "with")
# (a method named by its secret alone, ``.password("v")``, sets it, unless a verb opens
# its name)
_NOT_SETTERS = (
    "get", "read", "load", "fetch", "find", "lookup", "resolve", "has", "is", "remove",
    "delete", "del", "pop", "check", "validate", "verify", "parse", "decode", "encode",
    "hash", "create", "generate", "new", "rotate", "revoke", "refresh", "clear", "reset",
    "print", "log", "mask", "redact", "require", "ensure", "to", "as", "from",
)  # fmt: skip


def _sets(name: str, before: str) -> bool:
    """Whether a call of ``name`` (``before``: the character before it) sets the value
    its quoted argument holds: a setter (``setApiKey``, ``with_token``), or a method
    (``.password(``, ``jedis.auth(``) whose name opens with no verb."""
    method = name.rpartition(".")[2]
    if method.lower().startswith(_SETTERS):
        return True
    if before != "." and "." not in name:
        return False
    words = _segments(method)
    return bool(words) and words[0] not in _NOT_SETTERS


# Words as user and organization names are spelled (``MyOrganization``, ``jdoe``,
# ``svc-deploy-prod``), each of two letters or more; a word follows another after a
# separator or at a capital (so a match is read one way only: linear time)
_ACRONYM = r"[A-Z]{2,}(?=[A-Z][a-z]|[_.\-]|$)"
_USER_WORD = rf"(?:[a-z]{{2,}}|[A-Z][a-z]+|{_ACRONYM})"
_USER_NAME = re.compile(rf"{_USER_WORD}(?:[_.\-]{_USER_WORD}|[A-Z][a-z]+|{_ACRONYM})*")
_DIGITS = re.compile(r"\d+")
# (names use few words of two letters, ``MyOrg``; random letters read as names use many,
# ``UmpnEDTjTxNGVl``)
_SHORT_WORDS = re.compile(r"[A-Z][a-z](?![a-z])")
# (a tool's prefix ends with a colon: ``gpg: key <id>: public key imported``)
_LAST_WORD = re.compile(r"([A-Za-z]+):?[ \t]+$")
#: A JSON field between a name field and its value field, as cloud CLIs print them
#: (``"slotSetting": false,``, ``"Type": "SecureString",``), with its comma and line break.
PAIR_FIELD = (
    r"""(?:"[\w\-]{1,32}"[ \t]{0,4}:[ \t]{0,4}(?:"[^"\n]{0,64}"|[\w.\-]{1,16})[ \t]{0,4}"""
    r""",[ \t]{0,8}(?:\r?\n[ \t]{0,40})?)"""
)
#: Attributes between a name field and its value field, and the blanks before the value's.
PAIR_ATTRIBUTES = (
    r"""(?:[ \t]{1,4}[\w:.\-]{1,32}=(?:"[^"<>\n]{0,256}"|'[^'<>\n]{0,256}')){0,4}[ \t]{1,8}"""
)
#: Between a name field and its value field (``_rules`` ``named-value``): a comma, a line
#: break (YAML, indented JSON), a comma and a line break (pretty-printed JSON), up to two
#: JSON fields, or blanks and attributes (``<add key=".." description=".." value=".."/>``).
PAIR_BETWEEN = (
    r"""["']?[ \t]{0,8}(?:(?:,[ \t]{0,8}(?:\r?\n[ \t]{0,40})?"""
    + PAIR_FIELD
    + r"""{0,2})|\r?\n[ \t]{0,40}|"""
    + PAIR_ATTRIBUTES
    + r""")["']?"""
)
#: The value field's name and separator
# (an XML namespace's prefix before it: Android's ``<meta-data android:name="..ApiKey"
# android:value="v"/>``)
PAIR_VALUE = r"""(?:android:)?(?:[Pp]arameter)?(?:value|Value)["']?[ \t]{0,8}[:=]"""
# The field names that name the next field's value (``key="ApiKey" value="v"``): their
# own value is a name, not a secret
_PAIR_NAMES = frozenset({"key", "name", "parameterkey"})
_PAIR_NEXT = re.compile(PAIR_BETWEEN + PAIR_VALUE)
_PAIR_VALUE_FIELD = re.compile(r"(?<!\w)" + PAIR_VALUE)
# (an object, an element or a line ends between two fields: not one pair)
_PAIR_CLOSED = re.compile(r"[{}<>\n]")
# What may stand before a name: not part of a path (``/etc/passwd``) or a variable
# being read (``$PASSWORD``); a variable is assigned only with ``=`` (``$apiKey = 'v'``
# in PHP, Perl, PowerShell).
_NOT_BEFORE_NAME = frozenset("/\\")
# A Kubernetes object's name (lower-case letters, digits, ``-`` and ``.``), which a Helm
# chart's ``existingSecret`` holds
_KUBERNETES_NAME = re.compile(r"[a-z0-9](?:[a-z0-9.\-]{0,251}[a-z0-9])?")


def _names_kubernetes_secret(name: str) -> bool:
    """``existingSecret``, ``existing_secret``: the name of a Secret to read."""
    words = _segments(name)
    return words[-2:] == ["existing", "secret"]


# What follows a test runner's ``PASS`` verdict: a test's name or file (Go's ``--- PASS:
# TestCheckout/case_1 (0.10s)``, ``PASS: tests/test_x.py::test_y``, TAP's ``PASS:
# t/00-load.t``, Jest's ``PASS src/App.test.tsx``)
_TEST_PASSED = re.compile(
    r":?[ \t]+(?:Test[A-Z0-9_]|[a-z0-9_.\-]+/|\S*?(?:::|\.t(?![^\s:])"
    r"|\.(?:py|[cm]?[jt]sx?|go|rb|rs|java|kt|php|cs|swift|exs?)(?![\w.])))"
)
# A shell's parameter expansion: the operator after the name (``${NAME:-``), and the
# default up to the brace, quoted or not, holding no other expansion (``${A:-${B}}``)
_SHELL_OPERATOR = re.compile(r":?[\-=+?]")
_SHELL_DEFAULT = re.compile(r"""(?P<q>["']?)(?P<s>[^\s{}]{1,1024}?)(?P=q)\}""")
_ARRAY_BRACKETS = re.compile(r"[ \t]?\[[^\]]*\]$")


def value_spans(
    text: str, name: str, before: str, m: re.Match[str]
) -> tuple[list[tuple[int, int]], int]:
    """The spans to mask after a secret-looking ``name`` matched by ``m`` (the rule
    regex: the name's last word, then ``sep`` or ``sp`` and an opening quote ``q``).

    ``before`` is the character before the name ("" at the start). Returns no span
    when the name is not secret-looking or the value fails :func:`value_kind`; and
    where the text read ends."""
    pos = m.end()
    # (a C array's brackets, ``token[TOKEN_LEN]``, or a subscript, ``api_key[i]``, are
    # not the name's words)
    judged = _ARRAY_BRACKETS.sub("", name) if name.endswith("]") else name
    if before in _NOT_BEFORE_NAME or not is_secret_identifier(judged):
        return [], pos
    if before == "$" and (m.group("sep") or "").strip(" \t\"'])") not in _VARIABLE_SETS:
        # (a shell's or PHP's variable only when set or compared: ``$TOKEN = "v"``, ``[[
        # $TOKEN == "v" ]]``, ``$token === 'v'``; not ``${TOKEN:-v}``, ``echo $TOKEN v``)
        return [], pos
    if before == "{" and text[m.end("name") - len(name) - 2 : m.end("name") - len(name) - 1] == "$":
        # A shell's default for the variable (``${API_KEY:-v}``, ``${TOKEN:=v}``,
        # ``${TOKEN=v}``): read from the operator to the brace. An error's message
        # (``${API_KEY:?unset}``) and a value used when set (``${API_KEY:+--key}``) are
        # not the variable's value.
        op = _SHELL_OPERATOR.match(text, m.end("name"))
        if op is not None:
            default = _SHELL_DEFAULT.match(text, op.end()) if op.group()[-1] in "-=" else None
            if default is None or not value_kind(
                default.group("s"), password=is_password_name(name)
            ):
                return [], pos
            return [default.span("s")], default.end()
    said = m.group("said") if "said" in m.re.groupindex else None
    if said is not None and not _said_of_secret(said):
        # ``key id: <uuid>``, ``token lookup failed: <id>``: not the secret; the words
        # may be a name themselves (``auth token: v``)
        return [], m.end("name")
    if _word_before_rejects(text, m, name):
        return [], pos
    if name == "PASS" and _TEST_PASSED.match(text, m.end("name")) is not None:
        return [], pos  # a test runner's verdict: ``--- PASS: TestCheckout/case_1``
    if text[m.end("name") : m.end("name") + 1] not in ("=", ":") and _passed_by_name(
        text, m.end("name") - len(name)
    ):
        # ``docker run -e API_SECRET image``, ``["-e", "API_SECRET", "image"]``: the next
        # word is no value
        return [], pos
    prose = said is not None or (
        m.group("sp") is not None
        # (a C preprocessor's constant is an assignment: ``#define API_KEY "v"``)
        and _DEFINE.search(text, max(0, m.end("name") - len(name) - 40), m.end("name") - len(name))
        is None
    )
    if name == "secret" and before == ":" and _in_arn(text, m.start()):
        return [], pos  # ``arn:aws:secretsmanager:...:secret:prod/db``: a resource type
    sep = m.group("sep")
    if sep is not None and "," in sep and before not in ('"', "'"):
        # A name and its value as a call's two strings (``Add("X-Api-Key", "v")``): the
        # name fills its string; a string that only ends in one is a list's item
        # (``["SECRET_NAME=db-credentials", "PYTHON_VERSION=3.12"]``)
        return [], pos
    password = is_password_name(name)
    q = m.group("q")
    if not q and sep == ":" and text[pos : pos + 1] == "&" and text[pos - 1 : pos] in " \t":
        # A YAML anchor before the value (``api_key: &key v``, ``token: &t "v"``): the
        # value after it; an alias after it (``*key``) is no value
        anchor = _YAML_ANCHOR.match(text, pos)
        if anchor is not None:
            if anchor.group("q") is None:
                return [], anchor.end()
            pos, q = anchor.end(), anchor.group("q")
    element_end = sep is not None and sep.endswith(">") and not sep.endswith(("->", "=>"))
    t = _BRACKETED.match(text, pos) if q in _BRACKETS and not element_end else None
    if (
        t is not None
        and text[t.end() : t.end() + 1] == _BRACKETS[q]
        and _BRACKET_GLUED.match(text, t.end()) is None
    ):
        # A bracket around a token, as logs print one (``api_key=[v]``, ``Using token
        # ( v )``, ``key: <v>``): the token alone, closed on its line. An expression is
        # read from its bracket, as before (``token = (os.getenv("T") or "v")``, a
        # password that opens with a bracket, ``(ZsHqA)x9...``); nothing else is a value.
        value = t.group(1)
        if (
            (prose and not (looks_generated(value) and len(value) >= 16))
            # (an assignment or a map's entry in brackets, ``auth: [request_id=<hex>]``,
            # ``key: [a=<v>]``; base64's padding ends a token; a password may hold one)
            or (not password and "=" in value.rstrip("="))
            or not value_kind(value, password=password)
        ):
            return [], t.end()
        return [t.span(1)], t.end()
    if q in _BRACKETS and not element_end:
        if prose or q != "(":
            # (prose in brackets, ``secret (env://X: not found; ...)``; a list, ``key=[1,
            # 2]``; a bracket not closed on its line)
            return [], pos
        pos, q = m.start("q"), None  # (an expression: read from its bracket, as before)
    elif q in _BRACKETS:
        pos, q = m.start("q"), None  # (an element's content)
    if element_end:
        # An element (``<password>v``) or a name in an attribute (``name="db.password">v``);
        # not the end of a placeholder (``<your-api-key>``) or a comparison.
        name_start = m.end("name") - len(name)
        if text[name_start - 3 : name_start] == "?P<":
            return [], pos  # ``(?P<password>[^@]+)``: a regex's named group
        opened = _ELEMENT_OPEN.search(text, max(0, name_start - 17), name_start) is not None
        # ``<password>v``, ``<wsse:Password>v``, ``<ns2:apiKey>v``; with attributes
        # (``<Password encrypted="false">v``, ``<apiKey type="string">v``)
        # (a compound name with attributes up to 25 characters, as Hyperscan's gate
        # reads them)
        element = opened and (sep == ">" or (sep[0] in " \t" and len(name) <= 25))
        if element or sep in ('">', "'>"):
            if q:
                # ``<password>"v"</password>``: the quote must close right before the
                # element does (``"<token>", "x"`` in JSON is no element)
                close = text.find(q, pos, pos + 1025)
                if close <= pos or text[close + len(q) : close + len(q) + 1] != "<":
                    return [], pos
                if "\n" in text[pos:close]:
                    return [], pos
                lead = len(text[pos:close]) - len(text[pos:close].lstrip())
                value = text[pos + lead : close].rstrip()
                if not value_kind(value, password=password):
                    return [], close
                return [(pos + lead, pos + lead + len(value))], close
            return _xml_content(text, pos, password)
        return [], pos
    quoted = bool(q)
    if sep is not None and sep.endswith("(") and not (quoted and _sets(name, before)):
        # ``setToken("v")``, ``with_api_key("v")``, a builder's ``.password("v")``,
        # ``jedis.auth("v")`` hold a value; ``get_token(request)``,
        # ``getSecret("StripeApiKey")``, ``Cookie("sessionid")`` name one or compute one.
        return [], pos
    if quoted:
        close = text.find(q, pos, pos + _LONGEST)
        if len(q) == 1:
            # A quote escaped inside the value (``"NLa\\"w7rP"`` in JSON) does not close it.
            while close > pos and _escaped(text, close, pos):
                close = text.find(q, close + 1, pos + _LONGEST)
        line_end = text.find("\n", pos, pos + _LONGEST)
        if close > pos and (line_end < 0 or close < line_end):
            start, end = pos, close
        else:
            return [], pos
    else:
        # In a URL query (``?name=v&next=1``) a value ends at ``&``; elsewhere a
        # password may hold one (``password=ab&cd12``).
        amp = before in ("?", "&")
        b = (_BARE if amp else _BARE_AMP).match(text, pos)
        if b is None:
            return [], pos
        start, end = b.span()
        if password and not prose and not amp:
            # A passphrase as a line's value (YAML, ``.env``, ``.properties``, INI:
            # ``password: correct horse battery staple``): the words to the line's end
            words = _PASSPHRASE_LINE.match(text, start)
            if words is not None and _opens_line(text, m.start()):
                end = words.end()
        if end - start == 4 and text[start:end].isalnum():
            # an application password, shown in groups (``abcd efgh ijkl mnop``)
            groups = _APP_PASSWORD_TAIL.match(text, end)
            end = groups.end() if groups is not None else end
        if text[end : end + 1] == "|" and end - start <= 12 and text[start:end].isdigit():
            # ``<id>|<token>``: a Laravel Sanctum token names its row before the secret
            tail = _ID_TOKEN_TAIL.match(text, end)
            end = tail.end() if tail is not None else end
        if end - start == 512 and text[start] != "(":  # judged by its head, masked to its end
            rest = (_BARE_REST if amp else _BARE_AMP_REST).match(text, end)
            end = rest.end() if rest is not None else end
        code = text[end : end + 1] in ("(", "[") or "(" in text[start:end] or "[" in text[start:end]
        if password and not amp and (code or text[end : end + 1] in (")", "]", "}")):
            # A generated password with brackets in it (``Xk9(mQ2...``, ``(ZsH}qA)...``)
            # is read whole, where code is not (``get_password(user)``)
            run = _PASSWORD_RUN.match(text, start)
            whole = run.group().rstrip(",;") if run is not None else ""
            if (
                whole
                and not _looks_code(whole)
                and (_random_password(whole) or _BRACKET_GLUED.search(whole) is not None)
            ):
                end, code = start + len(whole), False
        if code:
            # ``token = get_token(...)``, ``os.environ["X"]``: code, maybe with a
            # literal to fall back on
            return _fallback(text, start, password)
        if text[end - 2 : end] == "..":
            return [], end  # an elided value (``ops_eyJzaWdu...``)
        # Punctuation after a value stays (``?token=v: ConnectError``); in prose
        # (``the password is v!``) also a closing ``!`` or ``?``.
        trailing = _TRAILING + "!?" if prose else _TRAILING
        while end > start and text[end - 1] in trailing:
            end -= 1
    value = text[start : min(end, start + 1024)]  # (a longer one: judged by its head)
    if "=" in value and not prose and name.lower().rpartition("-")[2] == "cookie":
        # ``Cookie: a=b; c=d``, ``{'Cookie': 'a=b; c=d'}``: each pair judged
        return cookie_pairs(text[start:end], start), end
    # A quoted or prose value that is not a secret may name one, or hold an assignment:
    # ``key="db.password">v``, ``{"key": "API_KEY", ...}``, ``Setting secret
    # GITHUB_TOKEN=v``; the names inside it are read in turn.
    rejected = start if quoted or prose else end
    sp = m.group("sp")
    if (
        sp is not None
        and (len(sp) - len(sp.lstrip(" \t")) > _PROSE_BLANKS or "|" in sp)
        and not _table_row(text, m.end("name") - len(name), end + quoted)
    ):
        # Many blanks after a name: only a table's row (``secret_id      <uuid>``), not
        # padded columns (``INFO     auth       <request id>``, ``kubectl get pods``)
        return [], rejected
    if (
        name.lower() in _PAIR_NAMES
        and (
            _pair_name_field(text, m.end("name") - len(name), end)
            # (the name of the element whose content is the value: ``<entry
            # key="api.token">v</entry>``)
            or (text[end : end + 2] in ('">', "'>") and is_secret_identifier(value))
        )
    ):
        return [], start  # ``<add key="S3BucketName" value="..."/>``: a name field
    if (
        not quoted
        # (in prose, or after a colon under a name other than a password's: a logger's
        # name, ``auth: request_id=<hex>``; after ``=`` a value may hold one,
        # ``api_key=abc=<v>``, and so may a password anywhere, ``password: a=<v>``)
        and (prose or (not password and (sep or "").strip(" \t\"'])") == ":"))
        and (
            names_next_assignment(value)
            # (a field's name and ``=`` before a quote: ``token: username="v"``)
            or (
                value[-1:] == "="
                and text[end : end + 1] in ('"', "'")
                and _FIELD_NAME.fullmatch(value, 0, len(value) - 1) is not None
            )
        )
    ):
        return [], start  # (``auth: request_id=<hex>``: the names inside are read in turn)
    if not quoted and not password and value.startswith(":"):
        return [], rejected  # (``TOKEN=:v``: no token opens so; the next rule reads it)
    if (
        _names_kubernetes_secret(name)
        and _KUBERNETES_NAME.fullmatch(value) is not None
        and not looks_generated(value.replace("-", "").replace(".", ""))
    ):
        return [], rejected  # a Helm chart's ``existingSecret: app-db``: a Secret's name
    if not value_kind(value, password=password) or (
        _ends_in_secret_id(_name_words(name)) and not _secret_id_value(value)
    ):
        if not quoted and not prose:
            found, read = _fallback(text, start, password)
            if found:
                return found, read
        return [], rejected
    if not password and before in ("?", "&") and OBJECT_NAME.search(value) is not None:
        return [], end  # ``?key=reports/Q3-2024v2.pdf``: a file a URL names
    # ``Using token v``, ``--name v``: prose, where the next word is usually a word;
    # only a generated value of 16 characters or more (``the old key f3f6f14f88bf``
    # names a key by a short hash), or a password with a digit and a letter, counts;
    # never the next assignment (``pass allow_x=True``: above; under another name a
    # value holding a ``=`` after a name, ``Using token Scope=b``), and never after the
    # verb ``pass`` (a name is no verb: ``--db-pass v``, ``ENV ACME_PASS v``, ``smtp_pass
    # to v``).
    # (a password option's value is the password, words and all: ``--password
    # ribbon-copper-timber-66``, ``--db-password correct-horse-battery-staple``)
    option = (
        password
        and name.startswith("--")
        and _OPTION_PASSPHRASE.fullmatch(value) is not None
        and _PROSE_WORD.search(value.replace("-", " ")) is None
    )
    if prose and (
        # (base64's padding is part of a value, and so is a ``=`` inside a generated run:
        # ``AQE...+/...=-...``; an assignment opens with a name)
        (
            not password
            and "=" in value.rstrip("=")
            and (
                is_identifier(head := value.partition("=")[0])
                or _FIELD_NAME.fullmatch(head) is not None
            )
        )
        # (``secret loaded: stripe-api-key-v2``: the secret's name)
        or (_wordy(value) and not option)
        or name.lower() == "pass"
        or not (
            (looks_generated(value) and len(value) >= 16)
            or option
            or (_APP_PASSWORD.fullmatch(value) is not None and _generated_groups(value))
            or (
                password
                and len(value) >= 8
                and _DIGIT.search(value) is not None
                and _LETTER.search(value) is not None
            )
            # (or random letters in mixed case: ``--password xjUGNKZVefsfgl``)
            or (password and _random_letters(value, lower=True))
        )
    ):
        return [], rejected
    if prose and not password and _lifecycle_id(text, m.end("name") - len(name), name, value, end):
        # (and the new value a rotation names after it: ``token <id> rotated to v``)
        new = _ROTATED_TO.match(text, end)
        if new is not None and looks_generated(new.group(1)) and len(new.group(1)) >= 16:
            return [new.span(1)], new.end()
        return [], rejected
    if not quoted and text[end : end + 1] == "," and _segments(name)[-1:][0] in PLURALS:
        return _listed(text, start, end, password)
    return [(start, end)], end


# What a log says an existing key or token went through: the value it names is the
# key's id (not ``created``, ``issued``, ``generated``: a new token's value is printed
# so)
_LIFECYCLE = frozenset(
    {
        "rotated", "rotating", "revoked", "revoking", "deleted", "deleting", "disabled",
        "disabling", "expired", "expiring", "archived", "destroyed", "removed",
        "invalidated", "deactivated", "scheduled",
    }
)  # fmt: skip
_WORDS_BEFORE = re.compile(r"([A-Za-z]+)[ \t]+(?:([A-Za-z]+)[ \t]+)?$")
# (after the value: such a word, or ``not found``, a word of its own, not a field's name,
# ``expired_at=``; not ``invalid`` nor ``not authorized``, said of a live token a server
# turned away)
_WORD_AFTER = re.compile(
    r"[ \t]+(?:was[ \t]+|has[ \t]+been[ \t]+)?([A-Za-z]+(?:[ \t]+found)?)(?![\w\-=])"
)
# Words before the name that say the value is in use, not acted on: ``Using token <v>
# expired`` (a token in use may still be live)
_IN_USE = frozenset({"using", "use", "uses", "with", "via", "sending", "sent", "set", "trying"})
# (a rotation's new value after the id: ``token <id> rotated to v``)
_ROTATED_TO = re.compile(
    r"[ \t]+(?:was[ \t]+|has[ \t]+been[ \t]+)?(?:rotated|renewed|replaced|changed)"
    r"""[ \t]+(?:to|with|by)[ \t]+([^\s"'`,;)}\]<>|\\]{16,512})"""
)
_HEX_ID = re.compile(r"[0-9a-f]{8,40}")


def _lifecycle_id(text: str, name_start: int, name: str, value: str, end: int) -> bool:
    """Whether a value in prose is the id of the key or token it follows, as a log
    names one it acts on: a UUID after a verb of a key's life, one word between them or
    none (``rotated key <uuid>``, ``revoked api token <uuid>``), or a UUID or a lower-case
    hex id before one (``key <uuid> not found``, ``token <hex> expired``). Only under a
    word of prose (``key``, ``Token``; not a variable's name, ``HEROKU_API_KEY``), and
    not after a word that says the value is in use (``Using token <v> expired``)."""
    if not (name.isalpha() and (name.islower() or name.istitle())):
        return False
    if _UUID.fullmatch(value) is None and _HEX_ID.fullmatch(value) is None:
        return False
    # (one of the two words before the name: ``rotated api key <uuid>``)
    before = _WORDS_BEFORE.search(text, max(0, name_start - 40), name_start)
    words = [(w or "").lower() for w in before.groups()] if before is not None else []
    if any(w in _IN_USE for w in words):
        return False
    after = _WORD_AFTER.match(text, end)
    if after is not None:
        word = after.group(1).lower()
        if word in _LIFECYCLE or word.split() == ["not", "found"]:
            return True
    return _UUID.fullmatch(value) is not None and any(w in _LIFECYCLE for w in words)


# A literal to fall back on after an expression, on the same line: ``process.env.KEY ||
# "v"``, ``?? "v"`` (JavaScript, C#, PHP), ``or "v"`` (Python, Ruby)
#: What stands between an expression and the literal it falls back on: JavaScript's,
#: C#'s and PHP's ``||``, ``??``, PHP's and Kotlin's ``?:``, Perl's ``//``, Python's,
#: Ruby's and Lua's ``or``, Rust's ``unwrap_or(``, Java's ``orElse(``, Scala's
#: ``getOrElse(``.
FALLBACK_OPERATORS = (
    "||", "??", "?:", " //", " or", ")or", "]or", "unwrap_or(", "orElse(", "getOrElse(",
    " else",
)  # fmt: skip
FALLBACK_OPERATORS_RE = "|".join(map(re.escape, FALLBACK_OPERATORS))
# (a literal without blanks: a message, ``|| "API key not configured"``, is none)
# (the operator may start the next line, as black writes a long one: ``(os.getenv("K")``,
# then ``or "v")``)
FALLBACK_BEFORE = (
    r"""(?:[^\n;]{0,200}\r?\n[ \t]{0,40}(?:[^\n;]{0,200}\r?\n[ \t]{0,40})?)?[^\n;]{0,200}?"""
)
_FALLBACK = re.compile(
    rf"""{FALLBACK_BEFORE}(?:{FALLBACK_OPERATORS_RE})[ \t]*[fFrR]?"""
    r"""(?P<q>["'`])(?P<s>[^\s"'`\\]{1,512})(?P=q)"""
)


# A literal in a call that only holds it: Rust's ``String::from("v")``,
# ``SecretString::new("v".into())``, ``Secret::new(..)``, ``Box::new(..)``
_WRAPPED = re.compile(
    r"""(?:String::from|Secret(?:String|Box)?::(?:new|from)|Box::new)\([ \t]{0,8}"""
    r"""(?P<q>["'`])(?P<s>[^\s"'`\\:{}]{1,512})(?P=q)"""
)


def _fallback(text: str, pos: int, password: bool) -> tuple[list[tuple[int, int]], int]:
    """The span of the literal a name's value falls back on (``apiKey =
    process.env.API_KEY || "v"``), or that a Rust call only wraps (``String::from("v")``),
    when it is a secret; and where the text read ends."""
    w = _WRAPPED.match(text, pos)
    if w is not None:
        if not value_kind(w.group("s"), password=password):
            return [], pos
        return [w.span("s")], w.end()
    m = _FALLBACK.match(text, pos)
    if m is None:
        return [], pos
    value = m.group("s")
    # (a default in code: generated, or under a password name a generated password;
    # not an id or a message key, ``"password_reset_v2"``)
    if not (value_kind(value, password=False) or (password and _random_password(value))):
        return [], pos
    return [m.span("s")], m.end()


# (in a URL's query the list ends at the next parameter: ``&`` before ``page=2``,
# ``amp;page=2``)
_QUERY_NEXT_NAME = r"(?:amp;)?[A-Za-z_][\w.\-]{0,64}="
_LIST_ITEM = re.compile(
    rf"""[ \t]{{0,8}}(?P<v>(?:[^\s"'`,;)}}\]<>|\\&]|&(?!{_QUERY_NEXT_NAME})){{0,512}})"""
)
#: values of a list read after its name (a longer list's others stay to propagation)
_LISTED_MAX = 64


def _listed(text: str, start: int, end: int, password: bool) -> tuple[list[tuple[int, int]], int]:
    """The spans of a list's values under a plural name (``API_KEYS=k1,k2,k3``), the
    first at ``start:end``: each value after a comma is judged on its own."""
    spans = [(start, end)]
    while text[end : end + 1] == "," and len(spans) < _LISTED_MAX:
        # (blanks after a comma, ``k1, k2``, and empty items, ``k1,,k2``)
        b = _LIST_ITEM.match(text, end + 1)
        if b is None:
            break
        if not b.group("v"):
            end = b.end()
            continue
        lo, end = b.span("v")
        while end > lo and text[end - 1] in _TRAILING:
            end -= 1
        if value_kind(text[lo:end], password=password):
            spans.append((lo, end))
    return spans, end


# The last words of a field that describes a secret rather than holding it
# (``{"api_keys": [{"id": ..., "name": ..., "created_at": ...}]}``)
_DESCRIBING = frozenset(
    {"id", "name", "type", "kind", "label", "description", "at", "date", "created",
     "updated", "expires", "expiry", "scope", "scopes", "domain", "path", "prefix", "hint",
     "by", "model", "owner", "user", "email", "version", "status", "region", "env",
     "hash", "digest", "checksum", "sum", "fingerprint", "sha", "sha1", "sha256", "md5",
     "etag", "url", "uri", "count", "uid", "uuid", "commit", "revision", "image", "ref"}
)  # fmt: skip


def describes_secret(key: str | None) -> bool:
    """Whether the field ``key`` describes a secret (its id, name, dates) below a
    secret-named one."""
    if key is None:
        return False
    segs = [seg for seg in _SEGMENT.findall(key) if not seg.isdigit()]  # (``sha256``)
    return bool(segs) and segs[-1].lower() in _DESCRIBING


@functools.lru_cache(maxsize=2048)
def list_singular(name: str, *, data: bool = False) -> str:
    """The singular of ``name`` (``API_KEY`` for ``API_KEYS``) when that plural names a
    list of secrets in text, else ``""``: a secret name's last word in the plural
    (``api_keys``, ``apiKeys``, ``VALID_API_KEYS``, ``client_secrets``, ``stripe_keys``,
    ``apikeys``), an environment variable's with a variant or stage after it
    (``API_KEYS_PROD``), and ``passwords`` or ``secrets`` alone. Not ``keys`` or
    ``tokens`` alone (a JWKS, a tokenizer's), public keys (``ssh_keys``), counts and
    kinds of tokens (``prompt_tokens``, ``stop_tokens``), nor lists of refused or
    allowed values (``bad_tokens``, ``allowed_tokens``). With ``data``, a key of
    structured data: a variant or stage after the plural in any case
    (``api_keys_prod``)."""
    segs = _joined(_segments(name))
    # (a value's suffix after the plural: Vault's ``unseal_keys_b64``, ``keys_base64``)
    encoded = len(segs) > 1 and segs[-1] in ("b64", "base64", "hex")
    if encoded:
        segs.pop()
    # (the plural among the last three words: after it, an environment variable's stage)
    plural = None
    for i in range(len(segs) - 1, max(-1, len(segs) - 4), -1):
        plural = next((p for p in PLURALS if segs[i].endswith(p)), None)
        if plural is not None:
            break
    if plural is None or (i < len(segs) - 1 and not (data or name.isupper())):
        return ""
    glued = segs[i][: -len(plural)]  # ``apikeys``
    owner = glued or (segs[i - 1] if i else "")
    if not_list_owner(owner, plural) or (
        not owner and plural not in ("passwords", "secrets") and not encoded
    ):
        return ""
    one = "_".join([*segs[:i], glued + PLURALS[plural], *segs[i + 1 :]])
    one = one.upper() if name.isupper() else one
    return one if is_secret_identifier(one) else ""


#: items of a list read under its plural (``secret-list``): every item of a key pool; the
#: reading stays linear, since the anchors inside what was read are not tried again
_LIST_ITEMS_MAX = 4096
# A list's items as code, JSON and YAML write them: a quoted string (a prefix, ``b''``,
# ``@""``, ``f""``; JSON-escaped quotes, ``\"k1\"``), or a bare run
_LIST_QUOTED = re.compile(r"""[bBrRuUfF@]{0,2}(\\{0,7})(["'`])((?:(?!\1\2)[^\n]){0,1024})\1\2""")
_LIST_BARE = re.compile(r"""[^\s,\[\]{}()"'`;#<>|\\=:]{1,512}(?:={1,2}(?=[\s,\]})]))?""")
# (between items: blanks, line breaks and comments)
_LIST_GAP = re.compile(
    r"""(?:[ \t\r\n]{1,64}|(?:#|//)[^\n]{0,256}|/\*(?:[^*]|\*(?!/)){0,512}\*/){0,64}"""
)
_LIST_CLOSE = {"[": "]", "{": "}", "(": ")"}
# (a mapping's key or a keyword argument after an item; not ``::`` nor ``==``)
_KEYED = re.compile(r"(?:=>|:(?!:)|=(?!=))")
_MAP_KEY = re.compile(r"""["']?[\w.\-]{1,64}["']?[ \t]*(?:=>|:(?!:)|=(?!=))""")
# (the calls that build a mapping from keyword arguments or pairs)
_MAPPING_CALL = re.compile(r"(?:\bdict|\barray)[ \t]{0,4}$")
# (what an expression among the items holds up to the next comma: no quote, bracket or
# comma)
_EXPRESSION_RUN = re.compile(r"""[^"'`()\[\]{},]{1,4096}""")
_EXPRESSION_MAX = 4096
# (a string holding a list: ``"k1,k2"``, ``"k1 k2"``, ``'["k1","k2"]'``)
_LIST_PARTS = re.compile(r"""[^\s,;|\[\]{}"']+""")
# (a YAML tag or block scalar's head, not a value: ``!vault |``, ``>-``)
_BLOCK_SCALAR = re.compile(r"(?:![^\s]{0,40}[ \t]*)?[|>][-+]?[0-9]?$")
_LIST_STRING = re.compile(
    r"""\[?[ \t]*(?:["']?[^\s,;|\[\]{}()"']+["']?[ \t]*(?:[,;|][ \t]*|[ \t]|(?=\]|$))){2,}\]?"""
)
_BLOCK_LINE = re.compile(r"[^\n]{0,1024}")
_BLOCK_COMMENT = re.compile(r"[ \t]+#.*$|[ \t\r]+$")
_BARE_NEXT = re.compile(r"[ \t]{0,8}[,;|][ \t]{0,8}(?:\\?\r?\n[ \t]{0,40})?")
# (an environment variable's item may be a reference, ``${OLD_KEY}``; in a URL's query
# the list ends at the next parameter, ``?API_KEYS=k1&page=2``)
_BARE_ITEM = re.compile(rf"""(?:[^\s,;|"'`)\]<>\\&]|&(?!{_QUERY_NEXT_NAME})){{1,512}}""")
# (the rest of a line, blank and comment lines, and the next line's indent: between the
# items of a block sequence, and the entries of a block mapping)
_LINES_BETWEEN = r"[ \t]*(?:#[^\n]{0,256})?(?:\r?\n[ \t]*(?:#[^\n]{0,256})?){0,8}\r?\n([ \t]{0,40})"
_BLOCK_NEXT = re.compile(_LINES_BETWEEN + r"-[ \t]{1,8}")
# (words between blanks: Ruby's ``%w[...]``, Perl's ``qw(...)``, Elixir's ``~w(...)``,
# a shell's array, ``API_KEYS=(k1 k2)``)
_WORD_LIST = re.compile(r"(?:%[wWiI]|\bqw|~w)$")


def _list_item(value: str, lo: int, password: bool, spans: list[tuple[int, int]]) -> None:
    """Add the span of ``value`` (at ``lo``) when it is a secret, or else, when it is a
    list itself (``"k1,k2"``, ``'["k1","k2"]'``), of each of its items that is."""
    if not value or is_public_key(value) or _BLOCK_SCALAR.match(value) is not None:
        return
    if value_kind(value, password=password):
        spans.append((lo, lo + len(value)))
        return
    if _LIST_STRING.fullmatch(value) is None:
        return  # (``ENC[AES256_GCM,data:...]``, ``{{ lookup('env','PW') }}``: one value)
    for part in _LIST_PARTS.finditer(value):
        if part.end() - part.start() < len(value) and value_kind(part.group(), password=password):
            spans.append((lo + part.start(), lo + part.end()))


def _item_at(text: str, pos: int) -> tuple[int, str, int, bool] | None:
    """The list item at ``pos``, quoted or bare: (where its value starts, the value,
    where the item ends, whether it is quoted)."""
    quoted = _LIST_QUOTED.match(text, pos)
    if quoted is not None:
        return quoted.start(3), quoted.group(3), quoted.end(), True
    bare = _LIST_BARE.match(text, pos)
    return None if bare is None else (pos, bare.group(), bare.end(), False)


def _expression_end(text: str, pos: int) -> int:
    """Where an expression among a list's items ends (``os.getenv("X")``, ``"k".to_string()``,
    ``{"id": 1}``): the next comma or closing bracket outside brackets and strings, or -1
    (none within 4,096 characters)."""
    depth = 0
    limit = min(len(text), pos + _EXPRESSION_MAX)
    while pos < limit:
        run = _EXPRESSION_RUN.match(text, pos, limit)
        if run is not None:
            pos = run.end()
            if pos >= limit:
                break
        c = text[pos]
        if c in "\"'`":
            close = text.find(c, pos + 1, limit)
            while close > 0 and text[close - 1] == "\\":
                close = text.find(c, close + 1, limit)
            if close < 0:
                return -1
            pos = close + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}" or c == ",":
            if depth == 0:
                return pos
            if c != ",":
                depth -= 1
        pos += 1
    return -1


def _flow_items(
    text: str,
    pos: int,
    close: str,
    password: bool,
    spans: list[tuple[int, int]],
    depth: int,
    builds: bool = False,
) -> tuple[bool, int]:
    """Read a flow list's items from ``pos`` to ``close``: (whether it holds secrets'
    places, not a call's keyword arguments or a nested mapping; where the reading
    ended). A mapping's values are its items; a nested list or tuple is read as items
    (``[("prod", "k")]``); an object or an expression among them is skipped. ``builds``:
    the call before ``(`` builds a mapping (``dict(prod=k)``, PHP's ``array('a' =>
    k)``), whose keyword arguments are its entries."""
    for _ in range(_LIST_ITEMS_MAX):
        pos = _LIST_GAP.match(text, pos).end()  # type: ignore[union-attr]
        c = text[pos : pos + 1]
        if c == close:
            return True, pos + 1
        if c in ("[", "(") and depth < 3:
            listed, pos = _flow_items(text, pos + 1, _LIST_CLOSE[c], password, spans, depth + 1)
            if not listed:
                return False, pos
        elif c != "{":
            item = _item_at(text, pos)
            if item is None:
                return True, pos
            lo, value, item_end, quoted = item
            after = _LIST_GAP.match(text, item_end).end()  # type: ignore[union-attr]
            keyed = _KEYED.match(text, after)
            if keyed is not None:
                # A mapping under the plural (``{"openai": "k1", ...}``, PHP's ``["a" =>
                # "k1"]``): its values are the items, but for the fields that describe
                # one (``{"id": ..., "key": ...}``); not a call's keyword arguments
                # (``list_secrets(NextToken=...)``)
                if depth or (close == ")" and not builds):
                    return False, after
                pos = _LIST_GAP.match(text, keyed.end()).end()  # type: ignore[union-attr]
                entry = _item_at(text, pos)
                if entry is not None:
                    if not describes_secret(value):
                        # (judged as generated: ``{"min_length": 12, "algo": "argon2id"}``
                        # under ``passwords`` is a policy)
                        _list_item(entry[1], entry[0], False, spans)
                    pos = entry[2]
                # (entries on lines of their own or after ``;``, as HCL and Nix write
                # them: the next key)
                nxt = _LIST_GAP.match(text, pos).end()  # type: ignore[union-attr]
                if text[nxt : nxt + 1] == ";":
                    nxt = _LIST_GAP.match(text, nxt + 1).end()  # type: ignore[union-attr]
                if nxt > pos and _MAP_KEY.match(text, nxt) is not None:
                    pos = nxt
                    continue
            else:
                # (a bare word before anything but a comma is code: ``[k for k in ...]``)
                if quoted or text[after : after + 1] in (",", close):
                    _list_item(value, lo, password, spans)
                pos = item_end
                if quoted and _LIST_QUOTED.match(text, after) is not None:
                    pos = after  # (items between blanks: a shell's array, Nix, EDN)
                    continue
        end = _expression_end(text, pos)
        if end < 0:
            return True, min(len(text), pos + _EXPRESSION_MAX)
        if text[end] != ",":
            return True, end + (text[end] == close)
        pos = end + 1
    return True, pos


# A line of a block mapping under a plural (YAML's ``prod: k1``, TOML's ``prod = "k1"``)
_MAP_LINE = re.compile(
    r"""(?P<key>["']?[\w.\-]{1,64}["']?)[ \t]*[:=][ \t]{1,8}"""
    r"""(?:(?P<q>["'])(?P<v>[^"'\n]{1,1024})(?P=q)|(?P<u>[^\s#"'][^\n#]{0,1023}))"""
)
_MAP_NEXT = re.compile(_LINES_BETWEEN + r"(?=[^\s#])")


def _mapping_lines(
    text: str, pos: int, indent: str | None, spans: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], int]:
    """The values of a block mapping under a plural (``api_keys:`` then ``prod: k1``
    lines at ``indent``; a TOML table's ``prod = "k1"`` lines, ``indent`` None): each
    value that looks generated, but for the fields that describe one (``id``, ``name``).
    (Not judged as passwords: ``passwords:`` then ``min_length: 12`` is a policy.)"""
    for _ in range(_LIST_ITEMS_MAX):
        line = _MAP_LINE.match(text, pos)
        if line is None:
            break
        group = "v" if line.group("v") is not None else "u"
        value = line.group(group).rstrip()
        # (not a flow mapping or list as the value: ``db: {version: 3}``)
        if not describes_secret(line.group("key").strip("\"'")) and value[:1] not in "{[":
            _list_item(value, line.start(group), False, spans)
        pos = line.end() if group == "v" else line.start(group) + len(value)
        nxt = _MAP_NEXT.match(text, pos)
        if nxt is None or (indent is not None and nxt.group(1) != indent):
            break
        if indent is None and nxt.group(1):
            break
        pos = nxt.end()
    return spans, pos


def list_value_spans(text: str, name: str, m: re.Match[str]) -> tuple[list[tuple[int, int]], int]:
    """The spans of the secrets a list under the plural ``name`` holds, matched by
    ``m`` (the ``secret-list`` rule: group ``open``, a bracket; ``q``, a quoted string;
    ``ind``, a YAML block sequence's indent before its first ``-``; ``mind``, a block
    mapping's indent; ``table``, a TOML table's lines; ``bare``, a comma list), each item
    judged as a value under the singular name (a mapping's values as generated ones);
    and where the text read ends."""
    pos = m.end()
    one = list_singular(name)
    if not one:
        return [], pos
    password = is_password_name(one)
    spans: list[tuple[int, int]] = []
    opened = m.group("open")
    if opened:
        close = _LIST_CLOSE[opened]
        if _WORD_LIST.search(text, max(0, pos - 4), pos - 1) is not None or (
            opened == "(" and text[pos - 2 : pos - 1] == "="
        ):
            end = text.find(close, pos, pos + 4096)
            end = end if end > 0 else min(len(text), pos + 4096)
            for word in _LIST_PARTS.finditer(text, pos, end):
                _list_item(word.group(), word.start(), password, spans)
            return spans, end
        builds = opened == "(" and _MAPPING_CALL.search(text, max(0, pos - 12), pos - 1) is not None
        listed, end = _flow_items(text, pos, close, password, spans, 0, builds)
        return (spans if listed else []), end
    if m.group("q") is not None:
        item = _LIST_QUOTED.match(text, pos)
        if item is not None:
            _list_item(item.group(3), item.start(3), password, spans)
            pos = item.end()
        return spans, pos
    mapped = m.group("mind")
    if mapped is not None or m.group("table") is not None:
        return _mapping_lines(text, pos, mapped, spans)
    indent = m.group("ind")
    if indent is not None:
        for _ in range(_LIST_ITEMS_MAX):
            item = _LIST_QUOTED.match(text, pos)
            if item is not None:
                _list_item(item.group(3), item.start(3), password, spans)
                pos = item.end()
            else:
                line = _BLOCK_LINE.match(text, pos).group()  # type: ignore[union-attr]
                value = _BLOCK_COMMENT.sub("", line)
                # (an item that is a mapping, ``- name: v``, or a flow list: read as such)
                if ": " not in value and not value.endswith(":") and value[:1] not in "[{":
                    _list_item(value, pos, password, spans)
                pos += len(line)
            nxt = _BLOCK_NEXT.match(text, pos)
            if nxt is None or nxt.group(1) != indent:
                break
            pos = nxt.end()
        return spans, pos
    # A comma list, ``API_KEYS_PROD=k1,k2``, ``api_keys = k1, k2`` (its first item may be
    # a word: ``OPENAI_API_KEYS=legacy,k2``); in lower case only a list of two items or
    # more (``keyVaultToStoreSecrets: cmp2-qat-12083`` names a store)
    listed = False
    for _ in range(_LIST_ITEMS_MAX):
        item = _BARE_ITEM.match(text, pos)  # (none: an empty item, ``,,k2``)
        if item is not None:
            _list_item(item.group().rstrip(_TRAILING), pos, password, spans)
            pos = item.end()
        sep = _BARE_NEXT.match(text, pos)
        if sep is None:
            break
        pos, listed = sep.end(), True
    return (spans if listed or name.isupper() else []), pos


# One value of an SQL ``VALUES (...)`` list: a quoted string (``''`` or an escape
# inside), or anything up to the next comma
_SQL_ITEM = re.compile(
    # (a string may have a prefix, ``N'v'``, ``E'v'``, ``_utf8mb4'v'``, and a cast after
    # it, ``'v'::text``; anything else is read to the next comma outside brackets)
    r"[ \t\r\n]*(?:[A-Za-z_][A-Za-z0-9_]{0,7})?(?:'(?P<a>(?:[^'\\\n]|''|\\.){0,1024})'"
    r'|"(?P<b>(?:[^"\\\n]|\\.){0,1024})")(?:::[A-Za-z_][\w ]{0,30})?[ \t\r\n]*(?:,|$)'
    r"""|[ \t\r\n]*(?P<c>(?:[^,'"()\[\]]|\((?:[^()]|\([^()]{0,256}\)){0,512}\)"""
    r"""|\[[^\[\]]{0,512}\]|'[^'\n]{0,1024}')"""
    r"""{0,1024}?)[ \t\r\n]*(?:,|$)"""
)
# A call's first string argument: ``crypt('v', gen_salt('bf'))``, ``md5('v')``
_SQL_CALL_STRING = re.compile(r"[A-Za-z_][\w.]{0,63}\([ \t]*'((?:[^'\\\n]|''|\\.){1,1024})'")
_SQL_COLUMN = re.compile(r"""[\w.$]{1,128}""")


# A cookie's pair (``name=value``), and the names of session cookies (``session``,
# ``connect.sid``, ``JSESSIONID``, ``PHPSESSID``, ``ASP.NET_SessionId``, ``remember_token``)
# (a value in double quotes too, as RFC 6265 allows: ``session="v"``)
_COOKIE_PAIR = re.compile(
    r"""[ \t]*([^=;\s"']{1,128})=(?:"([^";\s]{0,4096})"|([^;\s"']{0,4096}))[ \t]*"""
)
# (by the name's end: ``session_expiry``, ``auth_method`` and ``token_ttl`` are settings;
# Drupal's ``SESS<hex>``)
_SESSION_COOKIE = re.compile(
    r"(?i)(?:sess(?:ion)?(?:[_.\-]?id)?|sid|jwt|token|auth|remember[\w\-]*|login)$"
    r"|^s?sess[0-9a-f]{32}$"
    # (ASP.NET Core's ``.AspNetCore.Cookies``, WordPress's ``wordpress_logged_in_<hash>``,
    # Google's ``__Secure-3PSID``)
    r"|^\.AspNetCore\.|^wordpress_(?:logged_in|sec)_|(?i:psid)[\w\-]{0,8}$"
)


# A validation error's field, as pydantic prints it on the line before the error's
# message (its location: ``stripe_secret_key``, ``db.password``, ``servers.0.api_key``)
_FIELD_LOCATION = re.compile(r"[A-Za-z_][\w\-]{0,63}(?:\.[\w\-]{1,64}){0,7}")
# (the message's line, indented, up to the echoed input)
_VALIDATION_MESSAGE = re.compile(r"[ \t]{2,}[^\n]{1,800}\[type=[^\n]{0,400}")


def _line_break_before(text: str, at: int, lo: int) -> tuple[int, int]:
    """The last line break in ``text[lo:at]``, a character or a JSON string's ``\\n``:
    (its start, the next line's start), or (-1, lo) when there is none."""
    real = text.rfind("\n", lo, at)
    escaped = text.rfind("\\n", lo, at)
    if escaped > real:
        return escaped, escaped + 2
    return real, (real + 1 if real >= 0 else lo)


def validation_field(text: str, at: int) -> str | None:
    """The field whose echoed input ``input_value=`` at ``at`` shows, as pydantic writes
    a validation error: the field's location on a line of its own, then the message,
    indented, which ends in ``[type=..., input_value=..., input_type=...]`` (in a log's
    JSON string too, its lines joined by ``\\n``; each line maybe behind the same prefix,
    pytest's ``E   ``, Compose's ``app-1  | ``); None when the text is not shaped so."""
    lo = max(0, at - 1200)
    brk, line = _line_break_before(text, at, lo)
    if brk < 0:
        return None
    brk2, loc_start = _line_break_before(text, brk, lo)
    if brk2 < 0 and lo > 0:
        return None
    location = text[loc_start:brk].rstrip("\r")
    # (the prefix both lines share, up to 64 characters, then the location and the
    # indented message)
    most = min(len(location), at - line, 64)
    shared = 0
    while shared < most and location[shared] == text[line + shared]:
        shared += 1
    if _VALIDATION_MESSAGE.fullmatch(text, line + shared, at) is None:
        return None
    location = location[shared:]
    if _FIELD_LOCATION.fullmatch(location) is None:
        return None
    return location


# Cookies that count visits, remember consent or pin a load balancer's target, whose
# values are ids and timestamps that let nobody in: Google Analytics and Ads, Meta,
# Hotjar, Microsoft Clarity and Ads, Matomo, Segment, Mixpanel, Amplitude, TikTok,
# Pinterest, Reddit, LinkedIn, Datadog's RUM, consent managers, AWS's load balancers,
# Cloudflare's bot scores
_VISIT_COOKIE = re.compile(
    r"_ga(?:_[A-Z0-9]{4,16})?|_gid|_gat(?:_(?:gtag_)?UA[\w\-]{1,32})?|__utm[abctvz]"
    r"|_gcl_(?:au|aw|dc|gs|gb|ha)|_fb[pc]|_hj[A-Z][A-Za-z]{1,40}(?:_\d{1,12})?|_cl(?:ck|sk)"
    r"|_uet(?:sid|vid)|_pk_(?:id|ses|ref)\.\d{1,8}\.[0-9a-f]{4}|ajs_(?:anonymous_id|user_id)"
    r"|mp_[0-9a-f]{32}_mixpanel|(?:amp|AMP)_[0-9a-f]{6,10}|_ttp|_tt_enable_cookie"
    r"|_pin_unauth|_rdt_uuid|li_fat_id|_dd_s"
    r"|OptanonConsent|OptanonAlertBoxClosed|CookieConsent|cookieyes-consent|euconsent-v2"
    r"|AWSALB(?:TG)?(?:CORS)?|AWSELB(?:CORS)?|__cf_bm|_cfuvid"
)


def cookie_value_spans(m: re.Match[str]) -> list[tuple[int, int]]:
    """The spans of the values in a ``Cookie:`` or ``Set-Cookie:`` header matched by
    ``m`` (see :func:`cookie_pairs`)."""
    return cookie_pairs(m.group("s"), m.start("s"))


def cookie_pairs(pairs: str, offset: int) -> list[tuple[int, int]]:
    """The spans (from ``offset``) of the values in a cookie header's ``pairs``,
    percent-escapes read: under a session's or a secret's name any value that is not a
    word or a placeholder (as under a password name), under another name a token
    (:func:`looks_like_token`: ``theme=dark``, ``Path=/``, ``tz=Europe%2FBerlin`` stay)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (pair := _COOKIE_PAIR.match(pairs, pos)) is not None:
        group = 2 if pair.group(2) is not None else 3
        if is_cookie_secret(pair.group(1), pair.group(group)):
            spans.append((offset + pair.start(group), offset + pair.end(group)))
        if pairs[pair.end() : pair.end() + 1] != ";":
            break
        pos = pair.end() + 1
    return spans


def is_cookie_secret(name: str, value: str) -> bool:
    """Whether a cookie's ``value`` is a secret, judged by its ``name``: under a
    session's or a secret's name any value that is not a word or a placeholder (as
    under a password name; a bracketed placeholder, ``<session-id>``, stays), under
    another name a token (:func:`looks_like_token`: ``theme=dark``, ``Path=/``,
    ``tz=Europe%2FBerlin`` stay); a visit's cookie (``_ga``) never."""
    if not value:
        return False
    session = _SESSION_COOKIE.search(name) is not None or is_secret_identifier(name)
    if not session and _VISIT_COOKIE.fullmatch(name) is not None:
        return False
    # (judged as a reader sees it: ``tz=Europe%2FBerlin`` is a zone's name)
    seen = urllib.parse.unquote(value)
    if session:
        return value_kind(seen, password=True) and seen[:1] + seen[-1:] not in ("<>", "[]")
    return looks_like_token(seen)


_NAME_BEFORE = re.compile(r"[\w.\-]{1,64}$")


# Words around another script's word for a secret that make it name something else:
# its policy, type, name, hash, version, length, format, rules, strength, a date, an
# error, an id
# (``密码策略: PasswordPolicyV2``, ``密钥类型: AES256GCMKey``, ``ID ключа: <hex>``)
_NATIVE_QUALIFIERS = re.compile(
    "策略|类型|類型|名称|名稱|名字|哈希|散列|版本|长度|長度|格式|规则|規則|强度|強度|过期|過期"
    "|时间|時間|日期|公钥|公開"
    "|错误|錯誤|无效|無效|失败|失敗|重置|タイプ|名前|形式|ハッシュ|バージョン|ポリシー|長さ|エラー"
    "|유형|이름|해시|버전|길이|정책|형식|오류"
    r"|(?i:тип|им[яе]|назван|\u0445[еэ]ш|верси|длин|политик|формат|идентификатор|ошибк|неверн"
    r"|(?<![A-Za-z])(?:id|hash|type|typ|name|version|policy|format|sha-?[0-9]{1,3}|md5)(?![A-Za-z])"
    r"|pol[ií]tic|richtlinie|ch\u00ednh s\u00e1ch|c\u00f4ng khai|schl\u00fcsseltyp)"
)
# (glued to the word, as German compounds are: ``Schlüsseltyp``, ``Passworthash``)
_GLUED_QUALIFIER = re.compile(r"(?i:typ|name|hash|id|l\u00e4nge|richtlinie|version)")
# Words before it that make it a public key's (``Открытый ключ: <base64>``, ``公钥``)
_NATIVE_PUBLIC = re.compile(r"(?i:открыт|публичн|公开|公開|공개|öffentlich|public|публ)")


def native_label_accepted(text: str, m: re.Match[str]) -> bool:
    """Whether the value after another script's word for a secret (``secret-label-native``)
    is that secret: judged as under the English word (a password's any non-trivial
    value, the others' a generated one), unless the words around it say it names
    something else (its type, name, hash, version, an error: ``密钥类型: AES256GCMKey``,
    ``ID ключа``), a word before says it is public (``Открытый ключ``), or the value is
    an assignment of its own (``错误: 令牌无效 trace_id=<hex>``)."""
    word = m.group("n")
    kind = NATIVE_SECRET_WORDS.get(word)
    if kind is None:  # (as JSON escapes it)
        kind = NATIVE_SECRET_WORDS.get(word.encode("ascii").decode("unicode_escape"), "key")
    if (
        _NATIVE_QUALIFIERS.search(text, m.end("n"), m.start("s")) is not None
        or _GLUED_QUALIFIER.match(text, m.end("n")) is not None
    ):
        return False
    before = max(0, m.start() - 24)
    if (
        _NATIVE_PUBLIC.search(text, before, m.start()) is not None
        or _NATIVE_QUALIFIERS.search(text, before, m.start()) is not None
    ):
        return False  # (``Открытый ключ: <base64>``, ``ID ключа: <hex>``)
    value = m.group("s")
    if "=" in value.rstrip("=") and is_identifier(value.partition("=")[0]):
        return False
    return value_kind(value[:1024], password=kind == "password")


# (a secret's word in a command's line, ``vault kv get -field=password``, ``{.data.token}``)
_PRINTED_WORD = re.compile(r"(?i)pass|pwd|secret|token|key|credential|auth")
_PRINTED_PASSWORD = re.compile(r"(?i)pass|pwd")
# (a command's line: the tool that prints the secret as a word of it, after a prompt, a
# log's prefix or a pipe, ``$ op read``, ``+ gh auth token``, ``| base64 -d``)
_COMMAND_LINE = re.compile(
    r"(?<![\w.\-/:])(?:op|kubectl|oc|vault|bao|aws|gcloud|az|security|pass|gopass|cat|heroku"
    r"|doppler|bw|lpass|gh|terraform|tofu|chamber)(?:\.exe)?[ \t]"
)
# (commands that print nothing but a secret, whatever their line names)
_ALWAYS_SECRET = re.compile(
    r"op read |gh auth token|print-access-token|get-access-token|find-(?:generic|internet)-password"
    r"|get-secret-value|secrets versions access|keyvault secret show|cat (?:/var)?/run/secrets/"
    r"|gopass show |chamber read "
)
# (a decoded Secret's value: ``kubectl get secret``'s or ``oc get secret``'s)
_DECODED_SECRET = re.compile(r"(?i)\bget[ \t]+secrets?\b|secretKeyRef|\.data\.")


def printed_secret_accepted(text: str, m: re.Match[str]) -> bool:
    """Whether the line after a command that prints a secret (``printed-secret``) is that
    secret: the command prints nothing else (``op read``, ``gh auth token``), or its line
    names a secret (``vault kv get -field=password``, ``aws configure get
    aws_secret_access_key``; not ``aws configure get region``); judged as a password's
    when it names a password, else it must look generated; ``base64 -d`` counts only
    after a Secret's read (``kubectl get secret ... | base64 -d``: other decoded data is
    not one)."""
    line = text[text.rfind("\n", 0, m.start()) + 1 : m.start("q")]
    if _COMMAND_LINE.search(line) is None:
        return False  # (a setting naming the command, ``POSTGRES_PASSWORD_FILE: ...``)
    if "base64" in text[m.start() : m.start() + 8] and _DECODED_SECRET.search(line) is None:
        return False
    if _PRINTED_WORD.search(line) is None and _ALWAYS_SECRET.search(line) is None:
        return False  # (``aws configure get region``, ``heroku config:get PORT``)
    password = _PRINTED_PASSWORD.search(line) is not None or "-password" in line
    return value_kind(m.group("s")[:1024], password=password)


def session_cookie_spans(text: str, m: re.Match[str]) -> list[tuple[int, int]]:
    """The span of the value of the cookie matched by ``m`` (groups ``n<k>`` and
    ``s<k>`` of the form that matched; a name ending in ``_session`` is read back from
    the match's start), when :func:`is_cookie_secret` says so."""
    for k in "1234":
        value = m.group(f"s{k}")
        if value is not None:
            name = m.group(f"n{k}")
            if name is None:
                before = _NAME_BEFORE.search(text, max(0, m.start() - 64), m.start())
                name = (before.group() if before else "") + "_session"
            return [m.span(f"s{k}")] if is_cookie_secret(name, value) else []
    return []


def column_value_spans(m: re.Match[str]) -> list[tuple[int, int]]:
    """The spans of the values an SQL ``INSERT INTO t (cols) VALUES (vals)`` matched by
    ``m`` gives to secret-named columns (``password``, ``api_key``), each judged as
    under its name."""
    names = [
        (c.group() if (c := _SQL_COLUMN.search(col)) is not None else "")
        for col in m.group("cols").split(",")
    ]
    vals, offset = m.group("s"), m.start("s")
    spans: list[tuple[int, int]] = []
    pos = 0
    for name in names:
        item = _SQL_ITEM.match(vals, pos)
        if item is None:
            break
        group = "a" if item.group("a") is not None else "b" if item.group("b") is not None else "c"
        lo, hi = item.span(group)
        if group == "c" and (call := _SQL_CALL_STRING.match(vals, lo, hi)) is not None:
            lo, hi = call.span(1)
        if (
            name
            and is_secret_identifier(name)
            and value_kind(vals[lo:hi], password=is_password_name(name))
        ):
            spans.append((offset + lo, offset + hi))
        if item.end() <= pos or item.end() >= len(vals):
            break
        pos = item.end()
    return spans


# A table's header: names of up to three words (``Secret access key``, ``Created
# (UTC)``, not a sentence), or none (pandas' index column, a trailing delimiter),
# between its delimiters; quoted as CSV writers quote them (no blank around the quotes:
# ``"key", "max_tokens"`` is JSON)
_CSV_NAME = re.compile(
    r"""[ \t]*(?:[^\s"',;|]{1,40}(?: [^\s"',;|]{1,40}){0,2})?[ \t]*|"[^"\n]{0,64}\""""
)
#: What separates a table's fields (``csv_value_spans``)
CSV_DELIMITERS = (",", ";", "\t", "|")
# The rule under a Markdown table's header (``|---|:---:|``), its borders taken off
_TABLE_RULE = re.compile(r"[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*")
#: rows read under a header (a password manager's export holds thousands)
_CSV_ROWS_MAX = 1 << 16
# A cell's value that can be a secret: one token (``expires_in=3600`` or a sentence in
# a log line that happens to have as many fields as the header above it is none)
_CSV_VALUE = re.compile(r"""[^\s=]{1,4096}={0,2}""")


def _csv_fields(line: str, delimiter: str) -> list[tuple[int, int]]:
    """The spans of ``line``'s fields, a quoted field read to its closing quote (a
    doubled quote inside it is one)."""
    spans: list[tuple[int, int]] = []
    pos, n = 0, len(line)
    while True:
        if line.startswith('"', pos):
            end = pos + 1
            while True:
                end = line.find('"', end)
                if end < 0 or not line.startswith('"', end + 1):
                    break
                end += 2
            end = n if end < 0 else end + 1
            nxt = line.find(delimiter, end)
        else:
            nxt = line.find(delimiter, pos)
        end = n if nxt < 0 else nxt
        spans.append((pos, end))
        if nxt < 0:
            return spans
        pos = nxt + 1


def _table_cells(line: str, delimiter: str) -> tuple[str, int]:
    """A line's cells and their offset in it: a Markdown table's row without the
    borders it opens and closes with (``| a | b |``)."""
    if delimiter != "|":
        return line, 0
    inner = line.rstrip(" \t")
    inner = inner[:-1] if inner.endswith("|") else inner
    lead = len(inner) - len(inner.lstrip(" \t"))
    if inner[lead : lead + 1] == "|":
        return inner[lead + 1 :], lead + 1
    return inner, 0


def csv_value_spans(text: str, m: re.Match[str]) -> tuple[list[tuple[int, int]], int]:
    """The spans of the values a table with a header (CSV, ``;`` or tab separated, or
    a Markdown table) holds under its secret-named columns (``service,env,api_key``,
    ``| Service | API key |``), each judged as under its name, in the rows that follow
    with as many fields as the header (blank lines between them skipped); and where
    the table ends (the header's end when it is none). ``m`` matched from a secret word
    in the header to the start of the line after it."""
    rows_at = m.start("rows")
    line_start = text.rfind("\n", 0, m.start()) + 1
    header = text[line_start : rows_at - 1].rstrip("\r")
    delimiter = max(CSV_DELIMITERS, key=header.count)
    cells = _table_cells(header, delimiter)[0]
    names = [cells[lo:hi] for lo, hi in _csv_fields(cells, delimiter)]
    spans: list[tuple[int, int]] = []
    if len(names) < 2 or not all(_CSV_NAME.fullmatch(name) for name in names):
        return spans, rows_at
    columns = {
        i: is_password_name(ident)
        for i, name in enumerate(names)
        if is_secret_identifier(ident := name.strip(' \t"').replace(" ", "_"))
    }
    if not columns:
        return spans, rows_at
    pos, row, n = rows_at, 0, len(text)
    while row < _CSV_ROWS_MAX and pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        line, shift = _table_cells(text[pos:end].rstrip("\r"), delimiter)
        if not line.strip():
            pos = end + 1  # (blank lines between rows)
            continue
        row += 1
        if row == 1 and delimiter == "|" and _TABLE_RULE.fullmatch(line):
            pos = end + 1  # (the rule under a Markdown table's header)
            continue
        fields = _csv_fields(line, delimiter)
        if len(fields) != len(names):
            return spans, pos
        for i, password in columns.items():
            lo, hi = fields[i]
            found = _cell_value(line, lo, hi)
            if found is not None and value_kind(found[0], password=password):
                spans.append((pos + shift + found[1], pos + shift + found[2]))
        pos = end + 1
    return spans, min(pos, n)


def _cell_value(line: str, lo: int, hi: int) -> tuple[str, int, int] | None:
    """A cell's value as judged, and the span to mask in ``line``: unquoted (``"v"``,
    ``'v'``, ``\u0060v\u0060``, a doubled quote inside read as one), without blanks
    around it; None when it is no single token."""
    cell = line[lo:hi]
    value = cell.strip(" \t")
    start = lo + cell.index(value) if value else lo
    q = value[:1]
    if q in ('"', "'", "`") and value[-1:] == q and len(value) > 1:
        inner = value[1:-1]
        stripped = inner.strip(" \t")
        start += 1 + (inner.index(stripped) if stripped else 0)
        value = stripped.replace(q + q, q) if q != "`" else stripped
        end = start + len(stripped)
    else:
        end = start + len(value)
    if _CSV_VALUE.fullmatch(value) is None:
        return None
    return value, start, end


# The fields of an ARN before its resource (``arn:aws:secretsmanager:us-east-1:123:``).
_ARN_HEAD = re.compile(
    r"arn:[a-z][a-z\-]{0,31}:[a-z0-9][a-z0-9\-.]{0,63}:[a-z0-9\-]{0,32}:\d{0,12}:"
)


_SAID_SOURCE = re.compile(r" (?:([a-z]{2,12}) )?(?:for|from) ")


def _said_of_secret(said: str) -> bool:
    """Whether a log's words between a name and a ``:`` say the value is the secret:
    each word one of :data:`_SAID_WORDS`, or ``for`` and whom it is for (``API key for
    zentrix: v``), or ``from`` and where it was read (``token from vault: v``)."""
    head = _SAID_SOURCE.match(said)
    if head is not None:
        # (whom it is for, where it was read, after a log's verb or not: ``password
        # retrieved from keyring: v``; the rule reads three words after it)
        verb = head.group(1)
        return verb is None or verb in _SAID_WORDS
    return _SAID_WORDS.issuperset(_LOWER_WORD.findall(said))


#: An option that passes a variable on from the environment by its name alone, as
#: ``docker run -e NAME``, ``podman run --env NAME`` and ``kubectl``'s ``--env`` do, on
#: a command line or in a JSON or TOML list of arguments (an MCP client's config)
_PASSED_BY_NAME = re.compile(r"""(?<![\w\-])(?:-e|--env)(?:[ \t]{1,8}|["'],[ \t]{0,8}["'])$""")


def _passed_by_name(text: str, start: int) -> bool:
    """Whether the name starting at ``start`` follows such an option (``-e NAME``)."""
    return _PASSED_BY_NAME.search(text, max(0, start - 20), start) is not None


def _word_before_rejects(text: str, m: re.Match[str], name: str) -> bool:
    """Whether the word before a bare name, a blank between them, makes it something
    else, as the segment before it would in one name (``primary key: <hex>``, ``gpg key
    imported: <id>``, ``csrf token: <hex>``, as ``primary_key`` and ``csrf_token``); over
    other secret words (``public key token: <hex>``, ``redis cache key token``)."""
    start = m.end("name") - len(name)
    if start != m.start():
        return False  # a name of several segments: judged by them
    for _ in range(3):
        before = _LAST_WORD.search(text, max(0, start - 40), start)
        if before is None:
            return False
        owner = before.group(1).lower()
        if owner in _SPACED_OWNERS:
            # (a key named by its algorithm only before its id: ``using RSA key <hex>``)
            return owner not in _KEY_ALGORITHMS or (
                _KEY_ID_AFTER.match(text, m.end("name")) is not None
            )
        if owner not in NAME_WORDS:
            return False
        start = before.start()
    return False


#: Blanks between a name and its value in prose (``Using token  v``); up to 40 only
#: in a table's row (:func:`_table_row`)
_PROSE_BLANKS = 4


def _table_row(text: str, name_start: int, value_end: int) -> bool:
    """Whether a name and its value make a line of their own, as a CLI prints a table of
    keys and values (Vault's ``secret_id    <uuid>``) and a config file a directive
    (nginx's ``fastcgi_param  DB_PASSWORD    v;``, ``SetEnv``, a Dockerfile's ``ENV``):
    at most two words before the name (not a log's level), and after the value only a
    ``;``, a line's continuation or a comment. A line may also be one inside a JSON
    string (``{"log": "secret_id    <uuid>\\n"}``)."""
    lo = max(0, name_start - 256)
    head = text[lo:name_start]
    cut = max(
        head.rfind("\n"), head.rfind("\\n"), head.rfind("\\r"), head.rfind('"'), head.rfind("'")
    )
    # (an escape, ``\n``, is two characters; a newline or a quote one)
    lead = head[cut + (2 if head[cut : cut + 2] in ("\\n", "\\r") else 1) :] if cut >= 0 else head
    if cut < 0 and lo > 0:
        return False
    if _ROW_LEAD.fullmatch(lead) is None or any(w in _LOG_LEVELS for w in lead.split()):
        return False
    return _ROW_TAIL.match(text, value_end) is not None


# (what may stand before a row's name: blanks, a table's borders, and up to two words of
# a directive; a Markdown table's backtick around the name)
_ROW_LEAD = re.compile(r"[ \t|]*(?:[A-Za-z_][\w.\-]{0,31}[ \t]+(?:\|[ \t]+)?){0,2}`?")
# (and after its value: ``;``, a line's continuation, a comment, a JSON string's end, a
# table's border, with more of a Markdown table's cells after it)
_ROW_TAIL = re.compile(
    # (every run of blanks follows a character that is not one: a failed match is tried
    # one way only)
    r"""[ \t]*(?:;[ \t]*)?(?:\\(?=\r?\n)|#[^\n]{0,256}|["'],?[ \t]*(?:\|{1,2}[ \t]*)?"""
    r"""|\|{1,2}(?:[^\n|]{1,256}\|){0,8}[ \t]*)?(?:\r?\n|\\r|\\n|$)"""
)
_LOG_LEVELS = frozenset(
    {"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "CRITICAL", "FATAL"}
)


def looks_like_token(value: str) -> bool:
    """Whether a value no name marks, where a token may stand (a URL's or curl's user,
    after ``Bearer``), is one: 16 characters or more that pass :func:`value_kind`; not
    words and a number (``MyOrganization2024``, ``jdoe1984-dev-team``); in one case
    only, digits in two places at least (``oauth2accesstoken`` is a fixed user name)."""
    if len(value) < 16 or not value_kind(value[:1024], password=False):
        return False
    words = value.rstrip(string.digits)
    if (
        words != value
        and _USER_NAME.fullmatch(words.rstrip("_.-")) is not None
        and len(_SHORT_WORDS.findall(words)) <= 2
    ):
        return False
    if not (value.islower() or value.isupper()):
        return True
    return len(_DIGITS.findall(value)) >= 2


def _pair_name_field(text: str, start: int, end: int) -> bool:
    """Whether the name at ``start``, its value read to ``end``, is the name field of a
    pair: a value field follows it, or stands before it in the same object or element
    (``{"Value": "web", "Key": "Name"}``, as the AWS CLI prints tags)."""
    if _PAIR_NEXT.match(text, end) is not None:
        return True
    before = _PAIR_VALUE_FIELD.search(text, max(0, start - 300), start)
    return before is not None and _PAIR_CLOSED.search(text, before.end(), start) is None


def _escaped(text: str, at: int, lo: int) -> bool:
    """Whether the character at ``at`` follows an odd run of backslashes (from ``lo``)."""
    k = at
    while k > lo and text[k - 1] == "\\":
        k -= 1
    return (at - k) % 2 == 1


def _in_arn(text: str, at: int) -> bool:
    """Whether the name at ``at`` is the resource type of an ARN (``...:secret:name``).

    Only Secrets Manager's ``secret`` is taken so: ``arn:x:y::1:password:v`` is not an
    ARN any service writes, and its value stays masked."""
    lo = max(0, at - 140)
    return any(h.end() == at for h in _ARN_HEAD.finditer(text, lo, at))


def _xml_content(text: str, pos: int, password: bool) -> tuple[list[tuple[int, int]], int]:
    """``<password>v</password>``, ``<secret>{svc AQAAABAAA <hex>}</secret>``: a single
    value is judged as any other; in longer content, every generated-looking token. A
    CDATA section counts as content (``<apiKey><![CDATA[v]]></apiKey>``)."""
    if text.startswith("<![CDATA[", pos):
        pos += 9
        end = text.find("]]>", pos, pos + 1025)
    else:
        end = text.find("<", pos, pos + 1025)
    if end < 0:
        return [], pos
    content = text[pos:end]
    stripped = content.strip()
    if not stripped:
        return [], end
    whole = not any(c.isspace() for c in stripped) or (
        # (an application password's groups, a passphrase: one value with blanks)
        _APP_PASSWORD.fullmatch(stripped) is not None
        or (password and _PASSPHRASE.fullmatch(stripped) is not None)
    )
    if "\n" in content and not whole:
        return [], pos  # (one value alone on the next line counts; text does not)
    if whole:
        lead = pos + content.index(stripped)
        found = value_kind(stripped, password=password)
        return ([(lead, lead + len(stripped))] if found else []), end
    tokens = _XML_TOKEN.finditer(text, pos, end)
    return [t.span() for t in tokens if looks_generated(t.group())], end
