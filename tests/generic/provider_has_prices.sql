{#- A seed row that names a provider changes or adds to list prices (a contract, a price modifier): its provider must
    have some in the price seed, or a typo would change nothing. On a staged seed's provider column; `seed` names the
    raw seed, whose rows the message quotes. -#}
{% test provider_has_prices(model, column_name, seed) %}
{{ seed_row_problems(ref(seed),
    "not exists (select 1 from " ~ ref('stg_seeds__model_prices') ~ " as prices"
    ~ " where prices.provider = lower(trim(seed_rows." ~ column_name ~ ")))",
    [column_name], 'has no price in seeds/model_prices.csv: use a gen_ai.provider.name value the price seed has') }}
select staged.{{ column_name }}
from {{ model }} as staged
where not exists (
    select 1 from {{ ref('stg_seeds__model_prices') }} as prices
    where prices.provider = staged.{{ column_name }}
)
{% endtest %}
