{#- Every non-blank value of a text column is an exact, non-negative decimal (a typo or a sign in a price or a
    limit is loud, never "not published"). -#}
{% test parseable_number(model, column_name) %}
{%- set bad = column_name ~ ' is not null and (' ~ safe_money(column_name) ~ ' is null or ' ~ safe_money(column_name) ~ ' < 0)' -%}
{{ seed_row_problems(model, bad, [column_name], 'is not a non-negative number (a decimal such as 2.50; blank means not published)') }}
select {{ column_name }}
from {{ model }}
where {{ bad }}
{% endtest %}
