{#- Each reported (provider, model name) mapped to a priced (provider, model), once per distinct name,
    so the regex aliases run over a few hundred names instead of every call.
    Order of precedence: exact (provider, model) row > alias for that provider > exact model under a single
    provider (the call named none) > alias (the call named no provider). -#}
with

calls as (
    select * from {{ ref('int_llm_calls') }}
),

price_keys as (
    select distinct provider, model from {{ ref('stg_seeds__model_prices') }}
),

aliases as (
    select * from {{ ref('stg_seeds__model_aliases') }}
),

reported_names as (
    select distinct reported_provider, response_model as model_name from calls where response_model is not null
    union
    select distinct reported_provider, request_model as model_name from calls where request_model is not null
),

models_with_one_provider as (
    select model, min(provider) as provider
    from price_keys
    group by model
    having count(distinct provider) = 1
),

matches as (
    select
        reported_names.reported_provider,
        reported_names.model_name,
        price_keys.provider,
        price_keys.model,
        'exact' as resolution,
        1 as precedence,
        0 as pattern_length
    from reported_names
    inner join price_keys
        on price_keys.provider = reported_names.reported_provider
        and price_keys.model = reported_names.model_name

    union all

    select
        reported_names.reported_provider,
        reported_names.model_name,
        aliases.provider,
        aliases.model,
        'alias',
        case when reported_names.reported_provider is null then 4 else 2 end,
        length(aliases.pattern)
    from reported_names
    inner join aliases
        on (aliases.provider = reported_names.reported_provider or reported_names.reported_provider is null)
        and {{ regex_full_match('reported_names.model_name', 'aliases.pattern') }}

    union all

    select
        reported_names.reported_provider,
        reported_names.model_name,
        models_with_one_provider.provider,
        models_with_one_provider.model,
        'model_only',
        3,
        0
    from reported_names
    inner join models_with_one_provider
        on models_with_one_provider.model = reported_names.model_name
    where reported_names.reported_provider is null
),

ranked as (
    select
        *,
        -- the longest (most specific) matching alias wins among aliases
        row_number() over (
            partition by reported_provider, model_name
            order by precedence, pattern_length desc, provider, model
        ) as match_rank
    from matches
),

final as (
    select
        reported_provider,
        model_name,
        provider as priced_provider,
        model as priced_model,
        resolution
    from ranked
    where match_rank = 1
)

select * from final
