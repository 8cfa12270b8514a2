{#- Every provider-call span, with the span that stands for its call (docs/contract.md section 4: one call recorded
    by two instrumentation layers is counted once). Two spans of one trace are one call when they share a
    response id, or have the same model and token totals and one's time range contains the other's.
    The kept span has the most usage buckets filled (cache read, cache write, 1-hour write, reasoning), then is the
    outermost (earliest start, latest end), then has the smallest span_id.
    Every join and window is within a trace, so it is built in passes of whole traces (macros/trace_partitioned.sql):
    its self-joins build hash tables over a batch's calls, beside int_spans__tree's walk, which cannot spill (30M
    spans in one pass ran out of the 2 GiB limit). -#}
{{ trace_partitioned_config('int_spans__normalized') }}

with

spans as (
    select * from {{ ref('int_spans__normalized') }}
    where is_provider_call and {{ trace_partition('trace_bucket') }}
),

calls as (
    select
        trace_id,
        span_id,
        parent_span_id,
        started_at,
        ended_at,
        provider,
        response_id,
        -- the models as both layers would name them: lower case, provider prefix removed; a framework may report
        -- only the requested alias (gpt-4o) where the SDK reports the snapshot, so either name may match
        regexp_replace(coalesce(response_model, request_model, ''), '^.*/', '') as match_model,
        regexp_replace(coalesce(request_model, ''), '^.*/', '') as match_request_model,
        {{ input_tokens_sum() }} as input_total_tokens,
        output_tokens,
        -- usage buckets filled: the layer that saw cache and reasoning detail is the better record of the call
        {{ detail_buckets_filled() }} as filled_fields
    from spans
),

same_response_id as (
    select
        calls.trace_id,
        calls.span_id,
        other.span_id as other_span_id,
        'same response id as the kept span' as reason
    from calls
    inner join calls as other
        on calls.trace_id = other.trace_id
        and calls.response_id = other.response_id
        and calls.span_id <> other.span_id
),

same_usage_nested as (
    select
        calls.trace_id,
        calls.span_id,
        other.span_id as other_span_id,
        'same model and token totals, time range nested with the kept span' as reason
    from calls
    inner join calls as other
        on calls.trace_id = other.trace_id
        and calls.input_total_tokens = other.input_total_tokens
        and calls.output_tokens = other.output_tokens
        and calls.span_id <> other.span_id
    where (
        (calls.match_model <> '' and other.match_model = calls.match_model)
        or (calls.match_request_model <> '' and other.match_request_model = calls.match_request_model)
    )
    and (
        (other.started_at <= calls.started_at and other.ended_at >= calls.ended_at)
        or (calls.started_at <= other.started_at and calls.ended_at >= other.ended_at)
    )
),

candidates as (
    select
        trace_id,
        span_id,
        span_id as candidate_span_id,
        cast(null as {{ type_string() }}) as reason
    from calls
    union all
    select
        trace_id,
        span_id,
        other_span_id,
        reason
    from same_response_id
    union all
    select
        trace_id,
        span_id,
        other_span_id,
        reason
    from same_usage_nested
),

ranked as (
    select
        candidates.trace_id,
        candidates.span_id,
        candidates.candidate_span_id,
        candidates.reason,
        row_number() over (
            partition by candidates.trace_id, candidates.span_id
            order by
                candidate.filled_fields desc,
                candidate.started_at asc,
                candidate.ended_at desc,
                candidate.span_id asc,
                candidates.reason asc
        ) as preference
    from candidates
    inner join calls as candidate
        on candidates.trace_id = candidate.trace_id
        and candidates.candidate_span_id = candidate.span_id
),

final as (
    select
        trace_id,
        span_id,
        candidate_span_id as kept_span_id,
        span_id = candidate_span_id as is_kept,
        reason as duplicate_reason
    from ranked
    where preference = 1
)

select * from final
