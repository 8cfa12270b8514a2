"""The pure functions behind python_models/ (llm_cost/analytics.py), on small hand-made frames."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from llm_cost import analytics as a

D = Decimal
DAY0 = date(2025, 6, 1)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def daily(key_column: str, spend: dict[str, list[str]], first: int = 0) -> pd.DataFrame:
    """A daily mart: one row per (day, key) with the given spend; '' = no row that day."""
    rows = [{"day": day(first + i), key_column: key, "cost_usd": D(c), "runs": 1, "calls": 2}
            for key, values in spend.items() for i, c in enumerate(values) if c != ""]
    return pd.DataFrame(rows, columns=["day", key_column, "cost_usd", "runs", "calls"])


NO_TENANTS = daily("tenant_id", {})


# ----------------------------------------------------------------------------- helpers


def test_to_pandas_keeps_decimals_exact_and_token_sums_integer() -> None:
    con = duckdb.connect()
    rel = con.sql("select 0.100000000001::decimal(38,12) as cost_usd, 12::hugeint as tokens, 'x' as k, "
                  "date '2025-06-01' as day")
    frame = a.to_pandas(rel, columns=["cost_usd", "tokens", "day"], where="tokens > 1")
    assert list(frame.columns) == ["cost_usd", "tokens", "day"]
    assert frame["cost_usd"][0] == D("0.100000000001")  # .df() would have given a float
    assert frame["tokens"].dtype == "int64"
    assert a.to_pandas(rel, where="tokens > 100").empty


def test_typed_frame_has_the_schema_even_when_empty_and_rounds_money_to_the_marts_scale() -> None:
    empty = a.typed_frame([], a.ANOMALY_SCHEMA)
    assert list(empty.columns) == [n for n, _ in a.ANOMALY_SCHEMA]
    assert empty["cost_usd"].dtype == pd.ArrowDtype(pa.decimal128(38, 12))
    one = a.typed_frame([{"cost_usd": D(1) / D(3)}], [("cost_usd", a.MONEY)])
    assert one["cost_usd"].tolist() == [D("0.333333333333")]
    con = duckdb.connect()
    con.register("one", one)
    assert con.execute("select typeof(cost_usd) from one").fetchone() == ("DECIMAL(38,12)",)


def test_settings_from_converts_rendered_yaml_values_and_keeps_defaults() -> None:
    s = a.settings_from(a.AnomalySettings, window_days="21", z_threshold=3.5, min_jump_usd="2.50",
                        min_ratio="None", min_history_days="")
    assert (s.window_days, s.z_threshold, s.min_jump_usd) == (21, 3.5, D("2.50"))
    assert s.min_ratio == a.AnomalySettings().min_ratio and s.min_history_days == a.AnomalySettings().min_history_days
    with pytest.raises(ValueError, match="window_days"):
        a.settings_from(a.AnomalySettings, window_days="two weeks")
    assert a.optional_day("None") is None and a.optional_day("2025-06-30") == date(2025, 6, 30)


def test_mann_whitney_z_matches_the_textbook_value_and_sign() -> None:
    # U = 9 of 9 pairs, mean 4.5, variance 3 * 3 * 7 / 12 = 5.25
    assert a.mann_whitney_z([1, 2, 3], [4, 5, 6]) == pytest.approx(4.5 / 5.25 ** 0.5)
    assert a.mann_whitney_z([4, 5, 6], [1, 2, 3]) == pytest.approx(-4.5 / 5.25 ** 0.5)
    assert a.mann_whitney_z([1, 1, 1], [1, 1]) == 0.0


@pytest.mark.parametrize("seed", range(40))
def test_average_ranks_equal_pandas_rank_and_tie_counts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # few distinct values, so most draws have ties (and some have one value only)
    values = rng.integers(0, rng.integers(1, 40), rng.integers(1, 400)).astype("float64") / 7
    ranks, tie_term = a.average_ranks(values)
    series = pd.Series(values)
    ties = series.value_counts()
    assert np.array_equal(ranks, series.rank(method="average").to_numpy())
    assert tie_term == float(((ties**3) - ties).sum())


# ----------------------------------------------------------------------------- anomalies

SMALL = a.AnomalySettings(window_days=7, min_history_days=5, z_threshold=5, min_ratio=2, min_jump_usd=D("1"))


def test_a_spike_is_flagged_with_exact_baseline_and_jump() -> None:
    spend = ["1.00", "1.20", "0.80", "1.00", "1.10", "0.90", "1.00", "9.00"]
    out = a.find_cost_anomalies(daily("feature", {"chat": spend}), NO_TENANTS, SMALL)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["day"], row["dimension"], row["dimension_key"]) == (day(7), "feature", "chat")
    assert row["baseline_days"] == 7
    assert row["baseline_median_usd"] == D("1.00")
    assert row["baseline_mad_usd"] == D("0.10")
    assert row["jump_usd"] == D("8.00")
    assert row["robust_z"] == pytest.approx(8.0 / max(1.4826 * 0.10, 0.1 * 1.0, 0.01))
    assert row["cost_ratio"] == pytest.approx(9.0)


def test_no_flag_below_any_threshold_or_before_enough_history_or_on_a_drop() -> None:
    flat = ["1.00", "1.20", "0.80", "1.00", "1.10", "0.90", "1.00"]
    cases = {
        "small jump": [*flat, "1.90"],  # z large, but only $0.90 above the median
        "drop": [*flat, "0.00"],
        "too early": ["1.00", "1.00", "1.00", "50.00"],  # 3 baseline days < min_history_days
        "noisy": ["1", "6", "2", "9", "1", "7", "3", "12"],  # 12 is within the spread of its baseline
    }
    for name, spend in cases.items():
        out = a.find_cost_anomalies(daily("feature", {"chat": spend}), NO_TENANTS, SMALL)
        assert out.empty, name


def test_days_without_spend_count_as_zero_and_a_dead_key_can_wake_up_loudly() -> None:
    # days 1-6 missing in the mart: the baseline of day 7 is one $0.50 day and six $0 days
    tenants = daily("tenant_id", {"acme": ["0.50", "", "", "", "", "", "", "5.00"]})
    out = a.find_cost_anomalies(daily("feature", {}), tenants, SMALL)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["dimension"], row["dimension_key"], row["baseline_median_usd"]) == ("tenant", "acme", D(0))
    assert pd.isna(row["cost_ratio"])  # no ratio to a $0 median
    assert row["robust_z"] == pytest.approx(5.0 / 0.01)  # the one-cent floor


def test_an_earlier_spike_does_not_hide_the_next_one() -> None:
    # a mean/std baseline would be inflated by day 4's spike; median and MAD are not
    spend = ["1.00", "1.10", "0.90", "1.00", "30.00", "1.00", "1.05", "0.95", "1.00", "20.00"]
    out = a.find_cost_anomalies(daily("feature", {"chat": spend}), NO_TENANTS,
                                a.AnomalySettings(window_days=9, min_history_days=4, z_threshold=5, min_ratio=2))
    assert list(out["day"]) == [day(4), day(9)]


# ----------------------------------------------------------------------------- runaway runs


def _runs(costs: dict[str, str], calls: int = 4, feature: str = "chat") -> pd.DataFrame:
    return pd.DataFrame([{"run_id": r, "day": DAY0, "started_at": datetime(2025, 6, 1, 9), "feature": feature,
                          "tenant_id": "acme", "root_agent_name": "bot", "calls": calls, "cost_usd": D(c)}
                         for r, c in costs.items()])


def _steps(run_id: str, tokens: list[int]) -> pd.DataFrame:
    return pd.DataFrame([{"run_id": run_id, "agent_span_id": "a1", "step": i + 1,
                          "started_at": datetime(2025, 6, 1, 9, i + 1), "input_tokens": t}
                         for i, t in enumerate(tokens)])


def _tools(run_id: str, names: list[str]) -> pd.DataFrame:
    # tool i starts between step i + 1 and step i + 2
    return pd.DataFrame([{"run_id": run_id, "tool_span_id": f"t{i}", "tool_name": n,
                          "started_at": datetime(2025, 6, 1, 9, i + 1, 30)} for i, n in enumerate(names)])


RUNAWAY = a.RunawaySettings(cost_multiple=10, min_calls=3, min_feature_runs=5, loop_min_repeats=3)


def test_a_runaway_run_is_flagged_with_its_jump_step_and_tool() -> None:
    costs = {f"r{i}": "0.10" for i in range(9)} | {"loop": "5.00"}
    steps = _steps("loop", [1000, 1200, 1400, 40_000, 41_000, 42_000])
    tools = _tools("loop", ["search", "search", "fetch_doc", "search", "search"])
    out = a.find_runaway_runs(_runs(costs), steps, tools, RUNAWAY)
    assert list(out["run_id"]) == ["loop"]
    row = out.iloc[0]
    assert row["feature_median_run_cost_usd"] == D("0.10") and row["excess_cost_usd"] == D("4.90")
    assert row["cost_multiple"] == pytest.approx(50)
    assert (row["jump_step"], row["jump_prev_input_tokens"], row["jump_input_tokens_added"]) == (4, 1400, 38_600)
    assert row["jump_tool_name"] == "fetch_doc"
    assert (row["top_tool_name"], row["top_tool_invocations"], row["is_loop_suspected"]) == ("search", 4, True)


def test_no_runaway_for_big_single_calls_thin_features_or_runs_under_the_multiple() -> None:
    empty = pd.DataFrame(columns=["run_id", "agent_span_id", "step", "started_at", "input_tokens"])
    no_tools = pd.DataFrame(columns=["run_id", "tool_span_id", "tool_name", "started_at"])
    base = {f"r{i}": "0.10" for i in range(9)}
    assert a.find_runaway_runs(_runs(base | {"big": "0.99"}), empty, no_tools, RUNAWAY).empty  # 9.9x < 10x
    assert a.find_runaway_runs(_runs(base | {"big": "5.00"}, calls=2), empty, no_tools, RUNAWAY).empty  # 2 calls
    thin = {f"r{i}": "0.10" for i in range(3)} | {"big": "5.00"}  # 4 runs < min_feature_runs
    assert a.find_runaway_runs(_runs(thin), empty, no_tools, RUNAWAY).empty


def test_a_runaway_run_without_root_agent_or_tenant_is_reported_with_nulls() -> None:
    runs = _runs({f"r{i}": "0.10" for i in range(9)} | {"big": "5.00"})
    runs["root_agent_name"] = pd.array([None] * len(runs), dtype="str")  # pandas' str dtype holds NaN
    runs["tenant_id"] = pd.array([None] * len(runs), dtype="str")
    no_steps = pd.DataFrame(columns=["run_id", "agent_span_id", "step", "started_at", "input_tokens"])
    no_tools = pd.DataFrame(columns=["run_id", "tool_span_id", "tool_name", "started_at"])
    out = a.find_runaway_runs(runs, no_steps, no_tools, RUNAWAY)
    assert list(out["run_id"]) == ["big"] and out["root_agent_name"].isna().all() and out["tenant_id"].isna().all()


def test_runaway_explanations_need_only_the_flagged_runs_steps_and_tools() -> None:
    runs = _runs({f"r{i}": "0.10" for i in range(9)} | {"loop": "5.00"})
    steps = pd.concat([_steps("loop", [1000, 1200, 40_000]), _steps("r1", [10, 90_000])])
    tools = pd.concat([_tools("loop", ["search", "fetch_doc"]), _tools("r1", ["x"] * 9)])
    flagged = a.flag_runaway_runs(runs, RUNAWAY)
    only_flagged = a.explain_runaway_runs(flagged, steps[steps["run_id"] == "loop"], tools[tools["run_id"] == "loop"],
                                          RUNAWAY)
    assert list(flagged["run_id"]) == ["loop"]
    assert only_flagged.equals(a.find_runaway_runs(runs, steps, tools, RUNAWAY))


@pytest.mark.parametrize("seed", range(6))
def test_runaway_runs_from_warehouse_medians_and_candidates_equal_the_pandas_computation(seed: int) -> None:
    """The model reads each feature's middle runs numbered in the warehouse (for the medians), then only the runs
    above a threshold prefilter: the flags are those of the computation over every run, edge cases included
    (even and odd counts, ties, a run exactly at the threshold, thresholds finer than the money scale)."""
    import random

    rng = random.Random(seed)
    settings = a.RunawaySettings(cost_multiple=rng.choice([2.5, 3, 7.3]), min_calls=3, min_feature_runs=7)
    rows = []
    for feature in ["chat", "search", "it's", "thin"]:
        n = 0 if feature == "thin" else rng.randint(8, 40)  # thin: 6 runs in all, under min_feature_runs
        base = [D(rng.choice(["0.010000000001", "0.010000000003", "0.020", "0.0125"])) for _ in range(n)]
        for i, cost in enumerate(base):
            rows.append((f"{feature}-{i}", feature, rng.randint(1, 6), cost))
        median = (a.feature_run_medians(pd.DataFrame({"feature": feature, "cost_usd": sorted(base)}))[feature][1]
                  if base else D("0.01"))
        threshold = median * D(str(settings.cost_multiple))
        # three runs at and above the threshold, and three cheap ones, so the median stays where it was
        for j, cost in enumerate([threshold, threshold + D("0.000000000001"), threshold * 3]):
            exact = cost.quantize(D("0.000000000001"), rounding="ROUND_CEILING" if j else "ROUND_FLOOR")
            rows.append((f"{feature}-big{j}", feature, [3, 3, rng.choice([2, 5])][j], exact))
            rows.append((f"{feature}-cheap{j}", feature, 3, D("0.000000000001")))
    runs = pd.DataFrame([{"run_id": r, "day": DAY0, "started_at": datetime(2025, 6, 1, 9), "feature": f,
                          "tenant_id": "acme", "root_agent_name": "bot", "calls": c, "cost_usd": cost}
                         for r, f, c, cost in rows])
    expected = a.flag_runaway_runs(runs, settings)
    relation = duckdb.connect().from_arrow(pa.Table.from_pandas(runs, schema=pa.schema([
        ("run_id", pa.string()), ("day", pa.date32()), ("started_at", pa.timestamp("us")), ("feature", pa.string()),
        ("tenant_id", pa.string()), ("root_agent_name", pa.string()), ("calls", pa.int64()),
        ("cost_usd", a.MONEY)]), preserve_index=False))
    medians = a.read_feature_run_medians(relation)
    assert medians == a.feature_run_medians(a.to_pandas(relation, ["feature", "cost_usd"], where=a.PRICED,
                                                        order_by=["feature", "cost_usd"]))
    candidates = a.to_pandas(relation, list(runs.columns), where=f"{a.PRICED} and " + a.runaway_candidates_sql(
        a.runaway_thresholds(medians, settings), settings))
    got = a.flag_runaway_runs(candidates, settings, medians=medians)
    assert len(candidates) < len(runs) and not expected.empty
    assert sorted(got["run_id"]) == sorted(expected["run_id"])
    flagged = set(got["run_id"])
    assert {"chat-big1", "search-big1", "it's-big1"} <= flagged, "a picodollar above the threshold is a runaway"
    assert not {r for r in flagged if "big0" in r or "cheap" in r}, "at the threshold is not above it"
    assert not {r for r in flagged if r.startswith("thin")}, "a feature with too few runs is not judged"
    key = ["run_id", "feature_runs", "feature_median_run_cost_usd"]
    assert got[key].sort_values("run_id").values.tolist() == expected[key].sort_values("run_id").values.tolist()


# ----------------------------------------------------------------------------- change points


def _calls(segments: list[tuple[str, int, int, str]], prompt: str | None = None) -> pd.DataFrame:
    """(version, first day, runs, cost per call pattern) -> two calls per run, runs spread over days. The version is
    the agent's, or with `prompt` that prompt template's (the agent then has none)."""
    rows, n = [], 0
    for version, first_day, runs, pattern in segments:
        costs = [D(c) for c in pattern.split()]
        for i in range(runs):
            started = datetime.combine(day(first_day + i % 10), datetime.min.time()) + timedelta(hours=i % 24)
            for _ in range(2):
                rows.append({"run_id": f"run{n}", "day": started.date(), "started_at": started, "feature": "chat",
                             "agent_name": None if prompt else "bot", "agent_version": None if prompt else version,
                             "prompt_name": prompt, "prompt_version": version if prompt else None,
                             "cost_usd": costs[i % len(costs)]})
            n += 1
    return pd.DataFrame(rows)


CHANGE = a.ChangePointSettings(min_segment_runs=20, min_segment_days=3, min_ratio=1.5, min_z=4)


def test_a_version_that_costs_more_per_call_is_flagged_and_dated() -> None:
    calls = _calls([("v1", 0, 40, "0.010 0.012 0.008 0.011 0.009"), ("v2", 10, 40, "0.030 0.036 0.024 0.033")])
    out = a.find_cost_change_points(calls, CHANGE)
    version = out[out["change_kind"] == "agent_version"]
    assert len(version) == 1
    row = version.iloc[0]
    assert (row["previous_version"], row["agent_version"], row["change_day"], row["direction"]) == (
        "v1", "v2", day(10), "up")
    assert row["median_cost_per_call_before_usd"] == D("0.010")
    assert row["median_cost_per_call_after_usd"] == D("0.0315")
    assert row["cost_per_call_ratio"] == pytest.approx(3.15)
    day_change = out[out["change_kind"] == "day"]
    assert list(day_change["change_day"]) == [day(10)]  # the same step, found without the version


def test_a_prompt_version_that_costs_more_per_call_is_flagged_per_prompt_template() -> None:
    calls = _calls([("7", 0, 40, "0.010 0.012 0.008 0.011 0.009"), ("8", 10, 40, "0.030 0.036 0.024 0.033")],
                   prompt="draft-reply")
    out = a.find_cost_change_points(calls, CHANGE)
    assert out.query("change_kind == 'agent_version'").empty  # no agent on these calls
    prompt = out[out["change_kind"] == "prompt_version"]
    assert [(r.feature, r.agent_name, r.prompt_name, r.previous_version, r.prompt_version, r.agent_version,
             r.change_day, r.direction) for r in prompt.itertuples()] == [
        ("chat", "(all)", "draft-reply", "7", "8", pd.NA, day(10), "up")]
    assert prompt.iloc[0]["median_cost_per_call_after_usd"] == D("0.0315")
    # a second template's versions are compared among themselves, never with draft-reply's
    other = _calls([("1", 0, 40, "0.030 0.036 0.024 0.033")], prompt="summarize")
    other["run_id"] = "other-" + other["run_id"]
    both = a.find_cost_change_points(pd.concat([calls, other], ignore_index=True), CHANGE)
    assert list(both.query("change_kind == 'prompt_version'")["prompt_name"]) == ["draft-reply"]


def test_a_cost_neutral_version_switch_and_too_small_segments_are_not_flagged() -> None:
    same = "0.010 0.030 0.005 0.020 0.012 0.050 0.008"
    assert a.find_cost_change_points(_calls([("v1", 0, 60, same), ("v2", 10, 60, same)]), CHANGE).empty
    small = _calls([("v1", 0, 40, "0.010"), ("v2", 10, 10, "0.100")])  # 10 runs < min_segment_runs
    assert a.find_cost_change_points(small, CHANGE).query("change_kind == 'agent_version'").empty


def test_a_drop_is_reported_as_down() -> None:
    out = a.find_cost_change_points(_calls([("v1", 0, 40, "0.040 0.044"), ("v2", 10, 40, "0.010 0.011")]), CHANGE)
    assert set(out["direction"]) == {"down"}


@pytest.mark.parametrize("seed", range(5))
def test_the_exact_median_picks_its_middle_values_by_float_then_exactly(seed: int) -> None:
    """Values that differ beyond a float's precision (cost per call has 28 digits), ties, even and odd counts:
    the float preselection gives statistics.median's exact result."""
    import random
    import statistics

    rng = random.Random(seed)
    base = D("0.004115226300400000000000000")
    values = [base + D(rng.randint(-3, 3)) * D("1E-27") for _ in range(rng.randint(64, 400))]
    values += [D(rng.choice(["0.001", "0.0125", "0.02"])) / rng.randint(1, 7) for _ in range(rng.randint(0, 300))]
    rng.shuffle(values)
    assert len({float(v) for v in values}) < len(set(values)), "some values share a float"
    for sample in (values, values[:-1]):
        assert a._median(sample) == statistics.median(sample)
        assert a._median(sample, [float(v) for v in sample]) == statistics.median(sample)


