-- Every alias resolves to a (provider, model) that has at least one price row.
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
