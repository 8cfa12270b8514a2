{#- Budget rows of one status whose period reaches the forecast's as-of day: the current month, that day, that
    day's runs and calls, sessions still spending that day. Configured with severity warn on rpt_budget_forecast, so
    a scheduler's `dbt build` reports a current breach as a warning listing the rows. -#}
{% test budget_alerts(model, status) %}
select
    scope,
    scope_key,
    period,
    period_start,
    period_end,
    item_id,
    actual_usd,
    projected_usd,
    limit_usd,
    status
from {{ model }}
where status = '{{ status }}' and period_end >= as_of
{% endtest %}
