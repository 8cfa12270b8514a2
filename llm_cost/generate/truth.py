"""The truth writer: ``Truth`` writes truth/calls.csv (one row per logical provider call) and truth/tools.csv (one
row per tool span) from what each run intended, and keeps the counts the manifest reports."""

from __future__ import annotations

from pathlib import Path

from llm_cost.generate.runs import Run
from llm_cost.generate.window import O3_PRICE_CUT_US, iso_us

# ----------------------------------------------------------------------------- truth

CALL_COLUMNS = [
    "run_id", "started_at", "provider", "model", "service_tier",
    "uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
    "output_tokens", "reasoning_tokens", "feature", "tenant_id", "user_id", "conversation_id",
    "agent_name", "agent_span_id", "step", "tool_span_id", "tool_name", "triggers",
    "reported_cost_usd", "input_semantics", "service_name", "is_orphan",
    # extras (not in the brief's list, handy for joins): the span the pipeline keeps
    # (the outermost layer), the other layer of a duplicate pair, the agent version.
    "span_id", "duplicate_span_id", "agent_version",
    # the price modifier rules the call is priced with (seeds/price_modifiers.csv), as fct_span_costs.price_modifiers
    "price_modifiers",
]
TOOL_COLUMNS = ["tool_span_id", "run_id", "tool_name", "started_at", "status", "parent_span_id"]


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
                f"{c.inner.span_id if c.inner else ''},{ctx.agent_version},{c.modifiers}\n")
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
