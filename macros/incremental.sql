{#- Incremental processing (README, "Incremental builds").

    Arrival, not event time, drives it. stg_otel__span_records appends the records of files not loaded before,
    each stamped with loaded_at. Model int_build_batch says what this build processes: the records loaded after
    the last complete build's loaded_through, and the pricing (a hash of the pricing seeds: prices, aliases, contracts) it applies. The batch
    (int_spans__in_batch) is every run with such a record, plus the runs int_runs__repriced finds when the seeds
    changed. Model llm_cost_build_state refs every fct_ mart, so dbt builds it (appending int_build_batch's row)
    only when all of them succeeded: a failed or partial build records nothing, and its work is redone. -#}

{#- The table a model of this project left in the warehouse at the previous build (none when it does not exist),
    resolved from the model's node, so its configured database, schema and alias are used. The only reads of a
    relation without ref(), both of a model downstream of the reader (ref() would be a cycle), both documented in
    README "Incremental builds": llm_cost_build_state (where the last complete build stopped) and fct_span_costs
    (the calls to look up again when the seeds change, int_runs__repriced). -#}
{% macro previous_build_relation(model_name) %}
    {#- a unit test's context has no graph nodes: it builds from its fixtures, never from a previous build -#}
    {%- if not execute or graph.get('nodes') is none -%}{{ return(none) }}{%- endif -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error('previous_build_relation: no model named ' ~ model_name) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias or node.name)) }}
{% endmacro %}

{#- The last complete build's state, or none when everything must be processed (first build, --full-refresh). -#}
{% macro build_state_relation() %}
    {%- if flags.FULL_REFRESH or not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(previous_build_relation('llm_cost_build_state')) }}
{% endmacro %}

{#- A timestamp read back as microseconds, as a literal expression: a warehouse prunes partitions by constants. -#}
{% macro timestamp_literal(micros) %}{{ return(timestamp_from_unix_nanos("'" ~ (micros | int) ~ "000'")) }}{% endmacro %}

{#- The last complete build's loaded_through and pricing_version (none and none when there is no state yet); the
    loaded_through as a literal. -#}
{% macro recorded_build_state(state_relation) %}
    {%- if state_relation is none or not execute -%}{{ return({'loaded_through': none, 'pricing_version': none}) }}{%- endif -%}
    {%- set result = run_query('select ' ~ unix_micros('loaded_through') ~ ', pricing_version from ' ~ state_relation
        ~ ' order by recorded_at desc limit 1') -%}
    {%- if result.rows | length == 0 -%}{{ return({'loaded_through': none, 'pricing_version': none}) }}{%- endif -%}
    {%- set row = result.rows[0] -%}
    {{ return({
        'loaded_through': timestamp_literal(row[0]) if row[0] is not none else none,
        'pricing_version': row[1],
    }) }}
{% endmacro %}

{#- This build's batch as int_build_batch computed it (for models downstream of it): loaded_after as a literal
    (none: every record), is_full_batch, and whether the seeds changed since the last complete build. -#}
{% macro build_batch() %}
    {%- set everything = {'loaded_after': none, 'is_full_batch': true, 'seeds_changed': false} -%}
    {#- not built yet: a compile on an empty warehouse (sqlfluff, dbt compile) -#}
    {%- if not execute or load_relation(ref('int_build_batch')) is none -%}{{ return(everything) }}{%- endif -%}
    {%- set result = run_query('select ' ~ unix_micros('loaded_after') ~ ', is_full_batch, '
        ~ 'coalesce(pricing_version <> previous_pricing_version, false) from ' ~ ref('int_build_batch')) -%}
    {#- under --empty the ref reads no row -#}
    {%- if result.rows | length == 0 -%}{{ return(everything) }}{%- endif -%}
    {%- set row = result.rows[0] -%}
    {{ return({
        'loaded_after': timestamp_literal(row[0]) if row[0] is not none else none,
        'is_full_batch': row[1],
        'seeds_changed': row[2],
    }) }}
{% endmacro %}

{#- Fail loudly when a mart would be rebuilt from scratch out of a partial batch (the intermediates hold only
    the last batch once a complete build has been recorded): e.g. `--full-refresh --select fct_span_costs`. -#}
{% macro assert_full_batch_for_rebuild() %}
    {%- if execute and not is_incremental() and previous_build_relation('llm_cost_build_state') is not none -%}
        {%- set full = run_query("select count(*) from " ~ ref('int_spans__in_batch') ~ " where is_full_batch") -%}
        {%- if full.columns[0].values()[0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ " is being rebuilt from scratch, but int_spans__in_batch holds only the latest batch. "
                ~ "Rebuild the whole chain: dbt build --full-refresh --select +" ~ this.identifier
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- A predicate keeping the days the batch's spans started on, as literal dates (a warehouse prunes partitions by
    constants, not by a subquery). Every row a batch run ever produced lies on one of them. -#}
{% macro in_batch_days(column) %}
    {%- if not execute -%}{{ return('true') }}{%- endif -%}
    {%- set query = 'select distinct day from ' ~ ref('int_spans__in_batch') ~ ' order by 1' -%}
    {%- set days = run_query(query).columns[0].values() -%}
    {%- if days | length == 0 -%}{{ return('false') }}{%- endif -%}
    {%- set literals = [] -%}
    {%- for day in days -%}{%- do literals.append("cast('" ~ day ~ "' as date)") -%}{%- endfor -%}
    {{ return(column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}

{#- A predicate keeping the rows of the batch's runs: of a run in int_spans__in_batch (runs: its run id column) and, when
    a day column is given, on the batch's days (macro in_batch_days). -#}
{% macro in_batch_scope(runs=none, days=none) %}
    {%- set conditions = [] -%}
    {%- if days -%}{%- do conditions.append(in_batch_days(days)) -%}{%- endif -%}
    {%- if runs -%}
        {%- do conditions.append(runs ~ ' in (select in_batch.trace_id from ' ~ ref('int_spans__in_batch') ~ ' as in_batch)') -%}
    {%- endif -%}
    {{ return(conditions | join(' and ') if conditions else 'true') }}
{%- endmacro %}

{#- Replacing the batch: the write of every model that holds rows of runs or days (the fct_ marts, the
    duplicate-layer audit). The model's config names it and says what a batch replaces, in meta replace_batch:
    {'runs': <run id column>} and/or {'days': <day column>}: every old row of the batch's runs (on the batch's
    days) is deleted and the batch's new rows are inserted, in one transaction. Clearing the scope rather than
    the new rows' keys also clears a run or day left with no rows (a call that became a duplicate layer of a
    late span). {'rebuilt': {'column': <column>, 'unless': <value>}} also replaces, whatever their run or day,
    the old rows whose column is not that value: rows a model rebuilds whole on every build (fct_focus_costs'
    report rows). On DuckDB: the custom incremental strategy 'replace_batch' below; on BigQuery, which accepts
    only its own strategies: 'merge', made the MERGE replace_batch_merge_sql by bigquery__get_merge_sql. -#}
{% macro replace_batch_strategy() %}{{ return(adapter.dispatch('replace_batch_strategy', 'llm_cost')()) }}{% endmacro %}
{% macro default__replace_batch_strategy() %}{{ return('replace_batch') }}{% endmacro %}
{% macro bigquery__replace_batch_strategy() %}{{ return('merge') }}{% endmacro %}

{#- BigQuery partitions a mart by its day (a batch's MERGE prunes to the batch's days); other warehouses: none. -#}
{% macro day_partitions(column='day') %}{{ return(adapter.dispatch('day_partitions', 'llm_cost')(column)) }}{% endmacro %}
{% macro default__day_partitions(column) %}{{ return(none) }}{% endmacro %}
{% macro bigquery__day_partitions(column) %}{{ return({'field': column, 'data_type': 'date', 'granularity': 'day'}) }}{% endmacro %}

{#- The scope columns of a model with meta replace_batch (none for any other model). -#}
{% macro replace_batch_scope() %}
    {%- set scope = (config.get('meta') or {}).get('replace_batch') -%}
    {%- if scope is not none and (scope is not mapping or not (scope.get('runs') or scope.get('days'))) -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": meta replace_batch must name a 'runs' and/or a 'days' column, got " ~ scope) }}
    {%- endif -%}
    {{ return(scope) }}
{% endmacro %}

{#- DuckDB (dbt calls get_incremental_<strategy>_sql). -#}
{% macro get_incremental_replace_batch_sql(arg_dict) %}
    {%- set scope = replace_batch_scope() -%}
    {%- if scope is none -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": incremental_strategy 'replace_batch' needs meta replace_batch") }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where ({{ in_batch_scope(runs=scope.get('runs'), days=scope.get('days')) }})
    {%- if scope.get('rebuilt') %}
        or {{ scope['rebuilt']['column'] }} <> '{{ scope['rebuilt']['unless'] }}'
    {%- endif %};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}

{#- BigQuery: every row of the new batch is inserted; every old row of the batch's days and runs is deleted. The
    batch's days and runs come from int_spans__in_batch as array variables, which BigQuery prunes partitions by.
    dbt-bigquery has no delete+insert, and a merge on a key would leave a row that no longer exists in place;
    insert_overwrite would need every other run of those days re-selected. -#}
{% macro replace_batch_merge_sql(target, source, dest_columns, scope) -%}
    {%- set batch = ref('int_spans__in_batch') -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    declare llm_cost_batch_days array<date> default (select array_agg(distinct day) from {{ batch }});
    declare llm_cost_batch_runs array<string> default (select array_agg(distinct trace_id) from {{ batch }});

    merge into {{ target }} as DBT_INTERNAL_DEST
    using {{ source }} as DBT_INTERNAL_SOURCE
    on false
    when not matched then
        insert ({{ columns }}) values ({{ columns }})
    when not matched by source and (
        (
            true
            {%- if scope.get('days') %}
            and DBT_INTERNAL_DEST.{{ scope['days'] }} in unnest(llm_cost_batch_days)
            {%- endif %}
            {%- if scope.get('runs') %}
            and DBT_INTERNAL_DEST.{{ scope['runs'] }} in unnest(llm_cost_batch_runs)
            {%- endif %}
        )
        {%- if scope.get('rebuilt') %}
        or DBT_INTERNAL_DEST.{{ scope['rebuilt']['column'] }} <> '{{ scope['rebuilt']['unless'] }}'
        {%- endif %}
    )
        then delete
{%- endmacro %}

{#- dbt-bigquery's strategy 'merge' builds its SQL here: replace_batch_merge_sql for a model with meta
    replace_batch, dbt's own merge for any other. -#}
{% macro bigquery__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
    {%- set scope = replace_batch_scope() -%}
    {%- if scope is none -%}
        {{ return(dbt.default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates)) }}
    {%- endif -%}
    {{ return(replace_batch_merge_sql(target, source, dest_columns, scope)) }}
{%- endmacro %}

{#- Append-only models (the span record log, the build state). On BigQuery a merge without a key is an insert;
    the record log is partitioned by the arrival day so a batch reads only the newest partitions, clustered by
    trace. -#}
{% macro append_only_config(partition_timestamp=none, cluster_by=none) %}
    {{ adapter.dispatch('append_only_config', 'llm_cost')(partition_timestamp, cluster_by) }}
{% endmacro %}

{% macro default__append_only_config(partition_timestamp, cluster_by) %}
    {{ config(materialized='incremental', incremental_strategy='append') }}
{% endmacro %}

{% macro bigquery__append_only_config(partition_timestamp, cluster_by) %}
    {{ config(
        materialized='incremental',
        incremental_strategy='merge',
        partition_by={'field': partition_timestamp, 'data_type': 'timestamp', 'granularity': 'day'} if partition_timestamp else none,
        cluster_by=cluster_by,
    ) }}
{% endmacro %}

{#- A CTE `name` with one text per row of a seed (every column, in order, nulls spelled out), to hash its content. -#}
{% macro seed_rows_text(name, relation) %}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list if execute else [] -%}
    {{ name }} as (
        select
            {%- if columns | length == 0 %}
            cast('' as {{ type_string() }}) as row_text
            {%- else %}
            concat(
                {%- for column in columns %}
                coalesce(cast(seed_rows.{{ adapter.quote(column) }} as {{ type_string() }}), '<null>'){{ ", '|'," if not loop.last }}
                {%- endfor %}
            ) as row_text
            {%- endif %}
        from {{ relation }} as seed_rows
    )
{%- endmacro %}

{#- The names of the current model's parents that this invocation does not build (not selected). -#}
{% macro unselected_parents() %}
    {%- set unselected = [] -%}
    {%- if execute -%}
        {%- for node_id in model.depends_on.nodes if node_id not in selected_resources -%}
            {%- do unselected.append(node_id.split('.')[-1]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(unselected) }}
{% endmacro %}

{#- An fct_span_costs built before a release added columns computed from the spans (contracts: account_id and
    effective_cost_usd; price modifiers; prompt versions; audio token signals; audio rates; image token signals) would
    keep every older row without them: an incremental build cannot fill them in. Stop with what to do instead (README
    "Good to know"). Nothing to check on a full refresh or a first build. -#}
{% macro assert_span_costs_are_current() %}
    {%- if not execute or flags.FULL_REFRESH -%}{{ return('') }}{%- endif -%}
    {%- set span_costs = previous_build_relation('fct_span_costs') -%}
    {%- if span_costs is none -%}{{ return('') }}{%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(span_costs) | map(attribute='name') | map('lower') | list -%}
    {%- set added_with = [
        ('contracts', ['account_id', 'effective_cost_usd']),
        ('price modifiers', ['inference_profile', 'unpriced_modifiers']),
        ('prompt versions', ['prompt_name', 'prompt_version']),
        ('failures and retries', ['is_failed_call', 'is_retry', 'is_failed_run']),
        ('audio token signals', ['audio_input_tokens', 'audio_output_tokens']),
        ('audio rates', ['audio_input_billed_tokens', 'audio_input_cost_usd']),
        ('image token signals', ['image_input_tokens', 'image_output_tokens']),
    ] -%}
    {%- for release, needed in added_with -%}
        {%- set missing = needed | reject('in', columns) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                span_costs ~ " was built before " ~ release ~ " (no " ~ missing | join(' or ') ~ " column). "
                ~ "Rebuild it once from the landed spans: dbt build --full-refresh"
            ) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
