"""What the demo world is made of: the models (canonical, requested and answered names), the list prices
billing-batch reports its own cost from, the tenants and their weights, the instrumentation scopes and the
services with their versions."""

from __future__ import annotations

from dataclasses import dataclass

# ----------------------------------------------------------------------------- models


@dataclass(frozen=True, slots=True)
class Model:
    provider: str  # canonical provider (truth)
    canonical: str  # canonical model id as in seeds/model_prices.csv (truth)
    request: str  # model name the instrumentation reports as requested
    response: str  # model name the provider answers with ('' = not reported)
    reasoning: bool = False


MODELS: dict[str, Model] = {
    "gpt-4o": Model("openai", "gpt-4o-2024-08-06", "gpt-4o", "gpt-4o-2024-08-06"),
    "gpt-4.1-mini": Model("openai", "gpt-4.1-mini", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
    "o3": Model("openai", "o3", "o3", "o3-2025-04-16", reasoning=True),
    "o4-mini": Model("openai", "o4-mini", "o4-mini", "o4-mini-2025-04-16", reasoning=True),
    "text-embedding-3-small": Model(
        "openai", "text-embedding-3-small", "text-embedding-3-small", "text-embedding-3-small"),
    "claude-sonnet-4": Model(
        "anthropic", "claude-sonnet-4", "claude-sonnet-4-20250514", "claude-sonnet-4-20250514"),
    "claude-3-5-haiku": Model(
        "anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022",
        "claude-3-5-haiku-20241022"),
    "gemini-2.0-flash": Model("gcp.gemini", "gemini-2.0-flash", "models/gemini-2.0-flash", ""),
    "gemini-2.5-pro": Model("gcp.gemini", "gemini-2.5-pro", "models/gemini-2.5-pro", ""),
    "bedrock-claude-3-5-sonnet": Model(
        "aws.bedrock", "claude-3-5-sonnet-20241022", "anthropic.claude-3-5-sonnet-20241022-v2:0", ""),
    "mistral-large": Model("mistral_ai", "mistral-unlisted-2411", "mistral-unlisted-2411", "mistral-unlisted-2411"),
}

# Approximate list prices (USD/1M: input, output, cache read, cache write) used only to make
# billing-batch's self-reported app.llm.cost_usd look plausible; never part of the truth cost.
REPORT_PRICES: dict[str, tuple[float, float, float, float]] = {
    "claude-3-5-haiku": (0.8, 4.0, 0.08, 1.0),
    "bedrock-claude-3-5-sonnet": (3.0, 15.0, 0.3, 3.75),
}

TENANTS: list[tuple[str, int, int]] = [  # tenant id, volume weight, users
    ("acme-corp", 40, 24), ("globex", 22, 12), ("initech", 15, 8),
    ("umbrella", 10, 6), ("hooli", 8, 5), ("stark-industries", 5, 3),
]

SCOPES: dict[str, tuple[str, str]] = {
    "pydantic-ai": ("pydantic-ai", "0.4.2"),
    "oi-langchain": ("openinference.instrumentation.langchain", "0.1.43"),
    "anthropic-sdk": ("com.anthropic.sdk.python", "0.57.1"),
    "traceloop": ("traceloop.tracer", "0.40.14"),
    "ll-openai": ("opentelemetry.instrumentation.openai", "0.40.14"),
    "ll-anthropic": ("opentelemetry.instrumentation.anthropic", "0.40.14"),
    "ll-gemini": ("opentelemetry.instrumentation.google_generativeai", "0.40.14"),
    "ai-v4": ("ai", "4.3.16"),
    "ai-v5": ("ai", "5.0.8"),
    "acme": ("acme.llm", "1.0.0"),
}

SERVICE_VERSIONS = {
    "support-agent": "2.3.1", "research-agent": "1.4.0", "doc-pipeline": "0.9.3",
    "web-chat": "3.12.0", "billing-batch": "2025.5.1", "ticket-triage": "0.2.0",
}
