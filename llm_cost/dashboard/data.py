"""The cost explorer's queries (README "Dashboards and BI tools"): each reads the marts of a DuckDB file (the published
copy) under the sidebar's filters and returns a pandas frame; amounts stay exact decimals until ``money`` formats them.
Kept apart from the Streamlit script so the numbers are tested without a browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from llm_cost.analytics import to_pandas


class DashboardError(Exception):
    """A file the explorer cannot read: said in one line, not a traceback."""


def money(value: Any, digits: int = 2) -> str:
    """US dollars as money: $1,234.56 (digits decimals, half-even), '-' for a missing amount."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "-"
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits))
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.{digits}f}"


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    features: tuple[str, ...] = ()  # empty: every feature
    tenants: tuple[str, ...] = ()  # empty: every tenant


class Explorer:
    """Read-only queries on one DuckDB file of marts."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if not path.exists():
            raise DashboardError(f"no marts at {path}: run `make run` first (it publishes {path.name}), "
                                 "or point the dashboard at your published copy")
        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise DashboardError(f"cannot open {path} read-only: {exc}") from None
        tables = {name for (name,) in self.con.execute("select table_name from information_schema.tables").fetchall()}
        if "fct_span_costs" not in tables:
            raise DashboardError(f"{path} holds no fct_span_costs: is it a build or published copy of the marts?")
        self.tables = tables

    def close(self) -> None:
        self.con.close()

    def frame(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Through Arrow, as the Python models read: amounts arrive as exact Decimals (``.df()`` gives floats)."""
        return to_pandas(self.con.sql(sql, params=params or None))

    # ------------------------------------------------------------------ filters

    def bounds(self) -> tuple[date, date]:
        ((first, last),) = self.con.execute("select min(day), max(day) from fct_span_costs").fetchall()
        if first is None:
            raise DashboardError("fct_span_costs is empty: no calls to explore yet")
        return first, last

    def options(self, column: str) -> list[str]:
        assert column in ("feature", "tenant_id")
        return [v for (v,) in self.con.execute(f"select distinct {column} from fct_span_costs order by 1").fetchall()]

    @staticmethod
    def where(f: Filters, day: str = "day", feature: str | None = "feature",
              tenant: str | None = "tenant_id") -> tuple[str, list[Any]]:
        """A SQL condition and its parameters for the filters, on the given columns (None: not filterable)."""
        clauses: list[str] = [f"{day} between ? and ?"]
        params: list[Any] = [f.start, f.end]
        if feature and f.features:
            clauses.append(f"list_contains(?, {feature})")
            params.append(list(f.features))
        if tenant and f.tenants:
            clauses.append(f"list_contains(?, {tenant})")
            params.append(list(f.tenants))
        return " and ".join(clauses), params

    # ------------------------------------------------------------------ spend

    def totals(self, f: Filters) -> dict[str, Any]:
        cond, params = self.where(f)
        (row,) = self.con.execute(f"""
            select coalesce(sum(cost_usd), 0), coalesce(sum(effective_cost_usd), 0), count(*),
                count(distinct run_id), count(*) filter (where not is_priced),
                count(*) filter (where unreported_usage is not null)
            from fct_span_costs where {cond}""", params).fetchall()
        keys = ["cost_usd", "effective_cost_usd", "calls", "runs", "unpriced_calls", "calls_with_unreported_usage"]
        return dict(zip(keys, row, strict=True))

    def trend(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f)
        return self.frame(f"select day, sum(cost_usd) as cost_usd, count(*) as calls from fct_span_costs "
                          f"where {cond} group by day order by day", params)

    def by(self, f: Filters, dimension: str) -> pd.DataFrame:
        """Spend per feature, tenant, model (provider/priced model) or agent."""
        key = {"feature": "feature", "tenant": "tenant_id",
               "model": "provider || '/' || coalesce(priced_model, request_model, '(unknown)')",
               "agent": "coalesce(agent_name, '(no agent)')"}[dimension]
        cond, params = self.where(f)
        return self.frame(f"""
            select {key} as {dimension}, count(*) as calls, count(distinct run_id) as runs,
                coalesce(sum(cost_usd), 0) as cost_usd, coalesce(sum(effective_cost_usd), 0) as effective_cost_usd,
                count(*) filter (where not is_priced) as unpriced_calls
            from fct_span_costs where {cond} group by 1 order by cost_usd desc, 1""", params)

    def tools(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f)
        return self.frame(f"""
            select tool_name as tool, count(*) as invocations, sum(nested_cost_usd) as nested_cost_usd,
                sum(triggering_cost_usd) as triggering_cost_usd, sum(total_cost_usd) as total_cost_usd,
                count(*) filter (where status = 'error') as failed
            from fct_tool_costs where {cond} group by 1 order by total_cost_usd desc, 1""", params)

    def top_runs(self, f: Filters, limit: int = 10) -> pd.DataFrame:
        cond, params = self.where(f)
        return self.frame(f"""
            select run_id, day, feature, tenant_id, root_agent_name, calls, cost_usd, effective_cost_usd,
                unpriced_calls, is_failed_run, retry_cost_usd
            from fct_run_costs where {cond} order by cost_usd desc, run_id limit {int(limit)}""", params)

    def steps(self, run_id: str) -> pd.DataFrame:
        return self.frame("""
            select step, agent_name, calls, input_tokens, output_tokens, cost_usd, effective_cost_usd
            from fct_step_costs where run_id = ? order by started_at, step""", [run_id])

    def failures(self, f: Filters) -> pd.DataFrame:
        """Per feature (the feature mart has no tenant: the tenant filter does not apply)."""
        cond, params = self.where(f, tenant=None)
        return self.frame(f"""
            select feature, sum(failed_runs) as failed_runs, sum(failed_run_cost_usd) as failed_run_cost_usd,
                sum(failed_calls) as failed_calls, sum(failed_call_cost_usd) as failed_call_cost_usd,
                sum(retry_calls) as retry_calls, sum(retry_cost_usd) as retry_cost_usd
            from fct_feature_costs_daily where {cond} group by 1
            having sum(failed_runs) + sum(failed_calls) + sum(retry_calls) > 0 order by 1""", params)

    # ------------------------------------------------------------------ pricing and data quality

    def unpriced(self) -> pd.DataFrame:
        return self.frame("select provider, model, reason, calls, tokens, first_seen, last_seen, missing_tiers "
                          "from rpt_unpriced_models order by calls desc, provider, model")

    def cache(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f, tenant=None)
        return self.frame(f"""
            select feature, sum(calls) as calls, sum(cache_hit_calls) as cache_hit_calls,
                sum(input_cost_usd) as input_cost_usd, sum(saved_usd) as saved_usd
            from rpt_cache_effectiveness where {cond} group by 1 order by saved_usd desc, 1""", params)

    def drift(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f, feature=None, tenant=None)
        return self.frame(f"""
            select provider, model, sum(compared_calls) as compared_calls, sum(reported_cost_usd) as reported_cost_usd,
                sum(computed_cost_usd) as computed_cost_usd, sum(drift_usd) as drift_usd
            from rpt_cost_drift where {cond} group by 1, 2 having sum(compared_calls) > 0
            order by abs(sum(drift_usd)) desc, 1, 2""", params)

    def usage_gaps(self) -> pd.DataFrame:
        return self.frame("select service_name, provider, model, unreported_usage, calls_with_unreported_usage, "
                          "cost_usd, max_overstatement_usd from rpt_unreported_usage order by cost_usd desc")

    def reconciliation(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f, feature=None, tenant=None)
        return self.frame(f"""
            select provider, sum(provider_cost_usd) as provider_cost_usd,
                sum(attributed_cost_usd) as attributed_cost_usd, sum(unattributed_cost_usd) as unattributed_cost_usd,
                sum(attributed_tokens) / nullif(sum(provider_tokens), 0) as coverage
            from rpt_invoice_reconciliation where {cond} group by 1 order by 1""", params)

    # ------------------------------------------------------------------ budgets, anomalies, unit economics

    def budgets(self) -> pd.DataFrame:
        return self.frame("select scope, scope_key, period, period_start, status, actual_usd, projected_usd, limit_usd "
                          "from rpt_budget_forecast where is_breach order by period_start desc, scope, scope_key")

    def anomalies(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f, feature=None, tenant=None)
        return self.frame(f"select day, dimension, dimension_key, cost_usd, baseline_median_usd, cost_ratio "
                          f"from rpt_cost_anomalies where {cond} order by day desc, cost_usd desc", params)

    def tails(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f, feature="dimension_value", tenant=None)
        return self.frame(f"""
            select dimension_value as feature, sum(runs) as runs, max(p50_run_cost_usd) as worst_day_p50_usd,
                max(p95_run_cost_usd) as worst_day_p95_usd, max(max_run_cost_usd) as max_run_cost_usd
            from fct_run_cost_tails_daily where dimension = 'feature' and {cond} group by 1 order by 1""", params)

    def swaps(self) -> pd.DataFrame:
        return self.frame("select swap_id, to_model, sum(calls) as calls, sum(actual_cost_usd) as actual_cost_usd, "
                          "sum(candidate_cost_usd) as candidate_cost_usd, sum(estimated_saving_usd) as "
                          "estimated_saving_usd from rpt_model_swap_savings group by 1, 2 order by 1")

    def margins(self, f: Filters) -> pd.DataFrame:
        cond, params = self.where(f, day="month", feature=None)
        params[0] = f.start.replace(day=1)
        return self.frame(f"""
            select month, tenant_id, plan, revenue_usd, effective_cost_usd, margin_usd, features_over_plan
            from rpt_tenant_margins_monthly where {cond} order by month, tenant_id""", params)
