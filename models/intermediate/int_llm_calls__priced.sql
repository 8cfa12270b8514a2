{#- Each call with its price row and cost (docs/contract.md section 4).
    The row is picked by provider, model (response model first, then request model), service tier
    (falling back to standard, flagged), long-context tier (the highest min_input_tokens the call's total
    input exceeds) and the call's start time within [effective_from, effective_to).
    A call whose span lacks a bucket the row bills lists it in unreported_usage; cost_bound says what cost_usd
    then is (docs/conventions.md "Unreported usage").
    cost_usd is the list price; effective_cost_usd is what the contract in force makes it (README "Contracts"): the
    same rules over the contract rates (a bucket's own contract rate, else its list rate less the discount), equal to
    cost_usd when no contract applies. -#}
{#- the token-rate parts (audio), read from the emitter registry once per compile -#}
{%- set token_parts = token_rate_parts() %}
{%- set split_names = token_rate_split_names(token_parts) %}
with

-- read twice, once whole and once for the lookups' columns: inlined, so neither read holds every column of every call
calls as {{ inlined_cte() }} (
    select
        *,
        {{ input_tokens_sum() }} as total_input_tokens
    from {{ ref('int_llm_calls') }}
),

resolved_names as (
    select * from {{ ref('int_model_names__resolved') }}
),

calls_with_model as (
    {{ calls_with_priced_model('calls', 'resolved_names') }}
),

-- the three lookups below read only the columns they match on (held once for all three)
call_lookup_keys as (
    select
        {%- for column in call_pricing_columns() %}
        calls.{{ column }},
        {%- endfor %}
        calls.span_id
    from calls
),

lookup_keys_with_model as (
    {{ calls_with_priced_model('call_lookup_keys', 'resolved_names') }}
),

{{ choose_price_rows('lookup_keys_with_model') }},

{{ choose_contract_rows('lookup_keys_with_model') }},

{{ choose_modifier_rows('lookup_keys_with_model') }},

priced as (
    select
        calls_with_model.*,
        chosen_price.service_tier as price_service_tier,
        chosen_price.min_input_tokens as price_min_input_tokens,
        chosen_price.effective_from as price_effective_from,
        -- list rates, times the price modifiers' multiplier (1 when none applies)
        {%- for price in price_columns('chosen_price') %}
        {{ times_rate_multiplier(price, 'chosen_modifiers') }} as {{ price.split('.')[1] }},
        {%- endfor %}
        {{ call_price_fingerprint('chosen_price', 'chosen_contract', 'chosen_modifiers') }} as price_fingerprint,
        -- the contract row in force, when a price row is (null: list prices apply)
        case when chosen_price.price_fingerprint is not null then chosen_contract.contract_model_pattern end
            as contract_model_pattern,
        case when chosen_price.price_fingerprint is not null then chosen_contract.contract_account_id end
            as contract_account_id,
        case when chosen_price.price_fingerprint is not null then chosen_contract.contract_effective_from end
            as contract_effective_from,
        case when chosen_price.price_fingerprint is not null then chosen_contract.contract_source end
            as contract_source,
        -- contract rates (its own, else the list rate less its discount), times the same multiplier
        {%- for price in price_columns() %}
        {{ times_rate_multiplier(contract_rate(price, 'chosen_price', 'chosen_contract'), 'chosen_modifiers') }}
            as effective_{{ price }},
        {%- endfor %}
        -- price modifiers (seeds/price_modifiers.csv): what the span signalled, the rules applied, what none prices
        case when chosen_price.price_fingerprint is not null then coalesce(chosen_modifiers.rate_multiplier, 1) end
            as rate_multiplier,
        -- token-rate parts (audio): their list rate times the same multiplier, and under a contract that rate less its
        -- discount (a contract's own rates are for text); null when no rule gives one (billed as text)
        {%- for part in token_parts %}
        {%- set part_rate = times_rate_multiplier(
            'chosen_modifiers.' ~ part.name ~ '_usd_per_mtok', 'chosen_modifiers'
        ) %}
        {{ part_rate }} as {{ part.name }}_usd_per_mtok,
        case
            when chosen_contract.span_id is not null and chosen_price.price_fingerprint is not null
                then {{ discounted(part_rate, 'chosen_contract.contract_discount_percent') }}
            else {{ part_rate }}
        end as effective_{{ part.name }}_usd_per_mtok,
        {%- endfor %}
        case when chosen_price.price_fingerprint is not null then chosen_modifiers.price_modifiers end
            as price_modifiers,
        chosen_modifiers.unpriced_modifiers,
        chosen_modifiers.fee_cost_usd,
        {{ price_row_bills('chosen_price', 'calls_with_model.output_tokens') }} as is_priced,
        case
            when calls_with_model.priced_model is null then 'model not in the price seed'
            when chosen_price.price_fingerprint is null then 'no price row at the call''s start time'
            when chosen_price.input_usd_per_mtok is null then 'no input price'
            when calls_with_model.output_tokens > 0 and chosen_price.output_usd_per_mtok is null then 'no output price'
        end as unpriced_reason
    from calls_with_model
    -- the chosen row's key, then the row itself (a small table): what is held for every call stays narrow
    left join chosen_price_key
        on calls_with_model.span_id = chosen_price_key.span_id
    left join price_rows as chosen_price
        on {{ price_row_matches('chosen_price', 'chosen_price_key') }}
    left join chosen_contract
        on calls_with_model.span_id = chosen_contract.span_id
    left join chosen_modifiers
        on calls_with_model.span_id = chosen_modifiers.span_id
),

exclusive_input as (
    select
        *,
        coalesce(input_semantics like 'exclusive%', false) as is_input_exclusive
    from priced
),

missing_usage as (
    -- a bucket is missing when the span did not report it, the price row bills it (reasoning: at a rate of its own;
    -- with no price row, input and output are taken as billed) and it is not known to be zero: a bucket that would hide
    -- in a reported pool of 0 tokens (an inclusive input all accounted for, a write total of 0, no output) is 0.
    -- An is_*_reported left null is not known to be missing.
    select
        *,
        coalesce(not is_input_reported, false) as is_input_missing,
        coalesce(
            not is_output_reported and (output_usd_per_mtok is not null or price_fingerprint = 'unpriced'),
            false
        ) as is_output_missing,
        coalesce(
            not is_cache_read_reported and cache_read_usd_per_mtok is not null
            and (is_input_exclusive or uncached_input_tokens > 0),
            false
        ) as is_cache_read_missing,
        coalesce(
            not is_cache_write_reported and cache_write_usd_per_mtok is not null
            and (is_input_exclusive or uncached_input_tokens > 0),
            false
        ) as is_cache_write_missing,
        coalesce(
            not is_cache_write_1h_reported and cache_write_1h_usd_per_mtok is not null
            and (
                case
                    when is_cache_write_reported then cache_write_tokens > 0
                    else is_input_exclusive or uncached_input_tokens > 0
                end
            ),
            false
        ) as is_cache_write_1h_missing,
        coalesce(
            not is_reasoning_reported and reasoning_usd_per_mtok <> output_usd_per_mtok and output_tokens > 0,
            false
        ) as is_reasoning_missing
    from exclusive_input
),

bounded_rates as (
    -- a missing bucket hides in the pool that contains it: cache reads and writes in an inclusive input count,
    -- the 1-hour part in the write total, reasoning in output. The pool is charged at the dearest rate it may hold
    -- (so cost_usd is never below the true cost) and the cheapest bounds the overstatement. An exclusive count does
    -- not contain its cache buckets: missing ones are simply not counted, and nothing bounds that (cost_bound).
    -- The same rules apply to the list rates and to the contract (effective_) rates.
    select
        *,
        {%- for rates in ['', 'effective_'] %}
        {%- for bucket in ['cache_read', 'cache_write', 'cache_write_1h', 'output', 'reasoning'] %}
        {{ bucket_rate(bucket, column_prefix=rates) }} as {{ rates }}{{ bucket }}_rate,
        {%- endfor %}
        {%- endfor %}
        not is_input_exclusive and is_cache_read_missing as is_cache_read_in_input,
        not is_input_exclusive and is_cache_write_missing as is_cache_write_in_input,
        not is_input_exclusive and is_cache_write_missing and is_cache_write_1h_missing as is_cache_write_1h_in_input,
        is_cache_write_1h_missing and not is_cache_write_missing as is_cache_write_1h_in_writes
    from missing_usage
),

pool_rates as (
    select
        *,
        -- the dearest rate a pool may hide is charged (list and contract rates alike)
        {%- for rates in ['', 'effective_'] %}
        greatest(
            {{ rates }}input_usd_per_mtok,
            case when is_cache_read_in_input then {{ rates }}cache_read_rate else {{ rates }}input_usd_per_mtok end,
            case when is_cache_write_in_input then {{ rates }}cache_write_rate else {{ rates }}input_usd_per_mtok end,
            case
                when is_cache_write_1h_in_input then {{ rates }}cache_write_1h_rate
                else {{ rates }}input_usd_per_mtok
            end
        ) as {{ rates }}uncached_input_rate,
        case
            when is_cache_write_1h_in_writes then greatest({{ rates }}cache_write_rate, {{ rates }}cache_write_1h_rate)
            else {{ rates }}cache_write_rate
        end as {{ rates }}cache_write_charged_rate,
        case
            when is_reasoning_missing then greatest({{ rates }}output_rate, {{ rates }}reasoning_rate)
            else {{ rates }}output_rate
        end as {{ rates }}output_charged_rate,
        {%- endfor %}
        -- the cheapest bounds the overstatement of the list price
        least(
            input_usd_per_mtok,
            case when is_cache_read_in_input then cache_read_rate else input_usd_per_mtok end,
            case when is_cache_write_in_input then cache_write_rate else input_usd_per_mtok end,
            case when is_cache_write_1h_in_input then cache_write_1h_rate else input_usd_per_mtok end
        ) as uncached_input_min_rate,
        case
            when is_cache_write_1h_in_writes then least(cache_write_rate, cache_write_1h_rate)
            else cache_write_rate
        end as cache_write_min_rate,
        case when is_reasoning_missing then least(output_rate, reasoning_rate) else output_rate end as output_min_rate,
        {{ missing_usage_list() }} as bucket_unreported_usage
    from bounded_rates
),

-- noqa: disable=LT02
-- (the part loops below end their last column without a comma; sqlfluff cannot lay out a comma the loop places)
token_rate_tokens as (
    -- the tokens of each token-rate part (audio) a rule gives a rate to: its signal, at most what its bucket (and,
    -- for input, the cache reads) holds; 0 when no rule gives a rate (they stay in their bucket, billed as text). The
    -- charged rates: a cached part without a rate of its own at its uncached part's rate (the dearest it may be)
    select
        *{{ ',' if token_parts }}
        {%- for part in token_parts %}
        {%- if part.uncached %}
        {%- for rates in ['', 'effective_'] %}
        coalesce({{ rates }}{{ part.name }}_usd_per_mtok, {{ rates }}{{ part.uncached }}_usd_per_mtok)
            as {{ rates }}{{ part.name }}_rate,
        {%- endfor %}
        -- the cheapest it may be: its own rate, else free
        coalesce({{ part.name }}_usd_per_mtok, 0) as {{ part.name }}_min_rate{{ ',' if not loop.last }}
        {%- else %}
        {%- for rates in ['', 'effective_'] %}
        {{ rates }}{{ part.name }}_usd_per_mtok as {{ rates }}{{ part.name }}_rate,
        {%- endfor %}
        {%- set bucket_tokens = bucket_billed_tokens(part.of)
            ~ (' + cache_read_tokens' if part.cached else '') %}
        case
            when is_priced and {{ part.name }}_usd_per_mtok is not null
                then least(greatest(coalesce({{ part.signal }}, 0), 0), {{ bucket_tokens }})
            else 0
        end as {{ part.name }}_priced_tokens{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from pool_rates
),

token_rate_splits as (
    -- how much of an input part's tokens was read from a cache is not reported (a span counts audio input, not its
    -- cached share): the range that fits the counts (least, most) and, per cached token, what it adds to the cost over
    -- an uncached one once both are carved from their buckets (dearer_by; min_dearer_by at the cheapest rate the cached
    -- part may have). The cost is linear in the split: the end that makes the list price dearest is charged (cost_usd
    -- is an upper bound), the cheapest end at the cheapest rate bounds the overstatement
    select
        *{{ ',' if split_names }}
        {%- for part in token_parts if part.uncached %}
        {%- set uncached = (token_parts | selectattr('name', 'equalto', part.uncached) | list)[0] %}
        greatest({{ uncached.name }}_priced_tokens - ({{ bucket_billed_tokens(uncached.of) }}), 0)
            as {{ part.name }}_least_tokens,
        least({{ uncached.name }}_priced_tokens, {{ bucket_billed_tokens(part.of) }})
            as {{ part.name }}_most_tokens,
        {%- set uncached_gap = '(' ~ uncached.name ~ '_rate - ' ~ bucket_charged_rate(uncached.of) ~ ')' %}
        ({{ part.name }}_rate - {{ bucket_charged_rate(part.of) }}) - {{ uncached_gap }} as {{ part.name }}_dearer_by,
        ({{ part.name }}_min_rate - {{ bucket_charged_rate(part.of) }}) - {{ uncached_gap }}
            as {{ part.name }}_min_dearer_by{{ ',' if not loop.last }}
        {%- endfor %}
    from token_rate_tokens
),
-- noqa: enable=LT02

token_rate_billed as (
    select
        *,
        {%- for part in token_parts %}
        {%- if part.uncached %}
        {%- set charged_tokens = 'case when ' ~ part.name ~ '_dearer_by > 0 then ' ~ part.name ~ '_most_tokens else '
            ~ part.name ~ '_least_tokens end' %}
        {%- set cheapest_tokens = 'case when ' ~ part.name ~ '_min_dearer_by >= 0 then ' ~ part.name
            ~ '_least_tokens else ' ~ part.name ~ '_most_tokens end' %}
        {{ charged_tokens }} as {{ part.name }}_billed_tokens,
        -- the most the unreported split (and a cached rate not known) can overstate cost_usd
        case
            when {{ part.uncached }}_priced_tokens > 0
                then {{ cost_of(charged_tokens, part.name ~ '_dearer_by') }}
                    - {{ cost_of(cheapest_tokens, part.name ~ '_min_dearer_by') }}
            else cast(0 as {{ money_type() }})
        end as {{ part.name }}_overstatement_usd,
        {%- elif part.cached %}
        {{ part.name }}_priced_tokens - case
            when {{ part.cached }}_dearer_by > 0 then {{ part.cached }}_most_tokens
            else {{ part.cached }}_least_tokens
        end as {{ part.name }}_billed_tokens,
        {%- else %}
        {{ part.name }}_priced_tokens as {{ part.name }}_billed_tokens,
        {%- endif %}
        {%- endfor %}
        {%- set overstatements = [] %}
        {%- for name in split_names %}{% do overstatements.append(name ~ '_overstatement_usd') %}{% endfor %}
        {{ overstatements | join(' + ') if overstatements else 'cast(0 as ' ~ money_type() ~ ')' }}
            as token_rate_overstatement_usd
    from token_rate_splits
),

costed as (
    select
        *,
        -- list (cost) and contract (effective_) cost of each bucket
        {%- for rates in ['', 'effective_'] %}
        {%- for bucket in token_buckets() %}
        {%- set charged_rate = bucket_charged_rate(bucket.name, column_prefix=rates) %}
        case
            when is_priced then {{ cost_of(bucket_billed_tokens(bucket.name, parts=token_parts), charged_rate) }}
        end as {{ rates }}{{ bucket.name }}_cost_usd,
        {%- endfor %}
        {%- endfor %}
        -- per-request fees (web searches at the fee row's rate), the same under a contract
        case when is_priced then coalesce(fee_cost_usd, cast(0 as {{ money_type() }})) end as web_search_cost_usd,
        -- token-rate parts (audio) at their own rates
        {%- for rates in ['', 'effective_'] %}
        {%- for part in token_parts %}
        {%- set part_rate = 'coalesce(' ~ rates ~ part.name ~ '_rate, 0)' %}
        case
            when is_priced then {{ cost_of(part.name ~ '_billed_tokens', part_rate) }}
        end as {{ rates }}{{ part.name }}_cost_usd,
        {%- endfor %}
        {%- endfor %}
        is_priced and (
            (cache_read_tokens > 0 and cache_read_usd_per_mtok is null)
            or (cache_write_tokens > 0 and cache_write_usd_per_mtok is null)
            or (cache_write_1h_tokens > 0 and cache_write_1h_usd_per_mtok is null)
            or price_service_tier <> service_tier
        ) as price_fallback
    from token_rate_billed
),

final as (
    select
        *,
        {%- set part_costs = [] %}
        {%- for part in token_parts %}{% do part_costs.append(part.name ~ '_cost_usd') %}{% endfor %}
        {{ (bucket_cost_columns() + part_costs) | join(' + ') }} + web_search_cost_usd as cost_usd,
        -- what the contract in force makes it (cost_usd when none applies); null when unpriced
        (
            {%- for column in bucket_cost_columns() + part_costs %}
            {{ '+ ' if not loop.first }}effective_{{ column }}
            {%- endfor %}
            + web_search_cost_usd
        ) as effective_cost_usd,
        -- the buckets the span does not report, and the cached share of a part when it matters (audio_cache_read)
        {%- set unknown_splits = [] %}
        {%- for name in split_names %}
        {%- do unknown_splits.append("case when " ~ name ~ "_overstatement_usd > 0 then '" ~ name ~ "' end") %}
        {%- endfor %}
        {{ join_non_null(['bucket_unreported_usage'] + unknown_splits, ',') }} as unreported_usage,
        case
            when not is_priced then null
            when bucket_unreported_usage is null and token_rate_overstatement_usd = 0 then 'exact'
            when is_input_missing or is_output_missing
                or (is_input_exclusive and (is_cache_read_missing or is_cache_write_missing)) then 'lower_bound'
            else 'upper_bound'
        end as cost_bound,
        -- the most cost_usd can exceed the true cost: each pool at its charged rate minus its cheapest possible rate,
        -- and the unreported cached share of the parts
        case
            when not is_priced then null
            when bucket_unreported_usage is null then token_rate_overstatement_usd
            when is_input_missing or is_output_missing
                or (is_input_exclusive and (is_cache_read_missing or is_cache_write_missing)) then null
            {%- set uncached_input_gap = '(uncached_input_rate - uncached_input_min_rate)' %}
            else {{ cost_of(bucket_billed_tokens('uncached_input', parts=token_parts), uncached_input_gap) }}
                + {{ cost_of('cache_write_tokens', '(cache_write_charged_rate - cache_write_min_rate)') }}
                {%- set output_gap = '(output_charged_rate - output_min_rate)' %}
                + {{ cost_of(bucket_billed_tokens('output', parts=token_parts), output_gap) }}
                + token_rate_overstatement_usd
        end as max_overstatement_usd
    from costed
)

select * from final
