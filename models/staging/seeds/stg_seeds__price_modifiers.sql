{#- The price modifiers seed (README "Price modifiers"): keys trimmed, the modifier lower-cased, a blank pattern read as
    every model or every value (null), dates parsed to UTC timestamps (a date means midnight), the multiplier (blank: 1),
    the fee and the token rates as exact decimals. -#}
with

source as (
    select * from {{ ref('price_modifiers') }}
),

renamed as (
    select
        -- key
        lower(trim(provider)) as provider,
        lower(trim(modifier)) as modifier,
        -- matched against lower-case canonical ids and hosts; not lower-cased itself (\D and \d differ)
        nullif(trim(model_pattern), '') as model_pattern,
        nullif(trim(match_pattern), '') as match_pattern,
        {{ safe_timestamp('effective_from') }} as effective_from,
        effective_from as effective_from_text,
        -- exclusive; null means open-ended
        {{ safe_timestamp("nullif(trim(effective_to), '')") }} as effective_to,

        -- effect, exact (the seed holds it as text)
        coalesce({{ safe_money("nullif(trim(rate_multiplier), '')") }}, cast(1 as {{ money_type() }}))
            as rate_multiplier,
        {{ safe_money("nullif(trim(fee_usd_per_unit), '')") }} as fee_usd_per_unit,
        {{ safe_money("nullif(trim(usd_per_mtok), '')") }} as usd_per_mtok,
        {{ safe_money("nullif(trim(cache_read_usd_per_mtok), '')") }} as cache_read_usd_per_mtok,

        source,
        -- the row as the seed names it (macros/seed_rows.sql), to report a row by its key
        {{ text_key([
            'lower(trim(source.provider))', 'lower(trim(source.modifier))', "nullif(trim(source.model_pattern), '')",
            "nullif(trim(source.match_pattern), '')", 'source.effective_from',
        ]) }} as modifier_key
    from source
)

select * from renamed