@pytest.mark.parametrize("seed", range(3))
def test_cost_per_call_floats_are_the_correctly_rounded_quotients(seed: int) -> None:
    """Arrow decimals (read as integers, in one float division where that is exact) and Decimal objects (Spark)
    give the float nearest each exact cost / calls: equal quotients share a float, so ranks see their ties. Costs and
    call counts too large for the fast path (and a column read in several chunks) take the exact integer path."""
    import random
    from fractions import Fraction

    rng = random.Random(seed)
    costs = [D(rng.randint(-10**14, 10**16)) / D(10**12) for _ in range(2_000)]
    costs += [D("0.3"), D("0.1"), D("123456789.123456789012"), D("-99999999.5"), D("0.000000000001")]
    calls = [rng.randint(1, 50) for _ in range(2_000)] + [3, 1, 7, 9, 10**7]
    exact = [float(Fraction(cost) / n) for cost, n in zip(costs, calls, strict=True)]
    half = len(costs) // 2
    chunked = pa.chunked_array([pa.array(costs[:half], a.MONEY), pa.array(costs[half:], a.MONEY)])
    arrow = pa.table({"cost_usd": chunked}).to_pandas(types_mapper=pd.ArrowDtype)["cost_usd"]
    for column in (arrow, pd.Series(costs, dtype=object)):
        floats = a._cost_per_call_floats(column, np.array(calls, dtype="int64"))
        assert floats.tolist() == exact
    assert floats[-5] == floats[-4] == 0.1, "0.3 / 3 and 0.1 / 1 tie"


