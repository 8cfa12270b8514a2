"""The run shapes: one function per demo service, each building a whole run (spans as its instrumentation writes
them, and the calls and tools it intended, for the truth): ``support_agent`` (pydantic-ai), ``research_agent``
(OpenInference, with Anthropic SDK duplicate layers), ``doc_pipeline`` (OpenLLMetry), ``web_chat`` (Vercel AI
SDK 4 and 5), ``billing_batch`` and ``ticket_triage`` (hand-written spans)."""

from __future__ import annotations

from llm_cost.generate.catalog import MODELS, REPORT_PRICES, SERVICE_VERSIONS, Model
from llm_cost.generate.otlp import CLIENT, INTERNAL, B, D, I, S
from llm_cost.generate.runs import UNATTRIBUTED, Call, Ctx, Run, Span, Usage
from llm_cost.generate.state import Gen
from llm_cost.generate.usage import AnthropicCache, openai_usage
from llm_cost.generate.window import AGENT_V2_US

# ----------------------------------------------------------------------------- shape 1: pydantic-ai

SUPPORT_MODELS = [("gpt-4o", 35), ("gpt-4.1-mini", 35), ("o3", 15), ("o4-mini", 15)]
SUPPORT_TOOLS = [("search_kb", 35), ("get_order_status", 25), ("lookup_account", 20),
                 ("create_ticket", 10), ("deep_research", 10)]


# Tenants whose OpenAI calls go to a data-residency endpoint (a price modifier signal, seeds/price_modifiers.csv). In
# the demo window every model is priced x1 there (the 10% uplift is for models released on or after 2026-03-05), so
# the calls cost as on api.openai.com and carry the rule applied. Chosen by tenant, so no random draw changes.
DATA_RESIDENCY_HOSTS = {"globex": "eu.api.openai.com"}
# Bedrock ids of billing-batch's Bedrock calls by position in the run: in-region and the us. and eu. cross-region
# inference profiles (the price seed's alias resolves all three to one model); an earlier Claude model keeps its price
# on every profile, so the calls cost the same and carry the rule applied.
BEDROCK_PROFILES = ("", "us.", "eu.")


def _pyd_chat(g: Gen, run: Run, parent: Span, t: int, m: Model, u: Usage, step: int | None,
              host: str = "api.openai.com") -> Span:
    attrs = [S("gen_ai.operation.name", "chat"), S("gen_ai.provider.name", m.provider),
             S("gen_ai.request.model", m.request), S("gen_ai.response.model", m.response),
             S("gen_ai.response.id", g.hex("chatcmpl-", 12)),
             I("gen_ai.usage.input_tokens", u.inclusive), I("gen_ai.usage.output_tokens", u.output),
             S("server.address", host),
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
    host = DATA_RESIDENCY_HOSTS.get(tenant, "api.openai.com")
    modifiers = f"data_residency_endpoint={host}" if host != "api.openai.com" else ""
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
        s = _pyd_chat(g, run, root, t, m, u, step, host)
        run.calls.append(Call(s, m, u, ctx, explicit_step=step, orphan=orphan, modifiers=modifiers))
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
                inner = _pyd_chat(g, run, ts, ts.start + r.randint(2_000, 40_000), im, iu, None, host)
                ts.end = inner.end + r.randint(5_000, 200_000)
                run.calls.append(Call(inner, im, iu, ctx, explicit_step=step, tool=ts,
                                      tool_name=name, modifiers=modifiers))
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
    for i in range(r.randint(3, 12)):
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
        profile = BEDROCK_PROFILES[i % len(BEDROCK_PROFILES)] if bedrock else ""
        attrs = [S("gen_ai.operation.name", "chat"), S("gen_ai.system", m.provider),
                 S("gen_ai.request.model", profile + m.request), I("gen_ai.usage.input_tokens", u.uncached),
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
                              semantics="exclusive_configured", reported=reported,
                              modifiers=f"bedrock_inference_profile={profile[:-1] or 'in-region'}" if bedrock else ""))
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
