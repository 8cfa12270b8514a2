{#- One row per (service_name, scope_name, provider, model) with calls whose span lacks a usage bucket their price
    row bills: how many, what they lack, the spend resting on them and the most it could be overstated.
    Rebuilt whole from fct_span_costs. -#}
{%- set bucket_listed = [] -%}
{#- the usage buckets, then the cached shares of audio the spans do not report (audio_cache_read) -#}
{%- for bucket in usage_buckets() + token_rate_split_names() -%}
    {%- do bucket_listed.append(
        "case when max(case when concat(',', unreported_usage, ',') like '%," ~ bucket ~ ",%' then 1 else 0 end) = 1 then '"
        ~ bucket ~ "' end") -%}
{%- endfor %}
with

span_costs as (
    select * from {{ ref('fct_span_costs') }}
    where unreported_usage is not null
),

calls as (
    select
        coalesce(service_name, '(unknown)') as service_name,
        coalesce(scope_name, '(unknown)') as scope_name,
        coalesce(provider, '(unknown)') as provider,
        -- priced calls by canonical id; unpriced ones by the name they reported
        coalesce(priced_model, reported_model, '(unknown)') as model,
        emitter_name,
        unreported_usage,
        cost_bound,
        is_priced,
        cost_usd,
        max_overstatement_usd,
        effective_cost_usd,
        started_at
    from span_costs
),

final as (
    select
        service_name,
        scope_name,
        provider,
        model,
        min(emitter_name) as emitter_name,
        -- every bucket any of the calls lacked, in the fixed bucket order
        {{ join_non_null(bucket_listed, ',') }} as unreported_usage,
        count(distinct unreported_usage) as unreported_usage_variants,
        count(*) as calls_with_unreported_usage,
        sum(case when cost_bound = 'upper_bound' then 1 else 0 end) as upper_bound_calls,
        sum(case when cost_bound = 'lower_bound' then 1 else 0 end) as lower_bound_calls,
        sum(case when is_priced then 0 else 1 end) as unpriced_calls,
        coalesce(sum(cost_usd), cast(0 as {{ money_type() }})) as cost_usd,
        coalesce(
            sum(case when cost_bound = 'upper_bound' then cost_usd end), cast(0 as {{ money_type() }})
        ) as upper_bound_cost_usd,
        coalesce(sum(max_overstatement_usd), cast(0 as {{ money_type() }})) as max_overstatement_usd,
        coalesce(
            sum(case when cost_bound = 'lower_bound' then cost_usd end), cast(0 as {{ money_type() }})
        ) as lower_bound_cost_usd,
        -- under contracts (cost_usd when none applies)
        coalesce(sum(effective_cost_usd), cast(0 as {{ money_type() }})) as effective_cost_usd,
        min(started_at) as first_seen,
        max(started_at) as last_seen
    from calls
    group by service_name, scope_name, provider, model
)

select * from final
