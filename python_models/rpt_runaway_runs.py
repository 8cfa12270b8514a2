"""Runs costing many times their feature's median run, with the step and tool behind them
(documented in _rpt_runaway_runs.yml)."""

from llm_cost import analytics


def model(dbt, session):
    dbt.config(materialized="table")
    settings = analytics.settings_from(
        analytics.RunawaySettings,
        cost_multiple=dbt.config.meta_get("runaway_cost_multiple"),
        min_calls=dbt.config.meta_get("runaway_min_calls"),
        min_feature_runs=dbt.config.meta_get("runaway_min_feature_runs"),
        loop_min_repeats=dbt.config.meta_get("runaway_loop_min_repeats"),
    )
    runs = dbt.ref("fct_run_costs")
    # each feature's exact median run (the warehouse picks the middle runs), then only the runs above them
    medians = analytics.read_feature_run_medians(runs)
    candidates = analytics.to_pandas(runs, [
        "run_id", "day", "started_at", "feature", "tenant_id", "root_agent_name", "calls", "cost_usd"],
        where=f"{analytics.PRICED} and "
              + analytics.runaway_candidates_sql(analytics.runaway_thresholds(medians, settings), settings))
    flagged = analytics.flag_runaway_runs(candidates, settings, medians=medians)
    # steps and tools of the flagged runs only: read in the warehouse, not every run's
    flagged_runs = analytics.in_list("run_id", flagged["run_id"])
    steps = analytics.to_pandas(dbt.ref("fct_step_costs"), [
        "run_id", "agent_span_id", "step", "started_at", "input_tokens"], where=flagged_runs)
    tools = analytics.to_pandas(dbt.ref("fct_tool_costs"), [
        "run_id", "tool_span_id", "tool_name", "started_at"], where=flagged_runs)
    return analytics.explain_runaway_runs(flagged, steps, tools, settings)
