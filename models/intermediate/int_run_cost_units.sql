{#- The change-point report's units (python_models/rpt_cost_change_points.py): a run's priced calls summed per
    (run, feature), per (run, feature, agent name and version) and per (run, feature, prompt name and version), so
    the report reads one compact row per run and key instead of grouping every call of the history on every build.
    Incremental: the runs of the processing batch are replaced whole. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'runs': 'run_id', 'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['unit_kind', 'feature'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
-- depends_on: {{ ref('int_llm_calls__priced') }}
-- depends_on: {{ ref('fct_span_costs') }}
{#- a unit kind and the keys it adds to (run, feature); a unit needs all its keys (a run without an agent version is
    no agent-version unit) -#}
{%- set unit_kinds = [
    {'kind': 'feature', 'keys': []},
    {'kind': 'agent', 'keys': ['agent_name', 'agent_version']},
    {'kind': 'prompt', 'keys': ['prompt_name', 'prompt_version']},
] %}
{%- set all_keys = ['agent_name', 'agent_version', 'prompt_name', 'prompt_version'] %}
with
{% if is_incremental() %}
batch_runs as (
    select distinct in_batch.trace_id
    from {{ ref('int_spans__in_batch') }} as in_batch
),
{% endif %}

{#- the columns this model reads, of fct_span_costs and of int_llm_calls__priced alike (and day) -#}
{%- set columns = ['run_id', 'feature'] + all_keys + ['cost_usd', 'started_at'] %}

scoped_calls as (
    {% if is_incremental() %}
    -- the batch's runs: the calls fct_span_costs took from int_llm_calls__priced in this build, read there (a batch)
    -- rather than filtered out of the whole history
    select
        {%- for column in columns %}
        priced.{{ column }},
        {%- endfor %}
        priced.day
    from {{ ref('int_llm_calls__priced') }} as priced
    inner join batch_runs
        on priced.trace_id = batch_runs.trace_id
    {% else %}
    -- built from scratch: every run of fct_span_costs, so adding the model to an existing warehouse needs no full
    -- refresh of its upstream
    select
        {%- for column in columns %}
        fct_span_costs.{{ column }},
        {%- endfor %}
        fct_span_costs.day
    from {{ ref('fct_span_costs') }} as fct_span_costs
    {% endif %}
),

priced_calls as (
    -- an unpriced call has no cost per call
    select scoped_calls.*
    from scoped_calls
    where scoped_calls.cost_usd is not null
),

units as (
    {%- for unit in unit_kinds %}
    {{ 'union all' if not loop.first }}
    select
        '{{ unit.kind }}' as unit_kind,
        priced_calls.run_id,
        priced_calls.feature,
        {%- for key in all_keys %}
        {{ ('priced_calls.' ~ key) if key in unit['keys'] else ('cast(null as ' ~ type_string() ~ ')') }} as {{ key }},
        {%- endfor %}
        count(*) as calls,
        sum(priced_calls.cost_usd) as cost_usd,
        min(priced_calls.started_at) as started_at,
        min(priced_calls.day) as day
    from priced_calls
    where
        true
        {%- for key in unit['keys'] %}
        and priced_calls.{{ key }} is not null
        {%- endfor %}
    group by
        {%- for key in unit['keys'] %}
        priced_calls.{{ key }},
        {%- endfor %}
        priced_calls.run_id,
        priced_calls.feature
    {%- endfor %}
),

final as (
    select
        {{ text_key(['units.unit_kind', 'units.run_id', 'units.feature', 'units.agent_name', 'units.agent_version',
            'units.prompt_name', 'units.prompt_version']) }} as unit_key,
        units.unit_kind,
        units.run_id,
        units.feature,
        units.agent_name,
        units.agent_version,
        units.prompt_name,
        units.prompt_version,
        units.calls,
        units.cost_usd,
        units.started_at,
        units.day
    from units
)

select * from final
