"""`python -m llm_cost validate`: the Great Expectations suites pass on a correct build and catch planted damage."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dbt_runner import DbtProject

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from llm_cost.__main__ import main
from llm_cost.validate import DuckDBSource, Suite, build_suites, column_rules, not_null, read_manifest, validate

SUITES = [
    "stg_otel__spans", "fct_span_costs", "fct_run_costs", "fct_step_costs", "fct_tool_costs",
    "fct_feature_costs_daily", "fct_tenant_costs_daily", "rpt_unpriced_models", "rpt_cache_effectiveness",
    "rpt_cost_drift",
]


def _validate(duckdb_path: Path, docs: Path, capsys: pytest.CaptureFixture[str],
              manifest: Path | None = None) -> tuple[int, str, str]:
    code = main(["validate", "--duckdb", str(duckdb_path), "--docs", str(docs),
                 *(["--manifest", str(manifest)] if manifest else [])])
    out, err = capsys.readouterr()
    return code, out, err


def _manifest(built: DbtProject) -> Path:
    return built.log_dir / "target" / "manifest.json"


def test_validation_passes_on_the_built_marts(built: DbtProject, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(built.duckdb_path, tmp_path / "docs", capsys, _manifest(built))
    assert code == 0, out + err
    assert "all suites ok" in out and "FAILED" not in out
    for suite in SUITES:
        line = next(line for line in out.splitlines() if line.strip().startswith(suite + " "))
        passed, evaluated = line.split()[1].split("/")
        assert passed == evaluated and int(evaluated) >= 5, line
    index = tmp_path / "docs" / "index.html"
    assert index.exists() and f"Data Docs: {index}" in out
    validated = {page.parent.parent.parent.name for page in (tmp_path / "docs" / "validations").rglob("*.html")}
    assert validated >= set(SUITES)


def test_planted_damage_fails_and_names_each_broken_expectation(built: DbtProject, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(built.duckdb_path, broken)
    con = duckdb.connect(str(broken))
    try:
        (priced_span,), (other_span,) = con.execute(
            "select span_id from fct_span_costs where is_priced and cache_read_tokens = 0 order by span_id limit 2"
        ).fetchall()
        [(run_id,)] = con.execute("select min(run_id) from fct_run_costs").fetchall()
        [(tool_span,)] = con.execute("select min(tool_span_id) from fct_tool_costs").fetchall()
        # cost no longer the sum of its components
        con.execute(f"update fct_span_costs set cost_usd = cost_usd + 0.01 where span_id = '{priced_span}'")
        # a negative token count
        con.execute(f"update fct_span_costs set cache_read_tokens = -7 where span_id = '{other_span}'")
        # a duplicate grain key
        con.execute(f"insert into fct_run_costs select * from fct_run_costs where run_id = '{run_id}'")
        # a tool that ended before it started
        con.execute("update fct_tool_costs set ended_at = started_at - interval 1 second "
                    f"where tool_span_id = '{tool_span}'")
        # savings that no longer follow from what was paid
        con.execute("update rpt_cache_effectiveness set saved_usd = saved_usd + 1 "
                    "where (day, feature, provider, model) = (select (day, feature, provider, model) "
                    "from rpt_cache_effectiveness where saved_usd is not null order by all limit 1)")
    finally:
        con.close()

    code, out, err = _validate(broken, tmp_path / "docs", capsys, _manifest(built))
    assert code == 1, out + err
    expected_failures = [
        r"FAILED expect_column_values_to_be_between\(cost_residual_usd\): cost_usd = the sum of its token components, "
        r"audio parts and web search fees, exactly: 1 of \d+ rows unexpected, e\.g\. 0\.01$",
        r"FAILED expect_column_values_to_be_between\(cache_read_tokens\): cache_read_tokens is never negative: "
        r"1 of \d+ rows unexpected, e\.g\. -7$",
        rf"FAILED expect_column_values_to_be_unique\(run_id\): one row per run_id: 2 of \d+ rows unexpected, "
        rf"e\.g\. {run_id}; {run_id}$",
        r"FAILED expect_column_pair_values_a_to_be_greater_than_b\(ended_at, started_at\): started_at <= ended_at: "
        r"1 of \d+ rows unexpected",
        r"FAILED expect_column_values_to_be_between\(saved_residual_usd\): "
        r"saved_usd = uncached_equivalent_usd - input_cost_usd: 1 of \d+ rows unexpected, e\.g\. 1$",
    ]
    for pattern in expected_failures:
        assert re.search(pattern, out, re.MULTILINE), (pattern, out)
    statuses = {line.split()[0]: line.split()[4] for line in out.splitlines()
                if line.startswith("  ") and "expectations passed" in line}
    assert {t for t, s in statuses.items() if s == "FAILED"} == {
        "fct_span_costs", "fct_run_costs", "fct_tool_costs", "rpt_cache_effectiveness"}
    assert statuses["rpt_cost_drift"] == "ok"


def test_missing_build_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _validate(tmp_path / "absent.duckdb", tmp_path / "docs", capsys)
    assert code == 2 and "llm_cost validate: error: no DuckDB file" in err and "Traceback" not in err

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    no_manifest = tmp_path / "no" / "manifest.json"
    code, _out, err = _validate(empty, tmp_path / "docs", capsys, no_manifest)
    assert code == 2 and f"no dbt manifest at {no_manifest}: run `dbt build`" in err and "Traceback" not in err
    no_manifest.parent.mkdir()
    no_manifest.write_text('{"nodes": {}}')
    code, _out, err = _validate(empty, tmp_path / "docs", capsys, no_manifest)
    assert code == 2 and "not built in" in err and "fct_span_costs" in err


def test_a_suite_whose_select_fails_is_reported_not_raised(built: DbtProject) -> None:
    source = DuckDBSource(built.duckdb_path)
    try:
        report = validate(source, {}, suites=[
            Suite(table="fct_run_costs", checks="no_such_column", expectations=not_null("run_id")),
            Suite(table="rpt_cost_drift", expectations=not_null("calls")),
        ])
    finally:
        source.close()
    assert not report.success
    text = report.render()
    assert "FAILED select(): reading fct_run_costs: raised" in text and "no_such_column" in text, text
    assert [s.success for s in report.suites] == [False, True]


def test_column_rules_are_read_from_the_models_yaml_not_written_again(built: DbtProject) -> None:
    """GX runs the models' YAML column rules (one list, through dbt's manifest) next to its own row rules; a
    conditional dbt test is counted as left to dbt, a table-level one is not mirrored."""
    manifest = read_manifest(_manifest(built))
    rules = column_rules(manifest, "fct_run_costs")
    described = {e.description for e in rules.expectations}
    assert {"one row per run_id", "run_id is never null", "cache_read_tokens is never negative"} <= described
    assert not {e.description for e in build_suites()[2].expectations} & described, "no rule written in both"
    node = {"resource_type": "test", "attached_node": "model.llm_cost.t", "column_name": "x",
            "test_metadata": {"name": "not_null", "kwargs": {"column_name": "x"}}}
    fake = {"nodes": {"a": node, "b": {**node, "unique_id": "b", "config": {"where": "y > 0"}},
                      "c": {**node, "unique_id": "c", "test_metadata": {"name": "landing_files_read", "kwargs": {}}},
                      "d": {**node, "unique_id": "d", "column_name": None, "test_metadata": {
                          "name": "column_rules", "kwargs": {"not_null": ["y"], "non_negative": ["y", "z"]}}}}}
    t = column_rules(fake, "t")
    assert ([e.description for e in t.expectations], t.conditional) == (
        ["x is never null", "y is never null", "y is never negative", "z is never negative"], 1)
