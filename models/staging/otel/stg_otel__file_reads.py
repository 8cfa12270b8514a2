"""The landing folder's read log: per build, the state of every file that changed and its new complete lines.

Logic in llm_cost/landing.py; documented in _stg_otel__file_reads.yml. Lines stay here only until
stg_otel__span_records has parsed them (its post-hook deletes them in the same transaction), so prompt text
does not rest in the warehouse; the 'file' rows are the watermark.
"""

from llm_cost import landing


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    previous: dict[str, landing.FileState] = {}
    read_seq = 1
    if dbt.is_incremental:
        columns = ", ".join(landing.STATE_COLUMNS)
        latest = session.execute(
            f"select {columns} from {dbt.this} where row_kind = 'file' "
            "qualify row_number() over (partition by source_file order by read_seq desc) = 1"
        ).fetchall()
        previous = landing.states_from_rows(latest)
        read_seq = session.execute(f"select coalesce(max(read_seq), 0) + 1 from {dbt.this}").fetchone()[0]
    return landing.read_landing(dbt.config.meta_get("otel_spans_path"), previous, read_seq)
