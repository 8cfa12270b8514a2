{#- Every non-blank value of a text column parses as a date or timestamp. -#}
{% test parseable_timestamp(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ safe_timestamp(column_name) }} is null
{% endtest %}
