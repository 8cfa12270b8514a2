{#- The processing batch's keys (int_spans__staged_in_batch), for the incremental marts' scope: the runs and days to
    replace and each run's arrival watermark. Taken from int_spans__normalized, which reads the batch's spans once. -#}

with

normalized_spans as (
    select * from {{ ref('int_spans__normalized') }}
),

final as (
    select
        normalized_spans.trace_id,
        normalized_spans.span_id,
        normalized_spans.started_at,
        normalized_spans.run_loaded_at,
        normalized_spans.is_full_batch
    from normalized_spans
)

select * from final
