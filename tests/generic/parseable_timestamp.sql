{#- Every non-blank value of a text column parses as a date or timestamp. -#}
{% test parseable_timestamp(model, column_name) %}
{{ seed_row_problems(model, column_name ~ ' is not null and ' ~ safe_timestamp(column_name) ~ ' is null', [column_name],
    'is not a date (YYYY-MM-DD, or a timestamp YYYY-MM-DD HH:MM:SS, UTC)') }}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ safe_timestamp(column_name) }} is null
{% endtest %}
