"""Cost analytics behind the dbt Python models in python_models/: pandas in, pandas out.

Four questions, each a pure function of DataFrames and parameters (so pytest calls them directly):

- ``find_cost_anomalies``: which (day, feature) and (day, tenant) spent far above their trailing baseline?
- ``find_runaway_runs``: which runs cost many times their feature's median run, and which step and tool did it?
- ``find_cost_change_points``: where did cost per call step up or down, by agent version and by day?
- ``budget_status``: month-to-date and projected spend against ``seeds/budgets.csv``, with breaches.

Money stays exact: marts arrive as ``decimal.Decimal`` (``to_pandas`` goes through Arrow, because DuckDB's
``.df()`` turns DECIMAL into float64), sums, medians, jumps and limits are computed in Decimal, and only the
statistics (z-scores, ratios, utilisation) are floats. Output money columns are Arrow ``decimal128(38, 12)``,
the type of the marts' cost columns, so a model's dollars compare with the marts' to the last digit.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

MONEY = pa.decimal128(38, 12)
MONEY_QUANTUM = Decimal("1e-12")
ZERO = Decimal(0)
MAD_TO_SIGMA = 1.4826  # MAD x 1.4826 estimates the standard deviation of normal data
ALL = "(all)"  # scope_key of the whole organisation, agent_name of a change over all agents
WILDCARD = "*"  # budgets.csv: a row for every key of its scope
UNATTRIBUTED = "(unattributed)"  # the marts' value of an attribution no span gave

Schema = list[tuple[str, pa.DataType]]

# ----------------------------------------------------------------------------- frames


def to_pandas(relation: Any, columns: Sequence[str] | None = None, where: str | None = None,
              group_by: Sequence[str] | None = None, order_by: Sequence[str] | None = None,
              then_where: str | None = None, arrow_types: bool = False) -> pd.DataFrame:
    """A warehouse relation as pandas, the one place that knows the engine.

    columns, where (a SQL condition) and group_by are applied in the warehouse, before anything reaches
    pandas: with group_by, columns are SQL expressions (``"sum(cost_usd) as cost_usd"``) and the frame holds
    one row per group, so a model reads an aggregate whose size follows the keys, not the calls. order_by
    (column names) sorts the rows in the warehouse. then_where: a SQL condition over the projected columns (a
    window's result, say), applied in the warehouse after the projection.
    arrow_types: columns stay Arrow-typed in pandas (pd.ArrowDtype: a decimal is 16 bytes, not a Decimal object of
    about 100), for frames with a row per run: the Decimal of one value is made only when it is read.
    DuckDB: through Arrow, so DECIMAL arrives as Decimal (``.df()`` would give float64) and HUGEINT token
    sums as int64. Spark (dbt-bigquery Python models on Dataproc): ``.toPandas()``, which also gives Decimal.
    """
    if where:
        relation = relation.filter(where)  # a SQL condition string on both DuckDB and Spark
    if hasattr(relation, "toPandas"):
        if group_by:
            from pyspark.sql import functions as spark_functions  # only on Dataproc

            aggregates = [spark_functions.expr(c) for c in columns or [] if c not in group_by]
            relation = relation.groupBy(*group_by).agg(*aggregates)
            if columns:  # a group key not among the columns is a grouping only, as on DuckDB
                relation = relation.select(*[c for c in relation.columns if c not in group_by or c in columns])
        elif columns:
            relation = relation.selectExpr(*columns)
        if then_where:
            relation = relation.filter(then_where)
        return (relation.orderBy(*order_by) if order_by else relation).toPandas()
    if group_by:
        relation = relation.aggregate(", ".join(columns or group_by), ", ".join(group_by))
    elif columns:
        relation = relation.project(", ".join(columns))
    if then_where:
        relation = relation.filter(then_where)
    if order_by:
        relation = relation.order(", ".join(order_by))
    method = next((m for m in ("to_arrow_table", "fetch_arrow_table", "arrow") if hasattr(relation, m)), None)
    if method is None:  # DuckDB 2.0's name first, then older ones
        raise TypeError(f"to_pandas: not a DuckDB or Spark relation: {type(relation).__name__}")
    table = getattr(relation, method)()
    if isinstance(table, pa.RecordBatchReader):
        table = table.read_all()
    converted = [column.cast(pa.int64()) if pa.types.is_decimal(column.type) and column.type.scale == 0
                 else column for column in table.columns]  # token counts summed as HUGEINT: integers
    return pa.table(converted, names=table.column_names).to_pandas(types_mapper=pd.ArrowDtype if arrow_types else None)


def to_pandas_parts(relation: Any, columns: Sequence[str], where: str, part_by: str, rows_per_part: int,
                    arrow_types: bool = False) -> Iterator[pd.DataFrame]:
    """The relation's rows (where) as frames of about rows_per_part rows, read one at a time, every value of
    part_by wholly within one frame: a caller that works per value holds one part, not the whole relation.
    DuckDB: parts by hash of part_by (one count, then one filtered read per part). Spark: one part (the rows are
    on Dataproc's executors; the driver's frame is not held beside a warehouse in the same process)."""
    if hasattr(relation, "toPandas"):
        yield to_pandas(relation, columns, where, arrow_types=arrow_types)
        return
    selected = relation.filter(where)
    parts = max(1, -(-int(selected.aggregate("count(*)").fetchall()[0][0]) // rows_per_part))
    for part in range(parts):
        yield to_pandas(selected, columns, f"hash({part_by}) % {parts} = {part}", arrow_types=arrow_types)


SettingsT = TypeVar("SettingsT", bound="DataclassInstance")
NOT_SET = ("", "none", "null")


def settings_from(cls: type[SettingsT], **values: Any) -> SettingsT:
    """A settings dataclass from dbt config values (rendered YAML: often strings), converted to each field's
    type; a missing or blank value keeps the field's default."""
    kwargs = {}
    for f in fields(cls):
        raw = values.get(f.name)
        if raw is None or str(raw).strip().lower() in NOT_SET:
            continue
        if f.default is MISSING:  # the default's type is the conversion: every settings field has one
            raise TypeError(f"{cls.__name__}.{f.name}: a settings field needs a default")
        kind = type(f.default)
        try:
            kwargs[f.name] = kind(str(raw).strip()) if kind is not bool else str(raw).strip().lower() == "true"
        except (ValueError, InvalidOperation):
            raise ValueError(f"{cls.__name__}.{f.name}: expected {kind.__name__}, got {raw!r}") from None
    return cls(**kwargs)


def optional_day(value: Any) -> date | None:
    """A configured date, or None when unset (blank, 'None', 'null')."""
    if value is None or str(value).strip().lower() in NOT_SET:
        return None
    return as_day(value)


def money(value: Any) -> Decimal | None:
    """A dollar amount as a Decimal at the marts' scale (12 places); None stays None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(value).quantize(MONEY_QUANTUM, rounding=ROUND_HALF_EVEN)


def as_day(value: Any) -> date:
    """A date, a datetime, a pandas Timestamp or an ISO string as a date."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def typed_frame(rows: Sequence[dict[str, Any]], schema: Schema) -> pd.DataFrame:
    """Rows as a DataFrame with Arrow-backed columns of exactly the schema's types, even when empty."""
    data = {}
    for name, arrow_type in schema:
        values = [r.get(name) for r in rows]
        if not pa.types.is_floating(arrow_type):  # pandas' str columns give a missing value as NaN, not None
            values = [None if isinstance(v, float) and math.isnan(v) else v for v in values]
        if arrow_type == MONEY:
            values = [money(v) for v in values]
        data[name] = pd.array(values, dtype=pd.ArrowDtype(arrow_type))
    return pd.DataFrame(data)


def _median(values: Sequence[Decimal], floats: Any = None) -> Decimal:
    """The exact median (statistics.median's) of Decimals. `floats`: the values as float64, when the caller has
    them already."""
    approx = np.asarray(floats, dtype="float64") if floats is not None else np.fromiter(
        (float(v) for v in values), dtype="float64", count=len(values))
    return _median_from_floats(approx, lambda positions: [values[i] for i in positions])


def _median_from_floats(floats: np.ndarray, exact_at: Callable[[np.ndarray], list[Decimal]]) -> Decimal:
    """The exact median of values known as float64 (`floats`) and exactly, one at a time, as Decimals
    (`exact_at(positions)`), found without making or sorting every Decimal: float() keeps the order of Decimals
    (it is monotonic), so only the values whose float lies between the two middle floats are made and sorted."""
    n = len(floats)
    if n < 64:
        return statistics.median(exact_at(np.arange(n)))
    low, high = (n - 1) // 2, n // 2
    middle = np.partition(floats, [low, high])
    low_float, high_float = middle[low], middle[high]
    below = int(np.count_nonzero(floats < low_float))
    window = sorted(exact_at(np.flatnonzero((floats >= low_float) & (floats <= high_float))))
    if low == high:
        return window[low - below]
    return (window[low - below] + window[high - below]) / 2


def _ratio(numerator: Decimal, denominator: Decimal | None) -> float | None:
    if denominator is None or denominator == 0:
        return None
    return float(numerator / denominator)


def mann_whitney_z(before: Sequence[float] | np.ndarray, after: Sequence[float] | np.ndarray) -> float:
    """Normal approximation of the Mann-Whitney U statistic, tie-corrected; > 0 when `after` tends higher."""
    n1, n2 = len(before), len(after)
    ranks, tie_term = average_ranks(np.concatenate([np.asarray(before, dtype="float64"),
                                                    np.asarray(after, dtype="float64")]))
    return _z_from_rank_sum(n1, n2, float(ranks[n1:].sum()), tie_term)


def average_ranks(values: np.ndarray) -> tuple[np.ndarray, float]:
    """The 1-based ranks of `values` (finite floats), equal values sharing their mean rank (pandas'
    rank(method="average")), and the tie term sum(t^3 - t) over the groups of t equal values, from one sort (at 10M
    spans pandas' rank plus value_counts took a third of the change-point report's time). Ranks are half-integers,
    so their sums are exact in float64 below 2^53, whatever the order of summation."""
    order = np.argsort(values)  # equal values get the same rank whatever their order: no stable sort needed
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(values)))
    ranks = np.empty(len(values), dtype="float64")
    ranks[order] = np.repeat(starts + (counts + 1) / 2, counts)
    return ranks, float(((counts**3) - counts).sum())


