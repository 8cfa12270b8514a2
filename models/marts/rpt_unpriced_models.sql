{#- Every (provider, model) seen on a call that could not be priced: add a row to seeds/model_prices.csv
    (or an alias to seeds/model_aliases.csv) and rebuild. -#}
with

span_costs as (
    select * from {{ ref('fct_span_costs') }}
    where not is_priced
),

final as (
    select
        coalesce(provider, '(unknown)') as provider,
        coalesce(reported_model, '(unknown)') as model,
        min(unpriced_reason) as reason,
        min(started_at) as first_seen,
        max(started_at) as last_seen,
        count(*) as calls,
        count(distinct run_id) as runs,
        sum(total_tokens) as tokens,
        sum(total_input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(case when unreported_usage is null then 0 else 1 end) as calls_with_unreported_usage
    from span_costs
    group by coalesce(provider, '(unknown)'), coalesce(reported_model, '(unknown)')
)

select * from final
