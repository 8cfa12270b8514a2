"""The run model: what a shape builds and both the delivery and the truth read. A ``Run`` holds its spans (``Span``)
and, for the truth, the provider calls it made (``Call``: model, ``Usage``, attribution ``Ctx``) and its tool
spans (``Tool``); ``Run.finalize`` derives the calls' steps and the tools they triggered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llm_cost.generate.catalog import Model

if TYPE_CHECKING:
    from llm_cost.generate.state import Gen

# ----------------------------------------------------------------------------- run model

UNATTRIBUTED = "(unattributed)"


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
    modifiers: str = ""  # the price modifier rules the pipeline applies (fct_span_costs.price_modifiers), comma-joined


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

