"""Record anthropic SDK + traceloop opentelemetry-instrumentation-anthropic (OpenLLMetry).

Defaults kept: the anthropic SDK (>= 2.x) ALSO emits its own span (scope
com.anthropic.sdk.python) because a global tracer provider is set, so each call
has two gen_ai layers: the SDK's CLIENT span and OpenLLMetry's span around it.
TRACELOOP_TRACE_CONTENT defaults to true (prompts in gen_ai.prompt.* attributes).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Harness  # noqa: E402
from scenarios import anthropic_calls  # noqa: E402

h = Harness("openllmetry_anthropic")

import anthropic  # noqa: E402
from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor  # noqa: E402

AnthropicInstrumentor().instrument(tracer_provider=h.provider)
client = anthropic.Anthropic(base_url=h.base_url, api_key="sk-ant-fake", max_retries=0)
anthropic_calls(h, client)
h.finish()
