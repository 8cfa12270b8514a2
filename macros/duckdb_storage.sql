{#- on-run-end (dbt_project.yml): a DuckDB build ends with a checkpoint, so the build that leaves storage work pays it.
    DuckDB merges partly filled row groups (one per trace pass of a table: macro trace_partitioned_config) and drops
    deleted rows (incremental replace_batch) only in a checkpoint no other transaction overlaps, which the automatic
    checkpoints of a 2-thread build rarely are: that work then fell on the next build's first commit, 2.5-3 s at 10M
    spans on a 1% incremental run (bench/RESULTS.md, 2026-12-07). With every model done, nothing overlaps. A no-op when
    the build wrote nothing; nothing on other warehouses. -#}
{% macro checkpoint_after_build() %}
    {{- return(adapter.dispatch('checkpoint_after_build', 'llm_cost')()) -}}
{% endmacro %}
{% macro default__checkpoint_after_build() %}{{ return('') }}{% endmacro %}
{% macro duckdb__checkpoint_after_build() %}{{ return('checkpoint' if execute else '') }}{% endmacro %}
