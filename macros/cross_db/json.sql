{#- JSON text read the same way on both engines (the provider reports keep each API response page as one JSON
    text, macros/provider_reports.sql). DuckDB reads JSON text with its json functions (built in, no extension
    download), BigQuery with its JSON_* functions on STRING. Paths are JSONPath literals ('$.a.b'). -#}

{#- True when the text is one JSON document, false (never an error) otherwise. BigQuery parses wide numbers
    rounding (its default, 'exact', refuses a number that a FLOAT64 cannot hold: the amounts are read from
    their text, see json_numbers_as_text). -#}
{% macro is_valid_json(expr) %}{{ return(adapter.dispatch('is_valid_json', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__is_valid_json(expr) %}coalesce(json_valid({{ expr }}), false){% endmacro %}
{% macro bigquery__is_valid_json(expr) %}(safe.parse_json({{ expr }}, wide_number_mode => 'round') is not null){% endmacro %}

{#- The scalar at a path as text (a JSON string without its quotes, a number or boolean as written); null when the
    path is missing or holds null. Only for scalars: DuckDB returns an object as its text, BigQuery null. -#}
{% macro json_text(expr, path) %}{{ return(adapter.dispatch('json_text', 'llm_cost')(expr, path)) }}{% endmacro %}
{% macro default__json_text(expr, path) %}json_extract_string({{ expr }}, '{{ path }}'){% endmacro %}
{% macro bigquery__json_text(expr, path) %}json_value({{ expr }}, '{{ path }}'){% endmacro %}

{#- True when the value at a path is a JSON array (false when it is missing or anything else). -#}
{% macro json_is_array(expr, path) %}{{ return(adapter.dispatch('json_is_array', 'llm_cost')(expr, path)) }}{% endmacro %}
{% macro default__json_is_array(expr, path) %}coalesce(json_type({{ expr }}, '{{ path }}') = 'ARRAY', false){% endmacro %}
{% macro bigquery__json_is_array(expr, path) %}(json_query_array({{ expr }}, '{{ path }}') is not null){% endmacro %}

{#- The numbers of one key rewritten as JSON strings of the same text ("value": 0.06 -> "value": "0.06"), so
    json_text reads the digits as the provider wrote them. Both engines parse JSON numbers as doubles (DuckDB
    keeps 17 significant digits): money must not pass through a double. A string value is left as it is. -#}
{% macro json_numbers_as_text(expr, key) %}{{ return(adapter.dispatch('json_numbers_as_text', 'llm_cost')(expr, key)) }}{% endmacro %}
{% macro default__json_numbers_as_text(expr, key) -%}
    regexp_replace({{ expr }}, '("{{ key }}"[[:space:]]*:[[:space:]]*)(-?[0-9][0-9.eE+-]*)', '\1"\2"', 'g')
{%- endmacro %}
{% macro bigquery__json_numbers_as_text(expr, key) -%}
    regexp_replace({{ expr }}, r'("{{ key }}"\s*:\s*)(-?[0-9][0-9.eE+-]*)', r'\1"\2"')
{%- endmacro %}

{#- One row per element of the JSON array at `path` of `json_column`, with the listed columns of `relation` carried
    along: a complete select. `element` is the element as JSON text, `position` its 1-based index. A missing
    path, a value that is not an array, an empty array or a null column give no row. -#}
{% macro json_array_elements(relation, columns, json_column, path, element, position) -%}
    {{ return(adapter.dispatch('json_array_elements', 'llm_cost')(relation, columns, json_column, path, element, position)) }}
{%- endmacro %}

{% macro default__json_array_elements(relation, columns, json_column, path, element, position) -%}
    select
        {%- for c in columns %}
        {{ relation }}.{{ c }},
        {%- endfor %}
        unnest(json_extract({{ relation }}.{{ json_column }}, '{{ path }}[*]')) as {{ element }},
        generate_subscripts(json_extract({{ relation }}.{{ json_column }}, '{{ path }}[*]'), 1) as {{ position }}
    from {{ relation }}
{%- endmacro %}

{% macro bigquery__json_array_elements(relation, columns, json_column, path, element, position) -%}
    select
        {%- for c in columns %}
        {{ relation }}.{{ c }},
        {%- endfor %}
        {{ element }},
        {{ position }}_offset + 1 as {{ position }}
    from {{ relation }}
    cross join unnest(json_query_array({{ relation }}.{{ json_column }}, '{{ path }}')) as {{ element }}
        with offset as {{ position }}_offset
{%- endmacro %}

{#- Unix seconds (an integer, or its text) as a UTC timestamp; null when it is not a whole number. -#}
{% macro timestamp_from_unix_seconds(seconds) %}{{ return(adapter.dispatch('timestamp_from_unix_seconds', 'llm_cost')(seconds)) }}{% endmacro %}
{% macro default__timestamp_from_unix_seconds(seconds) %}make_timestamp(try_cast({{ seconds }} as bigint) * 1000000){% endmacro %}
{% macro bigquery__timestamp_from_unix_seconds(seconds) %}timestamp_seconds(safe_cast({{ seconds }} as int64)){% endmacro %}

{#- An RFC 3339 timestamp with its offset ('2025-08-01T00:00:00Z', '...+02:00') as a UTC timestamp; null when it does
    not parse. DuckDB casting such text to a plain timestamp would drop the offset, so it goes through timestamptz. -#}
{% macro safe_utc_timestamp(expr) %}{{ return(adapter.dispatch('safe_utc_timestamp', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__safe_utc_timestamp(expr) %}cast(try_cast({{ expr }} as timestamptz) at time zone 'UTC' as timestamp){% endmacro %}
{% macro bigquery__safe_utc_timestamp(expr) %}safe_cast({{ expr }} as timestamp){% endmacro %}

{#- A JSON object as text from (key, value expression) pairs, keys in the given order; a null value is a JSON null
    (FOCUS Tags, fct_focus_costs). -#}
{% macro json_object_text(pairs) %}{{ return(adapter.dispatch('json_object_text', 'llm_cost')(pairs)) }}{% endmacro %}
{% macro default__json_object_text(pairs) -%}
    cast(json_object({% for key, value in pairs %}'{{ key }}', {{ value }}{% if not loop.last %}, {% endif %}{% endfor %}) as varchar)
{%- endmacro %}
{% macro bigquery__json_object_text(pairs) -%}
    to_json_string(json_object({% for key, value in pairs %}'{{ key }}', {{ value }}{% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}
