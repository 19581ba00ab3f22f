"""A generated detection corpus: secrets of made-up formats in the contexts people write
them in, and clean lines that look like them. Built at run time from a seed (no
secret-shaped literal is stored here); shared by ``benchmarks/bench_detection.py`` and
``tests/test_detection.py``.

``secret_cases(n, seed)`` returns ``(context, shape, text, secret)`` tuples: ``text``
holds ``secret`` under a secret-looking name in the syntax ``context`` names, ``secret``
being a value of ``shape`` (vendor-prefixed key, hex, base62, base64, password with
symbols, JWT-like ...). ``clean_cases(n, seed)`` returns ``(kind, text)``: lines from
logs, code and configs that hold no secret but look close (UUIDs, SHAs, trace ids,
secret-named settings with placeholders, references, masked values, words, exception
names, paths, numbers).
"""

# ruff: noqa: E501 - a table of line templates, one per row
from __future__ import annotations

import base64
import json
import random
import re
import string
import uuid
from collections.abc import Callable

__all__ = ["clean_cases", "secret_cases"]

LOWER = string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = LOWER + string.digits
HEX = "0123456789abcdef"
SYMBOLS = "!@#$%^&*+-_=?~"

# Service names, as they appear in identifiers (made up or generic).
SERVICES = (
    "brand", "shop", "stripe", "mailer", "pager", "metrics", "sentry", "twilio", "search",
    "maps", "crm", "billing", "cdn", "chat", "storage", "analytics", "weather", "payment",
    "sms", "push", "ledger", "geo", "vision", "translate", "helpdesk", "survey", "video",
    "feed", "docs", "auth0", "okta", "zendesk", "hubspot", "segment", "mixpanel", "algolia",
    "cloudinary", "contentful", "airtable", "asana", "linear", "notion", "figma", "dropbox",
    "box", "bitly", "coinbase", "plaid", "paypal", "square", "shippo", "easypost", "azure",
    "gcp", "heroku", "netlify", "vercel", "fastly", "akamai", "pusher", "ably", "mapbox",
)  # fmt: skip
# Secret-looking name endings (segments), and the word each is written with.
ENDINGS = (
    ("api", "key"), ("", "key"), ("", "secret"), ("client", "secret"), ("access", "key"),
    ("", "token"), ("auth", "token"), ("access", "token"), ("refresh", "token"),
    ("api", "token"), ("", "password"), ("db", "password"), ("", "pwd"), ("", "passphrase"),
    ("private", "key"), ("", "credentials"), ("", "auth"), ("app", "secret"),
    ("secret", "key"), ("webhook", "secret"), ("signing", "key"), ("license", "key"),
    ("master", "key"), ("consumer", "secret"), ("", "apikey"), ("bot", "token"),
)  # fmt: skip


def _name(r: random.Random, style: str | None = None) -> str:
    """A secret-looking identifier: a service, an ending, in one casing convention."""
    words = [r.choice(SERVICES)] if r.random() < 0.8 else []
    owner, word = r.choice(ENDINGS)
    words += [w for w in (owner, word) if w]
    style = style or r.choice(("snake", "screaming", "camel", "pascal", "kebab", "dotted"))
    if style == "screaming":
        return "_".join(w.upper() for w in words)
    if style == "camel":
        first, *rest = words
        return first + "".join(w.upper() if w == "api" else w.title() for w in rest)
    if style == "pascal":
        return "".join(w.upper() if w == "api" else w.title() for w in words)
    if style == "kebab":
        return "-".join(words)
    if style == "dotted":
        return ".".join(words)
    return "_".join(words)