@pytest.mark.parametrize("seed", range(6))
def test_change_points_from_warehouse_aggregates_equal_the_per_call_computation(seed: int) -> None:
    """The model reads per-run aggregates computed in the warehouse and scans day splits by rank sums; the result
    is the one the per-call pandas computation gives (same splits, same z, same exact medians)."""
    import random

    rng = random.Random(seed)
    rows = []
    for n in range(rng.randint(150, 400)):
        started = datetime(2025, 6, 1) + timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        feature, version = rng.choice(["chat", "search"]), rng.choice(["v1", "v2", "v3"])
        step_up = D("2") if started.day > 10 and feature == "chat" and rng.random() < 0.8 else D("1")
        for _ in range(rng.randint(1, 4)):
            cost = None if rng.random() < 0.1 else D(rng.choice(["0.010", "0.012", "0.020"])) * step_up
            rows.append({"run_id": f"run{n}", "day": started.date(), "started_at": started, "feature": feature,
                         "agent_name": rng.choice(["bot", None]), "agent_version": version, "cost_usd": cost,
                         "prompt_name": rng.choice(["draft", None]), "prompt_version": version})
    calls = pd.DataFrame(rows)
    settings = a.ChangePointSettings(min_segment_runs=10, min_segment_days=2, min_ratio=1.1, min_z=1)
    expected = a.find_cost_change_points(calls, settings)
    connection = duckdb.connect()
    connection.register("calls", pa.Table.from_pandas(calls.astype({"cost_usd": object}), schema=pa.schema([
        ("run_id", pa.string()), ("day", pa.date32()), ("started_at", pa.timestamp("us")), ("feature", pa.string()),
        ("agent_name", pa.string()), ("agent_version", pa.string()), ("cost_usd", a.MONEY),
        ("prompt_name", pa.string()), ("prompt_version", pa.string())]), preserve_index=False))
    # int_run_cost_units' rows for these calls (the model's own SQL is unit-tested in _int_run_cost_units.yml)
    kinds = {"feature": [], "agent": ["agent_name", "agent_version"], "prompt": ["prompt_name", "prompt_version"]}
    units = connection.sql(" union all ".join(
        f"select '{kind}' as unit_kind, run_id, feature, "
        + ", ".join(k if k in keys else f"null::varchar as {k}"
                    for k in ["agent_name", "agent_version", "prompt_name", "prompt_version"])
        + ", count(*) as calls, sum(cost_usd) as cost_usd, min(started_at) as started_at, min(day) as day "
        + "from calls where cost_usd is not null" + "".join(f" and {k} is not null" for k in keys)
        + " group by all" for kind, keys in kinds.items()))
    agent_units, = a.read_run_unit_parts(units, "agent")  # a few hundred units: one part
    assert "run_id" not in agent_units.columns, "run_id groups in the warehouse, it is not read"
    assert isinstance(agent_units["cost_usd"].dtype, pd.ArrowDtype), "no Decimal object per run"
    got = a.change_points_from_units(agent_units, a.read_run_unit_parts(units, "feature"), settings,
                                     prompt_units=a.read_run_unit_parts(units, "prompt"))
    assert not expected.empty
    assert got.equals(expected)
    # read in parts, as the model reads them: parts of ~50 units (some empty: two features, many parts)
    parts = {kind: a.read_run_unit_parts(units, kind, units_per_part=50) for kind in kinds}
    in_parts = a.change_points_from_units(parts["agent"], parts["feature"], settings, prompt_units=parts["prompt"])
    assert in_parts.equals(expected)


