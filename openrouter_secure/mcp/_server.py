"""The ready OpenRouter MCP server: ``create_server`` and what ``openrouter-secure serve`` runs.

Tools (each with a JSON schema for its arguments and a typed, structured result):

- ``chat_with_model``: one completion; the answer, the generation id, tokens and cost;
- ``list_models``: the catalogue, filtered (free, modality, price, context length, text);
- ``get_generation``: cost, tokens, provider and latency of one earlier generation;
- ``track_usage``: the key's usage, limit and remaining credit, and what this client
  spent through this server since it started;
- ``benchmark_models``: latency, throughput and cost of a prompt on several models
  (privacy mode: the result holds no prompt or response text).

Every call goes through the :class:`~openrouter_secure.AsyncRedactingClient` (the key is
resolved from its reference, never seen by the MCP client) and the server is wrapped
with :func:`~openrouter_secure.mcp.secure`, so the tool policy, rate limits, result
sanitizing and the audit log apply to it like to any other server.
"""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from .._client._async import AsyncRedactingClient
from .._client._types import KeyInfo, Model
from .._protocols import AuditSink
from ..benchmark import AsyncChatClient, abenchmark_models
from ..launch._env import ResolvedEnvironment, resolve_environment
from ._secure import guard_of, secure
from ._server_config import ServeSettings, load_settings, rate_limiters
from ._types import ClientIdentity

__all__ = [
    "TOOL_NAMES",
    "ServerClient",
    "build_server",
    "create_server",
    "resolve_own_environment",
]

log = logging.getLogger("openrouter_secure.mcp")

TOOL_NAMES = ("chat_with_model", "list_models", "get_generation", "track_usage", "benchmark_models")
_PER_MTOK = 1_000_000


# -- results ----------------------------------------------------------------------------


class ChatResult(BaseModel):
    """The answer of one completion, and what it cost."""

    model: str = Field(description="The model that answered (OpenRouter may route).")
    content: str = Field(description="The assistant's answer.")
    generation_id: str = Field(description="Pass to get_generation for its final cost.")
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = Field(None, description="USD credits, when OpenRouter reported it.")


class ModelSummary(BaseModel):
    id: str
    name: str
    context_length: int
    prompt_price_per_mtok: float | None = Field(description="USD per million input tokens.")
    completion_price_per_mtok: float | None = Field(description="USD per million output tokens.")
    input_modalities: list[str]
    output_modalities: list[str]
    free: bool


class ModelList(BaseModel):
    models: list[ModelSummary]
    matched: int = Field(description="How many models matched (before the limit).")
    total: int = Field(description="How many models the catalogue holds.")


class GenerationInfo(BaseModel):
    id: str
    model: str
    total_cost: float | None = Field(description="USD credits charged.")
    tokens_prompt: int
    tokens_completion: int
    provider: str | None
    latency_ms: float | None


class SessionUsage(BaseModel):
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0


class UsageReport(BaseModel):
    key_usage: float = Field(description="USD credits the key has used.")
    key_limit: float | None = Field(description="The key's credit limit (None: unlimited).")
    key_limit_remaining: float | None
    key_limit_reset: str | None
    is_free_tier: bool
    session: SessionUsage = Field(description="What this client spent through this server.")


class BenchmarkModel(BaseModel):
    model: str
    runs: int
    ok: int
    error_rate: float
    errors: dict[str, int]
    latency_p50_s: float | None
    latency_p95_s: float | None
    ttft_p50_s: float | None
    tokens_per_second: float | None
    cost_total: float | None


class BenchmarkReport(BaseModel):
    id: str
    privacy_mode: bool
    prompt_fingerprint: str = Field(description="Keyed fingerprint of the prompt (not the text).")
    models: list[BenchmarkModel]
    saved_as: str | None = Field(description="File name in the results directory, if saved.")


# -- the client -------------------------------------------------------------------------


class ServerClient(AsyncChatClient, Protocol):
    """The client the server's tools call: :class:`~openrouter_secure.AsyncRedactingClient`
    fits. ``chat`` and ``generation`` as for a benchmark
    (:class:`~openrouter_secure.benchmark.AsyncChatClient`), plus the catalogue and the
    key's usage, each returning the library's own types (:mod:`openrouter_secure.types`).
    """

    async def models(self) -> Sequence[Model]:
        """``GET /models``: the catalogue ``list_models`` filters."""

    async def key_info(self) -> KeyInfo:
        """``GET /key``: the usage and limit ``track_usage`` reports."""


