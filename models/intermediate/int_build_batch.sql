{#- This build's batch, one row (README, "Incremental builds"): the record arrivals it processes, after the last
    complete build's loaded_through up to the newest record, and the pricing it applies, a hash of the four pricing
    seeds (prices, aliases, contracts, price modifiers: an empty contracts or modifiers seed adds nothing, so the hash stays
    what it was).
    llm_cost_build_state appends this row once every fct_ mart is built; the previous state is read through
    previous_build_relation, since ref() to a downstream model would be a cycle. -#}
-- depends_on: {{ ref('stg_otel__span_records') }}
{%- set state = build_state_relation() -%}
{%- set recorded = recorded_build_state(state) -%}
{%- set loaded_after = recorded['loaded_through'] -%}
{%- set previous_version = recorded['pricing_version'] %}

with

new_records as (
    select span_records.loaded_at
    from {{ ref('stg_otel__span_records') }} as span_records
    {%- if loaded_after is not none %}
    -- a literal, so a warehouse prunes the record log's arrival partitions by it
    where span_records.loaded_at > {{ loaded_after }}
    {%- endif %}
),

{{ seed_rows_text('price_rows', ref('model_prices')) }},

{{ seed_rows_text('alias_rows', ref('model_aliases')) }},

{{ seed_rows_text('contract_rows', ref('contracts')) }},

{{ seed_rows_text('modifier_rows', ref('price_modifiers')) }},

pricing_rows as (
    select concat('model_prices|', price_rows.row_text) as row_text from price_rows
    union all
    select concat('model_aliases|', alias_rows.row_text) as row_text from alias_rows
    union all
    select concat('contracts|', contract_rows.row_text) as row_text from contract_rows
    union all
    select concat('price_modifiers|', modifier_rows.row_text) as row_text from modifier_rows
),

pricing as (
    select
        {{ sha256_hex("string_agg(pricing_rows.row_text, '|||' order by pricing_rows.row_text)") }} as pricing_version
    from pricing_rows
),

arrivals as (
    select max(new_records.loaded_at) as newest_loaded_at
    from new_records
),

final as (
    select
        {{ loaded_after if loaded_after is not none else 'cast(null as ' ~ type_timestamp() ~ ')' }} as loaded_after,
        {%- if loaded_after is not none %}
        coalesce(arrivals.newest_loaded_at, {{ loaded_after }}) as loaded_through,
        {%- else %}
        arrivals.newest_loaded_at as loaded_through,
        {%- endif %}
        pricing.pricing_version,
        {{ "'" ~ previous_version ~ "'" if previous_version is not none else 'cast(null as ' ~ type_string() ~ ')' }}
            as previous_pricing_version,
        -- no state, or one recorded before any record arrived (an empty landing, a `--empty` build): everything
        {{ 'true' if loaded_after is none else 'false' }} as is_full_batch
    from arrivals
    cross join pricing
)

select * from final