def test_to_pandas_parts_reads_every_row_once_each_key_in_one_part() -> None:
    connection = duckdb.connect()
    rows = connection.sql("select i, 'key' || (i % 7) as key, i % 3 = 0 as kept from range(1000) as t(i)")
    parts = list(a.to_pandas_parts(rows, ["i", "key"], "kept", "key", rows_per_part=100))
    assert len(parts) == 4  # 334 rows kept, about 100 a part
    read = pd.concat(parts)
    assert sorted(read["i"]) == list(range(0, 1000, 3)), "every kept row once"
    part_of_key = {key: n for n, part in enumerate(parts) for key in part["key"]}
    assert all(part_of_key[key] == n for n, part in enumerate(parts) for key in part["key"]), "a key in one part"


# ----------------------------------------------------------------------------- budgets


def _budgets(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"scope": s, "scope_key": k, "period": p, "limit_usd": lim, "effective_from": eff,
                          "note": f"{s} {k} {p}"} for s, k, p, lim, eff in rows])


def _limit(book: a.BudgetBook, scope: str, key: str, period: str, day: date) -> Decimal:
    budget = book.lookup(scope, key, period, day)
    assert budget is not None, f"no budget for {scope} {key} {period} on {day}"
    return budget.limit_usd


def test_budget_book_prefers_the_key_row_and_the_latest_effective_row() -> None:
    book = a.BudgetBook(a.read_budgets(_budgets([
        ("tenant", "*", "month", "100", "2025-01-01"), ("tenant", "acme", "month", "300", "2025-01-01"),
        ("tenant", "acme", "month", "200", "2025-06-01")])))
    assert _limit(book, "tenant", "acme", "month", date(2025, 5, 1)) == D(300)
    assert _limit(book, "tenant", "acme", "month", date(2025, 6, 1)) == D(200)
    assert _limit(book, "tenant", "globex", "month", date(2025, 6, 1)) == D(100)
    assert book.lookup("tenant", "globex", "month", date(2024, 12, 31)) is None
    assert book.lookup("feature", "chat", "month", date(2025, 6, 1)) is None


