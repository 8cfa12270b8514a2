{#- One row per provider call (duplicate layers folded), attributed through the span tree.
    A call with no provider takes it from another layer of the same call; the call's parent, used for
    tool triggering, is the parent of its outermost layer.
    Every join and window is within a trace, so it is built in passes of whole traces (macros/trace_partitioned.sql):
    its joins hold millions of wide rows, and under DuckDB's memory limit one pass spills (10M spans: 59-73 s in
    one pass, 30 s in ten). -#}
{{ trace_partitioned_config('int_spans__normalized') }}
{%- set salt = get_setting('user_hash_salt') -%}

with

spans as (
    select * from {{ ref('int_spans__normalized') }}
    where {{ trace_partition('trace_bucket') }}
),

tree as (
    select * from {{ ref('int_spans__tree') }}
    where {{ trace_partition('trace_bucket') }}
),

layers as (
    select * from {{ ref('int_llm_call_layers') }}
    where {{ trace_partition(trace_bucket('trace_id')) }}
),

layer_spans as (
    select
        layers.trace_id,
        layers.kept_span_id,
        layers.is_kept,
        spans.provider,
        spans.request_model,
        spans.parent_span_id,
        spans.status_code,
        spans.started_at,
        spans.ended_at,
        spans.span_id
    from layers
    inner join spans
        on layers.trace_id = spans.trace_id
        and layers.span_id = spans.span_id
),

call_layers as (
    -- what the other layers of each kept call contribute
    select
        trace_id,
        kept_span_id,
        count(*) as layer_count,
        min(provider) as layer_provider,
        -- a call failed when any layer recorded it as an error (the SDK's span or the framework's around it)
        max(case when status_code = 'error' then 1 else 0 end) = 1 as is_failed_call
    from layer_spans
    group by trace_id, kept_span_id
),

outermost_layer as (
    select
        trace_id,
        kept_span_id,
        parent_span_id as call_parent_span_id
    from (
        select
            *,
            row_number() over (
                partition by trace_id, kept_span_id
                order by started_at asc, ended_at desc, span_id asc
            ) as layer_rank
        from layer_spans
    ) as ranked_layers
    where layer_rank = 1
),

-- the call's place among its siblings, on narrow rows: a window carries every column of its input through its sort,
-- and over the wide span rows its two windows took 2.4 of the model's 6 CPU seconds at 1M spans (now 0.7)
call_sequence as (
    select
        kept.trace_id,
        kept.span_id,
        call_layers.layer_count,
        call_layers.layer_provider,
        call_layers.is_failed_call,
        outermost_layer.call_parent_span_id,
        -- a retry repeats the call before it under the same parent, to the same provider and model, which failed
        coalesce(lag(call_layers.is_failed_call) over (
            partition by
                kept.trace_id,
                outermost_layer.call_parent_span_id,
                coalesce(kept.provider, call_layers.layer_provider),
                kept.request_model
            order by kept.started_at, kept.span_id
        ), false) as is_retry,
        row_number() over (
            partition by kept.trace_id, tree.agent_span_id
            order by kept.started_at, kept.span_id
        ) - 1 as agent_call_position
    from layer_spans as kept
    inner join call_layers
        on kept.trace_id = call_layers.trace_id
        and kept.span_id = call_layers.kept_span_id
    inner join outermost_layer
        on kept.trace_id = outermost_layer.trace_id
        and kept.span_id = outermost_layer.kept_span_id
    inner join tree
        on kept.trace_id = tree.trace_id
        and kept.span_id = tree.span_id
    where kept.is_kept
),

kept_calls as (
    select
        spans.*,
        call_sequence.layer_count,
        call_sequence.layer_provider,
        call_sequence.is_failed_call,
        call_sequence.call_parent_span_id,
        call_sequence.is_retry,
        call_sequence.agent_call_position
    from spans
    inner join call_sequence
        on spans.trace_id = call_sequence.trace_id
        and spans.span_id = call_sequence.span_id
),

attributed as (
    select
        kept_calls.*,
        tree.root_span_id,
        tree.is_orphan,
        tree.is_root_failed as is_failed_run,
        coalesce(tree.inherited_feature, kept_calls.resource_feature, '(unattributed)') as feature,
        coalesce(tree.inherited_tenant_id, kept_calls.resource_tenant_id, '(unattributed)') as tenant_id,
        coalesce(tree.inherited_user_id, kept_calls.resource_user_id) as user_id,
        coalesce(
            tree.inherited_conversation_id, kept_calls.resource_conversation_id, '(unattributed)'
        ) as conversation_id,
        coalesce(tree.inherited_account_id, kept_calls.resource_account_id, '(unattributed)') as account_id,
        tree.inherited_prompt_name as prompt_name,
        tree.inherited_prompt_version as prompt_version,
        tree.inherited_step,
        tree.agent_span_id,
        tree.agent_name as call_agent_name,
        tree.agent_version as call_agent_version,
        tree.tool_span_id,
        tree.tool_name as call_tool_name
    from kept_calls
    inner join tree
        on kept_calls.trace_id = tree.trace_id
        and kept_calls.span_id = tree.span_id
),

final as (
    select
        -- ids
        span_id,
        trace_id,
        trace_id as run_id,
        parent_span_id,
        call_parent_span_id,
        root_span_id,
        is_orphan,
        layer_count,

        -- call
        operation,
        coalesce(provider, layer_provider) as reported_provider,
        request_model,
        response_model,
        response_id,
        service_tier,
        inference_profile,
        unprefixed_model,
        server_address,
        {%- for signal in count_signals() %}
        {{ signal }},
        {%- endfor %}
        service_name,
        scope_name,
        status_code,
        is_failed_call,
        is_retry,
        is_failed_run,

        -- tokens
        emitter_name,
        input_semantics,
        {{- bucket_columns() }}
        {%- for usage in bucket_usage_names() %}
        is_{{ usage }}_reported,
        {%- endfor %}
        reported_cost_usd,

        -- attribution
        feature,
        tenant_id,
        case when user_id is not null then {{ sha256_hex("'" ~ salt ~ "' || user_id") }} end as user_hash,
        conversation_id,
        account_id,
        prompt_name,
        prompt_version,
        agent_span_id,
        call_agent_name as agent_name,
        call_agent_version as agent_version,
        coalesce(inherited_step, agent_call_position) as step,
        inherited_step is null as is_step_inferred,
        tool_span_id,
        call_tool_name as tool_name,

        -- timestamps
        started_at,
        ended_at,
        {{ to_day('started_at') }} as day,
        loaded_at
    from attributed
)

select * from final
