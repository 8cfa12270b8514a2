{#- One row per (day, tenant_id): calls, runs, tokens and cost of the calls that started that day. -#}
{{ daily_cost_rollup('tenant_id') }}
