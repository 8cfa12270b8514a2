"""A build killed at any moment (SIGKILL: no cleanup, no hook) and followed by an ordinary build leaves the marts a
full refresh gives: nothing lost, nothing counted twice (docs/contract.md section 6).

Spans arrive in batches; each batch's first `dbt run` is killed at a point drawn from the build's phases (while
dbt parses, while a given model builds, while the build state is recorded, or during a full refresh), then an
ordinary `dbt run` follows. dbt runs as a subprocess here, so the kill is real; a kill point is found by
watching dbt's debug log for the line that starts that phase.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from dbt_runner import (
    COMPARED_SELECTION,
    DBT,
    DbtProject,
    InProcessDbt,
    assert_same_marts,
    copy_project,
    isolated_build_vars,
)
from llm_cost.generate import generate

# the phases a kill lands in: a log line that starts it ('' = right after the process starts, while dbt parses)
KILL_POINTS = [
    "",
    "Began running node model.llm_cost.stg_otel__file_reads",
    "Began running node model.llm_cost.stg_otel__span_records",
    "Began running node model.llm_cost.int_spans__tree",
    "Began running node model.llm_cost.int_llm_calls__priced",
    "Began running node model.llm_cost.fct_span_costs",
    "Began running node model.llm_cost.fct_run_costs",
    "Began running node model.llm_cost.fct_feature_costs_daily",
    "Began running node model.llm_cost.int_build_batch",
    "Began running node model.llm_cost.llm_cost_build_state",
]


class KilledBuilds:
    """`dbt run` as a subprocess on a project copy and a DuckDB file of its own, killable at a log line."""

    def __init__(self, project: Path, duckdb_path: Path, spans_glob: str, logs: Path) -> None:
        self.project, self.logs = project, logs
        self.env = DbtProject(duckdb_path, spans_glob, logs).env()
        self.vars = json.dumps(isolated_build_vars(project, spans_glob))

    def _cmd(self, *args: str) -> list[str]:
        return [str(DBT), *args, "--project-dir", str(self.project), "--vars", self.vars]

    def run(self, *args: str) -> None:
        result = subprocess.run(self._cmd(*args), cwd=self.project, env=self.env, capture_output=True, text=True)
        assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}"

    def run_killed(self, marker: str, delay: float, *args: str) -> str:
        """Start a build and SIGKILL it `delay` s after `marker` appears in its log; what happened, for messages."""
        log = self.logs / "dbt.log"
        offset = log.stat().st_size if log.exists() else 0
        proc = subprocess.Popen(self._cmd(*args), cwd=self.project, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        try:
            while marker and time.monotonic() < deadline and proc.poll() is None:
                if log.exists():
                    with open(log, errors="replace") as f:
                        f.seek(offset)
                        if marker in f.read():
                            break
                time.sleep(0.02)
            time.sleep(delay)
            finished = proc.poll() is not None
            os.killpg(proc.pid, signal.SIGKILL)
        finally:
            proc.wait()
        return f"{'finished before' if finished else 'killed at'} {marker or 'parse'!r} + {delay:.2f} s"


@pytest.mark.parametrize("seed", [3])
def test_builds_killed_at_random_points_then_rerun_equal_a_full_refresh(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    demo = tmp_path / "demo"
    generate(demo, spans=600, seed=seed)
    files = sorted((demo / "spans").iterdir())
    # three batches, each build killed at a point drawn from the phases, then a killed full refresh
    batches = [files[i::3] for i in range(3)]
    project = copy_project(tmp_path / "project")
    arrivals, everything = tmp_path / "arrivals", tmp_path / "all"
    arrivals.mkdir()
    builds = KilledBuilds(project, tmp_path / "killed.duckdb", f"{arrivals}/*.json*", tmp_path / "logs")
    builds.run("seed")
    points = rng.sample(KILL_POINTS, len(batches))
    history = []
    for batch, marker in zip(batches, points, strict=True):
        for path in batch:
            shutil.copy(path, arrivals / path.name)
        history.append(builds.run_killed(marker, rng.uniform(0, 0.3), "run"))
        builds.run("run")
    # a full refresh killed midway, then an ordinary build
    history.append(builds.run_killed(rng.choice(KILL_POINTS[2:-1]), rng.uniform(0, 0.3), "run", "--full-refresh"))
    builds.run("run")

    shutil.copytree(arrivals, everything)
    full = InProcessDbt(project, tmp_path / "full.duckdb", f"{everything}/*.json*")
    full.invoke("seed")
    full.invoke("run", "--full-refresh", *COMPARED_SELECTION)
    assert sum("killed at" in h for h in history) >= len(history) - 1, history
    assert_same_marts(tmp_path / "killed.duckdb", full)
