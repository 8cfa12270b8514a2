"""Record the anthropic SDK's own OpenTelemetry spans (scope com.anthropic.sdk.python).

No instrumentation package: the SDK traces each API call itself once a global
tracer provider is set (ANTHROPIC_OPEN_TELEMETRY=false turns it off). Content
mode "content" (ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE) is switched on so the
fixture shows where prompts/completions land.
"""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE", "content")

from harness import Harness  # noqa: E402
from scenarios import anthropic_calls  # noqa: E402

h = Harness("anthropic_sdk")  # sets the global tracer provider before the client exists

import anthropic  # noqa: E402

client = anthropic.Anthropic(base_url=h.base_url, api_key="sk-ant-fake", max_retries=0)
anthropic_calls(h, client)
h.finish()
