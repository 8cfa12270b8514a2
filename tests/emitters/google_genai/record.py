"""Record google-genai (2.x) + opentelemetry-instrumentation-google-genai (OTel contrib).

Gemini Developer API mode, api key dummy, http_options.base_url -> the fake
(POST /v1beta/models/{model}:generateContent). google-genai 3.x: the instrumentation
emits nothing, so 2.x is pinned.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
for k in ("GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_CLOUD_PROJECT", "GOOGLE_API_KEY"):
    os.environ.pop(k, None)

from harness import Harness  # noqa: E402

h = Harness("google_genai")

from google import genai  # noqa: E402
from google.genai import types  # noqa: E402
from opentelemetry.instrumentation.google_genai import GoogleGenAiSdkInstrumentor  # noqa: E402

GoogleGenAiSdkInstrumentor().instrument(tracer_provider=h.provider)
client = genai.Client(api_key="fake-gemini-key", http_options=types.HttpOptions(base_url=h.base_url + "/"))

with h.call("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash",
            {"promptTokenCount": 5000, "cachedContentTokenCount": 4096, "candidatesTokenCount": 150,
             "thoughtsTokenCount": 600, "totalTokenCount": 5750,
             "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 5000}],
             "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 4096}]},
            note="cached content inside promptTokenCount; thoughts outside candidatesTokenCount"):
    client.models.generate_content(model="gemini-2.5-flash", contents="Say ok.")

with h.call("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash",
            {"promptTokenCount": 800, "candidatesTokenCount": 40, "thoughtsTokenCount": 256,
             "totalTokenCount": 1096},
            note="thinking, no cache"):
    client.models.generate_content(
        model="gemini-2.5-flash", contents="Say ok.",
        config=types.GenerateContentConfig(thinking_config=types.ThinkingConfig(thinking_budget=512)))

with h.call("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash",
            {"promptTokenCount": 12, "candidatesTokenCount": 3, "totalTokenCount": 15}):
    client.models.generate_content(model="gemini-2.5-flash", contents="Say ok.",
                                   config=types.GenerateContentConfig(temperature=0.1, max_output_tokens=32))

with h.call("gcp.gemini", "gemini-2.5-flash", "gemini-2.5-flash",
            {"promptTokenCount": 3000, "cachedContentTokenCount": 2048, "candidatesTokenCount": 20,
             "thoughtsTokenCount": 100, "totalTokenCount": 3120},
            note="streamed (SSE, one chunk)"):
    for _ in client.models.generate_content_stream(model="gemini-2.5-flash", contents="Say ok."):
        pass

h.finish()
