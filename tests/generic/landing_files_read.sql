{#- Landing files whose newest read left something behind: unreadable (gzip cut short, not UTF-8, permission
    denied; retried on every build) or pending (a last line without its newline). Applied at severity warn: a
    collector's live file is often pending for a moment, and a cut file must not stop the other files' costs. -#}
{% test landing_files_read(model) %}
with

latest as (
    select
        source_file,
        file_status,
        status_reason
    from {{ model }}
    where row_kind = 'file'
    qualify row_number() over (partition by source_file order by read_seq desc) = 1
)

select
    source_file,
    file_status,
    status_reason
from latest
where file_status <> 'complete'
{% endtest %}
