{#- A missing price is loud: any row of rpt_unpriced_models fails the build (docs/contract.md section 7).
    Severity comes from setting unpriced_severity (default error; warn for production schedules). -#}
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
{% endtest %}