def _z_from_rank_sum(n1: int, n2: int, rank_sum_after: float, tie_term: float) -> float:
    """Mann-Whitney z from the rank sum of `after` among all n1 + n2 values (average ranks, exact in float:
    they are half-integers), so every split of one ranked set costs O(1)."""
    n = n1 + n2
    if n1 == 0 or n2 == 0:
        return 0.0
    u_after = rank_sum_after - n2 * (n2 + 1) / 2
    variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    if variance <= 0:
        return 0.0
    return (u_after - n1 * n2 / 2) / math.sqrt(variance)


# ----------------------------------------------------------------------------- 1. cost anomalies

ANOMALY_SCHEMA: Schema = [
    ("day", pa.date32()),
    ("dimension", pa.string()),
    ("dimension_key", pa.string()),
    ("cost_usd", MONEY),
    ("runs", pa.int64()),
    ("calls", pa.int64()),
    ("baseline_days", pa.int64()),
    ("baseline_median_usd", MONEY),
    ("baseline_mad_usd", MONEY),
    ("robust_z", pa.float64()),
    ("jump_usd", MONEY),
    ("cost_ratio", pa.float64()),
]


# Settings dataclasses: the defaults are the dbt vars' defaults in dbt_project.yml.


@dataclass(frozen=True)
class AnomalySettings:
    window_days: int = 28  # trailing days in the baseline (the day itself excluded)
    min_history_days: int = 14  # a key needs this many baseline days before it is judged
    z_threshold: float = 5.0  # robust z-score at or above which a day is unusual
    min_ratio: float = 2.0  # and at least this multiple of the baseline median
    min_jump_usd: Decimal = Decimal("1.00")  # and at least this many dollars above it
    scale_floor_share: float = 0.1  # the z-score's scale is at least this share of the median...
    scale_floor_usd: float = 0.01  # ...and at least one cent, so a flat baseline cannot divide by zero


def _daily_series(daily: pd.DataFrame, key_column: str, last_day: date) -> dict[str, list[tuple[date, dict]]]:
    """Per key, every day from its first day to last_day (days without spend as zero)."""
    by_key: dict[str, dict[date, dict]] = {}
    for row in daily.itertuples(index=False):
        key = getattr(row, key_column)
        cost = row.cost_usd
        by_key.setdefault(key, {})[as_day(row.day)] = {
            "cost": ZERO if cost is None or pd.isna(cost) else Decimal(cost),
            "runs": int(row.runs), "calls": int(row.calls)}
    series: dict[str, list[tuple[date, dict]]] = {}
    empty = {"cost": ZERO, "runs": 0, "calls": 0}
    for key, days in by_key.items():
        day, out = min(days), []
        while day <= last_day:
            out.append((day, days.get(day, empty)))
            day += timedelta(days=1)
        series[key] = out
    return series