@pytest.mark.parametrize("row", [("team", "*", "month", "1", "2025-01-01"), ("org", "*", "week", "1", "2025-01-01"),
                                 ("org", "*", "day", "-1", "2025-01-01"), ("org", "*", "day", "1O", "2025-01-01"),
                                 ("feature", "*", "session", "1", "2025-01-01"),
                                 ("session", "*", "month", "1", "2025-01-01")])
def test_a_malformed_budget_row_is_an_error(row: tuple[str, str, str, str, str]) -> None:
    with pytest.raises(ValueError, match=r"budgets\.csv"):
        a.read_budgets(_budgets([row]))


def test_month_to_date_projection_and_breaches_are_exact() -> None:
    # June 1-10 at $2/day for feature chat, tenant acme; May 31 $5 (a closed month)
    features = daily("feature", {"chat": ["5.00"] + ["2.00"] * 10}, first=-1)
    tenants = daily("tenant_id", {"acme": ["5.00"] + ["2.00"] * 10}, first=-1)
    runs = pd.DataFrame([
        {"run_id": "r1", "feature": "chat", "tenant_id": "acme", "day": day(3), "cost_usd": D("3.50")},
        {"run_id": "r2", "feature": "chat", "tenant_id": "acme", "day": day(3), "cost_usd": D("0.50")}])
    calls = pd.DataFrame([
        {"span_id": "s1", "feature": "chat", "tenant_id": "acme", "day": day(4), "cost_usd": D("1.25")}])
    budgets = _budgets([("tenant", "acme", "month", "50", "2025-01-01"),
                        ("feature", "chat", "month", "80", "2025-01-01"),
                        ("org", "*", "day", "1.99", "2025-06-05"), ("org", "*", "run", "3", "2025-01-01"),
                        ("org", "*", "call", "1", "2025-01-01")])
    out = a.budget_status(features, tenants, runs, calls, budgets, as_of=day(9), run_rate_days=7)
    by = {(r.scope, r.scope_key, r.period, r.period_start, r.item_id if isinstance(r.item_id, str) else None): r
          for r in out.itertuples(index=False)}

    june = by[("tenant", "acme", "month", date(2025, 6, 1), None)]
    # 10 days x $2 = $20 spent; run rate $2/day x 20 days left = $40; projected $60 > $50
    assert (june.actual_usd, june.projected_usd, june.days_elapsed, june.days_in_period) == (D(20), D(60), 10, 30)
    assert (june.status, june.is_breach, june.limit_usd) == ("projected_breach", True, D(50))
    assert by[("feature", "chat", "month", date(2025, 6, 1), None)].status == "ok"  # $60 <= $80
    may = by[("org", a.ALL, "month", date(2025, 5, 1), None)]
    assert (may.actual_usd, may.projected_usd, may.status) == (D(5), D(5), "no_budget")  # closed month
    assert by[("tenant", "acme", "month", date(2025, 5, 1), None)].status == "ok"

    org_days = {k[3]: r.status for k, r in by.items() if k[2] == "day"}
    assert set(org_days) == {day(i) for i in range(4, 10)}  # the daily budget starts June 5
    assert set(org_days.values()) == {"breached"}  # $2 > $1.99
    assert [k[4] for k in by if k[2] == "run"] == ["r1"] and [k[4] for k in by if k[2] == "call"] == ["s1"]
    assert by[("org", a.ALL, "call", day(4), "s1")].utilization == pytest.approx(1.25)


