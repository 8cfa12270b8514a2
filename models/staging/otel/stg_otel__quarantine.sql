{#- Lines and spans that could not be staged, with where they were and why. Nothing is dropped silently:
    every record is either in stg_otel__spans (or a re-delivery of one) or here. -#}
with

span_records as (
    select * from {{ ref('stg_otel__span_records') }}
),

renamed as (
    select
        source_file,
        source_line,
        record_position,
        trace_id,
        span_id,
        span_name,
        quarantine_reason,
        loaded_at
    from span_records
    where quarantine_reason is not null
)

select * from renamed
