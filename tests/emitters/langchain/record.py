"""Record langchain-openai (ChatOpenAI, OpenAIEmbeddings) + openinference-instrumentation-langchain.

The instrumentor is LangChain-callback based (Arize OpenInference); no openai-SDK
instrumentor is installed, so each call has one LLM/EMBEDDING span from LangChain.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import Harness  # noqa: E402
from scenarios import OPENAI_CACHED, OPENAI_REASONING, OPENAI_STREAM  # noqa: E402

h = Harness("langchain")

from openinference.instrumentation.langchain import LangChainInstrumentor  # noqa: E402

LangChainInstrumentor().instrument(tracer_provider=h.provider)

from langchain_openai import ChatOpenAI  # noqa: E402

KW = dict(base_url=h.base_url + "/v1", api_key="sk-fake", max_retries=0)

with h.call("openai", "gpt-4o-mini", "gpt-4o-mini", OPENAI_CACHED, response_model="gpt-4o-mini-2024-07-18"):
    ChatOpenAI(model="gpt-4o-mini", temperature=0.2, max_tokens=50, **KW).invoke("Say ok.")

with h.call("openai", "o4-mini", "o4-mini", OPENAI_REASONING, response_model="o4-mini-2025-04-16"):
    ChatOpenAI(model="o4-mini", reasoning_effort="low", **KW).invoke("Say ok.")

with h.call("openai", "gpt-4o-mini", "gpt-4o-mini", OPENAI_STREAM, note="streamed (stream_usage=True)"):
    for _ in ChatOpenAI(model="gpt-4o-mini", stream_usage=True, **KW).stream("Say ok."):
        pass

# No embeddings call: LangChain embeddings fire no callbacks, so this instrumentor writes no span
# for OpenAIEmbeddings.embed_query (observed: only the app root span). Left out so every truth call
# has an emitter span.

h.finish()
