"""The cost explorer (README "Dashboards and BI tools"): `make dashboard`, or
`streamlit run llm_cost/dashboard/app.py -- --duckdb llm_cost.published.duckdb`. It reads the published copy of the
marts read-only; every number comes from llm_cost/dashboard/data.py."""

from __future__ import annotations

import argparse
import os
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from llm_cost.dashboard.data import DashboardError, Explorer, Filters, money

DEFAULT_DUCKDB = "llm_cost.published.duckdb"
# amounts under a dollar a unit (per call, per run): more digits than a total
UNIT_AMOUNTS = ("per_call", "p50", "p95", "p99", "median")


def duckdb_path() -> str:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--duckdb", default=os.environ.get("LLM_COST_DASHBOARD_DUCKDB", DEFAULT_DUCKDB))
    args, _ = parser.parse_known_args()
    return str(args.duckdb)


def formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """Money as money ($1,234.56; unit amounts with 4 decimals), counts with thousands separators, blanks as '-'."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column.endswith("_usd"):
            digits = 4 if any(k in column for k in UNIT_AMOUNTS) else 2
            out[column] = [money(v, digits) for v in values]
        elif column in ("coverage", "cost_ratio"):
            out[column] = ["-" if v is None or pd.isna(v) else f"{float(v):.1%}" if column == "coverage"
                           else f"{float(v):.1f}x" for v in values]
        elif pd.api.types.is_integer_dtype(values) or all(isinstance(v, int | Decimal) for v in values.dropna()):
            out[column] = ["-" if pd.isna(v) else f"{int(v):,}" for v in values]
        else:
            out[column] = ["-" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values]
    out.columns = [c.replace("_usd", "").replace("_", " ") for c in out.columns]
    return out


def table(frame: pd.DataFrame, empty: str, limit: int = 25) -> None:
    """A table as text in the page (st.table: a browser and a screen reader read it), at most `limit` rows."""
    if frame.empty:
        st.caption(empty)
        return
    shown = formatted(frame.head(limit))
    st.table(shown.set_index(shown.columns[0]))
    if len(frame) > limit:
        st.caption(f"{limit} of {len(frame):,} rows")


@st.cache_resource
def explorer(path: str) -> Explorer:
    return Explorer(path)


def main() -> None:
    st.set_page_config(page_title="LLM cost explorer", layout="wide")
    st.title("LLM cost explorer")
    path = duckdb_path()
    try:
        data = explorer(path)
        first, last = data.bounds()
    except DashboardError as exc:
        st.error(str(exc))
        st.stop()
        return

    with st.sidebar:
        st.header("Filters")
        picked: Any = st.date_input("Days", value=(first, last), min_value=first, max_value=last, key="days")
        start, end = (picked[0], picked[-1]) if isinstance(picked, tuple | list) and picked else (first, last)
        features = st.multiselect("Feature", data.options("feature"), key="features")
        tenants = st.multiselect("Tenant", data.options("tenant_id"), key="tenants")
        st.caption(f"Reading {path} (read-only)")
    f = Filters(start, end, tuple(features), tuple(tenants))

    totals = data.totals(f)
    cols = st.columns(5)
    cols[0].metric("Cost (list)", money(totals["cost_usd"]))
    cols[1].metric("Cost (effective)", money(totals["effective_cost_usd"]))
    cols[2].metric("Calls", f"{totals['calls']:,}")
    cols[3].metric("Runs", f"{totals['runs']:,}")
    cols[4].metric("Unpriced calls", f"{totals['unpriced_calls']:,}")
    if totals["unpriced_calls"]:
        st.warning(f"{totals['unpriced_calls']:,} calls have no price: their cost is missing from these totals "
                   "(see Pricing and data quality).")
    trend = data.trend(f)
    if not trend.empty:
        st.subheader("Daily cost")
        st.line_chart(trend.assign(cost_usd=trend["cost_usd"].astype(float)).set_index("day")["cost_usd"])

    spend, runs, quality, budgets, economics = st.tabs(
        ["Spend by", "Most expensive runs", "Pricing and data quality", "Budgets and anomalies", "Unit economics"])
    with spend:
        for dimension, title in (("feature", "Feature"), ("tenant", "Tenant"), ("model", "Model"),
                                 ("agent", "Agent")):
            st.subheader(f"By {title.lower()}")
            table(data.by(f, dimension), "No calls.")
        st.subheader("By tool")
        table(data.tools(f), "No tool invocations.")
        st.subheader("Failures and retries")
        table(data.failures(f), "No failed runs, failed calls or retries.")
    with runs:
        top = data.top_runs(f)
        table(top, "No runs.", limit=10)
        if not top.empty:
            run_id = st.selectbox("Steps of run", list(top["run_id"]), key="run")
            table(data.steps(str(run_id)), "No steps.")
    with quality:
        st.subheader("Unpriced models")
        table(data.unpriced(), "Every model is priced.")
        st.subheader("Cache effectiveness")
        table(data.cache(f), "No cache use.")
        st.subheader("Reported against computed cost (drift)")
        table(data.drift(f), "No emitter reported a cost.")
        st.subheader("Usage the spans did not report")
        table(data.usage_gaps(), "Every priced bucket was reported.")
        st.subheader("Provider reports (reconciliation)")
        table(data.reconciliation(f), "No provider reports loaded.")
    with budgets:
        st.subheader("Budget breaches")
        table(data.budgets(), "No budget breached or projected to.")
        st.subheader("Cost anomalies")
        table(data.anomalies(f), "No anomalies.")
    with economics:
        st.subheader("Margins per tenant")
        table(data.margins(f), "No tenant plans.")
        st.subheader("Run cost tails per feature")
        table(data.tails(f), "No runs.")
        st.subheader("Model swaps (estimates)")
        table(data.swaps(), "No candidate swaps.")


main()
