{#- The model-swap report's units (rpt_model_swap_savings): for each swap of seeds/model_swaps.csv, each run's calls of
    its model within its scope, their tokens priced at the candidate's price row in force at each call's start (macro
    choose_price_rows: the call's service tier, else standard; its long-context tier), against what they cost. One row
    per (swap_id, run_id, feature, agent_name, step), so the report sums compact rows instead of repricing the whole
    history's calls on every build.
    Incremental: the runs of the processing batch are replaced whole, their calls read in int_llm_calls__priced (a
    batch). Every row records the inputs it was priced with
    (swap_inputs_version: the pricing seeds' version and the swaps seed's rows); when either changed since, every run
    is priced again (a new swap or a new price applies to the whole history) and the old rows are deleted first
    (pre-hook, macro delete_stale_swap_run_costs); also when no row holds this build's inputs (macro
    swap_run_costs_reprice_all). -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'runs': 'run_id', 'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['swap_id', 'feature'],
    on_schema_change='append_new_columns',
    pre_hook="{{ delete_stale_swap_run_costs() }}",
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
-- depends_on: {{ ref('int_llm_calls__priced') }}
-- depends_on: {{ ref('int_build_batch') }}
{%- set every_run = not is_incremental() or build_batch()['is_full_batch'] or swap_run_costs_reprice_all() %}
{#- the columns this model reads, of fct_span_costs and of int_llm_calls__priced alike -#}
{%- set call_columns = ['span_id', 'run_id', 'day', 'priced_model', 'feature', 'agent_name', 'step', 'is_priced',
    'cost_usd', 'service_tier', 'started_at', 'total_input_tokens'] %}
{%- for bucket in own_buckets() %}{% do call_columns.append(bucket.name ~ '_tokens') %}{% endfor %}

with

{{ swap_inputs_ctes() }},

swaps as (
    select * from {{ ref('stg_seeds__model_swaps') }}
),

span_costs as (
    {%- if every_run %}
    select
        {%- for column in call_columns %}
        fct_span_costs.{{ column }},
        {%- endfor %}
        fct_span_costs.provider
    from {{ ref('fct_span_costs') }} as fct_span_costs
    {%- else %}
    -- the batch's runs: the calls fct_span_costs took from int_llm_calls__priced in this build, read there (a batch)
    -- rather than filtered out of the whole history
    select
        {%- for column in call_columns %}
        priced.{{ column }},
        {%- endfor %}
        {{ call_provider('priced') }} as provider
    from {{ ref('int_llm_calls__priced') }} as priced
    inner join (
        select distinct in_batch.trace_id from {{ ref('int_spans__in_batch') }} as in_batch
    ) as batch_runs
        on priced.trace_id = batch_runs.trace_id
    {%- endif %}
),

swapped_calls as (
    select
        {{ text_key(['swaps.swap_id', 'span_costs.span_id']) }} as swap_call_key,
        swaps.swap_id,
        swaps.to_model,
        span_costs.run_id,
        span_costs.day,
        span_costs.feature,
        coalesce(span_costs.agent_name, '(no agent)') as agent_name,
        span_costs.step,
        span_costs.is_priced,
        span_costs.cost_usd,
        {%- for bucket in own_buckets() %}
        span_costs.{{ bucket.name }}_tokens,
        {%- endfor %}
        -- the lookup of choose_price_rows, at the candidate
        swaps.to_provider as resolved_provider,
        swaps.to_model as priced_model,
        span_costs.service_tier,
        span_costs.started_at,
        span_costs.total_input_tokens
    from span_costs
    inner join swaps
        on span_costs.provider = swaps.from_provider
        and span_costs.priced_model = swaps.from_model
        and (swaps.feature is null or span_costs.feature = swaps.feature)
        and (swaps.agent_name is null or span_costs.agent_name = swaps.agent_name)
        and (swaps.step is null or span_costs.step = swaps.step)
),

{{ choose_price_rows('swapped_calls', key='swap_call_key') }},

repriced as (
    select
        swapped_calls.*,
        {{ price_row_bills('chosen_price', 'swapped_calls.output_tokens') }} as is_candidate_priced,
        swapped_calls.is_priced and {{ price_row_bills('chosen_price', 'swapped_calls.output_tokens') }}
            as is_compared,
        -- every own bucket at the candidate's rate (reasoning inside output, at the output rate)
        case
            when {{ price_row_bills('chosen_price', 'swapped_calls.output_tokens') }}
                then {{ priced_bucket_tokens('swapped_calls.', 'chosen_price') }}
        end as candidate_cost_usd
    from swapped_calls
    left join chosen_price
        on swapped_calls.swap_call_key = chosen_price.swap_call_key
),

{# compared over the calls both the actual and the candidate price, so the saving is like for like -#}
run_costs as (
    select
        repriced.swap_id,
        repriced.run_id,
        repriced.feature,
        repriced.agent_name,
        repriced.step,
        min(repriced.day) as day,
        min(repriced.to_model) as to_model,
        count(*) as calls,
        sum({{ own_tokens_sum('repriced') }}) as total_tokens,
        sum(case when repriced.is_compared then 1 else 0 end) as compared_calls,
        sum(case when repriced.is_candidate_priced then 0 else 1 end) as calls_without_candidate_price,
        coalesce(
            sum(case when repriced.is_compared then repriced.cost_usd end), cast(0 as {{ money_type() }})
        ) as actual_cost_usd,
        coalesce(
            sum(case when repriced.is_compared then repriced.candidate_cost_usd end), cast(0 as {{ money_type() }})
        ) as candidate_cost_usd
    from repriced
    group by repriced.swap_id, repriced.run_id, repriced.feature, repriced.agent_name, repriced.step
),

final as (
    select
        {{ text_key(['run_costs.swap_id', 'run_costs.run_id', 'run_costs.feature', 'run_costs.agent_name',
            'run_costs.step']) }} as swap_run_key,
        run_costs.swap_id,
        run_costs.run_id,
        run_costs.feature,
        run_costs.agent_name,
        run_costs.step,
        run_costs.day,
        run_costs.to_model,
        run_costs.calls,
        run_costs.total_tokens,
        run_costs.compared_calls,
        run_costs.calls_without_candidate_price,
        run_costs.actual_cost_usd,
        run_costs.candidate_cost_usd,
        swap_inputs.swap_inputs_version
    from run_costs
    cross join swap_inputs
)

select * from final
