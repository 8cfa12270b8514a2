{#- What the providers bill, at the finest grain both cost reports share: one row per (day, provider, model,
    project_or_workspace) (README "Reconciliation", the cost grain). OpenAI bills by project and line item, not by
    model: the model is read from the line item ("<model>, <what>", the text before the first comma) and resolved
    as the spans' models are; a line item that names no model (tools, storage) keeps its own text as the model.
    Anthropic bills by workspace and cost item, with the model (null for web search and the like: the description
    stands in). Amounts in USD only. A table rebuilt on every build. -#}
with

openai_costs as (
    select * from {{ ref('stg_provider_reports__openai_costs') }}
),

anthropic_costs as (
    select * from {{ ref('stg_provider_reports__anthropic_cost_report') }}
),

cost_lines as (
    select
        openai_costs.day,
        'openai' as provider,
        trim({{ part_before('openai_costs.line_item', ',') }}) as report_model,
        coalesce(openai_costs.project_id, '(none)') as project_or_workspace,
        openai_costs.amount_value
    from openai_costs
    where lower(openai_costs.amount_currency) = 'usd'

    union all

    select
        anthropic_costs.day,
        'anthropic' as provider,
        coalesce(anthropic_costs.model, anthropic_costs.description, anthropic_costs.cost_type) as report_model,
        coalesce(anthropic_costs.workspace_id, '(default)') as project_or_workspace,
        anthropic_costs.amount_value
    from anthropic_costs
    where lower(anthropic_costs.currency) = 'usd'
),

reported_names as (
    select distinct
        cost_lines.provider as reported_provider,
        cost_lines.report_model as model_name
    from cost_lines
    where cost_lines.report_model is not null
),

{{ resolve_model_names('reported_names') }},

final as (
    select
        cost_lines.day,
        cost_lines.provider,
        coalesce(resolved_model_names.priced_model, cost_lines.report_model, '(unknown)') as model,
        cost_lines.project_or_workspace,
        count(*) as cost_lines,
        sum(cost_lines.amount_value) as provider_cost_usd
    from cost_lines
    left join resolved_model_names
        on cost_lines.provider = resolved_model_names.reported_provider
        and cost_lines.report_model = resolved_model_names.model_name
    group by
        cost_lines.day,
        cost_lines.provider,
        coalesce(resolved_model_names.priced_model, cost_lines.report_model, '(unknown)'),
        cost_lines.project_or_workspace
)

select * from final
