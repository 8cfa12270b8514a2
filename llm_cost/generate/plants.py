"""The planted problems: runs carrying one known cost problem each (a cost spike, a runaway agent run, a costlier
agent version, a budget breach, a costlier prompt template version, failed runs and retried calls), made on a random
stream of their own (``PlantGen``) for the analytics models in python_models/ and the marts to find; ``PLANTERS`` maps
each name in ``PLANTS`` to the function that plants it."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from llm_cost.generate.catalog import MODELS
from llm_cost.generate.otlp import CLIENT, INTERNAL, I, S
from llm_cost.generate.runs import Call, Ctx, Run, Usage
from llm_cost.generate.scenarios import _pyd_chat, support_agent
from llm_cost.generate.state import Gen
from llm_cost.generate.usage import openai_usage
from llm_cost.generate.window import AGENT_V2_US, DAY_US, WINDOW_DAYS, WINDOW_START_US, iso_us

# ----------------------------------------------------------------------------- planted problems

# generate(..., plant={...}) adds runs that carry one known cost problem each, for the analytics models in
# python_models/ to find. Planted runs come from a random stream of their own, after the regular runs, so the
# default output (no plant) stays byte-identical; their calls go to the truth files like any other, and
# manifest.json gets a "planted" entry saying what was planted where.
PLANTS = ("cost_spike", "runaway_run", "version_step", "budget_breach", "prompt_step", "failures")
SPIKE_DAY = 22  # window day 22 = 2025-06-18: doc-summarizer for initech spends ~$3.6 instead of cents
RUNAWAY_DAY = 16  # 2025-06-12: a support_bot run loops for 36 steps after a tool pulls in a big document
RUNAWAY_STEPS, RUNAWAY_JUMP_STEP, RUNAWAY_DOC_TOKENS = 36, 5, 60_000
VERSION_STEP_DAY = 20  # 2025-06-16 on: support_bot v3 runs on gpt-4o only, with a 30k-token system prompt
VERSION_STEP_RUNS, VERSION_STEP_SYSTEM_TOKENS = 40, 30_000
BUDGET_DAYS = range(23, 30)  # 2025-06-19 .. 2025-06-25: umbrella's research spend jumps to ~$2.7 a day
BUDGET_CALL_DAY = 24  # 2025-06-20: and one call costs ~$1.41 (150k in, 64k out on claude-sonnet-4)
# reply-drafter's prompt template draft-reply: version 7 through window day 14, version 8 from day 15 (2025-06-11)
# with twice the input (a longer few-shot block), on gpt-4.1-mini. Version 7's chat spans carry Langfuse's attributes;
# with version 8 the app moved to OpenInference's (gen_ai.prompt.name, llm.prompt_template.version beside the
# template and its variables, which are content and must reach no mart)
PROMPT_NAME, PROMPT_STEP_DAY, PROMPT_STEP_RUNS, PROMPT_STEP_CALLS = "draft-reply", 15, 24, 2
PROMPT_VERSIONS = (7, 8)
# invoice-extractor (tenant initech) on claude-3-5-haiku: FAILED_RUNS runs whose root span ends in error after two
# successful calls (the output did not validate), and RETRIED_RUNS runs whose first call times out after it was billed
# and is sent again under the same parent
FAILURE_FEATURE, FAILED_RUNS, RETRIED_RUNS = "invoice-extractor", 8, 10


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
                  calls: list[tuple[int, int]], call_attrs: tuple[str, ...] = ()) -> Run:
    """Hand-written spans (OTel GenAI names): a job root carrying feature and tenant, one chat span per
    (input tokens, output tokens), no cache - said as zero cache counts, so the pricing knows none was billed.
    call_attrs: more attributes of every chat span."""
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
            I("gen_ai.usage.cache_read.input_tokens", 0), I("gen_ai.usage.cache_creation.input_tokens", 0),
            *call_attrs])
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


def plant_prompt_step(g: PlantGen) -> tuple[list[Run], dict[str, Any]]:
    r = g.rng
    runs, first_days = [], {}
    for version in PROMPT_VERSIONS:
        days = range(1, PROMPT_STEP_DAY) if version == PROMPT_VERSIONS[0] else range(PROMPT_STEP_DAY, WINDOW_DAYS - 1)
        base_input = 8_000 if version == PROMPT_VERSIONS[0] else 16_000
        made = []
        for i in range(PROMPT_STEP_RUNS):
            attrs = ((S("langfuse.observation.prompt.name", PROMPT_NAME),
                      I("langfuse.observation.prompt.version", version)) if version == PROMPT_VERSIONS[0] else
                     (S("gen_ai.prompt.name", PROMPT_NAME), S("llm.prompt_template.version", str(version)),
                      S("llm.prompt_template.template", g.secret("PROMPT")),
                      S("llm.prompt_template.variables", g.secret("PROMPT"))))
            made.append(planted_calls(
                g, window_time(days[i % len(days)], 8 + r.random() * 10), "web-chat", "reply-drafter", "globex",
                "gpt-4.1-mini", [(base_input + r.randint(-500, 500), r.randint(300, 700))] * PROMPT_STEP_CALLS, attrs))
        first_days[version] = iso_us(min(run.spans[0].start for run in made))[:10]
        runs += made
    return runs, {"feature": "reply-drafter", "prompt_name": PROMPT_NAME,
                  "previous_version": str(PROMPT_VERSIONS[0]), "prompt_version": str(PROMPT_VERSIONS[1]),
                  "first_day": first_days[PROMPT_VERSIONS[1]], "runs_per_version": PROMPT_STEP_RUNS,
                  "calls_per_run": PROMPT_STEP_CALLS}


def plant_failures(g: PlantGen) -> tuple[list[Run], dict[str, Any]]:
    r = g.rng

    def run(i: int) -> Run:
        return planted_calls(g, window_time(3 + i % 20, 9 + r.random() * 8), "billing-batch", FAILURE_FEATURE,
                             "initech", "claude-3-5-haiku", [(6_000 + r.randint(0, 2_000), 800)] * 2)

    failed = [run(i) for i in range(FAILED_RUNS)]
    for f in failed:
        f.spans[0].status, f.spans[0].message = 2, "ValidationError: no invoice total"
    retried = [run(FAILED_RUNS + i) for i in range(RETRIED_RUNS)]
    for f in retried:
        f.calls[0].span.status, f.calls[0].span.message = 2, "APITimeoutError: Request timed out"
    return [*failed, *retried], {
        "feature": FAILURE_FEATURE, "tenant_id": "initech", "failed_runs": [f.trace_id for f in failed],
        "failed_calls": [f.calls[0].span.span_id for f in retried],
        "retry_calls": [f.calls[1].span.span_id for f in retried]}


PLANTERS: dict[str, Callable[[PlantGen], tuple[list[Run], dict[str, Any]]]] = {
    "cost_spike": plant_cost_spike, "runaway_run": plant_runaway_run,
    "version_step": plant_version_step, "budget_breach": plant_budget_breach, "prompt_step": plant_prompt_step,
    "failures": plant_failures,
}
