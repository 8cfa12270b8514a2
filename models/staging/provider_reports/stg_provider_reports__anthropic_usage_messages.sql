{#- Anthropic Admin API, Messages usage report (GET /v1/organizations/usage_report/messages): one row per result line
    of a daily bucket, from the newest fetch of each bucket (macro provider_report_lines). Nested fields are
    flattened with an underscore (cache_creation.ephemeral_5m_input_tokens -> cache_creation_ephemeral_5m_input_tokens). -#}
with

source as (
    {{ provider_report_lines(ref('stg_provider_reports__pages'), 'anthropic_usage_messages') }}
),

renamed as (
    select
        -- bucket (UTC)
        source.bucket_start_at,
        source.bucket_end_at,
        {{ to_day('source.bucket_start_at') }} as day,

        -- dimensions (null unless the fetch grouped by them; a null workspace_id is the default workspace)
        {{ json_text('source.result', '$.workspace_id') }} as workspace_id,
        {{ json_text('source.result', '$.api_key_id') }} as api_key_id,
        {{ json_text('source.result', '$.model') }} as model,
        {{ json_text('source.result', '$.service_tier') }} as service_tier,
        {{ json_text('source.result', '$.context_window') }} as context_window,
        {{ json_text('source.result', '$.inference_geo') }} as inference_geo,

        -- usage
        {{ safe_bigint(json_text('source.result', '$.uncached_input_tokens')) }} as uncached_input_tokens,
        {{ safe_bigint(json_text('source.result', '$.cache_read_input_tokens')) }} as cache_read_input_tokens,
        {{ safe_bigint(json_text('source.result', '$.cache_creation.ephemeral_5m_input_tokens')) }}
            as cache_creation_ephemeral_5m_input_tokens,
        {{ safe_bigint(json_text('source.result', '$.cache_creation.ephemeral_1h_input_tokens')) }}
            as cache_creation_ephemeral_1h_input_tokens,
        {{ safe_bigint(json_text('source.result', '$.output_tokens')) }} as output_tokens,
        {{ safe_bigint(json_text('source.result', '$.server_tool_use.web_search_requests')) }}
            as server_tool_use_web_search_requests,

        -- where the line was read
        source.file_name,
        source.fetched_at,
        source.bucket_position,
        source.result_position
    from source
)

select * from renamed
