"""Run dbt against a DuckDB file of a test's own (CONTRACT section 1: LLM_COST_DUCKDB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")


class DbtProject:
    def __init__(self, duckdb_path: Path, spans_glob: str, log_dir: Path) -> None:
        self.duckdb_path = duckdb_path
        self.spans_glob = spans_glob
        self.log_dir = log_dir

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

    def run(self, *args: str, vars: dict[str, Any] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        all_vars = {"otel_spans_path": self.spans_glob, **(vars or {})}
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


def build_demo(spans_glob: str, work: Path, name: str) -> DbtProject:
    """Seed and build (data tests included, unit tests apart) a span set on a DuckDB file of its own, with
    unpriced models as warn so every mart builds."""
    project = DbtProject(work / f"{name}.duckdb", spans_glob, work)
    project.run("seed", "--quiet")
    project.run("build", "--exclude", "test_type:unit", vars={"unpriced_severity": "warn"})
    return project
