{#- numerator / denominator as a float, null when the denominator is 0 or null (never a division error).
    For ratios and percentages only: money stays decimal (cost_of, money_split). -#}
{% macro safe_ratio(numerator, denominator) %}{{ return(adapter.dispatch('safe_ratio', 'llm_cost')(numerator, denominator)) }}{% endmacro %}
{% macro default__safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / nullif(cast({{ denominator }} as double precision), 0)
{%- endmacro %}
{% macro bigquery__safe_ratio(numerator, denominator) -%}
    safe_divide(cast({{ numerator }} as float64), cast({{ denominator }} as float64))
{%- endmacro %}
