{#- One row per provider call: tokens by bucket, the price row used and the cost.
    Incremental: the runs of the processing batch (int_spans__in_batch) are replaced whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'runs': 'run_id', 'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['feature', 'tenant_id', 'priced_model'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
{{ assert_full_batch_for_rebuild() }}
with

priced_calls as (
    select * from {{ ref('int_llm_calls__priced') }}
),

batch_runs as (
    select distinct trace_id, run_loaded_at from {{ ref('int_spans__in_batch') }}
),

final as (
    select
        -- ids
        span_id,
        priced_calls.trace_id,
        run_id,
        parent_span_id,
        agent_span_id,
        tool_span_id,

        -- when
        started_at,
        ended_at,
        day,

        -- call and price
        operation,
        coalesce(resolved_provider, reported_provider) as provider,
        reported_provider,
        coalesce(response_model, request_model) as reported_model,
        request_model,
        response_model,
        priced_model,
        model_resolution,
        service_tier,
        price_service_tier,
        price_min_input_tokens,
        price_effective_from,
        price_fingerprint,

        -- tokens
        emitter_name,
        input_semantics,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        total_input_tokens,
        total_input_tokens + output_tokens as total_tokens,

        -- cost (USD, exact decimals; null when unpriced)
        uncached_input_cost_usd,
        cache_read_cost_usd,
        cache_write_cost_usd,
        cache_write_1h_cost_usd,
        output_cost_usd,
        reasoning_cost_usd,
        cost_usd,
        reported_cost_usd,
        is_priced,
        unpriced_reason,
        price_fallback,
        unreported_usage,
        cost_bound,
        max_overstatement_usd,

        -- attribution
        feature,
        tenant_id,
        user_hash,
        conversation_id,
        agent_name,
        agent_version,
        step,
        is_step_inferred,
        tool_name,
        service_name,
        scope_name,
        is_orphan,
        layer_count,
        priced_calls.loaded_at,
        -- newest arrival of any record of the run: the incremental watermark
        batch_runs.run_loaded_at
    from priced_calls
    inner join batch_runs
        on batch_runs.trace_id = priced_calls.trace_id
)

select * from final
