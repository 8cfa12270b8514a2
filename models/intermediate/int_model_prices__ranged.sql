{#- Price rows as effective ranges [effective_from, effective_to).
    lead() over each (provider, model, service_tier, min_input_tokens) key ends a row where the next one
    starts, so a call picks exactly one row per key without comparing dates across rows; a closing row
    (blank prices) ends its tier and is then dropped. -#}
with

prices as (
    select * from {{ ref('stg_seeds__model_prices') }}
),

ranged as (
    select
        *,
        lead(effective_from) over (
            partition by provider, model, service_tier, min_input_tokens
            order by effective_from
        ) as effective_to
    from prices
),

final as (
    select
        provider,
        model,
        service_tier,
        min_input_tokens,
        effective_from,
        effective_to,
        {%- for price in price_columns() %}
        {{ price }},
        {%- endfor %}
        source
    from ranged
    where not is_closing_row
)

select * from final
