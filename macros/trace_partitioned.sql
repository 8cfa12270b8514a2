{#- Models whose query holds a whole batch's per-trace state in memory at once (the recursive span-tree walk:
    DuckDB cannot spill a recursive CTE) run on DuckDB as materialization `trace_partitioned_table`: the
    model's query once per partition of traces, each pass inserting into the new table, so memory follows
    `max_spans_per_pass` instead of the batch (README "Scale"). A partition is a range of trace buckets (a hash of
    the trace id, macro trace_bucket), so a trace is never split and the result equals the one-pass table. The model
    marks where its input is cut with trace_partition(<bucket>): the input's stored trace_bucket column, or
    trace_bucket('<trace id column>') for an input that has none (int_llm_call_layers, int_llm_calls__priced: each
    pass then hashes every row of it). int_spans__normalized is written ordered by
    its bucket and each pass's rows are inserted together, so a pass reads the row groups of its range only (DuckDB
    skips the others by their min/max); a hash computed in the filter would decode every row of every pass's inputs,
    so the passes would cost the square of the batch. On BigQuery (which scales out) and in unit tests it is one
    pass. -#}

{#- How many buckets the traces hash to: at least the passes of the largest build (one per max_spans_per_pass). -#}
{% macro trace_bucket_count() %}{{ return(4096) }}{% endmacro %}

{#- A trace's bucket, from its id: 0 to trace_bucket_count() - 1 on DuckDB; 0 elsewhere (one pass). -#}
{% macro trace_bucket(trace_id_column) %}
    {{- return(adapter.dispatch('trace_bucket', 'llm_cost')(trace_id_column)) -}}
{% endmacro %}
{% macro default__trace_bucket(trace_id_column) %}0{% endmacro %}
{% macro duckdb__trace_bucket(trace_id_column) -%}
    cast(hash({{ trace_id_column }}) % {{ trace_bucket_count() }} as integer)
{%- endmacro %}

{#- The rows' order for a table that trace passes read: by bucket on DuckDB, none elsewhere. -#}
{% macro trace_bucket_order(bucket_column) %}
    {{- return(adapter.dispatch('trace_bucket_order', 'llm_cost')(bucket_column)) -}}
{% endmacro %}
{% macro default__trace_bucket_order(bucket_column) %}{% endmacro %}
{% macro duckdb__trace_bucket_order(bucket_column) %}order by {{ bucket_column }}{% endmacro %}

{#- The marker: every trace on one pass (valid SQL as compiled, and it keeps the rows of a unit test's fixture, which
    has no bucket); the materialization rewrites it into each pass's range of buckets. -#}
{% macro trace_partition(bucket) %}
    {{- return(adapter.dispatch('trace_partition', 'llm_cost')(bucket)) -}}
{% endmacro %}
{% macro default__trace_partition(bucket) %}true{% endmacro %}
{% macro duckdb__trace_partition(bucket) -%}
    (true /* {{ trace_partition_marker() }} {{ bucket }} */)
{%- endmacro %}
{#- The marker's words, written by duckdb__trace_partition and found by trace_partition_sql. -#}
{% macro trace_partition_marker() %}{{ return('llm_cost: trace partition by') }}{% endmacro %}

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

{#- Passes for this build: the input model's spans / max_spans_per_pass, at least one, at most one per bucket. -#}
{% macro trace_partition_count() %}
    {%- set spans = run_query('select count(*) from ' ~ ref(config.get('meta')['trace_partition_input'])).columns[0].values()[0] -%}
    {%- set per_pass = get_setting('max_spans_per_pass') | int -%}
    {{ return([1, [((spans + per_pass - 1) // per_pass) | int, trace_bucket_count()] | min] | max) }}
{% endmacro %}

{#- The model's SQL for one pass: every marker made "<its bucket> between <first> and <last bucket of the pass>". -#}
{% macro trace_partition_sql(code, partition, partitions) %}
    {%- set marker = '\(true /\* ' ~ modules.re.escape(trace_partition_marker()) ~ ' (.+?) \*/\)' -%}
    {%- if not modules.re.search(marker, code) -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": materialized as trace_partitioned_table but its SQL has no trace_partition() filter") }}
    {%- endif -%}
    {%- set buckets = trace_bucket_count() -%}
    {%- set first = partition * buckets // partitions -%}
    {%- set last = (partition + 1) * buckets // partitions - 1 -%}
    {{ return(modules.re.sub(marker, '(\\1 between ' ~ first ~ ' and ' ~ last ~ ')', code)) }}
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