def test_user_and_session_budgets_list_only_their_breaches() -> None:
    # user u1 spends $2 a day (June 1-10), u2 $0.50; conversation c1 spends $1.50 on June 2 and June 3, c2 $1 once
    features = daily("feature", {"chat": ["2.50"] * 10})
    users = daily("user_hash", {"u1": ["2.00"] * 10, "u2": ["0.50"] * 10})
    # the calls of the conversations (fct_span_costs' columns the session totals read), in the warehouse: c1's
    # spend after as_of and its unpriced call are not counted; c4 ($2.50, not over) never reaches pandas
    calls_sql = ", ".join(f"('{c}', date '{day(d).isoformat()}', {v})" for c, d, v in [
        ("c1", 1, "1.50"), ("c1", 2, "1.00"), ("c1", 2, "0.50"), ("c1", 2, "null"), ("c1", 10, "7.00"),
        ("c2", 4, "1.00"), ("(unattributed)", 4, "9.00"), ("c3", 9, "5.00"), ("c4", 3, "2.50")])
    span_costs = duckdb.connect().sql(
        f"select conversation_id, day, cast(cost_usd as decimal(18, 6)) as cost_usd from (values {calls_sql})"
        " as calls(conversation_id, day, cost_usd)")
    runs = pd.DataFrame([
        {"run_id": "r1", "feature": "chat", "tenant_id": "t", "user_hash": "u1", "conversation_id": "c1", "day": day(2),
         "cost_usd": D("1.50")},
        {"run_id": "r2", "feature": "chat", "tenant_id": "t", "user_hash": None, "conversation_id": "(unattributed)",
         "day": day(4), "cost_usd": D("9.00")}])
    calls = pd.DataFrame(columns=["span_id", "feature", "tenant_id", "user_hash", "conversation_id", "day", "cost_usd"])
    budgets = _budgets([("user", "*", "day", "1.99", "2025-06-05"), ("user", "*", "month", "45", "2025-01-01"),
                        ("session", "*", "session", "2.50", "2025-01-01"),
                        ("session", "c3", "session", "9", "2025-06-01"),
                        ("user", "*", "run", "1", "2025-01-01"), ("session", "*", "run", "1", "2025-01-01")])
    sessions = a.read_session_totals(span_costs, budgets, day(9))
    assert sessions is not None and sorted(sessions["conversation_id"]) == ["c1", "c3"]  # over the smallest, $2.50
    assert a.read_session_totals(span_costs, budgets.iloc[0:2], day(9)) is None  # no session budget: nothing read
    out = a.budget_status(features, daily("tenant_id", {}), runs, calls, budgets, as_of=day(9), run_rate_days=7,
                          user_daily=users, session_totals=sessions)
    rows = sorted((r.scope, r.scope_key, r.period, r.period_start, r.period_end, r.status, r.actual_usd)
                  for r in out.itertuples(index=False) if r.scope in ("user", "session"))
    assert rows == [
        # $3 over two days > $2.50; c2 ($1) is not, c3 ($5) has its own $9 budget, (unattributed) is no conversation
        ("session", "c1", "run", day(2), day(2), "breached", D("1.50")),
        ("session", "c1", "session", day(1), day(2), "breached", D("3.00")),
        # u1: $2 > $1.99 from June 5 (the budget's start) to as_of; month: $20 spent, projected $60 > $45; u2 none
        *[("user", "u1", "day", day(i), day(i), "breached", D("2.00")) for i in range(4, 10)],
        ("user", "u1", "month", date(2025, 6, 1), date(2025, 6, 30), "projected_breach", D("20.00")),
        ("user", "u1", "run", day(2), day(2), "breached", D("1.50"))]
    assert set(out["as_of"]) == {day(9)}
    assert a.has_scope(budgets, "session") and not a.has_scope(budgets.iloc[0:0], "user")
    with pytest.raises(ValueError, match="have no user_hash"):
        a.budget_status(features, daily("tenant_id", {}), runs.drop(columns="user_hash"), calls, budgets,
                        as_of=day(9), user_daily=users, session_totals=sessions)


