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
    # per-run aggregates computed in the warehouse: pandas sees one row per run (and agent version), not per call
    calls = dbt.ref("fct_span_costs")
    feature_keys = ["run_id", "feature"]
    agent_keys = ["run_id", *analytics.AGENT_KEYS]
    prompt_keys = ["run_id", *analytics.PROMPT_KEYS]
    feature_units = analytics.to_pandas(calls, [*feature_keys, *analytics.RUN_UNIT_AGGREGATES],
                                        where=analytics.PRICED, group_by=feature_keys)
    agent_units = analytics.to_pandas(calls, [*agent_keys, *analytics.RUN_UNIT_AGGREGATES],
                                      where=f"{analytics.PRICED} and {analytics.WITH_AGENT}", group_by=agent_keys)
    prompt_units = analytics.to_pandas(calls, [*prompt_keys, *analytics.RUN_UNIT_AGGREGATES],
                                       where=f"{analytics.PRICED} and {analytics.WITH_PROMPT}", group_by=prompt_keys)
    return analytics.change_points_from_units(
        analytics.with_cost_per_call(agent_units), analytics.with_cost_per_call(feature_units), settings,
        prompt_units=analytics.with_cost_per_call(prompt_units))
