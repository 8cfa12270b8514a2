{#- Lines and spans that could not be staged, with where they were and why, and the landing files that cannot be
    read right now (gzip cut short, not UTF-8, no permission: retried on every build, so such a row goes away
    once the file reads). Nothing is dropped silently: every record is either in stg_otel__spans (or a
    re-delivery of one) or here. -#}
{% set otel_source = get_setting('otel_source') or default_otel_source() %}
with

span_records as (
    select * from {{ ref('stg_otel__span_records') }}
),

{% if otel_source == 'otlp_files' %}
file_reads as (
    select * from {{ ref('stg_otel__file_reads') }}
),

unreadable_files as (
    select
        source_file,
        source_generation,
        file_status,
        status_reason,
        read_at
    from file_reads
    where row_kind = 'file'
    qualify row_number() over (partition by source_file order by read_seq desc) = 1
),
{% endif %}

quarantined_records as (
    select
        'record' as quarantine_scope,
        source_file,
        source_generation,
        source_line,
        record_position,
        trace_id,
        span_id,
        span_name,
        quarantine_reason,
        loaded_at
    from span_records
    where quarantine_reason is not null
),

{% if otel_source == 'otlp_files' %}
quarantined_files as (
    select
        'file' as quarantine_scope,
        source_file,
        source_generation,
        cast(null as bigint) as source_line,
        '0' as record_position,
        cast(null as varchar) as trace_id,
        cast(null as varchar) as span_id,
        cast(null as varchar) as span_name,
        'file cannot be read: ' || status_reason as quarantine_reason,
        read_at as loaded_at
    from unreadable_files
    where file_status = 'unreadable'
),
{% endif %}

final as (
    select * from quarantined_records
    {% if otel_source == 'otlp_files' %}
    union all
    select * from quarantined_files
    {% endif %}
)

select * from final
