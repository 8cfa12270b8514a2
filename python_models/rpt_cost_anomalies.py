"""Days a feature or a tenant spent far above its trailing baseline (documented in _rpt_cost_anomalies.yml)."""

from llm_cost import analytics


def model(dbt, session):
    dbt.config(materialized="table")
    settings = analytics.settings_from(
        analytics.AnomalySettings,
        window_days=dbt.config.meta_get("anomaly_window_days"),
        min_history_days=dbt.config.meta_get("anomaly_min_history_days"),
        z_threshold=dbt.config.meta_get("anomaly_z_threshold"),
        min_ratio=dbt.config.meta_get("anomaly_min_ratio"),
        min_jump_usd=dbt.config.meta_get("anomaly_min_jump_usd"),
    )
    columns = ["day", "cost_usd", "runs", "calls"]
    features = analytics.to_pandas(dbt.ref("fct_feature_costs_daily"), ["feature", *columns])
    tenants = analytics.to_pandas(dbt.ref("fct_tenant_costs_daily"), ["tenant_id", *columns])
    return analytics.find_cost_anomalies(features, tenants, settings)
