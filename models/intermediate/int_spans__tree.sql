{#- Attribution inherited down the span tree (docs/contract.md section 5), one row per span.
    A top-down walk carries the nearest ancestor-or-self value of each field, so the result has one row
    per span (not one per ancestor pair); the tool spans above a span are kept as a path, so the calls nested in a
    tool are found without a second walk (int_tool_invocations). A span whose parent is absent from its trace is a root
    (an orphan when it names a parent); spans on a parent cycle are kept as roots of their own.
    DuckDB cannot spill a recursive CTE: the walk runs in passes of whole traces (macros/trace_partitioned.sql). -#}
{{ trace_partitioned_config('int_spans__normalized') }}
with recursive

spans as (
    select * from {{ ref('int_spans__normalized') }}
),

nodes as (
    select
        trace_id,
        trace_bucket,
        span_id,
        parent_span_id,
        span_feature,
        span_tenant_id,
        span_user_id,
        span_conversation_id,
        span_account_id,
        span_prompt_name,
        span_prompt_version,
        span_step,
        status_code,
        is_agent_span,
        agent_name,
        agent_version,
        is_tool_span,
        tool_name
    from spans
    where {{ trace_partition('trace_bucket') }}
),

roots as (
    select
        nodes.*,
        nodes.parent_span_id is not null as is_orphan
    from nodes
    left join nodes as parents
        on nodes.trace_id = parents.trace_id
        and nodes.parent_span_id = parents.span_id
    where parents.span_id is null
),

walk as (
    select
        trace_id,
        trace_bucket,
        span_id,
        span_id as root_span_id,
        is_orphan,
        coalesce(status_code = 'error', false) as is_root_failed,
        0 as depth,
        span_feature as inherited_feature,
        span_tenant_id as inherited_tenant_id,
        span_user_id as inherited_user_id,
        span_conversation_id as inherited_conversation_id,
        span_account_id as inherited_account_id,
        span_prompt_name as inherited_prompt_name,
        span_prompt_version as inherited_prompt_version,
        span_step as inherited_step,
        case when is_agent_span then span_id end as agent_span_id,
        case when is_agent_span then agent_name end as agent_name,
        case when is_agent_span then agent_version end as agent_version,
        case when is_tool_span then span_id end as tool_span_id,
        case when is_tool_span then tool_name end as tool_name,
        case when is_tool_span then [span_id] end as tool_span_path
    from roots

    union all

    select
        child.trace_id,
        child.trace_bucket,
        child.span_id,
        walk.root_span_id,
        walk.is_orphan,
        walk.is_root_failed,
        walk.depth + 1 as depth,
        coalesce(child.span_feature, walk.inherited_feature) as inherited_feature,
        coalesce(child.span_tenant_id, walk.inherited_tenant_id) as inherited_tenant_id,
        coalesce(child.span_user_id, walk.inherited_user_id) as inherited_user_id,
        coalesce(child.span_conversation_id, walk.inherited_conversation_id) as inherited_conversation_id,
        coalesce(child.span_account_id, walk.inherited_account_id) as inherited_account_id,
        -- name and version as a pair: a child naming only a version keeps no name of its parent's prompt
        case
            when child.span_prompt_name is not null or child.span_prompt_version is not null
                then child.span_prompt_name
            else walk.inherited_prompt_name
        end as inherited_prompt_name,
        case
            when child.span_prompt_name is not null or child.span_prompt_version is not null
                then child.span_prompt_version
            else walk.inherited_prompt_version
        end as inherited_prompt_version,
        coalesce(child.span_step, walk.inherited_step) as inherited_step,
        case when child.is_agent_span then child.span_id else walk.agent_span_id end as agent_span_id,
        case when child.is_agent_span then child.agent_name else walk.agent_name end as agent_name,
        case when child.is_agent_span then child.agent_version else walk.agent_version end as agent_version,
        case when child.is_tool_span then child.span_id else walk.tool_span_id end as tool_span_id,
        case when child.is_tool_span then child.tool_name else walk.tool_name end as tool_name,
        case
            when child.is_tool_span
                then coalesce({{ list_concat('walk.tool_span_path', '[child.span_id]') }}, [child.span_id])
            else walk.tool_span_path
        end as tool_span_path
    from walk
    inner join nodes as child
        on walk.trace_id = child.trace_id
        and walk.span_id = child.parent_span_id
    -- a guard against pathological depth; real agent trees are a few dozen levels at most
    where walk.depth < 500
),

unreached as (
    -- parent cycles have no root: keep each such span with its own values
    select
        nodes.trace_id,
        nodes.trace_bucket,
        nodes.span_id,
        nodes.span_id as root_span_id,
        true as is_orphan,
        coalesce(nodes.status_code = 'error', false) as is_root_failed,
        0 as depth,
        nodes.span_feature as inherited_feature,
        nodes.span_tenant_id as inherited_tenant_id,
        nodes.span_user_id as inherited_user_id,
        nodes.span_conversation_id as inherited_conversation_id,
        nodes.span_account_id as inherited_account_id,
        nodes.span_prompt_name as inherited_prompt_name,
        nodes.span_prompt_version as inherited_prompt_version,
        nodes.span_step as inherited_step,
        case when nodes.is_agent_span then nodes.span_id end as agent_span_id,
        case when nodes.is_agent_span then nodes.agent_name end as agent_name,
        case when nodes.is_agent_span then nodes.agent_version end as agent_version,
        case when nodes.is_tool_span then nodes.span_id end as tool_span_id,
        case when nodes.is_tool_span then nodes.tool_name end as tool_name,
        case when nodes.is_tool_span then [nodes.span_id] end as tool_span_path
    from nodes
    left join walk
        on nodes.trace_id = walk.trace_id
        and nodes.span_id = walk.span_id
    where walk.span_id is null
),

final as (
    select * from walk
    union all
    select * from unreached
)

select * from final
