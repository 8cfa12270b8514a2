{#- Reading the flat landing shape (docs/contract.md section 2, otel_source 'flat_table'): one row per span in a
    warehouse table shaped like the collector's ClickHouse exporter, attributes as JSON objects.
    Arrival: rows whose (trace_id, span_id) is not loaded yet (a later copy of a loaded span is a re-delivery). -#}

{#- The landing shape when var otel_source is unset: files on DuckDB (it reads them directly), the flat table on
    BigQuery (a warehouse reads tables, not a collector's local files). -#}
{% macro default_otel_source() %}{{ return(adapter.dispatch('default_otel_source', 'llm_cost')()) }}{% endmacro %}
{% macro default__default_otel_source() %}{{ return('flat_table') }}{% endmacro %}
{% macro duckdb__default_otel_source() %}{{ return('otlp_files') }}{% endmacro %}

{% macro flat_table_span_records(relation) %}{{ return(adapter.dispatch('flat_table_span_records', 'llm_cost')(relation)) }}{% endmacro %}

{#- A flat JSON attribute object (key -> scalar, as the ClickHouse exporter's Map(String, String)) in the
    staged attribute type, content keys dropped: MAP(varchar, varchar) on DuckDB, JSON on BigQuery. -#}
{% macro attributes_from_json(column) %}{{ return(adapter.dispatch('attributes_from_json', 'llm_cost')(column)) }}{% endmacro %}

{% macro default__attributes_from_json(column) %}
    {{ exceptions.raise_compiler_error("otel_source 'flat_table' is not implemented for " ~ target.type ~ " yet") }}
{% endmacro %}

{% macro duckdb__attributes_from_json(column) -%}
    map_from_entries(list_filter(
        map_entries(json_transform(cast({{ column }} as json), '"MAP(VARCHAR, VARCHAR)"')),
        lambda e: not ({{ is_content_key('e.key') }})
    ))
{%- endmacro %}

{#- BigQuery has no map filter and JSON paths must be literals, so content pairs are cut out of the compact
    JSON text: first every pair after a comma, then a leading pair with its comma. Values are scalars in this
    shape, so a pair is `"key":"string"` or `"key":number|true|false|null`. RE2 has no lookahead: the exception
    keys are renamed out of the prefixes' reach first and renamed back after. -#}
{% macro bigquery__attributes_from_json(column) -%}
    {%- set keys = [] -%}
    {%- for p in content_attribute_prefixes() -%}{%- do keys.append(p | replace('.', '\\.')) -%}{%- endfor -%}
    {%- set pair = '"(?:' ~ keys | join('|') ~ ')(?:[^"\\\\]|\\\\.)*":(?:"(?:[^"\\\\]|\\\\.)*"|[^,}"]*)' -%}
    {%- set kept = '"llm_cost_kept:' -%}
    {%- set text -%}to_json_string({{ column }}){%- endset -%}
    {%- for k in content_attribute_exceptions() -%}
        {%- set text -%}replace({{ text }}, '"{{ k }}":', '{{ kept }}{{ k }}":'){%- endset -%}
    {%- endfor -%}
    safe.parse_json(replace(
        regexp_replace(
            regexp_replace({{ text }}, r',{{ pair }}', ''),
            r'^\{{ '{' }}{{ pair }},?', '{{ '{' }}'
        ),
        '{{ kept }}', '"'
    ))
{%- endmacro %}

{#- ClickHouse-exporter kinds and statuses arrive as names ('Client', 'SPAN_KIND_CLIENT', 'Error') or as their
    OTLP numbers: the first name contained (case-insensitive) gives the code, else the number itself. -#}
{% macro otel_enum_code(expr, codes_by_name) -%}
    case
        {%- for name, code in codes_by_name.items() %}
        when lower(cast({{ expr }} as {{ type_string() }})) like '%{{ name }}%' then {{ code }}
        {%- endfor %}
        else {{ safe_bigint(expr) }}
    end
{%- endmacro %}

{% macro default__flat_table_span_records(relation) -%}
    {#- With the optional _loaded_at column (arrival time), a build reads the rows that arrived after the newest one
        loaded (a literal: the landing table's partitions prune); without it, or before any row with it was
        loaded, the rows whose (trace_id, span_id) is not staged yet. A row arriving again is a re-delivery,
        staged once downstream. -#}
    {%- set has_loaded_at = execute and '_loaded_at' in (adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -%}
    {%- set last_loaded = none -%}
    {%- if has_loaded_at and is_incremental() -%}
        {#- the newest landing row loaded is in the log's newest load: find that load from the partitions since the
            last complete build, then read its one partition -#}
        {%- set since = recorded_build_state(previous_build_relation('llm_cost_build_state'))['loaded_through'] -%}
        {%- set newest_load = run_query('select ' ~ unix_micros('max(loaded_at)') ~ ' from ' ~ this
            ~ (' where loaded_at >= ' ~ since if since is not none else '')).columns[0].values()[0] -%}
        {%- if newest_load is not none -%}
            {%- set last_loaded = run_query('select ' ~ unix_micros('max(source_loaded_at)') ~ ' from ' ~ this
                ~ ' where loaded_at = ' ~ timestamp_literal(newest_load)).columns[0].values()[0] -%}
        {%- endif -%}
    {%- endif -%}
    with

    rows_to_load as (
        select flat.*
        from {{ relation }} as flat
        {% if is_incremental() and last_loaded is not none %}
        where flat._loaded_at > {{ timestamp_literal(last_loaded) }}
        {% elif is_incremental() %}
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
            cast(null as {{ type_string() }}) as status_message,
            scope_name,
            cast(null as {{ type_string() }}) as scope_version,
            {{ attributes_from_json('resource_attributes') }} as resource_attributes,
            {{ attributes_from_json('span_attributes') }} as span_attributes,
            {{ safe_timestamp('start_time') }} as start_time,
            {{ safe_timestamp('end_time') }} as end_time,
            '{{ relation | replace('`', '') }}' as source_file,
            -- a landing table has no rotations: one generation
            {{ safe_bigint('0') }} as source_generation,
            {% if has_loaded_at %}{{ safe_timestamp('_loaded_at') }}{% else %}cast(null as {{ type_timestamp() }}){% endif %} as source_loaded_at,
            row_number() over (order by trace_id, span_id, start_time) as source_line,
            '{{ invocation_id }}' as record_position
        from rows_to_load
    )

    select
        *,
        {{ span_record_quarantine_reason() }} as quarantine_reason
    from typed
{%- endmacro %}
