"""The command line (`llm-cost`, `python -m llm_cost`): --version, and user errors as one clear line, exit 2."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from dbt_runner import PROJECT_DIR
from llm_cost import __main__ as cli


def _pyproject_version() -> str:
    with open(PROJECT_DIR / "pyproject.toml", "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "llm_cost", *args], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=120)


def test_version_prints_the_package_version() -> None:
    done = _run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"llm-cost {_pyproject_version()}"


def test_version_falls_back_to_pyproject_when_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(cli.metadata, "version", not_installed)
    assert cli.version() == _pyproject_version()


def test_span_count_below_the_minimum_is_a_usage_error() -> None:
    done = _run("generate", "--spans", "12", "--out", "unused")
    assert done.returncode == 2
    assert "error: argument --spans: must be from 500" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_summary_of_a_missing_duckdb_file_is_a_user_error(tmp_path: Path) -> None:
    missing = tmp_path / "absent.duckdb"
    done = _run("summary", "--duckdb", str(missing))
    assert done.returncode == 2
    assert done.stderr.strip() == (f"llm_cost summary: error: no DuckDB file at {missing}: "
                                   "run `make run` (or `dbt build`) first")
    assert not missing.exists()  # reading a summary never creates the file


def test_console_script_runs_main() -> None:
    script = Path(sys.executable).with_name("llm-cost")
    if not script.exists():
        pytest.skip("the llm-cost console script is not installed in this environment (pip install -e .)")
    done = subprocess.run([str(script), "summary", "--duckdb", "/nonexistent/llm_cost.duckdb"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("llm_cost summary: error: no DuckDB file")
