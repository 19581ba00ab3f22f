"""file:// and dotenv://: the provider contract, and the rules on links, owners and modes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openrouter_secure import (
    AccessDeniedError,
    InvalidReferenceError,
    SecretNotFoundError,
    SecretRef,
    UnsafePathError,
    resolve,
)
from openrouter_secure.backends.dotenv import DotenvProvider
from openrouter_secure.backends.file import FileProvider
from openrouter_secure.testing import ProviderContract, assert_no_leak, make_canary

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX modes")


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "secrets"
    directory.mkdir(mode=0o700)
    return directory


def private(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def file_ref(path: Path, field: str | None = None) -> SecretRef:
    return SecretRef.build("file", str(path), field=field)


class TestFileContract(ProviderContract):
    @pytest.fixture
    def provider(self, secrets_dir: Path) -> FileProvider:
        self.dir = secrets_dir
        return FileProvider()

    def new_ref(self, name: str) -> SecretRef:
        return file_ref(self.dir / name)


class TestDotenvContract(ProviderContract):
    """dotenv:// names the variable with ``#NAME``, so the two JSON-``#field`` checks are
    replaced by their dotenv meaning: ``#NAME`` selects one variable of the file."""

    @pytest.fixture
    def provider(self, secrets_dir: Path) -> DotenvProvider:
        self.dir = secrets_dir
        return DotenvProvider()

    def new_ref(self, name: str) -> SecretRef:
        return SecretRef.build("dotenv", str(self.dir / ".env"), field=name.replace("-", "_"))

    def test_field_selects_a_key_from_a_json_secret(self, provider: DotenvProvider) -> None:
        ref, canary = self._unique("one"), make_canary()
        provider.put(ref.with_field("OTHER"), "x")
        provider.put(ref, canary)
        assert provider.get(ref).reveal() == canary
        assert provider.get(ref.with_field("OTHER")).reveal() == "x"

    def test_missing_field_raises_not_found_without_the_value(
        self, provider: DotenvProvider
    ) -> None:
        ref, canary = self._unique("nofield"), make_canary()
        provider.put(ref, canary)
        with pytest.raises(SecretNotFoundError) as info:
            provider.get(ref.with_field("NOPE"))
        assert_no_leak(canary, info.value)


# -- file:// --------------------------------------------------------------------------


def test_file_drops_trailing_line_breaks_only(secrets_dir: Path, canary: str) -> None:
    path = private(secrets_dir / "key", f"  {canary}\r\n\n")
    assert FileProvider().get(file_ref(path)).reveal() == f"  {canary}"


def test_file_resolves_through_the_registry(secrets_dir: Path, canary: str) -> None:
    path = private(secrets_dir / "key", canary)
    assert resolve(f"file://{path}", cache=False).reveal() == canary


def test_file_field_reads_a_json_key(secrets_dir: Path, canary: str) -> None:
    path = private(secrets_dir / "creds.json", f'{{"api_key": "{canary}"}}')
    assert FileProvider().get(file_ref(path, "api_key")).reveal() == canary


def test_file_put_with_field_keeps_the_other_keys(secrets_dir: Path, canary: str) -> None:
    path = private(secrets_dir / "creds.json", '{"user": "me"}')
    FileProvider().put(file_ref(path, "api_key"), canary)
    assert FileProvider().get(file_ref(path, "user")).reveal() == "me"
    assert FileProvider().get(file_ref(path, "api_key")).reveal() == canary


def test_empty_file_counts_as_missing(secrets_dir: Path) -> None:
    path = private(secrets_dir / "key", "\n")
    with pytest.raises(SecretNotFoundError, match="empty"):
        FileProvider().get(file_ref(path))


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o644, 0o660])
def test_file_others_can_access_is_refused(secrets_dir: Path, canary: str, mode: int) -> None:
    path = private(secrets_dir / "key", canary, mode)
    with pytest.raises(AccessDeniedError, match="chmod 600") as info:
        FileProvider().get(file_ref(path))
    assert_no_leak(canary, info.value)


