"""Step changes in cost per call, by agent version, prompt template version and by day
(documented in _rpt_cost_change_points.yml)."""

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
    # per-run aggregates computed in the warehouse: pandas holds one compact row per run (and agent version), not
    # per call
    calls = dbt.ref("fct_span_costs")
    return analytics.change_points_from_units(
        analytics.read_run_units(calls, analytics.AGENT_KEYS, where=f"{analytics.PRICED} and {analytics.WITH_AGENT}"),
        analytics.read_run_units(calls, ["feature"]), settings,
        prompt_units=analytics.read_run_units(
            calls, analytics.PROMPT_KEYS, where=f"{analytics.PRICED} and {analytics.WITH_PROMPT}"))
