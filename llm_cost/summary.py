"""The short cost report `make run` ends with, read from the built DuckDB file."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from llm_cost.duckdb_lock import open_error

TOP_N = 5


class SummaryError(Exception):
    """A user-facing problem (missing file, project not built): printed, never a traceback."""


def _money(value: Decimal | None) -> str:
    if value is None:
        return "$0.00"
    return f"${value:,.2f}" if value >= Decimal("0.01") or value == 0 else f"${value:.6f}"


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [title]
    for n, row in enumerate(cells):
        padded = (c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        lines.append("  " + "  ".join(padded))
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    if not rows:
        lines.append("  (none)")
    return lines


def build_summary(duckdb_path: Path) -> str:
    """Return the report text; raises SummaryError when the file or the marts are missing."""
    import duckdb

    if not duckdb_path.exists():
        raise SummaryError(f"no DuckDB file at {duckdb_path}: run `make run` (or `dbt build`) first")
    try:
        con = duckdb.connect(str(duckdb_path), read_only=True)
    except duckdb.Error as exc:
        raise SummaryError(open_error(duckdb_path, exc)) from None
    try:
        return _report(con, duckdb_path)
    except duckdb.CatalogException as exc:
        raise SummaryError(f"the marts are not built in {duckdb_path}: {exc}") from None
    finally:
        con.close()


def _report(con: Any, duckdb_path: Path) -> str:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return con.execute(sql).fetchall()

    calls, runs, cost, effective, unpriced_calls, unpriced_tokens, first, last = rows(
        """
        select count(*), count(distinct run_id), coalesce(sum(cost_usd), 0), coalesce(sum(effective_cost_usd), 0),
               sum(case when is_priced then 0 else 1 end),
               coalesce(sum(case when is_priced then 0 else total_tokens end), 0),
               min(started_at), max(started_at)
        from fct_span_costs
        """
    )[0]
    out = [
        "",
        "LLM cost summary",
        "================",
        f"Total cost: {_money(cost)} over {calls:,} calls in {runs:,} runs ({first} .. {last} UTC)",
        *_contract_lines(rows, cost, effective),
        "",
    ]

    def top(dimension: str) -> list[tuple[Any, ...]]:
        return [
            (name, f"{n:,}", _money(c) + (f" + {u:,} UNPRICED calls" if u else ""))
            for name, n, c, u in rows(
                f"""
                select {dimension}, count(*), coalesce(sum(cost_usd), 0) as cost,
                       sum(case when is_priced then 0 else 1 end)
                from fct_span_costs group by 1 order by cost desc, 1 limit {TOP_N}
                """
            )
        ]

    out += [*_table("Top features", ["feature", "calls", "cost"], top("feature")), ""]
    out += [*_table("Top tenants", ["tenant", "calls", "cost"], top("tenant_id")), ""]
    models = top("provider || '/' || coalesce(priced_model, reported_model)")
    out += [*_table("Top models", ["provider/model", "calls", "cost"], models), ""]
    expensive = [
        (run_id, feature, f"{n:,}", _money(c))
        for run_id, feature, n, c in rows(
            f"select run_id, feature, calls, cost_usd from fct_run_costs order by cost_usd desc, run_id limit {TOP_N}"
        )
    ]
    out += [*_table("Most expensive runs", ["run_id", "feature", "calls", "cost"], expensive), ""]

    quarantined = rows("select count(*) from stg_otel__quarantine")[0][0]
    duplicates = rows("select count(*) from int_llm_calls__dropped_duplicates")[0][0]
    fallback = rows("select count(*) from fct_span_costs where price_fallback")[0][0]
    out.append(
        f"Data quality: {quarantined:,} quarantined records (stg_otel__quarantine), "
        f"{duplicates:,} duplicate call layers folded (int_llm_calls__dropped_duplicates), "
        f"{fallback:,} calls priced with a fallback rate (price_fallback)."
    )

    built = built_tables(rows)
    out += _unreported_usage(rows, built)
    out += _landing_files(rows, built)
    out += _coverage(rows, built)
    out += _watch_list(rows, built)

    unpriced = rows(
        "select provider, model, calls, tokens, reason from rpt_unpriced_models where calls > 0"
        " order by calls desc, provider, model"
    )
    missing_tiers = rows(
        "select provider, model, missing_tiers, tier_fallback_calls from rpt_unpriced_models"
        " where missing_tiers is not null order by tier_fallback_calls desc, provider, model"
    )
    if missing_tiers:
        out += ["", "Service tiers with no price row (those calls are priced at standard, flagged price_fallback):"]
        out += [f"  {p}/{m}: {tiers} ({n:,} calls)" for p, m, tiers, n in missing_tiers]
    unpriced_modifiers = rows(
        "select provider, model, unpriced_modifiers, unpriced_modifier_calls from rpt_unpriced_models"
        " where unpriced_modifiers is not null order by unpriced_modifier_calls desc, provider, model"
    )
    if unpriced_modifiers:
        out += ["", "Price modifiers signalled with no rule in seeds/price_modifiers.csv (those calls are priced "
                "without them, flagged unpriced_modifiers):"]
        out += [f"  {p}/{m}: {mods} ({n:,} calls)" for p, m, mods, n in unpriced_modifiers]
    if unpriced:
        out += [
            "",
            "!" * 78,
            f"!! UNPRICED MODELS: {unpriced_calls:,} calls and {unpriced_tokens:,} tokens "
            "have NO COST in the totals above",
            "!! Add their prices to seeds/model_prices.csv (or an alias to seeds/model_aliases.csv):",
        ]
        out += [f"!!   {p}/{m}: {n:,} calls, {t:,} tokens ({reason})" for p, m, n, t, reason in unpriced]
        out += ["!" * 78]
    else:
        out.append("Every call is priced.")
    out += ["", f"DuckDB file: {duckdb_path.resolve()}  (marts: fct_*, rpt_*)", ""]
    return "\n".join(out)


def _contract_lines(rows: Any, cost: Decimal, effective: Decimal) -> list[str]:
    """The total under negotiated terms (seeds/contracts.csv, README "Contracts") beside the list total, when the
    contracts change it; every other figure of the report is at list prices."""
    if effective == cost:
        return []
    (contracted,) = rows("select count(*) from fct_span_costs where contract_effective_from is not null")[0]
    gap = f"{_money(cost - effective)} below" if effective < cost else f"{_money(effective - cost)} above"
    return [f"Under contracts: {_money(effective)}, {gap} list prices ({contracted:,} calls covered by "
            "seeds/contracts.csv; fct_span_costs.effective_cost_usd). The figures below are list prices."]


def built_tables(rows: Any) -> set[str]:
    """The relations in the file: a report that is off (Python models, landing on BigQuery) is skipped or named."""
    return {name for (name,) in rows("select table_name from information_schema.tables")}


def _unreported_usage(rows: Any, built: set[str]) -> list[str]:
    """Spend resting on usage the spans did not fully report (README "Input"; rpt_unreported_usage): an upper
    bound charges the dearest rate the missing bucket allows, a lower bound could not be bounded above."""
    if "rpt_unreported_usage" not in built:
        return []
    upper_calls, upper_cost, over, lower_calls, lower_cost = rows(
        """
        select coalesce(sum(upper_bound_calls), 0), coalesce(sum(upper_bound_cost_usd), 0),
               coalesce(sum(max_overstatement_usd), 0), coalesce(sum(lower_bound_calls), 0),
               coalesce(sum(lower_bound_cost_usd), 0)
        from rpt_unreported_usage
        """
    )[0]
    if not upper_calls and not lower_calls:
        return ["Unreported usage: every call's spans report every bucket its price bills."]
    return [
        f"Unreported usage: {upper_calls:,} calls ({_money(upper_cost)}) are upper bounds, at most "
        f"{_money(over)} overstated; {lower_calls:,} calls ({_money(lower_cost)}) are lower bounds "
        "(rpt_unreported_usage)."
    ]


def _landing_files(rows: Any, built: set[str]) -> list[str]:
    """Landing files the newest read left something behind in (README "Landing folders"): unreadable ones are
    retried on every build, pending ones wait for their last line's newline."""
    if "stg_otel__file_reads" not in built:
        return []
    files = rows(
        """
        select source_file, file_status, status_reason from stg_otel__file_reads where row_kind = 'file'
        qualify row_number() over (partition by source_file order by read_seq desc) = 1
        order by file_status desc, source_file
        """
    )
    waiting = [(path, status, reason) for path, status, reason in files if status != "complete"]
    lines = [f"Landing files: {len(files):,} read, {len(waiting):,} unreadable or pending (stg_otel__file_reads)."]
    shown = waiting[:TOP_N * 2]
    lines += [f"  {status.upper()}: {path}: {reason}" for path, status, reason in shown]
    if len(waiting) > len(shown):
        lines.append(f"  ... and {len(waiting) - len(shown):,} more")
    return lines


