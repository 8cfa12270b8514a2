{#- The providers' usage reports in one shape (README "Reconciliation"): one row per (day, provider, report_model,
    project_or_workspace, service_tier, context_window), tokens mapped onto the project's buckets, the model resolved
    as the spans' models are (macro resolve_model_names), and our price of those tokens from the price row of that
    day (macro choose_price_rows, the lookup int_llm_calls__priced uses). A table rebuilt on every build. -#}
with

completions as (
    select * from {{ ref('stg_provider_reports__openai_usage_completions') }}
),

embeddings as (
    select * from {{ ref('stg_provider_reports__openai_usage_embeddings') }}
),

anthropic_usage as (
    select * from {{ ref('stg_provider_reports__anthropic_usage_messages') }}
),

usage_lines as (
    -- OpenAI completions: input_tokens includes the cached tokens; no cache writes are reported apart; reasoning is
    -- inside output_tokens and not reported apart
    select
        completions.day,
        'openai' as provider,
        completions.model as report_model,
        coalesce(completions.project_id, '(none)') as project_or_workspace,
        case
            when completions.batch then 'batch'
            else {{ normalize_service_tier('lower(completions.service_tier)') }}
        end as service_tier,
        '(not reported)' as context_window,
        completions.num_model_requests as provider_requests,
        {{- provider_report_bucket_columns({
            'uncached_input': 'completions.input_tokens - coalesce(completions.input_cached_tokens, 0)',
            'cache_read': 'coalesce(completions.input_cached_tokens, 0)',
            'cache_write': '0',
            'cache_write_1h': '0',
            'output': 'completions.output_tokens',
            'reasoning': 'null',
        }) }}
        completions.file_name
    from completions

    union all

    -- OpenAI embeddings: input only
    select
        embeddings.day,
        'openai' as provider,
        embeddings.model as report_model,
        coalesce(embeddings.project_id, '(none)') as project_or_workspace,
        'standard' as service_tier,
        '(not reported)' as context_window,
        embeddings.num_model_requests as provider_requests,
        {{- provider_report_bucket_columns({
            'uncached_input': 'embeddings.input_tokens',
            'cache_read': '0',
            'cache_write': '0',
            'cache_write_1h': '0',
            'output': '0',
            'reasoning': 'null',
        }) }}
        embeddings.file_name
    from embeddings

    union all

    -- Anthropic: the input counts are exclusive of each other; 5-minute cache writes are cache_write, 1-hour ones
    -- cache_write_1h; no request count in this report (provider_requests null); a null workspace is the default one
    select
        anthropic_usage.day,
        'anthropic' as provider,
        anthropic_usage.model as report_model,
        coalesce(anthropic_usage.workspace_id, '(default)') as project_or_workspace,
        {{ normalize_service_tier('lower(anthropic_usage.service_tier)') }} as service_tier,
        coalesce(anthropic_usage.context_window, '(not reported)') as context_window,
        cast(null as {{ type_bigint() }}) as provider_requests,
        {{- provider_report_bucket_columns({
            'uncached_input': 'anthropic_usage.uncached_input_tokens',
            'cache_read': 'anthropic_usage.cache_read_input_tokens',
            'cache_write': 'anthropic_usage.cache_creation_ephemeral_5m_input_tokens',
            'cache_write_1h': 'anthropic_usage.cache_creation_ephemeral_1h_input_tokens',
            'output': 'anthropic_usage.output_tokens',
            'reasoning': 'null',
        }) }}
        anthropic_usage.file_name
    from anthropic_usage
),

grouped as (
    select
        usage_lines.day,
        usage_lines.provider,
        usage_lines.report_model,
        usage_lines.project_or_workspace,
        usage_lines.service_tier,
        usage_lines.context_window,
        count(*) as report_lines,
        sum(usage_lines.provider_requests) as provider_requests,
        {{- bucket_sums('usage_lines') }}
        max(usage_lines.file_name) as last_file_name
    from usage_lines
    group by
        usage_lines.day,
        usage_lines.provider,
        usage_lines.report_model,
        usage_lines.project_or_workspace,
        usage_lines.service_tier,
        usage_lines.context_window
),

reported_names as (
    select distinct
        grouped.provider as reported_provider,
        grouped.report_model as model_name
    from grouped
    where grouped.report_model is not null
),

{{ resolve_model_names('reported_names') }},

lines_to_price as (
    select
        grouped.*,
        {{ text_key([
            'grouped.day', 'grouped.provider', 'grouped.report_model', 'grouped.project_or_workspace',
            'grouped.service_tier', 'grouped.context_window',
        ]) }} as usage_key,
        resolved_model_names.priced_provider as resolved_provider,
        resolved_model_names.priced_model,
        resolved_model_names.resolution as model_resolution,
        -- the price row of the day: the one in force at midnight UTC (the seed dates rows by day)
        cast(grouped.day as {{ type_timestamp() }}) as started_at,
        -- a line is many calls: the long-context row is chosen from the context window the report names (its
        -- upper edge stands for the calls, 0-200k -> 200000 is never above a 200k threshold); without one (OpenAI)
        -- the base row
        case grouped.context_window
            when '0-200k' then 200000
            when '200k-1M' then 1000000
            else 0
        end as total_input_tokens
    from grouped
    left join resolved_model_names
        on grouped.provider = resolved_model_names.reported_provider
        and grouped.report_model = resolved_model_names.model_name
),

{{ choose_price_rows('lines_to_price', key='usage_key') }},

final as (
    select
        -- grain
        lines_to_price.day,
        lines_to_price.provider,
        coalesce(lines_to_price.priced_model, lines_to_price.report_model, '(unknown)') as model,
        lines_to_price.report_model,
        lines_to_price.project_or_workspace,
        lines_to_price.service_tier,
        lines_to_price.context_window,
        lines_to_price.model_resolution,

        -- usage
        lines_to_price.report_lines,
        lines_to_price.provider_requests,
        {{- bucket_columns('lines_to_price') }}
        {{ own_tokens_sum('lines_to_price') }}
            as total_tokens,

        -- our price of these tokens (null when no price row prices them)
        chosen_price.price_service_tier,
        chosen_price.effective_from as price_effective_from,
        coalesce({{ price_row_bills('chosen_price', 'lines_to_price.output_tokens') }}, false) as is_priced,
        case
            when {{ price_row_bills('chosen_price', 'lines_to_price.output_tokens') }}
                then {{ priced_bucket_tokens('lines_to_price.', 'chosen_price') }}
        end as our_price_usd,
        lines_to_price.last_file_name
    from lines_to_price
    left join chosen_price
        on lines_to_price.usage_key = chosen_price.usage_key
)

select * from final
