{% test non_negative(model, column_name) %}
{{ seed_row_problems(model, column_name ~ ' < 0', [column_name], 'is negative') }}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0
{% endtest %}
