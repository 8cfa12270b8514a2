{#- One row per (day, feature): calls, runs, tokens and cost of the calls that started that day. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {'days': 'day'}},
    partition_by=day_partitions(),
    cluster_by=['feature'],
    on_schema_change='append_new_columns',
) }}
-- depends_on: {{ ref('int_spans__in_batch') }}
{{ assert_full_batch_for_rebuild() }}
-- depends_on: {{ ref('int_llm_calls__priced') }}
{{ daily_cost_rollup('feature') }}
