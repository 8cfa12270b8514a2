{#- Reading the flat landing shape (CONTRACT section 2, otel_source 'flat_table'): one row per span in a
    warehouse table shaped like the collector's ClickHouse exporter, attributes as JSON objects.
    Arrival: rows whose (trace_id, span_id) is not loaded yet (a later copy of a loaded span is a re-delivery). -#}

{% macro flat_table_span_records(relation) %}{{ return(adapter.dispatch('flat_table_span_records', 'llm_cost')(relation)) }}{% endmacro %}

{% macro default__flat_table_span_records(relation) %}
    {{ exceptions.raise_compiler_error("otel_source 'flat_table' is not implemented for " ~ target.type ~ " yet") }}
{% endmacro %}

{#- JSON attribute object -> MAP(varchar, varchar), content keys dropped. -#}
{% macro duckdb__json_attributes_to_map(column) -%}
    {%- set prefixes = content_attribute_prefixes() -%}
    map_from_entries(list_filter(
        map_entries(json_transform(cast({{ column }} as json), '"MAP(VARCHAR, VARCHAR)"')),
        lambda e: not ({% for p in prefixes %}starts_with(e.key, '{{ p }}'){% if not loop.last %} or {% endif %}{% endfor %})
    ))
{%- endmacro %}

{#- ClickHouse-exporter kinds and statuses arrive as names ('Client', 'SPAN_KIND_CLIENT', 'Error') or as their
    OTLP numbers: the first name contained (case-insensitive) gives the code, else the number itself. -#}
{% macro otel_enum_code(expr, codes_by_name) -%}
    case
        {%- for name, code in codes_by_name.items() %}
        when lower(cast({{ expr }} as varchar)) like '%{{ name }}%' then {{ code }}
        {%- endfor %}
        else try_cast({{ expr }} as integer)
    end
{%- endmacro %}

{% macro duckdb__flat_table_span_records(relation) -%}
    with

    rows_to_load as (
        select flat.*
        from {{ relation }} as flat
        {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as loaded
            -- null-safe: an unreadable row (no span id) is loaded, and quarantined, once
            where coalesce(loaded.trace_id, '') = coalesce(lower(flat.trace_id), '')
                and coalesce(loaded.span_id, '') = coalesce(lower(flat.span_id), '')
        )
        {% endif %}
    ),

    typed as (
        select
            lower(trace_id) as trace_id,
            lower(span_id) as span_id,
            nullif(lower(parent_span_id), '') as parent_span_id,
            span_name,
            {{ otel_enum_code('span_kind', {'internal': 1, 'server': 2, 'client': 3, 'producer': 4, 'consumer': 5}) }} as span_kind_code,
            {{ otel_enum_code('status_code', {'error': 2, 'ok': 1, 'unset': 0}) }} as status_code_value,
            cast(null as varchar) as status_message,
            scope_name,
            cast(null as varchar) as scope_version,
            {{ duckdb__json_attributes_to_map('resource_attributes') }} as resource_attributes,
            {{ duckdb__json_attributes_to_map('span_attributes') }} as span_attributes,
            try_cast(start_time as timestamp) as start_time,
            try_cast(end_time as timestamp) as end_time,
            '{{ relation }}' as source_file,
            row_number() over (order by trace_id, span_id, start_time) as source_line,
            '{{ invocation_id }}' as record_position
        from rows_to_load
    )

    select
        *,
        {{ span_record_quarantine_reason() }} as quarantine_reason
    from typed
{%- endmacro %}
