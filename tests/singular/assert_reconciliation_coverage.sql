{{ config(severity='warn') }}
-- The (day, provider) rows of rpt_invoice_reconciliation whose spans account for less of the tokens the provider
-- reports than setting reconciliation_min_coverage (dbt_project.yml; env LLM_COST_RECONCILIATION_MIN_COVERAGE):
-- calls made without tracing, or spans not landed yet. A warning, never a failure (README "Reconciliation").
-- A day with spans and no report has no coverage and is not listed.
with

reconciliation as (
    select * from {{ ref('rpt_invoice_reconciliation') }}
),

days as (
    select
        reconciliation.day,
        reconciliation.provider,
        sum(reconciliation.provider_tokens) as provider_tokens,
        sum(reconciliation.attributed_tokens) as attributed_tokens
    from reconciliation
    group by reconciliation.day, reconciliation.provider
),

final as (
    select
        days.day,
        days.provider,
        days.provider_tokens,
        days.attributed_tokens,
        {{ safe_ratio('days.attributed_tokens', 'days.provider_tokens') }} as coverage_ratio,
        {{ get_setting('reconciliation_min_coverage') | float }} as min_coverage
    from days
    where days.provider_tokens > 0
)

select * from final
where final.coverage_ratio < final.min_coverage
