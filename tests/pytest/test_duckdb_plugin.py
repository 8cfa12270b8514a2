"""The dbt plugins of the DuckDB profile (README "Scale"): the row group size the DuckDB file is attached with
(llm_cost/dbt_lock_plugin.py): DuckDB's default when a build writes every table from scratch, small row groups for a
scheduled run; and the first threshold of Python's cycle collector in the dbt process (llm_cost/dbt_gc_plugin.py)."""

from __future__ import annotations

import gc
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest
from dbt.adapters.duckdb.credentials import Attachment
from dbt_common.exceptions import DbtRuntimeError

from llm_cost import dbt_gc_plugin as gc_plugin
from llm_cost import dbt_lock_plugin as plugin


def _creds(path: Path) -> Any:
    return SimpleNamespace(path=":memory:", database="llm_cost", attach=[Attachment(path=str(path), alias="llm_cost")])


def _plugin(**config: str) -> plugin.Plugin:
    return plugin.Plugin("llm_cost", config)


def _rows_per_row_group(creds: Any) -> int:
    """The largest row group of a 200,000-row table written through the attachment as the plugin left it (on one
    thread: parallel inserts end their parts in partly filled row groups)."""
    with duckdb.connect(config={"threads": 1}) as connection:
        connection.execute(creds.attach[0].to_sql())
        connection.execute("create or replace table llm_cost.probe as select range as i from range(200000)")
        groups = connection.execute("select max(count) from pragma_storage_info('llm_cost.probe')").fetchall()
        connection.execute("drop table llm_cost.probe")
    return int(groups[0][0])


@pytest.fixture(autouse=True)
def not_a_full_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt's flags are global to the process: an in-process dbt invocation of another test (--full-refresh) leaves
    them set, so these tests say which invocation they stand for."""
    monkeypatch.setattr(plugin, "_full_refresh", lambda: False)


def _built(path: Path) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"create table {plugin.BUILT_MARKER} as select 1 as span_id")


def test_auto_writes_default_row_groups_in_a_new_file_and_small_ones_once_it_is_built(tmp_path: Path) -> None:
    path = tmp_path / "llm_cost.duckdb"
    creds = _creds(path)
    auto = _plugin()
    auto.update_connection_config(creds, {})
    assert creds.attach[0].options == {"row_group_size": plugin.FULL_BUILD_ROW_GROUP_SIZE}
    assert _rows_per_row_group(creds) == plugin.FULL_BUILD_ROW_GROUP_SIZE
    _built(path)
    auto.update_connection_config(creds, {})
    assert creds.attach[0].options == {"row_group_size": plugin.SCHEDULED_RUN_ROW_GROUP_SIZE}
    assert _rows_per_row_group(creds) == plugin.SCHEDULED_RUN_ROW_GROUP_SIZE


def test_auto_writes_default_row_groups_on_a_full_refresh(tmp_path: Path) -> None:
    path = tmp_path / "llm_cost.duckdb"
    _built(path)
    assert plugin.row_group_size_for(str(path), full_refresh=False) == plugin.SCHEDULED_RUN_ROW_GROUP_SIZE
    assert plugin.row_group_size_for(str(path), full_refresh=True) == plugin.FULL_BUILD_ROW_GROUP_SIZE
    seeds_only = tmp_path / "seeded.duckdb"  # `dbt seed` before the first run: not built yet
    duckdb.connect(str(seeds_only)).execute("create table model_prices as select 1 as price").close()
    assert plugin.row_group_size_for(str(seeds_only), full_refresh=False) == plugin.FULL_BUILD_ROW_GROUP_SIZE


def test_a_set_row_group_size_is_used_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "llm_cost.duckdb"
    _built(path)
    creds = _creds(path)
    _plugin(row_group_size="32768").update_connection_config(creds, {})
    assert creds.attach[0].options == {"row_group_size": 32768}
    assert _rows_per_row_group(creds) == 32768


@pytest.mark.parametrize("value", ["many", "100", "-16384"])
def test_a_wrong_row_group_size_says_what_it_takes(value: str) -> None:
    with pytest.raises(DbtRuntimeError, match=f"{plugin.ROW_GROUP_SETTING} must be 'auto' or a number of rows"):
        _plugin(row_group_size=value)


def test_a_file_opened_as_the_path_is_left_alone(tmp_path: Path) -> None:
    creds = SimpleNamespace(path=str(tmp_path / "llm_cost.duckdb"), database="llm_cost", attach=None)
    _plugin().update_connection_config(creds, {})
    assert creds.attach is None


@pytest.fixture
def python_gc_thresholds() -> Any:
    """The GC plugin sets a process-wide threshold: each test leaves Python's as it found them."""
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def test_the_gc_plugin_raises_the_first_threshold_only(python_gc_thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 10, 10)
    gc_plugin.Plugin("llm_cost_gc", {"gc_threshold": "10000"})
    assert gc.get_threshold() == (10000, 10, 10)


@pytest.mark.parametrize("value", ["0", None, ""])
def test_the_gc_plugin_keeps_python_s_threshold_when_set_to_0(python_gc_thresholds: tuple[int, int, int],
                                                              value: str | None) -> None:
    gc.set_threshold(700, 10, 10)
    gc_plugin.Plugin("llm_cost_gc", {"gc_threshold": value})
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize(("value", "threshold"), [("10,000", 10000), ("50_000", 50000), (" 2000 ", 2000), (3000, 3000)])
def test_the_gc_threshold_reads_as_a_user_writes_it(value: object, threshold: int) -> None:
    assert gc_plugin.parse_threshold(value) == threshold


@pytest.mark.parametrize("value", ["many", "-700", "1e4"])
def test_a_wrong_gc_threshold_says_what_it_takes(python_gc_thresholds: tuple[int, int, int], value: str) -> None:
    with pytest.raises(DbtRuntimeError, match=f"{gc_plugin.GC_THRESHOLD_SETTING} must be a whole number"):
        gc_plugin.Plugin("llm_cost_gc", {"gc_threshold": value})
    assert gc.get_threshold() == python_gc_thresholds
