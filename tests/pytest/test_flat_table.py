"""The flat landing shape (otel_source 'flat_table') stages the same spans as the OTLP files: same marts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dbt_runner import DbtProject
from llm_cost.flat import flat_rows, span_files

ARRIVAL_COLUMNS = {"loaded_at", "run_loaded_at"}
MARTS = ["fct_span_costs", "fct_run_costs", "fct_step_costs", "fct_tool_costs", "fct_feature_costs_daily",
         "fct_tenant_costs_daily", "rpt_unpriced_models", "rpt_cache_effectiveness", "rpt_cost_drift"]


def _rows(project: DbtProject, model: str) -> list[tuple[Any, ...]]:
    cols = [c for (c,) in project.query(
        f"select column_name from information_schema.columns where table_name = '{model}' order by ordinal_position"
    ) if c not in ARRIVAL_COLUMNS]
    return sorted(project.query(f"select {', '.join(cols)} from {model}"), key=repr)


@pytest.fixture(scope="module")
def flat_built(demo_set: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    import duckdb
    import pandas as pd

    work = tmp_path_factory.mktemp("flat")
    project = DbtProject(work / "flat.duckdb", "", work)
    frame = pd.DataFrame(list(flat_rows(span_files(demo_set / "spans"))))  # noqa: F841 - read by name by DuckDB below
    con = duckdb.connect(str(project.duckdb_path))
    con.execute("create table otel_spans as select * from frame")
    con.close()
    flat_vars = {"otel_source": "flat_table", "unpriced_severity": "warn"}
    project.run("build", "--exclude", "test_type:unit", vars=flat_vars)
    # a second ordinary build finds nothing new and changes nothing
    project.run("run", vars=flat_vars)
    return project


def test_flat_table_gives_the_same_marts_as_otlp_files(flat_built: DbtProject, built: DbtProject) -> None:
    for model in MARTS:
        flat, files = _rows(flat_built, model), _rows(built, model)
        assert flat == files, f"{model}: flat_table differs from otlp_files ({len(flat)} vs {len(files)} rows)"
    assert flat_built.query("select count(*) from fct_span_costs")[0][0] > 0


def test_flat_table_quarantines_bad_rows(flat_built: DbtProject, demo_set: Path) -> None:
    manifest = json.loads((demo_set / "truth" / "manifest.json").read_text())
    (quarantined,) = flat_built.query("select count(*) from stg_otel__quarantine")[0]
    assert quarantined == manifest["bad_spans"] > 0
