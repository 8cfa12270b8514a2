"""The published copy (README "Dashboards and BI tools"): after a complete build, the marts are copied into a new
DuckDB file beside the published one, which is then swapped in with an atomic rename. Dashboards and BI tools open
the published file read-only: a build never writes to it, so readers never meet the writer's lock, and a reader that
has it open keeps reading the copy it opened until it reconnects."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ALIAS = "llm_cost_publish"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def published_tables(connection: Any, database: str, schema: str) -> list[str]:
    """The marts and reports of the build: the fct_ and rpt_ tables of its schema."""
    rows = connection.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? "
        "and table_type = 'BASE TABLE' and (starts_with(table_name, 'fct_') or starts_with(table_name, 'rpt_')) "
        "order by table_name", [database, schema]).fetchall()
    return [name for (name,) in rows]


def publish(connection: Any, database: str, schema: str, path: Path,
            tables: Sequence[str] | None = None) -> dict[str, Any]:
    """Copy database.schema.<table> for each table (default: published_tables) into a fresh DuckDB file and swap it
    in at `path`.

    `connection` is a DuckDB connection to the built file (a dbt Python model's session); the copy goes through a
    cursor of its own, outside the model's transaction (DuckDB detaches a file only once its writes are committed).
    The new file is written next to `path`, so the rename stays on one filesystem and is atomic."""
    tables = list(tables) if tables is not None else published_tables(connection, database, schema)
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".publishing")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):  # a crashed earlier publish
        leftover.unlink(missing_ok=True)
    rows = 0
    cursor = connection.cursor()
    try:
        cursor.execute(f"attach '{str(staging).replace(chr(39), chr(39) * 2)}' as {ALIAS}")
        try:
            for table in tables:
                source = f"{_quoted(database)}.{_quoted(schema)}.{_quoted(table)}"
                cursor.execute(f"create table {ALIAS}.main.{_quoted(table)} as select * from {source}")
                rows += cursor.execute(f"select count(*) from {ALIAS}.main.{_quoted(table)}").fetchone()[0]
        finally:
            cursor.execute(f"detach {ALIAS}")
    finally:
        cursor.close()
    os.replace(staging, path)
    return {"published_at": datetime.now(UTC).replace(tzinfo=None), "path": str(path), "tables": len(tables),
            "rows": rows}
