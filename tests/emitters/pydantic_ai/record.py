"""Record Pydantic AI's built-in OpenTelemetry instrumentation (no logfire).

Agent.instrument_all(InstrumentationSettings(tracer_provider=..., include_content=True))
with OpenAIChatModel and AnthropicModel pointed at the fake. Each call is one
agent.run_sync() (one model request). The anthropic SDK (2.x) also emits its own
span (scope com.anthropic.sdk.python) because a global tracer provider is set.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Harness  # noqa: E402
from scenarios import (OPENAI_CACHED, OPENAI_REASONING, ANTH_ALL_CACHE, ANTH_FRESH_GT_READ,  # noqa: E402
                       ANTH_THINKING)

h = Harness("pydantic_ai")

from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.models.instrumented import InstrumentationSettings  # noqa: E402
from pydantic_ai.models.openai import OpenAIChatModel  # noqa: E402
from pydantic_ai.models.anthropic import AnthropicModel  # noqa: E402
from pydantic_ai.providers.openai import OpenAIProvider  # noqa: E402
from pydantic_ai.providers.anthropic import AnthropicProvider  # noqa: E402

INSTR = InstrumentationSettings(tracer_provider=h.provider, include_content=True)
oap = OpenAIProvider(base_url=h.base_url + "/v1", api_key="sk-fake")
# explicit client (anthropic 2.x would reject the httpx client pydantic-ai builds; 2.x also breaks
# pydantic-ai 2.31 message mapping, hence anthropic 0.125 pinned)
from anthropic import AsyncAnthropic  # noqa: E402
anp = AnthropicProvider(anthropic_client=AsyncAnthropic(base_url=h.base_url, api_key="sk-ant-fake", max_retries=0))


Agent.instrument_all(INSTR)  # pydantic-ai 2.x: the Agent(instrument=...) keyword is gone


def agent(model):
    return Agent(model, retries=0)


with h.call("openai", "gpt-4o-mini", "gpt-4o-mini", OPENAI_CACHED, response_model="gpt-4o-mini-2024-07-18"):
    agent(OpenAIChatModel("gpt-4o-mini", provider=oap)).run_sync("Say ok.")

with h.call("openai", "o4-mini", "o4-mini", OPENAI_REASONING, response_model="o4-mini-2025-04-16"):
    agent(OpenAIChatModel("o4-mini", provider=oap)).run_sync("Say ok.")

with h.call("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5", ANTH_ALL_CACHE,
            response_model="claude-sonnet-4-5-20250929"):
    agent(AnthropicModel("claude-sonnet-4-5", provider=anp)).run_sync("Say ok.")

with h.call("anthropic", "claude-haiku-4-5", "claude-haiku-4-5", ANTH_FRESH_GT_READ,
            response_model="claude-haiku-4-5-20251001", note="fresh input (3000) larger than cache reads (1024)"):
    agent(AnthropicModel("claude-haiku-4-5", provider=anp)).run_sync("Say ok.")

with h.call("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5", ANTH_THINKING,
            note="1h cache write only; thinking tokens inside output_tokens"):
    agent(AnthropicModel("claude-sonnet-4-5", provider=anp)).run_sync("Say ok.")

h.finish()
