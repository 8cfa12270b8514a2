{#- Provider usage and cost reports (README "Provider reports"): the pages of the OpenAI organization Usage and Costs
    APIs and of the Anthropic Admin API usage and cost reports, one API response page per JSON file (or per row of a
    landing table), exactly as the API returned it. stg_provider_reports__pages reads and checks every page; the
    typed models (one per report) read the result lines of the pages that load (provider_report_lines). -#}

{#- The reports, by the name the loader gives them (and llm-cost reports fetch puts first in its file names). -#}
{% macro provider_report_kinds() %}
    {{ return(['openai_usage_completions', 'openai_usage_embeddings', 'openai_costs',
               'anthropic_usage_messages', 'anthropic_cost_report']) }}
{% endmacro %}

{#- Where the pages come from when var provider_reports_source is unset: the files on DuckDB, a landing table on
    BigQuery (as the spans: macro default_otel_source). -#}
{% macro default_provider_reports_source() %}{{ return(adapter.dispatch('default_provider_reports_source', 'llm_cost')()) }}{% endmacro %}
{% macro default__default_provider_reports_source() %}{{ return('table') }}{% endmacro %}
{% macro duckdb__default_provider_reports_source() %}{{ return('files') }}{% endmacro %}

{#- The file names llm-cost reports fetch writes: <report>_<first day>_<last day>_<fetched at>_p<page>.json, the
    fetch time in UTC to the microsecond (20250608T101500123456Z). -#}
{% macro provider_report_fetched_at_pattern() %}_([0-9]{8}T[0-9]{12}Z)_p[0-9]+[.]json${% endmacro %}

{#- The pages of the files matched by a glob: file name, page text (null when the file is not UTF-8), when it was
    fetched (from the file name, else the file modification time) and how that was found. A glob matching no file
    gives no row. -#}
{% macro provider_report_files(path) %}{{ return(adapter.dispatch('provider_report_files', 'llm_cost')(path)) }}{% endmacro %}
{% macro default__provider_report_files(path) %}
    {{ exceptions.raise_compiler_error("provider_reports_source 'files' is read on DuckDB; on " ~ target.type ~ " load the pages into a table (provider_reports_source 'table', README 'Provider reports')") }}
{% endmacro %}

{% macro duckdb__provider_report_files(path) -%}
    select
        files.filename as file_name,
        try(decode(files.content)) as page,
        coalesce(
            try_strptime({{ regex_capture('files.filename', provider_report_fetched_at_pattern()) }}, '%Y%m%dT%H%M%S%fZ'),
            cast(files.last_modified at time zone 'UTC' as timestamp)
        ) as fetched_at,
        case
            when try_strptime({{ regex_capture('files.filename', provider_report_fetched_at_pattern()) }}, '%Y%m%dT%H%M%S%fZ') is not null
                then 'file_name'
            else 'file_modified'
        end as fetched_at_source
    from read_blob('{{ path | replace("'", "''") }}') as files
{%- endmacro %}

{#- The pages of a landing table (file_name, fetched_at, page): the BigQuery path. A file loaded twice is one page
    (its newest row). -#}
{% macro provider_report_table(relation) -%}
    select
        loaded.file_name,
        loaded.page,
        loaded.fetched_at,
        'table' as fetched_at_source
    from (
        select
            cast(pages.file_name as {{ type_string() }}) as file_name,
            cast(pages.page as {{ type_string() }}) as page,
            cast(pages.fetched_at as {{ type_timestamp() }}) as fetched_at,
            row_number() over (partition by pages.file_name order by pages.fetched_at desc) as load_rank
        from {{ relation }} as pages
    ) as loaded
    where loaded.load_rank = 1
{%- endmacro %}

{#- No page, in the reader columns: the landing table does not exist (yet). -#}
{% macro provider_report_no_pages() -%}
    select
        cast(null as {{ type_string() }}) as file_name,
        cast(null as {{ type_string() }}) as page,
        cast(null as {{ type_timestamp() }}) as fetched_at,
        cast(null as {{ type_string() }}) as fetched_at_source
    from (select 1 as no_table) as nothing
    where false
{%- endmacro %}

{#- A page as the checks and the typed models parse it: the numbers of OpenAI amounts ("value") kept as their text. -#}
{% macro provider_report_json(page) %}{{ json_numbers_as_text(page, 'value') }}{% endmacro %}

{#- The result fields each report must (or may) carry, checked before a page loads: name (a path in the result),
    kind (count: a non-negative integer; amount: a decimal; text) and whether it is required. From the providers'
    API references (docs/provider_reports.md). -#}
{% macro provider_report_checked_fields() %}
    {{ return({
        'openai_usage_completions': [
            ('input_tokens', 'count', true), ('output_tokens', 'count', true), ('num_model_requests', 'count', true),
            ('input_cached_tokens', 'count', false), ('input_audio_tokens', 'count', false),
            ('output_audio_tokens', 'count', false)],
        'openai_usage_embeddings': [('input_tokens', 'count', true), ('num_model_requests', 'count', true)],
        'openai_costs': [('amount.value', 'amount', true)],
        'anthropic_usage_messages': [
            ('uncached_input_tokens', 'count', true), ('cache_read_input_tokens', 'count', true),
            ('cache_creation.ephemeral_5m_input_tokens', 'count', true),
            ('cache_creation.ephemeral_1h_input_tokens', 'count', true), ('output_tokens', 'count', true),
            ('server_tool_use.web_search_requests', 'count', false)],
        'anthropic_cost_report': [('amount', 'amount', true), ('currency', 'text', true)],
    }) }}
{% endmacro %}

{#- Why a result line of a report cannot load (its first bad field), null when it can. -#}
{% macro provider_report_result_problem(result, report_kind) -%}
    case
        {%- for kind, fields in provider_report_checked_fields().items() %}
        {%- for name, field_kind, required in fields %}
        {%- set value = json_text(result, '$.' ~ name) %}
        {%- if field_kind == 'count' %}
            {%- set bad = 'not coalesce(' ~ regex_full_match(value, "'[0-9]+'") ~ ', false)' %}
            {%- set what = 'a non-negative integer' %}
        {%- elif field_kind == 'amount' %}
            {%- set bad = safe_money(value) ~ ' is null' %}
            {%- set what = 'a decimal amount' %}
        {%- else %}
            {%- set bad = 'false' %}
            {%- set what = 'text' %}
        {%- endif %}
        when {{ report_kind }} = '{{ kind }}' and {{ value }} is {% if required %}null{% else %}not null and {{ bad }}{% endif %}
            then '{{ name }} is {% if required %}missing{% else %}not {{ what }}{% endif %}'
        {%- if required and field_kind != 'text' %}
        when {{ report_kind }} = '{{ kind }}' and {{ bad }}
            then '{{ name }} is not {{ what }}'
        {%- endif %}
        {%- endfor %}
        {%- endfor %}
    end
{%- endmacro %}

{#- A bucket start or end as a UTC timestamp: unix seconds in OpenAI buckets (start_time, end_time), RFC 3339 text in
    Anthropic buckets (starting_at, ending_at). -#}
{% macro provider_report_bucket_time(bucket, provider, edge) -%}
    {%- if provider == 'openai' -%}
        {%- set value = json_text(bucket, '$.' ~ edge ~ '_time') -%}
        case when {{ regex_full_match(value, "'[0-9]+'") }} then {{ timestamp_from_unix_seconds(value) }} end
    {%- else -%}
        {{ safe_utc_timestamp(json_text(bucket, '$.' ~ ('starting_at' if edge == 'start' else 'ending_at'))) }}
    {%- endif -%}
{%- endmacro %}

{#- The result lines of one report that count: one row per result of every bucket of the pages that loaded, where
    a bucket fetched more than once (a day fetched again) counts only from its newest fetch (greatest fetched_at,
    then fetch_id), so a day is never counted twice. A complete select; the typed model reads the fields of
    `result`. -#}
{% macro provider_report_lines(pages, report_kind) -%}
    {%- set provider = report_kind.split('_')[0] -%}
    with

    report_pages as (
        select
            pages.file_name,
            pages.fetch_id,
            pages.fetched_at,
            {{ provider_report_json('pages.page') }} as page_json
        from {{ pages }} as pages
        where pages.report_kind = '{{ report_kind }}' and pages.quarantine_reason is null
    ),

    buckets as (
        {{ json_array_elements('report_pages', ['file_name', 'fetch_id', 'fetched_at'], 'page_json', '$.data',
            'bucket', 'bucket_position') }}
    ),

    timed_buckets as (
        select
            buckets.file_name,
            buckets.fetch_id,
            buckets.fetched_at,
            buckets.bucket,
            buckets.bucket_position,
            {{ provider_report_bucket_time('buckets.bucket', provider, 'start') }} as bucket_start_at,
            {{ provider_report_bucket_time('buckets.bucket', provider, 'end') }} as bucket_end_at
        from buckets
    ),

    newest_fetches as (
        select
            timed_buckets.*,
            first_value(timed_buckets.fetch_id) over (
                partition by timed_buckets.bucket_start_at
                order by timed_buckets.fetched_at desc, timed_buckets.fetch_id desc
            ) as newest_fetch_id
        from timed_buckets
    ),

    counted_buckets as (
        select
            newest_fetches.file_name,
            newest_fetches.fetched_at,
            newest_fetches.bucket,
            newest_fetches.bucket_position,
            newest_fetches.bucket_start_at,
            newest_fetches.bucket_end_at
        from newest_fetches
        where newest_fetches.fetch_id = newest_fetches.newest_fetch_id
    )

    {{ json_array_elements('counted_buckets', ['file_name', 'fetched_at', 'bucket_position', 'bucket_start_at',
        'bucket_end_at'], 'bucket', '$.results', 'result', 'result_position') }}
{%- endmacro %}

{#- The token columns of a provider report line, one per bucket of macro token_buckets, in its order: mapping
    names the expression that counts each bucket in that report (null: not reported). A bucket the mapping does not
    name fails the compile, so a new bucket is mapped in every report before it builds. -#}
{% macro provider_report_bucket_columns(mapping) -%}
    {%- for bucket in token_buckets() %}
        {%- if bucket.name not in mapping -%}
            {{ exceptions.raise_compiler_error("provider_report_bucket_columns: no expression for bucket " ~ bucket.name) }}
        {%- endif %}
        cast({{ mapping[bucket.name] }} as {{ type_bigint() }}) as {{ bucket.name }}_tokens,
    {%- endfor -%}
{%- endmacro %}
