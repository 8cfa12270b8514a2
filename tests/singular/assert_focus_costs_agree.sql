-- The FOCUS export loses and adds nothing (README "FOCUS export"), exactly: its spans rows carry the priced calls'
-- tokens, list cost and effective cost of fct_span_costs; and on every (day, provider, model) a cost report covers
-- (in each of its projects or workspaces), its rows bill what the provider billed.
with

span_totals as (
    select
        'spans rows against fct_span_costs' as check_name,
        sum(fct_span_costs.total_tokens) as expected_tokens,
        coalesce(sum(fct_span_costs.cost_usd), 0) as expected_list_cost,
        coalesce(sum(fct_span_costs.effective_cost_usd), 0) as expected_billed_cost
    from {{ ref('fct_span_costs') }} as fct_span_costs
    where fct_span_costs.is_priced
),

exported_span_totals as (
    select
        sum(focus.ConsumedQuantity) as exported_tokens,
        coalesce(sum(focus.ListCost), 0) as exported_list_cost,
        coalesce(sum(focus.BilledCost), 0) as exported_billed_cost
    from {{ ref('fct_focus_costs') }} as focus
    where focus.x_ChargeSource = 'spans'
),

span_mismatch as (
    select
        span_totals.check_name,
        cast(null as date) as day,
        cast(null as {{ type_string() }}) as provider,
        cast(null as {{ type_string() }}) as model,
        span_totals.expected_billed_cost,
        exported_span_totals.exported_billed_cost
    from span_totals
    cross join exported_span_totals
    where coalesce(span_totals.expected_tokens, 0) <> coalesce(exported_span_totals.exported_tokens, 0)
        or span_totals.expected_list_cost <> exported_span_totals.exported_list_cost
        or span_totals.expected_billed_cost <> exported_span_totals.exported_billed_cost
),

exported_by_model as (
    select
        focus.x_ChargeDay as day,
        focus.x_Provider as provider,
        focus.x_Model as model,
        sum(focus.BilledCost) as exported_billed_cost
    from {{ ref('fct_focus_costs') }} as focus
    group by focus.x_ChargeDay, focus.x_Provider, focus.x_Model
),

provider_costs as (
    select
        reconciliation.day,
        reconciliation.provider,
        reconciliation.model,
        sum(reconciliation.provider_cost_usd) as provider_cost_usd
    from {{ ref('rpt_invoice_reconciliation') }} as reconciliation
    group by reconciliation.day, reconciliation.provider, reconciliation.model
    -- every project or workspace of the model billed that day (a row without a cost report exports its calls
    -- with nothing to adjust them to)
    having count(reconciliation.provider_cost_usd) = count(*)
),

invoice_mismatch as (
    select
        'rows of a reported day against the provider cost' as check_name,
        reconciliation.day,
        reconciliation.provider,
        reconciliation.model,
        reconciliation.provider_cost_usd as expected_billed_cost,
        exported_by_model.exported_billed_cost
    from provider_costs as reconciliation
    left join exported_by_model
        on reconciliation.day = exported_by_model.day
        and reconciliation.provider = exported_by_model.provider
        and reconciliation.model = exported_by_model.model
    where reconciliation.provider_cost_usd is not null
        and reconciliation.provider_cost_usd <> coalesce(exported_by_model.exported_billed_cost, 0)
)

select * from span_mismatch
union all
select * from invoice_mismatch
