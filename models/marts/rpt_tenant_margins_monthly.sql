{#- Per tenant and month: what the tenant's plan earns (seeds/tenant_plans.csv) against what its LLM calls cost, and
    the features whose cost per call exceeds what the plan earns per call. A table rebuilt on every build, so a plan
    change reaches every month it covers; it reads per-day and per-month aggregates of the span and run marts. -#}
with

span_costs as (
    select * from {{ ref('fct_span_costs') }}
),

run_costs as (
    select * from {{ ref('fct_run_costs') }}
),

plans as (
    select * from {{ ref('stg_seeds__tenant_plans') }}
),

plan_ranges as (
    -- a row applies from its effective_from until the next row of the same tenant and unit
    select
        plans.tenant_id,
        plans.plan,
        plans.unit,
        plans.price_usd,
        plans.effective_from,
        lead(plans.effective_from) over (
            partition by plans.tenant_id, plans.unit order by plans.effective_from
        ) as effective_to
    from plans
),

feature_months as (
    select
        cast({{ dbt.date_trunc('month', 'span_costs.day') }} as date) as month,
        span_costs.tenant_id,
        span_costs.feature,
        count(*) as calls,
        coalesce(sum(span_costs.cost_usd), cast(0 as {{ money_type() }})) as cost_usd,
        coalesce(sum(span_costs.effective_cost_usd), cast(0 as {{ money_type() }})) as effective_cost_usd
    from span_costs
    group by 1, 2, 3
),

tenant_months as (
    select
        feature_months.month,
        feature_months.tenant_id,
        sum(feature_months.calls) as calls,
        sum(feature_months.cost_usd) as cost_usd,
        sum(feature_months.effective_cost_usd) as effective_cost_usd
    from feature_months
    group by 1, 2
),

months as (
    select distinct tenant_months.month from tenant_months
),

fee_months as (
    -- the monthly fee in force on the month's first day, for every month with any spend
    select
        months.month,
        plan_ranges.tenant_id,
        plan_ranges.plan,
        plan_ranges.price_usd as monthly_fee_usd
    from months
    inner join plan_ranges
        on months.month >= plan_ranges.effective_from
        and plan_ranges.unit = 'month'
        and (plan_ranges.effective_to is null or months.month < plan_ranges.effective_to)
),

call_revenue as (
    -- per call, at the price in force on the call's day
    select
        cast({{ dbt.date_trunc('month', 'daily.day') }} as date) as month,
        daily.tenant_id,
        sum(daily.calls * plan_ranges.price_usd) as call_revenue_usd
    from (
        select
            span_costs.day,
            span_costs.tenant_id,
            count(*) as calls
        from span_costs
        group by 1, 2
    ) as daily
    inner join plan_ranges
        on daily.tenant_id = plan_ranges.tenant_id
        and plan_ranges.unit = 'call'
        and daily.day >= plan_ranges.effective_from
        and (plan_ranges.effective_to is null or daily.day < plan_ranges.effective_to)
    group by 1, 2
),

run_months as (
    -- runs by their start (a run crossing midnight counts once), priced per run at the price of that day
    select
        cast({{ dbt.date_trunc('month', 'daily.day') }} as date) as month,
        daily.tenant_id,
        sum(daily.runs) as runs,
        sum(daily.runs * plan_ranges.price_usd) as run_revenue_usd
    from (
        select
            run_costs.day,
            run_costs.tenant_id,
            count(*) as runs
        from run_costs
        group by 1, 2
    ) as daily
    left join plan_ranges
        on daily.tenant_id = plan_ranges.tenant_id
        and plan_ranges.unit = 'run'
        and daily.day >= plan_ranges.effective_from
        and (plan_ranges.effective_to is null or daily.day < plan_ranges.effective_to)
    group by 1, 2
),

plan_names as (
    -- the plan of the tenant's latest row in force during the month (any unit)
    select
        ranked.month,
        ranked.tenant_id,
        ranked.plan
    from (
        select
            months.month,
            plan_ranges.tenant_id,
            plan_ranges.plan,
            row_number() over (
                partition by months.month, plan_ranges.tenant_id
                order by plan_ranges.effective_from desc, plan_ranges.plan desc
            ) as plan_rank
        from months
        inner join plan_ranges
            on cast({{ dbt.dateadd('month', 1, 'months.month') }} as date) > plan_ranges.effective_from
            and (plan_ranges.effective_to is null or months.month < plan_ranges.effective_to)
    ) as ranked
    where ranked.plan_rank = 1
),

tenant_plan_months as (
    select
        coalesce(tenant_months.month, fee_months.month) as month,
        coalesce(tenant_months.tenant_id, fee_months.tenant_id) as tenant_id,
        coalesce(tenant_months.calls, 0) as calls,
        coalesce(tenant_months.cost_usd, cast(0 as {{ money_type() }})) as cost_usd,
        coalesce(tenant_months.effective_cost_usd, cast(0 as {{ money_type() }})) as effective_cost_usd,
        fee_months.monthly_fee_usd
    from tenant_months
    full outer join fee_months
        on tenant_months.month = fee_months.month
        and tenant_months.tenant_id = fee_months.tenant_id
),

priced as (
    select
        tenant_plan_months.month,
        tenant_plan_months.tenant_id,
        plan_names.plan,
        coalesce(run_months.runs, 0) as runs,
        tenant_plan_months.calls,
        tenant_plan_months.monthly_fee_usd,
        run_months.run_revenue_usd,
        call_revenue.call_revenue_usd,
        -- null when no plan row covers the month (an internal tenant, or one without terms)
        case
            when plan_names.plan is not null
                then (
                    coalesce(tenant_plan_months.monthly_fee_usd, 0)
                    + coalesce(run_months.run_revenue_usd, 0)
                    + coalesce(call_revenue.call_revenue_usd, 0)
                )
        end as revenue_usd,
        tenant_plan_months.cost_usd,
        tenant_plan_months.effective_cost_usd
    from tenant_plan_months
    left join plan_names
        on tenant_plan_months.month = plan_names.month
        and tenant_plan_months.tenant_id = plan_names.tenant_id
    left join run_months
        on tenant_plan_months.month = run_months.month
        and tenant_plan_months.tenant_id = run_months.tenant_id
    left join call_revenue
        on tenant_plan_months.month = call_revenue.month
        and tenant_plan_months.tenant_id = call_revenue.tenant_id
),

over_plan as (
    -- a feature's effective cost per call above the plan's revenue per call, compared without dividing:
    -- feature cost x tenant calls > tenant revenue x feature calls
    select
        priced.month,
        priced.tenant_id,
        string_agg(feature_months.feature, ', ' order by feature_months.feature) as features_over_plan,
        count(*) as features_over_plan_count
    from priced
    inner join feature_months
        on priced.month = feature_months.month
        and priced.tenant_id = feature_months.tenant_id
    where feature_months.effective_cost_usd * priced.calls > priced.revenue_usd * feature_months.calls
    group by 1, 2
),

final as (
    select
        priced.month,
        priced.tenant_id,
        priced.plan,
        priced.runs,
        priced.calls,
        priced.monthly_fee_usd,
        priced.run_revenue_usd,
        priced.call_revenue_usd,
        priced.revenue_usd,
        priced.cost_usd,
        priced.effective_cost_usd,
        -- what the tenant leaves after its LLM calls, at what they are really paid (effective)
        priced.revenue_usd - priced.effective_cost_usd as margin_usd,
        {{ safe_ratio('(priced.revenue_usd - priced.effective_cost_usd) * 100', 'priced.revenue_usd') }}
            as margin_percent,
        priced.revenue_usd - priced.effective_cost_usd < 0 as is_unprofitable,
        case when priced.calls > 0 then {{ money_split('priced.revenue_usd', 'priced.calls') }} end
            as revenue_per_call_usd,
        case when priced.calls > 0 then {{ money_split('priced.effective_cost_usd', 'priced.calls') }} end
            as effective_cost_per_call_usd,
        over_plan.features_over_plan,
        coalesce(over_plan.features_over_plan_count, 0) as features_over_plan_count
    from priced
    left join over_plan
        on priced.month = over_plan.month
        and priced.tenant_id = over_plan.tenant_id
)

select * from final
