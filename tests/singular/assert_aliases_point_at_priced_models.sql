-- Every alias resolves to a (provider, model) that has at least one price row.
{{ seed_row_problems(ref('model_aliases'),
    "not exists (select 1 from " ~ ref('stg_seeds__model_prices') ~ " as prices where not prices.is_closing_row"
    ~ " and prices.provider = lower(trim(seed_rows.provider)) and prices.model = lower(trim(seed_rows.model)))",
    ['provider', 'model'], 'has no price row in seeds/model_prices.csv: add its prices, or point the alias at a priced model') }}
select
    aliases.pattern,
    aliases.provider,
    aliases.model
from {{ ref('stg_seeds__model_aliases') }} as aliases
left join (
    select distinct provider, model
    from {{ ref('stg_seeds__model_prices') }}
    where not is_closing_row
) as priced
    on priced.provider = aliases.provider
    and priced.model = aliases.model
where priced.model is null
