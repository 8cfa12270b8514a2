"""Step changes in cost per call, by agent version and by day (documented in _rpt_cost_change_points.yml)."""

from llm_cost import analytics


def model(dbt, session):
    dbt.config(materialized="table")
    settings = analytics.settings_from(
        analytics.ChangePointSettings,
        min_segment_runs=dbt.config.meta_get("change_min_segment_runs"),
        min_segment_days=dbt.config.meta_get("change_min_segment_days"),
        min_ratio=dbt.config.meta_get("change_min_ratio"),
        min_z=dbt.config.meta_get("change_min_z"),
    )
    calls = analytics.to_pandas(dbt.ref("fct_span_costs"), [
        "run_id", "day", "started_at", "feature", "agent_name", "agent_version", "cost_usd"])
    return analytics.find_cost_change_points(calls, settings)
