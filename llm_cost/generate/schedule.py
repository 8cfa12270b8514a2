"""What happens when: the weights of the random run shapes, the fixed schedule of events (by fraction of the span
budget) that makes every rule appear at any size, and ``make_run``, which builds the run an event names."""

from __future__ import annotations

from collections.abc import Callable

from llm_cost.generate.runs import Run
from llm_cost.generate.scenarios import (
    billing_batch,
    doc_pipeline,
    research_agent,
    support_agent,
    ticket_triage,
    web_chat,
)
from llm_cost.generate.state import Gen

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
