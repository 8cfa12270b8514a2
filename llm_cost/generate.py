"""Deterministic demo OTLP span generator with a ground-truth manifest.

``generate(out_dir, spans, seed)`` writes OTLP JSON lines exactly as the OpenTelemetry
Collector ``file`` exporter does (one ``TracesData`` object per line, some files gzipped)
and, next to them, the truth the dbt marts must reproduce:

    out_dir/spans/part-00000.jsonl[.gz] ...   the span files
    out_dir/truth/calls.csv                   one row per logical provider call
    out_dir/truth/tools.csv                   one row per tool span
    out_dir/truth/manifest.json               counts of everything written

The truth is written from what each run shape *intended* (the tokens it drew, the model
it picked, the attribution it meant), never by re-reading the spans. Runs are generated
one at a time and streamed through a small shuffling delivery buffer, so memory stays
flat from a thousand spans to ten million. Same seed and size -> byte-identical files.

``generate(..., plant={"cost_spike", "runaway_run", "version_step", "budget_breach"})`` adds runs carrying
known cost problems for the analytics models (section "planted problems"); without ``plant`` nothing changes.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import math
import random
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# ----------------------------------------------------------------------------- constants

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WINDOW_START = datetime(2025, 5, 27, tzinfo=UTC)
WINDOW_DAYS = 30
WINDOW_END = WINDOW_START + timedelta(days=WINDOW_DAYS)
WINDOW_START_US = (WINDOW_START - EPOCH) // timedelta(microseconds=1)
WINDOW_US = WINDOW_DAYS * 86_400 * 1_000_000
O3_PRICE_CUT_US = (datetime(2025, 6, 10, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)
AGENT_V2_US = WINDOW_START_US + WINDOW_US // 2  # support_bot v1 -> v2 mid-window

MIN_SPANS = 500
MAX_SPANS = 100_000_000


def parse_span_count(text: str) -> int:
    """A span count for a command line: 1000000, 1_000_000, 1,000,000, 10k or 1M, within the generator's bounds."""
    import argparse

    t = text.strip().replace("_", "").replace(",", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:].lower(), 1)
    try:
        value = int(t[:-1] if mult > 1 else t) * mult
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a span count: {text!r} (e.g. 1000000, 1_000_000 or 1M)") from None
    if not MIN_SPANS <= value <= MAX_SPANS:
        raise argparse.ArgumentTypeError(f"must be from {MIN_SPANS:,} to {MAX_SPANS:,}, got {value:,}")
    return value
SPANS_PER_FILE = 2000
REDELIVERY_RATE = 0.02
LATE_ROOT_RATE = 0.01
UNATTRIBUTED = "(unattributed)"

INTERNAL, CLIENT = 1, 3

CALL_COLUMNS = [
    "run_id", "started_at", "provider", "model", "service_tier",
    "uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
    "output_tokens", "reasoning_tokens", "feature", "tenant_id", "user_id", "conversation_id",
    "agent_name", "agent_span_id", "step", "tool_span_id", "tool_name", "triggers",
    "reported_cost_usd", "input_semantics", "service_name", "is_orphan",
    # extras (not in the brief's list, handy for joins): the span the pipeline keeps
    # (the outermost layer), the other layer of a duplicate pair, the agent version.
    "span_id", "duplicate_span_id", "agent_version",
]
TOOL_COLUMNS = ["tool_span_id", "run_id", "tool_name", "started_at", "status", "parent_span_id"]

# ----------------------------------------------------------------------------- models


@dataclass(frozen=True, slots=True)
class Model:
    provider: str  # canonical provider (truth)
    canonical: str  # canonical model id as in seeds/model_prices.csv (truth)
    request: str  # model name the instrumentation reports as requested
    response: str  # model name the provider answers with ('' = not reported)
    reasoning: bool = False


