"""The dbt docs site a BI user reads (`make docs`: `dbt docs generate --static`): one self-contained page, rendered by
a real browser (Debian's chromium, headless), showing the overview (models/overview.md: each mart's grain, which
metric answers which question) and each mart's grain and columns in plain words."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dbt_runner import DbtProject


@pytest.fixture(scope="module")
def docs_page(built: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("docs")
    # the demo build's file and target (its manifest), so the catalog holds the built marts' columns
    shutil.copytree(built.log_dir / "target", work / "target")
    shutil.copy(built.duckdb_path, work / built.duckdb_path.name)
    docs = DbtProject(work / built.duckdb_path.name, built.spans_glob, work, built.reports_glob)
    docs.run("docs", "generate", "--static", "--no-compile")
    page = work / "target" / "static_index.html"
    assert page.exists(), "dbt docs generate --static writes static_index.html"
    return page


def test_the_catalog_describes_every_mart_and_its_columns(docs_page: Path) -> None:
    catalog = json.loads((docs_page.parent / "catalog.json").read_text())
    manifest = json.loads((docs_page.parent / "manifest.json").read_text())
    marts = {node["name"]: node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["name"].startswith(("fct_", "rpt_"))}
    assert len(marts) >= 15
    for name, node in marts.items():
        assert node["description"].strip(), f"{name} has no description"
        built_columns = catalog["nodes"][node["unique_id"]]["columns"]
        undocumented = [c for c in built_columns if not node["columns"].get(c, {}).get("description", "").strip()]
        assert not undocumented, f"{name}: columns without a description in the docs site: {undocumented}"
    overview = manifest["docs"]["doc.llm_cost.__overview__"]["block_contents"]
    for mart in marts:
        if not mart.startswith(("rpt_cost_anomalies", "rpt_runaway_runs", "rpt_cost_change_points")):
            assert f"`{mart}`" in overview, f"the overview does not name {mart}"


def test_a_browser_renders_the_overview_and_a_marts_page(docs_page: Path, tmp_path: Path) -> None:
    chromium = os.environ.get("LLM_COST_CHROMIUM")
    if not chromium:
        pytest.skip("LLM_COST_CHROMIUM is not set: run `make test`, which installs Debian's chromium and sets it")
    if not Path(chromium).exists():
        pytest.fail(f"LLM_COST_CHROMIUM={chromium} does not exist: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.goto(f"file://{docs_page}#!/overview", timeout=60_000)
            page.get_by_text("Which metric answers which question").first.wait_for(timeout=60_000)
            overview = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "overview.png"))
            page.goto(f"file://{docs_page}#!/model/model.llm_cost.fct_run_costs", timeout=60_000)
            page.get_by_text("One row per run (trace) with at least one provider call").first.wait_for(timeout=60_000)
            page.get_by_text("The run: the trace id").first.wait_for(timeout=30_000)
            mart = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "fct_run_costs.png"), full_page=True)
        finally:
            browser.close()
    assert "cost_per_run" in overview and "fct_tenant_costs_daily" in overview
    assert "cost_usd" in mart and "decimal" in mart.lower()
    assert (tmp_path / "fct_run_costs.png").stat().st_size > 10_000
