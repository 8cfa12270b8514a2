"""The cost explorer (README "Dashboards and BI tools") on the demo build's published copy: its queries equal the
marts, the Streamlit app shows them as money under its filters (AppTest, no browser), and a real browser (Debian's
chromium driven headless by playwright, `make browser`) renders the page with the same numbers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dbt_runner import PROJECT_DIR, DbtProject
from llm_cost.dashboard.data import DashboardError, Explorer, Filters, money

APP = PROJECT_DIR / "llm_cost" / "dashboard" / "app.py"


@pytest.fixture(scope="module")
def published(built: DbtProject) -> Path:
    path = built.log_dir / "e2e.published.duckdb"
    assert path.exists(), "the demo build publishes its marts (conftest `built`)"
    return path


def test_money_is_formatted_as_money() -> None:
    assert money(Decimal("1234.505")) == "$1,234.50"  # half-even, like the marts' rounding
    assert money(Decimal("-0.125"), 2) == "-$0.12"
    assert money(Decimal("0.00012345"), 4) == "$0.0001"
    assert money(None) == "-"


def test_the_explorer_queries_equal_the_marts(built: DbtProject, published: Path) -> None:
    data = Explorer(published)
    try:
        first, last = data.bounds()
        everything = Filters(first, last)
        totals = data.totals(everything)
        (cost, effective, calls, runs), = built.query(
            "select sum(cost_usd), sum(effective_cost_usd), sum(calls), "
            "(select count(*) from fct_run_costs) from fct_feature_costs_daily")
        assert (totals["cost_usd"], totals["effective_cost_usd"], totals["calls"]) == (cost, effective, calls)
        assert totals["runs"] == runs
        # a window, two features and a tenant: the daily marts' sums over the same days
        days = Filters(date(2025, 6, 1), date(2025, 6, 10), features=("support-chat", "doc-summarizer"))
        by_feature = {r.feature: (r.calls, r.cost_usd) for r in data.by(days, "feature").itertuples()}
        assert by_feature == {k: (c, v) for k, c, v in built.query(
            "select feature, sum(calls), sum(cost_usd) from fct_feature_costs_daily where day between "
            "'2025-06-01' and '2025-06-10' and feature in ('support-chat', 'doc-summarizer') group by 1")}
        tenant = Filters(first, last, tenants=("globex",))
        assert data.totals(tenant)["cost_usd"] == built.query(
            "select sum(cost_usd) from fct_tenant_costs_daily where tenant_id = 'globex'")[0][0]
        assert {r.tenant: r.cost_usd for r in data.by(everything, "tenant").itertuples()} == dict(built.query(
            "select tenant_id, sum(cost_usd) from fct_tenant_costs_daily group by 1"))
        top = data.top_runs(everything)
        assert list(top["cost_usd"]) == [c for (c,) in built.query(
            "select cost_usd from fct_run_costs order by cost_usd desc, run_id limit 10")]
        steps = data.steps(str(top["run_id"][0]))
        assert sum(steps["cost_usd"]) == top["cost_usd"][0]
        margins = data.margins(everything)
        assert len(margins) == built.query("select count(*) from rpt_tenant_margins_monthly")[0][0]
    finally:
        data.close()


def test_a_missing_file_is_one_clear_message(tmp_path: Path) -> None:
    with pytest.raises(DashboardError, match="run `make run` first"):
        Explorer(tmp_path / "nothing.duckdb")


def _app(path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app run once on `path` (the variable stays set for the test's reruns)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LLM_COST_DASHBOARD_DUCKDB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    return at


def test_the_app_shows_the_marts_as_money_under_its_filters(built: DbtProject, published: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(published, monkeypatch)
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    (cost, calls), = built.query("select sum(cost_usd), sum(calls) from fct_feature_costs_daily")
    assert metrics["Cost (list)"] == money(cost) and metrics["Calls"] == f"{calls:,}"
    tables: dict[str, Any] = {}
    for t in at.table:  # the first table of each key: spend by feature, tenant, model, agent, tool
        tables.setdefault(t.value.index.name, t.value)
    assert {"feature", "tenant", "model", "agent", "tool"} <= set(tables)
    (top_feature, top_cost), = built.query("select feature, sum(cost_usd) from fct_feature_costs_daily "
                                           "group by 1 order by 2 desc limit 1")
    assert tables["feature"].loc[top_feature, "cost"] == money(top_cost)

    at.sidebar.multiselect(key="features").select(top_feature).run()
    assert {m.label: m.value for m in at.metric}["Cost (list)"] == money(top_cost)
    (tenant_cost,), = built.query(f"select sum(cost_usd) from fct_span_costs where feature = '{top_feature}' "
                                  "and tenant_id = 'globex'")
    at.sidebar.multiselect(key="tenants").select("globex").run()
    assert {m.label: m.value for m in at.metric}["Cost (list)"] == money(tenant_cost)


def test_the_app_says_what_to_do_without_a_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(tmp_path / "missing.duckdb", monkeypatch)
    assert not at.exception
    assert "run `make run` first" in at.error[0].value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_a_browser_renders_the_dashboard_with_the_marts_numbers(built: DbtProject, published: Path,
                                                               tmp_path: Path) -> None:
    chromium = os.environ.get("LLM_COST_CHROMIUM")
    if not chromium:
        pytest.skip("LLM_COST_CHROMIUM is not set: run `make test`, which installs Debian's chromium and sets it")
    if not Path(chromium).exists():
        pytest.fail(f"LLM_COST_CHROMIUM={chromium} does not exist: run `make browser`")
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--", "--duckdb", str(published)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        (cost,), = built.query("select sum(cost_usd) from fct_feature_costs_daily")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1800})
                page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
                page.get_by_text("LLM cost explorer").first.wait_for(timeout=60_000)
                page.get_by_text(money(cost)).first.wait_for(timeout=60_000)
                page.get_by_text("support-chat").first.wait_for(timeout=30_000)
                text = page.inner_text("body")
                page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            finally:
                browser.close()
        assert "Cost (list)" in text and money(cost) in text and "Traceback" not in text
        assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    finally:
        server.terminate()
        server.wait(timeout=30)
