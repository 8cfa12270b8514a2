with

source as (
    select * from {{ ref('model_aliases') }}
),

renamed as (
    select
        lower(trim(pattern)) as pattern,
        lower(trim(provider)) as provider,
        lower(trim(model)) as model,
        note
    from source
)

select * from renamed
