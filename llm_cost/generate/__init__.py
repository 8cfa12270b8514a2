"""Deterministic demo OTLP span generator with a ground-truth manifest.

``generate(out_dir, spans, seed)`` writes OTLP JSON lines exactly as the OpenTelemetry
Collector ``file`` exporter does (one ``TracesData`` object per line, some files gzipped)
and, next to them, the truth the dbt marts must reproduce:

    out_dir/spans/part-00000.jsonl[.gz] ...   the span files
    out_dir/truth/calls.csv                   one row per logical provider call
    out_dir/truth/tools.csv                   one row per tool span
    out_dir/truth/manifest.json               counts of everything written
    out_dir/provider_reports/*.json           the OpenAI and Anthropic usage and cost report pages of the demo's
                                              calls plus some uninstrumented ones (``reports``), with their truth
                                              in truth/provider_reports.json and truth/uninstrumented_calls.csv

The truth is written from what each run shape *intended* (the tokens it drew, the model
it picked, the attribution it meant), never by re-reading the spans. Runs are generated
one at a time and streamed through a small shuffling delivery buffer, so memory stays
flat from a thousand spans to ten million. Same seed and size -> byte-identical files.

``generate(..., plant=PLANTS)`` (cost_spike, runaway_run, version_step, budget_breach, prompt_step, failures) adds
runs carrying known cost problems for the analytics models (``plants``); without ``plant`` nothing changes.

The package, by concern: ``window`` (the time window, ``iso_us``), ``catalog`` (models, tenants, scopes,
services), ``otlp`` (attribute encoding), ``runs`` (the run model), ``state`` (the random stream and ids),
``usage`` (cache-aware token draws), ``scenarios`` (one run shape per service), ``schedule`` (which event
happens when, ``make_run``), ``plants`` (the planted problems), ``delivery`` (span files, shuffling, bad
spans), ``truth`` (the truth CSVs) and ``reports`` (the provider reports). This module holds the entry point,
``generate``.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from llm_cost.generate.delivery import SPANS_PER_FILE, Delivery, Writer, bad_span
from llm_cost.generate.plants import PLANTERS, PLANTS, PlantGen
from llm_cost.generate.reports import ProviderReports
from llm_cost.generate.schedule import RANDOM_SHAPES, SCHEDULE, make_run
from llm_cost.generate.state import FastRandom, Gen
from llm_cost.generate.truth import CALL_COLUMNS, TOOL_COLUMNS, Truth
from llm_cost.generate.window import (
    DAY_US,
    WINDOW_DAYS,
    WINDOW_END,
    WINDOW_START,
    WINDOW_START_US,
    WINDOW_US,
    iso_us,
)

__all__ = [
    "CALL_COLUMNS",
    "MAX_SPANS",
    "MIN_SPANS",
    "PLANTS",
    "TOOL_COLUMNS",
    "WINDOW_END",
    "WINDOW_START",
    "generate",
    "iso_us",
    "parse_span_count",
]

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


# ----------------------------------------------------------------------------- entry point


def generate(out_dir: Path, spans: int = 5000, seed: int = 42,
             progress: Callable[[int], None] | None = None, plant: Iterable[str] = (),
             last_days: int | None = None) -> dict[str, Any]:
    """Write the demo span files and their truth under out_dir; return the manifest.

    plant: names from PLANTS; each adds runs with that known cost problem (see llm_cost/generate/plants.py).
    last_days: start every run within the window's last this many days (default: the whole window), e.g. 1 for what
    a scheduled run receives; the set is otherwise the same kind (shapes, schedule, delivery faults)."""
    plant = set(plant)
    if plant - set(PLANTS):
        raise ValueError(f"plant must name problems from {PLANTS}, got {sorted(plant - set(PLANTS))}")
    if isinstance(spans, bool) or not isinstance(spans, int) or not MIN_SPANS <= spans <= MAX_SPANS:
        raise ValueError(f"spans must be an integer from {MIN_SPANS} to {MAX_SPANS}, got {spans!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if last_days is not None and (isinstance(last_days, bool) or not isinstance(last_days, int)
                                  or not 1 <= last_days <= WINDOW_DAYS):
        raise ValueError(f"last_days must be an integer from 1 to {WINDOW_DAYS}, got {last_days!r}")
    out_dir = Path(out_dir)
    spans_dir, truth_dir, reports_dir = out_dir / "spans", out_dir / "truth", out_dir / "provider_reports"
    for d in (spans_dir, truth_dir, reports_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)

    g = Gen(FastRandom(seed))
    n_files = max(3, round(spans / SPANS_PER_FILE))
    per_file = math.ceil(spans / n_files)
    writer = Writer(spans_dir, n_files, per_file)
    delivery = Delivery(g, writer, max(200, min(4000, per_file)))
    truth = Truth(truth_dir)
    # the provider's view of the same calls, from a random stream of its own (the spans do not change)
    reports = ProviderReports(seed)

    planned = 0
    next_report = 100_000
    pending = list(SCHEDULE)
    span_budget = WINDOW_US - 3 * 3_600_000_000  # leave room for the last runs to finish
    # the first run's start after the window's: 0, or the first of the last days
    first_us = (WINDOW_DAYS - last_days) * DAY_US if last_days else 0

    def handle(event: str, frac: float) -> int:
        t0 = (WINDOW_START_US + first_us + int(min(frac, 0.999) * (span_budget - first_us))
              + g.rng.randint(0, 600_000_000))
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
        reports.add(run)
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
                    reports.add(run)
                    planned += delivery.add_run(run)
    delivery.finish()
    writer.close()
    truth.close()
    reports.write(reports_dir, truth_dir)

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
    if last_days:
        manifest["last_days"] = last_days
    if planted:
        manifest["planted"] = planted
    (truth_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
