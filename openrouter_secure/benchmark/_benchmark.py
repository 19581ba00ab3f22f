"""Model benchmarks with privacy mode on by default.

:func:`benchmark_models` sends one prompt to several models through the
:class:`~openrouter_secure.RedactingClient` (streamed, to time the first token) and
reports, per model: latency (mean, p50, p95), time to first token, tokens in and out,
output tokens per second, cost, and errors by type.

**Privacy mode** (the default) governs everything this module returns, logs or saves:
the prompt and each response are replaced by ``"<REDACTED: N chars>"`` and a keyed
fingerprint (HMAC under the machine's fingerprint key, see
:mod:`openrouter_secure._sanitize._fingerprint`), so a result can be matched to a prompt by
someone who holds the prompt, without the result holding it. Errors are recorded by
class name (and HTTP status) only, never by message. ``include_prompts_in_logs=True``
is the caller's explicit consent to keep content: a ``PRIVACY WARNING`` is logged once
per process and content is kept, with secrets still masked by the sanitizer.

Results are saved (``save_results=True``) as JSON, mode 0600, written atomically,
only inside the results directory (:func:`default_results_dir`); see
:mod:`openrouter_secure._files` for the file-name rule.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import logging
import os
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._client._async import AsyncRedactingClient
from .._client._sync import RedactingClient
from .._exceptions import ConfigurationError
from .._files import confined_path, write_confined
from .._refs import SecretRef
from .._sanitize._sanitizer import default_sanitizer
from .._secret import Secret
from . import _report
from ._protocols import AsyncChatClient, ChatClient
from ._run import Recorder, RunResult, run_async, run_sync
from ._stats import ModelStats, summarize

__all__ = [
    "PRIVACY_WARNING",
    "BenchmarkResult",
    "ModelStats",
    "RunResult",
    "abenchmark_models",
    "benchmark_models",
    "default_results_dir",
]

log = logging.getLogger("openrouter_secure.benchmark")

PRIVACY_WARNING = (
    "PRIVACY WARNING: Logging prompt content is enabled. "
    "Prompts may contain sensitive or personal information."
)
RESULTS_DIR_ENV = "OPENROUTER_SECURE_RESULTS_DIR"

_warned = False
_warn_lock = threading.Lock()


def default_results_dir() -> Path:
    """Where results go: ``$OPENROUTER_SECURE_RESULTS_DIR``, else
    ``$XDG_DATA_HOME/openrouter-secure/benchmarks`` (``~/.local/share/...`` when unset)."""
    env = os.environ.get(RESULTS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "openrouter-secure" / "benchmarks"


def _warn_once() -> None:
    global _warned
    with _warn_lock:
        if _warned:
            return
        _warned = True
    log.warning(PRIVACY_WARNING)


@dataclass(frozen=True)
class BenchmarkResult:
    """What :func:`benchmark_models` returns (and saves): per-model stats and every run.

    ``prompt`` is ``"<REDACTED: N chars>"`` in privacy mode; ``prompt_fingerprint``
    lets a holder of the prompt check that this result belongs to it. ``path`` is
    where the result was saved (``None`` when not saved).
    """

    id: str
    created_at: str
    privacy_mode: bool
    prompt: str
    prompt_fingerprint: str
    prompt_chars: int
    models: tuple[ModelStats, ...]
    runs: tuple[RunResult, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the saved file's content)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data.pop("path", None)
        data["models"] = [dataclasses.asdict(m) for m in self.models]
        data["runs"] = [dataclasses.asdict(r) for r in self.runs]
        data["settings"] = dict(self.settings)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BenchmarkResult:
        """Read a saved result back (to re-export or chart it later)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            **{
                **data,
                "models": tuple(ModelStats(**m) for m in data["models"]),
                "runs": tuple(RunResult(**r) for r in data["runs"]),
            },
            path=Path(path),
        )

    def rank(self, by: str = "speed") -> list[ModelStats]:
        """Models best first by ``speed`` (p50 latency), ``cost`` or ``errors`` (rate)."""
        return _report.rank(self.models, by)

    def to_markdown(self, by: str = "speed") -> str:
        return _report.to_markdown(self, by=by)

    def to_csv(self) -> str:
        return _report.to_csv(self)

    def export(
        self,
        name: str,
        *,
        format: str = "md",
        results_dir: str | os.PathLike[str] | None = None,
        by: str = "speed",
    ) -> Path:
        """Write the result as ``md`` (ranked by ``by``), ``csv``, ``json`` or ``png`` to
        ``results_dir/name`` (the format's extension is added when missing).

        ``name`` is a plain file name, confined to the results directory like a saved
        result's (see the module docstring).
        """
        if format not in _report.FORMATS:
            raise ConfigurationError(f"export format must be one of {', '.join(_report.FORMATS)}")
        if not name.endswith("." + format):
            name = f"{name}.{format}"
        data = self.to_json() + "\n" if format == "json" else _report.render(self, format, by=by)
        directory = default_results_dir() if results_dir is None else Path(results_dir)
        return write_confined(directory, name, data)


