{#- Per tenant and month: what the tenant's plan earns (seeds/tenant_plans.csv) against what its LLM calls cost, and
    the features whose cost per call exceeds what the plan earns per call. A table rebuilt on every build, so a plan
    change reaches every month it covers; it reads per-day and per-month aggregates of the span and run marts. -#}
with

-- read twice over the whole history: inlined, so DuckDB does not hold a copy of every column of every call
span_costs as {{ inlined_cte() }} (
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

unit_days as (
    -- what is priced per unit, per tenant and day: calls by their day, runs by their start (a run crossing midnight
    -- counts once)
    select
        span_costs.day,
        span_costs.tenant_id,
        'call' as unit,
        count(*) as units
    from span_costs
    group by 1, 2

    union all

    select
        run_costs.day,
        run_costs.tenant_id,
        'run' as unit,
        count(*) as units
    from run_costs
    group by 1, 2
),

unit_months as (
    -- each day's units at the price in force that day (null without a price for the unit)
    select
        cast({{ dbt.date_trunc('month', 'unit_days.day') }} as date) as month,
        unit_days.tenant_id,
        sum(case when unit_days.unit = 'run' then unit_days.units end) as runs,
        sum(case when unit_days.unit = 'run' then unit_days.units * plan_ranges.price_usd end) as run_revenue_usd,
        sum(case when unit_days.unit = 'call' then unit_days.units * plan_ranges.price_usd end) as call_revenue_usd
    from unit_days
    left join plan_ranges
        on unit_days.tenant_id = plan_ranges.tenant_id
        and unit_days.unit = plan_ranges.unit
        and unit_days.day >= plan_ranges.effective_from
        and (plan_ranges.effective_to is null or unit_days.day < plan_ranges.effective_to)
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
        coalesce(unit_months.runs, 0) as runs,
        tenant_plan_months.calls,
        tenant_plan_months.monthly_fee_usd,
        unit_months.run_revenue_usd,
        unit_months.call_revenue_usd,
        -- null when no plan row covers the month (an internal tenant, or one without terms)
        case
            when plan_names.plan is not null
                then (
                    coalesce(tenant_plan_months.monthly_fee_usd, 0)
                    + coalesce(unit_months.run_revenue_usd, 0)
                    + coalesce(unit_months.call_revenue_usd, 0)
                )
        end as revenue_usd,
        tenant_plan_months.cost_usd,
        tenant_plan_months.effective_cost_usd
    from tenant_plan_months
    left join plan_names
        on tenant_plan_months.month = plan_names.month
        and tenant_plan_months.tenant_id = plan_names.tenant_id
    left join unit_months
        on tenant_plan_months.month = unit_months.month
        and tenant_plan_months.tenant_id = unit_months.tenant_id
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
