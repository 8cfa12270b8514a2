{#- One row per agent step: (run, agent span, step). Calls outside any agent span have agent_span_id '(none)'.
    Incremental: the runs of the processing batch are replaced whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'runs': 'run_id', 'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['feature', 'tenant_id', 'agent_name'],
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

final as (
    select
        run_id,
        coalesce(agent_span_id, '(none)') as agent_span_id,
        step,
        min(agent_name) as agent_name,
        min(agent_version) as agent_version,
        min(feature) as feature,
        min(tenant_id) as tenant_id,
        min(started_at) as started_at,
        max(ended_at) as ended_at,
        {{ to_day('min(started_at)') }} as day,
        count(*) as calls,
        {{- bucket_sums(part='input') }}
        sum(total_input_tokens) as input_tokens,
        {{- bucket_sums(part='rest') }}
        coalesce(sum(cost_usd), cast(0 as {{ money_type() }})) as cost_usd,
        sum(case when is_priced then 0 else 1 end) as unpriced_calls,
        sum(case when is_priced then 0 else total_tokens end) as unpriced_tokens,
        sum(case when unreported_usage is null then 0 else 1 end) as calls_with_unreported_usage,
        coalesce(sum(effective_cost_usd), cast(0 as {{ money_type() }})) as effective_cost_usd
    from span_costs
    group by run_id, coalesce(agent_span_id, '(none)'), step
)

select * from final
