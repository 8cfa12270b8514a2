"""fct_run_cost_tails_daily on the built demo (README "Run cost tails"): every percentile equals an independent
nearest-rank computation in Python over fct_run_costs, exactly (Decimal), per (day, feature) and (day, root agent).
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from dbt_runner import DbtProject

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
        costs, effective, calls = ([r[i] for r in runs] for i in range(3))
        expected = [len(runs), (sum(costs) / len(runs)).quantize(Decimal("1e-12"), rounding="ROUND_FLOOR")]
        for values in (costs, effective, calls):
            expected += [nearest_rank(values, p) for p in PERCENTILES]
        assert list(actual[key]) == expected, key
        checked_tails += nearest_rank(costs, 95) != nearest_rank(costs, 50)
    # the demo has days whose tail differs from the median, so the percentiles were really told apart
    assert checked_tails > 0
