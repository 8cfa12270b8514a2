{#- Read one attribute of a staged attribute column as text.
    DuckDB stages attributes as MAP(varchar, varchar) (a lookup, no JSON re-parse per key);
    BigQuery keeps them as JSON. -#}
{% macro attr(column, key) %}{{ return(adapter.dispatch('attr', 'llm_cost')(column, key)) }}{% endmacro %}
{% macro default__attr(column, key) %}{{ column }}['{{ key }}']{% endmacro %}
{% macro bigquery__attr(column, key) %}json_value({{ column }}, '$."{{ key }}"'){% endmacro %}

{#- First non-null attribute among keys. -#}
{% macro attr_coalesce(column, keys) -%}
    {%- if keys | length == 1 -%}{{ llm_cost.attr(column, keys[0]) }}
    {%- else -%}coalesce({% for key in keys %}{{ llm_cost.attr(column, key) }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{% macro attr_bigint_coalesce(column, keys) -%}
    {{ llm_cost.safe_bigint(llm_cost.attr_coalesce(column, keys)) }}
{%- endmacro %}

{% macro timestamp_from_unix_nanos(nanos) %}{{ return(adapter.dispatch('timestamp_from_unix_nanos', 'llm_cost')(nanos)) }}{% endmacro %}
{% macro default__timestamp_from_unix_nanos(nanos) %}make_timestamp(try_cast({{ nanos }} as bigint) // 1000){% endmacro %}
{% macro bigquery__timestamp_from_unix_nanos(nanos) %}timestamp_micros(div(safe_cast({{ nanos }} as int64), 1000)){% endmacro %}

{% macro sha256_hex(expr) %}{{ return(adapter.dispatch('sha256_hex', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__sha256_hex(expr) %}sha256({{ expr }}){% endmacro %}
{% macro bigquery__sha256_hex(expr) %}to_hex(sha256({{ expr }})){% endmacro %}

{% macro regex_full_match(value, pattern) %}{{ return(adapter.dispatch('regex_full_match', 'llm_cost')(value, pattern)) }}{% endmacro %}
{% macro default__regex_full_match(value, pattern) %}regexp_full_match({{ value }}, {{ pattern }}){% endmacro %}
{% macro bigquery__regex_full_match(value, pattern) %}regexp_contains({{ value }}, concat('^(?:', {{ pattern }}, ')$')){% endmacro %}

{#- The part of a string before the first occurrence of a delimiter (the whole string when absent). -#}
{% macro part_before(value, delimiter) %}{{ return(adapter.dispatch('part_before', 'llm_cost')(value, delimiter)) }}{% endmacro %}
{% macro default__part_before(value, delimiter) %}split_part({{ value }}, '{{ delimiter }}', 1){% endmacro %}
{% macro bigquery__part_before(value, delimiter) %}split({{ value }}, '{{ delimiter }}')[safe_offset(0)]{% endmacro %}

{% macro to_day(ts) %}cast({{ ts }} as date){% endmacro %}

{#- Now, as a timestamp without time zone in UTC (DuckDB's current_timestamp carries the session's zone). -#}
{% macro current_utc_timestamp() %}{{ return(adapter.dispatch('current_utc_timestamp', 'llm_cost')()) }}{% endmacro %}
{% macro default__current_utc_timestamp() %}cast(current_timestamp at time zone 'UTC' as timestamp){% endmacro %}
{% macro bigquery__current_utc_timestamp() %}current_timestamp(){% endmacro %}

{#- Microseconds since the epoch: a timestamp read back to inline as a literal (a warehouse prunes by constants). -#}
{% macro unix_micros(expr) %}{{ return(adapter.dispatch('unix_micros', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__unix_micros(expr) %}epoch_us({{ expr }}){% endmacro %}
{% macro bigquery__unix_micros(expr) %}unix_micros({{ expr }}){% endmacro %}

{#- The first capture group of a regex over a string, null when it does not match (DuckDB returns '' then).
    Patterns are plain literals without quotes or backslashes, valid in both dialects. -#}
{% macro regex_capture(value, pattern) %}{{ return(adapter.dispatch('regex_capture', 'llm_cost')(value, pattern)) }}{% endmacro %}
{% macro default__regex_capture(value, pattern) %}nullif(regexp_extract({{ value }}, '{{ pattern }}', 1), ''){% endmacro %}
{% macro bigquery__regex_capture(value, pattern) %}regexp_extract({{ value }}, '{{ pattern }}'){% endmacro %}

{#- The non-null values of a list of string expressions joined by a separator; null when every one is null. -#}
{% macro join_non_null(expressions, separator) %}{{ return(adapter.dispatch('join_non_null', 'llm_cost')(expressions, separator)) }}{% endmacro %}
{% macro default__join_non_null(expressions, separator) %}nullif(concat_ws('{{ separator }}', {{ expressions | join(', ') }}), ''){% endmacro %}
{% macro bigquery__join_non_null(expressions, separator) %}nullif(array_to_string([{{ expressions | join(', ') }}], '{{ separator }}'), ''){% endmacro %}

{#- An aggregate: some columns of each group's first row by an ascending key, as one struct (read its fields as
    <alias>.<column>). It stands for `qualify row_number() over (partition by <group> order by <key>) = 1` without
    a window: a plain hash aggregate, which DuckDB spills to disk beyond its memory_limit (README "Scale").
    End the key with a column unique in the group (ties are broken arbitrarily). Nulls in the key sort as the
    engine's order by sorts them (DuckDB: last, BigQuery: first), as the window did.
    columns: a map field name -> expression; order_by: a list of expressions. -#}
{% macro first_by(columns, order_by) %}{{ return(adapter.dispatch('first_by', 'llm_cost')(columns, order_by)) }}{% endmacro %}
{#- arg_min skips a null arg, so the columns travel in a struct (never null); struct keys compare field by field -#}
{% macro default__first_by(columns, order_by) -%}
    arg_min(
        struct_pack({% for name, expr in columns.items() %}{{ name }} := {{ expr }}{% if not loop.last %}, {% endif %}{% endfor %}),
        struct_pack({% for expr in order_by %}k{{ loop.index }} := {{ expr }}{% if not loop.last %}, {% endif %}{% endfor %})
    )
{%- endmacro %}
{#- no `limit 1` inside array_agg: BigQuery takes it, the emulator (sqlglot to DuckDB) does not; a group is one run -#}
{% macro bigquery__first_by(columns, order_by) -%}
    array_agg(
        struct({% for name, expr in columns.items() %}{{ expr }} as {{ name }}{% if not loop.last %}, {% endif %}{% endfor %})
        order by {{ order_by | join(', ') }}
    )[offset(0)]
{%- endmacro %}

{#- A CTE that reads a table and is read several times: DuckDB would materialize it (every column, the attribute maps
    too) for its readers; inlined, each reader scans the table for the columns it needs (stg_otel__spans at 1M spans:
    int_spans__staged_in_batch 4.0-5.1 s -> 1.7-2.0 s). BigQuery inlines CTEs and has no such hint. -#}
{% macro inlined_cte() %}{{ return(adapter.dispatch('inlined_cte', 'llm_cost')()) }}{% endmacro %}
{% macro default__inlined_cte() %}{% endmacro %}
{% macro duckdb__inlined_cte() %}not materialized{% endmacro %}

{#- One row per element of the array `list_column` of `relation`, with the listed columns of `relation` carried along:
    a complete select. A null or empty array gives no row. -#}
{% macro list_elements(relation, columns, list_column, element) -%}
    {{ return(adapter.dispatch('list_elements', 'llm_cost')(relation, columns, list_column, element)) }}
{%- endmacro %}

{% macro default__list_elements(relation, columns, list_column, element) -%}
    select
        {%- for c in columns %}
        {{ relation }}.{{ c }},
        {%- endfor %}
        unnest({{ relation }}.{{ list_column }}) as {{ element }}
    from {{ relation }}
{%- endmacro %}

{% macro bigquery__list_elements(relation, columns, list_column, element) -%}
    select
        {%- for c in columns %}
        {{ relation }}.{{ c }},
        {%- endfor %}
        {{ element }}
    from {{ relation }}
    cross join unnest({{ relation }}.{{ list_column }}) as {{ element }}
{%- endmacro %}

{#- Two arrays joined, null when either is null on BigQuery (DuckDB skips a null one): wrap in coalesce for a default. -#}
{% macro list_concat(left, right) %}{{ return(adapter.dispatch('list_concat', 'llm_cost')(left, right)) }}{% endmacro %}
{% macro default__list_concat(left, right) %}list_concat({{ left }}, {{ right }}){% endmacro %}
{% macro bigquery__list_concat(left, right) %}array_concat({{ left }}, {{ right }}){% endmacro %}
