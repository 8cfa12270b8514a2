{#- One row per (day, service_name, provider, model): the cost the emitters reported against the cost computed
    from tokens and the price seed, over the same calls. Reported costs are never used as the cost
    (docs/contract.md section 4); this mart shows where they disagree. Incremental: every day the batch touches is
    recomputed whole from fct_span_costs, so a scheduled run reads its batch's days, not the history. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['provider', 'model'],
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

calls as (
    select
        day,
        coalesce(service_name, '(unknown)') as service_name,
        coalesce(provider, '(unknown)') as provider,
        -- priced calls by canonical id; unpriced ones by the name they reported
        coalesce(priced_model, reported_model, '(unknown)') as model,
        is_priced,
        unreported_usage,
        total_tokens,
        cost_usd,
        effective_cost_usd,
        reported_cost_usd,
        -- compared: both a reported and a computed cost exist
        (reported_cost_usd is not null and is_priced) as is_compared
    from span_costs
),

grouped as (
    select
        day,
        service_name,
        provider,
        model,
        count(*) as calls,
        sum(case when reported_cost_usd is not null then 1 else 0 end) as reported_calls,
        sum(case when is_compared then 1 else 0 end) as compared_calls,
        sum(case when reported_cost_usd is null then 1 else 0 end) as calls_without_reported_cost,
        sum(case when is_priced then 0 else 1 end) as unpriced_calls,
        sum(case when is_priced then 0 else total_tokens end) as unpriced_tokens,
        sum(case when unreported_usage is null then 0 else 1 end) as calls_with_unreported_usage,
        sum(case when is_compared then reported_cost_usd end) as reported_cost_usd,
        sum(case when is_compared then cost_usd end) as computed_cost_usd,
        -- per call, so that over- and under-reporting do not cancel out
        sum(case when is_compared then abs(reported_cost_usd - cost_usd) end) as abs_drift_usd,
        sum(case when reported_cost_usd is not null and not is_priced then reported_cost_usd end)
            as unchecked_reported_cost_usd,
        sum(cost_usd) as cost_usd,
        sum(effective_cost_usd) as effective_cost_usd
    from calls
    group by day, service_name, provider, model
),

final as (
    select
        day,
        service_name,
        provider,
        model,
        calls,
        reported_calls,
        compared_calls,
        calls_without_reported_cost,
        unpriced_calls,
        unpriced_tokens,
        calls_with_unreported_usage,
        reported_cost_usd,
        computed_cost_usd,
        -- positive: the emitter reports more than the price seed says
        reported_cost_usd - computed_cost_usd as drift_usd,
        abs_drift_usd,
        100 * {{ safe_ratio('reported_cost_usd - computed_cost_usd', 'computed_cost_usd') }} as drift_pct,
        unchecked_reported_cost_usd,
        cost_usd,
        effective_cost_usd
    from grouped
)

select * from final
