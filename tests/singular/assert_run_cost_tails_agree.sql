-- fct_run_cost_tails_daily counts every run once per dimension (README "Run cost tails"): summed over a dimension,
-- runs, calls, list and effective cost, unpriced calls and calls with unreported usage equal fct_run_costs exactly;
-- and within a row p50 <= p95 <= p99 <= max <= cost.
with

runs as (
    select
        count(*) as runs,
        sum(fct_run_costs.calls) as calls,
        sum(fct_run_costs.cost_usd) as cost_usd,
        sum(fct_run_costs.effective_cost_usd) as effective_cost_usd,
        sum(fct_run_costs.unpriced_calls) as unpriced_calls,
        sum(fct_run_costs.calls_with_unreported_usage) as calls_with_unreported_usage
    from {{ ref('fct_run_costs') }} as fct_run_costs
),

tails as (
    select
        tails.dimension,
        sum(tails.runs) as runs,
        sum(tails.calls) as calls,
        sum(tails.cost_usd) as cost_usd,
        sum(tails.effective_cost_usd) as effective_cost_usd,
        sum(tails.unpriced_calls) as unpriced_calls,
        sum(tails.calls_with_unreported_usage) as calls_with_unreported_usage
    from {{ ref('fct_run_cost_tails_daily') }} as tails
    group by tails.dimension
),

dimensions as (
    select 'feature' as dimension
    union all
    select 'agent' as dimension
),

totals_differ as (
    select
        dimensions.dimension,
        'totals differ from fct_run_costs' as problem
    from dimensions
    cross join runs
    left join tails
        on dimensions.dimension = tails.dimension
    where runs.runs > 0 and (
        tails.dimension is null
        or tails.runs <> runs.runs
        or tails.calls <> runs.calls
        or tails.cost_usd <> runs.cost_usd
        or tails.effective_cost_usd <> runs.effective_cost_usd
        or tails.unpriced_calls <> runs.unpriced_calls
        or tails.calls_with_unreported_usage <> runs.calls_with_unreported_usage
    )
),

out_of_order as (
    select
        tails.dimension,
        'percentiles out of order' as problem
    from {{ ref('fct_run_cost_tails_daily') }} as tails
    where not (
        tails.p50_run_cost_usd <= tails.p95_run_cost_usd
        and tails.p95_run_cost_usd <= tails.p99_run_cost_usd
        and tails.p99_run_cost_usd <= tails.max_run_cost_usd
        and tails.max_run_cost_usd <= tails.cost_usd
        and tails.p50_calls_per_run <= tails.p95_calls_per_run
        and tails.p95_calls_per_run <= tails.p99_calls_per_run
        and tails.p99_calls_per_run <= tails.max_calls_per_run
    )
)

select * from totals_differ
union all
select * from out_of_order
