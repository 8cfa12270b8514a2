"""A DuckDB build ends with a checkpoint (macro checkpoint_after_build, the on-run-end hook).

A large insert writes whole row groups of its own, so a table built in trace passes ends each pass with a partly
filled one; DuckDB merges them only in a checkpoint no other transaction overlaps. Without the hook that merge fell
on the next build's first commit. What it saves is measured in bench/ (bench/RESULTS.md, 2026-12-07: 3.0 s of a 10M
incremental run; a 1M build in two passes leaves int_tool_invocations in 4 row groups without it, 3 with it), not
here: a table needs more than 122,880 rows per pass to show it."""

from __future__ import annotations

from pathlib import Path

from dbt_runner import DbtProject


def test_a_duckdb_build_ends_with_a_checkpoint(tmp_path: Path) -> None:
    import duckdb

    database = tmp_path / "storage.duckdb"
    project = DbtProject(database, str(tmp_path / "no_spans" / "*.json"), tmp_path / "logs")
    result = project.run("run", "--select", "metricflow_time_spine")
    assert "OK hook: llm_cost.on-run-end.0" in result.stdout
    hooks = tmp_path / "logs" / "target" / "compiled" / "llm_cost" / "dbt_project.yml" / "hooks"
    assert (hooks / "llm_cost-on-run-end-0.sql").read_text().strip() == "checkpoint"
    # the build wrote and checkpointed: no log left to replay
    assert not Path(f"{database}.wal").exists()
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from main.metricflow_time_spine").fetchall()[0][0] > 0
