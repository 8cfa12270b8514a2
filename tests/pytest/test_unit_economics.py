"""Unit economics on the built demo: fct_run_cost_tails_daily (README "Run cost tails"), every percentile equal to an
independent nearest-rank computation in Python over fct_run_costs, exactly (Decimal), per (day, feature) and (day,
root agent); rpt_model_swap_savings (README "Model-swap what-if"), the shipped swaps' candidate cost equal to an
independent price lookup (tests/pytest/reference_pricing.py) of the same calls' tokens.
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