if TYPE_CHECKING:

    def _fits(client: AsyncRedactingClient) -> ServerClient:
        return client


# -- state ------------------------------------------------------------------------------


@dataclass
class _State:
    settings: ServeSettings
    client: ServerClient | None  # the caller's, or the one built on first use
    owned: AsyncRedactingClient | None  # built here: closed with the server
    usage: dict[str, SessionUsage]

    def get_client(self) -> ServerClient:
        if self.client is None:
            s = self.settings
            self.client = self.owned = AsyncRedactingClient(
                api_key=s.api_key,
                base_url=s.base_url,
                allow_insecure_loopback=s.allow_insecure_loopback,
                app_title=s.app_title,
                app_url=s.app_url,
            )
        return self.client

    async def close(self) -> None:
        owned, self.owned = self.owned, None
        if owned is not None:
            self.client = None
            await owned.aclose()

    def check_model(self, model: str) -> None:
        allowed = self.settings.allowed_models
        if allowed and not any(fnmatch.fnmatchcase(model, p) for p in allowed):
            raise ToolError(
                f"model {model[:100]!r} is not allowed on this server; "
                f"allowed: {', '.join(allowed)}"
            )


def _price(pricing: Mapping[str, Any], key: str) -> float | None:
    # Decimal arithmetic on OpenRouter's decimal strings: float("0.0000008") * 1e6 is
    # 0.7999999999999999, Decimal gives the 0.8 the API means.
    try:
        price = Decimal(str(pricing[key])) * _PER_MTOK
    except (KeyError, ArithmeticError):
        return None
    return float(price) if price.is_finite() else None


