"""Record openai SDK + openinference-instrumentation-openai (Arize OpenInference).

Content capture is on by default (llm.input_messages.* / input.value attributes).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Harness  # noqa: E402
from scenarios import openai_calls  # noqa: E402

h = Harness("openinference_openai")

from openai import OpenAI  # noqa: E402
from openinference.instrumentation.openai import OpenAIInstrumentor  # noqa: E402

OpenAIInstrumentor().instrument(tracer_provider=h.provider)
client = OpenAI(base_url=h.base_url + "/v1", api_key="sk-fake", max_retries=0)
openai_calls(h, client)
h.finish()
