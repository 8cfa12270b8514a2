"""Run dbt against a DuckDB file of a test's own (docs/contract.md section 1: LLM_COST_DUCKDB)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")

# arrival metadata differs between the two builds by design; everything else must be identical
ARRIVAL_COLUMNS = {"loaded_at", "run_loaded_at"}
COMPARED_MODELS = [
    "fct_span_costs",
    "fct_run_costs",
    "fct_step_costs",
    "fct_tool_costs",
    "fct_feature_costs_daily",
    "fct_tenant_costs_daily",
    "fct_run_cost_tails_daily",
    "fct_focus_costs",
    "rpt_cache_effectiveness",
    "rpt_cost_drift",
    "rpt_unpriced_models",
    "int_llm_calls__dropped_duplicates",
    "int_run_cost_units",
    "int_model_swap_run_costs",
    "rpt_model_swap_savings",
]
# The `dbt run` of the property tests (arrival orders, crashes, landing histories): the compared marts, every
# incremental model and all upstream of them. The full-rebuild reports outside (rpt_tenant_margins_monthly,
# rpt_unreported_usage, ...) prove nothing about arrival order and cost about a second of each of those runs.
COMPARED_SELECTION = ("--select", "+config.materialized:incremental", *(f"+{m}" for m in COMPARED_MODELS))
PROJECT_FILES = ["dbt_project.yml", "profiles.example.yml", "models", "macros", "seeds", "tests", "python_models"]


def full_suite_only(what: str) -> Any:
    """A pytest mark for the few checks `make test` leaves out to stay within its time (README: LLM_COST_FULL_SUITE=1
    runs them); the skip reason says what is left out, and pytest's -rs prints it in the summary."""
    import pytest

    return pytest.mark.skipif(not os.environ.get("LLM_COST_FULL_SUITE"),
                              reason=f"{what}: left out of make test for time, LLM_COST_FULL_SUITE=1 runs it")


