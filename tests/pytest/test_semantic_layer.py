"""The semantic layer (README "Semantic layer") through MetricFlow's own CLI: `mf validate-configs` passes, and `mf
query` answers equal the marts' sums on the demo build. The CLI runs in-process (click's test runner, one
configuration for every command): each `mf` process would spend about 19 s starting."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dbt_runner import DbtProject, copy_project

# ratio metrics are divided as DOUBLE by MetricFlow's SQL: compared within this relative difference
RATIO_TOLERANCE = 1e-12


class MetricFlow:
    """`mf` commands on a project copy parsed into its own target/ (MetricFlow reads target/semantic_manifest.json under
    the project, whatever DBT_TARGET_PATH says) and on a DuckDB file of its own (a copy of the build's)."""

    def __init__(self, project: Path, out: Path) -> None:
        from dbt_metricflow.cli.cli_configuration import CLIConfiguration

        self.project, self.out = project, out
        self.cfg = CLIConfiguration()
        self.cfg.setup(dbt_profiles_path=None, dbt_project_path=project, configure_file_logging=False)
        self.queries = 0

    def invoke(self, *args: str) -> str:
        from click.testing import CliRunner
        from dbt_metricflow.cli.main import cli

        result = CliRunner().invoke(cli, list(args), obj=self.cfg)
        assert result.exit_code == 0, f"mf {' '.join(args)} failed:\n{result.output[-4000:]}"
        return result.output

    def query(self, metrics: list[str], group_by: list[str], where: str | None = None) -> list[dict[str, str]]:
        self.queries += 1
        path = self.out / f"query-{self.queries}.csv"
        args = ["query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(path)]
        self.invoke(*args, *(["--where", where] if where else []))
        with open(path, newline="") as f:
            return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def mf(built: DbtProject, tmp_path_factory: pytest.TempPathFactory,
       monkeypatch_module: pytest.MonkeyPatch) -> Iterator[MetricFlow]:
    work = tmp_path_factory.mktemp("metricflow")
    project = copy_project(work / "project")
    # a copy of the build's file, under its name (the manifest names each relation's database after the file name),
    # set before the parse: an in-process build of another test may have left LLM_COST_DUCKDB naming its own file
    (work / "db").mkdir()
    shutil.copy(built.duckdb_path, work / "db" / built.duckdb_path.name)
    monkeypatch_module.setenv("LLM_COST_DUCKDB", str(work / "db" / built.duckdb_path.name))
    monkeypatch_module.setenv("DBT_PROFILES_DIR", str(built.env()["DBT_PROFILES_DIR"]))
    monkeypatch_module.delenv("LLM_COST_PYTHON_MODELS_ENABLED", raising=False)
    # a manifest of its own with the default vars (the build's target/ is rewritten by other tests' dbt commands,
    # some with the Python models off, and so without the budgets' semantic model)
    from dbt.cli.main import dbtRunner

    parsed = dbtRunner().invoke(["parse", "--quiet", "--project-dir", str(project), "--target-path",
                                 str(project / "target"), "--log-path", str(work / "logs")])
    assert parsed.success, parsed.exception
    engine = MetricFlow(project, work)
    try:
        yield engine
    finally:
        engine.cfg.sql_client.close()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _day(text: str) -> date:
    return datetime.fromisoformat(text).date()


def _num(text: str) -> Decimal | None:
    return Decimal(text) if text != "" else None


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= RATIO_TOLERANCE * max(abs(a), abs(b), 1e-300)


def test_mf_validate_configs_passes_and_fails_on_a_broken_measure(mf: MetricFlow,
                                                                   capfd: pytest.CaptureFixture[str]) -> None:
    mf.invoke("validate-configs")
    out = capfd.readouterr().out  # MetricFlow's spinners write to the process's stdout, not click's
    assert "Successfully validated the semantics of built manifest (ERRORS: 0" in out, out
    for part in ("semantic models", "dimensions", "entities", "measures", "metrics"):
        assert f"Successfully validated {part} against data warehouse (ERRORS: 0" in out, out
    # the same check on a measure whose column the warehouse lacks fails
    manifest = mf.project / "target" / "semantic_manifest.json"
    good = manifest.read_text()
    try:
        manifest.write_text(good.replace('"expr": "saved_usd"', '"expr": "saved_usd_misspelt"', 1))
        assert "saved_usd_misspelt" in manifest.read_text()
        from click.testing import CliRunner
        from dbt_metricflow.cli.main import cli

        broken = CliRunner().invoke(cli, ["validate-configs"], obj=mf.cfg)
        assert broken.exit_code == 1
        assert "Breaking issues found when validating measures against data warehouse" in capfd.readouterr().out
        assert "saved_usd_misspelt" in broken.output, broken.output
    finally:
        manifest.write_text(good)


def test_call_metrics_by_feature_and_day_equal_the_daily_mart(mf: MetricFlow, built: DbtProject) -> None:
    metrics = ["cost", "effective_cost", "calls", "runs", "unpriced_calls", "total_tokens", "retry_cost"]
    got = {(_day(r["metric_time__day"]), r["call__feature"]): tuple(_num(r[m]) for m in metrics)
           for r in mf.query(metrics, ["metric_time__day", "call__feature"])}
    want = {(day, feature): tuple(Decimal(v) if v is not None else None for v in values)
            for day, feature, *values in built.query(
                "select day, feature, sum(cost_usd), sum(effective_cost_usd), sum(calls), sum(runs), "
                "sum(unpriced_calls), sum(total_tokens), sum(retry_cost_usd) "
                "from fct_feature_costs_daily group by 1, 2")}
    assert len(got) == len(want) > 50
    assert got == want


def test_cost_by_tenant_and_month_and_a_filtered_total_equal_the_tenant_mart(mf: MetricFlow, built: DbtProject) -> None:
    got = {(_day(r["metric_time__month"]), r["call__tenant_id"]): _num(r["cost"])
           for r in mf.query(["cost"], ["metric_time__month", "call__tenant_id"])}
    want = {(month, tenant): cost for month, tenant, cost in built.query(
        "select date_trunc('month', day)::date, tenant_id, sum(cost_usd) from fct_tenant_costs_daily group by 1, 2")}
    assert got == want and len(want) > 3
    filtered = mf.query(["cost"], ["metric_time__year"], where="{{ Dimension('call__tenant_id') }} = 'globex'")
    assert sum(_num(r["cost"]) or 0 for r in filtered) == built.query(
        "select sum(cost_usd) from fct_tenant_costs_daily where tenant_id = 'globex'")[0][0]


def test_cost_per_run_and_by_model_equal_the_span_mart(mf: MetricFlow, built: DbtProject) -> None:
    got = {r["call__feature"]: float(r["cost_per_run"]) for r in mf.query(["cost_per_run"], ["call__feature"])}
    want = {feature: float(cost) / runs for feature, cost, runs in built.query(
        "select feature, sum(cost_usd), count(distinct run_id) from fct_span_costs group by 1")}
    assert got.keys() == want.keys() and all(_close(got[k], want[k]) for k in want), (got, want)
    by_model = {r["call__model"]: _num(r["cost"]) for r in mf.query(["cost"], ["call__model"])}
    assert by_model == dict(built.query(
        "select coalesce(priced_model, request_model), sum(cost_usd) from fct_span_costs group by 1"))


def test_cache_drift_reconciliation_and_budget_metrics_equal_their_reports(mf: MetricFlow, built: DbtProject) -> None:
    cache = {r["cache_row__feature"]: (_num(r["cache_saved"]), float(r["cache_hit_ratio"] or "nan"))
             for r in mf.query(["cache_saved", "cache_hit_ratio"], ["cache_row__feature"])}
    for feature, saved, read, total in built.query(
            "select feature, sum(saved_usd), sum(cache_read_tokens), sum(total_input_tokens) "
            "from rpt_cache_effectiveness group by 1"):
        assert cache[feature][0] == saved and _close(cache[feature][1], read / total if total else None)
    drift = mf.query(["cost_drift"], ["metric_time__year"])
    (drift_usd,), = built.query("select sum(drift_usd) from rpt_cost_drift")
    assert sum(_num(r["cost_drift"]) or 0 for r in drift) == drift_usd

    reconciled = {r["reconciliation_row__provider"]: tuple(_num(r[m]) for m in ("provider_cost", "attributed_cost",
                                                                             "unattributed_cost"))
                  for r in mf.query(["provider_cost", "attributed_cost", "unattributed_cost"],
                                    ["reconciliation_row__provider"])}
    assert reconciled == {provider: tuple(values) for provider, *values in built.query(
        "select provider, sum(provider_cost_usd), sum(attributed_cost_usd), sum(unattributed_cost_usd) "
        "from rpt_invoice_reconciliation group by 1")} and reconciled

    budgets: dict[tuple[Any, ...], tuple[Any, ...]] = {
        (r["budget_row__scope"], r["budget_row__period"]): (_num(r["budget_spend"]), _num(r["budget_limit"]),
                                                       float(r["budget_use"]))
        for r in mf.query(["budget_spend", "budget_limit", "budget_use"], ["budget_row__scope", "budget_row__period"])}
    want = built.query("select scope, period, sum(actual_usd), sum(limit_usd) from rpt_budget_forecast group by 1, 2")
    assert budgets.keys() == {(scope, period) for scope, period, _, _ in want} and want
    for scope, period, spend, limit in want:
        got_spend, got_limit, use = budgets[(scope, period)]
        assert (got_spend, got_limit) == (Decimal(str(spend)), Decimal(str(limit)))
        assert _close(use, float(spend) / float(limit))
