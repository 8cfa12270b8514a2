{#- Every page of the provider reports (README "Provider reports"), one row each: which report it is (told from its
    content), when it was fetched, and why it cannot load (quarantine_reason; null when it loads). A page loads whole
    or not at all: a response page cut short or changed by a proxy is no half-counted day. A table (as every provider
    report model, dbt_project.yml): what the glob held when the build ran. -#}
{% set reports_source = get_setting('provider_reports_source') or default_provider_reports_source() %}
{% set named_kind_pattern = '(' ~ provider_report_kinds() | join('|') ~ ')_[^/]*$' %}
{% set result_object = json_text('results.result', '$.object') %}
{% set landing = source('provider_reports', 'pages') %}

-- depends_on: {{ landing }}

with

source as (
    {% if reports_source == 'files' %}
    {{ provider_report_files(get_setting('provider_reports_path')) }}
    {% elif reports_source == 'table' and execute and not landing.is_cte and load_relation(landing) is none %}
    {#- no landing table yet: no report (as a glob matching no file) -#}
    {{ provider_report_no_pages() }}
    {% elif reports_source == 'table' %}
    {{ provider_report_table(landing) }}
    {% else %}
    {{ exceptions.raise_compiler_error(
        "var provider_reports_source must be 'files' or 'table', got '" ~ reports_source ~ "'"
    ) }}
    {% endif %}
),

pages as (
    select
        source.file_name,
        source.page,
        source.fetched_at,
        source.fetched_at_source,
        -- the pages of one fetch share their file name up to the page number
        regexp_replace(source.file_name, '_p[0-9]+[.]json$', '') as fetch_id,
        case
            when {{ is_valid_json('source.page') }} then {{ provider_report_json('source.page') }}
        end as page_json
    from source
),

page_shapes as (
    select
        pages.file_name,
        {{ json_text('pages.page_json', '$.object') }} as page_object,
        {{ json_is_array('pages.page_json', '$.data') }} as has_data,
        {{ safe_boolean(json_text('pages.page_json', '$.has_more')) }} as has_more,
        {{ json_text('pages.page_json', '$.next_page') }} as next_page,
        -- the report named by the file name (llm-cost reports fetch): used only when no result line tells
        {{ regex_capture('pages.file_name', named_kind_pattern) }} as named_report_kind
    from pages
),

buckets as (
    {{ json_array_elements('pages', ['file_name'], 'page_json', '$.data', 'bucket', 'bucket_position') }}
),

results as (
    {{ json_array_elements('buckets', ['file_name', 'bucket_position'], 'bucket', '$.results', 'result',
        'result_position') }}
),

classified_results as (
    select
        results.file_name,
        results.bucket_position,
        results.result_position,
        results.result,
        -- OpenAI lines name their object; Anthropic lines have none, and are told by their fields
        case
            when {{ result_object }} = 'organization.usage.completions.result' then 'openai_usage_completions'
            when {{ result_object }} = 'organization.usage.embeddings.result' then 'openai_usage_embeddings'
            when {{ result_object }} = 'organization.costs.result' then 'openai_costs'
            when {{ result_object }} is not null then null
            when {{ json_text('results.result', '$.uncached_input_tokens') }} is not null
                then 'anthropic_usage_messages'
            when {{ json_text('results.result', '$.amount') }} is not null then 'anthropic_cost_report'
        end as result_kind
    from results
),

result_kinds as (
    select
        classified_results.file_name,
        count(*) as result_count,
        count(distinct classified_results.result_kind) as kind_count,
        min(classified_results.result_kind) as first_kind,
        max(classified_results.result_kind) as last_kind
    from classified_results
    group by classified_results.file_name
),

bucket_counts as (
    select
        buckets.file_name,
        count(*) as bucket_count
    from buckets
    group by buckets.file_name
),

page_kinds as (
    select
        page_shapes.file_name,
        page_shapes.page_object,
        page_shapes.has_data,
        page_shapes.has_more,
        page_shapes.next_page,
        result_kinds.kind_count,
        result_kinds.first_kind,
        result_kinds.last_kind,
        coalesce(result_kinds.result_count, 0) as result_count,
        coalesce(bucket_counts.bucket_count, 0) as bucket_count,
        case
            when result_kinds.kind_count = 1 then result_kinds.first_kind
            when coalesce(result_kinds.result_count, 0) = 0 then page_shapes.named_report_kind
        end as report_kind
    from page_shapes
    left join result_kinds
        on page_shapes.file_name = result_kinds.file_name
    left join bucket_counts
        on page_shapes.file_name = bucket_counts.file_name
),

-- the first problem of each page, in page order: unknown result lines, bad buckets, bad result fields
line_problems as (
    select
        classified_results.file_name,
        classified_results.bucket_position,
        classified_results.result_position,
        'bucket ' || cast(classified_results.bucket_position as {{ type_string() }})
        || ', result ' || cast(classified_results.result_position as {{ type_string() }}) || ': '
        || coalesce(
            case
                when classified_results.result_kind is null
                    then 'not a line of a known report '
                        || '(an OpenAI usage or costs result, an Anthropic usage or cost result)'
            end,
            {{ provider_report_result_problem('classified_results.result', 'page_kinds.report_kind') }}
        ) as problem
    from classified_results
    inner join page_kinds
        on classified_results.file_name = page_kinds.file_name
),

bucket_problems as (
    select
        buckets.file_name,
        buckets.bucket_position,
        0 as result_position,
        'bucket ' || cast(buckets.bucket_position as {{ type_string() }}) || ': ' || case
            when page_kinds.report_kind like 'openai%'
                and {{ provider_report_bucket_time('buckets.bucket', 'openai', 'start') }} is null
                then 'start_time is missing or not unix seconds'
            when page_kinds.report_kind like 'openai%'
                and {{ provider_report_bucket_time('buckets.bucket', 'openai', 'end') }} is null
                then 'end_time is missing or not unix seconds'
            when page_kinds.report_kind like 'anthropic%'
                and {{ provider_report_bucket_time('buckets.bucket', 'anthropic', 'start') }} is null
                then 'starting_at is missing or not an RFC 3339 timestamp'
            when page_kinds.report_kind like 'anthropic%'
                and {{ provider_report_bucket_time('buckets.bucket', 'anthropic', 'end') }} is null
                then 'ending_at is missing or not an RFC 3339 timestamp'
            when not {{ json_is_array('buckets.bucket', '$.results') }}
                then 'results[] is missing'
        end as problem
    from buckets
    inner join page_kinds
        on buckets.file_name = page_kinds.file_name
),

first_problems as (
    select
        ranked.file_name,
        ranked.problem
    from (
        select
            problems.file_name,
            problems.problem,
            row_number() over (
                partition by problems.file_name
                order by problems.bucket_position, problems.result_position
            ) as problem_rank
        from (
            select
                line_problems.file_name,
                line_problems.bucket_position,
                line_problems.result_position,
                line_problems.problem
            from line_problems
            where line_problems.problem is not null
            union all
            select
                bucket_problems.file_name,
                bucket_problems.bucket_position,
                bucket_problems.result_position,
                bucket_problems.problem
            from bucket_problems
            where bucket_problems.problem is not null
        ) as problems
    ) as ranked
    where ranked.problem_rank = 1
),

final as (
    select
        pages.file_name,
        pages.fetch_id,
        pages.fetched_at,
        pages.fetched_at_source,
        {{ part_before('page_kinds.report_kind', '_') }} as provider,
        page_kinds.report_kind,
        page_kinds.bucket_count,
        page_kinds.result_count,
        page_kinds.has_more,
        page_kinds.next_page,
        case
            when pages.page is null
                then 'file cannot be read: not UTF-8 text'
            when pages.page_json is null
                then 'page is not valid JSON'
            when not page_kinds.has_data
                then 'page has no data[] of buckets: not a usage or cost report page'
            when page_kinds.kind_count > 1
                then 'page mixes lines of several reports ('
                    || page_kinds.first_kind || ', ' || page_kinds.last_kind || ')'
            when first_problems.problem is not null
                then first_problems.problem
            when page_kinds.report_kind is null
                then 'page has no result lines and its file name does not name the report: cannot tell which it is'
            when page_kinds.report_kind like 'openai%' and coalesce(page_kinds.page_object, '') <> 'page'
                then 'OpenAI report page whose object is not page'
        end as quarantine_reason,
        pages.page
    from pages
    inner join page_kinds
        on pages.file_name = page_kinds.file_name
    left join first_problems
        on pages.file_name = first_problems.file_name
)

select * from final
