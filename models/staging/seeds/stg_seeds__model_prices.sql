with

source as (
    select * from {{ ref('model_prices') }}
),

renamed as (
    select
        -- key
        lower(trim(provider)) as provider,
        lower(trim(model)) as model,
        coalesce(nullif(lower(trim(service_tier)), ''), 'standard') as service_tier,
        coalesce(min_input_tokens, 0) as min_input_tokens,
        -- a date means midnight UTC of that day
        {{ safe_timestamp('effective_from') }} as effective_from,
        effective_from as effective_from_text,

        -- USD per 1M tokens, exact (the seed holds them as text); blank means not published
        {%- for price in price_columns() %}
        {{ safe_money(price) }} as {{ price }},
        {%- endfor %}

        -- a row with no input and no output price closes its tier from effective_from on
        (
            nullif(trim(input_usd_per_mtok), '') is null and nullif(trim(output_usd_per_mtok), '') is null
        ) as is_closing_row,

        source
    from source
)

select * from renamed
