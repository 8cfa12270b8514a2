{#- Models whose query holds a whole batch's per-trace state in memory at once (the recursive span-tree walk:
    DuckDB cannot spill a recursive CTE) run on DuckDB as materialization `trace_partitioned_table`: the
    model's query once per partition of traces (hash of the trace id), each pass inserting into the new table,
    so memory follows `max_spans_per_pass` instead of the batch (README "Scale"). A trace is never split, so
    the result equals the one-pass table. The model marks where its input is cut with
    trace_partition('<trace id column>'); on BigQuery (which scales out) and in unit tests it is one pass. -#}

{#- The marker: every row on one pass (valid SQL as compiled); the materialization rewrites it per pass. -#}
{% macro trace_partition(trace_id_column) %}
    {{- return(adapter.dispatch('trace_partition', 'llm_cost')(trace_id_column)) -}}
{% endmacro %}
{% macro default__trace_partition(trace_id_column) %}true{% endmacro %}
{% macro duckdb__trace_partition(trace_id_column) -%}
    (hash({{ trace_id_column }}) {{ trace_partition_marker(0, 1) }})
{%- endmacro %}
{#- "% partitions = partition", tagged so the materialization finds it in the compiled SQL -#}
{% macro trace_partition_marker(partition, partitions) -%}
    % {{ partitions }} = {{ partition }} /* llm_cost: trace partition */
{%- endmacro %}

{#- The model's config: the partitioned table on DuckDB, a plain table elsewhere. input_model: the model it reads
    spans from (one of its refs), whose row count sets the number of passes. -#}
{% macro trace_partitioned_config(input_model) %}
    {{ config(
        materialized=adapter.dispatch('trace_partitioned_materialization', 'llm_cost')(),
        meta={'trace_partition_input': input_model},
    ) }}
{% endmacro %}
{% macro default__trace_partitioned_materialization() %}{{ return('table') }}{% endmacro %}
{% macro duckdb__trace_partitioned_materialization() %}{{ return('trace_partitioned_table') }}{% endmacro %}

{#- Passes for this build: the input model's spans / max_spans_per_pass, at least one. -#}
{% macro trace_partition_count() %}
    {%- set spans = run_query('select count(*) from ' ~ ref(config.get('meta')['trace_partition_input'])).columns[0].values()[0] -%}
    {%- set per_pass = get_setting('max_spans_per_pass') | int -%}
    {{ return([1, ((spans + per_pass - 1) // per_pass) | int] | max) }}
{% endmacro %}

{% macro trace_partition_sql(code, partition, partitions) %}
    {%- set marker = trace_partition_marker(0, 1) -%}
    {%- if marker not in code -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": materialized as trace_partitioned_table but its SQL has no trace_partition() filter") }}
    {%- endif -%}
    {{ return(code | replace(marker, trace_partition_marker(partition, partitions))) }}
{% endmacro %}

{#- dbt-duckdb's table materialization (build aside, swap, drop the old one in one transaction), with the build
    done in passes. -#}
{% materialization trace_partitioned_table, adapter='duckdb' %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set backup_relation = make_backup_relation(target_relation, 'table' if existing_relation is none else existing_relation.type) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set partitions = trace_partition_count() -%}
    {% call statement('main') -%}
        {{ create_table_as(False, intermediate_relation, trace_partition_sql(compiled_code, 0, partitions)) }}
    {%- endcall %}
    {% for partition in range(1, partitions) %}
        {% call statement('trace_partition_' ~ partition) -%}
            insert into {{ intermediate_relation }} {{ trace_partition_sql(compiled_code, partition, partitions) }}
        {%- endcall %}
    {% endfor %}
    {% if partitions > 1 %}{{ log(this.identifier ~ ': built in ' ~ partitions ~ ' passes of traces', info=true) }}{% endif %}

    {% if existing_relation is not none %}
        {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ drop_relation_if_exists(backup_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
