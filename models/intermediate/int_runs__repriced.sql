{#- Runs to reprice because a seed changed (README, "Price changes"): when the pricing seeds differ from the
    version recorded by the last complete build (int_build_batch), every call already in fct_span_costs is looked
    up again with the same rules (macros resolve_model_names, choose_price_rows, choose_contract_rows), and the runs of
    the calls whose price row, contract row or price modifier rules (or model resolution) changed are returned; int_spans__in_batch adds them
    to the batch. Nothing else is repriced, and when the seeds did not change nothing is read at all. -#}
-- depends_on: {{ ref('int_build_batch') }}
-- depends_on: {{ ref('stg_seeds__model_prices') }}
-- depends_on: {{ ref('stg_seeds__model_aliases') }}
-- depends_on: {{ ref('int_model_prices__ranged') }}
-- depends_on: {{ ref('int_contracts') }}
-- depends_on: {{ ref('int_price_modifiers') }}
{%- set batch = build_batch() -%}
{#- the calls of the previous build: fct_span_costs is downstream, so it is read through previous_build_relation -#}
{%- set span_costs = previous_build_relation('fct_span_costs') if batch['seeds_changed'] else none -%}
{%- set seeds_changed = batch['seeds_changed'] and span_costs is not none -%}
{{ assert_span_costs_are_current() }}

{% if seeds_changed %}
with

existing_calls as (
    select
        span_id,
        run_id,
        {%- for column in call_pricing_columns() %}
        {{ column }},
        {%- endfor %}
        price_fingerprint
    from {{ span_costs }}
),

reported_names as (
    select distinct reported_provider, response_model as model_name from existing_calls where response_model is not null
    union distinct
    select distinct reported_provider, request_model as model_name from existing_calls where request_model is not null
    union distinct
    select distinct reported_provider, unprefixed_model as model_name from existing_calls where unprefixed_model is not null
),

{{ resolve_model_names('reported_names') }},

calls_with_model as (
    {{ calls_with_priced_model('existing_calls', 'resolved_model_names') }}
),

{{ choose_price_rows('calls_with_model') }},

{{ choose_contract_rows('calls_with_model') }},

{{ choose_modifier_rows('calls_with_model') }}

select distinct calls_with_model.run_id
from calls_with_model
left join chosen_price
    on chosen_price.span_id = calls_with_model.span_id
left join chosen_contract
    on chosen_contract.span_id = calls_with_model.span_id
left join chosen_modifiers
    on chosen_modifiers.span_id = calls_with_model.span_id
where {{ call_price_fingerprint('chosen_price', 'chosen_contract', 'chosen_modifiers') }} <> calls_with_model.price_fingerprint
{% else %}
select no_runs.run_id
from (select cast(null as {{ type_string() }}) as run_id) as no_runs
where no_runs.run_id is not null
{% endif %}
