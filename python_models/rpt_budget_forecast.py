"""Month-to-date spend, month-end projection and breaches against seeds/budgets.csv
(documented in _rpt_budget_forecast.yml)."""

from llm_cost import analytics


def model(dbt, session):
    dbt.config(materialized="table")
    budgets = analytics.to_pandas(dbt.ref("budgets"))
    columns = ["day", "cost_usd"]
    features = analytics.to_pandas(dbt.ref("fct_feature_costs_daily"), ["feature", *columns])
    tenants = analytics.to_pandas(dbt.ref("fct_tenant_costs_daily"), ["tenant_id", *columns])
    # only calls and runs above the smallest per-call / per-run limit can breach one: filter in the warehouse
    runs = analytics.to_pandas(dbt.ref("fct_run_costs"), ["run_id", "feature", "tenant_id", *columns],
                               where=analytics.over_smallest_limit(budgets, "run"))
    calls = analytics.to_pandas(dbt.ref("fct_span_costs"), ["span_id", "feature", "tenant_id", *columns],
                                where=analytics.over_smallest_limit(budgets, "call"))
    return analytics.budget_status(
        features, tenants, runs, calls, budgets,
        as_of=analytics.optional_day(dbt.config.meta_get("budget_as_of")),
        run_rate_days=analytics.settings_from(
            analytics.BudgetSettings, run_rate_days=dbt.config.meta_get("budget_run_rate_days")).run_rate_days,
    )