def find_cost_anomalies(feature_daily: pd.DataFrame, tenant_daily: pd.DataFrame,
                        settings: AnomalySettings = AnomalySettings()) -> pd.DataFrame:
    """One row per (day, dimension, key) whose spend is far above its trailing median.

    The baseline of a day is the `window_days` days before it (zero-spend days included); its median and MAD
    (median absolute deviation) are exact Decimals. robust_z = (cost - median) / max(1.4826 x MAD,
    scale_floor_share x median, scale_floor_usd), in float. A day is flagged when robust_z >= z_threshold,
    cost >= min_ratio x median and cost - median >= min_jump_usd: unusual, large relative to normal, and
    worth money. Only spikes are flagged: a quiet day is not a cost problem.
    """
    frames = [(f, k, d) for f, k, d in (("feature", "feature", feature_daily), ("tenant", "tenant_id", tenant_daily))
              if len(d)]
    if not frames:
        return typed_frame([], ANOMALY_SCHEMA)
    last_day = max(as_day(d) for _, _, frame in frames for d in frame["day"])
    rows: list[dict[str, Any]] = []
    for dimension, key_column, frame in frames:
        for key, series in _daily_series(frame, key_column, last_day).items():
            for i, (day, today) in enumerate(series):
                baseline = [v["cost"] for _, v in series[max(0, i - settings.window_days):i]]
                if len(baseline) < settings.min_history_days:
                    continue
                median = _median(baseline)
                mad = _median([abs(v - median) for v in baseline])
                cost = today["cost"]
                jump = cost - median
                scale = max(MAD_TO_SIGMA * float(mad), settings.scale_floor_share * float(median),
                            settings.scale_floor_usd)
                z = float(jump) / scale
                ratio = _ratio(cost, median)
                if (z >= settings.z_threshold and jump >= settings.min_jump_usd
                        and (ratio is None or ratio >= settings.min_ratio)):
                    rows.append({"day": day, "dimension": dimension, "dimension_key": key, "cost_usd": cost,
                                 "runs": today["runs"], "calls": today["calls"], "baseline_days": len(baseline),
                                 "baseline_median_usd": median, "baseline_mad_usd": mad, "robust_z": z,
                                 "jump_usd": jump, "cost_ratio": ratio})
    rows.sort(key=lambda r: (r["day"], r["dimension"], r["dimension_key"]))
    return typed_frame(rows, ANOMALY_SCHEMA)


# ----------------------------------------------------------------------------- 2. runaway runs

RUNAWAY_SCHEMA: Schema = [
    ("run_id", pa.string()),
    ("day", pa.date32()),
    ("started_at", pa.timestamp("us")),
    ("feature", pa.string()),
    ("tenant_id", pa.string()),
    ("root_agent_name", pa.string()),
    ("calls", pa.int64()),
    ("steps", pa.int64()),
    ("cost_usd", MONEY),
    ("feature_runs", pa.int64()),
    ("feature_median_run_cost_usd", MONEY),
    ("cost_multiple", pa.float64()),
    ("excess_cost_usd", MONEY),
    ("jump_agent_span_id", pa.string()),
    ("jump_step", pa.int64()),
    ("jump_prev_input_tokens", pa.int64()),
    ("jump_input_tokens", pa.int64()),
    ("jump_input_tokens_added", pa.int64()),
    ("jump_tool_name", pa.string()),
    ("top_tool_name", pa.string()),
    ("top_tool_invocations", pa.int64()),
    ("is_loop_suspected", pa.bool_()),
]


@dataclass(frozen=True)
class RunawaySettings:
    cost_multiple: float = 50.0  # a run costing more than this many times its feature's median run
    min_calls: int = 3  # a run of one or two calls is a big call, not a runaway loop (per-call budgets catch it)
    min_feature_runs: int = 10  # a feature needs this many priced runs for its median to mean something
    loop_min_repeats: int = 5  # one tool invoked this often in a run: a loop is suspected


def _step_jump(steps: pd.DataFrame) -> dict[str, Any]:
    """The step whose input tokens rose most over the previous step of the same agent span."""
    best: dict[str, Any] = {}
    for agent_span_id, group in steps.groupby("agent_span_id", sort=True):
        ordered = group.sort_values("step")
        previous = None
        for row in ordered.itertuples(index=False):
            tokens = int(row.input_tokens)
            if previous is not None:
                added = tokens - previous[1]
                if not best or added > best["jump_input_tokens_added"]:
                    best = {"jump_agent_span_id": agent_span_id, "jump_step": int(row.step),
                            "jump_prev_input_tokens": previous[1], "jump_input_tokens": tokens,
                            "jump_input_tokens_added": added, "_jump_started_at": row.started_at,
                            "_prev_started_at": previous[0]}
            previous = (row.started_at, tokens)
    return best


def find_runaway_runs(runs: pd.DataFrame, steps: pd.DataFrame, tools: pd.DataFrame,
                      settings: RunawaySettings = RunawaySettings()) -> pd.DataFrame:
    """One row per run costing more than `cost_multiple` x its feature's median run, with its explanation:
    ``flag_runaway_runs`` then ``explain_runaway_runs``."""
    return explain_runaway_runs(flag_runaway_runs(runs, settings), steps, tools, settings)


