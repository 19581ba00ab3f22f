from __future__ import annotations

import itertools
import secrets
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import openrouter_secure as ors
import openrouter_secure.config
from openrouter_secure import InvalidReferenceError, Secret, SecretRef
from openrouter_secure._refs import names_a_credential
from openrouter_secure.testing import assert_no_leak, make_canary

EXAMPLES = [
    "env://OPENROUTER_API_KEY",
    "keyring://openrouter-mcp/api_key",
    "aws://prod/openrouter?region=eu-west-1&stage=AWSCURRENT#api_key",
    "azure://my-vault/openrouter-key?version=0123abcd",
    "gcp://my-project/openrouter-key?version=latest#api_key",
    "vault://secret/openrouter/prod#api_key",
    "aws://arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/openrouter-AbCdEf",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_documented_examples_round_trip(text: str) -> None:
    assert str(SecretRef.parse(text)) == text


def test_parts_are_parsed() -> None:
    ref = SecretRef.parse("aws://prod/openrouter?region=eu-west-1&stage=AWSCURRENT#api_key")
    assert ref.backend == "aws"
    assert ref.path == "prod/openrouter"
    assert ref.param("region") == "eu-west-1"
    assert ref.param("missing", "d") == "d"
    assert ref.field == "api_key"


def test_parse_accepts_a_ref() -> None:
    ref = SecretRef.parse("env://X")
    assert SecretRef.parse(ref) is ref


def test_percent_encoded_path_decodes_and_round_trips() -> None:
    ref = SecretRef.parse("keyring://my%20service/user")
    assert ref.path == "my service/user"
    assert SecretRef.parse(str(ref)) == ref


def test_with_params_and_with_field() -> None:
    ref = SecretRef.parse("aws://prod/x?region=a")
    updated = ref.with_params(region="b", stage="AWSPREVIOUS").with_field("k")
    assert str(updated) == "aws://prod/x?region=b&stage=AWSPREVIOUS#k"
    assert updated.with_params(stage=None).param("stage") is None


def test_build_validates() -> None:
    assert str(SecretRef.build("vault", "secret/app", {"version": "2"}, "k")) == (
        "vault://secret/app?version=2#k"
    )
    with pytest.raises(InvalidReferenceError):
        SecretRef.build("Bad Scheme", "x")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("OPENROUTER_API_KEY", "no '://'"),
        ("env://", "empty path"),
        ("ENV://X", "lowercase"),
        ("env://X?", "no params"),
        ("env://X?a=1&a=2", "repeats"),
        ("env://X#", "empty #field"),
        ("env://A B", "white space"),
        ("env://X?=v", "no name"),
    ],
)
def test_malformed_references_say_what_is_wrong(text: str, hint: str) -> None:
    with pytest.raises(InvalidReferenceError, match=hint) as info:
        SecretRef.parse(text)
    assert "<backend>://<path>" in str(info.value) or hint in str(info.value)


def test_non_string_is_a_clear_error() -> None:
    with pytest.raises(InvalidReferenceError, match="must be a string"):
        SecretRef.parse(42)  # type: ignore[arg-type]


def test_a_pasted_key_is_never_echoed() -> None:
    canary = make_canary()
    with pytest.raises(InvalidReferenceError) as info:
        SecretRef.parse(canary)
    assert_no_leak(canary, info.value)
    assert "store it in a backend" in str(info.value)


@pytest.mark.parametrize("param", ["token", "password", "secret_id", "api_key", "client-secret"])
def test_credential_params_are_refused(param: str) -> None:
    canary = make_canary()
    with pytest.raises(InvalidReferenceError, match="looks like a credential") as info:
        SecretRef.parse(f"vault://secret/x?{param}={canary}")
    assert_no_leak(canary, info.value)


