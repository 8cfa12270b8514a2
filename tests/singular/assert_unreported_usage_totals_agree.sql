-- rpt_unreported_usage loses no incomplete call or dollar of fct_span_costs: calls, bounds, cost (list and effective) and overstatement
-- agree exactly (decimals, no tolerance); and no call is listed as complete with a bound other than exact.
with

span_totals as (
    select
        count(*) as calls,
        coalesce(sum(case when cost_bound = 'upper_bound' then 1 else 0 end), 0) as upper_bound_calls,
        coalesce(sum(case when cost_bound = 'lower_bound' then 1 else 0 end), 0) as lower_bound_calls,
        coalesce(sum(cost_usd), 0) as cost_usd,
        coalesce(sum(max_overstatement_usd), 0) as max_overstatement_usd,
        coalesce(sum(effective_cost_usd), 0) as effective_cost_usd
    from {{ ref('fct_span_costs') }}
    where unreported_usage is not null
),

report_totals as (
    select
        coalesce(sum(calls_with_unreported_usage), 0) as calls,
        coalesce(sum(upper_bound_calls), 0) as upper_bound_calls,
        coalesce(sum(lower_bound_calls), 0) as lower_bound_calls,
        coalesce(sum(cost_usd), 0) as cost_usd,
        coalesce(sum(max_overstatement_usd), 0) as max_overstatement_usd,
        coalesce(sum(effective_cost_usd), 0) as effective_cost_usd
    from {{ ref('rpt_unreported_usage') }}
),

complete_but_bounded as (
    select count(*) as calls
    from {{ ref('fct_span_costs') }}
    where unreported_usage is null and is_priced and cost_bound <> 'exact'
)

select 'rpt_unreported_usage' as check_name
from span_totals
cross join report_totals
where span_totals.calls <> report_totals.calls
    or span_totals.upper_bound_calls <> report_totals.upper_bound_calls
    or span_totals.lower_bound_calls <> report_totals.lower_bound_calls
    or span_totals.cost_usd <> report_totals.cost_usd
    or span_totals.max_overstatement_usd <> report_totals.max_overstatement_usd
    or span_totals.effective_cost_usd <> report_totals.effective_cost_usd

union all

select 'complete calls are exact'
from complete_but_bounded
where calls > 0
