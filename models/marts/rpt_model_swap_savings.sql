{#- What if these calls had run on another model? (README "Model-swap what-if"): for each swap of seeds/model_swaps.csv,
    the calls of its model within its scope, their tokens priced at the candidate's price row in force at each call's
    start (macro choose_price_rows: the call's service tier, else standard; its long-context tier), against what they
    cost. One row per (swap_id, feature, agent_name, step). An estimate: another model's tokenizer counts the same
    text differently, and its answers may take more or fewer tokens. A table rebuilt on every build, so a new swap or
    a new price applies to the whole history; it reads only the calls of the swapped models. -#}
with

swaps as (
    select * from {{ ref('stg_seeds__model_swaps') }}
),

span_costs as (
    select * from {{ ref('fct_span_costs') }}
),

swapped_calls as (
    select
        {{ text_key(['swaps.swap_id', 'span_costs.span_id']) }} as swap_call_key,
        swaps.swap_id,
        swaps.to_model,
        span_costs.span_id,
        span_costs.feature,
        coalesce(span_costs.agent_name, '(no agent)') as agent_name,
        span_costs.step,
        span_costs.is_priced,
        span_costs.cost_usd,
        span_costs.effective_cost_usd,
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

{# compared over the calls both the actual and the candidate price, so the saving is like for like; the saving is these
    two sums subtracted (exact), so each candidate cost is computed once, not again per call -#}
{%- set compared_actual_cost -%}
coalesce(sum(case when repriced.is_compared then repriced.cost_usd end), cast(0 as {{ money_type() }}))
{%- endset -%}
{%- set compared_candidate_cost -%}
coalesce(sum(case when repriced.is_compared then repriced.candidate_cost_usd end), cast(0 as {{ money_type() }}))
{%- endset -%}
final as (
    select
        repriced.swap_id,
        repriced.feature,
        repriced.agent_name,
        repriced.step,
        count(*) as calls,
        sum({{ own_tokens_sum('repriced') }}) as total_tokens,
        sum(case when repriced.is_compared then 1 else 0 end) as compared_calls,
        sum(case when repriced.is_candidate_priced then 0 else 1 end) as calls_without_candidate_price,
        {{ compared_actual_cost }} as actual_cost_usd,
        {{ compared_candidate_cost }} as candidate_cost_usd,
        {{ compared_actual_cost }} - {{ compared_candidate_cost }} as estimated_saving_usd,
        min(repriced.to_model) as to_model
    from repriced
    group by repriced.swap_id, repriced.feature, repriced.agent_name, repriced.step
)

select * from final
