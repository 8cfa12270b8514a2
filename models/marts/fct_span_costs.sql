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
    select distinct
        trace_id,
        run_loaded_at
    from {{ ref('int_spans__in_batch') }}
),

final as (
    select
        -- ids
        priced_calls.span_id,
        priced_calls.trace_id,
        priced_calls.run_id,
        priced_calls.parent_span_id,
        priced_calls.agent_span_id,
        priced_calls.tool_span_id,

        -- when
        priced_calls.started_at,
        priced_calls.ended_at,
        priced_calls.day,

        -- call and price
        priced_calls.operation,
        {{ call_provider('priced_calls') }} as provider,
        priced_calls.reported_provider,
        coalesce(priced_calls.response_model, priced_calls.request_model) as reported_model,
        priced_calls.request_model,
        priced_calls.response_model,
        priced_calls.priced_model,
        priced_calls.model_resolution,
        priced_calls.service_tier,
        priced_calls.price_service_tier,
        priced_calls.price_min_input_tokens,
        priced_calls.price_effective_from,
        priced_calls.price_fingerprint,
        priced_calls.contract_model_pattern,
        priced_calls.contract_account_id,
        priced_calls.contract_effective_from,
        priced_calls.contract_source,
        -- price modifiers (seeds/price_modifiers.csv): what the span signalled and what it did to the price
        priced_calls.inference_profile,
        priced_calls.unprefixed_model,
        priced_calls.server_address,
        priced_calls.web_search_requests,
        priced_calls.audio_input_tokens,
        priced_calls.audio_output_tokens,
        priced_calls.image_input_tokens,
        priced_calls.image_output_tokens,
        priced_calls.rate_multiplier,
        priced_calls.price_modifiers,
        priced_calls.unpriced_modifiers,

        -- tokens
        priced_calls.emitter_name,
        priced_calls.input_semantics,
        {{- bucket_columns('priced_calls') }}
        priced_calls.total_input_tokens,
        priced_calls.total_input_tokens + priced_calls.output_tokens as total_tokens,

        -- cost (USD, exact decimals; null when unpriced): at list prices, and effective_cost_usd under the contract
        {{- bucket_columns('priced_calls', 'costs') }}
        priced_calls.web_search_cost_usd,
        -- audio at its own rates (token-rate price modifiers): tokens carved out of their text bucket, and their cost
        {%- for part in token_rate_parts() %}
        priced_calls.{{ part.name }}_billed_tokens,
        priced_calls.{{ part.name }}_cost_usd,
        {%- endfor %}
        priced_calls.cost_usd,
        priced_calls.reported_cost_usd,
        priced_calls.is_priced,
        priced_calls.unpriced_reason,
        priced_calls.price_fallback,
        priced_calls.unreported_usage,
        priced_calls.cost_bound,
        priced_calls.max_overstatement_usd,
        priced_calls.effective_cost_usd,

        -- attribution
        priced_calls.feature,
        priced_calls.tenant_id,
        priced_calls.user_hash,
        priced_calls.conversation_id,
        priced_calls.account_id,
        priced_calls.prompt_name,
        priced_calls.prompt_version,
        priced_calls.agent_name,
        priced_calls.agent_version,
        priced_calls.step,
        priced_calls.is_step_inferred,
        priced_calls.tool_name,
        priced_calls.service_name,
        priced_calls.scope_name,
        priced_calls.is_orphan,
        -- failures and retries (span status)
        priced_calls.status_code,
        priced_calls.is_failed_call,
        priced_calls.is_retry,
        priced_calls.is_failed_run,
        priced_calls.layer_count,
        priced_calls.loaded_at,
        -- newest arrival of any record of the run: the incremental watermark
        batch_runs.run_loaded_at
    from priced_calls
    inner join batch_runs
        on priced_calls.trace_id = batch_runs.trace_id
)

select * from final
