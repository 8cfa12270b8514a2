{#- Each call with its price row and cost (CONTRACT section 4).
    The row is picked by provider, model (response model first, then request model), service tier
    (falling back to standard, flagged), long-context tier (the highest min_input_tokens the call's total
    input exceeds) and the call's start time within [effective_from, effective_to). -#}
with

calls as (
    select
        *,
        uncached_input_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens as total_input_tokens
    from {{ ref('int_llm_calls') }}
),

resolved_names as (
    select * from {{ ref('int_model_names__resolved') }}
),

calls_with_model as (
    {{ calls_with_priced_model('calls', 'resolved_names') }}
),

{{ choose_price_rows('calls_with_model') }},

priced as (
    select
        calls_with_model.*,
        chosen_price.price_service_tier,
        chosen_price.min_input_tokens as price_min_input_tokens,
        chosen_price.effective_from as price_effective_from,
        chosen_price.input_usd_per_mtok,
        chosen_price.output_usd_per_mtok,
        chosen_price.cache_read_usd_per_mtok,
        chosen_price.cache_write_usd_per_mtok,
        chosen_price.cache_write_1h_usd_per_mtok,
        chosen_price.reasoning_usd_per_mtok,
        coalesce(chosen_price.price_fingerprint, 'unpriced') as price_fingerprint,
        chosen_price.input_usd_per_mtok is not null
            and (calls_with_model.output_tokens = 0 or chosen_price.output_usd_per_mtok is not null) as is_priced,
        case
            when calls_with_model.priced_model is null then 'model not in the price seed'
            when chosen_price.span_id is null then 'no price row at the call''s start time'
            when chosen_price.input_usd_per_mtok is null then 'no input price'
            when calls_with_model.output_tokens > 0 and chosen_price.output_usd_per_mtok is null then 'no output price'
        end as unpriced_reason
    from calls_with_model
    left join chosen_price
        on chosen_price.span_id = calls_with_model.span_id
),

costed as (
    select
        *,
        case when is_priced then {{ cost_of('uncached_input_tokens', 'input_usd_per_mtok') }} end as uncached_input_cost_usd,
        case when is_priced then {{ cost_of('cache_read_tokens', 'coalesce(cache_read_usd_per_mtok, input_usd_per_mtok)') }} end as cache_read_cost_usd,
        case when is_priced then {{ cost_of('cache_write_tokens', 'coalesce(cache_write_usd_per_mtok, input_usd_per_mtok)') }} end as cache_write_cost_usd,
        case when is_priced then {{ cost_of('cache_write_1h_tokens', 'coalesce(cache_write_1h_usd_per_mtok, input_usd_per_mtok)') }} end as cache_write_1h_cost_usd,
        case when is_priced then {{ cost_of('output_tokens - reasoning_tokens', 'coalesce(output_usd_per_mtok, 0)') }} end as output_cost_usd,
        case when is_priced then {{ cost_of('reasoning_tokens', 'coalesce(reasoning_usd_per_mtok, output_usd_per_mtok, 0)') }} end as reasoning_cost_usd,
        is_priced and (
            (cache_read_tokens > 0 and cache_read_usd_per_mtok is null)
            or (cache_write_tokens > 0 and cache_write_usd_per_mtok is null)
            or (cache_write_1h_tokens > 0 and cache_write_1h_usd_per_mtok is null)
            or price_service_tier <> service_tier
        ) as price_fallback
    from priced
),

final as (
    select
        *,
        uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd
            + cache_write_1h_cost_usd + output_cost_usd + reasoning_cost_usd as cost_usd
    from costed
)

select * from final