def _messages(prompt: str | Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """The chat messages for ``prompt`` and the text that privacy mode hides."""
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}], prompt
    messages = [dict(m) for m in prompt]
    if not messages or not all("role" in m and "content" in m for m in messages):
        raise ConfigurationError(
            "prompt must be a string or a non-empty list of {'role', 'content'} messages"
        )
    text = "\n".join(str(m["content"]) for m in messages)
    return messages, text


def _check(models: Iterable[str], runs: int, concurrency: int) -> list[str]:
    names = list(models)
    if not names or not all(isinstance(m, str) and m.strip() for m in names):
        raise ConfigurationError("models must be a non-empty list of model ids")
    if len(set(names)) != len(names):
        raise ConfigurationError("models lists a model twice; use runs= to repeat a model")
    if runs < 1 or concurrency < 1:
        raise ConfigurationError("runs and concurrency must be at least 1")
    return names


def _json_name(name: str) -> str:
    return name if name.endswith(".json") else name + ".json"


def _check_name(results_dir: str | os.PathLike[str] | None, name: str) -> None:
    """Refuse a bad result name before any request is made (and any money spent)."""
    confined_path(default_results_dir() if results_dir is None else results_dir, _json_name(name))


def _finish(
    models: list[str],
    results: list[RunResult],
    text: str,
    rec: Recorder,
    *,
    settings: dict[str, Any],
    save_results: bool,
    results_dir: str | os.PathLike[str] | None,
    name: str | None,
) -> BenchmarkResult:
    now = datetime.now(timezone.utc)
    ordered = tuple(sorted(results, key=lambda r: (models.index(r.model), r.run)))
    result = BenchmarkResult(
        id=secrets.token_hex(8),
        created_at=now.isoformat(timespec="seconds"),
        privacy_mode=not rec.consent,
        prompt=rec.content(text),
        prompt_fingerprint=rec.sanitizer.fingerprint(text),
        prompt_chars=len(text),
        models=tuple(summarize(m, [r for r in ordered if r.model == m]) for m in models),
        runs=ordered,
        settings=settings,
    )
    if not save_results:
        return result
    directory = default_results_dir() if results_dir is None else Path(results_dir)
    file_name = _json_name(name or f"benchmark-{now:%Y%m%dT%H%M%SZ}-{result.id}")
    path = write_confined(directory, file_name, result.to_json() + "\n")
    log.info("benchmark results saved to %s (mode 0600)", path)
    return BenchmarkResult(**{**result.__dict__, "path": path})


def _prepare(
    prompt: str | Sequence[Mapping[str, Any]], include_prompts_in_logs: bool
) -> tuple[list[dict[str, Any]], str, Recorder]:
    if isinstance(prompt, Secret):
        raise ConfigurationError("prompt is a Secret: a benchmark prompt is not a credential")
    messages, text = _messages(prompt)
    if include_prompts_in_logs:
        _warn_once()
    return messages, text, Recorder(default_sanitizer(), include_prompts_in_logs)


