{#- The processing batch's keys (int_spans__staged_in_batch), for the incremental marts' scope: the runs and days to
    replace and each run's arrival watermark, one row per (run, day a span of it started on). Taken from
    int_spans__normalized, which reads the batch's spans once; a row per run and day rather than per span (a full build
    of 10M spans: 0.9M rows, 0.5-0.6 s alone against 2.6-3.3 s). -#}

with

normalized_spans as (
    select * from {{ ref('int_spans__normalized') }}
),

final as (
    -- run_loaded_at and is_full_batch are one value per run
    select distinct
        normalized_spans.trace_id,
        {{ to_day('normalized_spans.started_at') }} as day,
        normalized_spans.run_loaded_at,
        normalized_spans.is_full_batch
    from normalized_spans
)

select * from final
