{#- The costs as a FinOps FOCUS 1.2 cost and usage dataset (README "FOCUS export"): one charge row per (day, run,
    feature, tenant, agent, provider, model, price row, token bucket, rate) for the priced calls; with the providers'
    reports loaded, one row per (day, provider, model, tier, project or workspace, bucket) for the blind spots
    (provider tokens no span accounts for, priced with our price rows) and one Adjustment row per (day, provider,
    model, project or workspace: rpt_invoice_reconciliation's grain) for the rest of the
    provider's cost, so the rows of a reported day sum to the provider's invoice. Column names are FOCUS's
    (PascalCase by the specification); columns of our own are prefixed x_ as FOCUS asks.
    Incremental: the batch's runs are replaced whole, the report rows (x_ChargeSource other than spans) are rebuilt
    on every build, as rpt_invoice_reconciliation is. -#}
{{ config(
    materialized='incremental',
    incremental_strategy=replace_batch_strategy(),
    meta={'replace_batch': {
        'runs': 'x_RunId', 'days': 'x_ChargeDay', 'rebuilt': {'column': 'x_ChargeSource', 'unless': 'spans'},
    }},
    partition_by=day_partitions('x_ChargeDay'),
    cluster_by=['SubAccountId', 'SkuId'],
    on_schema_change='append_new_columns',
) }}
-- noqa: disable=CP02
-- depends_on: {{ ref('int_spans__in_batch') }}
{{ assert_full_batch_for_rebuild() }}
{%- set billing_accounts = get_setting('focus_billing_accounts', {}) %}
{#- the token-rate parts (audio), read from the emitter registry once per compile -#}
{%- set token_parts = token_rate_parts() %}
with

priced_calls as (
    select * from {{ ref('int_llm_calls__priced') }}
),

batch_runs as (
    select distinct in_batch.trace_id
    from {{ ref('int_spans__in_batch') }} as in_batch
),

reconciliation_tiers as (
    select * from {{ ref('int_reconciliation__tiers') }}
),

provider_costs as (
    select * from {{ ref('int_provider_costs__daily') }}
),

focus_providers as (
    select * from {{ ref('stg_seeds__focus_providers') }}
),

batch_calls as (
    -- the calls of fct_span_costs (the batch's runs); an unpriced call has no cost to export (it fails or warns in
    -- the unpriced-model test, and on a reported day its share of the bill is in the Adjustment row)
    select
        priced_calls.*,
        {{ call_provider('priced_calls') }} as provider,
        coalesce(priced_calls.priced_model, priced_calls.response_model, priced_calls.request_model, '(unknown)')
            as model
    from priced_calls
    inner join batch_runs
        on priced_calls.trace_id = batch_runs.trace_id
    where priced_calls.is_priced
),

bucket_arms as (
    {#- one row per token bucket, one per token-rate part (audio), and one for the per-request fee (web searches, at
        the fee per request, the same under a contract) -#}
    {%- set arms = [] %}
    {%- for bucket in token_buckets() %}
    {%- set billed = bucket_billed_tokens(bucket.name, 'batch_calls', token_parts) %}
    {%- do arms.append({
        'name': bucket.name, 'unit': 'tokens', 'quantity': billed,
        'list_rate': bucket_charged_rate(bucket.name, 'batch_calls'),
        'contracted_rate': bucket_charged_rate(bucket.name, 'batch_calls', 'effective_'),
        'list_cost': 'batch_calls.' ~ bucket.name ~ '_cost_usd',
        'contracted_cost': 'batch_calls.effective_' ~ bucket.name ~ '_cost_usd',
        'filter': billed ~ ' > 0',
    }) %}
    {%- endfor %}
    {#- the token-rate parts (audio) carved out of their buckets, at their own rates -#}
    {%- for part in token_parts %}
    {%- do arms.append({
        'name': part.name, 'unit': 'tokens', 'quantity': 'batch_calls.' ~ part.name ~ '_billed_tokens',
        'list_rate': 'batch_calls.' ~ part.name ~ '_rate',
        'contracted_rate': 'batch_calls.effective_' ~ part.name ~ '_rate',
        'list_cost': 'batch_calls.' ~ part.name ~ '_cost_usd',
        'contracted_cost': 'batch_calls.effective_' ~ part.name ~ '_cost_usd',
        'filter': 'batch_calls.' ~ part.name ~ '_billed_tokens > 0',
    }) %}
    {%- endfor %}
    {%- set fee_rate = money_split('batch_calls.web_search_cost_usd', 'batch_calls.web_search_requests') %}
    {%- do arms.append({
        'name': 'web_search', 'unit': 'requests', 'quantity': 'batch_calls.web_search_requests',
        'list_rate': fee_rate, 'contracted_rate': fee_rate,
        'list_cost': 'batch_calls.web_search_cost_usd', 'contracted_cost': 'batch_calls.web_search_cost_usd',
        'filter': 'batch_calls.web_search_requests > 0 and batch_calls.web_search_cost_usd > 0',
    }) %}
    {%- for arm in arms %}
    {{ 'union all' if not loop.first }}
    select
        '{{ arm.name }}' as token_bucket,
        '{{ arm.unit }}' as unit
    {%- endfor %}
),

call_buckets as (
    -- each call once per bucket in one scan of the batch's calls (a union of one select per bucket read the wide
    -- calls seven times and ran out of memory at 30M spans: bench/RESULTS.md), the charged ones only
    select
        batch_calls.day,
        batch_calls.trace_id as run_id,
        batch_calls.feature,
        batch_calls.tenant_id,
        batch_calls.agent_name,
        batch_calls.provider,
        batch_calls.model,
        batch_calls.price_service_tier as service_tier,
        batch_calls.price_min_input_tokens,
        batch_calls.price_effective_from,
        {%- for column, field in [
            ('tokens', 'quantity'), ('list_unit_price', 'list_rate'), ('contracted_unit_price', 'contracted_rate'),
            ('list_cost', 'list_cost'), ('contracted_cost', 'contracted_cost'),
        ] %}
        case bucket_arms.token_bucket
            {%- for arm in arms %}
            when '{{ arm.name }}' then {{ arm[field] }}
            {%- endfor %}
        end as {{ column }},
        {%- endfor %}
        bucket_arms.token_bucket,
        bucket_arms.unit
    from batch_calls
    cross join bucket_arms
    -- filtered here, before a bucket's rate divides by its quantity
    where
        case bucket_arms.token_bucket
            {%- for arm in arms %}
            when '{{ arm.name }}' then {{ arm.filter }}
            {%- endfor %}
        end
),

call_charges as (
    select
        'spans' as charge_source,
        'Usage' as charge_category,
        call_buckets.day,
        call_buckets.run_id,
        call_buckets.tenant_id,
        call_buckets.provider,
        call_buckets.model,
        call_buckets.service_tier,
        call_buckets.price_min_input_tokens,
        call_buckets.price_effective_from,
        call_buckets.token_bucket,
        call_buckets.unit,
        call_buckets.list_unit_price,
        call_buckets.contracted_unit_price,
        sum(call_buckets.tokens) as tokens,
        sum(call_buckets.list_cost) as list_cost,
        sum(call_buckets.contracted_cost) as contracted_cost,
        {{ json_object_text([
            ('feature', 'call_buckets.feature'),
            ('tenant', 'call_buckets.tenant_id'),
            ('agent', 'call_buckets.agent_name'),
            ('run_id', 'call_buckets.run_id'),
        ]) }} as tag_json
    from call_buckets
    group by
        call_buckets.day,
        call_buckets.run_id,
        call_buckets.feature,
        call_buckets.tenant_id,
        call_buckets.agent_name,
        call_buckets.provider,
        call_buckets.model,
        call_buckets.service_tier,
        call_buckets.price_min_input_tokens,
        call_buckets.price_effective_from,
        call_buckets.token_bucket,
        call_buckets.unit,
        call_buckets.list_unit_price,
        call_buckets.contracted_unit_price
),

blind_spot_charges as (
    -- the provider tokens no span accounts for, per tier and bucket, at the rate int_reconciliation__tiers priced
    -- them with (list prices: which account, and so which contract, they ran under is not known)
    {%- for bucket in own_buckets() %}
    {{ 'union all' if not loop.first }}
    select
        'unattributed' as charge_source,
        'Usage' as charge_category,
        reconciliation_tiers.day,
        cast(null as {{ type_string() }}) as run_id,
        cast(null as {{ type_string() }}) as tenant_id,
        reconciliation_tiers.provider,
        reconciliation_tiers.model,
        reconciliation_tiers.service_tier,
        0 as price_min_input_tokens,
        reconciliation_tiers.price_effective_from,
        '{{ bucket.name }}' as token_bucket,
        'tokens' as unit,
        reconciliation_tiers.{{ bucket.name }}_usd_per_mtok as list_unit_price,
        reconciliation_tiers.{{ bucket.name }}_usd_per_mtok as contracted_unit_price,
        reconciliation_tiers.unattributed_{{ bucket.name }}_tokens as tokens,
        reconciliation_tiers.unattributed_{{ bucket.name }}_cost_usd as list_cost,
        reconciliation_tiers.unattributed_{{ bucket.name }}_cost_usd as contracted_cost,
        {{ json_object_text([
            ('attribution', "'unattributed'"),
            ('project_or_workspace', 'reconciliation_tiers.project_or_workspace'),
        ]) }} as tag_json
    from reconciliation_tiers
    where reconciliation_tiers.is_blind_spot_priced and reconciliation_tiers.unattributed_{{ bucket.name }}_tokens > 0
    {%- endfor %}
),

{{ provider_costs_by_model('reconciliation_tiers', 'provider_costs') }},

exported_by_model as (
    -- what the rows above bill per (day, provider, model, project or workspace) of a reported provider, across every
    -- batch
    select
        reconciliation_tiers.day,
        reconciliation_tiers.provider,
        reconciliation_tiers.model,
        reconciliation_tiers.project_or_workspace,
        coalesce(sum(reconciliation_tiers.attributed_effective_cost_usd), 0)
        + coalesce(sum(reconciliation_tiers.unattributed_cost_usd), 0) as exported_cost_usd
    from reconciliation_tiers
    group by
        reconciliation_tiers.day,
        reconciliation_tiers.provider,
        reconciliation_tiers.model,
        reconciliation_tiers.project_or_workspace
),

adjustment_charges as (
    -- the rest of the provider's cost: price drift, contract terms the seed does not hold, unpriced calls and report
    -- lines, tokens the spans over-count, charges no token bucket models (rpt_invoice_reconciliation explains it)
    select
        'adjustment' as charge_source,
        'Adjustment' as charge_category,
        costs_by_model.day,
        cast(null as {{ type_string() }}) as run_id,
        cast(null as {{ type_string() }}) as tenant_id,
        costs_by_model.provider,
        costs_by_model.model,
        cast(null as {{ type_string() }}) as service_tier,
        cast(null as {{ type_bigint() }}) as price_min_input_tokens,
        cast(null as {{ type_timestamp() }}) as price_effective_from,
        cast(null as {{ type_string() }}) as token_bucket,
        cast(null as {{ type_string() }}) as unit,
        cast(null as {{ money_type() }}) as list_unit_price,
        cast(null as {{ money_type() }}) as contracted_unit_price,
        cast(null as {{ type_bigint() }}) as tokens,
        costs_by_model.provider_cost_usd - coalesce(exported_by_model.exported_cost_usd, 0) as list_cost,
        costs_by_model.provider_cost_usd - coalesce(exported_by_model.exported_cost_usd, 0) as contracted_cost,
        {{ json_object_text([
            ('attribution', "'adjustment'"),
            ('project_or_workspace', 'costs_by_model.project_or_workspace'),
        ]) }} as tag_json
    from costs_by_model
    left join exported_by_model
        on costs_by_model.day = exported_by_model.day
        and costs_by_model.provider = exported_by_model.provider
        and costs_by_model.model = exported_by_model.model
        and costs_by_model.project_or_workspace = exported_by_model.project_or_workspace
    where
        costs_by_model.provider_cost_usd is not null
        and costs_by_model.provider_cost_usd <> coalesce(exported_by_model.exported_cost_usd, 0)
),

charges as (
    select * from call_charges
    union all
    select * from blind_spot_charges
    union all
    select * from adjustment_charges
),

named as (
    select
        charges.*,
        coalesce(focus_providers.provider_name, charges.provider) as provider_name,
        coalesce(focus_providers.publisher_name, charges.provider) as publisher_name,
        coalesce(focus_providers.invoice_issuer_name, charges.provider) as invoice_issuer_name,
        coalesce(focus_providers.service_name, charges.provider) as service_name,
        {%- if billing_accounts %}
        coalesce(
            case charges.provider
                {%- for provider, account in billing_accounts.items() %}
                when '{{ provider }}' then '{{ account }}'
                {%- endfor %}
            end,
            charges.provider
        ) as billing_account_id,
        {%- else %}
        charges.provider as billing_account_id,
        {%- endif %}
        case charges.token_bucket
            {%- for bucket in token_buckets() %}
            when '{{ bucket.name }}' then '{{ bucket.meter }}'
            {%- endfor %}
            {%- for part in token_parts %}
            when '{{ part.name }}' then '{{ part.meter }}'
            {%- endfor %}
            when 'web_search' then 'Web Search Requests'
        end as sku_meter,
        concat(charges.provider, '/', charges.model) as sku_id
    from charges
    left join focus_providers
        on charges.provider = focus_providers.provider
),

final as (
    select
        -- FOCUS 1.2 columns
        named.contracted_cost as BilledCost,
        named.billing_account_id as BillingAccountId,
        named.billing_account_id as BillingAccountName,
        'USD' as BillingCurrency,
        cast({{ dbt.date_trunc('month', 'named.day') }} as {{ type_timestamp() }}) as BillingPeriodStart,
        cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'named.day')) }} as {{ type_timestamp() }})
            as BillingPeriodEnd,
        named.charge_category as ChargeCategory,
        cast(null as {{ type_string() }}) as ChargeClass,
        -- no commitment discounts; present (null) because the validator's ConsumedQuantity rules read it
        cast(null as {{ type_string() }}) as CommitmentDiscountStatus,
        case
            when named.charge_source = 'adjustment'
                then concat(named.model, ': provider cost not in the rows of the day (see rpt_invoice_reconciliation)')
            when named.charge_source = 'unattributed'
                then concat(named.model, ' ', lower(named.sku_meter), ', not in any traced call')
            else concat(named.model, ' ', lower(named.sku_meter))
        end as ChargeDescription,
        case when named.charge_source = 'adjustment' then 'One-Time' else 'Usage-Based' end as ChargeFrequency,
        cast(named.day as {{ type_timestamp() }}) as ChargePeriodStart,
        cast({{ dbt.dateadd('day', 1, 'named.day') }} as {{ type_timestamp() }}) as ChargePeriodEnd,
        named.tokens as ConsumedQuantity,
        case named.unit when 'tokens' then 'Tokens' when 'requests' then 'Requests' end as ConsumedUnit,
        named.contracted_cost as ContractedCost,
        named.contracted_unit_price as ContractedUnitPrice,
        named.contracted_cost as EffectiveCost,
        named.invoice_issuer_name as InvoiceIssuerName,
        cast(null as {{ type_string() }}) as InvoiceId,
        named.list_cost as ListCost,
        named.list_unit_price as ListUnitPrice,
        case when named.tokens is not null then 'Standard' end as PricingCategory,
        'USD' as PricingCurrency,
        named.contracted_unit_price as PricingCurrencyContractedUnitPrice,
        named.contracted_cost as PricingCurrencyEffectiveCost,
        named.list_unit_price as PricingCurrencyListUnitPrice,
        case
            when named.unit = 'requests' then cast(named.tokens as {{ money_type() }})
            else {{ million_tokens('named.tokens') }}
        end as PricingQuantity,
        case named.unit when 'tokens' then '1000000 Tokens' when 'requests' then 'Requests' end as PricingUnit,
        named.provider_name as ProviderName,
        named.publisher_name as PublisherName,
        'AI and Machine Learning' as ServiceCategory,
        named.service_name as ServiceName,
        'Generative AI' as ServiceSubcategory,
        case when named.charge_source <> 'adjustment' then named.sku_id end as SkuId,
        named.sku_meter as SkuMeter,
        case
            when named.tokens is not null
                then {{ text_key(['named.sku_id', 'named.service_tier', 'named.price_min_input_tokens',
                    'named.token_bucket', 'named.price_effective_from']) }}
        end as SkuPriceId,
        case
            when named.tokens is not null
                then {{ json_object_text([
                    ('x_TokenBucket', 'named.token_bucket'),
                    ('x_ServiceTier', 'named.service_tier'),
                    ('x_MinInputTokens', 'named.price_min_input_tokens'),
                ]) }}
        end as SkuPriceDetails,
        named.tenant_id as SubAccountId,
        named.tenant_id as SubAccountName,
        named.tag_json as Tags,

        -- our own columns
        {{ sha256_hex(text_key(['named.charge_source', 'named.day', 'named.run_id', 'named.tag_json', 'named.provider',
            'named.model', 'named.service_tier', 'named.price_min_input_tokens', 'named.price_effective_from',
            'named.token_bucket', 'named.list_unit_price', 'named.contracted_unit_price'])) }} as x_ChargeId,
        named.charge_source as x_ChargeSource,
        named.day as x_ChargeDay,
        named.run_id as x_RunId,
        named.provider as x_Provider,
        named.model as x_Model,
        named.service_tier as x_ServiceTier,
        named.token_bucket as x_TokenBucket
    from named
)

select * from final
