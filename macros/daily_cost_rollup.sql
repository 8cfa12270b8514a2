{#- Day x dimension rollup of fct_span_costs, shared by the feature and tenant daily marts. -#}
{% macro daily_cost_rollup(dimension) %}
with

span_costs as (
    select * from {{ ref('fct_span_costs') }}
    {% if is_incremental() %}
    -- every day a batch span started on is recomputed whole from the (already updated) span mart: also a day
    -- that lost a call (a layer that is now a duplicate), not only the days of the batch's calls
    where {{ in_batch_days('day') }}
    {% endif %}
),

daily as (
    select
        day,
        {{ dimension }},
        count(distinct run_id) as runs,
        count(*) as calls,
        {{- bucket_sums() }}
        sum(total_tokens) as total_tokens,
        coalesce(sum(cost_usd), cast(0 as {{ money_type() }})) as cost_usd,
        sum(reported_cost_usd) as reported_cost_usd,
        sum(case when is_priced then 0 else 1 end) as unpriced_calls,
        sum(case when is_priced then 0 else total_tokens end) as unpriced_tokens,
        sum(case when unreported_usage is null then 0 else 1 end) as calls_with_unreported_usage,
        coalesce(sum(effective_cost_usd), cast(0 as {{ money_type() }})) as effective_cost_usd,
        {{ failure_sums() }}
    from span_costs
    group by day, {{ dimension }}
),

final as (
    select
        day,
        {{ dimension }},
        runs,
        calls,
        {{- bucket_columns() }}
        total_tokens,
        cost_usd,
        -- exact decimal: cost_usd split over runs, floored to the 12th decimal
        {{ money_split('cost_usd', 'runs') }} as cost_per_run_usd,
        reported_cost_usd,
        unpriced_calls,
        unpriced_tokens,
        calls_with_unreported_usage,
        -- under contracts (cost_usd when none applies)
        effective_cost_usd,
        {{ money_split('effective_cost_usd', 'runs') }} as effective_cost_per_run_usd,
        -- failed runs (root span status error), failed calls, retries (a call repeating a failed one) and their cost
        failed_runs,
        failed_run_cost_usd,
        failed_calls,
        failed_call_cost_usd,
        retry_calls,
        retry_cost_usd
    from daily
)

select * from final
{% endmacro %}

{#- Failures and retries over fct_span_costs rows (list cost): what failed runs, failed calls and retries cost. -#}
{% macro failure_sums() -%}
    count(distinct case when is_failed_run then run_id end) as failed_runs,
        coalesce(sum(case when is_failed_run then cost_usd end), cast(0 as {{ money_type() }})) as failed_run_cost_usd,
        sum(case when is_failed_call then 1 else 0 end) as failed_calls,
        coalesce(sum(case when is_failed_call then cost_usd end), cast(0 as {{ money_type() }})) as failed_call_cost_usd,
        sum(case when is_retry then 1 else 0 end) as retry_calls,
        coalesce(sum(case when is_retry then cost_usd end), cast(0 as {{ money_type() }})) as retry_cost_usd
{%- endmacro %}
