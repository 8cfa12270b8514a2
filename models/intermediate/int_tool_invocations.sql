{#- One row per tool span with the cost it carries (docs/contract.md section 5):
    nested = calls anywhere in the tool span's subtree (a tool that calls a model): the calls whose path of tool
    spans (int_spans__tree.tool_span_path, ancestor-or-self) holds it, so no second walk of the tree;
    triggering = the call under the same parent that ended last at or before the tool started,
    split evenly over every tool span that call started. Both at list prices (cost_usd) and under contracts
    (effective_cost_usd).
    Built in passes of whole traces (macros/trace_partitioned.sql): in one query over 10M spans the joins and the
    trigger window ran out of a 2 GiB memory limit (7.7 GB without a limit). -#}
{{ trace_partitioned_config('int_spans__normalized') }}
with

spans as (
    select * from {{ ref('int_spans__normalized') }}
    where {{ trace_partition('trace_bucket') }}
),

-- read twice (the tools' attribution, the calls' tool paths): inlined, each reader scans the columns it needs
tree as {{ inlined_cte() }} (
    select * from {{ ref('int_spans__tree') }}
    where {{ trace_partition('trace_bucket') }}
),

-- the columns read below only: DuckDB materializes this CTE (read twice) with every column it selects
calls as (
    select
        int_llm_calls__priced.trace_id,
        int_llm_calls__priced.span_id,
        int_llm_calls__priced.call_parent_span_id,
        int_llm_calls__priced.ended_at,
        int_llm_calls__priced.is_priced,
        int_llm_calls__priced.cost_usd,
        int_llm_calls__priced.effective_cost_usd,
        int_llm_calls__priced.unreported_usage
    from {{ ref('int_llm_calls__priced') }} as int_llm_calls__priced
    where {{ trace_partition(trace_bucket('int_llm_calls__priced.trace_id')) }}
),

tools as (
    select
        spans.trace_id,
        spans.span_id as tool_span_id,
        spans.parent_span_id,
        spans.tool_name,
        spans.status_code,
        spans.started_at,
        spans.ended_at,
        spans.service_name,
        tree.agent_span_id,
        tree.agent_name,
        coalesce(tree.inherited_feature, spans.resource_feature, '(unattributed)') as feature,
        coalesce(tree.inherited_tenant_id, spans.resource_tenant_id, '(unattributed)') as tenant_id
    from spans
    inner join tree
        on spans.trace_id = tree.trace_id
        and spans.span_id = tree.span_id
    where spans.is_tool_span
),

-- the calls under at least one tool span, with the path of tool spans above them (the calls' own span rows)
calls_under_tools as (
    select
        calls.trace_id,
        calls.span_id,
        calls.is_priced,
        calls.cost_usd,
        calls.effective_cost_usd,
        calls.unreported_usage,
        tree.tool_span_path
    from calls
    inner join tree
        on calls.trace_id = tree.trace_id
        and calls.span_id = tree.span_id
    where tree.tool_span_path is not null
),

nested_calls as (
    {{ list_elements(
        'calls_under_tools',
        ['trace_id', 'span_id', 'is_priced', 'cost_usd', 'effective_cost_usd', 'unreported_usage'],
        'tool_span_path',
        'tool_span_id'
    ) }}
),

nested as (
    select
        nested_calls.trace_id,
        nested_calls.tool_span_id,
        count(nested_calls.span_id) as nested_calls,
        sum(nested_calls.cost_usd) as nested_cost_usd,
        sum(nested_calls.effective_cost_usd) as nested_effective_cost_usd,
        sum(case when not nested_calls.is_priced then 1 else 0 end) as nested_unpriced_calls,
        sum(case when nested_calls.unreported_usage is null then 0 else 1 end) as nested_calls_with_unreported_usage
    from nested_calls
    group by nested_calls.trace_id, nested_calls.tool_span_id
),

trigger_candidates as (
    select
        tools.trace_id,
        tools.tool_span_id,
        calls.span_id as triggering_span_id,
        calls.cost_usd as triggering_call_cost_usd,
        calls.effective_cost_usd as triggering_call_effective_cost_usd,
        calls.is_priced as is_triggering_call_priced,
        calls.unreported_usage as triggering_call_unreported_usage,
        row_number() over (
            partition by tools.trace_id, tools.tool_span_id
            order by calls.ended_at desc, calls.span_id desc
        ) as candidate_rank
    from tools
    inner join calls
        on tools.trace_id = calls.trace_id
        and coalesce(calls.call_parent_span_id, '') = coalesce(tools.parent_span_id, '')
        and tools.started_at >= calls.ended_at
),

triggers as (
    select
        *,
        count(*) over (partition by trace_id, triggering_span_id) as tools_triggered
    from trigger_candidates
    where candidate_rank = 1
),

final as (
    select
        tools.tool_span_id,
        tools.trace_id,
        tools.trace_id as run_id,
        tools.parent_span_id,
        tools.tool_name,
        tools.status_code as status,
        tools.agent_span_id,
        tools.agent_name,
        tools.feature,
        tools.tenant_id,
        tools.service_name,
        tools.started_at,
        tools.ended_at,
        {{ to_day('tools.started_at') }} as day,
        coalesce(nested.nested_calls, 0) as nested_calls,
        coalesce(nested.nested_unpriced_calls, 0) as nested_unpriced_calls,
        coalesce(nested.nested_calls_with_unreported_usage, 0) as nested_calls_with_unreported_usage,
        coalesce(nested.nested_cost_usd, cast(0 as {{ money_type() }})) as nested_cost_usd,
        triggers.triggering_span_id,
        coalesce(triggers.tools_triggered, 0) as triggering_call_tools,
        case
            when triggers.triggering_call_cost_usd is not null
                then {{ money_split('triggers.triggering_call_cost_usd', 'triggers.tools_triggered') }}
            else cast(0 as {{ money_type() }})
        end as triggering_cost_usd,
        coalesce(not triggers.is_triggering_call_priced, false) as is_triggering_call_unpriced,
        triggers.triggering_call_unreported_usage is not null as is_triggering_call_usage_unreported,
        coalesce(nested.nested_effective_cost_usd, cast(0 as {{ money_type() }})) as nested_effective_cost_usd,
        case
            when triggers.triggering_call_effective_cost_usd is not null
                then {{ money_split('triggers.triggering_call_effective_cost_usd', 'triggers.tools_triggered') }}
            else cast(0 as {{ money_type() }})
        end as triggering_effective_cost_usd
    from tools
    left join nested
        on tools.trace_id = nested.trace_id
        and tools.tool_span_id = nested.tool_span_id
    left join triggers
        on tools.trace_id = triggers.trace_id
        and tools.tool_span_id = triggers.tool_span_id
)

select * from final
