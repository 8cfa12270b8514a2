// Records REAL Vercel AI SDK (`ai`) OpenTelemetry spans against the loopback fake provider
// (tests/emitters/fake_provider.py) and writes them as OTLP/JSON, serialized exactly as the
// OpenTelemetry JS OTLP/JSON exporter does (@opentelemetry/otlp-transformer JsonTraceSerializer:
// hex trace/span ids, string timestamps, and `intValue` as a JSON *number*).
//
// Usage: FAKE_BASE_URL=http://127.0.0.1:<port> node record.mjs <out.jsonl> <out.truth.json>
// (see record.sh, which starts the fake and passes these).
//
// This file is identical in vercel_ai_v4/, vercel_ai_v5/ and vercel_ai_v6/; only package.json differs.
// One line of output = one TracesData object = the spans of one scripted call (one trace).

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { trace, SpanStatusCode } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { generateText, streamText, embed } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const [outJsonl, outTruth] = process.argv.slice(2);
const BASE = process.env.FAKE_BASE_URL;
if (!outJsonl || !outTruth || !BASE) {
  console.error('usage: FAKE_BASE_URL=http://127.0.0.1:<port> node record.mjs <out.jsonl> <out.truth.json>');
  process.exit(2);
}

// ---- versions actually installed ------------------------------------------------------------
function installedVersion(name) {
  // read node_modules/<name>/package.json directly (the packages' "exports" may hide it)
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pj.name === name) return pj.version;
    } catch { /* keep walking up */ }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find package.json of ${name}`);
    dir = up;
  }
}
const PKGS = [
  'ai', '@ai-sdk/openai', '@ai-sdk/anthropic', '@ai-sdk/provider',
  '@opentelemetry/api', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace-node',
  '@opentelemetry/resources', '@opentelemetry/otlp-transformer',
];
const packages = {};
for (const p of PKGS) {
  try { packages[p] = installedVersion(p); } catch { /* not a direct/resolvable dep */ }
}
const AI_MAJOR = Number(packages.ai.split('.')[0]);
const FAMILY = `vercel_ai_v${AI_MAJOR}`;

// ---- OpenTelemetry: in-memory exporter, serialized per trace --------------------------------
const finished = [];
const memoryExporter = {
  export(spans, cb) { finished.push(...spans); cb({ code: 0 }); },
  shutdown() { return Promise.resolve(); },
  forceFlush() { return Promise.resolve(); },
};
const provider = new NodeTracerProvider({
  // default resource (telemetry.sdk.*) merged with the app's own attributes, as NodeSDK would
  resource: defaultResource().merge(resourceFromAttributes({
    'service.name': `llm-cost-fixture-${FAMILY}`,
    'service.version': packages.ai,
    'deployment.environment.name': 'fixture',
  })),
  spanProcessors: [new SimpleSpanProcessor(memoryExporter)],
});
provider.register(); // global tracer provider + AsyncLocalStorage context manager
const appTracer = trace.getTracer('llm-cost-fixture', '1.0.0');

// ---- fake provider control ------------------------------------------------------------------
async function fakePost(path, body) {
  const r = await fetch(BASE + path, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`fake ${path}: HTTP ${r.status}`);
  return r.json();
}
async function fakeLog() {
  const r = await fetch(BASE + '/_log');
  return r.json();
}

// compatibility: 'strict' is what the default `openai` instance of @ai-sdk/openai 1.x uses (it makes
// 1.x send stream_options.include_usage when streaming); 2.x/3.x ignore the option.
const openai = createOpenAI({ baseURL: `${BASE}/v1`, apiKey: 'sk-fake-fixture', compatibility: 'strict' });
const anthropic = createAnthropic({ baseURL: `${BASE}/v1`, apiKey: 'sk-ant-fake-fixture' });

// ---- expected billed buckets, per the PROVIDER's rules --------------------------------------
function expectedOpenAIChat(u) {
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    uncached_input_tokens: u.prompt_tokens - cached, // prompt_tokens INCLUDES cached_tokens
    cache_read_tokens: cached,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    output_tokens: u.completion_tokens ?? 0, // completion_tokens INCLUDES reasoning_tokens
    reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
function expectedOpenAIResponses(u) {
  const cached = u.input_tokens_details?.cached_tokens ?? 0;
  return {
    uncached_input_tokens: u.input_tokens - cached, // input_tokens INCLUDES cached_tokens
    cache_read_tokens: cached,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    output_tokens: u.output_tokens ?? 0, // output_tokens INCLUDES reasoning_tokens
    reasoning_tokens: u.output_tokens_details?.reasoning_tokens ?? 0,
  };
}
function expectedAnthropic(u) {
  const total = u.cache_creation_input_tokens ?? 0;
  const w1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const w5m = u.cache_creation ? (u.cache_creation.ephemeral_5m_input_tokens ?? 0) : total;
  if (u.cache_creation && w5m + w1h !== total) throw new Error('script: cache_creation breakdown != total');
  return {
    uncached_input_tokens: u.input_tokens, // input_tokens EXCLUDES cache reads and cache writes
    cache_read_tokens: u.cache_read_input_tokens ?? 0,
    cache_write_tokens: w5m,
    cache_write_1h_tokens: w1h,
    output_tokens: u.output_tokens,
    reasoning_tokens: 0, // Anthropic does not report thinking tokens separately (they are in output_tokens)
  };
}

// ---- the script -----------------------------------------------------------------------------
// `usage` is the provider-native usage object the fake returns verbatim;
// `response_model` makes the fake answer with a dated snapshot like the real APIs do.
const cachedSystem = 'You are a terse assistant. Reply with one word.';
const CALLS = [
  {
    name: 'openai-chat-cached', provider: 'openai', model: 'gpt-4o-mini', request_model: 'gpt-4o-mini',
    response_model: 'gpt-4o-mini-2024-07-18', endpoint: '/v1/chat/completions', operation: 'chat',
    usage: { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920 },
             completion_tokens_details: { reasoning_tokens: 0 } },
    expected: expectedOpenAIChat,
    run: (t) => generateText({ model: openai.chat('gpt-4o-mini'), system: cachedSystem, prompt: 'Say ok.', experimental_telemetry: t }),
  },
  {
    name: 'openai-responses-reasoning', provider: 'openai', model: 'o4-mini', request_model: 'o4-mini',
    response_model: 'o4-mini-2025-04-16', endpoint: '/v1/responses', operation: 'chat',
    usage: { input_tokens: 1500, input_tokens_details: { cached_tokens: 512 },
             output_tokens: 900, output_tokens_details: { reasoning_tokens: 640 }, total_tokens: 2400 },
    expected: expectedOpenAIResponses,
    run: (t) => generateText({ model: openai.responses('o4-mini'), prompt: 'Is 7 prime? One word.', experimental_telemetry: t }),
  },
  {
    name: 'openai-chat-reasoning', provider: 'openai', model: 'o4-mini', request_model: 'o4-mini',
    response_model: 'o4-mini-2025-04-16', endpoint: '/v1/chat/completions', operation: 'chat',
    usage: { prompt_tokens: 120, completion_tokens: 470, total_tokens: 590, prompt_tokens_details: { cached_tokens: 0 },
             completion_tokens_details: { reasoning_tokens: 448 } },
    expected: expectedOpenAIChat,
    run: (t) => generateText({ model: openai.chat('o4-mini'), prompt: 'Is 9 prime? One word.', experimental_telemetry: t }),
  },
  {
    name: 'openai-embedding', provider: 'openai', model: 'text-embedding-3-small', request_model: 'text-embedding-3-small',
    response_model: null, endpoint: '/v1/embeddings', operation: 'embeddings',
    usage: { prompt_tokens: 8, total_tokens: 8 },
    expected: (u) => ({ uncached_input_tokens: u.prompt_tokens, cache_read_tokens: 0, cache_write_tokens: 0,
                        cache_write_1h_tokens: 0, output_tokens: 0, reasoning_tokens: 0 }),
    run: (t) => embed({ model: openai.embedding('text-embedding-3-small'), value: 'sunny day at the beach', experimental_telemetry: t }),
  },
  {
    name: 'anthropic-cache-read-fresh-larger', provider: 'anthropic', model: 'claude-sonnet-4-5', request_model: 'claude-sonnet-4-5',
    response_model: 'claude-sonnet-4-5-20250929', endpoint: '/v1/messages', operation: 'chat',
    usage: { input_tokens: 3000, cache_read_input_tokens: 1200, cache_creation_input_tokens: 0,
             cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }, output_tokens: 250 },
    expected: expectedAnthropic,
    run: (t) => generateText({ model: anthropic('claude-sonnet-4-5'), messages: anthropicMessages('Say ok.'), experimental_telemetry: t }),
  },
  {
    name: 'anthropic-cache-write-5m', provider: 'anthropic', model: 'claude-sonnet-4-5', request_model: 'claude-sonnet-4-5',
    response_model: 'claude-sonnet-4-5-20250929', endpoint: '/v1/messages', operation: 'chat',
    usage: { input_tokens: 40, cache_read_input_tokens: 0, cache_creation_input_tokens: 2048,
             cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 }, output_tokens: 120 },
    expected: expectedAnthropic,
    run: (t) => generateText({ model: anthropic('claude-sonnet-4-5'), messages: anthropicMessages('Say hi.'), experimental_telemetry: t }),
  },
  {
    name: 'anthropic-cache-read-and-write-5m-1h', provider: 'anthropic', model: 'claude-sonnet-4-5', request_model: 'claude-sonnet-4-5',
    response_model: 'claude-sonnet-4-5-20250929', endpoint: '/v1/messages', operation: 'chat',
    usage: { input_tokens: 25, cache_read_input_tokens: 4096, cache_creation_input_tokens: 3072,
             cache_creation: { ephemeral_5m_input_tokens: 1024, ephemeral_1h_input_tokens: 2048 }, output_tokens: 180 },
    expected: expectedAnthropic,
    run: (t) => generateText({ model: anthropic('claude-sonnet-4-5'), messages: anthropicMessages('Say yes.', '1h'), experimental_telemetry: t }),
  },
  {
    // older API shape: only the cache_creation_input_tokens total, no 5m/1h breakdown (= all 5-minute)
    name: 'anthropic-cache-write-legacy-shape', provider: 'anthropic', model: 'claude-sonnet-4-5', request_model: 'claude-sonnet-4-5',
    response_model: 'claude-sonnet-4-5-20250929', endpoint: '/v1/messages', operation: 'chat',
    usage: { input_tokens: 12, cache_read_input_tokens: 600, cache_creation_input_tokens: 300, output_tokens: 30 },
    expected: expectedAnthropic,
    run: (t) => generateText({ model: anthropic('claude-sonnet-4-5'), messages: anthropicMessages('Say no.'), experimental_telemetry: t }),
  },
  // streamText: same provider usage shapes, but a different code path (and attribute set) in the SDK
  {
    name: 'openai-chat-cached-stream', sdk_call: 'streamText', provider: 'openai', model: 'gpt-4o-mini', request_model: 'gpt-4o-mini',
    response_model: 'gpt-4o-mini-2024-07-18', endpoint: '/v1/chat/completions', operation: 'chat',
    usage: { prompt_tokens: 1300, completion_tokens: 42, total_tokens: 1342, prompt_tokens_details: { cached_tokens: 1152 },
             completion_tokens_details: { reasoning_tokens: 0 } },
    expected: expectedOpenAIChat,
    run: (t) => drain(streamText({ model: openai.chat('gpt-4o-mini'), system: cachedSystem, prompt: 'Say ok again.', experimental_telemetry: t })),
  },
  {
    name: 'anthropic-cache-read-and-write-5m-1h-stream', sdk_call: 'streamText', provider: 'anthropic', model: 'claude-sonnet-4-5', request_model: 'claude-sonnet-4-5',
    response_model: 'claude-sonnet-4-5-20250929', endpoint: '/v1/messages', operation: 'chat',
    usage: { input_tokens: 60, cache_read_input_tokens: 2500, cache_creation_input_tokens: 1500,
             cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1000 }, output_tokens: 75 },
    expected: expectedAnthropic,
    run: (t) => drain(streamText({ model: anthropic('claude-sonnet-4-5'), messages: anthropicMessages('Say maybe.', '1h'), experimental_telemetry: t })),
  },
];

async function drain(result) {
  // consume the stream fully, then wait for the final usage (the ai.streamText span ends on finish)
  for await (const _ of result.textStream) { /* discard */ }
  return { usage: await result.usage };
}

function anthropicMessages(userText, ttl) {
  // cache breakpoint on a user text part (the documented Anthropic prompt-caching pattern)
  const cacheControl = ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' };
  return [{
    role: 'user',
    content: [
      { type: 'text', text: cachedSystem, providerOptions: { anthropic: { cacheControl } } },
      { type: 'text', text: userText },
    ],
  }];
}

// ---- run ------------------------------------------------------------------------------------
await fakePost('/_reset', {});
const lines = [];
const calls = [];
let n = 0;
for (const c of CALLS) {
  n += 1;
  const item = c.response_model ? { usage: c.usage, response_model: c.response_model } : c.usage;
  await fakePost('/_script', [item]);
  const logBefore = (await fakeLog()).length;

  const telemetry = {
    isEnabled: true,
    functionId: `fixture-${c.name}`,
    metadata: { fixture_call: n, tenant: 'fixture', family: FAMILY },
  };
  const sdkCall = c.sdk_call ?? (c.operation === 'embeddings' ? 'embed' : 'generateText');
  let traceId;
  await appTracer.startActiveSpan(`fixture-call-${n}`, {
    attributes: { 'app.feature': FAMILY, 'app.tenant_id': 'fixture' },
  }, async (root) => {
    traceId = root.spanContext().traceId;
    try {
      await c.run(telemetry);
    } catch (e) {
      root.recordException(e);
      root.setStatus({ code: SpanStatusCode.ERROR, message: String(e) });
      throw e;
    } finally {
      root.end();
    }
  });
  await provider.forceFlush();
  // streamText ends its spans from the stream's flush callback: give them a moment to land
  for (let i = 0; i < 50 && !finished.some((s) => s.spanContext().traceId === traceId && s.name === `ai.${sdkCall}`); i++) {
    await new Promise((r) => setTimeout(r, 20));
    await provider.forceFlush();
  }

  const log = await fakeLog();
  if (log.length !== logBefore + 1) throw new Error(`call ${n}: expected exactly 1 provider request, fake saw ${log.length - logBefore}`);
  const served = log[log.length - 1];
  if (served.endpoint !== c.endpoint) throw new Error(`call ${n}: expected ${c.endpoint}, SDK hit ${served.endpoint}`);
  // the fake may fill in fields the SDK requires; the script spells them all out, so served == scripted
  if (JSON.stringify(served.usage) !== JSON.stringify(c.usage)) {
    throw new Error(`call ${n}: fake served usage ${JSON.stringify(served.usage)} != scripted ${JSON.stringify(c.usage)}`);
  }

  const spans = finished.filter((s) => s.spanContext().traceId === traceId);
  for (const want of [`fixture-call-${n}`, `ai.${sdkCall}`]) {
    if (!spans.some((s) => s.name === want)) throw new Error(`call ${n}: span ${want} missing`);
  }
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  lines.push(new TextDecoder().decode(bytes));

  calls.push({
    trace_id: traceId,
    provider: c.provider,
    model: c.model,
    request_model: c.request_model,
    response_model: served.response_model,
    response_id: served.id,
    endpoint: c.endpoint,
    operation: c.operation,
    stream: sdkCall === 'streamText',
    sdk_call: sdkCall,
    function_id: telemetry.functionId,
    provider_usage: c.usage,
    expected: c.expected(c.usage),
  });
  console.error(`call ${n} ${c.name}: trace ${traceId}, ${spans.length} spans: ${spans.map((s) => s.name).join(', ')}`);
}

writeFileSync(outJsonl, lines.join('\n') + '\n');
writeFileSync(outTruth, JSON.stringify({ family: FAMILY, packages, calls }, null, 2) + '\n');
await provider.shutdown();
console.error(`wrote ${lines.length} lines to ${outJsonl} and ${calls.length} calls to ${outTruth}`);
