"""dbt-duckdb plugin (profiles.example.yml, ``plugins``): an overlapping build waits for the file or says who
holds it, instead of stopping on DuckDB's raw lock error.

Before dbt opens the DuckDB file, the plugin waits up to ``wait_seconds`` (env LLM_COST_DUCKDB_LOCK_WAIT_SECONDS,
default 0: do not wait) for another process's write lock to go, then fails with the process that holds the file
and what to do (llm_cost/duckdb_lock.py).
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from llm_cost.duckdb_lock import WAIT_SETTING, locked_message, wait_for_lock


class Plugin(BasePlugin):
    wait_seconds: float = 0.0

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        value = str(plugin_config.get("wait_seconds") or "0")
        try:
            self.wait_seconds = float(value)
        except ValueError:
            raise DbtRuntimeError(f"{WAIT_SETTING} must be a number of seconds, got {value!r}") from None

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        path = database_file(creds)
        holder = wait_for_lock(path, self.wait_seconds)
        if holder is not None:
            raise DbtRuntimeError(locked_message(path, holder, self.wait_seconds))


def database_file(creds: Any) -> str:
    """The file dbt builds into: the attached database the profile names as its catalog (profiles.example.yml
    attaches the file to set its row group size), else the opened path."""
    for attachment in creds.attach or []:
        if attachment.alias == creds.database:
            return str(attachment.path)
    return str(creds.path)