def _modalities(raw: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    arch = raw.get("architecture")
    arch = arch if isinstance(arch, Mapping) else {}
    ins, outs = arch.get("input_modalities"), arch.get("output_modalities")
    if isinstance(ins, list) and isinstance(outs, list):
        return [str(m) for m in ins], [str(m) for m in outs]
    modality = str(arch.get("modality") or "text->text")
    left, _, right = modality.partition("->")
    return left.split("+"), (right or "text").split("+")


def _summary(model: Model) -> ModelSummary:
    pricing = model.pricing
    prompt, completion = _price(pricing, "prompt"), _price(pricing, "completion")
    ins, outs = _modalities(model.raw)
    return ModelSummary(
        id=model.id,
        name=model.name,
        context_length=model.context_length,
        prompt_price_per_mtok=prompt,
        completion_price_per_mtok=completion,
        input_modalities=ins,
        output_modalities=outs,
        free=(prompt == 0 and completion == 0) or model.id.endswith(":free"),
    )


def _identity(state_server: MCPServer[Any], ctx: Context[Any, Any] | None) -> ClientIdentity:
    guard = guard_of(state_server)
    assert guard is not None, "build_server() secures the server before any tool runs"
    request = None
    if ctx is not None:
        try:
            request = ctx.request_context
        except ValueError:
            request = None
    return guard.identify(request)


# -- tools ------------------------------------------------------------------------------


def _register(server: MCPServer[Any], state: _State) -> None:
    @server.tool(title="Chat with a model")
    async def chat_with_model(
        model: Annotated[
            str, Field(description="OpenRouter model id, e.g. openai/gpt-4o-mini.", max_length=200)
        ],
        prompt: Annotated[str, Field(description="The user message.", max_length=200_000)],
        ctx: Context[Any, Any],
        system: Annotated[
            str | None, Field(description="An optional system message.", max_length=50_000)
        ] = None,
        max_tokens: Annotated[
            int | None, Field(description="Cap on output tokens (the server caps it too).", ge=1)
        ] = None,
        temperature: Annotated[float | None, Field(ge=0, le=2)] = None,
    ) -> ChatResult:
        """Send one prompt to an OpenRouter model and return its answer, tokens and cost."""
        state.check_model(model)
        messages = [{"role": "system", "content": system}] if system else []
        messages.append({"role": "user", "content": prompt})
        options: dict[str, Any] = {
            "max_tokens": min(max_tokens or state.settings.max_tokens, state.settings.max_tokens)
        }
        if temperature is not None:
            options["temperature"] = temperature
        reply = await state.get_client().chat(model=model, messages=messages, **options)
        usage = reply.usage
        finish = reply.choices[0].finish_reason if reply.choices else None
        result = ChatResult(
            model=reply.model or model,
            content=reply.content,
            generation_id=reply.id,
            finish_reason=finish,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            cost=usage.cost if usage else None,
        )
        spent = state.usage.setdefault(_identity(server, ctx).key, SessionUsage())
        spent.requests += 1
        spent.prompt_tokens += result.prompt_tokens
        spent.completion_tokens += result.completion_tokens
        spent.cost += result.cost or 0.0
        return result

    @server.tool(title="List models")
    async def list_models(
        free: Annotated[bool, Field(description="Only models that cost nothing.")] = False,
        modality: Annotated[
            str | None, Field(description="Required input modality: text, image, audio, file.")
        ] = None,
        max_prompt_price: Annotated[
            float | None, Field(description="Max USD per million input tokens.", ge=0)
        ] = None,
        max_completion_price: Annotated[
            float | None, Field(description="Max USD per million output tokens.", ge=0)
        ] = None,
        min_context_length: Annotated[int | None, Field(ge=0)] = None,
        search: Annotated[
            str | None, Field(description="Text in the id or name.", max_length=100)
        ] = None,
        limit: Annotated[int, Field(ge=1, le=500)] = 50,
    ) -> ModelList:
        """List OpenRouter models, filtered by price, modality and context length."""
        catalogue = [_summary(m) for m in await state.get_client().models()]

        def keep(m: ModelSummary) -> bool:
            if free and not m.free:
                return False
            if modality and modality.lower() not in m.input_modalities:
                return False
            if max_prompt_price is not None and (
                m.prompt_price_per_mtok is None or m.prompt_price_per_mtok > max_prompt_price
            ):
                return False
            if max_completion_price is not None and (
                m.completion_price_per_mtok is None
                or m.completion_price_per_mtok > max_completion_price
            ):
                return False
            if min_context_length is not None and m.context_length < min_context_length:
                return False
            return not search or search.lower() in f"{m.id} {m.name}".lower()

        matched = [m for m in catalogue if keep(m)]
        return ModelList(models=matched[:limit], matched=len(matched), total=len(catalogue))

    @server.tool(title="Get a generation's cost")
    async def get_generation(
        generation_id: Annotated[
            str, Field(description="The id chat_with_model returned.", max_length=200)
        ],
    ) -> GenerationInfo:
        """The cost, tokens, provider and latency of one earlier generation."""
        gen = await state.get_client().generation(generation_id)
        return GenerationInfo(
            id=gen.id,
            model=gen.model,
            total_cost=gen.total_cost,
            tokens_prompt=gen.tokens_prompt,
            tokens_completion=gen.tokens_completion,
            provider=gen.provider_name,
            latency_ms=gen.latency_ms,
        )

    @server.tool(title="Track usage")
    async def track_usage(ctx: Context[Any, Any]) -> UsageReport:
        """The API key's usage, limit and remaining credit, and this client's own spend."""
        info = await state.get_client().key_info()
        return UsageReport(
            key_usage=info.usage,
            key_limit=info.limit,
            key_limit_remaining=info.limit_remaining,
            key_limit_reset=info.limit_reset,
            is_free_tier=info.is_free_tier,
            session=state.usage.get(_identity(server, ctx).key, SessionUsage()),
        )

    _register_benchmark(server, state)


def _register_benchmark(server: MCPServer[Any], state: _State) -> None:
    @server.tool(title="Benchmark models")
    async def benchmark_models(
        models: Annotated[list[str], Field(min_length=1, max_length=8)],
        prompt: Annotated[str, Field(max_length=50_000)],
        runs: Annotated[int, Field(ge=1, le=5)] = 1,
        max_tokens: Annotated[int | None, Field(ge=1)] = None,
        save_as: Annotated[
            str | None,
            Field(description="Save the result under this plain file name.", max_length=128),
        ] = None,
    ) -> BenchmarkReport:
        """Time a prompt on several models: latency, first token, throughput, cost.

        Privacy mode: the result holds a fingerprint of the prompt, never its text."""
        for model in models:
            state.check_model(model)
        cap = state.settings.max_tokens
        result = await abenchmark_models(
            models,
            prompt,
            client=state.get_client(),
            runs=runs,
            concurrency=min(4, len(models)),
            save_results=save_as is not None,
            results_dir=state.settings.results_dir,
            name=save_as,
            options={"max_tokens": min(max_tokens or cap, cap)},
        )
        return BenchmarkReport(
            id=result.id,
            privacy_mode=result.privacy_mode,
            prompt_fingerprint=result.prompt_fingerprint,
            models=[
                BenchmarkModel(
                    model=s.model,
                    runs=s.runs,
                    ok=s.ok,
                    error_rate=s.error_rate,
                    errors=dict(s.errors),
                    latency_p50_s=s.latency_p50,
                    latency_p95_s=s.latency_p95,
                    ttft_p50_s=s.ttft_p50,
                    tokens_per_second=s.tokens_per_second_mean,
                    cost_total=s.cost_total,
                )
                for s in result.models
            ],
            saved_as=result.path.name if result.path is not None else None,
        )


# -- assembly ---------------------------------------------------------------------------

# The secrets resolved into this process's environment at start-up: kept for the
# process's life, so the process-wide sanitizer keeps masking their values.
_OWN_ENVIRONMENT: list[ResolvedEnvironment] = []


def resolve_own_environment() -> list[str]:
    """Replace the ``${secret:REF}`` placeholders in this process's environment by the
    secrets they name, as ``openrouter-secure run`` does for its child; the names of
    the variables filled.

    A host config may pass ``"OPENROUTER_API_KEY": "${secret:keyring://...}"`` in the
    server's ``env`` (what ``doctor --fix`` writes): the host does not resolve it, so the
    server does, before its config reads ``env://OPENROUTER_API_KEY``. A reference that
    cannot be resolved raises its own error type naming the variable and the
    reference, never a value; nothing is changed then.
    """
    resolved = resolve_environment(base=dict(os.environ))
    if not resolved.resolved:
        return []
    filled = resolved.child_env()
    for name in resolved.resolved:
        os.environ[name] = filled[name]
    _OWN_ENVIRONMENT.append(resolved)
    return sorted(resolved.resolved)


def create_server(
    config: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    *,
    client: ServerClient | None = None,
    audit: AuditSink | None = None,
) -> MCPServer[Any]:
    """Build the OpenRouter MCP server, secured, from a config file or mapping.

    ``config`` is a path (loaded with ``load_config``: refused if it holds a key), a
    mapping (checked with ``validate_config``) or ``None`` (defaults: key from
    ``env://OPENROUTER_API_KEY``, every tool allowed, no rate limit). ``client``
    replaces the ``AsyncRedactingClient`` built from the config (it is then not
    closed by the server): any :class:`ServerClient`. ``audit`` replaces the
    ``AuditLog`` the config names: any :class:`~openrouter_secure.mcp.AuditSink`.
    """
    return build_server(load_settings(config), client=client, audit=audit)


def build_server(
    settings: ServeSettings,
    *,
    client: ServerClient | None = None,
    audit: AuditSink | None = None,
) -> MCPServer[Any]:
    """:func:`create_server` from already parsed settings."""
    state = _State(settings, client, owned=None, usage={})

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[dict[str, Any]]:
        try:
            yield {}
        finally:
            await state.close()

    server: MCPServer[Any] = MCPServer(
        settings.name,
        title="OpenRouter (openrouter-secure)",
        instructions=(
            "Tools to query OpenRouter models through a key this server holds. "
            "chat_with_model returns a generation_id; get_generation gives its final cost."
        ),
        lifespan=lifespan,
    )
    _register(server, state)
    if audit is None and settings.audit_log is not None:
        from ..audit._log import AuditLog

        settings.audit_log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        audit = AuditLog(settings.audit_log)
    policy = None
    if settings.policy is None:
        log.warning(
            "no tool policy in the config (mcpServers.%s): every tool is allowed", settings.name
        )
    else:
        from ..config._policy import ToolPolicy

        policy = ToolPolicy.from_config(settings.policy)
        if settings.name not in policy.servers():
            log.warning(
                "the tool policy has no entry mcpServers.%s: every tool is denied", settings.name
            )
    secure(
        server,
        policy=policy,
        limiter=rate_limiters(settings),
        audit=audit,
        log_arguments=settings.log_arguments,
    )
    return server
