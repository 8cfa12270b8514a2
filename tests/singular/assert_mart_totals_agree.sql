-- Money is summed, never lost (docs/contract.md section 6): calls, tokens, cost (list and effective) and unpriced counts
-- agree across span, run, step, feature-day and tenant-day marts, exactly (decimals, no tolerance); so do calls with
-- unreported usage.
with

totals as (
    select 'fct_span_costs' as mart, count(*) as calls, sum(total_tokens) as tokens,
        coalesce(sum(cost_usd), 0) as cost_usd, sum(case when is_priced then 0 else 1 end) as unpriced_calls,
        sum(case when is_priced then 0 else total_tokens end) as unpriced_tokens,
        sum(case when unreported_usage is null then 0 else 1 end) as calls_with_unreported_usage,
        coalesce(sum(effective_cost_usd), 0) as effective_cost_usd
    from {{ ref('fct_span_costs') }}
    union all
    select 'fct_run_costs', sum(calls), sum(total_tokens), sum(cost_usd), sum(unpriced_calls), sum(unpriced_tokens), sum(calls_with_unreported_usage),
        sum(effective_cost_usd)
    from {{ ref('fct_run_costs') }}
    union all
    select 'fct_step_costs', sum(calls), sum(input_tokens + output_tokens), sum(cost_usd), sum(unpriced_calls), sum(unpriced_tokens), sum(calls_with_unreported_usage),
        sum(effective_cost_usd)
    from {{ ref('fct_step_costs') }}
    union all
    select 'fct_feature_costs_daily', sum(calls), sum(total_tokens), sum(cost_usd), sum(unpriced_calls), sum(unpriced_tokens), sum(calls_with_unreported_usage),
        sum(effective_cost_usd)
    from {{ ref('fct_feature_costs_daily') }}
    union all
    select 'fct_tenant_costs_daily', sum(calls), sum(total_tokens), sum(cost_usd), sum(unpriced_calls), sum(unpriced_tokens), sum(calls_with_unreported_usage),
        sum(effective_cost_usd)
    from {{ ref('fct_tenant_costs_daily') }}
    union all
    select 'rpt_unpriced_models', sum(calls), null, null, sum(calls), sum(tokens), null, null
    from {{ ref('rpt_unpriced_models') }}
),

reference as (
    select * from totals where mart = 'fct_span_costs'
)

select
    totals.*
from totals
cross join reference
where coalesce(totals.unpriced_calls, 0) <> coalesce(reference.unpriced_calls, 0)
    or coalesce(totals.unpriced_tokens, 0) <> coalesce(reference.unpriced_tokens, 0)
    or (totals.mart <> 'rpt_unpriced_models' and (
        totals.calls_with_unreported_usage <> reference.calls_with_unreported_usage
        or totals.calls <> reference.calls
        or totals.tokens <> reference.tokens
        or totals.cost_usd <> reference.cost_usd
        or totals.effective_cost_usd <> reference.effective_cost_usd
    ))
