{#- One row per (day, tenant_id): calls, runs, tokens and cost of the calls that started that day. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='day',
        on_schema_change='append_new_columns',
    )
}}
-- depends_on: {{ ref('int_spans__in_batch') }}
-- depends_on: {{ ref('int_llm_calls__priced') }}
{{ assert_full_batch_for_rebuild() }}
{{ daily_cost_rollup('tenant_id') }}