def benchmark_models(
    models: Sequence[str],
    prompt: str | Sequence[Mapping[str, Any]],
    *,
    client: ChatClient | None = None,
    runs: int = 1,
    concurrency: int = 4,
    save_results: bool = True,
    results_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
    include_prompts_in_logs: bool = False,
    stream: bool = True,
    api_key: str | SecretRef | Secret = "env://OPENROUTER_API_KEY",
    options: Mapping[str, Any] | None = None,
) -> BenchmarkResult:
    """Run ``prompt`` ``runs`` times against each of ``models``; see the module docstring.

    ``client`` is a :class:`~openrouter_secure.RedactingClient`, or anything that fits
    :class:`~openrouter_secure.benchmark.ChatClient`; when omitted, one is made from
    ``api_key`` (a secret reference or a :class:`~openrouter_secure.Secret`) and closed
    afterwards. ``concurrency`` bounds requests in
    flight. ``options`` go to ``chat()`` (``max_tokens``, ``temperature``...). ``name`` is
    the saved file's name inside ``results_dir`` (a plain file name; anything that could
    leave the directory raises :class:`~openrouter_secure.UnsafePathError`).
    """
    names = _check(models, runs, concurrency)
    messages, text, rec = _prepare(prompt, include_prompts_in_logs)
    if name is not None and save_results:
        _check_name(results_dir, name)
    if inspect.iscoroutinefunction(getattr(client, "chat", None)):
        # mypy refuses this call; without mypy, one clear error beats a coroutine per run.
        raise ConfigurationError("client is asynchronous: use abenchmark_models() with it")
    owned: RedactingClient | None = None
    if client is None:
        client = owned = RedactingClient(api_key=api_key)
    opts = dict(options or {})
    jobs = [(m, r) for r in range(1, runs + 1) for m in names]
    try:
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ors-bench") as pool:
            futures = [
                pool.submit(run_sync, client, model, run, messages, stream, opts, rec)
                for model, run in jobs
            ]
            results = [f.result() for f in futures]
    finally:
        if owned is not None:
            owned.close()
    settings = {"runs": runs, "concurrency": concurrency, "stream": stream}
    return _finish(
        names,
        results,
        text,
        rec,
        settings=settings,
        save_results=save_results,
        results_dir=results_dir,
        name=name,
    )


async def abenchmark_models(
    models: Sequence[str],
    prompt: str | Sequence[Mapping[str, Any]],
    *,
    client: AsyncChatClient | None = None,
    runs: int = 1,
    concurrency: int = 4,
    save_results: bool = True,
    results_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
    include_prompts_in_logs: bool = False,
    stream: bool = True,
    api_key: str | SecretRef | Secret = "env://OPENROUTER_API_KEY",
    options: Mapping[str, Any] | None = None,
) -> BenchmarkResult:
    """Async :func:`benchmark_models` over an :class:`~openrouter_secure.AsyncRedactingClient`
    (or anything that fits :class:`~openrouter_secure.benchmark.AsyncChatClient`).

    The file is written in a worker thread, so the event loop never blocks on disk.
    """
    names = _check(models, runs, concurrency)
    messages, text, rec = _prepare(prompt, include_prompts_in_logs)
    if name is not None and save_results:
        _check_name(results_dir, name)
    if client is not None and not inspect.iscoroutinefunction(getattr(client, "chat", None)):
        raise ConfigurationError("client is synchronous: use benchmark_models() with it")
    owned: AsyncRedactingClient | None = None
    if client is None:
        client = owned = AsyncRedactingClient(api_key=api_key)
    sender = client  # for the closure below, which mypy does not see narrowed
    opts = dict(options or {})
    gate = asyncio.Semaphore(concurrency)

    async def one(model: str, run: int) -> RunResult:
        async with gate:
            return await run_async(sender, model, run, messages, stream, opts, rec)

    tasks = [asyncio.ensure_future(one(m, r)) for r in range(1, runs + 1) for m in names]
    try:
        results = await asyncio.gather(*tasks)
    except BaseException:
        # One run raised (a configuration error) or we were cancelled: stop the others
        # before the client closes under them.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        if owned is not None:
            await owned.aclose()
    settings = {"runs": runs, "concurrency": concurrency, "stream": stream}
    return await asyncio.to_thread(
        _finish,
        names,
        list(results),
        text,
        rec,
        settings=settings,
        save_results=save_results,
        results_dir=results_dir,
        name=name,
    )
