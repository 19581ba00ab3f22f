"""Names that mark a secret, shared by the Sanitizer and the config check.

One list per kind of name, so that what ``validate_config`` refuses as a literal and
what ``sanitize`` masks in a log line are judged by the same words:

- :data:`SECRET_QUERY_PARAMS`: URL query (and fragment) parameters whose value is a
  credential whatever it looks like: API keys and tokens (``?key=``, ``?api_key=``,
  ``#access_token=``) and the signatures and credentials of presigned URLs (S3
  ``X-Amz-Signature``, GCS ``X-Goog-Signature``, CloudFront ``Signature``,
  ``Key-Pair-Id`` and ``Policy``, Azure SAS ``sig``). A presigned URL is a bearer
  credential for its object until it expires.
- :data:`UPPER_SECRET_WORDS`: short words that name a credential as the last segment of
  an upper-case name (``GH_PAT``, ``AZURE_DEVOPS_EXT_PAT``, ``SAS``, ``PIN``,
  ``LDAP_BIND_PW``, ``WIFI_PSK``). Code uses the same words in lower case for other
  things (``pat`` a pattern, ``pin`` a GPIO pin, ``pw`` a page width), so free text
  reads them only in upper case; structured data and config keys
  read them as a segment in any case.
- :data:`FOREIGN_SECRET_WORDS`: the words for password, key, secret and credentials in
  other languages, as names are written in them without accents (``passwort``,
  ``contrasena``, ``CHIAVE_API``, ``cle_secrete``, ``API_ANAHTARI``), read as any
  segment of a name: many languages put the noun first (``clave_acceso``); a word for
  *key* with an owner (:data:`FOREIGN_KEY_OWNERS`), as English ``key``.
- :data:`NATIVE_SECRET_WORDS`: the same words in other scripts (``密码``, ``パスワード``,
  ``пароль``), read in prose before a value.

A parameter name is judged once percent-decoded (:func:`decode_param_name`): servers
decode names before reading them, so ``?api%5Fkey=`` is ``?api_key=``.
"""

from __future__ import annotations

import re

__all__ = [
    "DISTINCTIVE_PARAMS",
    "ENCODED_PARAM_DELIMITERS",
    "ESCAPED_PARAM_DELIMITERS",
    "FOREIGN_KEY_OWNERS",
    "FOREIGN_SECRET_PHRASES",
    "FOREIGN_SECRET_WORDS",
    "GENERATED_QUERY_PARAMS",
    "NATIVE_SECRET_WORDS",
    "PARAM_DELIMITERS",
    "SECRET_QUERY_PARAMS",
    "UPPER_SECRET_WORDS",
    "decode_param_name",
    "is_distinctive_param",
    "is_generated_param",
    "is_key_param",
    "is_secret_param",
    "param_spellings",
]

#: Query parameters whose value is a credential or a signature, as services spell them.
#: Matched without regard to case, except :data:`_EXACT_CASE`.
SECRET_QUERY_PARAMS: tuple[str, ...] = (
    # API keys and tokens passed in the URL
    "key", "apikey", "api_key", "api-key", "token", "access_token", "client_secret",
    "password", "jwt",
    # signatures: Azure SAS ``sig``, GCS V2 and CloudFront ``Signature``
    "sig", "signature",
    # AWS Signature V4 presigned URLs (S3 and every SigV4 service)
    "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
    # Google Cloud Storage V4 signed URLs
    "X-Goog-Signature", "X-Goog-Credential",
    # CloudFront signed URLs (``Signature`` above)
    "Key-Pair-Id", "Policy",
    # Tencent Cloud COS signed URLs
    "q-signature",
)  # fmt: skip
# ``policy`` is an ordinary setting in many URLs (``?policy=readonly``): only
# CloudFront's own spelling counts.
_EXACT_CASE = frozenset({"Policy"})
_ANY_CASE = frozenset(n.lower() for n in SECRET_QUERY_PARAMS if n not in _EXACT_CASE)
#: Names no ordinary parameter or setting has: a signature, a signing credential or a
#: session token wherever ``name=`` stands (a query string without its ``?``, the
#: ``Signature=`` of an AWS SigV4 ``Authorization`` header). The other names count only
#: after a query delimiter.
DISTINCTIVE_PARAMS: tuple[str, ...] = (
    "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "X-Goog-Signature",
    "X-Goog-Credential", "Key-Pair-Id", "Signature",
)  # fmt: skip
_DISTINCTIVE = frozenset(n.lower() for n in DISTINCTIVE_PARAMS if n != "Signature")
#: Names whose value is a key or a token, not a signature or a password: the Sanitizer
#: applies the value gate of a password name to them (``?key=photos/a.jpg`` is a path).
_KEY_NAMES = frozenset(
    {"key", "apikey", "api_key", "api-key", "token", "access_token", "client_secret"}
)
#: Query parameters whose value is a credential only when it looks generated (16
#: characters or more, see ``_context.looks_like_token``): Azure Functions' function
#: keys and OAuth's authorization codes (``?code=``; ``?code=SKU-1`` is a product), the
#: session ids servlet containers and PHP write into URLs, and the API keys of
#: OpenWeather (``?appid=``; a numeric app id is none) and Baidu Maps (``?ak=``).
GENERATED_QUERY_PARAMS: tuple[str, ...] = ("code", "jsessionid", "phpsessid", "appId", "ak")
_GENERATED_NAMES = frozenset(name.lower() for name in GENERATED_QUERY_PARAMS)

