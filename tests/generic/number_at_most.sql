{#- Every parseable value of a text column is at most `value` (a percent is at most 100). Values that do not parse
    are parseable_number's to name. -#}
{% test number_at_most(model, column_name, value) %}
{%- set bad = safe_money(column_name) ~ ' > ' ~ value -%}
{{ seed_row_problems(model, bad, [column_name], 'is more than ' ~ value) }}
select {{ column_name }}
from {{ model }}
where {{ bad }}
{% endtest %}
