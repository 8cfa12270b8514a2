{#- One row per span of the processing batch (int_spans__staged_in_batch), with every convention of
    docs/conventions.md read into one vocabulary: operation, provider, models, token buckets, reported cost and the
    span's own attribution values.
    No tree walk and no joins here; int_spans__tree does the inheritance. -#}
{%- set semantics_overrides = input_semantics_overrides() -%}
{#- the keys an override rule may match on, and the column each one tests -#}
{%- set override_columns = [('service', 'service_name'), ('scope', 'scope_name'), ('provider', 'provider')] -%}
{%- set call_operations = provider_call_operations() -%}
{#- the counts the price modifiers read (web searches, audio and image tokens), from the registry once per compile -#}
{%- set count_fields = count_signal_fields() -%}

with

spans as (
    select * from {{ ref('int_spans__staged_in_batch') }}
),

extracted as (
    select
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        span_kind,
        status_code,
        service_name,
        scope_name,
        started_at,
        ended_at,
        loaded_at,
        run_loaded_at,
        is_full_batch,
        span_attributes,

        -- what the span is, in each convention's words
        lower({{ attr('span_attributes', 'gen_ai.operation.name') }}) as otel_operation,
        upper({{ attr('span_attributes', 'openinference.span.kind') }}) as openinference_kind,
        {{ attr('span_attributes', 'ai.operationId') }} as vercel_operation_id,
        lower({{ attr('span_attributes', 'llm.request.type') }}) as openllmetry_request_type,
        lower({{ attr('span_attributes', 'traceloop.span.kind') }}) as traceloop_kind,

        -- provider and models
        -- the Vercel AI SDK copies its provider id ('openai.chat') into gen_ai.system: read that one through
        -- ai.model.provider
        {{ normalize_provider(
            'coalesce(' ~ attr('span_attributes', 'gen_ai.provider.name')
            ~ ', nullif(' ~ attr('span_attributes', 'gen_ai.system') ~ ', ' ~ attr('span_attributes', 'ai.model.provider') ~ ')'
            ~ ', ' ~ attr_coalesce('span_attributes', ['llm.provider', 'llm.system'])
            ~ ', ' ~ part_before(attr('span_attributes', 'ai.model.provider'), '.') ~ ')'
        ) }} as provider,
        lower(trim({{ attr_coalesce('span_attributes', convention_keys('request_model')) }})) as request_model,
        lower(trim({{ attr_coalesce('span_attributes', convention_keys('response_model')) }})) as response_model,
        {{ attr_coalesce('span_attributes', convention_keys('response_id')) }} as response_id,
        -- the tier the response reports, else the one requested (the request's auto is not known: macro
        -- service_tier_value)
        {{ convention_text('span_attributes', 'service_tier') }} as reported_service_tier,
        {{ attr_coalesce('span_attributes', convention_keys('requested_service_tier')) }} as requested_service_tier,
        -- what the span tells about price modifiers (seeds/price_modifiers.csv): the host called, and the counts the
        -- emitter registry's price modifiers read (billed web searches, the audio and image parts of input and output)
        lower(trim({{ attr_coalesce('span_attributes', convention_keys('server_address')) }})) as server_address,
        {%- for signal in count_fields %}
        {{ usage_bucket_count('span_attributes', signal.field) }} as reported_{{ signal.name }},
        {%- endfor %}

        -- usage as emitted (keys and text patterns from the emitter registry); null when the span does not say
        {%- for bucket in usage_buckets() %}
        {{ usage_bucket_count('span_attributes', bucket) }} as reported_{{ bucket }}_tokens,
        {%- endfor %}
        {{ attr_bigint_coalesce('span_attributes', convention_keys('total')) }} as reported_total_tokens,
        {{ attr_bigint_coalesce('span_attributes', convention_keys('aggregated_input')) }} as aggregated_input_tokens,
        {{ attr_bigint_coalesce('span_attributes', convention_keys('aggregated_output')) }} as aggregated_output_tokens,
        {{ safe_money(attr_coalesce('span_attributes', convention_keys('reported_cost'))) }} as reported_cost_usd,

        -- the span's own attribution values (inheritance happens in int_spans__tree)
        {{ attr_coalesce('span_attributes', get_setting('feature_keys')) }} as span_feature,
        {{ attr_coalesce('resource_attributes', get_setting('feature_keys')) }} as resource_feature,
        {{ attr_coalesce('span_attributes', get_setting('tenant_keys')) }} as span_tenant_id,
        {{ attr_coalesce('resource_attributes', get_setting('tenant_keys')) }} as resource_tenant_id,
        {{ attr_coalesce('span_attributes', get_setting('user_keys')) }} as span_user_id,
        {{ attr_coalesce('resource_attributes', get_setting('user_keys')) }} as resource_user_id,
        {{ attr_coalesce('span_attributes', get_setting('conversation_keys')) }} as span_conversation_id,
        {{ attr_coalesce('resource_attributes', get_setting('conversation_keys')) }} as resource_conversation_id,
        {{ attr_coalesce('span_attributes', get_setting('account_keys')) }} as span_account_id,
        {{ attr_coalesce('resource_attributes', get_setting('account_keys')) }} as resource_account_id,
        {{ attr_coalesce('span_attributes', get_setting('prompt_name_keys')) }} as span_prompt_name,
        {{ attr_coalesce('span_attributes', get_setting('prompt_version_keys')) }} as span_prompt_version,
        {{ attr_bigint_coalesce('span_attributes', ['gen_ai.agent.step']) }} as span_step,
        {{ attr_coalesce('span_attributes', convention_keys('agent_name')) }} as span_agent_name,
        coalesce(
            {{ attr_coalesce('span_attributes', convention_keys('agent_version')) }},
            {{ attr('resource_attributes', 'service.version') }}
        ) as span_agent_version,
        {{ attr_coalesce('span_attributes', convention_keys('tool_name')) }} as span_tool_name
    from spans
),

classified as (
    select
        *,
        -- the emitter registry row of the span (macros/emitter_registry.sql), matched once
        {{ emitter_row_match('scope_name', 'provider', 'span_attributes') }} as emitter_row,
        coalesce(
            otel_operation,
            case openinference_kind
                when 'LLM' then 'chat'
                when 'EMBEDDING' then 'embeddings'
                when 'AGENT' then 'invoke_agent'
                when 'TOOL' then 'execute_tool'
                else lower(openinference_kind)
            end,
            case
                when vercel_operation_id in (
                        'ai.generateText.doGenerate', 'ai.streamText.doStream',
                        'ai.generateObject.doGenerate', 'ai.streamObject.doStream'
                    ) then 'chat'
                when vercel_operation_id in ('ai.embed.doEmbed', 'ai.embedMany.doEmbed') then 'embeddings'
                when vercel_operation_id = 'ai.toolCall' then 'execute_tool'
                -- the outer ai.generateText / ai.streamText span totals its steps: never costed
                when vercel_operation_id like 'ai.%' then 'ai_sdk_wrapper'
            end,
            case openllmetry_request_type
                when 'completion' then 'text_completion'
                when 'embedding' then 'embeddings'
                -- LiteLLM call types (async variants too)
                when 'acompletion' then 'text_completion'
                when 'aembedding' then 'embeddings'
                else openllmetry_request_type
            end,
            case traceloop_kind
                when 'agent' then 'invoke_agent'
                when 'tool' then 'execute_tool'
                else traceloop_kind
            end,
            'unknown'
        ) as operation
    from extracted
),

buckets as (
    select
        *,
        operation in (
            {%- for op in call_operations %}
            '{{ op }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as is_provider_call,
        operation = 'invoke_agent' as is_agent_span,
        operation = 'execute_tool' as is_tool_span,
        -- input semantics by precedence: the override var, then the emitter registry, then detection (below)
        {% if semantics_overrides -%}
        case
            {%- for rule in semantics_overrides %}
            when true
                {%- for key, column in override_columns if rule.get(key) %}
                and {{ column }} = '{{ rule[key] }}'
                {%- endfor %}
                then '{{ rule['input_tokens'] }}'
            {%- endfor %}
        end
        {%- else -%}
        cast(null as {{ type_string() }})
        {%- endif %} as configured_input_semantics,
        {{ emitter_field('name', 'emitter_row') }} as emitter_name,
        {{ emitter_field('input_tokens', 'emitter_row') }} as registered_input_semantics,
        -- a bucket is reported when the span carries it (a zero counts), or when the span reports usage and its
        -- emitter writes that bucket whenever the provider returns it (omitting zeros); input and output only when
        -- present
        reported_input_tokens is not null as is_input_reported,
        reported_output_tokens is not null as is_output_reported,
        {%- for bucket in usage_buckets()[2:] %}
        reported_{{ bucket }}_tokens is not null
        or (
            (reported_input_tokens is not null or reported_output_tokens is not null)
            and {{ emitter_field('reports:' ~ bucket, 'emitter_row') }}
        ) as is_{{ bucket }}_reported,
        {%- endfor %}
        coalesce(reported_input_tokens, 0) as input_tokens_raw,
        greatest(coalesce(reported_cache_read_tokens, 0), 0) as cache_read_tokens,
        greatest(coalesce(reported_cache_write_1h_tokens, 0), 0) as cache_write_1h_tokens,
        -- the write total covers every TTL; the 5-minute bucket is what is left after the 1-hour part
        greatest(
            greatest(coalesce(reported_cache_write_tokens, 0), coalesce(reported_cache_write_1h_tokens, 0))
            - coalesce(reported_cache_write_1h_tokens, 0),
            0
        ) as cache_write_tokens,
        greatest(coalesce(reported_output_tokens, 0), 0) as output_tokens,
        greatest(coalesce(reported_reasoning_tokens, 0), 0) as reasoning_tokens
    from classified
),

semantics as (
    select
        *,
        case
            when configured_input_semantics = 'exclusive' then 'exclusive_configured'
            when configured_input_semantics = 'inclusive' then 'inclusive'
            when registered_input_semantics = 'exclusive' then 'exclusive_registered'
            when registered_input_semantics = 'inclusive' then 'inclusive'
            -- an inclusive count can never be smaller than its cached parts: this emitter copied an exclusive number
            when cache_read_tokens + cache_write_tokens + cache_write_1h_tokens > input_tokens_raw
                then 'exclusive_inferred'
            else 'inclusive'
        end as input_semantics
    from buckets
),

final as (
    select
        -- ids
        trace_id,
        span_id,
        parent_span_id,
        -- the trace's bucket, by which trace passes cut their input (macros/trace_partitioned.sql)
        {{ trace_bucket('trace_id') }} as trace_bucket,

        -- span
        span_name,
        span_kind,
        status_code,
        service_name,
        scope_name,
        operation,
        is_provider_call,
        is_agent_span,
        is_tool_span,

        -- call
        provider,
        request_model,
        response_model,
        response_id,
        coalesce(
            {{ service_tier_value('reported_service_tier') }},
            {{ service_tier_value('requested_service_tier') }},
            'standard'
        ) as service_tier,
        -- Bedrock cross-region inference profile (us, eu, apac, global, ...) of the requested model id, and the id
        -- without it (priced when the id itself resolves to no price)
        {{ inference_profile('coalesce(request_model, response_model)') }} as inference_profile,
        {{ unprefixed_model('coalesce(request_model, response_model)') }} as unprefixed_model,
        server_address,
        {%- for signal in count_fields %}
        greatest(coalesce(reported_{{ signal.name }}, 0), 0) as {{ signal.name }},
        {%- endfor %}

        -- tokens (only meaningful on provider calls)
        emitter_name,
        input_semantics,
        case
            when input_semantics like 'exclusive%' then greatest(input_tokens_raw, 0)
            else greatest(input_tokens_raw - cache_read_tokens - cache_write_tokens - cache_write_1h_tokens, 0)
        end as uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        output_tokens,
        least(reasoning_tokens, output_tokens) as reasoning_tokens,
        reported_total_tokens,
        {%- for usage in bucket_usage_names() %}
        is_{{ usage }}_reported,
        {%- endfor %}
        -- usage found on non-call spans: cross-checks only, never costed
        case
            when not is_provider_call then coalesce(aggregated_input_tokens, reported_input_tokens)
        end as aggregate_input_tokens,
        case
            when not is_provider_call then coalesce(aggregated_output_tokens, reported_output_tokens)
        end as aggregate_output_tokens,
        reported_cost_usd,

        -- own attribution values
        span_feature,
        resource_feature,
        span_tenant_id,
        resource_tenant_id,
        span_user_id,
        resource_user_id,
        span_conversation_id,
        resource_conversation_id,
        span_account_id,
        resource_account_id,
        span_prompt_name,
        span_prompt_version,
        span_step,
        case when is_agent_span then coalesce(span_agent_name, span_name) end as agent_name,
        case when is_agent_span then span_agent_version end as agent_version,
        case when is_tool_span then coalesce(span_tool_name, span_name) end as tool_name,

        -- timestamps
        started_at,
        ended_at,
        loaded_at,

        -- the batch (int_spans__in_batch takes them from here)
        run_loaded_at,
        is_full_batch
    from semantics
)

-- grouped by bucket, so a trace pass reads the row groups of its buckets only
select * from final
{{ trace_bucket_order('trace_bucket') }}