def feature_run_medians(costs: pd.DataFrame) -> dict[str, tuple[int, Decimal]]:
    """Per feature: its priced runs and their exact median cost, from (feature, cost_usd) rows of priced runs
    already sorted by feature then cost (the warehouse sorts: pandas only picks the middle rows)."""
    medians: dict[str, tuple[int, Decimal]] = {}
    for feature, group in costs.groupby("feature", sort=True):
        values = group["cost_usd"].tolist()
        n = len(values)
        medians[str(feature)] = (n, (Decimal(values[(n - 1) // 2]) + Decimal(values[n // 2])) / 2)
    return medians


def read_feature_run_medians(runs: Any) -> dict[str, tuple[int, Decimal]]:
    """``feature_run_medians`` of the priced runs in `runs` (fct_run_costs), with the warehouse numbering each
    feature's runs by cost: pandas reads the one or two middle runs of each feature, not every run."""
    numbered = ["feature", "cost_usd", "row_number() over (partition by feature order by cost_usd) as position",
                "count(*) over (partition by feature) as runs"]
    middle = to_pandas(runs, numbered, where=PRICED, order_by=["feature", "position"],
                       then_where="position in (floor((runs + 1) / 2), floor(runs / 2) + 1)")
    medians: dict[str, tuple[int, Decimal]] = {}
    for feature, group in middle.groupby("feature", sort=True):
        lower, upper = (Decimal(v) for v in group["cost_usd"].iloc[[0, -1]].tolist())
        medians[str(feature)] = (int(group["runs"].iloc[0]), (lower + upper) / 2)
    return medians


def runaway_thresholds(medians: dict[str, tuple[int, Decimal]],
                       settings: RunawaySettings = RunawaySettings()) -> dict[str, Decimal]:
    """The cost a run of each judged feature must exceed to be a runaway: `cost_multiple` x the feature's median
    (features with fewer than `min_feature_runs` priced runs, or a zero median, are not judged)."""
    multiple = Decimal(str(settings.cost_multiple))
    return {feature: median * multiple for feature, (runs, median) in medians.items()
            if runs >= settings.min_feature_runs and median > 0}


def runaway_candidates_sql(thresholds: dict[str, Decimal], settings: RunawaySettings = RunawaySettings()) -> str:
    """A SQL condition keeping the runs that may be runaways: enough calls, and a cost above the threshold of its
    feature rounded down to 12 decimals, the money scale (a superset: ``flag_runaway_runs`` compares exactly)."""
    if not thresholds:
        return "false"
    picodollar = Decimal("0.000000000001")
    above = " or ".join(
        "(feature = '" + feature.replace("'", "''") + "' and cost_usd > "
        + str(threshold.quantize(picodollar, rounding=ROUND_FLOOR)) + ")"
        for feature, threshold in sorted(thresholds.items()))
    return f"calls >= {int(settings.min_calls)} and ({above})"


def flag_runaway_runs(runs: pd.DataFrame, settings: RunawaySettings = RunawaySettings(),
                      medians: dict[str, tuple[int, Decimal]] | None = None) -> pd.DataFrame:
    """The priced runs costing more than `cost_multiple` x their feature's median run (exact Decimal, over
    every priced run of the feature), with feature_runs and feature_median_run_cost_usd. `medians`, when given
    (``feature_run_medians`` of every priced run), lets `runs` hold only the candidates."""
    priced = runs[runs["cost_usd"].notna()]
    if medians is None:
        costs = priced[["feature", "cost_usd"]].copy()
        costs["cost_usd"] = [Decimal(c) for c in costs["cost_usd"]]
        medians = feature_run_medians(costs.sort_values(["feature", "cost_usd"], kind="stable"))
    thresholds = runaway_thresholds(medians, settings)
    candidates = priced[priced["feature"].isin(list(thresholds))
                        & (priced["calls"].astype("int64") >= settings.min_calls)]
    keep = [Decimal(cost) > thresholds[feature]
            for feature, cost in zip(candidates["feature"], candidates["cost_usd"], strict=True)]
    flagged = candidates[pd.Series(keep, index=candidates.index, dtype=bool)].copy()
    flagged["feature_runs"] = [medians[f][0] for f in flagged["feature"]]
    flagged["feature_median_run_cost_usd"] = [medians[f][1] for f in flagged["feature"]]
    return flagged


def explain_runaway_runs(flagged: pd.DataFrame, steps: pd.DataFrame, tools: pd.DataFrame,
                         settings: RunawaySettings = RunawaySettings()) -> pd.DataFrame:
    """Flagged runs with what did it: the step where input tokens jumped most (fct_step_costs, per agent span,
    step to step), the tool that ran between that step and the one before it (fct_tool_costs), and the run's
    most repeated tool; a loop is suspected when that tool ran at least `loop_min_repeats` times. Steps and
    tools of other runs are ignored, so a caller may pass only the flagged runs' rows."""
    steps_by_run = {run_id: g for run_id, g in steps[steps["run_id"].isin(flagged["run_id"])].groupby(
        "run_id", sort=False)}
    tools_by_run = {run_id: g for run_id, g in tools[tools["run_id"].isin(flagged["run_id"])].groupby(
        "run_id", sort=False)}
    rows: list[dict[str, Any]] = []
    for run in flagged.itertuples(index=False):
        cost, median = Decimal(run.cost_usd), run.feature_median_run_cost_usd
        run_steps = steps_by_run.get(run.run_id, steps.iloc[0:0])
        run_tools = tools_by_run.get(run.run_id, tools.iloc[0:0])
        jump = _step_jump(run_steps)
        jump_tool = None
        if jump:
            between = run_tools[(run_tools["started_at"] >= jump["_prev_started_at"])
                                & (run_tools["started_at"] <= jump["_jump_started_at"])]
            if len(between):
                jump_tool = between.sort_values(["started_at", "tool_span_id"])["tool_name"].iloc[-1]
        counts = Counter(run_tools["tool_name"]) if len(run_tools) else Counter()
        top_tool, top_count = (min(counts.items(), key=lambda kv: (-kv[1], kv[0])) if counts else (None, 0))
        rows.append({
            "run_id": run.run_id, "day": as_day(run.day), "started_at": run.started_at, "feature": run.feature,
            "tenant_id": run.tenant_id, "root_agent_name": run.root_agent_name, "calls": int(run.calls),
            "steps": len(run_steps), "cost_usd": cost, "feature_runs": run.feature_runs,
            "feature_median_run_cost_usd": median, "cost_multiple": float(cost / median),
            "excess_cost_usd": cost - median,
            **{k: v for k, v in jump.items() if not k.startswith("_")},
            "jump_tool_name": jump_tool, "top_tool_name": top_tool, "top_tool_invocations": top_count,
            "is_loop_suspected": top_count >= settings.loop_min_repeats})
    rows.sort(key=lambda r: (-r["cost_usd"], r["run_id"]))
    return typed_frame(rows, RUNAWAY_SCHEMA)


def in_list(column: str, values: Iterable[str]) -> str:
    """A SQL condition `column in ('a', 'b')` (quotes doubled), 'false' for no values: filters a read to keys."""
    quoted = ["'" + str(v).replace("'", "''") + "'" for v in values]
    return f"{column} in ({', '.join(quoted)})" if quoted else "false"


# ----------------------------------------------------------------------------- 3. change points

CHANGE_SCHEMA: Schema = [
    ("change_kind", pa.string()),
    ("feature", pa.string()),
    ("agent_name", pa.string()),
    ("previous_version", pa.string()),
    ("agent_version", pa.string()),
    ("change_day", pa.date32()),
    ("runs_before", pa.int64()),
    ("runs_after", pa.int64()),
    ("median_cost_per_call_before_usd", MONEY),
    ("median_cost_per_call_after_usd", MONEY),
    ("cost_per_call_ratio", pa.float64()),
    ("mann_whitney_z", pa.float64()),
    ("direction", pa.string()),
    ("prompt_name", pa.string()),
    ("prompt_version", pa.string()),
]


@dataclass(frozen=True)
class ChangePointSettings:
    min_segment_runs: int = 20  # runs on each side of a candidate change
    min_segment_days: int = 3  # distinct days on each side of a candidate day
    min_ratio: float = 1.5  # median cost per call after / before (or before / after for a drop)
    min_z: float = 4.0  # |Mann-Whitney z| of the runs after against the runs before


AGENT_KEYS = ["feature", "agent_name", "agent_version"]
PROMPT_KEYS = ["feature", "prompt_name", "prompt_version"]
# the unit kinds of int_run_cost_units (a run's priced calls per kind and keys, summed in the warehouse as each batch
# arrives: models/intermediate/int_run_cost_units.sql) and the keys of each
UNIT_KEYS = {"feature": ["feature"], "agent": AGENT_KEYS, "prompt": PROMPT_KEYS}
UNIT_MEASURES = ["calls", "cost_usd", "started_at", "day"]
PRICED = "cost_usd is not null"


def run_cost_per_call(calls: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """One row per (run, *by): priced calls, their cost, cost per call, first start and day (pandas; the
    model computes the same aggregate in the warehouse and passes it to ``with_cost_per_call``)."""
    priced = calls[calls["cost_usd"].notna()]
    if priced.empty:
        return pd.DataFrame(columns=["run_id", *by, "calls", "cost_usd", COST_PER_CALL_FLOAT, "started_at", "day"])
    grouped = priced.groupby(["run_id", *by], sort=True, dropna=False).agg(
        calls=("cost_usd", "size"), cost_usd=("cost_usd", lambda s: sum(s, ZERO)),
        started_at=("started_at", "min"), day=("day", "min")).reset_index()
    return with_cost_per_call(grouped)


COST_PER_CALL_FLOAT = "_cost_per_call_float"


UNITS_PER_PART = 1_000_000  # about 120 MiB of pandas: what the change-point report holds at once


def read_run_unit_parts(units: Any, kind: str, units_per_part: int = UNITS_PER_PART) -> Iterator[pd.DataFrame]:
    """One kind of int_run_cost_units (``UNIT_KEYS``) as ``change_points_from_units`` reads it: a unit per
    (run, *keys) with its priced calls, cost, first start and day, run_id not read, Arrow-typed (about 120 bytes a
    run in memory, not 500); in parts of about units_per_part units, each feature's units in one part (every change
    is within a feature): the report's memory follows the part, not the history (at 30M spans, 4.6M units took
    850 MiB read whole)."""
    for part in to_pandas_parts(units, [*UNIT_KEYS[kind], *UNIT_MEASURES], f"unit_kind = '{kind}'", "feature",
                                units_per_part, arrow_types=True):
        yield with_cost_per_call(part)


def with_cost_per_call(units: pd.DataFrame) -> pd.DataFrame:
    """Run units (calls, cost_usd, started_at, day per run and keys) with their cost per call as float64 (the ranks
    and the medians' preselection work on it; the exact Decimal cost / calls is made only for the few units a
    median needs, so a frame of millions of runs holds no Decimal per row). The units' order does not matter:
    every statistic below is order-free (medians, ranks, per-day sums)."""
    units = units.reset_index(drop=True)
    units[COST_PER_CALL_FLOAT] = _cost_per_call_floats(units["cost_usd"], units["calls"].to_numpy(dtype="int64"))
    day_type = units["day"].dtype
    is_arrow_date = isinstance(day_type, pd.ArrowDtype) and pa.types.is_date(day_type.pyarrow_dtype)
    if not is_arrow_date and pd.api.types.infer_dtype(units["day"], skipna=False) != "date":
        units["day"] = [as_day(d) for d in units["day"]]  # already dates when read from the warehouse
    return units


def _cost_per_call_floats(costs: pd.Series, calls: np.ndarray) -> np.ndarray:
    """Each unit's cost / calls as the float64 nearest the exact quotient (correctly rounded, so equal quotients give
    equal floats and the order of the quotients is kept: the ranks are exact). An Arrow decimal column is read as its
    integers (cost x 10^scale): where that and calls x 10^scale are exact in float64 (below 2^53: a run under about
    $9,000 at scale 12), one float division is the correctly rounded quotient, for the whole column at once (at 10M
    spans, 2M units: 2 s of Decimal arithmetic otherwise). The rest, and Decimal objects (Spark), go through Python's
    integer division, also correctly rounded."""
    floats = np.full(len(costs), np.nan, dtype="float64")
    done = np.zeros(len(costs), dtype=bool)
    cost_type = costs.dtype.pyarrow_dtype if isinstance(costs.dtype, pd.ArrowDtype) else None
    if cost_type is not None and pa.types.is_decimal128(cost_type) and len(costs):
        array = pa.array(costs)  # one array, or a chunked one (a relation read in parts): made one
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array.null_count == 0:
            words = np.frombuffer(array.buffers()[1], dtype="<i8")[2 * array.offset:2 * (array.offset + len(array))]
            low, high = words[0::2], words[1::2]  # little-endian 128-bit two's complement
            limit = 2**53
            most_calls = limit // 10**cost_type.scale  # calls x 10^scale exact in float64 (and in int64)
            done = (((high == 0) & (low >= 0) & (low <= limit)) | ((high == -1) & (low < 0) & (low >= -limit))) \
                & (calls > 0) & (calls <= most_calls)
            floats[done] = low[done].astype("float64") / (calls[done] * 10**cost_type.scale).astype("float64")
    rest = np.flatnonzero(~done)
    for position, cost in zip(rest.tolist(), _decimals(costs.iloc[rest]), strict=True):
        numerator, denominator = cost.as_integer_ratio()
        floats[position] = numerator / (denominator * int(calls[position]))
    return floats


def _decimals(values: pd.Series, chunk: int = 65_536) -> Iterator[Decimal]:
    """A money column's values as Decimals, made a chunk at a time (an Arrow decimal column holds none)."""
    for start in range(0, len(values), chunk):
        for value in values.iloc[start:start + chunk].tolist():
            yield value if isinstance(value, Decimal) else Decimal(value)


def _median_cost_per_call(units: pd.DataFrame) -> Decimal:
    """The exact median of the units' cost / calls (Decimal, as statistics.median gives it)."""
    def exact_at(positions: np.ndarray) -> list[Decimal]:
        rows = units.iloc[positions]
        return [cost / int(n) for cost, n in zip(_decimals(rows["cost_usd"]), rows["calls"].tolist(), strict=True)]

    return _median_from_floats(units[COST_PER_CALL_FLOAT].to_numpy(dtype="float64"), exact_at)


def _compare(before: pd.DataFrame, after: pd.DataFrame, settings: ChangePointSettings) -> dict[str, Any] | None:
    """Medians, ratio and z of two segments of run-level cost per call; None when too small or no change."""
    if len(before) < settings.min_segment_runs or len(after) < settings.min_segment_runs:
        return None
    median_before, median_after = _median_cost_per_call(before), _median_cost_per_call(after)
    z = mann_whitney_z(before[COST_PER_CALL_FLOAT].to_numpy(dtype="float64"),
                       after[COST_PER_CALL_FLOAT].to_numpy(dtype="float64"))
    ratio = _ratio(median_after, median_before)
    return {"runs_before": len(before), "runs_after": len(after),
            "median_cost_per_call_before_usd": median_before, "median_cost_per_call_after_usd": median_after,
            "cost_per_call_ratio": ratio, "mann_whitney_z": z, "direction": "up" if z > 0 else "down"}


def _is_change(stats: dict[str, Any] | None, settings: ChangePointSettings) -> TypeGuard[dict[str, Any]]:
    if stats is None or abs(stats["mann_whitney_z"]) < settings.min_z:
        return False
    ratio = stats["cost_per_call_ratio"]
    if ratio is None:  # the earlier median is zero: any significant rise is a step
        return stats["direction"] == "up"
    return ratio >= settings.min_ratio or (ratio > 0 and 1 / ratio >= settings.min_ratio)


def _best_day_split(group: pd.DataFrame, settings: ChangePointSettings) -> dict[str, Any] | None:
    """The day splitting one feature's runs into before / from-that-day with the largest |z| (first on a tie).

    Before and after of every split together are the feature's runs, so they are ranked once and each
    split's z comes from a suffix sum of ranks (the same z as ``mann_whitney_z`` on the two segments, in
    O(days) instead of O(days x runs)); the medians are computed for the winning split only.
    """
    ranks, tie_term = average_ranks(group[COST_PER_CALL_FLOAT].to_numpy(dtype="float64"))
    # the day column as it is (Arrow-typed when read from the warehouse): a list of it is a Python date per run
    day_codes, days = pd.factorize(group["day"], sort=True)
    runs_per_day = np.bincount(day_codes, minlength=len(days))
    rank_sum_per_day = np.bincount(day_codes, weights=ranks, minlength=len(days))  # sums of half-integers: exact
    n = len(ranks)
    runs_after, rank_sum_after = n, float(ranks.sum())
    best: tuple[float, date] | None = None
    for i, (day, runs_on_day, rank_sum_on_day) in enumerate(
            zip(list(days), runs_per_day, rank_sum_per_day, strict=True)):
        if i >= settings.min_segment_days and len(days) - i >= settings.min_segment_days:
            runs_before = n - runs_after
            if runs_before >= settings.min_segment_runs and runs_after >= settings.min_segment_runs:
                z = _z_from_rank_sum(runs_before, runs_after, rank_sum_after, tie_term)
                if best is None or abs(z) > abs(best[0]):
                    best = (z, day)
        runs_after -= int(runs_on_day)
        rank_sum_after -= float(rank_sum_on_day)
    if best is None:
        return None
    split = best[1]
    stats = _compare(group[group["day"] < split], group[group["day"] >= split], settings)
    return {**stats, "change_day": split} if stats else None


def find_cost_change_points(calls: pd.DataFrame,
                            settings: ChangePointSettings = ChangePointSettings()) -> pd.DataFrame:
    """Step changes in cost per call from calls (fct_span_costs rows): see ``change_points_from_units``."""
    agents = calls[calls["agent_name"].notna() & calls["agent_version"].notna()]
    prompts = calls[calls["prompt_name"].notna() & calls["prompt_version"].notna()]
    return change_points_from_units(run_cost_per_call(agents, AGENT_KEYS), run_cost_per_call(calls, ["feature"]),
                                    settings, prompt_units=run_cost_per_call(prompts, PROMPT_KEYS))


def _version_changes(units: pd.DataFrame, name: str, version: str,
                     settings: ChangePointSettings) -> Iterator[tuple[str, str, str, str, Any, dict[str, Any]]]:
    """Per (feature, name): versions in order of first appearance, each against the one before it; yields
    (feature, name, previous version, version, the version's first day, stats) of each flagged change."""
    for (feature, key), group in units.groupby(["feature", name], sort=True):
        order = group.groupby(version)["started_at"].min().sort_values(kind="stable")
        for previous, current in itertools.pairwise(order.index):
            after = group[group[version] == current]
            stats = _compare(group[group[version] == previous], after, settings)
            if _is_change(stats, settings):
                yield feature, key, previous, current, min(after["day"]), stats


# a frame, or parts of it that each hold all units of their features
RunUnits: TypeAlias = pd.DataFrame | Iterable[pd.DataFrame]


def change_points_from_units(agent_units: RunUnits, feature_units: RunUnits,
                             settings: ChangePointSettings = ChangePointSettings(),
                             prompt_units: RunUnits | None = None) -> pd.DataFrame:
    """Step changes in cost per call: one row per flagged agent-version or prompt-version change and per flagged
    day.

    The unit is a run's cost per call (its priced calls' cost / their count): calls of one run share a model
    and a context, so they are not independent, and a long run must not outvote many short ones.
    agent_units: one row per (run, feature, agent_name, agent_version); feature_units: per (run, feature);
    prompt_units: per (run, feature, prompt_name, prompt_version). Each is a frame or parts of it
    (``read_run_unit_parts``), each part read when its changes are computed and freed after.

    - change_kind 'agent_version': per (feature, agent), versions in order of first appearance; each version
      against the one before it.
    - change_kind 'prompt_version': the same per (feature, prompt template).
    - change_kind 'day': per feature, every day that leaves `min_segment_days` days and `min_segment_runs` runs
      on each side splits the runs into before and from-that-day; the split with the largest |z| is kept.

    A change is flagged when |Mann-Whitney z| >= min_z and the medians differ by a factor >= min_ratio.
    """
    def agent_rows(units: pd.DataFrame) -> list[dict[str, Any]]:
        return [{"change_kind": "agent_version", "feature": feature, "agent_name": agent,
                 "previous_version": previous, "agent_version": version, "change_day": day, **stats}
                for feature, agent, previous, version, day, stats in _version_changes(
                    units, "agent_name", "agent_version", settings)]

    def prompt_rows(units: pd.DataFrame) -> list[dict[str, Any]]:
        return [{"change_kind": "prompt_version", "feature": feature, "agent_name": ALL,
                 "previous_version": previous, "prompt_name": prompt, "prompt_version": version,
                 "change_day": day, **stats}
                for feature, prompt, previous, version, day, stats in _version_changes(
                    units, "prompt_name", "prompt_version", settings)]

    def day_rows(units: pd.DataFrame) -> list[dict[str, Any]]:
        # the columns the statistics read only: every group is a copy of them
        day_columns = ["feature", "day", "calls", "cost_usd", COST_PER_CALL_FLOAT]
        found = []
        for feature, group in units[day_columns].groupby("feature", sort=True):
            best = _best_day_split(group, settings)
            if _is_change(best, settings):
                found.append({"change_kind": "day", "feature": feature, "agent_name": ALL,
                              "previous_version": None, "agent_version": None, **best})
        return found

    rows: list[dict[str, Any]] = []
    for find, units in ((agent_rows, agent_units), (prompt_rows, prompt_units), (day_rows, feature_units)):
        if units is not None:
            # map: no name holds a part past its own call, so one part is in memory at a time
            rows.extend(itertools.chain.from_iterable(map(find, [units] if isinstance(units, pd.DataFrame) else units)))
    rows.sort(key=lambda r: (r["change_kind"], r["feature"], r["agent_name"], r.get("prompt_name") or "",
                             r["change_day"]))
    return typed_frame(rows, CHANGE_SCHEMA)


# ----------------------------------------------------------------------------- 4. budgets

BUDGET_SCHEMA: Schema = [
    ("scope", pa.string()),
    ("scope_key", pa.string()),
    ("period", pa.string()),
    ("period_start", pa.date32()),
    ("period_end", pa.date32()),
    ("item_id", pa.string()),
    ("limit_usd", MONEY),
    ("budget_scope_key", pa.string()),
    ("budget_effective_from", pa.date32()),
    ("actual_usd", MONEY),
    ("projected_usd", MONEY),
    ("days_elapsed", pa.int64()),
    ("days_in_period", pa.int64()),
    ("utilization", pa.float64()),
    ("projected_utilization", pa.float64()),
    ("status", pa.string()),
    ("is_breach", pa.bool_()),
    ("budget_note", pa.string()),
    ("as_of", pa.date32()),
]
# the periods each scope's budgets may have: a session (conversation) is bounded by itself, so it has its own period
SCOPE_PERIODS = {"org": ("call", "run", "day", "month"), "feature": ("call", "run", "day", "month"),
                 "tenant": ("call", "run", "day", "month"), "user": ("call", "run", "day", "month"),
                 "session": ("call", "run", "session")}
SCOPES = tuple(SCOPE_PERIODS)
PERIODS = ("call", "run", "day", "month", "session")
# scopes with a key per user or conversation: too many keys to list each one's status, so only their breaches are rows
BREACHES_ONLY_SCOPES = ("user", "session")


@dataclass(frozen=True)
class Budget:
    scope: str
    scope_key: str
    period: str
    limit_usd: Decimal
    effective_from: date
    note: str


def read_budgets(frame: pd.DataFrame) -> list[Budget]:
    """budgets.csv rows, validated: a bad scope or period is an error, not a silently ignored row."""
    out = []
    for row in frame.itertuples(index=False):
        scope, period = str(row.scope).strip(), str(row.period).strip()
        if scope not in SCOPES or period not in SCOPE_PERIODS[scope]:
            allowed = "; ".join(f"{s}: {', '.join(p)}" for s, p in SCOPE_PERIODS.items())
            raise ValueError(f"budgets.csv: scope and period must be one of ({allowed}), got {scope!r}, {period!r}")
        key = WILDCARD if scope == "org" else str(row.scope_key).strip()
        try:
            limit = Decimal(str(row.limit_usd).strip())
        except InvalidOperation:
            limit = Decimal("NaN")
        if not limit.is_finite() or limit < 0:
            raise ValueError(f"budgets.csv: limit_usd must be a non-negative number, got {row.limit_usd!r}")
        note = "" if row.note is None or pd.isna(row.note) else str(row.note)
        out.append(Budget(scope, key, period, limit, as_day(row.effective_from), note))
    return out


class BudgetBook:
    """Which budget applies: the key's own row over the '*' row; among those, the latest effective_from on or
    before the window's first day (or the call's or run's day)."""

    def __init__(self, budgets: Iterable[Budget]) -> None:
        self.rows: dict[tuple[str, str, str], list[Budget]] = {}
        for b in budgets:
            self.rows.setdefault((b.scope, b.scope_key, b.period), []).append(b)
        for rows in self.rows.values():
            rows.sort(key=lambda b: b.effective_from)

    def periods(self, scope: str) -> set[str]:
        return {p for (s, _, p) in self.rows if s == scope}

    def lookup(self, scope: str, key: str, period: str, on: date) -> Budget | None:
        for k in (key, WILDCARD):
            live = [b for b in self.rows.get((scope, k, period), []) if b.effective_from <= on]
            if live:
                return live[-1]
        return None


def _month_end(day: date) -> date:
    first_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next - timedelta(days=1)


def _budget_row(scope: str, key: str, period: str, start: date, end: date, item: str | None,
                budget: Budget | None, actual: Decimal, projected: Decimal, elapsed: int, length: int) -> dict:
    limit = budget.limit_usd if budget else None
    if limit is None:
        status = "no_budget"
    elif actual > limit:
        status = "breached"
    elif projected > limit:
        status = "projected_breach"
    else:
        status = "ok"
    return {"scope": scope, "scope_key": key, "period": period, "period_start": start, "period_end": end,
            "item_id": item, "limit_usd": limit, "budget_scope_key": budget.scope_key if budget else None,
            "budget_effective_from": budget.effective_from if budget else None, "actual_usd": actual,
            "projected_usd": projected, "days_elapsed": elapsed, "days_in_period": length,
            "utilization": _ratio(actual, limit), "projected_utilization": _ratio(projected, limit),
            "status": status, "is_breach": status in ("breached", "projected_breach"),
            "budget_note": budget.note if budget else None}


def _known_key(key: Any) -> bool:
    return key is not None and not pd.isna(key) and key != UNATTRIBUTED


def _daily_spend(daily: pd.DataFrame, key_column: str, as_of: date,
                 known_keys_only: bool = False) -> dict[str, dict[date, Decimal]]:
    """Spend per key and day through as_of; known_keys_only: without the rows of no user or conversation."""
    spend: dict[str, dict[date, Decimal]] = {}
    for key, day, cost in zip(daily[key_column], daily["day"], daily["cost_usd"], strict=True):
        day = as_day(day)
        if day <= as_of and cost is not None and not pd.isna(cost) and (not known_keys_only or _known_key(key)):
            per_day = spend.setdefault(key, {})
            per_day[day] = per_day.get(day, ZERO) + Decimal(cost)
    return spend


@dataclass(frozen=True)
class BudgetSettings:
    run_rate_days: int = 7  # the month-end projection's run rate: average daily spend of this many days


def budget_status(feature_daily: pd.DataFrame, tenant_daily: pd.DataFrame, runs: pd.DataFrame,
                  calls: pd.DataFrame, budgets: pd.DataFrame, as_of: date | None = None,
                  run_rate_days: int = BudgetSettings.run_rate_days, user_daily: pd.DataFrame | None = None,
                  session_totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Spend against budgets.csv, for the organisation, every feature and every tenant, and the breaches of
    users (hashed) and sessions (conversations).

    - period 'month': one row per month and key (org, every feature, every tenant), budget or not:
      month-to-date spend through `as_of` and a month-end projection = spent + run rate x days left, the run
      rate being the average daily spend of the `run_rate_days` days up to `as_of`, or of the days since the
      key's first spend when that is later (days without spend count as zero). Closed months project to what
      they spent.
    - period 'day': one row per day and key that has a daily budget, from the key's first day to `as_of`.
    - periods 'call' and 'run': only the calls (item_id = span_id) and runs (item_id = run_id) over their limit.
      `calls` and `runs` may hold only the items above the smallest call or run limit (the model filters in
      the warehouse).

    - scopes 'user' (user_daily: user_hash, day, cost_usd) and 'session' (session_totals: conversation_id,
      first_day, last_day, cost_usd through `as_of`, from ``read_session_totals``): only rows that breach or are
      projected to; period 'session' is a conversation's spend from its first day through `as_of`, checked
      against the budget in force on its first day.

    Daily spend comes from the daily marts (the organisation's = the features' sum, which the marts'
    conservation tests tie to the calls). status: breached (spent > limit), projected_breach (projection >
    limit), ok, or no_budget. `as_of` defaults to the last day with spend; later days are not looked at.
    """
    book = BudgetBook(read_budgets(budgets))
    as_of = budget_as_of(feature_daily, tenant_daily, as_of)
    if as_of is None:
        return typed_frame([], BUDGET_SCHEMA)
    org_daily = feature_daily.assign(org=ALL)
    spend_by_scope = {"org": _daily_spend(org_daily, "org", as_of),
                      "feature": _daily_spend(feature_daily, "feature", as_of),
                      "tenant": _daily_spend(tenant_daily, "tenant_id", as_of)}
    if user_daily is not None:
        spend_by_scope["user"] = _daily_spend(user_daily, "user_hash", as_of, known_keys_only=True)
    rate_days = [as_of - timedelta(days=i) for i in range(run_rate_days)]
    rows: list[dict[str, Any]] = []
    for scope, per_key in spend_by_scope.items():
        for key, spend in sorted(per_key.items()):
            recent = [d for d in rate_days if d >= min(spend)]  # a key younger than the window: its own days
            run_rate = sum((spend.get(d, ZERO) for d in recent), ZERO) / len(recent)
            for start in sorted({d.replace(day=1) for d in spend}):
                end = _month_end(start)
                spent = sum((c for d, c in spend.items() if start <= d <= end), ZERO)
                open_month = as_of < end
                elapsed = (min(as_of, end) - start).days + 1
                projected = spent + run_rate * (end - as_of).days if open_month else spent
                row = _budget_row(scope, key, "month", start, end, None, book.lookup(scope, key, "month", start),
                                  spent, projected, elapsed, (end - start).days + 1)
                if row["is_breach"] or scope not in BREACHES_ONLY_SCOPES:
                    rows.append(row)
            if "day" in book.periods(scope):
                first = min(spend)
                for offset in range((as_of - first).days + 1):
                    day = first + timedelta(days=offset)
                    budget = book.lookup(scope, key, "day", day)
                    if budget is not None:
                        cost = spend.get(day, ZERO)
                        row = _budget_row(scope, key, "day", day, day, None, budget, cost, cost, 1, 1)
                        if row["is_breach"] or scope not in BREACHES_ONLY_SCOPES:
                            rows.append(row)
    if session_totals is not None and "session" in book.periods("session"):
        for key, first_day, last_day, cost in sorted(zip(
                session_totals["conversation_id"], session_totals["first_day"], session_totals["last_day"],
                session_totals["cost_usd"], strict=True), key=lambda row: row[0]):
            if not _known_key(key) or cost is None or pd.isna(cost):
                continue
            first, last, spent = as_day(first_day), as_day(last_day), Decimal(cost)
            budget = book.lookup("session", key, "session", first)
            if budget is not None and spent > budget.limit_usd:
                rows.append(_budget_row("session", key, "session", first, last, None, budget, spent, spent,
                                        (last - first).days + 1, (last - first).days + 1))

    key_column = {"org": None, "feature": "feature", "tenant": "tenant_id", "user": "user_hash",
                  "session": "conversation_id"}
    for period, items, id_column in (("call", calls, "span_id"), ("run", runs, "run_id")):
        for scope, column in key_column.items():
            if period not in book.periods(scope):
                continue
            if column and column not in items:
                raise ValueError(f"budgets.csv has {scope} {period} budgets, but the {period}s read have no {column}")
            for item_id, key, day, cost in zip(items[id_column], items[column] if column else [ALL] * len(items),
                                               items["day"], items["cost_usd"], strict=True):
                day = as_day(day)
                if cost is None or pd.isna(cost) or day > as_of:
                    continue
                if scope in BREACHES_ONLY_SCOPES and not _known_key(key):  # no user or conversation: no budget
                    continue
                budget = book.lookup(scope, key, period, day)
                if budget is not None and Decimal(cost) > budget.limit_usd:
                    rows.append(_budget_row(scope, key, period, day, day, item_id, budget, Decimal(cost),
                                            Decimal(cost), 1, 1))
    order = {p: i for i, p in enumerate(PERIODS)}
    rows.sort(key=lambda r: (order[r["period"]], r["scope"], r["scope_key"], r["period_start"], r["item_id"] or ""))
    return typed_frame([{**r, "as_of": as_of} for r in rows], BUDGET_SCHEMA)


def budget_as_of(feature_daily: pd.DataFrame, tenant_daily: pd.DataFrame, as_of: Any = None) -> date | None:
    """The day budget_status stops at: `as_of` when set, else the last day with spend (None: no spend at all)."""
    if as_of:
        return as_day(as_of)
    days = [as_day(d) for d in [*feature_daily["day"], *tenant_daily["day"]]]
    return max(days) if days else None


def read_session_totals(span_costs: Any, budgets: pd.DataFrame, as_of: date) -> pd.DataFrame | None:
    """Each conversation's first and last day and spend through `as_of`, for the session budgets, summed in the
    warehouse and only for the conversations over the smallest session limit (no other can breach one: a history
    of millions of conversations stays there). None when budgets.csv has no session budget."""
    limit = smallest_limit(budgets, "session")
    if limit is None:
        return None
    return to_pandas(
        span_costs,
        ["conversation_id", "min(day) as first_day", "max(day) as last_day", "coalesce(sum(cost_usd), 0) as cost_usd"],
        where=f"conversation_id <> '{UNATTRIBUTED}' and day <= date '{as_of.isoformat()}'",
        group_by=["conversation_id"], then_where=f"cost_usd > {limit}")


def has_scope(budgets: pd.DataFrame, scope: str) -> bool:
    """Whether budgets.csv has a row of the scope (the model reads users' or sessions' spend only then)."""
    return any(b.scope == scope for b in read_budgets(budgets))


def smallest_limit(budgets: pd.DataFrame, period: str) -> Decimal | None:
    """The lowest limit of a period ('call', 'run' or 'session') in budgets.csv: only items above it can breach one
    (None: no budget of that period)."""
    limits = [b.limit_usd for b in read_budgets(budgets) if b.period == period]
    return min(limits) if limits else None


def over_smallest_limit(budgets: pd.DataFrame, period: str) -> str:
    """A SQL condition keeping the calls or runs that can breach a budget of the period: filters in the warehouse."""
    limit = smallest_limit(budgets, period)
    return f"cost_usd > {limit}" if limit is not None else "false"
