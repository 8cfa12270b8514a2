{#- Bad seed rows in a user's words. A data test on a seed (tests/generic/, and the overrides of dbt's not_null and
    accepted_values below) calls seed_row_problems before its SQL: when the test's model is a seed and some rows
    break the rule, the build stops with the seed file, each bad row (by the key columns the seed declares in
    meta.row_key) and its value, instead of a test name and a count. On a model the test runs as before. -#}

{#- The seed node a test's relation is, or none (a model, or the subquery dbt passes for a test with `where`):
    looked up by key, since every test on every model asks. -#}
{% macro seed_node_of(relation) %}
    {%- if relation.identifier is not defined -%}{{ return(none) }}{%- endif -%}
    {{ return(graph.nodes.get('seed.' ~ project_name ~ '.' ~ relation.identifier)) }}
{% endmacro %}

{#- Stop the build naming each row of seed `model` where `condition` holds: "<file>: row <key> has <column> <value>: <problem>". -#}
{% macro seed_row_problems(model, condition, columns, problem) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set seed = seed_node_of(model) -%}
    {%- if seed is none -%}{{ return('') }}{%- endif -%}
    {%- set key = seed.config.meta.get('row_key', []) -%}
    {%- set shown = key + (columns | reject('in', key) | list) -%}
    {%- set limit = 10 -%}
    {#- the condition may name the seed's table seed_rows (a correlated check); `true qualify ...` works on both warehouses -#}
    {%- set found = run_query('select ' ~ shown | join(', ') ~ ' from ' ~ model ~ ' as seed_rows where ' ~ condition ~ ' limit ' ~ (limit + 1)) -%}
    {%- if found.rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set lines = [] -%}
    {%- for row in found.rows[:limit] -%}
        {%- set key_text = [] -%}
        {#- a blank cell reads (blank), not None -#}
        {%- for column in key -%}{%- do key_text.append(column ~ '=' ~ (row[column] if row[column] is not none else '(blank)')) -%}{%- endfor -%}
        {%- set values = [] -%}
        {%- for column in columns -%}{%- do values.append(column ~ (" '" ~ row[column] ~ "'" if row[column] is not none else ' (blank)')) -%}{%- endfor -%}
        {%- do lines.append('  row ' ~ (key_text | join(', ') or '(no key declared)') ~ ': ' ~ values | join(', ') ~ ' ' ~ problem) -%}
    {%- endfor -%}
    {%- if found.rows | length > limit -%}{%- do lines.append('  and more rows like these') -%}{%- endif -%}
    {{ exceptions.raise_compiler_error(seed.original_file_path ~ ' has rows to fix before anything is built from it:\n' ~ lines | join('\n')) }}
{% endmacro %}

{#- dbt's not_null and accepted_values, with the seed message above; the SQL is dbt's own. -#}
{% macro default__test_not_null(model, column_name) %}
    {{ seed_row_problems(model, column_name ~ ' is null', [column_name], 'is blank: a value is required') }}
    {{ return(dbt.default__test_not_null(model, column_name)) }}
{% endmacro %}

{% macro default__test_accepted_values(model, column_name, values, quote=True) %}
    {%- set listed = [] -%}
    {%- for value in values -%}{%- do listed.append("'" ~ value ~ "'" if quote else value) -%}{%- endfor -%}
    {{ seed_row_problems(model, column_name ~ ' is not null and ' ~ column_name ~ ' not in (' ~ listed | join(', ') ~ ')',
        [column_name], 'is not one of ' ~ values | join(', ')) }}
    {{ return(dbt.default__test_accepted_values(model, column_name, values, quote)) }}
{% endmacro %}

{#- The CTEs priced_models (the price seed's models, closing rows aside) and coverage: each row of `rules` (a CTE of seed
    rows with provider and model_pattern) once per priced model of its provider that it covers (a blank pattern: every
    one), as covered_model, with provider, model_pattern and `columns`. The seed checks of rules that must not overlap
    join coverage with itself. -#}
{% macro priced_model_coverage(rules, columns) %}
    priced_models as (
        select distinct provider, model from {{ ref('stg_seeds__model_prices') }} where not is_closing_row
    ),

    coverage as (
        select
            {%- for column in columns %}
            {{ rules }}.{{ column }},
            {%- endfor %}
            {{ rules }}.provider,
            {{ rules }}.model_pattern,
            priced_models.model as covered_model
        from {{ rules }}
        inner join priced_models
            on {{ rules }}.provider = priced_models.provider
        where {{ rules }}.model_pattern is null
            or {{ regex_full_match('priced_models.model', rules ~ '.model_pattern') }}
    )
{%- endmacro %}
