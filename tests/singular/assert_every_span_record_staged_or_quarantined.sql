-- Conservation at the door: every record read is staged, a re-delivery of a staged span, or quarantined with a reason.
with

records as (
    select * from {{ ref('stg_otel__span_records') }}
),

staged as (
    select trace_id, span_id from {{ ref('stg_otel__spans') }}
),

unaccounted as (
    select
        records.source_file,
        records.source_line,
        records.record_position
    from records
    left join staged
        on staged.trace_id = records.trace_id
        and staged.span_id = records.span_id
    where records.quarantine_reason is null
        and staged.span_id is null
),

counts as (
    select
        (select count(*) from records) as records,
        (select count(*) from records where quarantine_reason is not null) as quarantined,
        (select count(*) from records where quarantine_reason is null) as readable,
        (select count(*) from staged) as staged,
        (select count(*) from {{ ref('stg_otel__quarantine') }} where quarantine_scope = 'record') as quarantine_rows
)

select 'record neither staged nor quarantined: ' || source_file || ':' || cast(source_line as {{ type_string() }}) as failure
from unaccounted
union all
select 'quarantine model rows differ from quarantined records' from counts where quarantined <> quarantine_rows
union all
select 'more staged spans than readable records' from counts where staged > readable
union all
select 'records do not add up' from counts where records <> quarantined + readable
