{#- Every span record that arrived, once per delivery, with where it came from.
    Incremental by arrival: a run parses only what is new, whatever its event time, so late files and backfills
    are picked up and nothing is read twice. OTLP files: the new complete lines stg_otel__file_reads read this
    build (tail-safe), handed over in Parquet files it names; once parsed they are let go in this model's
    transaction and the files emptied after it (post-hooks, macro otlp_lines_parsed), so a build that fails leaves
    them for the next one. Flat table: the landing rows not loaded before. -#}
{% set otel_source = get_setting('otel_source') or default_otel_source() %}
{{ config(on_schema_change='fail') }}
{{ append_only_config(partition_timestamp='loaded_at', cluster_by=['trace_id']) }}
{% if otel_source == 'otlp_files' %}
{#- under --empty nothing was parsed: the lines wait for the next build -#}
{{ config(post_hook=[
    {'sql': "{{ otlp_lines_parsed(ref('stg_otel__file_reads')) }}", 'transaction': true},
    {'sql': "{{ empty_parsed_otlp_handoff_files(ref('stg_otel__file_reads')) }}", 'transaction': false},
]) }}
{{ assert_file_reads_for_rebuild(ref('stg_otel__file_reads')) }}
{% endif %}

-- depends_on: {{ source('otel', 'spans') }}

with

source as (
    {% if otel_source == 'otlp_files' %}
    {#- sqlfluff cannot parse DuckDB lambdas of two parameters (lambda e, i: ...) -#}
    {{ otlp_span_records(ref('stg_otel__file_reads')) }} -- noqa: PRS
    {% elif otel_source == 'flat_table' %}
    {{ flat_table_span_records(source('otel', 'spans')) }}
    {% else %}
    {{ exceptions.raise_compiler_error(
        "var otel_source must be 'otlp_files' or 'flat_table', got '" ~ otel_source ~ "'"
    ) }}
    {% endif %}
),

renamed as (
    select
        -- ids
        trace_id,
        span_id,
        parent_span_id,

        -- span
        span_name,
        span_kind_code,
        status_code_value,
        status_message,
        scope_name,
        scope_version,

        -- attributes
        resource_attributes,
        span_attributes,

        -- timestamps
        start_time,
        end_time,

        -- arrival
        source_file,
        source_generation,
        source_loaded_at,
        source_line,
        record_position,
        {{ current_utc_timestamp() }} as loaded_at,
        '{{ invocation_id }}' as load_id,
        quarantine_reason
    from source
)

select * from renamed
