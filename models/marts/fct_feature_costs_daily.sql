{#- One row per (day, feature): calls, runs, tokens and cost of the calls that started that day. -#}
{{ incremental_mart('day', cluster_by=['feature']) }}
-- depends_on: {{ ref('int_llm_calls__priced') }}
{{ daily_cost_rollup('feature') }}
