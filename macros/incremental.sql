{#- Incremental processing (README, "Incremental builds").

    Arrival, not event time, drives it. stg_otel__span_records appends the records of files not loaded before,
    each stamped with loaded_at. After a build in which every fct_ mart succeeded, an on-run-end hook records
    in table llm_cost_build_state how far the records were processed (loaded_through) and which pricing was
    applied (pricing_version, a hash of both seeds). The next build's batch (int_spans__in_batch) is every run
    with a record loaded after loaded_through, plus the runs int_runs__repriced finds when the seeds changed.
    A failed or partial build records nothing, so its work is redone, never skipped. -#}

{% macro fct_marts() %}
    {{ return(['fct_span_costs', 'fct_run_costs', 'fct_step_costs', 'fct_tool_costs', 'fct_feature_costs_daily', 'fct_tenant_costs_daily']) }}
{% endmacro %}

{#- A relation of the target schema looked up by name (none when it does not exist yet): for the state table and
    for the marts read before they are built in this run, which ref() cannot express without a cycle. -#}
{% macro target_relation(identifier) %}
    {{ return(adapter.get_relation(database=target.database, schema=target.schema, identifier=identifier)) }}
{% endmacro %}

{#- The state table, or none when everything must be processed (first build, --full-refresh). -#}
{% macro build_state_relation() %}
    {%- if flags.FULL_REFRESH or not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(target_relation('llm_cost_build_state')) }}
{% endmacro %}

{#- A hash of both pricing seeds' content: a change of any price or alias row changes it. -#}
{% macro pricing_version(prices_relation, aliases_relation) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set parts = [] -%}
    {%- for relation in [prices_relation, aliases_relation] -%}
        {%- set table = run_query('select * from ' ~ relation) -%}
        {%- set rows = [] -%}
        {%- for row in table.rows -%}{%- do rows.append(row.values() | map('string') | join('|')) -%}{%- endfor -%}
        {%- do parts.append(rows | sort | join('\n')) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n--\n'))) }}
{% endmacro %}

{% macro recorded_pricing_version(state_relation) %}
    {%- set result = run_query('select pricing_version from ' ~ state_relation ~ ' order by recorded_at desc limit 1') -%}
    {{ return(result.columns[0].values()[0] if result.rows | length > 0 else none) }}
{% endmacro %}

{#- on-run-end: record the processed state, only when every fct_ mart was built successfully in this invocation. -#}
{% macro record_build_state(results) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set succeeded = [] -%}
    {%- for result in results -%}
        {%- if result.node.resource_type == 'model' and result.node.package_name == 'llm_cost'
              and result.node.name in fct_marts() and result.status == 'success' -%}
            {%- do succeeded.append(result.node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if succeeded | unique | list | length < fct_marts() | length -%}{{ return('') }}{%- endif -%}
    {%- set records = target_relation('stg_otel__span_records') -%}
    {%- set version = pricing_version(target_relation('model_prices'), target_relation('model_aliases')) -%}
    {#- created on the first complete build, so it may not exist yet -#}
    {%- set state = api.Relation.create(database=target.database, schema=target.schema, identifier='llm_cost_build_state') -%}
    {%- call statement('create_build_state') -%}
        create table if not exists {{ state }} (
            recorded_at {{ type_timestamp() }},
            loaded_through {{ type_timestamp() }},
            pricing_version {{ type_string() }}
        )
    {%- endcall -%}
    {%- call statement('record_build_state') -%}
        insert into {{ state }} (recorded_at, loaded_through, pricing_version)
        select {{ current_utc_timestamp() }}, max(loaded_at), '{{ version }}'
        from {{ records }}
    {%- endcall -%}
    {%- do adapter.commit() if target.type == 'duckdb' else none -%}
    {{ return('') }}
{% endmacro %}

{#- Fail loudly when a mart would be rebuilt from scratch out of a partial batch (the intermediates hold only
    the last batch once a complete build has been recorded): e.g. `--full-refresh --select fct_span_costs`. -#}
{% macro assert_full_batch_for_rebuild() %}
    {%- if execute and not is_incremental() -%}
        {%- if target_relation('llm_cost_build_state') is not none -%}
            {%- set full = run_query("select count(*) from " ~ ref('int_spans__in_batch') ~ " where is_full_batch") -%}
            {%- if full.columns[0].values()[0] == 0 -%}
                {{ exceptions.raise_compiler_error(
                    this.identifier ~ " is being rebuilt from scratch, but int_spans__in_batch holds only the latest batch. "
                    ~ "Rebuild the whole chain: dbt build --full-refresh --select +" ~ this.identifier
                ) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- The shared head of every fct_ mart: incremental config replacing the batch's keys, and the rebuild guard. -#}
{% macro incremental_mart(unique_key) %}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=unique_key,
        on_schema_change='append_new_columns',
    ) }}
    -- depends_on: {{ ref('int_spans__in_batch') }}
    {{ assert_full_batch_for_rebuild() }}
{% endmacro %}
