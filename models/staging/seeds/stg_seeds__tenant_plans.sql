{#- The tenant plans seed (README "Margins"): keys trimmed, the unit lower-cased, the price an exact decimal, the
    start a date. -#}
with

source as (
    select * from {{ ref('tenant_plans') }}
),

renamed as (
    select
        trim(tenant_id) as tenant_id,
        trim(plan) as plan,
        lower(trim(unit)) as unit,
        {{ safe_money('trim(price_usd)') }} as price_usd,
        {{ to_day(safe_timestamp('trim(effective_from)')) }} as effective_from,
        note
    from source
)

select * from renamed
