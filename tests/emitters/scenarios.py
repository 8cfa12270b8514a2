"""Standard scripted call sets shared by the recorders (one provider request per call)."""

MSG = [{"role": "user", "content": "Say ok."}]

# ---- OpenAI ------------------------------------------------------------------
OPENAI_CACHED = {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500,
                 "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                               "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
OPENAI_REASONING = {"prompt_tokens": 2048, "completion_tokens": 900, "total_tokens": 2948,
                    "prompt_tokens_details": {"cached_tokens": 1536, "audio_tokens": 0},
                    "completion_tokens_details": {"reasoning_tokens": 768, "audio_tokens": 0,
                                                  "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
OPENAI_PLAIN = {"prompt_tokens": 40, "completion_tokens": 7, "total_tokens": 47}
OPENAI_STREAM = {"prompt_tokens": 1500, "completion_tokens": 20, "total_tokens": 1520,
                 "prompt_tokens_details": {"cached_tokens": 1280}}
OPENAI_EMBED = {"prompt_tokens": 12, "total_tokens": 12}


def openai_calls(h, client, *, stream=True, embeddings=True):
    """gpt-4o-mini cached, o4-mini reasoning, plain, [streamed cached], [embedding]."""
    with h.call("openai", "gpt-4o-mini", "gpt-4o-mini", OPENAI_CACHED, response_model="gpt-4o-mini-2024-07-18"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MSG, temperature=0.2, max_tokens=50)
    with h.call("openai", "o4-mini", "o4-mini", OPENAI_REASONING, response_model="o4-mini-2025-04-16"):
        client.chat.completions.create(model="o4-mini", messages=MSG, reasoning_effort="low")
    with h.call("openai", "gpt-4o-mini", "gpt-4o-mini", OPENAI_PLAIN):
        client.chat.completions.create(model="gpt-4o-mini", messages=MSG)
    if stream:
        with h.call("openai", "gpt-4o-mini", "gpt-4o-mini", OPENAI_STREAM):
            s = client.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True,
                                               stream_options={"include_usage": True})
            for _ in s:
                pass
    if embeddings:
        with h.call("openai", "text-embedding-3-small", "text-embedding-3-small", OPENAI_EMBED,
                    operation="embeddings"):
            client.embeddings.create(model="text-embedding-3-small", input=["hello fixture"])


# ---- Anthropic ---------------------------------------------------------------
ANTH_ALL_CACHE = {"input_tokens": 50, "cache_read_input_tokens": 2000, "cache_creation_input_tokens": 500,
                  "cache_creation": {"ephemeral_5m_input_tokens": 300, "ephemeral_1h_input_tokens": 200},
                  "output_tokens": 120, "service_tier": "standard"}
ANTH_FRESH_GT_READ = {"input_tokens": 3000, "cache_read_input_tokens": 1024, "cache_creation_input_tokens": 400,
                      "cache_creation": {"ephemeral_5m_input_tokens": 400, "ephemeral_1h_input_tokens": 0},
                      "output_tokens": 80, "service_tier": "standard"}
ANTH_PLAIN = {"input_tokens": 25, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0,
              "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
              "output_tokens": 10, "service_tier": "standard"}
ANTH_THINKING = {"input_tokens": 200, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 1500,
                 "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 1500},
                 "output_tokens": 700, "output_tokens_details": {"thinking_tokens": 512},
                 "service_tier": "standard"}
ANTH_STREAM = {"input_tokens": 10, "cache_read_input_tokens": 5000, "cache_creation_input_tokens": 0,
               "output_tokens": 42}


def anthropic_calls(h, client, *, stream=True, thinking=True):
    with h.call("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5", ANTH_ALL_CACHE,
                response_model="claude-sonnet-4-5-20250929"):
        client.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=MSG)
    with h.call("anthropic", "claude-haiku-4-5", "claude-haiku-4-5", ANTH_FRESH_GT_READ,
                response_model="claude-haiku-4-5-20251001",
                note="fresh input (3000) larger than cache reads (1024)"):
        client.messages.create(model="claude-haiku-4-5", max_tokens=256, messages=MSG)
    with h.call("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5", ANTH_PLAIN):
        client.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=MSG)
    if thinking:
        with h.call("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5", ANTH_THINKING,
                    note="1h cache write only; thinking tokens inside output_tokens"):
            client.messages.create(model="claude-sonnet-4-5", max_tokens=2048, messages=MSG,
                                   thinking={"type": "enabled", "budget_tokens": 1024})
    if stream:
        with h.call("anthropic", "claude-haiku-4-5", "claude-haiku-4-5", ANTH_STREAM,
                    note="streamed; no cache_creation breakdown object"):
            with client.messages.stream(model="claude-haiku-4-5", max_tokens=64, messages=MSG) as s:
                for _ in s:
                    pass
