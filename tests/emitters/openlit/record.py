"""Record OpenLIT (openlit.init defaults) instrumenting an OpenAI and an Anthropic client in one service.

openlit.init() reuses the global SDK TracerProvider set by the harness, and also
auto-instruments HTTP clients (httpx, requests, urllib, ...), so the SDK's HTTP
request can appear as an extra span. pricing_json points at a local file with the
seed prices (OpenLIT would otherwise download its pricing table; offline it cannot),
so gen_ai.usage.cost values are OpenLIT's own arithmetic on those prices.
Pins: openlit 1.45 requires openai<3 and anthropic<1, and every
opentelemetry-instrumentation-* at one release (0.66b2 is not published for all).
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from harness import Harness  # noqa: E402
from scenarios import openai_calls, anthropic_calls  # noqa: E402

h = Harness("openlit")

import openlit  # noqa: E402

openlit.init(application_name="fixture-openlit", environment="fixture", disable_metrics=True,
             disable_events=True, capture_message_content=True, pricing_json=str(HERE / "pricing.json"))

import anthropic  # noqa: E402
from openai import OpenAI  # noqa: E402

oa = OpenAI(base_url=h.base_url + "/v1", api_key="sk-fake", max_retries=0)
an = anthropic.Anthropic(base_url=h.base_url, api_key="sk-ant-fake", max_retries=0)
openai_calls(h, oa)
anthropic_calls(h, an)
h.finish()
