{#- The spans to (re)process in this build, staged with their attributes: every staged span of each run that received
    a record after the last complete build (int_build_batch: a late child, a late parent, a re-delivery or a backfill
    of old files alike), or whose price changed with the seeds (int_runs__repriced). Runs are recomputed whole, so a
    run's result never depends on the order its spans arrived in. On a first build or --full-refresh, every run.

    Cost grows with the batch: records are appended in load order, so the new ones are found by loaded_at
    without reading the rest; older records are read only for the runs that have some (checked first).

    A view: int_spans__normalized, its only reader, reads it once, so the batch's attribute maps are not written and
    read back (as a table, under the name int_spans__in_batch, a full build of 10M spans wrote 10M maps to it). The
    marts read the batch's runs and days from int_spans__in_batch, one row per run and day. -#}
{{ config(materialized='view') }}
-- depends_on: {{ ref('int_build_batch') }}
-- depends_on: {{ ref('int_runs__repriced') }}
-- depends_on: {{ ref('stg_otel__spans') }}
{% set batch = build_batch() %}

{% if batch['is_full_batch'] %}

with

span_records as (
    select * from {{ ref('stg_otel__span_records') }}
    where trace_id is not null
),

spans as (
    select * from {{ ref('stg_otel__spans') }}
),

run_arrivals as (
    select
        trace_id,
        max(loaded_at) as run_loaded_at
    from span_records
    group by trace_id
),

final as (
    select
        spans.*,
        run_arrivals.run_loaded_at,
        true as is_full_batch
    from spans
    inner join run_arrivals
        on spans.trace_id = run_arrivals.trace_id
)

select * from final

{% else %}

{%- set records_relation = ref('stg_otel__span_records') -%}
{#- a literal, so a warehouse prunes the record log's arrival partitions by it -#}
{%- set watermark = batch['loaded_after'] or 'null' -%}
{%- set history_runs_query -%}
    with batch_runs as (
        select distinct trace_id from {{ records_relation }} where loaded_at > {{ watermark }} and trace_id is not null
        union distinct
        select run_id from {{ ref('int_runs__repriced') }}
    )
    select count(*) from batch_runs
    where exists (
        select 1 from {{ records_relation }} as old_records
        where old_records.trace_id = batch_runs.trace_id and old_records.loaded_at <= {{ watermark }}
    )
{%- endset -%}
{%- set needs_history = execute and run_query(history_runs_query).columns[0].values()[0] > 0 -%}

with

new_records as (
    select span_records.*
    from {{ records_relation }} as span_records
    where
        span_records.loaded_at > {{ watermark }}
        and span_records.trace_id is not null
),

{% if needs_history %}
batch_runs as (
    select distinct new_records.trace_id from new_records
    union distinct
    select repriced.run_id from {{ ref('int_runs__repriced') }} as repriced
),
{% endif %}

batch_records as (
    select * from new_records
    {% if needs_history %}
        union all
        -- runs with records from earlier loads (late spans, re-deliveries, repricing): read those runs' history
        select span_records.*
        from {{ records_relation }} as span_records
        where {{ narrow_filter(records_relation, 'span_records',
            'span_records.loaded_at <= ' ~ watermark
            ~ ' and span_records.trace_id in (select batch_runs.trace_id from batch_runs)') }}
    {% endif %}
),

records as (
    select batch_records.*
    from batch_records
    where batch_records.quarantine_reason is null
),

{{ staged_spans('records') }},

run_arrivals as (
    select
        batch_records.trace_id,
        max(batch_records.loaded_at) as run_loaded_at
    from batch_records
    group by batch_records.trace_id
),

final as (
    select
        renamed.*,
        run_arrivals.run_loaded_at,
        false as is_full_batch
    from renamed
    inner join run_arrivals
        on renamed.trace_id = run_arrivals.trace_id
)

select * from final

{% endif %}
