"""Shared recorder harness: tracer provider -> OTLP JSON lines, scripted calls, truth file.

A recorder does::

    h = Harness("openai_v2")                       # env FAKE_BASE_URL or starts an in-process fake
    with h.call("openai", "gpt-4o-mini", "gpt-4o-mini", {"prompt_tokens": ...}):
        client.chat.completions.create(...)        # exactly one provider request
    h.finish()

``call`` scripts the usage on the fake, opens the root span ``fixture-call-<n>``
(attributes ``app.feature`` = family, ``app.tenant_id`` = "fixture"), checks that
exactly one provider request was served inside it, and records the truth entry
(trace id, served usage, expected billed buckets by the provider's own rules).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: E402

from otlp_json import OTLPJsonLinesExporter  # noqa: E402

REPO = HERE.parent.parent


@contextlib.contextmanager
def _untraced():
    """Suppress instrumentation (the API's suppress_instrumentation context key)."""
    from opentelemetry import context
    try:
        from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY as key
    except ImportError:  # older API
        key = context.create_key("suppress_instrumentation")
    token = context.attach(context.set_value(key, True))
    try:
        yield
    finally:
        context.detach(token)
FIXTURES = REPO / "tests" / "fixtures" / "emitters"


def expected_buckets(provider: str, operation: str, u: dict) -> dict:
    """Billed buckets from the provider-native usage object, by the provider's rules."""
    e = dict(uncached_input_tokens=0, cache_read_tokens=0, cache_write_tokens=0,
             cache_write_1h_tokens=0, output_tokens=0, reasoning_tokens=0)
    if provider == "openai":
        if "prompt_tokens" in u:  # chat completions / embeddings: prompt_tokens INCLUDES cached_tokens
            cached = (u.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
            e["cache_read_tokens"] = cached
            e["uncached_input_tokens"] = u["prompt_tokens"] - cached
            e["output_tokens"] = u.get("completion_tokens") or 0
            e["reasoning_tokens"] = (u.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
        else:  # responses API: input_tokens INCLUDES cached_tokens
            cached = (u.get("input_tokens_details") or {}).get("cached_tokens") or 0
            e["cache_read_tokens"] = cached
            e["uncached_input_tokens"] = u.get("input_tokens", 0) - cached
            e["output_tokens"] = u.get("output_tokens") or 0
            e["reasoning_tokens"] = (u.get("output_tokens_details") or {}).get("reasoning_tokens") or 0
    elif provider == "anthropic":  # input_tokens EXCLUDES cache reads and writes
        e["uncached_input_tokens"] = u.get("input_tokens") or 0
        e["cache_read_tokens"] = u.get("cache_read_input_tokens") or 0
        cc = u.get("cache_creation")
        if isinstance(cc, dict):
            e["cache_write_tokens"] = cc.get("ephemeral_5m_input_tokens") or 0
            e["cache_write_1h_tokens"] = cc.get("ephemeral_1h_input_tokens") or 0
        else:
            e["cache_write_tokens"] = u.get("cache_creation_input_tokens") or 0
        e["output_tokens"] = u.get("output_tokens") or 0  # inclusive of thinking
        e["reasoning_tokens"] = (u.get("output_tokens_details") or {}).get("thinking_tokens") or 0
    elif provider == "aws.bedrock":  # inputTokens EXCLUDES cache reads and writes
        e["uncached_input_tokens"] = u.get("inputTokens") or 0
        e["cache_read_tokens"] = u.get("cacheReadInputTokens") or 0
        e["cache_write_tokens"] = u.get("cacheWriteInputTokens") or 0
        e["output_tokens"] = u.get("outputTokens") or 0
    elif provider == "gcp.gemini":  # promptTokenCount INCLUDES cachedContentTokenCount; thoughts are outside candidates
        cached = u.get("cachedContentTokenCount") or 0
        thoughts = u.get("thoughtsTokenCount") or 0
        e["cache_read_tokens"] = cached
        e["uncached_input_tokens"] = (u.get("promptTokenCount") or 0) - cached
        e["output_tokens"] = (u.get("candidatesTokenCount") or 0) + thoughts
        e["reasoning_tokens"] = thoughts
    else:
        raise ValueError(provider)
    return e


def _requirement_names(req_file: Path) -> list:
    names = []
    for line in req_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        names.append(re.split(r"[<>=!~\[; ]", line, 1)[0])
    return names


class Harness:
    def __init__(self, family: str, out_name: str | None = None, base_url: str | None = None,
                 service_name: str | None = None, set_global: bool = True):
        self.family = family
        self.out_name = out_name or family
        self.base_url = base_url or os.environ.get("FAKE_BASE_URL")
        self._server = None
        if not self.base_url:
            from fake_provider import start_fake
            self._server, self.base_url = start_fake()
        FIXTURES.mkdir(parents=True, exist_ok=True)
        self.jsonl = FIXTURES / f"{self.out_name}.jsonl"
        self.truth_path = FIXTURES / f"{self.out_name}.truth.json"
        self.exporter = OTLPJsonLinesExporter(str(self.jsonl), mode="w")
        self.provider = TracerProvider(resource=Resource.create({
            "service.name": service_name or f"fixture-{self.out_name}",
            "deployment.environment": "fixture",
        }))
        self.provider.add_span_processor(BatchSpanProcessor(self.exporter, schedule_delay_millis=60000))
        if set_global:
            trace.set_tracer_provider(self.provider)
        self.tracer = self.provider.get_tracer("tests.emitters.fixture", "1.0")
        self.calls: list = []
        self.n = 0
        self._post("/_reset", {})

    # -- fake control (never traced: HTTP auto-instrumentation, e.g. OpenLIT's, would record it) --
    def _post(self, path, obj):
        req = urllib.request.Request(self.base_url + path, data=json.dumps(obj).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with _untraced(), urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def _log(self):
        with _untraced(), urllib.request.urlopen(self.base_url + "/_log", timeout=10) as r:
            return json.loads(r.read())

    # -- one scripted call ---------------------------------------------------
    @contextlib.contextmanager
    def call(self, provider: str, model: str, request_model: str, usage: dict, *,
             operation: str = "chat", response_model: str | None = None, settle: float = 0.0,
             settle_inside: float = 0.0,
             note: str | None = None, extra: dict | None = None):
        self.n += 1
        item = {"usage": usage, "response_model": response_model} if response_model else usage
        before = len(self._log())
        self._post("/_script", [item])
        with self.tracer.start_as_current_span(
            f"fixture-call-{self.n}",
            attributes={"app.feature": self.family, "app.tenant_id": "fixture"},
        ) as root:
            trace_id = format(root.get_span_context().trace_id, "032x")
            yield root
            if settle_inside:  # keep the root span open for late (async) instrumentation writes
                time.sleep(settle_inside)
        if settle:
            time.sleep(settle)
        self.provider.force_flush()
        log = self._log()
        served = log[before:]
        if len(served) != 1:
            raise RuntimeError(f"call {self.n}: expected exactly 1 provider request, fake served {len(served)}")
        s = served[0]
        entry = {
            "trace_id": trace_id,
            "provider": provider,
            "model": model,
            "request_model": request_model,
            "response_model": s["response_model"],
            "response_id": s["id"],
            "endpoint": s["endpoint"],
            "operation": operation,
            "stream": s["stream"],
            "provider_usage": s["usage"],
            "expected": expected_buckets(provider, operation, s["usage"]),
        }
        if note:
            entry["note"] = note
        if extra:
            entry.update(extra)
        self.calls.append(entry)

    def finish(self, packages_from: Path | None = None, extra: dict | None = None):
        self.provider.force_flush()
        req = packages_from or (HERE / self.family / "requirements.txt")
        pkgs = {}
        for name in _requirement_names(req):
            try:
                pkgs[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                pkgs[name] = None
        truth = {"family": self.out_name, "packages": pkgs, "calls": self.calls}
        if extra:
            truth.update(extra)
        self.truth_path.write_text(json.dumps(truth, indent=2) + "\n")
        self.provider.shutdown()
        if self._server is not None:
            self._server.shutdown()
        print(f"{self.out_name}: {len(self.calls)} calls -> {self.jsonl.relative_to(REPO)}")
