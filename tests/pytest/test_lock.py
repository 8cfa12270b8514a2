"""An overlapping build on one DuckDB file: it says which process holds the file and what to do, or waits for it
by a setting (llm_cost/dbt_lock_plugin.py, profiles.example.yml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbt_runner import DBT, PROJECT_DIR, DbtProject
from llm_cost import duckdb_lock
from llm_cost.summary import SummaryError, build_summary

HOLD = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(float(sys.argv[2]))")


def _hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process writing the file (as a running build would) for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def db_file(tmp_path: Path) -> Iterator[Path]:
    import duckdb

    path = tmp_path / "locked.duckdb"
    duckdb.connect(str(path)).close()
    yield path


def _dbt_debug(db: Path, tmp_path: Path, wait_seconds: str | None = None) -> subprocess.CompletedProcess[str]:
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    shutil.copy(PROJECT_DIR / "profiles.example.yml", profiles / "profiles.yml")
    env = {**DbtProject(db, "", tmp_path / "logs").env(), "DBT_PROFILES_DIR": str(profiles)}
    env.pop(duckdb_lock.WAIT_SETTING, None)
    if wait_seconds is not None:
        env[duckdb_lock.WAIT_SETTING] = wait_seconds
    return subprocess.run([str(DBT), "debug"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)


def test_an_overlapping_build_names_the_holder_and_what_to_do(db_file: Path, tmp_path: Path) -> None:
    holder = _hold(db_file, 120)
    try:
        result = _dbt_debug(db_file, tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode != 0
    assert f"{db_file} is in use by another process: PID {holder.pid} (" in result.stdout, result.stdout[-3000:]
    assert duckdb_lock.WAIT_SETTING in result.stdout and "LLM_COST_DUCKDB=" in result.stdout


def test_an_overlapping_build_waits_for_the_file_by_a_setting(db_file: Path, tmp_path: Path) -> None:
    holder = _hold(db_file, 4)
    started = time.monotonic()
    result = _dbt_debug(db_file, tmp_path, wait_seconds="120")
    holder.wait()
    assert result.returncode == 0, result.stdout[-3000:]
    assert time.monotonic() - started >= 3, "the build waited for the other process to let go of the file"


def test_a_free_or_missing_file_has_no_holder(db_file: Path, tmp_path: Path) -> None:
    assert duckdb_lock.lock_holder(db_file) is None
    assert duckdb_lock.lock_holder(tmp_path / "missing.duckdb") is None


def test_waiting_gives_up_at_the_deadline_with_the_holder(db_file: Path) -> None:
    now = [0.0]
    holder = _hold(db_file, 120)
    try:
        found = duckdb_lock.wait_for_lock(db_file, 5, poll_seconds=1, clock=lambda: now[0],
                                          sleep=lambda s: now.__setitem__(0, now[0] + s))
    finally:
        holder.kill()
        holder.wait()
    assert found is not None and found.startswith(f"PID {holder.pid} (") and now[0] == 5


def test_the_summary_during_a_build_says_the_file_is_being_written(db_file: Path) -> None:
    holder = _hold(db_file, 120)
    try:
        with pytest.raises(SummaryError, match=rf"is being written by PID {holder.pid} .*when that build has finished"):
            build_summary(db_file)
    finally:
        holder.kill()
        holder.wait()


def test_a_wait_setting_that_is_not_a_number_is_refused(db_file: Path, tmp_path: Path) -> None:
    result = _dbt_debug(db_file, tmp_path, wait_seconds="ten minutes")
    assert result.returncode != 0
    assert f"{duckdb_lock.WAIT_SETTING} must be a number of seconds, got 'ten minutes'" in result.stdout
