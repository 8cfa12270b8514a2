{#- The day spine MetricFlow joins metrics to (README "Semantic layer"): one row per day, 2020 through 2035, on DuckDB
    and BigQuery alike (dbt's date_spine). -#}
with

days as (
    {{ dbt.date_spine('day', "cast('2020-01-01' as date)", "cast('2036-01-01' as date)") }}
),

final as (
    select cast(days.date_day as date) as date_day
    from days
)

select * from final
