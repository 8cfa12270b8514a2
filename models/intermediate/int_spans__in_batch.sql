{#- The spans to (re)process in this build: every staged span of each run that received a record after the last
    complete build (a late child, a late parent, a re-delivery or a backfill of old files alike), or whose price
    changed with the seeds (int_runs__repriced). Runs are recomputed whole, so a run's result never depends on
    the order its spans arrived in. On a first build or --full-refresh, every run. -#}
-- depends_on: {{ ref('int_runs__repriced') }}
{% set state = build_state_relation() %}

with

span_records as (
    select * from {{ ref('stg_otel__span_records') }}
    where trace_id is not null
),

spans as (
    select * from {{ ref('stg_otel__spans') }}
),

batch_runs as (
    {% if state is none %}
    select distinct trace_id from span_records
    {% else %}
    -- only the records loaded since the last complete build are scanned for run ids (they are appended in load order)
    select distinct trace_id from span_records
    where loaded_at > (
        select loaded_through from {{ state }}
        order by recorded_at desc
        limit 1
    )
    union distinct
    select run_id from {{ ref('int_runs__repriced') }}
    {% endif %}
),

run_arrivals as (
    select
        trace_id,
        max(loaded_at) as run_loaded_at
    from span_records
    {% if state is not none %}
    where trace_id in (select trace_id from batch_runs)
    {% endif %}
    group by trace_id
),

final as (
    select
        spans.*,
        run_arrivals.run_loaded_at,
        {{ 'true' if state is none else 'false' }} as is_full_batch
    from spans
    inner join run_arrivals
        on run_arrivals.trace_id = spans.trace_id
)

select * from final
