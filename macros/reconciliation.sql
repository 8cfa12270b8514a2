{#- The providers' cost per (day, provider, model, project_or_workspace) at the grain int_reconciliation__tiers
    compares: per OpenAI project or Anthropic workspace for the providers it compares that way, else summed over
    them ('(all)'). Two CTEs, per_account_providers and costs_by_model, for rpt_invoice_reconciliation (the report)
    and fct_focus_costs (its Adjustment rows): written once for both, so the FOCUS export does not wait for the report
    (in a full build it now runs beside fct_tool_costs instead of after it; bench/RESULTS.md, 2026-12-07). -#}
{% macro provider_costs_by_model(reconciliation_tiers, provider_costs) %}
per_account_providers as (
    -- the providers int_reconciliation__tiers compares per project or workspace
    select distinct {{ reconciliation_tiers }}.provider
    from {{ reconciliation_tiers }}
    where {{ reconciliation_tiers }}.project_or_workspace <> '(all)'
),

costs_by_model as (
    select
        {{ provider_costs }}.day,
        {{ provider_costs }}.provider,
        {{ provider_costs }}.model,
        case
            when per_account_providers.provider is not null then {{ provider_costs }}.project_or_workspace else '(all)'
        end as project_or_workspace,
        sum({{ provider_costs }}.provider_cost_usd) as provider_cost_usd
    from {{ provider_costs }}
    left join per_account_providers
        on {{ provider_costs }}.provider = per_account_providers.provider
    group by
        {{ provider_costs }}.day,
        {{ provider_costs }}.provider,
        {{ provider_costs }}.model,
        case
            when per_account_providers.provider is not null then {{ provider_costs }}.project_or_workspace else '(all)'
        end
)
{%- endmacro %}
