{#- The model-swap seed (README "Model-swap what-if"): names trimmed, providers and models lower-cased as in the price
    seed, a blank scope read as any (null), the step as a whole number. -#}
with

source as (
    select * from {{ ref('model_swaps') }}
),

renamed as (
    select
        trim(swap_id) as swap_id,
        lower(trim(from_provider)) as from_provider,
        lower(trim(from_model)) as from_model,
        lower(trim(to_provider)) as to_provider,
        lower(trim(to_model)) as to_model,
        nullif(trim(feature), '') as feature,
        nullif(trim(agent_name), '') as agent_name,
        {{ safe_bigint("nullif(trim(step), '')") }} as step,
        note
    from source
)

select * from renamed
