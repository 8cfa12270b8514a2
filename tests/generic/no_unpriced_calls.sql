{#- A missing price is loud: any row of rpt_unpriced_models with unpriced calls fails the build (docs/contract.md
    section 7). Severity comes from setting unpriced_severity (default error; warn for production schedules).
    A row of only missing service tiers (priced at standard, flagged) is test no_missing_price_tiers, a warning. -#}
{% test no_unpriced_calls(model) %}
{{ config(severity=get_setting('unpriced_severity', 'error')) }}
select
    provider,
    model,
    calls,
    tokens,
    first_seen,
    last_seen,
    reason
from {{ model }}
where calls > 0
{% endtest %}
