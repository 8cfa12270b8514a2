{#- The price modifier rows the pricing applies (seeds/price_modifiers.csv, README "Price modifiers"), as a table: the
    price lookup joins it for every call of a batch, as it joins int_contracts (the BigQuery emulator computes every
    decimal of a query that reads a view at 5 decimals). Which row applies to a call is decided there (macro
    choose_modifier_rows). -#}
with

modifiers as (
    select * from {{ ref('stg_seeds__price_modifiers') }}
),

final as (
    select
        modifiers.provider,
        modifiers.modifier,
        modifiers.model_pattern,
        modifiers.match_pattern,
        modifiers.effective_from,
        modifiers.effective_to,
        modifiers.rate_multiplier,
        modifiers.fee_usd_per_unit,
        modifiers.usd_per_mtok,
        modifiers.cache_read_usd_per_mtok,
        modifiers.source,
        modifiers.modifier_key
    from modifiers
)

select * from final
