"""The Python models (python_models/) end to end: quiet on clean data, and each planted problem found.

The clean case is the session's demo build (conftest `built`). The planted case is the same demo set
(same size and seed) with every problem of llm_cost.generate.PLANTS added, built on a DuckDB file of its own:
planted runs are only added, so whatever the models flag there and not on the clean set comes from a plant.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_SEED, DEMO_SPANS
from dbt_runner import PROJECT_DIR, DbtProject, build_demo
from llm_cost.generate import PLANTS, generate
from reference_pricing import Call, PriceBook

PYTHON_MODELS = ["rpt_cost_anomalies", "rpt_runaway_runs", "rpt_cost_change_points", "rpt_budget_forecast"]
BUCKETS = ["uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
           "output_tokens", "reasoning_tokens"]


def _calls(out: Path) -> list[dict[str, str]]:
    with open(out / "truth" / "calls.csv", newline="") as f:
        return list(csv.DictReader(f))


def _rows(project: DbtProject, sql: str) -> list[dict[str, Any]]:
    frame = project.frame(sql)
    return frame.to_dict("records")


@pytest.fixture(scope="module")
def planted_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("planted")
    generate(out, spans=DEMO_SPANS, seed=DEMO_SEED, plant=PLANTS)
    return out


@pytest.fixture(scope="module")
def planted(planted_set: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    return build_demo(str(planted_set / "spans" / "*.json*"), tmp_path_factory.mktemp("planted_build"), "planted")


@pytest.fixture(scope="module")
def manifest(planted_set: Path) -> dict[str, Any]:
    return json.loads((planted_set / "truth" / "manifest.json").read_text())["planted"]


@pytest.fixture(scope="module")
def planted_calls(planted_set: Path, demo_set: Path) -> list[dict[str, str]]:
    """Truth calls of the planted runs only (the planted set minus the demo set)."""
    clean = {c["span_id"] for c in _calls(demo_set)}
    return [c for c in _calls(planted_set) if c["span_id"] not in clean]


# ----------------------------------------------------------------------------- the generator's plants


def test_plants_only_add_runs_and_reach_the_truth_and_the_marts(
        planted_set: Path, demo_set: Path, planted: DbtProject, planted_calls: list[dict[str, str]],
        manifest: dict[str, Any]) -> None:
    clean, dirty = _calls(demo_set), _calls(planted_set)
    assert set(manifest) == set(PLANTS)
    assert {tuple(c.items()) for c in clean} <= {tuple(c.items()) for c in dirty}, "plants must not change a clean call"
    assert len(planted_calls) == len(dirty) - len(clean) > 0
    assert {manifest["runaway_run"]["run_id"], manifest["budget_breach"]["call_run_id"],
            *manifest["cost_spike"]["runs"]} <= {c["run_id"] for c in planted_calls}

    # the marts price the planted calls like any other: total cost equals the independent reference, to within
    # the overstatement bound of the demo calls whose spans do not report every billed bucket
    book = PriceBook(PROJECT_DIR / "seeds" / "model_prices.csv")
    expected = Decimal(0)
    for row in dirty:
        at = datetime.fromisoformat(row["started_at"].replace("Z", "+00:00"))
        cost = book.cost(Call(row["provider"], row["model"], row["service_tier"] or "standard", at,
                              *(int(row[b]) for b in BUCKETS)))
        expected += cost or 0
    (calls, total, over), = planted.query(
        "select count(*), sum(cost_usd), sum(coalesce(max_overstatement_usd, 0)) from fct_span_costs")
    assert calls == len(dirty)
    assert expected - Decimal("0.01") < total < expected + over + Decimal("0.01")
    planted_ids = ", ".join(f"'{c['span_id']}'" for c in planted_calls)
    (incomplete,), = planted.query(f"select count(*) from fct_span_costs where span_id in ({planted_ids}) "
                                   "and unreported_usage is not null")
    assert incomplete == 0, "the planted calls report every billed bucket"


# ----------------------------------------------------------------------------- clean data


def test_clean_demo_raises_nothing(built: DbtProject) -> None:
    for model in ["rpt_cost_anomalies", "rpt_runaway_runs", "rpt_cost_change_points"]:
        assert built.query(f"select count(*) from {model}") == [(0,)], f"{model} flags clean data"
    assert built.query("select count(*) from rpt_budget_forecast where is_breach") == [(0,)]
    # not vacuous: there is a month to forecast, and a v1 -> v2 switch that had to be judged cost-neutral
    assert built.query("select count(*) > 0 from rpt_budget_forecast "
                       "where period = 'month' and limit_usd is not null") == [(True,)]
    runs = dict(built.query("select agent_version, count(distinct run_id) from fct_span_costs "
                            "where agent_name = 'support_bot' group by 1"))
    assert runs.get("v1", 0) >= 20 and runs.get("v2", 0) >= 20, runs


def test_budget_month_rows_are_exactly_the_marts_spend(built: DbtProject) -> None:
    forecast = {(r["scope"], r["scope_key"], r["period_start"]): r["actual_usd"] for r in _rows(
        built, "select scope, scope_key, period_start::varchar as period_start, actual_usd::varchar as actual_usd "
               "from rpt_budget_forecast where period = 'month'")}
    expected: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for scope, key, month, cost in built.query(
            "select 'org', '(all)', date_trunc('month', day)::date::varchar, sum(cost_usd) from fct_span_costs "
            "where cost_usd is not null group by all union all "
            "select 'tenant', tenant_id, date_trunc('month', day)::date::varchar, sum(cost_usd) "
            "from fct_tenant_costs_daily group by all union all "
            "select 'feature', feature, date_trunc('month', day)::date::varchar, sum(cost_usd) "
            "from fct_feature_costs_daily group by all"):
        expected[(scope, key, month)] += cost
    assert {k: Decimal(v) for k, v in forecast.items()} == dict(expected)


def test_python_models_are_disabled_by_one_var(built: DbtProject) -> None:
    def models(vars: dict[str, Any]) -> set[str]:
        out = built.run("ls", "--resource-type", "model", "--output", "name", "--quiet", vars=vars).stdout
        return {line.strip() for line in out.splitlines() if line.strip()}

    off = models({"python_models_enabled": False})
    assert off and "fct_span_costs" in off
    assert not off & set(PYTHON_MODELS)
    assert set(PYTHON_MODELS) <= {t for (t,) in built.query("select table_name from information_schema.tables")}


# ----------------------------------------------------------------------------- planted problems


def test_planted_cost_spike_is_found_and_nothing_untouched_by_a_plant(
        planted: DbtProject, manifest: dict[str, Any], planted_calls: list[dict[str, str]]) -> None:
    spike = manifest["cost_spike"]
    rows = _rows(planted, "select day::varchar as day, dimension, dimension_key, cost_usd::varchar as cost_usd, "
                          "baseline_median_usd::varchar as median, jump_usd::varchar as jump, robust_z "
                          "from rpt_cost_anomalies")
    found = {(r["day"], r["dimension"], r["dimension_key"]): r for r in rows}
    for key in [(spike["day"], "feature", spike["feature"]), (spike["day"], "tenant", spike["tenant_id"])]:
        assert key in found, f"planted spike {key} not found in {sorted(found)}"
    row = found[(spike["day"], "feature", spike["feature"])]
    (mart_cost,), = planted.query(f"select cost_usd::varchar from fct_feature_costs_daily "
                                  f"where day = '{spike['day']}' and feature = '{spike['feature']}'")
    assert row["cost_usd"] == mart_cost  # the day's spend, exact
    assert Decimal(row["jump"]) == Decimal(row["cost_usd"]) - Decimal(row["median"])
    touched = {(c["started_at"][:10], "feature", c["feature"]) for c in planted_calls} | {
        (c["started_at"][:10], "tenant", c["tenant_id"]) for c in planted_calls}
    assert set(found) <= touched, f"flagged without a plant: {sorted(set(found) - touched)}"


def test_planted_runaway_run_is_found_with_its_jump_step_and_tools(planted: DbtProject,
                                                                   manifest: dict[str, Any]) -> None:
    runaway = manifest["runaway_run"]
    rows = _rows(planted, "select run_id, feature, jump_step, jump_tool_name, top_tool_name, top_tool_invocations, "
                          "is_loop_suspected, cost_usd::varchar as cost_usd, cost_multiple from rpt_runaway_runs")
    assert [r["run_id"] for r in rows] == [runaway["run_id"]]  # found, and nothing else
    row = rows[0]
    assert row["feature"] == runaway["feature"]
    assert row["jump_step"] == runaway["jump_step"]
    assert row["jump_tool_name"] == runaway["jump_tool"]
    assert row["top_tool_name"] == runaway["loop_tool"] and row["is_loop_suspected"]
    assert row["top_tool_invocations"] == runaway["steps"] - 2  # every gap but the fetch_document one
    assert planted.query(f"select cost_usd::varchar from fct_run_costs where run_id = '{runaway['run_id']}'") == [
        (row["cost_usd"],)]


def test_planted_version_step_is_found_and_the_neutral_switch_is_not(
        planted: DbtProject, manifest: dict[str, Any], planted_calls: list[dict[str, str]]) -> None:
    step = manifest["version_step"]
    rows = _rows(planted, "select change_kind, feature, agent_name, previous_version, agent_version, "
                          "change_day::varchar as change_day, direction, cost_per_call_ratio "
                          "from rpt_cost_change_points")
    versions = [r for r in rows if r["change_kind"] == "agent_version"]
    # v2 -> v3 found; v1 -> v2 (cost-neutral) not
    assert [(r["feature"], r["agent_name"], r["previous_version"], r["agent_version"], r["change_day"], r["direction"])
            for r in versions] == [(step["feature"], step["agent_name"], step["previous_version"],
                                   step["agent_version"], step["first_day"], "up")]
    assert versions[0]["cost_per_call_ratio"] >= 1.5
    planted_features = {c["feature"] for c in planted_calls}
    assert {r["feature"] for r in rows} <= planted_features, "a change point in a feature no plant touched"


def test_planted_prompt_step_is_found_and_the_prompt_reaches_span_and_run_marts(
        planted: DbtProject, manifest: dict[str, Any], planted_calls: list[dict[str, str]]) -> None:
    step = manifest["prompt_step"]
    rows = _rows(planted, "select feature, agent_name, prompt_name, previous_version, prompt_version, agent_version, "
                          "change_day::varchar as change_day, direction, runs_before, runs_after, cost_per_call_ratio "
                          "from rpt_cost_change_points where change_kind = 'prompt_version'")
    assert [(r["feature"], r["agent_name"], r["prompt_name"], r["previous_version"], r["prompt_version"],
             r["agent_version"], r["change_day"], r["direction"]) for r in rows] == [
        (step["feature"], "(all)", step["prompt_name"], step["previous_version"], step["prompt_version"], None,
         step["first_day"], "up")]
    runs_per_version, calls_per_version = step["runs_per_version"], step["runs_per_version"] * step["calls_per_run"]
    assert (rows[0]["runs_before"], rows[0]["runs_after"]) == (runs_per_version, runs_per_version)
    assert rows[0]["cost_per_call_ratio"] >= 1.5
    # both instrumentations' attributes reach the span and run marts (gen_ai.prompt.name and llm.prompt_template.version
    # although content prefixes cover them); nothing else names a prompt, and the template text reaches no mart
    for (table,) in planted.query("select table_name from information_schema.tables "
                                  "where table_name like 'fct_%' or table_name like 'rpt_%'"):
        text = " ".join(str(v) for row in planted.query(f"select * from {table}") for v in row)
        assert "SECRET" not in text, table
    spans = planted.query("select prompt_name, prompt_version, count(*), count(distinct run_id) from fct_span_costs "
                          "where prompt_name is not null or prompt_version is not null group by all order by all")
    assert spans == [(step["prompt_name"], step["previous_version"], calls_per_version, runs_per_version),
                     (step["prompt_name"], step["prompt_version"], calls_per_version, runs_per_version)]
    runs = planted.query("select prompt_version, count(*) from fct_run_costs where prompt_name = "
                         f"'{step['prompt_name']}' and feature = '{step['feature']}' group by all order by all")
    assert runs == [(step["previous_version"], runs_per_version), (step["prompt_version"], runs_per_version)]


def test_planted_failures_and_retries_are_flagged_and_costed_exactly(
        planted: DbtProject, built: DbtProject, manifest: dict[str, Any]) -> None:
    plant = manifest["failures"]
    flagged = planted.query("select span_id, run_id, is_failed_call, is_retry, is_failed_run from fct_span_costs "
                            "where is_failed_call or is_retry or is_failed_run")
    assert {s for s, _, failed, _, _ in flagged if failed} == set(plant["failed_calls"])
    assert {s for s, _, _, retry, _ in flagged if retry} == set(plant["retry_calls"])
    assert {r for _, r, _, _, run_failed in flagged if run_failed} == set(plant["failed_runs"])

    def listed(ids: list[str]) -> str:
        return ", ".join(f"'{i}'" for i in ids)

    # each day's failure columns are the exact sums of the flagged calls' cost, in both daily marts and the run mart
    expected = planted.query(f"""
        select day, count(distinct case when run_id in ({listed(plant['failed_runs'])}) then run_id end),
            coalesce(sum(case when run_id in ({listed(plant['failed_runs'])}) then cost_usd end), 0),
            count(case when span_id in ({listed(plant['failed_calls'])}) then 1 end),
            coalesce(sum(case when span_id in ({listed(plant['failed_calls'])}) then cost_usd end), 0),
            count(case when span_id in ({listed(plant['retry_calls'])}) then 1 end),
            coalesce(sum(case when span_id in ({listed(plant['retry_calls'])}) then cost_usd end), 0)
        from fct_span_costs where feature = '{plant['feature']}' group by day order by day""")
    assert sum(row[6] for row in expected) > 0 and sum(row[2] for row in expected) > 0
    columns = "failed_runs, failed_run_cost_usd, failed_calls, failed_call_cost_usd, retry_calls, retry_cost_usd"
    assert planted.query(f"select day, {columns} from fct_feature_costs_daily where feature = '{plant['feature']}' "
                         "order by day") == expected
    assert planted.query(f"select sum(failed_run_cost_usd), sum(retry_cost_usd) from fct_tenant_costs_daily "
                         f"where tenant_id = '{plant['tenant_id']}'") == [
        (sum(row[2] for row in expected), sum(row[6] for row in expected))]
    assert planted.query("select count(*) filter (where is_failed_run), sum(retry_calls), sum(retry_cost_usd) "
                         "from fct_run_costs") == [
        (len(plant["failed_runs"]), len(plant["retry_calls"]), sum(row[6] for row in expected))]
    # the clean demo has neither
    assert built.query("select sum(failed_runs), sum(failed_calls), sum(retry_calls) from fct_feature_costs_daily") == [
        (0, 0, 0)]


def test_planted_budget_breaches_are_found(planted: DbtProject, manifest: dict[str, Any]) -> None:
    plant = manifest["budget_breach"]
    breaches = _rows(planted, "select scope, scope_key, period, period_start::varchar as period_start, "
                              "item_id, status, "
                              "actual_usd, projected_usd, limit_usd from rpt_budget_forecast where is_breach")
    month = [r for r in breaches if r["period"] == "month"]
    assert [(r["scope"], r["scope_key"], r["period_start"], r["status"]) for r in month] == [
        ("tenant", plant["tenant_id"], plant["first_day"][:8] + "01", "projected_breach")]
    assert month[0]["actual_usd"] <= month[0]["limit_usd"] < month[0]["projected_usd"]
    calls = {(r["scope"], r["item_id"]) for r in breaches if r["period"] == "call"}
    assert calls == {("org", plant["call_span_id"])}
    runs = {(r["scope"], r["item_id"]) for r in breaches if r["period"] == "run"}
    assert ("feature", manifest["runaway_run"]["run_id"]) in runs  # support-chat's $2 run limit
    assert {i for _, i in runs} <= {manifest["runaway_run"]["run_id"], plant["call_run_id"]}
    assert all(r["status"] == "breached" for r in breaches if r["period"] in ("call", "run"))
    assert date.fromisoformat(plant["last_day"]) >= date.fromisoformat(plant["first_day"])


def test_user_and_session_breaches_are_the_marts_sums_and_current_ones_warn(
        planted: DbtProject, built: DbtProject, manifest: dict[str, Any]) -> None:
    """The shipped budgets (user '*' day $3, session '*' session $2): the rows are exactly the user-days and
    conversations whose spend in fct_span_costs is over the limit; the runaway run's conversation is one; the two
    warn-level tests warned in the planted build with the current rows, and have nothing to say on the clean demo."""
    (as_of,), = planted.query("select distinct as_of from rpt_budget_forecast")
    over_users = planted.query(f"select user_hash, day, sum(cost_usd) from fct_span_costs where user_hash is not null "
                               f"and day <= '{as_of}' group by all having sum(cost_usd) > 3 order by all")
    assert planted.query("select scope_key, period_start, actual_usd from rpt_budget_forecast "
                         "where scope = 'user' and period = 'day' order by all") == over_users
    over_sessions = planted.query(
        f"select conversation_id, min(day), max(day), sum(cost_usd) from fct_span_costs "
        f"where conversation_id <> '(unattributed)' and day <= '{as_of}' group by all having sum(cost_usd) > 2 "
        "order by all")
    assert planted.query("select scope_key, period_start, period_end, actual_usd from rpt_budget_forecast "
                         "where scope = 'session' and period = 'session' order by all") == over_sessions
    (runaway_conversation,), = planted.query("select conversation_id from fct_run_costs "
                                             f"where run_id = '{manifest['runaway_run']['run_id']}'")
    assert runaway_conversation in {row[0] for row in over_sessions} and over_users
    assert all(status == "breached" for (status,) in planted.query(
        "select status from rpt_budget_forecast where scope in ('user', 'session')"))

    current = "select status, count(*) from rpt_budget_forecast where is_breach and period_end >= as_of group by all"
    expected = dict(planted.query(current))
    assert expected.get("projected_breach", 0) > 0  # umbrella's month (the budget_breach plant)
    results = json.loads((planted.log_dir / "target" / "run_results.json").read_text())["results"]
    warned = {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results
              if ".budget_alerts_" in r["unique_id"]}
    assert warned == {f"budget_alerts_{status}": ("warn", count) if count else ("pass", 0)
                      for status, count in (("breached", expected.get("breached", 0)),
                                            ("projected_breach", expected["projected_breach"]))}
    assert built.query(current) == []


def test_summary_watch_list_counts_what_the_reports_flag(planted: DbtProject, built: DbtProject) -> None:
    from llm_cost.summary import build_summary

    def watch(project: DbtProject) -> dict[str, str]:
        text = build_summary(project.duckdb_path)
        lines = text.split("Watch list\n", 1)[1].split("\n\n", 1)[0].splitlines()
        return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in lines)}

    planted_watch, clean_watch = watch(planted), watch(built)
    for report, label in [("rpt_cost_anomalies", "cost anomalies (feature/tenant days)"),
                          ("rpt_runaway_runs", "runaway runs"),
                          ("rpt_cost_change_points", "cost-per-call step changes")]:
        (flagged,) = planted.query(f"select count(*) from {report}")[0]
        assert planted_watch[label] == f"{flagged:,}" and flagged > 0
        assert clean_watch[label] == "0"
    assert int(planted_watch["budget breaches (actual)"]) > 0
