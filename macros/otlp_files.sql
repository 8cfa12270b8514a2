{#- Parsing the collector's file exporter output (README "Input", shape otlp_files).

    One TracesData JSON object per line. stg_otel__file_reads reads the files (tail-safe, see llm_cost/landing.py)
    and hands over the new complete lines as text, so a line that is not JSON becomes a quarantine record (with
    its file and line number) instead of failing the run. -#}

{#- intValue arrives as a decimal string (the spec, Go and Python exporters) or as a JSON number (JavaScript
    exporters); doubleValue as a number or a string. Declaring them VARCHAR reads both the same way. -#}
{% macro otlp_any_value_type() -%}
    {"stringValue": "VARCHAR", "intValue": "VARCHAR", "doubleValue": "VARCHAR", "boolValue": "BOOLEAN", "arrayValue": "JSON", "kvlistValue": "JSON", "bytesValue": "VARCHAR"}
{%- endmacro %}

{% macro otlp_traces_data_type() -%}
    {%- set attrs = '[{"key": "VARCHAR", "value": ' ~ otlp_any_value_type() ~ '}]' -%}
    {"resourceSpans": [{"resource": {"attributes": {{ attrs }}}, "scopeSpans": [{"scope": {"name": "VARCHAR", "version": "VARCHAR"}, "spans": [{"traceId": "VARCHAR", "spanId": "VARCHAR", "parentSpanId": "VARCHAR", "name": "VARCHAR", "kind": "VARCHAR", "startTimeUnixNano": "VARCHAR", "endTimeUnixNano": "VARCHAR", "attributes": {{ attrs }}, "status": {"code": "VARCHAR", "message": "VARCHAR"}}]}]}]}
{%- endmacro %}

{#- OTLP KeyValue list -> MAP(varchar, varchar): typed values resolved to their text (intValue arrives as a
    decimal string), content keys dropped. A repeated key (invalid OTLP, but seen) keeps its first value: the map
    is built as is, and only where DuckDB refuses it (repeated keys) by the quadratic de-duplication (checking every
    list for repeats first took 1.1 of 3.9 s at 1M spans). -#}
{% macro otlp_attributes_to_map(attributes) -%}
    {%- set entries -%}
        list_transform(
            list_filter(
                {{ attributes }},
                lambda a: a.key is not null and not ({{ is_content_key('a.key') }})
            ),
            lambda a: {
                'key': a.key,
                'value': coalesce(
                    a.value.stringValue,
                    a.value.intValue,
                    a.value.doubleValue,
                    cast(a.value.boolValue as varchar),
                    cast(a.value.arrayValue as varchar),
                    cast(a.value.kvlistValue as varchar),
                    a.value.bytesValue
                )
            }
        )
    {%- endset -%}
    coalesce(
        try(map_from_entries({{ entries }})),
        map_from_entries(
            list_filter(
                {{ entries }},
                lambda e, i: list_position(list_transform({{ entries }}, lambda f: f.key), e.key) = i
            )
        )
    )
{%- endmacro %}

{#- One level of a line's resourceSpans[].scopeSpans[].spans[] to unnest: the list itself in a line with spans, else a
    list of one null, so a line with no span keeps one row through the unnests (its quarantine row). -#}
{% macro otlp_level_list(list) %}case when span_count > 0 then {{ list }} else [null] end{% endmacro %}

{#- One row per span record (or per unreadable line), with quarantine_reason set when it cannot be staged. -#}
{% macro otlp_span_records(file_reads) %}{{ return(adapter.dispatch('otlp_span_records', 'llm_cost')(file_reads)) }}{% endmacro %}
{% macro default__otlp_span_records(file_reads) %}
    {{ exceptions.raise_compiler_error("otel_source 'otlp_files' is read on DuckDB; on " ~ target.type ~ " load the spans into a flat table (otel_source 'flat_table', e.g. python -m llm_cost load-bigquery; README 'BigQuery')") }}
{% endmacro %}

{% macro duckdb__otlp_span_records(file_reads) -%}
    {#- DuckDB splits a scan into tasks by row group (122,880 rows), and a build's lines (tens of kilobytes each) often
        fit in one: read as one part, the parse would run on one thread. One part per DuckDB thread, by line number,
        lets each thread parse its share (measured: 1M spans, 10.7 s -> 8.6 s on 2 threads). -#}
    {%- set parts = (run_query("select current_setting('threads')").columns[0].values()[0] | int) if execute else 1 -%}
    {%- set handoffs = otlp_handoff_files(file_reads) -%}
    with

    numbered_lines as (
        {% for part in range(parts) %}
        select
            source_file,
            source_generation,
            source_line,
            line
        from {{ file_reads }}
        where row_kind = 'line'{% if parts > 1 %} and source_line % {{ parts }} = {{ part }}{% endif %}
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
        {% for handoff in handoffs %}
        union all
        -- the lines stg_otel__file_reads handed over in a Parquet file (llm_cost/landing.py)
        select
            source_file,
            source_generation,
            source_line,
            line
        from read_parquet('{{ handoff }}')
        where row_kind = 'line'
        {% endfor %}
    ),

    parsed_lines as (
        select
            source_file,
            source_generation,
            source_line,
            json_valid(line) as is_json,
            case when json_valid(line) then from_json(line, '{{ otlp_traces_data_type() }}') end as traces_data
        from numbered_lines
    ),

    counted_lines as (
        select
            *,
            coalesce(list_sum(list_transform(
                traces_data.resourceSpans,
                lambda rs: coalesce(list_sum(list_transform(rs.scopeSpans, lambda ss: coalesce(len(ss.spans), 0))), 0)
            )), 0) as span_count
        from parsed_lines
    ),

    {#- One streamed pass from the parse to the rows: nothing parsed is held. (The parsed lines used to be a CTE read
        twice, for the spans and for the unreadable lines, so DuckDB kept them all: 4M spans under a 1 GB limit
        spilled 4.6 GB and took 60 s, against none and 40 s now.) A line with no span keeps one row through the three
        unnests (macro otlp_level_list) and becomes its quarantine row; in a line with spans, empty lists drop out. -#}
    resource_spans as (
        select
            source_file,
            source_generation,
            source_line,
            is_json,
            span_count,
            unnest({{ otlp_level_list('traces_data.resourceSpans') }}) as resource_span,
            generate_subscripts({{ otlp_level_list('traces_data.resourceSpans') }}, 1) as resource_index
        from counted_lines
    ),

    scope_spans as (
        select
            source_file,
            source_generation,
            source_line,
            is_json,
            span_count,
            resource_index,
            -- once per resource, not once per span
            {{ otlp_attributes_to_map('resource_span.resource.attributes') }} as resource_attributes,
            unnest({{ otlp_level_list('resource_span.scopeSpans') }}) as scope_span,
            generate_subscripts({{ otlp_level_list('resource_span.scopeSpans') }}, 1) as scope_index
        from resource_spans
    ),

    spans as (
        select
            source_file,
            source_generation,
            source_line,
            is_json,
            span_count,
            case
                when span_count > 0 then resource_index || '.' || scope_index || '.' || span_index else '0'
            end as record_position,
            resource_attributes,
            scope_span.scope.name as scope_name,
            scope_span.scope.version as scope_version,
            span
        from (
            select
                *,
                unnest({{ otlp_level_list('scope_span.spans') }}) as span,
                generate_subscripts({{ otlp_level_list('scope_span.spans') }}, 1) as span_index
            from scope_spans
        )
    ),

    typed_spans as (
        select
            source_file,
            source_generation,
            source_line,
            record_position,
            is_json,
            span_count,
            lower(span.traceId) as trace_id,
            lower(span.spanId) as span_id,
            nullif(lower(span.parentSpanId), '') as parent_span_id,
            span.name as span_name,
            try_cast(span.kind as integer) as span_kind_code,
            try_cast(span.status.code as integer) as status_code_value,
            span.status.message as status_message,
            {{ timestamp_from_unix_nanos('span.startTimeUnixNano') }} as start_time,
            {{ timestamp_from_unix_nanos('span.endTimeUnixNano') }} as end_time,
            scope_name,
            scope_version,
            resource_attributes,
            {{ otlp_attributes_to_map('span.attributes') }} as span_attributes
        from spans
    ),

    span_records as (
        select
            *,
            case
                when not is_json then 'line is not valid JSON'
                when span_count = 0 then 'line has no resourceSpans[].scopeSpans[].spans[]'
                else {{ span_record_quarantine_reason() }}
            end as quarantine_reason
        from typed_spans
    )

    select
        source_file,
        source_generation,
        source_line,
        record_position,
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        span_kind_code,
        status_code_value,
        status_message,
        start_time,
        end_time,
        scope_name,
        scope_version,
        resource_attributes,
        span_attributes,
        -- files have no landing-table arrival time (the flat table's _loaded_at)
        cast(null as timestamp) as source_loaded_at,
        quarantine_reason
    from span_records
{%- endmacro %}

{#- The Parquet files of lines stg_otel__file_reads handed over and no build has parsed yet (its 'handoff' rows). None
    under --empty (nothing is parsed: they wait for the next build) or before the model exists. -#}
{% macro otlp_handoff_files(file_reads) %}
    {%- if not execute or invocation_args_dict.get('empty') or load_relation(file_reads) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set files = run_query(
        "select distinct source_file from " ~ file_reads ~ " where row_kind = 'handoff' order by source_file"
    ).columns[0].values() -%}
    {{ return(files | list) }}
{% endmacro %}

{#- stg_otel__span_records' post-hooks. In its transaction: the parsed lines are deleted, the parsed handoff files
    marked. After its commit: each marked file is overwritten by an empty one (so the lines' text does not wait on disk
    for the next read, which removes the file) and its row deleted. A build that fails before the commit leaves lines
    and files whole for the next one; one that dies after it leaves marked rows, whose files the next read removes. -#}
{% macro otlp_lines_parsed(file_reads) %}
    {%- if invocation_args_dict.get('empty') -%}{{ return('select 1') }}{%- endif -%}
    delete from {{ file_reads }} where row_kind = 'line';
    update {{ file_reads }} set row_kind = 'parsed handoff' where row_kind = 'handoff'
{% endmacro %}

{% macro empty_parsed_otlp_handoff_files(file_reads) %}
    {%- if not execute or invocation_args_dict.get('empty') or load_relation(file_reads) is none -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for handoff in run_query(
        "select distinct source_file from " ~ file_reads ~ " where row_kind = 'parsed handoff'"
    ).columns[0].values() -%}
        {%- do statements.append(
            "copy (select cast(null as varchar) as line where false) to '" ~ handoff ~ "' (format parquet)"
        ) -%}
    {%- endfor -%}
    {%- do statements.append("delete from " ~ file_reads ~ " where row_kind = 'parsed handoff'") -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}

{#- Why a span record cannot be staged (null when it can): shared by every landing shape. -#}
{% macro span_record_quarantine_reason() -%}
    case
        when trace_id is null or not {{ regex_full_match('trace_id', "'[0-9a-f]{32}'") }} or trace_id = '00000000000000000000000000000000'
            then 'invalid traceId: expected 32 hex characters'
        when span_id is null or not {{ regex_full_match('span_id', "'[0-9a-f]{16}'") }} or span_id = '0000000000000000'
            then 'invalid spanId: expected 16 hex characters'
        when parent_span_id is not null and not {{ regex_full_match('parent_span_id', "'[0-9a-f]{16}'") }}
            then 'invalid parentSpanId: expected 16 hex characters'
        when start_time is null
            then 'invalid startTimeUnixNano: expected unix nanoseconds as a decimal string'
    end
{%- endmacro %}

{#- stg_otel__span_records rebuilt from scratch (--full-refresh, or its first build) must see every line of the
    landing folder, i.e. stg_otel__file_reads rebuilt in the same invocation (one read, its lines not yet
    parsed). A lone --full-refresh of the record log would otherwise rebuild it from nothing. Nothing to check
    where stg_otel__file_reads does not exist (a compile, or sqlfluff, on an empty database): a build makes it first. -#}
{% macro assert_file_reads_for_rebuild(file_reads) %}
    {%- if execute and not is_incremental() and load_relation(file_reads) is not none -%}
        {%- set reads = run_query(
            "select count(distinct read_seq), count(case when row_kind in ('line', 'handoff') then 1 end), "
            ~ "coalesce(sum(case when row_kind = 'file' then consumed_lines end), 0) from " ~ file_reads
        ).rows[0] -%}
        {%- if reads[0] > 1 or (reads[1] == 0 and reads[2] > 0) -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ " is being rebuilt from scratch, but stg_otel__file_reads was not: it holds only "
                ~ "lines not yet parsed. Rebuild both: dbt build --full-refresh --select stg_otel__file_reads+"
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
