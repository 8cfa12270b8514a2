"""Record openai SDK + opentelemetry-instrumentation-openai-v2 (OTel contrib).

With opentelemetry-util-genai 1.1b0 the instrumentation always takes its
"latest experimental" path (util.genai's is_experimental_mode() returns True), so
OTEL_SEMCONV_STABILITY_OPT_IN makes no difference; content capture is SPAN_ONLY so
prompts/completions land in span attributes (gen_ai.input.messages / gen_ai.output.messages).
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "SPAN_ONLY"
os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"

from harness import Harness  # noqa: E402
from scenarios import openai_calls  # noqa: E402

h = Harness("openai_v2")

from openai import OpenAI  # noqa: E402
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor  # noqa: E402

OpenAIInstrumentor().instrument(tracer_provider=h.provider)
client = OpenAI(base_url=h.base_url + "/v1", api_key="sk-fake", max_retries=0)
openai_calls(h, client)
h.finish()
