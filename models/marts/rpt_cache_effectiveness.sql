{#- One row per (day, feature, provider, model): how much provider prompt caching saved, or cost.
    The uncached equivalent prices every input token of a call at the input rate of the price row the call
    was priced with (same provider, model, tier, long-context tier and date), so saved_usd compares like
    with like. From token sums per price row. Incremental: every day the batch touches is recomputed whole from
    fct_span_costs (a price change puts the runs of the calls whose price row changed in the batch). -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['feature', 'provider', 'model'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
{{ assert_full_batch_for_rebuild() }}
with

span_costs as (
    select * from {{ ref('fct_span_costs') }}
    {% if is_incremental() %}
    -- a day a batch call started on, or a day that lost one, is recomputed whole (as in macro daily_cost_rollup)
    where {{ in_batch_days('day') }}
    {% endif %}
),

prices as (
    select * from {{ ref('int_model_prices__ranged') }}
),

-- tokens and paid dollars summed per row and per price row first: a product of a sum is the sum of the products,
-- so each input-rate amount is computed once per price row, not once per call (the per-call decimal products were
-- nearly all of this model's time), and it is exact: no per-call rounding at all
price_row_groups as (
    select
        span_costs.day,
        span_costs.feature,
        coalesce(span_costs.provider, '(unknown)') as provider,
        -- priced calls by canonical id; unpriced ones by the name they reported
        coalesce(span_costs.priced_model, span_costs.reported_model, '(unknown)') as model,
        span_costs.is_priced,
        span_costs.provider as price_provider,
        span_costs.priced_model as price_model,
        span_costs.price_service_tier,
        span_costs.price_min_input_tokens,
        span_costs.price_effective_from,
        count(*) as calls,
        sum(case when span_costs.cache_read_tokens > 0 then 1 else 0 end) as cache_hit_calls,
        sum(
            case when span_costs.cache_write_tokens + span_costs.cache_write_1h_tokens > 0 then 1 else 0 end
        ) as cache_write_calls,
        sum(case when span_costs.unreported_usage is null then 0 else 1 end) as calls_with_unreported_usage,
        {{- bucket_sums('span_costs', part='input') }}
        sum(span_costs.total_input_tokens) as total_input_tokens,
        sum(span_costs.uncached_input_cost_usd) as uncached_input_cost_usd,
        sum(span_costs.cache_read_cost_usd) as cache_read_cost_usd,
        sum(span_costs.cache_write_cost_usd + span_costs.cache_write_1h_cost_usd) as cache_write_cost_usd
    from span_costs
    group by
        span_costs.day,
        span_costs.feature,
        coalesce(span_costs.provider, '(unknown)'),
        coalesce(span_costs.priced_model, span_costs.reported_model, '(unknown)'),
        span_costs.is_priced,
        span_costs.provider,
        span_costs.priced_model,
        span_costs.price_service_tier,
        span_costs.price_min_input_tokens,
        span_costs.price_effective_from
),

priced_groups as (
    select
        price_row_groups.*,
        price_row_groups.uncached_input_cost_usd
        + price_row_groups.cache_read_cost_usd
        + price_row_groups.cache_write_cost_usd as input_cost_usd,
        -- the same buckets at the input rate of the calls' own price row (null when unpriced, like the costs)
        case
            when price_row_groups.is_priced
                then {{ cost_of('price_row_groups.cache_read_tokens', 'prices.input_usd_per_mtok') }}
        end as cache_read_at_input_rate_usd,
        case
            when price_row_groups.is_priced
                then {{ cost_of(
                    'price_row_groups.cache_write_tokens + price_row_groups.cache_write_1h_tokens',
                    'prices.input_usd_per_mtok'
                ) }}
        end as cache_write_at_input_rate_usd,
        case
            when price_row_groups.is_priced
                then {{ cost_of('price_row_groups.total_input_tokens', 'prices.input_usd_per_mtok') }}
        end as uncached_equivalent_usd,
        -- a call whose span hides cache buckets in its uncached input pays the dearest rate they may have (an upper
        -- bound, fct_span_costs.cost_bound): that margin is neither a saving nor a write premium
        case
            when price_row_groups.is_priced
                then price_row_groups.uncached_input_cost_usd
                    - {{ cost_of('price_row_groups.uncached_input_tokens', 'prices.input_usd_per_mtok') }}
        end as unreported_usage_premium_usd
    from price_row_groups
    left join prices
        on price_row_groups.price_provider = prices.provider
        and price_row_groups.price_model = prices.model
        and price_row_groups.price_service_tier = prices.service_tier
        and price_row_groups.price_min_input_tokens = prices.min_input_tokens
        and price_row_groups.price_effective_from = prices.effective_from
),

grouped as (
    select
        day,
        feature,
        provider,
        model,
        sum(calls) as calls,
        sum(cache_hit_calls) as cache_hit_calls,
        sum(cache_write_calls) as cache_write_calls,
        sum(case when is_priced then 0 else calls end) as unpriced_calls,
        sum(calls_with_unreported_usage) as calls_with_unreported_usage,
        {{- bucket_sums(part='input') }}
        sum(total_input_tokens) as total_input_tokens,
        sum(case when is_priced then 0 else total_input_tokens end) as unpriced_input_tokens,
        -- money: priced calls only (an unpriced call has no rate to compare with)
        sum(input_cost_usd) as input_cost_usd,
        sum(uncached_equivalent_usd) as uncached_equivalent_usd,
        sum(cache_read_at_input_rate_usd - cache_read_cost_usd) as cache_read_saved_usd,
        sum(cache_write_cost_usd - cache_write_at_input_rate_usd) as cache_write_premium_usd,
        sum(unreported_usage_premium_usd) as unreported_usage_premium_usd
    from priced_groups
    group by day, feature, provider, model
),

final as (
    select
        day,
        feature,
        provider,
        model,
        calls,
        cache_hit_calls,
        cache_write_calls,
        unpriced_calls,
        calls_with_unreported_usage,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        total_input_tokens,
        unpriced_input_tokens,
        {{ safe_ratio('cache_read_tokens', 'total_input_tokens') }} as cache_hit_ratio,
        input_cost_usd,
        uncached_equivalent_usd,
        cache_read_saved_usd,
        cache_write_premium_usd,
        unreported_usage_premium_usd,
        -- negative when cache writes cost more than the reads they enabled saved
        uncached_equivalent_usd - input_cost_usd as saved_usd,
        {{ safe_ratio('uncached_equivalent_usd - input_cost_usd', 'uncached_equivalent_usd') }} as saved_ratio
    from grouped
)

select * from final