def test_as_of_defaults_to_the_last_day_with_spend_and_later_spend_is_ignored() -> None:
    features = daily("feature", {"chat": ["1.00"] * 5})
    out = a.budget_status(features, daily("tenant_id", {}),
                          pd.DataFrame(columns=["run_id", "feature", "tenant_id", "day", "cost_usd"]),
                          pd.DataFrame(columns=["span_id", "feature", "tenant_id", "day", "cost_usd"]),
                          _budgets([("org", "*", "month", "40", "2025-01-01")]))
    org = out[(out["scope"] == "org") & (out["period"] == "month")].iloc[0]
    # 5 days of history (< run_rate_days): the run rate is over those 5 days, $1/day x 25 days left
    assert (org["actual_usd"], org["days_elapsed"], org["projected_usd"]) == (D(5), 5, D(30))
    early = a.budget_status(features, daily("tenant_id", {}),
                            pd.DataFrame(columns=["run_id", "feature", "tenant_id", "day", "cost_usd"]),
                            pd.DataFrame(columns=["span_id", "feature", "tenant_id", "day", "cost_usd"]),
                            _budgets([("org", "*", "month", "40", "2025-01-01")]), as_of=day(1))
    org = early[(early["scope"] == "org") & (early["period"] == "month")].iloc[0]
    assert (org["actual_usd"], org["days_elapsed"]) == (D(2), 2)
    budgets = _budgets([("org", "*", "call", "2", "2025-01-01"), ("feature", "x", "call", "0.5", "2025-01-01"),
                        ("tenant", "*", "run", "3", "2025-01-01")])
    assert (a.smallest_limit(budgets, "call"), a.smallest_limit(budgets, "run")) == (D("0.5"), D("3"))
    assert a.over_smallest_limit(budgets, "run") == "cost_usd > 3"
    assert a.over_smallest_limit(budgets.iloc[0:0], "run") == "false"


