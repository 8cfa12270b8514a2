{#- A filter on a wide table that keeps few of its rows (an incremental run reading the history of its batch's runs),
    for a where clause: `condition` tests the rows of `relation` under `alias`, through a few narrow columns.
    DuckDB decodes every selected column of a row group before such a filter drops its rows, so the condition is
    evaluated on its own columns and the rows it keeps are fetched by rowid (10M span records, the old records of a 1%
    batch's runs: 0.6-1.8 s, 0.05 s; the batch's runs of fct_span_costs: 0.4-0.7 s, 0.2 s). Elsewhere the condition
    as it is (BigQuery reads only the columns a query names and prunes by partition and cluster). -#}
{% macro narrow_filter(relation, alias, condition) %}
    {{- return(adapter.dispatch('narrow_filter', 'llm_cost')(relation, alias, condition)) -}}
{% endmacro %}
{% macro default__narrow_filter(relation, alias, condition) %}({{ condition }}){% endmacro %}
{% macro duckdb__narrow_filter(relation, alias, condition) -%}
    {{ alias }}.rowid in (select {{ alias }}.rowid from {{ relation }} as {{ alias }} where {{ condition }})
{%- endmacro %}
