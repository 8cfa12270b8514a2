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
    keys = ["feature", "tenant_id", "user_hash", "conversation_id"]
    runs = analytics.to_pandas(dbt.ref("fct_run_costs"), ["run_id", *keys, *columns],
                               where=analytics.over_smallest_limit(budgets, "run"))
    span_costs = dbt.ref("fct_span_costs")
    calls = analytics.to_pandas(span_costs, ["span_id", *keys, *columns],
                                where=analytics.over_smallest_limit(budgets, "call"))
    # users' daily spend, summed in the warehouse (only when some budget has that scope)
    spend = "coalesce(sum(cost_usd), 0) as cost_usd"
    user_daily = analytics.to_pandas(span_costs, ["user_hash", "day", spend], group_by=["user_hash", "day"],
                                     where="user_hash is not null") if analytics.has_scope(budgets, "user") else None
    as_of = analytics.budget_as_of(features, tenants, analytics.optional_day(dbt.config.meta_get("budget_as_of")))
    # conversations' spend summed in the warehouse: only those over the smallest session limit reach pandas
    session_totals = analytics.read_session_totals(span_costs, budgets, as_of) if as_of else None
    return analytics.budget_status(
        features, tenants, runs, calls, budgets, user_daily=user_daily, session_totals=session_totals, as_of=as_of,
        run_rate_days=analytics.settings_from(
            analytics.BudgetSettings, run_rate_days=dbt.config.meta_get("budget_run_rate_days")).run_rate_days,
    )
