"""Repricing keeps incremental builds equal to a full refresh (docs/contract.md section 6): a change to the price,
contracts or price modifier seeds between builds reprices exactly the runs it covers, a change to the model swaps
prices every run's candidate cost again, and the marts end equal to a full refresh of the same files. Split from
test_incremental.py so the two files run on different test workers.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from dbt_runner import InProcessDbt, assert_same_marts, copy_project, full_suite_only
from llm_cost.generate import generate
from llm_cost.summary import build_summary


def _set_price(seed_csv: Path, model: str, effective_from: str, input_price: str | None = None,
               new_row: dict | None = None) -> None:
    with open(seed_csv, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    assert fields
    if input_price is not None:
        hits = [r for r in rows
                if r["model"] == model and r["effective_from"] == effective_from and r["service_tier"] == "standard"]
        assert len(hits) == 1, (model, effective_from)
        hits[0]["input_usd_per_mtok"] = input_price
    if new_row is not None:
        rows.append({k: new_row.get(k, "") for k in fields})
    with open(seed_csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _first_half_built(tmp_path: Path) -> tuple[InProcessDbt, Path, Callable[[], None]]:
    """The demo set (1,500 spans, seed 5) in a copy of the project, the first half of its span files delivered and
    built incrementally: the build, the project copy (whose seeds a test changes), and what delivers the other half."""
    demo = tmp_path / "demo"
    generate(demo, spans=1500, seed=5)
    files = sorted((demo / "spans").iterdir())
    project = copy_project(tmp_path / "project")
    inc_dir = tmp_path / "arrivals"
    inc_dir.mkdir()
    incremental = InProcessDbt(project, tmp_path / "incremental.duckdb", f"{inc_dir}/*.json*")
    incremental.invoke("seed")
    half = len(files) // 2

    def deliver(part: list[Path]) -> None:
        for path in part:
            shutil.copy(path, inc_dir / path.name)

    deliver(files[:half])
    incremental.invoke("run")
    return incremental, project, lambda: deliver(files[half:])


def test_price_change_midway_reprices_exactly_the_affected_calls(tmp_path: Path) -> None:
    incremental, project, deliver_second_half = _first_half_built(tmp_path)
    before = {r[0]: r for r in incremental.rows("fct_span_costs")}

    prices = project / "seeds" / "model_prices.csv"
    with open(prices) as f:
        prices_row = next(csv.DictReader(f))
    with open(prices, newline="") as f:
        mini = [r for r in csv.DictReader(f) if r["model"] == "gpt-4.1-mini" and r["service_tier"] == "standard"]
    # a corrected past price (o4-mini) and a new effective date inside the window (gpt-4.1-mini from 2025-06-15)
    with open(prices) as f:
        o4 = [r for r in csv.DictReader(f)
              if (r["provider"], r["model"], r["service_tier"]) == ("openai", "o4-mini", "standard")]
    assert len(o4) == 1 and mini and prices_row
    _set_price(prices, "o4-mini", o4[0]["effective_from"], input_price="1.23")
    _set_price(prices, "gpt-4.1-mini", "",
               new_row={**mini[-1], "effective_from": "2025-06-15", "input_usd_per_mtok": "9.99", "source": "test"})
    # a price for the model that had none: its unpriced calls must be repriced too
    _set_price(prices, "", "", new_row={
        **mini[-1], "provider": "mistral_ai", "model": "mistral-unlisted-2411", "effective_from": "2024-11-18",
        "service_tier": "standard", "min_input_tokens": "0", "input_usd_per_mtok": "2", "output_usd_per_mtok": "6",
        "cache_read_usd_per_mtok": "", "cache_write_usd_per_mtok": "", "cache_write_1h_usd_per_mtok": "",
        "source": "test"})
    incremental.invoke("seed")
    incremental.invoke("run")

    import duckdb

    con = duckdb.connect(str(incremental.duckdb_path))
    repriced_runs = {r for (r,) in con.execute("select run_id from int_runs__repriced").fetchall()}
    affected_runs = {r for (r,) in con.execute(
        "select distinct run_id from fct_span_costs where priced_model = 'o4-mini' "
        "or (priced_model = 'gpt-4.1-mini' and started_at >= timestamp '2025-06-15') "
        "or reported_model = 'mistral-unlisted-2411'"
    ).fetchall()}
    [(mistral_calls, mistral_unpriced)] = con.execute(
        "select count(*), count(*) filter (where not is_priced) from fct_span_costs "
        "where reported_model = 'mistral-unlisted-2411'"
    ).fetchall()
    con.close()
    assert repriced_runs == affected_runs and affected_runs, "exactly the runs whose price row changed are repriced"
    assert mistral_calls > 0 and mistral_unpriced == 0, "a price added for an unpriced model prices its past calls"
    after = {r[0]: r for r in incremental.rows("fct_span_costs")}
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed, "the price change must change some calls"

    deliver_second_half()
    incremental.invoke("run")

    full = incremental.in_folder(tmp_path / "full")
    full.invoke("seed")
    full.invoke("run", "--full-refresh")
    assert_same_marts(incremental, full)


def _write_seed_rows(seed_csv: Path, rows: list[dict[str, str]]) -> None:
    with open(seed_csv, newline="") as f:
        fields = csv.DictReader(f).fieldnames
    assert fields
    with open(seed_csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows([{k: row.get(k, "") for k in fields} for row in rows])


def test_contract_changes_reprice_exactly_the_covered_runs(tmp_path: Path) -> None:
    """Contracts (seeds/contracts.csv) added and changed between builds: each build recomputes exactly the runs whose
    calls a changed row covers (int_runs__repriced, the batch), effective_cost_usd follows the terms while cost_usd
    keeps the list price, and the marts end equal to a full refresh with the final seed."""
    import duckdb

    incremental, project, deliver_second_half = _first_half_built(tmp_path)
    seed = project / "seeds" / "contracts.csv"

    def reprice(rows: list[dict[str, str]]) -> tuple[set[str], set[str], dict[str, tuple]]:
        """Write the seed, build; the runs repriced, the runs in the batch, and each call's costs and contract."""
        _write_seed_rows(seed, rows)
        incremental.invoke("seed")
        incremental.invoke("run")
        con = duckdb.connect(str(incremental.duckdb_path))
        try:
            repriced = {r for (r,) in con.execute("select run_id from int_runs__repriced").fetchall()}
            batch = {r for (r,) in con.execute("select distinct trace_id from int_spans__in_batch").fetchall()}
            calls = {r[0]: r[1:] for r in con.execute(
                "select span_id, run_id, priced_model, started_at, cost_usd, effective_cost_usd, contract_source, "
                "price_fingerprint, contract_effective_from, coalesce(price_modifiers, unpriced_modifiers) "
                "from fct_span_costs").fetchall()}
        finally:
            con.close()
        # a call's fingerprint names the terms that apply to it, and only those (DuckDB's concat skips a null: an
        # empty '|modifiers|' part once went into every call's)
        for fingerprint_row in calls.values():
            fingerprint, contract, modifiers = fingerprint_row[6:9]
            if fingerprint != "unpriced":
                assert ("|contract|" in fingerprint) == (contract is not None), fingerprint
                assert ("|modifiers|" in fingerprint) == (modifiers is not None), fingerprint
        return repriced, batch, calls

    list_only = {span: row for span, row in reprice([])[2].items()}
    assert all(row[4] == row[3] for row in list_only.values() if row[3] is not None), "no contract: effective = list"

    # terms that cover no call: an account no span names, and a provider whose only model here is unpriced
    idle = [
        {"provider": "anthropic", "account_id": "acct-nobody", "effective_from": "2025-01-01", "discount_percent": "50",
         "source": "idle account"},
        {"provider": "mistral_ai", "effective_from": "2024-01-01", "discount_percent": "10", "source": "idle unpriced"},
    ]
    repriced, batch, calls = reprice(idle)
    assert repriced == set() and batch == set(), "a contract that covers no priced call reprices nothing"
    assert calls == list_only

    def covered(calls: dict[str, tuple], model: str, start: str | None = None, end: str | None = None) -> set[str]:
        return {row[0] for row in calls.values() if row[1] == model and row[3] is not None
                and (start is None or str(row[2]) >= start) and (end is None or str(row[2]) < end)}

    def midway(model: str) -> str:
        """A day boundary among the model's calls so far: some start before it, some after."""
        starts = sorted(str(row[2]) for row in list_only.values() if row[1] == model and row[3] is not None)
        assert len(starts) > 4, model
        return starts[len(starts) // 2][:10]

    mini_from, o4_to = midway("gpt-4.1-mini"), midway("o4-mini")
    mini = {"provider": "openai", "model_pattern": r"gpt-4\.1-mini", "effective_from": mini_from,
            "discount_percent": "20", "source": "mini deal"}
    repriced, batch, calls = reprice([*idle, mini])
    mini_runs = covered(calls, "gpt-4.1-mini", mini_from)
    assert mini_runs and repriced == mini_runs and batch == mini_runs, "exactly the runs of the covered calls"
    for span, (_, model, started, cost, effective, source, *_) in calls.items():
        if model == "gpt-4.1-mini" and str(started) >= mini_from and cost is not None:
            assert (effective, source) == (cost * Decimal("0.8"), "mini deal"), span
        else:
            assert (cost, effective, source) == (list_only[span][3], list_only[span][4], None), span

    # a changed discount and a dated output rate for another model, ending inside the window
    o4 = {"provider": "openai", "model_pattern": "o4-mini", "effective_from": "2025-01-01",
          "effective_to": o4_to, "output_usd_per_mtok": "1.0", "source": "o4 rate"}
    repriced, batch, calls = reprice([*idle, {**mini, "discount_percent": "30"}, o4])
    o4_runs = covered(calls, "o4-mini", None, o4_to)
    assert o4_runs and not o4_runs <= mini_runs
    assert repriced == mini_runs | o4_runs and batch == mini_runs | o4_runs
    assert any(row[5] == "o4 rate" and row[4] != row[3] for row in calls.values())
    assert all(row[3] == list_only[span][3] for span, row in calls.items()), "cost_usd stays the list price"

    deliver_second_half()
    incremental.invoke("run")

    full = incremental.in_folder(tmp_path / "full")
    full.invoke("seed")
    full.invoke("run", "--full-refresh")
    assert_same_marts(incremental, full)

    # the summary names the total under contracts beside the list total
    [(cost, effective)] = incremental.query("select sum(cost_usd), sum(effective_cost_usd) from fct_span_costs")
    assert effective != cost
    assert f"Under contracts: ${effective:,.2f}, " in build_summary(incremental.duckdb_path)


# the same repricing path as the price and contract changes above (a changed rule changes the price fingerprint of
# the calls it covers); its own check of the modifiers' runs is in the full suite (about a minute)
@full_suite_only("the price-modifier repricing property (the price and contract repricing properties run)")
def test_price_modifier_changes_reprice_exactly_the_covered_runs(tmp_path: Path) -> None:
    """Price modifier rules (seeds/price_modifiers.csv) changed between builds: each build recomputes exactly the runs
    whose calls a changed rule covers or stops covering (int_runs__repriced, the batch); a multiplier moves cost_usd
    and effective_cost_usd by exactly its factor, a rule that stops covering a signal leaves the price and flags the
    call; the marts end equal to a full refresh with the final seed."""
    import duckdb

    incremental, project, deliver_second_half = _first_half_built(tmp_path)
    seed = project / "seeds" / "price_modifiers.csv"
    with open(seed, newline="") as f:
        shipped = list(csv.DictReader(f))

    def reprice(rows: list[dict[str, str]]) -> tuple[set[str], set[str], dict[str, tuple]]:
        """Write the seed, build; the runs repriced, the runs in the batch, and each call's costs and modifiers."""
        _write_seed_rows(seed, rows)
        incremental.invoke("seed")
        incremental.invoke("run")
        con = duckdb.connect(str(incremental.duckdb_path))
        try:
            repriced = {r for (r,) in con.execute("select run_id from int_runs__repriced").fetchall()}
            batch = {r for (r,) in con.execute("select distinct trace_id from int_spans__in_batch").fetchall()}
            calls = {r[0]: r[1:] for r in con.execute(
                "select span_id, run_id, provider, started_at, cost_usd, effective_cost_usd, price_modifiers, "
                "unpriced_modifiers, rate_multiplier from fct_span_costs").fetchall()}
        finally:
            con.close()
        return repriced, batch, calls

    base = reprice(shipped)[2]
    bedrock = {span: row for span, row in base.items() if row[1] == "aws.bedrock" and row[3] is not None}
    residency = {span: row for span, row in base.items() if row[5] and row[5].startswith("data_residency_endpoint")}
    assert bedrock and residency, "the demo has Bedrock profile and data-residency calls"
    assert all(row[5] and row[5].startswith("bedrock_inference_profile=") for row in bedrock.values())
    assert all(row[6] is None for row in base.values()), "every demo signal is priced by a shipped rule"

    def midway(rows: dict[str, tuple]) -> str:
        """The start of the latest run's first call (to the microsecond): the runs before it are not covered."""
        first: dict[str, Any] = {}
        for row in rows.values():
            first[row[0]] = min(first.get(row[0], row[2]), row[2])
        assert len(first) > 1, "two runs at least"
        return max(first.values()).isoformat()

    def after(row: tuple, start: str) -> bool:
        return row[2].isoformat() >= start

    def runs(rows: dict[str, tuple], start: str | None = None) -> set[str]:
        return {row[0] for row in rows.values() if start is None or after(row, start)}

    # the earlier-Claude Bedrock rule gets a premium from a date among the calls: exactly those runs move, by x1.5
    earlier = next(i for i, r in enumerate(shipped) if r["provider"] == "aws.bedrock"
                   and r["model_pattern"].startswith("(anthropic[.])?claude-(instant"))
    premium_from = midway(bedrock)
    premium = [*shipped[:earlier], {**shipped[earlier], "effective_to": premium_from},
               {**shipped[earlier], "effective_from": premium_from, "rate_multiplier": "1.5", "source": "test premium"},
               *shipped[earlier + 1:]]
    repriced, batch, calls = reprice(premium)
    moved = runs(bedrock, premium_from)
    assert moved and moved != runs(bedrock)
    assert repriced == moved and batch == moved, "exactly the runs of the covered calls"
    for span, row in calls.items():
        if span in bedrock and after(row, premium_from):
            assert row[7] == Decimal("1.5") and row[3] == base[span][3] * Decimal("1.5"), span
            assert row[4] == base[span][4] * Decimal("1.5"), span
        else:
            assert row == base[span], span

    # the data-residency rule before 2026-03-05 stops at a date among the calls: the later calls keep their price and
    # are flagged; the earlier ones (and the Bedrock premium) stay
    first = next(i for i, r in enumerate(premium)
                 if r["modifier"] == "data_residency_endpoint" and r["effective_to"])
    cut = midway(residency)
    cut_rows = [*premium[:first], {**premium[first], "effective_to": cut}, *premium[first + 1:]]
    repriced, batch, calls = reprice(cut_rows)
    flagged = runs(residency, cut)
    assert flagged and repriced == flagged and batch == flagged
    for span, row in calls.items():
        if span in residency and after(row, cut):
            assert row[5] is None and row[6] == base[span][5], span
            assert row[3] == base[span][3], "priced as before, never at another rate silently"
    listed = incremental.query("select sum(unpriced_modifier_calls) from rpt_unpriced_models")[0][0]
    assert listed == sum(1 for row in residency.values() if after(row, cut))

    # back to the shipped rules: both changes are undone, exactly their runs recomputed
    repriced, batch, calls = reprice(shipped)
    assert repriced == moved | flagged and batch == moved | flagged
    assert calls == base

    deliver_second_half()
    incremental.invoke("run")
    full = incremental.in_folder(tmp_path / "full")
    full.invoke("seed")
    full.invoke("run", "--full-refresh")
    assert_same_marts(incremental, full)


def _audio_call_line(trace_id: str, model: str, start: str, usage: dict[str, int]) -> str:
    """One OTel GenAI chat span (semconv usage names, audio parts included) as an OTLP line."""
    from datetime import datetime

    def attr(key: str, value: str, kind: str = "stringValue") -> dict[str, Any]:
        return {"key": key, "value": {kind: value}}

    start_ns = int(datetime.fromisoformat(start + "+00:00").timestamp()) * 10**9
    provider = "gcp.gemini" if model.startswith("gemini") else "openai"
    span = {"traceId": trace_id, "spanId": trace_id[:16], "name": f"chat {model}", "kind": 3,
            "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(start_ns + 10**9), "status": {},
            "attributes": [attr("gen_ai.operation.name", "chat"), attr("gen_ai.provider.name", provider),
                           attr("gen_ai.request.model", model), attr("app.feature", "voice"),
                           *(attr(f"gen_ai.usage.{key}", str(value), "intValue") for key, value in usage.items())]}
    resource = {"attributes": [attr("service.name", "voice-svc")]}
    return json.dumps({"resourceSpans": [{"resource": resource,
                                          "scopeSpans": [{"scope": {"name": "voice"}, "spans": [span]}]}]})


def test_audio_rates_price_audio_calls_and_a_rate_change_reprices_only_them(tmp_path: Path) -> None:
    """Audio tokens at the shipped audio rates (seeds/price_modifiers.csv) through the whole DAG: exact where the span
    says all it takes, an upper bound with its overstatement where the cached share of the audio is not reported; the
    FOCUS rows and the other conservation tests agree; a changed audio rate reprices exactly the runs with audio calls
    of that model, and the marts equal a full refresh."""
    voice, gemini, text = "a" * 32, "b" * 32, "c" * 32
    arrivals = tmp_path / "arrivals"
    arrivals.mkdir()
    (arrivals / "voice.json").write_text("\n".join([
        _audio_call_line(voice, "gpt-4o-mini-audio-preview", "2025-03-01T10:00:00", {
            "input_tokens": 20000, "audio.input_tokens": 10000, "output_tokens": 4000, "audio.output_tokens": 2000}),
        _audio_call_line(gemini, "gemini-2.0-flash", "2025-06-01T10:00:00", {
            "input_tokens": 30000, "cache_read.input_tokens": 20000, "audio.input_tokens": 10000,
            "output_tokens": 1000}),
        _audio_call_line(text, "gpt-4o-2024-08-06", "2025-03-01T10:00:00",
                         {"input_tokens": 1000, "output_tokens": 100}),
    ]) + "\n")
    project = copy_project(tmp_path / "project")
    dbt = InProcessDbt(project, tmp_path / "audio.duckdb", f"{arrivals}/*.json*")
    dbt.invoke("seed")
    dbt.invoke("run")
    dbt.invoke("test", "--exclude", "test_type:unit")

    def calls() -> dict[str, tuple]:
        return {run: tuple(rest) for run, *rest in dbt.query(
            "select run_id, cost_usd, audio_input_billed_tokens, audio_cache_read_billed_tokens, "
            "audio_output_billed_tokens, cost_bound, max_overstatement_usd, unreported_usage, unpriced_modifiers "
            "from fct_span_costs")}

    base = calls()
    # text 10k x 0.15 + audio 10k x 10 + text output 2k x 0.60 + audio output 2k x 20, per 1M
    assert base[voice] == (Decimal("0.1427"), 10000, 0, 2000, "exact", 0, None, None)
    # 10k audio of 30k input, 20k read from cache: all audio uncached is dearest (0.7 - 0.1 over 0.175 - 0.025), all
    # cached cheapest: 10k x 0.45 per 1M apart
    assert base[gemini] == (Decimal("0.0079"), 10000, 0, 0, "upper_bound", Decimal("0.0045"), "audio_cache_read", None)
    from llm_cost.validate import COST_COMPONENTS

    residuals = dbt.query(f"select run_id, cost_usd - ({' + '.join(COST_COMPONENTS)}) from fct_span_costs")
    assert all(residual == 0 for _, residual in residuals), residuals
    focus = dbt.query("select x_TokenBucket, sum(ListCost) from fct_focus_costs where x_TokenBucket like 'audio%' "
                      "group by 1 order by 1")
    assert focus == [("audio_input", Decimal("0.107")), ("audio_output", Decimal("0.04"))]

    seed = project / "seeds" / "price_modifiers.csv"
    with open(seed, newline="") as f:
        shipped = list(csv.DictReader(f))
    target = ("gpt-4o-mini-audio-preview", "audio_input_tokens")
    changed = [{**row, "usd_per_mtok": "12"} if (row["model_pattern"], row["modifier"]) == target else row
               for row in shipped]
    assert changed != shipped
    _write_seed_rows(seed, changed)
    dbt.invoke("seed")
    dbt.invoke("run")
    assert {run for (run,) in dbt.query("select run_id from int_runs__repriced")} == {voice}
    after = calls()
    assert after[voice][0] == base[voice][0] + Decimal("0.02") and after[gemini] == base[gemini]
    assert after[text] == base[text]

    full = dbt.in_folder(tmp_path / "full")
    full.invoke("seed")
    full.invoke("run", "--full-refresh")
    assert_same_marts(dbt, full)


def test_a_swap_seed_change_prices_the_whole_history_again(tmp_path: Path) -> None:
    """The model-swap units (int_model_swap_run_costs) are kept as batches arrive; when the swaps seed changes between
    builds, every run is priced again: a removed swap leaves no row, a new one covers the runs already built, and the
    marts end equal to a full refresh with the final seed. An emptied table is priced whole again."""
    incremental, project, deliver_second_half = _first_half_built(tmp_path)

    def swap_runs() -> dict[str, set[str]]:
        runs: dict[str, set[str]] = {}
        for swap_id, run_id in incremental.query("select swap_id, run_id from int_model_swap_run_costs"):
            runs.setdefault(swap_id, set()).add(run_id)
        return runs

    before = swap_runs()
    assert before.get("research-step1-to-haiku") and before.get("support-4o-to-4.1-mini"), "the demo swaps have runs"
    # a table emptied between builds (on BigQuery a build can stop between the pre-hook's delete and the merge) is
    # priced whole again by the next build, with no new record
    incremental.query("delete from int_model_swap_run_costs")
    incremental.invoke("run")
    assert swap_runs() == before, "an emptied table is priced whole again"
    seed = project / "seeds" / "model_swaps.csv"
    with open(seed, newline="") as f:
        shipped = list(csv.DictReader(f))
    kept = [row for row in shipped if row["swap_id"] == "support-4o-to-4.1-mini"]
    # the same calls under a new swap of any feature: the runs already built must be priced for it too
    added = {**kept[0], "swap_id": "any-4o-to-4.1-mini", "feature": "", "note": "test"}
    _write_seed_rows(seed, [*kept, added])
    incremental.invoke("seed")
    incremental.invoke("run")
    after = swap_runs()
    assert "research-step1-to-haiku" not in after, "a removed swap leaves no row"
    assert after["support-4o-to-4.1-mini"] == before["support-4o-to-4.1-mini"], "an unchanged swap keeps its runs"
    assert after["any-4o-to-4.1-mini"] >= before["support-4o-to-4.1-mini"], "a new swap covers the runs already built"
    [(versions,)] = incremental.query("select count(distinct swap_inputs_version) from int_model_swap_run_costs")
    assert versions == 1

    deliver_second_half()
    incremental.invoke("run")
    full = incremental.in_folder(tmp_path / "full")
    full.invoke("seed")
    full.invoke("run", "--full-refresh")
    assert_same_marts(incremental, full)
