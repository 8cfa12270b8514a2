{#- A model's single-column rules in one scan: every column in `not_null` has no null, every column in
    `non_negative` no value below 0. One query per model instead of one per column and rule: one BigQuery job instead
    of twenty, and on DuckDB the 536 separate tests cost about 16 s of every `dbt build`. A failure is one row per
    broken rule: the rule, the column and how many rows break it. Seeds keep dbt's per-column tests (macros/seed_rows.sql
    names their bad rows). -#}
{% test column_rules(model, not_null=[], non_negative=[]) %}
{%- set checks = [] -%}
{%- for column in not_null -%}{%- do checks.append(('not_null', column, column ~ ' is null')) -%}{%- endfor -%}
{%- for column in non_negative -%}{%- do checks.append(('non_negative', column, column ~ ' < 0')) -%}{%- endfor -%}
{%- if checks | length == 0 -%}
    {{ exceptions.raise_compiler_error('column_rules on ' ~ model ~ ' names no column: list some in not_null or non_negative') }}
{%- endif -%}
with counted as (
    select
    {%- for rule, column, condition in checks %}
        sum(case when {{ condition }} then 1 else 0 end) as check_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
),

{#- the rules as rows (constants), crossed with the one row of counts: the model is read once on both warehouses -#}
rules as (
    {%- for rule, column, condition in checks %}
    select {{ loop.index }} as check_number, '{{ rule }}' as rule, '{{ column }}' as column_name
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
),

checked as (
    select
        rules.rule,
        rules.column_name,
        case rules.check_number
        {%- for check in checks %}
            when {{ loop.index }} then counted.check_{{ loop.index }}
        {%- endfor %}
        end as failing_rows
    from rules
    cross join counted
)

select
    checked.rule,
    checked.column_name,
    checked.failing_rows
from checked
where checked.failing_rows > 0
{% endtest %}