@posix_only
def test_file_in_a_directory_others_can_write_is_refused(tmp_path: Path, canary: str) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    path = private(shared / "key", canary)
    with pytest.raises(AccessDeniedError, match="go-w"):
        FileProvider().get(file_ref(path))


@posix_only
def test_a_sticky_shared_directory_is_allowed(tmp_path: Path, canary: str) -> None:
    # Like /tmp (1777): others may add entries, not replace ours.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    path = private(shared / "key", canary)
    assert FileProvider().get(file_ref(path)).reveal() == canary


def test_link_out_of_the_directory_is_refused(
    tmp_path: Path, secrets_dir: Path, canary: str
) -> None:
    outside = private(tmp_path / "id_ed25519", canary)
    (secrets_dir / "key").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="out of its directory") as info:
        FileProvider().get(file_ref(secrets_dir / "key"))
    assert_no_leak(canary, info.value)


def test_link_through_dotdot_out_of_the_directory_is_refused(
    tmp_path: Path, secrets_dir: Path, canary: str
) -> None:
    private(tmp_path / "other", canary)
    (secrets_dir / "key").symlink_to("../other")
    with pytest.raises(UnsafePathError):
        FileProvider().get(file_ref(secrets_dir / "key"))


def test_kubernetes_style_data_links_inside_the_directory_work(
    secrets_dir: Path, canary: str
) -> None:
    # What a Kubernetes secret volume looks like: KEY -> ..data/KEY, ..data -> ..TIMESTAMP
    stamped = secrets_dir / "..2026_01_01_00_00_00.123"
    stamped.mkdir(mode=0o700)
    private(stamped / "openrouter", canary, 0o400)
    (secrets_dir / "..data").symlink_to(stamped.name)
    (secrets_dir / "openrouter").symlink_to("..data/openrouter")
    assert FileProvider().get(file_ref(secrets_dir / "openrouter")).reveal() == canary


def test_a_linked_directory_itself_is_allowed(tmp_path: Path, secrets_dir: Path) -> None:
    private(secrets_dir / "key", "value-1")
    (tmp_path / "run").symlink_to(secrets_dir)
    assert FileProvider().get(file_ref(tmp_path / "run" / "key")).reveal() == "value-1"


def test_a_directory_is_not_a_secret(secrets_dir: Path) -> None:
    (secrets_dir / "sub").mkdir(mode=0o700)
    with pytest.raises(AccessDeniedError):
        FileProvider().get(file_ref(secrets_dir / "sub"))


def test_a_fifo_is_refused_without_blocking(secrets_dir: Path) -> None:
    os.mkfifo(secrets_dir / "pipe", 0o600)
    with pytest.raises(AccessDeniedError, match="regular file"):
        FileProvider().get(file_ref(secrets_dir / "pipe"))


@posix_only
def test_put_writes_mode_0600_and_tightens_a_loose_file(secrets_dir: Path, canary: str) -> None:
    path = private(secrets_dir / "key", "old", 0o644)
    FileProvider().put(file_ref(path), canary)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text() == canary + "\n"


def test_put_through_a_link_in_the_directory_keeps_the_link(secrets_dir: Path, canary: str) -> None:
    private(secrets_dir / "real", "old")
    (secrets_dir / "key").symlink_to("real")
    FileProvider().put(file_ref(secrets_dir / "key"), canary)
    assert (secrets_dir / "key").is_symlink()
    assert (secrets_dir / "real").read_text() == canary + "\n"


def test_put_through_a_link_out_of_the_directory_is_refused(
    tmp_path: Path, secrets_dir: Path, canary: str
) -> None:
    target = private(tmp_path / "bashrc", "keep")
    (secrets_dir / "key").symlink_to(target)
    with pytest.raises(UnsafePathError):
        FileProvider().put(file_ref(secrets_dir / "key"), canary)
    assert target.read_text() == "keep"


def test_list_names_the_files_of_a_directory_without_values(
    tmp_path: Path, secrets_dir: Path, canary: str
) -> None:
    private(secrets_dir / "a", canary)
    private(secrets_dir / "b", canary)
    private(secrets_dir / ".hidden", canary)
    (secrets_dir / "escape").symlink_to(private(tmp_path / "x", canary))
    entries = FileProvider().list_secrets(SecretRef.build("file", f"{secrets_dir}/"))
    assert [e.ref.path for e in entries] == [str(secrets_dir / "a"), str(secrets_dir / "b")]
    assert_no_leak(canary, *(repr(e) for e in entries))


