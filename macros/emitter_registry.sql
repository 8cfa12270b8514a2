{#- The emitter registry: what varies by instrumentation, as data (docs/conventions.md "Emitter registry").
    A YAML document inside a macro because dbt's Jinja can read no file, and a seed would reach the SQL
    only at run time: here every model compiles from it, unit tests included.

    conventions: the attribute spellings of each convention family, per normalised field. The SQL reads, per field,
      the union of every family's keys in file order (first non-null wins): a new spelling is one line here.
      usage_patterns: usage written inside a text attribute (LiteLLM's Python repr), read with a regex whose
      first group is the count (patterns avoid quotes and backslashes so one literal serves DuckDB and BigQuery).
    emitters: one row per instrumentation, matched by instrumentation scope name (a row without one matches any scope,
      by its requires_key alone) and, where the same scope
      counts differently per provider, by provider (normalised, as in fct_span_costs; a row without one matches
      any) and, where one scope name spans versions that count differently, by a key only the newer one writes
      (requires_key). The first matching row wins, so specific rows come before the scope's catch-all.
      input_tokens: inclusive | exclusive - how its input count treats cache reads and writes.
      reports: the usage buckets it writes whenever the provider returns them (it may omit a zero); a bucket it
      does not list counts as reported on a span only when one of the bucket's keys is there.
      keys: the convention families whose spellings it writes. seen_in: the package and version it was read from. -#}
{% macro emitter_registry_yaml() %}
{% set registry_yaml %}
conventions:
  # OTel GenAI semantic conventions, current names (semconv 1.37+).
  otel_genai:
    request_model: [gen_ai.request.model]
    response_model: [gen_ai.response.model]
    response_id: [gen_ai.response.id]
    # the tier the response says served the call (priced from), then the one requested (docs/conventions.md "Service
    # tier"): openai.* since semconv 1.37, gen_ai.openai.* before (still written by openlit's Go SDK and python-contrib's
    # legacy mode)
    service_tier: [openai.response.service_tier, gen_ai.openai.response.service_tier]
    requested_service_tier: [openai.request.service_tier, gen_ai.openai.request.service_tier, gen_ai.request.service_tier]
    # the host called: a regional or data-residency endpoint some providers price apart (seeds/price_modifiers.csv)
    server_address: [server.address]
    input: [gen_ai.usage.input_tokens]
    output: [gen_ai.usage.output_tokens]
    cache_read: [gen_ai.usage.cache_read.input_tokens]
    cache_write: [gen_ai.usage.cache_creation.input_tokens]
    cache_write_1h: [gen_ai.usage.cache_creation.ephemeral_1h_input_tokens]
    reasoning: [gen_ai.usage.reasoning.output_tokens]
    # audio parts of input and output (subsets of them; semconv registry, development stability): some models bill
    # audio tokens apart from text (seeds/price_modifiers.csv, modifiers audio_input_tokens, audio_output_tokens)
    audio_input: [gen_ai.usage.audio.input_tokens]
    audio_output: [gen_ai.usage.audio.output_tokens]
    # image parts of input and output (subsets, as audio): priced as text only where a seed row says the model bills
    # them so (modifiers image_input_tokens, image_output_tokens), else flagged
    image_input: [gen_ai.usage.image.input_tokens]
    image_output: [gen_ai.usage.image.output_tokens]
    total: [gen_ai.usage.total_tokens]
    aggregated_input: [gen_ai.aggregated_usage.input_tokens]
    aggregated_output: [gen_ai.aggregated_usage.output_tokens]
    reported_cost: [gen_ai.usage.cost]
    agent_name: [gen_ai.agent.name]
    agent_version: [gen_ai.agent.version]
    tool_name: [gen_ai.tool.name]
  # OTel GenAI deprecated names (semconv <= 1.26) and the underscore spellings OpenLLMetry and OpenLIT write.
  otel_genai_deprecated:
    input: [gen_ai.usage.prompt_tokens]
    output: [gen_ai.usage.completion_tokens]
    cache_read: [gen_ai.usage.cache_read_input_tokens]
    cache_write: [gen_ai.usage.cache_creation_input_tokens, gen_ai.usage.cache_write.input_tokens, gen_ai.usage.cache_write_input_tokens]
    cache_write_1h: [gen_ai.usage.cache_write_1h.input_tokens]
    reasoning: [gen_ai.usage.reasoning_tokens]
  # OpenInference (Arize): llm.* and embedding.* keys.
  openinference:
    request_model: [llm.model_name, embedding.model_name]
    response_id: [llm.response.id]
    input: [llm.token_count.prompt]
    output: [llm.token_count.completion]
    cache_read: [llm.token_count.prompt_details.cache_read]
    cache_write: [llm.token_count.prompt_details.cache_write]
    reasoning: [llm.token_count.completion_details.reasoning]
    audio_input: [llm.token_count.prompt_details.audio]
    audio_output: [llm.token_count.completion_details.audio]
    image_input: [llm.token_count.prompt_details.image]
    total: [llm.token_count.total]
    reported_cost: [llm.cost.total]
    agent_name: [agent.name]
    agent_version: [agent.version]
    tool_name: [tool.name]
  # Vercel AI SDK: ai.* keys (v4 prompt/completion, v5 input/output/cached/reasoning, v6 token details).
  vercel_ai:
    request_model: [ai.model.id]
    response_model: [ai.response.model]
    response_id: [ai.response.id]
    input: [ai.usage.inputTokens, ai.usage.promptTokens, ai.usage.tokens]
    output: [ai.usage.outputTokens, ai.usage.completionTokens]
    cache_read: [ai.usage.inputTokenDetails.cacheReadTokens, ai.usage.cachedInputTokens]
    cache_write: [ai.usage.inputTokenDetails.cacheWriteTokens]
    reasoning: [ai.usage.outputTokenDetails.reasoningTokens, ai.usage.reasoningTokens]
    total: [ai.usage.totalTokens]
    tool_name: [ai.toolCall.name]
  # OpenLLMetry / Traceloop keys beyond the gen_ai.* ones it shares.
  openllmetry:
    request_model: [llm.request.model]
    response_model: [llm.response.model]
    input: [llm.usage.prompt_tokens]
    output: [llm.usage.completion_tokens]
    total: [llm.usage.total_tokens]
    agent_name: [traceloop.entity.name]
    tool_name: [traceloop.entity.name]
  # LiteLLM's OTel callback: its own cost under gen_ai.cost.*, cache detail only inside metadata.usage_object.
  litellm:
    reported_cost: [gen_ai.cost.total_cost]
  # pydantic-ai: provider usage details under gen_ai.usage.details.* (OpenAI reasoning, Anthropic thinking).
  pydantic_ai:
    reasoning: [gen_ai.usage.details.reasoning_tokens, gen_ai.usage.details.thinking_tokens]
  # The Anthropic SDK's own spans: the 1-hour part of cache writes under its own namespace.
  anthropic_sdk:
    cache_write_1h: [anthropic.usage.cache_creation.ephemeral_1h_input_tokens]
  # Hand-written spans seen in the wild (app-level cost keys).
  custom:
    reported_cost: [app.llm.cost_usd, operation.cost]
  # Billed web searches of a call (Anthropic usage.server_tool_use.web_search_requests). No convention names the count
  # (research: semconv, openllmetry, openinference have none; openlit's web_search.citations_count counts citations, not
  # searches, and is not read): pydantic-ai's gen_ai.usage.details.<key> and a flattened usage key, else the usage JSON
  # (usage_patterns). Priced by a web_search_fee row of seeds/price_modifiers.csv.
  server_tools:
    web_search_requests: [gen_ai.usage.details.web_search_requests, gen_ai.usage.server_tool_use.web_search_requests]

# Service tier values as reported -> the price seed's tiers (docs/conventions.md "Service tier"). A value listed with
# null means "not known" (the request side's auto: the response, else standard). Any other value is kept lower-cased:
# a tier the price seed has no row for (scale, say) is priced at standard and flagged price_fallback.
service_tier_values:
  default: standard
  standard: standard
  on_demand: standard
  auto: null

# What a span tells about a price modifier (seeds/price_modifiers.csv; README "Price modifiers"). Each modifier of the seed
# reads one signal of the call; a call that carries a signal no seed row prices is flagged (unpriced_modifiers).
#   inference_profile: the Bedrock cross-region profile prefix of the model id (us, eu, apac, jp, au, us-gov, global,
#     or any other <prefix>.<vendor>.<model>); a call without one is in-region (matched as in-region, never flagged).
#   server_address: the host, signalled only when it full-matches one of hosts (regexes over the lower-case host;
#     [.] for a dot: no backslash, so one literal serves DuckDB and BigQuery).
#   web_search_requests, audio_input_tokens, audio_output_tokens, image_input_tokens, image_output_tokens: the count
#   of the conventions' `field` (above; a column of int_spans__normalized and on, 0 when not reported), signalled when
#   above 0.
# effect: multiplier (rate_multiplier on every list rate), fee (fee_usd_per_unit per unit), token_rate (the signal's
#   tokens are a part of a token bucket, `of`, charged at the row's usd_per_mtok instead of the bucket's rate; with
#   `cached_part`, the part of them read from a cache is carved from cache_read at cache_read_usd_per_mtok. The row
#   matches the call's service tier; a row with no rate records that the model bills them as text; each part is a
#   FOCUS charge of its own, meter), or text_rate (the signal's tokens stay in their bucket at the text rate, which a
#   row of the model and service tier confirms; without one the call is flagged: rates of their own are not modelled).
price_modifiers:
  bedrock_inference_profile: {signal: inference_profile, provider: aws.bedrock, effect: multiplier}
  data_residency_endpoint: {signal: server_address, provider: openai, effect: multiplier, hosts: '(us|eu|au|in|jp)[.]api[.]openai[.]com'}
  regional_endpoint: {signal: server_address, provider: gcp.gemini, effect: multiplier, hosts: '[a-z0-9-]+-aiplatform[.]googleapis[.]com|aiplatform[.][a-z0-9-]+[.]rep[.]googleapis[.]com'}
  web_search_fee: {signal: web_search_requests, field: web_search_requests, effect: fee}
  audio_input_tokens: {signal: audio_input_tokens, field: audio_input, effect: token_rate, part: audio_input, of: uncached_input, meter: Audio Input Tokens, cached_part: audio_cache_read, cached_meter: Audio Cache Read Tokens}
  audio_output_tokens: {signal: audio_output_tokens, field: audio_output, effect: token_rate, part: audio_output, of: output, meter: Audio Output Tokens}
  image_input_tokens: {signal: image_input_tokens, field: image_input, effect: text_rate}
  image_output_tokens: {signal: image_output_tokens, field: image_output, effect: text_rate}

usage_patterns:
  # LiteLLM: metadata.usage_object is str() of its Usage: a dict repr in 1.110 ("'prompt_tokens_details': {'cached_tokens':
  # 1024}, ..., 'cache_creation_input_tokens': 500, 'cache_read_input_tokens': 2000"), wrapper objects in older releases
  # ("PromptTokensDetailsWrapper(audio_tokens=None, cached_tokens=50, ...)"). None does not match: not reported.
  # Vercel AI SDK 5 on Anthropic: cache writes (and the 1-hour part) only in ai.response.providerMetadata, JSON text
  # holding Anthropic's own usage ({"anthropic":{"usage":{..."cache_creation_input_tokens":3072,...}}}).
  cache_read:
    - {key: metadata.usage_object, pattern: "cache_read_input_tokens.: ([0-9]+)"}
    - {key: metadata.usage_object, pattern: "cached_tokens.: ([0-9]+)"}
    - {key: metadata.usage_object, pattern: "cached_tokens=([0-9]+)"}
    - {key: ai.response.providerMetadata, pattern: "cache_read_input_tokens.:([0-9]+)"}
  cache_write:
    - {key: metadata.usage_object, pattern: "cache_creation_input_tokens.: ([0-9]+)"}
    - {key: metadata.usage_object, pattern: "cache_write_tokens.: ([0-9]+)"}
    - {key: ai.response.providerMetadata, pattern: "cache_creation_input_tokens.:([0-9]+)"}
  cache_write_1h:
    - {key: metadata.usage_object, pattern: "ephemeral_1h_input_tokens.: ([0-9]+)"}
    - {key: metadata.usage_object, pattern: "ephemeral_1h_input_tokens=([0-9]+)"}
    - {key: ai.response.providerMetadata, pattern: "ephemeral_1h_input_tokens.:([0-9]+)"}
  reasoning:
    - {key: metadata.usage_object, pattern: "reasoning_tokens.: ([0-9]+)"}
    - {key: metadata.usage_object, pattern: "reasoning_tokens=([0-9]+)"}
  # Logfire keeps the provider's whole usage object as JSON in gen_ai.usage.raw (Anthropic: "server_tool_use":
  # {"web_search_requests": 1}, "service_tier": "batch")
  web_search_requests:
    - {key: gen_ai.usage.raw, pattern: "web_search_requests.: ?([0-9]+)"}
  service_tier:
    - {key: gen_ai.usage.raw, pattern: "service_tier.: ?.([a-z_]+)"}
  # OpenAI's audio parts (prompt_tokens_details.audio_tokens, completion_tokens_details.audio_tokens): in LiteLLM's
  # repr (dict or wrapper; None does not match) and in the usage JSON Logfire keeps
  audio_input:
    - {key: metadata.usage_object, pattern: "prompt_tokens_details.: [{][^}]*audio_tokens.: ([0-9]+)"}
    - {key: metadata.usage_object, pattern: "PromptTokensDetailsWrapper[(][^)]*audio_tokens=([0-9]+)"}
    - {key: gen_ai.usage.raw, pattern: "prompt_tokens_details.: ?[{][^}]*audio_tokens.: ?([0-9]+)"}
  audio_output:
    - {key: metadata.usage_object, pattern: "completion_tokens_details.: [{][^}]*audio_tokens.: ([0-9]+)"}
    - {key: metadata.usage_object, pattern: "CompletionTokensDetailsWrapper[(][^)]*audio_tokens=([0-9]+)"}
    - {key: gen_ai.usage.raw, pattern: "completion_tokens_details.: ?[{][^}]*audio_tokens.: ?([0-9]+)"}

emitters:
  # Rows whose seen_in says "recorded" were read from real output in tests/fixtures/emitters/<family>.jsonl
  # (tests/emitters/ records them against a loopback fake provider); the others from package source or the demo
  # generator, as they say.
  - name: openai-v2
    scope: opentelemetry.util.genai.handler
    input_tokens: inclusive
    reports: [input, output]
    keys: [otel_genai]
    seen_in: "opentelemetry-instrumentation-openai-v2 2.4b0 + opentelemetry-util-genai 1.1b0, recorded (openai_v2): chat spans carry this scope, prompt_tokens as input, no cached or reasoning count"
  - name: openai-v2
    scope: opentelemetry.instrumentation.openai_v2
    input_tokens: inclusive
    reports: [input, output]
    keys: [otel_genai]
    seen_in: "opentelemetry-instrumentation-openai-v2 2.4b0, recorded (openai_v2): embeddings spans, input only"
  - name: botocore-bedrock
    scope: opentelemetry.instrumentation.botocore.bedrock-runtime
    input_tokens: exclusive
    reports: [input, output, cache_read, cache_write]
    keys: [otel_genai]
    seen_in: "opentelemetry-instrumentation-botocore 0.66b2 (boto3 1.44.8), recorded (botocore_bedrock): Converse inputTokens as gen_ai.usage.input_tokens (exclusive), cache_read / cache_creation.input_tokens only when non-zero"
  - name: openlit
    scope: openlit.instrumentation.anthropic
    input_tokens: exclusive
    reports: [input, output, cache_read, cache_write]
    keys: [otel_genai]
    seen_in: "openlit 1.45.0 (anthropic 0.125.0), recorded (openlit): Anthropic's input_tokens (exclusive), cache read and creation always, no 1-hour split, own cost in gen_ai.usage.cost"
  - name: openlit
    scope: openlit.instrumentation.openai
    input_tokens: inclusive
    reports: [input, output, cache_read, cache_write]
    keys: [otel_genai]
    seen_in: "openlit 1.45.0 (openai 2.54.0), recorded (openlit): prompt_tokens (inclusive) with cache_read.input_tokens, the same service's Anthropic calls exclusive"
  - name: litellm
    scope: litellm
    input_tokens: inclusive
    reports: [input, output]
    keys: [otel_genai, otel_genai_deprecated, litellm]
    seen_in: "litellm 1.110.2, recorded (litellm__request_span): litellm_request spans with prompt_tokens (inclusive, Anthropic's too), cache and reasoning counts only in metadata.usage_object (usage_patterns), own cost in gen_ai.cost.*"
  - name: litellm
    requires_key: metadata.usage_object
    input_tokens: inclusive
    reports: [input, output]
    keys: [otel_genai, otel_genai_deprecated, litellm]
    seen_in: "litellm 1.110.2 default mode, recorded (litellm): its attributes land on the caller's own span (any scope), recognised by metadata.usage_object; a raw_gen_ai_request child holds the provider's usage but is no call"
  - name: vercel-ai-sdk
    scope: ai
    provider: anthropic
    requires_key: ai.usage.inputTokenDetails.noCacheTokens
    input_tokens: inclusive
    reports: [input, output, cache_read, cache_write]
    keys: [vercel_ai, otel_genai, otel_genai_deprecated]
    seen_in: "ai 6.0.325 + @ai-sdk/anthropic 3.0.140, recorded (vercel_ai_v6): inputTokens = noCacheTokens + cacheReadTokens + cacheWriteTokens"
  - name: vercel-ai-sdk
    scope: ai
    provider: anthropic
    input_tokens: exclusive
    reports: [input, output]
    keys: [vercel_ai, otel_genai, otel_genai_deprecated]
    seen_in: "ai 5.0.277 + @ai-sdk/anthropic 2.0.112 and ai 4.3.6 + @ai-sdk/anthropic 1.2.9, recorded (vercel_ai_v5, vercel_ai_v4) and package source (dist/index.js: inputTokens / promptTokens = usage.input_tokens, exclusive; v5 adds cachedInputTokens; writes only in ai.response.providerMetadata, read by usage_patterns)"
  - name: vercel-ai-sdk
    scope: ai
    input_tokens: inclusive
    reports: [input, output]
    keys: [vercel_ai, otel_genai, otel_genai_deprecated]
    seen_in: "ai 6.0.325 / 5.0.277 / 4.3.6 with @ai-sdk/openai, recorded (vercel_ai_v6, _v5, _v4): v4 no cache or reasoning, v5 cachedInputTokens and reasoningTokens, v6 token details, each only when the provider returns them"
  - name: anthropic-sdk
    scope: com.anthropic.sdk.python
    input_tokens: inclusive
    reports: [input, output, cache_read, cache_write, cache_write_1h, reasoning]
    keys: [otel_genai, otel_genai_deprecated, anthropic_sdk]
    seen_in: "anthropic 2.15.0 (its own spans), recorded (anthropic_sdk): input_tokens = input + cache read + cache write, cache_write.input_tokens, anthropic.usage.cache_creation.ephemeral_1h_input_tokens, reasoning when non-zero"
  - name: google-genai
    scope: opentelemetry.instrumentation.google_genai
    input_tokens: inclusive
    reports: [input, output, cache_read, reasoning]
    keys: [otel_genai]
    seen_in: "opentelemetry-instrumentation-google-genai 1.3b0 (google-genai 2.34.0), recorded (google_genai): promptTokenCount (includes cachedContentTokenCount), output includes thoughts, cache read and reasoning only when non-zero"
  - name: openinference
    scope: openinference.instrumentation.openai
    input_tokens: inclusive
    reports: [input, output, cache_read, reasoning]
    keys: [openinference]
    seen_in: "openinference-instrumentation-openai 0.1.66, recorded (openinference_openai)"
  - name: openinference
    scope: openinference.instrumentation.langchain
    input_tokens: inclusive
    reports: [input, output]
    keys: [openinference]
    seen_in: "openinference-instrumentation-langchain 0.1.43, package source and the demo generator (prompt_details.cache_read / cache_write only when LangChain's usage_metadata has them, no 1-hour split); not recorded yet"
  - name: openllmetry
    scope: opentelemetry.instrumentation.openai.v1
    input_tokens: inclusive
    reports: [input, output, cache_read, reasoning]
    keys: [otel_genai, otel_genai_deprecated, openllmetry]
    seen_in: "opentelemetry-instrumentation-openai (traceloop) 0.62.4, recorded (openllmetry_openai): cache_read.input_tokens and reasoning_tokens when the response has them"
  - name: openllmetry
    scope: opentelemetry.instrumentation.anthropic
    input_tokens: inclusive
    reports: [input, output, cache_read, cache_write]
    keys: [otel_genai, otel_genai_deprecated, openllmetry]
    seen_in: "opentelemetry-instrumentation-anthropic (traceloop) 0.62.4, recorded (openllmetry_anthropic): input_tokens = input + cache read + cache creation, no 1-hour split; streaming output counts message_start's token too (43 for 42)"
  - name: openllmetry
    scope: opentelemetry.instrumentation.openai
    input_tokens: inclusive
    reports: [input, output, cache_read, reasoning]
    keys: [otel_genai_deprecated, openllmetry, otel_genai]
    seen_in: "the scope name the demo generator gives OpenLLMetry 0.40.14's openai spans (llm_cost/generate/catalog.py; recorded 0.62.4 uses opentelemetry.instrumentation.openai.v1)"
  - name: openllmetry
    scope: opentelemetry.instrumentation.google_generativeai
    input_tokens: inclusive
    reports: [input, output]
    keys: [otel_genai_deprecated, openllmetry]
    seen_in: "opentelemetry-instrumentation-google-generativeai (traceloop) 0.40.14, package source and the demo generator; not recorded yet"
  - name: pydantic-ai
    scope: pydantic-ai
    input_tokens: inclusive
    reports: [input, output, cache_read, cache_write, reasoning]
    keys: [otel_genai, pydantic_ai]
    seen_in: "pydantic-ai 2.31.1, recorded (pydantic_ai): input_tokens includes cache read and creation, cache keys and gen_ai.usage.details.reasoning_tokens / thinking_tokens when the provider returns them, no 1-hour split; operation.cost as its own cost"
  - name: logfire
    scope: logfire.openai
    input_tokens: inclusive
    reports: [input, output]
    keys: [otel_genai, otel_genai_deprecated]
    seen_in: "logfire 3.x, package source (openai integration: input and output tokens only); not recorded yet"
  - name: logfire
    scope: logfire.anthropic
    input_tokens: exclusive
    reports: [input, output]
    keys: [otel_genai, otel_genai_deprecated]
    seen_in: "logfire 3.x, package source (anthropic integration copies usage.input_tokens, exclusive); not recorded yet"
  - name: langchain
    scope: langsmith
    input_tokens: inclusive
    reports: [input, output]
    keys: [otel_genai, otel_genai_deprecated]
    seen_in: "langsmith 0.3.x OTel export, package source; not recorded yet"
{% endset %}
{{ return(registry_yaml) }}
{% endmacro %}

{#- The registry, parsed. Parsed once per model render and kept in the render's `model` (the copy of the node dbt
    makes for each render, so it lives no longer): int_spans__normalized reads it about 90 times, and each parse of
    the YAML costs 2-3 ms of dbt's single Python thread (a 1M-span scheduled run parsed it 120 times). Callers only
    read it. -#}
{% macro emitter_registry() %}
    {%- set memo = model if model is mapping else {} -%}
    {%- if 'llm_cost_emitter_registry' not in memo -%}
        {%- do memo.update({'llm_cost_emitter_registry': fromyaml(emitter_registry_yaml())}) -%}
    {%- endif -%}
    {{ return(memo['llm_cost_emitter_registry']) }}
{% endmacro %}

{#- The keys of one normalised field across every convention family, in registry order, without repeats. -#}
{% macro convention_keys(field) %}
    {%- set keys = [] -%}
    {%- for family in emitter_registry()['conventions'].values() -%}
        {%- for key in family.get(field, []) -%}
            {%- if key not in keys -%}{%- do keys.append(key) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(keys) }}
{% endmacro %}

{#- The usage buckets an emitter can report, in the order unreported_usage lists them. -#}
{% macro usage_buckets() %}
    {{ return(['input', 'output', 'cache_read', 'cache_write', 'cache_write_1h', 'reasoning']) }}
{% endmacro %}

{#- A bucket's count: its keys first, then the registry's text patterns (LiteLLM's repr), as a bigint. -#}
{% macro usage_bucket_count(column, bucket) %}
    {%- set parts = [llm_cost.attr_bigint_coalesce(column, convention_keys(bucket))] -%}
    {%- for rule in emitter_registry()['usage_patterns'].get(bucket, []) -%}
        {%- do parts.append(llm_cost.safe_bigint(llm_cost.regex_capture(llm_cost.attr(column, rule['key']), rule['pattern']))) -%}
    {%- endfor -%}
    {%- if parts | length == 1 -%}{{ parts[0] }}{%- else -%}coalesce({{ parts | join(', ') }}){%- endif -%}
{% endmacro %}

{#- A text field (service_tier): its keys first, then the registry's text patterns over the usage JSON. -#}
{% macro convention_text(column, field) %}
    {%- set parts = [llm_cost.attr_coalesce(column, convention_keys(field))] -%}
    {%- for rule in emitter_registry()['usage_patterns'].get(field, []) -%}
        {%- do parts.append(llm_cost.regex_capture(llm_cost.attr(column, rule['key']), rule['pattern'])) -%}
    {%- endfor -%}
    {%- if parts | length == 1 -%}{{ parts[0] }}{%- else -%}coalesce({{ parts | join(', ') }}){%- endif -%}
{% endmacro %}

{#- The Bedrock cross-region inference profile of a model id: the prefix of <profile>.<vendor>.<model> (us, eu, apac,
    jp, au, us-gov, global, or any other), after an optional bedrock/ route; null when the id has none (in-region).
    unprefixed_model: the id without it (and without the bedrock/ route), null when there is none. -#}
{% macro inference_profile(model) -%}
    {{ llm_cost.regex_capture(model, '^(?:bedrock/)?([a-z]+(?:-[a-z]+)?)[.][a-z0-9]+[.][^.]') }}
{%- endmacro %}
{% macro unprefixed_model(model) -%}
    case
        when {{ inference_profile(model) }} is not null
            then regexp_replace({{ model }}, '^(?:bedrock/)?[a-z]+(?:-[a-z]+)?[.]', '')
    end
{%- endmacro %}

{#- The position of the first emitter row a span matches (scope name, provider, requires_key), null when none:
    computed once per span, then emitter_field reads the row's fields from it. -#}
{% macro emitter_row_match(scope_expr, provider_expr, attributes_column) %}
    {%- for emitter in emitter_registry()['emitters'] -%}
        {%- if not (emitter.get('scope') or emitter.get('requires_key'))
            or emitter.get('input_tokens') not in ['inclusive', 'exclusive']
            or (emitter.get('reports', []) | reject('in', usage_buckets()) | list)
            or not emitter.get('seen_in') -%}
            {{ exceptions.raise_compiler_error("emitter registry row " ~ loop.index ~ " (" ~ emitter.get('name') ~ "): needs scope or requires_key, input_tokens inclusive | exclusive, reports among " ~ usage_buckets() ~ " and seen_in") }}
        {%- endif -%}
    {%- endfor %}
    case
        {%- for emitter in emitter_registry()['emitters'] %}
        when true
            {%- if emitter.get('scope') %} and {{ scope_expr }} = '{{ emitter['scope'] }}'{% endif %}
            {%- if emitter.get('provider') %} and {{ provider_expr }} = '{{ emitter['provider'] }}'{% endif %}
            {%- if emitter.get('requires_key') %} and {{ llm_cost.attr(attributes_column, emitter['requires_key']) }} is not null{% endif %}
            then {{ loop.index }}
        {%- endfor %}
    end
{% endmacro %}

{#- One field of the matched emitter row: name | input_tokens (a string, null when unmatched) or reports:<bucket>
    (true/false, false when unmatched). -#}
{% macro emitter_field(field, row_expr) %}
    {%- set emitters = emitter_registry()['emitters'] -%}
    {%- if field.startswith('reports:') -%}
        {%- set rows = [] -%}
        {%- for emitter in emitters if field[8:] in emitter['reports'] -%}{%- do rows.append(emitters.index(emitter) + 1) -%}{%- endfor -%}
        {%- if rows -%}coalesce({{ row_expr }} in ({{ rows | join(', ') }}), false){%- else -%}false{%- endif -%}
    {%- else -%}
        case {{ row_expr }}{% for emitter in emitters %} when {{ loop.index }} then '{{ emitter[field] }}'{% endfor %} end
    {%- endif -%}
{% endmacro %}

{#- The override var input_token_semantics as a list of rules {service, scope, provider, input_tokens}; the old
    {"service.name": "exclusive"} map still works (one rule per service). -#}
{% macro input_semantics_overrides() %}
    {%- set setting = get_setting('input_token_semantics', []) -%}
    {%- set rules = [] -%}
    {%- if setting is mapping -%}
        {%- for service, mode in setting.items() -%}
            {%- do rules.append({'service': service, 'input_tokens': mode}) -%}
        {%- endfor -%}
    {%- else -%}
        {%- for rule in setting or [] -%}
            {%- if rule.get('input_tokens') not in ['inclusive', 'exclusive']
                or not (rule.get('service') or rule.get('scope') or rule.get('provider')) -%}
                {{ exceptions.raise_compiler_error("input_token_semantics: each rule needs service, scope or provider and input_tokens: inclusive | exclusive, got " ~ rule) }}
            {%- endif -%}
            {%- do rules.append(rule) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(rules) }}
{% endmacro %}
