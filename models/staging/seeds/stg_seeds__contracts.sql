{#- The contracts seed (README "Contracts"): keys trimmed, a blank pattern or account read as every model or account
    (null), dates parsed to UTC timestamps (a date means midnight), the discount and the rates as exact decimals. -#}
with

source as (
    select * from {{ ref('contracts') }}
),

renamed as (
    select
        -- key
        lower(trim(provider)) as provider,
        -- matched against lower-case canonical ids; not lower-cased itself (\D and \d differ)
        nullif(trim(model_pattern), '') as model_pattern,
        nullif(trim(account_id), '') as account_id,
        {{ safe_timestamp('effective_from') }} as effective_from,
        effective_from as effective_from_text,
        -- exclusive; null means open-ended
        {{ safe_timestamp("nullif(trim(effective_to), '')") }} as effective_to,

        -- terms, exact (the seed holds them as text): percent off every list rate without a rate of its own
        coalesce({{ safe_money("nullif(trim(discount_percent), '')") }}, cast(0 as {{ money_type() }}))
            as discount_percent,
        -- USD per 1M tokens replacing the list rate; null means the list rate less the discount
        {%- for price in price_columns() %}
        {{ safe_money(price) }} as {{ price }},
        {%- endfor %}

        source,
        -- the row as the seed names it (macros/seed_rows.sql), to report a row by its key
        {{ text_key([
            'lower(trim(source.provider))', "nullif(trim(source.model_pattern), '')",
            "nullif(trim(source.account_id), '')", 'source.effective_from',
        ]) }} as contract_key
    from source
)

select * from renamed
