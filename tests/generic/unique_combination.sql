{#- The grain test for compound keys: no two rows share the combination. -#}
{% test unique_combination(model, combination_of_columns) %}
{{ seed_row_problems(model, 'true qualify count(*) over (partition by ' ~ combination_of_columns | join(', ') ~ ') > 1',
    combination_of_columns, 'appears in more than one row: keep one') }}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
