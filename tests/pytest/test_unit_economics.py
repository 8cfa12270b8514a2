"""Unit economics on the built demo: fct_run_cost_tails_daily (README "Run cost tails"), every percentile equal to an
independent nearest-rank computation in Python over fct_run_costs, exactly (Decimal), per (day, feature) and (day,
root agent); rpt_model_swap_savings (README "Model-swap what-if"), the shipped swaps' candidate cost equal to an
independent price lookup (tests/pytest/reference_pricing.py) of the same calls' tokens; rpt_tenant_margins_monthly
(README "Margins") equal to the plans seed applied in Python.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from typing import Any

from dbt_runner import PROJECT_DIR, DbtProject
from reference_pricing import Call, PriceBook

PERCENTILES = (50, 95, 99)


def nearest_rank(values: list[Any], p: int) -> Any:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered) / 100) - 1]


def test_tails_equal_an_independent_nearest_rank_computation(built: DbtProject) -> None:
    groups: dict[tuple[Any, str, str], list[tuple[Decimal, Decimal, int]]] = defaultdict(list)
    for day, feature, agent, cost, effective, calls in built.query(
            "select day, feature, coalesce(root_agent_name, '(no agent)'), cost_usd, effective_cost_usd, calls "
            "from fct_run_costs"):
        groups[(day, "feature", feature)].append((cost, effective, calls))
        groups[(day, "agent", agent)].append((cost, effective, calls))
    columns = ["runs", "mean_run_cost_usd"] + [f"p{p}_{m}" for m in ("run_cost_usd", "effective_run_cost_usd",
                                                                    "calls_per_run") for p in PERCENTILES]
    actual = {(r[0], r[1], r[2]): r[3:] for r in built.query(
        f"select day, dimension, dimension_value, {', '.join(columns)} from fct_run_cost_tails_daily")}
    assert set(actual) == set(groups)
    checked_tails = 0
    for key, runs in groups.items():
        costs = [r[0] for r in runs]
        effective = [r[1] for r in runs]
        calls = [r[2] for r in runs]
        mean = sum(costs, Decimal(0)) / len(runs)
        expected: list[Any] = [len(runs), mean.quantize(Decimal("1e-12"), rounding="ROUND_FLOOR")]
        for values in (costs, effective, calls):
            expected += [nearest_rank(values, p) for p in PERCENTILES]
        assert list(actual[key]) == expected, key
        checked_tails += nearest_rank(costs, 95) != nearest_rank(costs, 50)
    # the demo has days whose tail differs from the median, so the percentiles were really told apart
    assert checked_tails > 0


def test_model_swaps_price_the_same_tokens_at_the_candidate(built: DbtProject) -> None:
    book = PriceBook(PROJECT_DIR / "seeds" / "model_prices.csv")
    with open(PROJECT_DIR / "seeds" / "model_swaps.csv", newline="") as f:
        swaps = list(csv.DictReader(f))
    assert swaps, "the demo ships candidate swaps"
    actual = {r[0]: r[1:] for r in built.query(
        "select swap_id, sum(compared_calls), sum(actual_cost_usd), sum(candidate_cost_usd), "
        "sum(estimated_saving_usd) from rpt_model_swap_savings group by swap_id")}
    for swap in swaps:
        scope = [f"provider = '{swap['from_provider']}'", f"priced_model = '{swap['from_model']}'", "is_priced"]
        scope += [f"{column} = '{swap[column]}'" for column in ("feature", "agent_name") if swap[column]]
        scope += [f"step = {int(swap['step'])}"] if swap["step"] else []
        calls = built.query(
            "select service_tier, started_at, uncached_input_tokens, cache_read_tokens, cache_write_tokens, "
            f"cache_write_1h_tokens, output_tokens, cost_usd from fct_span_costs where {' and '.join(scope)}")
        assert calls, swap["swap_id"]
        candidate = actual_cost = Decimal(0)
        for tier, started_at, uncached, read, write, write_1h, output, cost in calls:
            # the report prices output at the output rate, reasoning included (as a provider report would)
            price = book.cost(Call(swap["to_provider"], swap["to_model"], tier, started_at.replace(tzinfo=UTC),
                                   uncached, read, write, write_1h, output, 0))
            assert price is not None, (swap["swap_id"], started_at)
            candidate += price
            actual_cost += cost
        assert actual[swap["swap_id"]] == (len(calls), actual_cost, candidate, actual_cost - candidate), swap


def test_margins_equal_an_independent_computation_from_the_plans_seed(built: DbtProject) -> None:
    """rpt_tenant_margins_monthly (README "Margins") against the seed read in Python: each row's revenue (the fee in
    force on the month's first day, runs and calls at the price of their day), costs, margin and the features whose
    cost per call is above the revenue per call, exactly; the demo's starter tenant hooli costs more than it pays."""
    with open(PROJECT_DIR / "seeds" / "tenant_plans.csv", newline="", encoding="utf-8") as fh:
        plans = sorted(csv.DictReader(fh), key=lambda r: r["effective_from"])

    def price(tenant: str, unit: str, day: Any) -> tuple[str, Decimal] | None:
        rows = [r for r in plans if (r["tenant_id"], r["unit"]) == (tenant, unit) and r["effective_from"] <= str(day)]
        return (rows[-1]["plan"], Decimal(rows[-1]["price_usd"])) if rows else None

    calls: dict[tuple[Any, str], list[tuple[Any, str, Decimal]]] = defaultdict(list)
    for day, tenant, feature, cost in built.query("select day, tenant_id, feature, effective_cost_usd "
                                                  "from fct_span_costs"):
        calls[(day.replace(day=1), tenant)].append((day, feature, cost or Decimal(0)))  # unpriced: no cost, a call
    runs: dict[tuple[Any, str], list[Any]] = defaultdict(list)
    for day, tenant in built.query("select day, tenant_id from fct_run_costs"):
        runs[(day.replace(day=1), tenant)].append(day)
    expected = {}
    for (month, tenant), month_calls in calls.items():
        fee = price(tenant, "month", month)
        run_prices = [price(tenant, "run", d) for d in runs[(month, tenant)]]
        call_prices = [price(tenant, "call", d) for d, _, _ in month_calls]
        priced = [p for p in [fee, *run_prices, *call_prices] if p]
        revenue = sum((p for _, p in priced), Decimal(0)) if priced else None
        cost = sum((c for _, _, c in month_calls), Decimal(0))
        features: dict[str, list[Decimal]] = defaultdict(list)
        for _, feature, c in month_calls:
            features[feature].append(c)
        over = sorted(f for f, costs in features.items()
                      if revenue is not None and sum(costs) * len(month_calls) > revenue * len(costs))
        margin = None if revenue is None else revenue - cost
        expected[(month, tenant)] = (revenue, cost, margin, ", ".join(over) or None)
    actual = {(m, t): (rev, cost, margin, over) for m, t, rev, cost, margin, over in built.query(
        "select month, tenant_id, revenue_usd, effective_cost_usd, margin_usd, features_over_plan "
        "from rpt_tenant_margins_monthly")}
    assert actual == expected  # every demo tenant with a plan has calls in both months: no fee-only rows
    assert all(margin < 0 for (_, tenant), (_, _, margin, _) in actual.items() if tenant == "hooli")
