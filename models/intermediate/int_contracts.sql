{#- The contract rows the pricing applies (seeds/contracts.csv, README "Contracts"), as a table: the price lookup
    joins it for every call of a batch, as it joins int_model_prices__ranged, instead of the seed's staging view.
    (The BigQuery emulator also computes every decimal of a query that reads a view at 5 decimals.) Which row applies
    to a call is decided there (macro choose_contract_rows). -#}
with

contracts as (
    select * from {{ ref('stg_seeds__contracts') }}
),

final as (
    select
        contracts.provider,
        contracts.model_pattern,
        contracts.account_id,
        contracts.effective_from,
        contracts.effective_to,
        contracts.discount_percent,
        {%- for price in price_columns('contracts') %}
        {{ price }},
        {%- endfor %}
        contracts.source,
        contracts.contract_key
    from contracts
)

select * from final