def _rnd(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def _value(r: random.Random) -> tuple[str, str]:
    """(shape, value): a random value of one of many shapes."""
    shape = r.choice(
        ("prefixed", "hex", "base62", "lower-alnum", "base64", "base64url", "password",
         "jwt-like", "uuid", "upper-alnum", "dashed")
    )  # fmt: skip
    if shape == "prefixed":
        prefix = _rnd(r, LOWER, r.randint(2, 5)) + r.choice("-_")
        body = r.choice((HEX, ALNUM, LOWER_ALNUM))
        return shape, prefix + _rnd(r, body, r.choice((24, 32, 36, 40, 48)))
    if shape == "hex":
        return shape, _rnd(r, HEX, r.choice((16, 24, 32, 40, 64)))
    if shape == "base62":
        return shape, _rnd(r, ALNUM, r.choice((16, 20, 24, 32, 40, 64)))
    if shape == "lower-alnum":
        return shape, _rnd(r, LOWER_ALNUM, r.choice((20, 32, 40)))
    if shape == "upper-alnum":
        return shape, _rnd(r, string.ascii_uppercase + string.digits, r.choice((16, 20, 32)))
    if shape == "base64":
        return shape, base64.b64encode(r.randbytes(r.choice((24, 30, 32, 48, 64)))).decode()
    if shape == "base64url":
        raw = r.randbytes(r.choice((24, 32, 48)))
        return shape, base64.urlsafe_b64encode(raw).decode().rstrip("=")
    if shape == "password":
        chars = [r.choice(ALNUM) for _ in range(r.randint(10, 20))]
        for _ in range(r.randint(1, 3)):
            chars.insert(r.randrange(len(chars)), r.choice(SYMBOLS))
        return shape, "".join(chars)
    if shape == "jwt-like":
        head = base64.urlsafe_b64encode(b'{"alg":"HS256"}').decode().rstrip("=")
        return shape, f"{head}.{_rnd(r, ALNUM, 30)}.{_rnd(r, ALNUM + '-_', 43)}"
    if shape == "uuid":
        return shape, str(uuid.UUID(int=r.getrandbits(128)))
    groups = [_rnd(r, ALNUM, 8) for _ in range(4)]
    return "dashed", "-".join(groups)


def _y(name: str, v: str) -> str:
    return f"services:\n  payments:\n    {name}: {v}\n    timeout: 30"


# (context, template): ``{n}`` is the name, ``{v}`` the value, ``{s}`` a service word.
CONTEXTS: tuple[tuple[str, Callable[[str, str, str], str]], ...] = (
    ("assign", lambda n, v, s: f"{n}={v}"),
    ("assign-spaced-quoted", lambda n, v, s: f"{n} = '{v}'"),
    ("colon", lambda n, v, s: f"{n}: {v}"),
    ("json", lambda n, v, s: json.dumps({"service": s, n: v, "timeout": 30})),
    ("json-nested", lambda n, v, s: json.dumps({s: {"auth": {n: v}}})),
    ("go", lambda n, v, s: f'\t{n} := "{v}"'),
    ("js", lambda n, v, s: f'const {n} = "{v}";'),
    ("java", lambda n, v, s: f'private static final String {n} = "{v}";'),
    ("csharp", lambda n, v, s: f'var {n} = "{v}";'),
    ("python", lambda n, v, s: f'    {n} = "{v}"'),
    ("arrow", lambda n, v, s: f"{n} -> {v}"),
    ("php-arrow", lambda n, v, s: f"'{n}' => '{v}',"),
    ("cli-space", lambda n, v, s: f"tool login --{n} {v} --verbose"),
    ("cli-eq", lambda n, v, s: f"tool login --{n}={v}"),
    ("url-query", lambda n, v, s: f"GET https://api.example.com/v1/user?{n}={v}&page=2"),
    ("url-query-last", lambda n, v, s: f"GET https://api.{s}.io/v2/items?limit=10&{n}={v}"),
    ("log-using", lambda n, v, s: f"[DEBUG] Using {n}={v}"),
    ("log-prose", lambda n, v, s: f"[DEBUG] Using {s} token {v}"),
    ("log-with", lambda n, v, s: f"2026-11-23 13:00:01 INFO connecting with key {v} to {s}"),
    ("xml-element", lambda n, v, s: f"<{n}>{v}</{n}>"),
    ("xml-attribute", lambda n, v, s: f'<add name="{s}" {n}="{v}" />'),
    ("xml-property", lambda n, v, s: f'<property name="{s}.{n}">{v}</property>'),
    ("xml-store", lambda n, v, s: f"<secret>{{{s} AQAAABAAA {v}}}</secret>"),
    ("yaml-nested", lambda n, v, s: _y(n, v)),
    ("export", lambda n, v, s: f"export {n.upper().replace('-', '_').replace('.', '_')}={v}"),
    ("header", lambda n, v, s: f"X-API-Key: {v}"),
    ("header-json", lambda n, v, s: json.dumps({"X-API-Key": v, "Accept": "application/json"})),
    ("dotenv-quoted", lambda n, v, s: f'{n.upper().replace("-", "_").replace(".", "_")}="{v}"'),
    ("toml", lambda n, v, s: f'[{s}]\n{n.replace(".", "_")} = "{v}"'),
    ("repeated", lambda n, v, s: f"{s} token = '{v}' | '{v}'"),
    ("aws-configure", lambda n, v, s: f"aws configure set aws_secret_access_key {v}"),
    ("bearer", lambda n, v, s: f"Authorization: Bearer {v}"),
    ("bearer-prose", lambda n, v, s: f"[DEBUG] {s}: Authorization header: Bearer {v}"),
    ("php-var", lambda n, v, s: f"${_ident(n)} = '{v}';"),
    ("subscript", lambda n, v, s: f'config["{n}"] = "{v}"'),
    ("setter", lambda n, v, s: f'client.set{_pascal(n)}("{v}");'),
    ("xml-add-key", lambda n, v, s: f'<add key="{n}" value="{v}" />'),
    ("xml-entry", lambda n, v, s: f'<entry key="{s}.{n}">{v}</entry>'),
    # (an element with attributes is read when a secret word alone names it; a longer
    # name, ``<apiToken encrypted="false">``, is not: see docs/sanitizer.md)
    ("xml-attributes", lambda n, v, s: f'<{_word(n)} encrypted="false">{v}</{_word(n)}>'),
    ("plist", lambda n, v, s: f"<key>{_pascal(n)}</key>\n\t<string>{v}</string>"),
    ("json-key-value", lambda n, v, s: json.dumps({"key": n, "value": v})),
    ("url-user", lambda n, v, s: f"git remote add origin https://{v}@git.{s}.io/team/app.git"),
    ("curl-user", lambda n, v, s: f"curl -u {v}: https://api.{s}.io/v1/account"),
    ("log-said", lambda n, v, s: f"2026-11-23T13:00:01Z [{s}] auth header set: {v}"),
)
# Contexts where a value stands as a token (a URL's user, ``Bearer v``): no password
# or base64 with symbols there.
_TOKEN_CONTEXTS = frozenset({"bearer-prose", "url-user", "curl-user", "log-said"})


def _word(name: str) -> str:
    """The name's last word alone (``Password`` of ``dbPassword``, ``KEY`` of ``API_KEY``)."""
    return re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)[-1]


