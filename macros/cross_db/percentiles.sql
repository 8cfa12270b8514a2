{#- Nearest-rank percentiles: the smallest value with at least p% of its group's rows at or below it, i.e. the value at
    rank ceil(n * p / 100), so each is an exact value of a real row (no interpolation).
    DuckDB has it as an aggregate: quantile_disc takes that rank, in integer arithmetic for a decimal fraction (one
    sort per group and measure for all the percentiles; 946,536 runs of a 10M-span build: 1.6 s ranked by windows,
    0.15 s, same rows). Elsewhere (BigQuery has no exact percentile aggregate) the rows are ranked first:
    nearest_rank_columns adds the ranks to the rows, nearest_rank reads the value at the rank in the aggregate. -#}

{#- The rank columns for nearest_rank, each followed by a comma (none on DuckDB): group_rows, and <measure>_rank for
    every measure (ties broken by tie_breaker, so the rank is total; the value at a rank does not depend on it). -#}
{% macro nearest_rank_columns(relation, measures, partition_by, tie_breaker) %}
    {{- return(adapter.dispatch('nearest_rank_columns', 'llm_cost')(relation, measures, partition_by, tie_breaker)) -}}
{% endmacro %}
{% macro default__nearest_rank_columns(relation, measures, partition_by, tie_breaker) -%}
    {%- set partition -%}
        partition by {% for column in partition_by %}{{ relation }}.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
    {%- endset %}
        count(*) over ({{ partition }}) as group_rows,
    {%- for measure in measures %}
        row_number() over (
            {{ partition }}
            order by {{ relation }}.{{ measure }}, {{ relation }}.{{ tie_breaker }}
        ) as {{ measure }}_rank,
    {%- endfor %}
{%- endmacro %}
{% macro duckdb__nearest_rank_columns(relation, measures, partition_by, tie_breaker) %}{% endmacro %}

{#- The aggregate: the percentile p (an integer, 50 for the median) of measure, out of the percentiles the model takes
    of it (all of them, so DuckDB sorts once for the lot). -#}
{% macro nearest_rank(relation, measure, p, percentiles) %}
    {{- return(adapter.dispatch('nearest_rank', 'llm_cost')(relation, measure, p, percentiles)) -}}
{% endmacro %}
{% macro default__nearest_rank(relation, measure, p, percentiles) -%}
    min(case when {{ relation }}.{{ measure }}_rank * 100 >= {{ relation }}.group_rows * {{ p }} then {{ relation }}.{{ measure }} end)
{%- endmacro %}
{% macro duckdb__nearest_rank(relation, measure, p, percentiles) -%}
    {#- fractions written as decimal literals (0.95), never doubles: 20 runs x 0.95 must be rank 19, not 20 -#}
    {%- for q in percentiles if not (q is integer and 0 < q <= 100) -%}
        {{ exceptions.raise_compiler_error("nearest_rank: percentiles are whole numbers from 1 to 100, got " ~ q) }}
    {%- endfor -%}
    quantile_disc({{ relation }}.{{ measure }}, [
        {%- for q in percentiles %}{{ '%.2f' | format(q / 100) }}{{ ', ' if not loop.last }}{% endfor -%}
    ])[{{ percentiles.index(p) + 1 }}]
{%- endmacro %}