def test_each_python_model_setting_has_one_default_the_dataclass_field() -> None:
    """The YAML meta reads each threshold from its own env var or var with no fallback of its own, dbt_project.yml
    sets none of them, so the dataclass field is the one default; the README's stated defaults are those."""
    import re
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    project_vars = yaml.safe_load((root / "dbt_project.yml").read_text())["vars"]
    settings = {"anomaly_": a.AnomalySettings(), "runaway_": a.RunawaySettings(), "change_": a.ChangePointSettings(),
                "budget_": a.BudgetSettings()}
    readme = (root / "README.md").read_text()
    read: set[str] = set()
    for yml in sorted((root / "python_models").glob("_*.yml")):
        meta_var = (r"(\w+): \"\{\{ env_var\('LLM_COST_(\w+)', ''\) or var\('(\w+)', ''\)"
                    r"|(\w+): \"\{\{ env_var\('LLM_COST_(\w+)', var\('(\w+)', ''\)\)")
        for match in re.findall(meta_var, yml.read_text()):
            key, env, var = [part for part in match if part]
            assert key == var and env == var.upper() and var not in project_vars, (yml.name, key)
            read.add(var)
    fields_read = {f"{p}{name}" for p, obj in settings.items() for name in vars(obj)} - {
        "anomaly_scale_floor_share", "anomaly_scale_floor_usd"}  # internal constants, not settings
    assert fields_read <= read, f"settings without a meta key: {sorted(fields_read - read)}"
    stated = 0
    for var in sorted(fields_read):
        prefix = next(p for p in settings if var.startswith(p))
        default = getattr(settings[prefix], var[len(prefix):])
        for value in re.findall(rf"`{var}`(?:\s+\(|, )\$?([0-9.]+)", readme):
            assert Decimal(value) == Decimal(str(default)), (var, value, default)
            stated += 1
    assert stated == len(fields_read), "the README states each threshold's default once"
