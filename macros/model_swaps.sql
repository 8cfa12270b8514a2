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

{#- Whether this build prices every run of int_model_swap_run_costs again: it holds a row priced with other inputs than
    this build's (a new swap or a new price applies to the whole history), or none priced with them (a first batch
    with calls of the swapped models, or a build that stopped after the pre-hook below emptied the table: on BigQuery
    the hook and the merge are two statements). False on a first build, a full refresh and in unit tests (whose
    context has no graph nodes): those read every run anyway. -#}
{% macro swap_run_costs_reprice_all() %}
    {%- if not execute or graph.get('nodes') is none or not is_incremental() -%}{{ return(false) }}{%- endif -%}
    {%- set query -%}
        with
        {{ swap_inputs_ctes() }}
        select
            coalesce(sum(case when stored.swap_inputs_version <> swap_inputs.swap_inputs_version then 1 else 0 end), 0),
            coalesce(sum(case when stored.swap_inputs_version = swap_inputs.swap_inputs_version then 1 else 0 end), 0)
        from {{ this }} as stored
        cross join swap_inputs
    {%- endset -%}
    {%- set counts = run_query(query).rows[0] -%}
    {{ return(counts[0] > 0 or counts[1] == 0) }}
{% endmacro %}

{#- int_model_swap_run_costs' pre-hook: when every run is priced again, the old rows are deleted first (on DuckDB in the
    build's transaction). -#}
{% macro delete_stale_swap_run_costs() %}
    {%- if swap_run_costs_reprice_all() -%}
        delete from {{ this }} where true
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
