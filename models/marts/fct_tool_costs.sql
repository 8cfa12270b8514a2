{#- One row per tool invocation: the cost of calls inside it (nested) and its share of the call that started it
    (triggering).
    Incremental: the runs of the processing batch are replaced whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'runs': 'run_id', 'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['tool_name'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
{{ assert_full_batch_for_rebuild() }}
with

tool_invocations as (
    select * from {{ ref('int_tool_invocations') }}
),

final as (
    select
        tool_span_id,
        run_id,
        parent_span_id,
        agent_span_id,
        agent_name,
        tool_name,
        -- OTel's unset status means no error was recorded
        case when status = 'error' then 'error' else 'ok' end as status,
        feature,
        tenant_id,
        service_name,
        started_at,
        ended_at,
        day,
        nested_calls,
        nested_unpriced_calls,
        nested_calls_with_unreported_usage,
        nested_cost_usd,
        triggering_span_id,
        triggering_call_tools,
        triggering_cost_usd,
        is_triggering_call_unpriced,
        is_triggering_call_usage_unreported,
        nested_cost_usd + triggering_cost_usd as total_cost_usd,
        -- the same under contracts
        nested_effective_cost_usd,
        triggering_effective_cost_usd,
        nested_effective_cost_usd + triggering_effective_cost_usd as total_effective_cost_usd
    from tool_invocations
)

select * from final
