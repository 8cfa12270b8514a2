{#- tokens x USD per 1M tokens, exactly: multiplying by 0.000001 keeps a decimal, dividing would not (DuckDB divides decimals as doubles). -#}
{% macro cost_of(tokens, usd_per_mtok) -%}
    cast(cast({{ tokens }} as {{ llm_cost.money_type() }}) * {{ usd_per_mtok }} * 0.000001 as {{ llm_cost.money_type() }})
{%- endmacro %}

{#- An even split of an amount over n parts, floored to the 12th decimal (at most n-1 pico-dollars are not handed out). -#}
{% macro money_split(amount, parts) %}{{ return(adapter.dispatch('money_split', 'llm_cost')(amount, parts)) }}{% endmacro %}
{% macro default__money_split(amount, parts) -%}
    cast(cast(floor(cast({{ amount }} * 1000000000000 as hugeint) / {{ parts }}) as decimal(38, 0)) * 0.000000000001 as {{ llm_cost.money_type() }})
{%- endmacro %}
{% macro duckdb__money_split(amount, parts) -%}
    cast(cast(cast({{ amount }} * 1000000000000 as hugeint) // {{ parts }} as decimal(38, 0)) * 0.000000000001 as {{ llm_cost.money_type() }})
{%- endmacro %}
{% macro bigquery__money_split(amount, parts) -%}
    cast(trunc({{ amount }} / {{ parts }}, 12) as bignumeric)
{%- endmacro %}
