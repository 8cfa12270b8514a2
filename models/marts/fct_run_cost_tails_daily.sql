{#- The tail of run cost (README "Run cost tails"): one row per (day, dimension, dimension_value) - per feature and
    per root agent - with the runs' p50, p95, p99 and max cost (list and effective) and calls per run, beside the
    mean. Percentiles are nearest-rank: the smallest run value with at least p% of the day's runs at or below it, so
    each is the exact decimal cost of a real run (no interpolation). A run belongs to the day it started on
    (fct_run_costs.day). Incremental: every day the batch touches is recomputed whole from fct_run_costs. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['dimension', 'dimension_value'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
{{ assert_full_batch_for_rebuild() }}
{%- set percentiles = [50, 95, 99] %}
{%- set measures = ['cost_usd', 'effective_cost_usd', 'calls'] %}
with

-- read twice: inlined, so DuckDB does not hold a copy of every column of every run read
run_costs as {{ inlined_cte() }} (
    select * from {{ ref('fct_run_costs') }}
    {% if is_incremental() %}
    -- a run belongs to its start day, which is one of the days its spans started on: a batch's runs (and a run that
    -- moved to an earlier day) lie on the batch's days
    where {{ in_batch_days('day') }}
    {% endif %}
),

runs_by_dimension as (
    {%- for dimension, value in [('feature', 'run_costs.feature'),
                                 ('agent', "coalesce(run_costs.root_agent_name, '(no agent)')")] %}
    {{ 'union all' if not loop.first }}
    select
        '{{ dimension }}' as dimension,
        {{ value }} as dimension_value,
        run_costs.day,
        run_costs.run_id,
        run_costs.cost_usd,
        run_costs.effective_cost_usd,
        run_costs.calls,
        run_costs.unpriced_calls,
        run_costs.calls_with_unreported_usage
    from run_costs
    {%- endfor %}
),

ranked as (
    select
        runs_by_dimension.*,
        {{- nearest_rank_columns(
            'runs_by_dimension', measures, ['day', 'dimension', 'dimension_value'], tie_breaker='run_id'
        ) }}
        runs_by_dimension.run_id as ranked_run_id
    from runs_by_dimension
),

final as (
    select
        ranked.day,
        ranked.dimension,
        ranked.dimension_value,
        count(*) as runs,
        sum(ranked.calls) as calls,
        sum(ranked.cost_usd) as cost_usd,
        sum(ranked.effective_cost_usd) as effective_cost_usd,
        sum(ranked.unpriced_calls) as unpriced_calls,
        {{ money_split('sum(ranked.cost_usd)', 'count(*)') }} as mean_run_cost_usd,
        {#- nearest rank: the value of the run at rank ceil(p% of runs) (macros/cross_db/percentiles.sql) #}
        {%- for measure in measures %}
        {%- set name = 'calls_per_run' if measure == 'calls' else measure | replace('cost_usd', 'run_cost_usd') %}
        {%- for p in percentiles %}
        {{ nearest_rank('ranked', measure, p, percentiles) }} as p{{ p }}_{{ name }},
        {%- endfor %}
        max(ranked.{{ measure }}) as max_{{ name }},
        {%- endfor %}
        sum(ranked.calls_with_unreported_usage) as calls_with_unreported_usage
    from ranked
    group by ranked.day, ranked.dimension, ranked.dimension_value
)

select * from final
