{#- The providers' own usage and cost against what the spans attribute (README "Reconciliation"): one row per (day,
    provider, model, project_or_workspace) for the providers whose reports are loaded: per OpenAI project or Anthropic
    workspace when the provider's spans carry one its reports name, else summed over them ('(all)'). The tiers come
    compared and priced from int_reconciliation__tiers. A table rebuilt on every build (the reports are small). -#}
with

reconciliation_tiers as (
    select * from {{ ref('int_reconciliation__tiers') }}
),

provider_costs as (
    select * from {{ ref('int_provider_costs__daily') }}
),

usage_by_model as (
    select
        reconciliation_tiers.day,
        reconciliation_tiers.provider,
        reconciliation_tiers.model,
        reconciliation_tiers.project_or_workspace,
        max(case when reconciliation_tiers.has_provider_usage then 1 else 0 end) = 1 as has_provider_usage,
        sum(reconciliation_tiers.provider_requests) as provider_requests,
        {%- for bucket in own_buckets() %}
        sum(reconciliation_tiers.provider_{{ bucket.name }}_tokens) as provider_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(reconciliation_tiers.attributed_calls) as attributed_calls,
        {%- for bucket in own_buckets() %}
        sum(reconciliation_tiers.attributed_{{ bucket.name }}_tokens) as attributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(reconciliation_tiers.attributed_cost_usd) as attributed_cost_usd,
        sum(reconciliation_tiers.attributed_effective_cost_usd) as attributed_effective_cost_usd,
        sum(reconciliation_tiers.unpriced_calls) as unpriced_calls,
        {%- for bucket in own_buckets() %}
        sum(reconciliation_tiers.unattributed_{{ bucket.name }}_tokens) as unattributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        max(case when reconciliation_tiers.is_over_attributed then 1 else 0 end) = 1 as is_over_attributed,
        -- every tier with usage priced, else null: a partial sum would read as the whole
        case
            when
                count(reconciliation_tiers.unattributed_cost_usd)
                = sum(case when reconciliation_tiers.has_provider_usage then 1 else 0 end)
                then sum(reconciliation_tiers.unattributed_cost_usd)
        end as unattributed_cost_usd,
        case
            when sum(reconciliation_tiers.unpriced_report_lines) = 0 then sum(reconciliation_tiers.our_price_usd)
        end as our_price_on_provider_tokens_usd,
        sum(
            case when reconciliation_tiers.has_provider_usage then reconciliation_tiers.unpriced_report_lines else 0 end
        ) as unpriced_report_lines
    from reconciliation_tiers
    group by
        reconciliation_tiers.day,
        reconciliation_tiers.provider,
        reconciliation_tiers.model,
        reconciliation_tiers.project_or_workspace
),

{{ provider_costs_by_model('reconciliation_tiers', 'provider_costs') }},

joined as (
    select
        coalesce(usage_by_model.day, costs_by_model.day) as day,
        coalesce(usage_by_model.provider, costs_by_model.provider) as provider,
        coalesce(usage_by_model.model, costs_by_model.model) as model,
        coalesce(usage_by_model.project_or_workspace, costs_by_model.project_or_workspace) as project_or_workspace,
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
        usage_by_model.attributed_effective_cost_usd,
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
        and usage_by_model.project_or_workspace = costs_by_model.project_or_workspace
),

final as (
    select
        -- grain
        joined.day,
        joined.provider,
        joined.model,
        joined.project_or_workspace,

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
        joined.attributed_effective_cost_usd,
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
