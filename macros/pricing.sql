{#- The price lookup, shared by int_llm_calls__priced (the batch) and int_runs__repriced (calls already in the
    marts, re-checked when a seed changes), so both apply exactly the same rules. Each macro renders CTEs
    to splice into a model's `with` list. -#}

{#- A stable text key of several expressions (null-safe on every dialect). -#}
{% macro text_key(exprs) -%}
    concat({% for e in exprs %}coalesce(cast({{ e }} as {{ type_string() }}), '~'){% if not loop.last %}, '|', {% endif %}{% endfor %})
{%- endmacro %}

{#- reported_names: a CTE of (reported_provider, model_name). Renders CTE resolved_model_names:
    exact (provider, model) row > alias for that provider > exact model under a single provider (no provider
    reported) > alias (no provider reported); the longest matching alias wins among aliases. -#}
{% macro resolve_model_names(reported_names) %}
price_keys as (
    select distinct provider, model from {{ ref('stg_seeds__model_prices') }}
),

aliases as (
    select * from {{ ref('stg_seeds__model_aliases') }}
),

models_with_one_provider as (
    select model, min(provider) as provider
    from price_keys
    group by model
    having count(distinct provider) = 1
),

name_matches as (
    select
        {{ reported_names }}.reported_provider,
        {{ reported_names }}.model_name,
        price_keys.provider,
        price_keys.model,
        'exact' as resolution,
        1 as precedence,
        0 as pattern_length
    from {{ reported_names }}
    inner join price_keys
        on price_keys.provider = {{ reported_names }}.reported_provider
        and price_keys.model = {{ reported_names }}.model_name

    union all

    select
        {{ reported_names }}.reported_provider,
        {{ reported_names }}.model_name,
        aliases.provider,
        aliases.model,
        'alias',
        case when {{ reported_names }}.reported_provider is null then 4 else 2 end,
        length(aliases.pattern)
    from {{ reported_names }}
    inner join aliases
        on (aliases.provider = {{ reported_names }}.reported_provider or {{ reported_names }}.reported_provider is null)
        and {{ regex_full_match(reported_names ~ '.model_name', 'aliases.pattern') }}

    union all

    select
        {{ reported_names }}.reported_provider,
        {{ reported_names }}.model_name,
        models_with_one_provider.provider,
        models_with_one_provider.model,
        'model_only',
        3,
        0
    from {{ reported_names }}
    inner join models_with_one_provider
        on models_with_one_provider.model = {{ reported_names }}.model_name
    where {{ reported_names }}.reported_provider is null
),

ranked_name_matches as (
    select
        *,
        row_number() over (
            partition by reported_provider, model_name
            order by precedence, pattern_length desc, provider, model
        ) as match_rank
    from name_matches
),

resolved_model_names as (
    select
        reported_provider,
        model_name,
        provider as priced_provider,
        model as priced_model,
        resolution
    from ranked_name_matches
    where match_rank = 1
)
{% endmacro %}

{#- The priced model of each call: the response model's resolution first, then the request model's, then (a Bedrock
    id with a cross-region inference profile no alias resolves) the request model without the profile prefix. -#}
{% macro calls_with_priced_model(calls, resolved_names) %}
    select
        {{ calls }}.*,
        coalesce(by_response.priced_provider, by_request.priced_provider, by_unprefixed.priced_provider) as resolved_provider,
        coalesce(by_response.priced_model, by_request.priced_model, by_unprefixed.priced_model) as priced_model,
        coalesce(by_response.resolution, by_request.resolution, by_unprefixed.resolution) as model_resolution
    from {{ calls }}
    left join {{ resolved_names }} as by_response
        on coalesce(by_response.reported_provider, '') = coalesce({{ calls }}.reported_provider, '')
        and by_response.model_name = {{ calls }}.response_model
    left join {{ resolved_names }} as by_request
        on coalesce(by_request.reported_provider, '') = coalesce({{ calls }}.reported_provider, '')
        and by_request.model_name = {{ calls }}.request_model
    left join {{ resolved_names }} as by_unprefixed
        on coalesce(by_unprefixed.reported_provider, '') = coalesce({{ calls }}.reported_provider, '')
        and by_unprefixed.model_name = {{ calls }}.unprefixed_model
{% endmacro %}

{#- calls: a CTE with span_id, resolved_provider, priced_model, service_tier, started_at, total_input_tokens.
    Renders CTE chosen_price: one price row per call, with price_fingerprint (what repricing compares); and, before
    it, price_rows (the ranged price rows with their fingerprint) and chosen_price_key (each call's key and the chosen
    row's key only: price_provider, price_model, price_service_tier, min_input_tokens, effective_from), for a model
    that prices every call and joins the row's columns itself so its lookup of every call stays narrow.
    key: the CTE's unique column, when it is not span_id (chosen_price then has that column, not span_id). -#}
{% macro choose_price_rows(calls, key='span_id') %}
price_rows as (
    select
        prices.*,
        -- the row's content, not its end: a later row that does not cover this call leaves it untouched
        {{ text_key([
            'prices.provider', 'prices.model', 'prices.service_tier', 'prices.min_input_tokens', 'prices.effective_from',
        ] + price_columns('prices')) }} as price_fingerprint
    from {{ ref('int_model_prices__ranged') }} as prices
),

price_candidates as (
    select
        {{ calls }}.{{ key }},
        prices.provider as price_provider,
        prices.model as price_model,
        prices.service_tier as price_service_tier,
        prices.min_input_tokens,
        prices.effective_from,
        row_number() over (
            partition by {{ calls }}.{{ key }}
            order by
                case when prices.service_tier = {{ calls }}.service_tier then 0 else 1 end,
                prices.min_input_tokens desc
        ) as candidate_rank
    from {{ calls }}
    inner join price_rows as prices
        on prices.provider = {{ calls }}.resolved_provider
        and prices.model = {{ calls }}.priced_model
        and prices.service_tier in ({{ calls }}.service_tier, 'standard')
        and prices.effective_from <= {{ calls }}.started_at
        and (prices.effective_to is null or {{ calls }}.started_at < prices.effective_to)
        -- a long-context tier applies when the whole input exceeds its threshold
        and (prices.min_input_tokens = 0 or {{ calls }}.total_input_tokens > prices.min_input_tokens)
),

chosen_price_key as (
    select
        price_candidates.{{ key }},
        price_candidates.price_provider,
        price_candidates.price_model,
        price_candidates.price_service_tier,
        price_candidates.min_input_tokens,
        price_candidates.effective_from
    from price_candidates
    where price_candidates.candidate_rank = 1
),

chosen_price as (
    select
        chosen_price_key.*,
        {%- for price in price_columns('price_rows') %}
        {{ price }},
        {%- endfor %}
        price_rows.price_fingerprint
    from chosen_price_key
    inner join price_rows
        on {{ price_row_matches('price_rows', 'chosen_price_key') }}
)
{% endmacro %}

{#- A price row (price_rows) is the one a chosen key (chosen_price_key) names: the seed's unique key. -#}
{% macro price_row_matches(price_rows, chosen) -%}
    {{ price_rows }}.provider = {{ chosen }}.price_provider
        and {{ price_rows }}.model = {{ chosen }}.price_model
        and {{ price_rows }}.service_tier = {{ chosen }}.price_service_tier
        and {{ price_rows }}.min_input_tokens = {{ chosen }}.min_input_tokens
        and {{ price_rows }}.effective_from = {{ chosen }}.effective_from
{%- endmacro %}

{#- calls: a CTE with span_id, resolved_provider, priced_model, account_id, started_at. Renders CTE chosen_contract:
    the contract row (seeds/contracts.csv, README "Contracts") in force for each call at its start time, when one
    covers it: its provider, a pattern full-matching the priced model (or none: every model), its account (or none:
    every account), started in [effective_from, effective_to). The most specific row applies alone (terms never stack):
    an account of its own over every account, then a pattern over every model; two rows at one specificity that could
    both apply are a seed error (tests/singular/assert_contracts_do_not_overlap.sql). -#}
{% macro choose_contract_rows(calls) %}
contract_candidates as (
    select
        {{ calls }}.span_id,
        contracts.model_pattern as contract_model_pattern,
        contracts.account_id as contract_account_id,
        contracts.effective_from as contract_effective_from,
        contracts.discount_percent as contract_discount_percent,
        {%- for price in price_columns() %}
        contracts.{{ price }} as contract_{{ price }},
        {%- endfor %}
        contracts.source as contract_source,
        -- the row's content (its end aside, as for a price row): a change to it reprices exactly the calls it covers
        {{ text_key([
            'contracts.provider', 'contracts.model_pattern', 'contracts.account_id', 'contracts.effective_from',
            'contracts.discount_percent',
        ] + price_columns('contracts') + ['contracts.source']) }} as contract_fingerprint,
        row_number() over (
            partition by {{ calls }}.span_id
            order by
                case when contracts.account_id is null then 1 else 0 end,
                case when contracts.model_pattern is null then 1 else 0 end,
                contracts.effective_from desc,
                contracts.contract_key
        ) as contract_rank
    from {{ calls }}
    inner join {{ ref('int_contracts') }} as contracts
        on contracts.provider = {{ calls }}.resolved_provider
        and (contracts.account_id is null or contracts.account_id = {{ calls }}.account_id)
        and contracts.effective_from <= {{ calls }}.started_at
        and (contracts.effective_to is null or {{ calls }}.started_at < contracts.effective_to)
        and (
            contracts.model_pattern is null
            or {{ regex_full_match(calls ~ '.priced_model', 'contracts.model_pattern') }}
        )
),

chosen_contract as (
    select * from contract_candidates where contract_rank = 1
)
{% endmacro %}

{#- What repricing compares (int_runs__repriced): the content of the call's price row and, when a contract applies to
    a call with a price row, of the contract row, and, when the call signals a price modifier that a rule prices or
    none does, the content of those rules (or what is unpriced). A call no contract covers and that signals no modifier
    keeps the fingerprint it had before contracts and modifiers existed, so adding either seed reprices nothing it does
    not cover. -#}
{% macro call_price_fingerprint(chosen_price, chosen_contract, chosen_modifiers) -%}
    case
        when {{ chosen_price }}.price_fingerprint is null then 'unpriced'
        -- the row's own fingerprint, not a copy of it (most calls)
        when {{ chosen_contract }}.span_id is null and {{ chosen_modifiers }}.modifier_fingerprint is null
            then {{ chosen_price }}.price_fingerprint
        else concat(
            {{ chosen_price }}.price_fingerprint,
            case when {{ chosen_contract }}.span_id is not null
                then concat('|contract|', {{ chosen_contract }}.contract_fingerprint) else '' end,
            -- not coalesce(concat(...), ''): DuckDB's concat skips a null, so that kept '|modifiers|' for every call
            case
                when {{ chosen_modifiers }}.modifier_fingerprint is not null
                    then concat('|modifiers|', {{ chosen_modifiers }}.modifier_fingerprint)
                else ''
            end
        )
    end
{%- endmacro %}

{#- The signals of the emitter registry's price_modifiers that are a count of the call (units), signalled above 0: those
    of the fee, token_rate and text_rate modifiers, as {name: the column, field: the conventions' field it counts}. -#}
{% macro count_signal_fields() %}
    {%- set signals = [] -%}
    {%- for rule in emitter_registry()['price_modifiers'].values() -%}
        {%- if rule['effect'] in ['fee', 'token_rate', 'text_rate']
            and rule['signal'] not in signals | map(attribute='name') | list -%}
            {%- if not rule.get('field') -%}
                {{ exceptions.raise_compiler_error("emitter registry price_modifiers: the count signal "
                    ~ rule['signal'] ~ " names no conventions field (field: ...)") }}
            {%- endif -%}
            {%- do signals.append({'name': rule['signal'], 'field': rule['field']}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(signals) }}
{% endmacro %}

{#- The names of the count signals (macro count_signal_fields): columns of int_spans__normalized, int_llm_calls and
    fct_span_costs. -#}
{% macro count_signals() %}
    {{ return(count_signal_fields() | map(attribute='name') | list) }}
{% endmacro %}

{#- The columns of a call the price lookups match on, beside its key (macros calls_with_priced_model,
    choose_price_rows, choose_contract_rows, choose_modifier_rows). -#}
{% macro call_pricing_columns() %}
    {{ return([
        'reported_provider', 'response_model', 'request_model', 'unprefixed_model', 'service_tier', 'started_at',
        'total_input_tokens', 'account_id', 'inference_profile', 'server_address',
    ] + count_signals()) }}
{% endmacro %}

{#- The signals a call carries for the price modifiers of the emitter registry (price_modifiers), one CTE of
    (<key>, modifier, signal_value, units, is_flagged_if_unpriced, provider, model, started_at) per signal:
    bedrock_inference_profile: the profile prefix of an aws.bedrock call, in-region without one (never flagged);
    an endpoint modifier: the host of a call of its provider when it full-matches the registry's hosts;
    a count modifier (web_search_fee, audio_* and image_* tokens): the count, above 0 (the signal value a row's
    match_pattern tests: the count for a fee, the call's service tier for a token or text rate). -#}
{% macro modifier_signal_rows(calls, key) %}
    {%- set selects = [] -%}
    {%- set counts = count_signals() -%}
    {%- for modifier, rule in emitter_registry()['price_modifiers'].items() -%}
        {%- set provider_test = (calls ~ ".resolved_provider = '" ~ rule['provider'] ~ "'") if rule.get('provider') else 'true' -%}
        {%- if rule['signal'] == 'inference_profile' -%}
            {%- set value = "coalesce(" ~ calls ~ ".inference_profile, 'in-region')" -%}
            {%- set present = provider_test -%}
            {%- set flagged = calls ~ '.inference_profile is not null' -%}
            {%- set units = 'cast(null as ' ~ type_bigint() ~ ')' -%}
        {%- elif rule['signal'] == 'server_address' -%}
            {%- set value = calls ~ '.server_address' -%}
            {%- set present = provider_test ~ ' and ' ~ regex_full_match(calls ~ '.server_address', "'" ~ rule['hosts'] ~ "'") -%}
            {%- set flagged = 'true' -%}
            {%- set units = 'cast(null as ' ~ type_bigint() ~ ')' -%}
        {%- elif rule['signal'] in counts -%}
            {#- a token rate depends on the tier the call ran at (batch rates); a fee's signal value is its count -#}
            {%- set value = (calls ~ '.service_tier') if rule['effect'] in ['token_rate', 'text_rate']
                else 'cast(' ~ calls ~ '.' ~ rule['signal'] ~ ' as ' ~ type_string() ~ ')' -%}
            {%- set present = provider_test ~ ' and ' ~ calls ~ '.' ~ rule['signal'] ~ ' > 0' -%}
            {%- set flagged = 'true' -%}
            {%- set units = calls ~ '.' ~ rule['signal'] -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("emitter registry price_modifiers." ~ modifier ~ ": unknown signal " ~ rule['signal']) }}
        {%- endif -%}
        {%- do selects.append(
            'select ' ~ calls ~ '.' ~ key ~ ", '" ~ modifier ~ "' as modifier, " ~ value ~ ' as signal_value, '
            ~ units ~ ' as units, ' ~ flagged ~ ' as is_flagged_if_unpriced, '
            ~ ("true" if rule['effect'] == 'fee' else "false") ~ ' as is_fee, '
            ~ ("true" if rule['signal'] in counts else "false") ~ ' as is_count, '
            ~ calls ~ '.resolved_provider, ' ~ calls ~ '.priced_model, ' ~ calls ~ '.started_at'
            ~ ' from ' ~ calls ~ ' where ' ~ calls ~ '.priced_model is not null and ' ~ present
        ) -%}
    {%- endfor -%}
    {{ selects | join('\n    union all\n    ') }}
{% endmacro %}

{#- calls: a CTE with <key>, resolved_provider, priced_model, started_at, inference_profile, server_address and the
    count signals (macro count_signals). Renders CTE chosen_modifiers, one row per call that signals a price modifier a rule prices or
    that is flagged (seeds/price_modifiers.csv, README "Price modifiers"): rate_multiplier (the product of the
    multipliers applied, 1 when none), fee_cost_usd (units x fee of the fee rules applied, null when none),
    <part>_usd_per_mtok for each token-rate part (macro token_rate_parts; null when no rule gives a rate),
    price_modifiers (the rules applied, modifier=signal), unpriced_modifiers (the signals no rule prices, null when none)
    and modifier_fingerprint (what repricing compares). For each signal the row of its provider and modifier whose
    patterns full-match the priced model and the signal value, in force at the call's start, applies; a row with a
    pattern wins over one without, then the later effective_from. -#}
{% macro choose_modifier_rows(calls, key='span_id') %}
{%- set multiplier_modifiers = [] -%}
{%- for modifier, rule in emitter_registry()['price_modifiers'].items() if rule['effect'] == 'multiplier' -%}
    {%- do multiplier_modifiers.append(modifier) -%}
{%- endfor %}
modifier_signals as (
    {{ modifier_signal_rows(calls, key) }}
),

modifier_candidates as (
    select
        modifier_signals.*,
        modifiers.rate_multiplier,
        modifiers.fee_usd_per_unit,
        modifiers.usd_per_mtok,
        modifiers.cache_read_usd_per_mtok,
        -- the rule's content (its end aside, as for a price row); the token rates only when set, so a rule without
        -- them keeps the fingerprint it had before they existed
        concat(
            {{ text_key([
                'modifiers.provider', 'modifiers.modifier', 'modifiers.model_pattern', 'modifiers.match_pattern',
                'modifiers.effective_from', 'modifiers.rate_multiplier', 'modifiers.fee_usd_per_unit',
            ]) }},
            case
                when modifiers.usd_per_mtok is not null or modifiers.cache_read_usd_per_mtok is not null
                    then concat('|rates|', {{ text_key(['modifiers.usd_per_mtok', 'modifiers.cache_read_usd_per_mtok']) }})
                else ''
            end
        ) as rule_fingerprint,
        row_number() over (
            partition by modifier_signals.{{ key }}, modifier_signals.modifier
            order by
                case when modifiers.model_pattern is null then 1 else 0 end,
                case when modifiers.match_pattern is null then 1 else 0 end,
                modifiers.effective_from desc,
                modifiers.modifier_key
        ) as rule_rank
    from modifier_signals
    inner join {{ ref('int_price_modifiers') }} as modifiers
        on modifiers.provider = modifier_signals.resolved_provider
        and modifiers.modifier = modifier_signals.modifier
        and modifiers.effective_from <= modifier_signals.started_at
        and (modifiers.effective_to is null or modifier_signals.started_at < modifiers.effective_to)
        and (
            modifiers.model_pattern is null
            or {{ regex_full_match('modifier_signals.priced_model', 'modifiers.model_pattern') }}
        )
        and (
            modifiers.match_pattern is null
            or {{ regex_full_match('modifier_signals.signal_value', 'modifiers.match_pattern') }}
        )
),

modifier_outcomes as (
    -- each signal with the rule that prices it (null: none does)
    select
        modifier_signals.{{ key }},
        modifier_signals.modifier,
        modifier_signals.signal_value,
        modifier_signals.units,
        modifier_signals.is_fee,
        modifier_signals.is_flagged_if_unpriced,
        modifier_candidates.rate_multiplier,
        modifier_candidates.fee_usd_per_unit,
        modifier_candidates.usd_per_mtok,
        modifier_candidates.cache_read_usd_per_mtok,
        modifier_candidates.rule_fingerprint,
        -- a count is not part of the label (web_search_fee, audio_input_tokens), a profile or a host is
        concat(
            modifier_signals.modifier,
            case when modifier_signals.is_count then '' else concat('=', modifier_signals.signal_value) end
        ) as signal_label
    from modifier_signals
    left join modifier_candidates
        on modifier_candidates.{{ key }} = modifier_signals.{{ key }}
        and modifier_candidates.modifier = modifier_signals.modifier
        and modifier_candidates.rule_rank = 1
    where modifier_candidates.{{ key }} is not null or modifier_signals.is_flagged_if_unpriced
),

modifier_totals as (
    select
        {{ key }},
        {%- for modifier in multiplier_modifiers %}
        max(case when modifier = '{{ modifier }}' then rate_multiplier end) as {{ modifier }}_multiplier,
        {%- endfor %}
        {#- the token rates of the rules applied (null: the tokens are billed as text) -#}
        {%- for part in token_rate_parts() %}
        max(case when modifier = '{{ part.modifier }}' then {{ part.rate }} end) as {{ part.name }}_usd_per_mtok,
        {%- endfor %}
        sum(case when is_fee and fee_usd_per_unit is not null then {{ fee_cost('units', 'fee_usd_per_unit') }} end)
            as fee_cost_usd,
        string_agg(
            case when rule_fingerprint is not null then signal_label end, ',' order by signal_label
        ) as price_modifiers,
        string_agg(
            case when rule_fingerprint is null then signal_label end, ',' order by signal_label
        ) as unpriced_modifiers,
        string_agg(
            concat(signal_label, ':', coalesce(rule_fingerprint, 'unpriced')), '||' order by signal_label
        ) as modifier_fingerprint
    from modifier_outcomes
    group by {{ key }}
),

chosen_modifiers as (
    select
        modifier_totals.*,
        {%- set factor = namespace(expr='cast(1 as ' ~ money_type() ~ ')') -%}
        {%- for modifier in multiplier_modifiers -%}
            {%- set factor.expr = multiplied(factor.expr, 'coalesce(' ~ modifier ~ '_multiplier, 1)') -%}
        {%- endfor %}
        {{ factor.expr }} as rate_multiplier
    from modifier_totals
)
{% endmacro %}

{#- A rate times the multiplier of the price modifiers applied to a call (chosen_modifiers, macro choose_modifier_rows),
    kept at the money scale. A call no modifier applies to (nearly all) keeps its rate as it is: the product would round
    it back to the same value, at the cost of a 128-bit division per rate on DuckDB. -#}
{% macro times_rate_multiplier(rate, chosen_modifiers) -%}
    case
        when {{ chosen_modifiers }}.rate_multiplier is null then cast({{ rate }} as {{ money_type() }})
        else {{ multiplied(rate, chosen_modifiers ~ '.rate_multiplier') }}
    end
{%- endmacro %}

{#- A list rate under a contract (README "Contracts"): the contract's own rate for the bucket when it gives one, else the
    list rate less the discount; the list rate when no contract applies. -#}
{% macro contract_rate(price, chosen_price, chosen_contract) -%}
    case
        when {{ chosen_contract }}.span_id is null or {{ chosen_price }}.price_fingerprint is null then {{ chosen_price }}.{{ price }}
        else coalesce(
            {{ chosen_contract }}.contract_{{ price }},
            {{ discounted(chosen_price ~ '.' ~ price, chosen_contract ~ '.contract_discount_percent') }}
        )
    end
{%- endmacro %}

{#- Whether a chosen price row prices a call: it has an input price, and an output price when there is output. -#}
{% macro price_row_bills(prices, output_tokens) -%}
    {{ prices }}.input_usd_per_mtok is not null
    and ({{ output_tokens }} = 0 or {{ prices }}.output_usd_per_mtok is not null)
{%- endmacro %}

{#- Our price of reported token counts: each own bucket (macro own_buckets) of <tokens_prefix><bucket>_tokens at its
    rate in the price row `prices` (macro bucket_rate), summed, exact decimal. Output at the output rate: a report
    that does not split reasoning off prices it as output. -#}
{% macro priced_bucket_tokens(tokens_prefix, prices) -%}
    {%- set terms = [] -%}
    {%- for bucket in own_buckets() -%}
        {%- do terms.append(cost_of(tokens_prefix ~ bucket.name ~ '_tokens', bucket_rate(bucket.name, prices))) -%}
    {%- endfor -%}
    ({{ terms | join('\n        + ') }})
{%- endmacro %}

{#- A call's provider as the marts show it (fct_span_costs.provider): the one its model resolved to in the seeds, else
    the one the span reported. -#}
{% macro call_provider(calls) -%}
    coalesce({{ calls }}.resolved_provider, {{ calls }}.reported_provider)
{%- endmacro %}