def test_relative_path_is_relative_to_the_current_directory(
    secrets_dir: Path, monkeypatch: pytest.MonkeyPatch, canary: str
) -> None:
    private(secrets_dir / "key", canary)
    monkeypatch.chdir(secrets_dir.parent)
    assert resolve("file://secrets/key", cache=False).reveal() == canary


# -- dotenv:// -------------------------------------------------------------------------


def test_dotenv_reads_a_variable_literally(secrets_dir: Path, canary: str) -> None:
    env = private(secrets_dir / ".env", f"# keys\nexport OTHER=1\nKEY='{canary}$HOME'\n")
    ref = SecretRef.build("dotenv", str(env), field="KEY")
    assert DotenvProvider().get(ref).reveal() == canary + "$HOME"


def test_dotenv_needs_a_variable_name(secrets_dir: Path) -> None:
    with pytest.raises(InvalidReferenceError, match="#OPENROUTER_API_KEY"):
        DotenvProvider().get(SecretRef.build("dotenv", str(secrets_dir / ".env")))


@posix_only
def test_dotenv_world_readable_file_is_refused(secrets_dir: Path, canary: str) -> None:
    env = private(secrets_dir / ".env", f"KEY={canary}\n", 0o644)
    with pytest.raises(AccessDeniedError, match="chmod 600") as info:
        DotenvProvider().get(SecretRef.build("dotenv", str(env), field="KEY"))
    assert_no_leak(canary, info.value)


def test_dotenv_put_keeps_comments_and_other_lines(secrets_dir: Path) -> None:
    original = "# production\nA=1\n\nexport KEY=old # trailing\nB='two words'\n"
    env = private(secrets_dir / ".env", original)
    value = "sk-'quoted'\\ $x #y\nsecond"
    DotenvProvider().put(SecretRef.build("dotenv", str(env), field="KEY"), value)
    text = env.read_text()
    assert text.startswith("# production\nA=1\n\n")
    assert text.endswith("B='two words'\n")
    assert DotenvProvider().get(SecretRef.build("dotenv", str(env), field="KEY")) == value
    assert DotenvProvider().get(SecretRef.build("dotenv", str(env), field="B")) == "two words"


def test_dotenv_delete_removes_only_that_variable(secrets_dir: Path) -> None:
    env = private(secrets_dir / ".env", "A=1\nKEY=x\nKEY=y\nB=2\n")
    DotenvProvider().delete(SecretRef.build("dotenv", str(env), field="KEY"))
    assert env.read_text() == "A=1\nB=2\n"


def test_dotenv_list_gives_names_not_values(secrets_dir: Path, canary: str) -> None:
    env = private(secrets_dir / ".env", f"B={canary}\nA={canary}\n")
    entries = DotenvProvider().list_secrets(SecretRef.build("dotenv", str(env)))
    assert [e.ref.field for e in entries] == ["A", "B"]
    assert_no_leak(canary, *(repr(e) for e in entries), *(str(e.ref) for e in entries))


def test_relative_dotenv_reference(
    secrets_dir: Path, monkeypatch: pytest.MonkeyPatch, canary: str
) -> None:
    private(secrets_dir / ".env", f"KEY={canary}\n")
    monkeypatch.chdir(secrets_dir)
    assert resolve("dotenv://.env#KEY", cache=False).reveal() == canary


def test_the_dotenv_docs_example_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.docs_examples import run_python_after

    monkeypatch.chdir(tmp_path)
    run_python_after("backends.md", "## `.env` files (`dotenv://`)")
    assert capsys.readouterr().out == "***MASKED***\n"


def test_availability_says_what_each_needs() -> None:
    assert "python-dotenv" in DotenvProvider.availability().reason
    assert FileProvider.availability().available
    assert "mode 0600" in FileProvider.availability().reason
