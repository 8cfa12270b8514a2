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
    # per-run units summed in the warehouse as each batch arrives (int_run_cost_units): no build groups the calls of
    # the whole history, and pandas holds one part of one kind of units at a time
    units = dbt.ref("int_run_cost_units")
    return analytics.change_points_from_units(
        analytics.read_run_unit_parts(units, "agent"), analytics.read_run_unit_parts(units, "feature"), settings,
        prompt_units=analytics.read_run_unit_parts(units, "prompt"))
