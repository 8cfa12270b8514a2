{#- Each call with its price row and cost (CONTRACT section 4).
    The row is picked by provider, model (response model first, then request model), service tier
    (falling back to standard, flagged), long-context tier (the highest min_input_tokens the call's total
    input exceeds) and the call's start time within [effective_from, effective_to). -#}
with

calls as (
    select * from {{ ref('int_llm_calls') }}
),

resolved_names as (
    select * from {{ ref('int_model_names__resolved') }}
),

prices as (
    select * from {{ ref('int_model_prices__ranged') }}
),

calls_with_model as (
    select
        calls.*,
        calls.uncached_input_tokens + calls.cache_read_tokens + calls.cache_write_tokens + calls.cache_write_1h_tokens as total_input_tokens,
        coalesce(by_response.priced_provider, by_request.priced_provider) as resolved_provider,
        coalesce(by_response.priced_model, by_request.priced_model) as priced_model,
        coalesce(by_response.resolution, by_request.resolution) as model_resolution
    from calls
    left join resolved_names as by_response
        on coalesce(by_response.reported_provider, '') = coalesce(calls.reported_provider, '')
        and by_response.model_name = calls.response_model
    left join resolved_names as by_request
        on coalesce(by_request.reported_provider, '') = coalesce(calls.reported_provider, '')
        and by_request.model_name = calls.request_model
),

price_candidates as (
    select
        calls_with_model.span_id,
        prices.service_tier as price_service_tier,
        prices.min_input_tokens,
        prices.effective_from,
        prices.input_usd_per_mtok,
        prices.output_usd_per_mtok,
        prices.cache_read_usd_per_mtok,
        prices.cache_write_usd_per_mtok,
        prices.cache_write_1h_usd_per_mtok,
        prices.reasoning_usd_per_mtok,
        row_number() over (
            partition by calls_with_model.span_id
            order by
                case when prices.service_tier = calls_with_model.service_tier then 0 else 1 end,
                prices.min_input_tokens desc
        ) as candidate_rank
    from calls_with_model
    inner join prices
        on prices.provider = calls_with_model.resolved_provider
        and prices.model = calls_with_model.priced_model
        and prices.service_tier in (calls_with_model.service_tier, 'standard')
        and prices.effective_from <= calls_with_model.started_at
        and (prices.effective_to is null or calls_with_model.started_at < prices.effective_to)
        -- a long-context tier applies when the whole input exceeds its threshold
        and (prices.min_input_tokens = 0 or calls_with_model.total_input_tokens > prices.min_input_tokens)
),

chosen_price as (
    select * from price_candidates where candidate_rank = 1
),

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