def _ident(name: str) -> str:
    return name.replace("-", "_").replace(".", "_")


def _pascal(name: str) -> str:
    words = _ident(name).split("_")
    if name.isupper():
        words = [w.lower() for w in words]
    return "".join(w[:1].upper() + w[1:] for w in words)


def secret_cases(n: int, seed: int = 1) -> list[tuple[str, str, str, str]]:
    """``n`` (context, shape, text, secret) cases, round-robin over the contexts."""
    r = random.Random(seed)
    out = []
    for i in range(n):
        context, template = CONTEXTS[i % len(CONTEXTS)]
        shape, value = _value(r)
        if (context.startswith("xml") and "&" in value) or context == "aws-configure":
            value = base64.b64encode(r.randbytes(30)).decode()  # a 40-character AWS secret
            shape = "base64"
        elif context in _TOKEN_CONTEXTS and shape in ("password", "base64"):
            shape, value = "base62", _rnd(r, ALNUM, 40)
        style = "snake" if context in ("cli-space", "cli-eq", "url-query") else None
        out.append((context, shape, template(_name(r, style), value, r.choice(SERVICES)), value))
    return out


def _clean_templates(r: random.Random) -> list[tuple[str, Callable[[], str]]]:
    def hexs(k: int) -> str:
        return _rnd(r, HEX, k)

    def uid() -> str:
        return str(uuid.UUID(int=r.getrandbits(128)))

    def b64(k: int) -> str:
        return base64.b64encode(r.randbytes(k)).decode()

    def ts() -> str:
        return f"2026-11-{r.randint(1, 28):02d}T13:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"

    return [
        ("session-uuid", lambda: f"{ts()} INFO session_id={uid()} user={r.randint(1, 99)} status=200"),
        ("request-uuid", lambda: f"{ts()} INFO request_id={uid()} status=200 took={r.randint(1, 900)}ms"),
        ("trace", lambda: f'{{"trace_id": "{hexs(32)}", "span_id": "{hexs(16)}", "msg": "ok"}}'),
        ("commit", lambda: f"deployed commit {hexs(40)} to production"),
        ("etag", lambda: f'ETag: W/"{hexs(32)}"'),
        ("digest", lambda: f"pulled image@sha256:{hexs(64)}"),
        ("token-count", lambda: f"usage prompt_tokens={r.randint(1, 9000)} max_tokens=4096 token_limit=128000"),
        ("token-type", lambda: '{"token_type": "bearer", "expires_in": 3600, "scope": "read write"}'),
        ("secret-name", lambda: f'secret_name: prod/{r.choice(SERVICES)}/api-key'),
        ("key-id", lambda: f"kms_key_id={uid()} region=eu-west-1"),
        ("public-key", lambda: f"public_key: {b64(32)}"),
        ("cache-key", lambda: f"cache_key={hexs(32)} hit=true"),
        ("idempotency", lambda: f"Idempotency-Key: {uid()}"),
        ("placeholder", lambda: f"{_name(r)}=<your-api-key>"),
        ("placeholder-env", lambda: f'{_name(r)}: "${{{_name(r, "screaming")}}}"'),
        ("placeholder-here", lambda: f"OPENROUTER_API_KEY=sk-or-v1-your-key-here for tenant {uid()}"),
        ("placeholder-x", lambda: f"{_name(r)} = 'xxxxxxxxxxxxxxxxxxxx'"),
        ("reference", lambda: f'{_name(r)} = "env://OPENROUTER_API_KEY"'),
        ("reference-url", lambda: f"{_name(r)}: keyring://openrouter-secure/{r.choice(SERVICES)}"),
        ("masked", lambda: f"{_name(r)}=***MASKED***"),
        ("masked-stars", lambda: f"{_name(r)}: ********"),
        ("masked-prefix", lambda: f"{_name(r)}=sk-o...***MASKED***"),
        ("word", lambda: f"{_name(r)}: required"),
        ("exception", lambda: "token: MissingDependencyError"),
        ("exception-2", lambda: "env://OPENROUTER_API_KEY: SecretNotFoundError; keyring://x/y: BackendUnavailableError"),
        ("class", lambda: f"{_name(r)} = {r.choice(('SecretStr', 'Optional[str]', 'ApiKeyHeader', 'TokenManager'))}"),
        ("path", lambda: "doctor /etc/passwd: not readable"),
        ("path-2", lambda: f"{_name(r, 'snake')}_file=/run/secrets/{r.choice(SERVICES)}"),
        ("number", lambda: f"{_name(r)}={r.randint(0, 10**6)}"),
        ("bool", lambda: f"{_name(r)}={r.choice(('true', 'false', 'null', 'None'))}"),
        ("code-getenv", lambda: f'    {_name(r, "snake")} = os.environ["{_name(r, "screaming")}"]'),
        ("code-attr", lambda: f"        self.{_name(r, 'snake')} = {_name(r, 'snake')}"),
        ("code-call", lambda: "    token = get_token(request.headers)"),
        ("code-if", lambda: "    if not api_key:\n        raise ValueError('missing')"),
        ("code-js", lambda: "const apiKey = process.env.API_KEY;"),
        ("template", lambda: "password: {{ .Values.db.password }}"),
        ("prose", lambda: f"{ts()} INFO token refreshed successfully for user {r.randint(1, 999)}"),
        ("prose-2", lambda: f"{ts()} WARN password reset requested by user {r.randint(1, 999)}"),
        ("prose-3", lambda: "the key rotation policy is applied every 90 days"),
        ("sql", lambda: "ALTER TABLE users ADD PRIMARY KEY (id);"),
        ("monkey", lambda: f"monkey={hexs(12)} turkey=roast keyboard=us"),
        ("blob", lambda: f'{{"blob": "{b64(r.randint(60, 300))}", "size": {r.randint(1, 99)}}}'),
        ("url", lambda: f"GET https://api.example.com/v1/items?page={r.randint(1, 9)}&sort=desc&id={uid()}"),
        ("k8s", lambda: f"pod/api-{hexs(10)}-{hexs(5)} image=registry.example.com/api@sha256:{hexs(64)}"),
        ("ssh", lambda: f"Accepted publickey for deploy: ED25519 SHA256:{b64(32)[:43]}"),
        ("version", lambda: "token_version=2.14.1-rc.3 secret_version=17"),
        ("date", lambda: "password_changed_at: 2026-11-23T13:00:00.000Z"),
        ("email", lambda: "auth_user: alice.smith@example.com"),
        ("words-number", lambda: f"key: {r.choice(('order', 'user', 'prod'))}-{r.choice(('queue', 'cache', 'east'))}-{r.randint(1, 99)}"),
        ("key-id-said", lambda: f"{ts()} INFO key id: {uid()} rotated"),
        ("bearer-words", lambda: "401 Unauthorized: Bearer token required for this endpoint"),
        ("git-user", lambda: f"git clone ssh://git@github.com/{r.choice(SERVICES)}/app.git"),
        ("xml-setting", lambda: '<add key="Region" value="eu-west-1" />'),
        ("plist-clean", lambda: f"<key>CFBundleIdentifier</key><string>com.example.{r.choice(SERVICES)}</string>"),
        ("code-read", lambda: f'    token = config["{_name(r, "snake")}"]'),
        ("password-ref", lambda: 'password = os.environ["DB_PASSWORD"]'),
    ]  # fmt: skip


def clean_cases(n: int, seed: int = 2) -> list[tuple[str, str]]:
    """``n`` (kind, text) clean lines, round-robin over the kinds."""
    r = random.Random(seed)
    templates = _clean_templates(r)
    return [
        (templates[i % len(templates)][0], templates[i % len(templates)][1]()) for i in range(n)
    ]
