{#- Money is exact decimal everywhere: 12 decimals covers a single token at $0.001 per 1M tokens. -#}
{% macro money_type() %}{{ return(adapter.dispatch('money_type', 'llm_cost')()) }}{% endmacro %}
{% macro default__money_type() %}decimal(38, 12){% endmacro %}
{% macro bigquery__money_type() %}bignumeric(38, 12){% endmacro %}

{% macro type_string() %}{{ return(adapter.dispatch('type_string', 'llm_cost')()) }}{% endmacro %}
{% macro default__type_string() %}varchar{% endmacro %}
{% macro bigquery__type_string() %}string{% endmacro %}

{% macro type_bigint() %}{{ return(adapter.dispatch('type_bigint', 'llm_cost')()) }}{% endmacro %}
{% macro default__type_bigint() %}bigint{% endmacro %}
{% macro bigquery__type_bigint() %}int64{% endmacro %}

{% macro type_timestamp() %}{{ return(adapter.dispatch('type_timestamp', 'llm_cost')()) }}{% endmacro %}
{% macro default__type_timestamp() %}timestamp{% endmacro %}
{% macro bigquery__type_timestamp() %}timestamp{% endmacro %}

{#- A nullable bigint that never fails on bad input. -#}
{% macro safe_bigint(expr) %}{{ return(adapter.dispatch('safe_bigint', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__safe_bigint(expr) %}try_cast({{ expr }} as bigint){% endmacro %}
{% macro bigquery__safe_bigint(expr) %}safe_cast(safe_cast({{ expr }} as numeric) as int64){% endmacro %}

{% macro safe_money(expr) %}{{ return(adapter.dispatch('safe_money', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__safe_money(expr) %}try_cast({{ expr }} as {{ llm_cost.money_type() }}){% endmacro %}
{% macro bigquery__safe_money(expr) %}safe_cast({{ expr }} as {{ llm_cost.money_type() }}){% endmacro %}

{% macro safe_timestamp(expr) %}{{ return(adapter.dispatch('safe_timestamp', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__safe_timestamp(expr) %}try_cast({{ expr }} as timestamp){% endmacro %}
{% macro bigquery__safe_timestamp(expr) %}safe_cast({{ expr }} as timestamp){% endmacro %}

{#- JSON true / false (as text) as a boolean; null otherwise. -#}
{% macro safe_boolean(expr) %}{{ return(adapter.dispatch('safe_boolean', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__safe_boolean(expr) %}try_cast({{ expr }} as boolean){% endmacro %}
{% macro bigquery__safe_boolean(expr) %}safe_cast({{ expr }} as bool){% endmacro %}
