{#- One row per (day, feature): calls, runs, tokens and cost of the calls that started that day. -#}
{{ daily_cost_rollup('feature') }}