@pytest.mark.parametrize(
    "param",
    [
        "bearer",
        "session",
        "session_id",
        "client_assertion",
        "clientAssertion",
        "dsn",
        "jwt",
        "accessKey",
        "private-key",
        "X-Api-Key",
        "sig",
        "cookie",
        "passphrase",
        "sessionToken",
        "apitoken",
        "clientsecret",
    ],
)
def test_params_named_like_credentials_are_refused_naming_only_the_param(param: str) -> None:
    canary = make_canary("plain")
    for make in (
        lambda: SecretRef.parse(f"vault://secret/x?{param}={canary}"),
        lambda: SecretRef.build("vault", "secret/x", {param: canary}),
        lambda: SecretRef("vault", "secret/x", ((param, canary),)),
        lambda: SecretRef.parse("vault://secret/x").with_params(**{param: canary}),
    ):
        with pytest.raises(InvalidReferenceError, match="looks like a credential") as info:
            make()
        assert repr(param) in str(info.value)
        assert_no_leak(canary, info.value)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _url_with_password(password: str) -> str:
    return f"https://admin:{password}@vault.internal:8200"


def _mixed_letters(n: int) -> str:
    """``n`` random letters whose cases mix as a random draw's almost always do (a quarter
    of each case and as many changes of case): about one draw in 300 has fewer, and
    then reads like words in capitals, which is not what the tests below check."""
    while True:
        run = "".join(secrets.choice(_LETTERS) for _ in range(n))
        upper = sum(c.isupper() for c in run)
        changes = sum(a.isupper() != b.isupper() for a, b in itertools.pairwise(run))
        if min(upper, n - upper) >= n // 4 and changes >= n // 4:
            return run


@pytest.mark.parametrize(
    "value",
    [
        lambda: make_canary(),  # a known key format
        lambda: make_canary("plain"),  # a long random mixed-case token
        lambda: _url_with_password(make_canary("plain")[:12]),  # a URL with a password
        lambda: "x." + make_canary("plain"),  # a token inside a longer value
        lambda: _mixed_letters(32),  # letters alone
        # (a URL-safe token without a digit: ``secrets.token_urlsafe`` draws one 1 time
        # in 250)
        lambda: "_" + _mixed_letters(30) + "-Q",
    ],
    ids=["known-format", "random-token", "url-password", "embedded", "letters-only", "urlsafe"],
)
def test_a_param_whose_value_looks_like_a_credential_is_refused(value: Any) -> None:
    secret = value()
    with pytest.raises(InvalidReferenceError, match="'addr' with a value") as info:
        SecretRef.build("vault", "secret/x", {"addr": secret})
    assert_no_leak(secret.split("admin:")[-1].split("@")[0], info.value)


@pytest.mark.parametrize(
    "value", ["HTTPServerConfigurationManagerFactory", "ProjectAlphaBetaGammaDeltaEpsilon"]
)
def test_camel_case_words_are_no_credential(value: str) -> None:
    assert ("namespace", value) in SecretRef.build("vault", "secret/x", {"namespace": value}).params


def test_a_value_the_process_holds_as_a_secret_is_refused() -> None:
    held = Secret("short-" + secrets.token_hex(3))  # no format, too short to look random
    with pytest.raises(InvalidReferenceError, match="'namespace' with a value"):
        SecretRef.build("vault", "secret/x", {"namespace": held.reveal()})


def test_a_param_name_that_is_a_secret_is_not_named() -> None:
    canary = make_canary()
    with pytest.raises(InvalidReferenceError, match="whose name looks like a credential") as info:
        SecretRef.parse(f"vault://secret/x?{canary}=1")
    assert_no_leak(canary, info.value)


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "https://myvault.vault.azure.net",
        "http://127.0.0.1:8200",
        "/run/secrets/vault-token",
        "AWSCURRENT",
        "team/kv",
    ],
)
def test_ordinary_values_are_allowed(value: str) -> None:
    assert SecretRef.build("aws", "x", {"kms_key_id": value}).param("kms_key_id") == value


