{#- Every non-blank value of a text column parses as an exact decimal (a typo in a price is loud, never "not published"). -#}
{% test parseable_number(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ safe_money(column_name) }} is null
{% endtest %}
