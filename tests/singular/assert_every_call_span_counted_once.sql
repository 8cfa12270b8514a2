-- Every provider-call span is either a costed call in fct_span_costs or a dropped duplicate layer, never both, never neither.
with

call_spans as (
    select trace_id, span_id from {{ ref('int_spans__normalized') }} where is_provider_call
),

costed as (
    select trace_id, span_id from {{ ref('fct_span_costs') }}
),

dropped as (
    select trace_id, dropped_span_id as span_id from {{ ref('int_llm_calls__dropped_duplicates') }}
),

classified as (
    select
        call_spans.trace_id,
        call_spans.span_id,
        case when costed.span_id is not null then 1 else 0 end
            + case when dropped.span_id is not null then 1 else 0 end as times_counted
    from call_spans
    left join costed
        on costed.trace_id = call_spans.trace_id and costed.span_id = call_spans.span_id
    left join dropped
        on dropped.trace_id = call_spans.trace_id and dropped.span_id = call_spans.span_id
)

select * from classified where times_counted <> 1
