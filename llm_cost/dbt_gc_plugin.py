"""dbt-duckdb plugin (profiles.example.yml, ``plugins``): how often the dbt process runs Python's cycle collector.

dbt keeps its parsed project in memory for the whole command (nodes, macros, compiled Jinja: hundreds of thousands
of Python objects), and each full collection of Python's cyclic garbage collector walks all of them with the
interpreter lock held, while a build's threads wait for it. At Python's default first threshold (700 allocations) a
scheduled run makes about ten full collections of 0.1-0.2 s each. ``gc_threshold`` (env
LLM_COST_PYTHON_GC_THRESHOLD, default 10,000; 0 keeps Python's own) raises the first generation's threshold, so
full collections become rare: garbage in reference cycles waits a little longer to be freed, which costs a few MiB.
Nothing else changes; the threshold applies to the process from the moment dbt opens the DuckDB target.
"""

from __future__ import annotations

import gc
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

GC_THRESHOLD_SETTING = "LLM_COST_PYTHON_GC_THRESHOLD"
logger = AdapterLogger("DuckDB")


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        threshold = parse_threshold(plugin_config.get("gc_threshold"))
        if threshold:
            _, *older = gc.get_threshold()
            gc.set_threshold(threshold, *older)
            logger.debug(f"Python's cycle collector: first threshold {threshold:,} ({GC_THRESHOLD_SETTING})")


def parse_threshold(value: object) -> int:
    """The configured threshold; 0 (or unset, or empty) keeps Python's."""
    text = str(value if value is not None else "").strip().replace(",", "").replace("_", "")
    if not text:
        return 0
    if not text.isdigit():
        raise DbtRuntimeError(f"{GC_THRESHOLD_SETTING} must be a whole number of allocations (0 keeps Python's own), "
                              f"got {value!r}")
    return int(text)