MODELS: dict[str, Model] = {
    "gpt-4o": Model("openai", "gpt-4o-2024-08-06", "gpt-4o", "gpt-4o-2024-08-06"),
    "gpt-4.1-mini": Model("openai", "gpt-4.1-mini", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
    "o3": Model("openai", "o3", "o3", "o3-2025-04-16", reasoning=True),
    "o4-mini": Model("openai", "o4-mini", "o4-mini", "o4-mini-2025-04-16", reasoning=True),
    "text-embedding-3-small": Model(
        "openai", "text-embedding-3-small", "text-embedding-3-small", "text-embedding-3-small"),
    "claude-sonnet-4": Model(
        "anthropic", "claude-sonnet-4", "claude-sonnet-4-20250514", "claude-sonnet-4-20250514"),
    "claude-3-5-haiku": Model(
        "anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022",
        "claude-3-5-haiku-20241022"),
    "gemini-2.0-flash": Model("gcp.gemini", "gemini-2.0-flash", "models/gemini-2.0-flash", ""),
    "gemini-2.5-pro": Model("gcp.gemini", "gemini-2.5-pro", "models/gemini-2.5-pro", ""),
    "bedrock-claude-3-5-sonnet": Model(
        "aws.bedrock", "claude-3-5-sonnet-20241022", "anthropic.claude-3-5-sonnet-20241022-v2:0", ""),
    "mistral-large": Model("mistral_ai", "mistral-large-2411", "mistral-large-2411", "mistral-large-2411"),
}

# Approximate list prices (USD/1M: input, output, cache read, cache write) used only to make
# billing-batch's self-reported app.llm.cost_usd look plausible; never part of the truth cost.
REPORT_PRICES: dict[str, tuple[float, float, float, float]] = {
    "claude-3-5-haiku": (0.8, 4.0, 0.08, 1.0),
    "bedrock-claude-3-5-sonnet": (3.0, 15.0, 0.3, 3.75),
}

TENANTS: list[tuple[str, int, int]] = [  # tenant id, volume weight, users
    ("acme-corp", 40, 24), ("globex", 22, 12), ("initech", 15, 8),
    ("umbrella", 10, 6), ("hooli", 8, 5), ("stark-industries", 5, 3),
]

SCOPES: dict[str, tuple[str, str]] = {
    "pydantic-ai": ("pydantic-ai", "0.4.2"),
    "oi-langchain": ("openinference.instrumentation.langchain", "0.1.43"),
    "anthropic-sdk": ("com.anthropic.sdk.python", "0.57.1"),
    "traceloop": ("traceloop.tracer", "0.40.14"),
    "ll-openai": ("opentelemetry.instrumentation.openai", "0.40.14"),
    "ll-anthropic": ("opentelemetry.instrumentation.anthropic", "0.40.14"),
    "ll-gemini": ("opentelemetry.instrumentation.google_generativeai", "0.40.14"),
    "ai-v4": ("ai", "4.3.16"),
    "ai-v5": ("ai", "5.0.8"),
    "acme": ("acme.llm", "1.0.0"),
}

SERVICE_VERSIONS = {
    "support-agent": "2.3.1", "research-agent": "1.4.0", "doc-pipeline": "0.9.3",
    "web-chat": "3.12.0", "billing-batch": "2025.5.1", "ticket-triage": "0.2.0",
}

# ----------------------------------------------------------------------------- OTLP attributes


# Each helper returns one OTLP KeyValue already encoded as compact JSON: a span is then
# assembled by string joins, which is several times faster than json-encoding nested dicts.
# Keys are code constants (plain ASCII); values go through the json module's C escaper.
_q = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_encode = json.JSONEncoder(separators=(",", ":")).encode


def S(key: str, value: str) -> str:
    return f'{{"key":"{key}","value":{{"stringValue":{_q(value)}}}}}'


def I(key: str, value: int) -> str:  # noqa: E743 - OTLP intValue is a decimal string
    return f'{{"key":"{key}","value":{{"intValue":"{int(value)}"}}}}'


def D(key: str, value: float) -> str:
    return f'{{"key":"{key}","value":{{"doubleValue":{float(value)!r}}}}}'


def B(key: str, value: bool) -> str:
    return f'{{"key":"{key}","value":{{"boolValue":{"true" if value else "false"}}}}}'


_DAYS: dict[int, str] = {}


def iso_us(us: int) -> str:
    """Unix microseconds -> 2025-06-01T12:00:00.123456Z."""
    secs, frac = divmod(us, 1_000_000)
    day, rem = divmod(secs, 86_400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = (EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
    h, rem = divmod(rem, 3600)
    return f"{prefix}{h:02d}:{rem // 60:02d}:{rem % 60:02d}.{frac:06d}Z"


# ----------------------------------------------------------------------------- run model


@dataclass(slots=True)
class Span:
    span_id: str
    parent_id: str
    name: str
    kind: int
    start: int  # unix microseconds (written as nanoseconds, always a multiple of 1000)
    end: int
    scope: str
    attrs: list[str]
    status: int = 0  # 0 unset, 1 ok, 2 error
    message: str = ""


@dataclass(slots=True)
class Usage:
    uncached: int = 0
    cache_read: int = 0
    cache_write: int = 0  # 5-minute part
    cache_write_1h: int = 0
    output: int = 0  # reasoning included
    reasoning: int = 0

    @property
    def writes(self) -> int:
        return self.cache_write + self.cache_write_1h

    @property
    def inclusive(self) -> int:
        return self.uncached + self.cache_read + self.writes


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a call is attributed to (already resolved: span, ancestors, resource)."""

    feature: str = UNATTRIBUTED
    tenant: str = UNATTRIBUTED
    user: str = ""
    conversation: str = ""
    agent_name: str = ""
    agent_span_id: str = ""
    agent_version: str = ""


@dataclass(slots=True)
class Call:
    span: Span  # outermost layer: started_at, parent and end come from it
    model: Model
    usage: Usage
    ctx: Ctx
    tier: str = "standard"
    semantics: str = "inclusive"
    explicit_step: int | None = None
    tool: Span | None = None
    tool_name: str = ""
    reported: float | None = None
    orphan: bool = False
    inner: Span | None = None  # second layer of the same call
    step: int = 0
    triggers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Tool:
    span: Span
    name: str


@dataclass(slots=True)
class Run:
    trace_id: str
    service: str
    resource: str  # resource key (see Gen.resource)
    spans: list[Span] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)  # span ids never written
    root_parent_blank: bool = False  # write parentSpanId "" on roots instead of omitting it

    def span(self, g: Gen, parent: Span | None, name: str, kind: int, start: int, end: int,
             scope: str, attrs: list[str]) -> Span:
        s = Span(g.span_id(), parent.span_id if parent else "", name, kind, start, end, scope, attrs)
        self.spans.append(s)
        return s

    def tool(self, s: Span, name: str) -> None:
        self.tools.append(Tool(s, name))

    def finalize(self) -> None:
        """Steps (explicit, else position by start among calls of the same agent) and triggers."""
        groups: dict[str, list[Call]] = {}
        for c in self.calls:
            groups.setdefault(c.ctx.agent_span_id, []).append(c)
        for calls in groups.values():
            calls.sort(key=lambda c: c.span.start)
            for i, c in enumerate(calls):
                c.step = i if c.explicit_step is None else c.explicit_step
        for t in self.tools:
            best: Call | None = None
            for c in self.calls:
                if (c.span.parent_id == t.span.parent_id and c.span.end <= t.span.start
                        and (best is None or c.span.end > best.span.end)):
                    best = c
            if best is not None:
                best.triggers.append(t.span.span_id)


# ----------------------------------------------------------------------------- generator state


class FastRandom(random.Random):
    """random.Random with a cheaper randint (one random() call); deterministic all the same."""

    def randint(self, a: int, b: int) -> int:  # type: ignore[override]
        return a + int(self.random() * (b - a + 1))


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.resources: dict[str, str] = {}  # key -> resource JSON
        self.dup_counter = 0
        self._cum: dict[int, list[float]] = {}
        self._tenant_cum: list[int] = []
        total = 0
        for _, w, _ in TENANTS:
            total += w
            self._tenant_cum.append(total)

    def span_id(self) -> str:
        return f"{self.rng.getrandbits(64) | 1 << 60:016x}"

    def trace_id(self) -> str:
        return f"{self.rng.getrandbits(128) | 1 << 124:032x}"

    def hex(self, prefix: str, nbytes: int) -> str:
        return f"{prefix}{self.rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"

    def tenant_user(self) -> tuple[str, str]:
        tenant, _, users = self.rng.choices(TENANTS, cum_weights=self._tenant_cum)[0]
        user = f"{tenant}-user-{int(users * self.rng.random() ** 1.6):03d}"  # a few heavy users
        return tenant, user

    def pick(self, table: Sequence[tuple[str, float]]) -> str:
        """A weighted choice from [(value, weight), ...] (cumulative weights cached per table)."""
        cum = self._cum.get(id(table))
        if cum is None:
            cum = self._cum[id(table)] = list(itertools.accumulate(w for _, w in table))
        return table[bisect.bisect_right(cum, self.rng.random() * cum[-1])][0]

    def resource(self, service: str, **extra: str) -> str:
        key = service + "".join(f"|{k}={v}" for k, v in sorted(extra.items()))
        if key not in self.resources:
            node = service == "web-chat"
            attrs = [S("service.name", service), S("service.version", SERVICE_VERSIONS[service]),
                     S("deployment.environment", "production"),
                     S("telemetry.sdk.language", "nodejs" if node else "python"),
                     S("telemetry.sdk.name", "opentelemetry")]
            attrs += [S(k, v) for k, v in sorted(extra.items())]
            self.resources[key] = '{"attributes":[' + ",".join(attrs) + "]}"
        return key

    # --- timing helpers (microseconds)
    def gap(self) -> int:
        return self.rng.randint(1_000, 12_000)

    def latency(self, out_tokens: int) -> int:
        return 250_000 + out_tokens * self.rng.randint(6_000, 14_000)

    def secret(self, what: str) -> str:
        return f"{what}-SECRET-{self.rng.getrandbits(32):08x}"


# ----------------------------------------------------------------------------- usage helpers


def openai_usage(g: Gen, m: Model, context: int, prev_context: int) -> Usage:
    """OpenAI prompt caching: a 128-token-aligned prefix of >= 1024 tokens seen before."""
    r = g.rng
    cached = 0
    if prev_context >= 1024 and r.random() < 0.8:
        cached = min(prev_context, context - 1) // 128 * 128
    reasoning = r.randint(128, 4000) if m.reasoning else 0
    return Usage(uncached=context - cached, cache_read=cached,
                 output=r.randint(30, 700) + reasoning, reasoning=reasoning)


class AnthropicCache:
    """Anthropic incremental caching over an agent loop: read what was cached, write the rest."""

    def __init__(self, g: Gen, system: int) -> None:
        self.g, self.system, self.cached = g, system, 0

    def usage(self, context: int, one_hour: bool = False) -> Usage:
        r = self.g.rng
        if self.cached == 0:
            prefix = min(self.system, context - 1)
            if r.random() < 0.6:  # system prompt already warm from an earlier run
                read, write = prefix, 0
            else:
                read, write = 0, prefix
        else:
            read = min(self.cached, context - 1)
            write = int((context - read) * r.uniform(0.6, 0.95))
        write = max(0, min(write, context - read - 1))
        self.cached = read + write
        u = Usage(uncached=context - read - write, cache_read=read, output=r.randint(60, 1500))
        if one_hour and write:
            u.cache_write_1h = write if r.random() < 0.5 else write * 2 // 3
            u.cache_write = write - u.cache_write_1h
        else:
            u.cache_write = write
        return u


# ----------------------------------------------------------------------------- shape 1: pydantic-ai

SUPPORT_MODELS = [("gpt-4o", 35), ("gpt-4.1-mini", 35), ("o3", 15), ("o4-mini", 15)]
SUPPORT_TOOLS = [("search_kb", 35), ("get_order_status", 25), ("lookup_account", 20),
                 ("create_ticket", 10), ("deep_research", 10)]


def _pyd_chat(g: Gen, run: Run, parent: Span, t: int, m: Model, u: Usage, step: int | None) -> Span:
    attrs = [S("gen_ai.operation.name", "chat"), S("gen_ai.provider.name", m.provider),
             S("gen_ai.request.model", m.request), S("gen_ai.response.model", m.response),
             S("gen_ai.response.id", g.hex("chatcmpl-", 12)),
             I("gen_ai.usage.input_tokens", u.inclusive), I("gen_ai.usage.output_tokens", u.output),
             S("server.address", "api.openai.com"),
             S("gen_ai.input.messages", g.secret("PROMPT"))]
    if u.cache_read:
        attrs.append(I("gen_ai.usage.cache_read.input_tokens", u.cache_read))
    if u.reasoning:
        attrs.append(I("gen_ai.usage.reasoning.output_tokens", u.reasoning))
    if step is not None:
        attrs.append(I("gen_ai.agent.step", step))
    return run.span(g, parent, f"chat {m.request}", CLIENT, t, t + g.latency(u.output), "pydantic-ai", attrs)


def support_agent(g: Gen, t0: int, model: str | None = None, orphan: bool = False,
                  explicit: bool | None = None, deep: bool = False, version: str | None = None,
                  system_tokens: int | None = None) -> Run:
    """deep: the first tool is deep_research (a tool that calls a model itself).

    version and system_tokens (planted problems only) force the agent version and the system prompt size."""
    r = g.rng
    run = Run(g.trace_id(), "support-agent", g.resource("support-agent"))
    m = MODELS[model or g.pick(SUPPORT_MODELS)]
    tenant, user = g.tenant_user()
    conv = g.hex("conv_", 8)
    version = version or ("v1" if t0 < AGENT_V2_US else "v2")
    if explicit is None:
        explicit = r.random() < 0.4
    root = run.span(g, None, "invoke_agent support_bot", INTERNAL, t0, 0, "pydantic-ai", [
        S("gen_ai.operation.name", "invoke_agent"), S("gen_ai.agent.name", "support_bot"),
        S("gen_ai.agent.version", version), S("app.feature", "support-chat"),
        S("app.tenant_id", tenant), S("app.user_id", user), S("gen_ai.conversation.id", conv),
        S("gen_ai.system_instructions", g.secret("SYSTEM"))])
    if orphan:
        run.dropped.add(root.span_id)
        ctx = Ctx()
    else:
        ctx = Ctx("support-chat", tenant, user, conv, "support_bot", root.span_id, version)

    def tool(t: int, name: str, step: int | None) -> Span:
        attrs = [S("gen_ai.operation.name", "execute_tool"), S("gen_ai.tool.name", name),
                 S("gen_ai.tool.call.id", g.hex("call_", 8)),
                 S("gen_ai.tool.call.arguments", g.secret("ARGS"))]
        if step is not None:
            attrs.append(I("gen_ai.agent.step", step))
        s = run.span(g, root, f"execute_tool {name}", INTERNAL, t, t + r.randint(20_000, 900_000),
                     "pydantic-ai", attrs)
        if r.random() < 0.08:
            s.status, s.message = 2, f"ToolError: {name} timed out"
        run.tool(s, name)
        return s

    t = t0 + g.gap()
    if r.random() < 0.2:  # a tool before the first call: it has no triggering call
        t = tool(t, "load_customer_profile", 0 if explicit else None).end + g.gap()
    system = r.randint(1100, 3500) if system_tokens is None else system_tokens
    context, prev = system + r.randint(40, 400), system if r.random() < 0.5 else 0
    n_calls = r.randint(3 if deep else 2, 8)
    for i in range(n_calls):
        step = i + 1 if explicit else None  # explicit steps are 1-based, positions 0-based
        u = openai_usage(g, m, context, prev)
        s = _pyd_chat(g, run, root, t, m, u, step)
        run.calls.append(Call(s, m, u, ctx, explicit_step=step, orphan=orphan))
        t = s.end + g.gap()
        prev, context = context, context + u.output - u.reasoning
        if i == n_calls - 1:
            break
        for _ in range(1 if r.random() < 0.7 else 2):
            name = "deep_research" if deep and i == 0 else g.pick(SUPPORT_TOOLS)
            if name == "deep_research" and orphan:
                name = "search_kb"  # orphan runs keep calls one level under the missing root
            ts = tool(t, name, step)
            if name == "deep_research":  # the tool calls a model itself: nested cost
                im = MODELS["gpt-4.1-mini"]
                iu = openai_usage(g, im, r.randint(800, 6000), 0)
                inner = _pyd_chat(g, run, ts, ts.start + r.randint(2_000, 40_000), im, iu, None)
                ts.end = inner.end + r.randint(5_000, 200_000)
                run.calls.append(Call(inner, im, iu, ctx, explicit_step=step, tool=ts,
                                      tool_name=name))
            t = ts.end + g.gap()
            context += r.randint(100, 3000)
    root.end = t + g.gap()
    root.attrs += [I("gen_ai.aggregated_usage.input_tokens", sum(c.usage.inclusive for c in run.calls)),
                   I("gen_ai.aggregated_usage.output_tokens", sum(c.usage.output for c in run.calls))]
    return run


# ----------------------------------------------------------------------------- shape 2: OpenInference

RESEARCH_MODELS = [("claude-sonnet-4", 55), ("claude-3-5-haiku", 25), ("gemini-2.0-flash", 20)]
RESEARCH_TOOLS = [("web_search", 45), ("fetch_page", 35), ("arxiv_lookup", 20)]


def research_agent(g: Gen, t0: int, model: str | None = None, dup: bool | None = None) -> Run:
    r = g.rng
    tenant, user = g.tenant_user()
    res_tenant = r.random() < 0.8  # per-tenant deployments carry tenant.id on the resource
    res = g.resource("research-agent", **({"tenant.id": tenant} if res_tenant else {}))
    run = Run(g.trace_id(), "research-agent", res)
    key = model or g.pick(RESEARCH_MODELS)
    m = MODELS[key]
    anthropic = m.provider == "anthropic"
    if dup is None:
        dup = anthropic and r.random() < 0.4
    with_user = r.random() < 0.7
    session = g.hex("sess-", 8)
    root_attrs = [S("openinference.span.kind", "AGENT"), S("agent.name", "research_bot"),
                  S("app.feature", "research-assistant"), S("session.id", session),
                  S("input.value", g.secret("PROMPT"))]
    if with_user:
        root_attrs.append(S("user.id", user))
    root = run.span(g, None, "research_bot", INTERNAL, t0, 0, "oi-langchain", root_attrs)
    ctx = Ctx("research-assistant", tenant if res_tenant else UNATTRIBUTED, user if with_user else "",
              session, "research_bot", root.span_id, SERVICE_VERSIONS["research-agent"])

    # retrieval: CHAIN -> EMBEDDING call + RETRIEVER
    t = t0 + g.gap()
    chain = run.span(g, root, "retrieve_context", INTERNAL, t, 0, "oi-langchain",
                     [S("openinference.span.kind", "CHAIN")])
    q = r.randint(8, 120)
    e0 = t + r.randint(500, 3_000)
    emb = run.span(g, chain, "OpenAIEmbeddings", CLIENT, e0, e0 + r.randint(40_000, 250_000),
                   "oi-langchain", [
                       S("openinference.span.kind", "EMBEDDING"),
                       S("embedding.model_name", "text-embedding-3-small"), S("llm.provider", "openai"),
                       I("llm.token_count.prompt", q), I("llm.token_count.total", q)])
    run.calls.append(Call(emb, MODELS["text-embedding-3-small"], Usage(uncached=q), ctx))
    rt = emb.end + g.gap()
    retr = run.span(g, chain, "VectorStoreRetriever", INTERNAL, rt, rt + r.randint(5_000, 80_000),
                    "oi-langchain", [S("openinference.span.kind", "RETRIEVER")])
    chain.end = retr.end + g.gap()
    t = chain.end + g.gap()

    cache = AnthropicCache(g, r.randint(2500, 6000))
    context = cache.system + r.randint(800, 5000)
    n_llm = r.randint(2, 5)
    for i in range(n_llm):
        u = cache.usage(context) if anthropic else Usage(uncached=context, output=r.randint(60, 1200))
        attrs = [S("openinference.span.kind", "LLM"), S("llm.model_name", m.request),
                 S("llm.provider", "anthropic" if anthropic else "google"),
                 I("llm.token_count.prompt", u.inclusive), I("llm.token_count.completion", u.output),
                 I("llm.token_count.total", u.inclusive + u.output),
                 S("llm.invocation_parameters", '{"max_tokens":4096,"temperature":0.2}'),
                 S("llm.input_messages.0.message.content", g.secret("PROMPT")),
                 S("output.value", g.secret("RESPONSE"))]
        if anthropic:
            attrs += [S("llm.system", "anthropic"),
                      I("llm.token_count.prompt_details.cache_read", u.cache_read),
                      I("llm.token_count.prompt_details.cache_write", u.writes)]
        name = "ChatAnthropic" if anthropic else "ChatGoogleGenerativeAI"
        llm = run.span(g, root, name, INTERNAL, t, t + g.latency(u.output) + 20_000, "oi-langchain", attrs)
        call = Call(llm, m, u, ctx)
        run.calls.append(call)
        if dup:
            call.inner = _anthropic_sdk_layer(g, run, root, llm, m, u)
        t = llm.end + g.gap()
        context += u.output
        if i == n_llm - 1:
            break
        for _ in range(1 if r.random() < 0.75 else 2):
            tname = g.pick(RESEARCH_TOOLS)
            ts = run.span(g, root, tname, INTERNAL, t, t + r.randint(50_000, 3_000_000), "oi-langchain",
                          [S("openinference.span.kind", "TOOL"), S("tool.name", tname),
                           S("input.value", g.secret("ARGS"))])
            if r.random() < 0.08:
                ts.status, ts.message = 2, "HTTPError: 503"
            run.tool(ts, tname)
            t = ts.end + g.gap()
            context += r.randint(300, 4000)
    root.end = t + g.gap()
    return run


def _anthropic_sdk_layer(g: Gen, run: Run, root: Span, llm: Span, m: Model, u: Usage) -> Span:
    """The Anthropic SDK's own span for the same call: child or side-by-side sibling."""
    n = g.dup_counter
    g.dup_counter += 1
    rid = g.hex("msg_01", 11)
    if n % 2 == 1:  # half of the pairs share a response id
        llm.attrs.append(S("gen_ai.response.id", rid))
    parent = llm if (n // 2) % 2 == 0 else root
    start = llm.start + g.rng.randint(300, 5_000)
    end = llm.end - g.rng.randint(300, 5_000)
    return run.span(g, parent, "anthropic.messages.create", CLIENT, start, end, "anthropic-sdk", [
        S("gen_ai.operation.name", "chat"), S("gen_ai.provider.name", "anthropic"),
        S("gen_ai.request.model", m.request), S("gen_ai.response.model", m.response),
        S("gen_ai.response.id", rid), I("gen_ai.usage.input_tokens", u.inclusive),
        I("gen_ai.usage.cache_read.input_tokens", u.cache_read),
        I("gen_ai.usage.cache_creation.input_tokens", u.writes),
        I("gen_ai.usage.output_tokens", u.output), S("server.address", "api.anthropic.com")])


# ----------------------------------------------------------------------------- shape 3: OpenLLMetry

DOC_MODELS = [("gpt-4.1-mini", 30), ("gpt-4o", 20), ("o3", 15), ("o4-mini", 10),
              ("claude-sonnet-4", 15), ("claude-3-5-haiku", 10)]


def _ll_call(g: Gen, run: Run, parent: Span, t: int, m: Model, u: Usage, tier: str = "") -> Span:
    """An OpenLLMetry provider span (openai / anthropic / gemini instrumentation)."""
    attrs = [S("llm.request.type", "chat"), S("gen_ai.request.model", m.request),
             I("gen_ai.usage.prompt_tokens", u.inclusive), I("gen_ai.usage.completion_tokens", u.output),
             I("llm.usage.total_tokens", u.inclusive + u.output), B("llm.is_streaming", False),
             D("gen_ai.request.temperature", 0.2), S("gen_ai.prompt.0.content", g.secret("PROMPT")),
             S("gen_ai.completion.0.content", g.secret("RESPONSE"))]
    if m.response:
        attrs += [S("gen_ai.response.model", m.response)]
    if m.provider == "openai":
        name, scope = "openai.chat", "ll-openai"
        attrs += [S("gen_ai.system", "openai"), S("gen_ai.response.id", g.hex("chatcmpl-", 12)),
                  S("gen_ai.openai.response.service_tier", tier or "default")]
        if u.cache_read:
            attrs.append(I("gen_ai.usage.cache_read_input_tokens", u.cache_read))
        if u.reasoning:
            attrs.append(I("gen_ai.usage.reasoning_tokens", u.reasoning))
    elif m.provider == "anthropic":
        name, scope = "anthropic.chat", "ll-anthropic"
        attrs += [S("gen_ai.system", "Anthropic"), S("gen_ai.response.id", g.hex("msg_01", 11)),
                  I("gen_ai.usage.cache_read_input_tokens", u.cache_read),
                  I("gen_ai.usage.cache_creation_input_tokens", u.writes)]
        if u.cache_write_1h:
            attrs.append(I("gen_ai.usage.cache_creation.ephemeral_1h_input_tokens", u.cache_write_1h))
    else:
        name, scope = "gemini.generate_content", "ll-gemini"
        attrs.append(S("gen_ai.system", "gemini"))
    return run.span(g, parent, name, CLIENT, t, t + g.latency(u.output), scope, attrs)


def doc_pipeline(g: Gen, t0: int, model: str | None = None, special: str = "") -> Run:
    """special: '' | 'gemini-250k' | 'gemini-200k' | 'cache-1h' | 'o3-flex'."""
    r = g.rng
    run = Run(g.trace_id(), "doc-pipeline", g.resource("doc-pipeline"))
    tenant, user = g.tenant_user()
    with_user = r.random() < 0.8
    root_attrs = [S("traceloop.span.kind", "workflow"), S("traceloop.entity.name", "summarize_document"),
                  S("traceloop.workflow.name", "summarize_document"), S("app.feature", "doc-summarizer"),
                  S("cost.org_id", tenant), S("traceloop.entity.input", g.secret("DOC"))]
    if with_user:
        root_attrs.append(S("enduser.id", user))
    root = run.span(g, None, "summarize_document.workflow", INTERNAL, t0, 0, "traceloop", root_attrs)
    ctx = Ctx("doc-summarizer", tenant, user if with_user else "")
    version = SERVICE_VERSIONS["doc-pipeline"]

    def task(parent: Span, name: str, t: int, kind: str = "task") -> Span:
        return run.span(g, parent, f"{name}.{kind}", INTERNAL, t, 0, "traceloop", [
            S("traceloop.span.kind", kind), S("traceloop.entity.name", name),
            S("traceloop.workflow.name", "summarize_document")])

    t = t0 + g.gap()
    if special.startswith("gemini"):
        m = MODELS["gemini-2.5-pro"]
        u = Usage(uncached=250_000 if special == "gemini-250k" else 200_000, output=r.randint(1500, 4000))
        tk = task(root, "summarize_whole_document", t)
        c = _ll_call(g, run, tk, tk.start + g.gap(), m, u)
        run.calls.append(Call(c, m, u, ctx))
        tk.end = c.end + g.gap()
        root.end = tk.end + g.gap()
        return run

    key = model or ("o3" if special == "o3-flex" else "claude-sonnet-4" if special == "cache-1h"
                    else g.pick(DOC_MODELS))
    m = MODELS[key]
    flex = m.canonical == "o3" and (special == "o3-flex" or r.random() < 0.4)
    one_hour = m.canonical == "claude-sonnet-4" and (special == "cache-1h" or r.random() < 0.1)
    tier = "flex" if flex else ""
    cache = AnthropicCache(g, r.randint(1500, 4000))
    doc_prefix = r.randint(1100, 2500)

    def usage(context: int) -> Usage:
        if m.provider == "anthropic":  # chunks share only the system prompt's cache
            cache.cached = min(cache.cached, cache.system)
            return cache.usage(context, one_hour)
        return openai_usage(g, m, context, doc_prefix if r.random() < 0.6 else 0)

    def add(parent: Span, t: int, context: int, c_ctx: Ctx) -> Span:
        u = usage(context)
        s = _ll_call(g, run, parent, t, m, u, tier)
        run.calls.append(Call(s, m, u, c_ctx, tier="flex" if flex else "standard"))
        return s

    tk = task(root, "extract_text", t)
    tk.end = t + r.randint(20_000, 400_000)
    t = tk.end + g.gap()
    # embeddings of the chunks
    tk = task(root, "index_chunks", t)
    em = MODELS["text-embedding-3-small"]
    n_tok = r.randint(500, 20_000)
    es = run.span(g, tk, "openai.embeddings", CLIENT, t + g.gap(), 0, "ll-openai", [
        S("llm.request.type", "embedding"), S("gen_ai.system", "openai"),
        S("gen_ai.request.model", em.request), S("gen_ai.response.model", em.response),
        I("gen_ai.usage.prompt_tokens", n_tok), I("llm.usage.total_tokens", n_tok)])
    es.end = es.start + r.randint(50_000, 600_000)
    run.calls.append(Call(es, em, Usage(uncached=n_tok), ctx))
    tk.end = es.end + g.gap()
    t = tk.end + g.gap()
    for _ in range(r.randint(1, 4)):
        tk = task(root, "summarize_chunk", t)
        s = add(tk, t + g.gap(), doc_prefix + r.randint(500, 6000), ctx)
        tk.end = s.end + g.gap()
        t = tk.end + g.gap()
    if r.random() < 0.35 or special == "cache-1h":  # a reviewer agent with a tool between calls
        ag = task(root, "reviewer", t, kind="agent")
        a_ctx = Ctx(ctx.feature, ctx.tenant, ctx.user, "", "reviewer", ag.span_id, version)
        at = t + g.gap()
        context = doc_prefix + r.randint(500, 3000)
        for i in range(r.randint(2, 3)):
            s = add(ag, at, context, a_ctx)
            at = s.end + g.gap()
            context += 800
            if i == 0 or r.random() < 0.5:
                tl = task(ag, "lookup_glossary", at, kind="tool")
                tl.end = at + r.randint(5_000, 200_000)
                if r.random() < 0.08:
                    tl.status, tl.message = 2, "KeyError: term"
                run.tool(tl, "lookup_glossary")
                at = tl.end + g.gap()
        ag.end = at
        t = at + g.gap()
    tk = task(root, "combine_summaries", t)
    s = add(tk, t + g.gap(), doc_prefix + r.randint(1000, 4000), ctx)
    tk.end = s.end + g.gap()
    root.end = tk.end + g.gap()
    return run


# ----------------------------------------------------------------------------- shape 4: Vercel AI SDK

WEB_MODELS = [("gpt-4o", 40), ("gpt-4.1-mini", 40), ("o4-mini", 20)]
WEB_TOOLS = [("getWeather", 30), ("searchDocs", 40), ("runCode", 30)]


def web_chat(g: Gen, t0: int, orphan: bool = False, v5: bool | None = None, feature: str = "") -> Run:
    r = g.rng
    run = Run(g.trace_id(), "web-chat", g.resource("web-chat", **{"app.feature": "web-chat"}))
    run.root_parent_blank = True
    if v5 is None:
        v5 = r.random() < 0.5
    scope = "ai-v5" if v5 else "ai-v4"
    k_in, k_out = ("ai.usage.inputTokens", "ai.usage.outputTokens") if v5 else (
        "ai.usage.promptTokens", "ai.usage.completionTokens")
    g_in, g_out = ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens") if v5 else (
        "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens")
    m = MODELS[g.pick(WEB_MODELS)]
    provider = "openai.responses" if v5 and r.random() < 0.5 else "openai.chat"
    tenant, user = g.tenant_user()
    feature = feature or ("code-review" if r.random() < 0.25 else "web-chat")
    fn = "chat-endpoint"
    root = run.span(g, None, "ai.generateText", INTERNAL, t0, 0, scope, [
        S("operation.name", f"ai.generateText {fn}"), S("ai.operationId", "ai.generateText"),
        S("ai.model.id", m.request), S("ai.model.provider", provider), S("ai.telemetry.functionId", fn),
        S("ai.telemetry.metadata.sessionId", g.hex("s_", 6)), S("ai.telemetry.metadata.plan", "pro"),
        I("ai.settings.maxSteps", 5), S("app.feature", feature), S("app.tenant_id", tenant),
        S("user.id", user), S("ai.prompt", '{"prompt":"' + g.secret("PROMPT") + '"}')])
    if orphan:
        run.dropped.add(root.span_id)
        ctx = Ctx(feature="web-chat")  # only the resource's app.feature is left
    else:
        ctx = Ctx(feature, tenant, user)
    t = t0 + g.gap()
    context = r.randint(300, 2500)
    prev = 0
    n = r.randint(1, 4)
    for i in range(n):
        u = openai_usage(g, m, context, prev)
        if not v5:  # AI SDK 4 reports neither cached nor reasoning tokens
            u = Usage(uncached=u.inclusive, output=u.output)
        rid = g.hex("chatcmpl-", 12)
        # the SDK also copies its provider id ("openai.chat") into gen_ai.system, and its usage
        # into gen_ai.usage.* (prompt/completion names in v4, input/output in v5)
        attrs = [S("operation.name", f"ai.generateText.doGenerate {fn}"),
                 S("ai.operationId", "ai.generateText.doGenerate"), S("ai.model.id", m.request),
                 S("ai.model.provider", provider), S("ai.response.model", m.response),
                 S("ai.response.id", rid),
                 S("ai.response.finishReason", "stop" if i == n - 1 else "tool-calls"),
                 I(k_in, u.inclusive), I(k_out, u.output),
                 S("gen_ai.system", provider), S("gen_ai.request.model", m.request),
                 S("gen_ai.response.model", m.response), S("gen_ai.response.id", rid),
                 I(g_in, u.inclusive), I(g_out, u.output),
                 S("ai.prompt.messages", g.secret("PROMPT")), S("ai.response.text", g.secret("RESPONSE"))]
        if v5:
            attrs += [I("ai.usage.totalTokens", u.inclusive + u.output),
                      I("ai.usage.cachedInputTokens", u.cache_read)]
            if m.reasoning:
                attrs.append(I("ai.usage.reasoningTokens", u.reasoning))
        s = run.span(g, root, "ai.generateText.doGenerate", CLIENT, t, t + g.latency(u.output), scope, attrs)
        run.calls.append(Call(s, m, u, ctx, orphan=orphan))
        t = s.end + g.gap()
        prev, context = context, context + u.output - u.reasoning
        if i == n - 1:
            break
        for _ in range(1 if r.random() < 0.7 else 2):
            name = g.pick(WEB_TOOLS)
            ts = run.span(g, root, "ai.toolCall", INTERNAL, t, t + r.randint(10_000, 1_500_000), scope, [
                S("operation.name", f"ai.toolCall {fn}"), S("ai.operationId", "ai.toolCall"),
                S("ai.toolCall.name", name), S("ai.toolCall.id", g.hex("call_", 8)),
                S("ai.toolCall.args", g.secret("ARGS"))])
            if r.random() < 0.08:
                ts.status, ts.message = 2, "ToolExecutionError"
            run.tool(ts, name)
            t = ts.end + g.gap()
            context += r.randint(50, 2000)
    root.end = t + g.gap()
    root.attrs += [I(k_in, sum(c.usage.inclusive for c in run.calls)),
                   I(k_out, sum(c.usage.output for c in run.calls)),
                   S("ai.response.text", g.secret("RESPONSE"))]
    return run


# ----------------------------------------------------------------------------- shape 5: hand-written


def billing_batch(g: Gen, t0: int, low_cache: bool = False, batch: bool | None = None,
                  bedrock: bool | None = None) -> Run:
    """Anthropic's exclusive input_tokens copied onto gen_ai.usage.input_tokens (configured exclusive)."""
    r = g.rng
    run = Run(g.trace_id(), "billing-batch", g.resource("billing-batch"))
    if bedrock is None:
        bedrock = not low_cache and not batch and r.random() < 0.25
    key = "bedrock-claude-3-5-sonnet" if bedrock else "claude-3-5-haiku"
    m = MODELS[key]
    if batch is None:
        batch = not bedrock and r.random() < 0.5
    root = run.span(g, None, "invoice_batch.run", INTERNAL, t0, 0, "acme",
                    [S("job.id", g.hex("job-", 4)), S("job.kind", "invoice-explanations")])
    t = t0 + g.gap()
    system = r.randint(3000, 8000)
    warm = False
    for _ in range(r.randint(3, 12)):
        tenant, user = g.tenant_user()
        uncached = r.randint(150, 1500)
        if bedrock:
            read = write = 0
        elif low_cache or r.random() < 0.1:  # cache read + write <= input: only the var says exclusive
            uncached, read, write = r.randint(3000, 9000), (r.choice([0, 1024, 2048])), 0
        elif warm:
            read, write = system, r.randint(0, 120)
        else:
            read, write, warm = 0, system, True
        u = Usage(uncached=uncached, cache_read=read, cache_write=write, output=r.randint(80, 900))
        p_in, p_out, p_read, p_write = REPORT_PRICES[key]
        cost = (u.uncached * p_in + u.output * p_out + read * p_read + write * p_write) / 1e6
        reported = round(cost * (0.5 if batch else 1.0) * r.uniform(0.97, 1.03), 8)
        attrs = [S("gen_ai.operation.name", "chat"), S("gen_ai.system", m.provider),
                 S("gen_ai.request.model", m.request), I("gen_ai.usage.input_tokens", u.uncached),
                 I("gen_ai.usage.output_tokens", u.output),
                 I("gen_ai.usage.cache_read_input_tokens", read),
                 I("gen_ai.usage.cache_creation_input_tokens", write),
                 D("app.llm.cost_usd", reported), S("cost.feature", "billing-batch"),
                 S("cost.org_id", tenant), S("cost.user_id", user)]
        if batch:
            attrs.append(S("gen_ai.request.service_tier", "batch"))
        s = run.span(g, root, "llm.call", CLIENT, t, t + g.latency(u.output), "acme", attrs)
        run.calls.append(Call(s, m, u, Ctx("billing-batch", tenant, user),
                              tier="batch" if batch else "standard",
                              semantics="exclusive_configured", reported=reported))
        t = s.end + g.gap()
    root.end = t + g.gap()
    return run


def ticket_triage(g: Gen, t0: int, variant: str) -> Run:
    """Hand-written spans: 'mistral' (no price), 'no-provider', 'exclusive' (inferred exclusive)."""
    r = g.rng
    run = Run(g.trace_id(), "ticket-triage", g.resource("ticket-triage"))
    tenant, user = g.tenant_user()
    root = run.span(g, None, "triage_ticket", INTERNAL, t0, 0, "acme", [
        S("app.feature", "support-chat"), S("app.tenant_id", tenant), S("app.user_id", user)])
    ctx = Ctx("support-chat", tenant, user)
    m = MODELS[{"mistral": "mistral-large", "no-provider": "gpt-4.1-mini",
                "exclusive": "claude-3-5-haiku"}[variant]]
    t = t0 + g.gap()
    for _ in range(1 if variant == "no-provider" else r.randint(1, 3)):
        semantics = "inclusive"
        if variant == "exclusive":  # exclusive numbers where cache read + write > input
            u = Usage(uncached=r.randint(50, 900), cache_read=r.randint(2000, 5000),
                      cache_write=r.randint(0, 300), output=r.randint(50, 400))
            semantics = "exclusive_inferred"
            input_tokens = u.uncached
        else:
            u = Usage(uncached=r.randint(200, 4000), output=r.randint(50, 600))
            input_tokens = u.inclusive
        attrs = [S("gen_ai.operation.name", "chat"), S("gen_ai.request.model", m.request),
                 I("gen_ai.usage.input_tokens", input_tokens), I("gen_ai.usage.output_tokens", u.output)]
        if variant != "no-provider":
            attrs += [S("gen_ai.system", m.provider), S("gen_ai.response.model", m.response)]
        if variant == "exclusive":
            attrs += [I("gen_ai.usage.cache_read_input_tokens", u.cache_read),
                      I("gen_ai.usage.cache_creation_input_tokens", u.cache_write)]
        s = run.span(g, root, f"chat {m.request}", CLIENT, t, t + g.latency(u.output), "acme", attrs)
        run.calls.append(Call(s, m, u, ctx, semantics=semantics))
        t = s.end + g.gap()
    root.end = t + g.gap()
    return run


# ----------------------------------------------------------------------------- planted problems

# generate(..., plant={...}) adds runs that carry one known cost problem each, for the analytics models in
# python_models/ to find. Planted runs come from a random stream of their own, after the regular runs, so the
# default output (no plant) stays byte-identical; their calls go to the truth files like any other, and
# manifest.json gets a "planted" entry saying what was planted where.
PLANTS = ("cost_spike", "runaway_run", "version_step", "budget_breach")
DAY_US = 86_400 * 1_000_000
SPIKE_DAY = 22  # window day 22 = 2025-06-18: doc-summarizer for initech spends ~$3.6 instead of cents
RUNAWAY_DAY = 16  # 2025-06-12: a support_bot run loops for 36 steps after a tool pulls in a big document
RUNAWAY_STEPS, RUNAWAY_JUMP_STEP, RUNAWAY_DOC_TOKENS = 36, 5, 60_000
VERSION_STEP_DAY = 20  # 2025-06-16 on: support_bot v3 runs on gpt-4o only, with a 30k-token system prompt
VERSION_STEP_RUNS, VERSION_STEP_SYSTEM_TOKENS = 40, 30_000
BUDGET_DAYS = range(23, 30)  # 2025-06-19 .. 2025-06-25: umbrella's research spend jumps to ~$2.7 a day
BUDGET_CALL_DAY = 24  # 2025-06-20: and one call costs ~$1.41 (150k in, 64k out on claude-sonnet-4)


def window_time(day: int, hour: float) -> int:
    """Unix microseconds of window day `day` (0 = WINDOW_START) at `hour` UTC."""
    return WINDOW_START_US + day * DAY_US + int(hour * 3_600_000_000)


class PlantGen(Gen):
    """A generator on a random stream of its own that shares the main one's resources (the delivery reads
    them from there) and can pin the tenant of the runs it makes."""

    def __init__(self, rng: random.Random, main: Gen) -> None:
        super().__init__(rng)
        self.resources = main.resources
        self.tenant: str | None = None

    def tenant_user(self) -> tuple[str, str]:
        tenant, user = super().tenant_user()
        return (tenant, user) if self.tenant is None else (self.tenant, f"{self.tenant}-user-000")


def planted_calls(g: Gen, t0: int, service: str, feature: str, tenant: str, model: str,
                  calls: list[tuple[int, int]]) -> Run:
    """Hand-written spans (OTel GenAI names): a job root carrying feature and tenant, one chat span per
    (input tokens, output tokens), no cache - said as zero cache counts, so the pricing knows none was billed."""
    run = Run(g.trace_id(), service, g.resource(service))
    user = f"{tenant}-user-000"
    root = run.span(g, None, "planted_job", INTERNAL, t0, 0, "acme", [
        S("app.feature", feature), S("app.tenant_id", tenant), S("app.user_id", user)])
    ctx, m = Ctx(feature, tenant, user), MODELS[model]
    t = t0 + g.gap()
    for input_tokens, output_tokens in calls:
        s = run.span(g, root, f"chat {m.request}", CLIENT, t, t + g.latency(output_tokens), "acme", [
            S("gen_ai.operation.name", "chat"), S("gen_ai.provider.name", m.provider),
            S("gen_ai.request.model", m.request), S("gen_ai.response.model", m.response),
            I("gen_ai.usage.input_tokens", input_tokens), I("gen_ai.usage.output_tokens", output_tokens),
            I("gen_ai.usage.cache_read.input_tokens", 0), I("gen_ai.usage.cache_creation.input_tokens", 0)])
        run.calls.append(Call(s, m, Usage(uncached=input_tokens, output=output_tokens), ctx))
        t = s.end + g.gap()
    root.end = t + g.gap()
    return run


def plant_cost_spike(g: PlantGen) -> tuple[list[Run], dict[str, Any]]:
    runs = [planted_calls(g, window_time(SPIKE_DAY, 8 + i * 0.5), "doc-pipeline", "doc-summarizer", "initech",
                          "claude-sonnet-4", [(40_000, 2_000), (40_000, 2_000)]) for i in range(12)]
    return runs, {"day": iso_us(window_time(SPIKE_DAY, 0))[:10], "feature": "doc-summarizer",
                  "tenant_id": "initech", "runs": [r.trace_id for r in runs]}


def plant_runaway_run(g: PlantGen) -> tuple[list[Run], dict[str, Any]]:
    """pydantic-ai spans like support_agent's: search_kb after every step, and before step RUNAWAY_JUMP_STEP
    fetch_document, which pulls RUNAWAY_DOC_TOKENS tokens into the context the loop then re-reads each step."""
    r = g.rng
    t0 = window_time(RUNAWAY_DAY, 10)
    run = Run(g.trace_id(), "support-agent", g.resource("support-agent"))
    m = MODELS["gpt-4o"]
    tenant, user = g.tenant_user()
    conv = g.hex("conv_", 8)
    version = "v1" if t0 < AGENT_V2_US else "v2"
    root = run.span(g, None, "invoke_agent support_bot", INTERNAL, t0, 0, "pydantic-ai", [
        S("gen_ai.operation.name", "invoke_agent"), S("gen_ai.agent.name", "support_bot"),
        S("gen_ai.agent.version", version), S("app.feature", "support-chat"),
        S("app.tenant_id", tenant), S("app.user_id", user), S("gen_ai.conversation.id", conv)])
    ctx = Ctx("support-chat", tenant, user, conv, "support_bot", root.span_id, version)
    t, context, prev = t0 + g.gap(), 2_500, 0
    for step in range(1, RUNAWAY_STEPS + 1):
        u = openai_usage(g, m, context, prev)
        s = _pyd_chat(g, run, root, t, m, u, step)
        run.calls.append(Call(s, m, u, ctx, explicit_step=step))
        t = s.end + g.gap()
        prev, context = context, context + u.output
        if step == RUNAWAY_STEPS:
            break
        name = "fetch_document" if step == RUNAWAY_JUMP_STEP - 1 else "search_kb"
        ts = run.span(g, root, f"execute_tool {name}", INTERNAL, t, t + r.randint(20_000, 300_000), "pydantic-ai", [
            S("gen_ai.operation.name", "execute_tool"), S("gen_ai.tool.name", name),
            S("gen_ai.tool.call.id", g.hex("call_", 8)), I("gen_ai.agent.step", step)])
        run.tool(ts, name)
        t = ts.end + g.gap()
        context += RUNAWAY_DOC_TOKENS if name == "fetch_document" else r.randint(800, 1_500)
    root.end = t + g.gap()
    return [run], {"run_id": run.trace_id, "feature": "support-chat", "agent_span_id": root.span_id,
                   "steps": RUNAWAY_STEPS, "jump_step": RUNAWAY_JUMP_STEP, "jump_tool": "fetch_document",
                   "loop_tool": "search_kb"}


def plant_version_step(g: PlantGen) -> tuple[list[Run], dict[str, Any]]:
    days = WINDOW_DAYS - 1 - VERSION_STEP_DAY  # through the window's last full day
    runs = [support_agent(g, window_time(VERSION_STEP_DAY + i % days, 1 + g.rng.random() * 20), model="gpt-4o",
                          version="v3", system_tokens=VERSION_STEP_SYSTEM_TOKENS) for i in range(VERSION_STEP_RUNS)]
    return runs, {"feature": "support-chat", "agent_name": "support_bot", "previous_version": "v2",
                  "agent_version": "v3", "first_day": iso_us(min(r.spans[0].start for r in runs))[:10],
                  "runs": len(runs)}


def plant_budget_breach(g: PlantGen) -> tuple[list[Run], dict[str, Any]]:
    runs = [planted_calls(g, window_time(day, 9 + i * 2), "research-agent", "research-assistant", "umbrella",
                          "claude-sonnet-4", [(60_000, 3_000)] * 3) for day in BUDGET_DAYS for i in range(4)]
    big = planted_calls(g, window_time(BUDGET_CALL_DAY, 17), "research-agent", "research-assistant", "umbrella",
                        "claude-sonnet-4", [(150_000, 64_000)])
    return [*runs, big], {"tenant_id": "umbrella", "feature": "research-assistant",
                          "first_day": iso_us(window_time(BUDGET_DAYS[0], 0))[:10],
                          "last_day": iso_us(window_time(BUDGET_DAYS[-1], 0))[:10],
                          "call_span_id": big.calls[0].span.span_id, "call_run_id": big.trace_id}


PLANTERS: dict[str, Callable[[PlantGen], tuple[list[Run], dict[str, Any]]]] = {
    "cost_spike": plant_cost_spike, "runaway_run": plant_runaway_run,
    "version_step": plant_version_step, "budget_breach": plant_budget_breach,
}


# ----------------------------------------------------------------------------- bad spans


def bad_span(g: Gen, kind: str, t0: int) -> tuple[str, str, str]:
    """A span the pipeline must quarantine: (resource key, scope key, JSON text). Never a truth call."""
    d: dict[str, Any] = {"traceId": g.trace_id(), "spanId": g.span_id(), "name": "cache.lookup",
                         "kind": INTERNAL, "startTimeUnixNano": f"{t0}000",
                         "endTimeUnixNano": f"{t0 + 2_000}000", "attributes": [S("cache.hit", "false")],
                         "status": {}}
    if kind == "no-span-id":  # an unrecoverable provider call
        del d["spanId"]
        d["name"] = "chat gpt-4o"
        d["attributes"] = [S("gen_ai.operation.name", "chat"), S("gen_ai.provider.name", "openai"),
                           S("gen_ai.request.model", "gpt-4o"), I("gen_ai.usage.input_tokens", 1234),
                           I("gen_ai.usage.output_tokens", 56)]
    elif kind == "bad-start":
        d["startTimeUnixNano"] = "abc"
    elif kind == "no-start":
        del d["startTimeUnixNano"]
    elif kind == "bad-trace":
        d["traceId"] = "not-a-trace-id"
    d["attributes"] = [json.loads(a) for a in d["attributes"]]
    return g.resource("support-agent"), "pydantic-ai", _encode(d)


# ----------------------------------------------------------------------------- delivery


NORMAL, REDELIVER, COPY, BAD = 0, 1, 2, 3


@dataclass(slots=True)
class Item:
    group: tuple[str, str]  # (resource key, scope key): one line holds one group
    text: str
    flag: int = NORMAL


class Writer:
    """Rotating part files, ~1 in 5 gzipped (gzip mtime 0: byte-identical reruns)."""

    def __init__(self, spans_dir: Path, n_files: int, per_file: int) -> None:
        self.dir, self.n_files, self.per_file = spans_dir, n_files, per_file
        self.index = -1
        self.buf: list[str] = []
        self.buf_len = 0
        self.in_file = 0
        self.lines = self.bad_lines = self.records = self.bad_spans = self.redelivered = 0
        self.files = self.gz_files = 0
        self.truncate_next = False
        self._fh: Any = None
        self._raw: Any = None
        self.rotate()

    def rotate(self) -> None:
        self.close()
        self.index += 1
        gz = self.index % 5 == 1
        name = f"part-{self.index:05d}.jsonl" + (".gz" if gz else "")
        raw = open(self.dir / name, "wb")  # noqa: SIM115 - open until the next roll or close()
        self._fh = (gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1)
                    if gz else raw)
        self._raw = raw
        self.files += 1
        self.gz_files += gz
        self.in_file = 0

    def _put(self, line: str) -> None:
        self.buf.append(line)
        self.buf_len += len(line)
        self.lines += 1
        if self.buf_len > 1 << 20:
            self._drain()

    def _drain(self) -> None:
        if self.buf:
            self._fh.write("".join(self.buf).encode())
            self.buf.clear()
            self.buf_len = 0

    def write_spans(self, line: str, items: list[Item]) -> None:
        self._put(line)
        for it in items:
            if it.flag == BAD:
                self.bad_spans += 1
            elif it.flag == COPY:
                self.redelivered += 1
        self.records += len(items)
        self.in_file += len(items)
        if self.truncate_next:  # a torn copy of this line: the spans survive in the intact one
            self.truncate_next = False
            self.write_bad(line[: len(line) // 2] + "\n")
        if self.in_file >= self.per_file and self.index < self.n_files - 1:
            self.rotate()

    def write_bad(self, line: str) -> None:
        self._put(line)
        self.bad_lines += 1

    def close(self) -> None:
        if self._fh is not None:
            self._drain()
            self._fh.close()
            if self._fh is not self._raw:
                self._raw.close()
            self._fh = None


class Delivery:
    """A shuffling window: spans leave in random order, across file boundaries, some twice, roots late."""

    def __init__(self, g: Gen, writer: Writer, window: int) -> None:
        self.g, self.w, self.window = g, writer, window
        self.pool: list[Item] = []
        self.late: list[tuple[int, Item]] = []  # (flush number to release at, item)
        self.again: list[tuple[int, Item]] = []  # (file index first written to, copy)
        self.flushes = 0
        self.prefix: dict[tuple[str, str], str] = {}

    def add_run(self, run: Run) -> int:
        """Queue a run's written spans; returns how many span records that will produce."""
        r = self.g.rng
        n = 0
        for s in run.spans:
            if s.span_id in run.dropped:
                continue
            if s.parent_id:
                parent = f',"parentSpanId":"{s.parent_id}"'
            else:  # the collector omits an empty parent; some exporters write ""
                parent = ',"parentSpanId":""' if run.root_parent_blank else ""
            status = (f'{{"code":2,"message":{_q(s.message)}}}' if s.status == 2
                      else '{"code":1}' if s.status == 1 else "{}")
            text = (f'{{"traceId":"{run.trace_id}","spanId":"{s.span_id}"{parent},"name":{_q(s.name)},'
                    f'"kind":{s.kind},"startTimeUnixNano":"{s.start}000","endTimeUnixNano":"{s.end}000",'
                    f'"attributes":[{",".join(s.attrs)}],"status":{status}}}')
            flag = REDELIVER if r.random() < REDELIVERY_RATE else NORMAL
            item = Item((run.resource, s.scope), text, flag)
            n += 1 + (flag == REDELIVER)
            if not s.parent_id and r.random() < LATE_ROOT_RATE:
                self.late.append((self.flushes + r.randint(3, 12), item))
            else:
                self.pool.append(item)
        if len(self.pool) >= self.window:
            self.flush(self.window // 2)
        return n

    def add_bad(self, group: tuple[str, str], text: str) -> None:
        self.pool.append(Item(group, text, BAD))

    def flush(self, n: int) -> None:
        r = self.g.rng
        r.shuffle(self.pool)
        emit = self.pool[:n]
        del self.pool[:n]
        if self.late:
            emit += [it for due, it in self.late if due <= self.flushes]
            self.late = [(due, it) for due, it in self.late if due > self.flushes]
        if self.again:
            emit += [it for f, it in self.again if f < self.w.index]
            self.again = [(f, it) for f, it in self.again if f >= self.w.index]
        self.flushes += 1
        self._write(emit)

    def _write(self, items: list[Item]) -> None:
        r = self.g.rng
        groups: dict[tuple[str, str], list[Item]] = {}
        for it in items:
            groups.setdefault(it.group, []).append(it)
        batches: list[list[Item]] = []
        for grp in groups.values():
            i = 0
            while i < len(grp):
                k = r.randint(1, 50)
                batches.append(grp[i:i + k])
                i += k
        r.shuffle(batches)
        for batch in batches:
            group = batch[0].group
            prefix = self.prefix.get(group)
            if prefix is None:
                name, version = SCOPES[group[1]]
                prefix = ('{"resourceSpans":[{"resource":' + self.g.resources[group[0]]
                          + ',"scopeSpans":[{"scope":' + _encode({"name": name, "version": version})
                          + ',"spans":[')
                self.prefix[group] = prefix
            self.w.write_spans(prefix + ",".join(it.text for it in batch) + "]}]}]}\n", batch)
            if self.w.index >= self.w.n_files - 1:
                continue  # the last planned file: no later file to deliver copies into
            for it in batch:
                if it.flag == REDELIVER:
                    self.again.append((self.w.index, Item(it.group, it.text, COPY)))

    def finish(self) -> None:
        rest = self.pool + [it for _, it in self.late]
        self.pool, self.late = [], []
        self.g.rng.shuffle(rest)
        self._write(rest)
        while self.again:  # copies always land in a later file than their first delivery
            ready = [it for f, it in self.again if f < self.w.index]
            if not ready:
                self.w.rotate()
                continue
            self.again = [(f, it) for f, it in self.again if f >= self.w.index]
            self._write(ready)


# ----------------------------------------------------------------------------- truth


class Truth:
    def __init__(self, truth_dir: Path) -> None:
        # Every value is generator-made (ids, names, numbers: no comma, quote or newline), so a
        # plain join is valid CSV and much faster than csv.writer at ten million spans.
        # open for the whole generation, closed in close()
        self._calls_fh = open(truth_dir / "calls.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._tools_fh = open(truth_dir / "tools.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._calls_fh.write(",".join(CALL_COLUMNS) + "\n")
        self._tools_fh.write(",".join(TOOL_COLUMNS) + "\n")
        self.n_calls = self.n_tools = self.runs = self.dup_calls = self.orphan_spans = 0
        self.by_service: dict[str, int] = {}
        self.by_convention: dict[str, int] = {}
        self.o3_before = self.o3_after = 0
        self.first_call = self.last_call = 0

    def add(self, run: Run) -> None:
        run.finalize()
        if run.dropped:  # written spans whose parent never arrives
            self.orphan_spans += sum(1 for s in run.spans if s.parent_id in run.dropped
                                     and s.span_id not in run.dropped)
        if run.calls:
            self.runs += 1
        for c in run.calls:
            u, ctx = c.usage, c.ctx
            self._calls_fh.write(
                f"{run.trace_id},{iso_us(c.span.start)},{c.model.provider},{c.model.canonical},{c.tier},"
                f"{u.uncached},{u.cache_read},{u.cache_write},{u.cache_write_1h},{u.output},{u.reasoning},"
                f"{ctx.feature},{ctx.tenant},{ctx.user},{ctx.conversation},{ctx.agent_name},"
                f"{ctx.agent_span_id},{c.step},{c.tool.span_id if c.tool else ''},{c.tool_name},"
                f"{'|'.join(c.triggers)},{'' if c.reported is None else format(c.reported, '.8f')},"
                f"{c.semantics},{run.service},{'true' if c.orphan else 'false'},{c.span.span_id},"
                f"{c.inner.span_id if c.inner else ''},{ctx.agent_version}\n")
            self.n_calls += 1
            self.dup_calls += c.inner is not None
            self.by_service[run.service] = self.by_service.get(run.service, 0) + 1
            if c.model.canonical == "o3":
                if c.span.start < O3_PRICE_CUT_US:
                    self.o3_before += 1
                else:
                    self.o3_after += 1
            if not self.first_call or c.span.start < self.first_call:
                self.first_call = c.span.start
            self.last_call = max(self.last_call, c.span.start)
        for t in run.tools:
            self._tools_fh.write(f"{t.span.span_id},{run.trace_id},{t.name},{iso_us(t.span.start)},"
                                 f"{'error' if t.span.status == 2 else 'ok'},{t.span.parent_id}\n")
            self.n_tools += 1

    def close(self) -> None:
        self._calls_fh.close()
        self._tools_fh.close()


# ----------------------------------------------------------------------------- schedule

RANDOM_SHAPES: list[tuple[str, float]] = [
    ("support", 30), ("research", 22), ("doc", 18), ("web", 20), ("billing", 8),
    ("mistral", 0.4), ("no-provider", 0.3), ("triage-exclusive", 0.3),
    ("orphan-support", 0.3), ("orphan-web", 0.3),
]

# (fraction of the span budget, event): every rule is exercised at any size.
SCHEDULE: list[tuple[float, str]] = [
    (0.0, "support-o3-explicit"), (0.0, "research-dup"), (0.0, "doc"), (0.0, "web-v5"),
    (0.0, "billing-tier-batch"), (0.02, "billing-bedrock"), (0.03, "bad-line"), (0.06, "doc-o3-flex"),
    (0.10, "gemini-250k"), (0.15, "orphan-support"), (0.20, "bad-span:no-span-id"), (0.25, "mistral"),
    (0.30, "no-provider"), (0.35, "doc-cache-1h"), (0.40, "billing-low-cache"), (0.45, "truncated-line"),
    (0.50, "bad-span:bad-start"), (0.52, "web-v4-code-review"), (0.55, "gemini-200k"), (0.60, "orphan-web"),
    (0.65, "triage-exclusive"), (0.70, "research-dup"), (0.75, "support-o3-positional"),
    (0.80, "doc-o3-flex"), (0.85, "bad-span:bad-trace"), (0.86, "bad-span:no-start"),
    (0.90, "orphan-support"), (0.95, "bad-line"), (0.97, "mistral"),
]


def make_run(g: Gen, event: str, t0: int) -> Run:
    shapes: dict[str, Callable[[], Run]] = {
        "support": lambda: support_agent(g, t0),
        "support-o3-explicit": lambda: support_agent(g, t0, model="o3", explicit=True, deep=True),
        "support-o3-positional": lambda: support_agent(g, t0, model="o3", explicit=False, deep=True),
        "orphan-support": lambda: support_agent(g, t0, orphan=True),
        "research": lambda: research_agent(g, t0),
        "research-dup": lambda: research_agent(g, t0, model="claude-sonnet-4", dup=True),
        "doc": lambda: doc_pipeline(g, t0),
        "doc-o3-flex": lambda: doc_pipeline(g, t0, special="o3-flex"),
        "doc-cache-1h": lambda: doc_pipeline(g, t0, special="cache-1h"),
        "gemini-250k": lambda: doc_pipeline(g, t0, special="gemini-250k"),
        "gemini-200k": lambda: doc_pipeline(g, t0, special="gemini-200k"),
        "web": lambda: web_chat(g, t0),
        "web-v5": lambda: web_chat(g, t0, v5=True),
        "web-v4-code-review": lambda: web_chat(g, t0, v5=False, feature="code-review"),
        "orphan-web": lambda: web_chat(g, t0, orphan=True),
        "billing": lambda: billing_batch(g, t0),
        "billing-tier-batch": lambda: billing_batch(g, t0, batch=True),
        "billing-low-cache": lambda: billing_batch(g, t0, low_cache=True),
        "billing-bedrock": lambda: billing_batch(g, t0, bedrock=True),
        "mistral": lambda: ticket_triage(g, t0, "mistral"),
        "no-provider": lambda: ticket_triage(g, t0, "no-provider"),
        "triage-exclusive": lambda: ticket_triage(g, t0, "exclusive"),
    }
    return shapes[event]()


# ----------------------------------------------------------------------------- entry point


def generate(out_dir: Path, spans: int = 5000, seed: int = 42,
             progress: Callable[[int], None] | None = None, plant: Iterable[str] = ()) -> dict[str, Any]:
    """Write the demo span files and their truth under out_dir; return the manifest.

    plant: names from PLANTS; each adds runs with that known cost problem (see "planted problems")."""
    plant = set(plant)
    if plant - set(PLANTS):
        raise ValueError(f"plant must name problems from {PLANTS}, got {sorted(plant - set(PLANTS))}")
    if isinstance(spans, bool) or not isinstance(spans, int) or not MIN_SPANS <= spans <= MAX_SPANS:
        raise ValueError(f"spans must be an integer from {MIN_SPANS} to {MAX_SPANS}, got {spans!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    out_dir = Path(out_dir)
    spans_dir, truth_dir = out_dir / "spans", out_dir / "truth"
    for d in (spans_dir, truth_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)

    g = Gen(FastRandom(seed))
    n_files = max(3, round(spans / SPANS_PER_FILE))
    per_file = math.ceil(spans / n_files)
    writer = Writer(spans_dir, n_files, per_file)
    delivery = Delivery(g, writer, max(200, min(4000, per_file)))
    truth = Truth(truth_dir)

    planned = 0
    next_report = 100_000
    pending = list(SCHEDULE)
    span_budget = WINDOW_US - 3 * 3_600_000_000  # leave room for the last runs to finish

    def handle(event: str, frac: float) -> int:
        t0 = WINDOW_START_US + int(min(frac, 0.999) * span_budget) + g.rng.randint(0, 600_000_000)
        if event == "bad-line":
            writer.write_bad("this line is not JSON: collector crashed mid-write\n")
            return 0
        if event == "truncated-line":
            writer.truncate_next = True
            return 0
        if event.startswith("bad-span:"):
            res, scope, text = bad_span(g, event.split(":", 1)[1], t0)
            delivery.add_bad((res, scope), text)
            return 1
        run = make_run(g, event, t0)
        truth.add(run)
        return delivery.add_run(run)

    while planned < spans:
        frac = planned / spans
        event = pending.pop(0)[1] if pending and pending[0][0] <= frac else g.pick(RANDOM_SHAPES)
        planned += handle(event, frac)
        if progress and planned >= next_report:
            progress(planned)
            next_report += 100_000
    for _, event in pending:  # tiny sizes: whatever the budget did not reach still happens
        planned += handle(event, 0.999)
    planted: dict[str, Any] = {}
    if plant:
        pg = PlantGen(FastRandom(seed + 0x5EED), g)
        for name in PLANTS:
            if name in plant:
                runs, planted[name] = PLANTERS[name](pg)
                for run in runs:
                    truth.add(run)
                    planned += delivery.add_run(run)
    delivery.finish()
    writer.close()
    truth.close()

    manifest: dict[str, Any] = {
        "seed": seed,
        "spans_requested": spans,
        "window_start": WINDOW_START.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "window_end": WINDOW_END.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": writer.files,
        "gz_files": writer.gz_files,
        "lines_written": writer.lines,
        "bad_lines": writer.bad_lines,
        "span_records": writer.records,
        "bad_spans": writer.bad_spans,
        "redelivered_spans": writer.redelivered,
        "distinct_spans": writer.records - writer.redelivered - writer.bad_spans,
        "orphan_spans": truth.orphan_spans,
        "duplicate_layer_calls": truth.dup_calls,
        "runs": truth.runs,
        "calls": truth.n_calls,
        "tools": truth.n_tools,
        "calls_by_service": dict(sorted(truth.by_service.items())),
        "o3_calls_before_price_cut": truth.o3_before,
        "o3_calls_after_price_cut": truth.o3_after,
        "first_call_at": iso_us(truth.first_call),
        "last_call_at": iso_us(truth.last_call),
    }
    if planted:
        manifest["planted"] = planted
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
