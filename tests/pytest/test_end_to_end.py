"""The demo set built end to end, checked against the generator's ground truth priced independently."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from dbt_runner import PROJECT_DIR, DbtProject
from llm_cost.summary import build_summary
from reference_pricing import Call, PriceBook

BUCKETS = ["uncached_input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens",
           "reasoning_tokens"]
CENT = Decimal("0.01")
# a call's computed cost against its independently priced truth: both are exact decimals


def _truth_calls(demo_set: Path) -> list[dict[str, str]]:
    with open(demo_set / "truth" / "calls.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def bounds(built: DbtProject) -> dict[str, tuple]:
    """span_id -> (cost_usd, max_overstatement_usd, unreported_usage, cost_bound) as the mart computed them."""
    return {r[0]: r[1:] for r in built.query(
        "select span_id, cost_usd, max_overstatement_usd, unreported_usage, cost_bound from fct_span_costs")}


@pytest.fixture(scope="module")
def truth(demo_set: Path, bounds: dict[str, tuple]) -> list[dict]:
    """Truth calls with an expected cost computed here, from the price seed, by the reference lookup, and the most
    the mart may overstate it (its max_overstatement_usd: a call whose spans lack a billed bucket costs an upper
    bound)."""
    book = PriceBook(PROJECT_DIR / "seeds" / "model_prices.csv")
    calls = []
    for row in _truth_calls(demo_set):
        tokens = {b: int(row[b]) for b in BUCKETS}
        call = Call(
            provider=row["provider"],
            model=row["model"],
            service_tier=row["service_tier"] or "standard",
            started_at=datetime.fromisoformat(row["started_at"].replace("Z", "+00:00")),
            uncached=tokens["uncached_input_tokens"],
            cache_read=tokens["cache_read_tokens"],
            cache_write=tokens["cache_write_tokens"],
            cache_write_1h=tokens["cache_write_1h_tokens"],
            output=tokens["output_tokens"],
            reasoning=tokens["reasoning_tokens"],
        )
        over = bounds[row["span_id"]][1] or Decimal(0)
        day = call.started_at.date().isoformat()
        calls.append({**row, **tokens, "day": day, "cost": book.cost(call), "over": over})
    return calls


def _rollup(calls: list[dict], key) -> dict:
    out: dict = defaultdict(lambda: {"calls": 0, "cost": Decimal(0), "over": Decimal(0), "unpriced_calls": 0,
                                     **{b: 0 for b in BUCKETS}})
    for c in calls:
        agg = out[key(c)]
        agg["calls"] += 1
        for b in BUCKETS:
            agg[b] += c[b]
        if c["cost"] is None:
            agg["unpriced_calls"] += 1
        else:
            agg["cost"] += c["cost"]
            agg["over"] += c["over"]
    return dict(out)


def _compare(expected: dict, actual: dict, what: str) -> None:
    assert set(actual) == set(expected), (f"{what}: keys differ: missing {sorted(set(expected) - set(actual))[:5]}, "
                                          f"extra {sorted(set(actual) - set(expected))[:5]}")
    for key, exp in expected.items():
        act = actual[key]
        for field in ["calls", "unpriced_calls", *BUCKETS]:
            assert act[field] == exp[field], f"{what} {key}: {field} {act[field]} != expected {exp[field]}"
        # exact calls to the cent; a bounded call's cost lies between its true cost and that plus its overstatement
        assert exp["cost"] - CENT < act["cost"] < exp["cost"] + exp["over"] + CENT, \
            f"{what} {key}: cost {act['cost']} outside [{exp['cost']}, {exp['cost'] + exp['over']}]"


def _mart_rollup(project: DbtProject, sql: str) -> dict:
    cols = ["calls", "unpriced_calls", *BUCKETS, "cost"]
    out = {}
    for row in project.query(sql):
        n = len(row) - len(cols)
        key = row[0] if n == 1 else tuple(str(v) for v in row[:n])
        if n == 1:
            key = str(key)
        out[key] = dict(zip(cols, row[n:], strict=True))
        out[key]["cost"] = Decimal(out[key]["cost"] or 0)
    return out


SUMS = "sum(unpriced_calls), " + ", ".join(f"sum({b})" for b in BUCKETS) + ", sum(cost_usd)"


def test_every_mart_agrees_with_independent_truth_by_run(built: DbtProject, truth: list[dict]) -> None:
    expected = _rollup(truth, lambda c: c["run_id"])
    actual = _mart_rollup(built, f"select run_id, sum(calls), {SUMS} from fct_run_costs group by 1")
    _compare(expected, actual, "run")


def test_feature_and_tenant_days_agree_with_truth(built: DbtProject, truth: list[dict]) -> None:
    for dim, mart in [("feature", "fct_feature_costs_daily"), ("tenant_id", "fct_tenant_costs_daily")]:
        expected = _rollup(truth, lambda c, dim=dim: (c["day"], c[dim]))
        actual = _mart_rollup(built,
                              f"select cast(day as varchar), {dim}, sum(calls), {SUMS} from {mart} group by 1, 2")
        _compare(expected, actual, mart)


def test_steps_agree_with_truth(built: DbtProject, truth: list[dict]) -> None:
    expected = _rollup(truth, lambda c: (c["run_id"], c["agent_span_id"] or "(none)", str(int(c["step"]))))
    actual = _mart_rollup(
        built,
        f"""select run_id, agent_span_id, cast(step as varchar), sum(calls),
            sum(unpriced_calls), {', '.join(f'sum({b})' for b in BUCKETS)}, sum(cost_usd)
            from fct_step_costs group by 1, 2, 3""",
    )
    _compare(expected, actual, "step")


def test_span_costs_total_to_the_cent(built: DbtProject, truth: list[dict]) -> None:
    expected = sum((c["cost"] for c in truth if c["cost"] is not None), Decimal(0))
    over = sum((c["over"] for c in truth if c["cost"] is not None), Decimal(0))
    (actual,) = built.query("select sum(cost_usd) from fct_span_costs")[0]
    assert expected - CENT < Decimal(actual) < expected + over + CENT
    assert expected > 0


def test_each_call_costs_exactly_or_bounds_its_true_cost(truth: list[dict], bounds: dict[str, tuple]) -> None:
    """Complete calls cost exactly the truth; a call whose spans lack a billed bucket costs at least the truth and at
    most its max_overstatement_usd more (the demo's emitters all report input and output, so no cost is a mere
    floor)."""
    seen: defaultdict[str, int] = defaultdict(int)
    for c in truth:
        if c["cost"] is None:
            continue
        cost, over, unreported, bound = bounds[c["span_id"]]
        seen[bound] += 1
        if unreported is None:
            assert bound == "exact" and over == 0 and cost == c["cost"], (c["span_id"], cost, c["cost"])
        else:
            assert bound == "upper_bound", (c["span_id"], unreported, bound)
            assert c["cost"] <= cost <= c["cost"] + over, (c["span_id"], unreported, cost, c["cost"], over)
    assert seen["exact"] > 0 and seen["upper_bound"] > 0, dict(seen)


def test_attribution_per_call_matches_truth(built: DbtProject, truth: list[dict]) -> None:
    expected = sorted(
        ((c["run_id"], c["feature"], c["tenant_id"], c["conversation_id"] or "(unattributed)", c["agent_name"] or None,
          c["tool_name"] or None, c["provider"], c["model"] if c["cost"] is not None else None)
        for c in truth), key=repr
    )
    actual = sorted(
        (tuple(r) for r in built.query(
            "select run_id, feature, tenant_id, conversation_id, agent_name, tool_name, provider, "
            "case when is_priced then priced_model end from fct_span_costs"
        )), key=repr
    )
    assert actual == expected


def test_tools_nested_and_triggering_costs(built: DbtProject, truth: list[dict], demo_set: Path) -> None:
    nested: dict[str, Decimal] = defaultdict(Decimal)
    triggering: dict[str, Decimal] = defaultdict(Decimal)
    over: dict[str, Decimal] = defaultdict(Decimal)
    for c in truth:
        if c["cost"] is None:
            continue
        # nested: every enclosing tool counts the call; the truth lists the nearest, so walk up via tools.csv parents
        for tool in filter(None, c.get("tool_ancestors", c["tool_span_id"]).split("|")):
            nested[tool] += c["cost"]
            over[tool] += c["over"]
        triggered = [t for t in c["triggers"].split("|") if t]
        for tool in triggered:
            triggering[tool] += c["cost"] / len(triggered)
            over[tool] += c["over"] / len(triggered)
    with open(demo_set / "truth" / "tools.csv", newline="") as f:
        tools = {r["tool_span_id"]: r for r in csv.DictReader(f)}
    rows = {r[0]: r for r in built.query(
        "select tool_span_id, tool_name, status, nested_cost_usd, triggering_cost_usd from fct_tool_costs")}
    assert set(rows) == set(tools)
    for tool_id, (_, name, status, nested_cost, trig_cost) in rows.items():
        assert name == tools[tool_id]["tool_name"]
        assert status == tools[tool_id]["status"]
        assert nested[tool_id] - CENT < Decimal(nested_cost) < nested[tool_id] + over[tool_id] + CENT, tool_id
        assert triggering[tool_id] - CENT < Decimal(trig_cost) < triggering[tool_id] + over[tool_id] + CENT, tool_id
    assert any(v > 0 for v in nested.values()), "the demo must have a tool that calls a model"
    assert any(v > 0 for v in triggering.values())


def test_every_record_staged_or_quarantined(built: DbtProject, demo_set: Path) -> None:
    manifest = json.loads((demo_set / "truth" / "manifest.json").read_text())
    records, quarantined = built.query(
        "select count(*), count(quarantine_reason) from stg_otel__span_records"
    )[0]
    (staged,) = built.query("select count(*) from stg_otel__spans")[0]
    assert records == manifest["span_records"] + manifest["bad_lines"]
    assert quarantined == manifest["bad_lines"] + manifest["bad_spans"]
    assert staged == manifest["distinct_spans"]
    reasons = {r[0] for r in built.query("select quarantine_reason from stg_otel__quarantine")}
    assert "line is not valid JSON" in reasons


def test_duplicate_layers_are_listed_and_counted_once(built: DbtProject, demo_set: Path, truth: list[dict]) -> None:
    manifest = json.loads((demo_set / "truth" / "manifest.json").read_text())
    (dropped,) = built.query("select count(*) from int_llm_calls__dropped_duplicates")[0]
    assert dropped == manifest["duplicate_layer_calls"] > 0
    (calls,) = built.query("select count(*) from fct_span_costs")[0]
    assert calls == len(truth)


def test_unpriced_model_is_loud(built: DbtProject) -> None:
    rows = built.query("select provider, model, calls from rpt_unpriced_models")
    assert ("mistral_ai", "mistral-unlisted-2411") in {(p, m) for p, m, _ in rows}
    (null_costs,) = built.query("select count(*) from fct_span_costs where not is_priced and cost_usd is null")[0]
    assert null_costs == sum(n for _, _, n in rows)
    # default severity: the build's test fails
    result = built.run("test", "--select", "rpt_unpriced_models", check=False, vars={})
    assert result.returncode != 0
    assert "no_unpriced_calls" in result.stdout and "FAIL" in result.stdout


def _changed_copy(built: DbtProject, tmp_path: Path, *statements: str) -> Path:
    """A copy of the built DuckDB file with `statements` run on it (the build itself stays as it is)."""
    import shutil

    import duckdb

    copy = tmp_path / "changed.duckdb"
    shutil.copy(built.duckdb_path, copy)
    con = duckdb.connect(str(copy))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()
    return copy


def test_column_rules_name_each_broken_rule(built: DbtProject, tmp_path: Path) -> None:
    """A model's not_null and non_negative columns are one data test (tests/generic/column_rules.sql): on a copy
    with planted nulls and negatives it fails with a row per broken rule and its count (on the build it passed)."""
    copy = _changed_copy(built, tmp_path,
                         "update fct_run_costs set cost_usd = -1 where run_id in "
                         "(select run_id from fct_run_costs order by run_id limit 2)",
                         "update fct_run_costs set feature = null where run_id in "
                         "(select run_id from fct_run_costs order by run_id desc limit 3)")
    damaged = DbtProject(copy, built.spans_glob, built.log_dir, built.reports_glob)
    # the build's vars: dbt reuses the parse the build left in the same target folder
    result = damaged.run("test", "--select", "column_rules_fct_run_costs", "--store-failures", check=False,
                         vars={"unpriced_severity": "warn"})
    assert result.returncode != 0 and "Failure in test column_rules_fct_run_costs" in result.stdout, result.stdout
    assert "Got 2 results" in result.stdout, result.stdout[-3000:]
    failures = damaged.query("select rule, column_name, failing_rows "
                             "from main_dbt_test__audit.column_rules_fct_run_costs order by rule, column_name")
    assert failures == [("non_negative", "cost_usd", 2), ("not_null", "feature", 3)]


def test_price_modifiers_per_call_match_truth(built: DbtProject, truth: list[dict]) -> None:
    """The demo's Bedrock calls carry no profile, us. or eu. (an earlier model: x1 on every profile) and one tenant's
    OpenAI calls go to eu.api.openai.com (x1 in 2025: the uplift is for models released from 2026-03-05): each call
    names exactly the rules its truth says were applied, none is flagged unpriced, and each costs its truth exactly
    (test_each_call_costs_exactly_or_bounds_its_true_cost prices the truth without modifiers)."""
    rows = {r[0]: r[1:] for r in built.query(
        "select span_id, price_modifiers, unpriced_modifiers, rate_multiplier, inference_profile, server_address "
        "from fct_span_costs")}
    seen: dict[str, int] = defaultdict(int)
    for c in truth:
        modifiers, unpriced, multiplier, profile, host = rows[c["span_id"]]
        assert (modifiers or "") == c["price_modifiers"], (c["span_id"], modifiers, c["price_modifiers"])
        assert unpriced is None, (c["span_id"], unpriced)
        assert multiplier is None or multiplier == 1, (c["span_id"], multiplier)
        if c["price_modifiers"]:
            seen[c["price_modifiers"]] += 1
            kind, _, value = c["price_modifiers"].partition("=")
            assert (profile if kind == "bedrock_inference_profile" else host) == (
                None if value == "in-region" else value), (c["span_id"], profile, host)
    assert set(seen) == {"bedrock_inference_profile=in-region", "bedrock_inference_profile=us",
                         "bedrock_inference_profile=eu", "data_residency_endpoint=eu.api.openai.com"}, seen
    (listed,) = built.query("select count(*) from rpt_unpriced_models where unpriced_modifiers is not null")[0]
    assert listed == 0


def test_summary_names_unpriced_modifiers(built: DbtProject, tmp_path: Path) -> None:
    """A model whose calls signal a modifier no rule prices is named by the summary (on a copy of the built file)."""
    copy = _changed_copy(built, tmp_path, "update rpt_unpriced_models set unpriced_modifiers = "
                         "'bedrock_inference_profile=ca', unpriced_modifier_calls = 3")
    summary = build_summary(copy)
    assert "Price modifiers signalled with no rule in seeds/price_modifiers.csv" in summary
    assert "mistral_ai/mistral-unlisted-2411: bedrock_inference_profile=ca (3 calls)" in summary
    assert "Price modifiers signalled" not in build_summary(built.duckdb_path)


def test_no_content_or_raw_user_ids_in_marts(built: DbtProject, truth: list[dict]) -> None:
    users = {c["user_id"] for c in truth if c["user_id"]}
    assert users
    for (table,) in built.query("select table_name from information_schema.tables "
                                "where table_name like 'fct_%' or table_name like 'rpt_%'"):
        text = " ".join(str(v) for row in built.query(f"select * from {table}") for v in row)
        assert "SECRET" not in text, table
        leaked = [u for u in users if f" {u} " in f" {text} "]
        assert not leaked, (table, leaked[:3])


def test_money_columns_are_exact_decimals(built: DbtProject) -> None:
    types = dict(built.query(
        "select column_name, data_type from information_schema.columns "
        "where table_name = 'fct_span_costs' and column_name like '%cost_usd'"
    ))
    assert types and all(t.startswith("DECIMAL") for t in types.values()), types


def test_dbt_unit_tests_pass(built: DbtProject) -> None:
    """The rules of docs/contract.md sections 4 and 5 at their edges (unit tests in the models' YAML)."""
    result = built.run("test", "--select", "test_type:unit", check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "PASS=" in result.stdout and " ERROR=0" in result.stdout


def test_incremental_unit_tests_run_before_their_model_exists() -> None:
    """A new warehouse's `dbt build` (make run) runs a model's unit tests before it builds the model: a `this` fixture
    given as rows needs the table's columns, so it must be SQL (the test above runs after the build: it cannot tell)."""
    import yaml

    rows_fixtures = [
        f"{path.name}: {test['name']}"
        for path in sorted((PROJECT_DIR / "models").rglob("*.yml"))
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []
        for given in test.get("given") or []
        if given.get("input") == "this" and given.get("format", "dict") != "sql"
    ]
    assert not rows_fixtures, rows_fixtures


def test_summary_says_how_much_rests_on_unreported_usage(built: DbtProject) -> None:
    (upper, over, lower), = built.query(
        "select count(*) filter (where cost_bound = 'upper_bound'), coalesce(sum(max_overstatement_usd), 0), "
        "count(*) filter (where cost_bound = 'lower_bound') from fct_span_costs"
    )
    assert upper > 0, "the demo has emitters that do not split 1-hour cache writes"
    text = build_summary(built.duckdb_path)
    assert f"Unreported usage: {upper:,} calls" in text and f"at most ${over:,.2f} overstated" in text
    assert f"; {lower:,} calls" in text
    assert "Under contracts" not in text, "no contract, no second total"


def test_the_published_copy_holds_every_mart_and_is_swapped_under_its_readers(built: DbtProject,
                                                                              tmp_path: Path) -> None:
    """README "Dashboards and BI tools": the build published every fct_ and rpt_ table, row for row; a reader keeps
    the copy it opened while the next publish swaps a new one in, and never meets a writer's lock."""
    import shutil

    import duckdb

    from llm_cost import publish

    published = tmp_path / "published.duckdb"  # a copy: the dashboard tests read the build's own
    shutil.copy(built.log_dir / "e2e.published.duckdb", published)
    marts = [name for (name,) in built.query(
        "select table_name from information_schema.tables where table_type = 'BASE TABLE' and "
        "(table_name like 'fct\\_%' escape '\\' or table_name like 'rpt\\_%' escape '\\') order by 1")]
    assert len(marts) >= 19
    reader = duckdb.connect(str(published), read_only=True)
    try:
        copies = [name for (name,) in reader.execute(
            "select table_name from information_schema.tables order by 1").fetchall()]
        assert copies == marts
        for name in marts:
            assert reader.execute(f"select count(*) from {name}").fetchall() == built.query(
                f"select count(*) from {name}"), name
        assert reader.execute("select sum(cost_usd) from fct_span_costs").fetchall() == built.query(
            "select sum(cost_usd) from fct_span_costs")
        (log,) = built.query("select tables, rows from llm_cost_publish")
        assert log[0] == len(marts)

        # the next build's publish, while the reader has the file open and a writer holds the build file
        build_file = tmp_path / "next.duckdb"
        shutil.copy(built.duckdb_path, build_file)
        writer = duckdb.connect(str(build_file))
        try:
            writer.execute("delete from fct_span_costs where not is_priced")
            (database,) = writer.execute("select current_database()").fetchone() or ("",)
            published.with_name(published.name + ".publishing").write_text("left by a crashed publish")
            result = publish.publish(writer, database, "main", published)
        finally:
            writer.close()
        assert result["tables"] == len(marts)
        assert reader.execute("select count(*) from fct_span_costs where not is_priced").fetchall()[0][0] > 0
    finally:
        reader.close()
    fresh = duckdb.connect(str(published), read_only=True)
    try:
        assert fresh.execute("select count(*) from fct_span_costs where not is_priced").fetchall() == [(0,)]
    finally:
        fresh.close()
