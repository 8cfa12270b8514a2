-- A price modifier changes list prices: its provider must have some in the price seed (a typo would price nothing).
{{ seed_row_problems(ref('price_modifiers'),
    "not exists (select 1 from " ~ ref('stg_seeds__model_prices') ~ " as prices"
    ~ " where prices.provider = lower(trim(seed_rows.provider)))",
    ['provider'], 'has no price in seeds/model_prices.csv: use a gen_ai.provider.name value the price seed has') }}
select modifiers.modifier_key
from {{ ref('stg_seeds__price_modifiers') }} as modifiers
where not exists (
    select 1 from {{ ref('stg_seeds__model_prices') }} as prices
    where prices.provider = modifiers.provider
)
