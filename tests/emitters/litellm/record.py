"""Record LiteLLM (SDK, not proxy) with its built-in OTel callback (callbacks=["otel"]).

Two outputs, one process each (LiteLLM reads the switch per call but we keep them apart):
  litellm                 default: with a parent span present LiteLLM writes NO request span of its own;
                          it sets its gen_ai attributes on the PARENT span (here fixture-call-<n>),
                          from its async success handler. The recorder keeps the parent open ~1 s so
                          they land; if the parent has already ended they are dropped
                          ("Setting attribute on ended span.").
  litellm__request_span   USE_OTEL_LITELLM_REQUEST_SPAN=true
The callback reuses the global SDK TracerProvider set by the harness. LiteLLM is
driven as an OpenAI provider (openai/...) and as an Anthropic provider (anthropic/...)
against the fake. LITELLM_LOCAL_MODEL_COST_MAP=True keeps the price map offline.
"""
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent.parent))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")

VARIANT = "--request-span" in sys.argv
if not VARIANT and "--no-variant" not in sys.argv:
    # run the request-span variant in its own process first
    env = dict(os.environ, USE_OTEL_LITELLM_REQUEST_SPAN="true")
    subprocess.run([sys.executable, str(HERE), "--request-span"], env=env, check=True)
if not VARIANT:
    os.environ.pop("USE_OTEL_LITELLM_REQUEST_SPAN", None)

from harness import Harness  # noqa: E402
from scenarios import MSG, OPENAI_CACHED, OPENAI_REASONING, OPENAI_EMBED, ANTH_ALL_CACHE, ANTH_FRESH_GT_READ  # noqa: E402

h = Harness("litellm", out_name="litellm__request_span" if VARIANT else "litellm")

import litellm  # noqa: E402

litellm.callbacks = ["otel"]
SETTLE = 1.0  # success callbacks run after the call returns (logging worker)
OA = dict(api_base=h.base_url + "/v1", api_key="sk-fake")
AN = dict(api_base=h.base_url, api_key="sk-ant-fake")

with h.call("openai", "gpt-4o-mini", "openai/gpt-4o-mini", OPENAI_CACHED,
            response_model="gpt-4o-mini-2024-07-18", settle_inside=SETTLE):
    litellm.completion(model="openai/gpt-4o-mini", messages=MSG, max_tokens=50, **OA)

with h.call("openai", "o4-mini", "openai/o4-mini", OPENAI_REASONING,
            response_model="o4-mini-2025-04-16", settle_inside=SETTLE):
    litellm.completion(model="openai/o4-mini", messages=MSG, reasoning_effort="low", **OA)

with h.call("openai", "text-embedding-3-small", "openai/text-embedding-3-small", OPENAI_EMBED,
            operation="embeddings", settle_inside=SETTLE):
    litellm.embedding(model="openai/text-embedding-3-small", input=["hello fixture"], **OA)

with h.call("anthropic", "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", ANTH_ALL_CACHE,
            response_model="claude-sonnet-4-5-20250929", settle_inside=SETTLE):
    litellm.completion(model="anthropic/claude-sonnet-4-5", messages=MSG, max_tokens=256, **AN)

with h.call("anthropic", "claude-haiku-4-5", "anthropic/claude-haiku-4-5", ANTH_FRESH_GT_READ,
            response_model="claude-haiku-4-5-20251001", settle_inside=SETTLE,
            note="fresh input (3000) larger than cache reads (1024)"):
    litellm.completion(model="anthropic/claude-haiku-4-5", messages=MSG, max_tokens=256, **AN)

h.finish(extra={"variant": "USE_OTEL_LITELLM_REQUEST_SPAN=true" if VARIANT else "default"})
