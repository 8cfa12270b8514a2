{#- Where each complete build stopped (README, "Incremental builds"): one row appended per build, int_build_batch's
    row. It refs every fct_ mart (tests/pytest/test_build_state.py checks none is missing), so dbt builds it only
    when all of them succeeded in this invocation; a failed, skipped or unselected mart leaves the state where
    it was, and the next build redoes the batch. So does a build that does not select all of them and the batch
    models. Appending is one statement, so a crash records all or nothing. -#}
{{ append_only_config() }}
-- depends_on: {{ ref('fct_span_costs') }}
-- depends_on: {{ ref('fct_run_costs') }}
-- depends_on: {{ ref('fct_step_costs') }}
-- depends_on: {{ ref('fct_tool_costs') }}
-- depends_on: {{ ref('fct_feature_costs_daily') }}
-- depends_on: {{ ref('fct_tenant_costs_daily') }}
-- depends_on: {{ ref('fct_run_cost_tails_daily') }}
-- depends_on: {{ ref('fct_focus_costs') }}
-- depends_on: {{ ref('int_spans__in_batch') }}
{%- set unbuilt = unselected_parents() -%}
{%- if unbuilt -%}
{%- do log('llm_cost_build_state: not recorded, not built here: ' ~ unbuilt | join(', '), info=true) -%}
{%- endif %}

with

batch as (
    select * from {{ ref('int_build_batch') }}
),

final as (
    select
        {{ current_utc_timestamp() }} as recorded_at,
        batch.loaded_through,
        batch.pricing_version
    from batch
    {%- if unbuilt %}
    where false
    {%- endif %}
)

select * from final
