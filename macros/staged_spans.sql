{#- Staged spans from a set of readable span records (CTE name `records`): the first delivery of each
    (trace_id, span_id), typed and renamed. Shared by stg_otel__spans (all records) and int_spans__in_batch
    (the batch's records only), so both stage a span the same way.
    Most spans arrive once: only keys delivered more than once go through the window, so the attribute
    payload of the others is never sorted. -#}
{% macro staged_spans(records) %}
repeated_keys as (
    select trace_id, span_id
    from {{ records }}
    group by trace_id, span_id
    having count(*) > 1
),

first_delivery as (
    select {% for c in span_record_columns() %}{{ records }}.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ records }}
    left join repeated_keys
        on repeated_keys.trace_id = {{ records }}.trace_id
        and repeated_keys.span_id = {{ records }}.span_id
    where repeated_keys.span_id is null

    union all

    select {{ span_record_columns() | join(', ') }}
    from (
        select
            {{ records }}.*,
            row_number() over (
                partition by {{ records }}.trace_id, {{ records }}.span_id
                order by loaded_at, source_file, source_generation, source_line, record_position
            ) as delivery_number
        from {{ records }}
        inner join repeated_keys
            on repeated_keys.trace_id = {{ records }}.trace_id
            and repeated_keys.span_id = {{ records }}.span_id
    ) as deliveries
    where delivery_number = 1
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
)
{% endmacro %}

{#- The columns of stg_otel__span_records. -#}
{% macro span_record_columns() %}
    {{ return([
        'trace_id', 'span_id', 'parent_span_id', 'span_name', 'span_kind_code', 'status_code_value', 'status_message',
        'scope_name', 'scope_version', 'resource_attributes', 'span_attributes', 'start_time', 'end_time',
        'source_file', 'source_generation', 'source_line', 'record_position', 'loaded_at', 'load_id', 'quarantine_reason',
    ]) }}
{% endmacro %}
