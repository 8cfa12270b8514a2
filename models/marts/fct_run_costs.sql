{#- One row per run (trace) with at least one call: its span and call totals.
    Incremental: the runs of the processing batch are replaced whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'runs': 'run_id', 'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['feature', 'tenant_id'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
{{ assert_full_batch_for_rebuild() }}
with

span_costs as (
    select fct_span_costs.*
    from {{ ref('fct_span_costs') }} as fct_span_costs
    {% if is_incremental() %}
    where {{ narrow_filter(ref('fct_span_costs'), 'fct_span_costs',
        in_batch_scope(runs='fct_span_costs.run_id', days='fct_span_costs.day')) }}
    {% endif %}
),

spans as (
    select * from {{ ref('int_spans__normalized') }}
),

tree as (
    select * from {{ ref('int_spans__tree') }}
),

run_spans as (
    select
        trace_id as run_id,
        min(started_at) as started_at,
        max(ended_at) as ended_at,
        count(*) as spans,
        sum(case when status_code = 'error' then 1 else 0 end) as error_spans
    from spans
    group by trace_id
),

root_agent as (
    -- the outermost agent span of the run (an aggregate, not a row_number() window: DuckDB spills it)
    select
        spans.trace_id as run_id,
        {{ first_by(
            {'name': 'spans.agent_name', 'version': 'spans.agent_version'},
            ['tree.depth', 'spans.started_at', 'spans.span_id'],
        ) }} as agent
    from spans
    inner join tree
        on spans.trace_id = tree.trace_id
        and spans.span_id = tree.span_id
    where spans.is_agent_span
    group by spans.trace_id
),

run_calls as (
    select
        run_id,
        count(*) as calls,
        {{- bucket_sums() }}
        sum(total_tokens) as total_tokens,
        sum(cost_usd) as cost_usd,
        sum(effective_cost_usd) as effective_cost_usd,
        sum(reported_cost_usd) as reported_cost_usd,
        sum(case when is_priced then 0 else 1 end) as unpriced_calls,
        sum(case when is_priced then 0 else total_tokens end) as unpriced_tokens,
        sum(case when unreported_usage is null then 0 else 1 end) as calls_with_unreported_usage,
        max(case when is_failed_run then 1 else 0 end) = 1 as is_failed_run,
        sum(case when is_failed_call then 1 else 0 end) as failed_calls,
        sum(case when is_retry then 1 else 0 end) as retry_calls,
        coalesce(sum(case when is_retry then cost_usd end), cast(0 as {{ money_type() }})) as retry_cost_usd,
        -- two values or more (min and max, not count(distinct): no per-run set of values held in memory)
        coalesce(min(feature) <> max(feature) or min(tenant_id) <> max(tenant_id), false) as has_mixed_attribution
    from span_costs
    group by run_id
),

first_call as (
    -- a run's feature and tenant are those of its earliest call (calls of one run normally agree); an aggregate,
    -- not a row_number() window: DuckDB spills it
    select
        run_id,
        {{ first_by(
            {'feature': 'feature', 'tenant_id': 'tenant_id', 'user_hash': 'user_hash', 'conversation_id': 'conversation_id'},
            ['started_at', 'span_id'],
        ) }} as attribution,
        -- the earliest call naming a prompt (calls without one sort last)
        {{ first_by(
            {'name': 'prompt_name', 'version': 'prompt_version'},
            ['prompt_name is null and prompt_version is null', 'started_at', 'span_id'],
        ) }} as prompt
    from span_costs
    group by run_id
),

final as (
    select
        run_calls.run_id,
        run_spans.started_at,
        run_spans.ended_at,
        {{ to_day('run_spans.started_at') }} as day,
        -- fields of the first_by() structs (sqlfluff reads cte.struct.field as schema.table.column)
        first_call.attribution.feature,  -- noqa: RF01
        first_call.attribution.tenant_id,  -- noqa: RF01
        first_call.attribution.user_hash,  -- noqa: RF01
        first_call.attribution.conversation_id,  -- noqa: RF01
        root_agent.agent.name as root_agent_name,  -- noqa: RF01
        root_agent.agent.version as root_agent_version,  -- noqa: RF01
        run_spans.spans,
        run_spans.error_spans,
        run_calls.calls,
        {{- bucket_columns('run_calls') }}
        run_calls.total_tokens,
        coalesce(run_calls.cost_usd, cast(0 as {{ money_type() }})) as cost_usd,
        run_calls.reported_cost_usd,
        run_calls.unpriced_calls,
        run_calls.unpriced_tokens,
        run_calls.calls_with_unreported_usage,
        run_calls.has_mixed_attribution,
        coalesce(run_calls.effective_cost_usd, cast(0 as {{ money_type() }})) as effective_cost_usd,
        first_call.prompt.name as prompt_name,  -- noqa: RF01
        first_call.prompt.version as prompt_version,  -- noqa: RF01
        run_calls.is_failed_run,
        run_calls.failed_calls,
        run_calls.retry_calls,
        run_calls.retry_cost_usd
    from run_calls
    inner join run_spans
        on run_calls.run_id = run_spans.run_id
    inner join first_call
        on run_calls.run_id = first_call.run_id
    left join root_agent
        on run_calls.run_id = root_agent.run_id
)

select * from final
