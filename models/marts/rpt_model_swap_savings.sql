{#- What if these calls had run on another model? (README "Model-swap what-if"): for each swap of seeds/model_swaps.csv,
    the calls of its model within its scope, their tokens priced at the candidate's price row in force at each call's
    start, against what they cost. One row per (swap_id, feature, agent_name, step). An estimate: another model's
    tokenizer counts the same text differently, and its answers may take more or fewer tokens. A table rebuilt on every
    build by summing int_model_swap_run_costs (one row per swap and run, priced as each batch arrives, and every run
    again when a swap or a price changes), so a build does not reprice the history. -#}
with

run_costs as (
    select * from {{ ref('int_model_swap_run_costs') }}
),

final as (
    select
        run_costs.swap_id,
        run_costs.feature,
        run_costs.agent_name,
        run_costs.step,
        -- the calls' count keeps its type (a sum of counts would widen it)
        cast(sum(run_costs.calls) as {{ type_bigint() }}) as calls,
        sum(run_costs.total_tokens) as total_tokens,
        sum(run_costs.compared_calls) as compared_calls,
        sum(run_costs.calls_without_candidate_price) as calls_without_candidate_price,
        -- compared over the calls both the actual and the candidate price, so the saving is like for like (exact)
        sum(run_costs.actual_cost_usd) as actual_cost_usd,
        sum(run_costs.candidate_cost_usd) as candidate_cost_usd,
        sum(run_costs.actual_cost_usd) - sum(run_costs.candidate_cost_usd) as estimated_saving_usd,
        min(run_costs.to_model) as to_model
    from run_costs
    group by run_costs.swap_id, run_costs.feature, run_costs.agent_name, run_costs.step
)

select * from final