#: Short secret words read as the last segment of an upper-case name.
UPPER_SECRET_WORDS: tuple[str, ...] = ("PAT", "SAS", "PIN", "PW", "PSK")

#: Secret words of other languages (accents dropped, as identifiers spell them), each
#: with what it names: ``"password"`` (judged as a password: any non-trivial value
#: counts), ``"key"`` (a key, as English ``key``: a name of its own or with an owner
#: that makes it a secret's, ``CHIAVE_API``, not ``clave_cache``, ``CLAVE_CURP``), or
#: ``"secret"`` (a secret or credentials, in any name). Not the short or common ones
#: that are also English words' pieces (French ``cle``, in ``article``).
FOREIGN_SECRET_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            *("contrasena", "contrasenya", "contrasinal", "passwort", "kennwort", "senha"),
            *("motdepasse", "wachtwoord", "wagwoord", "parool", "haslo", "heslo", "losenord"),
            *("adgangskode", "passord", "salasana", "parola", "sifre", "jelszo", "geslo"),
            *("lozinka", "pasahitza", "katasandi", "sandi", "mima", "pasuwado", "bimilbeonho"),
            *("parol", "matkhau"),
        ),
        "password",
    ),
    **dict.fromkeys(
        (
            *("schluessel", "schlussel", "chiave", "clave", "chave", "sleutel", "nyckel"),
            *("nokkel", "noegle", "avain", "klucz", "anahtar", "anahtari", "kulcs", "kunci"),
            *("kagi", "miyao", "klyuch"),
        ),
        "key",
    ),
    **dict.fromkeys(
        (
            *("geheimnis", "geheim", "secreto", "segreto", "segredo", "sekret", "secrete"),
            *("himitsu", "hemlighet", "salaisuus", "rahasia", "jeton", "credenciales"),
            *("credenziali", "credenciais", "zugangsdaten"),
        ),
        "secret",
    ),
}
#: The words of those names written as two or three (``mot_de_passe``, ``MAT_KHAU``,
#: ``kata sandi``), as they are matched in text (and read, joined, as one word)
FOREIGN_SECRET_PHRASES: dict[str, str] = {
    "mot de passe": "password",
    "mat khau": "password",
    "kata sandi": "password",
    "kata laluan": "password",
    "bi mat": "secret",
}
#: The words for password, key, secret and token in scripts other than Latin (and
#: Vietnamese with its marks), as prose in those languages names a credential before its
#: value (``密码: v``, ``APIキーはこちらです: v``, ``Пароль от сервера: v``); mapped as
#: :data:`FOREIGN_SECRET_WORDS` are. Text holding them is read by the Python engines
#: (Hyperscan reads ASCII text only).
NATIVE_SECRET_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "密码", "密碼", "口令", "パスワード", "暗証番号", "비밀번호", "암호", "пароль",
            "Пароль", "ПАРОЛЬ", "парола", "Парола", "лозинка", "Лозинка", "κωδικός",
            "Κωδικός", "סיסמה", "كلمة المرور", "كلمة السر", "รหัสผ่าน", "mật khẩu",
            "Mật khẩu", "पासवर्ड", "contraseña", "Contraseña", "CONTRASEÑA", "hasło", "Hasło",
            "HASŁO", "şifre", "Şifre", "ŞİFRE", "lösenord", "Lösenord", "jelszó", "Jelszó",
            "lösenordet", "Lösenordet",
        ),
        "password",
    ),
    **dict.fromkeys(
        (
            "密钥", "密鑰", "秘钥", "秘鑰", "秘密鍵", "金鑰", "キー", "API 키", "API키", "비밀 키",
            "ключ", "Ключ", "κλειδί", "Κλειδί", "מפתח", "المفتاح", "مفتاح", "คีย์", "कुंजी",
            "khóa", "Khóa", "Schlüssel", "schlüssel", "clé", "Clé", "chìa khóa",
        ),
        "key",
    ),
    **dict.fromkeys(
        (
            "令牌", "權杖", "トークン", "シークレット", "토큰", "токен", "Токен", "секрет",
            "Секрет", "توكن", "الرمز المميز", "διακριτικό", "טוקן", "โทเค็น", "टोकन",
            "mã thông báo", "Mã thông báo",
        ),
        "secret",
    ),
}  # fmt: skip
#: What makes another language's key word a secret's key, as ``api`` does English
#: ``key`` (``CHIAVE_API``, ``clave_acceso``, ``chave_secreta``, ``kunci_rahasia``)
FOREIGN_KEY_OWNERS = frozenset(
    {
        "api", "app", "access", "secret", "private", "client", "master", "acceso", "accesso",
        "acesso", "acces", "zugang", "zugriff", "secreta", "secreto", "segreta", "segreto",
        "secrete", "privada", "privado", "privata", "privato", "privee", "prive",
        "privat", "privater", "privaten", "prywatny", "gizli", "rahasia", "himitsu", "geheim",
        "geheimer", "servicio", "servizio", "servico", "dienst", "firma", "assinatura",
        "cifrado", "cifratura", "criptografia", "verschluesselung", "aplicacion", "applicazione",
        "aplicacao", "anwendung", "cliente", "mima", "miyao",
    }
)  # fmt: skip

