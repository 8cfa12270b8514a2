{#- The providers' own usage and cost against what the spans attribute (README "Reconciliation"): one row per (day,
    provider, model, project_or_workspace) for the providers whose reports are loaded. The spans carry no project or
    workspace yet, so both sides are summed over them (project_or_workspace is (all)). Tokens are compared per
    service tier first, so the blind spots (provider tokens the spans do not account for, per bucket) are priced at
    their tier, with the price lookup of int_llm_calls__priced at that day. A table rebuilt on every build (the
    reports are small). -#}
with

provider_usage as (
    select * from {{ ref('int_provider_usage__daily') }}
),

provider_costs as (
    select * from {{ ref('int_provider_costs__daily') }}
),

span_costs as (
    select * from {{ ref('fct_span_costs') }}
),

reported_providers as (
    select distinct provider_usage.provider from provider_usage
    union distinct
    select distinct provider_costs.provider from provider_costs
),

provider_tiers as (
    select
        provider_usage.day,
        provider_usage.provider,
        provider_usage.model,
        provider_usage.service_tier,
        sum(provider_usage.provider_requests) as provider_requests,
        {%- for bucket in own_buckets() %}
        sum(provider_usage.{{ bucket.name }}_tokens) as provider_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(provider_usage.our_price_usd) as our_price_usd,
        sum(case when provider_usage.is_priced then 0 else 1 end) as unpriced_report_lines
    from provider_usage
    group by provider_usage.day, provider_usage.provider, provider_usage.model, provider_usage.service_tier
),

attributed_tiers as (
    select
        span_costs.day,
        span_costs.provider,
        coalesce(span_costs.priced_model, span_costs.reported_model, '(unknown)') as model,
        span_costs.service_tier,
        count(*) as attributed_calls,
        {%- for bucket in own_buckets() %}
        sum(span_costs.{{ bucket.name }}_tokens) as attributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(span_costs.cost_usd) as attributed_cost_usd,
        sum(case when span_costs.is_priced then 0 else 1 end) as unpriced_calls
    from span_costs
    inner join reported_providers
        on span_costs.provider = reported_providers.provider
    group by
        span_costs.day,
        span_costs.provider,
        coalesce(span_costs.priced_model, span_costs.reported_model, '(unknown)'),
        span_costs.service_tier
),

tiers as (
    select
        coalesce(provider_tiers.day, attributed_tiers.day) as day,
        coalesce(provider_tiers.provider, attributed_tiers.provider) as provider,
        coalesce(provider_tiers.model, attributed_tiers.model) as model,
        coalesce(provider_tiers.service_tier, attributed_tiers.service_tier) as service_tier,
        provider_tiers.day is not null as has_provider_usage,
        provider_tiers.provider_requests,
        {%- for bucket in own_buckets() %}
        provider_tiers.provider_{{ bucket.name }}_tokens,
        {%- endfor %}
        provider_tiers.our_price_usd,
        provider_tiers.unpriced_report_lines,
        coalesce(attributed_tiers.attributed_calls, 0) as attributed_calls,
        {%- for bucket in own_buckets() %}
        coalesce(attributed_tiers.attributed_{{ bucket.name }}_tokens, 0) as attributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        attributed_tiers.attributed_cost_usd,
        coalesce(attributed_tiers.unpriced_calls, 0) as unpriced_calls,
        -- the blind spots: provider tokens the spans do not account for, per bucket, never below 0 (null without a
        -- report)
        {%- for bucket in own_buckets() %}
        case
            when provider_tiers.day is not null
                then greatest(
                        provider_tiers.provider_{{ bucket.name }}_tokens
                        - coalesce(attributed_tiers.attributed_{{ bucket.name }}_tokens, 0),
                        0
                    )
        end as unattributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        -- the spans account for more than the provider reports in some bucket
        coalesce(
            {%- for bucket in own_buckets() %}
            coalesce(attributed_tiers.attributed_{{ bucket.name }}_tokens, 0)
            > provider_tiers.provider_{{ bucket.name }}_tokens
            {%- if not loop.last %} or{% endif %}
            {%- endfor %},
            false
        ) as is_over_attributed,
        {{ text_key(['provider_tiers.day', 'provider_tiers.provider', 'provider_tiers.model',
            'provider_tiers.service_tier']) }} as tier_key,
        -- the lookup of a call (macro choose_price_rows): the model as resolved, the day at midnight UTC, and the
        -- base row (which calls were long cannot be told from a day of usage)
        provider_tiers.provider as resolved_provider,
        provider_tiers.model as priced_model,
        cast(provider_tiers.day as {{ type_timestamp() }}) as started_at,
        0 as total_input_tokens
    from provider_tiers
    full outer join attributed_tiers
        on provider_tiers.day = attributed_tiers.day
        and provider_tiers.provider = attributed_tiers.provider
        and provider_tiers.model = attributed_tiers.model
        and provider_tiers.service_tier = attributed_tiers.service_tier
),

{{ choose_price_rows('tiers', key='tier_key') }},

priced_tiers as (
    select
        tiers.*,
        case
            when tiers.has_provider_usage and {{ price_row_bills('chosen_price', 'tiers.provider_output_tokens') }}
                then {{ priced_bucket_tokens('tiers.unattributed_', 'chosen_price') }}
        end as unattributed_cost_usd
    from tiers
    left join chosen_price
        on tiers.tier_key = chosen_price.tier_key
),

