with

source as (
    select * from {{ ref('model_aliases') }}
),

renamed as (
    select
        -- matched against lower-cased names; not lower-cased itself (\D and \d differ)
        trim(pattern) as pattern,
        lower(trim(provider)) as provider,
        lower(trim(model)) as model,
        note
    from source
)

select * from renamed
