"""Incremental builds equal a full refresh, whatever the arrival order (docs/contract.md section 6).

A span set is cut into one-span files delivered in shuffled order with re-deliveries; after each file an
incremental `dbt run`; then one full refresh of the same files into another DuckDB file; every mart must
match row for row. Runs dbt in-process on a parsed manifest (a subprocess per batch would triple the time).
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbt_runner import COMPARED_SELECTION, PROJECT_DIR, InProcessDbt, assert_same_marts, copy_project, full_suite_only
from llm_cost.generate import generate


def _lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as f:
        yield from (line for line in f if line.strip())


def single_span_lines(spans_dir: Path) -> dict[str, list[str]]:
    """Every readable span as its own OTLP line (with its resource and scope), grouped by trace."""
    by_trace: dict[str, list[str]] = {}
    for path in sorted(spans_dir.iterdir()):
        for line in _lines(path):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            for rs in data.get("resourceSpans", []):
                for ss in rs.get("scopeSpans", []):
                    for span in ss.get("spans", []):
                        one = {"resourceSpans": [{"resource": rs.get("resource", {}),
                                                  "scopeSpans": [{"scope": ss.get("scope", {}), "spans": [span]}]}]}
                        by_trace.setdefault(span.get("traceId", ""), []).append(json.dumps(one, separators=(",", ":")))
    return by_trace


def pick_traces(demo: Path, by_trace: dict[str, list[str]], rng: random.Random, budget: int) -> list[str]:
    """Traces that exercise duplicate layers, tools, nested tool calls and orphans first, then random ones."""
    with open(demo / "truth" / "calls.csv", newline="") as f:
        calls = list(csv.DictReader(f))
    wanted = [
        [c["run_id"] for c in calls if c["duplicate_span_id"]],
        [c["run_id"] for c in calls if c["tool_span_id"]],
        [c["run_id"] for c in calls if c["triggers"]],
        [c["run_id"] for c in calls if c["is_orphan"].lower() == "true"],
        [c["run_id"] for c in calls if c["model"] == "mistral-unlisted-2411"],
    ]
    chosen: list[str] = []
    for candidates in wanted:
        small = sorted({t for t in candidates if len(by_trace.get(t, [])) <= budget // 3})
        if small:
            chosen.append(rng.choice(small))
    others = sorted(set(by_trace) - set(chosen))
    rng.shuffle(others)
    for trace in others:
        if sum(len(by_trace[t]) for t in chosen) >= budget:
            break
        chosen.append(trace)
    return sorted(set(chosen))


def deliver(lines: list[str], rng: random.Random, redeliver_share: float) -> list[str]:
    """Shuffled single-span deliveries, with some spans delivered again later (at-least-once export)."""
    order = lines[:]
    rng.shuffle(order)
    for line in rng.sample(lines, max(1, int(len(lines) * redeliver_share))):
        order.insert(rng.randrange(len(order) + 1), line)
    return order


# One new span per build; in the full suite also another seed at two spans per build (each still in a file of its
# own): about two more minutes.
MORE_SEEDS = full_suite_only("a second seed of the arrival-order property (two spans per build)")


@pytest.mark.parametrize(("seed", "spans_per_build"), [(11, 1), pytest.param(23, 2, marks=MORE_SEEDS)])
def test_one_span_batches_in_random_order_equal_full_refresh(tmp_path: Path, seed: int, spans_per_build: int) -> None:
    rng = random.Random(seed)
    demo = tmp_path / "demo"
    generate(demo, spans=500, seed=seed)
    by_trace = single_span_lines(demo / "spans")
    lines = [line for trace in pick_traces(demo, by_trace, rng, budget=30) for line in by_trace[trace]]
    deliveries = deliver(lines, rng, redeliver_share=0.1)
    # a bad line, quarantined both ways
    deliveries.insert(rng.randrange(len(deliveries)), '{"resourceSpans": [ truncated')

    project = copy_project(tmp_path / "project")
    inc_dir, full_dir = tmp_path / "arrivals", tmp_path / "all"
    inc_dir.mkdir()
    incremental = InProcessDbt(project, tmp_path / "incremental.duckdb", f"{inc_dir}/*.json*")
    incremental.invoke("seed")
    for n, line in enumerate(deliveries):
        (inc_dir / f"batch-{n:05d}.jsonl").write_text(line + "\n")
        if (n + 1) % spans_per_build == 0 or n == len(deliveries) - 1:
            incremental.invoke("run", *COMPARED_SELECTION)

    shutil.copytree(inc_dir, full_dir)
    # the full refresh builds the span tree in passes of a few traces (macros/trace_partitioned.sql); the small
    # incremental batches in one pass each: equal marts also prove the passes change nothing
    full = InProcessDbt(project, tmp_path / "full.duckdb", f"{full_dir}/*.json*", vars={"max_spans_per_pass": 4})
    full.invoke("seed")
    full.invoke("run", "--full-refresh", *COMPARED_SELECTION)
    # dbt rotates its log by size, so the line may be in a rotated file (dbt.log.1, ...)
    logs = "".join(log.read_text() for log in (project / "logs").glob("dbt.log*"))
    assert "built in" in logs, "the full refresh must take several passes"

    assert incremental.rows("fct_span_costs"), "the sample must contain calls"
    assert len(deliveries) > 25
    assert_same_marts(incremental, full)


def _chat_span_line(trace_id: str, span_id: str, parent: str, start_ns: int, end_ns: int, scope: str) -> str:
    """One OTel GenAI chat span as an OTLP line (response id and usage shared by both layers of one call)."""
    def attr(key: str, value: str, kind: str = "stringValue") -> dict[str, Any]:
        return {"key": key, "value": {kind: value}}

    span = {"traceId": trace_id, "spanId": span_id, "parentSpanId": parent, "name": "chat gpt-4o", "kind": 3,
            "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(end_ns), "status": {},
            "attributes": [attr("gen_ai.operation.name", "chat"), attr("gen_ai.provider.name", "openai"),
                           attr("gen_ai.request.model", "gpt-4o-2024-08-06"),
                           attr("gen_ai.response.id", "resp-midnight"),
                           attr("gen_ai.usage.input_tokens", "1000", "intValue"),
                           attr("gen_ai.usage.output_tokens", "100", "intValue"), attr("app.feature", "midnight")]}
    resource = {"attributes": [attr("service.name", "midnight-svc")]}
    return json.dumps({"resourceSpans": [{"resource": resource,
                                          "scopeSpans": [{"scope": {"name": scope}, "spans": [span]}]}]})


def test_a_day_emptied_by_a_late_outer_layer_is_cleared(tmp_path: Path) -> None:
    """A call seen first through its SDK span just after midnight moves to the previous day when its framework
    span (the outer layer, started just before midnight) arrives: the later day must hold no row any more."""
    trace, outer, inner = "0123456789abcdef0123456789abcdef", "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"
    midnight = 1_749_081_600 * 10**9  # 2025-06-05 00:00:00 UTC
    project = copy_project(tmp_path / "project")
    arrivals = tmp_path / "arrivals"
    arrivals.mkdir()
    dbt = InProcessDbt(project, tmp_path / "midnight.duckdb", f"{arrivals}/*.json*")
    dbt.invoke("seed")
    (arrivals / "1.json").write_text(
        _chat_span_line(trace, inner, outer, midnight + 10**8, midnight + 2 * 10**9, "openai.sdk") + "\n")
    dbt.invoke("run")
    assert [(str(r[0]), r[1]) for r in dbt.rows("fct_feature_costs_daily") if r[1] == "midnight"] == [
        ("2025-06-05", "midnight")]
    (arrivals / "2.json").write_text(
        _chat_span_line(trace, outer, "", midnight - 10**8, midnight + 3 * 10**9, "framework") + "\n")
    dbt.invoke("run")
    days = [str(r[0]) for r in dbt.rows("fct_feature_costs_daily") if r[1] == "midnight"]
    assert days == ["2025-06-04"], f"the call moved to its outer layer's day; rows left: {days}"


def test_an_empty_build_first_loses_nothing(tmp_path: Path) -> None:
    """`dbt run --empty` (schemas only, e.g. a CI check) processes no record: the next real build must still cost
    every call, as a build without it does (it used to record a build state that marked every record processed)."""
    fixture = PROJECT_DIR / "tests" / "fixtures" / "emitters" / "openai_v2"
    truth = {call["trace_id"] for call in json.loads(fixture.with_suffix(".truth.json").read_text())["calls"]}
    project = copy_project(tmp_path / "project")
    after_empty = InProcessDbt(project, tmp_path / "after_empty.duckdb", str(fixture.with_suffix(".jsonl")))
    after_empty.invoke("seed")
    after_empty.invoke("run", "--empty")
    assert after_empty.query("select count(*) from fct_span_costs") == [(0,)]
    after_empty.invoke("run")
    costed = after_empty.query("select trace_id from fct_span_costs where cost_usd > 0")
    assert {trace for (trace,) in costed} == truth and len(costed) == len(truth)
