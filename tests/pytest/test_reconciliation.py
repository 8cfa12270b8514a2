"""rpt_invoice_reconciliation on the demo set (README "Reconciliation"): the generator writes provider reports for the
demo's OpenAI and Anthropic calls plus some uninstrumented ones (llm_cost/generate/reports.py) and their truth; the
built mart must give back the reports' totals exactly, the spans' totals on the attributed side, the expected
coverage, the price of the uninstrumented calls as the unattributed cost, and the one deliberate drift.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dbt_runner import PROJECT_DIR, DbtProject
from llm_cost.summary import build_summary
from reference_pricing import Call, PriceBook

BUCKETS = ["uncached_input", "cache_read", "cache_write", "cache_write_1h", "output"]
PROVIDERS = ["openai", "anthropic"]


@pytest.fixture(scope="module")
def truth(demo_set: Path) -> dict[str, Any]:
    return dict(json.loads((demo_set / "truth" / "provider_reports.json").read_text()))


def _by_provider(built: DbtProject, columns: list[str]) -> dict[str, tuple[Any, ...]]:
    sums = ", ".join(f"sum({c})" for c in columns)
    return {row[0]: row[1:] for row in built.query(
        f"select provider, {sums} from rpt_invoice_reconciliation group by provider")}


def test_provider_side_equals_the_generated_reports(built: DbtProject, truth: dict[str, Any]) -> None:
    columns = [f"provider_{b}_tokens" for b in BUCKETS] + ["provider_tokens", "provider_requests", "provider_cost_usd"]
    actual = _by_provider(built, columns)
    assert set(actual) == set(PROVIDERS)
    for p in PROVIDERS:
        expected = truth["providers"][p]
        row = dict(zip(columns, actual[p], strict=True))
        for b in BUCKETS:
            assert row[f"provider_{b}_tokens"] == expected["provider"][b], (p, b)
        assert row["provider_tokens"] == expected["provider_tokens"], p
        # Anthropic's usage report has no request count
        assert row["provider_requests"] == (expected["provider"]["requests"] if p == "openai" else None), p
        assert row["provider_cost_usd"] == Decimal(expected["provider_cost_usd"]), p


def test_attributed_side_equals_the_span_costs(built: DbtProject) -> None:
    columns = ["attributed_calls", *(f"attributed_{b}_tokens" for b in BUCKETS), "attributed_cost_usd"]
    actual = _by_provider(built, columns)
    spans = {row[0]: row[1:] for row in built.query(
        "select provider, count(*), " + ", ".join(f"sum({b}_tokens)" for b in BUCKETS) + ", sum(cost_usd)"
        " from fct_span_costs where provider in ('openai', 'anthropic') group by provider")}
    assert actual == spans


def test_coverage_is_the_expected_share(built: DbtProject, truth: dict[str, Any]) -> None:
    actual = _by_provider(built, ["attributed_tokens", "provider_tokens"])
    for p in PROVIDERS:
        attributed, provider = actual[p]
        expected = truth["providers"][p]
        assert (attributed, provider) == (expected["traced_tokens"], expected["provider_tokens"]), p
        assert attributed / provider == pytest.approx(expected["expected_coverage"], abs=1e-12), p
        assert 0.85 < attributed / provider < 0.98, p  # the uninstrumented share shows
    # the demo adds calls on the provider side only: no bucket is over-attributed, every day has a report
    flags = built.query("select count(*) filter (where is_over_attributed),"
                        " count(*) filter (where not has_provider_usage) from rpt_invoice_reconciliation")
    assert flags == [(0, 0)]


def test_unattributed_cost_is_our_price_of_the_uninstrumented_calls(built: DbtProject, demo_set: Path) -> None:
    book = PriceBook(PROJECT_DIR / "seeds" / "model_prices.csv")
    expected = dict.fromkeys(PROVIDERS, Decimal(0))
    tokens = dict.fromkeys(PROVIDERS, 0)
    with open(demo_set / "truth" / "uninstrumented_calls.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            call = Call(r["provider"], r["model"], r["service_tier"],
                        datetime.fromisoformat(r["started_at"].replace("Z", "+00:00")),
                        int(r["uncached_input_tokens"]), int(r["cache_read_tokens"]), int(r["cache_write_tokens"]),
                        int(r["cache_write_1h_tokens"]), int(r["output_tokens"]), int(r["reasoning_tokens"]))
            cost = book.cost(call)
            assert cost is not None, r
            # the provider does not split reasoning off output: the mart prices it as output (same rate here)
            expected[call.provider] += cost
            tokens[call.provider] += sum(int(r[f"{b}_tokens"]) for b in BUCKETS)
    actual = _by_provider(built, ["unattributed_tokens", "unattributed_cost_usd"])
    for p in PROVIDERS:
        assert actual[p][0] == tokens[p] > 0, p
        assert actual[p][1] == expected[p], p


def test_price_drift_is_the_deliberate_one(built: DbtProject, truth: dict[str, Any]) -> None:
    drift = truth["drift"]
    rows = built.query("select cast(day as varchar), provider, model, price_drift_usd from rpt_invoice_reconciliation"
                       " where price_drift_usd <> 0")
    assert len(rows) == 1
    day, provider, _model, amount = rows[0]
    assert (day, provider) == (drift["day"], drift["provider"])
    assert amount == Decimal(drift["amount_usd"]) > 0
    # every model and day with usage has both a provider cost and our price of its tokens
    missing = built.query("select count(*) from rpt_invoice_reconciliation"
                          " where provider_cost_usd is null or our_price_on_provider_tokens_usd is null")
    assert missing == [(0,)]


def test_summary_prints_coverage_per_provider(built: DbtProject, truth: dict[str, Any]) -> None:
    text = build_summary(built.duckdb_path)
    assert "Coverage" in text
    section = text[text.index("Coverage"):]
    for p in PROVIDERS:
        expected = truth["providers"][p]
        assert f"{100 * expected['expected_coverage']:.1f}%" in section, (p, section)
        assert f"{expected['provider_tokens']:,}" in section
