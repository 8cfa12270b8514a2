"""Token usage draws that follow the providers' prompt caching: OpenAI's cached 128-token-aligned prefix
(``openai_usage``) and Anthropic's incremental cache reads and writes over an agent loop (``AnthropicCache``)."""

from __future__ import annotations

from llm_cost.generate.catalog import Model
from llm_cost.generate.runs import Usage
from llm_cost.generate.state import Gen

# ----------------------------------------------------------------------------- usage helpers


def openai_usage(g: Gen, m: Model, context: int, prev_context: int) -> Usage:
    """OpenAI prompt caching: a 128-token-aligned prefix of >= 1024 tokens seen before."""
    r = g.rng
    cached = 0
    if prev_context >= 1024 and r.random() < 0.8:
        cached = min(prev_context, context - 1) // 128 * 128
    reasoning = r.randint(128, 4000) if m.reasoning else 0
    return Usage(uncached=context - cached, cache_read=cached,
                 output=r.randint(30, 700) + reasoning, reasoning=reasoning)


class AnthropicCache:
    """Anthropic incremental caching over an agent loop: read what was cached, write the rest."""

    def __init__(self, g: Gen, system: int) -> None:
        self.g, self.system, self.cached = g, system, 0

    def usage(self, context: int, one_hour: bool = False) -> Usage:
        r = self.g.rng
        if self.cached == 0:
            prefix = min(self.system, context - 1)
            if r.random() < 0.6:  # system prompt already warm from an earlier run
                read, write = prefix, 0
            else:
                read, write = 0, prefix
        else:
            read = min(self.cached, context - 1)
            write = int((context - read) * r.uniform(0.6, 0.95))
        write = max(0, min(write, context - read - 1))
        self.cached = read + write
        u = Usage(uncached=context - read - write, cache_read=read, output=r.randint(60, 1500))
        if one_hour and write:
            u.cache_write_1h = write if r.random() < 0.5 else write * 2 // 3
            u.cache_write = write - u.cache_write_1h
        else:
            u.cache_write = write
        return u

