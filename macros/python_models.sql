{#- on-run-start: Python models run on DuckDB (in process) and on BigQuery (Dataproc), never on the BigQuery
    emulator (a REST endpoint with no Dataproc behind it). There they must be off (var python_models_enabled or
    env LLM_COST_PYTHON_MODELS_ENABLED), and the run says so rather than skipping them silently. -#}
{% macro python_models_target_check() %}
    {#- the emulator target of profiles.example.yml (the adapter does not expose api_endpoint to Jinja) -#}
    {%- if not execute or target.name != 'bq_emulator' -%}{{ return('') }}{%- endif -%}
    {%- set enabled = (get_setting('python_models_enabled') | string | lower) in ['true', '1', 'yes'] -%}
    {%- if enabled and flags.WHICH in ['run', 'build'] -%}
        {{ exceptions.raise_compiler_error(
            "Python models cannot run on target " ~ target.name ~ " (the BigQuery emulator: no Dataproc behind it). Set LLM_COST_PYTHON_MODELS_ENABLED=false or --vars '{python_models_enabled: false}'."
        ) }}
    {%- elif not enabled -%}
        {{ log("Python models are disabled on target " ~ target.name ~ " (the BigQuery emulator: no Dataproc behind it)"
            ~ ": rpt_cost_anomalies, rpt_runaway_runs, rpt_cost_change_points and rpt_budget_forecast are not built.", info=true) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
