{#- Audit: each provider-call span not counted because another span records the same call, and why.
    Incremental: the batch's traces are replaced (macros/incremental.sql, replace_batch). -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'runs': 'trace_id'}},
    cluster_by=['trace_id'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
with

layers as (
    select * from {{ ref('int_llm_call_layers') }}
),

spans as (
    select * from {{ ref('int_spans__normalized') }}
),

final as (
    select
        layers.trace_id,
        layers.span_id as dropped_span_id,
        layers.kept_span_id,
        layers.duplicate_reason,
        dropped.scope_name as dropped_scope_name,
        kept.scope_name as kept_scope_name,
        dropped.parent_span_id = kept.span_id or kept.parent_span_id = dropped.span_id as is_nested,
        {{ input_tokens_sum('dropped') }} as dropped_input_tokens,
        dropped.output_tokens as dropped_output_tokens
    from layers
    inner join spans as dropped
        on layers.trace_id = dropped.trace_id
        and layers.span_id = dropped.span_id
    inner join spans as kept
        on layers.trace_id = kept.trace_id
        and layers.kept_span_id = kept.span_id
    where not layers.is_kept
)

select * from final