usage_by_model as (
    select
        priced_tiers.day,
        priced_tiers.provider,
        priced_tiers.model,
        max(case when priced_tiers.has_provider_usage then 1 else 0 end) = 1 as has_provider_usage,
        sum(priced_tiers.provider_requests) as provider_requests,
        {%- for bucket in own_buckets() %}
        sum(priced_tiers.provider_{{ bucket.name }}_tokens) as provider_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(priced_tiers.attributed_calls) as attributed_calls,
        {%- for bucket in own_buckets() %}
        sum(priced_tiers.attributed_{{ bucket.name }}_tokens) as attributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(priced_tiers.attributed_cost_usd) as attributed_cost_usd,
        sum(priced_tiers.unpriced_calls) as unpriced_calls,
        {%- for bucket in own_buckets() %}
        sum(priced_tiers.unattributed_{{ bucket.name }}_tokens) as unattributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        max(case when priced_tiers.is_over_attributed then 1 else 0 end) = 1 as is_over_attributed,
        -- every tier with usage priced, else null: a partial sum would read as the whole
        case
            when
                count(priced_tiers.unattributed_cost_usd)
                = sum(case when priced_tiers.has_provider_usage then 1 else 0 end)
                then sum(priced_tiers.unattributed_cost_usd)
        end as unattributed_cost_usd,
        case
            when sum(priced_tiers.unpriced_report_lines) = 0 then sum(priced_tiers.our_price_usd)
        end as our_price_on_provider_tokens_usd,
        sum(case when priced_tiers.has_provider_usage then priced_tiers.unpriced_report_lines else 0 end)
            as unpriced_report_lines
    from priced_tiers
    group by priced_tiers.day, priced_tiers.provider, priced_tiers.model
),

costs_by_model as (
    select
        provider_costs.day,
        provider_costs.provider,
        provider_costs.model,
        sum(provider_costs.provider_cost_usd) as provider_cost_usd
    from provider_costs
    group by provider_costs.day, provider_costs.provider, provider_costs.model
),

joined as (
    select
        coalesce(usage_by_model.day, costs_by_model.day) as day,
        coalesce(usage_by_model.provider, costs_by_model.provider) as provider,
        coalesce(usage_by_model.model, costs_by_model.model) as model,
        coalesce(usage_by_model.has_provider_usage, false) as has_provider_usage,
        usage_by_model.provider_requests,
        {%- for bucket in own_buckets() %}
        usage_by_model.provider_{{ bucket.name }}_tokens,
        {%- endfor %}
        costs_by_model.provider_cost_usd,
        coalesce(usage_by_model.attributed_calls, 0) as attributed_calls,
        {%- for bucket in own_buckets() %}
        coalesce(usage_by_model.attributed_{{ bucket.name }}_tokens, 0) as attributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        usage_by_model.attributed_cost_usd,
        coalesce(usage_by_model.unpriced_calls, 0) as unpriced_calls,
        {%- for bucket in own_buckets() %}
        usage_by_model.unattributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        coalesce(usage_by_model.is_over_attributed, false) as is_over_attributed,
        usage_by_model.unattributed_cost_usd,
        usage_by_model.our_price_on_provider_tokens_usd,
        coalesce(usage_by_model.unpriced_report_lines, 0) as unpriced_report_lines
    from usage_by_model
    full outer join costs_by_model
        on usage_by_model.day = costs_by_model.day
        and usage_by_model.provider = costs_by_model.provider
        and usage_by_model.model = costs_by_model.model
),

final as (
    select
        -- grain
        joined.day,
        joined.provider,
        joined.model,
        -- the spans carry no project or workspace yet: both sides are summed over them
        '(all)' as project_or_workspace,

        -- the provider side
        joined.has_provider_usage,
        joined.provider_requests,
        {%- for bucket in own_buckets() %}
        joined.provider_{{ bucket.name }}_tokens,
        {%- endfor %}
        case
            when joined.has_provider_usage then {{ own_tokens_sum('joined') | replace('joined.', 'joined.provider_') }}
        end as provider_tokens,
        joined.provider_cost_usd,

        -- the attributed side (fct_span_costs)
        joined.attributed_calls,
        {%- for bucket in own_buckets() %}
        joined.attributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        {{ own_tokens_sum('joined') | replace('joined.', 'joined.attributed_') }} as attributed_tokens,
        joined.attributed_cost_usd,
        joined.unpriced_calls,

        -- coverage and blind spots
        {{ safe_ratio(
            own_tokens_sum('joined') | replace('joined.', 'joined.attributed_'),
            'case when joined.has_provider_usage then '
            ~ (own_tokens_sum('joined') | replace('joined.', 'joined.provider_')) ~ ' end'
        ) }} as coverage_ratio,
        case
            when joined.has_provider_usage
                then {{ own_tokens_sum('joined') | replace('joined.', 'joined.unattributed_') }}
        end as unattributed_tokens,
        joined.is_over_attributed,
        joined.unattributed_cost_usd,

        -- price drift: the provider cost against our price of the provider tokens
        joined.our_price_on_provider_tokens_usd,
        joined.provider_cost_usd - joined.our_price_on_provider_tokens_usd as price_drift_usd,
        joined.unpriced_report_lines
    from joined
)

select * from final
