{#- OpenAI organization Costs API (GET /v1/organization/costs): one row per cost line of a daily bucket, from the
    newest fetch of each bucket (macro provider_report_lines). amount.value is read from its JSON text into an
    exact decimal, never through a float. -#}
with

source as (
    {{ provider_report_lines(ref('stg_provider_reports__pages'), 'openai_costs') }}
),

renamed as (
    select
        -- bucket (UTC)
        source.bucket_start_at,
        source.bucket_end_at,
        {{ to_day('source.bucket_start_at') }} as day,

        -- dimensions (null unless the fetch grouped by them)
        {{ json_text('source.result', '$.project_id') }} as project_id,
        {{ json_text('source.result', '$.line_item') }} as line_item,
        {{ json_text('source.result', '$.api_key_id') }} as api_key_id,

        -- cost: amount.value in units of amount.currency (lowercase ISO 4217, usd)
        {{ safe_money(json_text('source.result', '$.amount.value')) }} as amount_value,
        {{ json_text('source.result', '$.amount.currency') }} as amount_currency,

        -- where the line was read
        source.file_name,
        source.fetched_at,
        source.bucket_position,
        source.result_position
    from source
)

select * from renamed
