"""The landing folder's read log: per build, the state of every file that changed, and where its new complete
lines wait to be parsed.

Logic in llm_cost/landing.py; documented in _stg_otel__file_reads.yml. The lines go to a Parquet file beside the
DuckDB file (named by a 'handoff' row), not into the warehouse: stg_otel__span_records parses them, deletes the row in
its transaction and empties the file after it commits, and the next read removes the file, so prompt text does not
rest anywhere; the 'file' rows are the watermark.
"""

from llm_cost import landing


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    previous: dict[str, landing.FileState] = {}
    waiting: list[str] = []
    read_seq = 1
    if dbt.is_incremental:
        columns = ", ".join(landing.STATE_COLUMNS)
        latest = session.execute(
            f"select {columns} from {dbt.this} where row_kind = 'file' "
            "qualify row_number() over (partition by source_file order by read_seq desc) = 1"
        ).fetchall()
        previous = landing.states_from_rows(latest)
        read_seq = session.execute(f"select coalesce(max(read_seq), 0) + 1 from {dbt.this}").fetchone()[0]
        waiting = [row[0] for row in session.execute(
            f"select source_file from {dbt.this} where row_kind = 'handoff'").fetchall()]
    # the model's own catalog: the profile attaches the DuckDB file, so it is not the session's current database
    database_path = session.execute(
        "select path from duckdb_databases() where database_name = ?", [dbt.this.database]).fetchone()[0]
    handoff = landing.handoff_dir(database_path)
    landing.remove_parsed_handoffs(handoff, waiting)
    return landing.read_landing(dbt.config.meta_get("otel_spans_path"), previous, read_seq, handoff=handoff)
