"""The demo generator: determinism, manifest counts, coverage of every convention and rule.

The truth files are written from the generator's intent. These tests re-read the span files
with an independent mini reader of docs/conventions.md and check that what was written says
what the truth claims, so the dbt tests can trust the truth.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from llm_cost.generate import generate, iso_us

ROOT = Path(__file__).resolve().parents[2]
SPANS = 2000
SEED = 42

# --- key lists of docs/conventions.md
INPUT = ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt",
         "ai.usage.inputTokens", "ai.usage.promptTokens", "llm.usage.prompt_tokens"]
OUTPUT = ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion",
          "ai.usage.outputTokens", "ai.usage.completionTokens", "llm.usage.completion_tokens"]
CACHE_READ = ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
              "llm.token_count.prompt_details.cache_read", "ai.usage.cachedInputTokens"]
CACHE_WRITE = ["gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens",
               "gen_ai.usage.cache_write.input_tokens", "gen_ai.usage.cache_write_input_tokens",
               "llm.token_count.prompt_details.cache_write"]
CACHE_1H = ["gen_ai.usage.cache_creation.ephemeral_1h_input_tokens",
            "gen_ai.usage.cache_write_1h.input_tokens"]
REASONING = ["gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens",
             "llm.token_count.completion_details.reasoning", "ai.usage.reasoningTokens"]
PROVIDER = ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"]
REQUEST_MODEL = ["gen_ai.request.model", "llm.model_name", "embedding.model_name", "ai.model.id",
                 "llm.request.model"]
RESPONSE_MODEL = ["gen_ai.response.model", "ai.response.model", "llm.response.model"]
RESPONSE_ID = ["gen_ai.response.id", "llm.response.id", "ai.response.id"]
TIER = ["gen_ai.openai.response.service_tier", "gen_ai.openai.request.service_tier",
        "openai.response.service_tier", "gen_ai.request.service_tier"]
REPORTED = ["gen_ai.usage.cost", "app.llm.cost_usd", "llm.cost.total", "operation.cost"]
FEATURE = ["app.feature", "cost.feature"]
TENANT = ["app.tenant_id", "tenant.id", "cost.org_id"]
USER = ["app.user_id", "user.id", "enduser.id", "cost.user_id"]
CONVERSATION = ["gen_ai.conversation.id", "session.id"]
PROVIDER_NORMAL = {"gemini": "gcp.gemini", "google": "gcp.gemini", "vertex_ai": "gcp.gemini",
                   "bedrock": "aws.bedrock", "mistralai": "mistral_ai"}
CALL_OPS = {"chat", "text_completion", "generate_content", "embeddings", "completion", "embedding"}


# ----------------------------------------------------------------------------- a mini reader


@dataclass
class SpanRec:
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    start: int
    end: int
    attrs: dict[str, Any]
    resource: dict[str, Any]
    scope: str
    status: int
    file_index: int
    order: int  # global position of the first delivery


@dataclass
class Files:
    lines: int = 0
    bad_lines: int = 0
    records: int = 0
    bad_spans: int = 0
    redelivered: int = 0
    gz_files: int = 0
    files: int = 0
    spans: dict[tuple[str, str], SpanRec] = field(default_factory=dict)
    redelivery_file_gaps: list[int] = field(default_factory=list)
    text: str = ""


def _value(v: dict[str, Any]) -> Any:
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        assert isinstance(v["intValue"], str), "intValue must be a decimal string"
        return int(v["intValue"])
    if "doubleValue" in v:
        return float(v["doubleValue"])
    if "boolValue" in v:
        return bool(v["boolValue"])
    raise AssertionError(f"unexpected value {v}")


def _attrs(kvs: list[dict[str, Any]]) -> dict[str, Any]:
    return {kv["key"]: _value(kv["value"]) for kv in kvs}


HEX32, HEX16, DIGITS = re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{16}"), re.compile(r"[0-9]+")


def read_files(out: Path) -> Files:
    f = Files()
    order = 0
    texts = []
    for i, path in enumerate(sorted((out / "spans").iterdir())):
        assert re.fullmatch(r"part-\d{5}\.jsonl(\.gz)?", path.name)
        f.files += 1
        gz = path.name.endswith(".gz")
        f.gz_files += gz
        raw = path.read_bytes()
        text = gzip.decompress(raw).decode() if gz else raw.decode()
        texts.append(text)
        for line in text.splitlines():
            f.lines += 1
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                f.bad_lines += 1
                continue
            for rs in data["resourceSpans"]:
                resource = _attrs(rs["resource"]["attributes"])
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        f.records += 1
                        tid, sid = s.get("traceId", ""), s.get("spanId", "")
                        start = s.get("startTimeUnixNano")
                        if not (HEX32.fullmatch(tid) and HEX16.fullmatch(sid)
                                and isinstance(start, str) and DIGITS.fullmatch(start)):
                            f.bad_spans += 1
                            continue
                        assert DIGITS.fullmatch(s["endTimeUnixNano"]) and s["kind"] in (1, 3)
                        key = (tid, sid)
                        if key in f.spans:
                            f.redelivered += 1
                            f.redelivery_file_gaps.append(i - f.spans[key].file_index)
                            continue
                        f.spans[key] = SpanRec(
                            tid, sid, s.get("parentSpanId", ""), s["name"], int(start) // 1000,
                            int(s["endTimeUnixNano"]) // 1000, _attrs(s["attributes"]), resource,
                            ss["scope"]["name"], s["status"].get("code", 0), i, order)
                        order += 1
    f.text = "".join(texts)
    return f


def first(attrs: dict[str, Any], keys: list[str]) -> Any:
    for k in keys:
        if k in attrs:
            return attrs[k]
    return None


def operation(s: SpanRec) -> str | None:
    a = s.attrs
    if "gen_ai.operation.name" in a:
        return a["gen_ai.operation.name"]
    kind = a.get("openinference.span.kind")
    if kind:
        return {"LLM": "chat", "EMBEDDING": "embeddings", "AGENT": "invoke_agent",
                "TOOL": "execute_tool"}.get(kind, kind.lower())
    op = a.get("ai.operationId")
    if op:
        return {"ai.generateText.doGenerate": "chat", "ai.toolCall": "execute_tool"}.get(op, "ai_sdk_wrapper")
    if "llm.request.type" in a:
        return {"embedding": "embeddings"}.get(a["llm.request.type"], a["llm.request.type"])
    kind = a.get("traceloop.span.kind")
    if kind:
        return {"agent": "invoke_agent", "tool": "execute_tool"}.get(kind, kind)
    return None


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    generate(d, spans=SPANS, seed=SEED)
    assert time.perf_counter() - started < 5, "2000 spans should take well under a second"
    return d


@pytest.fixture(scope="module")
def files(out: Path) -> Files:
    return read_files(out)


@pytest.fixture(scope="module")
def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "truth" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def calls(out: Path) -> list[dict[str, str]]:
    with open(out / "truth" / "calls.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tools(out: Path) -> list[dict[str, str]]:
    with open(out / "truth" / "tools.csv", newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------- tests


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_seed_and_size_give_identical_bytes(out: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", spans=SPANS, seed=SEED)
    assert _tree(out) == _tree(tmp_path / "again")
    assert again == json.loads((out / "truth" / "manifest.json").read_text())
    generate(tmp_path / "other", spans=SPANS, seed=SEED + 1)
    assert _tree(tmp_path / "other")["truth/calls.csv"] != _tree(out)["truth/calls.csv"]


def test_last_days_puts_every_run_in_the_window_end(out: Path, tmp_path: Path) -> None:
    """A scheduled run's kind of batch (bench/run_bench.py): every call starts on the window's last day, and the set
    is otherwise the usual one (as many spans)."""
    recent = generate(tmp_path / "recent", spans=SPANS, seed=SEED, last_days=1)
    whole = json.loads((out / "truth" / "manifest.json").read_text())
    assert recent["last_days"] == 1 and "last_days" not in whole
    last_day = (date.fromisoformat(whole["window_end"][:10]) - timedelta(days=1)).isoformat()
    with open(tmp_path / "recent" / "truth" / "calls.csv", newline="") as fh:
        days = Counter(row["started_at"][:10] for row in csv.DictReader(fh))
    assert set(days) == {last_day}, days
    assert abs(recent["span_records"] - whole["span_records"]) < SPANS // 20
    with pytest.raises(ValueError, match="last_days"):
        generate(tmp_path / "bad", spans=SPANS, seed=SEED, last_days=0)


def test_manifest_counts_match_the_files(files: Files, manifest: dict[str, Any],
                                         calls: list[dict[str, str]], tools: list[dict[str, str]]) -> None:
    present = {k[1] for k in files.spans}
    orphans = sum(1 for s in files.spans.values() if s.parent_id and s.parent_id not in present)
    assert manifest["lines_written"] == files.lines
    assert manifest["bad_lines"] == files.bad_lines >= 2
    assert manifest["span_records"] == files.records
    assert abs(files.records - SPANS) < SPANS * 0.05
    assert manifest["bad_spans"] == files.bad_spans >= 2
    assert manifest["distinct_spans"] == len(files.spans)
    assert manifest["redelivered_spans"] == files.redelivered > 0
    assert files.records == len(files.spans) + files.redelivered + files.bad_spans
    assert manifest["orphan_spans"] == orphans > 0
    assert manifest["calls"] == len(calls)
    assert manifest["tools"] == len(tools)
    assert manifest["runs"] == len({c["run_id"] for c in calls})
    assert manifest["duplicate_layer_calls"] == sum(1 for c in calls if c["duplicate_span_id"]) > 0
    assert manifest["files"] == files.files >= 3 and files.gz_files >= 1
    assert (manifest["seed"], manifest["spans_requested"]) == (SEED, SPANS)
    assert manifest["window_start"] == "2025-05-27T00:00:00Z"
    assert manifest["window_end"] == "2025-06-26T00:00:00Z"


def test_delivery_pathologies(files: Files) -> None:
    # re-deliveries always land in a later file
    assert files.redelivery_file_gaps and min(files.redelivery_file_gaps) >= 1
    spans = files.spans
    early_children = later_file_parents = 0
    for s in spans.values():
        p = spans.get((s.trace_id, s.parent_id))
        if p is not None and p.order > s.order:
            early_children += 1
            later_file_parents += p.file_index > s.file_index
    assert early_children > 50 and later_file_parents > 10
    # start times are unique within a trace, and on microsecond boundaries
    per_trace = defaultdict(list)
    for s in spans.values():
        per_trace[s.trace_id].append(s.start)
    assert all(len(v) == len(set(v)) for v in per_trace.values())
    assert any(s.status == 2 for s in spans.values() if operation(s) == "execute_tool")


def test_no_content_reaches_the_truth(out: Path, files: Files) -> None:
    assert "PROMPT-SECRET-" in files.text and "RESPONSE-SECRET-" in files.text
    for name in ("calls.csv", "tools.csv", "manifest.json"):
        assert "SECRET" not in (out / "truth" / name).read_text()


def test_every_convention_and_case_is_present(files: Files, calls: list[dict[str, str]]) -> None:
    scopes = Counter(s.scope for s in files.spans.values())
    for scope in ("pydantic-ai", "openinference.instrumentation.langchain", "com.anthropic.sdk.python",
                  "traceloop.tracer", "opentelemetry.instrumentation.openai",
                  "opentelemetry.instrumentation.anthropic",
                  "opentelemetry.instrumentation.google_generativeai",
                  "ai", "acme.llm"):
        assert scopes[scope] > 0, scope
    services = Counter(c["service_name"] for c in calls)
    for service in ("support-agent", "research-agent", "doc-pipeline", "web-chat", "billing-batch",
                    "ticket-triage"):
        assert services[service] > 0, service
    by = lambda **kw: [c for c in calls if all(c[k] == v for k, v in kw.items())]  # noqa: E731
    gemini = by(model="gemini-2.5-pro")
    assert sorted(int(c["uncached_input_tokens"]) for c in gemini) == [200_000, 250_000]
    assert by(provider="mistral_ai", model="mistral-unlisted-2411")
    o3 = [c["started_at"] for c in by(model="o3")]
    assert min(o3) < "2025-06-10" <= max(o3)
    assert by(model="o3", service_tier="flex") and by(service_tier="batch")
    assert [c for c in calls if int(c["cache_write_1h_tokens"]) > 0]
    assert [c for c in calls if int(c["reasoning_tokens"]) > 0]
    semantics = Counter(c["input_semantics"] for c in calls)
    assert semantics["inclusive"] and semantics["exclusive_configured"] and semantics["exclusive_inferred"]
    assert by(provider="aws.bedrock", model="claude-3-5-sonnet-20241022")
    assert [c for c in calls if c["reported_cost_usd"]]
    assert by(is_orphan="true") and by(feature="(unattributed)") and by(tenant_id="(unattributed)")
    assert [c for c in calls if c["tool_span_id"]], "nested tool cost"
    assert [c for c in calls if "|" in c["triggers"]], "a call triggering two tools"
    assert {c["agent_version"] for c in by(agent_name="support_bot")} >= {"v1", "v2"}
    assert {c["feature"] for c in calls} >= {"support-chat", "research-assistant", "doc-summarizer",
                                             "code-review", "web-chat", "billing-batch"}
    assert len({c["tenant_id"] for c in calls}) >= 6
    # the no-provider call
    no_provider = [s for s in files.spans.values() if operation(s) == "chat"
                   and first(s.attrs, PROVIDER) is None and "ai.model.provider" not in s.attrs]
    assert no_provider and all(s.attrs["gen_ai.request.model"] == "gpt-4.1-mini" for s in no_provider)
    # Vercel AI SDK 4 and 5 names
    assert any("ai.usage.promptTokens" in s.attrs for s in files.spans.values())
    assert any("ai.usage.inputTokens" in s.attrs for s in files.spans.values())


def _ancestors(spans: dict[tuple[str, str], SpanRec], s: SpanRec) -> list[SpanRec]:
    chain = [s]
    while chain[-1].parent_id and (s.trace_id, chain[-1].parent_id) in spans:
        chain.append(spans[(s.trace_id, chain[-1].parent_id)])
    return chain


def _inherited(chain: list[SpanRec], keys: list[str], default: str) -> str:
    for s in chain:
        v = first(s.attrs, keys)
        if v is not None:
            return str(v)
    v = first(chain[0].resource, keys)
    return default if v is None else str(v)


def _model_key(s: SpanRec) -> str:
    m = str(first(s.attrs, RESPONSE_MODEL) or first(s.attrs, REQUEST_MODEL)).lower()
    return m.split("/", 1)[-1]


def test_truth_agrees_with_what_the_spans_say(files: Files, calls: list[dict[str, str]],
                                             tools: list[dict[str, str]]) -> None:
    spans = files.spans
    call_spans = {k: s for k, s in spans.items() if operation(s) in CALL_OPS}
    kept = {(c["run_id"], c["span_id"]) for c in calls}
    inner = {(c["run_id"], c["duplicate_span_id"]) for c in calls if c["duplicate_span_id"]}
    assert set(call_spans) == kept | inner and not kept & inner

    dup_kinds: Counter[str] = Counter()
    for c in calls:
        s = spans[(c["run_id"], c["span_id"])]
        a, chain = s.attrs, _ancestors(spans, s)
        assert c["started_at"] == iso_us(s.start)
        # tokens, read with the convention key lists
        raw_in, out_, read = first(a, INPUT) or 0, first(a, OUTPUT) or 0, first(a, CACHE_READ) or 0
        write, one_h = first(a, CACHE_WRITE) or 0, first(a, CACHE_1H) or 0
        reasoning = first(a, REASONING) or 0
        inferred = read + write > raw_in
        if c["input_semantics"] == "exclusive_configured":
            assert c["service_name"] == "billing-batch"
            uncached = raw_in
        elif c["input_semantics"] == "exclusive_inferred":
            assert inferred
            uncached = raw_in
        else:
            assert c["input_semantics"] == "inclusive" and not inferred
            uncached = raw_in - read - write
        got = [int(c[k]) for k in ("uncached_input_tokens", "cache_read_tokens", "cache_write_tokens",
                                   "cache_write_1h_tokens", "output_tokens", "reasoning_tokens")]
        assert got == [uncached, read, write - one_h, one_h, out_, reasoning], c
        # provider, tier, reported cost
        vercel = a.get("ai.model.provider")  # its id is also copied into gen_ai.system: skipped
        named = {k: v for k, v in a.items() if k in PROVIDER and v != vercel}
        raw_provider = first(named, PROVIDER) or (vercel.split(".")[0] if vercel else None)
        if raw_provider is None:
            assert c["model"] == "gpt-4.1-mini" and c["provider"] == "openai"
        else:
            p = raw_provider.lower()
            assert PROVIDER_NORMAL.get(p, p) == c["provider"]
        tier = first(a, TIER)
        assert c["service_tier"] == ("standard" if tier in (None, "default", "auto") else tier)
        rep = first(a, REPORTED)
        if rep is None:
            assert c["reported_cost_usd"] == ""
        else:
            assert abs(float(c["reported_cost_usd"]) - rep) < 1e-8
        # attribution
        assert c["feature"] == _inherited(chain, FEATURE, "(unattributed)")
        assert c["tenant_id"] == _inherited(chain, TENANT, "(unattributed)")
        assert c["user_id"] == _inherited(chain, USER, "")
        assert c["conversation_id"] == _inherited(chain, CONVERSATION, "")
        agent = next((x for x in chain if operation(x) == "invoke_agent"), None)
        assert c["agent_span_id"] == (agent.span_id if agent else "")
        if agent:
            name = first(agent.attrs, ["gen_ai.agent.name", "agent.name", "traceloop.entity.name"])
            assert c["agent_name"] == (name or agent.name)
        tool = next((x for x in chain[1:] if operation(x) == "execute_tool"), None)
        assert c["tool_span_id"] == (tool.span_id if tool else "")
        explicit = next((x.attrs["gen_ai.agent.step"] for x in chain if "gen_ai.agent.step" in x.attrs), None)
        if explicit is not None:
            assert int(c["step"]) == explicit
        assert (c["is_orphan"] == "true") == bool(chain[-1].parent_id)
        # the second layer of a duplicate pair
        if c["duplicate_span_id"]:
            d = spans[(c["run_id"], c["duplicate_span_id"])]
            assert s.start < d.start and d.end < s.end
            assert _model_key(s) == _model_key(d)
            assert first(s.attrs, INPUT) == first(d.attrs, INPUT)
            assert first(s.attrs, OUTPUT) == first(d.attrs, OUTPUT)
            shared = first(s.attrs, RESPONSE_ID)
            assert shared is None or shared == first(d.attrs, RESPONSE_ID)
            dup_kinds["child" if d.parent_id == s.span_id else "sibling"] += 1
            dup_kinds["same id" if shared else "no id"] += 1
            assert d.parent_id in (s.span_id, s.parent_id)
    assert all(dup_kinds[k] > 0 for k in ("child", "sibling", "same id", "no id")), dup_kinds

    # response ids are unique except within a duplicate pair
    ids = Counter(first(s.attrs, RESPONSE_ID) for s in call_spans.values() if first(s.attrs, RESPONSE_ID))
    assert max(ids.values()) <= 2 and sum(1 for n in ids.values() if n == 2) <= len(inner)

    # steps by position, where no explicit step applies
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for c in calls:
        groups[(c["run_id"], c["agent_span_id"])].append(c)
    for group in groups.values():
        group.sort(key=lambda c: c["started_at"])
        for i, c in enumerate(group):
            chain = _ancestors(spans, spans[(c["run_id"], c["span_id"])])
            if not any("gen_ai.agent.step" in x.attrs for x in chain):
                assert int(c["step"]) == i

    # tool spans and triggers
    tool_spans = {k: s for k, s in spans.items() if operation(s) == "execute_tool"}
    assert {(t["run_id"], t["tool_span_id"]) for t in tools} == set(tool_spans)
    by_span = {(c["run_id"], c["span_id"]): c for c in calls}
    expected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (trace, sid), t in tool_spans.items():
        cands = [s for (tr, k), s in spans.items() if tr == trace and (tr, k) in by_span
                 and s.parent_id == t.parent_id and s.end <= t.start]
        if cands:
            expected[(trace, max(cands, key=lambda s: s.end).span_id)].add(sid)
        row = next(r for r in tools if r["tool_span_id"] == sid)
        assert row["status"] == ("error" if t.status == 2 else "ok")
    for key, c in by_span.items():
        assert set(filter(None, c["triggers"].split("|"))) == expected.get(key, set()), c


def test_truth_models_are_in_the_price_seed(calls: list[dict[str, str]], files: Files) -> None:
    prices, aliases = ROOT / "seeds" / "model_prices.csv", ROOT / "seeds" / "model_aliases.csv"
    if not prices.exists() or not aliases.exists():
        pytest.skip("price seeds not present")
    with open(prices, newline="") as fh:
        priced = {(r["provider"], r["model"]) for r in csv.DictReader(fh)}
    with open(aliases, newline="") as fh:
        alias_rows = [(re.compile(r["pattern"]), r["provider"], r["model"]) for r in csv.DictReader(fh)]
    for c in calls:
        key = (c["provider"], c["model"])
        assert (key in priced) == (c["provider"] != "mistral_ai"), key
        s = files.spans[(c["run_id"], c["span_id"])]
        names = [str(n).lower() for n in (first(s.attrs, RESPONSE_MODEL), first(s.attrs, REQUEST_MODEL)) if n]
        resolved = set()
        for n in names:
            if (c["provider"], n) in priced or c["provider"] == "mistral_ai":
                resolved.add(n if c["provider"] != "mistral_ai" else c["model"])
            resolved |= {m for pat, p, m in alias_rows if pat.fullmatch(n)}
        assert c["model"] in resolved, (c["model"], names)


def test_cli(tmp_path: Path) -> None:
    run = lambda *a: subprocess.run([sys.executable, "-m", "llm_cost", *a], capture_output=True,  # noqa: E731
                                    text=True, cwd=ROOT)
    bad = run("generate", "--spans", "lots", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "--spans" in bad.stderr and "Traceback" not in bad.stderr
    assert run("generate", "--spans", "10", "--out", str(tmp_path / "x")).returncode == 2
    assert run().returncode == 2
    ok = run("generate", "--spans", "1000", "--seed", "3", "--out", str(tmp_path / "y"))
    assert ok.returncode == 0, ok.stderr
    assert "generated" in ok.stdout and (tmp_path / "y" / "truth" / "manifest.json").exists()
    no_days = run("generate", "--spans", "1000", "--last-days", "31", "--out", str(tmp_path / "z"))
    assert no_days.returncode == 2 and "--last-days" in no_days.stderr and "Traceback" not in no_days.stderr
