"""dbt-duckdb plugin (profiles.example.yml, ``plugins``): how a build opens the project's DuckDB file.

- An overlapping build waits for the file or says who holds it, instead of stopping on DuckDB's raw lock error:
  before dbt opens the file, the plugin waits up to ``wait_seconds`` (env LLM_COST_DUCKDB_LOCK_WAIT_SECONDS,
  default 0: do not wait) for another process's write lock to go, then fails with the process that holds the file
  and what to do (llm_cost/duckdb_lock.py).
- The row group size the file is attached with (``row_group_size``, env LLM_COST_DUCKDB_ROW_GROUP_SIZE, default
  ``auto``; README "Scale"). ``auto``: DuckDB's own 122,880 rows when the build writes every table from scratch (a
  file without ``fct_span_costs`` yet, or ``--full-refresh``), 16,384 otherwise: a scheduled run's batch tables
  hold fewer rows than one default row group, which DuckDB scans on one thread and commits through its WAL
  uncompressed, while a full build of a large history is faster and smaller in the default ones. Either way the
  rows are the same; only the time and the file's size differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

from llm_cost.duckdb_lock import WAIT_SETTING, locked_message, wait_for_lock

ROW_GROUP_SETTING = "LLM_COST_DUCKDB_ROW_GROUP_SIZE"
FULL_BUILD_ROW_GROUP_SIZE = 122_880  # DuckDB's default
SCHEDULED_RUN_ROW_GROUP_SIZE = 16_384
BUILT_MARKER = "fct_span_costs"  # a file holding it has been built: a run on it is incremental
logger = AdapterLogger("DuckDB")


class Plugin(BasePlugin):
    wait_seconds: float = 0.0
    row_group_size: int | None = None  # None: auto

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        value = str(plugin_config.get("wait_seconds") or "0")
        try:
            self.wait_seconds = float(value)
        except ValueError:
            raise DbtRuntimeError(f"{WAIT_SETTING} must be a number of seconds, got {value!r}") from None
        size = str(plugin_config.get("row_group_size") or "auto").strip().lower()
        if size != "auto":
            if not size.isdigit() or int(size) < 2048:
                raise DbtRuntimeError(f"{ROW_GROUP_SETTING} must be 'auto' or a number of rows of at least 2048, "
                                      f"got {size!r}")
            self.row_group_size = int(size)

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        attachment = database_attachment(creds)
        path = str(attachment.path if attachment is not None else creds.path)
        holder = wait_for_lock(path, self.wait_seconds)
        if holder is not None:
            raise DbtRuntimeError(locked_message(path, holder, self.wait_seconds))
        if attachment is not None:  # only ATTACH takes a row group size; a file opened as the path keeps DuckDB's
            size = self.row_group_size or row_group_size_for(path, full_refresh=_full_refresh())
            attachment.options = {**(attachment.options or {}), "row_group_size": size}
            how = "set" if self.row_group_size else "auto"
            logger.debug(f"attaching {path} with row groups of {size:,} rows ({ROW_GROUP_SETTING}: {how})")


def database_attachment(creds: Any) -> Any:
    """The attachment dbt builds into: the one the profile names as its catalog (profiles.example.yml attaches the
    file to set its row group size), or None when dbt builds into the opened path."""
    return next((attachment for attachment in creds.attach or [] if attachment.alias == creds.database), None)


def row_group_size_for(path: str, full_refresh: bool) -> int:
    """``auto``: the default row groups when every table is written from scratch, small ones for a scheduled run."""
    if full_refresh or not is_built(path):
        return FULL_BUILD_ROW_GROUP_SIZE
    return SCHEDULED_RUN_ROW_GROUP_SIZE


def is_built(path: str) -> bool:
    """Whether the file holds the project's span-cost mart (read-only, closed at once; the lock check above has
    just opened it the same way)."""
    import duckdb

    if not Path(path).exists():
        return False
    with duckdb.connect(path, read_only=True) as connection:
        found = connection.execute("select count(*) from duckdb_tables() where table_name = ?",
                                   [BUILT_MARKER]).fetchall()
    return bool(found[0][0])


def _full_refresh() -> bool:
    from dbt.flags import get_flags

    return bool(getattr(get_flags(), "FULL_REFRESH", False))
