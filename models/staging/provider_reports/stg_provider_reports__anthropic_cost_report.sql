{#- Anthropic Admin API, cost report (GET /v1/organizations/cost_report): one row per cost line of a daily bucket,
    from the newest fetch of each bucket (macro provider_report_lines). amount is a decimal string in the lowest
    units of currency (cents: 123.45 USD is 1.2345 dollars), kept as reported and converted exactly. -#}
with

source as (
    {{ provider_report_lines(ref('stg_provider_reports__pages'), 'anthropic_cost_report') }}
),

renamed as (
    select
        -- bucket (UTC)
        source.bucket_start_at,
        source.bucket_end_at,
        {{ to_day('source.bucket_start_at') }} as day,

        -- dimensions (null unless the fetch grouped by them: description gives the cost and token detail; a null
        -- workspace_id is the default workspace)
        {{ json_text('source.result', '$.workspace_id') }} as workspace_id,
        {{ json_text('source.result', '$.description') }} as description,
        {{ json_text('source.result', '$.cost_type') }} as cost_type,
        {{ json_text('source.result', '$.model') }} as model,
        {{ json_text('source.result', '$.service_tier') }} as service_tier,
        {{ json_text('source.result', '$.token_type') }} as token_type,
        {{ json_text('source.result', '$.context_window') }} as context_window,
        {{ json_text('source.result', '$.inference_geo') }} as inference_geo,

        -- cost
        {{ safe_money(json_text('source.result', '$.amount')) }} as amount,
        {{ json_text('source.result', '$.currency') }} as currency,
        {{ money_from_minor_units(json_text('source.result', '$.amount')) }} as amount_value,

        -- where the line was read
        source.file_name,
        source.fetched_at,
        source.bucket_position,
        source.result_position
    from source
)

select * from renamed
