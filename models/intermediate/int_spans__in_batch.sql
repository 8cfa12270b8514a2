{#- The spans to (re)process in this build: every staged span of each run that received a record since the
    marts' watermark (a late child, a late parent, a re-delivery or a backfill of old files alike).
    Runs are recomputed whole, so a run's result never depends on the order its spans arrived in.
    On a first build or --full-refresh, every run. -#}
{%- set watermark_relation = batch_watermark_relation() -%}

with

span_records as (
    select * from {{ ref('stg_otel__span_records') }}
    where trace_id is not null
),

spans as (
    select * from {{ ref('stg_otel__spans') }}
),

batch_runs as (
    select
        trace_id,
        max(loaded_at) as run_loaded_at
    from span_records
    group by trace_id
    {% if watermark_relation is not none %}
    having max(loaded_at) > (select coalesce(max(run_loaded_at), cast('1900-01-01' as {{ type_timestamp() }})) from {{ watermark_relation }})
    {% endif %}
),

final as (
    select
        spans.*,
        batch_runs.run_loaded_at,
        {{ 'false' if watermark_relation is not none else 'true' }} as is_full_batch
    from spans
    inner join batch_runs
        on batch_runs.trace_id = spans.trace_id
)

select * from final