def test_validate_config_refuses_a_reference_with_a_credential_param() -> None:
    canary = make_canary("plain")
    doc = {
        "mcpServers": {
            "s": {"command": "x", "env": {"DB": f"${{secret:vault://secret/db?dsn={canary}}}"}}
        }
    }
    with pytest.raises(ors.OpenRouterSecureError) as info:
        ors.config.validate_config(doc)
    assert_no_leak(canary, info.value)


@pytest.mark.parametrize("param", ["token_file", "secret_id_file", "auth", "stage", "version_id"])
def test_pointer_and_ordinary_params_are_allowed(param: str) -> None:
    assert SecretRef.parse(f"vault://secret/x?{param}=v").param(param) == "v"


_segment = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip("/") != "")
_name = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda n: not names_a_credential(n)
)


@given(
    backend=st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    path=_segment,
    params=st.dictionaries(_name, st.text(max_size=8), max_size=3),
    field=st.none() | st.text(min_size=1, max_size=8),
)
def test_any_built_reference_round_trips(
    backend: str, path: str, params: dict[str, str], field: str | None
) -> None:
    try:
        ref = SecretRef(backend, path, tuple(params.items()), field)
    except InvalidReferenceError:  # a path such as ``:@`` reads as credentials: refused
        assume(False)
    assert SecretRef.parse(str(ref)) == ref


@pytest.mark.parametrize("where", ["env://{c}", "vault://secret/app#{c}", "aws://team/{c}/x"])
def test_a_key_pasted_into_the_path_or_field_is_refused_unseen(where: str) -> None:
    canary = make_canary()
    with pytest.raises(InvalidReferenceError, match="looks like a credential") as info:
        SecretRef.parse(where.format(c=canary))
    assert_no_leak(canary, info.value)


@pytest.mark.parametrize(
    "text",
    [
        "vault://secret/risk-assessment-2024-production#api_key",
        "aws://arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/openrouter-AbCdEf",
        "keyring://openrouter-secure/alice@example.com",
        "env://OPENROUTER_API_KEY",
    ],
)
def test_ordinary_paths_and_fields_are_allowed(text: str) -> None:
    assert str(SecretRef.parse(text))


@pytest.mark.parametrize(
    "form", ["a-{p}", "{p}\x00", "\n{p}", "{p} ", "x{p}y", "{p}%2500", "\uff30{p}"]
)
@pytest.mark.parametrize("where", ["param", "path"])
def test_a_held_value_with_affixes_is_refused(form: str, where: str) -> None:
    from urllib.parse import quote

    pw = "P@" + secrets.token_urlsafe(12)
    held = Secret(pw)
    try:
        text = quote(form.format(p=pw), safe="")
        uri = f"env://DB_URL?x={text}" if where == "param" else f"keyring://svc/{text}"
        with pytest.raises(InvalidReferenceError) as info:
            SecretRef.parse(uri)
        assert_no_leak(pw, str(info.value))
    finally:
        held.wipe()


def test_a_value_not_held_is_still_accepted() -> None:
    assert SecretRef.parse("keyring://svc/user?x=plain-name").param("x") == "plain-name"


@pytest.mark.parametrize("scheme", ["vault", "env", "keyring", "aws"])
def test_a_password_in_the_references_own_authority_is_refused_unshown(scheme: str) -> None:
    password = secrets.token_urlsafe(18)
    with pytest.raises(InvalidReferenceError, match="looks like a credential") as info:
        SecretRef.parse(f"{scheme}://admin:{password}@127.0.0.1/secret/openrouter")
    assert_no_leak(password, info.value)


@pytest.mark.parametrize(
    "text",
    [
        "vault://admin@127.0.0.1/secret/openrouter",
        "aws://arn:aws:secretsmanager:us-east-1:123456789012:secret:ops@example.com-AbCdEf",
    ],
)
def test_a_user_name_or_an_arn_with_an_at_sign_is_a_reference(text: str) -> None:
    assert str(SecretRef.parse(text)) == text
