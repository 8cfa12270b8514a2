{#- Incremental processing (see README, "Incremental builds").

    Arrival, not event time, drives it: stg_otel__span_records appends the records of files not loaded
    before, each stamped with loaded_at. A run (trace) is in the processing batch when any of its records
    was loaded after the watermark: the newest run_loaded_at already in fct_span_costs. The intermediate
    models then hold the batch's runs, recomputed whole, and each fct_ mart replaces exactly those runs. -#}

{#- The relation holding the watermark, or none when everything must be processed (first build, full refresh). -#}
{% macro batch_watermark_relation() %}
    {%- if flags.FULL_REFRESH or not execute -%}{{ return(none) }}{%- endif -%}
    {%- set relation = adapter.get_relation(database=this.database, schema=this.schema, identifier='fct_span_costs') -%}
    {{ return(relation) }}
{% endmacro %}

{#- Fail loudly when a mart would be rebuilt from scratch out of a partial batch. -#}
{% macro assert_full_batch_for_rebuild() %}
    {%- if execute and not is_incremental() -%}
        {%- set partial = run_query("select count(*) from " ~ ref('int_spans__in_batch') ~ " where not is_full_batch") -%}
        {%- if partial.columns[0].values()[0] > 0 -%}
            {{ exceptions.raise_compiler_error(
                this.identifier ~ " is being rebuilt from scratch, but int_spans__in_batch holds only the latest batch. "
                ~ "Rebuild the whole chain: dbt build --full-refresh --select +" ~ this.identifier
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
