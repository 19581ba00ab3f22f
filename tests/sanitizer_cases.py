"""Secret-shaped test strings for the sanitizer tests, all built at run time.

No secret-shaped literal is written here: every key is a vendor prefix plus random
characters from :mod:`secrets`. ``POSITIVE[rule_id]()`` returns ``(text, secret)``:
a text that rule must flag and the part that must not survive sanitizing;
``NEGATIVE[rule_id]()`` a look-alike that rule must not flag.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import uuid
from collections.abc import Callable

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
UPPER32 = string.ascii_uppercase + "234567"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def rnd(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def key(prefix: str, alphabet: str = ALNUM, n: int = 40) -> str:
    return prefix + rnd(alphabet, n)


def _jwt() -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    sig = rnd(ALNUM + "-_", 43)
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': rnd(HEX, 12)})}.{sig}"


def pem_block(body: str, kind: str = "") -> str:
    """A PEM private-key block around ``body``, its armour assembled at run time so no
    key-shaped literal sits in the repository for scanners to flag."""
    dashes = "-" * 5
    label = f"{kind} PRIVATE KEY".strip()
    return f"{dashes}BEGIN {label}{dashes}\n{body}\n{dashes}END {label}{dashes}"


def _pem() -> str:
    body = base64.b64encode(secrets.token_bytes(600)).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return pem_block(lines, "RSA")


def _pair(text: str, secret: str) -> tuple[str, str]:
    return text, secret


def _p(prefix: str, alphabet: str = ALNUM, n: int = 40, fmt: str = "{}") -> Callable[..., object]:
    def build() -> tuple[str, str]:
        k = key(prefix, alphabet, n)
        return fmt.format(k), k

    return build


def _assign(template: str, value_alphabet: str = ALNUM, n: int = 32) -> Callable[..., object]:
    def build() -> tuple[str, str]:
        v = rnd(value_alphabet, n)
        return template.format(v), v

    return build


def _url() -> tuple[str, str]:
    pw = rnd(ALNUM, 18)
    return f"connecting to postgres://app:{pw}@db.internal:5432/app", pw


def _curl() -> tuple[str, str]:
    pw = rnd(ALNUM, 16)
    return f"curl -s --user admin:{pw} https://api.example.com/v1", pw


def _azure_ad() -> tuple[str, str]:
    k = rnd(ALNUM, 3) + "8Q~" + rnd(ALNUM + "_.-", 34)
    return f"AZURE_CLIENT_SECRET={k}", k


def _slack() -> tuple[str, str]:
    k = f"xoxb-{rnd(string.digits, 12)}-{rnd(string.digits, 13)}-{rnd(ALNUM, 24)}"
    return f'"bot_token": "{k}"', k


def _teams() -> tuple[str, str]:
    path = f"{uuid.uuid4()}@{uuid.uuid4()}/IncomingWebhook/{rnd(HEX, 32)}/{uuid.uuid4()}"
    return f"https://acme.webhook.office.com/webhookb2/{path}", path


def _putty() -> tuple[str, str]:
    body = base64.b64encode(secrets.token_bytes(96)).decode()
    lines = [body[:64], body[64:]]
    text = (
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n"
        f"Public-Lines: 1\n{rnd(ALNUM, 64)}\nPrivate-Lines: 2\n"
        + "\n".join(lines)
        + f"\nPrivate-MAC: {rnd(HEX, 64)}\n"
    )
    return text, body[:64]


def _nkey_seed() -> str:
    """A NATS user's seed as ``nkeys`` encodes one: two prefix bytes, 32 random bytes and
    their CRC-16, in base32."""
    import binascii

    raw = bytes([149, 0]) + secrets.token_bytes(32)
    crc = binascii.crc_hqx(raw, 0).to_bytes(2, "little")
    return base64.b32encode(raw + crc).decode().rstrip("=")


def _one_character_changed(text: str, at: int) -> str:
    return text[:at] + ("B" if text[at] != "B" else "C") + text[at + 1 :]


def _jwe_header() -> str:
    return base64.urlsafe_b64encode(b'{"alg":"dir","enc":"A256GCM"}').decode().rstrip("=")


def _wordpress_key() -> str:
    # as WordPress's secret-key service draws one (``wp_generate_password(64, true, true)``)
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*()-_ []{}<>~`+=,.;:/?|"
    while True:
        k = rnd(alphabet, 64)
        if any(c.isdigit() for c in k) and not k.isalnum():
            return k


def _django_secret_key() -> str:
    # as ``django.core.management.utils.get_random_secret_key`` draws one
    alphabet = string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)"
    while True:
        k = rnd(alphabet, 50)
        if any(c.isdigit() for c in k) and any(c in "!@#$%^&*(=+)" for c in k):
            return k


def _bundler() -> tuple[str, str]:
    pw = rnd(HEX, 12)
    return f"export BUNDLE_GEMS__EXAMPLE__COM={rnd(HEX, 8)}:{pw}", pw


def _jwt_case() -> tuple[str, str]:
    t = _jwt()
    return f"id_token={t}", t


def _pem_case() -> tuple[str, str]:
    p = _pem()
    return "key:\n" + p, p.splitlines()[3]


#: Rules for text in other scripts, which the Python engines alone read (Hyperscan scans
#: ASCII text only): left out of the tests that drive Hyperscan's database directly
PYTHON_ENGINES_ONLY = frozenset({"secret-label-native"})

POSITIVE: dict[str, Callable[..., object]] = {
    "openrouter-api-key": _p("sk-or-v1-", HEX, 64),
    "anthropic-api-key": _p("sk-ant-api03-", ALNUM + "-_", 93, "{}AA"),
    "openai-api-key": _p("sk-proj-", ALNUM, 48),
    "openai-project-key": _p("sk-svcacct-", ALNUM, 60),
    "groq-api-key": _p("gsk_", ALNUM, 52),
    "xai-api-key": _p("xai-", ALNUM, 80),
    "perplexity-api-key": _p("pplx-", ALNUM, 48),
    "huggingface-token": _p("hf_", ALNUM, 34),
    "huggingface-org-token": _p("api_org_", ALNUM, 34),
    "mistral-cohere-api-key": _assign("MISTRAL_KEY = {}", ALNUM, 32),
    "google-api-key": _p("AIzaSy", ALNUM + "-_", 33),
    "aws-access-key-id": _p("AKIA", UPPER32, 16),
    "aws-credentials-pair": lambda: _pair(
        f"ci,,{key('AKIA', UPPER32, 16)},{(k := rnd(ALNUM + '/+', 40))},https://x", k
    ),
    "aws-secret-access-key": _assign("aws_secret_access_key = {}", ALNUM + "/+", 40),
    "azure-storage-key": _assign(
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={}==;", ALNUM + "+/", 86
    ),
    "azure-sas-signature": _assign(
        "https://acme.blob.core.windows.net/c?sv=2022&sig={}", ALNUM, 43
    ),
    "azure-ad-client-secret": _azure_ad,
    "github-token": _p("ghp_", ALNUM, 36),
    "github-fine-grained-pat": _p("github_pat_", ALNUM + "_", 82),
    "gitlab-token": _p("glpat-", ALNUM, 20),
    "npm-token": _p("npm_", ALNUM, 36),
    "pypi-token": _p("pypi-AgEIcHlwaS5vcmc", ALNUM, 70),
    "slack-token": _slack,
    "slack-webhook": _assign("https://hooks.slack.com/services/T0123/B0456/{}", ALNUM, 24),
    "teams-webhook": _teams,
    "zapier-webhook": lambda: _pair(
        "POST https://hooks.zapier.com/hooks/catch/"
        + (k := rnd(string.digits, 7) + "/" + rnd(ALNUM, 6))
        + "/",
        k,
    ),
    "firebase-server-key": lambda: _pair(
        '"X-Firebase-Apikey", "%s"'
        % (k := "AAAA" + rnd(ALNUM, 7) + ":APA91b" + rnd(ALNUM + "_-", 134)),
        k,
    ),
    "telegram-bot-token-bare": lambda: _pair(
        f"bot token: {rnd(string.digits, 10)}:{(k := 'AA' + rnd(ALNUM + '_-', 33))}", k
    ),
    "vault-unseal-key": lambda: _pair(
        f"Unseal Key 1: {(k := base64.b64encode(secrets.token_bytes(32)).decode())}", k
    ),
    "jenkins-secret": lambda: _pair(
        f"<password>{{{(k := 'AQAAABAAAAAQ' + rnd(ALNUM + '+/', 43) + '=')}}}</password>", k
    ),
    "secret-key-base": lambda: _pair(
        f"config.secret_key_base = '{(k := secrets.token_hex(64))}'", k
    ),
    "aws-bedrock-api-key": lambda: _pair(
        "AWS_BEARER_TOKEN_BEDROCK="
        + (k := "ABSK" + base64.b64encode(secrets.token_bytes(96)).decode()),
        k,
    ),
    "mailchimp-api-key": lambda: _pair(
        f"[INFO] using {(k := rnd(HEX, 32) + '-us' + rnd(string.digits, 2))} for list sync", k
    ),
    "amazon-lwa-token": lambda: _pair(
        f"refresh_token={(k := 'Atzr|' + rnd(ALNUM + '-_', 120))}&client_id=amzn1", k
    ),
    "nats-nkey-seed": lambda: _pair(f"seed: {(k := _nkey_seed())}", k),
    "salesforce-session-id": lambda: _pair(
        f"Cookie: sid={(k := '00D' + rnd(ALNUM, 12) + '!' + rnd(ALNUM + '._', 96))}", k
    ),
    "unleash-api-token": lambda: _pair(
        f'headers: {{Authorization: "{(k := "*:production." + rnd(HEX, 64))}"}}',
        k,
    ),
    "jwe": lambda: _pair(
        "next-auth.session-token="
        + (k := _jwe_header() + ".." + ".".join(rnd(ALNUM + "-_", n) for n in (22, 180, 22))),
        k,
    ),
    "putty-private-key": _putty,
    "kubernetes-secret": lambda: _pair(
        "apiVersion: v1\ndata:\n  database_url: "
        + (k := base64.b64encode(f"postgres://app:{rnd(ALNUM, 16)}@db/app".encode()).decode())
        + "\nkind: Secret\nmetadata:\n  name: db\n",
        k,
    ),
    "vendor-secret-variable": lambda: _pair(
        f"CYPRESS_RECORD_KEY={(k := str(uuid.uuid4()))} npx cypress run --record", k
    ),
    "django-secret-key": lambda: _pair(f"SECRET_KEY = '{(k := _django_secret_key())}'", k),
    "assigned-constructor-literal": lambda: _pair(
        f'client = vimeo.Vimeo("{(k := rnd(HEX, 32))}")', k
    ),
    "repl-echo": lambda: _pair(
        f">>> os.environ[\"STRIPE_API_KEY\"]\n'{(k := rnd(ALNUM, 32))}'\n>>> ", k
    ),
    "vendor-webhook": lambda: _pair(
        f"NOTIFY_URL=https://maker.ifttt.com/trigger/door_open/with/key/{(k := rnd(ALNUM, 22))}",
        k,
    ),
    "oracle-ezconnect-password": lambda: _pair(
        f'DSN: "reporting/{(k := rnd(ALNUM, 14) + "-x")}@10.0.3.21:1521/ORCLPDB1"', k
    ),
    "bip32-private-key": lambda: _pair(f"XPRV={(k := 'xprv' + rnd(BASE58, 107))}", k),
    "nostr-private-key": lambda: _pair(f"NOSTR_NSEC='{(k := 'nsec1' + rnd(BECH32, 58))}'", k),
    "secret-label-native": lambda: _pair(f"密码: {(k := rnd(ALNUM, 20) + '7')}", k),
    "value-next-line": lambda: _pair(f"api_key:\n  {(k := rnd(ALNUM, 32) + '7')}\n", k),
    "php-var-dump": lambda: _pair(
        f'array(1) {{\n  ["api_key"]=>\n  string(33) "{(k := rnd(ALNUM, 32) + "7")}"\n}}', k
    ),
    "printed-secret": lambda: _pair(
        f'$ op read "op://Private/Zentrix/credential"\n{(k := rnd(ALNUM, 32) + "7")}\n', k
    ),
    "asaas-api-key": lambda: _pair(
        f'ASAAS="{(k := "$aact_" + base64.b64encode(secrets.token_bytes(60)).decode())}"', k
    ),
    "base64-private-key": lambda: _pair(
        f"  client-key-data: {(k := base64.b64encode(_pem().encode()).decode())}\n", k
    ),
    "session-cookie": lambda: _pair(
        f'{{"name": "JSESSIONID", "value": "{(k := rnd(HEX, 32).upper())}", "path": "/"}}', k
    ),
    "jwk-private-key": lambda: _pair(
        '{"kty": "EC", "crv": "P-256", "x": "'
        + rnd(ALNUM, 43)
        + '", "y": "'
        + rnd(ALNUM, 43)
        + f'", "d": "{(k := rnd(ALNUM + "-_", 43))}"}}',
        k,
    ),
    "minisign-secret-key": lambda: _pair(
        "untrusted comment: minisign encrypted secret key\n" + (k := "RWRTY0Iy" + rnd(ALNUM, 150)),
        k,
    ),
    "chat-webhook": lambda: _pair(
        f"HOOK=https://chat.acme.io/hooks/{(k := rnd(string.ascii_lowercase + string.digits, 26))}",
        k,
    ),
    "markdown-label": lambda: _pair(f"- **API Key**: `{(k := rnd(ALNUM, 32))}`", k),
    "wordpress-auth-key": lambda: _pair(f"define( 'AUTH_SALT', '{(k := _wordpress_key())}' );", k),
    "make-webhook": lambda: _pair(
        f'fetch("https://hook.eu1.make.com/{(k := rnd(HEX + "ghijklmnopqrstuvwxyz", 32))}")',
        k,
    ),
    "oracle-connect-password": lambda: _pair(
        f"jdbc:oracle:thin:app/{(k := rnd(ALNUM, 18))}@db.internal:1521/ORCLPDB1", k
    ),
    "aws-configure-secret": lambda: _pair(
        f"AWS Secret Access Key [None]: {(k := rnd(ALNUM + '/+', 40))}\nDefault region name", k
    ),
    "cloudformation-noecho-default": lambda: _pair(
        "  DbPassword:\n    NoEcho: true\n    Type: String\n"
        f"    Default: {(k := rnd(ALNUM, 20))}\n",
        k,
    ),
    "bundler-credentials": _bundler,
    "stripe-key": _p("sk_live_", ALNUM, 30),
    "sendgrid-key": lambda: _pair(*(2 * [f"SG.{rnd(ALNUM, 22)}.{rnd(ALNUM, 43)}"])),  # text = key
    "twilio-key": _p("SK", HEX, 32),
    "vendor-token": _p("dop_v1_", HEX, 64),
    "notion-legacy-token": _p("secret_", ALNUM, 43),
    "vendor-key": _p("GOCSPX-", ALNUM, 28),
    "vendor-token-shaped": _p("cu_", HEX, 32),
    "azure-primary-key": lambda: _pair(
        f"COSMOS_PRIMARY_KEY={(k := base64.b64encode(secrets.token_bytes(64)).decode())}", k
    ),
    "vendor-header": lambda: _pair(
        f'curl -H "X-Honeycomb-Team: {(k := rnd(HEX, 30) + "42")}" https://api.honeycomb.io', k
    ),
    "key-credential": _assign(
        'var client = new SearchClient(endpoint, index, new AzureKeyCredential("{}"));',
        ALNUM,
        32,
    ),
    "sql-update-named": _assign(
        "UPDATE settings SET value = '{}' WHERE name = 'stripe_secret_key';", ALNUM, 32
    ),
    "csv-column": _assign("service,env,api_key,created\nacme,prod,{},2024-01-01", ALNUM, 32),
    "constructor-literal": _assign('const client = new Klipfolio("{}");', ALNUM, 32),
    "gradle-field": _assign('buildConfigField "String", "MAPS_API_KEY", "\\"{}\\""', ALNUM, 32),
    "mailgun-api-key": _p("key-", HEX, 32),
    "facebook-app-token": lambda: _pair(
        f"facebook {rnd(string.digits, 16)}|{(k := rnd(ALNUM + '_-', 27))}", k
    ),
    "jwt": _jwt_case,
    "private-key": _pem_case,
    "url-credentials": _url,
    "url-token-user": _assign(
        "git remote add origin https://{}@git.example.com/t/a.git", ALNUM, 40
    ),
    "curl-user": _curl,
    "authorization": _assign("Authorization: Bearer {}", ALNUM, 40),
    "authorization-pair": _assign("[(b'authorization', b'Bearer {}')]", ALNUM, 40),
    "named-value": _assign("env:\n  - name: STRIPE_API_KEY\n    value: {}", ALNUM, 32),
    "curl-user-token": _assign("curl -u {}: https://api.example.com/v1/charges", ALNUM, 32),
    "powershell-securestring": _assign(
        '$pw = ConvertTo-SecureString "{}" -AsPlainText -Force', ALNUM + "#!", 20
    ),
    "credential-call": _assign(
        'requests.get(url, auth=("deploy", "{}"), timeout=5)', ALNUM + "#!", 20
    ),
    "cli-password": _assign("mysqldump -h db -u root -p{} app > app.sql", ALNUM + "#!", 20),
    "sql-insert-values": _assign(
        "INSERT INTO users (email, password, role) VALUES ('a@b.example', '{}', 'admin');",
        ALNUM + "#!",
        20,
    ),
    "sql-identified-by": _assign("CREATE USER 'app'@'%' IDENTIFIED BY '{}';", ALNUM + "#!", 20),
    "terraform-default": _assign(
        'variable "stripe_api_key" {{\n  type = string\n  sensitive = true\n  default = "{}"\n}}',
        ALNUM,
        32,
    ),
    "twitter-bearer-token": lambda: (
        lambda v: (f"curl -H 'Authorization: Bearer {v}' https://api.x.com/2/tweets", v)
    )("A" * 21 + rnd(ALNUM, 12) + "%2F" + rnd(ALNUM, 30) + "%3D" + rnd(ALNUM, 50)),
    "mnemonic-phrase": lambda: (lambda v: (f'MNEMONIC="{v}"', v))(
        " ".join(rnd(string.ascii_lowercase, 3 + i % 6) for i in range(12))
    ),
    "meta-content": _assign('<meta name="stripe-secret-key" content="{}">', ALNUM, 40),
    "validation-location": _assign(
        '{{"detail": [{{"type": "string_too_short", "loc": ["body", "password"], "msg": "x",'
        ' "input": "{}"}}]}}',
        ALNUM + "#!",
        24,
    ),
    "validation-input": _assign(
        "1 validation error for Settings\nstripe_secret_key\n  String should match pattern"
        " '^sk_' [type=string_pattern_mismatch, input_value='{}', input_type=str]",
        ALNUM,
        40,
    ),
    "secret-wrapper": _assign('client = Client(token=SecretStr("{}"))', ALNUM + "#!", 24),
    "compared-literal": _assign('if request.headers.get("X-Api-Key") != "{}":', ALNUM, 32),
    "equals-call": _assign('if (apiKey.equals("{}")) {{', ALNUM, 32),
    "literal-compared": _assign('if "{}" == os.environ["API_KEY"]:', ALNUM, 32),
    "client-literal": _assign('client := zentrix.NewClient("{}")', ALNUM, 32),
    "value-named": _assign('[{{"Value": "{}", "Key": "StripeApiKey"}}]', ALNUM, 32),
    "cookie-header": _assign("Cookie: _ga=GA1.2.1234567.1715682067; theme=dark; sid={}", ALNUM, 32),
    "cli-password-file": _assign(
        "ansible-vault view --vault-password-file <(echo {}) vars.yml", ALNUM, 24
    ),
    "cli-secret-value": _assign("gh secret set DEPLOY_TOKEN --repo o/r --body {}", ALNUM, 36),
    "cli-password-stdin": _assign(
        'echo "{}" | docker login ghcr.io -u deploy --password-stdin', ALNUM + "#!", 24
    ),
    "bearer-token": _assign("[DEBUG] Authorization header: Bearer {}", ALNUM, 40),
    "named-element": _assign("<key>StripeAPIKey</key>\n\t<string>{}</string>", ALNUM, 32),
    "header-value-call": _assign(
        'request.setValue("{}", forHTTPHeaderField: "X-Shop-Api-Key")', ALNUM, 32
    ),
    "secret-assignment": _assign('client_secret = "{}"', ALNUM, 32),
    "secret-assignment-upper": _assign("+ export AZURE_DEVOPS_EXT_PAT={}", UPPER32.lower(), 52),
    "secret-assignment-foreign": _assign('{{"chiaveApi": "{}"}}', ALNUM, 32),
    "secret-list": _assign('{{"config": {{"api_keys": ["legacy",\n  "{}"]}}}}', ALNUM, 32),
    "url-secret-param": _assign(
        "GET https://b.s3.amazonaws.com/k?X-Amz-Expires=60&X-Amz-Signature={}", HEX, 64
    ),
    "telegram-bot-token": lambda: _pair(
        f"POST https://api.telegram.org/bot{rnd(string.digits, 10)}:"
        f"{(k := 'AA' + rnd(ALNUM + '_-', 33))}/sendMessage",
        k,
    ),
    "discord-webhook": _assign(
        f"POST https://discord.com/api/webhooks/{rnd(string.digits, 19)}/{{}}", ALNUM + "_-", 68
    ),
}


def _sql_negatives(value: str) -> str:
    """SQL inserts that hold no secret (log lines, not queries run)."""
    return (  # noqa: S608 - a log line
        "INSERT INTO users (email, password) VALUES ('a@b.example', ?);"
        " INSERT INTO t (a, b) VALUES ('x', '%s');"
        " INSERT INTO users (name, password_hash) VALUES ('bob', '$2b$12$abc');"
    ) % value


NEGATIVE: dict[str, Callable[[], str]] = {
    "openrouter-api-key": lambda: "OPENROUTER_API_KEY=sk-or-v1-your-api-key-here",
    "anthropic-api-key": lambda: key("sk-ant-api03-", ALNUM, 20),
    "openai-api-key": lambda: key("task-", ALNUM, 30),
    "openai-project-key": lambda: "sk-proj-" + "x" * 40,
    "groq-api-key": lambda: "gsk_" + "x" * 52,
    "xai-api-key": lambda: key("xai-", ALNUM, 12),
    "perplexity-api-key": lambda: "pplx-" + "X" * 48,
    "huggingface-token": lambda: key("rhf_", ALNUM, 34),
    "huggingface-org-token": lambda: key("api_org_", ALNUM, 8),
    "mistral-cohere-api-key": lambda: "MISTRAL_MODEL=mistral-large-latest",
    "google-api-key": lambda: "AIzaSy" + "x" * 33,
    "aws-access-key-id": lambda: "AKIA" + "IOSFODNN7" + "EXAMPLE",
    "aws-credentials-pair": lambda: f"{key('AKIA', UPPER32, 16)},{rnd(ALNUM, 30)}",
    "aws-secret-access-key": lambda: "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
    "azure-storage-key": lambda: "AccountKey=<your-storage-key>",
    "azure-sas-signature": lambda: "sig=abc",
    "azure-ad-client-secret": lambda: rnd(ALNUM, 3) + "8Q~" + rnd(ALNUM, 6),
    "github-token": lambda: "ghp_" + "x" * 36,
    "github-fine-grained-pat": lambda: "github_pat_" + "x" * 82,
    "gitlab-token": lambda: "glpat-" + "X" * 20,
    "npm-token": lambda: key("npm_", ALNUM, 10),
    "pypi-token": lambda: "pypi-AgE short",
    "slack-token": lambda: "xoxb-12345-abcd234",
    "slack-webhook": lambda: "see https://hooks.slack.com/services/ for setup",
    "teams-webhook": lambda: "https://acme.webhook.office.com/",
    "zapier-webhook": lambda: "see https://hooks.zapier.com/hooks/catch/ for setup",
    "firebase-server-key": lambda: (
        # (a device's registration token, and a server key cut short)
        f"{rnd(ALNUM, 22)}:APA91b{rnd(ALNUM, 134)} AAAA{rnd(ALNUM, 7)}:APA91b{rnd(ALNUM, 40)}"
    ),
    "telegram-bot-token-bare": lambda: "ratio 16:AA9 at 12:AAA and build 4521:AA-short",
    "vault-unseal-key": lambda: "Unseal Key 1: <redacted>; Recovery Key 2: ${RECOVERY_KEY}",
    "jenkins-secret": lambda: "{AQAAABAAAA} and {AQAAABAAAA-short} and AQAAABAAAA alone",
    "aws-bedrock-api-key": lambda: f"ABSK is short; xABSK{rnd(ALNUM, 70)}; ABSK{rnd(ALNUM, 40)}",
    "secret-key-base": lambda: (
        "secret_key_base: <%= ENV['SECRET_KEY_BASE'] %>; secretKeyBase = "
        f"{rnd(HEX, 40)}; secret_key_base_dummy = 1"
    ),
    "amazon-lwa-token": lambda: "Atzr|short and Atza| alone, xAtzr|" + rnd(ALNUM, 60),
    "nats-nkey-seed": lambda: (
        f"SOA record: ns1.example.com; SUA{rnd(UPPER32, 40)}; xSAA{rnd(UPPER32, 55)}; "
        # (of a seed's shape, one character changed: its CRC-16 no longer holds, as an
        # Algorand address's does not; the CRC finds every change of one character)
        + _one_character_changed(_nkey_seed(), 10)
    ),
    "salesforce-session-id": lambda: f"00D{rnd(ALNUM, 12)} alone, 00D{rnd(ALNUM, 12)}!short",
    "unleash-api-token": lambda: (
        f"glob */*:* and image *:latest, []:dev.{rnd(HEX, 40)}, x*:prod.{rnd(HEX, 64)}z"
    ),
    "jwe": lambda: f"{_jwe_header()}..short.x.y and {_jwe_header()}.{rnd(ALNUM, 40)}",
    "putty-private-key": lambda: "Private-Lines: 2\nPrivate-MAC: <mac>\nPrivate-Lines: none",
    "kubernetes-secret": lambda: (
        f"kind: ConfigMap\ndata:\n  cache: {rnd(ALNUM, 24)}\n---\nkind: Secret\n"
        'stringData:\n  password: ${DB_PASSWORD}\n  token: <token>\ndata: {"id": 1}\n'
    ),
    "vendor-secret-variable": lambda: (
        "CYPRESS_RECORD_KEY=${{ secrets.CYPRESS_RECORD_KEY }}; MJ_APIKEY_PRIVATE=changeme; "
        "agoraAppCertificate: <your-app-certificate>"
    ),
    "django-secret-key": lambda: (
        "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']; SECRET_KEY=" + "change-me-" * 5
    ),
    "assigned-constructor-literal": lambda: (
        f'commit = Commit("{rnd(HEX, 40)}"); ok = x == Vimeo("{rnd(HEX, 32)}"); '
        'e = ValueError("invalid_configuration_value_here")'
    ),
    "repl-echo": lambda: (
        f">>> os.environ['HOME']\n'/home/{rnd(ALNUM, 12)}'\n> quoted reply\nSounds good to me"
        f"\n$ echo $API_KEY\n${{API_KEY}}\n"
    ),
    "vendor-webhook": lambda: (
        "see .git/hooks/pre-commit; https://gitlab.com/api/v4/projects/42/hooks/1234; "
        "https://api.netlify.com/build_hooks/<your-hook-id>"
    ),
    "oracle-ezconnect-password": lambda: (
        "jdbc:oracle:thin:@//db.internal:1521/ORCLPDB1; http://db.internal:1521/apex/f?p=4550"
    ),
    "bip32-private-key": lambda: f"xpub{rnd(BASE58, 107)} xprv{rnd(BASE58, 106)} the xprv format",
    "nostr-private-key": lambda: f"npub1{rnd(BECH32, 58)} nsec1{rnd(BECH32, 57)} nsec1",
    "asaas-api-key": lambda: "ASAAS_API_KEY=$aact_prod_<your key> $aact_",
    "secret-label-native": lambda: "密码长度至少 12 个字符 Пароль: administrator",
    "value-next-line": lambda: (
        "credentials:\n  - name: x\ntoken:\n  type: bearer\nsecret:\n  MissingDependencyError\n"
    ),
    "php-var-dump": lambda: (
        'array(2) {\n  ["host"]=>\n  string(9) "localhost"\n  ["key_id"]=>\n  int(42)\n}'
    ),
    "printed-secret": lambda: (
        "$ aws configure get region\neu-west-1\n$ echo aGVsbG8= | base64 -d\nhello-world\n"
        '$ op read "op://Private/x/credential"\n[ERROR] item not found\n'
    ),
    "base64-private-key": lambda: (
        "  client-certificate-data: "
        + base64.b64encode(
            pem_block(rnd(ALNUM, 64)).replace("PRIVATE KEY", "CERTIFICATE").encode()
        ).decode()
        + f" {base64.b64encode(pem_block('').split(chr(10))[0].encode()).decode()} (a header)"
    ),
    "session-cookie": lambda: (
        '{"name": "accept", "value": "application/json"} '
        ".example.com\tTRUE\t/\tTRUE\t1747213964\ttheme\tdark-mode "
        "s.cookies.set('lang', 'en-US-x') JSESSIONID=<session-id> has_session=true"
    ),
    "jwk-private-key": lambda: (
        '{"kty": "RSA", "n": "' + rnd(ALNUM, 342) + '", "e": "AQAB", "kid": "2024-01"}'
    ),
    "minisign-secret-key": lambda: (
        "untrusted comment: minisign public key "
        + rnd(HEX, 16).upper()
        + "\n"
        + "RWQ"
        + rnd(ALNUM, 53)
    ),
    "chat-webhook": lambda: (
        "see src/hooks/useauthenticationstate2024 and https://gitlab.com/api/v4/projects/42/hooks/1234"
    ),
    "markdown-label": lambda: "**Note:** the **API Key**: `<your-api-key>`, **Token:** required",
    "wordpress-auth-key": lambda: (
        "define( 'AUTH_KEY', 'put your unique phrase here' ); "
        f"define( 'NONCE_SALT', '{'abcdefghij' * 6}abcd' );"
    ),
    "make-webhook": lambda: "https://www.make.com/en/help and https://hook.eu1.make.com/<id>",
    "oracle-connect-password": lambda: (
        "jdbc:oracle:thin:@db.internal:1521/ORCLPDB1; sqlplus / as sysdba; "
        "jdbc:oracle:thin:app/<password>@db"
    ),
    "aws-configure-secret": lambda: "AWS Secret Access Key [****************OZoi]: ",
    "cloudformation-noecho-default": lambda: (
        "  DbPassword:\n    NoEcho: true\n    Type: String\n  Env:\n    Default: prod\n"
        "    NoEcho: true\n    Default: '{{resolve:secretsmanager:prod/db:SecretString:pw}}'"
    ),
    "mailchimp-api-key": lambda: (
        f"locale en-us, x-user, commit {rnd(HEX, 40)}-us1 and {rnd(HEX, 31)}-us2 seen"
    ),
    "bundler-credentials": lambda: "BUNDLE_JOBS=4",
    "stripe-key": lambda: "sk_live_" + "x" * 30,
    "sendgrid-key": lambda: "SG.abc.def",
    "twilio-key": lambda: key("TASK", HEX, 32),
    "vendor-token": lambda: "dop_v1_" + "x" * 64,
    "notion-legacy-token": lambda: f"secret_key_base={rnd(HEX, 43)} secret_{rnd(ALNUM, 44)}",
    "vendor-key": lambda: f"GOCSPX-{rnd(ALNUM, 20)} napi_create_string_utf8(env, s, n, &out)",
    "vendor-token-shaped": lambda: "test_HTTP2ConnectionReuseWithProxy3 cu_" + "x" * 32,
    "azure-primary-key": lambda: (
        "primary_key=42 secondary_key: user_id PRIMARY_KEY=" + "A" * 40 + "=="
    ),
    "vendor-header": lambda: 'headers["X-Honeycomb-Team"] = os.environ["HONEYCOMB_API_KEY"]',
    "key-credential": lambda: (
        'new AzureNamedKeyCredential("storageacct01", key); new AzureKeyCredential(apiKey);'
        ' new AzureKeyCredential("<your-key>")'
    ),
    "sql-update-named": lambda: (
        f"UPDATE settings SET value = '{rnd(ALNUM, 32)}' WHERE name = 'cache_key';"  # noqa: S608
        " UPDATE settings SET value = 'dark' WHERE name = 'theme';"
    ),
    "constructor-literal": lambda: (
        f'const id = new ObjectId("{rnd(HEX, 24)}"); new PublicKey("{rnd(ALNUM, 44)}");'
        " new Klipfolio(process.env.KLIPFOLIO_KEY); a new Session(user) began"
    ),
    "gradle-field": lambda: (
        f'buildConfigField "String", "CACHE_KEY", "\\"{rnd(ALNUM, 32)}\\""'
        ' buildConfigField "String", "BASE_URL", "\\"https://api.example.com/v1\\""'
    ),
    "csv-column": lambda: (
        f"id,public_key,token_type\n1,{rnd(ALNUM, 32)},bearer\n"
        f"key,en,fr\nwelcome_title,Welcome,Bienvenue\n"
        f"Please rotate the old api key, then restart\n{rnd(ALNUM, 32)}, done"
    ),
    "mailgun-api-key": lambda: "set MAILGUN_API_KEY=your-mailgun-key-here for cache-key-prefix",
    "facebook-app-token": lambda: f"rows 1234|{rnd(ALNUM, 27)}",
    "jwt": lambda: "eyJhbGciOi.not-a-token",
    "private-key": lambda: pem_block("anything"),
    "url-credentials": lambda: "GET https://example.com/a?b=1 from alice@example.com",
    "url-token-user": lambda: (
        "git clone ssh://git@github.com/o/r.git; open https://alice.smith.jones@example.com"
        " and https://deploy-bot-production@ci.example.com"
    ),
    "curl-user": lambda: "curl -u $USER:$PASSWORD https://api.example.com",
    "powershell-securestring": lambda: (
        "$pw = ConvertTo-SecureString $env:DB_PASSWORD -AsPlainText -Force;"
        ' $s = ConvertTo-SecureString "01000000d08c9ddf0115d1118c7a00c04fc297eb"'
    ),
    "cli-password": lambda: (
        "mysql -u root -p app; docker run -p 8080:80 img; redis-cli -h db -p 6379;"
        " mysql -uroot -p$MYSQL_PASSWORD; docker login -u me -p ${{ secrets.TOKEN }} ghcr.io"
    ),
    "sql-insert-values": lambda: _sql_negatives(rnd(ALNUM, 32)),
    "secret-list": lambda: (
        f'ssh_keys = ["{rnd(ALNUM, 32)}"]; "prompt_tokens": [{rnd(ALNUM, 32)}];'
        f' keys: ["{rnd(ALNUM, 32)}"]; secrets:\n  - db_password\n  - api_key\n'
        f"api_keys = [k.strip() for k in raw]; API_KEYS_FILE=/run/secrets/k,{rnd(ALNUM, 32)}"
    ),
    "cookie-header": lambda: "Cookie: theme=dark; lang=en-US; Path=/; session=deleted",
    "compared-literal": lambda: (
        'if os.getenv("REGION") == "eu-west-1b-zone7": pass\n'
        'if request.headers.get("Content-Type") == "application/json": pass\n'
        f'if user.name == "{rnd(ALNUM, 32)}": pass\n'
        'if os.getenv("API_KEY") == "": pass'
    ),
    "literal-compared": lambda: (
        'if "application/json" == content_type: pass\nif ("Enter" === key) return;\n'
        f'if "{rnd(ALNUM, 32)}" == request_id: pass'
    ),
    "equals-call": lambda: (
        f'if (status.equals("{rnd(ALNUM, 24)}")) {{}} if (token.equals("")) {{}}'
        " hmac.compare_digest(token, expected)"
    ),
    "client-literal": lambda: (
        'HttpClient("https://api.example.com/v1"); redis.NewClient("localhost:6379");'
        ' MongoClient("mongodb_primary_replica_set"); errors.New("connection refused by x");'
        f' uuid.New("{uuid.uuid4()}")'
    ),
    "value-named": lambda: (
        '{"Value": "web-1", "Key": "Name"} <add value="true" key="EnableApiKeyAuth" />'
        f' <option value="{rnd(ALNUM, 24)}" name="color">'
        ' {"value": "${API_KEY}", "name": "API_KEY"}'
    ),
    "twitter-bearer-token": lambda: (
        "data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        + rnd(ALNUM, 40)
        + " id=AAAAAAAAAAAAAAAAAAAAA"
        + rnd(ALNUM, 40)
    ),
    "mnemonic-phrase": lambda: (
        "key: the quick brown fox jumps over the lazy dog and then it sleeps ok\n"
        "MNEMONIC=abandon abandon abandon abandon abandon abandon abandon abandon abandon"
        " abandon abandon about\nseed: " + " ".join(["word"] * 13)
    ),
    "meta-content": lambda: (
        f'<meta name="csrf-token" content="{rnd(ALNUM, 40)}">'
        f'<meta name="google-site-verification" content="{rnd(ALNUM, 43)}">'
        '<meta name="api-key" content="your-api-key-here"><meta charset="utf-8">'
    ),
    "validation-location": lambda: (
        '{"detail": [{"type": "string_type", "loc": ["body", "region"], "msg": "x", "input": "'
        + rnd(ALNUM, 32)
        + '"}, {"loc": ["query", "api_key"], "msg": "Field required", "input": null}]}'
    ),
    "validation-input": lambda: (
        "2 validation errors for Settings\nregion\n  Input should be 'eu' [type=literal_error,"
        f" input_value='{rnd(ALNUM, 32)}', input_type=str]\napi_key\n  Field required"
        " [type=missing, input_value={}, input_type=dict]\napi_key: 'x' input_value='"
        + rnd(ALNUM, 32)
        + "'"
    ),
    "secret-wrapper": lambda: (
        "api_key=SecretStr('**********') password = SecretStr(os.environ[\"PW\"])\n"
        'token: SecretStr = SecretStr("changeme"); SecretStr("<your-key>"); SecretStr("")'
    ),
    "terraform-default": lambda: (
        f'variable "region" {{ default = "{rnd(ALNUM, 32)}" }}\n'
        'variable "api_key" {\n  default = "${var.fallback}"\n}\n'
        'variable "db_password" {\n  type = string\n  default = "changeme"\n}'
    ),
    "sql-identified-by": lambda: (
        "CREATE USER app IDENTIFIED BY tiger; ALTER USER app IDENTIFIED BY $APP_PASSWORD;"
        " users are identified by their email"
    ),
    "cli-password-file": lambda: "rsync --password-file=<(echo $RSYNC_PASSWORD) a/ host::m",
    "cli-secret-value": lambda: (
        'gh secret set DEPLOY_TOKEN --body "$TOKEN"; git checkout -b fix/login-form;'
        " aws ssm put-parameter --name /app/region --type String --value us-east-1"
    ),
    "cli-password-stdin": lambda: (
        "echo $CR_PAT | docker login ghcr.io -u me --password-stdin;"
        " echo hello | docker login --password-stdin"
    ),
    "credential-call": lambda: (
        'log.info("login", "login failed"); login("GET", "/api/login");'
        ' auth("user", "${PASSWORD}"); login("admin", "password"); getAuth("scope", "rw12")'
    ),
    "authorization": lambda: "Authorization: Bearer <token>",
    "authorization-pair": lambda: "[('Authorization', 'Bearer <token>'), ('Authorization', '')]",
    "named-value": lambda: f'{{"name": "REGION", "value": "{rnd(ALNUM, 32)}"}}',
    "header-value-call": lambda: (
        f'request.setValue("{rnd(ALNUM, 32)}", forHTTPHeaderField: "X-Request-Id");'
        ' request.setValue("application/json", forHTTPHeaderField: "Content-Type")'
    ),
    "curl-user-token": lambda: "curl -u alice.smith@example.com: https://x; curl -u deploy:x",
    "bearer-token": lambda: (
        "401: Bearer token required; token_type=bearer; bearer authentication is enabled"
    ),
    "named-element": lambda: (
        f"<key>CFBundleIdentifier</key><string>{rnd(ALNUM, 32)}</string>"
        f"<String><Key>Title</Key><Value>{rnd(ALNUM, 32)}</Value></String>"
        f'<setting name="Region" serializeAs="String"><value>{rnd(ALNUM, 32)}</value>'
    ),
    "secret-assignment": lambda: '"max_tokens": 1024, "token_type": "bearer", "secret_name": "x"',
    "secret-assignment-upper": lambda: (
        f"path=/pat/{rnd(ALNUM, 32)} spinner PIN_FILE=/x pat = {rnd(ALNUM, 24)}"
    ),
    "secret-assignment-foreign": lambda: (
        f"senha_hash={rnd(ALNUM, 32)} clave_publica={rnd(ALNUM, 40)} article={rnd(ALNUM, 24)}"
    ),
    "url-secret-param": lambda: (
        f"GET https://b.s3.amazonaws.com/k?X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600"
        f"&signature_version=4&next={rnd(ALNUM, 32)}&key%2Did=ACCESS_KEY"
    ),
    "telegram-bot-token": lambda: "see https://core.telegram.org/bots/api for the Bot API",
    "discord-webhook": lambda: f"join https://discord.com/invite/{rnd(ALNUM, 8)} or discord.gg/x",
}
