{#- The time buckets of a provider report do not overlap: a day counted once (daily and hourly pages of the same
    hours, or buckets that start at different times, would count some usage twice). -#}
{% test non_overlapping_buckets(model) %}
with

bucket_ranges as (
    select distinct
        bucket_start_at,
        bucket_end_at
    from {{ model }}
)

select
    earlier.bucket_start_at,
    earlier.bucket_end_at,
    later.bucket_start_at as overlapping_start_at,
    later.bucket_end_at as overlapping_end_at
from bucket_ranges as earlier
inner join bucket_ranges as later
    on earlier.bucket_start_at < later.bucket_end_at
    and later.bucket_start_at < earlier.bucket_end_at
    and (earlier.bucket_start_at < later.bucket_start_at or earlier.bucket_end_at < later.bucket_end_at)
{% endtest %}
