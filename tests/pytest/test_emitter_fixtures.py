"""Real emitters, recorded (tests/fixtures/emitters/<family>.jsonl with <family>.truth.json), priced end to end.

The truth of each recorded call is the usage the fake provider returned, split into the project's buckets
(`expected`). A call whose spans report every billed bucket must come out with exactly those buckets and their
price; a call whose spans do not must say so (`unreported_usage`) and cost an upper bound of the true price
within its `max_overstatement_usd` (or, for a `lower_bound`, never more than it). Set LLM_COST_EMITTER_FIXTURES to
read the recordings from another directory; skipped when there are none.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dbt_runner import PROJECT_DIR, DbtProject, build_demo
from reference_pricing import Call, PriceBook

FIXTURES = Path(os.environ.get("LLM_COST_EMITTER_FIXTURES", PROJECT_DIR / "tests" / "fixtures" / "emitters"))
BUCKETS = ["uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
           "output_tokens", "reasoning_tokens"]
# What an emitter itself gets wrong (the pipeline can only read what the span says): (family, streamed) -> bucket, why.
EMITTER_ERRORS = {
    ("openllmetry_anthropic", True): (
        "output_tokens", "0.62.4 adds message_start's output count to the streamed total"),
}
# Emitters that write no reasoning count: complete all the same, as no price row bills reasoning apart from output.
NO_REASONING_COUNT = {"openlit"}


def _families() -> list[tuple[str, dict]]:
    out = []
    for truth in sorted(FIXTURES.glob("*.truth.json")):
        family = truth.name[: -len(".truth.json")]
        if (FIXTURES / f"{family}.jsonl").exists():
            out.append((family, json.loads(truth.read_text())))
    return out


FAMILIES = _families()
pytestmark = pytest.mark.skipif(not FAMILIES, reason=f"no recorded emitter fixtures in {FIXTURES}")


@pytest.fixture(scope="module")
def fixtures_built(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    spans = tmp_path_factory.mktemp("emitter_spans")
    for family, _ in FAMILIES:
        shutil.copy(FIXTURES / f"{family}.jsonl", spans / f"{family}.jsonl")
    return build_demo(str(spans / "*.jsonl"), tmp_path_factory.mktemp("emitters_build"), "emitters")


@pytest.mark.parametrize("family", [f for f, _ in FAMILIES])
def test_recorded_calls_are_priced_exactly_or_bounded(fixtures_built: DbtProject, family: str) -> None:
    truth = dict(FAMILIES)[family]
    book = PriceBook(PROJECT_DIR / "seeds" / "model_prices.csv")
    columns = ["trace_id", "emitter_name", "provider", "priced_model", "service_tier", "started_at", *BUCKETS,
               "is_priced", "cost_usd", "unreported_usage", "cost_bound", "max_overstatement_usd"]
    rows: dict[str, list[dict]] = {}
    for r in fixtures_built.query(f"select {', '.join(columns)} from fct_span_costs"):
        rows.setdefault(r[0], []).append(dict(zip(columns, r, strict=True)))
    for call in truth["calls"]:
        found = rows.get(call["trace_id"], [])
        where = f"{family} {call['model']} ({call['trace_id']})"
        assert len(found) == 1, f"{where}: {len(found)} calls priced, expected 1"
        got = found[0]
        assert got["is_priced"], f"{where}: unpriced"
        expected = {b: int(call["expected"][b]) for b in BUCKETS}
        known = EMITTER_ERRORS.get((family, bool(call.get("stream"))))
        if known:
            expected[known[0]] = got[known[0]]
        if family in NO_REASONING_COUNT:
            expected["reasoning_tokens"] = 0
        reference = book.cost(Call(
            provider=got["provider"], model=got["priced_model"], service_tier=got["service_tier"],
            started_at=datetime.fromisoformat(str(got["started_at"])).replace(tzinfo=UTC),
            uncached=expected["uncached_input_tokens"], cache_read=expected["cache_read_tokens"],
            cache_write=expected["cache_write_tokens"], cache_write_1h=expected["cache_write_1h_tokens"],
            output=expected["output_tokens"], reasoning=expected["reasoning_tokens"],
        ))
        assert reference is not None, where
        if got["unreported_usage"] is None:
            assert {b: got[b] for b in BUCKETS} == expected, f"{where} ({got['emitter_name']}): buckets"
            assert got["cost_bound"] == "exact" and got["cost_usd"] == reference, \
                f"{where}: cost {got['cost_usd']} != {reference}"
        elif got["cost_bound"] == "upper_bound":
            assert reference <= got["cost_usd"] <= reference + got["max_overstatement_usd"], (
                f"{where} ({got['unreported_usage']}): {got['cost_usd']} not in "
                f"[{reference}, +{got['max_overstatement_usd']}]")
        else:
            assert got["cost_bound"] == "lower_bound" and got["cost_usd"] <= reference, \
                f"{where} ({got['unreported_usage']}): floor {got['cost_usd']} above {reference}"