def _coverage(rows: Any, built: set[str]) -> list[str]:
    """The providers' own reports against the spans (README "Reconciliation"; rpt_invoice_reconciliation), per
    provider over the days its usage reports cover; nothing when no report is loaded."""
    if "rpt_invoice_reconciliation" not in built:
        return []
    lines = rows(
        """
        select provider, sum(attributed_tokens), sum(provider_tokens), sum(attributed_cost_usd),
               sum(provider_cost_usd), sum(unattributed_cost_usd), sum(price_drift_usd)
        from rpt_invoice_reconciliation where has_provider_usage
        group by provider order by provider
        """
    )
    if not lines:
        return []
    table = [
        (provider, f"{attributed:,}", f"{reported:,}", f"{100 * attributed / reported:.1f}%" if reported else "-",
         _money(attributed_cost), "-" if provider_cost is None else _money(provider_cost), _money(unattributed_cost),
         "-" if drift is None else _money(drift))
        for provider, attributed, reported, attributed_cost, provider_cost, unattributed_cost, drift in lines
    ]
    return ["", *_table(
        "Coverage: the providers' usage reports against the spans, on the days reported (rpt_invoice_reconciliation)",
        ["provider", "attributed tokens", "provider tokens", "coverage", "attributed cost", "provider cost",
         "unattributed cost", "price drift"], table)]


