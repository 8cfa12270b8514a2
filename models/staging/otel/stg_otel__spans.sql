{#- One typed row per span: the first delivery of each (trace_id, span_id) that could be read.
    Re-deliveries (at-least-once export) and unreadable records stay in stg_otel__span_records. -#}
with

span_records as (
    select * from {{ ref('stg_otel__span_records') }}
    where quarantine_reason is null
),

first_delivery as (
    select
        *,
        row_number() over (
            partition by trace_id, span_id
            order by loaded_at, source_file, source_line, record_position
        ) as delivery_number
    from span_records
),

renamed as (
    select
        -- ids
        trace_id,
        span_id,
        parent_span_id,

        -- span
        span_name,
        case span_kind_code
            when 1 then 'internal' when 2 then 'server' when 3 then 'client'
            when 4 then 'producer' when 5 then 'consumer' else 'unspecified'
        end as span_kind,
        case status_code_value when 1 then 'ok' when 2 then 'error' else 'unset' end as status_code,
        status_message,
        {{ attr('resource_attributes', 'service.name') }} as service_name,
        scope_name,
        scope_version,

        -- attributes
        resource_attributes,
        span_attributes,

        -- timestamps
        start_time as started_at,
        coalesce(end_time, start_time) as ended_at,

        -- arrival
        loaded_at,
        source_file,
        source_line
    from first_delivery
    where delivery_number = 1
)

select * from renamed
