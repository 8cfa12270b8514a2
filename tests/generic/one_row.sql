{#- The model holds exactly one row (a fact about this build, such as int_build_batch). -#}
{% test one_row(model) %}
select row_count
from (select count(*) as row_count from {{ model }}) as counted
where row_count <> 1
{% endtest %}
