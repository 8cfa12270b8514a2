{#- One row per (day, tenant_id): calls, runs, tokens and cost of the calls that started that day. -#}
{{ incremental_mart('day', cluster_by=['tenant_id']) }}
-- depends_on: {{ ref('int_llm_calls__priced') }}
{{ daily_cost_rollup('tenant_id') }}
