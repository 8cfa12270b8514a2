{#- One typed row per span: the first delivery of each (trace_id, span_id) that could be read
    (macro staged_spans). Re-deliveries (at-least-once export) and unreadable records stay in stg_otel__span_records. -#}
with

records as {{ inlined_cte() }} (
    select * from {{ ref('stg_otel__span_records') }}
    where quarantine_reason is null
),

{{ staged_spans('records') }}

select * from renamed
