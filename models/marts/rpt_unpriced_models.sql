{#- Every (provider, model) seen on a call that could not be priced, or priced at another service tier than it
    reported because the seed has no row for that tier (then priced at standard and flagged price_fallback), or that
    signals a price modifier no row of seeds/price_modifiers.csv prices (priced without it, flagged unpriced_modifiers):
    add a row to seeds/model_prices.csv (or an alias to seeds/model_aliases.csv, or a rule to seeds/price_modifiers.csv)
    and rebuild. -#}
with

span_costs as (
    select * from {{ ref('fct_span_costs') }}
),

missing_prices as (
    select
        coalesce(span_costs.provider, '(unknown)') as provider,
        coalesce(span_costs.reported_model, '(unknown)') as model,
        span_costs.started_at,
        span_costs.run_id,
        span_costs.is_priced,
        span_costs.unpriced_reason,
        span_costs.total_tokens,
        span_costs.total_input_tokens,
        span_costs.output_tokens,
        span_costs.unreported_usage,
        case
            when span_costs.is_priced and span_costs.price_service_tier <> span_costs.service_tier
                then span_costs.service_tier
        end as missing_tier,
        span_costs.unpriced_modifiers
    from span_costs
    where
        not span_costs.is_priced
        or span_costs.price_service_tier <> span_costs.service_tier
        or span_costs.unpriced_modifiers is not null
),

modifier_lists as (
    select
        missing_prices.provider,
        missing_prices.model,
        string_agg(distinct missing_prices.unpriced_modifiers, ',' order by missing_prices.unpriced_modifiers)
            as unpriced_modifiers
    from missing_prices
    where missing_prices.unpriced_modifiers is not null
    group by missing_prices.provider, missing_prices.model
),

missing_tiers as (
    select distinct
        missing_prices.provider,
        missing_prices.model,
        missing_prices.missing_tier
    from missing_prices
    where missing_prices.missing_tier is not null
),

tier_lists as (
    select
        missing_tiers.provider,
        missing_tiers.model,
        string_agg(missing_tiers.missing_tier, ',' order by missing_tiers.missing_tier) as missing_tiers
    from missing_tiers
    group by missing_tiers.provider, missing_tiers.model
),

by_model as (
    select
        missing_prices.provider,
        missing_prices.model,
        min(missing_prices.unpriced_reason) as reason,
        min(missing_prices.started_at) as first_seen,
        max(missing_prices.started_at) as last_seen,
        count(case when not missing_prices.is_priced then 1 end) as calls,
        count(distinct case when not missing_prices.is_priced then missing_prices.run_id end) as runs,
        sum(case when missing_prices.is_priced then 0 else missing_prices.total_tokens end) as tokens,
        sum(case when missing_prices.is_priced then 0 else missing_prices.total_input_tokens end) as input_tokens,
        sum(case when missing_prices.is_priced then 0 else missing_prices.output_tokens end) as output_tokens,
        sum(
            case when not missing_prices.is_priced and missing_prices.unreported_usage is not null then 1 else 0 end
        ) as calls_with_unreported_usage,
        count(case when missing_prices.missing_tier is not null then 1 end) as tier_fallback_calls,
        count(case when missing_prices.unpriced_modifiers is not null then 1 end) as unpriced_modifier_calls
    from missing_prices
    group by missing_prices.provider, missing_prices.model
),

final as (
    select
        by_model.provider,
        by_model.model,
        coalesce(
            by_model.reason,
            case
                when by_model.tier_fallback_calls > 0 then 'no price row for the reported service tier'
                else 'a price modifier the span signals has no rule'
            end
        ) as reason,
        by_model.first_seen,
        by_model.last_seen,
        by_model.calls,
        by_model.runs,
        by_model.tokens,
        by_model.input_tokens,
        by_model.output_tokens,
        by_model.calls_with_unreported_usage,
        tier_lists.missing_tiers,
        by_model.tier_fallback_calls,
        modifier_lists.unpriced_modifiers,
        by_model.unpriced_modifier_calls
    from by_model
    left join tier_lists
        on by_model.provider = tier_lists.provider
        and by_model.model = tier_lists.model
    left join modifier_lists
        on by_model.provider = modifier_lists.provider
        and by_model.model = modifier_lists.model
)

select * from final
