"""Baseline (a), "naive GROUP BY": one DuckDB query over the raw OTLP files, as blog posts do it.

Reads the collector's JSON lines (read_json_objects, gzip aware, skipping lines that are not JSON), casts
each to the OTLP struct with from_json, unnests resourceSpans -> scopeSpans -> spans,
takes the model (request, else response) and gen_ai.usage.input_tokens / output_tokens from the span's
attribute list, groups by model and prices with the latest standard, base-tier row of the price seed
joined on the model string. No span tree, no dedup of duplicate layers or re-deliveries, no other
conventions, no cache or reasoning buckets, no price history, no aliases.

Why read_json_objects + from_json rather than read_json(columns = {resourceSpans: ...}): same rows and
totals, but with DuckDB 2.0 on these files read_json with the nested column type was 12-15x slower
(100k spans: 5.5-7.2 s against 0.45 s), which would flatter the dbt build in the comparison.

Run by bench/run_bench.py in a subprocess of its own; prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

# The OTLP TracesData struct, only the fields the query reads.
OTLP_STRUCT = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [
    {"attributes": [{"key": "VARCHAR", "value": {"stringValue": "VARCHAR", "intValue": "VARCHAR"}}]}
]}]}]}, separators=(",", ":"))


def attr(name: str, field: str = "stringValue") -> str:
    return f"list_filter(s.attributes, lambda a: a.key = '{name}')[1].value.{field}"


QUERY = f"""
with
lines as (
    select from_json(json, '{OTLP_STRUCT}').resourceSpans as resourceSpans
    from read_json_objects($glob, format = 'newline_delimited', ignore_errors = true)
),
spans as (
    select unnest(ss.spans) as s
    from (select unnest(rs.scopeSpans) as ss from (select unnest(resourceSpans) as rs from lines))
),
calls as (
    select
        coalesce({attr('gen_ai.request.model')}, {attr('gen_ai.response.model')}) as model,
        try_cast({attr('gen_ai.usage.input_tokens', 'intValue')} as bigint) as input_tokens,
        try_cast({attr('gen_ai.usage.output_tokens', 'intValue')} as bigint) as output_tokens
    from spans
),
latest_prices as (
    select model, input_usd_per_mtok, output_usd_per_mtok
    from read_csv($prices, header = true)
    where service_tier = 'standard' and min_input_tokens = 0
    qualify row_number() over (partition by model order by effective_from desc) = 1
)
select
    calls.model,
    count(*) as spans,
    count(*) filter (where input_tokens is not null or output_tokens is not null) as calls,
    count(*) filter (where (input_tokens is not null or output_tokens is not null)
                     and latest_prices.model is null) as unpriced_calls,
    coalesce(sum(input_tokens), 0) as input_tokens,
    coalesce(sum(output_tokens), 0) as output_tokens,
    sum((coalesce(input_tokens, 0) * input_usd_per_mtok + coalesce(output_tokens, 0) * output_usd_per_mtok) / 1e6)
        as cost_usd
from calls
left join latest_prices on calls.model = latest_prices.model
group by all
order by cost_usd desc nulls last
"""


def run(glob: str, prices: str, threads: int) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(config={"threads": threads})
    try:
        rows = con.execute(QUERY, {"glob": glob, "prices": prices}).fetchall()
    finally:
        con.close()
    by_model = [
        {"model": m, "spans": s, "calls": c, "unpriced_calls": u, "input_tokens": i, "output_tokens": o,
         "cost_usd": float(cost) if cost is not None else None}
        for m, s, c, u, i, o, cost in rows
    ]
    return {
        "spans": sum(r["spans"] for r in by_model),
        "calls": sum(r["calls"] for r in by_model),
        "unpriced_calls": sum(r["unpriced_calls"] for r in by_model),
        "cost_usd": sum(r["cost_usd"] or 0.0 for r in by_model),
        "by_model": [r for r in by_model if r["calls"]],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prices", required=True, help="seeds/model_prices.csv")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--glob", required=True, help="glob of the OTLP JSON(.gz) files")
    args = p.parse_args(argv)
    json.dump(run(args.glob, args.prices, args.threads), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
