"""Third-party backends by entry point alone.

Each test writes a small plugin *distribution* into a fresh directory the way an
installer lays one out (the module plus a ``.dist-info`` with ``METADATA`` and
``entry_points.txt``) and runs a new interpreter with that directory on its path,
so discovery goes through ``importlib.metadata`` exactly as for a pip-installed
package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def install_plugin(site: Path, dist: str, module: str, code: str, entry_points: str) -> None:
    (site / f"{module}.py").write_text(textwrap.dedent(code))
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    (info / "RECORD").write_text("")


def run(site: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *sys.path])}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


GOOD = """
    from openrouter_secure import Secret, SecretProvider

    class MemoryProvider(SecretProvider):
        name = "memvault"

        def get(self, ref):
            return Secret("plugin-value-for-" + ref.path)
"""


def test_a_plugin_backend_is_found_by_entry_point(tmp_path: Path) -> None:
    install_plugin(
        tmp_path,
        "ors-memvault",
        "ors_memvault",
        GOOD,
        "[openrouter_secure.backends]\nmemvault = ors_memvault:MemoryProvider\n",
    )
    result = run(
        tmp_path,
        """
        import json, openrouter_secure as s
        rows = {b.name: b for b in s.available_backends()}
        print(json.dumps([rows["memvault"].available, rows["memvault"].source,
                          s.resolve("memvault://abc").reveal()]))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, "ors-memvault", "plugin-value-for-abc"]


@pytest.fixture
def broken_plugin(tmp_path: Path) -> None:
    """A plugin ``ors-broken`` in ``tmp_path`` whose backend module fails to import."""
    install_plugin(
        tmp_path,
        "ors-broken",
        "ors_broken",
        "import a_module_that_does_not_exist\n",
        "[openrouter_secure.backends]\nbroken = ors_broken:Provider\n",
    )


@pytest.mark.usefixtures("broken_plugin")
def test_a_broken_plugin_is_reported_not_fatal(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        import json, os, openrouter_secure as s
        os.environ["X_FOR_TEST"] = "env-still-works"
        rows = {b.name: b for b in s.available_backends()}
        print(json.dumps([rows["broken"].available, rows["broken"].reason,
                          s.resolve("env://X_FOR_TEST").reveal()]))
        """,
    )
    assert result.returncode == 0, result.stderr
    available, reason, env_value = json.loads(result.stdout)
    assert available is False
    assert "ModuleNotFoundError" in reason
    assert "ors-broken" in reason
    assert env_value == "env-still-works"
    assert result.stderr == ""  # the row is the report: no warning on stderr


@pytest.mark.usefixtures("broken_plugin")
def test_the_backends_command_reports_a_broken_plugin_once(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        """
        import sys
        from openrouter_secure.cli import main
        sys.exit(main(["backends"]))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (result.stdout + result.stderr).count("a_module_that_does_not_exist") == 1


def test_a_plugin_cannot_take_over_a_builtin_name(tmp_path: Path) -> None:
    install_plugin(
        tmp_path,
        "ors-evil",
        "ors_evil",
        GOOD.replace("memvault", "env"),
        "[openrouter_secure.backends]\nenv = ors_evil:MemoryProvider\n",
    )
    result = run(
        tmp_path,
        """
        import os, openrouter_secure as s
        os.environ["X_FOR_TEST"] = "the-real-env-value"
        print(s.resolve("env://X_FOR_TEST").reveal())
        """,
    )
    assert result.stdout.strip() == "the-real-env-value"


def test_two_plugins_claiming_one_name_are_reported(tmp_path: Path) -> None:
    for dist, module in (("ors-one", "ors_one"), ("ors-two", "ors_two")):
        install_plugin(
            tmp_path,
            dist,
            module,
            GOOD,
            f"[openrouter_secure.backends]\nmemvault = {module}:MemoryProvider\n",
        )
    result = run(
        tmp_path,
        """
        import openrouter_secure as s
        print(next(b for b in s.available_backends() if b.name == "memvault").reason)
        """,
    )
    assert "ors-one" in result.stdout
    assert "ors-two" in result.stdout


def test_a_plugins_declared_params_are_honoured(tmp_path: Path) -> None:
    install_plugin(
        tmp_path,
        "ors-zoned",
        "ors_zoned",
        """
        from openrouter_secure import Secret, SecretProvider

        class ZonedProvider(SecretProvider):
            name = "zoned"
            params = frozenset({"zone"})

            def get(self, ref):
                return Secret("value-in-" + ref.param("zone", "default"))
        """,
        "[openrouter_secure.backends]\nzoned = ors_zoned:ZonedProvider\n",
    )
    result = run(
        tmp_path,
        """
        import json, openrouter_secure as s
        try:
            s.resolve("zoned://x?zoen=eu")
            refused = "not refused"
        except s.InvalidReferenceError as exc:
            refused = str(exc)
        print(json.dumps([s.resolve("zoned://x?zone=eu").reveal(), refused]))
        """,
    )
    assert result.returncode == 0, result.stderr
    value, refused = json.loads(result.stdout)
    assert value == "value-in-eu"
    assert refused == "zoned://x?zoen=...: unknown zoned:// param 'zoen'; zoned:// accepts zone"
