{#- The inputs the model-swap units (int_model_swap_run_costs) are priced with, as one version: the pricing seeds'
    version of this build (int_build_batch) and the swaps seed's rows, in the columns that change a result (a note
    does not). Rendered as two CTEs, swap_rows and swap_inputs (one row, swap_inputs_version). -#}
{% macro swap_inputs_ctes() %}
    {%- set swap_columns = ['swap_id', 'from_provider', 'from_model', 'to_provider', 'to_model', 'feature', 'agent_name',
        'step'] -%}
    swap_rows as (
        select {{ text_key(swap_columns) }} as row_text
        from {{ ref('stg_seeds__model_swaps') }}
    ),

    swap_inputs as (
        select
            {{ sha256_hex(
                "concat(coalesce((select max(pricing_version) from " ~ ref('int_build_batch') ~ "), '~'), '#', "
                ~ "coalesce((select string_agg(swap_rows.row_text, '|||' order by swap_rows.row_text) from swap_rows), ''))"
            ) }} as swap_inputs_version
    )
{%- endmacro %}

{#- Whether int_model_swap_run_costs holds rows priced with other inputs than this build's (so every run is priced
    again). False on a first build, a full refresh and in unit tests (whose context has no graph nodes). -#}
{% macro swap_inputs_changed() %}
    {%- if not execute or graph.get('nodes') is none or not is_incremental() -%}{{ return(false) }}{%- endif -%}
    {%- set query -%}
        with
        {{ swap_inputs_ctes() }}
        select count(*)
        from {{ this }} as stored
        cross join swap_inputs
        where stored.swap_inputs_version <> swap_inputs.swap_inputs_version
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] > 0) }}
{% endmacro %}

{#- int_model_swap_run_costs' pre-hook: the rows priced with other inputs are deleted, in the build's transaction, before
    every run is inserted again. -#}
{% macro delete_stale_swap_run_costs() %}
    {%- if swap_inputs_changed() -%}
        delete from {{ this }} where true
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
