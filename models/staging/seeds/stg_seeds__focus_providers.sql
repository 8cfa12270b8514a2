with

source as (
    select * from {{ ref('focus_providers') }}
),

renamed as (
    select
        lower(trim(provider)) as provider,
        trim(provider_name) as provider_name,
        trim(publisher_name) as publisher_name,
        trim(invoice_issuer_name) as invoice_issuer_name,
        trim(service_name) as service_name
    from source
)

select * from renamed
