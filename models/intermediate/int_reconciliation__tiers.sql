{#- The providers' usage against the attributed calls per (day, provider, model, service_tier, project_or_workspace),
    for the providers whose reports are loaded (README "Reconciliation"). A provider whose spans carry a project or
    workspace id its reports name (fct_span_costs.account_id, vars account_keys) is compared per project or
    workspace; any other is summed over them, '(all)'. Tokens are compared per tier and bucket, so the blind spots
    (provider tokens the spans do not account for) are priced at their tier, with the price lookup of
    int_llm_calls__priced at that day (base row: a day of usage does not tell which calls were long-context).
    rpt_invoice_reconciliation sums it per model; fct_focus_costs bills the blind spots per bucket. A table rebuilt
    on every build (the reports are small). -#}
with

provider_usage as (
    select * from {{ ref('int_provider_usage__daily') }}
),

provider_costs as (
    select * from {{ ref('int_provider_costs__daily') }}
),

-- read twice over the whole history: inlined, so DuckDB does not hold a copy of every column of every call
span_costs as {{ inlined_cte() }} (
    select * from {{ ref('fct_span_costs') }}
),

reported_providers as (
    select distinct provider_usage.provider from provider_usage
    union distinct
    select distinct provider_costs.provider from provider_costs
),

report_accounts as (
    -- the OpenAI projects and Anthropic workspaces the reports name
    select distinct
        provider_usage.provider,
        provider_usage.project_or_workspace
    from provider_usage
    union distinct
    select distinct
        provider_costs.provider,
        provider_costs.project_or_workspace
    from provider_costs
),

span_accounts as (
    select distinct
        span_costs.provider,
        span_costs.account_id
    from span_costs
    where span_costs.account_id is not null
),

per_account_providers as (
    -- providers whose spans name a project or workspace of their reports: reconciled per project or workspace
    select distinct report_accounts.provider
    from report_accounts
    inner join span_accounts
        on report_accounts.provider = span_accounts.provider
        and report_accounts.project_or_workspace = span_accounts.account_id
),

usage_lines as (
    select
        provider_usage.*,
        case
            when per_account_providers.provider is not null then provider_usage.project_or_workspace else '(all)'
        end as reconciled_account
    from provider_usage
    left join per_account_providers
        on provider_usage.provider = per_account_providers.provider
),

provider_tiers as (
    select
        usage_lines.day,
        usage_lines.provider,
        usage_lines.model,
        usage_lines.service_tier,
        usage_lines.reconciled_account as project_or_workspace,
        sum(usage_lines.provider_requests) as provider_requests,
        {%- for bucket in own_buckets() %}
        sum(usage_lines.{{ bucket.name }}_tokens) as provider_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(usage_lines.our_price_usd) as our_price_usd,
        sum(case when usage_lines.is_priced then 0 else 1 end) as unpriced_report_lines
    from usage_lines
    group by
        usage_lines.day,
        usage_lines.provider,
        usage_lines.model,
        usage_lines.service_tier,
        usage_lines.reconciled_account
),

reported_calls as (
    -- the calls of the providers with reports, keyed as the reports are
    select
        span_costs.*,
        coalesce(span_costs.priced_model, span_costs.reported_model, '(unknown)') as reconciled_model,
        -- a call without an account, or of one the reports do not name, is a row of its own
        case
            when per_account_providers.provider is not null then coalesce(span_costs.account_id, '(no account)')
            else '(all)'
        end as reconciled_account
    from span_costs
    inner join reported_providers
        on span_costs.provider = reported_providers.provider
    left join per_account_providers
        on span_costs.provider = per_account_providers.provider
),

attributed_tiers as (
    select
        reported_calls.day,
        reported_calls.provider,
        reported_calls.reconciled_model as model,
        reported_calls.service_tier,
        reported_calls.reconciled_account as project_or_workspace,
        count(*) as attributed_calls,
        {%- for bucket in own_buckets() %}
        sum(reported_calls.{{ bucket.name }}_tokens) as attributed_{{ bucket.name }}_tokens,
        {%- endfor %}
        sum(reported_calls.cost_usd) as attributed_cost_usd,
        sum(reported_calls.effective_cost_usd) as attributed_effective_cost_usd,
        sum(case when reported_calls.is_priced then 0 else 1 end) as unpriced_calls
    from reported_calls
    group by
        reported_calls.day,
        reported_calls.provider,
        reported_calls.reconciled_model,
        reported_calls.service_tier,
        reported_calls.reconciled_account
),

tiers as (
    select
        coalesce(provider_tiers.day, attributed_tiers.day) as day,
        coalesce(provider_tiers.provider, attributed_tiers.provider) as provider,
        coalesce(provider_tiers.model, attributed_tiers.model) as model,
        coalesce(provider_tiers.service_tier, attributed_tiers.service_tier) as service_tier,
        coalesce(provider_tiers.project_or_workspace, attributed_tiers.project_or_workspace) as project_or_workspace,
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
        attributed_tiers.attributed_effective_cost_usd,
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
            'provider_tiers.service_tier', 'provider_tiers.project_or_workspace']) }} as tier_key,
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
        and provider_tiers.project_or_workspace = attributed_tiers.project_or_workspace
),

{{ choose_price_rows('tiers', key='tier_key') }},

priced_tiers as (
    select
        tiers.*,
        tiers.has_provider_usage and {{ price_row_bills('chosen_price', 'tiers.provider_output_tokens') }}
            as is_blind_spot_priced,
        -- the rate each bucket's blind spot is billed at (macro bucket_rate: its own price, else its pool's); null
        -- without a price row
        {%- for bucket in own_buckets() %}
        case
            when chosen_price.tier_key is not null then {{ bucket_rate(bucket.name, 'chosen_price') }}
        end as {{ bucket.name }}_usd_per_mtok,
        {%- endfor %}
        chosen_price.effective_from as price_effective_from
    from tiers
    left join chosen_price
        on tiers.tier_key = chosen_price.tier_key
),

blind_spot_costs as (
    select
        priced_tiers.*,
        {%- for bucket in own_buckets() %}
        {%- set tokens = 'priced_tiers.unattributed_' ~ bucket.name ~ '_tokens' %}
        {%- set rate = 'priced_tiers.' ~ bucket.name ~ '_usd_per_mtok' %}
        case
            when priced_tiers.is_blind_spot_priced then {{ cost_of(tokens, rate) }}
        end as unattributed_{{ bucket.name }}_cost_usd,
        {%- endfor %}
        {{ own_tokens_sum('priced_tiers') | replace('priced_tiers.', 'priced_tiers.unattributed_') }}
            as unattributed_tokens
    from priced_tiers
),

final as (
    select
        blind_spot_costs.*,
        {%- for bucket in own_buckets() %}
        {{ '+ ' if not loop.first }}blind_spot_costs.unattributed_{{ bucket.name }}_cost_usd
        {%- endfor %} as unattributed_cost_usd
    from blind_spot_costs
)

select * from final
