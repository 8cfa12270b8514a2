-- A contract discounts list prices: its provider must have some in the price seed (a typo would discount nothing).
{{ seed_row_problems(ref('contracts'),
    "not exists (select 1 from " ~ ref('stg_seeds__model_prices') ~ " as prices"
    ~ " where prices.provider = lower(trim(seed_rows.provider)))",
    ['provider'], 'has no price in seeds/model_prices.csv: use a gen_ai.provider.name value the price seed has') }}
select contracts.contract_key
from {{ ref('stg_seeds__contracts') }} as contracts
where not exists (
    select 1 from {{ ref('stg_seeds__model_prices') }} as prices
    where prices.provider = contracts.provider
)