def _watch_list(rows: Any, built: set[str]) -> list[str]:
    """What the reports flag (README "Anomalies, runaway runs, change points and budgets"); a report that was
    not built (Python models off) is named as such, never shown as zero."""

    def count(table: str, status: str | None = None) -> str:
        if table not in built:
            return f"not built ({table})"
        where = f"where status = '{status}'" if status else ""
        return f"{rows(f'select count(*) from {table} {where}')[0][0]:,}"

    lines = ["", "Watch list",
             f"  cost anomalies (feature/tenant days):  {count('rpt_cost_anomalies')}",
             f"  runaway runs:                          {count('rpt_runaway_runs')}",
             f"  cost-per-call step changes:            {count('rpt_cost_change_points')}",
             f"  budget breaches (actual):              {count('rpt_budget_forecast', 'breached')}",
             f"  budget breaches (projected):           {count('rpt_budget_forecast', 'projected_breach')}"]
    if "rpt_cache_effectiveness" in built:
        saved = rows("select coalesce(sum(saved_usd), 0) from rpt_cache_effectiveness")[0][0]
        lines.append(f"  prompt caching saved:                  {_money(saved)} (rpt_cache_effectiveness)")
    if "rpt_cost_drift" in built:
        drift, compared = rows("select coalesce(sum(drift_usd), 0), coalesce(sum(compared_calls), 0) "
                               "from rpt_cost_drift")[0]
        lines.append(f"  reported minus computed cost:          {_money(drift)} over {compared:,} calls "
                     "(rpt_cost_drift)")
    return lines
