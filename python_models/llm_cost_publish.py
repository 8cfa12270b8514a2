"""The marts as a read-only copy for dashboards and BI tools, swapped in after each complete build
(documented in _llm_cost_publish.yml; logic in llm_cost/publish.py)."""

from pathlib import Path

import pandas as pd

from llm_cost import publish


def model(dbt, session):
    dbt.config(materialized="table")
    # every fct_ and rpt_ model, each as a literal ref (dbt reads them from the source): this model runs after all of
    # them, and is skipped when one fails, so the published copy stays the last complete one
    # (tests/pytest/test_build_state.py checks none is missing)
    dbt.ref("llm_cost_build_state")
    dbt.ref("fct_span_costs")
    dbt.ref("fct_run_costs")
    dbt.ref("fct_step_costs")
    dbt.ref("fct_tool_costs")
    dbt.ref("fct_feature_costs_daily")
    dbt.ref("fct_tenant_costs_daily")
    dbt.ref("fct_run_cost_tails_daily")
    dbt.ref("fct_focus_costs")
    dbt.ref("rpt_unpriced_models")
    dbt.ref("rpt_cache_effectiveness")
    dbt.ref("rpt_cost_drift")
    dbt.ref("rpt_unreported_usage")
    dbt.ref("rpt_invoice_reconciliation")
    dbt.ref("rpt_model_swap_savings")
    dbt.ref("rpt_tenant_margins_monthly")
    dbt.ref("rpt_cost_anomalies")
    dbt.ref("rpt_runaway_runs")
    dbt.ref("rpt_cost_change_points")
    dbt.ref("rpt_budget_forecast")
    result = publish.publish(session, dbt.this.database, dbt.this.schema, Path(dbt.config.meta_get("publish_path")))
    return pd.DataFrame([result])
