"""``limits._storage``: one reading of ``storage=`` for RateLimiter and Budget: the
scheme list, the display that hides passwords, the error, the secrets it holds."""

from __future__ import annotations

import pytest

from openrouter_secure import ConfigurationError, Secret, default_sanitizer
from openrouter_secure.limits import Budget, RateLimiter
from openrouter_secure.limits._storage import (
    BUDGET_SCHEMES,
    RATE_LIMIT_SCHEMES,
    display_url,
    resolve_storage,
)
from openrouter_secure.testing import assert_no_leak, make_canary


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("memory://", "memory://"),
        ("redis://:{pw}@127.0.0.1:6379/0?x=1", "redis://***@127.0.0.1:6379/0"),
        ("rediss://user:{pw}@[::1]:6380/1", "rediss://***@[::1]:6380/1"),
        ("redis+unix:///run/redis.sock?password={pw}", "redis+unix:///run/redis.sock"),
        ("unix://:{pw}@/run/redis.sock", "unix://***@/run/redis.sock"),
        (
            "redis+sentinel://:{pw}@h1:26379,h2:26379/primary",
            "redis+sentinel://***@h1:26379,h2:26379/primary",
        ),
        ("redis://:{a}@{b}@host:6379/0", "redis://***@host:6379/0"),  # unencoded @
        # An unencoded / ? or # ends the host part inside the password:
        ("redis://:{a}/{b}@host:6379/0", "redis://***"),
        ("redis://:{a}?{b}@host:6379/0", "redis://***"),
        ("redis://:{a}#{b}@host:6379/0", "redis://***"),
        ("redis://:{pw}", "redis://***"),  # no host at all
        ("redis://[::1", "<unparsable storage URL>"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    password = make_canary("plain")
    real = url.format(pw=password, a=password[:16], b=password[16:])
    assert display_url(real) == shown


def test_unix_sockets_have_one_name_for_both_users() -> None:
    for text in ("unix:///run/redis.sock", "redis+unix:///run/redis.sock"):
        url = resolve_storage(text, what="budget", schemes=BUDGET_SCHEMES)
        assert (url.scheme, url.url) == ("redis+unix", "redis+unix:///run/redis.sock")
        assert url.redis_py_url == "unix:///run/redis.sock"


def test_every_budget_storage_is_a_rate_limit_storage() -> None:
    assert BUDGET_SCHEMES < RATE_LIMIT_SCHEMES


def test_a_budget_refuses_what_only_a_rate_limiter_opens() -> None:
    password = make_canary("plain")
    text = f"redis+sentinel://:{password}@h1:26379/primary"
    assert resolve_storage(text, what="rate-limit", schemes=RATE_LIMIT_SCHEMES)
    with pytest.raises(ConfigurationError) as info:
        resolve_storage(text, what="budget", schemes=BUDGET_SCHEMES)
    assert str(info.value) == (
        "budget storage must be a URL (memory://, redis://, rediss://, redis+unix://) or a "
        "secret reference holding one; got a redis+sentinel:// URL"
    )
    assert_no_leak(password, info.value)


@pytest.mark.parametrize("user", [RateLimiter, Budget])
@pytest.mark.parametrize(
    ("storage", "got"),
    [
        ("localhost:6379", "got text that is neither a URL nor a reference"),
        ("http://cache.example:6379", "got http://, neither a storage scheme nor a registered"),
    ],
)
def test_text_that_is_no_storage_gets_the_one_error(
    user: type[RateLimiter | Budget], storage: str, got: str
) -> None:
    with pytest.raises(ConfigurationError, match="storage must be a URL") as info:
        user("1/minute" if user is RateLimiter else "$1/day", storage=storage)
    assert got in str(info.value)


def test_a_secret_without_a_url_is_refused_without_showing_it() -> None:
    content = make_canary("plain")
    with pytest.raises(ConfigurationError, match="holds no storage URL") as info:
        resolve_storage(Secret(content), what="budget", schemes=BUDGET_SCHEMES)
    assert_no_leak(content, info.value)


def test_a_reference_is_resolved_and_its_password_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    password = make_canary("plain")
    monkeypatch.setenv("ORS_TEST_STORAGE_URL", f"redis://:{password}@127.0.0.1:1/0")
    url = resolve_storage("env://ORS_TEST_STORAGE_URL", what="budget", schemes=BUDGET_SCHEMES)
    assert url.display == "redis://***@127.0.0.1:1/0"
    assert password not in default_sanitizer().sanitize(f"AUTH failed for {password}")


def test_a_query_password_is_held_too() -> None:
    password = make_canary("plain")
    url = resolve_storage(
        f"unix:///run/redis.sock?password={password}", what="budget", schemes=BUDGET_SCHEMES
    )
    assert url.display == "redis+unix:///run/redis.sock"
    assert password not in default_sanitizer().sanitize(f"error near {password}")


def test_both_users_show_a_storage_the_same_way() -> None:
    text = f"redis+unix:///run/redis.sock?password={make_canary('plain')}"
    pytest.importorskip("redis")
    assert Budget("$1/day", storage=text).storage_url == "redis+unix:///run/redis.sock"
    assert RateLimiter("1/minute", storage=text).storage_url == "redis+unix:///run/redis.sock"


STORAGE_USERS = {
    "rate-limit": lambda storage: RateLimiter("5/minute", storage=storage),
    "budget": lambda storage: Budget("$5/day", storage=storage),
}


@pytest.mark.parametrize("wrap", [str, Secret], ids=["text", "secret"])
@pytest.mark.parametrize("user", sorted(STORAGE_USERS))
def test_a_password_that_breaks_the_url_is_refused_without_quoting_it(
    wrap: type, user: str
) -> None:
    # An unencoded "/" (common in base64 passwords) ends the host part early; the
    # storage library would then quote a piece of the password as the "port".
    first, second = make_canary("plain"), make_canary("plain")
    url = f"redis://:{first}/{second}@127.0.0.1:1/0"
    with pytest.raises(ConfigurationError, match="percent-encode") as caught:
        STORAGE_USERS[user](wrap(url))
    assert_no_leak([first[:12], second[:12]], caught.value)


def test_a_port_that_is_no_number_is_not_shown() -> None:
    secret = make_canary("plain")
    assert display_url(f"redis://:x@host:{secret}/0") == "redis://***"
