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

{#- A timestamp read back as microseconds, as a literal expression: a warehouse prunes partitions by constants. -#}
{% macro timestamp_literal(micros) %}{{ return(timestamp_from_unix_nanos("'" ~ (micros | int) ~ "000'")) }}{% endmacro %}

{#- The last complete build's loaded_through as a literal, or none (no state yet). -#}
{% macro recorded_loaded_through(state_relation) %}
    {%- if state_relation is none or not execute -%}{{ return(none) }}{%- endif -%}
    {%- set values = run_query('select ' ~ unix_micros('loaded_through') ~ ' from ' ~ state_relation ~ ' order by recorded_at desc limit 1').columns[0].values() -%}
    {{ return(timestamp_literal(values[0]) if values | length > 0 and values[0] is not none else none) }}
{% endmacro %}

{% macro recorded_pricing_version(state_relation) %}
    {%- set result = run_query('select pricing_version from ' ~ state_relation ~ ' order by recorded_at desc limit 1') -%}
    {{ return(result.columns[0].values()[0] if result.rows | length > 0 else none) }}
{% endmacro %}

{#- on-run-end: record the processed state, only when every fct_ mart was built successfully in this invocation. -#}
{% macro record_build_state(results) %}
    {#- a --empty build (schemas only) processed no record: recording it would mark them all as processed -#}
    {%- if not execute or invocation_args_dict.get('empty') -%}{{ return('') }}{%- endif -%}
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
    {#- only the log's partitions since the previous state are read -#}
    {%- set previous = recorded_loaded_through(target_relation('llm_cost_build_state')) -%}
    {%- call statement('record_build_state') -%}
        insert into {{ state }} (recorded_at, loaded_through, pricing_version)
        select
            {{ current_utc_timestamp() }},
            {% if previous is not none %}coalesce(max(loaded_at), {{ previous }}){% else %}max(loaded_at){% endif %},
            '{{ version }}'
        from {{ records }}
        {% if previous is not none %}where loaded_at > {{ previous }}{% endif %}
    {%- endcall -%}
    {%- do commit_open_transaction() -%}
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

{#- A predicate keeping the days the batch's spans started on, as literal dates (a warehouse prunes partitions by
    constants, not by a subquery). Every row a batch run ever produced lies on one of them. -#}
{% macro in_batch_days(column) %}
    {%- if not execute -%}{{ return('true') }}{%- endif -%}
    {%- set query = 'select distinct ' ~ to_day('started_at') ~ ' from ' ~ ref('int_spans__in_batch') ~ ' order by 1' -%}
    {%- set days = run_query(query).columns[0].values() -%}
    {%- if days | length == 0 -%}{{ return('false') }}{%- endif -%}
    {%- set literals = [] -%}
    {%- for day in days -%}{%- do literals.append("cast('" ~ day ~ "' as date)") -%}{%- endfor -%}
    {{ return(column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}

{#- The shared head of every fct_ mart: the incremental config replacing the batch (per adapter, below) and the
    rebuild guard. replace: 'run' (the batch's runs) or 'day' (the batch's days). cluster_by: what BI filters on. -#}
{% macro incremental_mart(replace, cluster_by=[]) %}
    {{ adapter.dispatch('incremental_mart_config', 'llm_cost')(replace, cluster_by) }}
    -- depends_on: {{ ref('int_spans__in_batch') }}
    {{ assert_full_batch_for_rebuild() }}
{% endmacro %}

{#- DuckDB: the pre-hook clears the batch's whole scope (its days, and for 'run' its runs), then the batch's rows
    are appended, in one transaction. Clearing the scope rather than the output's keys (delete+insert) also
    clears a day or run left with no rows (a call that became a duplicate layer of a late span), as BigQuery's
    MERGE below does. -#}
{% macro default__incremental_mart_config(replace, cluster_by) %}
    {%- set runs_filter = " and run_id in (select trace_id from {{ ref('int_spans__in_batch') }})" if replace == 'run' else '' -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where {{ in_batch_days('day') }}" ~ runs_filter ~ "{% endif %}",
    ) }}
{% endmacro %}

{#- BigQuery: partitioned by day and clustered, replaced by one MERGE that inserts the batch's rows and deletes
    the rows they replace, pruned to the batch's day partitions (bigquery__get_merge_sql below). dbt-bigquery has
    no delete+insert, and plain merge on a key would leave a row that no longer exists (a call that became a
    duplicate layer) in place; insert_overwrite would need every other run of those days re-selected. -#}
{% macro bigquery__incremental_mart_config(replace, cluster_by) %}
    {{ config(
        materialized='incremental',
        incremental_strategy='merge',
        partition_by={'field': 'day', 'data_type': 'date', 'granularity': 'day'},
        cluster_by=cluster_by or none,
        meta={'replace_batch': replace},
        on_schema_change='append_new_columns',
    ) }}
{% endmacro %}

{#- Append-only models (the span record log, the duplicate-layer audit). On BigQuery a merge without a key is
    an insert; partitioned by the arrival day so a batch reads only the newest partitions, clustered by trace. -#}
{% macro append_only_config(partition_timestamp=none) %}
    {{ adapter.dispatch('append_only_config', 'llm_cost')(partition_timestamp) }}
{% endmacro %}

{% macro default__append_only_config(partition_timestamp) %}
    {{ config(materialized='incremental', incremental_strategy='append') }}
{% endmacro %}

{% macro bigquery__append_only_config(partition_timestamp) %}
    {{ config(
        materialized='incremental',
        incremental_strategy='merge',
        partition_by={'field': partition_timestamp, 'data_type': 'timestamp', 'granularity': 'day'} if partition_timestamp else none,
        cluster_by=['trace_id'],
    ) }}
{% endmacro %}

{#- The MERGE of a mart with meta replace_batch (see bigquery__incremental_mart_config): every row of the new
    batch is inserted; every old row of the batch's days (and, for 'run', of the batch's runs) is deleted. The
    batch's days and runs come from int_spans__in_batch as array variables, which BigQuery prunes partitions by.
    Any other incremental model gets dbt's own merge. -#}
{% macro bigquery__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
    {%- set replace = (config.get('meta') or {}).get('replace_batch') -%}
    {%- if replace is none -%}
        {{ return(dbt.default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates)) }}
    {%- endif -%}
    {%- set batch = ref('int_spans__in_batch') -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    declare llm_cost_batch_days array<date> default (select array_agg(distinct date(started_at)) from {{ batch }});
    declare llm_cost_batch_runs array<string> default (select array_agg(distinct trace_id) from {{ batch }});

    merge into {{ target }} as DBT_INTERNAL_DEST
    using {{ source }} as DBT_INTERNAL_SOURCE
    on false
    when not matched then
        insert ({{ columns }}) values ({{ columns }})
    when not matched by source
        and DBT_INTERNAL_DEST.day in unnest(llm_cost_batch_days)
        {%- if replace == 'run' %}
        and DBT_INTERNAL_DEST.run_id in unnest(llm_cost_batch_runs)
        {%- endif %}
        then delete
{%- endmacro %}
