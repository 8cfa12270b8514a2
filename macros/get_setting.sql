{#- Every setting goes through here: env var LLM_COST_<NAME> over dbt var <name> over the default.
    Env values that look like JSON (lists, maps) are parsed, so a scheduler can pass them too. -#}
{% macro get_setting(name, default=none) %}
    {%- set env_value = env_var('LLM_COST_' ~ (name | upper), '') -%}
    {%- if env_value != '' -%}
        {%- if env_value[:1] in ['[', '{'] -%}
            {{ return(fromjson(env_value)) }}
        {%- endif -%}
        {{ return(env_value) }}
    {%- endif -%}
    {{ return(var(name, default)) }}
{% endmacro %}