class DbtProject:
    def __init__(self, duckdb_path: Path, spans_glob: str, log_dir: Path, reports_glob: str | None = None) -> None:
        self.duckdb_path = duckdb_path
        self.spans_glob = spans_glob
        self.log_dir = log_dir
        # the provider report pages: none unless given (never the repository's data/demo, whatever is there)
        self.reports_glob = reports_glob or str(log_dir / "no_provider_reports" / "*.json")

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            LLM_COST_DUCKDB=str(self.duckdb_path),
            DBT_PROFILES_DIR=str(PROJECT_DIR),
            DO_NOT_TRACK="1",
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DBT_LOG_PATH=str(self.log_dir),
            DBT_TARGET_PATH=str(self.log_dir / "target"),
        )
        return env

    def run(self, *args: str, vars: dict[str, Any] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        all_vars = {"otel_spans_path": self.spans_glob, "provider_reports_path": self.reports_glob, **(vars or {})}
        cmd = [str(DBT), *args, "--vars", json.dumps(all_vars)]
        result = subprocess.run(cmd, cwd=PROJECT_DIR, env=self.env(), capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
        return result

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import duckdb

        con = duckdb.connect(str(self.duckdb_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def frame(self, sql: str) -> Any:
        import duckdb

        con = duckdb.connect(str(self.duckdb_path), read_only=True)
        try:
            return con.execute(sql).df()
        finally:
            con.close()


def build_demo(spans_glob: str, work: Path, name: str, reports_glob: str | None = None,
               publish: bool = False) -> DbtProject:
    """Build (seeds and data tests included, unit tests apart) a span set (and its provider report pages) on a
    DuckDB file of its own, with unpriced models as warn so every mart builds; with `publish`, the marts' read-only
    copy too (work/<name>.published.duckdb). One dbt command: each one with new vars parses the project afresh
    (about 12 s)."""
    project = DbtProject(work / f"{name}.duckdb", spans_glob, work, reports_glob)
    publish_vars = {"publish_path": str(work / f"{name}.published.duckdb")} if publish else {}
    project.run("build", "--exclude", "test_type:unit", vars={"unpriced_severity": "warn", **publish_vars})
    return project


def isolated_build_vars(project: Path, spans_glob: str) -> dict[str, Any]:
    """The vars of a test build on a project copy: the incremental marts only (the Python models, full-rebuild
    reports, are off: they would add about a second to each of the ~60 runs and prove nothing about incremental
    builds), and no provider report pages (the default glob is relative to the working directory, where a `make run`
    leaves the demo's, and then one build would read them and another not)."""
    return {"otel_spans_path": spans_glob, "unpriced_severity": "warn", "python_models_enabled": False,
            "provider_reports_path": str(project / "no_provider_reports" / "*.json")}


class InProcessDbt:
    """dbt in-process on one parsed manifest, building into its own DuckDB file from a project copy."""

    def __init__(self, project: Path, duckdb_path: Path, spans_glob: str, vars: dict[str, Any] | None = None) -> None:
        from dbt.cli.main import dbtRunner
        from dbt.contracts.graph.manifest import Manifest

        self.project = project
        self.duckdb_path = duckdb_path
        self.vars = json.dumps({**isolated_build_vars(project, spans_glob), **(vars or {})})
        self._env()
        parsed = dbtRunner().invoke(self._args("parse"))
        assert parsed.success, parsed.exception
        assert isinstance(parsed.result, Manifest), parsed.result  # what `dbt parse` returns
        self.runner = dbtRunner(manifest=parsed.result)

    def in_folder(self, folder: Path) -> InProcessDbt:
        """The same project, vars and parsed manifest, building into a file of the same name in another folder (a full
        refresh of the same span files beside an incremental history) without parsing again (about 12 s): the
        manifest names each relation's database by the profile's catalog (llm_cost), whatever the file."""
        folder.mkdir(parents=True, exist_ok=True)
        other = copy.copy(self)
        other.duckdb_path = folder / self.duckdb_path.name
        return other

    def _env(self) -> None:
        os.environ.update(LLM_COST_DUCKDB=str(self.duckdb_path), DBT_PROFILES_DIR=str(PROJECT_DIR), DO_NOT_TRACK="1")

    def _args(self, *command: str) -> list[str]:
        # the file log at info, not debug: dbt's debug events cost about a sixth of an incremental run here
        return [*command, "--no-write-json", "--project-dir", str(self.project), "--vars", self.vars, "--quiet",
                "--target-path", str(self.project / "target"), "--log-path", str(self.project / "logs"),
                "--log-level-file", "info"]

    def invoke(self, *command: str) -> dict[str, str]:
        """Run a dbt command; fails on any error or failed test; returns each node's status by name."""
        from dbt.artifacts.schemas.run import RunExecutionResult

        self._env()
        try:
            result = self.runner.invoke(self._args(*command))
        finally:
            release_duckdb()
        # seed, run, test and build return a RunExecutionResult; None when dbt raised
        nodes = result.result.results if isinstance(result.result, RunExecutionResult) else []
        failures = [r for r in nodes if getattr(r, "status", None) in ("error", "fail")]
        assert result.success and not failures, f"dbt {' '.join(command)} failed: {result.exception} {failures[:1]}"
        return {r.node.name: str(r.status) for r in nodes if getattr(r, "node", None) is not None}

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import duckdb

        con = duckdb.connect(str(self.duckdb_path))
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def rows(self, model: str) -> list[tuple[Any, ...]]:
        return mart_rows(self.duckdb_path, model)


def release_duckdb() -> None:
    """Close the DuckDB instance dbt-duckdb keeps between invocations in a process: the profile attaches the file to
    that in-memory instance, and while it is open another connection of this process cannot open the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()


def mart_rows(duckdb_path: Path, model: str) -> list[tuple[Any, ...]]:
    """A model's rows, sorted, without the arrival columns (which differ between builds by design)."""
    import duckdb

    con = duckdb.connect(str(duckdb_path))
    try:
        cols = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
            [model],
        ).fetchall() if c not in ARRIVAL_COLUMNS]
        return sorted(con.execute(f"select {', '.join(cols)} from {model}").fetchall(), key=repr)
    finally:
        con.close()


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        src = PROJECT_DIR / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy(src, dest / name)
    return dest


def assert_same_marts(incremental: InProcessDbt | Path, full: InProcessDbt | Path) -> None:
    """Every compared mart holds the same rows in both builds (an InProcessDbt or a DuckDB file each)."""
    for model in COMPARED_MODELS:
        inc, ref = (mart_rows(b if isinstance(b, Path) else b.duckdb_path, model) for b in (incremental, full))
        # the two row lists may differ in length: compare their common prefix for the first diff
        first_diff = next(((a, b) for a, b in zip(inc, ref, strict=False) if a != b), None)
        assert inc == ref, (f"{model}: incremental differs from full refresh ({len(inc)} vs {len(ref)} rows); "
                            f"first diff: {first_diff!r}")
