from __future__ import annotations

import copy
import json
import logging
import pickle

import pytest

from openrouter_secure import Secret, _known
from openrouter_secure._secret import _BUF, MASK
from openrouter_secure.testing import LeakCheck, assert_no_leak


def test_repr_str_and_format_show_only_the_mask(canary: str) -> None:
    secret = Secret(canary)
    rendered = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>40}",
        "%s" % secret,
    ]
    assert all(MASK in text for text in rendered)
    assert_no_leak(canary, *rendered)


def test_reveal_returns_the_value(canary: str) -> None:
    assert Secret(canary).reveal() == canary


def test_bytes_round_trip() -> None:
    assert Secret(b"\x00\xffbinary-value").reveal_bytes() == b"\x00\xffbinary-value"


def test_binary_secret_reveal_as_text_explains_itself() -> None:
    with pytest.raises(ValueError, match="reveal_bytes"):
        Secret(b"\xff\xfe\xfd-not-utf8").reveal()


def test_logging_a_secret_logs_the_mask(canary: str) -> None:
    with LeakCheck(canary) as leaks:
        logging.getLogger("t").warning("key is %s / %r", Secret(canary), Secret(canary))
    assert MASK in leaks.messages[0]


def test_json_dumps_refuses_without_showing_the_value(canary: str) -> None:
    with pytest.raises(TypeError) as info:
        json.dumps({"key": Secret(canary)})
    assert_no_leak(canary, info.value)


def test_json_dumps_with_default_str_writes_the_mask(canary: str) -> None:
    assert MASK in json.dumps({"key": Secret(canary)}, default=str)


def test_pickle_is_refused(canary: str) -> None:
    with pytest.raises(TypeError, match="cannot be pickled") as info:
        pickle.dumps(Secret(canary))
    assert_no_leak(canary, info.value)


def test_equality_with_secrets_text_and_bytes(canary: str) -> None:
    secret = Secret(canary)
    assert secret == Secret(canary)
    assert secret == canary
    assert secret == canary.encode()
    assert secret != canary + "x"
    assert secret != 42


def test_equality_uses_a_constant_time_compare(
    monkeypatch: pytest.MonkeyPatch, canary: str
) -> None:
    import hmac

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    assert Secret(canary) == canary
    assert calls


def test_secrets_are_unhashable(canary: str) -> None:
    with pytest.raises(TypeError):
        hash(Secret(canary))


def test_wipe_zeroes_the_buffer_and_forbids_reveal(canary: str) -> None:
    secret = Secret(canary)
    buffer = _BUF.__get__(secret)  # the slot's descriptor: the value has no attribute name
    secret.wipe()
    assert set(buffer) <= {0}
    assert secret.wiped
    assert not secret
    with pytest.raises(ValueError, match="wiped"):
        secret.reveal()
    secret.wipe()  # twice is fine


def test_with_block_wipes_on_exit(canary: str) -> None:
    with Secret(canary) as secret:
        assert secret.reveal() == canary
    assert secret.wiped


def test_new_secret_is_registered_and_wipe_unregisters(canary: str) -> None:
    secret = Secret(canary)
    assert canary in _known.known_values()
    secret.wipe()
    assert canary not in _known.known_values()


def test_registry_publishes_version_and_values_together(canary: str) -> None:
    before = _known.current
    secret = Secret(canary)
    after = _known.current
    assert after is not before  # replaced whole, so a cache keyed on it is invalidated
    assert (after.version, canary in after.values) == (before.version + 1, True)
    assert canary not in before.values  # a state, once published, never changes
    secret.wipe()
    assert _known.current.version == after.version + 1
    assert canary not in _known.current.values


def test_registration_is_counted_per_secret(canary: str) -> None:
    first, second = Secret(canary), Secret(canary)
    first.wipe()
    assert canary in _known.known_values()
    second.wipe()
    assert canary not in _known.known_values()


def test_register_false_keeps_the_value_out_of_the_registry(canary: str) -> None:
    Secret(canary, register=False)
    assert canary not in _known.known_values()


def test_short_values_are_not_registered() -> None:
    Secret("abc")
    assert "abc" not in _known.known_values()


def test_copy_is_independent(canary: str) -> None:
    original = Secret(canary)
    duplicate = original.copy()
    original.wipe()
    assert duplicate.reveal() == canary
    assert canary in _known.known_values()


def test_copy_module_returns_the_same_object(canary: str) -> None:
    secret = Secret(canary)
    assert copy.copy(secret) is secret
    assert copy.deepcopy({"k": secret})["k"] is secret


def test_non_text_values_are_refused_with_a_hint(canary: str) -> None:
    with pytest.raises(TypeError, match=r"secret\.copy\(\)"):
        Secret(Secret(canary))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int"):
        Secret(12345678)  # type: ignore[arg-type]


def test_len_is_the_byte_length(canary: str) -> None:
    assert len(Secret(canary)) == len(canary.encode())


@pytest.mark.parametrize(
    "template",
    ["{k._buf}", "{k._registered}", "{k.__slots__}", "{k.__class__.__slots__}", "{k!r}"],
)
def test_format_string_attribute_access_never_reaches_the_value(canary: str, template: str) -> None:
    # ``str.format`` resolves ``{k.attr}`` with getattr: the slot holding the value
    # has no name to look up, and no other attribute holds a copy.
    secret = Secret(canary)
    try:
        out = template.format(k=secret)
    except AttributeError:
        return
    assert_no_leak(canary, out)


def test_no_attribute_of_a_secret_holds_the_value(canary: str) -> None:
    secret = Secret(canary)
    seen = []
    for name in dir(secret):
        try:
            seen.append(repr(getattr(secret, name)))
        except Exception:  # noqa: S112 - a refusing attribute shows nothing
            continue
    assert_no_leak(canary, *seen)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.__getstate__(),
        lambda s: s.__reduce__(),
        lambda s: s.__reduce_ex__(2),
        lambda s: object.__reduce_ex__(s, 2),
        lambda s: copy.copy(s).__reduce_ex__(4),
    ],
)
def test_state_protocols_refuse_with_a_clear_error(canary: str, call: object) -> None:
    secret = Secret(canary)
    with pytest.raises(TypeError, match="store the reference") as info:
        call(secret)  # type: ignore[operator]
    assert_no_leak(canary, info.value)


def test_jsonpickle_never_writes_the_value(canary: str) -> None:
    jsonpickle = pytest.importorskip("jsonpickle")
    secret = Secret(canary)
    for unpicklable in (True, False):
        out = jsonpickle.encode(
            {"key": secret, "nested": [secret]}, unpicklable=unpicklable, keys=True
        )
        assert_no_leak(canary, out)


def test_a_wiped_secret_unregisters_without_keeping_a_copy(canary: str) -> None:
    secret = Secret(canary)
    assert secret._registered is True  # a flag, not the value
    secret.wipe()
    assert canary not in _known.known_values()