#: What stands before a parameter name: ``?`` and ``&`` of a query, ``;`` (also the
#: end of ``&amp;`` in HTML), ``#`` of a fragment (OAuth's ``#access_token=``).
PARAM_DELIMITERS = "?&;#"
#: The same as JSON ``\u`` escapes (Go's ``encoding/json`` writes ``&`` as ``\u0026``).
ESCAPED_PARAM_DELIMITERS = ("\\u0026", "\\u003f", "\\u003F", "\\u0023")
#: And percent-encoded, in a URL inside another's query (``?next=https%3A%2F%2Fb%2Fc%3F
#: api_key%3D...``), where ``=`` is ``%3D`` too.
ENCODED_PARAM_DELIMITERS = ("%3F", "%3f", "%26", "%23")

#: A name is decoded from its first this many characters (parameter names are short).
_NAME_MAX = 128
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def decode_param_name(name: str) -> str:
    """``name`` with its ``%XX`` escapes decoded, once (``api%5Fkey`` is ``api_key``;
    ``%255F`` stays ``%5F``, as a server decoding once reads it). Only the first 128
    characters are read."""
    name = name[:_NAME_MAX]
    if "%" not in name:
        return name
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)


def is_secret_param(name: str) -> bool:
    """Whether a query parameter called ``name`` (raw, possibly percent-encoded) carries
    a credential whatever its value: one of :data:`SECRET_QUERY_PARAMS` once decoded."""
    decoded = decode_param_name(name)
    return decoded.lower() in _ANY_CASE or decoded in _EXACT_CASE


def is_distinctive_param(name: str) -> bool:
    """Whether ``name`` (decoded) is one of :data:`DISTINCTIVE_PARAMS`, a secret
    wherever ``name=`` stands (``Signature`` only so capitalized)."""
    return name == "Signature" or name.lower() in _DISTINCTIVE


def is_key_param(name: str) -> bool:
    """Whether ``name`` (decoded) is a key or token parameter rather than a signature
    or a password (its value gets the value gate of a password name)."""
    return name.lower() in _KEY_NAMES


def is_generated_param(name: str) -> bool:
    """Whether ``name`` (decoded) is one of :data:`GENERATED_QUERY_PARAMS`."""
    return name.lower() in _GENERATED_NAMES


def param_spellings(names: tuple[str, ...] = SECRET_QUERY_PARAMS) -> tuple[str, ...]:
    """Every spelling of ``names`` the Sanitizer looks for as a literal: as listed,
    lower case, upper case, and with each word capitalized (``X-Amz-Signature``,
    ``x-amz-signature``, ``X-AMZ-SIGNATURE``, ``Api-Key``)."""
    out: list[str] = []
    for name in names:
        if name in _EXACT_CASE:
            variants = [name]
        else:
            words = re.split(r"([_\-])", name.lower())
            variants = [name, name.lower(), name.upper(), "".join(w.capitalize() for w in words)]
        for v in variants:
            if v not in out:
                out.append(v)
    return tuple(out)
