{#- OpenAI organization Usage API, completions (GET /v1/organization/usage/completions): one row per result line of
    a daily bucket, from the newest fetch of each bucket (macro provider_report_lines). Field names are the API
    reference ones. -#}
with

source as (
    {{ provider_report_lines(ref('stg_provider_reports__pages'), 'openai_usage_completions') }}
),

renamed as (
    select
        -- bucket (UTC)
        source.bucket_start_at,
        source.bucket_end_at,
        {{ to_day('source.bucket_start_at') }} as day,

        -- dimensions (null unless the fetch grouped by them)
        {{ json_text('source.result', '$.project_id') }} as project_id,
        {{ json_text('source.result', '$.user_id') }} as user_id,
        {{ json_text('source.result', '$.api_key_id') }} as api_key_id,
        {{ json_text('source.result', '$.model') }} as model,
        {{ safe_boolean(json_text('source.result', '$.batch')) }} as batch,
        {{ json_text('source.result', '$.service_tier') }} as service_tier,

        -- usage
        {{ safe_bigint(json_text('source.result', '$.input_tokens')) }} as input_tokens,
        {{ safe_bigint(json_text('source.result', '$.input_cached_tokens')) }} as input_cached_tokens,
        {{ safe_bigint(json_text('source.result', '$.output_tokens')) }} as output_tokens,
        {{ safe_bigint(json_text('source.result', '$.input_audio_tokens')) }} as input_audio_tokens,
        {{ safe_bigint(json_text('source.result', '$.output_audio_tokens')) }} as output_audio_tokens,
        {{ safe_bigint(json_text('source.result', '$.num_model_requests')) }} as num_model_requests,

        -- where the line was read
        source.file_name,
        source.fetched_at,
        source.bucket_position,
        source.result_position
    from source
)

select * from renamed
