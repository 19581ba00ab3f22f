"""Secret as a pydantic field, and SecretReference resolving on validation, with the real
pydantic and pydantic-settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pytest

from openrouter_secure import Secret
from openrouter_secure.testing import assert_no_leak, make_canary

pydantic = pytest.importorskip("pydantic")
pydantic_settings = pytest.importorskip("pydantic_settings")

from openrouter_secure.integrations.pydantic import (  # noqa: E402
    ResolveReference,
    SecretReference,
)


class Config(pydantic.BaseModel):
    api_key: Secret
    model: str = "openai/gpt-4o-mini"


def test_secret_field_validates_from_str_and_reveals(canary: str) -> None:
    config = Config(api_key=canary)
    assert isinstance(config.api_key, Secret)
    assert config.api_key.reveal() == canary


def test_secret_field_is_masked_in_repr_dump_and_json(canary: str) -> None:
    config = Config(api_key=canary)
    dumped = config.model_dump()
    assert isinstance(dumped["api_key"], Secret)
    assert json.loads(config.model_dump_json())["api_key"] == "***MASKED***"
    assert config.model_dump(mode="json")["api_key"] == "***MASKED***"
    assert_no_leak(canary, repr(config), str(config), repr(dumped), config.model_dump_json())


def test_secret_field_json_schema_is_a_write_only_password() -> None:
    schema = Config.model_json_schema()["properties"]["api_key"]
    assert schema["format"] == "password"
    assert schema["writeOnly"] is True


def test_a_wrongly_typed_secret_is_refused_without_printing_it() -> None:
    pin = 918273645546372819
    with pytest.raises(pydantic.ValidationError) as info:
        Config(api_key=pin)
    assert "takes a string, not int" in str(info.value)
    assert str(pin) not in str(info.value)
    assert str(pin) not in repr(info.value.errors())


def test_secret_field_from_model_validate_json(canary: str) -> None:
    config = Config.model_validate_json(json.dumps({"api_key": canary}))
    assert config.api_key.reveal() == canary


class Settings(pydantic_settings.BaseSettings):
    model_config = pydantic_settings.SettingsConfigDict(env_prefix="ORS_TEST_")
    api_key: SecretReference


def test_reference_resolves_from_pydantic_settings_env(
    monkeypatch: pytest.MonkeyPatch, canary: str
) -> None:
    monkeypatch.setenv("ORS_TEST_REAL_KEY", canary)
    monkeypatch.setenv("ORS_TEST_API_KEY", "env://ORS_TEST_REAL_KEY")
    settings = Settings()
    assert settings.api_key.reveal() == canary
    assert_no_leak(canary, repr(settings), settings.model_dump_json())


def test_reference_resolves_from_a_file_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, canary: str
) -> None:
    secret_file = tmp_path / "key"
    secret_file.write_text(canary)
    secret_file.chmod(0o600)
    monkeypatch.setenv("ORS_TEST_API_KEY", f"file://{secret_file}")
    assert Settings().api_key.reveal() == canary


def test_a_pasted_key_instead_of_a_reference_is_never_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    canary = make_canary()
    monkeypatch.setenv("ORS_TEST_API_KEY", canary)
    with pytest.raises(pydantic.ValidationError) as info:
        Settings()
    assert "not a secret reference" in str(info.value)
    assert_no_leak(canary, str(info.value), repr(info.value.errors()), info.value.json())


def test_an_unresolvable_reference_fails_validation_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ORS_TEST_MISSING", raising=False)
    monkeypatch.setenv("ORS_TEST_API_KEY", "env://ORS_TEST_MISSING")
    with pytest.raises(pydantic.ValidationError, match="env://ORS_TEST_MISSING did not resolve"):
        Settings()


def test_uncached_reference_reads_the_backend_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    class Fresh(pydantic.BaseModel):
        key: Annotated[Secret, ResolveReference(cache=False)]

    monkeypatch.setenv("ORS_TEST_ROTATING", "first")
    assert Fresh(key="env://ORS_TEST_ROTATING").key.reveal() == "first"
    monkeypatch.setenv("ORS_TEST_ROTATING", "second")
    assert Fresh(key="env://ORS_TEST_ROTATING").key.reveal() == "second"


def test_the_docs_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.docs_examples import run_python_after

    canary = make_canary()
    monkeypatch.setenv("MYAPP_API_KEY", "env://MY_OPENROUTER_KEY")
    monkeypatch.setenv("MY_OPENROUTER_KEY", canary)
    run_python_after("integrations.md", "## pydantic")
    out = capsys.readouterr().out
    assert "***MASKED***" in out
    assert "Field required" in out
    assert_no_leak(canary, out)


class WithTimeout(pydantic.BaseModel):
    api_key: Secret
    timeout: int


class Short(pydantic.BaseModel):
    api_key: Secret = pydantic.Field(max_length=10)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda v: WithTimeout(api_key=v), id="other field missing"),
        pytest.param(lambda v: WithTimeout(api_key=v, timeout="soon"), id="other field invalid"),
        pytest.param(
            lambda v: WithTimeout.model_validate_json(json.dumps({"api_key": v})), id="json"
        ),
        pytest.param(lambda v: Short(api_key=v), id="max_length on the Secret field"),
    ],
)
def test_a_model_with_a_secret_never_prints_its_input_in_errors(make: object) -> None:
    password = "Pw" + make_canary()[-20:]
    with pytest.raises(pydantic.ValidationError) as info:
        make(password)  # type: ignore[operator]
    error = info.value
    assert_no_leak(password, str(error), repr(error), repr(error.errors()), error.json())
    assert error.errors()[0]["loc"]
    assert WithTimeout.model_config.get("hide_input_in_errors") is True


def test_a_model_that_sets_hide_input_in_errors_itself_keeps_its_choice() -> None:
    class Debug(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(hide_input_in_errors=False)
        api_key: Secret

    assert Debug.model_config["hide_input_in_errors"] is False


def test_a_type_adapter_with_a_secret_never_prints_its_input() -> None:
    password = "Pw" + make_canary()[-20:]
    with pytest.raises(pydantic.ValidationError) as info:
        pydantic.TypeAdapter(tuple[Secret, int]).validate_python((password, "x"))
    assert_no_leak(password, str(info.value), repr(info.value))


def test_a_model_with_a_secret_still_validates_and_keeps_its_error_types(canary: str) -> None:
    assert WithTimeout(api_key=canary, timeout=3).timeout == 3
    with pytest.raises(pydantic.ValidationError) as info:
        WithTimeout(api_key=canary, timeout="soon")
    (error,) = info.value.errors()
    assert (error["type"], error["loc"]) == ("int_parsing", ("timeout",))
    assert "valid integer" in error["msg"]
    assert_no_leak(canary, repr(info.value.errors()))
