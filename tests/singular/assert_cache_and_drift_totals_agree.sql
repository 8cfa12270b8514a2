-- rpt_cache_effectiveness and rpt_cost_drift lose no call, token or dollar of fct_span_costs: their totals agree
-- exactly (decimals, no tolerance). One row per disagreeing total.
with

span_totals as (
    select
        count(*) as calls,
        coalesce(sum(case when is_priced then 0 else 1 end), 0) as unpriced_calls,
        coalesce(sum(total_input_tokens), 0) as total_input_tokens,
        coalesce(sum(cache_read_tokens), 0) as cache_read_tokens,
        coalesce(sum(uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + cache_write_1h_cost_usd), 0)
            as input_cost_usd,
        coalesce(sum(cost_usd), 0) as cost_usd,
        coalesce(sum(effective_cost_usd), 0) as effective_cost_usd,
        coalesce(sum(case when reported_cost_usd is null then 0 else 1 end), 0) as reported_calls,
        coalesce(sum(reported_cost_usd), 0) as reported_cost_usd
    from {{ ref('fct_span_costs') }}
),

cache_totals as (
    select
        coalesce(sum(calls), 0) as calls,
        coalesce(sum(unpriced_calls), 0) as unpriced_calls,
        coalesce(sum(total_input_tokens), 0) as total_input_tokens,
        coalesce(sum(cache_read_tokens), 0) as cache_read_tokens,
        coalesce(sum(input_cost_usd), 0) as input_cost_usd
    from {{ ref('rpt_cache_effectiveness') }}
),

drift_totals as (
    select
        coalesce(sum(calls), 0) as calls,
        coalesce(sum(unpriced_calls), 0) as unpriced_calls,
        coalesce(sum(cost_usd), 0) as cost_usd,
        coalesce(sum(effective_cost_usd), 0) as effective_cost_usd,
        coalesce(sum(reported_calls), 0) as reported_calls,
        -- every reported cost is compared (priced call) or unchecked (unpriced call)
        coalesce(sum(reported_cost_usd), 0) + coalesce(sum(unchecked_reported_cost_usd), 0) as reported_cost_usd
    from {{ ref('rpt_cost_drift') }}
),

{%- set compared = [
    ('cache', 'calls'), ('cache', 'unpriced_calls'), ('cache', 'total_input_tokens'), ('cache', 'cache_read_tokens'),
    ('cache', 'input_cost_usd'), ('drift', 'calls'), ('drift', 'unpriced_calls'), ('drift', 'cost_usd'),
    ('drift', 'effective_cost_usd'), ('drift', 'reported_calls'), ('drift', 'reported_cost_usd'),
] %}

checks as (
    {%- for mart, column in compared %}
    select '{{ mart }} {{ column }}' as total, {{ mart }}_totals.{{ column }} = span_totals.{{ column }} as agrees
    from {{ mart }}_totals cross join span_totals
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select total from checks where not coalesce(agrees, false)
