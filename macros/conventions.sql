{#- Attribute prefixes that carry prompt or completion content: dropped in staging, so they reach no model. -#}
{% macro content_attribute_prefixes() %}
    {{ return([
        'gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions',
        'gen_ai.prompt', 'gen_ai.completion', 'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result',
        'gen_ai.tool.definitions',
        'llm.input_messages', 'llm.output_messages', 'llm.prompts', 'llm.completions', 'llm.prompt_template',
        'input.value', 'output.value',
        'ai.prompt', 'ai.response.text', 'ai.response.object', 'ai.response.toolCalls', 'ai.response.reasoning',
        'ai.toolCall.args', 'ai.toolCall.result', 'ai.values', 'ai.value', 'ai.embedding', 'ai.embeddings',
        'traceloop.entity.input', 'traceloop.entity.output',
    ] + get_setting('extra_content_attribute_prefixes')) }}
{% endmacro %}

{#- Exact keys kept although a content prefix covers them (gen_ai.prompt.name under gen_ai.prompt,
    llm.prompt_template.version under llm.prompt_template): the prompt template's name and version are metadata the
    attribution reads (vars prompt_name_keys, prompt_version_keys), not content. -#}
{% macro content_attribute_exceptions() %}
    {{ return(get_setting('prompt_name_keys') + get_setting('prompt_version_keys')) }}
{% endmacro %}

{#- A key is content when a content prefix covers it and it is not an exception (DuckDB lambdas, key: a column).
    One anchored regular expression for all the prefixes: it reads the key once, where a test per prefix read it up to
    28 times (1M spans, every attribute map built: 2.8 s -> 2.4 s). -#}
{% macro is_content_key(key) -%}
    {%- set prefixes = [] -%}
    {%- for p in content_attribute_prefixes() -%}{%- do prefixes.append(modules.re.escape(p) | replace("'", "''")) -%}{%- endfor -%}
    regexp_matches({{ key }}, '^(?:{{ prefixes | join('|') }})')
    and {{ key }} not in ({% for k in content_attribute_exceptions() %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- Provider names as emitted -> the gen_ai.provider.name values the price seed uses. -#}
{% macro normalize_provider(expr) -%}
    case lower(trim({{ expr }}))
        when '' then null
        when 'gemini' then 'gcp.gemini'
        when 'google' then 'gcp.gemini'
        when 'google_genai' then 'gcp.gemini'
        when 'vertex_ai' then 'gcp.gemini'
        when 'vertexai' then 'gcp.gemini'
        when 'gcp.vertex_ai' then 'gcp.gemini'
        when 'google.generative-ai' then 'gcp.gemini'
        when 'bedrock' then 'aws.bedrock'
        when 'aws' then 'aws.bedrock'
        when 'aws_bedrock' then 'aws.bedrock'
        when 'amazon-bedrock' then 'aws.bedrock'
        when 'azure' then 'azure.ai.openai'
        when 'azure_openai' then 'azure.ai.openai'
        when 'az.ai.openai' then 'azure.ai.openai'
        when 'mistralai' then 'mistral_ai'
        when 'mistral' then 'mistral_ai'
        else lower(trim({{ expr }}))
    end
{%- endmacro %}

{#- A service tier value as reported -> the price seed's tier, from the emitter registry's service_tier_values (default,
    standard, on_demand -> standard; auto -> null, i.e. not known), any other value lower-cased as is (scale, flex,
    priority, batch): a tier with no price row is priced at standard and flagged (price_fallback). Null when null. -#}
{% macro service_tier_value(expr) -%}
    {%- set values = emitter_registry()['service_tier_values'] -%}
    case lower(trim({{ expr }}))
        when '' then null
        {%- for reported, tier in values.items() %}
        when '{{ reported }}' then {{ "'" ~ tier ~ "'" if tier is not none else 'null' }}
        {%- endfor %}
        else lower(trim({{ expr }}))
    end
{%- endmacro %}

{#- A service tier as reported (spans, provider reports) -> the seed's tier, standard when not known. -#}
{% macro normalize_service_tier(expr) -%}
    coalesce({{ service_tier_value(expr) }}, 'standard')
{%- endmacro %}

{#- Operations that are one provider call: the only spans whose usage is costed (docs/contract.md section 4). -#}
{% macro provider_call_operations() %}
    {{ return(['chat', 'text_completion', 'generate_content', 'embeddings', 'completion', 'embedding']) }}
{% endmacro %}
